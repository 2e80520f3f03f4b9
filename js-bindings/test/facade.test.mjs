// The typed façade (dist/index.js, compiled from src/) in Node: every function, its options and
// its error paths; handles (free, use after free, Symbol.dispose, no leaks); a trap (the
// instance replaced, old tables stale, registrations replayed); outputs checked by pyarrow; the
// façade before and at initWasm (in child processes, which start with no instance).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import * as api from '../dist/index.js';
import { inChromium } from './chromium.mjs';
import { deepSchemaParquet, fixture, fixtureDir, manifest, pyarrowCompare, root, scratch } from './helpers.mjs';

const sample = readFileSync(join(root, 'testdata/sample/trips.csv'));
const parquetFixture = (name) => readFileSync(join(root, 'testdata/parquet', name));

/** The value of an Ok result (fails the test on an Err, showing it). */
function value(result) {
  assert.equal(result.ok, true, result.ok ? '' : `${result.error.code}: ${result.error.message}`);
  return result.value;
}

/** The error of an Err result, checked to carry `code`. */
function failure(result, code) {
  assert.equal(result.ok, false, 'expected an Err');
  assert.equal(result.error.code, code, result.error.message);
  assert.ok(result.error.message.length > 0);
  return result.error;
}

const started = await api.initWasm();

test('initWasm starts the core once and says what it reads', async () => {
  const info = value(started);
  assert.equal(info.apiVersion, '0.1.0');
  assert.deepEqual([...info.formats].sort(), ['arrow-file', 'arrow-stream', 'csv', 'feather-v1', 'ndjson', 'parquet']);
  assert.deepEqual(value(await api.initWasm()), info);
});

/** Runs a module as a child Node process and returns its JSON output. */
function child(source) {
  const out = execFileSync(process.execPath, ['--input-type=module', '-e', source], { cwd: join(root, 'js-bindings'), encoding: 'utf8' });
  return JSON.parse(out);
}

test('before initWasm every call is a not-initialized Err; initWasm takes bytes, and a failed start can be retried', () => {
  const r = child(`
    import * as api from 'arrow-rs-wasm';
    import { readFileSync } from 'node:fs';
    const before = await api.readTableFromArrayBuffer(new Uint8Array(8));
    const garbage = await api.initWasm(new Uint8Array([0, 97, 115, 109, 9, 9]));
    const missing = await api.initWasm(new URL('file:///nonexistent/arrow-core.core.wasm'));
    const good = await api.initWasm(readFileSync('gen/core/arrow-core.core.wasm'));
    const read = await api.readTableFromArrayBuffer(readFileSync('../testdata/ipc/primitives.arrow'));
    console.log(JSON.stringify({ before, garbage, missing, good: good.ok, rows: read.ok && (await api.numRows(read.value)).value }));
  `);
  assert.equal(r.before.error.code, 'not-initialized');
  assert.equal(r.garbage.error.code, 'not-initialized');
  assert.match(r.garbage.error.message, /WebAssembly/);
  assert.equal(r.missing.error.code, 'not-initialized');
  assert.equal(r.good, true);
  assert.equal(r.rows, manifest.find((f) => f.file === 'primitives.arrow').num_rows);
});

test('every IPC fixture reads with the rows, batches, format and codecs pyarrow recorded', async () => {
  for (const f of manifest) {
    const t = value(await api.readTableFromArrayBuffer(fixture(f.file)));
    const info = value(await api.getTableInfo(t));
    assert.equal(info.numRows, f.num_rows, f.file);
    assert.equal(value(await api.numRows(t)), f.num_rows, f.file);
    assert.equal(info.numBatches, f.num_batches, f.file);
    assert.equal(info.sourceFormat, f.format, f.file);
    const codecs = { none: [], lz4: ['lz4-frame'], zstd: ['zstd'] }[f.compression];
    if (codecs !== undefined && f.num_rows > 0) assert.deepEqual(info.sourceCompression, codecs, f.file);
    value(await api.freeTable(t));
  }
});

