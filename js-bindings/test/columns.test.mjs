// columns(handle): whole columns as typed arrays, decoded from the core's IPC stream by the
// façade's own reader. The oracle is apache-arrow JS reading the same bytes the core read (and
// pyarrow for what apache-arrow gets wrong or renders differently: decimal text, a leading BOM),
// over tables of every decoded type with nulls, in one batch and several; then the refusals
// (nested, float16, intervals), a freed handle, an analytics query result, and a fast-check
// property over random columns split across batches.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import fc from 'fast-check';
import { DataType, Float64, Int32, IntervalYearMonth, Table, Utf8, makeData, makeVector, tableFromIPC, tableToIPC, vectorFromArray } from 'apache-arrow';
import * as api from '../dist/index.js';
import * as analytics from '../dist/analytics.js';
import { fixture, root, scratch } from './helpers.mjs';

const venv = join(root, '.venv', 'bin', 'python');
const python = process.env.ARROW_PYTHON ?? (existsSync(venv) ? venv : 'python3');

/** The value of an Ok result (fails the test on an Err, showing it). */
function value(result) {
  assert.equal(result.ok, true, result.ok ? '' : `${result.error.code}: ${result.error.message}`);
  return result.value;
}

/** The error of an Err result, checked to carry `code`. */
function failure(result, code) {
  assert.equal(result.ok, false, 'expected an Err');
  assert.equal(result.error.code, code, result.error.message);
  return result.error;
}

value(await api.initWasm());
const dir = scratch();

/** Runs a pyarrow script in the scratch directory (`out` is that directory). */
function py(source) {
  return execFileSync(python, ['-c', `import os\nout = ${JSON.stringify(dir)}\n${source}`], { encoding: 'utf8' });
}

