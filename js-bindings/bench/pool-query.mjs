// pool.query in Chromium: SQL over Parquet on Web Workers (split aggregation: a worker compiles the
// plugin and plans, each groups its row groups into partial states, a worker merges them; the page
// only reads the answer), against the page's own main thread and against DuckDB-wasm in the same
// browser.
//
// 1. First answer on a dropped 1M-row Parquet file (bench_analytics_1m.parquet, as a `File`): a
//    fresh page from import to the first rows of a group-by, (a) on the main thread (initWasm,
//    loadAnalytics, read, register, query) and (b) on a new pool of 2 workers (createWorkerPool,
//    pool.query). The first visit compiles everything; a repeat visit may reuse the browser's
//    caches.
// 2. 10M rows (bench_analytics_10m.parquet: 20 row groups, zstd) as a `Blob`, the same group-by:
//    a pool of 2 workers, a pool of 1, and the main thread (read + register + query; every
//    column, then only the two the query reads, as the workers do), each with
//    how late a 10 ms timer fires on the page meanwhile (p50, p99, max) and the long tasks (over
//    50 ms) the page saw; then DuckDB-wasm (its eh bundle, on its own worker) given the same rows
//    as an Arrow IPC stream (bench_analytics_10m.arrows; its Parquet reader is an extension it
//    fetches from the network): insert, then the query.
//
// The answers are checked against each other (1,000 groups, the counts' and sums' totals) before
// any time is printed. Numbers to watch, never assertions.
//
// usage: node bench/pool-query.mjs DATA_DIR [RUNS]
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { launch, serve } from '../test/chromium.mjs';

const dataDir = process.argv[2];
const RUNS = Number(process.argv[3] ?? 5);
if (dataDir === undefined) {
  console.error('usage: node bench/pool-query.mjs DATA_DIR [RUNS]');
  process.exit(2);
}
const missing = ['bench_analytics_1m.parquet', 'bench_analytics_10m.parquet', 'bench_analytics_10m.arrows'].filter((f) => !existsSync(join(dataDir, f)));
if (missing.length > 0) {
  // testdata/make_analytics_bench_data.py writes them (the 10M rows: its keyed rows at 10M).
  console.log(`(no ${missing.join(', ')} in ${dataDir}: pool.query benchmark skipped)`);
  process.exit(0);
}
const SQL = 'SELECT key, count(*) AS n, sum(value) AS s, avg(value) AS a FROM t GROUP BY key';

const ms = (x) => `${x.toFixed(0)} ms`;
const line = (label, text) => console.log(`${label.padEnd(52)}: ${text}`);

/**
 * In the page: how late a 10 ms timer fires while `work` runs, and the long tasks seen. Passed to
 * the page as text (page functions cannot close over this module).
 */
const LATENESS = `async (work) => {
  const pct = (xs, p) => [...xs].sort((a, b) => a - b)[Math.min(xs.length - 1, Math.floor((xs.length - 1) * p))];
  const late = [];
  let expected = performance.now() + 10;
  let timer;
  const tick = () => {
    const now = performance.now();
    late.push(Math.max(0, now - expected));
    expected = now + 10;
    timer = setTimeout(tick, 10);
  };
  timer = setTimeout(tick, 10);
  const long = [];
  const observer = new PerformanceObserver((list) => long.push(...list.getEntries().map((e) => e.duration)));
  observer.observe({ type: 'longtask' });
  const started = performance.now();
  const result = await work();
  const total = performance.now() - started;
  clearTimeout(timer);
  late.push(Math.max(0, performance.now() - expected));
  // Long tasks are reported after they end: one more turn to hear the last.
  await new Promise((resolve) => setTimeout(resolve, 0));
  observer.disconnect();
  return { result, ms: total, p50: pct(late, 0.5), p99: pct(late, 0.99), max: Math.max(...late), ticks: late.length, longTasks: long.length, longMs: long.reduce((a, b) => a + b, 0) };
}`;

/** In the page: an answer's group count and the totals of its `n` and `s` columns. */
const CHECK = `async (api, handle) => {
  const rows = await api.tableRows(handle, 100000);
  if (!rows.ok) throw new Error(rows.error.message);
  return { groups: rows.value.length, n: rows.value.reduce((a, r) => a + Number(r.n), 0), s: rows.value.reduce((a, r) => a + r.s, 0) };
}`;

