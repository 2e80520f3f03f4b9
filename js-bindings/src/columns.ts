/**
 * Whole columns of a table as JS typed arrays (issue 17, "Results to JS"): one array per column
 * instead of one object per row, for charts, numeric work and bulk hand-off.
 *
 * The core writes the table as an uncompressed Arrow IPC stream (one copy, into JS memory); this
 * module decodes that stream itself, flatbuffers and all, so the package keeps no dependency and
 * needs no apache-arrow. Primitive columns of a single-batch table are views over those bytes;
 * everything else is built once from them.
 *
 * ```ts
 * import { initWasm, readTableFromArrayBuffer, columns } from 'arrow-rs-wasm';
 *
 * await initWasm();
 * const read = await readTableFromArrayBuffer(bytes);
 * if (read.ok) {
 *   const cols = await columns(read.value);
 *   if (cols.ok) {
 *     for (const c of cols.value) console.log(c.name, c.type, c.length, c.valid === null ? 'no nulls' : 'nulls');
 *   }
 * }
 * ```
 *
 * @module
 */
import { ipcWriteOptions } from './convert.js';
import { err, ok } from './result.js';
import type { Result } from './result.js';
import { withTable } from './runtime.js';
import type { TableHandle } from './runtime.js';

/** What {@link Column.values} holds: a typed array, or one item per row for text and bytes. */
export type ColumnValues =
  | Int8Array
  | Int16Array
  | Int32Array
  | BigInt64Array
  | Uint8Array
  | Uint16Array
  | Uint32Array
  | BigUint64Array
  | Float32Array
  | Float64Array
  | readonly (string | null)[]
  | readonly (Uint8Array | null)[];

/** The typed arrays a numeric, boolean or temporal column comes back as. */
type Numeric = Exclude<ColumnValues, readonly unknown[]>;

/**
 * One column of a table, decoded into JS memory. It is independent of the table handle: it stays
 * valid after `freeTable` and is never changed by later calls.
 *
 * How each Arrow type comes back, and its {@link Column.type} text:
 *
 * | Arrow type | `type` | `values` |
 * | --- | --- | --- |
 * | Int8…Int64, UInt8…UInt64 | `int8` … `int64`, `uint8` … `uint64` | the matching typed array (64-bit ones as `BigInt64Array`/`BigUint64Array`) |
 * | Float32, Float64 | `float32`, `float64` | `Float32Array`, `Float64Array` |
 * | Boolean | `bool` | `Uint8Array` of 0 and 1 |
 * | Date32, Date64 | `date32[day]`, `date64[ms]` | `Int32Array` of days, `BigInt64Array` of milliseconds since the epoch |
 * | Time32, Time64 | `time32[s]`, `time32[ms]`, `time64[us]`, `time64[ns]` | `Int32Array`, `BigInt64Array` since midnight |
 * | Timestamp | `timestamp[us]`, `timestamp[ns, UTC]`, … (unit, then the zone when there is one) | `BigInt64Array` since the epoch |
 * | Duration | `duration[s]` … `duration[ns]` | `BigInt64Array` |
 * | Interval (year-month) | `interval[year_month]` | `Int32Array` of months |
 * | Decimal32/64/128/256 | `decimal128(10, 2)`, … (precision, scale) | exact decimal text, `'-12.30'`, `null` for nulls |
 * | Utf8, LargeUtf8, Utf8View | `utf8`, `large_utf8`, `utf8_view` | strings, `null` for nulls |
 * | Binary, LargeBinary, BinaryView, FixedSizeBinary | `binary`, `large_binary`, `binary_view`, `fixed_size_binary[16]` | `Uint8Array` per row, `null` for nulls |
 * | Null | `null` | `null` per row |
 * | Dictionary | its value type's text (the column is decoded to its values) | as for the value type |
 *
 * Float16, intervals other than year-month, and nested types (list, struct, map, union, run-end
 * encoded, …) are not decoded: {@link columns} refuses them rather than guess.
 */
export interface Column {
  /** The column's name in the schema. */
  readonly name: string;
  /** The Arrow type of {@link Column.values}, as text (see the table above). */
  readonly type: string;
  /** The number of rows. */
  readonly length: number;
  /**
   * One entry per row. In typed arrays the entries of null rows are unspecified (usually 0): read
   * {@link Column.valid} first. The arrays of one call may share one underlying `ArrayBuffer`
   * (the IPC bytes): primitive columns of a single-batch table are views over it without a copy
   * (unless misaligned), so writing into one writes into that shared memory, and keeping any one
   * of them keeps the whole buffer alive; `Uint8Array` items of binary columns are views too.
   * Columns of several batches are concatenated into fresh arrays.
   */
  readonly values: ColumnValues;
  /** One byte per row, 1 where a value is present and 0 where it is null; `null` when the column has no nulls. */
  readonly valid: Uint8Array | null;
}