// Every type columns() decodes, with nulls in each column, written as an IPC stream of one batch
// and of three (4 + 4 + 2 rows). pyarrow also writes what the oracle needs in JSON: the decimals
// as fixed-point text, and a string column opening with U+FEFF (apache-arrow drops a leading BOM).
py(`
import decimal, json
import numpy as np
import pyarrow as pa
D = decimal.Decimal
t = pa.table({
  'i8': pa.array([1, -2, None, 127, -128, 0, 5, 6, 7, None], pa.int8()),
  'i16': pa.array([1, None, -32768, 32767, 0, 5, 6, 7, 8, 9], pa.int16()),
  'i32': pa.array([None, 1, -2**31, 2**31 - 1, 0, 5, 6, 7, 8, 9], pa.int32()),
  'i64': pa.array([1, -2**63, 2**63 - 1, None, 0, 2**53 + 1, 6, 7, 8, 9], pa.int64()),
  'u8': pa.array([0, 255, None, 3, 4, 5, 6, 7, 8, 9], pa.uint8()),
  'u16': pa.array([0, 65535, None, 3, 4, 5, 6, 7, 8, 9], pa.uint16()),
  'u32': pa.array([0, 2**32 - 1, None, 3, 4, 5, 6, 7, 8, 9], pa.uint32()),
  'u64': pa.array([0, 2**64 - 1, None, 3, 4, 5, 6, 7, 8, 9], pa.uint64()),
  'f32': pa.array([1.5, None, float('nan'), float('inf'), -0.0, 3.25, -1e30, 7, 8, 9], pa.float32()),
  'f64': pa.array([1.5, None, float('nan'), float('-inf'), -0.0, 1e-300, float(2**53 + 2), 7, 8, 9], pa.float64()),
  'bool': pa.array([True, False, None, True, True, False, True, None, False, True]),
  'utf8': pa.array(['a', 'héllo', None, '', '😀 emoji', 'x' * 40, '日本語', 'z', None, 'end']),
  'large_utf8': pa.array(['a', None, 'ü', '', 'b', 'c', 'd', 'e', 'f', 'g'], pa.large_string()),
  'utf8_view': pa.array(['short', 'a string longer than twelve bytes', None, '', 'ñ' * 20, 'x', 'y', 'z', 'w', 'v'], pa.string_view()),
  'binary': pa.array([b'\\x00\\x01', None, b'', b'x', b'\\xff' * 30, b'z', b'w', b'v', b'u', b't']),
  'large_binary': pa.array([b'a', b'', None, b'x', b'y', b'z', b'w', b'v', b'u', b't'], pa.large_binary()),
  'binary_view': pa.array([b'a', b'0123456789abcdef', None, b'', b'y', b'z', b'w', b'v', b'u', b't'], pa.binary_view()),
  'fixed_binary': pa.array([b'abc', None, b'\\x00\\x00\\x00', b'xyz', b'123', b'456', b'789', b'aaa', b'bbb', b'ccc'], pa.binary(3)),
  'date32': pa.array([0, -1, None, 19000, 5, 6, 7, 8, 9, 10], pa.date32()),
  'date64': pa.array([0, -86400000, None, 86400000 * 19000, 5 * 86400000, 0, 0, 0, 0, 0], pa.date64()),
  'time32_s': pa.array([0, 86399, None, 3, 4, 5, 6, 7, 8, 9], pa.time32('s')),
  'time32_ms': pa.array([0, 86399999, None, 3, 4, 5, 6, 7, 8, 9], pa.time32('ms')),
  'time64_us': pa.array([0, 86399999999, None, 3, 4, 5, 6, 7, 8, 9], pa.time64('us')),
  'time64_ns': pa.array([0, 86399999999999, None, 3, 4, 5, 6, 7, 8, 9], pa.time64('ns')),
  'ts_s': pa.array([0, -1, None, 1700000000, 4, 5, 6, 7, 8, 9], pa.timestamp('s')),
  'ts_ms_ny': pa.array([0, -1, None, 1700000000000, 4, 5, 6, 7, 8, 9], pa.timestamp('ms', tz='America/New_York')),
  'ts_us_utc': pa.array([0, -1, None, 1700000000000000, 4, 5, 6, 7, 8, 9], pa.timestamp('us', tz='UTC')),
  'ts_ns': pa.array([0, -2**63 + 1, None, 2**63 - 1, 4, 5, 6, 7, 8, 9], pa.timestamp('ns')),
  'dur_s': pa.array([0, -1, None, 3, 4, 5, 6, 7, 8, 9], pa.duration('s')),
  'dur_ms': pa.array([0, -1, None, 3, 4, 5, 6, 7, 8, 9], pa.duration('ms')),
  'dur_us': pa.array([0, -1, None, 3, 4, 5, 6, 7, 8, 9], pa.duration('us')),
  'dur_ns': pa.array([0, -1, None, 3, 4, 5, 6, 7, 8, 9], pa.duration('ns')),
  'dec128': pa.array([D('1.5'), D('-0.0000000001'), None, D('0'), D('9' * 28 + '.' + '9' * 10), D('-' + '9' * 28 + '.' + '9' * 10), D('123.456'), D('-1'), D('0.1'), D('10')], pa.decimal128(38, 10)),
  'dec128_s0': pa.array([D('1'), D('-12345678901234567890'), None, D('0'), D('7'), D('8'), D('9'), D('10'), D('11'), D('-12')], pa.decimal128(20, 0)),
  'dec256': pa.array([D('1.5'), D('-' + '9' * 45 + '.12345'), None, D('0'), D('-0.00001'), D('1'), D('2'), D('3'), D('4'), D('5')], pa.decimal256(50, 5)),
  'dec64': pa.array([D('1.5'), D('-99999999999999.9999'), None, D('0'), D('1'), D('2'), D('3'), D('4'), D('5'), D('6')], pa.decimal64(18, 4)),
  'dec32': pa.array([D('1.5'), D('-99999.99'), None, D('0'), D('1'), D('2'), D('3'), D('4'), D('5'), D('6')], pa.decimal32(7, 2)),
  'dict_utf8': pa.array(['x', 'y', None, 'x', 'z', 'y', 'x', None, 'z', 'z']).dictionary_encode(),
  'dict_i8_utf8': pa.DictionaryArray.from_arrays(pa.array([0, 1, None, 2, 1, 0, 2, 2, None, 0], pa.int8()), pa.array(['red', None, 'blue'])),
  'dict_i64': pa.array([10, 20, None, 10, 2**62, 20, 10, 10, 20, None], pa.int64()).dictionary_encode(),
  'null': pa.array([None] * 10, pa.null()),
  'bom': pa.array(['\\ufeffstarts with a BOM', 'b', None, '\\ufeff', 'c', 'd', 'e', 'f', 'g', 'h']),
  'no_nulls': pa.array(range(10), pa.int32()),
})
for name, size in [('types1.arrows', None), ('types3.arrows', 4)]:
  with pa.ipc.new_stream(os.path.join(out, name), t.schema) as w:
    w.write_table(t, max_chunksize=size)
expected = {c: [None if v is None else format(v, 'f') for v in t.column(c).to_pylist()] for c in t.column_names if c.startswith('dec')}
expected['bom'] = t.column('bom').to_pylist()
json.dump(expected, open(os.path.join(out, 'expected.json'), 'w'))

# What columns() refuses, beside a column it decodes.
refused = pa.table({
  'ok': pa.array([1, 2], pa.int32()),
  'half': pa.array([np.float16(1.5), None], pa.float16()),
  'span': pa.array([pa.MonthDayNano([1, 2, 3]), None], pa.month_day_nano_interval()),
  'tags': pa.array([[1, 2], None], pa.list_(pa.int32())),
  'dict_list': pa.DictionaryArray.from_arrays(pa.array([0, 0], pa.int32()), pa.array([[1]], pa.list_(pa.int8()))),
})
with pa.ipc.new_stream(os.path.join(out, 'refused.arrows'), refused.schema) as w:
  w.write_table(refused)
`);
const expected = JSON.parse(readFileSync(join(dir, 'expected.json'), 'utf8'));

