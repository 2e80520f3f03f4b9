// pool.query (dist/pool.js): SQL over a Parquet file or a list of IPC buffers on the workers, equal
// to the same SQL on this thread over the whole table (loadAnalytics/createSession/register/query)
// for every query shape of the benchmarks: groupings whose states merge run split over the parts
// and are merged here; the rest (median, count(DISTINCT), windows, plain SELECTs) run whole on one
// worker. Inputs: a Parquet Blob with ten row groups (pyarrow, trips.csv, 500 rows a group), the
// same bytes, the same file over HTTP, and a list of IPC buffers. Also: progress, a worker killed
// mid-query, typed SQL errors, no leaked tables, and Web Workers in Chromium.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
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

test('in Chromium: Web Workers answer a split group-by and a query that runs whole', async () => {
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
    return { ok: true, value: out };
  }, { base64: parquet.toString('base64'), queries: picks.map((i) => QUERIES[i]) });
  const answers = value(got);
  for (const [k, i] of picks.entries()) {
    const rows = answers[k].rows.map((row) => JSON.stringify(Object.entries(row).map(([key, v]) => [key, typeof v === 'number' && !Number.isInteger(v) ? Number(v.toPrecision(10)) : v])));
    assert.deepEqual(QUERIES[i].ordered ? rows : rows.sort(), expected[i].rows, QUERIES[i].label);
    assert.equal(answers[k].parts, QUERIES[i].split ? GROUPS : 1, QUERIES[i].label);
  }
});
