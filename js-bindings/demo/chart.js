// Charts of an answer, drawn as SVG by hand: one label column and one or two numeric columns
// become horizontal bars, or lines when the label is a time (a date or a timestamp). Each numeric
// column gets a panel with its own scale (a count and a mean side by side stay readable), and
// every bar is one `<rect class="bar">`, every point one `<circle class="point">`, with its label
// and value in data attributes and a `<title>`.
//
// Hand-drawn rather than a charting library: the page is served as it is, with no build step, so
// a library would have to be vendored or bundled, and the two shapes the page needs take less code
// than wiring one up would; the bars also stay plain DOM that tests can count.

const SVG_NS = 'http://www.w3.org/2000/svg';

/** Widest chart, in SVG units; the SVG scales down to its box. */
const WIDTH = 760;
/** Most bars in a panel: past that a bar chart stops being readable. */
const MAX_BARS = 60;
/** Most points in a line. */
const MAX_POINTS = 500;

/**
 * A column of an answer.
 * @typedef {object} ChartColumn
 * @property {string} name
 * @property {string} arrowType
 */

/**
 * A drawn chart, or why there is none.
 * @typedef {{ kind: 'bar' | 'line', svg: SVGSVGElement } | { kind: 'none', why: string }} Chart
 */

/** @param {string} arrowType */
export const isNumeric = (arrowType) => /^(U?Int(8|16|32|64)|Float(16|32|64)|Decimal(32|64|128|256))\b/.test(arrowType);
/** @param {string} arrowType */
export const isTime = (arrowType) => /^(Timestamp|Date(32|64))\b/.test(arrowType);
/** @param {string} arrowType */
export const isText = (arrowType) => /^(Utf8|LargeUtf8|Utf8View)$|^Dictionary\(\w+, (Large)?Utf8(View)?\)$/.test(arrowType);

/**
 * An SVG element with attributes and children.
 * @param {string} tag
 * @param {Record<string, string | number>} attributes
 * @param {...(Node | string)} children
 * @returns {SVGElement}
 */
function el(tag, attributes, ...children) {
  const node = /** @type {SVGElement} */ (document.createElementNS(SVG_NS, tag));
  for (const [name, value] of Object.entries(attributes)) node.setAttribute(name, String(value));
  node.append(...children);
  return node;
}

/** @param {string} text */
const title = (text) => el('title', {}, text);

/**
 * A number for a chart's labels: whole numbers with separators, others to a few digits.
 * @param {number} value
 */
export function formatNumber(value) {
  const size = Math.abs(value);
  if (Number.isInteger(value)) return value.toLocaleString('en-US');
  if (size >= 100) return value.toLocaleString('en-US', { maximumFractionDigits: 1 });
  if (size >= 1) return value.toLocaleString('en-US', { maximumFractionDigits: 2 });
  return value.toLocaleString('en-US', { maximumSignificantDigits: 3 });
}

/**
 * Milliseconds since the epoch of a date or timestamp as `tableRows` writes it (RFC 3339; a
 * timestamp without a zone is taken as UTC, as the plugin's calendar functions do).
 * @param {unknown} value
 */
function instant(value) {
  if (typeof value !== 'string') return Number.NaN;
  const zoned = /T.*(Z|[+-]\d\d:?\d\d)$/.test(value) || !value.includes('T');
  return Date.parse(zoned ? value : `${value}Z`);
}

/**
 * The labels of times, as short as they can be and still tell them apart: the time of day when
 * they all fall on one day, the date when they are all midnights.
 * @param {readonly string[]} values
 */
function timeLabels(values) {
  const parts = values.map((v) => {
    const [date = v, time = ''] = v.replace(/(Z|[+-]\d\d:?\d\d)$/, '').split('T');
    return { date, time: time.replace(/(\.0+)?$/, '').replace(/:00$/, '') };
  });
  const oneDay = parts.every((p) => p.date === parts[0]?.date);
  const midnights = parts.every((p) => p.time === '' || p.time === '00:00');
  return parts.map((p) => (oneDay && !midnights ? p.time : midnights ? p.date : `${p.date} ${p.time}`));
}

/** @param {string} text @param {number} most */
const clip = (text, most) => (text.length > most ? `${text.slice(0, most - 1)}…` : text);

/**
 * The scale of a panel: from the smaller of 0 and the least value to the larger of 0 and the
 * greatest, so that bars start at zero.
 * @param {readonly (number | null)[]} values
 */
