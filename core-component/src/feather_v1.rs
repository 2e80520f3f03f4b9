//! Reading legacy Feather v1 (`FEA1`) files.
//!
//! Feather v2 is the Arrow IPC file format and is read by [`crate::ipc::read`]; Feather v1 is an
//! older format of its own, which arrow-rs has no reader for. So this module is one, written
//! from the format's definition: the flatbuffer schema `feather.fbs` and the reader `ReaderV1`
//! in `cpp/src/arrow/ipc/feather.cc` of Apache Arrow, which is what pyarrow reads with.
//!
//! # Layout
//!
//! ```text
//! "FEA1" (padded to 8) | column data ... | CTable flatbuffer (padded to 8) | len: u32 LE | "FEA1"
//! ```
//!
//! The `CTable` holds `num_rows`, a format `version` and one `Column` per column: a name, a
//! `PrimitiveArray` locating the values (storage type code, absolute file `offset`,
//! `length`, `null_count`, `total_bytes`) and an optional `TypeMetadata` union that makes the
//! storage a category (dictionary, whose levels are a second `PrimitiveArray`), a timestamp
//! (unit and time zone), a date or a time. The `total_bytes` at `offset` hold, in order: a
//! validity bitmap only when `null_count > 0`, an offsets buffer for variable-length types,
//! then the values. From version 2 on each of these is padded to 8 bytes; earlier files
//! (Feather < 0.3) pack them.
//!
//! # Trust
//!
//! The metadata is checked with the `flatbuffers` crate's verifier, then read with the small
//! bounds-checked accessors below (no `unsafe`, every read may fail). Every offset and length
//! is checked against the file with checked arithmetic, the bytes the chosen columns declare
//! are added up against the caller's limit *before* anything is decoded, and every array is
//! built with validation (`ArrayDataBuilder::build`: buffer sizes, offsets, UTF-8, dictionary
//! keys), so no input makes the reader panic.
//!
//! # Zero copy
//!
//! The values, offsets and bitmaps are slices of the input `Buffer`. The writer pads buffers
//! to 8 bytes from the file start, so they are aligned whenever the input is; a buffer that
//! lands off its type's alignment is copied (`align_buffers`), as arrow requires.

use std::sync::Arc;

use arrow_array::{ArrayRef, RecordBatch, RecordBatchOptions, make_array};
use arrow_buffer::Buffer;
use arrow_data::{ArrayData, ArrayDataBuilder};
use arrow_schema::{DataType, Field, Schema, TimeUnit};
use flatbuffers::{ForwardsUOffset, InvalidFlatbuffer, VOffsetT, Vector, Verifiable, Verifier, VerifierOptions};

use crate::error::{CoreError, Result};
use crate::format::Decoded;
use crate::schema::column_index;

/// The magic bytes at both ends of a Feather v1 file.
pub const MAGIC: &[u8; 4] = b"FEA1";

/// Magic, metadata length and magic: the smallest file (the C++ reader's bound).
const MIN_FILE_LEN: usize = 12;

/// Buffers are padded to this many bytes from format version 2 on.
const ALIGNMENT: usize = 8;

fn malformed(msg: impl Into<String>) -> CoreError {
    CoreError::Malformed(msg.into())
}

// ------------------------------------------------------------------------------------------
// The flatbuffer schema (feather.fbs): vtable slots, verification and safe accessors.
// ------------------------------------------------------------------------------------------

// table CTable { description: string; num_rows: long; columns: [Column]; version: int;
//                metadata: string; }
const CTABLE_DESCRIPTION: VOffsetT = 4;
const CTABLE_NUM_ROWS: VOffsetT = 6;
const CTABLE_COLUMNS: VOffsetT = 8;
const CTABLE_VERSION: VOffsetT = 10;
const CTABLE_METADATA: VOffsetT = 12;
// table Column { name: string; values: PrimitiveArray; metadata: TypeMetadata (a union: its
//                type byte, then the table); user_metadata: string; }
const COLUMN_NAME: VOffsetT = 4;
const COLUMN_VALUES: VOffsetT = 6;
const COLUMN_METADATA_TYPE: VOffsetT = 8;
const COLUMN_METADATA: VOffsetT = 10;
const COLUMN_USER_METADATA: VOffsetT = 12;
// table PrimitiveArray { type: Type (byte); encoding: Encoding (byte); offset: long;
//                        length: long; null_count: long; total_bytes: long; }
const ARRAY_TYPE: VOffsetT = 4;
const ARRAY_ENCODING: VOffsetT = 6;
const ARRAY_OFFSET: VOffsetT = 8;
const ARRAY_LENGTH: VOffsetT = 10;
const ARRAY_NULL_COUNT: VOffsetT = 12;
const ARRAY_TOTAL_BYTES: VOffsetT = 14;
// table CategoryMetadata { levels: PrimitiveArray; ordered: bool; }
const CATEGORY_LEVELS: VOffsetT = 4;
const CATEGORY_ORDERED: VOffsetT = 6;
// table TimestampMetadata { unit: TimeUnit (byte); timezone: string; }
const TIMESTAMP_UNIT: VOffsetT = 4;
const TIMESTAMP_TIMEZONE: VOffsetT = 6;
// table TimeMetadata { unit: TimeUnit (byte); }  table DateMetadata {}
const TIME_UNIT: VOffsetT = 4;

// union TypeMetadata { CategoryMetadata = 1, TimestampMetadata, DateMetadata, TimeMetadata }
const META_NONE: u8 = 0;
const META_CATEGORY: u8 = 1;
const META_TIMESTAMP: u8 = 2;
const META_DATE: u8 = 3;
const META_TIME: u8 = 4;

/// The names of `enum Type : byte`, by code.
const TYPE_NAMES: [&str; 21] = [
    "BOOL",
    "INT8",
    "INT16",
    "INT32",
    "INT64",
    "UINT8",
    "UINT16",
    "UINT32",
    "UINT64",
    "FLOAT",
    "DOUBLE",
    "UTF8",
    "BINARY",
    "CATEGORY",
    "TIMESTAMP",
    "DATE",
    "TIME",
    "LARGE_UTF8",
    "LARGE_BINARY",
    "COMPLEX_FLOAT",
    "COMPLEX_DOUBLE",
];

