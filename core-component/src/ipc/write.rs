//! Writing tables as Arrow IPC files and streams with `IpcWriteOptions`.

use arrow_array::cast::AsArray;
use arrow_array::{Array, RecordBatch};
use arrow_ipc::writer::{DictionaryHandling, FileWriter, IpcWriteOptions, StreamWriter};
use arrow_ipc::{CompressionType, MetadataVersion};
use arrow_schema::{DataType, Schema};

use crate::error::{CoreError, Result};

/// IPC body compression.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Compression {
    /// Buffers as they are.
    None,
    /// LZ4 frames.
    Lz4Frame,
    /// Zstandard frames.
    Zstd,
}

/// File or stream framing.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Framing {
    /// IPC file (Feather v2).
    File,
    /// IPC stream.
    Stream,
}

/// The options of an IPC write; the fields of `arrow_ipc::writer::IpcWriteOptions` plus framing.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct WriteOptions {
    /// File or stream.
    pub framing: Framing,
    /// Body compression.
    pub compression: Compression,
    /// Zstandard level, only with `Compression::Zstd`.
    pub zstd_level: Option<i32>,
    /// Buffer alignment: 8, 16, 32 or 64.
    pub alignment: u8,
    /// `true` for metadata V5, `false` for V4.
    pub metadata_v5: bool,
    /// Pre-0.15 stream framing (V4 only).
    pub legacy_format: bool,
    /// Send dictionary deltas instead of whole dictionaries.
    pub dictionary_deltas: bool,
}

impl Default for WriteOptions {
    /// pyarrow's defaults: an uncompressed V5 file with 64-byte alignment.
    fn default() -> Self {
        Self {
            framing: Framing::File,
            compression: Compression::None,
            zstd_level: None,
            alignment: 64,
            metadata_v5: true,
            legacy_format: false,
            dictionary_deltas: false,
        }
    }
}

impl WriteOptions {
    /// Builds arrow-ipc's options, refusing combinations it would refuse (or silently misuse).
    pub fn to_arrow(&self) -> Result<IpcWriteOptions> {
        let version = if self.metadata_v5 { MetadataVersion::V5 } else { MetadataVersion::V4 };
        let codec = match self.compression {
            Compression::None => None,
            Compression::Lz4Frame => Some(CompressionType::LZ4_FRAME),
            Compression::Zstd => Some(CompressionType::ZSTD),
        };
        if self.zstd_level.is_some() && self.compression != Compression::Zstd {
            return Err(CoreError::InvalidArgument("zstd-level is only valid with zstd compression".into()));
        }
        if self.dictionary_deltas && self.framing == Framing::File {
            return Err(CoreError::InvalidArgument(
                "dictionary deltas are only valid in stream framing: the IPC file format forbids them".into(),
            ));
        }
        let handling = if self.dictionary_deltas { DictionaryHandling::Delta } else { DictionaryHandling::Resend };
        IpcWriteOptions::try_new(usize::from(self.alignment), self.legacy_format, version)
            .and_then(|o| o.try_with_compression(codec))
            .and_then(|o| o.try_with_compression_level(self.zstd_level))
            .map(|o| o.with_dictionary_handling(handling))
            .map_err(CoreError::from_encode)
    }
}

/// Writes `batches` (all of `schema`) as IPC bytes.
pub fn write(schema: &Schema, batches: &[RecordBatch], options: &WriteOptions) -> Result<Vec<u8>> {
    let arrow_options = options.to_arrow()?;
    let mut out = Vec::new();
    match options.framing {
        Framing::File => {
            let batches = unify_dictionaries(schema, batches)?;
            let mut w =
                FileWriter::try_new_with_options(&mut out, schema, arrow_options).map_err(CoreError::from_encode)?;
            for b in &batches {
                w.write(b).map_err(CoreError::from_encode)?;
            }
            w.finish().map_err(CoreError::from_encode)?;
        }
        Framing::Stream => {
            let mut w =
                StreamWriter::try_new_with_options(&mut out, schema, arrow_options).map_err(CoreError::from_encode)?;
            for b in batches {
                w.write(b).map_err(CoreError::from_encode)?;
            }
            w.finish().map_err(CoreError::from_encode)?;
        }
    }
    Ok(out)
}

/// The IPC file format allows one dictionary per field for the whole file, but a table read from
/// a stream with replacement or delta dictionaries has a different one per batch. Like pyarrow's
/// `unify_dictionaries`, such columns are concatenated (which merges their dictionaries) and cut
/// back into the original batches, so every batch shares one dictionary. Columns whose batches
/// already share theirs are left untouched.
fn unify_dictionaries(schema: &Schema, batches: &[RecordBatch]) -> Result<Vec<RecordBatch>> {
    let mut out = batches.to_vec();
    if batches.len() < 2 {
        return Ok(out);
    }
    for (i, field) in schema.fields().iter().enumerate() {
        if !contains_dictionary(field.data_type()) || shares_dictionary(batches, i) {
            continue;
        }
        let columns: Vec<&dyn Array> = batches.iter().map(|b| b.column(i).as_ref()).collect();
        let merged = arrow_select::concat::concat(&columns).map_err(CoreError::from_encode)?;
        let mut at = 0;
        for b in out.iter_mut() {
            let n = b.num_rows();
            let mut cols = b.columns().to_vec();
            if let Some(c) = cols.get_mut(i) {
                *c = merged.slice(at, n);
            }
            at += n;
            *b = RecordBatch::try_new(b.schema(), cols).map_err(CoreError::from_encode)?;
        }
    }
    Ok(out)
}

fn contains_dictionary(dt: &DataType) -> bool {
    match dt {
        DataType::Dictionary(_, _) => true,
        DataType::List(f) | DataType::LargeList(f) | DataType::FixedSizeList(f, _) | DataType::Map(f, _) => {
            contains_dictionary(f.data_type())
        }
        DataType::ListView(f) | DataType::LargeListView(f) => contains_dictionary(f.data_type()),
        DataType::Struct(fs) => fs.iter().any(|f| contains_dictionary(f.data_type())),
        DataType::Union(fs, _) => fs.iter().any(|(_, f)| contains_dictionary(f.data_type())),
        DataType::RunEndEncoded(_, v) => contains_dictionary(v.data_type()),
        _ => false,
    }
}

/// Whether every batch's column `i` is a top-level dictionary over the very same values.
fn shares_dictionary(batches: &[RecordBatch], i: usize) -> bool {
    let values = |b: &RecordBatch| b.column(i).as_any_dictionary_opt().map(|d| d.values().to_data());
    match batches.first().and_then(values) {
        Some(first) => batches.iter().all(|b| values(b).is_some_and(|v| v.ptr_eq(&first))),
        None => false,
    }
}
