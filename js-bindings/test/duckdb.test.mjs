// Hand-off to DuckDB-wasm (1.32, the blocking Node bindings, as bench/analytics.mjs starts them)
// and back: which IPC DuckDB-wasm reads, which of our types it takes, changes or refuses, the
// sample's round trip (also from LZ4 Feather and ZSTD Parquet), answers compared with the analytics
// plugin's, the two traps of the apache-arrow JS route, and examples/duckdb-handoff.mjs run as a
// program.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import * as arrow21 from 'apache-arrow';
import * as api from '../dist/index.js';
import { createSession, loadAnalytics, query, register } from '../dist/analytics.js';
import { fromArrowTable } from '../dist/apache-arrow.js';
import { fromDuckDB, toDuckDB } from '../dist/duckdb.js';
import { root, scratch } from './helpers.mjs';

const require = createRequire(import.meta.url);
const duckdb = require('@duckdb/duckdb-wasm/dist/duckdb-node-blocking.cjs');
const duckDist = dirname(require.resolve('@duckdb/duckdb-wasm/dist/duckdb-eh.wasm'));
// DuckDB-wasm's own apache-arrow (17), a second copy beside the package's (21).
const duckArrow = require(require.resolve('apache-arrow', { paths: [duckDist] }));

const value = (r) => {
  assert.equal(r.ok, true, r.ok ? '' : `${r.error.code}: ${r.error.message}`);
  return r.value;
};
const sampleBytes = readFileSync(join(root, 'testdata/sample/trips.csv'));
const enc = (s) => new TextEncoder().encode(s);
const json = (x) => JSON.stringify(x, (_, v) => (typeof v === 'bigint' ? String(v) : v));

value(await api.initWasm());
value(await loadAnalytics());
const db = await duckdb.createDuckDB({
  mvp: { mainModule: join(duckDist, 'duckdb-mvp.wasm'), mainWorker: join(duckDist, 'duckdb-node-mvp.worker.cjs') },
  eh: { mainModule: join(duckDist, 'duckdb-eh.wasm'), mainWorker: join(duckDist, 'duckdb-node-eh.worker.cjs') },
}, new duckdb.VoidLogger(), duckdb.NODE_RUNTIME);
await db.instantiate(() => {});
db.open({});
const sample = value(await api.readTableFromArrayBuffer(sampleBytes));
const sampleFingerprint = value(await api.tableFingerprint(sample));

let tables = 0;
/** A fresh DuckDB table name (tables belong to the database, not the connection). */
const fresh = (prefix) => `${prefix}_${(tables += 1)}`;

const types = async (h) => value(await api.getSchemaSummary(h)).columns.map((c) => [c.name, c.arrowType]);
const column = async (h, name) => value(await api.selectColumns(h, [name]));

test('the sample goes to DuckDB-wasm and comes back unchanged, by the raw IPC and by apache-arrow 17', async () => {
  const conn = db.connect();
  const name = fresh('trips');
  value(await toDuckDB(conn, sample, { name }));
  const back = value(await fromDuckDB(conn, `SELECT * FROM ${name}`));
  assert.deepEqual(await types(back), await types(sample));
  assert.equal(value(await api.tableFingerprint(back)), sampleFingerprint);
  assert.deepEqual(value(await api.tableRows(back, 5000)), value(await api.tableRows(sample, 5000)));

  // The route the DuckDB-wasm docs show: conn.query's apache-arrow Table, written by the same
  // apache-arrow copy DuckDB-wasm loaded.
  const result = conn.query(`SELECT * FROM ${name}`);
  const viaJs = value(await api.readTableFromArrayBuffer(duckArrow.tableToIPC(result, 'stream')));
  assert.equal(value(await api.tableFingerprint(viaJs)), sampleFingerprint);

  // create: false appends to the table.
  value(await toDuckDB(conn, sample, { name, create: false }));
  const n = value(await fromDuckDB(conn, `SELECT count(*) AS n FROM ${name}`));
  assert.deepEqual(value(await api.tableRows(n, 1)), [{ n: 10000 }]);
  conn.close();
});