const TYPES = {
  i8: 'int8',
  i16: 'int16',
  i32: 'int32',
  i64: 'int64',
  u8: 'uint8',
  u16: 'uint16',
  u32: 'uint32',
  u64: 'uint64',
  f32: 'float32',
  f64: 'float64',
  bool: 'bool',
  utf8: 'utf8',
  large_utf8: 'large_utf8',
  utf8_view: 'utf8_view',
  binary: 'binary',
  large_binary: 'large_binary',
  binary_view: 'binary_view',
  fixed_binary: 'fixed_size_binary[3]',
  date32: 'date32[day]',
  date64: 'date64[ms]',
  time32_s: 'time32[s]',
  time32_ms: 'time32[ms]',
  time64_us: 'time64[us]',
  time64_ns: 'time64[ns]',
  ts_s: 'timestamp[s]',
  ts_ms_ny: 'timestamp[ms, America/New_York]',
  ts_us_utc: 'timestamp[us, UTC]',
  ts_ns: 'timestamp[ns]',
  dur_s: 'duration[s]',
  dur_ms: 'duration[ms]',
  dur_us: 'duration[us]',
  dur_ns: 'duration[ns]',
  dec128: 'decimal128(38, 10)',
  dec128_s0: 'decimal128(20, 0)',
  dec256: 'decimal256(50, 5)',
  dec64: 'decimal64(18, 4)',
  dec32: 'decimal32(7, 2)',
  dict_utf8: 'utf8',
  dict_i8_utf8: 'utf8',
  dict_i64: 'int64',
  null: 'null',
  bom: 'utf8',
  no_nulls: 'int32',
};

const STORAGE = {
  int8: Int8Array,
  int16: Int16Array,
  int32: Int32Array,
  int64: BigInt64Array,
  uint8: Uint8Array,
  uint16: Uint16Array,
  uint32: Uint32Array,
  uint64: BigUint64Array,
  float32: Float32Array,
  float64: Float64Array,
  bool: Uint8Array,
  'date32[day]': Int32Array,
  'date64[ms]': BigInt64Array,
  'time32[s]': Int32Array,
  'time32[ms]': Int32Array,
  'time64[us]': BigInt64Array,
  'time64[ns]': BigInt64Array,
};

/** The stored (raw) value of row `i` of an apache-arrow vector of a fixed-width type. */
function raw(vector, i) {
  let row = i;
  for (const d of vector.data) {
    if (row < d.length) return d.values[d.offset + row];
    row -= d.length;
  }
  throw new Error(`row ${i} out of range`);
}

/**
 * Checks a column against the apache-arrow vector of the same column: length, nulls, and every
 * present value (typed arrays leave the values of null rows unspecified; arrays hold `null`).
 */
