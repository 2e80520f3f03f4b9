//! `types`: the one mapping of `CoreError` to `arrow-error`, and the shared records (formats, read
//! and IPC write options, schema summaries) converted both ways.

use super::wit;
use crate::error::CoreError;
use crate::format::DataFormat;
use crate::ipc::write::{Compression, Framing, WriteOptions};
use crate::schema::SchemaSummary;
use crate::table::ReadOptions;

impl From<CoreError> for wit::ArrowError {
    fn from(e: CoreError) -> Self {
        let code = match &e {
            CoreError::InvalidArgument(_) => wit::ErrorCode::InvalidArgument,
            CoreError::UnknownFormat(_) => wit::ErrorCode::UnknownFormat,
            CoreError::UnsupportedFormat(_) => wit::ErrorCode::UnsupportedFormat,
            CoreError::UnsupportedCodec(_) => wit::ErrorCode::UnsupportedCodec,
            CoreError::Malformed(_) => wit::ErrorCode::MalformedInput,
            CoreError::LimitExceeded(_) => wit::ErrorCode::LimitExceeded,
            CoreError::ColumnNotFound(_) => wit::ErrorCode::ColumnNotFound,
            CoreError::OutOfBounds(_) => wit::ErrorCode::OutOfBounds,
            CoreError::SchemaMismatch(_) => wit::ErrorCode::SchemaMismatch,
            CoreError::Plugin { .. } => wit::ErrorCode::Plugin,
            CoreError::Closed(_) => wit::ErrorCode::Closed,
            CoreError::Internal(_) => wit::ErrorCode::Internal,
        };
        wit::ArrowError { code, message: e.to_string() }
    }
}

impl From<wit::DataFormat> for DataFormat {
    fn from(f: wit::DataFormat) -> Self {
        match f {
            wit::DataFormat::ArrowFile => DataFormat::ArrowFile,
            wit::DataFormat::ArrowStream => DataFormat::ArrowStream,
            wit::DataFormat::FeatherV1 => DataFormat::FeatherV1,
            wit::DataFormat::Parquet => DataFormat::Parquet,
            wit::DataFormat::Csv => DataFormat::Csv,
            wit::DataFormat::Ndjson => DataFormat::Ndjson,
        }
    }
}

impl From<DataFormat> for wit::DataFormat {
    fn from(f: DataFormat) -> Self {
        match f {
            DataFormat::ArrowFile => wit::DataFormat::ArrowFile,
            DataFormat::ArrowStream => wit::DataFormat::ArrowStream,
            DataFormat::FeatherV1 => wit::DataFormat::FeatherV1,
            DataFormat::Parquet => wit::DataFormat::Parquet,
            DataFormat::Csv => wit::DataFormat::Csv,
            DataFormat::Ndjson => wit::DataFormat::Ndjson,
        }
    }
}

impl From<wit::ReadOptions> for ReadOptions {
    fn from(o: wit::ReadOptions) -> Self {
        ReadOptions {
            format: o.format.map(Into::into),
            columns: o.columns,
            batch_size: o.batch_size,
            max_decompressed_bytes: o.max_decompressed_bytes,
        }
    }
}

impl From<wit::IpcWriteOptions> for WriteOptions {
    fn from(o: wit::IpcWriteOptions) -> Self {
        WriteOptions {
            framing: match o.framing {
                wit::IpcFraming::File => Framing::File,
                wit::IpcFraming::Stream => Framing::Stream,
            },
            compression: match o.compression {
                wit::IpcCompression::None => Compression::None,
                wit::IpcCompression::Lz4Frame => Compression::Lz4Frame,
                wit::IpcCompression::Zstd => Compression::Zstd,
            },
            zstd_level: o.zstd_level,
            alignment: o.alignment,
            metadata_v5: matches!(o.metadata_version, wit::MetadataVersion::V5),
            legacy_format: o.legacy_format,
            dictionary_deltas: matches!(o.dictionary_handling, wit::DictionaryHandling::Delta),
        }
    }
}

pub(crate) fn key_values(pairs: Vec<(String, String)>) -> Vec<wit::KeyValue> {
    pairs.into_iter().map(|(key, value)| wit::KeyValue { key, value }).collect()
}

impl From<SchemaSummary> for wit::SchemaSummary {
    fn from(s: SchemaSummary) -> Self {
        wit::SchemaSummary {
            columns: s
                .columns
                .into_iter()
                .map(|c| wit::ColumnInfo {
                    name: c.name,
                    arrow_type: c.arrow_type,
                    nullable: c.nullable,
                    metadata: key_values(c.metadata),
                    extension_name: c.extension_name,
                    owner_plugin: c.owner_plugin,
                    storage_type: c.storage_type,
                })
                .collect(),
            metadata: key_values(s.metadata),
        }
    }
}