// ---------------------------------------------------------------------------------------------
// Flatbuffers, read by hand: a table starts with an offset back to its vtable, whose slots give
// each field's offset from the table (0: absent, so the schema's default applies).

/** The IPC bytes and a DataView over them. */
interface Bytes {
  readonly u8: Uint8Array;
  readonly dv: DataView;
}

/** Position of field `id` of the table at `table`, or 0 when absent. */
function slot(b: Bytes, table: number, id: number): number {
  const vtable = table - b.dv.getInt32(table, true);
  const entry = 4 + 2 * id;
  if (entry >= b.dv.getUint16(vtable, true)) return 0;
  const rel = b.dv.getUint16(vtable + entry, true);
  return rel === 0 ? 0 : table + rel;
}

function fbInt8(b: Bytes, table: number, id: number, fallback: number): number {
  const at = slot(b, table, id);
  return at === 0 ? fallback : b.dv.getUint8(at);
}

function fbInt16(b: Bytes, table: number, id: number, fallback: number): number {
  const at = slot(b, table, id);
  return at === 0 ? fallback : b.dv.getInt16(at, true);
}

function fbInt32(b: Bytes, table: number, id: number, fallback: number): number {
  const at = slot(b, table, id);
  return at === 0 ? fallback : b.dv.getInt32(at, true);
}

function fbInt64(b: Bytes, table: number, id: number): bigint {
  const at = slot(b, table, id);
  return at === 0 ? 0n : b.dv.getBigInt64(at, true);
}

/** The table, string or vector a field points to, or 0 when absent. */
function fbRef(b: Bytes, table: number, id: number): number {
  const at = slot(b, table, id);
  return at === 0 ? 0 : at + b.dv.getUint32(at, true);
}

function fbString(b: Bytes, table: number, id: number): string | undefined {
  const at = fbRef(b, table, id);
  if (at === 0) return undefined;
  return utf8.decode(b.u8.subarray(at + 4, at + 4 + b.dv.getUint32(at, true)));
}

/** A vector field: where its elements start and how many there are (none when absent). */
function fbVector(b: Bytes, table: number, id: number): { readonly start: number; readonly length: number } {
  const at = fbRef(b, table, id);
  return at === 0 ? { start: 0, length: 0 } : { start: at + 4, length: b.dv.getUint32(at, true) };
}

/** The tables of a vector of tables. */
function fbTables(b: Bytes, table: number, id: number): number[] {
  const v = fbVector(b, table, id);
  const out: number[] = [];
  for (let i = 0; i < v.length; i += 1) {
    const at = v.start + 4 * i;
    out.push(at + b.dv.getUint32(at, true));
  }
  return out;
}

// ignoreBOM: a value that starts with U+FEFF keeps it (the default would drop it, and shift every
// later value of a column decoded in one call).
const utf8 = new TextDecoder('utf-8', { ignoreBOM: true });

/** Counts as JS numbers: every length and offset of a table in memory fits in 2^53. */
const num = (v: bigint): number => Number(v);

// ---------------------------------------------------------------------------------------------
// The schema: Schema.fbs's `Type` union, reduced to the layouts decoded here.

/** The Arrow types read as one fixed-width number per row. */
type NumericKind = 'i8' | 'i16' | 'i32' | 'i64' | 'u8' | 'u16' | 'u32' | 'u64' | 'f32' | 'f64';

/** How a flat column is laid out in a record batch, and what it decodes to. */
type Layout =
  | { readonly kind: 'numeric'; readonly numeric: NumericKind }
  | { readonly kind: 'bool' }
  | { readonly kind: 'null' }
  | { readonly kind: 'decimal'; readonly width: number; readonly scale: number }
  | { readonly kind: 'fixed-binary'; readonly width: number }
  | { readonly kind: 'binary'; readonly large: boolean; readonly text: boolean }
  | { readonly kind: 'view'; readonly text: boolean };

/** A column of the schema: its layout, or why it cannot be decoded. */
interface Spec {
  readonly name: string;
  /** The text of {@link Column.type} (for a dictionary, that of its values). */
  readonly type: string;
  /** The values' layout; undefined for a type not decoded. */
  readonly layout: Layout | undefined;
  /** Set for dictionary-encoded columns: the dictionary's id and the indices' layout. */
  readonly dictionary?: { readonly id: bigint; readonly index: NumericKind };
}

