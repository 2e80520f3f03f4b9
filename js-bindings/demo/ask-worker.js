// The demo page's worker for questions (a module Web Worker started by ask.js). It holds the file
// the page was given as the table `t` of an analytics session and answers SQL about it, so that
// reading, registering and aggregating a file of a million rows never blocks the page: the
// plugin's calls are synchronous inside WebAssembly and would freeze the page for as long as
// they run. It uses the same façade as the page (dist/index.js, dist/analytics.js) in an
// instance of its own. Requests are answered one at a time, in the order they came: a question
// sent while a file is still being registered is asked of that file.
//
// A dedicated worker rather than the façade's pool (`createWorkerPool` and `call`): the table has
// to stay registered between questions, so every request must reach the same worker, and one
// long-lived worker says so more plainly than a pool of one.
import { initWasm, readTableFromArrayBuffer, getSchemaSummary, numRows, tableRows, freeTable, ok, err } from '../dist/index.js';
import { loadAnalytics, createSession, register, unregister, query } from '../dist/analytics.js';

/** @typedef {import('../dist/analytics.js').Session} Session */
/** @template T @typedef {import('../dist/analytics.js').AnalyticsResult<T>} AnalyticsResult */

/**
 * A column of a table or an answer.
 * @typedef {object} AskColumn
 * @property {string} name
 * @property {string} arrowType - as `getSchemaSummary` writes it (`Utf8`, `Timestamp(ms)`, ...)
 */

/**
 * The time a time column spans, in seconds since the epoch, for choosing the width of its buckets.
 * @typedef {object} Span
 * @property {number} lo
 * @property {number} hi
 */

/**
 * A file registered as `t`.
 * @typedef {object} Opened
 * @property {AskColumn[]} columns
 * @property {number} rows
 * @property {number} ms - reading and registering it
 * @property {Record<string, Span>} spans - for each time column that has values
 */

/**
 * The answer to a question: its first rows (at most `MAX_ROWS`) and how many there are.
 * @typedef {object} Answer
 * @property {AskColumn[]} columns
 * @property {Record<string, unknown>[]} rows
 * @property {number} total
 * @property {number} ms - running the query
 */

/**
 * What the page asks.
 * @typedef {{ kind: 'open', id: number, file: Blob } | { kind: 'query', id: number, sql: string }} AskRequest
 */

/**
 * What the worker answers: `started` once, then one reply per request, with the request's id.
 * @typedef {{ kind: 'started', result: AnalyticsResult<number> }
 *   | { kind: 'opened', id: number, result: AnalyticsResult<Opened> }
 *   | { kind: 'answered', id: number, result: AnalyticsResult<Answer> }} AskReply
 */

/** Rows of an answer posted back: enough for any table or chart the page draws. */
const MAX_ROWS = 500;

/** @param {AskReply} reply */
const post = (reply) => self.postMessage(reply);

/** Starts the core and the plugin and opens the session. */
async function start() {
  const core = await initWasm();
  if (!core.ok) return core;
  const plugin = await loadAnalytics();
  if (!plugin.ok) return plugin;
  return createSession();
}

const launched = performance.now();
const session = start();
void session.then((s) => post({ kind: 'started', result: s.ok ? ok(performance.now() - launched) : s }));

/** Whether `t` is registered (a failed read leaves none). */
let registered = false;

/** @param {string} arrowType */
const isTime = (arrowType) => /^(Timestamp|Date(32|64))\b/.test(arrowType);

/** Quoted as an SQL identifier. @param {string} name */
const ident = (name) => `"${name.replaceAll('"', '""')}"`;

/**
 * The first and last instant of each time column, in one scan.
 * @param {Session} s
 * @param {readonly AskColumn[]} columns
 * @returns {Promise<Record<string, Span>>}
 */
