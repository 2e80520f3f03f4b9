//! The plan of a read, shared by whole-file reads and the range reader: the footer checks that
//! keep the `parquet` crate from panicking, pyarrow's reading of a few types, the projection, the
//! row groups, and the declared size of what will be decoded against the limit.

use std::sync::Arc;

use ::parquet::arrow::ProjectionMask;
use ::parquet::arrow::arrow_reader::{ArrowReaderMetadata, ArrowReaderOptions, ParquetRecordBatchReaderBuilder};
use ::parquet::file::metadata::ParquetMetaData;
use ::parquet::schema::types::SchemaDescriptor;
use arrow_array::RecordBatch;
use arrow_schema::{DataType, Schema, SchemaRef};
use bytes::Bytes;

use super::options::{Codec, DEFAULT_BATCH_SIZE, ParquetReadOptions};
use super::{from_read, to_u64};
use crate::error::{CoreError, Result};

pub(crate) fn builder(input: Bytes) -> Result<ParquetRecordBatchReaderBuilder<Bytes>> {
    let meta = ArrowReaderMetadata::load(&input, ArrowReaderOptions::new()).map_err(from_read)?;
    let meta = match as_pyarrow_reads(meta.schema(), meta.parquet_schema()) {
        Some(schema) => {
            ArrowReaderMetadata::try_new(meta.metadata().clone(), ArrowReaderOptions::new().with_schema(schema))
                .map_err(from_read)?
        }
        None => meta,
    };
    Ok(ParquetRecordBatchReaderBuilder::new_with_metadata(input, meta))
}

/// Where pyarrow, the reference, reads a Parquet column differently from what the embedded Arrow
/// schema says, top-level columns follow pyarrow, so a file reads here as in pyarrow and pandas:
///
/// - `date64` is stored as a 32-bit DATE; parquet-rs restores `Date64`, pyarrow reads `date32`;
/// - dictionary values embedded as `large_utf8` / `large_binary` (pandas 3 categoricals) read as
///   `utf8` / `binary` in pyarrow.
///
/// `None` when nothing changes.
fn as_pyarrow_reads(schema: &SchemaRef, descr: &SchemaDescriptor) -> Option<SchemaRef> {
    let is_int32_leaf = |name: &str| {
        descr.columns().iter().any(|c| c.path().parts() == [name] && c.physical_type() == ::parquet::basic::Type::INT32)
    };
    let mut changed = false;
    let fields: Vec<_> = schema
        .fields()
        .iter()
        .map(|f| {
            let t = match f.data_type() {
                DataType::Date64 if is_int32_leaf(f.name()) => Some(DataType::Date32),
                DataType::Dictionary(k, v) if **v == DataType::LargeUtf8 => {
                    Some(DataType::Dictionary(k.clone(), Box::new(DataType::Utf8)))
                }
                DataType::Dictionary(k, v) if **v == DataType::LargeBinary => {
                    Some(DataType::Dictionary(k.clone(), Box::new(DataType::Binary)))
                }
                _ => None,
            };
            match t {
                Some(t) => {
                    changed = true;
                    Arc::new(f.as_ref().clone().with_data_type(t))
                }
                None => f.clone(),
            }
        })
        .collect();
    changed.then(|| Arc::new(Schema::new_with_metadata(fields, schema.metadata().clone())))
}

/// Resolve the requested names to a mask over leaf columns, and say whether they are all top-level
/// fields (then the output keeps the requested order, as the IPC reader does).
fn projection(descr: &SchemaDescriptor, arrow: &SchemaRef, names: &[String]) -> Result<(ProjectionMask, bool)> {
    let mut leaves = Vec::new();
    let mut all_top_level = true;
    for name in names {
        let top = arrow.fields().iter().filter(|f| f.name() == name).count();
        if top > 1 {
            return Err(CoreError::ColumnNotFound(format!("column name {name:?} is ambiguous: {top} columns have it")));
        }
        all_top_level &= top == 1;
        let parts: Vec<&str> = name.split('.').collect();
        let before = leaves.len();
        for (i, col) in descr.columns().iter().enumerate() {
            let path = col.path().parts();
            let hit = if top == 1 {
                path.first().is_some_and(|p| p == name)
            } else {
                parts.len() <= path.len() && parts.iter().zip(path).all(|(a, b)| a == b)
            };
            if hit {
                leaves.push(i);
            }
        }
        if leaves.len() == before {
            return Err(CoreError::ColumnNotFound(format!("no column or nested path {name:?} in the Parquet schema")));
        }
    }
    Ok((ProjectionMask::leaves(descr, leaves), all_top_level))
}

