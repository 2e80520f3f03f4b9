// pool.query (dist/pool.js): SQL over a Parquet file or a list of IPC buffers on the workers, equal
// to the same SQL on this thread over the whole table (loadAnalytics/createSession/register/query)
// for every query shape of the benchmarks: groupings whose states merge run split over the parts
// and are merged here; the rest (median, count(DISTINCT), windows, plain SELECTs) run whole on one
// worker. Inputs: a Parquet Blob with ten row groups (pyarrow, trips.csv, 500 rows a group), the
// same bytes, the same file over HTTP, and a list of IPC buffers. Also: progress, a worker killed
// mid-query (reading a part, compiling the plugin, planning, merging), typed SQL errors, no leaked
// tables, and Web Workers in Chromium; and that the calling thread never loads the plugin (no import
// of session.js, no instance of the plugin's module, in a page not even a fetch of it), in a fresh
// Node process and in a page.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFile, execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { promisify } from 'node:util';
import * as api from '../dist/index.js';
import * as analytics from '../dist/analytics.js';
import { createWorkerPool } from '../dist/pool.js';
import { root } from './helpers.mjs';
import { inChromium, serve } from './chromium.mjs';

const value = (r) => {
  assert.equal(r.ok, true, r.ok ? '' : `${r.error.code}: ${r.error.message}`);
  return r.value;
};
value(await api.initWasm());
value(await analytics.loadAnalytics());

const dir = mkdtempSync(join(tmpdir(), 'arrow-rs-wasm-pool-query-'));
const parquetPath = join(dir, 'trips.parquet');
execFileSync(join(root, '.venv/bin/python'), ['-c', `
import sys, pyarrow.csv as pc, pyarrow.parquet as pq
pq.write_table(pc.read_csv(sys.argv[1]), sys.argv[2], row_group_size=500)
`, join(root, 'testdata/sample/trips.csv'), parquetPath]);
const parquet = readFileSync(parquetPath);
execFileSync(join(root, '.venv/bin/python'), ['-c', `
import sys, pyarrow.parquet as pq
pq.write_table(pq.read_table(sys.argv[1]), sys.argv[2], row_group_size=10000)
`, parquetPath, join(dir, 'one-group.parquet')]);
const oneGroup = readFileSync(join(dir, 'one-group.parquet'));
const ROWS = 5000;
const GROUPS = 10;

// The same rows as four IPC buffers, streams and files, one compressed.
const whole = value(await api.readTableFromArrayBuffer(parquet));
const ipcParts = [];
for (const [i, [offset, length]] of [[0, 1300], [1300, 1300], [2600, 1300], [3900, 1100]].entries()) {
  const slice = value(await api.sliceTable(whole, offset, length));
  ipcParts.push(value(await api.writeTableToIpc(slice, { format: i % 2 === 0 ? 'stream' : 'file', compression: i === 1 ? 'lz4' : 'none' })));
  value(await api.freeTable(slice));
}
const session = value(await analytics.createSession());
value(await analytics.register(session, 't', whole));
value(await api.freeTable(whole));