const UNITS = ['s', 'ms', 'us', 'ns'];

const NUMERIC: Readonly<Record<NumericKind, { readonly size: number; readonly make: (length: number) => Numeric }>> = {
  i8: { size: 1, make: (n) => new Int8Array(n) },
  i16: { size: 2, make: (n) => new Int16Array(n) },
  i32: { size: 4, make: (n) => new Int32Array(n) },
  i64: { size: 8, make: (n) => new BigInt64Array(n) },
  u8: { size: 1, make: (n) => new Uint8Array(n) },
  u16: { size: 2, make: (n) => new Uint16Array(n) },
  u32: { size: 4, make: (n) => new Uint32Array(n) },
  u64: { size: 8, make: (n) => new BigUint64Array(n) },
  f32: { size: 4, make: (n) => new Float32Array(n) },
  f64: { size: 8, make: (n) => new Float64Array(n) },
};

/** A typed array of `kind` over `count` elements of `buffer` at `byteOffset` (no copy). */
function typedView(kind: NumericKind, buffer: ArrayBuffer, byteOffset: number, count: number): Numeric {
  switch (kind) {
    case 'i8':
      return new Int8Array(buffer, byteOffset, count);
    case 'i16':
      return new Int16Array(buffer, byteOffset, count);
    case 'i32':
      return new Int32Array(buffer, byteOffset, count);
    case 'i64':
      return new BigInt64Array(buffer, byteOffset, count);
    case 'u8':
      return new Uint8Array(buffer, byteOffset, count);
    case 'u16':
      return new Uint16Array(buffer, byteOffset, count);
    case 'u32':
      return new Uint32Array(buffer, byteOffset, count);
    case 'u64':
      return new BigUint64Array(buffer, byteOffset, count);
    case 'f32':
      return new Float32Array(buffer, byteOffset, count);
    case 'f64':
      return new Float64Array(buffer, byteOffset, count);
  }
}

/** The integer kind of an `Int` type table. */
function intKind(b: Bytes, t: number): NumericKind | undefined {
  const bits = fbInt32(b, t, 0, 0);
  const signed = fbInt8(b, t, 1, 0) !== 0;
  const kinds: Record<number, readonly [NumericKind, NumericKind]> = { 8: ['i8', 'u8'], 16: ['i16', 'u16'], 32: ['i32', 'u32'], 64: ['i64', 'u64'] };
  const pair = kinds[bits];
  return pair === undefined ? undefined : signed ? pair[0] : pair[1];
}

const INT_NAMES: Readonly<Record<NumericKind, string>> = {
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
};

