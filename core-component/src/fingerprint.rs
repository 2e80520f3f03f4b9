//! A table's content fingerprint: a BLAKE3 hash of its *logical* data, stable across batch
//! boundaries, buffer layouts, encodings, containers and arrow-rs versions, for the cache keys
//! of pipeline nodes.
//!
//! [`fingerprint`] (or [`Fingerprinter`], batch by batch) returns `v1-` followed by the 64
//! lowercase hex digits of a BLAKE3-256 digest. The prefix names the canonical encoding below;
//! a change to the encoding gets a new prefix, so keys written by one version are never
//! mistaken for another's. It is `v1-` rather than `v1:` so that a key is a valid file name on
//! every system (`:` is reserved on Windows) and a valid URL path segment as it stands.
//!
//! # What the fingerprint sees
//!
//! Equal for the same logical data, whatever:
//!
//! - the batch boundaries (one batch of 100 rows, batches of 30 + 70, slices of larger batches);
//! - the buffer layout: array offsets, slicing, the bytes under null slots (values, string
//!   bytes, non-empty null lists, the children of null struct slots);
//! - the encoding: a dictionary or run-end encoded column hashes as its decoded values, so it
//!   fingerprints like the plain column of its value type, whatever the index or run-end width
//!   and whatever order the dictionary holds its values in;
//! - the physical variant within a type family, each hashed as one logical type (below);
//! - the container the data was read from (IPC file or stream, compressed or not, Feather,
//!   Parquet): only arrays are hashed.
//!
//! Different when any value, any null position, any column name, the column order, the row
//! count or a logical type differs.
//!
//! Decisions:
//!
//! - **Type families.** `Utf8`, `LargeUtf8` and `Utf8View` are one type, *string*; `Binary`,
//!   `LargeBinary` and `BinaryView` are *binary*; `List`, `LargeList`, `ListView` and
//!   `LargeListView` are *list*; `Decimal32/64/128/256(p, s)` are *decimal(p, s)*; sparse and
//!   dense unions are one *union*. These differ only in offset or storage width or in layout,
//!   which Parquet, IPC producers (pyarrow's `large_string` defaults, view types from DataFusion
//!   or Polars) and JS change freely; the values are the same. String and binary stay apart (the bytes mean
//!   different things), and so do `FixedSizeBinary(n)`, `FixedSizeList(n)`, `Date32` vs
//!   `Date64`, `Time32` vs `Time64`: these change the value domain, not just the layout.
//! - **Dictionaries** are hashed decoded, and `Dictionary(K, V)` has the type of `V`: a
//!   dictionary column and the plain column of the same values fingerprint equal. A Parquet or
//!   Feather round trip changes the index width (pyarrow reads Parquet dictionaries back as
//!   `int32`), and readers decide on their own whether to dictionary-encode; a cache key must
//!   survive both. Run-end encoded columns likewise have the type of their values.
//! - **Nullability** is not part of it: Parquet and CSV round trips and most readers change a
//!   field's `nullable` flag without changing a value. The null *positions* are.
//! - **Metadata** (schema and field) is not part of it, except a field's extension type:
//!   `ARROW:extension:name` and `ARROW:extension:metadata` change the logical type. Child field
//!   names of lists and maps (`item`, `element`, `entries`, `key`, `value`...) are not part of
//!   it either (writers disagree on them); struct and union field names are. `Map`'s
//!   `keys_sorted` flag is a hint about layout and not part of it.
//! - **Floats** hash their IEEE bits, so `-0.0` and `0.0` differ (containers preserve them and
//!   they are distinguishable), except that every NaN (any sign, any payload) hashes as the one
//!   quiet NaN (`0x7e00`, `0x7fc00000`, `0x7ff8000000000000`): NaN payloads are not preserved
//!   by conversions, JS engines or float arithmetic, and no comparison sees them.
//! - **Timestamps** keep their unit and their timezone string verbatim (`"UTC"` and `"+00:00"`
//!   differ: they are different types to Arrow).
//!
//! # The canonical encoding (version 1)
//!
//! Integers are little-endian; `u64(x)` is 8 bytes; `str(s)` is `u64(len) ‖ bytes`; `H(x)` is
//! BLAKE3-256. The digest is
//!
//! ```text
//! H( "arrow-rs-wasm table fingerprint\0" ‖ u64(1) ‖ u64(rows) ‖ u64(columns)
//!    ‖ for each column: str(field(name, type))
//!    ‖ for each column: node(column) )
//! ```
//!
//! **Types.** `field(name, type)` is `str(name) ‖ ext ‖ type`, where `ext` is a byte with bit 0
//! set when `ARROW:extension:name` is present and bit 1 when `ARROW:extension:metadata` is,
//! followed by `str` of each present value in that order. Unnamed fields (list items, map keys
//! and values) omit `str(name)`. `type` is a tag byte and its parameters:
//!
//! | type | encoding |
//! |---|---|
//! | null, boolean | `01`, `02` |
//! | int8/16/32/64, uint8/16/32/64 | `10`..`13`, `14`..`17` |
//! | float16/32/64 | `20`, `21`, `22` |
//! | decimal(p, s), any width | `28 ‖ p ‖ s` |
//! | date32, date64 | `30`, `31` |
//! | time32(u), time64(u), duration(u) | `32 ‖ u`, `33 ‖ u`, `35 ‖ u` (u: s=0 ms=1 us=2 ns=3) |
//! | timestamp(u, tz) | `34 ‖ u ‖ 00`, or `34 ‖ u ‖ 01 ‖ str(tz)` |
//! | interval | `36 ‖ 00` year-month, `01` day-time, `02` month-day-nano |
//! | string, binary | `40`, `41` |
//! | fixed_size_binary(n) | `42 ‖ i64(n)` |
//! | list(item) | `50 ‖ unnamed field` |
//! | fixed_size_list(item, n) | `51 ‖ i64(n) ‖ unnamed field` |
//! | struct | `52 ‖ u64(n) ‖ n named fields` |
//! | map(key, value) | `53 ‖ unnamed key field ‖ unnamed value field` |
//! | union | `54 ‖ u64(n) ‖ n × (type id byte ‖ named field)` |
//!
//! Dictionary and run-end encoded types are encoded as their value type.
//!
//! **Data.** Each column is a tree of nodes mirroring its type: a list node has one child (the
//! items), fixed-size list one, struct one per field, map two (keys, values), union one per
//! field. A node sees a sequence of *slots*: a column's slots are its rows; a list's child sees
//! the items of the valid lists, in order; a union's child sees the slots that select it. Each
//! node writes three byte streams over all its slots, in slot order:
//!
//! - *validity*: one bit per slot, 1 = valid, packed least significant bit first into bytes
//!   (the last byte padded with zeros). A slot is null when the array says so, when it lies
//!   under a null struct slot (however the child's own validity reads), and always for the null
//!   type. Union slots are null only under a null struct slot; a union value's nullness is its
//!   child's.
//! - *values*, for valid slots only: boolean: one bit per value, packed as validity;
//!   fixed-width numbers: their little-endian bytes (int8..uint64, float16/32/64 after NaN
//!   canonicalisation, date/time/timestamp/duration as their stored integer, interval
//!   year-month `i32`, day-time `i32 days ‖ i32 ms`, month-day-nano `i32 months ‖ i32 days ‖
//!   i64 nanos`); decimals: 32-byte two's complement, sign-extended from any width;
//!   fixed-size binary: its bytes; string and binary: the concatenated value bytes; union: the
//!   type id byte.
//! - *lengths*, for valid slots only: `u64` byte length of string and binary values, `u64`
//!   item count of list and map values.
//!
//! A node's digest is
//! `H(tag ‖ u64(slots) ‖ for validity, values, lengths: u64(byte length) ‖ H(stream) ‖
//! u64(children) ‖ the children's digests)`. Every stream is determined slot by slot, so the
//! concatenation over batches is the stream of the whole column; every element of a stream has
//! a length fixed by the type or written in another stream, so no two tables share streams;
//! and the streams, node digests and column encodings are combined with their lengths, so
//! nothing is ambiguous by concatenation.
//!
//! # Speed
//!
//! A null-free fixed-width slice is hashed straight from the array's buffer, and so are the
//! bytes of a run of valid strings; with nulls, the runs of valid slots are. Dictionary and
//! run-end encoded columns are decoded with `take` first, which copies. BLAKE3 itself runs at
//! GB/s natively, so a million-row numeric column takes milliseconds.

use arrow_array::cast::AsArray;
use arrow_array::types::{
    ArrowDictionaryKeyType, Date32Type, Date64Type, Decimal32Type, Decimal64Type, Decimal128Type, Decimal256Type,
    DurationMicrosecondType, DurationMillisecondType, DurationNanosecondType, DurationSecondType, Float16Type,
    Float32Type, Float64Type, Int8Type, Int16Type, Int32Type, Int64Type, IntervalDayTimeType, IntervalMonthDayNanoType,
    IntervalYearMonthType, RunEndIndexType, Time32MillisecondType, Time32SecondType, Time64MicrosecondType,
    Time64NanosecondType, TimestampMicrosecondType, TimestampMillisecondType, TimestampNanosecondType,
    TimestampSecondType, UInt8Type, UInt16Type, UInt32Type, UInt64Type,
};
use arrow_array::{
    Array, ArrayRef, ArrowPrimitiveType, GenericByteArray, GenericListArray, GenericListViewArray, OffsetSizeTrait,
    PrimitiveArray, RecordBatch, UInt64Array, make_array, new_null_array, types::ByteArrayType,
};
use arrow_buffer::{ArrowNativeType, BooleanBuffer, NullBuffer, ToByteSlice, i256};
use arrow_data::transform::MutableArrayData;
use arrow_schema::{DataType, Field, IntervalUnit, Schema, TimeUnit};

use crate::error::{CoreError, Result};

/// The prefix of every fingerprint this version produces: the name of the canonical encoding.
pub const PREFIX: &str = "v1-";

/// The domain separation string that opens the hashed encoding.
const MAGIC: &[u8] = b"arrow-rs-wasm table fingerprint\0";
/// The encoding version hashed after [`MAGIC`]; [`PREFIX`] names it.
const VERSION: u64 = 1;

/// Arrow's half-precision float (the `half` crate's, which this crate does not name).
type F16 = <Float16Type as ArrowPrimitiveType>::Native;

/// Streams buffer small writes up to this many bytes; larger writes go straight to BLAKE3.
const FLUSH_AT: usize = 1 << 16;

