// Hand-off to DuckDB-wasm and back, in Node: `node examples/duckdb-handoff.mjs [INPUT] [OUT_DIR]`.
// A table of ours goes to DuckDB-wasm, DuckDB-wasm answers a query, the answer comes back as a table
// of ours and is written as ZSTD Parquet and LZ4 Feather; the analytics plugin answers the same
// query and the two answers are checked against each other.
//
// INPUT (default: the sample trips) may be anything the core reads, ZSTD/Snappy Parquet and
// LZ4/ZSTD Feather included: the core decompresses it as it reads. DuckDB-wasm's Arrow reader has
// no codecs (LZ4/ZSTD bodies are refused) and reads IPC streams only (an IPC file is dropped without
// an error), so toDuckDB always hands over an uncompressed IPC stream.
//
// What changes on the way through DuckDB-wasm 1.32 (test/duckdb.test.mjs checks each): dictionary,
// large and view strings come back as plain strings, large and fixed-size binary as binary;
// time-zoned timestamps become TIMESTAMPTZ, back as microseconds in "UTC" (the instant kept, the
// zone name and nanoseconds lost); Date64 comes back as Date32, Time32 as Time64, Duration as an
// interval; Float16 and Decimal256 are refused (cast them first). The sample's types (Int64,
// Float64, Utf8, Timestamp(ms) without a zone) all come back equal.
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { createDuckDB, NODE_RUNTIME, VoidLogger } from '@duckdb/duckdb-wasm/blocking';
import {
  initWasm, readTableFromArrayBuffer, getTableInfo, tableRows, tableFingerprint, writeTableToParquet, writeTableToIpc, freeTable,
} from 'arrow-rs-wasm';
import { createSession, loadAnalytics, query, register } from 'arrow-rs-wasm/analytics';
import { fromDuckDB, toDuckDB } from 'arrow-rs-wasm/duckdb';

const input = process.argv[2] ?? 'testdata/sample/trips.csv';
const outDir = process.argv[3] ?? '.';

/**
 * Prints a failed step and stops.
 * @param {string} step
 * @param {{ code: string, message: string }} error
 * @returns {never}
 */
function fail(step, error) {
  console.error(`${step}: ${error.code}: ${error.message}`);
  process.exit(1);
}

const ready = await initWasm();
if (!ready.ok) fail('initWasm', ready.error);
const analytics = await loadAnalytics();
if (!analytics.ok) fail('loadAnalytics', analytics.error);

// DuckDB-wasm's blocking bindings run in this thread (the browser build and the Node worker take
// the same connection methods). Its start-up throws on failure, which ends the program.
const dist = (/** @type {string} */ file) => fileURLToPath(import.meta.resolve(`@duckdb/duckdb-wasm/dist/${file}`));
const db = await createDuckDB({
  mvp: { mainModule: dist('duckdb-mvp.wasm'), mainWorker: dist('duckdb-node-mvp.worker.cjs') },
  eh: { mainModule: dist('duckdb-eh.wasm'), mainWorker: dist('duckdb-node-eh.worker.cjs') },
}, new VoidLogger(), NODE_RUNTIME);
await db.instantiate(() => {});
db.open({});
const conn = db.connect();

const read = await readTableFromArrayBuffer(await readFile(input));
if (!read.ok) fail(`reading ${input}`, read.error);
const trips = read.value;
const info = await getTableInfo(trips);
if (info.ok) {
  const codecs = info.value.sourceCompression.join(', ') || 'uncompressed';
  console.log(`read ${info.value.numRows} rows of ${info.value.sourceFormat} (${codecs}) from ${input}`);
}

// Ours → DuckDB-wasm.
const sent = await toDuckDB(conn, trips, { name: 'trips' });
if (!sent.ok) fail('toDuckDB', sent.error);

// DuckDB-wasm → ours: the answer's IPC stream, read by the core.
const sql = `SELECT payment, count(*) AS trips, sum(fare) AS fare, avg(distance_km) AS km,
  count(tip) AS tipped, sum(tip) AS tips, max(dropoff) AS last_dropoff
  FROM trips GROUP BY payment ORDER BY payment`;
const duck = await fromDuckDB(conn, sql);
if (!duck.ok) fail('fromDuckDB', duck.error);
const answer = duck.value;

// The same question to the analytics plugin.
const session = await createSession();
if (!session.ok) fail('createSession', session.error);
const registered = await register(session.value, 'trips', trips);
if (!registered.ok) fail('register', registered.error);
const ours = await query(session.value, sql);
if (!ours.ok) fail('query', ours.error);

const duckRows = await tableRows(answer, 100);
const ourRows = await tableRows(ours.value, 100);
if (!duckRows.ok) fail('tableRows', duckRows.error);
if (!ourRows.ok) fail('tableRows', ourRows.error);
console.table(duckRows.value);

// Float sums add in a different order in each engine: equal within 1e-9, relative.
const close = (/** @type {unknown} */ a, /** @type {unknown} */ b) => (typeof a === 'number' && typeof b === 'number'
  ? Math.abs(a - b) <= 1e-9 * Math.max(1, Math.abs(a), Math.abs(b))
  : a === b);
const agree = duckRows.value.length === ourRows.value.length
  && duckRows.value.every((row, i) => Object.keys(row).every((k) => close(row[k], ourRows.value[i]?.[k])));
console.log(agree ? 'DuckDB-wasm and the analytics plugin agree' : 'DuckDB-wasm and the analytics plugin DIFFER');
if (!agree) {
  console.table(ourRows.value);
  process.exitCode = 1;
}

// The answer is a table of ours like any other: written compressed, read back, the same.
await mkdir(outDir, { recursive: true });
const expected = await tableFingerprint(answer);
const outputs = [
  { name: 'by-payment.parquet', bytes: await writeTableToParquet(answer, { compression: 'zstd' }) },
  { name: 'by-payment.arrow', bytes: await writeTableToIpc(answer, { format: 'file', compression: 'lz4' }) },
];
for (const { name, bytes } of outputs) {
  if (!bytes.ok) fail(`writing ${name}`, bytes.error);
  await writeFile(join(outDir, name), bytes.value);
  const again = await readTableFromArrayBuffer(await readFile(join(outDir, name)));
  if (!again.ok) fail(`reading ${name}`, again.error);
  const fingerprint = await tableFingerprint(again.value);
  const same = expected.ok && fingerprint.ok && fingerprint.value === expected.value;
  console.log(`wrote ${name} (${bytes.value.length} bytes); read back ${same ? 'the same' : 'DIFFERENT'}`);
  if (!same) process.exitCode = 1;
  await freeTable(again.value);
}

await freeTable(answer);
await freeTable(ours.value);
await freeTable(trips);
conn.close();