/** A field's type: its text and, when decoded here, its layout. */
function fieldType(b: Bytes, field: number): { readonly type: string; readonly layout: Layout | undefined } {
  const typeId = fbInt8(b, field, 2, 0);
  const t = fbRef(b, field, 3);
  const children = (): string[] => fbTables(b, field, 5).map((c) => fieldType(b, c).type);
  const named = (): string[] => fbTables(b, field, 5).map((c) => `${fbString(b, c, 0) ?? ''}: ${fieldType(b, c).type}`);
  const numeric = (kind: NumericKind, type: string): { type: string; layout: Layout } => ({ type, layout: { kind: 'numeric', numeric: kind } });
  const unit = (fallback: number): string => UNITS[fbInt16(b, t, 0, fallback)] ?? '?';
  switch (typeId) {
    case 1:
      return { type: 'null', layout: { kind: 'null' } };
    case 2: {
      const kind = intKind(b, t);
      return kind === undefined ? { type: `int${fbInt32(b, t, 0, 0)}`, layout: undefined } : numeric(kind, INT_NAMES[kind]);
    }
    case 3: {
      const precision = fbInt16(b, t, 0, 0);
      return precision === 1 ? numeric('f32', 'float32') : precision === 2 ? numeric('f64', 'float64') : { type: 'float16', layout: undefined };
    }
    case 4:
      return { type: 'binary', layout: { kind: 'binary', large: false, text: false } };
    case 5:
      return { type: 'utf8', layout: { kind: 'binary', large: false, text: true } };
    case 6:
      return { type: 'bool', layout: { kind: 'bool' } };
    case 7: {
      const bits = fbInt32(b, t, 2, 128);
      const type = `decimal${bits}(${fbInt32(b, t, 0, 0)}, ${fbInt32(b, t, 1, 0)})`;
      const known = bits === 32 || bits === 64 || bits === 128 || bits === 256;
      return { type, layout: known ? { kind: 'decimal', width: bits / 8, scale: fbInt32(b, t, 1, 0) } : undefined };
    }
    case 8:
      return fbInt16(b, t, 0, 1) === 0 ? numeric('i32', 'date32[day]') : numeric('i64', 'date64[ms]');
    case 9: {
      const bits = fbInt32(b, t, 1, 32);
      return numeric(bits === 64 ? 'i64' : 'i32', `time${bits}[${unit(1)}]`);
    }
    case 10: {
      const zone = fbString(b, t, 1);
      return numeric('i64', zone === undefined || zone === '' ? `timestamp[${unit(0)}]` : `timestamp[${unit(0)}, ${zone}]`);
    }
    case 11: {
      const which = fbInt16(b, t, 0, 0);
      return which === 0 ? numeric('i32', 'interval[year_month]') : { type: which === 1 ? 'interval[day_time]' : 'interval[month_day_nano]', layout: undefined };
    }
    case 12:
      return { type: `list<${children().join(', ')}>`, layout: undefined };
    case 13:
      return { type: `struct<${named().join(', ')}>`, layout: undefined };
    case 14:
      return { type: `union<${named().join(', ')}>`, layout: undefined };
    case 15: {
      const width = fbInt32(b, t, 0, 0);
      return { type: `fixed_size_binary[${width}]`, layout: { kind: 'fixed-binary', width } };
    }
    case 16:
      return { type: `fixed_size_list<${children().join(', ')}>[${fbInt32(b, t, 0, 0)}]`, layout: undefined };
    case 17:
      return { type: `map<${children().join(', ')}>`, layout: undefined };
    case 18:
      return numeric('i64', `duration[${unit(1)}]`);
    case 19:
      return { type: 'large_binary', layout: { kind: 'binary', large: true, text: false } };
    case 20:
      return { type: 'large_utf8', layout: { kind: 'binary', large: true, text: true } };
    case 21:
      return { type: `large_list<${children().join(', ')}>`, layout: undefined };
    case 22:
      return { type: `run_end_encoded<${children().join(', ')}>`, layout: undefined };
    case 23:
      return { type: 'binary_view', layout: { kind: 'view', text: false } };
    case 24:
      return { type: 'utf8_view', layout: { kind: 'view', text: true } };
    case 25:
      return { type: `list_view<${children().join(', ')}>`, layout: undefined };
    case 26:
      return { type: `large_list_view<${children().join(', ')}>`, layout: undefined };
    default:
      return { type: `arrow type #${typeId}`, layout: undefined };
  }
}

/** A top-level field of the schema. */
function spec(b: Bytes, field: number): Spec {
  const name = fbString(b, field, 0) ?? '';
  const { type, layout } = fieldType(b, field);
  const encoding = fbRef(b, field, 4);
  if (encoding === 0) return { name, type, layout };
  const indexType = fbRef(b, encoding, 1);
  // Schema.fbs: without an index type the indices are int32.
  const index = indexType === 0 ? 'i32' : intKind(b, indexType);
  if (index === undefined) return { name, type: `dictionary<values=${type}, indices=?>`, layout: undefined };
  return { name, type, layout, dictionary: { id: fbInt64(b, encoding, 0), index } };
}

// ---------------------------------------------------------------------------------------------
// Record batches: each flat column is one field node (length, null count) and its buffers.

/** The decoded rows of one column in one batch (or one dictionary). */
interface Piece {
  readonly length: number;
  readonly values: ColumnValues;
  /** One byte per row, or null when every row is valid. */
  readonly valid: Uint8Array | null;
}

/** A record batch's metadata and where its body starts in the bytes. */
interface Batch {
  readonly b: Bytes;
  readonly body: number;
  readonly bodyLength: number;
  readonly nodes: { readonly start: number; readonly length: number };
  readonly buffers: { readonly start: number; readonly length: number };
  readonly variadic: { readonly start: number; readonly length: number };
  /** The next field node, buffer and variadic count to read. */
  cursor: { node: number; buffer: number; variadic: number };
}

/**
 * Why the bytes cannot be decoded: a bug of the writer or of this reader, never of the data. Thrown
 * only inside the decoder, so that a check deep in a loop ends it at once; {@link columns} turns it
 * (and a DataView's RangeError) into an `internal` Err.
 */
class Malformed extends Error {}

function batchOf(b: Bytes, recordBatch: number, body: number, bodyLength: number): Batch {
  if (fbRef(b, recordBatch, 3) !== 0) throw new Malformed('the record batch is compressed');
  return {
    b,
    body,
    bodyLength,
    nodes: fbVector(b, recordBatch, 1),
    buffers: fbVector(b, recordBatch, 2),
    variadic: fbVector(b, recordBatch, 4),
    cursor: { node: 0, buffer: 0, variadic: 0 },
  };
}