test('reads take ArrayBuffers, typed-array views and Buffers alike, and honour their options', async () => {
  const bytes = fixture('primitives.arrow');
  const fromBuffer = value(await api.readTableFromArrayBuffer(bytes));
  const copy = new ArrayBuffer(bytes.length + 16);
  new Uint8Array(copy, 16).set(bytes);
  const fromView = value(await api.readTableFromArrayBuffer(new DataView(copy, 16)));
  const fromArrayBuffer = value(await api.readTableFromArrayBuffer(copy.slice(16)));
  const fp = value(await api.tableFingerprint(fromBuffer));
  assert.equal(value(await api.tableFingerprint(fromView)), fp);
  assert.equal(value(await api.tableFingerprint(fromArrayBuffer)), fp);
  const columns = value(await api.getSchemaSummary(fromBuffer)).columns.map((c) => c.name);
  const picked = value(await api.readTableFromArrayBuffer(bytes, { columns: [columns[1], columns[0]] }));
  assert.deepEqual(value(await api.getSchemaSummary(picked)).columns.map((c) => c.name), [columns[1], columns[0]]);
  failure(await api.readTableFromArrayBuffer(bytes, { columns: ['no such column'] }), 'column-not-found');
  failure(await api.readTableFromArrayBuffer(bytes, { format: 'parquet' }), 'malformed-input');
  failure(await api.readTableFromArrayBuffer(bytes, { batchSize: -1 }), 'invalid-argument');
  failure(await api.readTableFromArrayBuffer(fixture('zstd.arrow'), { maxDecompressedBytes: 16 }), 'limit-exceeded');
  failure(await api.readTableFromArrayBuffer(fixture('not_arrow.bin')), 'unknown-format');
  failure(await api.readTableFromArrayBuffer(bytes.subarray(0, bytes.length - 9)), 'malformed-input');
  for (const t of [fromBuffer, fromView, fromArrayBuffer, picked]) value(await api.freeTable(t));
});

test('detectFormat tells formats from their first bytes', async () => {
  assert.equal(value(await api.detectFormat(fixture('primitives.arrow').subarray(0, 64))), 'arrow-file');
  assert.equal(value(await api.detectFormat(parquetFixture('codec_zstd.parquet'))), 'parquet');
  assert.equal(value(await api.detectFormat(sample.subarray(0, 4096))), 'csv');
  failure(await api.detectFormat(new Uint8Array([0, 1, 2, 3, 4, 5, 6, 7])), 'unknown-format');
});

test('Parquet page checksums are checked: a flipped bit in a page is malformed-input naming it', async () => {
  const good = parquetFixture('checksums/page_crc.parquet');
  assert.equal(value(await api.numRows(value(await api.readParquet(good)))), 1000);
  // The bytes of one int64 value (row 750: 750 * 0x0101010101 + 0x1122334455), damaged in place.
  const needle = new Uint8Array(new BigInt64Array([750n * 0x0101010101n + 0x1122334455n]).buffer);
  const at = Buffer.from(good).indexOf(Buffer.from(needle));
  assert.ok(at > 0);
  const damaged = Uint8Array.from(good);
  damaged[at + 2] ^= 0x10;
  const e = failure(await api.readParquet(damaged), 'malformed-input');
  assert.match(e.message, /page 0 of column id in row group 1 fails its CRC checksum/);
});

test('Parquet written here carries page checksums unless pageChecksums is false', async () => {
  const t = value(await api.readParquet(parquetFixture('checksums/page_crc.parquet')));
  const needle = Buffer.from(new Uint8Array(new BigInt64Array([750n * 0x0101010101n + 0x1122334455n]).buffer));
  const damage = (bytes) => {
    const at = Buffer.from(bytes).indexOf(needle);
    assert.ok(at > 0);
    const damaged = Uint8Array.from(bytes);
    damaged[at + 2] ^= 0x10;
    return damaged;
  };
  // Plain and uncompressed, so the value's bytes are in the file as they are in memory.
  const plain = { compression: 'uncompressed', dictionary: false };
  const checked = value(await api.writeTableToParquet(t, plain));
  const e = failure(await api.readParquet(damage(checked)), 'malformed-input');
  assert.match(e.message, /column id in row group 0 fails its CRC checksum/);
  const unchecked = value(await api.writeTableToParquet(t, { ...plain, pageChecksums: false }));
  // Without a checksum the damage reads as another number, silently: what the default prevents.
  const misread = value(await api.readParquet(damage(unchecked)));
  assert.equal(value(await api.numRows(misread)), 1000);
  for (const h of [t, misread]) value(await api.freeTable(h));
});

