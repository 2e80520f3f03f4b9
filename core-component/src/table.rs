//! The table behind a handle: a schema and record batches, with the operations the WIT
//! `table` resource exports. Derived tables share buffers with their source.

use std::sync::Arc;

use arrow_array::RecordBatch;
use arrow_buffer::Buffer;
use arrow_schema::SchemaRef;

use crate::error::{CoreError, Result};
use crate::format::{self, DEFAULT_MAX_DECOMPRESSED_BYTES, DataFormat};
use crate::ipc::read::IpcReadOptions;
use crate::ipc::write::WriteOptions;
use crate::schema::{self, SchemaSummary, column_index};
#[cfg(feature = "csv")]
use crate::text::csv;
#[cfg(feature = "json")]
use crate::text::ndjson;
use crate::{feather_v1, fingerprint, ipc, sniff};

/// How to read bytes into a table.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ReadOptions {
    /// The format; sniffed from magic bytes when `None`.
    pub format: Option<DataFormat>,
    /// Columns to read by name, in order; all when `None`.
    pub columns: Option<Vec<String>>,
    /// The most rows a batch may hold; batches stay as stored when `None`.
    pub batch_size: Option<u32>,
    /// The ceiling on declared decompressed bytes; 1 GiB when `None`.
    pub max_decompressed_bytes: Option<u64>,
}

/// An immutable table.
#[derive(Debug, Clone)]
pub struct Table {
    schema: SchemaRef,
    batches: Vec<RecordBatch>,
    source: Option<DataFormat>,
    codecs: Vec<&'static str>,
}

impl Table {
    /// Reads a whole file or stream in any format, with the generic options; format-specific
    /// options have their own entry points ([`Table::read_parquet`], [`Table::read_csv`],
    /// [`Table::read_ndjson`]). The batches of an uncompressed IPC input are slices of `input`:
    /// no copy is made.
    pub fn read(input: Buffer, options: &ReadOptions) -> Result<Self> {
        let format = match options.format {
            Some(f) => f,
            None => sniff::detect(input.as_slice())?,
        };
        let limit = options.max_decompressed_bytes.unwrap_or(DEFAULT_MAX_DECOMPRESSED_BYTES);
        let ipc = IpcReadOptions { columns: options.columns.clone(), max_decompressed_bytes: limit };
        #[cfg_attr(not(any(feature = "parquet", feature = "csv", feature = "json")), allow(unused_variables))]
        let batch_size = options.batch_size.map(|n| n as usize);
        let decoded = match format {
            DataFormat::ArrowFile => ipc::read::read_file(&input, &ipc)?,
            DataFormat::ArrowStream => ipc::read::read_stream(&input, &ipc)?,
            DataFormat::FeatherV1 => feather_v1::read(&input, options.columns.as_deref(), limit)?,
            #[cfg(feature = "parquet")]
            DataFormat::Parquet => {
                let opts = crate::parquet::ParquetReadOptions {
                    columns: options.columns.clone(),
                    batch_size,
                    max_decompressed_bytes: limit,
                    ..Default::default()
                };
                // Parquet decodes into batches of the asked size: no re-batching afterwards.
                return Self::read_parquet(input, &opts);
            }
            #[cfg(feature = "csv")]
            DataFormat::Csv => {
                let delimiter = crate::text::sniff::sniff_delimiter(input.as_slice()).unwrap_or(b',');
                let opts = csv::CsvReadOptions {
                    delimiter,
                    columns: options.columns.clone(),
                    batch_size,
                    ..Default::default()
                };
                return Self::read_csv(input.as_slice(), &opts);
            }
            #[cfg(feature = "json")]
            DataFormat::Ndjson => {
                let opts =
                    ndjson::NdjsonReadOptions { columns: options.columns.clone(), batch_size, ..Default::default() };
                return Self::read_ndjson(input.as_slice(), &opts);
            }
            #[allow(unreachable_patterns)]
            other => {
                return Err(CoreError::UnsupportedFormat(format!(
                    "{} input is recognised, but this build leaves that format out (it reads {})",
                    other.name(),
                    format::compiled_formats().join(", ")
                )));
            }
        };
        let batches = match options.batch_size {
            Some(n) => rebatch(decoded.batches, n)?,
            None => decoded.batches,
        };
        Ok(Self { schema: decoded.schema, batches, source: Some(format), codecs: decoded.codecs })
    }

    /// A table of decoded batches (the push decoder's), not read from a whole file.
    pub fn from_batches(schema: SchemaRef, batches: Vec<RecordBatch>, source: Option<DataFormat>) -> Self {
        Self { schema, batches, source, codecs: Vec::new() }
    }