function domain(values) {
  const present = values.filter((v) => v !== null && Number.isFinite(v)).map(Number);
  const lo = Math.min(0, ...present);
  const hi = Math.max(0, ...present);
  return { lo, hi: hi === lo ? lo + 1 : hi };
}

/**
 * A scale's range widened to round numbers, and the round numbers on it (about four steps of 1,
 * 2, 2.5 or 5 times a power of ten), for the lines across a line chart.
 * @param {{ lo: number, hi: number }} range
 */
function niceTicks({ lo, hi }) {
  const rough = (hi - lo) / 4;
  const power = 10 ** Math.floor(Math.log10(rough));
  const step = ([1, 2, 2.5, 5, 10].find((m) => m * power >= rough) ?? 10) * power;
  const first = Math.floor(lo / step) * step;
  const last = Math.ceil(hi / step) * step;
  const count = Math.round((last - first) / step);
  // Rounded again: sums of fractional steps collect float error (0.30000000000000004).
  const ticks = Array.from({ length: count + 1 }, (_, k) => Number((first + k * step).toPrecision(12)));
  return { lo: first, hi: last, ticks };
}

/**
 * @param {readonly Record<string, unknown>[]} rows
 * @param {string} name
 * @returns {(number | null)[]}
 */
const numbers = (rows, name) => rows.map((r) => (typeof r[name] === 'number' ? Number(r[name]) : null));

/**
 * Horizontal bars: the labels on the left, then one panel per numeric column.
 * @param {ChartColumn} label
 * @param {readonly ChartColumn[]} series
 * @param {readonly Record<string, unknown>[]} rows
 * @returns {SVGSVGElement}
 */
function barChart(label, series, rows) {
  const labels = rows.map((r) => (r[label.name] === null || r[label.name] === undefined ? 'null' : String(r[label.name])));
  const labelWidth = Math.min(220, Math.max(60, Math.max(...labels.map((l) => clip(l, 30).length)) * 7 + 16));
  const gap = 20;
  const panelWidth = (WIDTH - labelWidth - gap * (series.length - 1)) / series.length;
  // Room after the longest bar for its value.
  const room = 70;
  const head = 24;
  const rowHeight = 24;
  const height = head + rows.length * rowHeight + 4;
  const svg = /** @type {SVGSVGElement} */ (el('svg', {
    viewBox: `0 0 ${WIDTH} ${height}`, width: WIDTH, height, role: 'img', class: 'chart-svg bar-chart',
    'aria-label': `Bar chart of ${series.map((s) => s.name).join(' and ')} by ${label.name}`,
  }));
  labels.forEach((l, i) => {
    svg.append(el('text', { x: labelWidth - 8, y: head + i * rowHeight + rowHeight / 2, class: 'label', 'text-anchor': 'end', 'dominant-baseline': 'middle' }, title(l), clip(l, 30)));
  });
  series.forEach((s, j) => {
    const left = labelWidth + j * (panelWidth + gap);
    const values = numbers(rows, s.name);
    const { lo, hi } = domain(values);
    const scale = (/** @type {number} */ v) => left + ((v - lo) / (hi - lo)) * (panelWidth - room);
    const zero = scale(0);
    svg.append(el('text', { x: left, y: 14, class: 'series-name' }, s.name));
    svg.append(el('line', { x1: zero, x2: zero, y1: head - 4, y2: height - 2, class: 'axis' }));
    values.forEach((v, i) => {
      const y = head + i * rowHeight + 4;
      const end = v === null ? zero : scale(v);
      svg.append(el('rect', {
        x: Math.min(zero, end), y, width: Math.abs(end - zero), height: rowHeight - 8, class: `bar series-${j}`,
        'data-label': labels[i] ?? '', 'data-value': v === null ? 'null' : String(v),
      }, title(`${labels[i]}: ${s.name} ${v === null ? 'null' : formatNumber(v)}`)));
      svg.append(el('text', { x: Math.max(zero, end) + 5, y: y + (rowHeight - 8) / 2, class: 'value', 'dominant-baseline': 'middle' }, v === null ? 'null' : formatNumber(v)));
    });
  });
  return svg;
}

/**
 * Lines over time, one panel per numeric column, the points in time order.
 * @param {ChartColumn} label
 * @param {readonly ChartColumn[]} series
 * @param {readonly Record<string, unknown>[]} rows
 * @returns {SVGSVGElement}
 */