/// The fingerprint of a table: [`PREFIX`] and the lowercase hex of a BLAKE3-256 digest of the
/// canonical encoding described in the [module documentation](self).
///
/// Column names and types are taken from `schema`; each batch must have its columns (a
/// column's physical type may differ from the field's within a family, e.g. `LargeUtf8` data
/// under a `Utf8` field, and dictionary-encoded data under a field of the value type).
pub fn fingerprint(schema: &Schema, batches: &[RecordBatch]) -> Result<String> {
    let mut fp = Fingerprinter::new(schema)?;
    for batch in batches {
        fp.update(batch)?;
    }
    Ok(fp.finish())
}

/// An incremental [`fingerprint`]: feed batches as they arrive, then [`finish`](Self::finish).
#[derive(Debug)]
pub struct Fingerprinter {
    names: Vec<String>,
    header: Vec<u8>,
    columns: Vec<Node>,
    rows: u64,
}

impl Fingerprinter {
    /// Starts a fingerprint of a table with this schema.
    pub fn new(schema: &Schema) -> Result<Self> {
        let fields = schema.fields();
        let mut header = Vec::new();
        put_u64(&mut header, fields.len() as u64);
        for field in fields {
            let mut encoded = Vec::new();
            encode_field(field, true, &mut encoded)?;
            put_bytes(&mut header, &encoded);
        }
        let columns = fields.iter().map(|f| Node::new(f.data_type())).collect::<Result<_>>()?;
        let names = fields.iter().map(|f| f.name().clone()).collect();
        Ok(Self { names, header, columns, rows: 0 })
    }

    /// Adds the rows of one batch.
    pub fn update(&mut self, batch: &RecordBatch) -> Result<()> {
        if batch.num_columns() != self.columns.len() {
            return Err(CoreError::SchemaMismatch(format!(
                "a batch has {} columns where the schema has {}",
                batch.num_columns(),
                self.columns.len()
            )));
        }
        for ((node, column), name) in self.columns.iter_mut().zip(batch.columns()).zip(&self.names) {
            node.feed(column.as_ref(), None).map_err(|e| match e {
                CoreError::SchemaMismatch(msg) => CoreError::SchemaMismatch(format!("column {name:?}: {msg}")),
                other => other,
            })?;
        }
        self.rows = self.rows.checked_add(batch.num_rows() as u64).ok_or_else(|| malformed("row count overflows"))?;
        Ok(())
    }

    /// The fingerprint of the rows added so far.
    pub fn finish(self) -> String {
        let mut hasher = blake3::Hasher::new();
        hasher.update(MAGIC);
        hasher.update(&VERSION.to_le_bytes());
        hasher.update(&self.rows.to_le_bytes());
        hasher.update(&self.header);
        for node in self.columns {
            hasher.update(&node.finish());
        }
        format!("{PREFIX}{}", hasher.finalize().to_hex())
    }
}

fn malformed(what: &str) -> CoreError {
    CoreError::Malformed(format!("fingerprint: {what}"))
}

fn put_u64(out: &mut Vec<u8>, v: u64) {
    out.extend_from_slice(&v.to_le_bytes());
}

fn put_bytes(out: &mut Vec<u8>, bytes: &[u8]) {
    put_u64(out, bytes.len() as u64);
    out.extend_from_slice(bytes);
}

// ---------------------------------------------------------------------------------------------
// Type encoding

mod tag {
    pub const NULL: u8 = 0x01;
    pub const BOOLEAN: u8 = 0x02;
    pub const INT8: u8 = 0x10;
    pub const INT16: u8 = 0x11;
    pub const INT32: u8 = 0x12;
    pub const INT64: u8 = 0x13;
    pub const UINT8: u8 = 0x14;
    pub const UINT16: u8 = 0x15;
    pub const UINT32: u8 = 0x16;
    pub const UINT64: u8 = 0x17;
    pub const FLOAT16: u8 = 0x20;
    pub const FLOAT32: u8 = 0x21;
    pub const FLOAT64: u8 = 0x22;
    pub const DECIMAL: u8 = 0x28;
    pub const DATE32: u8 = 0x30;
    pub const DATE64: u8 = 0x31;
    pub const TIME32: u8 = 0x32;
    pub const TIME64: u8 = 0x33;
    pub const TIMESTAMP: u8 = 0x34;
    pub const DURATION: u8 = 0x35;
    pub const INTERVAL: u8 = 0x36;
    pub const STRING: u8 = 0x40;
    pub const BINARY: u8 = 0x41;
    pub const FIXED_SIZE_BINARY: u8 = 0x42;
    pub const LIST: u8 = 0x50;
    pub const FIXED_SIZE_LIST: u8 = 0x51;
    pub const STRUCT: u8 = 0x52;
    pub const MAP: u8 = 0x53;
    pub const UNION: u8 = 0x54;
}

const EXTENSION_NAME: &str = "ARROW:extension:name";
const EXTENSION_METADATA: &str = "ARROW:extension:metadata";

/// `str(name)` when `named`, the extension marker, then the field's type.
fn encode_field(field: &Field, named: bool, out: &mut Vec<u8>) -> Result<()> {
    if named {
        put_bytes(out, field.name().as_bytes());
    }
    let name = field.metadata().get(EXTENSION_NAME);
    let meta = field.metadata().get(EXTENSION_METADATA);
    out.push(u8::from(name.is_some()) | (u8::from(meta.is_some()) << 1));
    for s in [name, meta].into_iter().flatten() {
        put_bytes(out, s.as_bytes());
    }
    encode_type(field.data_type(), true, out)
}

fn unit_byte(unit: &TimeUnit) -> u8 {
    match unit {
        TimeUnit::Second => 0,
        TimeUnit::Millisecond => 1,
        TimeUnit::Microsecond => 2,
        TimeUnit::Nanosecond => 3,
    }
}

/// The logical type of `dt`: dictionary and run-end encodings stripped.
fn logical(mut dt: &DataType) -> &DataType {
    loop {
        match dt {
            DataType::Dictionary(_, values) => dt = values,
            DataType::RunEndEncoded(_, values) => dt = values.data_type(),
            other => return other,
        }
    }
}

/// The key and value fields of a map's entries.
fn map_fields(entries: &Field) -> Result<(&Field, &Field)> {
    match entries.data_type() {
        DataType::Struct(fields) => match &fields[..] {
            [k, v] => Ok((k.as_ref(), v.as_ref())),
            _ => Err(malformed("map entries are not a struct of two fields")),
        },
        _ => Err(malformed("map entries are not a struct")),
    }
}

/// The type encoding of the module documentation. With `deep == false`, children are left out:
/// what remains is a node's *shape*, which data fed to the node must match.
fn encode_type(dt: &DataType, deep: bool, out: &mut Vec<u8>) -> Result<()> {
    match logical(dt) {
        DataType::Null => out.push(tag::NULL),
        DataType::Boolean => out.push(tag::BOOLEAN),
        DataType::Int8 => out.push(tag::INT8),
        DataType::Int16 => out.push(tag::INT16),
        DataType::Int32 => out.push(tag::INT32),
        DataType::Int64 => out.push(tag::INT64),
        DataType::UInt8 => out.push(tag::UINT8),
        DataType::UInt16 => out.push(tag::UINT16),
        DataType::UInt32 => out.push(tag::UINT32),
        DataType::UInt64 => out.push(tag::UINT64),
        DataType::Float16 => out.push(tag::FLOAT16),
        DataType::Float32 => out.push(tag::FLOAT32),
        DataType::Float64 => out.push(tag::FLOAT64),
        DataType::Decimal32(p, s)
        | DataType::Decimal64(p, s)
        | DataType::Decimal128(p, s)
        | DataType::Decimal256(p, s) => out.extend_from_slice(&[tag::DECIMAL, *p, s.to_le_bytes()[0]]),
        DataType::Date32 => out.push(tag::DATE32),
        DataType::Date64 => out.push(tag::DATE64),
        DataType::Time32(u) => out.extend_from_slice(&[tag::TIME32, unit_byte(u)]),
        DataType::Time64(u) => out.extend_from_slice(&[tag::TIME64, unit_byte(u)]),
        DataType::Duration(u) => out.extend_from_slice(&[tag::DURATION, unit_byte(u)]),
        DataType::Timestamp(u, tz) => {
            out.extend_from_slice(&[tag::TIMESTAMP, unit_byte(u)]);
            match tz {
                None => out.push(0),
                Some(tz) => {
                    out.push(1);
                    put_bytes(out, tz.as_bytes());
                }
            }
        }
        DataType::Interval(i) => out.extend_from_slice(&[
            tag::INTERVAL,
            match i {
                IntervalUnit::YearMonth => 0,
                IntervalUnit::DayTime => 1,
                IntervalUnit::MonthDayNano => 2,
            },
        ]),
        DataType::Utf8 | DataType::LargeUtf8 | DataType::Utf8View => out.push(tag::STRING),
        DataType::Binary | DataType::LargeBinary | DataType::BinaryView => out.push(tag::BINARY),
        DataType::FixedSizeBinary(n) => {
            out.push(tag::FIXED_SIZE_BINARY);
            out.extend_from_slice(&i64::from(*n).to_le_bytes());
        }
        DataType::List(f) | DataType::LargeList(f) | DataType::ListView(f) | DataType::LargeListView(f) => {
            out.push(tag::LIST);
            if deep {
                encode_field(f, false, out)?;
            }
        }
        DataType::FixedSizeList(f, n) => {
            out.push(tag::FIXED_SIZE_LIST);
            out.extend_from_slice(&i64::from(*n).to_le_bytes());
            if deep {
                encode_field(f, false, out)?;
            }
        }
        DataType::Struct(fields) => {
            out.push(tag::STRUCT);
            put_u64(out, fields.len() as u64);
            if deep {
                for f in fields {
                    encode_field(f, true, out)?;
                }
            }
        }
        DataType::Map(entries, _sorted) => {
            out.push(tag::MAP);
            let (key, value) = map_fields(entries)?;
            if deep {
                encode_field(key, false, out)?;
                encode_field(value, false, out)?;
            }
        }
        DataType::Union(fields, _mode) => {
            out.push(tag::UNION);
            put_u64(out, fields.len() as u64);
            for (id, f) in fields.iter() {
                out.extend_from_slice(&id.to_le_bytes());
                if deep {
                    encode_field(f, true, out)?;
                }
            }
        }
        // `logical` strips these.
        DataType::Dictionary(..) | DataType::RunEndEncoded(..) => {
            return Err(CoreError::Internal("fingerprint: an encoding left after stripping".into()));
        }
    }
    Ok(())
}

// ---------------------------------------------------------------------------------------------
// Streams

/// One BLAKE3 stream, buffering small writes.
#[derive(Debug)]
struct Stream {
    hasher: blake3::Hasher,
    buf: Vec<u8>,
    len: u64,
}