test('DuckDB-wasm reads uncompressed IPC streams only: an IPC file vanishes, LZ4/ZSTD are refused', async () => {
  const probe = async (options) => {
    const conn = db.connect();
    const name = fresh('framing');
    const bytes = value(await api.writeTableToIpc(sample, options));
    let threw = null;
    try {
      conn.insertArrowFromIPCStream(bytes, { name, create: true });
    } catch (e) {
      threw = e.message;
    }
    const created = conn.query(`SELECT count(*) AS n FROM information_schema.tables WHERE table_name = '${name}'`).toArray()[0].n === 1n;
    // A good stream on the same connection afterwards: taken, or lost to the bad one's state.
    const after = fresh('after');
    let afterThrew = null;
    try {
      conn.insertArrowFromIPCStream(value(await api.writeTableToIpc(sample, { format: 'stream' })), { name: after });
    } catch (e) {
      afterThrew = e.message;
    }
    const afterCreated = conn.query(`SELECT count(*) AS n FROM information_schema.tables WHERE table_name = '${after}'`).toArray()[0].n === 1n;
    conn.close();
    return { threw, created, afterThrew, afterCreated };
  };
  assert.deepEqual(await probe({ format: 'stream', compression: 'none' }), { threw: null, created: true, afterThrew: null, afterCreated: true });
  assert.deepEqual(await probe({ format: 'stream', compression: 'none', alignment: 8, metadataVersion: 'v4' }), { threw: null, created: true, afterThrew: null, afterCreated: true });
  // An IPC file: no error, no table, and the connection's reader stays mid-stream: the next
  // insert on it is lost too, silently.
  assert.deepEqual(await probe({ format: 'file', compression: 'none' }), { threw: null, created: false, afterThrew: null, afterCreated: false });
  // Compressed bodies: refused, and the refusal sticks to the connection.
  for (const codec of ['lz4', 'zstd']) {
    const r = await probe({ format: 'stream', compression: codec });
    assert.match(r.threw, new RegExp(`Support for codec '${codec}' not built`));
    assert.equal(r.created, false);
    assert.match(r.afterThrew, new RegExp(`Support for codec '${codec}' not built`));
  }
});

