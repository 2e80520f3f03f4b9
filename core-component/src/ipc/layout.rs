//! Structural checks of an IPC record batch against its schema, made before arrow-ipc decodes it.
//!
//! arrow-ipc and arrow-data turn some malformed inputs into panics rather than errors (a panic
//! is a trap in WASM): a buffer whose byte length is not a multiple of its element width trips
//! an `assert!` in `Buffer::typed_data` during validation, a union's type-id buffer shorter than
//! its node is sliced unchecked, and a negative fixed size unwraps in `layout`. This module walks
//! the fields, nodes and buffers in exactly the order `RecordBatchDecoder::create_array` consumes
//! them and rejects those inputs with an error first. Found by the bit-flip sweep in
//! `tests/fixtures.rs`; each check names the panic it prevents.

use arrow_ipc::MetadataVersion;
use arrow_schema::{DataType, Field, Schema, UnionMode};

use crate::error::{CoreError, Result};

fn malformed(msg: impl Into<String>) -> CoreError {
    CoreError::Malformed(msg.into())
}

/// Rejects schema types whose sizes arrow-data would `unwrap` into a panic.
pub fn check_schema(schema: &Schema) -> Result<()> {
    schema.fields().iter().try_for_each(|f| check_type(f.data_type()))
}

fn check_type(dt: &DataType) -> Result<()> {
    match dt {
        DataType::FixedSizeBinary(n) | DataType::FixedSizeList(_, n) if *n < 0 => {
            Err(malformed(format!("negative fixed size {n} in type {dt}")))
        }
        DataType::List(f)
        | DataType::LargeList(f)
        | DataType::ListView(f)
        | DataType::LargeListView(f)
        | DataType::FixedSizeList(f, _)
        | DataType::Map(f, _) => check_type(f.data_type()),
        DataType::Struct(fs) => fs.iter().try_for_each(|f| check_type(f.data_type())),
        DataType::Union(fs, _) => fs.iter().try_for_each(|(_, f)| check_type(f.data_type())),
        DataType::Dictionary(_, v) => check_type(v),
        DataType::RunEndEncoded(r, v) => check_type(r.data_type()).and(check_type(v.data_type())),
        _ => Ok(()),
    }
}

/// The decoded byte length of each buffer of a batch, in message order.
pub struct BatchLayout {
    nodes: std::vec::IntoIter<(i64, i64)>,
    buffers: std::vec::IntoIter<usize>,
    variadic: std::vec::IntoIter<i64>,
    version: MetadataVersion,
}

impl BatchLayout {
    /// `buffer_lengths` are the *decoded* lengths (after decompression) of the batch's buffers.
    pub fn new(
        batch: &arrow_ipc::RecordBatch<'_>,
        buffer_lengths: Vec<usize>,
        version: MetadataVersion,
    ) -> Result<Self> {
        let nodes = batch.nodes().ok_or_else(|| malformed("record batch without field nodes"))?;
        let nodes: Vec<(i64, i64)> = nodes.iter().map(|n| (n.length(), n.null_count())).collect();
        let variadic: Vec<i64> = batch.variadicBufferCounts().map(|v| v.iter().collect()).unwrap_or_default();
        Ok(Self {
            nodes: nodes.into_iter(),
            buffers: buffer_lengths.into_iter(),
            variadic: variadic.into_iter(),
            version,
        })
    }