impl Stream {
    fn new() -> Self {
        Self { hasher: blake3::Hasher::new(), buf: Vec::new(), len: 0 }
    }

    fn write(&mut self, bytes: &[u8]) {
        if bytes.len() >= FLUSH_AT / 4 {
            self.flush();
            self.hasher.update(bytes);
            self.len += bytes.len() as u64;
        } else {
            self.buf.extend_from_slice(bytes);
            if self.buf.len() >= FLUSH_AT {
                self.flush();
            }
        }
    }

    /// Writes a native value's little-endian bytes.
    fn write_le<T: ArrowNativeType>(&mut self, v: T) {
        if cfg!(target_endian = "little") {
            self.write(v.to_byte_slice());
        } else {
            let mut bytes = v.to_byte_slice().to_vec();
            bytes.reverse();
            self.write(&bytes);
        }
    }

    /// Writes native values' little-endian bytes: straight from the slice on little-endian
    /// targets.
    fn write_le_slice<T: ArrowNativeType>(&mut self, values: &[T]) {
        if cfg!(target_endian = "little") {
            self.write(values.to_byte_slice());
        } else {
            for &v in values {
                self.write_le(v);
            }
        }
    }

    fn flush(&mut self) {
        if !self.buf.is_empty() {
            self.hasher.update(&self.buf);
            self.len += self.buf.len() as u64;
            self.buf.clear();
        }
    }

    fn finish(mut self) -> (u64, [u8; 32]) {
        self.flush();
        (self.len, *self.hasher.finalize().as_bytes())
    }
}

/// A stream of bits, packed least significant bit first; also writable as bytes when a node
/// uses it for bytes only.
#[derive(Debug)]
struct BitStream {
    stream: Stream,
    acc: u64,
    /// Bits pending in `acc`, always below 64.
    pending: u32,
}

impl BitStream {
    fn new() -> Self {
        Self { stream: Stream::new(), acc: 0, pending: 0 }
    }

    /// Appends the low `n` bits of `word`, `1 <= n <= 64`.
    fn push_word(&mut self, word: u64, n: u32) {
        let word = if n >= 64 { word } else { word & ((1_u64 << n) - 1) };
        self.acc |= word << self.pending;
        let total = self.pending + n;
        if total >= 64 {
            self.stream.write(&self.acc.to_le_bytes());
            self.acc = if self.pending == 0 { 0 } else { word >> (64 - self.pending) };
            self.pending = total - 64;
        } else {
            self.pending = total;
        }
    }

    fn push_bits(&mut self, bits: &BooleanBuffer) {
        let chunks = bits.bit_chunks();
        for word in chunks.iter() {
            self.push_word(word, 64);
        }
        let rest = chunks.remainder_len();
        if rest > 0 {
            self.push_word(chunks.remainder_bits(), rest as u32);
        }
    }

    fn push_constant(&mut self, bit: bool, n: usize) {
        let word = if bit { u64::MAX } else { 0 };
        for _ in 0..n / 64 {
            self.push_word(word, 64);
        }
        let rest = n % 64;
        if rest > 0 {
            self.push_word(word, rest as u32);
        }
    }

    fn push_validity(&mut self, validity: Option<&NullBuffer>, len: usize) {
        match validity {
            Some(nulls) => self.push_bits(nulls.inner()),
            None => self.push_constant(true, len),
        }
    }

    fn finish(mut self) -> (u64, [u8; 32]) {
        if self.pending > 0 {
            let bytes = self.acc.to_le_bytes();
            let n = self.pending.div_ceil(8) as usize;
            self.stream.write(bytes.get(..n).unwrap_or(&bytes));
        }
        self.stream.finish()
    }
}

// ---------------------------------------------------------------------------------------------
// Nodes

/// The hashing state of one node of a column's type tree.
#[derive(Debug)]
struct Node {
    /// The logical type, for messages.
    data_type: DataType,
    /// `encode_type(.., deep = false)`: what fed arrays must match.
    shape: Vec<u8>,
    /// The last array type that matched `shape`.
    checked: Option<DataType>,
    slots: u64,
    validity: BitStream,
    values: BitStream,
    lengths: Stream,
    children: Vec<Node>,
}

impl Node {
    fn new(dt: &DataType) -> Result<Self> {
        let dt = logical(dt);
        let mut shape = Vec::new();
        encode_type(dt, false, &mut shape)?;
        let children = match dt {
            DataType::List(f)
            | DataType::LargeList(f)
            | DataType::ListView(f)
            | DataType::LargeListView(f)
            | DataType::FixedSizeList(f, _) => vec![Node::new(f.data_type())?],
            DataType::Struct(fields) => fields.iter().map(|f| Node::new(f.data_type())).collect::<Result<_>>()?,
            DataType::Map(entries, _) => {
                let (k, v) = map_fields(entries)?;
                vec![Node::new(k.data_type())?, Node::new(v.data_type())?]
            }
            DataType::Union(fields, _) => {
                fields.iter().map(|(_, f)| Node::new(f.data_type())).collect::<Result<_>>()?
            }
            _ => Vec::new(),
        };
        Ok(Self {
            data_type: dt.clone(),
            shape,
            checked: None,
            slots: 0,
            validity: BitStream::new(),
            values: BitStream::new(),
            lengths: Stream::new(),
            children,
        })
    }

    fn finish(self) -> [u8; 32] {
        let mut h = blake3::Hasher::new();
        h.update(self.shape.get(..1).unwrap_or_default());
        h.update(&self.slots.to_le_bytes());
        for (len, digest) in [self.validity.finish(), self.values.finish(), self.lengths.finish()] {
            h.update(&len.to_le_bytes());
            h.update(&digest);
        }
        h.update(&(self.children.len() as u64).to_le_bytes());
        for child in self.children {
            h.update(&child.finish());
        }
        *h.finalize().as_bytes()
    }

    fn check(&mut self, dt: &DataType) -> Result<()> {
        if self.checked.as_ref() == Some(dt) {
            return Ok(());
        }
        let mut shape = Vec::new();
        encode_type(dt, false, &mut shape)?;
        if shape != self.shape {
            return Err(CoreError::SchemaMismatch(format!("{dt} data where the schema has {}", self.data_type)));
        }
        self.checked = Some(dt.clone());
        Ok(())
    }