// Every shape of bench/analytics.mjs and bench/pool-query.mjs; `split` tells which run split.
const QUERIES = [
  { label: 'group-by with count/sum/avg/min/max', split: true, sql: 'SELECT payment, count(*) AS n, sum(fare) AS total, avg(distance_km) AS d, min(tip) AS lo, max(tip) AS hi, min(pickup) AS first FROM t GROUP BY payment' },
  { label: 'two keys, nullable sums', split: true, sql: 'SELECT pickup_zone, passengers, count(*) AS n, sum(tip) AS tips, count(tip) AS tipped FROM t GROUP BY pickup_zone, passengers' },
  { label: 'filter with parameters', split: true, sql: 'SELECT payment, count(*) AS n, avg(fare) AS a FROM t WHERE fare > $1 AND passengers >= $2 GROUP BY payment', params: [20, 2] },
  { label: 'HAVING, ORDER BY, LIMIT after the group-by', split: true, ordered: true, sql: 'SELECT pickup_zone, count(*) AS n, sum(fare) AS s FROM t GROUP BY pickup_zone HAVING count(*) > $1 ORDER BY n DESC, pickup_zone LIMIT 5', params: [10] },
  { label: 'global aggregate, no GROUP BY', split: true, sql: 'SELECT count(*) AS n, sum(fare) AS s, avg(tip) AS a, min(pickup) AS first, max(dropoff) AS last, stddev_samp(fare) AS sd FROM t' },
  { label: 'global aggregate over no rows', split: true, sql: 'SELECT count(*) AS n, sum(fare) AS s FROM t WHERE fare < 0' },
  { label: 'count(*) alone (reads one column)', split: true, sql: 'SELECT count(*) AS n FROM t' },
  { label: 'count(DISTINCT) falls back', split: false, sql: 'SELECT payment, count(DISTINCT pickup_zone) AS zones FROM t GROUP BY payment' },
  { label: 'median falls back', split: false, sql: 'SELECT payment, median(fare) AS m FROM t GROUP BY payment' },
  { label: 'window falls back', split: false, ordered: true, sql: 'SELECT trip_id, fare, rank() OVER (PARTITION BY payment ORDER BY fare DESC, trip_id) AS r FROM t ORDER BY trip_id LIMIT 20' },
  { label: 'plain SELECT ... LIMIT falls back', split: false, ordered: true, sql: 'SELECT trip_id, payment, fare FROM t WHERE fare > $1 ORDER BY trip_id LIMIT 10', params: [50] },
];

/** Rows as comparable text: floats to 10 digits (sums in another order differ in the last bits). */
async function rowsOf(handle, ordered) {
  const rows = value(await api.tableRows(handle, 100_000)).map((row) =>
    JSON.stringify(Object.entries(row).map(([k, v]) => [k, typeof v === 'number' && !Number.isInteger(v) ? Number(v.toPrecision(10)) : v])),
  );
  return ordered ? rows : rows.sort();
}

async function shape(handle) {
  return value(await api.getSchemaSummary(handle)).columns.map((c) => `${c.name}: ${c.arrowType}`);
}

const expected = [];
for (const q of QUERIES) {
  const answer = value(await analytics.query(session, q.sql, q.params));
  expected.push({ rows: await rowsOf(answer, q.ordered), schema: await shape(answer) });
  value(await api.freeTable(answer));
}

/** Runs every query on `input`, checking answers, schemas and progress against this thread's. */
async function checkAll(pool, input, label, parts) {
  const before = value(await api.liveTableCount());
  for (const [i, q] of QUERIES.entries()) {
    const progress = [];
    const got = value(await pool.query({ input, sql: q.sql, params: q.params, onProgress: (p) => progress.push(p) }));
    const name = `${label}: ${q.label}`;
    assert.deepEqual(await rowsOf(got, q.ordered), expected[i].rows, name);
    assert.deepEqual(await shape(got), expected[i].schema, name);
    value(await api.freeTable(got));
    const last = progress.at(-1);
    assert.equal(last.partsTotal, q.split ? parts : 1, `${name}: parts`);
    assert.equal(progress.length, last.partsTotal, name);
    assert.deepEqual([last.partsDone, last.rowsProduced, last.etaMs, last.bytesRead], [last.partsTotal, ROWS, 0, last.totalBytes], name);
    assert.ok(progress.every((p, k) => k === 0 || (p.rowsProduced > progress[k - 1].rowsProduced && p.elapsedMs >= progress[k - 1].elapsedMs)), name);
  }
  assert.equal(value(await api.liveTableCount()), before, `${label}: every intermediate table was freed`);
}

