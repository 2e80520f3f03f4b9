//! What a Parquet read and write take (options, codecs) and what a footer describes: plain data,
//! shared by the reader, the writer and the WIT edge.

use arrow_schema::SchemaRef;

use ::parquet::basic::Compression;

use crate::format::DEFAULT_MAX_DECOMPRESSED_BYTES;

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
            max_decompressed_bytes: DEFAULT_MAX_DECOMPRESSED_BYTES,
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

    pub(crate) fn of(c: Compression) -> Self {
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
    /// A CRC32 of each page's bytes in its header, so readers that verify (this core, pyarrow
    /// with `page_checksum_verification`, parquet-java) refuse a damaged page.
    pub page_checksums: bool,
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
            page_checksums: true,
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