    /// Hashes the slots of `array`; `mask`, as long as the array, nulls out more slots (a null
    /// struct parent's).
    fn feed(&mut self, array: &dyn Array, mask: Option<&NullBuffer>) -> Result<()> {
        match array.data_type() {
            DataType::Dictionary(..) => return self.feed(decode_dictionary(array)?.as_ref(), mask),
            DataType::RunEndEncoded(..) => return self.feed(decode_run_ends(array)?.as_ref(), mask),
            _ => {}
        }
        self.check(array.data_type())?;
        let len = array.len();
        self.slots = self.slots.checked_add(len as u64).ok_or_else(|| malformed("slot count overflows"))?;
        match array.data_type() {
            DataType::Null => {
                self.validity.push_constant(false, len);
                return Ok(());
            }
            DataType::Union(..) => return self.feed_union(array, mask),
            _ => {}
        }
        let validity = NullBuffer::union(array.nulls(), mask);
        self.validity.push_validity(validity.as_ref(), len);
        let ranges = valid_ranges(validity.as_ref(), len);
        let values = &mut self.values.stream;
        match array.data_type() {
            DataType::Boolean => {
                let a = array.as_boolean_opt().ok_or_else(|| downcast(array))?;
                for &(s, e) in &ranges {
                    self.values.push_bits(&a.values().slice(s, e - s));
                }
            }
            DataType::Int8 => ints(values, prim::<Int8Type>(array)?, &ranges)?,
            DataType::Int16 => ints(values, prim::<Int16Type>(array)?, &ranges)?,
            DataType::Int32 => ints(values, prim::<Int32Type>(array)?, &ranges)?,
            DataType::Int64 => ints(values, prim::<Int64Type>(array)?, &ranges)?,
            DataType::UInt8 => ints(values, prim::<UInt8Type>(array)?, &ranges)?,
            DataType::UInt16 => ints(values, prim::<UInt16Type>(array)?, &ranges)?,
            DataType::UInt32 => ints(values, prim::<UInt32Type>(array)?, &ranges)?,
            DataType::UInt64 => ints(values, prim::<UInt64Type>(array)?, &ranges)?,
            DataType::Float16 => {
                floats(values, prim::<Float16Type>(array)?, &ranges, |v: F16| v.is_nan(), F16::from_bits(0x7e00))?
            }
            DataType::Float32 => {
                floats(values, prim::<Float32Type>(array)?, &ranges, f32::is_nan, f32::from_bits(0x7fc0_0000))?
            }
            DataType::Float64 => floats(
                values,
                prim::<Float64Type>(array)?,
                &ranges,
                f64::is_nan,
                f64::from_bits(0x7ff8_0000_0000_0000),
            )?,
            DataType::Decimal32(..) => {
                each(values, prim::<Decimal32Type>(array)?, &ranges, |s, v| decimal(s, i256::from_i128(i128::from(v))))?
            }
            DataType::Decimal64(..) => {
                each(values, prim::<Decimal64Type>(array)?, &ranges, |s, v| decimal(s, i256::from_i128(i128::from(v))))?
            }
            DataType::Decimal128(..) => {
                each(values, prim::<Decimal128Type>(array)?, &ranges, |s, v| decimal(s, i256::from_i128(v)))?
            }
            DataType::Decimal256(..) => each(values, prim::<Decimal256Type>(array)?, &ranges, decimal)?,
            DataType::Date32 => ints(values, prim::<Date32Type>(array)?, &ranges)?,
            DataType::Date64 => ints(values, prim::<Date64Type>(array)?, &ranges)?,
            DataType::Time32(TimeUnit::Second) => ints(values, prim::<Time32SecondType>(array)?, &ranges)?,
            DataType::Time32(TimeUnit::Millisecond) => ints(values, prim::<Time32MillisecondType>(array)?, &ranges)?,
            DataType::Time64(TimeUnit::Microsecond) => ints(values, prim::<Time64MicrosecondType>(array)?, &ranges)?,
            DataType::Time64(TimeUnit::Nanosecond) => ints(values, prim::<Time64NanosecondType>(array)?, &ranges)?,
            DataType::Timestamp(TimeUnit::Second, _) => ints(values, prim::<TimestampSecondType>(array)?, &ranges)?,
            DataType::Timestamp(TimeUnit::Millisecond, _) => {
                ints(values, prim::<TimestampMillisecondType>(array)?, &ranges)?
            }
            DataType::Timestamp(TimeUnit::Microsecond, _) => {
                ints(values, prim::<TimestampMicrosecondType>(array)?, &ranges)?
            }
            DataType::Timestamp(TimeUnit::Nanosecond, _) => {
                ints(values, prim::<TimestampNanosecondType>(array)?, &ranges)?
            }
            DataType::Duration(TimeUnit::Second) => ints(values, prim::<DurationSecondType>(array)?, &ranges)?,
            DataType::Duration(TimeUnit::Millisecond) => {
                ints(values, prim::<DurationMillisecondType>(array)?, &ranges)?
            }
            DataType::Duration(TimeUnit::Microsecond) => {
                ints(values, prim::<DurationMicrosecondType>(array)?, &ranges)?
            }
            DataType::Duration(TimeUnit::Nanosecond) => ints(values, prim::<DurationNanosecondType>(array)?, &ranges)?,
            DataType::Interval(IntervalUnit::YearMonth) => {
                ints(values, prim::<IntervalYearMonthType>(array)?, &ranges)?
            }
            DataType::Interval(IntervalUnit::DayTime) => {
                each(values, prim::<IntervalDayTimeType>(array)?, &ranges, |s, v| {
                    s.write(&v.days.to_le_bytes());
                    s.write(&v.milliseconds.to_le_bytes());
                })?
            }
            DataType::Interval(IntervalUnit::MonthDayNano) => {
                each(values, prim::<IntervalMonthDayNanoType>(array)?, &ranges, |s, v| {
                    s.write(&v.months.to_le_bytes());
                    s.write(&v.days.to_le_bytes());
                    s.write(&v.nanoseconds.to_le_bytes());
                })?
            }
            DataType::Utf8 => byte_array(
                values,
                &mut self.lengths,
                array.as_string_opt::<i32>().ok_or_else(|| downcast(array))?,
                &ranges,
            )?,
            DataType::LargeUtf8 => byte_array(
                values,
                &mut self.lengths,
                array.as_string_opt::<i64>().ok_or_else(|| downcast(array))?,
                &ranges,
            )?,
            DataType::Binary => byte_array(
                values,
                &mut self.lengths,
                array.as_binary_opt::<i32>().ok_or_else(|| downcast(array))?,
                &ranges,
            )?,
            DataType::LargeBinary => byte_array(
                values,
                &mut self.lengths,
                array.as_binary_opt::<i64>().ok_or_else(|| downcast(array))?,
                &ranges,
            )?,
            DataType::Utf8View => {
                let a = array.as_string_view_opt().ok_or_else(|| downcast(array))?;
                for i in ranges.iter().flat_map(|&(s, e)| s..e) {
                    let v = a.value(i).as_bytes();
                    self.lengths.write(&(v.len() as u64).to_le_bytes());
                    values.write(v);
                }
            }
            DataType::BinaryView => {
                let a = array.as_binary_view_opt().ok_or_else(|| downcast(array))?;
                for i in ranges.iter().flat_map(|&(s, e)| s..e) {
                    let v = a.value(i);
                    self.lengths.write(&(v.len() as u64).to_le_bytes());
                    values.write(v);
                }
            }
            DataType::FixedSizeBinary(_) => {
                let a = array.as_fixed_size_binary_opt().ok_or_else(|| downcast(array))?;
                let width = a.value_size();
                for &(s, e) in &ranges {
                    let bytes = s
                        .checked_mul(width)
                        .zip(e.checked_mul(width))
                        .and_then(|(from, to)| a.value_data().get(from..to))
                        .ok_or_else(|| malformed("fixed-size binary values out of bounds"))?;
                    values.write(bytes);
                }
            }
            DataType::List(_) => {
                let a = array.as_list_opt::<i32>().ok_or_else(|| downcast(array))?;
                self.feed_list(a, &ranges)?
            }
            DataType::LargeList(_) => {
                let a = array.as_list_opt::<i64>().ok_or_else(|| downcast(array))?;
                self.feed_list(a, &ranges)?
            }
            DataType::ListView(_) => {
                let a = array.as_list_view_opt::<i32>().ok_or_else(|| downcast(array))?;
                self.feed_list_view(a, &ranges)?
            }
            DataType::LargeListView(_) => {
                let a = array.as_list_view_opt::<i64>().ok_or_else(|| downcast(array))?;
                self.feed_list_view(a, &ranges)?
            }
            DataType::FixedSizeList(..) => {
                let a = array.as_fixed_size_list_opt().ok_or_else(|| downcast(array))?;
                let size = usize::try_from(a.value_length()).map_err(|_| malformed("negative list size"))?;
                let mut child = Vec::new();
                for &(s, e) in &ranges {
                    let from = s.checked_mul(size).ok_or_else(|| malformed("list size overflows"))?;
                    let to = e.checked_mul(size).ok_or_else(|| malformed("list size overflows"))?;
                    push_range(&mut child, from, to - from);
                }
                let node = self.children.first_mut().ok_or_else(|| internal("list node without child"))?;
                node.feed_ranges(a.values(), &child)?;
            }
            DataType::Map(..) => {
                let a = array.as_map_opt().ok_or_else(|| downcast(array))?;
                let child = offsets_to_ranges(&mut self.lengths, a.value_offsets(), &ranges)?;
                let entries = a.entries();
                let [keys, vals] = self.children.as_mut_slice() else {
                    return Err(internal("map node without two children"));
                };
                for (start, n) in child {
                    if start.checked_add(n).is_none_or(|end| end > entries.len()) {
                        return Err(malformed("map entries out of bounds"));
                    }
                    let slice = entries.slice(start, n);
                    let [k, v] = slice.columns() else {
                        return Err(malformed("map entries are not a struct of two fields"));
                    };
                    keys.feed(k.as_ref(), slice.nulls())?;
                    vals.feed(v.as_ref(), slice.nulls())?;
                }
            }
            DataType::Struct(_) => {
                let a = array.as_struct_opt().ok_or_else(|| downcast(array))?;
                if a.columns().len() != self.children.len() {
                    return Err(internal("struct node with the wrong number of children"));
                }
                let child_mask = validity.as_ref().filter(|v| v.null_count() > 0);
                for (node, column) in self.children.iter_mut().zip(a.columns()) {
                    node.feed(column.as_ref(), child_mask)?;
                }
            }
            other => {
                return Err(CoreError::UnsupportedFormat(format!("fingerprint: {other} columns are not supported")));
            }
        }
        Ok(())
    }

    fn feed_list<O: OffsetSizeTrait>(&mut self, a: &GenericListArray<O>, ranges: &[(usize, usize)]) -> Result<()> {
        let child = offsets_to_ranges(&mut self.lengths, a.value_offsets(), ranges)?;
        let node = self.children.first_mut().ok_or_else(|| internal("list node without child"))?;
        node.feed_ranges(a.values(), &child)
    }

    fn feed_list_view<O: OffsetSizeTrait>(
        &mut self,
        a: &GenericListViewArray<O>,
        ranges: &[(usize, usize)],
    ) -> Result<()> {
        let mut child = Vec::new();
        for i in ranges.iter().flat_map(|&(s, e)| s..e) {
            let offset = a.offsets().get(i).and_then(|o| o.to_usize());
            let size = a.sizes().get(i).and_then(|o| o.to_usize());
            let (Some(offset), Some(size)) = (offset, size) else {
                return Err(malformed("list view offsets or sizes out of bounds"));
            };
            self.lengths.write(&(size as u64).to_le_bytes());
            push_range(&mut child, offset, size);
        }
        let node = self.children.first_mut().ok_or_else(|| internal("list node without child"))?;
        node.feed_ranges(a.values(), &child)
    }

    fn feed_union(&mut self, array: &dyn Array, mask: Option<&NullBuffer>) -> Result<()> {
        let a = array.as_union_opt().ok_or_else(|| downcast(array))?;
        let len = a.len();
        self.validity.push_validity(mask, len);
        let (fields, type_ids, offsets, children) = a.clone().into_parts();
        // Type id (0..=127) to position among the union's fields.
        let mut position = [None; 128];
        for (k, (id, _)) in fields.iter().enumerate() {
            if let Some(slot) = usize::try_from(id).ok().and_then(|id| position.get_mut(id)) {
                *slot = Some(k);
            }
        }
        let mut child_ranges = vec![Vec::new(); children.len()];
        for i in valid_ranges(mask, len).into_iter().flat_map(|(s, e)| s..e) {
            let id = *type_ids.get(i).ok_or_else(|| malformed("union type ids out of bounds"))?;
            self.values.stream.write(&id.to_le_bytes());
            let k = usize::try_from(id)
                .ok()
                .and_then(|id| position.get(id).copied().flatten())
                .ok_or_else(|| malformed("union type id not among its fields"))?;
            let at = match &offsets {
                Some(o) => o.get(i).and_then(|o| usize::try_from(*o).ok()),
                None => Some(i),
            }
            .ok_or_else(|| malformed("union offsets out of bounds"))?;
            push_range(child_ranges.get_mut(k).ok_or_else(|| internal("union child missing"))?, at, 1);
        }
        if children.len() != self.children.len() {
            return Err(internal("union node with the wrong number of children"));
        }
        for ((node, child), ranges) in self.children.iter_mut().zip(&children).zip(&child_ranges) {
            node.feed_ranges(child, ranges)?;
        }
        Ok(())
    }

    /// Feeds `(start, length)` ranges of `child`, in order.
    fn feed_ranges(&mut self, child: &ArrayRef, ranges: &[(usize, usize)]) -> Result<()> {
        for &(start, n) in ranges {
            if start == 0 && n == child.len() {
                self.feed(child.as_ref(), None)?;
                continue;
            }
            if start.checked_add(n).is_none_or(|end| end > child.len()) {
                return Err(malformed("child range out of bounds"));
            }
            self.feed(child.slice(start, n).as_ref(), None)?;
        }
        Ok(())
    }
}

fn internal(what: &str) -> CoreError {
    CoreError::Internal(format!("fingerprint: {what}"))
}

fn downcast(array: &dyn Array) -> CoreError {
    internal(&format!("a {} array of an unexpected class", array.data_type()))
}

fn prim<T: ArrowPrimitiveType>(array: &dyn Array) -> Result<&[T::Native]> {
    Ok(array.as_primitive_opt::<T>().ok_or_else(|| downcast(array))?.values())
}

/// The runs of valid slots, as `(start, end)`.
fn valid_ranges(validity: Option<&NullBuffer>, len: usize) -> Vec<(usize, usize)> {
    match validity {
        Some(nulls) if nulls.null_count() > 0 => nulls.valid_slices().collect(),
        _ if len == 0 => Vec::new(),
        _ => vec![(0, len)],
    }
}

