//! Parquet read, write and metadata, on the `parquet` crate's Arrow reader and writer.
//!
//! The input is one in-memory `Bytes` (the component receives whole files); the reader slices it
//! without copying. Before decoding, the declared uncompressed sizes of the column chunks that will
//! be read are summed against the read limit, so an honest but huge file is refused before any
//! page is inflated.

use std::sync::Arc;

use arrow_array::RecordBatch;
use arrow_schema::{DataType, Schema, SchemaRef};
use bytes::Bytes;
use parquet::arrow::ArrowWriter;
use parquet::arrow::ProjectionMask;
use parquet::arrow::arrow_reader::{ArrowReaderMetadata, ArrowReaderOptions, ParquetRecordBatchReaderBuilder};
use parquet::basic::{BrotliLevel, Compression, GzipLevel, ZstdLevel};
use parquet::errors::ParquetError;
use parquet::file::metadata::{KeyValue, ParquetMetaData};
use parquet::file::properties::{EnabledStatistics, WriterProperties, WriterVersion};
use parquet::schema::types::SchemaDescriptor;

use crate::error::{CoreError, Result};
use crate::ipc_read::Decoded;
use crate::validate::Problem;

/// The default number of rows per decoded batch, as in the `parquet` crate.
pub const DEFAULT_BATCH_SIZE: usize = 1024 * 8;

/// What a Parquet read decodes.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ParquetReadOptions {
    /// Columns by name, or dotted paths into nested columns (`a.b`); all when `None`.
    pub columns: Option<Vec<String>>,
    /// Row groups by index, in file order; all when `None`.
    pub row_groups: Option<Vec<usize>>,
    /// Rows per batch; [`DEFAULT_BATCH_SIZE`] when `None`.
    pub batch_size: Option<usize>,
    /// Rows to skip first (after row-group selection).
    pub offset: Option<usize>,
    /// The most rows to return.
    pub limit: Option<usize>,
    /// The ceiling on declared uncompressed bytes of the chunks read.
    pub max_decompressed_bytes: u64,
}

impl Default for ParquetReadOptions {
    fn default() -> Self {
        Self {
            columns: None,
            row_groups: None,
            batch_size: None,
            offset: None,
            limit: None,
            max_decompressed_bytes: crate::ipc_read::DEFAULT_MAX_DECOMPRESSED_BYTES,
        }
    }
}

/// A Parquet codec, as written in column chunk metadata.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Codec {
    /// No compression.
    Uncompressed,
    /// Snappy.
    Snappy,
    /// Gzip (deflate).
    Gzip,
    /// Brotli.
    Brotli,
    /// The deprecated Hadoop-framed LZ4.
    Lz4,
    /// Raw LZ4 blocks.
    Lz4Raw,
    /// Zstandard.
    Zstd,
    /// LZO (readable by almost nothing; reported, never decoded).
    Lzo,
}

impl Codec {
    /// The codec's name as the WIT spells it (`lz4-raw`, `zstd`, ...).
    pub fn name(self) -> &'static str {
        match self {
            Codec::Uncompressed => "uncompressed",
            Codec::Snappy => "snappy",
            Codec::Gzip => "gzip",
            Codec::Lzo => "lzo",
            Codec::Brotli => "brotli",
            Codec::Lz4 => "lz4",
            Codec::Zstd => "zstd",
            Codec::Lz4Raw => "lz4-raw",
        }
    }

    fn of(c: Compression) -> Self {
        match c {
            Compression::UNCOMPRESSED => Codec::Uncompressed,
            Compression::SNAPPY => Codec::Snappy,
            Compression::GZIP(_) => Codec::Gzip,
            Compression::LZO => Codec::Lzo,
            Compression::BROTLI(_) => Codec::Brotli,
            Compression::LZ4 => Codec::Lz4,
            Compression::ZSTD(_) => Codec::Zstd,
            Compression::LZ4_RAW => Codec::Lz4Raw,
        }
    }
}

/// Which statistics a writer records.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum StatisticsLevel {
    /// None.
    None,
    /// Per column chunk.
    Chunk,
    /// Per column chunk and per page (the `parquet` crate's default).
    Page,
}

/// Writer properties of a Parquet write.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ParquetWriteOptions {
    /// The codec of every column.
    pub compression: Codec,
    /// The codec's level (gzip 0..=9, brotli 0..=11, zstd 1..=22); the codec's default if `None`.
    pub compression_level: Option<i32>,
    /// The most rows per row group; the crate's default (1Mi) if `None`.
    pub max_row_group_rows: Option<usize>,
    /// The target data page size in bytes; the crate's default (1 MiB) if `None`.
    pub data_page_size: Option<usize>,
    /// Dictionary-encode columns (falls back to plain per page when the dictionary grows large).
    pub dictionary: bool,
    /// Which statistics to write.
    pub statistics: StatisticsLevel,
    /// Parquet format 2 data pages (`true`) or format 1 (`false`).
    pub writer_version_2: bool,
    /// Extra file key/value metadata.
    pub key_value_metadata: Vec<(String, String)>,
}

