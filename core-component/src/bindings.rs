//! The WIT edge: converts between the generated binding types and the plain modules, and maps
//! `CoreError` to `arrow-error` in one place. No logic lives here.

use arrow_buffer::Buffer;

use crate::error::CoreError;
use crate::format::DataFormat;
use crate::ipc_write::{Compression, Framing, WriteOptions};
use crate::schema::SchemaSummary;
use crate::table::{ReadOptions, Table};

wit_bindgen::generate!({
    path: "../wit",
    world: "core",
});

use exports::arrow::core::table::{Guest, GuestTable, TableBorrow};
use exports::arrow::core::types as wit;

struct Component;

export!(Component);

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

fn key_values(pairs: Vec<(String, String)>) -> Vec<wit::KeyValue> {
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
                    // No plugin registry exists yet, so no plugin can claim a column.
                    owner_plugin: None,
                })
                .collect(),
            metadata: key_values(s.metadata),
        }
    }
}

type WitResult<T> = Result<T, wit::ArrowError>;

impl Guest for Component {
    type Table = Table;

    fn detect_format(head: Vec<u8>) -> WitResult<wit::DataFormat> {
        Ok(crate::format::detect(&head)?.into())
    }
}

impl GuestTable for Table {
    fn read(bytes: Vec<u8>, options: wit::ReadOptions) -> WitResult<exports::arrow::core::table::Table> {
        // The canonical ABI already copied the bytes into this Vec; the table's buffers are
        // slices of it, so the read itself copies nothing more.
        let table = Table::read(Buffer::from_vec(bytes), &options.into())?;
        Ok(exports::arrow::core::table::Table::new(table))
    }

    fn concat(tables: Vec<TableBorrow<'_>>) -> WitResult<exports::arrow::core::table::Table> {
        let refs: Vec<&Table> = tables.iter().map(|t| t.get::<Table>()).collect();
        Ok(exports::arrow::core::table::Table::new(Table::concat(&refs)?))
    }

    fn source_format(&self) -> Option<wit::DataFormat> {
        Table::source_format(self).map(Into::into)
    }

    fn num_rows(&self) -> u64 {
        Table::num_rows(self)
    }

    fn num_columns(&self) -> u32 {
        Table::num_columns(self) as u32
    }

    fn num_batches(&self) -> u32 {
        self.batches().len() as u32
    }

    fn schema(&self) -> wit::SchemaSummary {
        self.summary().into()
    }

    fn slice(&self, offset: u64, length: u64) -> WitResult<exports::arrow::core::table::Table> {
        Ok(exports::arrow::core::table::Table::new(Table::slice(self, offset, length)?))
    }

    fn select(&self, columns: Vec<String>) -> WitResult<exports::arrow::core::table::Table> {
        Ok(exports::arrow::core::table::Table::new(Table::select(self, &columns)?))
    }

    fn write_ipc(&self, options: wit::IpcWriteOptions) -> WitResult<Vec<u8>> {
        Ok(Table::write_ipc(self, &options.into())?)
    }
}