test('pool.query equals a single-threaded query for every shape, from a Parquet Blob, bytes, an HTTP URL and IPC buffers', async (t) => {
  const pool = value(await createWorkerPool({ size: 2 }));
  const server = await serve(0, { '/pool-query/': dir });
  t.after(() => Promise.all([pool.close(), new Promise((r) => server.close(r))]));
  await checkAll(pool, new Blob([parquet]), 'Blob', GROUPS);
  await checkAll(pool, new Uint8Array(parquet), 'bytes', GROUPS);
  await checkAll(pool, new URL(`http://127.0.0.1:${server.address().port}/pool-query/trips.parquet`), 'URL', GROUPS);
  await checkAll(pool, ipcParts, 'IPC buffers', ipcParts.length);
  // The schema is read from the first buffer's first batch: here an IPC file's.
  await checkAll(pool, [ipcParts[1], ipcParts[0], ipcParts[3], ipcParts[2]], 'IPC buffers, a file first', ipcParts.length);
  // One buffer (or anything not Parquet), or Parquet of one row group, is one part: the query runs
  // whole, split or not.
  const all = value(await analytics.query(session, 'SELECT * FROM t'));
  const one = value(await api.writeTableToIpc(all, { format: 'stream' }));
  value(await api.freeTable(all));
  for (const input of [one, [one], new Blob([oneGroup])]) {
    for (const i of [0, 3, 8]) {
      let parts;
      const got = value(await pool.query({ input, sql: QUERIES[i].sql, params: QUERIES[i].params, onProgress: (p) => (parts = p.partsTotal) }));
      assert.deepEqual(await rowsOf(got, QUERIES[i].ordered), expected[i].rows);
      assert.equal(parts, 1);
      value(await api.freeTable(got));
    }
  }
  // Other table names; queries side by side share the workers.
  const named = await Promise.all([0, 3].map((i) => pool.query({ input: new Blob([parquet]), table: 'trips', sql: QUERIES[i].sql.replace('FROM t', 'FROM trips'), params: QUERIES[i].params })));
  for (const [k, i] of [0, 3].entries()) {
    assert.deepEqual(await rowsOf(value(named[k]), QUERIES[i].ordered), expected[i].rows);
    value(await api.freeTable(named[k].value));
  }
  assert.equal(pool.stats().replaced, 0);
});

test('column names that a plan text cannot tell apart are all read', async (t) => {
  const pool = value(await createWorkerPool({ size: 2 }));
  t.after(() => pool.close());
  const csv = new TextEncoder().encode(`"a, b",a,b,"x]",c\n${Array.from({ length: 40 }, (_, i) => `${i % 3},${i},${i % 5},${i * 2},z`).join('\n')}\n`);
  const table = value(await api.readCsv(csv));
  const parts = [];
  for (const offset of [0, 20]) {
    const slice = value(await api.sliceTable(table, offset, 20));
    parts.push(value(await api.writeTableToIpc(slice, { format: 'stream' })));
    value(await api.freeTable(slice));
  }
  const here = value(await analytics.createSession());
  value(await analytics.register(here, 't', table));
  value(await api.freeTable(table));
  for (const sql of ['SELECT "a, b", sum("x]") AS s, count(*) AS n FROM t GROUP BY 1', 'SELECT a, max(b) AS m FROM t GROUP BY a', 'SELECT "a, b", median("x]") AS m FROM t GROUP BY 1']) {
    const want = value(await analytics.query(here, sql));
    const got = value(await pool.query({ input: parts, sql }));
    assert.deepEqual(await rowsOf(got), await rowsOf(want), sql);
    for (const h of [want, got]) value(await api.freeTable(h));
  }
  analytics.closeSession(here);
});

test('a worker killed mid-query is replaced and its part runs again: the answer is unchanged', async (t) => {
  const marker = join(dir, 'died');
  const handlers = `${pathToFileURL(join(root, 'js-bindings/test/workers/die-mid-query.mjs')).href}?marker=${encodeURIComponent(marker)}&after=4`;
  const pool = value(await createWorkerPool({ size: 2, handlers }));
  t.after(() => pool.close());
  const got = value(await pool.query({ input: new Blob([parquet]), sql: QUERIES[0].sql }));
  assert.deepEqual(await rowsOf(got), expected[0].rows);
  value(await api.freeTable(got));
  const stats = pool.stats();
  assert.deepEqual([stats.replaced, stats.retried, stats.workers], [1, 1, 2]);
  // The replacement works on.
  const again = value(await pool.query({ input: new Blob([parquet]), sql: QUERIES[8].sql }));
  assert.deepEqual(await rowsOf(again), expected[8].rows);
  value(await api.freeTable(again));
});