impl Default for ParquetWriteOptions {
    fn default() -> Self {
        Self {
            compression: Codec::Snappy,
            compression_level: None,
            max_row_group_rows: None,
            data_page_size: None,
            dictionary: true,
            statistics: StatisticsLevel::Page,
            writer_version_2: false,
            key_value_metadata: Vec::new(),
        }
    }
}

/// One column chunk of a row group.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ColumnChunkInfo {
    /// The dotted path of the leaf column.
    pub path: String,
    /// The Parquet physical type (`INT64`, `BYTE_ARRAY`, ...).
    pub physical_type: String,
    /// The codec.
    pub codec: Codec,
    /// Bytes on disk.
    pub compressed_size: u64,
    /// Bytes after decompression.
    pub uncompressed_size: u64,
    /// The number of values, nulls included.
    pub num_values: u64,
    /// The null count, when statistics record it.
    pub null_count: Option<u64>,
}

/// One row group.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RowGroupInfo {
    /// Rows in the row group.
    pub num_rows: u64,
    /// Uncompressed bytes of all its columns.
    pub total_byte_size: u64,
    /// Compressed bytes of all its columns.
    pub compressed_size: u64,
    /// Its column chunks, in leaf order.
    pub columns: Vec<ColumnChunkInfo>,
}

/// What a Parquet footer says.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FileInfo {
    /// Total rows.
    pub num_rows: u64,
    /// The format version written in the footer.
    pub version: i32,
    /// The writing library, when recorded.
    pub created_by: Option<String>,
    /// File key/value metadata (the embedded `ARROW:schema` included).
    pub key_value_metadata: Vec<(String, String)>,
    /// The row groups, in file order.
    pub row_groups: Vec<RowGroupInfo>,
    /// The Arrow schema the file decodes to.
    pub schema: SchemaRef,
}

fn to_u64(v: i64) -> u64 {
    u64::try_from(v).unwrap_or(0)
}

/// Map a `parquet` error: a compiled-out codec is `unsupported-codec`, everything else is the
/// input's fault.
fn from_read(e: ParquetError) -> CoreError {
    let msg = e.to_string();
    if msg.contains("Disabled feature at compile time") || msg.contains("codec type") {
        CoreError::UnsupportedCodec(msg)
    } else {
        CoreError::Malformed(format!("parquet: {msg}"))
    }
}