/// The storage type codes of the temporal types.
const TYPE_INT32: i8 = 3;
const TYPE_INT64: i8 = 4;

fn type_name(code: i8) -> String {
    usize::try_from(code)
        .ok()
        .and_then(|i| TYPE_NAMES.get(i))
        .map_or_else(|| format!("unknown type code {code}"), |n| (*n).to_string())
}

/// Verifier marker for `CTable`.
struct CTableFb;
/// Verifier marker for `Column`.
struct ColumnFb;
/// Verifier marker for `PrimitiveArray`.
struct PrimitiveArrayFb;
/// Verifier marker for `CategoryMetadata`.
struct CategoryFb;
/// Verifier marker for `TimestampMetadata`.
struct TimestampFb;
/// Verifier marker for `DateMetadata` (no fields).
struct DateFb;
/// Verifier marker for `TimeMetadata`.
struct TimeFb;

type VerifyResult = std::result::Result<(), InvalidFlatbuffer>;

impl Verifiable for CTableFb {
    fn run_verifier(v: &mut Verifier, pos: usize) -> VerifyResult {
        v.visit_table(pos)?
            .visit_field::<ForwardsUOffset<&str>>("description", CTABLE_DESCRIPTION, false)?
            .visit_field::<i64>("num_rows", CTABLE_NUM_ROWS, false)?
            .visit_field::<ForwardsUOffset<Vector<'_, ForwardsUOffset<ColumnFb>>>>("columns", CTABLE_COLUMNS, false)?
            .visit_field::<i32>("version", CTABLE_VERSION, false)?
            .visit_field::<ForwardsUOffset<&str>>("metadata", CTABLE_METADATA, false)?
            .finish();
        Ok(())
    }
}

impl Verifiable for ColumnFb {
    fn run_verifier(v: &mut Verifier, pos: usize) -> VerifyResult {
        let mut t = v
            .visit_table(pos)?
            .visit_field::<ForwardsUOffset<&str>>("name", COLUMN_NAME, false)?
            .visit_field::<ForwardsUOffset<PrimitiveArrayFb>>("values", COLUMN_VALUES, false)?
            .visit_field::<u8>("metadata_type", COLUMN_METADATA_TYPE, false)?
            .visit_field::<ForwardsUOffset<&str>>("user_metadata", COLUMN_USER_METADATA, false)?;
        // The union's table is verified as its type byte says, as flatc's C++ verifier does: no
        // table is needed for NONE, and an unknown variant is left alone (the reader refuses it).
        let key = match t.deref(COLUMN_METADATA_TYPE)? {
            Some(at) => t.verifier().get_u8(at)?,
            None => META_NONE,
        };
        t = match key {
            META_CATEGORY => t.visit_field::<ForwardsUOffset<CategoryFb>>("metadata", COLUMN_METADATA, false)?,
            META_TIMESTAMP => t.visit_field::<ForwardsUOffset<TimestampFb>>("metadata", COLUMN_METADATA, false)?,
            META_DATE => t.visit_field::<ForwardsUOffset<DateFb>>("metadata", COLUMN_METADATA, false)?,
            META_TIME => t.visit_field::<ForwardsUOffset<TimeFb>>("metadata", COLUMN_METADATA, false)?,
            _ => t,
        };
        t.finish();
        Ok(())
    }
}

impl Verifiable for PrimitiveArrayFb {
    fn run_verifier(v: &mut Verifier, pos: usize) -> VerifyResult {
        v.visit_table(pos)?
            .visit_field::<i8>("type", ARRAY_TYPE, false)?
            .visit_field::<i8>("encoding", ARRAY_ENCODING, false)?
            .visit_field::<i64>("offset", ARRAY_OFFSET, false)?
            .visit_field::<i64>("length", ARRAY_LENGTH, false)?
            .visit_field::<i64>("null_count", ARRAY_NULL_COUNT, false)?
            .visit_field::<i64>("total_bytes", ARRAY_TOTAL_BYTES, false)?
            .finish();
        Ok(())
    }
}

impl Verifiable for CategoryFb {
    fn run_verifier(v: &mut Verifier, pos: usize) -> VerifyResult {
        v.visit_table(pos)?
            .visit_field::<ForwardsUOffset<PrimitiveArrayFb>>("levels", CATEGORY_LEVELS, false)?
            .visit_field::<bool>("ordered", CATEGORY_ORDERED, false)?
            .finish();
        Ok(())
    }
}

impl Verifiable for TimestampFb {
    fn run_verifier(v: &mut Verifier, pos: usize) -> VerifyResult {
        v.visit_table(pos)?
            .visit_field::<i8>("unit", TIMESTAMP_UNIT, false)?
            .visit_field::<ForwardsUOffset<&str>>("timezone", TIMESTAMP_TIMEZONE, false)?
            .finish();
        Ok(())
    }
}

impl Verifiable for DateFb {
    fn run_verifier(v: &mut Verifier, pos: usize) -> VerifyResult {
        v.visit_table(pos)?.finish();
        Ok(())
    }
}

impl Verifiable for TimeFb {
    fn run_verifier(v: &mut Verifier, pos: usize) -> VerifyResult {
        v.visit_table(pos)?.visit_field::<i8>("unit", TIME_UNIT, false)?.finish();
        Ok(())
    }
}

/// Runs the `flatbuffers` verifier over a `CTable` buffer.
fn verify(meta: &[u8]) -> Result<()> {
    let opts = VerifierOptions::default();
    let mut v = Verifier::new(&opts, meta);
    <ForwardsUOffset<CTableFb>>::run_verifier(&mut v, 0)
        .map_err(|e| malformed(format!("invalid Feather v1 metadata flatbuffer: {e}")))
}

