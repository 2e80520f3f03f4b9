//! Big-endian Arrow IPC, read by swapping every buffer to little-endian before arrow-ipc sees it.
//!
//! The IPC format lets a writer keep its machine's byte order and say so in the schema's
//! `endianness`; readers on the other order swap (Arrow C++'s `ensure_native_endian`, which is
//! what pyarrow does). arrow-ipc does not: it refuses big-endian files and decimals, and decodes
//! big-endian streams as if they were little-endian, so values come out wrong without an error.
//! Here the schema is converted from a copy of its flatbuffer with the flag set to little-endian,
//! and each batch body is copied and swapped buffer by buffer by the types of the fields it holds,
//! walking the buffers in the order [`super::layout`] checks them. The match over types is
//! exhaustive, so a type a later arrow adds fails to compile here instead of passing unswapped;
//! compressed bodies are refused with `unsupported-format` (arrow-ipc decompresses and decodes
//! in one step, leaving no point to swap at).

use arrow_ipc::MetadataVersion;
use arrow_schema::{DataType, Field, IntervalUnit, UnionMode};

use crate::error::{CoreError, Result};

/// A copy of the flatbuffer holding `fb` with its `endianness` set to little, or `None` when the
/// schema is little-endian already. The copy has the same layout, so the caller re-reads it from
/// the root it read `fb` from.
pub(crate) fn little_endian_copy(fb: &arrow_ipc::Schema<'_>) -> Option<Vec<u8>> {
    if fb.endianness() != arrow_ipc::Endianness::Big {
        return None;
    }
    let table = &fb._tab;
    // A big-endian schema has the field present (writers omit only the default, little), so the
    // two bytes can be overwritten where they are.
    let at = table.loc() + usize::from(table.vtable().get(arrow_ipc::Schema::VT_ENDIANNESS));
    let mut copy = table.buf().to_vec();
    copy.get_mut(at..at + 2)?.copy_from_slice(&arrow_ipc::Endianness::Little.0.to_le_bytes());
    Some(copy)
}

/// How the elements of one buffer are swapped.
#[derive(Clone, Copy)]
enum Swap {
    /// Bytes, bitmaps, type ids: nothing to swap.
    None,
    /// Values of this many bytes, each reversed: integers, floats, and decimals (a decimal of
    /// any width is one two's-complement integer, so it too is reversed end to end).
    Each(usize),
    /// Month-day-nano intervals: two 4-byte integers then an 8-byte one.
    MonthDayNano,
    /// Binary and string views: the length, then (past 12 bytes) buffer index and offset.
    Views,
}

/// Swaps the body of one record or dictionary batch in place, by the types of `fields`.
pub(crate) fn swap_batch(
    batch: &arrow_ipc::RecordBatch<'_>,
    body: &mut [u8],
    version: MetadataVersion,
    fields: &[&Field],
) -> Result<()> {
    if let Some(c) = batch.compression() {
        // The swap has to happen between decompression and decoding, and arrow-ipc does both.
        return Err(CoreError::UnsupportedFormat(format!(
            "big-endian IPC with compressed buffers ({:?}); write it uncompressed or on a little-endian machine",
            c.codec()
        )));
    }
    let buffers = batch.buffers().map(|b| b.iter().map(|b| (b.offset(), b.length())).collect()).unwrap_or_default();
    let variadic = batch.variadicBufferCounts().map(|v| v.iter().collect()).unwrap_or_default();
    let mut walk = Walk { body, buffers: Vec::into_iter(buffers), variadic: Vec::into_iter(variadic), version };
    fields.iter().for_each(|f| walk.field(f.data_type()));
    Ok(())
}

struct Walk<'a> {
    body: &'a mut [u8],
    buffers: std::vec::IntoIter<(i64, i64)>,
    variadic: std::vec::IntoIter<i64>,
    version: MetadataVersion,
}