function sameAsArrow(col, vector) {
  const label = `${col.name} (${col.type})`;
  assert.equal(col.length, vector.length, label);
  const allNull = DataType.isNull(vector.type);
  const nulls = allNull ? vector.length : vector.nullCount;
  if (nulls === 0) assert.equal(col.valid, null, `${label}: valid should be null without nulls`);
  else assert.ok(col.valid instanceof Uint8Array && col.valid.length === col.length, `${label}: valid`);
  const typed = ArrayBuffer.isView(col.values);
  assert.equal(col.values.length, col.length, label);
  for (let i = 0; i < col.length; i += 1) {
    // A row of a dictionary column is null where its index is, or where the value it points to is
    // (apache-arrow's isValid looks at the index only).
    const present = !allNull && vector.isValid(i) && (!DataType.isDictionary(vector.type) || vector.get(i) !== null);
    assert.equal(col.valid === null ? 1 : col.valid[i], present ? 1 : 0, `${label}: validity of row ${i}`);
    if (!present) {
      if (!typed) assert.equal(col.values[i], null, `${label}: row ${i} is null`);
      continue;
    }
    let want;
    if (DataType.isDictionary(vector.type)) want = vector.get(i);
    else if (DataType.isBool(vector.type)) want = vector.get(i) ? 1 : 0;
    else if (DataType.isDecimal(vector.type)) continue; // checked against pyarrow's text
    else if (typed) want = raw(vector, i);
    else want = vector.get(i);
    assert.deepEqual(col.values[i], want, `${label}: row ${i}`);
  }
}

/** Reads bytes into the core, checks the batches, and returns the handle and its columns. */
async function decoded(bytes, batches) {
  const handle = value(await api.readTableFromArrayBuffer(bytes));
  if (batches !== undefined) assert.equal(value(await api.getTableInfo(handle)).numBatches, batches);
  return { handle, cols: value(await api.columns(handle)) };
}

for (const [file, batches] of [
  ['types1.arrows', 1],
  ['types3.arrows', 3],
]) {
  test(`every decoded type, with nulls, in ${batches} batch(es), matches apache-arrow and pyarrow`, async () => {
    const bytes = readFileSync(join(dir, file));
    const { handle, cols } = await decoded(bytes, batches);
    const oracle = tableFromIPC(bytes);
    assert.deepEqual(
      cols.map((c) => c.name),
      oracle.schema.fields.map((f) => f.name),
    );
    for (const col of cols) {
      assert.equal(col.type, TYPES[col.name], col.name);
      const storage = STORAGE[col.type] ?? (col.type.startsWith('timestamp') || col.type.startsWith('duration') ? BigInt64Array : Array);
      assert.ok(col.values instanceof storage, `${col.name}: ${col.values.constructor.name}, not ${storage.name}`);
      if (col.name !== 'bom') sameAsArrow(col, oracle.getChild(col.name));
      if (col.name in expected) assert.deepEqual([...col.values], expected[col.name], col.name);
    }
    // Spot checks that do not lean on either oracle.
    const by = Object.fromEntries(cols.map((c) => [c.name, c]));
    assert.deepEqual([...by.bool.values].filter((_, i) => by.bool.valid[i] === 1), [1, 0, 1, 1, 0, 1, 0, 1]);
    assert.equal(by.i64.values[1], -(2n ** 63n));
    assert.equal(by.u64.values[1], 2n ** 64n - 1n);
    assert.equal(by.i64.values[5], 2n ** 53n + 1n);
    assert.ok(Object.is(by.f64.values[4], -0));
    assert.ok(Number.isNaN(by.f64.values[2]));
    assert.equal(by.utf8.values[4], '😀 emoji');
    assert.equal(by.bom.values[0], '\ufeffstarts with a BOM');
    assert.equal(by.bom.values[3], '\ufeff');
    assert.equal(by.dec128.values[1], '-0.0000000001');
    assert.equal(by.dict_i8_utf8.values[1], null, 'a null value of the dictionary is a null row');
    assert.equal(by.dict_i8_utf8.valid[1], 0);
    assert.deepEqual([...by.null.values], new Array(10).fill(null));
    assert.deepEqual([...by.null.valid], new Array(10).fill(0));
    assert.deepEqual(by.fixed_binary.values[0], new Uint8Array([97, 98, 99]));
    assert.equal(by.no_nulls.valid, null);
    value(await api.freeTable(handle));
  });
}