test('types: what DuckDB-wasm keeps, what comes back changed, what it refuses', async () => {
  const conn = db.connect();
  // Every primitive type of the fixtures (pyarrow-written), less Float16 (refused, below).
  const primitives = value(await api.readTableFromArrayBuffer(readFileSync(join(root, 'testdata/ipc/primitives.arrows'))));
  const names = (await types(primitives)).map(([n]) => n).filter((n) => n !== 'float16');
  const prim = value(await api.selectColumns(primitives, names));
  // Our CSV reader makes the string encodings, decimals and an offset zone.
  const extras = value(await api.readCsv(enc('view,dict,dec,ts_offset\nx,a,1.250,2026-03-02T10:00:00+01:00\na string longer than 12 bytes,b,-3.500,\n,a,,2026-03-02T23:30:00.123+01:00\n'), {
    schema: [
      { name: 'view', arrowType: 'Utf8View', nullable: true },
      { name: 'dict', arrowType: 'Dictionary(Int32, Utf8)', nullable: true },
      { name: 'dec', arrowType: 'Decimal128(12, 3)', nullable: true },
      { name: 'ts_offset', arrowType: 'Timestamp(Millisecond, Some("+01:00"))', nullable: true },
    ],
  }));
  // Dictionaries across batches, replaced and as deltas.
  const dicts = [];
  for (const f of ['dictionary.arrows', 'dictionary_replacement.arrows', 'dictionary_delta.arrows']) {
    dicts.push(value(await api.readTableFromArrayBuffer(readFileSync(join(root, 'testdata/ipc', f)))));
  }
  // A named zone at millisecond unit (apache-arrow JS writes it; our CSV reader knows offsets only).
  const utcMs = value(await fromArrowTable(new arrow21.Table({
    ts_utc_ms: arrow21.vectorFromArray([Date.UTC(2026, 2, 2, 10, 0, 0, 5), null], new arrow21.TimestampMillisecond('UTC')),
  })));

  // Changed: [type back, whether the values survive as the fingerprint sees them].
  const changed = {
    large_utf8: ['Utf8', true],
    large_binary: ['Binary', true],
    view: ['Utf8', true],
    dict: ['Utf8', true],
    fixed_size_binary4: ['Binary', false],
    date64: ['Date32', false],
    time32_ms: ['Time64(µs)', false],
    timestamp_ns_paris: ['Timestamp(µs, "UTC")', false],
    duration_ms: ['Interval(MonthDayNano)', false],
    ts_offset: ['Timestamp(µs, "UTC")', false],
    ts_utc_ms: ['Timestamp(µs, "UTC")', false],
  };
  const seen = new Set();
  for (const table of [prim, extras, ...dicts, utcMs]) {
    const name = fresh('types');
    value(await toDuckDB(conn, table, { name }));
    const back = value(await fromDuckDB(conn, `SELECT * FROM ${name}`));
    const before = await types(table);
    const after = new Map(await types(back));
    for (const [col, type] of before) {
      const [expectedType, same] = changed[col] ?? [type.startsWith('Dictionary(') ? 'Utf8' : type, true];
      assert.equal(after.get(col), expectedType, col);
      const a = value(await api.tableFingerprint(await column(table, col)));
      const b = value(await api.tableFingerprint(await column(back, col)));
      assert.equal(a === b, same, `${col}: fingerprint ${same ? 'differs' : 'equal'}`);
      seen.add(col);
    }
  }
  assert.ok(Object.keys(changed).every((c) => seen.has(c)));

  // The changed ones keep their values, in the new type.
  const rows = async (h, col, n = 3) => value(await api.tableRows(await column(h, col), n)).map((r) => r[col]);
  const primName = fresh('prim');
  value(await toDuckDB(conn, prim, { name: primName }));
  const primBack = value(await fromDuckDB(conn, `SELECT * FROM ${primName}`));
  assert.deepEqual(await rows(primBack, 'fixed_size_binary4'), await rows(prim, 'fixed_size_binary4'));
  assert.deepEqual(await rows(primBack, 'time32_ms'), await rows(prim, 'time32_ms'));
  // Date64 holds midnights here: the same days.
  assert.deepEqual(await rows(primBack, 'date64'), (await rows(prim, 'date64')).map((d) => d?.slice(0, 10) ?? null));
  // Nanoseconds cut to microseconds (toward zero, so an instant before 1970 moves up by < 1 µs).
  const ns = await rows(prim, 'timestamp_ns_paris', 20);
  const us = await rows(primBack, 'timestamp_ns_paris', 20);
  ns.forEach((t, i) => {
    if (t === null) return assert.equal(us[i], null);
    const frac = (s) => Number(`0.${/\.(\d+)Z$/.exec(s)?.[1] ?? '0'}`);
    assert.equal(Math.floor(Date.parse(t) / 1000), Math.floor(Date.parse(us[i]) / 1000));
    assert.ok(Math.abs(frac(t) - frac(us[i])) < 1e-6, `${t} -> ${us[i]}`);
  });
  // A Duration becomes an INTERVAL of the same length.
  const seconds = (await rows(prim, 'duration_ms', 20)).map((d) => (d === null ? null : Number(/^(-?)PT([\d.]+)S$/.exec(d).slice(1).join(''))));
  const epoch = value(await api.tableRows(value(await fromDuckDB(conn, `SELECT epoch(duration_ms) AS s FROM ${primName}`)), 20)).map((r) => r.s);
  assert.equal(seconds.length, epoch.length);
  seconds.forEach((s, i) => assert.ok(s === null ? epoch[i] === null : Math.abs(s - epoch[i]) < 1e-6, `${s} vs ${epoch[i]}`));
  // Offset and named zones: the instants kept, written in UTC.
  const extrasName = fresh('extras');
  value(await toDuckDB(conn, extras, { name: extrasName }));
  const extrasBack = value(await fromDuckDB(conn, `SELECT * FROM ${extrasName}`));
  assert.deepEqual(await rows(extrasBack, 'ts_offset'), ['2026-03-02T09:00:00Z', null, '2026-03-02T22:30:00.123Z']);
  assert.deepEqual(await rows(extras, 'ts_offset'), ['2026-03-02T10:00:00+01:00', null, '2026-03-02T23:30:00.123+01:00']);

  // Refused: Float16 and Decimal256, named in the error; the connection still works after.
  const refused = value(await api.readCsv(enc('id,half,wide\n1,1.5,2.25\n'), {
    schema: [
      { name: 'id', arrowType: 'Int64', nullable: true },
      { name: 'half', arrowType: 'Float16', nullable: true },
      { name: 'wide', arrowType: 'Decimal256(40, 2)', nullable: true },
    ],
  }));
  const r = await toDuckDB(conn, refused, { name: fresh('refused') });
  assert.equal(r.ok, false);
  assert.equal(r.error.code, 'unsupported-format');
  assert.match(r.error.message, /^DuckDB-wasm: Not implemented Error: Unsupported Internal Arrow Type/);
  assert.match(r.error.message, /cast half \(Float16\), wide \(Decimal256\(40, 2\)\) first/);
  // The cast, done by the analytics plugin (it stores Float16 as Float32 already).
  const session = value(await createSession());
  value(await register(session, 'refused', refused));
  const cast = value(await query(session, 'SELECT id, half, CAST(wide AS DECIMAL(38, 2)) AS wide FROM refused'));
  assert.deepEqual(await types(cast), [['id', 'Int64'], ['half', 'Float32'], ['wide', 'Decimal128(38, 2)']]);
  const castName = fresh('cast');
  value(await toDuckDB(conn, cast, { name: castName }));
  assert.deepEqual(value(await api.tableRows(value(await fromDuckDB(conn, `SELECT * FROM ${castName}`)), 1)), [{ id: 1, half: 1.5, wide: 2.25 }]);
  conn.close();
});

