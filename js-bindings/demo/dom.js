// Small helpers the demo page's modules share: looking up the page's elements and showing the
// values `tableRows` gives (JSON: null, booleans, numbers, text, lists and structs) as cell text.

/**
 * The element with this id, checked to be of the expected kind (a mismatch is a bug of the page).
 * @template {Element} T
 * @param {string} id
 * @param {{ new (): T, prototype: T }} kind
 * @returns {T}
 */
export function byId(id, kind) {
  const node = document.getElementById(id);
  if (!(node instanceof kind)) throw new Error(`demo page: #${id} missing or not a ${kind.name}`);
  return node;
}

/**
 * How a cell shows a value of `tableRows`; the tests format the same way.
 * @param {unknown} value
 */
export function cellText(value) {
  if (value === null || value === undefined) return 'null';
  if (typeof value === 'string') return value;
  if (typeof value === 'object') return JSON.stringify(value);
  return String(value);
}

/**
 * A duration for people: tenths under 10 ms, whole milliseconds above.
 * @param {number} ms
 */
export const formatMs = (ms) => (ms < 10 ? `${ms.toFixed(1)} ms` : `${Math.round(ms).toLocaleString('en-US')} ms`);