    /// Reads Parquet with its own options (row groups, offset, limit, nested projection).
    #[cfg(feature = "parquet")]
    pub fn read_parquet(input: Buffer, options: &crate::parquet::ParquetReadOptions) -> Result<Self> {
        let d = crate::parquet::read(bytes::Bytes::from_owner(input), options)?;
        Ok(Self { schema: d.schema, batches: d.batches, source: Some(DataFormat::Parquet), codecs: d.codecs })
    }

    /// Reads CSV text.
    #[cfg(feature = "csv")]
    pub fn read_csv(input: &[u8], options: &csv::CsvReadOptions) -> Result<Self> {
        let d = csv::read(input, options)?;
        Ok(Self { schema: d.schema, batches: d.batches, source: Some(DataFormat::Csv), codecs: Vec::new() })
    }

    /// Reads newline-delimited JSON.
    #[cfg(feature = "json")]
    pub fn read_ndjson(input: &[u8], options: &ndjson::NdjsonReadOptions) -> Result<Self> {
        let d = ndjson::read(input, options)?;
        Ok(Self { schema: d.schema, batches: d.batches, source: Some(DataFormat::Ndjson), codecs: Vec::new() })
    }

    /// The format the table was read from, if it was read.
    pub fn source_format(&self) -> Option<DataFormat> {
        self.source
    }

    /// The compression codecs the source's data used, in first-seen order; empty for
    /// uncompressed input and for derived tables.
    pub fn source_codecs(&self) -> &[&'static str] {
        &self.codecs
    }

    /// The schema.
    pub fn schema(&self) -> &SchemaRef {
        &self.schema
    }

    /// The record batches.
    pub fn batches(&self) -> &[RecordBatch] {
        &self.batches
    }

    /// The number of rows.
    pub fn num_rows(&self) -> u64 {
        self.batches.iter().map(|b| b.num_rows() as u64).sum()
    }

    /// The number of columns.
    pub fn num_columns(&self) -> usize {
        self.schema.fields().len()
    }

    /// The schema summary.
    pub fn summary(&self) -> SchemaSummary {
        schema::summarize(&self.schema)
    }

    /// Rows `offset .. offset + length`, clipped at the end, sharing buffers.
    pub fn slice(&self, offset: u64, length: u64) -> Result<Self> {
        let total = self.num_rows();
        if offset > total {
            return Err(CoreError::OutOfBounds(format!("offset {offset} is past the end of a table of {total} rows")));
        }
        let mut skip = offset;
        let mut remaining = length.min(total - offset);
        let mut out = Vec::new();
        for b in &self.batches {
            if remaining == 0 {
                break;
            }
            let n = b.num_rows() as u64;
            if skip >= n {
                skip -= n;
                continue;
            }
            let take = (n - skip).min(remaining);
            out.push(b.slice(skip as usize, take as usize));
            remaining -= take;
            skip = 0;
        }
        Ok(Self { schema: self.schema.clone(), batches: out, source: None, codecs: Vec::new() })
    }

    /// The named columns in the given order, sharing buffers.
    pub fn select<S: AsRef<str>>(&self, names: &[S]) -> Result<Self> {
        // A table with two columns of one name would make every later lookup by name ambiguous.
        let mut seen = std::collections::HashSet::new();
        if let Some(twice) = names.iter().map(AsRef::as_ref).find(|n| !seen.insert(*n)) {
            return Err(CoreError::InvalidArgument(format!("column {twice:?} is selected twice")));
        }
        let indices = names.iter().map(|n| column_index(&self.schema, n.as_ref())).collect::<Result<Vec<_>>>()?;
        let schema = Arc::new(self.schema.project(&indices).map_err(|e| CoreError::Internal(e.to_string()))?);
        let batches = self
            .batches
            .iter()
            .map(|b| b.project(&indices).map_err(|e| CoreError::Internal(e.to_string())))
            .collect::<Result<_>>()?;
        Ok(Self { schema, batches, source: None, codecs: Vec::new() })
    }

