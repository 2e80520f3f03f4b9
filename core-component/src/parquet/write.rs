//! Parquet writes: writer properties from options, whole-table writes, and the sink that encodes
//! row groups as they fill (the streaming writer's Parquet half).

use std::sync::Arc;

use ::parquet::arrow::ArrowWriter;
use ::parquet::basic::{BrotliLevel, Compression, GzipLevel, ZstdLevel};
use ::parquet::errors::ParquetError;
use ::parquet::file::metadata::KeyValue;
use ::parquet::file::properties::{EnabledStatistics, WriterProperties, WriterVersion};
use arrow_array::RecordBatch;
use arrow_schema::{Schema, SchemaRef};

use super::options::{Codec, ParquetWriteOptions, StatisticsLevel};
use crate::error::{CoreError, Result};

fn level_u32(level: Option<i32>, what: &str) -> Result<Option<u32>> {
    level
        .map(|l| u32::try_from(l).map_err(|_| CoreError::InvalidArgument(format!("{what} level {l} is negative"))))
        .transpose()
}

fn compression(codec: Codec, level: Option<i32>) -> Result<Compression> {
    let bad = |e: ParquetError| CoreError::InvalidArgument(e.to_string());
    let levelless = |name: &str| match level {
        Some(l) => Err(CoreError::InvalidArgument(format!("{name} takes no compression level (got {l})"))),
        None => Ok(()),
    };
    Ok(match codec {
        Codec::Uncompressed => {
            levelless("uncompressed")?;
            Compression::UNCOMPRESSED
        }
        Codec::Snappy => {
            levelless("snappy")?;
            Compression::SNAPPY
        }
        Codec::Lz4 => {
            levelless("lz4")?;
            Compression::LZ4
        }
        Codec::Lz4Raw => {
            levelless("lz4-raw")?;
            Compression::LZ4_RAW
        }
        Codec::Gzip => Compression::GZIP(match level_u32(level, "gzip")? {
            Some(l) => GzipLevel::try_new(l).map_err(bad)?,
            None => GzipLevel::default(),
        }),
        Codec::Brotli => Compression::BROTLI(match level_u32(level, "brotli")? {
            Some(l) => BrotliLevel::try_new(l).map_err(bad)?,
            None => BrotliLevel::default(),
        }),
        Codec::Zstd => Compression::ZSTD(match level {
            Some(l) => ZstdLevel::try_new(l).map_err(bad)?,
            None => ZstdLevel::default(),
        }),
        Codec::Lzo => {
            return Err(CoreError::UnsupportedCodec(
                "LZO cannot be written: no Parquet reader in common use decodes it".into(),
            ));
        }
    })
}

/// Writer properties from options.
pub fn writer_properties(options: &ParquetWriteOptions) -> Result<WriterProperties> {
    let mut p = WriterProperties::builder()
        .set_compression(compression(options.compression, options.compression_level)?)
        .set_dictionary_enabled(options.dictionary)
        .set_statistics_enabled(match options.statistics {
            StatisticsLevel::None => EnabledStatistics::None,
            StatisticsLevel::Chunk => EnabledStatistics::Chunk,
            StatisticsLevel::Page => EnabledStatistics::Page,
        })
        .set_writer_version(if options.writer_version_2 {
            WriterVersion::PARQUET_2_0
        } else {
            WriterVersion::PARQUET_1_0
        })
        .set_created_by(format!("arrow-rs-wasm {} (parquet-rs)", env!("CARGO_PKG_VERSION")))
        // Write what the Parquet spec and pyarrow expect (date64 as DATE, list items named
        // `element`); without it pyarrow reads a date64 column back as int64.
        .set_coerce_types(true)
        .set_page_checksum_enabled(options.page_checksums);
    if let Some(n) = options.max_row_group_rows {
        if n == 0 {
            return Err(CoreError::InvalidArgument("max-row-group-rows must be at least 1".into()));
        }
        p = p.set_max_row_group_row_count(Some(n));
    }
    if let Some(n) = options.data_page_size {
        if n == 0 {
            return Err(CoreError::InvalidArgument("data-page-size must be at least 1".into()));
        }
        p = p.set_data_page_size_limit(n);
    }
    if !options.key_value_metadata.is_empty() {
        p = p.set_key_value_metadata(Some(
            options.key_value_metadata.iter().map(|(k, v)| KeyValue::new(k.clone(), v.clone())).collect(),
        ));
    }
    Ok(p.build())
}