function nextNode(batch: Batch): { readonly length: number; readonly nulls: number } {
  const i = batch.cursor.node;
  if (i >= batch.nodes.length) throw new Malformed('a record batch has fewer field nodes than its schema needs');
  batch.cursor.node += 1;
  const at = batch.nodes.start + 16 * i;
  return { length: num(batch.b.dv.getBigInt64(at, true)), nulls: num(batch.b.dv.getBigInt64(at + 8, true)) };
}

/** The next buffer: its absolute offset in the bytes and its length. */
function nextBuffer(batch: Batch): { readonly at: number; readonly length: number } {
  const i = batch.cursor.buffer;
  if (i >= batch.buffers.length) throw new Malformed('a record batch has fewer buffers than its schema needs');
  batch.cursor.buffer += 1;
  const at = batch.buffers.start + 16 * i;
  const offset = num(batch.b.dv.getBigInt64(at, true));
  const length = num(batch.b.dv.getBigInt64(at + 8, true));
  if (offset < 0 || length < 0 || offset + length > batch.bodyLength) throw new Malformed('a buffer lies outside its message body');
  return { at: batch.body + offset, length };
}

function nextVariadic(batch: Batch): number {
  const i = batch.cursor.variadic;
  if (i >= batch.variadic.length) throw new Malformed('a record batch lacks the variadic buffer count of a view column');
  batch.cursor.variadic += 1;
  return num(batch.b.dv.getBigInt64(batch.variadic.start + 8 * i, true));
}

/** One byte per row from a validity bitmap, or null when the node has no nulls. */
function validity(b: Bytes, buffer: { readonly at: number; readonly length: number }, length: number, nulls: number): Uint8Array | null {
  if (nulls === 0 || buffer.length === 0) return null;
  const out = new Uint8Array(length);
  for (let i = 0; i < length; i += 1) out[i] = ((b.u8[buffer.at + (i >> 3)] ?? 0) >> (i & 7)) & 1;
  return out;
}

/** `count` numbers of `kind` at a buffer: a view when aligned, else a copy. */
function numbers(b: Bytes, kind: NumericKind, buffer: { readonly at: number; readonly length: number }, count: number): Numeric {
  const size = NUMERIC[kind].size;
  if (buffer.length < count * size) throw new Malformed('a data buffer is shorter than its rows');
  const start = b.u8.byteOffset + buffer.at;
  if (start % size === 0) return typedView(kind, b.u8.buffer as ArrayBuffer, start, count);
  return typedView(kind, b.u8.slice(buffer.at, buffer.at + count * size).buffer, 0, count);
}

/** Offsets of a (large) binary column as JS numbers. */
function offsetsOf(b: Bytes, large: boolean, buffer: { readonly at: number; readonly length: number }, count: number): (i: number) => number {
  if (count === 0) return () => 0;
  if (buffer.length < (count + 1) * (large ? 8 : 4)) throw new Malformed('an offsets buffer is shorter than its rows');
  return large ? (i) => num(b.dv.getBigInt64(buffer.at + 8 * i, true)) : (i) => b.dv.getInt32(buffer.at + 4 * i, true);
}

/** Short ASCII text without a TextDecoder call (most cells of most tables); anything else decoded. */
function text(bytes: Uint8Array): string {
  if (bytes.length > 24) return utf8.decode(bytes);
  let out = '';
  for (const c of bytes) {
    if (c >= 0x80) return utf8.decode(bytes);
    out += String.fromCharCode(c);
  }
  return out;
}

/**
 * The strings of a utf8 column, decoded in one TextDecoder call and cut at the offsets. In UTF-16
 * a value starts where the bytes before it, counted as code units, end: every byte but a
 * continuation byte (10xxxxxx) starts one unit, a 4-byte sequence two.
 */
function strings(data: Uint8Array, offset: (i: number) => number, length: number, valid: Uint8Array | null): (string | null)[] {
  const out: (string | null)[] = new Array<string | null>(length);
  if (length === 0) return out;
  const first = offset(0);
  const whole = utf8.decode(data.subarray(first, offset(length)));
  const ascii = whole.length === offset(length) - first;
  let byte = first;
  let unit = 0;
  const unitAt = (target: number): number => {
    if (ascii) return target - first;
    for (; byte < target; byte += 1) {
      const c = data[byte] ?? 0;
      if ((c & 0xc0) !== 0x80) unit += c >= 0xf0 ? 2 : 1;
    }
    return unit;
  };
  let start = unitAt(first);
  for (let i = 0; i < length; i += 1) {
    const end = unitAt(offset(i + 1));
    out[i] = valid !== null && valid[i] === 0 ? null : whole.slice(start, end);
    start = end;
  }
  return out;
}

