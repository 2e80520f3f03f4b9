// Parquet, Feather v1, CSV and NDJSON through the jco-transpiled core under Node: reads equal
// pyarrow's, every Parquet codec we write pyarrow reads back equal, fingerprints agree across
// containers, bad rows name their line.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync, readdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { csv, ndjson, parquet, table, validation } from '../gen/core/arrow-core.js';
import { errorOf, pyarrowCompare, root, scratch, writeOptions } from './helpers.mjs';

const { Table, readableFormats } = table;
const data = (...parts) => join(root, 'testdata', ...parts);
const files = (dir, ext) => readdirSync(data(dir)).filter((f) => f.endsWith(ext)).sort().map((f) => data(dir, f));

function saveIpc(t, dir, name) {
  const path = join(dir, `${name}.arrow`);
  writeFileSync(path, t.writeIpc(writeOptions()));
  return path;
}

/** Equal, or equal once dictionaries are decoded, or (Parquet only) equal but for the name pyarrow
 * gives a map's entries: the same allowances as the wasmtime tests. */
function assertEqual(results) {
  for (const r of results) {
    const mapNames = r.expected.endsWith('.parquet') && r.equal_but_nested_names && r.detail.includes('map<');
    assert.ok(r.equal || r.logically_equal || mapNames, `${r.expected}: ${r.detail}`);
  }
}

const parquetWrite = (overrides = {}) => ({
  compression: 'snappy',
  compressionLevel: undefined,
  maxRowGroupRows: undefined,
  dataPageSize: undefined,
  dictionary: true,
  statistics: 'page',
  writerVersion: 'v1',
  keyValueMetadata: [],
  pageChecksums: true,
  ...overrides,
});

test('the full build reads every format', () => {
  assert.deepEqual(new Set(readableFormats()), new Set(['arrow-file', 'arrow-stream', 'feather-v1', 'parquet', 'csv', 'ndjson']));
});

test('Parquet of every codec, pandas output and Feather v1 read equal to pyarrow', () => {
  const dir = scratch();
  const inputs = [...files('parquet', '.parquet'), ...files('feather_v1', '.feather'), data('pandas', 'frame.parquet'), data('pandas', 'frame.feather')];
  const pairs = inputs.map((path, i) => {
    const t = Table.read(readFileSync(path), {});
    const actual = saveIpc(t, dir, String(i));
    t[Symbol.dispose]();
    return { expected: path, actual };
  });
  assert.ok(pairs.length > 30);
  assertEqual(pyarrowCompare(pairs, dir));
});

test('every Parquet codec written in Node reads back equal in pyarrow, with the codec asked', () => {
  const dir = scratch();
  const source = data('parquet', 'codec_none.parquet');
  const t = Table.read(readFileSync(source), {});
  const pairs = [];
  for (const compression of ['uncompressed', 'snappy', 'gzip', 'brotli', 'lz4', 'lz4-raw', 'zstd']) {
    const bytes = parquet.write(t, parquetWrite({ compression, maxRowGroupRows: 40n }));
    const meta = parquet.metadata(bytes);
    assert.equal(meta.rowGroups.length, 4, compression);
    assert.ok(meta.rowGroups.every((rg) => rg.columns.every((c) => c.compression === compression)), compression);
    const path = join(dir, `${compression}.parquet`);
    writeFileSync(path, bytes);
    pairs.push({ expected: source, actual: path });
  }
  assertEqual(pyarrowCompare(pairs, dir));
  assert.equal(errorOf(() => parquet.write(t, parquetWrite({ compression: 'lzo' }))).code, 'unsupported-codec');
  assert.equal(errorOf(() => parquet.write(t, parquetWrite({ compression: 'zstd', compressionLevel: 99 }))).code, 'invalid-argument');
  t[Symbol.dispose]();
});

test('Parquet read options: row groups, offset, limit, nested columns', () => {
  const bytes = readFileSync(data('parquet', 'row_groups.parquet'));
  const all = parquet.read(bytes, {});
  const window = parquet.read(bytes, { offset: 10n, limit: 25n, batchSize: 10 });
  assert.equal(window.numRows(), 25n);
  assert.equal(window.numBatches(), 3);
  assert.equal(window.fingerprint(), all.slice(10n, 25n).fingerprint());
  const rg = parquet.read(bytes, { rowGroups: [0] });
  assert.equal(rg.numRows(), parquet.metadata(bytes).rowGroups[0].numRows);
  const nested = parquet.read(readFileSync(data('parquet', 'codec_zstd.parquet')), { columns: ['struct.a', 'int8'] });
  assert.deepEqual(nested.schema().columns.map((c) => c.name), ['int8', 'struct']);
  assert.equal(errorOf(() => parquet.read(bytes, { columns: ['missing'] })).code, 'column-not-found');
  assert.equal(errorOf(() => parquet.read(bytes, { rowGroups: [99] })).code, 'out-of-bounds');
  assert.equal(all.numRows(), 2000n);
});