/// `N` little-endian bytes at `at`, or an error.
fn bytes_at<const N: usize>(buf: &[u8], at: usize) -> Result<[u8; N]> {
    at.checked_add(N)
        .and_then(|end| buf.get(at..end))
        .and_then(|b| b.try_into().ok())
        .ok_or_else(|| malformed(format!("flatbuffer read of {N} bytes at {at} lies past the end ({})", buf.len())))
}

/// One flatbuffer table: its buffer and position. Every accessor checks its bounds, so they are
/// safe on any bytes; after [`verify`] they do not fail.
#[derive(Debug, Clone, Copy)]
struct FbTable<'a> {
    buf: &'a [u8],
    pos: usize,
}

impl<'a> FbTable<'a> {
    /// The root table of a finished buffer.
    fn root(buf: &'a [u8]) -> Result<Self> {
        Self::follow(buf, 0)
    }

    /// The table the `uoffset` at `at` points to.
    fn follow(buf: &'a [u8], at: usize) -> Result<Self> {
        let off = u32::from_le_bytes(bytes_at(buf, at)?) as usize;
        let pos = at.checked_add(off).ok_or_else(|| malformed("flatbuffer offset overflows"))?;
        Ok(Self { buf, pos })
    }

    /// The absolute position of field `slot`, or `None` when the vtable leaves it out.
    fn field(&self, slot: VOffsetT) -> Result<Option<usize>> {
        let soffset = i32::from_le_bytes(bytes_at(self.buf, self.pos)?);
        let vtable = i64::try_from(self.pos)
            .ok()
            .and_then(|p| p.checked_sub(i64::from(soffset)))
            .and_then(|v| usize::try_from(v).ok())
            .ok_or_else(|| malformed(format!("flatbuffer table at {} has a vtable outside the buffer", self.pos)))?;
        let vtable_len = u16::from_le_bytes(bytes_at(self.buf, vtable)?);
        if usize::from(slot) + 2 > usize::from(vtable_len) {
            return Ok(None);
        }
        let off = u16::from_le_bytes(bytes_at(self.buf, vtable.saturating_add(usize::from(slot)))?);
        Ok((off != 0).then(|| self.pos.saturating_add(usize::from(off))))
    }

    fn scalar<const N: usize>(&self, slot: VOffsetT) -> Result<Option<[u8; N]>> {
        self.field(slot)?.map(|at| bytes_at::<N>(self.buf, at)).transpose()
    }

    fn i64(&self, slot: VOffsetT) -> Result<i64> {
        Ok(self.scalar(slot)?.map_or(0, i64::from_le_bytes))
    }

    fn i32(&self, slot: VOffsetT) -> Result<i32> {
        Ok(self.scalar(slot)?.map_or(0, i32::from_le_bytes))
    }

    fn i8(&self, slot: VOffsetT) -> Result<i8> {
        Ok(self.scalar(slot)?.map_or(0, i8::from_le_bytes))
    }

    fn u8(&self, slot: VOffsetT) -> Result<u8> {
        Ok(self.scalar(slot)?.map_or(0, u8::from_le_bytes))
    }

    fn bool(&self, slot: VOffsetT) -> Result<bool> {
        Ok(self.u8(slot)? != 0)
    }

    fn table(&self, slot: VOffsetT) -> Result<Option<FbTable<'a>>> {
        self.field(slot)?.map(|at| Self::follow(self.buf, at)).transpose()
    }

    /// A vector's element count and the position of its first element.
    fn vector(&self, slot: VOffsetT) -> Result<Option<(usize, usize)>> {
        let Some(at) = self.field(slot)? else { return Ok(None) };
        let start = Self::follow(self.buf, at)?.pos;
        let len = u32::from_le_bytes(bytes_at(self.buf, start)?) as usize;
        Ok(Some((len, start.saturating_add(4))))
    }

    fn string(&self, slot: VOffsetT) -> Result<Option<&'a str>> {
        let Some((len, start)) = self.vector(slot)? else { return Ok(None) };
        let bytes = start
            .checked_add(len)
            .and_then(|end| self.buf.get(start..end))
            .ok_or_else(|| malformed(format!("flatbuffer string at {start} lies past the end")))?;
        std::str::from_utf8(bytes).map(Some).map_err(|e| malformed(format!("flatbuffer string is not UTF-8: {e}")))
    }

    /// The tables of a vector of tables; empty when the field is absent.
    fn tables(&self, slot: VOffsetT) -> Result<Vec<FbTable<'a>>> {
        let Some((len, start)) = self.vector(slot)? else { return Ok(Vec::new()) };
        // Each element is a 4-byte offset: a length the buffer cannot hold is refused before
        // anything is allocated for it.
        if len > self.buf.len() / 4 {
            return Err(malformed(format!("flatbuffer vector of {len} tables exceeds the buffer")));
        }
        (0..len).map(|i| Self::follow(self.buf, start.saturating_add(i * 4))).collect()
    }
}

// ------------------------------------------------------------------------------------------
// The model: what each column declares.
// ------------------------------------------------------------------------------------------

/// A `PrimitiveArray`: where an array's bytes are and what they hold.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
struct ArrayMeta {
    type_code: i8,
    encoding: i8,
    offset: i64,
    length: i64,
    null_count: i64,
    total_bytes: i64,
}

impl ArrayMeta {
    fn parse(t: FbTable<'_>) -> Result<Self> {
        Ok(Self {
            type_code: t.i8(ARRAY_TYPE)?,
            encoding: t.i8(ARRAY_ENCODING)?,
            offset: t.i64(ARRAY_OFFSET)?,
            length: t.i64(ARRAY_LENGTH)?,
            null_count: t.i64(ARRAY_NULL_COUNT)?,
            total_bytes: t.i64(ARRAY_TOTAL_BYTES)?,
        })
    }

    /// The bytes this array declares, for the limit (negative counts as nothing; it is refused
    /// when decoded).
    fn declared_bytes(&self) -> u64 {
        u64::try_from(self.total_bytes).unwrap_or(0)
    }
}