/**
 * A handlers module whose worker (the first, across replacements) exits as soon as it is handed a
 * task named `name`, as a crash would; the marker file makes it happen once.
 */
function dieOn(name, marker) {
  const file = join(dir, 'die-on-task.mjs');
  writeFileSync(file, `
import { closeSync, openSync } from 'node:fs';
import { parentPort } from 'node:worker_threads';
const params = new URL(import.meta.url).searchParams;
parentPort.on('message', (m) => {
  if (m.kind !== 'task' || m.name !== params.get('name')) return;
  try {
    closeSync(openSync(params.get('marker'), 'wx'));
  } catch {
    return;
  }
  process.exit(3);
});
`);
  return `${pathToFileURL(file).href}?name=${encodeURIComponent(name)}&marker=${encodeURIComponent(marker)}`;
}

test('a worker killed while compiling the plugin, planning or merging is replaced and the task runs again', async () => {
  // The task names are the pool's internal ones (COMPILE, PLAN and MERGE of dist/pool.js).
  const tasks = [['\0compile', new Blob([parquet])], ['\0plan', new Blob([parquet])], ['\0merge', new Blob([parquet])], ['\0plan', ipcParts], ['\0merge', ipcParts]];
  for (const [task, input] of tasks) {
    const label = `${task.slice(1)} of ${Array.isArray(input) ? 'IPC buffers' : 'a Blob'}`;
    const pool = value(await createWorkerPool({ size: 2, handlers: dieOn(task, join(dir, `died-${label.replaceAll(' ', '-')}`)) }));
    const got = value(await pool.query({ input, sql: QUERIES[0].sql }));
    assert.deepEqual(await rowsOf(got), expected[0].rows, label);
    value(await api.freeTable(got));
    const stats = pool.stats();
    assert.deepEqual([stats.replaced, stats.retried, stats.workers], [1, 1, 2], label);
    await pool.close();
  }
});