/// What a read of chosen row groups and columns decodes, checked against the footer before any
/// page is read: shared by whole-file reads and the range reader.
pub(crate) struct Plan {
    pub(crate) meta: ArrowReaderMetadata,
    row_groups: Vec<usize>,
    mask: ProjectionMask,
    /// Top-level names in the order asked, when the projection is by top-level names.
    pub(crate) reorder: Option<Vec<String>>,
    pub(crate) codecs: Vec<&'static str>,
}

/// The footer-level checks and the choices of a read: row groups, projection, the declared size
/// of what will be decoded against the limit.
pub(crate) fn plan(meta: ArrowReaderMetadata, options: &ParquetReadOptions, input_len: u64) -> Result<Plan> {
    let meta = match as_pyarrow_reads(meta.schema(), meta.parquet_schema()) {
        Some(schema) => {
            ArrowReaderMetadata::try_new(meta.metadata().clone(), ArrowReaderOptions::new().with_schema(schema))
                .map_err(from_read)?
        }
        None => meta,
    };
    let md = meta.metadata().clone();
    check_decodable(&md, meta.parquet_schema(), meta.schema(), input_len)?;
    let row_groups: Vec<usize> = match &options.row_groups {
        Some(rgs) => {
            if let Some(bad) = rgs.iter().find(|&&i| i >= md.num_row_groups()) {
                return Err(CoreError::OutOfBounds(format!(
                    "row group {bad} does not exist: the file has {}",
                    md.num_row_groups()
                )));
            }
            rgs.clone()
        }
        None => (0..md.num_row_groups()).collect(),
    };
    let mut reorder = None;
    let mask = match &options.columns {
        Some(names) => {
            let (mask, top_level) = projection(meta.parquet_schema(), meta.schema(), names)?;
            if top_level {
                reorder = Some(names.clone());
            }
            mask
        }
        None => ProjectionMask::all(),
    };
    let chunks: Vec<_> = row_groups
        .iter()
        .filter_map(|&i| md.row_groups().get(i))
        .flat_map(|rg| rg.columns().iter().enumerate())
        .filter(|(leaf, _)| mask.leaf_included(*leaf))
        .map(|(_, c)| c)
        .collect();
    let declared = chunks.iter().map(|c| to_u64(c.uncompressed_size())).fold(0u64, u64::saturating_add);
    let mut codecs = Vec::new();
    for c in &chunks {
        let name = Codec::of(c.compression()).name();
        if name != "uncompressed" && !codecs.contains(&name) {
            codecs.push(name);
        }
    }
    if declared > options.max_decompressed_bytes {
        return Err(CoreError::LimitExceeded(format!(
            "the column chunks to read declare {declared} uncompressed bytes, over the limit of {}",
            options.max_decompressed_bytes
        )));
    }
    if options.batch_size == Some(0) {
        return Err(CoreError::InvalidArgument("batch-size must be at least 1".into()));
    }
    Ok(Plan { meta, row_groups, mask, reorder, codecs })
}

impl Plan {
    /// Apply the plan to a reader builder (the whole-file reader's or the push decoder's).
    pub(crate) fn configure<T>(
        &self,
        b: ::parquet::arrow::arrow_reader::ArrowReaderBuilder<T>,
        options: &ParquetReadOptions,
    ) -> ::parquet::arrow::arrow_reader::ArrowReaderBuilder<T> {
        let mut b = b
            .with_row_groups(self.row_groups.clone())
            .with_projection(self.mask.clone())
            .with_batch_size(options.batch_size.unwrap_or(DEFAULT_BATCH_SIZE));
        if let Some(o) = options.offset {
            b = b.with_offset(o);
        }
        if let Some(l) = options.limit {
            b = b.with_limit(l);
        }
        b
    }

    /// A decoded batch as the caller asked for it: the file's schema metadata (which the crate
    /// drops) back on, and top-level columns in the order asked.
    pub(crate) fn finish_batch(&self, batch: RecordBatch) -> Result<RecordBatch> {
        let schema =
            Arc::new(Schema::new_with_metadata(batch.schema().fields().clone(), self.meta.schema().metadata().clone()));
        let batch = batch.with_schema(schema.clone()).map_err(CoreError::from_decode)?;
        match &self.reorder {
            Some(names) => {
                let indices =
                    names.iter().map(|n| crate::schema::column_index(&schema, n)).collect::<Result<Vec<_>>>()?;
                batch.project(&indices).map_err(|e| CoreError::Internal(e.to_string()))
            }
            None => Ok(batch),
        }
    }