/// The Arrow type a storage type code stands for when no metadata refines it (`GetDataType` with
/// `TypeMetadata::NONE` in the C++ reader).
fn storage_type(code: i8) -> Result<DataType> {
    Ok(match code {
        0 => DataType::Boolean,
        1 => DataType::Int8,
        2 => DataType::Int16,
        3 => DataType::Int32,
        4 => DataType::Int64,
        5 => DataType::UInt8,
        6 => DataType::UInt16,
        7 => DataType::UInt32,
        8 => DataType::UInt64,
        9 => DataType::Float32,
        10 => DataType::Float64,
        11 => DataType::Utf8,
        12 => DataType::Binary,
        17 => DataType::LargeUtf8,
        18 => DataType::LargeBinary,
        13..=16 => {
            return Err(CoreError::UnsupportedFormat(format!(
                "Feather v1 type {} as a storage type (it is only ever column metadata)",
                type_name(code)
            )));
        }
        19 | 20 => {
            return Err(CoreError::UnsupportedFormat(format!(
                "Feather v1 type {} (complex numbers have no Arrow type)",
                type_name(code)
            )));
        }
        other => return Err(CoreError::UnsupportedFormat(format!("Feather v1 {}", type_name(other)))),
    })
}

fn time_unit(code: i8) -> Result<TimeUnit> {
    Ok(match code {
        0 => TimeUnit::Second,
        1 => TimeUnit::Millisecond,
        2 => TimeUnit::Microsecond,
        3 => TimeUnit::Nanosecond,
        other => return Err(malformed(format!("unknown Feather v1 time unit {other}"))),
    })
}

/// Checks that a logical type's storage has the width the logical type needs.
fn expect_storage(name: &str, logical: &str, values: &ArrayMeta, expected: i8) -> Result<()> {
    if values.type_code == expected {
        Ok(())
    } else {
        Err(malformed(format!(
            "column {name:?}: {logical} metadata over {} storage (expected {})",
            type_name(values.type_code),
            type_name(expected)
        )))
    }
}

/// One column as declared: its field and where its arrays are.
#[derive(Debug, Clone)]
struct ColumnSpec {
    field: Field,
    values: ArrayMeta,
    /// The category levels (dictionary values), for a dictionary column.
    levels: Option<ArrayMeta>,
}

impl ColumnSpec {
    fn parse(col: FbTable<'_>, index: usize) -> Result<Self> {
        let name = col.string(COLUMN_NAME)?.ok_or_else(|| malformed(format!("column {index} has no name")))?;
        let values = ArrayMeta::parse(
            col.table(COLUMN_VALUES)?.ok_or_else(|| malformed(format!("column {name:?} has no values")))?,
        )?;
        let kind = col.u8(COLUMN_METADATA_TYPE)?;
        let meta = col.table(COLUMN_METADATA)?;
        let needs_meta = |what: &str| {
            meta.ok_or_else(|| malformed(format!("column {name:?} is a {what} column without its metadata")))
        };
        let mut levels = None;
        let mut ordered = false;
        let data_type = match kind {
            META_NONE => storage_type(values.type_code)?,
            META_CATEGORY => {
                let meta = needs_meta("category")?;
                let key = storage_type(values.type_code)?;
                if !key.is_dictionary_key_type() {
                    return Err(malformed(format!("column {name:?}: category codes of non-integer type {key}")));
                }
                let level_meta = ArrayMeta::parse(
                    meta.table(CATEGORY_LEVELS)?
                        .ok_or_else(|| malformed(format!("column {name:?}: a category without levels")))?,
                )?;
                ordered = meta.bool(CATEGORY_ORDERED)?;
                levels = Some(level_meta);
                DataType::Dictionary(Box::new(key), Box::new(storage_type(level_meta.type_code)?))
            }
            META_TIMESTAMP => {
                let meta = needs_meta("timestamp")?;
                expect_storage(name, "TIMESTAMP", &values, TYPE_INT64)?;
                let tz = meta.string(TIMESTAMP_TIMEZONE)?.filter(|tz| !tz.is_empty()).map(Arc::from);
                DataType::Timestamp(time_unit(meta.i8(TIMESTAMP_UNIT)?)?, tz)
            }
            META_DATE => {
                expect_storage(name, "DATE", &values, TYPE_INT32)?;
                DataType::Date32
            }
            META_TIME => {
                // pyarrow writes time32 only (seconds or milliseconds over INT32); a sub-millisecond
                // unit can only be a time64 over INT64.
                let unit = time_unit(needs_meta("time")?.i8(TIME_UNIT)?)?;
                match unit {
                    TimeUnit::Second | TimeUnit::Millisecond => {
                        expect_storage(name, "TIME", &values, TYPE_INT32)?;
                        DataType::Time32(unit)
                    }
                    TimeUnit::Microsecond | TimeUnit::Nanosecond => {
                        expect_storage(name, "TIME", &values, TYPE_INT64)?;
                        DataType::Time64(unit)
                    }
                }
            }
            other => {
                return Err(CoreError::UnsupportedFormat(format!(
                    "column {name:?}: Feather v1 column metadata type {other}"
                )));
            }
        };
        let mut field = Field::new(name, data_type, true);
        if levels.is_some() {
            field = field.with_dict_is_ordered(ordered);
        }
        Ok(Self { field, values, levels })
    }

    fn declared_bytes(&self) -> u64 {
        self.values.declared_bytes().saturating_add(self.levels.map_or(0, |l| l.declared_bytes()))
    }
}

// ------------------------------------------------------------------------------------------
// Decoding.
// ------------------------------------------------------------------------------------------

/// The padded size of a buffer of `n` bytes (unpadded before format version 2).
fn padded(n: usize, version: i32) -> Option<usize> {
    if version < 2 { Some(n) } else { n.checked_next_multiple_of(ALIGNMENT) }
}

fn to_usize(v: i64, what: &str) -> Result<usize> {
    usize::try_from(v).map_err(|_| malformed(format!("{what} is negative or too large: {v}")))
}

/// The byte range one array occupies in the input, consumed buffer by buffer.
struct Region<'a> {
    input: &'a Buffer,
    start: usize,
    end: usize,
    what: &'a str,
}