/// Write batches as a Parquet file (the Arrow schema is embedded, as pyarrow does, so types that
/// Parquet lacks round-trip).
pub fn write(schema: &SchemaRef, batches: &[RecordBatch], options: &ParquetWriteOptions) -> Result<Vec<u8>> {
    let mut sink = ParquetSink::new(schema, options)?;
    for b in batches {
        sink.write(b)?;
    }
    sink.finish()
}

fn from_write(e: ParquetError) -> CoreError {
    match e {
        ParquetError::NYI(m) => CoreError::UnsupportedFormat(format!("Parquet cannot hold this: {m}")),
        ParquetError::ArrowError(m) => CoreError::InvalidArgument(m),
        other => {
            let msg = other.to_string();
            if msg.contains("Disabled feature at compile time") {
                CoreError::UnsupportedCodec(msg)
            } else {
                CoreError::Internal(format!("parquet writer: {msg}"))
            }
        }
    }
}

/// A Parquet file written batch by batch: row groups are encoded as they fill, and the bytes
/// produced so far can be taken at any time (the writer tracks its own offsets, so taking them
/// does not disturb the footer).
pub struct ParquetSink {
    writer: ArrowWriter<Vec<u8>>,
    schema: SchemaRef,
}

impl ParquetSink {
    /// A writer of tables with this schema.
    pub fn new(schema: &SchemaRef, options: &ParquetWriteOptions) -> Result<Self> {
        // pyarrow and pandas read schema metadata (e.g. pandas' own) from the footer's key/value
        // pairs, not from the embedded Arrow schema: write it there too, then the caller's pairs.
        let mut merged: Vec<(String, String)> = schema.metadata().iter().map(|(k, v)| (k.clone(), v.clone())).collect();
        merged.sort();
        merged.retain(|(k, _)| !options.key_value_metadata.iter().any(|(ok, _)| ok == k));
        merged.extend(options.key_value_metadata.iter().cloned());
        let props = writer_properties(&ParquetWriteOptions { key_value_metadata: merged, ..options.clone() })?;
        // The embedded Arrow schema carries the pairs too: pyarrow shows its metadata, not the footer's.
        let schema = Arc::new(Schema::new_with_metadata(
            schema.fields().clone(),
            props
                .key_value_metadata()
                .map(|kv| {
                    kv.iter()
                        .map(|k| (k.key.clone(), k.value.clone().unwrap_or_default()))
                        .collect::<std::collections::HashMap<_, _>>()
                })
                .unwrap_or_default(),
        ));
        let writer = ArrowWriter::try_new(Vec::new(), schema.clone(), Some(props)).map_err(from_write)?;
        Ok(Self { writer, schema })
    }

    /// Write one batch (its fields must be the writer's).
    pub fn write(&mut self, batch: &RecordBatch) -> Result<()> {
        // Parquet counts rows through its columns: with none, the rows would read back as 0.
        if self.schema.fields().is_empty() && batch.num_rows() > 0 {
            return Err(CoreError::InvalidArgument(format!(
                "a table with no columns cannot keep its {} rows in Parquet; select at least one column",
                batch.num_rows()
            )));
        }
        let b = batch.clone().with_schema(self.schema.clone()).map_err(|e| CoreError::Internal(e.to_string()))?;
        self.writer.write(&b).map_err(from_write)
    }

    /// The bytes written since the last call.
    pub fn take_bytes(&mut self) -> Vec<u8> {
        std::mem::take(self.writer.inner_mut())
    }

    /// Write the last row group and the footer; the bytes not taken yet.
    pub fn finish(self) -> Result<Vec<u8>> {
        self.writer.into_inner().map_err(from_write)
    }
}