test('the calling thread never loads the plugin: a fresh process resolves no session.js and instantiates no plugin module', async () => {
  // A resolve hook (module.register: it sees this thread's imports, not the workers') logs every
  // module the main thread loads, and WebAssembly.Instance/instantiate log every module
  // instantiated here. The child runs split and whole queries, a list and an error, then loads
  // the plugin itself, which both logs must see (or they prove nothing).
  const log = join(dir, 'resolved.txt');
  const hooks = join(dir, 'log-resolve.mjs');
  writeFileSync(hooks, `
import { appendFileSync } from 'node:fs';
let log;
export async function initialize(data) {
  log = data.log;
}
export async function resolve(specifier, context, next) {
  const resolved = await next(specifier, context);
  appendFileSync(log, JSON.stringify([context.parentURL, resolved.url]) + '\\n');
  return resolved;
}
`);
  const child = join(dir, 'query-only.mjs');
  const dist = (name) => pathToFileURL(join(root, 'js-bindings/dist', name)).href;
  writeFileSync(child, `
import { register } from 'node:module';
import { readFileSync, writeFileSync } from 'node:fs';
writeFileSync(${JSON.stringify(log)}, '');
register(${JSON.stringify(pathToFileURL(hooks).href)}, { data: { log: ${JSON.stringify(log)} } });
const instantiated = [];
const note = (m) => {
  if (m instanceof WebAssembly.Module) instantiated.push(WebAssembly.Module.exports(m).some((e) => e.name.startsWith('arrow:analytics/')));
};
WebAssembly.Instance = new Proxy(WebAssembly.Instance, { construct: (target, args) => (note(args[0]), Reflect.construct(target, args)) });
const instantiate = WebAssembly.instantiate;
WebAssembly.instantiate = (m, imports) => (note(m), instantiate(m, imports));
const value = (r) => {
  if (!r.ok) throw new Error(r.error.code + ': ' + r.error.message);
  return r.value;
};
const { createWorkerPool } = await import(${JSON.stringify(dist('pool.js'))});
const api = await import(${JSON.stringify(dist('index.js'))});
const pool = value(await createWorkerPool({ size: 2 }));
const parquet = new Blob([readFileSync(${JSON.stringify(parquetPath)})]);
const sizes = [];
for (const [input, sql] of [
  [parquet, 'SELECT payment, count(*) AS n, avg(fare) AS a FROM t GROUP BY payment'],
  [parquet, 'SELECT payment, median(fare) AS m FROM t GROUP BY payment'],
  [${JSON.stringify(ipcParts.map((b) => Buffer.from(b).toString('base64')))}.map((b) => Buffer.from(b, 'base64')), 'SELECT count(*) AS n FROM t'],
]) {
  const answer = value(await pool.query({ input, sql }));
  sizes.push(value(await api.numRows(answer)));
  value(await api.freeTable(answer));
}
const refused = await pool.query({ input: parquet, sql: 'SELEC 1' });
await pool.close();
const resolved = () => readFileSync(${JSON.stringify(log)}, 'utf8').split('\\n').filter(Boolean).map((line) => JSON.parse(line));
const during = { resolved: resolved(), instantiated: [...instantiated] };
const analytics = await import(${JSON.stringify(dist('analytics.js'))});
value(await analytics.loadAnalytics());
const after = { resolved: resolved(), instantiated };
console.log(JSON.stringify({ sizes, refused: refused.ok ? 'ok' : refused.error.kind, during, after }));
`);
  const { stdout } = await promisify(execFile)(process.execPath, [child]);
  const { sizes, refused, during, after } = JSON.parse(stdout);
  assert.deepEqual([sizes, refused], [[3, 3, 1], 'parse']);
  const url = (path) => pathToFileURL(join(root, 'js-bindings', path)).href;
  // Imports of session.js from anywhere but worker.js (a Node whose workers inherit the hooks
  // would log theirs too).
  const here = (log) => log.filter(([parent, resolved]) => resolved === url('dist/session.js') && parent !== url('dist/worker.js'));
  assert.ok(during.resolved.some(([, resolved]) => resolved === url('dist/pool.js')), 'the log sees the main thread');
  assert.deepEqual(here(during.resolved), [], 'no import of session.js on the calling thread');
  assert.ok(during.instantiated.length > 0, 'the core was instantiated here');
  assert.deepEqual(during.instantiated.filter(Boolean), [], 'no instance of the plugin on the calling thread');
  // The control: loading the plugin here shows in both logs.
  assert.ok(here(after.resolved).length > 0);
  assert.ok(after.instantiated.some(Boolean));
});

test('the plugin given as bytes, as a URL or compiled: the same answer', async () => {
  const path = join(root, 'js-bindings/gen/analytics/arrow-analytics.core.wasm');
  const bytes = readFileSync(path);
  for (const analyticsWasm of [bytes, pathToFileURL(path), await WebAssembly.compile(bytes)]) {
    const pool = value(await createWorkerPool({ size: 1, analyticsWasm }));
    const got = value(await pool.query({ input: ipcParts, sql: QUERIES[0].sql }));
    assert.deepEqual(await rowsOf(got), expected[0].rows, String(analyticsWasm));
    value(await api.freeTable(got));
    await pool.close();
  }
});