test('Parquet: metadata without decoding, row groups, offset and limit, projection', async () => {
  const bytes = parquetFixture('codec_zstd.parquet');
  const meta = value(await api.getParquetMetadata(bytes));
  assert.ok(meta.rowGroups.length >= 1);
  assert.equal(meta.rowGroups.reduce((n, g) => n + g.numRows, 0), meta.numRows);
  assert.ok(meta.rowGroups[0].columns.every((c) => c.compression === 'zstd'));
  assert.equal(typeof meta.rowGroups[0].columns[0].compressedSize, 'number');
  const whole = value(await api.readParquet(bytes));
  assert.equal(value(await api.numRows(whole)), meta.numRows);
  const limited = value(await api.readParquet(bytes, { offset: 3, limit: 5 }));
  assert.equal(value(await api.numRows(limited)), Math.min(5, meta.numRows - 3));
  const sliced = value(await api.sliceTable(whole, 3, 5));
  assert.equal(value(await api.tableFingerprint(limited)), value(await api.tableFingerprint(sliced)));
  const last = meta.rowGroups.length - 1;
  const group = value(await api.readParquet(bytes, { rowGroups: [last] }));
  assert.equal(value(await api.numRows(group)), meta.rowGroups[last].numRows);
  failure(await api.readParquet(bytes, { rowGroups: [meta.rowGroups.length] }), 'out-of-bounds');
  failure(await api.readParquet(bytes, { offset: 1.5 }), 'invalid-argument');
  failure(await api.getParquetMetadata(fixture('primitives.arrow')), 'malformed-input');
  for (const t of [whole, limited, sliced, group]) value(await api.freeTable(t));
});

test('CSV and NDJSON read with their options; bad input names its line', async () => {
  const csv = new TextEncoder().encode('a;b\n1;x\n2;NA\n');
  const t = value(await api.readCsv(csv, { delimiter: ';', nullValues: ['NA'] }));
  assert.deepEqual(value(await api.tableRows(t, 10)), [{ a: 1, b: 'x' }, { a: 2, b: null }]);
  const typed = value(await api.readCsv(csv, { delimiter: ';', schema: [{ name: 'a', arrowType: 'Float64', nullable: false }, { name: 'b', arrowType: 'Utf8', nullable: true }] }));
  assert.equal(value(await api.getSchemaSummary(typed)).columns[0].arrowType, 'Float64');
  failure(await api.readCsv(csv, { delimiter: ';;' }), 'invalid-argument');
  failure(await api.readCsv(csv, { delimiter: 'é' }), 'invalid-argument');
  const bad = failure(await api.readCsv(new TextEncoder().encode('x\n1\n2\nthree\n'), { schema: [{ name: 'x', arrowType: 'Int64', nullable: true }] }), 'malformed-input');
  assert.match(bad.message, /line [34]/);
  // A field-spec may name a zone; text without an offset is read in it (Paris is UTC+1 in March).
  const zoned = value(await api.readCsv(new TextEncoder().encode('t\n2026-03-02T10:00:00\n'), { schema: [{ name: 't', arrowType: 'Timestamp(ms, "Europe/Paris")', nullable: true }] }));
  assert.deepEqual(value(await api.tableRows(zoned, 1)), [{ t: '2026-03-02T09:00:00Z' }]);
  assert.equal(value(await api.getSchemaSummary(zoned)).columns[0].arrowType, 'Timestamp(ms, "Europe/Paris")');
  const zonedJson = value(await api.readNdjson(new TextEncoder().encode('{"t": "2026-03-02T10:00:00"}\n'), { schema: [{ name: 't', arrowType: 'Timestamp(ms, "UTC")', nullable: true }] }));
  assert.deepEqual(value(await api.tableRows(zonedJson, 1)), [{ t: '2026-03-02T10:00:00Z' }]);
  failure(await api.readCsv(new TextEncoder().encode('t\n1\n'), { schema: [{ name: 't', arrowType: 'Timestamp(ms, "Mars/Olympus")', nullable: true }] }), 'invalid-argument');
  // Quoted fields are unquoted by default (the documented default quote is `"`).
  const quoted = value(await api.readCsv(new TextEncoder().encode('"a","b"\n"x,y",1\n')));
  assert.deepEqual(value(await api.tableRows(quoted, 10)), [{ a: 'x,y', b: 1 }]);

  const ndjson = new TextEncoder().encode('{"a": 1, "o": {"k": "v"}}\n{"a": null}\n');
  const j = value(await api.readNdjson(ndjson));
  assert.deepEqual(value(await api.tableRows(j, 10)), [{ a: 1, o: { k: 'v' } }, { a: null, o: null }]);
  const strict = await api.readNdjson(new TextEncoder().encode('{"a": 1, "extra": 2}\n'), { schema: [{ name: 'a', arrowType: 'Int64', nullable: true }], strict: true });
  failure(strict, 'malformed-input');
  const line = failure(await api.readNdjson(new TextEncoder().encode('{"a": 1}\n{"a": \n')), 'malformed-input');
  assert.match(line.message, /line 2/);
  for (const h of [t, typed, j]) value(await api.freeTable(h));
});