/** Exact decimal text of the little-endian two's-complement integer of `width` bytes at `at`. */
function decimalText(b: Bytes, at: number, width: number, scale: number): string {
  let v = 0n;
  for (let k = width - 8; k >= 0; k -= 8) v = (v << 64n) | b.dv.getBigUint64(at + k, true);
  if (width === 4) v = BigInt(b.dv.getUint32(at, true));
  const bits = BigInt(width * 8);
  if (v >> (bits - 1n) === 1n) v -= 1n << bits;
  const sign = v < 0n ? '-' : '';
  const digits = (v < 0n ? -v : v).toString();
  if (scale <= 0) return sign + digits + (v === 0n ? '' : '0'.repeat(-scale));
  const padded = digits.padStart(scale + 1, '0');
  return `${sign}${padded.slice(0, padded.length - scale)}.${padded.slice(padded.length - scale)}`;
}

/** Decodes the next flat column of `layout` from a batch. */
function decode(batch: Batch, layout: Layout): Piece {
  const b = batch.b;
  const { length, nulls } = nextNode(batch);
  if (layout.kind === 'null') return { length, values: new Array<null>(length).fill(null), valid: length === 0 ? null : new Uint8Array(length) };
  const valid = validity(b, nextBuffer(batch), length, nulls);
  const isNull = (i: number): boolean => valid !== null && valid[i] === 0;
  switch (layout.kind) {
    case 'numeric':
      return { length, values: numbers(b, layout.numeric, nextBuffer(batch), length), valid };
    case 'bool': {
      const bits = nextBuffer(batch);
      if (bits.length * 8 < length) throw new Malformed('a boolean buffer is shorter than its rows');
      const values = new Uint8Array(length);
      for (let i = 0; i < length; i += 1) values[i] = ((b.u8[bits.at + (i >> 3)] ?? 0) >> (i & 7)) & 1;
      return { length, values, valid };
    }
    case 'decimal': {
      const data = nextBuffer(batch);
      if (data.length < length * layout.width) throw new Malformed('a decimal buffer is shorter than its rows');
      const values: (string | null)[] = [];
      for (let i = 0; i < length; i += 1) values.push(isNull(i) ? null : decimalText(b, data.at + i * layout.width, layout.width, layout.scale));
      return { length, values, valid };
    }
    case 'fixed-binary': {
      const data = nextBuffer(batch);
      if (data.length < length * layout.width) throw new Malformed('a fixed-size binary buffer is shorter than its rows');
      const values: (Uint8Array | null)[] = [];
      for (let i = 0; i < length; i += 1) values.push(isNull(i) ? null : b.u8.subarray(data.at + i * layout.width, data.at + (i + 1) * layout.width));
      return { length, values, valid };
    }
    case 'binary': {
      const offset = offsetsOf(b, layout.large, nextBuffer(batch), length);
      const data = nextBuffer(batch);
      const bytes = b.u8.subarray(data.at, data.at + data.length);
      if (length > 0 && (offset(0) < 0 || offset(length) > bytes.length)) throw new Malformed('offsets point outside their data buffer');
      if (layout.text) return { length, values: strings(bytes, offset, length, valid), valid };
      const values: (Uint8Array | null)[] = [];
      for (let i = 0; i < length; i += 1) values.push(isNull(i) ? null : bytes.subarray(offset(i), offset(i + 1)));
      return { length, values, valid };
    }
    case 'view': {
      const views = nextBuffer(batch);
      if (views.length < 16 * length) throw new Malformed('a views buffer is shorter than its rows');
      const data: Uint8Array[] = [];
      for (let k = nextVariadic(batch); k > 0; k -= 1) {
        const buffer = nextBuffer(batch);
        data.push(b.u8.subarray(buffer.at, buffer.at + buffer.length));
      }
      const item = (i: number): Uint8Array => {
        const at = views.at + 16 * i;
        const size = b.dv.getInt32(at, true);
        if (size <= 12) return b.u8.subarray(at + 4, at + 4 + size);
        const start = b.dv.getInt32(at + 12, true);
        const source = data[b.dv.getInt32(at + 8, true)];
        if (source === undefined || start + size > source.length) throw new Malformed('a view points outside its data buffers');
        return source.subarray(start, start + size);
      };
      const values: (string | Uint8Array | null)[] = [];
      for (let i = 0; i < length; i += 1) values.push(isNull(i) ? null : layout.text ? text(item(i)) : item(i));
      return { length, values: values as (string | null)[], valid };
    }
  }
}