test('one batch: primitive columns are views over one buffer; several: fresh arrays; both outlive the handle', async () => {
  const live = value(await api.liveTableCount());
  const one = await decoded(readFileSync(join(dir, 'types1.arrows')), 1);
  const by1 = Object.fromEntries(one.cols.map((c) => [c.name, c]));
  // Views over the one IPC buffer the core wrote (64-byte aligned buffers: never copied).
  assert.equal(by1.i32.values.buffer, by1.f64.values.buffer);
  assert.equal(by1.i64.values.buffer, by1.ts_ns.values.buffer);
  assert.ok(by1.f64.values.buffer.byteLength > by1.f64.values.byteLength);
  const three = await decoded(readFileSync(join(dir, 'types3.arrows')), 3);
  const by3 = Object.fromEntries(three.cols.map((c) => [c.name, c]));
  assert.notEqual(by3.i32.values.buffer, by3.f64.values.buffer);
  assert.equal(by3.f64.values.buffer.byteLength, by3.f64.values.byteLength);
  const before = [...by1.i32.values];
  value(await api.freeTable(one.handle));
  value(await api.freeTable(three.handle));
  assert.deepEqual([...by1.i32.values], before, 'the arrays are JS memory, independent of the handle');
  assert.deepEqual([...by3.i32.values], before);
  assert.equal(value(await api.liveTableCount()), live);
});

/** A column as pyarrow's `to_pylist` JSON below writes it: integers as text, non-finite floats as Python spells them. */
function asPylist(col) {
  const float = (v) => (Number.isFinite(v) ? v : Number.isNaN(v) ? 'nan' : v > 0 ? 'inf' : '-inf');
  return [...col.values].map((v, i) => {
    if (col.valid !== null && col.valid[i] === 0) return null;
    if (col.type === 'bool') return v === 1;
    if (col.type.startsWith('float')) return float(v);
    return typeof v === 'bigint' || typeof v === 'number' ? String(v) : v;
  });
}

const PYLIST = `
import json, math, pyarrow as pa
def conv(col):
  if pa.types.is_timestamp(col.type) or pa.types.is_date64(col.type) or pa.types.is_duration(col.type): col = col.cast(pa.int64())
  if pa.types.is_date32(col.type): col = col.cast(pa.int32())
  def one(v):
    if isinstance(v, bool) or v is None or isinstance(v, str): return v
    if isinstance(v, int): return str(v)
    if isinstance(v, float): return v if math.isfinite(v) else str(v)
    return v
  return [one(v) for v in col.to_pylist()]
print(json.dumps({c: conv(t.column(c)) for c in t.column_names}))
`;

test('replacement and delta dictionaries and multi-batch streams decode like pyarrow reads them', async () => {
  for (const name of ['dictionary.arrows', 'dictionary_replacement.arrows', 'dictionary_delta.arrows', 'multibatch.arrows']) {
    const rows = JSON.parse(py(`import pyarrow as pa\nt = pa.ipc.open_stream(${JSON.stringify(join(root, 'testdata', 'ipc', name))}).read_all()\n${PYLIST}`));
    const { handle, cols } = await decoded(fixture(name));
    assert.ok(value(await api.getTableInfo(handle)).numBatches > 1, name);
    for (const col of cols) assert.deepEqual(asPylist(col), rows[col.name], `${name}: ${col.name}`);
    value(await api.freeTable(handle));
  }
});

test('tables read from CSV, Parquet (in batches of 100 rows) and the IPC fixtures decode; the oracle reads the core IPC', async () => {
  const parquet = join(root, 'testdata/parquet/row_groups.parquet');
  const sources = [
    ['trips.csv', await api.readCsv(readFileSync(join(root, 'testdata/sample/trips.csv')), { quote: '"' }), 1],
    ['row_groups.parquet', await api.readTableFromArrayBuffer(readFileSync(parquet), { batchSize: 100 }), 0],
    ['primitives.arrows', await api.readTableFromArrayBuffer(fixture('primitives.arrows')), 1],
  ];
  const decimals = JSON.parse(
    py(`import json, pyarrow.parquet as pq\nt = pq.read_table(${JSON.stringify(parquet)})\nprint(json.dumps({c: [None if v is None else format(v, 'f') for v in t.column(c).to_pylist()] for c in t.column_names if c.startswith('decimal')}))`),
  );
  for (const [label, read, batches] of sources) {
    const all = value(read);
    // float16 is refused (see below): compare the rest.
    const names = value(await api.getSchemaSummary(all)).columns.filter((c) => c.arrowType !== 'Float16').map((c) => c.name);
    const handle = value(await api.selectColumns(all, names));
    value(await api.freeTable(all));
    if (batches > 0) assert.equal(value(await api.getTableInfo(handle)).numBatches, batches, label);
    else assert.ok(value(await api.getTableInfo(handle)).numBatches > 1, label);
    const cols = value(await api.columns(handle));
    const oracle = tableFromIPC(value(await api.writeTableToIpc(handle, { format: 'stream' })));
    assert.equal(cols.length, oracle.numCols, label);
    for (const col of cols) sameAsArrow(col, oracle.getChild(col.name));
    if (label.endsWith('parquet')) {
      for (const col of cols.filter((c) => c.name in decimals)) assert.deepEqual([...col.values], decimals[col.name], col.name);
    }
    value(await api.freeTable(handle));
  }
});