async function firstAnswer(browser, base, mode) {
  const page = await browser.newPage();
  await page.goto(`${base}/js-bindings/test/browser/blank.html`);
  const out = await page.evaluate(async ({ mode, SQL }) => {
    const file = new File([await (await fetch('/bench-data/bench_analytics_1m.parquet')).blob()], 'bench_analytics_1m.parquet');
    const value = (r) => {
      if (!r.ok) throw new Error(`${r.error.code}: ${r.error.message}`);
      return r.value;
    };
    const t0 = performance.now();
    const api = await import('/js-bindings/dist/index.js');
    if (mode === 'main') {
      const an = await import('/js-bindings/dist/analytics.js');
      const { blobRanges, readParquetRanges } = await import('/js-bindings/dist/stream.js');
      value(await api.initWasm());
      value(await an.loadAnalytics());
      const ready = performance.now() - t0;
      const session = value(await an.createSession());
      let first = true;
      for await (const t of readParquetRanges(blobRanges(file))) {
        value(await (first ? an.register : an.append)(session, 't', value(t)));
        first = false;
        value(await api.freeTable(t.value));
      }
      const loaded = performance.now() - t0;
      const answer = value(await an.query(session, SQL));
      const rows = value(await api.tableRows(answer, 3));
      return { total: performance.now() - t0, parts: `core + plugin ready ${ready.toFixed(0)} ms, read + register ${(loaded - ready).toFixed(0)} ms, query ${(performance.now() - t0 - loaded).toFixed(0)} ms`, rows: rows.length };
    }
    const { createWorkerPool } = await import('/js-bindings/dist/pool.js');
    const pool = value(await createWorkerPool({ size: 2 }));
    const ready = performance.now() - t0;
    const answer = value(await pool.query({ input: file, sql: SQL }));
    const rows = value(await api.tableRows(answer, 3));
    const total = performance.now() - t0;
    await pool.close();
    return { total, parts: `pool of 2 started ${ready.toFixed(0)} ms, query ${(total - ready).toFixed(0)} ms`, rows: rows.length };
  }, { mode, SQL });
  await page.close();
  return out;
}

async function tenMillion(browser, base) {
  const page = await browser.newPage();
  await page.goto(`${base}/js-bindings/test/browser/blank.html`);
  const out = await page.evaluate(async ({ RUNS, SQL, LATENESS, CHECK }) => {
    const lateness = (0, eval)(LATENESS);
    const check = (0, eval)(CHECK);
    const value = (r) => {
      if (!r.ok) throw new Error(`${r.error.code}: ${r.error.message}`);
      return r.value;
    };
    const api = await import('/js-bindings/dist/index.js');
    const an = await import('/js-bindings/dist/analytics.js');
    const { blobRanges, readParquetRanges } = await import('/js-bindings/dist/stream.js');
    const { createWorkerPool } = await import('/js-bindings/dist/pool.js');
    const blob = await (await fetch('/bench-data/bench_analytics_10m.parquet')).blob();
    const module = await WebAssembly.compileStreaming(fetch('/js-bindings/gen/core/arrow-core.core.wasm'));
    value(await api.initWasm(module));
    const results = {};
    for (const size of [2, 1]) {
      const pool = value(await createWorkerPool({ size, wasm: module }));
      const runs = [];
      for (let i = 0; i <= RUNS; i += 1) {
        const r = await lateness(async () => {
          const answer = value(await pool.query({ input: blob, sql: SQL }));
          const sums = await check(api, answer);
          value(await api.freeTable(answer));
          return sums;
        });
        runs.push(r);
      }
      await pool.close();
      results[`pool of ${size}`] = runs;
    }
    value(await an.loadAnalytics());
    // The main thread as an app would: every column (to ask anything later), and only the query's
    // columns in big batches (what the workers read).
    let session;
    for (const [label, options] of [['main thread, every column', {}], ['main thread, key and value', { columns: ['key', 'value'], batchSize: 65536 }]]) {
      const here = [];
      for (let i = 0; i < 2; i += 1) {
        if (session !== undefined) an.closeSession(session);
        session = value(await an.createSession({ memoryLimit: 3 * 2 ** 30 }));
        here.push(await lateness(async () => {
          let first = true;
          for await (const t of readParquetRanges(blobRanges(blob), options)) {
            value(await (first ? an.register : an.append)(session, 't', value(t)));
            first = false;
            value(await api.freeTable(t.value));
          }
          const answer = value(await an.query(session, SQL));
          const sums = await check(api, answer);
          value(await api.freeTable(answer));
          return sums;
        }));
      }
      results[label] = here;
    }
    // The query alone, on the rows already registered.
    const queryOnly = [];
    for (let i = 0; i < RUNS; i += 1) {
      const t0 = performance.now();
      value(await api.freeTable(value(await an.query(session, SQL))));
      queryOnly.push(performance.now() - t0);
    }
    an.closeSession(session);
    return { results, queryOnly, threads: navigator.hardwareConcurrency };
  }, { RUNS, SQL, LATENESS, CHECK });
  await page.close();
  return out;
}