impl Region<'_> {
    /// Takes the next buffer: `len` bytes used, `stride` (its padded size) consumed.
    fn take(&mut self, len: usize, stride: usize, buffer: &str) -> Result<Buffer> {
        let stride = stride.max(len);
        let next = self.start.checked_add(stride).filter(|&n| n <= self.end).ok_or_else(|| {
            malformed(format!(
                "{}: its {buffer} needs {stride} bytes, {} are left of its total_bytes",
                self.what,
                self.end - self.start
            ))
        })?;
        let out = self.input.slice_with_length(self.start, len);
        self.start = next;
        Ok(out)
    }

    /// Takes the `len` bytes a values buffer needs from what is left.
    fn values(&mut self, len: usize) -> Result<Buffer> {
        self.take(len, len, "values buffer")
    }

    /// Takes everything left (the values of a variable-length array).
    fn rest(&mut self) -> Buffer {
        let out = self.input.slice_with_length(self.start, self.end - self.start);
        self.start = self.end;
        out
    }
}

/// Builds one array from its `PrimitiveArray`: `data_type` is the array's Arrow type (for a
/// dictionary, the dictionary type; its levels come as `child`).
fn decode_array(
    input: &Buffer,
    meta: &ArrayMeta,
    data_type: DataType,
    child: Option<ArrayData>,
    version: i32,
    what: &str,
) -> Result<ArrayData> {
    if meta.encoding != 0 {
        return Err(CoreError::UnsupportedFormat(format!(
            "{what}: Feather v1 array encoding {} (only PLAIN is ever written)",
            meta.encoding
        )));
    }
    let start = to_usize(meta.offset, &format!("{what}: the offset"))?;
    let total = to_usize(meta.total_bytes, &format!("{what}: total_bytes"))?;
    let len = to_usize(meta.length, &format!("{what}: the length"))?;
    let nulls = to_usize(meta.null_count, &format!("{what}: the null count"))?;
    if nulls > len {
        return Err(malformed(format!("{what}: {nulls} nulls in {len} values")));
    }
    let end = start.checked_add(total).filter(|&e| e <= input.len()).ok_or_else(|| {
        malformed(format!(
            "{what}: its {total} bytes at offset {start} lie past the end of the file ({} bytes)",
            input.len()
        ))
    })?;
    let mut region = Region { input, start, end, what };
    let pad = |n: usize| padded(n, version).ok_or_else(|| malformed(format!("{what}: a buffer size overflows")));
    let bitmap = match nulls {
        0 => None,
        _ => {
            let n = len.div_ceil(8);
            Some(region.take(n, pad(n)?, "validity bitmap")?)
        }
    };
    let storage = match &data_type {
        DataType::Dictionary(key, _) => key.as_ref(),
        other => other,
    };
    let elements = |width: usize| {
        len.checked_add(1)
            .and_then(|n| n.checked_mul(width))
            .ok_or_else(|| malformed(format!("{what}: {len} values overflow the offsets buffer")))
    };
    let buffers = match storage {
        DataType::Utf8 | DataType::Binary => {
            let n = elements(4)?;
            vec![region.take(n, pad(n)?, "offsets buffer")?, region.rest()]
        }
        DataType::LargeUtf8 | DataType::LargeBinary => {
            let n = elements(8)?;
            vec![region.take(n, pad(n)?, "offsets buffer")?, region.rest()]
        }
        DataType::Boolean => vec![region.values(len.div_ceil(8))?],
        other => {
            let width = other
                .primitive_width()
                .ok_or_else(|| CoreError::Internal(format!("{what}: no fixed width for {other}")))?;
            let n = len.checked_mul(width).ok_or_else(|| malformed(format!("{what}: {len} values overflow")))?;
            vec![region.values(n)?]
        }
    };
    let data = ArrayDataBuilder::new(data_type)
        .len(len)
        .null_bit_buffer(bitmap)
        .buffers(buffers)
        .child_data(child.into_iter().collect())
        .align_buffers(true)
        .build()
        .map_err(|e| malformed(format!("{what}: {e}")))?;
    if data.null_count() != nulls {
        return Err(malformed(format!(
            "{what}: declares {nulls} nulls but its validity bitmap has {}",
            data.null_count()
        )));
    }
    Ok(data)
}

fn decode_column(input: &Buffer, spec: &ColumnSpec, version: i32, num_rows: usize) -> Result<ArrayRef> {
    let name = spec.field.name();
    let what = format!("column {name:?}");
    let rows = to_usize(spec.values.length, &format!("{what}: the length"))?;
    if rows != num_rows {
        return Err(malformed(format!("{what} has {rows} values in a table of {num_rows} rows")));
    }
    let child = match (spec.field.data_type(), &spec.levels) {
        (DataType::Dictionary(_, value_type), Some(levels)) => Some(decode_array(
            input,
            levels,
            value_type.as_ref().clone(),
            None,
            version,
            &format!("the levels of column {name:?}"),
        )?),
        _ => None,
    };
    let data = decode_array(input, &spec.values, spec.field.data_type().clone(), child, version, &what)?;
    Ok(make_array(data))
}

/// The `CTable` bytes of a file: between the column data and the footer.
fn metadata_bytes(buf: &[u8]) -> Result<&[u8]> {
    let n = buf.len();
    if n < MIN_FILE_LEN || !buf.starts_with(MAGIC) || !buf.ends_with(MAGIC) {
        return Err(malformed(format!(
            "a Feather v1 file starts and ends with FEA1 and is at least {MIN_FILE_LEN} bytes; this input is {n} bytes{}",
            if buf.starts_with(MAGIC) && !buf.ends_with(MAGIC) {
                " and lacks the closing magic (truncated?)"
            } else {
                ""
            }
        )));
    }
    let footer = n - 8;
    let len = u32::from_le_bytes(bytes_at(buf, footer)?) as usize;
    footer
        .checked_sub(len)
        .filter(|&start| start >= MAGIC.len())
        .and_then(|start| buf.get(start..footer))
        .ok_or_else(|| malformed(format!("the metadata length {len} exceeds the file ({n} bytes)")))
}