test('slice, select, filter and concat make new tables; their errors are typed', async () => {
  const t = value(await api.readTableFromArrayBuffer(sample));
  const rows = value(await api.tableRows(t, 10));
  const s = value(await api.sliceTable(t, 2, 3));
  assert.deepEqual(value(await api.tableRows(s, 10)), rows.slice(2, 5));
  const end = value(await api.sliceTable(t, 4998, 100));
  assert.equal(value(await api.numRows(end)), 2);
  failure(await api.sliceTable(t, 5001, 1), 'out-of-bounds');
  failure(await api.sliceTable(t, -1, 1), 'invalid-argument');
  const sel = value(await api.selectColumns(s, ['fare', 'trip_id']));
  assert.deepEqual(value(await api.tableRows(sel, 10)), rows.slice(2, 5).map((r) => ({ fare: r.fare, trip_id: r.trip_id })));
  failure(await api.selectColumns(s, ['fare', 'nope']), 'column-not-found');
  const f = value(await api.filterTable(s, [true, false, true]));
  assert.deepEqual(value(await api.tableRows(f, 10)), [rows[2], rows[4]]);
  failure(await api.filterTable(s, [true]), 'invalid-argument');
  const c = value(await api.concatTables([s, f]));
  assert.deepEqual(value(await api.tableRows(c, 10)), [...rows.slice(2, 5), rows[2], rows[4]]);
  failure(await api.concatTables([s, sel]), 'schema-mismatch');
  for (const h of [t, s, end, sel, f, c]) value(await api.freeTable(h));
});

test('handles: a use after free is a closed Err, Symbol.dispose frees, and reading and freeing in a loop leaks nothing', async () => {
  const base = value(await api.liveTableCount());
  const t = value(await api.readTableFromArrayBuffer(sample));
  assert.equal(value(await api.liveTableCount()), base + 1);
  value(await api.freeTable(t));
  failure(await api.freeTable(t), 'closed');
  failure(await api.getSchemaSummary(t), 'closed');
  failure(await api.sliceTable(t, 0, 1), 'closed');
  failure(await api.writeTableToIpc(t), 'closed');
  failure(await api.concatTables([t]), 'closed');
  const d = value(await api.readTableFromArrayBuffer(sample));
  d[Symbol.dispose]();
  d[Symbol.dispose]();
  failure(await api.numRows(d), 'closed');
  assert.equal(value(await api.liveTableCount()), base);
  const bytes = fixture('lz4.arrow');
  for (let i = 0; i < 300; i += 1) {
    const h = value(await api.readTableFromArrayBuffer(bytes));
    const s = value(await api.sliceTable(h, 0, 1));
    value(await api.freeTable(s));
    value(await api.freeTable(h));
  }
  assert.equal(value(await api.liveTableCount()), base);
});