test('an LZ4 Feather and a ZSTD Parquet input: decompressed by the core, handed over uncompressed', async () => {
  const inputs = [
    [value(await api.writeTableToIpc(sample, { format: 'file', compression: 'lz4' })), 'arrow-file', ['lz4-frame']],
    [value(await api.writeTableToParquet(sample, { compression: 'zstd' })), 'parquet', ['zstd']],
  ];
  for (const [bytes, format, codecs] of inputs) {
    const t = value(await api.readTableFromArrayBuffer(bytes));
    const info = value(await api.getTableInfo(t));
    assert.equal(info.sourceFormat, format);
    assert.deepEqual(info.sourceCompression, codecs);
    // The file's own bytes make no table in DuckDB-wasm (dropped, or refused).
    const raw = db.connect();
    const rawName = fresh('raw');
    try {
      raw.insertArrowFromIPCStream(bytes, { name: rawName });
    } catch {
      // refused: as good as dropped here
    }
    assert.equal(raw.query(`SELECT count(*) AS n FROM information_schema.tables WHERE table_name = '${rawName}'`).toArray()[0].n, 0n);
    raw.close();
    const conn = db.connect();
    const name = fresh(format.replace('-', '_'));
    value(await toDuckDB(conn, t, { name }));
    const back = value(await fromDuckDB(conn, `SELECT * FROM ${name}`));
    assert.equal(value(await api.tableFingerprint(back)), sampleFingerprint, format);
    conn.close();
  }
});

test('back: a DuckDB-wasm answer written as ZSTD Parquet and LZ4 Feather reads back the same', async () => {
  const conn = db.connect();
  const name = fresh('trips');
  value(await toDuckDB(conn, sample, { name }));
  const answer = value(await fromDuckDB(conn, `SELECT pickup_zone, count(*) AS n, sum(fare) AS fare, min(pickup) AS first FROM ${name} GROUP BY pickup_zone ORDER BY pickup_zone`));
  const expected = value(await api.tableFingerprint(answer));
  const parquet = value(await api.writeTableToParquet(answer, { compression: 'zstd' }));
  const feather = value(await api.writeTableToIpc(answer, { format: 'file', compression: 'lz4' }));
  for (const [bytes, codec] of [[parquet, 'zstd'], [feather, 'lz4-frame']]) {
    const again = value(await api.readTableFromArrayBuffer(bytes));
    assert.deepEqual(value(await api.getTableInfo(again)).sourceCompression, [codec]);
    assert.equal(value(await api.tableFingerprint(again)), expected);
  }
  // DuckDB-wasm's own errors come back as values.
  const bad = await fromDuckDB(conn, `SELECT fair FROM ${name}`);
  assert.equal(bad.ok, false);
  assert.equal(bad.error.code, 'invalid-argument');
  assert.match(bad.error.message, /^DuckDB-wasm: Binder Error: Referenced column "fair" not found/);
  const exists = await toDuckDB(conn, sample, { name });
  assert.equal(exists.ok, false);
  assert.equal(exists.error.code, 'invalid-argument');
  assert.match(exists.error.message, /^DuckDB-wasm: Catalog Error: Failed to create table '.*': Table with name "trips_\d+" already exists!$/);
  conn.close();
});