/// Reads a Feather v1 file: every column, or those named in `columns` in that order, as one
/// record batch holding every row. `max_bytes` caps the bytes the chosen columns may declare
/// (values and category levels), checked before anything is decoded: buffers are slices of
/// `input`, but one that is misaligned is copied, so that is the most a read can allocate.
pub fn read(input: &Buffer, columns: Option<&[String]>, max_bytes: u64) -> Result<Decoded> {
    let meta = metadata_bytes(input.as_slice())?;
    verify(meta)?;
    let root = FbTable::root(meta)?;
    let version = root.i32(CTABLE_VERSION)?;
    let num_rows = to_usize(root.i64(CTABLE_NUM_ROWS)?, "the row count")?;
    // Every column's type is resolved, as pyarrow does when it opens the file.
    let specs = root
        .tables(CTABLE_COLUMNS)?
        .into_iter()
        .enumerate()
        .map(|(i, c)| ColumnSpec::parse(c, i))
        .collect::<Result<Vec<_>>>()?;
    let schema = Schema::new(specs.iter().map(|s| s.field.clone()).collect::<Vec<_>>());
    let indices = match columns {
        Some(names) => names.iter().map(|n| column_index(&schema, n)).collect::<Result<Vec<_>>>()?,
        None => (0..specs.len()).collect(),
    };
    let chosen = indices
        .iter()
        .map(|&i| specs.get(i).ok_or_else(|| CoreError::Internal(format!("column index {i} out of range"))))
        .collect::<Result<Vec<_>>>()?;
    let declared = chosen.iter().fold(0u64, |sum, s| sum.saturating_add(s.declared_bytes()));
    if declared > max_bytes {
        return Err(CoreError::LimitExceeded(format!(
            "the Feather v1 columns read declare {declared} bytes, more than the limit of {max_bytes}; \
             raise max-decompressed-bytes to read this input"
        )));
    }
    let arrays = chosen.iter().map(|s| decode_column(input, s, version, num_rows)).collect::<Result<Vec<_>>>()?;
    let schema = Arc::new(schema.project(&indices).map_err(|e| CoreError::Internal(e.to_string()))?);
    let options = RecordBatchOptions::new().with_row_count(Some(num_rows));
    let batch = RecordBatch::try_new_with_options(schema.clone(), arrays, &options)
        .map_err(|e| malformed(format!("the columns do not form a table: {e}")))?;
    Ok(Decoded { schema, batches: vec![batch], codecs: Vec::new() })
}

#[cfg(test)]
#[allow(clippy::unwrap_used, clippy::expect_used, clippy::indexing_slicing, clippy::panic)]
mod tests {
    use super::*;
    use arrow_array::{Array, DictionaryArray, Int32Array, StringArray, Time64MicrosecondArray};
    use flatbuffers::{FlatBufferBuilder, WIPOffset};

    /// One column for [`file`]: a storage type, the metadata union and the data bytes.
    #[derive(Clone)]
    struct Col {
        name: &'static str,
        type_code: i8,
        encoding: i8,
        length: i64,
        null_count: i64,
        data: Vec<u8>,
        /// (union type, unit or ordered, levels type code, levels length, levels data)
        meta: Option<(u8, i8, i8, i64, Vec<u8>)>,
    }

    fn int32_col(name: &'static str, values: &[i32]) -> Col {
        Col {
            name,
            type_code: 3,
            encoding: 0,
            length: values.len() as i64,
            null_count: 0,
            data: values.iter().flat_map(|v| v.to_le_bytes()).collect(),
            meta: None,
        }
    }

    fn pad8(v: &mut Vec<u8>) {
        while !v.len().is_multiple_of(8) {
            v.push(0);
        }
    }

    fn primitive_array(
        fbb: &mut FlatBufferBuilder<'_>,
        (type_code, encoding, offset, length, null_count, total): (i8, i8, i64, i64, i64, i64),
    ) -> WIPOffset<flatbuffers::TableFinishedWIPOffset> {
        let t = fbb.start_table();
        fbb.push_slot::<i64>(ARRAY_OFFSET, offset, 0);
        fbb.push_slot::<i64>(ARRAY_LENGTH, length, 0);
        fbb.push_slot::<i64>(ARRAY_NULL_COUNT, null_count, 0);
        fbb.push_slot::<i64>(ARRAY_TOTAL_BYTES, total, 0);
        fbb.push_slot::<i8>(ARRAY_TYPE, type_code, 0);
        fbb.push_slot::<i8>(ARRAY_ENCODING, encoding, 0);
        fbb.end_table(t)
    }

    /// A Feather v1 file laid out as pyarrow lays it out.
    fn file(cols: &[Col], num_rows: i64) -> Vec<u8> {
        let mut out = MAGIC.to_vec();
        pad8(&mut out);
        let mut fbb = FlatBufferBuilder::new();
        let mut fb_cols = Vec::new();
        for c in cols {
            let offset = out.len() as i64;
            out.extend_from_slice(&c.data);
            pad8(&mut out);
            let levels_at = out.len() as i64;
            if let Some((_, _, _, _, levels)) = &c.meta {
                out.extend_from_slice(levels);
                pad8(&mut out);
            }
            let name = fbb.create_string(c.name);
            let values = primitive_array(
                &mut fbb,
                (c.type_code, c.encoding, offset, c.length, c.null_count, c.data.len() as i64),
            );
            let meta = c.meta.as_ref().map(|(kind, unit, ltype, llen, ldata)| {
                let t = match *kind {
                    META_CATEGORY => {
                        let levels = primitive_array(&mut fbb, (*ltype, 0, levels_at, *llen, 0, ldata.len() as i64));
                        let t = fbb.start_table();
                        fbb.push_slot_always(CATEGORY_LEVELS, levels);
                        fbb.push_slot::<bool>(CATEGORY_ORDERED, *unit != 0, false);
                        t
                    }
                    _ => {
                        let t = fbb.start_table();
                        fbb.push_slot_always::<i8>(TIME_UNIT, *unit);
                        t
                    }
                };
                (*kind, fbb.end_table(t))
            });
            let t = fbb.start_table();
            fbb.push_slot_always(COLUMN_NAME, name);
            fbb.push_slot_always(COLUMN_VALUES, values);
            if let Some((kind, m)) = meta {
                fbb.push_slot_always(COLUMN_METADATA, m);
                fbb.push_slot::<u8>(COLUMN_METADATA_TYPE, kind, 0);
            }
            fb_cols.push(fbb.end_table(t));
        }
        let columns = fbb.create_vector(&fb_cols);
        let t = fbb.start_table();
        fbb.push_slot::<i64>(CTABLE_NUM_ROWS, num_rows, 0);
        fbb.push_slot_always(CTABLE_COLUMNS, columns);
        fbb.push_slot::<i32>(CTABLE_VERSION, 2, 0);
        let root = fbb.end_table(t);
        fbb.finish_minimal(root);
        let mut meta = fbb.finished_data().to_vec();
        pad8(&mut meta);
        out.extend_from_slice(&meta);
        out.extend_from_slice(&(meta.len() as u32).to_le_bytes());
        out.extend_from_slice(MAGIC);
        out
    }