test('year-month intervals (which pyarrow cannot build) come back as months', async () => {
  const months = makeVector(makeData({ type: new IntervalYearMonth(), length: 3, nullCount: 1, nullBitmap: new Uint8Array([0b101]), data: new Int32Array([14, 99, -3]) }));
  const handle = value(await api.readTableFromArrayBuffer(tableToIPC(new Table({ ym: months }), 'stream')));
  const [col] = value(await api.columns(handle));
  assert.equal(col.type, 'interval[year_month]');
  assert.ok(col.values instanceof Int32Array);
  assert.deepEqual([col.values[0], col.values[2]], [14, -3]);
  assert.deepEqual([...col.valid], [1, 0, 1]);
  value(await api.freeTable(handle));
});

test('a table without rows gives empty arrays of the right kinds', async () => {
  const read = value(await api.readTableFromArrayBuffer(fixture('empty.arrows')));
  // The fixture's third column is a list: refused like any nested column, so pick the others.
  failure(await api.columns(read), 'unsupported-format');
  const handle = value(await api.selectColumns(read, value(await api.getSchemaSummary(read)).columns.slice(0, 2).map((c) => c.name)));
  const cols = value(await api.columns(handle));
  assert.deepEqual(
    cols.map((c) => [c.type, c.length, c.values.constructor.name, c.valid]),
    [
      ['int64', 0, 'BigInt64Array', null],
      ['utf8', 0, 'Array', null],
    ],
  );
  value(await api.freeTable(handle));
  value(await api.freeTable(read));
});

test('nested, float16 and interval columns are refused with unsupported-format naming the column', async () => {
  const handle = value(await api.readTableFromArrayBuffer(readFileSync(join(dir, 'refused.arrows'))));
  const names = value(await api.getSchemaSummary(handle)).columns.map((c) => c.name);
  const cases = {
    half: /"half" has type float16/,
    span: /"span" has type interval\[month_day_nano\]/,
    tags: /"tags" has type list<int32>/,
    dict_list: /"dict_list" has type list<int8>/,
  };
  for (const [name, message] of Object.entries(cases)) {
    const one = value(await api.selectColumns(handle, ['ok', name]));
    assert.match(failure(await api.columns(one), 'unsupported-format').message, message);
    value(await api.freeTable(one));
  }
  assert.match(failure(await api.columns(handle), 'unsupported-format').message, /"half"/, 'the first refused column is named');
  const nested = value(await api.readTableFromArrayBuffer(fixture('nested.arrows')));
  assert.match(failure(await api.columns(nested), 'unsupported-format').message, /has type list<int32>/);
  for (const [i, type] of ['large_list<utf8>', 'fixed_size_list<float64>[3]', 'struct<a: int32, b: utf8, c: list<bool>>', 'map<struct<key: utf8, value: int64>>'].entries()) {
    const name = value(await api.getSchemaSummary(nested)).columns[i + 1].name;
    const one = value(await api.selectColumns(nested, [name]));
    assert.ok(failure(await api.columns(one), 'unsupported-format').message.includes(`"${name}" has type ${type}`), type);
    value(await api.freeTable(one));
  }
  const ok = value(await api.selectColumns(handle, ['ok']));
  assert.deepEqual([...value(await api.columns(ok))[0].values], [1, 2], 'the others decode once selected');
  for (const h of [ok, nested, handle]) value(await api.freeTable(h));
  assert.ok(names.includes('ok'));
});

test('a freed handle gives closed', async () => {
  const handle = value(await api.readTableFromArrayBuffer(fixture('primitives.arrows')));
  value(await api.freeTable(handle));
  failure(await api.columns(handle), 'closed');
});