async function duck(browser, base) {
  const page = await browser.newPage();
  await page.goto(`${base}/js-bindings/test/browser/duckdb.html`);
  const out = await page.evaluate(async ({ RUNS, SQL, LATENESS }) => {
    const lateness = (0, eval)(LATENESS);
    const duckdb = await import('/js-bindings/node_modules/@duckdb/duckdb-wasm/dist/duckdb-browser.mjs');
    const dist = new URL('/js-bindings/node_modules/@duckdb/duckdb-wasm/dist/', location.href).href;
    const t0 = performance.now();
    const db = new duckdb.AsyncDuckDB(new duckdb.VoidLogger(), new Worker(`${dist}duckdb-browser-eh.worker.js`));
    await db.instantiate(`${dist}duckdb-eh.wasm`);
    const conn = await db.connect();
    const start = performance.now() - t0;
    const bytes = new Uint8Array(await (await fetch('/bench-data/bench_analytics_10m.arrows')).arrayBuffer());
    const insert = await lateness(() => conn.insertArrowFromIPCStream(bytes, { name: 't', create: true }));
    const runs = [];
    for (let i = 0; i <= RUNS; i += 1) {
      runs.push(await lateness(async () => {
        const t = await conn.query(SQL);
        const n = t.getChild('n').toArray();
        const s = t.getChild('s').toArray();
        return { groups: t.numRows, n: n.reduce((a, x) => a + Number(x), 0), s: s.reduce((a, x) => a + x, 0) };
      }));
    }
    const version = await db.getVersion();
    await conn.close();
    await db.terminate();
    return { start, insert, runs, version };
  }, { RUNS, SQL, LATENESS });
  await page.close();
  return out;
}

const pct = (xs, p) => [...xs].sort((a, b) => a - b)[Math.min(xs.length - 1, Math.floor((xs.length - 1) * p))];
const late = (r) => `timer late p50 ${r.p50.toFixed(1)} / p99 ${r.p99.toFixed(1)} / max ${r.max.toFixed(0)} ms, ${r.longTasks} long tasks (${ms(r.longMs)})`;

/** A cold run and the warm runs after it: times and the worst warm timer delay. */
function report(label, runs) {
  const [cold, ...warm] = runs;
  line(`${label}, first run`, `${ms(cold.ms)}; ${late(cold)}`);
  if (warm.length === 0) return;
  const times = warm.map((r) => r.ms);
  const worst = warm.reduce((a, r) => (r.p99 > a.p99 ? r : a));
  line(`${label}, warm`, `median ${ms(pct(times, 0.5))} (min ${ms(Math.min(...times))}, max ${ms(Math.max(...times))}, ${warm.length} runs); worst run's ${late(worst)}`);
}

const server = await serve(0, { '/bench-data/': dataDir }, { cache: true });
const base = `http://127.0.0.1:${server.address().port}`;
const browser = await launch();
const version = browser.browser()?.version() ?? 'headless';
console.log(`== pool.query in Chromium ${version}; ${SQL} ==`);

console.log('\n-- first answer on a dropped 1M-row Parquet file (bench_analytics_1m.parquet, fresh page each) --');
for (const visit of ['first visit', 'repeat visit']) {
  for (const mode of ['main', 'pool']) {
    const r = await firstAnswer(browser, base, mode);
    line(`${visit}: ${mode === 'main' ? 'main thread' : 'pool of 2'}`, `${ms(r.total)} (${r.parts})`);
  }
}

console.log('\n-- 10M rows (bench_analytics_10m.parquet as a Blob) --');
const ten = await tenMillion(browser, base);
const duckOut = await duck(browser, base);
await browser.close();
server.close();

// The same answer everywhere, or the times mean nothing.
const answers = [...Object.values(ten.results).flat(), ...duckOut.runs].map((r) => r.result);
const [want] = answers;
const differ = answers.filter((a) => a.groups !== want.groups || a.n !== want.n || Math.abs(a.s - want.s) > 1e-9 * Math.abs(want.s));
if (differ.length > 0 || want.groups !== 1000 || want.n !== 10_000_000) {
  console.log(`ANSWERS DIFFER: ${JSON.stringify(answers)}`);
  process.exitCode = 1;
}
console.log(`(hardwareConcurrency ${ten.threads}; ${want.groups} groups, ${want.n} rows counted)`);
for (const [label, runs] of Object.entries(ten.results)) report(label, runs);
line('main thread, the query alone (rows registered)', `median ${ms(pct(ten.queryOnly, 0.5))} (${ten.queryOnly.length} runs)`);
line(`DuckDB-wasm ${duckOut.version}: instantiate + connect`, ms(duckOut.start));
line('DuckDB-wasm: insert the 10M rows from Arrow IPC', `${ms(duckOut.insert.ms)}; ${late(duckOut.insert)}`);
report('DuckDB-wasm: the query', duckOut.runs);