    /// The schema of the output, when the footer alone tells it (everything, or top-level names).
    pub(crate) fn output_schema(&self) -> Option<SchemaRef> {
        let full = self.meta.schema();
        match (&self.reorder, self.mask_is_all()) {
            (_, true) => Some(full.clone()),
            (Some(names), _) => {
                let indices =
                    names.iter().map(|n| crate::schema::column_index(full, n).ok()).collect::<Option<Vec<_>>>()?;
                full.project(&indices).ok().map(Arc::new)
            }
            _ => None,
        }
    }

    fn mask_is_all(&self) -> bool {
        (0..self.meta.parquet_schema().num_columns()).all(|i| self.mask.leaf_included(i))
    }
}

/// Refuse the footers the `parquet` crate would panic on, or decode unchecked, before any page is
/// read (each was found by the bit-flip sweep in `tests/formats.rs`):
///
/// - row counts that are negative or add up past `usize`;
/// - a column chunk whose byte range is negative or runs past the input: the crate `assert!`s
///   non-negative offsets (`ColumnChunkMetaData::byte_range`), and on wasm32 its
///   `start + length` bounds check on `Bytes` can overflow `usize`;
/// - a leaf the embedded Arrow schema declares a string whose Parquet column is not UTF8-annotated
///   bytes: the crate then honours the hint but skips UTF-8 validation (it validates only
///   UTF8-annotated leaves), which panics in debug builds and builds an invalid string array in
///   release ones. (JSON-annotated leaves, which it also reads as unvalidated strings, are left
///   alone: refusing them would refuse honest files.)
fn check_decodable(meta: &ParquetMetaData, descr: &SchemaDescriptor, arrow: &SchemaRef, input_len: u64) -> Result<()> {
    use ::parquet::basic::{ConvertedType, Type as PhysicalType};
    let mut rows = Some(0usize);
    for (g, rg) in meta.row_groups().iter().enumerate() {
        // The crate sums the row counts as `usize` (overflow panics in debug builds, and on
        // wasm32 a count over 4 Gi wraps).
        rows = rows.zip(usize::try_from(rg.num_rows()).ok()).and_then(|(a, b)| a.checked_add(b));
        if rows.is_none() {
            return Err(CoreError::Malformed(format!("parquet: row group {g} declares {} rows", rg.num_rows())));
        }
        for c in rg.columns() {
            let start = c.dictionary_page_offset().unwrap_or_else(|| c.data_page_offset());
            let end = u64::try_from(start)
                .ok()
                .zip(u64::try_from(c.compressed_size()).ok())
                .map(|(s, n)| s.saturating_add(n));
            if end.is_none_or(|e| e > input_len) {
                return Err(CoreError::Malformed(format!(
                    "parquet: column chunk {} of row group {g} claims bytes {start}..+{} of a {input_len}-byte input",
                    c.column_path(),
                    c.compressed_size()
                )));
            }
        }
    }
    fn leaves<'a>(t: &'a DataType, out: &mut Vec<&'a DataType>) {
        match t {
            DataType::Struct(fs) => fs.iter().for_each(|f| leaves(f.data_type(), out)),
            DataType::List(f)
            | DataType::LargeList(f)
            | DataType::ListView(f)
            | DataType::LargeListView(f)
            | DataType::FixedSizeList(f, _)
            | DataType::Map(f, _) => leaves(f.data_type(), out),
            DataType::Dictionary(_, v) => leaves(v, out),
            other => out.push(other),
        }
    }
    let mut arrow_leaves = Vec::new();
    arrow.fields().iter().for_each(|f| leaves(f.data_type(), &mut arrow_leaves));
    // Leaves pair up in order; if the shapes ever disagree, the crate's own checks apply.
    if arrow_leaves.len() == descr.num_columns() {
        for (t, col) in arrow_leaves.iter().zip(descr.columns()) {
            let string = matches!(t, DataType::Utf8 | DataType::LargeUtf8 | DataType::Utf8View);
            if string
                && col.physical_type() == PhysicalType::BYTE_ARRAY
                && !matches!(col.converted_type(), ConvertedType::UTF8 | ConvertedType::JSON)
            {
                return Err(CoreError::Malformed(format!(
                    "parquet: the embedded Arrow schema makes {} a string column, but Parquet stores it as bytes \
                     without a UTF8 annotation",
                    col.path()
                )));
            }
        }
    }
    Ok(())
}