    /// Checks every field in order; stops quietly when nodes or buffers run out, since
    /// arrow-ipc reports that itself as an error.
    pub fn check_fields<'f>(&mut self, fields: impl IntoIterator<Item = &'f Field>) -> Result<()> {
        for f in fields {
            if self.field(f)?.is_none() {
                break;
            }
        }
        Ok(())
    }

    fn node(&mut self, field: &Field) -> Result<Option<usize>> {
        let Some((len, nulls)) = self.nodes.next() else { return Ok(None) };
        // Lengths become `usize` (32 bits in WASM) inside arrow; out-of-range ones would wrap.
        if !(0..=i64::from(i32::MAX)).contains(&len) || !(0..=len).contains(&nulls) {
            return Err(malformed(format!("field {:?} has length {len} and null count {nulls}", field.name())));
        }
        Ok(Some(len as usize))
    }

    fn buffer(&mut self) -> Option<usize> {
        self.buffers.next()
    }

    /// A buffer read as `[T]`: its length must be a multiple of `width` (`typed_data` asserts).
    fn typed(&mut self, field: &Field, what: &str, width: usize) -> Result<Option<usize>> {
        let Some(len) = self.buffer() else { return Ok(None) };
        if width > 1 && len % width != 0 {
            return Err(malformed(format!(
                "the {what} buffer of field {:?} is {len} bytes, not a multiple of {width}",
                field.name()
            )));
        }
        Ok(Some(len))
    }

    /// Returns `None` when the message ran out of nodes or buffers.
    fn field(&mut self, field: &Field) -> Result<Option<()>> {
        let Some(len) = self.node(field)? else { return Ok(None) };
        let dt = field.data_type();
        let done = match dt {
            DataType::Null => Some(()),
            DataType::Utf8 | DataType::Binary => {
                self.buffer().and(self.typed(field, "offsets", 4)?).and(self.buffer()).map(drop)
            }
            DataType::LargeUtf8 | DataType::LargeBinary => {
                self.buffer().and(self.typed(field, "offsets", 8)?).and(self.buffer()).map(drop)
            }
            DataType::Utf8View | DataType::BinaryView => {
                let Some(count) = self.variadic.next() else { return Ok(None) };
                let count = usize::try_from(count).map_err(|_| malformed(format!("variadic buffer count {count}")))?;
                let mut ok = self.buffer().and(self.typed(field, "views", 16)?);
                for _ in 0..count {
                    ok = ok.and(self.buffer());
                }
                ok.map(drop)
            }
            DataType::List(child) | DataType::Map(child, _) => self.nested_offsets(field, 4, 1, child)?,
            DataType::LargeList(child) => self.nested_offsets(field, 8, 1, child)?,
            DataType::ListView(child) => self.nested_offsets(field, 4, 2, child)?,
            DataType::LargeListView(child) => self.nested_offsets(field, 8, 2, child)?,
            DataType::FixedSizeList(child, _) => match self.buffer() {
                Some(_) => self.field(child)?,
                None => None,
            },
            DataType::Struct(children) => match self.buffer() {
                Some(_) => {
                    for c in children {
                        if self.field(c)?.is_none() {
                            return Ok(None);
                        }
                    }
                    Some(())
                }
                None => None,
            },
            DataType::Union(children, mode) => {
                if self.version < MetadataVersion::V5 && self.buffer().is_none() {
                    return Ok(None);
                }
                let Some(ids) = self.buffer() else { return Ok(None) };
                if ids < len {
                    return Err(malformed(format!("union {:?} has {ids} type ids for {len} rows", field.name())));
                }
                if *mode == UnionMode::Dense {
                    let Some(offsets) = self.typed(field, "union offsets", 4)? else { return Ok(None) };
                    if offsets / 4 < len {
                        return Err(malformed(format!(
                            "union {:?} has {} offsets for {len} rows",
                            field.name(),
                            offsets / 4
                        )));
                    }
                }
                for (_, c) in children.iter() {
                    if self.field(c)?.is_none() {
                        return Ok(None);
                    }
                }
                Some(())
            }
            DataType::RunEndEncoded(run_ends, values) => match self.field(run_ends)? {
                Some(()) => self.field(values)?,
                None => None,
            },
            DataType::Dictionary(key, _) => {
                let width = key.primitive_width().unwrap_or(1);
                self.buffer().and(self.typed(field, "dictionary keys", width)?).map(drop)
            }
            other => {
                let width = other.primitive_width().unwrap_or(1);
                self.buffer().and(self.typed(field, "values", width)?).map(drop)
            }
        };
        Ok(done)
    }

    /// Validity, `extra` offset-like buffers of `width` (offsets, and sizes for list views), then
    /// the child.
    fn nested_offsets(&mut self, field: &Field, width: usize, extra: usize, child: &Field) -> Result<Option<()>> {
        if self.buffer().is_none() {
            return Ok(None);
        }
        for _ in 0..extra {
            if self.typed(field, "offsets", width)?.is_none() {
                return Ok(None);
            }
        }
        self.field(child)
    }
}
