// The analytics plugin in Node against DuckDB-wasm (the node-blocking bundle) and Arquero, in the
// same run on the same rows: every engine is given the same uncompressed Arrow IPC streams, and
// each query's answers are checked across the three (row count and per-column sums) before any
// time is printed. Times are the first (cold) run and the median of the warm runs after it; ratios
// are to DuckDB-wasm's median.
//
// usage: node bench/analytics.mjs DATA_DIR [TPCH_SF1_DIR] [RUNS]
// DATA_DIR holds bench_analytics_1m.arrows and bench_analytics_dim.arrows
// (testdata/make_analytics_bench_data.py writes them); TPC-H Q1 and Q6 run when TPCH_SF1_DIR/ipc
// holds lineitem.arrows (default $HOME/.cache/arrow-rs-wasm/tpch/sf1).
import { existsSync, readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { homedir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { brotliCompressSync, constants, gzipSync } from 'node:zlib';
import * as aq from 'arquero';
import { tableFromIPC as flechetteFromIPC } from '@uwdata/flechette';

// Loading the jco output compiles and instantiates each component: timed apart, core then plugin.
const tLoad = performance.now();
const { table: core } = await import('../gen/core/arrow-core.js');
const tCore = performance.now();
const { session } = await import('../gen/analytics/arrow-analytics.js');
const tPlugin = performance.now();

const require = createRequire(import.meta.url);
const duckdb = require('@duckdb/duckdb-wasm/dist/duckdb-node-blocking.cjs');
// DuckDB-wasm answers in its own apache-arrow (17); its tableToIPC writes them out for the check.
const duckDist = dirname(require.resolve('@duckdb/duckdb-wasm/dist/duckdb-eh.wasm'));
const duckArrow = require(require.resolve('apache-arrow', { paths: [duckDist] }));
const { op } = aq;

const dataDir = resolve(process.argv[2] ?? '');
const tpchDir = resolve(process.argv[3] ?? join(homedir(), '.cache/arrow-rs-wasm/tpch/sf1'));
const RUNS = Number(process.argv[4] ?? 5);
const root = resolve(import.meta.dirname, '../..');

/** The first run of `run` and the median of `RUNS` more; `run` returns the answer of the last. */
function time(run) {
  const t0 = performance.now();
  let answer = run();
  const cold = performance.now() - t0;
  const samples = [];
  for (let i = 0; i < RUNS; i += 1) {
    const t = performance.now();
    answer = run();
    samples.push(performance.now() - t);
  }
  samples.sort((a, b) => a - b);
  return { cold, median: samples[Math.floor(samples.length / 2)], answer };
}

/** Row count and one sum per column (numbers as doubles, strings by length) of a flechette or Arquero table. */
function summary(columns, rows) {
  const sums = columns.map((values) => {
    let s = 0;
    for (const v of values) {
      if (v === null || v === undefined) continue;
      s += typeof v === 'string' ? v.length : Number(v);
    }
    return s;
  });
  return { rows, sums };
}
const fromIPC = (bytes) => {
  const t = flechetteFromIPC(bytes);
  return summary(t.children.map((c) => c.toArray()), t.numRows);
};
const fromArquero = (t) => summary(t.columnNames().map((n) => t.array(n)), t.numRows());

/** Whether two summaries agree: the same rows, and each sum within 1e-9 relative (1e-6 for TPC-H's decimals as doubles). */
function agree(a, b, tolerance) {
  if (a.rows !== b.rows || a.sums.length !== b.sums.length) return false;
  return a.sums.every((x, i) => Math.abs(x - b.sums[i]) <= tolerance * Math.max(1, Math.abs(x), Math.abs(b.sums[i])));
}

// --- the engines ------------------------------------------------------------------------------

const IPC_STREAM = { framing: 'stream', compression: 'none', alignment: 8, metadataVersion: 'v5', legacyFormat: false, dictionaryHandling: 'resend' };

function ours() {
  const s = new session.Session({ memoryLimit: 3n << 30n });
  // The part of each registration that is the core's read (the rest is the session's copy).
  const readMs = {};
  return {
    name: 'ours',
    readMs,
    register(name, bytes) {
      const t0 = performance.now();
      const t = core.Table.read(bytes, {});
      readMs[name] = performance.now() - t0;
      s.register(name, t);
      t[Symbol.dispose]();
    },
    unregister: (name) => s.unregister(name),
    run(query) {
      const answer = s.query(query.sql, []);
      const bytes = answer.writeIpc(IPC_STREAM);
      answer[Symbol.dispose]();
      return bytes;
    },
    check: fromIPC,
  };
}

function duck() {
  const bundles = {
    mvp: { mainModule: join(duckDist, 'duckdb-mvp.wasm'), mainWorker: join(duckDist, 'duckdb-node-mvp.worker.cjs') },
    eh: { mainModule: join(duckDist, 'duckdb-eh.wasm'), mainWorker: join(duckDist, 'duckdb-node-eh.worker.cjs') },
  };
  let conn;
  return {
    name: 'DuckDB-wasm',
    async start() {
      const db = await duckdb.createDuckDB(bundles, new duckdb.VoidLogger(), duckdb.NODE_RUNTIME);
      await db.instantiate(() => {});
      db.open({});
      conn = db.connect();
    },
    register: (name, bytes) => conn.insertArrowFromIPCStream(bytes, { name, create: true }),
    unregister: (name) => conn.query(`DROP TABLE ${name}`),
    run: (query) => conn.query(query.sql),
    check: (answer) => fromIPC(duckArrow.tableToIPC(answer, 'stream')),
  };
}

function arquero() {
  const tables = {};
  return {
    name: 'Arquero',
    register(name, bytes) {
      tables[name] = aq.fromArrow(bytes);
    },
    unregister(name) {
      delete tables[name];
    },
    run: (query) => query.arquero(tables),
    check: fromArquero,
  };
}

// --- the queries ------------------------------------------------------------------------------

const CUTOFF_Q1 = Date.UTC(1998, 8, 2); // DATE '1998-12-01' - INTERVAL '90' DAY, in ms as flechette gives dates
const Q6_FROM = Date.UTC(1994, 0, 1);
const Q6_TO = Date.UTC(1995, 0, 1);

const families = [
  {
    title: 'group-by: 1,000 groups, 4 aggregates (1M rows)',
    queries: [{
      label: 'group by key',
      sql: 'SELECT key, count(*) AS n, sum(value) AS s, avg(value) AS a, max(value) AS hi FROM t GROUP BY key',
      arquero: ({ t }) => t.groupby('key').rollup({ n: op.count(), s: op.sum('value'), a: op.mean('value'), hi: op.max('value') }),
    }, {
      label: 'group by name (10,000 strings)',
      sql: 'SELECT name, count(*) AS n, sum(value) AS s, min(id) AS lo, max(value) AS hi FROM t GROUP BY name',
      arquero: ({ t }) => t.groupby('name').rollup({ n: op.count(), s: op.sum('value'), lo: op.min('id'), hi: op.max('value') }),
    }],
  },
  {
    title: 'filter + projection (1M rows, ~1,350 kept)',
    queries: [{
      label: 'value > 3',
      sql: 'SELECT id, name, value FROM t WHERE value > 3',
      arquero: ({ t }) => t.filter((d) => d.value > 3).select('id', 'name', 'value'),
    }, {
      label: 'value > 2 AND key < 100',
      sql: 'SELECT id, key, value FROM t WHERE value > 2 AND key < 100',
      arquero: ({ t }) => t.filter((d) => d.value > 2 && d.key < 100).select('id', 'key', 'value'),
    }],
  },
  {
    title: 'hash join 1M x 10k on a string key, then 50 groups',
    queries: [{
      label: 'join + group by category',
      sql: 'SELECT d.category, count(*) AS n, sum(t.value * d.weight) AS s FROM t JOIN dim d ON t.name = d.name GROUP BY d.category',
      arquero: ({ t, dim }) => t.join(dim, 'name').groupby('category').rollup({ n: op.count(), s: (d) => op.sum(d.value * d.weight) }),
    }],
  },
  {
    title: 'window: running sum partitioned by key (1M rows, summed)',
    queries: [{
      label: 'sum() OVER (PARTITION BY key ORDER BY id)',
      sql: 'SELECT count(*) AS n, sum(running) AS s FROM (SELECT sum(value) OVER (PARTITION BY key ORDER BY id) AS running FROM t)',
      arquero: ({ t }) => t.groupby('key').orderby('id').derive({ running: aq.rolling((d) => op.sum(d.value)) }).ungroup().rollup({ n: op.count(), s: op.sum('running') }),
    }],
  },
  {
    title: 'ORDER BY ... LIMIT (top-k of 1M rows)',
    queries: [{
      label: 'top 10 by value',
      sql: 'SELECT id, value FROM t ORDER BY value DESC LIMIT 10',
      arquero: ({ t }) => t.orderby(aq.desc('value')).slice(0, 10).select('id', 'value'),
    }, {
      label: 'top 1,000 by name, id',
      sql: 'SELECT id, name FROM t ORDER BY name, id LIMIT 1000',
      arquero: ({ t }) => t.orderby('name', 'id').slice(0, 1000).select('id', 'name'),
    }],
  },
];

const lineitemPath = join(tpchDir, 'ipc/lineitem.arrows');
if (existsSync(lineitemPath)) {
  const sql = (q) => readFileSync(join(root, `testdata/sql/tpch/${q}.sql`), 'utf8');
  families.push({
    title: 'TPC-H SF1 (lineitem: 6M rows)',
    tolerance: 1e-6,
    tables: { lineitem: lineitemPath },
    queries: [{
      label: 'Q1',
      sql: sql('q1'),
      arquero: ({ lineitem }) => lineitem
        .params({ cutoff: CUTOFF_Q1 })
        .filter((d, $) => d.l_shipdate <= $.cutoff)
        .derive({ disc_price: (d) => d.l_extendedprice * (1 - d.l_discount) })
        .derive({ charge: (d) => d.disc_price * (1 + d.l_tax) })
        .groupby('l_returnflag', 'l_linestatus')
        .rollup({
          sum_qty: op.sum('l_quantity'), sum_base_price: op.sum('l_extendedprice'), sum_disc_price: op.sum('disc_price'),
          sum_charge: op.sum('charge'), avg_qty: op.mean('l_quantity'), avg_price: op.mean('l_extendedprice'),
          avg_disc: op.mean('l_discount'), count_order: op.count(),
        })
        .orderby('l_returnflag', 'l_linestatus'),
    }, {
      label: 'Q6',
      sql: sql('q6'),
      arquero: ({ lineitem }) => lineitem
        .params({ from: Q6_FROM, to: Q6_TO })
        .filter((d, $) => d.l_shipdate >= $.from && d.l_shipdate < $.to && d.l_discount >= 0.05 && d.l_discount <= 0.07 && d.l_quantity < 24)
        .rollup({ revenue: (d) => op.sum(d.l_extendedprice * d.l_discount) }),
    }],
  });
} else {
  console.log(`(no ${lineitemPath}: TPC-H Q1 and Q6 skipped)`);
}

// --- the race ---------------------------------------------------------------------------------

const fmt = (ms) => `${(ms < 10 ? ms.toFixed(2) : ms.toFixed(1))} ms`.padStart(12);
const ratio = (x, base) => `${(x / base).toFixed(2)}×`.padStart(11);
const line = (cells) => console.log(`  ${cells[0].padEnd(48)}${cells.slice(1).join('')}`);

/** One aligned table: each row's ms per engine and the ratios to DuckDB-wasm (median, then cold). */
function printTable(title, rows, withCold) {
  console.log(`\n${title}`);
  line(['', ...engines.map((e) => e.name.padStart(12)), 'ours/Duck'.padStart(11), 'Arq/Duck'.padStart(11)]);
  for (const { label, results } of rows) {
    const [o, d, a] = results;
    line([withCold ? `${label} median` : label, ...results.map((r) => fmt(r.median)), ratio(o.median, d.median), ratio(a.median, d.median)]);
    if (withCold) line([`${' '.repeat(label.length)} cold`, ...results.map((r) => fmt(r.cold)), ratio(o.cold, d.cold), ratio(a.cold, d.cold)]);
  }
}

const engines = [ours(), duck(), arquero()];
{
  const t0 = performance.now();
  await engines[1].start();
  console.log(`ours: the core compiled and instantiated in ${(tCore - tLoad).toFixed(0)} ms, the analytics plugin in ${(tPlugin - tCore).toFixed(0)} ms`);
  console.log(`DuckDB-wasm: instantiate + open ${(performance.now() - t0).toFixed(0)} ms; ${RUNS} warm runs per query`);
}

/** Registers `tables` (name to IPC stream path) in every engine and prints what it cost. */
function registerAll(tables) {
  const rows = [];
  for (const [name, path] of Object.entries(tables)) {
    const bytes = readFileSync(path);
    const results = engines.map((e) => {
      const t0 = performance.now();
      e.register(name, bytes);
      const ms = performance.now() - t0;
      return { cold: ms, median: ms };
    });
    rows.push({ label: `${name} (${(bytes.length / 2 ** 20).toFixed(0)} MiB IPC)`, results });
  }
  printTable('registering from Arrow IPC (one run: cold = median)', rows, false);
  const reads = Object.keys(tables).map((name) => `${name} ${engines[0].readMs[name].toFixed(1)} ms`);
  console.log(`  (of ours: the core's Table.read ${reads.join(', ')}; the rest is session.register)`);
}

registerAll({ t: join(dataDir, 'bench_analytics_1m.arrows'), dim: join(dataDir, 'bench_analytics_dim.arrows') });
let failures = 0;
for (const family of families) {
  if (family.tables) registerAll(family.tables);
  const rows = [];
  for (const query of family.queries) {
    const results = engines.map((e) => time(() => e.run(query)));
    const sums = results.map((r, i) => engines[i].check(r.answer));
    if (!sums.every((s) => agree(s, sums[1], family.tolerance ?? 1e-9))) {
      failures += 1;
      console.log(`\nANSWERS DIFFER on ${query.label}: ${engines.map((e, i) => `${e.name} ${JSON.stringify(sums[i])}`).join('; ')}`);
    }
    rows.push({ label: `${query.label} [${sums[1].rows} rows]`, results });
  }
  printTable(family.title, rows, true);
  for (const name of Object.keys(family.tables ?? {})) engines.forEach((e) => e.unregister(name));
}

// --- what a page downloads --------------------------------------------------------------------

const kib = (n) => `${(n / 1024).toFixed(0)} KiB`.padStart(11);
console.log('\ncomponent sizes (raw, gzip -9, brotli 11)');
const duckWasm = join(duckDist, 'duckdb-eh.wasm');
for (const [label, path] of [['build/arrow_analytics.wasm', join(root, 'build/arrow_analytics.wasm')], ['build/arrow_core.wasm', join(root, 'build/arrow_core.wasm')], ['duckdb-eh.wasm (1.32.0)', duckWasm]]) {
  if (!existsSync(path)) {
    console.log(`  ${label}: missing`);
    continue;
  }
  const bytes = readFileSync(path);
  const gzip = gzipSync(bytes, { level: 9 }).length;
  const brotli = brotliCompressSync(bytes, { params: { [constants.BROTLI_PARAM_QUALITY]: 11, [constants.BROTLI_PARAM_SIZE_HINT]: bytes.length } }).length;
  line([label, kib(bytes.length), kib(gzip), kib(brotli)]);
}
if (failures > 0) {
  console.log(`\n${failures} queries answered differently across the engines: their times are not comparable`);
  process.exitCode = 1;
}