/// Appends `(start, n)` to `ranges`, merging it with the last range when they touch.
fn push_range(ranges: &mut Vec<(usize, usize)>, start: usize, n: usize) {
    if n == 0 {
        return;
    }
    if let Some(last) = ranges.last_mut()
        && last.0.checked_add(last.1) == Some(start)
    {
        last.1 += n;
        return;
    }
    ranges.push((start, n));
}

fn ints<T: ArrowNativeType>(stream: &mut Stream, values: &[T], ranges: &[(usize, usize)]) -> Result<()> {
    for &(s, e) in ranges {
        stream.write_le_slice(values.get(s..e).ok_or_else(|| malformed("values out of bounds"))?);
    }
    Ok(())
}

fn floats<T: ArrowNativeType>(
    stream: &mut Stream,
    values: &[T],
    ranges: &[(usize, usize)],
    is_nan: impl Fn(T) -> bool,
    nan: T,
) -> Result<()> {
    for &(s, e) in ranges {
        let chunk = values.get(s..e).ok_or_else(|| malformed("values out of bounds"))?;
        if chunk.iter().any(|&v| is_nan(v)) {
            for &v in chunk {
                stream.write_le(if is_nan(v) { nan } else { v });
            }
        } else {
            stream.write_le_slice(chunk);
        }
    }
    Ok(())
}

fn each<T: ArrowNativeType>(
    stream: &mut Stream,
    values: &[T],
    ranges: &[(usize, usize)],
    write: impl Fn(&mut Stream, T),
) -> Result<()> {
    for &(s, e) in ranges {
        for &v in values.get(s..e).ok_or_else(|| malformed("values out of bounds"))? {
            write(stream, v);
        }
    }
    Ok(())
}

fn decimal(stream: &mut Stream, v: i256) {
    stream.write(&v.to_le_bytes());
}

/// Writes the `u64` lengths of the valid slots of an offsets array and returns the ranges of
/// child items they cover, merged.
fn offsets_to_ranges<O: ArrowNativeType>(
    lengths: &mut Stream,
    offsets: &[O],
    ranges: &[(usize, usize)],
) -> Result<Vec<(usize, usize)>> {
    let mut child = Vec::new();
    for &(s, e) in ranges {
        let window = offsets.get(s..=e).ok_or_else(|| malformed("offsets out of bounds"))?;
        let mut items = window.iter().map(|o| o.to_usize().ok_or_else(|| malformed("negative offset")));
        let first = items.next().transpose()?.ok_or_else(|| malformed("empty offsets"))?;
        let mut prev = first;
        for item in items {
            let item = item?;
            let n = item.checked_sub(prev).ok_or_else(|| malformed("decreasing offsets"))?;
            lengths.write(&(n as u64).to_le_bytes());
            prev = item;
        }
        push_range(&mut child, first, prev - first);
    }
    Ok(child)
}

fn byte_array<T: ByteArrayType>(
    values: &mut Stream,
    lengths: &mut Stream,
    a: &GenericByteArray<T>,
    ranges: &[(usize, usize)],
) -> Result<()> {
    let spans = offsets_to_ranges(lengths, a.value_offsets(), ranges)?;
    for (start, n) in spans {
        let bytes = start
            .checked_add(n)
            .and_then(|end| a.value_data().get(start..end))
            .ok_or_else(|| malformed("string bytes out of bounds"))?;
        values.write(bytes);
    }
    Ok(())
}

// ---------------------------------------------------------------------------------------------
// Decoding dictionaries and run-end encoded arrays

fn take(values: &ArrayRef, indices: &UInt64Array) -> Result<ArrayRef> {
    if values.is_empty() {
        return if indices.null_count() == indices.len() {
            Ok(new_null_array(values.data_type(), indices.len()))
        } else {
            Err(malformed("indices into empty values"))
        };
    }
    // MutableArrayData rather than arrow-select's `take`: `take` reaches the run-end-encoded
    // comparator machinery (arrow-cmp, 650 KiB of code), which the slim build otherwise leaves out.
    let data = values.to_data();
    let mut out = MutableArrayData::new(vec![&data], true, indices.len());
    let mut i = 0;
    while i < indices.len() {
        if indices.is_null(i) {
            out.try_extend_nulls(1).map_err(|e| internal(&e.to_string()))?;
            i += 1;
            continue;
        }
        // A run of consecutive indices is one extend.
        let start = usize::try_from(indices.value(i)).map_err(|_| malformed("index overflows usize"))?;
        let mut end = start.checked_add(1).ok_or_else(|| malformed("index overflows usize"))?;
        i += 1;
        while i < indices.len() && indices.is_valid(i) && usize::try_from(indices.value(i)).ok() == Some(end) {
            end += 1;
            i += 1;
        }
        if end > values.len() {
            return Err(malformed("index past the end of the values"));
        }
        out.try_extend(0, start, end).map_err(|e| internal(&e.to_string()))?;
    }
    Ok(make_array(out.freeze()))
}

/// The indices of `keys` as `u64`, checked against `n` values; null keys (whatever they hold)
/// become null indices of 0.
fn key_indices<K: ArrowPrimitiveType>(keys: &PrimitiveArray<K>, n: usize) -> Result<UInt64Array> {
    let nulls = keys.nulls();
    let mut out = Vec::with_capacity(keys.len());
    for (i, k) in keys.values().iter().enumerate() {
        if nulls.is_some_and(|nulls| nulls.is_null(i)) {
            out.push(0);
        } else {
            let k = k.to_usize().filter(|k| *k < n).ok_or_else(|| malformed("dictionary key out of bounds"))?;
            out.push(k as u64);
        }
    }
    Ok(UInt64Array::new(out.into(), nulls.cloned()))
}

fn dictionary_indices<K: ArrowDictionaryKeyType>(array: &dyn Array) -> Result<(ArrayRef, UInt64Array)> {
    let dict = array.as_dictionary_opt::<K>().ok_or_else(|| downcast(array))?;
    let values = dict.values().clone();
    let indices = key_indices(dict.keys(), values.len())?;
    Ok((values, indices))
}

fn decode_dictionary(array: &dyn Array) -> Result<ArrayRef> {
    let DataType::Dictionary(key, _) = array.data_type() else {
        return Err(downcast(array));
    };
    let (values, indices) = match key.as_ref() {
        DataType::Int8 => dictionary_indices::<Int8Type>(array)?,
        DataType::Int16 => dictionary_indices::<Int16Type>(array)?,
        DataType::Int32 => dictionary_indices::<Int32Type>(array)?,
        DataType::Int64 => dictionary_indices::<Int64Type>(array)?,
        DataType::UInt8 => dictionary_indices::<UInt8Type>(array)?,
        DataType::UInt16 => dictionary_indices::<UInt16Type>(array)?,
        DataType::UInt32 => dictionary_indices::<UInt32Type>(array)?,
        DataType::UInt64 => dictionary_indices::<UInt64Type>(array)?,
        other => {
            return Err(CoreError::UnsupportedFormat(format!("fingerprint: dictionary keys of type {other}")));
        }
    };
    take(&values, &indices)
}

fn run_indices<R: RunEndIndexType>(array: &dyn Array) -> Result<(ArrayRef, UInt64Array)> {
    let run = array.as_run_opt::<R>().ok_or_else(|| downcast(array))?;
    let ends = run.run_ends();
    let (offset, len) = (ends.offset(), ends.len());
    let stop = offset.checked_add(len).ok_or_else(|| malformed("run-end offset overflows"))?;
    let mut out = Vec::with_capacity(len);
    let mut prev = 0_usize;
    for (p, end) in ends.values().iter().enumerate() {
        let end = end.to_usize().ok_or_else(|| malformed("negative run end"))?;
        let (lo, hi) = (prev.max(offset), end.min(stop));
        if hi > lo {
            out.extend(std::iter::repeat_n(p as u64, hi - lo));
        }
        if end >= stop {
            break;
        }
        prev = end;
    }
    if out.len() != len {
        return Err(malformed("run ends do not cover the array"));
    }
    if out.last().is_some_and(|&p| p >= run.values().len() as u64) {
        return Err(malformed("more runs than run values"));
    }
    Ok((run.values().clone(), UInt64Array::from(out)))
}

fn decode_run_ends(array: &dyn Array) -> Result<ArrayRef> {
    let DataType::RunEndEncoded(run_ends, _) = array.data_type() else {
        return Err(downcast(array));
    };
    let (values, indices) = match run_ends.data_type() {
        DataType::Int16 => run_indices::<Int16Type>(array)?,
        DataType::Int32 => run_indices::<Int32Type>(array)?,
        DataType::Int64 => run_indices::<Int64Type>(array)?,
        other => return Err(CoreError::UnsupportedFormat(format!("fingerprint: run ends of type {other}"))),
    };
    take(&values, &indices)
}

#[cfg(test)]
#[allow(clippy::unwrap_used, clippy::expect_used, clippy::panic, clippy::indexing_slicing)]
mod tests {
    use std::collections::HashMap;
    use std::sync::Arc;

    use arrow_array::builder::{Int32Builder, MapBuilder, StringBuilder};
    use arrow_array::types::{Int8Type, Int16Type, Int32Type};
    use arrow_array::*;
    use arrow_buffer::{IntervalDayTime, IntervalMonthDayNano, NullBuffer, OffsetBuffer, ScalarBuffer};
    use arrow_schema::{Field, Fields, UnionFields, UnionMode};

    use super::*;

    fn fp_of(columns: &[(&str, ArrayRef)]) -> String {
        let (schema, batch) = table(columns);
        fingerprint(&schema, &[batch]).unwrap()
    }

    fn table(columns: &[(&str, ArrayRef)]) -> (Schema, RecordBatch) {
        let fields: Vec<Field> = columns.iter().map(|(n, a)| Field::new(*n, a.data_type().clone(), true)).collect();
        let schema = Arc::new(Schema::new(fields));
        let batch = RecordBatch::try_new(schema.clone(), columns.iter().map(|(_, a)| a.clone()).collect()).unwrap();
        (schema.as_ref().clone(), batch)
    }

    fn fp1(a: ArrayRef) -> String {
        fp_of(&[("c", a)])
    }

    /// Fingerprint of one column split into the given pieces.
    fn fp_pieces(a: &ArrayRef, cuts: &[usize]) -> String {
        let (schema, batch) = table(&[("c", a.clone())]);
        let mut batches = Vec::new();
        let mut at = 0;
        for &cut in cuts.iter().chain(std::iter::once(&a.len())) {
            batches.push(batch.slice(at, cut - at));
            at = cut;
        }
        fingerprint(&schema, &batches).unwrap()
    }

    fn strings() -> ArrayRef {
        Arc::new(StringArray::from(vec![Some("a"), None, Some(""), Some("hello"), Some("a")]))
    }