test('IPC, Parquet, CSV and NDJSON written by the façade read back equal in pyarrow', async () => {
  const dir = scratch();
  const pairs = [];
  const files = ['primitives.arrow', 'nested.arrow', 'dictionary.arrow', 'lz4.arrows', 'multibatch.arrow'];
  for (const file of files) {
    const t = value(await api.readTableFromArrayBuffer(fixture(file)));
    const outputs = {
      'lz4.arrow': await api.writeTableToIpc(t, true),
      'zstd.arrows': await api.writeTableToIpc(t, { format: 'stream', compression: 'zstd', zstdLevel: 9 }),
      'plain.arrow': await api.writeTableToIpc(t, false),
    };
    for (const [suffix, r] of Object.entries(outputs)) {
      const bytes = value(r);
      assert.ok(bytes.buffer instanceof ArrayBuffer);
      const out = join(dir, `${file}.${suffix}`);
      writeFileSync(out, bytes);
      pairs.push({ expected: join(fixtureDir, file), actual: out });
    }
    value(await api.freeTable(t));
  }
  const results = pyarrowCompare(pairs, dir);
  for (const r of results) assert.ok(r.equal || r.logically_equal, `${r.actual}: ${r.detail}`);

  const t = value(await api.readTableFromArrayBuffer(sample));
  const pq = value(await api.writeTableToParquet(t, { compression: 'zstd', maxRowGroupRows: 1000, keyValueMetadata: [{ key: 'k', value: 'v' }] }));
  const meta = value(await api.getParquetMetadata(pq));
  assert.equal(meta.rowGroups.length, 5);
  assert.deepEqual(meta.keyValueMetadata.filter((kv) => kv.key === 'k'), [{ key: 'k', value: 'v' }]);
  const csvOut = value(await api.writeTableToCsv(t, { delimiter: '|' }));
  const jsonOut = value(await api.writeTableToNdjson(t));
  const featherOut = value(await api.writeTableToIpc(t, { compression: 'lz4' }));
  writeFileSync(join(dir, 'trips.parquet'), value(await api.writeTableToParquet(t)));
  writeFileSync(join(dir, 'trips.feather'), featherOut);
  const cmp = pyarrowCompare([{ expected: join(dir, 'trips.feather'), actual: join(dir, 'trips.parquet') }], dir);
  assert.ok(cmp[0].equal, cmp[0].detail);
  const fp = value(await api.tableFingerprint(t));
  const specs = value(await api.getSchemaSummary(t)).columns.map(({ name, arrowType, nullable }) => ({ name, arrowType, nullable }));
  for (const [bytes, read] of [
    [pq, api.readTableFromArrayBuffer],
    [csvOut, (b) => api.readCsv(b, { delimiter: '|', schema: specs })],
    [featherOut, api.readTableFromArrayBuffer],
  ]) {
    const back = value(await read(bytes));
    assert.equal(value(await api.tableFingerprint(back)), fp);
    value(await api.freeTable(back));
  }
  assert.equal(new TextDecoder().decode(jsonOut).split('\n').length, 5001);
  failure(await api.writeTableToParquet(t, { maxRowGroupRows: -5 }), 'invalid-argument');
  failure(await api.writeTableToParquet(t, { compression: 'lzo' }), 'unsupported-codec');
  failure(await api.writeTableToCsv(t, { quote: 'ab' }), 'invalid-argument');
  failure(await api.writeTableToIpc(t, { compression: 'zstd', zstdLevel: 99 }), 'invalid-argument');
  value(await api.freeTable(t));
});

test('validateBytes lists every problem and passes sound files', async () => {
  const good = value(await api.validateBytes(parquetFixture('codec_snappy.parquet')));
  assert.equal(good.format, 'parquet');
  assert.deepEqual(good.problems, []);
  assert.ok(good.checks.includes('parquet-statistics'));
  const bytes = Uint8Array.from(fixture('primitives.arrow'));
  const report = value(await api.validateBytes(bytes.subarray(0, bytes.length - 20)));
  assert.ok(report.problems.length >= 1);
  assert.equal(typeof report.problems[0].error.code, 'string');
});

const plugin = (id, claims = []) => ({
  info: { id, version: '1.0.0', coreApi: '0.1.0', extensionTypes: claims.map((name) => ({ name, displayType: `X<${name}>` })), description: 'test plugin' },
});

test('plugins: registration is checked, refusals carry their reason, claims show in schemas', async () => {
  const p = plugin('org.example.test.v1', ['arrow.uuid']);
  value(await api.validatePlugin(p));
  assert.deepEqual(value(await api.registerPlugin(p)), p.info);
  assert.ok(value(await api.listPlugins()).some((i) => i.id === 'org.example.test.v1'));
  const again = failure(await api.registerPlugin(p), 'plugin');
  assert.equal(again.refusal, 'duplicate-id');
  assert.equal(failure(await api.registerPlugin(plugin('Bad Id')), 'plugin').refusal, 'malformed-id');
  assert.equal(failure(await api.validatePlugin({ info: { ...p.info, id: 'org.example.other.v1', coreApi: '9.0.0' } }), 'plugin').refusal, 'incompatible-core-api');
  assert.equal(failure(await api.registerPlugin(plugin('org.example.other.v1', ['arrow.uuid'])), 'plugin').refusal, 'extension-claimed');
  const t = value(await api.readTableFromArrayBuffer(readFileSync(join(root, 'testdata/uuid/uuids.arrow'))));
  const claimed = value(await api.getSchemaSummary(t)).columns.filter((c) => c.ownerPlugin === 'org.example.test.v1');
  assert.ok(claimed.length >= 1);
  value(await api.unregisterPlugin('org.example.test.v1'));
  assert.equal(failure(await api.unregisterPlugin('org.example.test.v1'), 'plugin').refusal, 'not-registered');
  assert.ok(value(await api.getSchemaSummary(t)).columns.every((c) => c.ownerPlugin === undefined));
  value(await api.freeTable(t));
});