function lineChart(label, series, rows) {
  const sorted = [...rows].sort((a, b) => instant(a[label.name]) - instant(b[label.name]));
  const times = sorted.map((r) => instant(r[label.name]));
  const texts = timeLabels(sorted.map((r) => String(r[label.name])));
  const first = times[0] ?? 0;
  const last = times[times.length - 1] ?? 0;
  const left = 64;
  const right = 20;
  const panelHeight = 170;
  const top = 24;
  const bottom = 30;
  const height = series.length * panelHeight;
  const x = (/** @type {number} */ t) => (last === first ? (left + WIDTH - right) / 2 : left + ((t - first) / (last - first)) * (WIDTH - left - right));
  const svg = /** @type {SVGSVGElement} */ (el('svg', {
    viewBox: `0 0 ${WIDTH} ${height}`, width: WIDTH, height, role: 'img', class: 'chart-svg line-chart',
    'aria-label': `Line chart of ${series.map((s) => s.name).join(' and ')} over ${label.name}`,
  }));
  // About six labels along the time axis, at points of the data.
  const marks = Math.min(6, sorted.length);
  const ticks = marks === 1 ? [0] : Array.from({ length: marks }, (_, k) => Math.round((k * (sorted.length - 1)) / (marks - 1)));
  series.forEach((s, j) => {
    const offset = j * panelHeight;
    const values = numbers(sorted, s.name);
    const { lo, hi, ticks: levels } = niceTicks(domain(values));
    const y = (/** @type {number} */ v) => offset + top + (1 - (v - lo) / (hi - lo)) * (panelHeight - top - bottom);
    svg.append(el('text', { x: left, y: offset + 14, class: 'series-name' }, s.name));
    for (const v of levels) {
      svg.append(el('line', { x1: left, x2: WIDTH - right, y1: y(v), y2: y(v), class: 'grid-line' }));
      svg.append(el('text', { x: left - 6, y: y(v), class: 'tick', 'text-anchor': 'end', 'dominant-baseline': 'middle' }, formatNumber(v)));
    }
    ticks.forEach((k, n) => {
      // The last label ends at its point, so that it stays inside the chart.
      const anchor = n > 0 && n === ticks.length - 1 ? 'end' : 'middle';
      svg.append(el('text', { x: x(times[k] ?? first), y: offset + panelHeight - bottom + 16, class: 'tick', 'text-anchor': anchor }, texts[k] ?? ''));
    });
    // A null leaves a gap in the line.
    let path = '';
    let pen = 'M';
    values.forEach((v, i) => {
      if (v === null) {
        pen = 'M';
        return;
      }
      path += `${pen}${x(times[i] ?? first).toFixed(1)},${y(v).toFixed(1)} `;
      pen = 'L';
    });
    svg.append(el('path', { d: path.trim(), class: `line series-${j}` }));
    values.forEach((v, i) => {
      if (v === null) return;
      const at = String(sorted[i]?.[label.name]);
      svg.append(el('circle', { cx: x(times[i] ?? first), cy: y(v), r: 3, class: `point series-${j}`, 'data-label': at, 'data-value': String(v) }, title(`${at}: ${s.name} ${formatNumber(v)}`)));
    });
  });
  return svg;
}

/**
 * The chart of an answer, when its shape allows one: one label column (text, a boolean, a date or
 * a timestamp) and one or two numeric columns.
 * @param {readonly ChartColumn[]} columns
 * @param {readonly Record<string, unknown>[]} rows
 * @returns {Chart}
 */
export function chartOf(columns, rows) {
  const series = columns.filter((c) => isNumeric(c.arrowType));
  const labels = columns.filter((c) => !isNumeric(c.arrowType));
  const label = labels[0];
  if (label === undefined || labels.length > 1 || series.length === 0 || series.length > 2) {
    return { kind: 'none', why: 'a chart needs one label column and one or two numeric columns' };
  }
  if (rows.length === 0) return { kind: 'none', why: 'no rows to chart' };
  // A row without a time (a NULL bucket) has no place on the time axis: the table still shows it.
  const timed = isTime(label.arrowType) ? rows.filter((r) => Number.isFinite(instant(r[label.name]))) : [];
  if (timed.length > 0) {
    if (timed.length > MAX_POINTS) return { kind: 'none', why: `more than ${MAX_POINTS} points to draw` };
    return { kind: 'line', svg: lineChart(label, series, timed) };
  }
  if (rows.length > MAX_BARS) return { kind: 'none', why: `more than ${MAX_BARS} bars to draw` };
  return { kind: 'bar', svg: barChart(label, series, rows) };
}