/** Where typed arrays of the same kind can be indexed together (TS cannot relate the union's element types). */
interface Slots {
  [index: number]: number | bigint;
  readonly length: number;
}

/** The dictionary's values at the indices of a batch's column. */
function lookUp(indices: Piece, dictionary: Piece, layout: Layout): Piece {
  const idx: Slots = indices.values as Numeric;
  const length = indices.length;
  const valid = new Uint8Array(length);
  const position = new Array<number>(length);
  let nulls = 0;
  for (let i = 0; i < length; i += 1) {
    const k = Number(idx[i] ?? -1);
    const present = (indices.valid === null || indices.valid[i] === 1) && k >= 0 && k < dictionary.length && (dictionary.valid === null || dictionary.valid[k] === 1);
    if (present) {
      valid[i] = 1;
      position[i] = k;
    } else {
      if (indices.valid !== null && indices.valid[i] === 1 && (k < 0 || k >= dictionary.length)) throw new Malformed('a dictionary index is out of range');
      nulls += 1;
      position[i] = -1;
    }
  }
  const source = dictionary.values;
  let values: ColumnValues;
  if (ArrayBuffer.isView(source)) {
    const out = NUMERIC[layout.kind === 'numeric' ? layout.numeric : 'u8'].make(length);
    const to: Slots = out;
    const from: Slots = source;
    for (let i = 0; i < length; i += 1) {
      const k = position[i] ?? -1;
      if (k >= 0) to[i] = from[k] ?? 0;
    }
    values = out;
  } else {
    const items: readonly (string | Uint8Array | null)[] = source;
    values = position.map((k) => (k >= 0 ? (items[k] ?? null) : null)) as (string | null)[];
  }
  return { length, values, valid: nulls === 0 ? null : valid };
}

/** Pieces one after the other, as one. A single piece is kept as it is (its typed array a view). */
function concat(pieces: readonly Piece[], layout: Layout): Piece {
  const only = pieces[0];
  if (pieces.length === 1 && only !== undefined) return only;
  const length = pieces.reduce((n, p) => n + p.length, 0);
  let valid: Uint8Array | null = null;
  if (pieces.some((p) => p.valid !== null)) {
    valid = new Uint8Array(length).fill(1);
    let at = 0;
    for (const p of pieces) {
      if (p.valid !== null) valid.set(p.valid, at);
      at += p.length;
    }
  }
  if (layout.kind === 'numeric' || layout.kind === 'bool') {
    const out = NUMERIC[layout.kind === 'numeric' ? layout.numeric : 'u8'].make(length);
    let at = 0;
    for (const p of pieces) {
      Reflect.apply(out.set, out, [p.values, at]);
      at += p.length;
    }
    return { length, values: out, valid };
  }
  const items = new Array<string | Uint8Array | null>(length);
  let at = 0;
  for (const p of pieces) {
    const from = p.values as readonly (string | Uint8Array | null)[];
    for (let i = 0; i < p.length; i += 1) items[at + i] = from[i] ?? null;
    at += p.length;
  }
  return { length, values: items as (string | null)[], valid };
}

/** The message framing of an IPC stream: continuation marker, metadata length, flatbuffer, body. */
interface Message {
  readonly headerType: number;
  readonly header: number;
  readonly body: number;
  readonly bodyLength: number;
}

function* messages(b: Bytes): Generator<Message> {
  let at = 0;
  while (at + 4 <= b.u8.length) {
    let size = b.dv.getInt32(at, true);
    at += 4;
    // Streams since Arrow 0.15 put 0xFFFFFFFF before each length; older ones have the length only.
    if (size === -1) {
      if (at + 4 > b.u8.length) return;
      size = b.dv.getInt32(at, true);
      at += 4;
    }
    if (size === 0) return;
    if (size < 0 || at + size > b.u8.length) throw new Malformed('a message runs past the end of the stream');
    const root = at + b.dv.getUint32(at, true);
    const bodyLength = num(fbInt64(b, root, 3));
    const body = at + size;
    if (body + bodyLength > b.u8.length) throw new Malformed('a message body runs past the end of the stream');
    yield { headerType: fbInt8(b, root, 1, 0), header: fbRef(b, root, 2), body, bodyLength };
    at = body + bodyLength;
  }
}