test('an analytics query result decodes', async () => {
  value(await analytics.loadAnalytics());
  const session = value(await analytics.createSession());
  const trips = value(await api.readCsv(readFileSync(join(root, 'testdata/sample/trips.csv')), { quote: '"' }));
  value(await analytics.register(session, 'trips', trips));
  const result = value(
    await analytics.query(
      session,
      `SELECT payment, count(*) AS n, avg(fare) AS avg_fare, sum(tip) AS tips, min(pickup) AS first,
              CAST(avg(fare) AS DECIMAL(10, 2)) AS fare2, CAST(min(pickup) AS DATE) AS day,
              CASE WHEN payment = 'cash' THEN NULL ELSE passengers > 2 END AS crowded
       FROM trips GROUP BY payment, passengers > 2 ORDER BY payment, crowded`,
    ),
  );
  const cols = value(await api.columns(result));
  assert.deepEqual(
    cols.map((c) => `${c.name}:${c.type}`),
    ['payment:utf8', 'n:int64', 'avg_fare:float64', 'tips:float64', 'first:timestamp[ms]', 'fare2:decimal128(10, 2)', 'day:date32[day]', 'crowded:bool'],
  );
  const n = cols[1].values;
  assert.equal(n.reduce((a, b) => a + b, 0n), 5000n);
  const oracle = tableFromIPC(value(await api.writeTableToIpc(result, { format: 'stream' })));
  for (const col of cols) sameAsArrow(col, oracle.getChild(col.name));
  // The tips of cash payments are all null, so their sums are null.
  const rows = value(await api.tableRows(result, 100));
  rows.forEach((row, i) => {
    assert.equal(cols[0].values[i], row.payment);
    assert.equal(cols[3].valid === null || cols[3].valid[i] === 1, row.tips !== null);
    assert.equal(cols[5].values[i], row.fare2 === null ? null : Number(row.fare2).toFixed(2));
  });
  assert.ok(cols[3].valid !== null && cols[3].valid.includes(0));
  for (const h of [result, trips]) value(await api.freeTable(h));
  value(analytics.closeSession(session));
});

test('property: random int32, float64 and string columns with nulls, split over batches, come back as written', async () => {
  const row = fc.record({
    i: fc.option(fc.integer({ min: -(2 ** 31), max: 2 ** 31 - 1 }), { nil: null }),
    f: fc.option(fc.double(), { nil: null }),
    s: fc.option(fc.oneof(fc.string(), fc.string({ unit: 'binary' }), fc.string({ unit: 'grapheme' })), { nil: null }),
  });
  await fc.assert(
    fc.asyncProperty(fc.array(row, { maxLength: 60 }), fc.array(row, { maxLength: 60 }), async (a, b) => {
      const handles = [];
      for (const part of [a, b]) {
        const table = new Table({
          i: vectorFromArray(part.map((r) => r.i), new Int32()),
          f: vectorFromArray(part.map((r) => r.f), new Float64()),
          s: vectorFromArray(part.map((r) => r.s), new Utf8()),
        });
        handles.push(value(await api.readTableFromArrayBuffer(tableToIPC(table, 'stream'))));
      }
      const both = value(await api.concatTables(handles));
      assert.equal(value(await api.getTableInfo(both)).numBatches, 2, 'the two parts stay two batches');
      const cols = value(await api.columns(both));
      for (const h of [...handles, both]) value(await api.freeTable(h));
      const rows = [...a, ...b];
      assert.deepEqual(
        cols.map((c) => [c.name, c.type, c.length]),
        [
          ['i', 'int32', rows.length],
          ['f', 'float64', rows.length],
          ['s', 'utf8', rows.length],
        ],
      );
      for (const [k, col] of cols.entries()) {
        const key = col.name;
        const want = rows.map((r) => r[key]);
        assert.equal(col.valid === null, !want.includes(null), `${key}: valid is null exactly when nothing is`);
        want.forEach((v, i) => {
          assert.equal(col.valid === null ? 1 : col.valid[i], v === null ? 0 : 1);
          if (v !== null) assert.ok(Object.is(col.values[i], v), `${key}[${i}]: ${col.values[i]} vs ${v}`);
          else if (k === 2) assert.equal(col.values[i], null);
        });
      }
    }),
    { numRuns: 60 },
  );
});
