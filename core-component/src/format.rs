//! The vocabulary every format module shares: the formats, their magic bytes, the read limit's
//! default, and [`Decoded`], what every reader returns. Depends on nothing else in the crate, so
//! the format modules can share it without knowing each other.

use arrow_array::RecordBatch;
use arrow_schema::SchemaRef;

/// A container format the core can identify.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum DataFormat {
    /// Arrow IPC file format, which is also Feather v2.
    ArrowFile,
    /// Arrow IPC stream format.
    ArrowStream,
    /// Legacy Feather v1 (`FEA1`).
    FeatherV1,
    /// Apache Parquet.
    Parquet,
    /// Delimited text.
    Csv,
    /// Newline-delimited JSON.
    Ndjson,
}

impl DataFormat {
    /// The name used in messages and in the WIT enum.
    pub fn name(self) -> &'static str {
        match self {
            DataFormat::ArrowFile => "arrow-file",
            DataFormat::ArrowStream => "arrow-stream",
            DataFormat::FeatherV1 => "feather-v1",
            DataFormat::Parquet => "parquet",
            DataFormat::Csv => "csv",
            DataFormat::Ndjson => "ndjson",
        }
    }
}

/// The magic at both ends of an Arrow IPC file.
pub const ARROW_MAGIC: &[u8; 6] = b"ARROW1";
/// The marker that starts every encapsulated IPC message since Arrow 0.15.
pub const CONTINUATION: [u8; 4] = [0xFF; 4];

/// The formats this build reads, by name.
pub fn compiled_formats() -> Vec<&'static str> {
    let mut v = vec!["arrow-file", "arrow-stream", "feather-v1"];
    if cfg!(feature = "parquet") {
        v.push("parquet");
    }
    if cfg!(feature = "csv") {
        v.push("csv");
    }
    if cfg!(feature = "json") {
        v.push("ndjson");
    }
    v
}

/// The default ceiling on decompressed bytes a single read may declare: 1 GiB.
pub const DEFAULT_MAX_DECOMPRESSED_BYTES: u64 = 1 << 30;

/// What a format reader decodes: a schema and its batches.
#[derive(Debug, Clone)]
pub struct Decoded {
    /// The schema of `batches` (projected if a projection was given).
    pub schema: SchemaRef,
    /// The record batches in order.
    pub batches: Vec<RecordBatch>,
    /// The compression codecs the input's data used, in first-seen order (e.g. `lz4-frame`,
    /// `zstd`, `snappy`); empty when nothing was compressed.
    pub codecs: Vec<&'static str>,
}