test('CSV and NDJSON read with a given schema equal pyarrow; inference and sniffing work', () => {
  const dir = scratch();
  const schema = [['id', 'Int64'], ['name', 'Utf8'], ['score', 'Float64'], ['passed', 'Boolean'], ['day', 'Date32'], ['note', 'Utf8']]
    .map(([name, arrowType]) => ({ name, arrowType, nullable: true }));
  const text = readFileSync(data('csv', 'basic.csv'));
  const options = { hasHeader: true, delimiter: 44, quote: 34, nullValues: [], schema };
  const given = csv.read(text, options);
  const inferred = csv.read(text, { ...options, schema: undefined });
  assert.deepEqual(inferred.schema().columns.map((c) => c.arrowType), ['Int64', 'Utf8', 'Float64', 'Boolean', 'Date32', 'Utf8']);
  assert.equal(given.fingerprint(), inferred.fingerprint());
  const sniffed = Table.read(readFileSync(data('csv', 'semicolon.csv')), {});
  assert.equal(sniffed.sourceFormat(), 'csv');
  assert.equal(sniffed.numColumns(), 2);
  const events = Table.read(readFileSync(data('ndjson', 'events.ndjson')), {});
  assert.equal(events.sourceFormat(), 'ndjson');
  assert.ok(events.schema().columns.find((c) => c.name === 'user').arrowType.startsWith('Struct'));
  const results = pyarrowCompare([{ expected: data('csv', 'basic.expected.arrow'), actual: saveIpc(given, dir, 'csv') }], dir);
  assertEqual(results);
  // CSV out reads back to the same table.
  const written = csv.write(given, { header: true, delimiter: 44, quote: 34, nullValue: '' });
  assert.equal(csv.read(written, options).fingerprint(), given.fingerprint());
});

test('bad rows and lines are typed errors naming the line', () => {
  const rows = Array.from({ length: 2000 }, (_, i) => `{"id": ${i}}`);
  rows.push('{"id": "nope"}');
  const e = errorOf(() => ndjson.read(new TextEncoder().encode(rows.join('\n')), { schema: [{ name: 'id', arrowType: 'Int64', nullable: true }], batchSize: 300, strict: false }));
  assert.equal(e.code, 'malformed-input');
  assert.match(e.message, /line 2001/);
  const c = errorOf(() => csv.read(new TextEncoder().encode('a,b\n1,2\n3\n'), { hasHeader: true, delimiter: 44, quote: 34, nullValues: [] }));
  assert.equal(c.code, 'malformed-input');
  assert.match(c.message, /line 3/);
  // The instance keeps working.
  assert.equal(Table.read(readFileSync(data('csv', 'basic.csv')), {}).numRows(), 5n);
});

test('fingerprints agree across IPC, Parquet and LZ4 Feather of the same table', () => {
  const t = Table.read(readFileSync(data('parquet', 'codec_none.parquet')), {});
  const fp = t.fingerprint();
  assert.match(fp, /^v1-[0-9a-f]{64}$/);
  const viaParquet = Table.read(parquet.write(t, parquetWrite({ compression: 'zstd', maxRowGroupRows: 17n })), {});
  const viaFeather = Table.read(t.writeIpc(writeOptions({ compression: 'lz4-frame' })), { batchSize: 9 });
  assert.equal(viaParquet.fingerprint(), fp);
  assert.equal(viaFeather.fingerprint(), fp);
  assert.notEqual(t.slice(1n, 1000n).fingerprint(), fp);
});

test('validation lists its checks, passes a fixture and names the problem of a broken copy', () => {
  const bytes = readFileSync(join(root, 'testdata/parquet/row_groups.parquet'));
  const ok = validation.validate(bytes, {});
  assert.deepEqual(ok.checks, ['format', 'decode', 'arrays', 'parquet-row-counts', 'parquet-statistics']);
  assert.deepEqual(ok.problems, []);
  assert.equal(ok.numRows, 2000n);
  assert.equal(ok.numBatches, 7);
  const broken = validation.validate(bytes.subarray(0, bytes.length - 100), {});
  assert.equal(broken.problems.length, 1);
  assert.equal(broken.problems[0].error.code, 'malformed-input');
  assert.equal(table.Table.read(bytes, {}).sourceCompression()[0], 'snappy');
});
