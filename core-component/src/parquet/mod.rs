//! Parquet: the footer, whole reads, reads driven by byte ranges, and writes, on the `parquet`
//! crate's Arrow reader and writer, with the checks and pyarrow-compatible choices it lacks.
//!
//! The input is one in-memory `Bytes` (the component receives whole files); the reader slices it
//! without copying. Every read, whole or by ranges, goes through one [`plan`]: the footer checks
//! that keep the crate from panicking, the row groups and columns chosen, and the declared
//! uncompressed size of what will be decoded summed against the read limit, so an honest but huge
//! file is refused before any page is inflated. Depends on the crate's error and schema helpers
//! only; validation's Parquet checks sit above it, in `validate`.
//!
//! - [`options`]: read and write options, codecs, and what a footer describes;
//! - [`plan`]: footer checks, projection, the shared read plan;
//! - [`read`]: whole-file reads and the footer's description;
//! - [`range`]: the reader driven by byte ranges;
//! - [`write`]: writer properties, whole writes and the batch-by-batch sink.

pub mod options;
pub mod plan;
pub mod range;
pub mod read;
pub mod write;

pub use options::*;
pub use range::{RangeReader, Step};
pub use read::{file_info, read};
pub use write::{ParquetSink, write, writer_properties};

use ::parquet::errors::ParquetError;

use crate::error::CoreError;

pub(crate) fn to_u64(v: i64) -> u64 {
    u64::try_from(v).unwrap_or(0)
}

/// Map a `parquet` error: a compiled-out codec is `unsupported-codec`, everything else is the
/// input's fault.
pub(crate) fn from_read(e: ParquetError) -> CoreError {
    let msg = e.to_string();
    if msg.contains("Disabled feature at compile time") || msg.contains("codec type") {
        CoreError::UnsupportedCodec(msg)
    } else {
        CoreError::Malformed(format!("parquet: {msg}"))
    }
}