    fn int_list() -> ArrayRef {
        Arc::new(ListArray::from_iter_primitive::<Int32Type, _, _>(vec![
            Some(vec![Some(1), None]),
            None,
            Some(vec![]),
            Some(vec![Some(4), Some(5), Some(6)]),
            Some(vec![Some(7)]),
        ]))
    }

    fn union(mode: UnionMode) -> ArrayRef {
        let fields = UnionFields::try_new(
            vec![3, 7],
            vec![Field::new("i", DataType::Int32, true), Field::new("s", DataType::Utf8, true)],
        )
        .unwrap();
        // Rows: i=1, s="x", i=null, s="y"
        let type_ids = ScalarBuffer::from(vec![3_i8, 7, 3, 7]);
        match mode {
            UnionMode::Sparse => {
                let i: ArrayRef = Arc::new(Int32Array::from(vec![Some(1), Some(99), None, Some(98)]));
                let s: ArrayRef = Arc::new(StringArray::from(vec![Some("junk"), Some("x"), None, Some("y")]));
                Arc::new(UnionArray::try_new(fields, type_ids, None, vec![i, s]).unwrap())
            }
            UnionMode::Dense => {
                let i: ArrayRef = Arc::new(Int32Array::from(vec![Some(1), None]));
                let s: ArrayRef = Arc::new(StringArray::from(vec![Some("x"), Some("y")]));
                let offsets = ScalarBuffer::from(vec![0_i32, 0, 1, 1]);
                Arc::new(UnionArray::try_new(fields, type_ids, Some(offsets), vec![i, s]).unwrap())
            }
        }
    }

    fn map() -> ArrayRef {
        let mut b = MapBuilder::new(None, StringBuilder::new(), Int32Builder::new());
        b.keys().append_value("a");
        b.values().append_value(1);
        b.keys().append_value("b");
        b.values().append_null();
        b.append(true).unwrap();
        b.append(false).unwrap();
        b.keys().append_value("c");
        b.values().append_value(3);
        b.append(true).unwrap();
        b.append(true).unwrap();
        Arc::new(b.finish())
    }

    fn run_ends() -> ArrayRef {
        let ends = Int32Array::from(vec![2, 3, 6]);
        let values = StringArray::from(vec![Some("x"), None, Some("z")]);
        Arc::new(RunArray::<Int32Type>::try_new(&ends, &values).unwrap())
    }

    /// One column of every type the fingerprint supports, each at least 4 rows long.
    fn samples() -> Vec<ArrayRef> {
        let f16 = |v: f32| F16::from_f32(v);
        let struct_fields =
            Fields::from(vec![Field::new("a", DataType::Int32, true), Field::new("b", DataType::Utf8, true)]);
        let item = Arc::new(Field::new_list_field(DataType::Int32, true));
        vec![
            Arc::new(NullArray::new(4)),
            Arc::new(BooleanArray::from(vec![Some(true), None, Some(false), Some(true), Some(false)])),
            Arc::new(Int8Array::from(vec![Some(1), None, Some(-3), Some(4)])),
            Arc::new(Int16Array::from(vec![Some(1), None, Some(-3), Some(4)])),
            Arc::new(Int32Array::from(vec![Some(1), None, Some(-3), Some(4)])),
            Arc::new(Int64Array::from(vec![Some(1), None, Some(-3), Some(4)])),
            Arc::new(UInt8Array::from(vec![Some(1), None, Some(3), Some(4)])),
            Arc::new(UInt16Array::from(vec![Some(1), None, Some(3), Some(4)])),
            Arc::new(UInt32Array::from(vec![Some(1), None, Some(3), Some(4)])),
            Arc::new(UInt64Array::from(vec![Some(1), None, Some(3), Some(4)])),
            Arc::new(Float16Array::from(vec![Some(f16(1.5)), None, Some(f16(f32::NAN)), Some(f16(-0.0))])),
            Arc::new(Float32Array::from(vec![Some(1.5), None, Some(f32::NAN), Some(-0.0)])),
            Arc::new(Float64Array::from(vec![Some(1.5), None, Some(f64::NAN), Some(-0.0)])),
            Arc::new(
                Decimal32Array::from(vec![Some(1), None, Some(-3), Some(4)]).with_precision_and_scale(9, 2).unwrap(),
            ),
            Arc::new(
                Decimal64Array::from(vec![Some(1), None, Some(-3), Some(4)]).with_precision_and_scale(18, 2).unwrap(),
            ),
            Arc::new(
                Decimal128Array::from(vec![Some(1), None, Some(-3), Some(4)]).with_precision_and_scale(38, 2).unwrap(),
            ),
            Arc::new(
                Decimal256Array::from(vec![Some(i256::from_i128(1)), None, Some(i256::MINUS_ONE), Some(i256::MAX)])
                    .with_precision_and_scale(76, 2)
                    .unwrap(),
            ),
            Arc::new(Date32Array::from(vec![Some(1), None, Some(3), Some(4)])),
            Arc::new(Date64Array::from(vec![Some(1), None, Some(3), Some(4)])),
            Arc::new(Time32SecondArray::from(vec![Some(1), None, Some(3), Some(4)])),
            Arc::new(Time32MillisecondArray::from(vec![Some(1), None, Some(3), Some(4)])),
            Arc::new(Time64MicrosecondArray::from(vec![Some(1), None, Some(3), Some(4)])),
            Arc::new(Time64NanosecondArray::from(vec![Some(1), None, Some(3), Some(4)])),
            Arc::new(TimestampSecondArray::from(vec![Some(1), None, Some(3), Some(4)])),
            Arc::new(TimestampMillisecondArray::from(vec![Some(1), None, Some(3), Some(4)]).with_timezone("UTC")),
            Arc::new(TimestampMicrosecondArray::from(vec![Some(1), None, Some(3), Some(4)])),
            Arc::new(TimestampNanosecondArray::from(vec![Some(1), None, Some(3), Some(4)]).with_timezone("+01:00")),
            Arc::new(DurationSecondArray::from(vec![Some(1), None, Some(3), Some(4)])),
            Arc::new(DurationMillisecondArray::from(vec![Some(1), None, Some(3), Some(4)])),
            Arc::new(DurationMicrosecondArray::from(vec![Some(1), None, Some(3), Some(4)])),
            Arc::new(DurationNanosecondArray::from(vec![Some(1), None, Some(3), Some(4)])),
            Arc::new(IntervalYearMonthArray::from(vec![Some(1), None, Some(3), Some(4)])),
            Arc::new(IntervalDayTimeArray::from(vec![
                Some(IntervalDayTime::new(1, 2)),
                None,
                Some(IntervalDayTime::new(3, -4)),
                Some(IntervalDayTime::new(0, 0)),
            ])),
            Arc::new(IntervalMonthDayNanoArray::from(vec![
                Some(IntervalMonthDayNano::new(1, 2, 3)),
                None,
                Some(IntervalMonthDayNano::new(-1, 0, i64::MAX)),
                Some(IntervalMonthDayNano::new(0, 0, 0)),
            ])),
            strings(),
            Arc::new(LargeStringArray::from(vec![Some("a"), None, Some(""), Some("hello")])),
            Arc::new(StringViewArray::from(vec![Some("a"), None, Some("a string longer than twelve"), Some("")])),
            Arc::new(BinaryArray::from(vec![Some(b"a".as_ref()), None, Some(b""), Some(b"\x00\xff")])),
            Arc::new(LargeBinaryArray::from(vec![Some(b"a".as_ref()), None, Some(b""), Some(b"\x00\xff")])),
            Arc::new(BinaryViewArray::from(vec![
                Some(b"a".as_ref()),
                None,
                Some(b"more than twelve bytes"),
                Some(b""),
            ])),
            Arc::new(
                FixedSizeBinaryArray::try_from_sparse_iter_with_size(
                    vec![Some(b"ab".as_ref()), None, Some(b"cd"), Some(b"ef")].into_iter(),
                    2,
                )
                .unwrap(),
            ),
            int_list(),
            Arc::new(LargeListArray::from_iter_primitive::<Int32Type, _, _>(vec![
                Some(vec![Some(1), None]),
                None,
                Some(vec![]),
                Some(vec![Some(4)]),
            ])),
            Arc::new(ListViewArray::new(
                item.clone(),
                ScalarBuffer::from(vec![3, 0, 9, 1]),
                ScalarBuffer::from(vec![2, 3, 0, 1]),
                Arc::new(Int32Array::from((0..10).collect::<Vec<_>>())),
                Some(NullBuffer::from(vec![true, true, false, true])),
            )),
            Arc::new(LargeListViewArray::new(
                item.clone(),
                ScalarBuffer::from(vec![3_i64, 0, 9, 1]),
                ScalarBuffer::from(vec![2_i64, 3, 0, 1]),
                Arc::new(Int32Array::from((0..10).collect::<Vec<_>>())),
                None,
            )),
            Arc::new(FixedSizeListArray::from_iter_primitive::<Int32Type, _, _>(
                vec![Some(vec![Some(1), Some(2)]), None, Some(vec![None, Some(4)]), Some(vec![Some(5), Some(6)])],
                2,
            )),
            Arc::new(StructArray::new(
                struct_fields,
                vec![
                    Arc::new(Int32Array::from(vec![Some(1), Some(2), None, Some(4)])),
                    Arc::new(StringArray::from(vec![Some("a"), Some("b"), Some("c"), None])),
                ],
                Some(NullBuffer::from(vec![true, false, true, true])),
            )),
            map(),
            Arc::new(DictionaryArray::<Int8Type>::from_iter(vec![Some("x"), None, Some("y"), Some("x")])),
            Arc::new(DictionaryArray::<UInt16Type>::from_iter(vec![Some("x"), None, Some("y"), Some("x")])),
            union(UnionMode::Sparse),
            union(UnionMode::Dense),
            run_ends(),
        ]
    }

    #[test]
    fn every_type_is_invariant_under_every_split_and_changes_with_a_dropped_row() {
        for a in samples() {
            let whole = fp1(a.clone());
            assert!(whole.starts_with(PREFIX) && whole.len() == PREFIX.len() + 64, "{whole}");
            for cut in 0..=a.len() {
                assert_eq!(fp_pieces(&a, &[cut]), whole, "{} cut at {cut}", a.data_type());
            }
            assert_eq!(fp_pieces(&a, &[1, 2, 3]), whole, "{}", a.data_type());
            assert_ne!(fp1(a.slice(0, a.len() - 1)), whole, "{}", a.data_type());
            assert_ne!(fp1(a.slice(1, a.len() - 1)), whole, "{}", a.data_type());
        }
    }