test('errors: the plugin\'s typed SQL errors with positions, split or whole; bad input; a closed pool', async () => {
  const pool = value(await createWorkerPool({ size: 2 }));
  const blob = new Blob([parquet]);
  const parse = await pool.query({ input: blob, sql: 'SELEC payment FROM t' });
  assert.deepEqual([parse.error.code, parse.error.kind, parse.error.position], ['plugin', 'parse', { line: 1, column: 1 }]);
  const column = await pool.query({ input: blob, sql: 'SELECT payment,\n  sum(nope) FROM t GROUP BY payment' });
  assert.deepEqual([column.error.kind, column.error.position?.line], ['unknown-column', 2]);
  assert.equal((await pool.query({ input: blob, sql: 'SELECT count(*) FROM elsewhere' })).error.kind, 'unknown-table');
  // Run whole on a worker (one part): the same typed error, posted back.
  const whole = await pool.query({ input: ipcParts[0], sql: 'SELEC payment FROM t' });
  assert.deepEqual([whole.error.kind, whole.error.position], ['parse', { line: 1, column: 1 }]);
  assert.equal((await pool.query({ input: [], sql: 'SELECT 1' })).error.code, 'invalid-argument');
  assert.equal((await pool.query({ input: [ipcParts[0], new Uint8Array([1, 2, 3])], sql: QUERIES[0].sql })).ok, false);
  assert.equal((await pool.query({ input: blob, sql: QUERIES[0].sql, params: [2n ** 70n] })).error.code, 'invalid-argument');
  assert.equal(pool.stats().replaced, 0);
  await pool.close();
  assert.equal((await pool.query({ input: blob, sql: QUERIES[0].sql })).error.code, 'closed');
  // A plugin module that does not compile: the query's error, the pool's workers untouched.
  const broken = value(await createWorkerPool({ size: 1, analyticsWasm: new Uint8Array([0, 97, 115, 109, 9, 9]) }));
  assert.equal((await broken.query({ input: blob, sql: QUERIES[0].sql })).error.code, 'not-initialized');
  assert.equal(value(await broken.run({ input: blob, output: 'summary' })).rows, ROWS);
  await broken.close();
});

test('in Chromium: Web Workers answer a split group-by and a query that runs whole; the page never loads the plugin', async () => {
  const picks = [0, 3, 8];
  const got = await inChromium(async ({ base64, queries }) => {
    const api = await import('/js-bindings/dist/index.js');
    const { createWorkerPool } = await import('/js-bindings/dist/pool.js');
    const made = await createWorkerPool({ size: 2 });
    if (!made.ok) return made;
    const pool = made.value;
    const blob = new Blob([Uint8Array.from(atob(base64), (c) => c.charCodeAt(0))]);
    const out = [];
    for (const q of queries) {
      let parts = 0;
      const r = await pool.query({ input: blob, sql: q.sql, params: q.params, onProgress: (p) => (parts = p.partsTotal) });
      out.push(r.ok ? { rows: (await api.tableRows(r.value, 1000)).value, parts } : r.error);
    }
    await pool.close();
    // What the page itself fetched (the workers' fetches are in their own timelines): then, as a
    // control, the plugin loaded here must show.
    const fetched = () => performance.getEntriesByType('resource').map((e) => new URL(e.name).pathname);
    const during = fetched();
    await (await import('/js-bindings/dist/analytics.js')).loadAnalytics();
    return { ok: true, value: { out, during, after: fetched() } };
  }, { base64: parquet.toString('base64'), queries: picks.map((i) => QUERIES[i]) });
  const { out: answers, during, after } = value(got);
  // Not even the plugin's module: a worker fetches and compiles it, and the page posts it on.
  const plugin = ['/js-bindings/dist/session.js', '/js-bindings/gen/instance/analytics/arrow-analytics.js', '/js-bindings/gen/analytics/arrow-analytics.core.wasm'];
  assert.ok(during.includes('/js-bindings/dist/worker.js'), JSON.stringify(during));
  assert.deepEqual(during.filter((path) => plugin.includes(path)), []);
  assert.ok(plugin.every((path) => after.includes(path)), JSON.stringify(after));
  for (const [k, i] of picks.entries()) {
    const rows = answers[k].rows.map((row) => JSON.stringify(Object.entries(row).map(([key, v]) => [key, typeof v === 'number' && !Number.isInteger(v) ? Number(v.toPrecision(10)) : v])));
    assert.deepEqual(QUERIES[i].ordered ? rows : rows.sort(), expected[i].rows, QUERIES[i].label);
    assert.equal(answers[k].parts, QUERIES[i].split ? GROUPS : 1, QUERIES[i].label);
  }
});