fn builder(input: Bytes) -> Result<ParquetRecordBatchReaderBuilder<Bytes>> {
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
        descr.columns().iter().any(|c| c.path().parts() == [name] && c.physical_type() == parquet::basic::Type::INT32)
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
struct Plan {
    meta: ArrowReaderMetadata,
    row_groups: Vec<usize>,
    mask: ProjectionMask,
    /// Top-level names in the order asked, when the projection is by top-level names.
    reorder: Option<Vec<String>>,
    codecs: Vec<&'static str>,
}

/// The footer-level checks and the choices of a read: row groups, projection, the declared size
/// of what will be decoded against the limit.
fn plan(meta: ArrowReaderMetadata, options: &ParquetReadOptions, input_len: u64) -> Result<Plan> {
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
    fn configure<T>(
        &self,
        b: parquet::arrow::arrow_reader::ArrowReaderBuilder<T>,
        options: &ParquetReadOptions,
    ) -> parquet::arrow::arrow_reader::ArrowReaderBuilder<T> {
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
    fn finish_batch(&self, batch: RecordBatch) -> Result<RecordBatch> {
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
    fn output_schema(&self) -> Option<SchemaRef> {
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

/// Read a Parquet file.
pub fn read(input: Bytes, options: &ParquetReadOptions) -> Result<Decoded> {
    let input_len = input.len() as u64;
    let meta = ArrowReaderMetadata::load(&input, ArrowReaderOptions::new()).map_err(from_read)?;
    let plan = plan(meta, options, input_len)?;
    let b = plan.configure(ParquetRecordBatchReaderBuilder::new_with_metadata(input, plan.meta.clone()), options);
    let reader = b.build().map_err(from_read)?;
    // The reader's schema has the fields but not the schema metadata (pandas' among them).
    let fields = reader_schema(&reader).fields().clone();
    let batches = reader
        .map(|b| b.map_err(CoreError::from_decode).and_then(|b| plan.finish_batch(b)))
        .collect::<Result<Vec<RecordBatch>>>()?;
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
    use parquet::basic::{ConvertedType, Type as PhysicalType};
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

fn reader_schema(reader: &parquet::arrow::arrow_reader::ParquetRecordBatchReader) -> SchemaRef {
    use arrow_array::RecordBatchReader;
    reader.schema()
}

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
        .set_coerce_types(true);
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

/// Validation's Parquet checks (see [`crate::validate`]): the footer's row counts against each
/// other and against `table` (the whole file, decoded), then each row group's null counts and
/// min/max statistics against its decoded values. Returns the number of row groups and the
/// problems found.
///
/// Statistics are checked for top-level leaf columns the converter understands. Float bounds
/// are not checked: writers disagree on signed zeros and NaN, so an honest file could fail.
/// Truncated string bounds still bound the values, so they are checked.
pub fn check_against_footer(input: Bytes, table: &crate::table::Table) -> (u32, Vec<Problem>) {
    use arrow_array::{Array, Datum, Scalar};
    use parquet::arrow::arrow_reader::statistics::StatisticsConverter;

    let mut problems = Vec::new();
    let mut problem = |location: String, message: String| {
        problems.push(Problem { location, error: CoreError::Malformed(format!("parquet: {message}")) })
    };
    let b = match builder(input) {
        Ok(b) => b,
        Err(error) => return (0, vec![Problem { location: "footer".into(), error }]),
    };
    let meta = b.metadata().clone();
    let groups = meta.row_groups();
    let n_groups = u32::try_from(groups.len()).unwrap_or(u32::MAX);
    let declared = meta.file_metadata().num_rows();
    let sum = groups.iter().map(|g| g.num_rows()).fold(0i64, i64::saturating_add);
    if declared != sum {
        problem("footer".into(), format!("the file declares {declared} rows; its row groups hold {sum}"));
    }
    if u64::try_from(sum).ok() != Some(table.num_rows()) {
        problem("file".into(), format!("the row groups declare {sum} rows; {} were decoded", table.num_rows()));
        return (n_groups, problems);
    }
    let schema = b.schema().clone();
    let orders = meta.file_metadata().column_orders().map(Vec::as_slice);
    for (c, field) in table.schema().fields().iter().enumerate() {
        if is_float(field.data_type()) {
            continue;
        }
        let Ok(converter) = StatisticsConverter::try_new(field.name(), &schema, b.parquet_schema()) else { continue };
        if converter.parquet_column_index().is_none() {
            continue;
        }
        let converter = converter.with_missing_null_counts_as_zero(false).with_column_orders(orders);
        let nulls = converter.row_group_null_counts(groups.iter()).ok();
        let mins = converter.row_group_mins(groups.iter()).ok();
        let maxes = converter.row_group_maxes(groups.iter()).ok();
        let mut start = 0u64;
        for (g, rg) in groups.iter().enumerate() {
            let rows = to_u64(rg.num_rows());
            let Ok(part) = table.slice(start, rows) else { break };
            start += rows;
            let location = format!("row group {g}, column {:?}", field.name());
            let columns: Vec<&dyn Array> = part.batches().iter().map(|b| b.column(c).as_ref()).collect();
            if let Some(stated) = nulls.as_ref().filter(|n| n.is_valid(g)).map(|n| n.value(g)) {
                let actual: u64 = columns.iter().map(|a| a.null_count() as u64).sum();
                if actual != stated {
                    problem(location.clone(), format!("the statistics say {stated} nulls; the values hold {actual}"));
                }
            }
            let bound = |bounds: &Option<arrow_array::ArrayRef>| {
                bounds.as_ref().filter(|b| b.is_valid(g)).map(|b| Scalar::new(b.slice(g, 1)))
            };
            let outside = |scalar: &dyn Datum, below: bool| -> u64 {
                columns
                    .iter()
                    .filter_map(|a| {
                        let r = if below { arrow_ord::cmp::lt(a, scalar) } else { arrow_ord::cmp::gt(a, scalar) };
                        r.ok().map(|m| m.true_count() as u64)
                    })
                    .sum()
            };
            if let Some(min) = bound(&mins) {
                let n = outside(&min, true);
                if n > 0 {
                    problem(location.clone(), format!("{n} values are below the statistics' minimum"));
                }
            }
            if let Some(max) = bound(&maxes) {
                let n = outside(&max, false);
                if n > 0 {
                    problem(location.clone(), format!("{n} values are above the statistics' maximum"));
                }
            }
        }
    }
    (n_groups, problems)
}

fn is_float(t: &DataType) -> bool {
    match t {
        DataType::Float16 | DataType::Float32 | DataType::Float64 => true,
        DataType::Dictionary(_, v) => is_float(v),
        _ => false,
    }
}

/// What a [`RangeReader`] wants next.
#[derive(Debug)]
pub enum Step {
    /// The byte ranges of the file it needs before it can go on.
    Needs(Vec<std::ops::Range<u64>>),
    /// The next batch.
    Batch(RecordBatch),
    /// Every selected row has been read. A read that selects no rows first hands out one empty
    /// batch, so that its consumer still learns the schema and can write an empty output.
    Finished,
}

enum RangeState {
    Footer(parquet::file::metadata::ParquetMetaDataPushDecoder),
    Rows(parquet::arrow::push_decoder::ParquetPushDecoder),
    Done,
}

/// A Parquet reader driven by byte ranges, without I/O of its own: it asks for the footer, then
/// for the column chunks of the selected row groups and columns, one row group at a time, and
/// hands out batches. The same protocol serves a file read by pieces, `File.slice` and HTTP range
/// requests. It holds the bytes of one row group's selected chunks at most (parquet-rs's push
/// decoder releases each row group's bytes once decoded).
pub struct RangeReader {
    file_length: u64,
    options: ParquetReadOptions,
    state: RangeState,
    /// The read's plan, from the footer on.
    plan: Option<Box<Plan>>,
    requested: Vec<std::ops::Range<u64>>,
    /// Whether a batch has been handed out yet.
    emitted: bool,
}

impl RangeReader {
    /// A reader of a file of `file_length` bytes.
    pub fn new(file_length: u64, options: ParquetReadOptions) -> Result<Self> {
        let footer = parquet::file::metadata::ParquetMetaDataPushDecoder::try_new(file_length).map_err(from_read)?;
        Ok(Self {
            file_length,
            options,
            state: RangeState::Footer(footer),
            plan: None,
            requested: Vec::new(),
            emitted: false,
        })
    }

    /// Every range asked for so far, in order.
    pub fn requested(&self) -> &[std::ops::Range<u64>] {
        &self.requested
    }

    /// The output schema, once the footer is in (for nested-path projections, the batches'
    /// schema tells it).
    pub fn schema(&self) -> Option<SchemaRef> {
        self.plan.as_ref()?.output_schema()
    }

    /// Give the bytes of a range the reader asked for (or of any range covering one).
    pub fn provide(&mut self, offset: u64, bytes: Bytes) -> Result<()> {
        let end = offset.checked_add(bytes.len() as u64).filter(|&e| e <= self.file_length).ok_or_else(|| {
            CoreError::InvalidArgument(format!("bytes at {offset} run past the file's {} bytes", self.file_length))
        })?;
        match &mut self.state {
            RangeState::Footer(d) => d.push_range(offset..end, bytes).map_err(from_read),
            RangeState::Rows(d) => d.push_range(offset..end, bytes).map_err(from_read),
            RangeState::Done => Ok(()),
        }
    }

    /// Go on: the ranges needed next, or the next batch, or the end.
    pub fn step(&mut self) -> Result<Step> {
        use parquet::DecodeResult;
        loop {
            match &mut self.state {
                RangeState::Footer(d) => match d.try_decode().map_err(from_read)? {
                    DecodeResult::NeedsData(ranges) => return Ok(self.needs(ranges)),
                    DecodeResult::Data(metadata) => {
                        let meta = ArrowReaderMetadata::try_new(Arc::new(metadata), ArrowReaderOptions::new())
                            .map_err(from_read)?;
                        let plan = plan(meta, &self.options, self.file_length)?;
                        let builder = parquet::arrow::push_decoder::ParquetPushDecoderBuilder::new_with_metadata(
                            plan.meta.clone(),
                        );
                        let decoder = plan.configure(builder, &self.options).build().map_err(from_read)?;
                        self.plan = Some(Box::new(plan));
                        self.state = RangeState::Rows(decoder);
                    }
                    DecodeResult::Finished => return Err(CoreError::Malformed("parquet: no footer".into())),
                },
                RangeState::Rows(d) => match d.try_decode().map_err(from_read)? {
                    DecodeResult::NeedsData(ranges) => return Ok(self.needs(ranges)),
                    DecodeResult::Data(batch) => {
                        let plan = self.plan.as_ref().ok_or_else(|| CoreError::Internal("no plan".into()))?;
                        self.emitted = true;
                        return Ok(Step::Batch(plan.finish_batch(batch)?));
                    }
                    DecodeResult::Finished => self.state = RangeState::Done,
                },
                RangeState::Done => {
                    if let (false, Some(schema)) = (self.emitted, self.schema()) {
                        self.emitted = true;
                        return Ok(Step::Batch(RecordBatch::new_empty(schema)));
                    }
                    return Ok(Step::Finished);
                }
            }
        }
    }

    fn needs(&mut self, ranges: Vec<std::ops::Range<u64>>) -> Step {
        self.requested.extend(ranges.iter().cloned());
        Step::Needs(ranges)
    }
}