/** Decodes an uncompressed IPC stream into columns, or says which column it cannot decode. */
function decodeStream(bytes: Uint8Array): Result<Column[]> {
  const b: Bytes = { u8: bytes, dv: new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength) };
  let specs: Spec[] | undefined;
  let layouts: Layout[] = [];
  const dictionaries = new Map<bigint, Piece>();
  const pieces: Piece[][] = [];
  for (const m of messages(b)) {
    if (m.headerType === 1) {
      if (fbInt16(b, m.header, 0, 0) !== 0) return err('unsupported-format', 'columns() reads little-endian data only');
      specs = fbTables(b, m.header, 1).map((f) => spec(b, f));
      const refused = specs.find((s) => s.layout === undefined);
      if (refused !== undefined) {
        return err('unsupported-format', `column ${JSON.stringify(refused.name)} has type ${refused.type}, which columns() does not decode; select the other columns first (selectColumns)`);
      }
      layouts = specs.map((s) => s.layout ?? { kind: 'null' });
      specs.forEach(() => pieces.push([]));
    } else if (m.headerType === 2 && specs !== undefined) {
      const id = fbInt64(b, m.header, 0);
      const owner = specs.find((s) => s.dictionary?.id === id);
      if (owner?.layout === undefined) throw new Malformed(`a dictionary batch has the unknown id ${id}`);
      const piece = decode(batchOf(b, fbRef(b, m.header, 1), m.body, m.bodyLength), owner.layout);
      const previous = dictionaries.get(id);
      const delta = fbInt8(b, m.header, 2, 0) !== 0;
      dictionaries.set(id, delta && previous !== undefined ? concat([previous, piece], owner.layout) : piece);
    } else if (m.headerType === 3 && specs !== undefined) {
      const batch = batchOf(b, m.header, m.body, m.bodyLength);
      specs.forEach((s, i) => {
        const layout = layouts[i] ?? { kind: 'null' };
        const dict = s.dictionary;
        if (dict === undefined) {
          pieces[i]?.push(decode(batch, layout));
          return;
        }
        const indices = decode(batch, { kind: 'numeric', numeric: dict.index });
        const values = dictionaries.get(dict.id);
        if (values === undefined) throw new Malformed(`column ${s.name} refers to dictionary ${dict.id}, which was not sent`);
        pieces[i]?.push(lookUp(indices, values, layout));
      });
    }
  }
  if (specs === undefined) throw new Malformed('the stream has no schema');
  return ok(
    specs.map((s, i): Column => {
      const layout = layouts[i] ?? { kind: 'null' };
      const parts = pieces[i] ?? [];
      const whole = parts.length === 0 ? empty(layout) : concat(parts, layout);
      const valid = whole.valid !== null && whole.valid.includes(0) ? whole.valid : null;
      return { name: s.name, type: s.type, length: whole.length, values: whole.values, valid };
    }),
  );
}

/** The values of a column with no rows. */
function empty(layout: Layout): Piece {
  const values = layout.kind === 'numeric' || layout.kind === 'bool' ? NUMERIC[layout.kind === 'numeric' ? layout.numeric : 'u8'].make(0) : [];
  return { length: 0, values, valid: null };
}

/**
 * Every column of a table, in schema order, as typed arrays and arrays of strings or bytes (see
 * {@link Column} for the mapping of each Arrow type): no object per row, so a million rows of
 * numbers cost one array per column.
 *
 * The core writes the table once as an uncompressed IPC stream into JS memory and the columns are
 * read from those bytes. The result is JS memory, independent of the handle: it stays valid
 * after `freeTable`, for as long as you keep it. Primitive columns of a table of one batch are
 * views over the IPC bytes (no second copy); a table of several batches (`getTableInfo` says how
 * many) gets fresh concatenated arrays.
 *
 * Errors: `unsupported-format` naming the first column whose type is not decoded (float16,
 * intervals other than year-month, nested types such as list, struct, map or union; pick the
 * others with `selectColumns` first), `closed` for a freed handle, `stale-handle` after a trap.
 *
 * ```ts
 * const cols = await columns(handle);
 * if (cols.ok) {
 *   const fare = cols.value.find((c) => c.name === 'fare');
 *   if (fare !== undefined && fare.values instanceof Float64Array) {
 *     let sum = 0;
 *     fare.values.forEach((v, i) => { if (fare.valid === null || fare.valid[i] === 1) sum += v; });
 *   }
 * }
 * ```
 */
export async function columns(handle: TableHandle): Promise<Result<Column[]>> {
  const stream = ipcWriteOptions({ format: 'stream', compression: 'none' });
  const bytes = await withTable(handle, (t) => t.writeIpc(stream));
  if (!bytes.ok) return bytes;
  return Promise.resolve(bytes.value)
    .then(decodeStream)
    .then(
      (r) => r,
      (e: unknown) => err('internal', `columns() could not decode the core's IPC stream: ${e instanceof Error ? e.message : String(e)}`),
    );
}