test('DuckDB-wasm and the analytics plugin give the same answers over the sample', async () => {
  const conn = db.connect();
  value(await toDuckDB(conn, sample, { name: 'trips' }));
  const session = value(await createSession());
  value(await register(session, 'trips', sample));
  const close = (a, b) => (typeof a === 'number' && typeof b === 'number' ? Math.abs(a - b) <= 1e-9 * Math.max(1, Math.abs(a), Math.abs(b)) : a === b);
  const queries = [
    `SELECT payment, count(*) AS trips, sum(fare) AS fare, avg(distance_km) AS km, count(tip) AS tipped, sum(tip) AS tips,
       max(dropoff) AS last_dropoff FROM trips GROUP BY payment ORDER BY payment`,
    `SELECT pickup_zone, hour(pickup) AS h, count(*) AS n, round(avg(fare), 2) AS mean_fare, max(distance_km) AS longest
       FROM trips WHERE passengers >= 2 GROUP BY ALL ORDER BY pickup_zone, h`,
    `SELECT count(*) AS n, sum(fare + coalesce(tip, 0)) AS total, count(DISTINCT dropoff_zone) AS zones,
       median(distance_km) AS med, stddev_samp(fare) AS sd, min(pickup) AS first FROM trips`,
    `SELECT trip_id, payment, sum(fare) OVER (PARTITION BY payment ORDER BY trip_id) AS running,
       rank() OVER (PARTITION BY pickup_zone ORDER BY fare DESC, trip_id) AS r FROM trips ORDER BY trip_id`,
    `SELECT t.pickup_zone, count(*) AS n FROM trips t JOIN (SELECT DISTINCT dropoff_zone FROM trips WHERE fare > 40) d
       ON t.pickup_zone = d.dropoff_zone GROUP BY 1 ORDER BY 1`,
  ];
  for (const sql of queries) {
    const duck = value(await api.tableRows(value(await fromDuckDB(conn, sql)), 10000));
    const ours = value(await api.tableRows(value(await query(session, sql)), 10000));
    assert.ok(duck.length > 0, sql);
    assert.equal(duck.length, ours.length, sql);
    duck.forEach((row, i) => {
      assert.deepEqual(Object.keys(row), Object.keys(ours[i]), sql);
      for (const k of Object.keys(row)) assert.ok(close(row[k], ours[i][k]), `${sql}\nrow ${i} ${k}: DuckDB-wasm ${json(row[k])}, ours ${json(ours[i][k])}`);
    });
  }
  conn.query('DROP TABLE trips');
  conn.close();
});

test('the apache-arrow JS route: intervals lose their high nanosecond bits, and another copy writes nothing', async () => {
  const conn = db.connect();
  const sql = "SELECT INTERVAL '1 day 2 hours' AS a UNION ALL SELECT INTERVAL '3 months 1 second'";
  // Exact by the raw IPC.
  assert.deepEqual(value(await api.tableRows(value(await fromDuckDB(conn, sql)), 2)), [{ a: '1 days 2 hours' }, { a: '3 mons 1.000000000 secs' }]);
  // apache-arrow 17 (DuckDB-wasm's) writes month-day-nano intervals with the nanoseconds cut to
  // their low 32 bits: 2 hours (7.2e12 ns) becomes 1.634811904 s. Under 4.29 s survives.
  const result = conn.query(sql);
  const viaJs = value(await api.readTableFromArrayBuffer(duckArrow.tableToIPC(result, 'stream')));
  assert.deepEqual(value(await api.tableRows(viaJs, 2)), [{ a: '1 days 1.634811904 secs' }, { a: '3 mons 1.000000000 secs' }]);
  // apache-arrow 21's writer does not recognise a Table of apache-arrow 17 and writes no bytes;
  // fromArrowTable (which uses the app's apache-arrow) says so.
  const plain = conn.query('SELECT 1 AS x');
  assert.equal(arrow21.tableToIPC(plain, 'stream').length, 0);
  const refused = await fromArrowTable(plain);
  assert.equal(refused.ok, false);
  assert.match(refused.error.message, /no schema/);
  conn.close();
});

test('examples/duckdb-handoff.mjs runs on a ZSTD Parquet input: answers agree, Parquet and Feather written', async () => {
  const dir = scratch();
  const input = join(dir, 'trips.parquet');
  writeFileSync(input, value(await api.writeTableToParquet(sample, { compression: 'zstd' })));
  const out = join(dir, 'out');
  const printed = execFileSync(process.execPath, [join(root, 'js-bindings/examples/duckdb-handoff.mjs'), input, out], { cwd: root, encoding: 'utf8' });
  assert.match(printed, /read 5000 rows of parquet \(zstd\)/);
  assert.match(printed, /DuckDB-wasm and the analytics plugin agree/);
  assert.match(printed, /wrote by-payment\.parquet \(\d+ bytes\); read back the same/);
  assert.match(printed, /wrote by-payment\.arrow \(\d+ bytes\); read back the same/);
  const parquet = value(await api.readTableFromArrayBuffer(readFileSync(join(out, 'by-payment.parquet'))));
  const feather = value(await api.readTableFromArrayBuffer(readFileSync(join(out, 'by-payment.arrow'))));
  assert.deepEqual(value(await api.getTableInfo(parquet)).sourceCompression, ['zstd']);
  assert.deepEqual(value(await api.getTableInfo(feather)).sourceCompression, ['lz4-frame']);
  assert.deepEqual(value(await api.tableRows(parquet, 10)).map((r) => [r.payment, r.trips]), [['app', 1229], ['card', 2746], ['cash', 1025]]);
  assert.equal(value(await api.tableFingerprint(parquet)), value(await api.tableFingerprint(feather)));
});