    #[test]
    fn distinct_types_and_values_give_distinct_fingerprints() {
        // Every sample is a distinct type or distinct values, except the ones that are the
        // same logical column by design.
        let mut seen = HashMap::new();
        for a in samples() {
            seen.entry(fp1(a.clone())).or_insert_with(Vec::new).push(a.data_type().to_string());
        }
        let mut groups: Vec<_> = seen.into_values().filter(|g| g.len() > 1).collect();
        groups.sort();
        assert_eq!(
            groups,
            vec![
                vec!["Binary".to_string(), "LargeBinary".to_string()],
                vec!["Dictionary(Int8, Utf8)".to_string(), "Dictionary(UInt16, Utf8)".to_string()],
                vec![
                    "Union(Sparse, 3: (\"i\": Int32), 7: (\"s\": Utf8))".to_string(),
                    "Union(Dense, 3: (\"i\": Int32), 7: (\"s\": Utf8))".to_string(),
                ],
            ]
        );
    }

    #[test]
    fn the_v1_encoding_is_pinned() {
        // A change here changes every stored cache key: it needs a new PREFIX.
        let ints: ArrayRef = Arc::new(Int64Array::from(vec![Some(1), None, Some(3)]));
        let strs: ArrayRef = Arc::new(StringArray::from(vec![Some("a"), Some("bc"), None]));
        assert_eq!(
            fp_of(&[("i", ints), ("s", strs)]),
            "v1-dbb999b915409cd6f7db5f19b03539828f3a784a83a0bc012d945031dd23c927"
        );
    }

    #[test]
    fn the_v1_encoding_is_the_documented_one() {
        // The same table as above, encoded by hand from the module documentation.
        let h = |parts: &[&[u8]]| {
            let mut h = blake3::Hasher::new();
            for p in parts {
                h.update(p);
            }
            *h.finalize().as_bytes()
        };
        let u = |v: u64| v.to_le_bytes();
        let node_i = h(&[
            &[0x13],
            &u(3),
            &u(1),
            &h(&[&[0b101]]),
            &u(16),
            &h(&[&1_i64.to_le_bytes(), &3_i64.to_le_bytes()]),
            &u(0),
            &h(&[]),
            &u(0),
        ]);
        let node_s =
            h(&[&[0x40], &u(3), &u(1), &h(&[&[0b011]]), &u(3), &h(&[b"abc"]), &u(16), &h(&[&u(1), &u(2)]), &u(0)]);
        let field_i = [&u(1)[..], b"i", &[0x00, 0x13]].concat();
        let field_s = [&u(1)[..], b"s", &[0x00, 0x40]].concat();
        let digest = h(&[
            b"arrow-rs-wasm table fingerprint\0",
            &u(1),
            &u(3),
            &u(2),
            &u(field_i.len() as u64),
            &field_i,
            &u(field_s.len() as u64),
            &field_s,
            &node_i,
            &node_s,
        ]);
        let hex: String = digest.iter().map(|b| format!("{b:02x}")).collect();
        let ints: ArrayRef = Arc::new(Int64Array::from(vec![Some(1), None, Some(3)]));
        let strs: ArrayRef = Arc::new(StringArray::from(vec![Some("a"), Some("bc"), None]));
        assert_eq!(fp_of(&[("i", ints), ("s", strs)]), format!("v1-{hex}"));
    }

    #[test]
    fn garbage_under_nulls_is_ignored() {
        let nulls = Some(NullBuffer::from(vec![true, false, true]));
        let a = Int32Array::new(ScalarBuffer::from(vec![1, 2, 3]), nulls.clone());
        let b = Int32Array::new(ScalarBuffer::from(vec![1, 77, 3]), nulls.clone());
        assert_eq!(fp1(Arc::new(a)), fp1(Arc::new(b)));

        let s1 = StringArray::new(OffsetBuffer::from_lengths([1, 0, 1]), b"ac".as_ref().into(), nulls.clone());
        let s2 = StringArray::new(OffsetBuffer::from_lengths([1, 5, 1]), b"agarbac".as_ref().into(), nulls.clone());
        assert_eq!(fp1(Arc::new(s1)), fp1(Arc::new(s2)));

        let item = Arc::new(Field::new_list_field(DataType::Int32, true));
        let l1 = ListArray::new(
            item.clone(),
            OffsetBuffer::from_lengths([1, 0, 1]),
            Arc::new(Int32Array::from(vec![1, 3])),
            nulls.clone(),
        );
        let l2 = ListArray::new(
            item,
            OffsetBuffer::from_lengths([1, 3, 1]),
            Arc::new(Int32Array::from(vec![1, 8, 8, 8, 3])),
            nulls.clone(),
        );
        assert_eq!(fp1(Arc::new(l1)), fp1(Arc::new(l2)));

        // The children of a null struct slot are absent, whatever they hold.
        let fields = Fields::from(vec![Field::new("x", DataType::Int32, true)]);
        let st = |child: Int32Array| -> ArrayRef {
            Arc::new(StructArray::new(fields.clone(), vec![Arc::new(child)], nulls.clone()))
        };
        let base = fp1(st(Int32Array::from(vec![Some(1), Some(2), Some(3)])));
        assert_eq!(base, fp1(st(Int32Array::from(vec![Some(1), None, Some(3)]))));
        assert_eq!(base, fp1(st(Int32Array::from(vec![Some(1), Some(9), Some(3)]))));
        assert_ne!(base, fp1(st(Int32Array::from(vec![Some(1), Some(9), Some(4)]))));
    }

    #[test]
    fn type_families_hash_as_one_type() {
        let utf8 = fp1(Arc::new(StringArray::from(vec![Some("a"), None, Some("long enough to be out of line")])));
        let large = fp1(Arc::new(LargeStringArray::from(vec![Some("a"), None, Some("long enough to be out of line")])));
        let view = fp1(Arc::new(StringViewArray::from(vec![Some("a"), None, Some("long enough to be out of line")])));
        assert_eq!(utf8, large);
        assert_eq!(utf8, view);
        let binary =
            fp1(Arc::new(BinaryArray::from(vec![Some(b"a".as_ref()), None, Some(b"long enough to be out of line")])));
        assert_ne!(utf8, binary);
        let large_binary = fp1(Arc::new(LargeBinaryArray::from(vec![
            Some(b"a".as_ref()),
            None,
            Some(b"long enough to be out of line"),
        ])));
        assert_eq!(binary, large_binary);

        let list = int_list();
        let as_large = Arc::new(LargeListArray::from_iter_primitive::<Int32Type, _, _>(vec![
            Some(vec![Some(1), None]),
            None,
            Some(vec![]),
            Some(vec![Some(4), Some(5), Some(6)]),
            Some(vec![Some(7)]),
        ]));
        let as_view = Arc::new(ListViewArray::from(list.as_list::<i32>().clone()));
        assert_eq!(fp1(list.clone()), fp1(as_large));
        assert_eq!(fp1(list.clone()), fp1(as_view));
        // Out-of-order, overlapping views of the same lists.
        let item = Arc::new(Field::new_list_field(DataType::Int32, true));
        let shuffled = ListViewArray::new(
            item,
            ScalarBuffer::from(vec![5, 0, 0, 1, 0]),
            ScalarBuffer::from(vec![2, 3, 0, 3, 1]),
            Arc::new(Int32Array::from(vec![Some(7), Some(4), Some(5), Some(6), Some(0), Some(1), None])),
            Some(NullBuffer::from(vec![true, false, true, true, true])),
        );
        assert_eq!(fp1(list), fp1(Arc::new(shuffled)));

        let d = |a: ArrayRef| fp1(a);
        let dec32 = d(Arc::new(Decimal32Array::from(vec![Some(5), None]).with_precision_and_scale(9, 3).unwrap()));
        let dec128 = d(Arc::new(Decimal128Array::from(vec![Some(5), None]).with_precision_and_scale(9, 3).unwrap()));
        let dec256 = d(Arc::new(
            Decimal256Array::from(vec![Some(i256::from_i128(5)), None]).with_precision_and_scale(9, 3).unwrap(),
        ));
        assert_eq!(dec32, dec128);
        assert_eq!(dec32, dec256);
        let scaled = d(Arc::new(Decimal128Array::from(vec![Some(5), None]).with_precision_and_scale(9, 2).unwrap()));
        assert_ne!(dec32, scaled);

        assert_eq!(fp1(union(UnionMode::Sparse)), fp1(union(UnionMode::Dense)));
    }

    #[test]
    fn encodings_hash_as_their_values() {
        let plain = fp1(Arc::new(StringArray::from(vec![Some("x"), None, Some("y"), Some("x")])));
        let d8 = DictionaryArray::<Int8Type>::from_iter(vec![Some("x"), None, Some("y"), Some("x")]);
        assert_eq!(plain, fp1(Arc::new(d8)));
        // Another dictionary order, an unused value, a null value instead of a null key, and
        // a garbage key under the null.
        let keys = Int32Array::new(
            ScalarBuffer::from(vec![2, 5, 0, 2]),
            Some(NullBuffer::from(vec![true, false, true, true])),
        );
        let values = StringArray::from(vec![Some("y"), Some("unused"), Some("x")]);
        let d32 = DictionaryArray::<Int32Type>::try_new(keys, Arc::new(values.clone())).unwrap();
        assert_eq!(plain, fp1(Arc::new(d32)));
        let keys = Int16Array::from(vec![2, 3, 0, 2]);
        let values = StringArray::from(vec![Some("y"), Some("unused"), Some("x"), None]);
        let d16 = DictionaryArray::<Int16Type>::try_new(keys, Arc::new(values)).unwrap();
        assert_eq!(plain, fp1(Arc::new(d16)));

        let ree = run_ends();
        let decoded: ArrayRef =
            Arc::new(StringArray::from(vec![Some("x"), Some("x"), None, Some("z"), Some("z"), Some("z")]));
        assert_eq!(fp1(ree.clone()), fp1(decoded.clone()));
        assert_eq!(fp1(ree.slice(1, 4)), fp1(decoded.slice(1, 4)));
        assert_eq!(fp1(ree.slice(3, 0)), fp1(decoded.slice(3, 0)));
    }

    #[test]
    fn floats_hash_bits_with_one_nan() {
        let f = |v: f64| fp1(Arc::new(Float64Array::from(vec![v])));
        assert_eq!(f(f64::NAN), f(-f64::NAN));
        assert_eq!(f(f64::NAN), f(f64::from_bits(0x7ff0_0000_0000_0001)));
        assert_ne!(f(0.0), f(-0.0));
        assert_ne!(f(1.0), f(f64::NAN));
        let g = |v: f32| fp1(Arc::new(Float32Array::from(vec![Some(v), None])));
        assert_eq!(g(f32::NAN), g(f32::from_bits(0xffc0_0001)));
        assert_ne!(g(0.0), g(-0.0));
        let h = |bits: u16| fp1(Arc::new(Float16Array::from(vec![F16::from_bits(bits)])));
        assert_eq!(h(0x7e00), h(0xfe01));
        assert_ne!(h(0x0000), h(0x8000));
    }