    fn read_all(bytes: &[u8]) -> Result<Decoded> {
        read(&Buffer::from_slice_ref(bytes), None, u64::MAX)
    }

    #[test]
    fn the_accessors_read_what_the_builder_wrote_and_defaults_for_absent_fields() {
        let bytes = file(&[int32_col("a", &[1, 2, 3])], 3);
        let meta = metadata_bytes(&bytes).unwrap();
        verify(meta).unwrap();
        let root = FbTable::root(meta).unwrap();
        assert_eq!(root.i64(CTABLE_NUM_ROWS).unwrap(), 3);
        assert_eq!(root.i32(CTABLE_VERSION).unwrap(), 2);
        assert_eq!(root.string(CTABLE_DESCRIPTION).unwrap(), None);
        let cols = root.tables(CTABLE_COLUMNS).unwrap();
        assert_eq!(cols.len(), 1);
        assert_eq!(cols[0].string(COLUMN_NAME).unwrap(), Some("a"));
        assert_eq!(cols[0].u8(COLUMN_METADATA_TYPE).unwrap(), META_NONE);
        let values = ArrayMeta::parse(cols[0].table(COLUMN_VALUES).unwrap().unwrap()).unwrap();
        assert_eq!(
            values,
            ArrayMeta { type_code: 3, encoding: 0, offset: 8, length: 3, null_count: 0, total_bytes: 12 }
        );
        // A slot past the end of the vtable is absent, not an error.
        assert_eq!(cols[0].field(200).unwrap(), None);
    }

    #[test]
    fn the_accessors_fail_rather_than_read_out_of_bounds() {
        assert!(FbTable::root(&[1, 0]).is_err());
        let far = FbTable { buf: &[0; 8], pos: 6 };
        assert!(far.field(4).is_err());
        // A vtable offset pointing before the buffer.
        let t = FbTable { buf: &[0x10, 0, 0, 0, 0, 0, 0, 0], pos: 0 };
        assert!(t.field(4).is_err());
        assert!(bytes_at::<4>(&[0; 4], usize::MAX - 1).is_err());
        assert!(bytes_at::<4>(&[0; 4], 1).is_err());
        assert_eq!(bytes_at::<4>(&[1, 2, 3, 4], 0).unwrap(), [1, 2, 3, 4]);
    }

    #[test]
    fn after_verification_the_accessors_never_fail_on_corrupted_metadata() {
        let bytes = file(&[int32_col("a", &[1])], 1);
        let meta = metadata_bytes(&bytes).unwrap().to_vec();
        // Every single-bit corruption of the metadata is refused by the verifier or, if it passes,
        // read by the accessors without an error.
        for at in 0..meta.len() {
            for bit in 0..8 {
                let mut m = meta.clone();
                m[at] ^= 1 << bit;
                if verify(&m).is_ok() {
                    let root = FbTable::root(&m).unwrap();
                    root.i64(CTABLE_NUM_ROWS).unwrap();
                    for c in root.tables(CTABLE_COLUMNS).unwrap() {
                        // The column may be refused for what it says, never for how it is stored.
                        if let Err(e) = ColumnSpec::parse(c, 0) {
                            assert!(!e.to_string().contains("flatbuffer"), "byte {at} bit {bit}: {e}");
                        }
                    }
                }
            }
        }
        assert!(verify(&meta[..meta.len() / 2]).is_err());
    }

    #[test]
    fn the_footer_is_checked() {
        assert!(matches!(metadata_bytes(b"FEA1FEA1"), Err(CoreError::Malformed(_))));
        assert!(
            matches!(metadata_bytes(b"FEA1\0\0\0\0\0\0\0\0XXXX"), Err(CoreError::Malformed(m)) if m.contains("truncated"))
        );
        // A metadata length reaching into the leading magic.
        let mut f = b"FEA1".to_vec();
        f.extend_from_slice(&[0; 4]);
        f.extend_from_slice(&5u32.to_le_bytes());
        f.extend_from_slice(MAGIC);
        assert!(matches!(metadata_bytes(&f), Err(CoreError::Malformed(m)) if m.contains("exceeds")));
        f[8] = 4;
        assert_eq!(metadata_bytes(&f).unwrap(), &[0; 4]);
        f[8..12].copy_from_slice(&u32::MAX.to_le_bytes());
        assert!(metadata_bytes(&f).is_err());
    }

    #[test]
    fn padding_follows_the_format_version() {
        assert_eq!(padded(0, 2), Some(0));
        assert_eq!(padded(1, 2), Some(8));
        assert_eq!(padded(8, 2), Some(8));
        assert_eq!(padded(9, 2), Some(16));
        assert_eq!(padded(9, 1), Some(9));
        assert_eq!(padded(usize::MAX, 2), None);
    }

