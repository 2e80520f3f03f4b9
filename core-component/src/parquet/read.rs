//! Whole-file reads, and the footer's description for `metadata`.

use std::sync::Arc;

use ::parquet::arrow::arrow_reader::{ArrowReaderMetadata, ArrowReaderOptions, ParquetRecordBatchReaderBuilder};
use ::parquet::file::metadata::ParquetMetaData;
use arrow_array::RecordBatch;
use arrow_schema::{Schema, SchemaRef};
use bytes::Bytes;

use super::options::{Codec, ColumnChunkInfo, FileInfo, ParquetReadOptions, RowGroupInfo};
use super::plan::{builder, plan};
use super::{from_read, to_u64};
use crate::error::{CoreError, Result};
use crate::format::Decoded;

/// The footer of a Parquet file: row groups, codecs, sizes, key/value metadata and Arrow schema.
pub fn file_info(input: Bytes) -> Result<FileInfo> {
    let b = builder(input)?;
    Ok(describe(b.metadata(), b.schema()))
}

fn describe(meta: &ParquetMetaData, schema: &SchemaRef) -> FileInfo {
    let fm = meta.file_metadata();
    FileInfo {
        num_rows: to_u64(fm.num_rows()),
        version: fm.version(),
        created_by: fm.created_by().map(str::to_string),
        key_value_metadata: fm
            .key_value_metadata()
            .map(|kv| kv.iter().map(|k| (k.key.clone(), k.value.clone().unwrap_or_default())).collect())
            .unwrap_or_default(),
        row_groups: meta
            .row_groups()
            .iter()
            .map(|rg| RowGroupInfo {
                num_rows: to_u64(rg.num_rows()),
                total_byte_size: to_u64(rg.total_byte_size()),
                compressed_size: to_u64(rg.compressed_size()),
                columns: rg
                    .columns()
                    .iter()
                    .map(|c| ColumnChunkInfo {
                        path: c.column_path().string(),
                        physical_type: c.column_type().to_string(),
                        codec: Codec::of(c.compression()),
                        compressed_size: to_u64(c.compressed_size()),
                        uncompressed_size: to_u64(c.uncompressed_size()),
                        num_values: to_u64(c.num_values()),
                        null_count: c.statistics().and_then(|s| s.null_count_opt()),
                    })
                    .collect(),
            })
            .collect(),
        schema: schema.clone(),
    }
}

/// Read a Parquet file.
pub fn read(input: Bytes, options: &ParquetReadOptions) -> Result<Decoded> {
    let input_len = input.len() as u64;
    let meta = ArrowReaderMetadata::load(&input, ArrowReaderOptions::new()).map_err(from_read)?;
    let plan = plan(meta, options, input_len)?;
    let b =
        plan.configure(ParquetRecordBatchReaderBuilder::new_with_metadata(input.clone(), plan.meta.clone()), options);
    let reader = b.build().map_err(from_read)?;
    // The reader's schema has the fields but not the schema metadata (pandas' among them).
    let fields = reader_schema(&reader).fields().clone();
    let batches = reader
        .map(|b| b.map_err(CoreError::from_decode).and_then(|b| plan.finish_batch(b)))
        .collect::<Result<Vec<RecordBatch>>>()
        .map_err(|e| name_the_damaged_page(e, &input, &plan.meta))?;
    let schema = match (&plan.reorder, batches.first()) {
        (_, Some(b)) => b.schema(),
        (Some(names), None) => {
            let s = Arc::new(Schema::new_with_metadata(fields, plan.meta.schema().metadata().clone()));
            let indices = names.iter().map(|n| crate::schema::column_index(&s, n)).collect::<Result<Vec<_>>>()?;
            Arc::new(s.project(&indices).map_err(|e| CoreError::Internal(e.to_string()))?)
        }
        (None, None) => Arc::new(Schema::new_with_metadata(fields, plan.meta.schema().metadata().clone())),
    };
    Ok(Decoded { schema, batches, codecs: plan.codecs })
}

/// The arrow reader reports a damaged page without its place. On this error path only, the file
/// is walked again to name it: a page whose bytes fail their CRC checksum by the column chunks'
/// pages, any other decoding error by decoding each leaf column of each row group on its own.
fn name_the_damaged_page(e: CoreError, input: &Bytes, meta: &ArrowReaderMetadata) -> CoreError {
    use ::parquet::file::reader::{FileReader, SerializedFileReader};
    let CoreError::Malformed(message) = &e else { return e };
    if !message.contains(CRC_MISMATCH) {
        return name_the_failing_column(message, input, meta).unwrap_or(e);
    }
    let Ok(file) = SerializedFileReader::new(input.clone()) else { return e };
    for g in 0..file.num_row_groups() {
        let Ok(group) = file.get_row_group(g) else { continue };
        for c in 0..group.num_columns() {
            let Ok(mut pages) = group.get_column_page_reader(c) else { continue };
            for page in 0.. {
                match pages.get_next_page() {
                    Ok(Some(_)) => {}
                    Ok(None) => break,
                    Err(err) if err.to_string().contains(CRC_MISMATCH) => {
                        let path = group.metadata().column(c).column_path().string();
                        return CoreError::Malformed(format!(
                            "parquet: page {page} of column {path} in row group {g} fails its CRC checksum: its bytes are damaged"
                        ));
                    }
                    Err(_) => break,
                }
            }
        }
    }
    e
}

/// The first leaf column (in row-group order) that fails to decode alone, named with the error.
fn name_the_failing_column(message: &str, input: &Bytes, meta: &ArrowReaderMetadata) -> Option<CoreError> {
    use ::parquet::arrow::ProjectionMask;
    for g in 0..meta.metadata().num_row_groups() {
        for c in 0..meta.metadata().file_metadata().schema_descr().num_columns() {
            let mask = ProjectionMask::leaves(meta.metadata().file_metadata().schema_descr(), [c]);
            let reader = ParquetRecordBatchReaderBuilder::new_with_metadata(input.clone(), meta.clone())
                .with_row_groups(vec![g])
                .with_projection(mask)
                .build();
            let failed = match reader {
                Ok(mut batches) => batches.any(|b| b.is_err()),
                Err(_) => true,
            };
            if failed {
                let path = meta.metadata().row_group(g).column(c).column_path().string();
                return Some(CoreError::Malformed(format!("parquet: column {path} in row group {g}: {message}")));
            }
        }
    }
    None
}

/// What parquet-rs says when a page's bytes do not match the checksum in its header.
pub(crate) const CRC_MISMATCH: &str = "Page CRC checksum mismatch";

fn reader_schema(reader: &::parquet::arrow::arrow_reader::ParquetRecordBatchReader) -> SchemaRef {
    use arrow_array::RecordBatchReader;
    reader.schema()
}