impl Walk<'_> {
    /// Swaps the next buffer. Buffers that are missing or out of the body were refused by the
    /// layout check before, or are reported by arrow-ipc; either way there is nothing to swap.
    fn next(&mut self, how: Swap) {
        let Some((offset, length)) = self.buffers.next() else { return };
        let (Ok(start), Ok(len)) = (usize::try_from(offset), usize::try_from(length)) else { return };
        let Some(bytes) = start.checked_add(len).and_then(|end| self.body.get_mut(start..end)) else { return };
        match how {
            Swap::None => {}
            Swap::Each(width) => bytes.chunks_exact_mut(width).for_each(<[u8]>::reverse),
            Swap::MonthDayNano => bytes.chunks_exact_mut(16).for_each(|v| {
                let (months_days, nanos) = v.split_at_mut(8);
                months_days.chunks_exact_mut(4).for_each(<[u8]>::reverse);
                nanos.reverse();
            }),
            Swap::Views => bytes.chunks_exact_mut(16).for_each(|v| {
                let Some((len, rest)) = v.split_first_chunk_mut::<4>() else { return };
                len.reverse();
                let inline = u32::from_le_bytes(*len) <= 12;
                if !inline && let Some(index_offset) = rest.get_mut(4..12) {
                    index_offset.chunks_exact_mut(4).for_each(<[u8]>::reverse);
                }
            }),
        }
    }

    fn field(&mut self, dt: &DataType) {
        use DataType as D;
        let validity = match dt {
            D::Null | D::RunEndEncoded(..) => false,
            D::Union(..) => self.version < MetadataVersion::V5,
            _ => true,
        };
        if validity {
            self.next(Swap::None);
        }
        match dt {
            D::Null => {}
            D::Boolean | D::Int8 | D::UInt8 | D::FixedSizeBinary(_) => self.next(Swap::None),
            D::Int16 | D::UInt16 | D::Float16 => self.next(Swap::Each(2)),
            D::Int32
            | D::UInt32
            | D::Float32
            | D::Date32
            | D::Time32(_)
            | D::Decimal32(..)
            | D::Interval(IntervalUnit::YearMonth)
            // Two 4-byte integers, days and milliseconds.
            | D::Interval(IntervalUnit::DayTime) => self.next(Swap::Each(4)),
            D::Int64 | D::UInt64 | D::Float64 | D::Date64 | D::Time64(_) | D::Timestamp(..) | D::Duration(_) => {
                self.next(Swap::Each(8))
            }
            D::Decimal64(..) => self.next(Swap::Each(8)),
            D::Decimal128(..) => self.next(Swap::Each(16)),
            D::Decimal256(..) => self.next(Swap::Each(32)),
            D::Interval(IntervalUnit::MonthDayNano) => self.next(Swap::MonthDayNano),
            D::Utf8 | D::Binary => {
                self.next(Swap::Each(4));
                self.next(Swap::None);
            }
            D::LargeUtf8 | D::LargeBinary => {
                self.next(Swap::Each(8));
                self.next(Swap::None);
            }
            D::Utf8View | D::BinaryView => {
                self.next(Swap::Views);
                let data = self.variadic.next().unwrap_or(0).max(0);
                (0..data).for_each(|_| self.next(Swap::None));
            }
            D::List(child) | D::Map(child, _) => {
                self.next(Swap::Each(4));
                self.field(child.data_type());
            }
            D::LargeList(child) => {
                self.next(Swap::Each(8));
                self.field(child.data_type());
            }
            D::ListView(child) => {
                self.next(Swap::Each(4));
                self.next(Swap::Each(4));
                self.field(child.data_type());
            }
            D::LargeListView(child) => {
                self.next(Swap::Each(8));
                self.next(Swap::Each(8));
                self.field(child.data_type());
            }
            D::FixedSizeList(child, _) => self.field(child.data_type()),
            D::Struct(children) => children.iter().for_each(|c| self.field(c.data_type())),
            D::Union(children, mode) => {
                self.next(Swap::None);
                if *mode == UnionMode::Dense {
                    self.next(Swap::Each(4));
                }
                children.iter().for_each(|(_, c)| self.field(c.data_type()));
            }
            D::Dictionary(key, _) => self.next(Swap::Each(key.primitive_width().unwrap_or(1))),
            D::RunEndEncoded(run_ends, values) => {
                self.field(run_ends.data_type());
                self.field(values.data_type());
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn one_buffer(dt: DataType, body: &mut [u8]) {
        let len = body.len() as i64;
        let mut walk = Walk {
            body,
            buffers: vec![(0, 0), (0, len)].into_iter(),
            variadic: Vec::new().into_iter(),
            version: MetadataVersion::V5,
        };
        walk.field(&dt);
    }

    #[test]
    fn integers_swap_per_element_and_decimals_end_to_end() {
        let mut ints: Vec<u8> = [1_i32, -2].iter().flat_map(|v| v.to_be_bytes()).collect();
        one_buffer(DataType::Int32, &mut ints);
        assert_eq!(ints, [1_i32, -2].iter().flat_map(|v| v.to_le_bytes()).collect::<Vec<u8>>());

        let mut dec: Vec<u8> = [-5_i128, 1 << 70].iter().flat_map(|v| v.to_be_bytes()).collect();
        one_buffer(DataType::Decimal128(38, 0), &mut dec);
        assert_eq!(dec, [-5_i128, 1 << 70].iter().flat_map(|v| v.to_le_bytes()).collect::<Vec<u8>>());
    }

    #[test]
    fn month_day_nano_swaps_each_part() {
        let mut v: Vec<u8> =
            [3_i32.to_be_bytes().to_vec(), (-4_i32).to_be_bytes().to_vec(), 5_i64.to_be_bytes().to_vec()].concat();
        one_buffer(DataType::Interval(IntervalUnit::MonthDayNano), &mut v);
        let want =
            [3_i32.to_le_bytes().to_vec(), (-4_i32).to_le_bytes().to_vec(), 5_i64.to_le_bytes().to_vec()].concat();
        assert_eq!(v, want);
    }

    #[test]
    fn views_keep_inline_bytes_and_swap_index_and_offset() {
        let inline: Vec<u8> = [5_u32.to_be_bytes().as_slice(), b"hello\0\0\0\0\0\0\0"].concat();
        let long: Vec<u8> =
            [20_u32.to_be_bytes().as_slice(), b"abcd", 1_u32.to_be_bytes().as_slice(), 7_u32.to_be_bytes().as_slice()]
                .concat();
        let mut body = [inline, long].concat();
        one_buffer(DataType::Utf8View, &mut body);
        let want: Vec<u8> = [
            5_u32.to_le_bytes().as_slice(),
            b"hello\0\0\0\0\0\0\0",
            20_u32.to_le_bytes().as_slice(),
            b"abcd",
            1_u32.to_le_bytes().as_slice(),
            7_u32.to_le_bytes().as_slice(),
        ]
        .concat();
        assert_eq!(body, want);
    }
}