    #[test]
    fn type_codes_map_or_are_named_in_the_error() {
        assert_eq!(storage_type(17).unwrap(), DataType::LargeUtf8);
        for (code, name) in [(19, "COMPLEX_FLOAT"), (13, "CATEGORY"), (42, "unknown type code 42"), (-1, "code -1")] {
            match storage_type(code) {
                Err(CoreError::UnsupportedFormat(m)) => assert!(m.contains(name), "{m}"),
                other => panic!("{code}: {other:?}"),
            }
        }
        let c = Col { type_code: 20, ..int32_col("c", &[1, 2]) };
        assert!(
            matches!(read_all(&file(&[c], 2)), Err(CoreError::UnsupportedFormat(m)) if m.contains("COMPLEX_DOUBLE"))
        );
        assert!(time_unit(4).is_err());
    }

    #[test]
    fn a_hand_built_file_reads_and_its_values_are_slices_of_the_input() {
        let bytes = file(&[int32_col("a", &[1, -2, 3]), int32_col("b", &[4, 5, 6])], 3);
        let input = Buffer::from_slice_ref(&bytes);
        let d = read(&input, None, u64::MAX).unwrap();
        assert_eq!(d.batches.len(), 1);
        let a = d.batches[0].column(0).as_any().downcast_ref::<Int32Array>().unwrap();
        assert_eq!(a.values().as_ref(), &[1, -2, 3]);
        let p = a.values().inner().as_ptr() as usize;
        assert!(p >= input.as_ptr() as usize && p < input.as_ptr() as usize + input.len());
        // Projection, the limit and a row count that disagrees with a column.
        let b = read(&input, Some(&["b".to_string()]), u64::MAX).unwrap();
        assert_eq!(b.schema.fields().len(), 1);
        assert!(matches!(read(&input, None, 23), Err(CoreError::LimitExceeded(_))));
        assert!(read(&input, None, 24).is_ok());
        let short = file(&[int32_col("a", &[1, 2, 3])], 2);
        assert!(matches!(read_all(&short), Err(CoreError::Malformed(m)) if m.contains("3 values in a table of 2")));
    }

    #[test]
    fn a_misaligned_input_is_copied_where_needed_and_reads_the_same() {
        let bytes = file(&[int32_col("a", &[7, 8, 9])], 3);
        let mut shifted = vec![0u8];
        shifted.extend_from_slice(&bytes);
        let input = Buffer::from_vec(shifted).slice(1);
        assert_ne!(input.as_ptr() as usize % 4, 0);
        let d = read(&input, None, u64::MAX).unwrap();
        assert_eq!(d.batches, read_all(&bytes).unwrap().batches);
    }

    #[test]
    fn time_metadata_with_a_sub_millisecond_unit_is_time64_over_int64() {
        let mut c = int32_col("t", &[]);
        c.type_code = 4;
        c.length = 2;
        c.data = [5i64, 6].iter().flat_map(|v| v.to_le_bytes()).collect();
        c.meta = Some((META_TIME, 2, 0, 0, vec![]));
        let d = read_all(&file(&[c.clone()], 2)).unwrap();
        let t = d.batches[0].column(0).as_any().downcast_ref::<Time64MicrosecondArray>().unwrap();
        assert_eq!(t.values().as_ref(), &[5, 6]);
        // Seconds over INT64 storage is inconsistent.
        c.meta = Some((META_TIME, 0, 0, 0, vec![]));
        assert!(matches!(read_all(&file(&[c], 2)), Err(CoreError::Malformed(m)) if m.contains("INT64 storage")));
    }

    #[test]
    fn categories_check_their_codes_against_their_levels() {
        // Offsets 0, 1, 2 padded to 16 bytes, then the values.
        let levels: Vec<u8> = [0i32, 1, 2, 0].iter().flat_map(|v| v.to_le_bytes()).chain(*b"xy").collect();
        let mut c = int32_col("c", &[1, 0, 1]);
        c.type_code = 1; // INT8 codes
        c.data = vec![1, 0, 1];
        c.meta = Some((META_CATEGORY, 1, 11, 2, levels.clone()));
        let d = read_all(&file(&[c.clone()], 3)).unwrap();
        let dict = d.batches[0].column(0).as_any().downcast_ref::<DictionaryArray<arrow_array::types::Int8Type>>();
        let values = dict.unwrap().values().as_any().downcast_ref::<StringArray>().unwrap().clone();
        assert_eq!(values, StringArray::from(vec!["x", "y"]));
        assert_eq!(d.schema.field(0).dict_is_ordered(), Some(true));
        c.data = vec![1, 2, 1];
        assert!(
            matches!(read_all(&file(&[c.clone()], 3)), Err(CoreError::Malformed(m)) if m.contains("out of bounds"))
        );
        c.type_code = 9; // FLOAT codes
        assert!(matches!(read_all(&file(&[c], 3)), Err(CoreError::Malformed(m)) if m.contains("non-integer")));
    }

    #[test]
    fn null_counts_bitmaps_and_encodings_are_checked() {
        // Two values, one null: a bitmap (padded to 8) then the values.
        let mut c = int32_col("n", &[]);
        c.length = 2;
        c.null_count = 1;
        c.data = [vec![0b01, 0, 0, 0, 0, 0, 0, 0], 3i32.to_le_bytes().to_vec(), 0i32.to_le_bytes().to_vec()].concat();
        let d = read_all(&file(&[c.clone()], 2)).unwrap();
        assert_eq!(d.batches[0].column(0).null_count(), 1);
        c.null_count = 2;
        assert!(
            matches!(read_all(&file(&[c.clone()], 2)), Err(CoreError::Malformed(m)) if m.contains("declares 2 nulls"))
        );
        c.null_count = 3;
        assert!(matches!(read_all(&file(&[c.clone()], 2)), Err(CoreError::Malformed(m)) if m.contains("3 nulls in 2")));
        c.null_count = 1;
        c.data.truncate(12);
        assert!(
            matches!(read_all(&file(&[c.clone()], 2)), Err(CoreError::Malformed(m)) if m.contains("values buffer"))
        );
        let e = Col { encoding: 1, ..int32_col("e", &[1]) };
        assert!(matches!(read_all(&file(&[e], 1)), Err(CoreError::UnsupportedFormat(m)) if m.contains("encoding")));
    }
}