async function spansOf(s, columns) {
  const times = columns.filter((c) => isTime(c.arrowType));
  if (times.length === 0) return {};
  const parts = times.flatMap((c, i) => [`epoch(min(${ident(c.name)})) AS lo${i}`, `epoch(max(${ident(c.name)})) AS hi${i}`]);
  const answer = await query(s, `SELECT ${parts.join(', ')} FROM t`);
  if (!answer.ok) return {};
  const rows = await tableRows(answer.value, 1);
  await freeTable(answer.value);
  const row = rows.ok ? rows.value[0] : undefined;
  /** @type {Record<string, Span>} */
  const spans = {};
  times.forEach((c, i) => {
    const lo = row?.[`lo${i}`];
    const hi = row?.[`hi${i}`];
    if (typeof lo === 'number' && typeof hi === 'number') spans[c.name] = { lo, hi };
  });
  return spans;
}

/**
 * Reads the file and registers it as `t`, in place of the previous one.
 * @param {Blob} file
 * @returns {Promise<AnalyticsResult<Opened>>}
 */
async function open(file) {
  const s = await session;
  if (!s.ok) return s;
  const began = performance.now();
  // The previous table goes first: two large files need not fit at once.
  if (registered) {
    const dropped = await unregister(s.value, 't');
    if (!dropped.ok) return dropped;
    registered = false;
  }
  const bytes = await file.arrayBuffer().then(ok, (e) => err('invalid-argument', `the worker could not read the file: ${String(e)}`));
  if (!bytes.ok) return bytes;
  const read = await readTableFromArrayBuffer(bytes.value);
  if (!read.ok) return read;
  const schema = await getSchemaSummary(read.value);
  const rows = await numRows(read.value);
  // The session keeps a copy: the core's table is freed whatever happens.
  const added = schema.ok && rows.ok ? await register(s.value, 't', read.value) : undefined;
  await freeTable(read.value);
  if (!schema.ok) return schema;
  if (!rows.ok) return rows;
  if (added !== undefined && !added.ok) return added;
  registered = true;
  const columns = schema.value.columns.map((c) => ({ name: c.name, arrowType: c.arrowType }));
  const ms = performance.now() - began;
  return ok({ columns, rows: rows.value, ms, spans: await spansOf(s.value, columns) });
}

/**
 * Answers one query about `t`.
 * @param {string} sql
 * @returns {Promise<AnalyticsResult<Answer>>}
 */
async function ask(sql) {
  const s = await session;
  if (!s.ok) return s;
  if (!registered) return err('invalid-argument', 'no file is registered as t');
  const began = performance.now();
  const answer = await query(s.value, sql);
  const ms = performance.now() - began;
  if (!answer.ok) return answer;
  const schema = await getSchemaSummary(answer.value);
  const total = await numRows(answer.value);
  const rows = await tableRows(answer.value, MAX_ROWS);
  await freeTable(answer.value);
  if (!schema.ok) return schema;
  if (!total.ok) return total;
  if (!rows.ok) return rows;
  return ok({ columns: schema.value.columns.map((c) => ({ name: c.name, arrowType: c.arrowType })), rows: rows.value, total: total.value, ms });
}

/**
 * @param {AskRequest} request
 * @returns {Promise<AskReply>}
 */
async function handle(request) {
  if (request.kind === 'open') return { kind: 'opened', id: request.id, result: await open(request.file) };
  return { kind: 'answered', id: request.id, result: await ask(request.sql) };
}

/** The requests, chained so that each starts when the one before it has been answered. */
let queue = Promise.resolve();

self.addEventListener('message', (event) => {
  /** @type {AskRequest} */
  const request = event.data;
  queue = queue.then(() => handle(request)).then(post).then(undefined, (e) => {
    // Only a bug lands here (the façade returns its errors, a reply that cannot be posted throws):
    // the page still hears back, and the requests after it still run.
    const failure = err('internal', `the worker failed: ${String(e)}`);
    post(request.kind === 'open' ? { kind: 'opened', id: request.id, result: failure } : { kind: 'answered', id: request.id, result: failure });
  });
});