test('a panic inside a decoder is an internal Err: the instance, its tables and registrations survive', async () => {
  const p = plugin('org.example.panic.v1', ['arrow.uuid']);
  value(await api.registerPlugin(p));
  const before = value(await api.readTableFromArrayBuffer(sample));
  // Every input that once trapped the core (testdata/regressions: a flipped bit in a Parquet page
  // reaching a panic inside the parquet crate) is a typed error now.
  const regressions = JSON.parse(readFileSync(join(root, 'testdata/regressions/MANIFEST.json'), 'utf8'));
  assert.ok(regressions.length >= 8);
  for (const r of regressions) {
    const result = await api.readTableFromArrayBuffer(readFileSync(join(root, 'testdata/regressions', r.file)));
    assert.equal(result.ok, false, r.file);
    const e = result.error;
    assert.ok(e.code === 'internal' || e.code === 'malformed-input', `${r.file}: ${e.code}: ${e.message}`);
    if (e.code === 'internal') assert.match(e.message, /^internal error \(a bug, please report it\): panicked at /, r.file);
    assert.equal(value(await api.numRows(before)), 5000, `the table read before ${r.file}`);
  }
  assert.ok(value(await api.listPlugins()).some((i) => i.id === 'org.example.panic.v1'));
  value(await api.unregisterPlugin('org.example.panic.v1'));
  value(await api.freeTable(before));
});

test('in Chromium too, a panic is an internal error and the instance keeps its tables', async () => {
  const seen = await inChromium(async () => {
    const { table } = await import('/js-bindings/gen/core/arrow-core.js');
    const get = async (path) => new Uint8Array(await (await fetch(path)).arrayBuffer());
    const held = table.Table.read(await get('/testdata/sample/trips.csv'), {});
    let error = {};
    try {
      table.Table.read(await get('/testdata/regressions/parquet_bit_util.parquet'), {});
    } catch (e) {
      error = { code: e.payload.code, message: e.payload.message };
    }
    return { error, rows: Number(held.numRows()) };
  });
  assert.equal(seen.error.code, 'internal', seen.error.message);
  assert.match(seen.error.message, /panicked at .*bit_util\.rs/);
  assert.equal(seen.rows, 5000);
});

test('a trap replaces the instance: the call is a trap Err, older tables are stale, registrations survive, later calls work', async () => {
  const p = plugin('org.example.trap.v1', ['arrow.uuid']);
  value(await api.registerPlugin(p));
  const before = value(await api.readTableFromArrayBuffer(sample));
  // A schema nested 100,000 deep exhausts the stack: a trap, not a panic (see deepSchemaParquet).
  const trapped = failure(await api.readTableFromArrayBuffer(deepSchemaParquet(100_000)), 'trap');
  assert.match(trapped.message, /replaced/);
  failure(await api.getSchemaSummary(before), 'stale-handle');
  value(await api.freeTable(before));
  const after = value(await api.readTableFromArrayBuffer(sample));
  assert.equal(value(await api.numRows(after)), 5000);
  assert.ok(value(await api.listPlugins()).some((i) => i.id === 'org.example.trap.v1'));
  value(await api.unregisterPlugin('org.example.trap.v1'));
  value(await api.freeTable(after));
});

test('wrong argument types are invalid-argument Errs, not exceptions', async () => {
  failure(await api.readTableFromArrayBuffer(new Uint8Array(0)), 'unknown-format');
  const t = value(await api.readTableFromArrayBuffer(sample));
  failure(await api.selectColumns(t, [42]), 'invalid-argument');
  // A name twice would make later lookups ambiguous; no columns keeps the rows, which Parquet
  // (counting rows through its columns) cannot hold, so the write refuses.
  failure(await api.selectColumns(t, ['fare', 'fare']), 'invalid-argument');
  const none = value(await api.selectColumns(t, []));
  assert.equal(value(await api.numRows(none)), 5000);
  failure(await api.writeTableToParquet(none), 'invalid-argument');
  // A NUL byte inside a quoted field is data: the text is still CSV.
  assert.equal(value(await api.detectFormat(new TextEncoder().encode('a,b\n"x\0y",1\n"z",2\n'))), 'csv');
  value(await api.freeTable(t));
});