    #[test]
    fn names_order_types_values_and_nulls_matter() {
        let a: ArrayRef = Arc::new(Int32Array::from(vec![Some(1), None, Some(3)]));
        let b: ArrayRef = Arc::new(Int32Array::from(vec![Some(1), Some(2), Some(3)]));
        let base = fp_of(&[("a", a.clone()), ("b", b.clone())]);
        assert_ne!(base, fp_of(&[("b", b.clone()), ("a", a.clone())]));
        assert_ne!(base, fp_of(&[("a", a.clone()), ("c", b.clone())]));
        assert_ne!(base, fp_of(&[("a", a.clone()), ("b", a.clone())]));
        assert_ne!(base, fp_of(&[("a", b.clone()), ("b", b.clone())]));
        let b64: ArrayRef = Arc::new(Int64Array::from(vec![Some(1), Some(2), Some(3)]));
        assert_ne!(base, fp_of(&[("a", a.clone()), ("b", b64)]));
        let bu: ArrayRef = Arc::new(UInt32Array::from(vec![Some(1), Some(2), Some(3)]));
        assert_ne!(base, fp_of(&[("a", a.clone()), ("b", bu)]));
        // A value under a null does not count, a null does.
        let zero_null: ArrayRef = Arc::new(Int32Array::from(vec![Some(1), Some(0), Some(3)]));
        assert_ne!(fp1(a.clone()), fp1(zero_null));

        let ts = |unit_ms: bool, tz: Option<&str>| -> ArrayRef {
            if unit_ms {
                Arc::new(TimestampMillisecondArray::from(vec![1]).with_timezone_opt(tz))
            } else {
                Arc::new(TimestampMicrosecondArray::from(vec![1]).with_timezone_opt(tz))
            }
        };
        let t = fp1(ts(true, Some("UTC")));
        assert_ne!(t, fp1(ts(false, Some("UTC"))));
        assert_ne!(t, fp1(ts(true, None)));
        assert_ne!(t, fp1(ts(true, Some("+00:00"))));

        // Strings vs the same bytes split differently.
        let s1: ArrayRef = Arc::new(StringArray::from(vec!["ab", "c"]));
        let s2: ArrayRef = Arc::new(StringArray::from(vec!["a", "bc"]));
        assert_ne!(fp1(s1), fp1(s2));
        // Lists vs the same items split differently.
        let l1: ArrayRef = Arc::new(ListArray::from_iter_primitive::<Int32Type, _, _>(vec![
            Some(vec![Some(1)]),
            Some(vec![Some(2), Some(3)]),
        ]));
        let l2: ArrayRef = Arc::new(ListArray::from_iter_primitive::<Int32Type, _, _>(vec![
            Some(vec![Some(1), Some(2)]),
            Some(vec![Some(3)]),
        ]));
        assert_ne!(fp1(l1), fp1(l2));
    }

    #[test]
    fn nullability_and_metadata_do_not_count_but_extension_types_do() {
        let a: ArrayRef = Arc::new(Int32Array::from(vec![1, 2]));
        let with = |field: Field| {
            let schema = Schema::new(vec![field]);
            let batch = RecordBatch::try_new(Arc::new(schema.clone()), vec![a.clone()]).unwrap();
            fingerprint(&schema, &[batch]).unwrap()
        };
        let base = with(Field::new("a", DataType::Int32, true));
        assert_eq!(base, with(Field::new("a", DataType::Int32, false)));
        let meta = |pairs: &[(&str, &str)]| {
            pairs.iter().map(|(k, v)| (k.to_string(), v.to_string())).collect::<HashMap<_, _>>()
        };
        assert_eq!(base, with(Field::new("a", DataType::Int32, true).with_metadata(meta(&[("k", "v")]))));
        let ext = with(Field::new("a", DataType::Int32, true).with_metadata(meta(&[(EXTENSION_NAME, "x.y")])));
        assert_ne!(base, ext);
        let ext_meta = with(
            Field::new("a", DataType::Int32, true)
                .with_metadata(meta(&[(EXTENSION_NAME, "x.y"), (EXTENSION_METADATA, "{}")])),
        );
        assert_ne!(ext, ext_meta);
        let schema_meta = Schema::new(vec![Field::new("a", DataType::Int32, true)]).with_metadata(meta(&[("k", "v")]));
        let batch = RecordBatch::try_new(Arc::new(schema_meta.clone()), vec![a.clone()]).unwrap();
        assert_eq!(base, fingerprint(&schema_meta, &[batch]).unwrap());

        // List item names are not part of it.
        let items = |name: &str| -> ArrayRef {
            Arc::new(ListArray::new(
                Arc::new(Field::new(name, DataType::Int32, false)),
                OffsetBuffer::from_lengths([2]),
                Arc::new(Int32Array::from(vec![1, 2])),
                None,
            ))
        };
        assert_eq!(fp1(items("item")), fp1(items("element")));
    }

    #[test]
    fn row_counts_and_empty_tables() {
        let schema = Schema::empty();
        let rows = |n| {
            RecordBatch::try_new_with_options(
                Arc::new(Schema::empty()),
                vec![],
                &RecordBatchOptions::new().with_row_count(Some(n)),
            )
            .unwrap()
        };
        let none = fingerprint(&schema, &[]).unwrap();
        assert_eq!(none, fingerprint(&schema, &[rows(0)]).unwrap());
        assert_ne!(none, fingerprint(&schema, &[rows(3)]).unwrap());
        assert_eq!(fingerprint(&schema, &[rows(1), rows(2)]).unwrap(), fingerprint(&schema, &[rows(3)]).unwrap());

        let (s, batch) = table(&[("c", strings())]);
        let empty = fingerprint(&s, &[]).unwrap();
        assert_eq!(empty, fingerprint(&s, &[batch.slice(2, 0)]).unwrap());
        assert_ne!(empty, none);
    }

    #[test]
    fn mismatched_batches_are_errors() {
        let (schema, batch) = table(&[("c", strings())]);
        let other = Schema::new(vec![Field::new("c", DataType::Int32, true)]);
        assert!(matches!(fingerprint(&other, std::slice::from_ref(&batch)), Err(CoreError::SchemaMismatch(_))));
        let two = Schema::new(vec![Field::new("c", DataType::Utf8, true), Field::new("d", DataType::Utf8, true)]);
        assert!(matches!(fingerprint(&two, std::slice::from_ref(&batch)), Err(CoreError::SchemaMismatch(_))));
        // Data of the same family under a field of another member is fine.
        let large = Schema::new(vec![Field::new("c", DataType::LargeUtf8, true)]);
        assert_eq!(fingerprint(&large, std::slice::from_ref(&batch)).unwrap(), fingerprint(&schema, &[batch]).unwrap());
    }

    #[test]
    fn nested_encodings_and_masks() {
        // A list of dictionary-encoded strings is the list of the strings.
        let item = |dt: DataType| Arc::new(Field::new_list_field(dt, true));
        let offsets = OffsetBuffer::from_lengths([2, 0, 1]);
        let nulls = Some(NullBuffer::from(vec![true, false, true]));
        let dict = DictionaryArray::<Int8Type>::from_iter(vec![Some("x"), None, Some("y")]);
        let plain = StringArray::from(vec![Some("x"), None, Some("y")]);
        let l1 = ListArray::new(item(dict.data_type().clone()), offsets.clone(), Arc::new(dict), nulls.clone());
        let l2 = ListArray::new(item(DataType::Utf8), offsets, Arc::new(plain), nulls.clone());
        assert_eq!(fp1(Arc::new(l1)), fp1(Arc::new(l2)));

        // A union under a null struct slot is absent, whatever it selects.
        let st = |u: ArrayRef| -> ArrayRef {
            let fields = Fields::from(vec![Field::new("u", u.data_type().clone(), true)]);
            Arc::new(StructArray::new(fields, vec![u], Some(NullBuffer::from(vec![true, false, true, true]))))
        };
        let sparse = union(UnionMode::Sparse);
        let fields = UnionFields::try_new(
            vec![3, 7],
            vec![Field::new("i", DataType::Int32, true), Field::new("s", DataType::Utf8, true)],
        )
        .unwrap();
        let other = UnionArray::try_new(
            fields,
            ScalarBuffer::from(vec![3_i8, 3, 3, 7]),
            None,
            vec![
                Arc::new(Int32Array::from(vec![Some(1), Some(5), None, None])),
                Arc::new(StringArray::from(vec![None, None, None, Some("y")])),
            ],
        )
        .unwrap();
        assert_eq!(fp1(st(sparse.clone())), fp1(st(Arc::new(other))));
        assert_ne!(fp1(st(sparse.clone())), fp1(sparse));

        // A null map slot hides its entries.
        let m = map();
        let mut b = MapBuilder::new(None, StringBuilder::new(), Int32Builder::new());
        b.keys().append_value("a");
        b.values().append_value(1);
        b.keys().append_value("b");
        b.values().append_null();
        b.append(true).unwrap();
        b.keys().append_value("hidden");
        b.values().append_value(0);
        b.append(false).unwrap();
        b.keys().append_value("c");
        b.values().append_value(3);
        b.append(true).unwrap();
        b.append(true).unwrap();
        assert_eq!(fp1(m), fp1(Arc::new(b.finish())));
    }

    #[test]
    fn the_incremental_fingerprint_is_the_same() {
        let (schema, batch) = table(&[("c", strings()), ("l", int_list())]);
        let mut fp = Fingerprinter::new(&schema).unwrap();
        fp.update(&batch.slice(0, 2)).unwrap();
        fp.update(&batch.slice(2, 3)).unwrap();
        assert_eq!(fp.finish(), fingerprint(&schema, &[batch]).unwrap());
    }

    #[test]
    fn bit_streams_pack_across_pushes() {
        // 3 + 70 + 5 bits pushed in pieces equal the same bits pushed at once.
        let bits: Vec<bool> = (0..78).map(|i| i % 3 == 0 || i % 7 == 0).collect();
        let whole = {
            let mut s = BitStream::new();
            s.push_bits(&BooleanBuffer::from(bits.clone()));
            s.finish()
        };
        let buffer = BooleanBuffer::from(bits);
        let mut s = BitStream::new();
        s.push_bits(&buffer.slice(0, 3));
        s.push_bits(&buffer.slice(3, 70));
        s.push_bits(&buffer.slice(73, 5));
        assert_eq!(s.finish(), whole);
        assert_eq!(whole.0, 10);
    }
}