    /// The rows where `mask` is true, in order. Each batch is compacted with `MutableArrayData`,
    /// copying runs of kept rows (a batch kept whole is shared, one with no rows kept dropped).
    pub fn filter(&self, mask: &[bool]) -> Result<Self> {
        let total = self.num_rows();
        if mask.len() as u64 != total {
            return Err(CoreError::InvalidArgument(format!(
                "the mask has {} entries; the table has {total} rows",
                mask.len()
            )));
        }
        let mut at = 0;
        let mut batches = Vec::new();
        for batch in &self.batches {
            let n = batch.num_rows();
            let part = mask.get(at..at + n).ok_or_else(|| CoreError::Internal("mask shorter than rows".into()))?;
            at += n;
            let mut runs: Vec<(usize, usize)> = Vec::new();
            for (i, &keep) in part.iter().enumerate() {
                match runs.last_mut() {
                    Some((_, end)) if keep && *end == i => *end = i + 1,
                    _ if keep => runs.push((i, i + 1)),
                    _ => {}
                }
            }
            let kept: usize = runs.iter().map(|(s, e)| e - s).sum();
            if kept == n {
                batches.push(batch.clone());
                continue;
            }
            if kept == 0 {
                continue;
            }
            let columns = batch
                .columns()
                .iter()
                .map(|c| {
                    let data = c.to_data();
                    let mut out = arrow_data::transform::MutableArrayData::new(vec![&data], false, kept);
                    for &(s, e) in &runs {
                        out.try_extend(0, s, e).map_err(|e| CoreError::Internal(e.to_string()))?;
                    }
                    Ok(arrow_array::make_array(out.freeze()))
                })
                .collect::<Result<Vec<_>>>()?;
            let options = arrow_array::RecordBatchOptions::new().with_row_count(Some(kept));
            batches.push(
                RecordBatch::try_new_with_options(batch.schema(), columns, &options)
                    .map_err(|e| CoreError::Internal(e.to_string()))?,
            );
        }
        Ok(Self { schema: self.schema.clone(), batches, source: None, codecs: Vec::new() })
    }

    /// The rows of all `tables` in order. Fields must be equal; schema metadata is the first's.
    pub fn concat(tables: &[&Table]) -> Result<Self> {
        let first =
            tables.first().ok_or_else(|| CoreError::InvalidArgument("concat needs at least one table".into()))?;
        let schema = first.schema.clone();
        let mut batches = Vec::new();
        for (i, t) in tables.iter().enumerate() {
            if t.schema.fields() != schema.fields() {
                return Err(CoreError::SchemaMismatch(describe_difference(&schema, &t.schema, i)));
            }
            for b in &t.batches {
                batches.push(b.clone().with_schema(schema.clone()).map_err(|e| CoreError::Internal(e.to_string()))?);
            }
        }
        Ok(Self { schema, batches, source: None, codecs: Vec::new() })
    }

    /// The table as Arrow IPC bytes.
    pub fn write_ipc(&self, options: &WriteOptions) -> Result<Vec<u8>> {
        ipc::write::write(&self.schema, &self.batches, options)
    }

    /// The table as a Parquet file.
    #[cfg(feature = "parquet")]
    pub fn write_parquet(&self, options: &crate::parquet::ParquetWriteOptions) -> Result<Vec<u8>> {
        crate::parquet::write(&self.schema, &self.batches, options)
    }

    /// The table as CSV text.
    #[cfg(feature = "csv")]
    pub fn write_csv(&self, options: &csv::CsvWriteOptions) -> Result<Vec<u8>> {
        csv::write(&self.schema, &self.batches, options)
    }

    /// The table as newline-delimited JSON, one object per row.
    #[cfg(feature = "json")]
    pub fn write_ndjson(&self, options: &ndjson::NdjsonWriteOptions) -> Result<Vec<u8>> {
        ndjson::write(&self.schema, &self.batches, options)
    }

    /// A stable hash of the table's logical content (see [`fingerprint`]).
    pub fn fingerprint(&self) -> Result<String> {
        fingerprint::fingerprint(&self.schema, &self.batches)
    }
}

fn describe_difference(a: &SchemaRef, b: &SchemaRef, index: usize) -> String {
    if a.fields().len() != b.fields().len() {
        return format!("table {index} has {} columns, the first has {}", b.fields().len(), a.fields().len());
    }
    let (fa, fb) = a
        .fields()
        .iter()
        .zip(b.fields().iter())
        .find(|(x, y)| x != y)
        .map(|(x, y)| (format!("{x:?}"), format!("{y:?}")))
        .unwrap_or_default();
    format!("table {index} differs from the first: {fb} where the first has {fa}")
}

fn rebatch(batches: Vec<RecordBatch>, size: u32) -> Result<Vec<RecordBatch>> {
    if size == 0 {
        return Err(CoreError::InvalidArgument("batch-size must be at least 1".into()));
    }
    let size = size as usize;
    let mut out = Vec::with_capacity(batches.len());
    for b in batches {
        if b.num_rows() <= size {
            out.push(b);
            continue;
        }
        let mut at = 0;
        while at < b.num_rows() {
            let n = size.min(b.num_rows() - at);
            out.push(b.slice(at, n));
            at += n;
        }
    }
    Ok(out)
}
