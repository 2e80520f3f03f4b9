//! The WIT edge: converts between the generated binding types and the plain modules, and maps
//! `CoreError` to `arrow-error` in one place. No logic lives here.

use arrow_buffer::Buffer;

use crate::error::CoreError;
use crate::format::DataFormat;
use crate::ipc_write::{Compression, Framing, WriteOptions};
use crate::registry::{CORE_API_VERSION, ExtensionClaim, PluginInfo, Refusal, Registry};
use crate::schema::SchemaSummary;
use crate::table::{ReadOptions, Table};

wit_bindgen::generate!({
    path: "../wit",
    world: "core",
});

use exports::arrow::core::csv as wcsv;
use exports::arrow::core::ndjson as wjson;
use exports::arrow::core::parquet as wpq;
use exports::arrow::core::registry as wreg;
use exports::arrow::core::streaming as wstream;
use exports::arrow::core::table::{Guest, GuestTable, TableBorrow};
use exports::arrow::core::types as wit;
use exports::arrow::core::validation as wval;

type Handle = exports::arrow::core::table::Table;

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
                    owner_plugin: c.owner_plugin,
                    storage_type: c.storage_type,
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

    fn readable_formats() -> Vec<wit::DataFormat> {
        let mut v = vec![wit::DataFormat::ArrowFile, wit::DataFormat::ArrowStream, wit::DataFormat::FeatherV1];
        if cfg!(feature = "parquet") {
            v.push(wit::DataFormat::Parquet);
        }
        if cfg!(feature = "csv") {
            v.push(wit::DataFormat::Csv);
        }
        if cfg!(feature = "json") {
            v.push(wit::DataFormat::Ndjson);
        }
        v
    }
}

fn field_specs(specs: Option<Vec<wit::FieldSpec>>) -> Option<Vec<crate::schema::FieldSpec>> {
    specs.map(|v| {
        v.into_iter()
            .map(|f| crate::schema::FieldSpec { name: f.name, arrow_type: f.arrow_type, nullable: f.nullable })
            .collect()
    })
}

#[cfg_attr(not(any(feature = "parquet", feature = "csv", feature = "json")), allow(dead_code))]
fn opt_usize(v: Option<u32>) -> Option<usize> {
    v.map(|n| n as usize)
}

#[cfg_attr(all(feature = "parquet", feature = "csv", feature = "json"), allow(dead_code))]
fn left_out(what: &str) -> wit::ArrowError {
    CoreError::UnsupportedFormat(format!("this build of the core leaves {what} out")).into()
}

#[cfg(feature = "parquet")]
mod pq {
    use super::*;
    use crate::parquet_io::{Codec, ParquetReadOptions, ParquetWriteOptions, StatisticsLevel};

    pub fn codec_from(c: wpq::ParquetCompression) -> Codec {
        match c {
            wpq::ParquetCompression::Uncompressed => Codec::Uncompressed,
            wpq::ParquetCompression::Snappy => Codec::Snappy,
            wpq::ParquetCompression::Gzip => Codec::Gzip,
            wpq::ParquetCompression::Brotli => Codec::Brotli,
            wpq::ParquetCompression::Lz4 => Codec::Lz4,
            wpq::ParquetCompression::Lz4Raw => Codec::Lz4Raw,
            wpq::ParquetCompression::Zstd => Codec::Zstd,
            wpq::ParquetCompression::Lzo => Codec::Lzo,
        }
    }

    pub fn codec_to(c: Codec) -> wpq::ParquetCompression {
        match c {
            Codec::Uncompressed => wpq::ParquetCompression::Uncompressed,
            Codec::Snappy => wpq::ParquetCompression::Snappy,
            Codec::Gzip => wpq::ParquetCompression::Gzip,
            Codec::Brotli => wpq::ParquetCompression::Brotli,
            Codec::Lz4 => wpq::ParquetCompression::Lz4,
            Codec::Lz4Raw => wpq::ParquetCompression::Lz4Raw,
            Codec::Zstd => wpq::ParquetCompression::Zstd,
            Codec::Lzo => wpq::ParquetCompression::Lzo,
        }
    }

    pub fn read_options(o: wpq::ParquetReadOptions) -> ParquetReadOptions {
        ParquetReadOptions {
            columns: o.columns,
            row_groups: o.row_groups.map(|v| v.into_iter().map(|i| i as usize).collect()),
            batch_size: opt_usize(o.batch_size),
            offset: o.offset.map(|n| usize::try_from(n).unwrap_or(usize::MAX)),
            limit: o.limit.map(|n| usize::try_from(n).unwrap_or(usize::MAX)),
            max_decompressed_bytes: o.max_decompressed_bytes.unwrap_or(crate::ipc_read::DEFAULT_MAX_DECOMPRESSED_BYTES),
        }
    }

    pub fn write_options(o: wpq::ParquetWriteOptions) -> ParquetWriteOptions {
        ParquetWriteOptions {
            compression: codec_from(o.compression),
            compression_level: o.compression_level,
            max_row_group_rows: o.max_row_group_rows.map(|n| usize::try_from(n).unwrap_or(usize::MAX)),
            data_page_size: o.data_page_size.map(|n| usize::try_from(n).unwrap_or(usize::MAX)),
            dictionary: o.dictionary,
            statistics: match o.statistics {
                wpq::StatisticsLevel::None => StatisticsLevel::None,
                wpq::StatisticsLevel::Chunk => StatisticsLevel::Chunk,
                wpq::StatisticsLevel::Page => StatisticsLevel::Page,
            },
            writer_version_2: matches!(o.writer_version, wpq::WriterVersion::V2),
            key_value_metadata: o.key_value_metadata.into_iter().map(|kv| (kv.key, kv.value)).collect(),
        }
    }
}

impl wpq::Guest for Component {
    fn read(bytes: Vec<u8>, options: wpq::ParquetReadOptions) -> WitResult<Handle> {
        #[cfg(feature = "parquet")]
        return Ok(Handle::new(Table::read_parquet(Buffer::from_vec(bytes), &pq::read_options(options))?));
        #[cfg(not(feature = "parquet"))]
        {
            let _ = (bytes, options);
            Err(left_out("Parquet"))
        }
    }

    fn metadata(bytes: Vec<u8>) -> WitResult<wpq::ParquetMetadata> {
        #[cfg(feature = "parquet")]
        {
            let info = crate::parquet_io::file_info(bytes::Bytes::from(bytes))?;
            Ok(wpq::ParquetMetadata {
                num_rows: info.num_rows,
                version: info.version,
                created_by: info.created_by,
                key_value_metadata: key_values(info.key_value_metadata),
                row_groups: info
                    .row_groups
                    .into_iter()
                    .map(|rg| wpq::RowGroup {
                        num_rows: rg.num_rows,
                        total_byte_size: rg.total_byte_size,
                        compressed_size: rg.compressed_size,
                        columns: rg
                            .columns
                            .into_iter()
                            .map(|c| wpq::ColumnChunk {
                                path: c.path,
                                physical_type: c.physical_type,
                                compression: pq::codec_to(c.codec),
                                compressed_size: c.compressed_size,
                                uncompressed_size: c.uncompressed_size,
                                num_values: c.num_values,
                                null_count: c.null_count,
                            })
                            .collect(),
                    })
                    .collect(),
                schema: crate::schema::summarize(&info.schema).into(),
            })
        }
        #[cfg(not(feature = "parquet"))]
        {
            let _ = bytes;
            Err(left_out("Parquet"))
        }
    }

    fn write(source: TableBorrow<'_>, options: wpq::ParquetWriteOptions) -> WitResult<Vec<u8>> {
        #[cfg(feature = "parquet")]
        return Ok(source.get::<Table>().write_parquet(&pq::write_options(options))?);
        #[cfg(not(feature = "parquet"))]
        {
            let _ = (source, options);
            Err(left_out("Parquet"))
        }
    }
}

impl wcsv::Guest for Component {
    fn read(bytes: Vec<u8>, options: wcsv::CsvReadOptions) -> WitResult<Handle> {
        #[cfg(feature = "csv")]
        {
            let o = crate::csv_io::CsvReadOptions {
                has_header: options.has_header,
                delimiter: options.delimiter,
                quote: options.quote,
                escape: options.escape,
                comment: options.comment,
                null_values: options.null_values,
                schema: field_specs(options.schema),
                infer_rows: opt_usize(options.infer_rows),
                batch_size: opt_usize(options.batch_size),
                columns: options.columns,
            };
            Ok(Handle::new(Table::read_csv(&bytes, &o)?))
        }
        #[cfg(not(feature = "csv"))]
        {
            let _ = (bytes, field_specs(options.schema));
            Err(left_out("CSV"))
        }
    }

    fn write(source: TableBorrow<'_>, options: wcsv::CsvWriteOptions) -> WitResult<Vec<u8>> {
        #[cfg(feature = "csv")]
        {
            let o = crate::csv_io::CsvWriteOptions {
                header: options.header,
                delimiter: options.delimiter,
                quote: options.quote,
                null_value: options.null_value,
            };
            Ok(source.get::<Table>().write_csv(&o)?)
        }
        #[cfg(not(feature = "csv"))]
        {
            let _ = (source, options);
            Err(left_out("CSV"))
        }
    }
}

thread_local! {
    /// The registry of this instance: every plugin linked to this core shares it.
    static REGISTRY: std::cell::RefCell<Registry> = std::cell::RefCell::new(Registry::default());
}

impl From<wreg::PluginInfo> for PluginInfo {
    fn from(i: wreg::PluginInfo) -> Self {
        PluginInfo {
            id: i.id,
            version: i.version,
            core_api: i.core_api,
            extension_types: i
                .extension_types
                .into_iter()
                .map(|c| ExtensionClaim { name: c.name, display_type: c.display_type })
                .collect(),
            description: i.description,
        }
    }
}

impl From<PluginInfo> for wreg::PluginInfo {
    fn from(i: PluginInfo) -> Self {
        wreg::PluginInfo {
            id: i.id,
            version: i.version,
            core_api: i.core_api,
            extension_types: i
                .extension_types
                .into_iter()
                .map(|c| wreg::ExtensionClaim { name: c.name, display_type: c.display_type })
                .collect(),
            description: i.description,
        }
    }
}

impl From<CoreError> for wreg::RegistryError {
    fn from(e: CoreError) -> Self {
        let refusal = match &e {
            CoreError::Plugin { refusal, .. } => match refusal {
                Refusal::MalformedId => wreg::RegistryRefusal::MalformedId,
                Refusal::MalformedVersion => wreg::RegistryRefusal::MalformedVersion,
                Refusal::IncompatibleCoreApi => wreg::RegistryRefusal::IncompatibleCoreApi,
                Refusal::DuplicateId => wreg::RegistryRefusal::DuplicateId,
                Refusal::MalformedClaim => wreg::RegistryRefusal::MalformedClaim,
                Refusal::ExtensionClaimed => wreg::RegistryRefusal::ExtensionClaimed,
                Refusal::NotRegistered => wreg::RegistryRefusal::NotRegistered,
            },
            // The registry refuses only with `Plugin`; anything else would be a bug in it.
            _ => wreg::RegistryRefusal::MalformedClaim,
        };
        wreg::RegistryError { refusal, error: e.into() }
    }
}

impl wreg::Guest for Component {
    fn core_api_version() -> String {
        CORE_API_VERSION.to_string()
    }

    fn validate(info: wreg::PluginInfo) -> Result<(), wreg::RegistryError> {
        Ok(REGISTRY.with_borrow(|r| r.validate(&info.into()))?)
    }

    fn register(info: wreg::PluginInfo) -> Result<(), wreg::RegistryError> {
        Ok(REGISTRY.with_borrow_mut(|r| r.register(info.into()))?)
    }

    fn unregister(id: String) -> Result<(), wreg::RegistryError> {
        REGISTRY.with_borrow_mut(|r| r.unregister(&id))?;
        Ok(())
    }

    fn plugins() -> Vec<wreg::PluginInfo> {
        REGISTRY.with_borrow(|r| r.list().iter().cloned().map(Into::into).collect())
    }
}

/// A schema's summary with the registered plugins' columns marked.
fn marked(schema: &arrow_schema::Schema) -> wit::SchemaSummary {
    let mut summary = crate::schema::summarize(schema);
    REGISTRY.with_borrow(|r| r.mark(&mut summary));
    summary.into()
}

/// The push decoder behind an `ipc-stream-decoder` handle (methods take `&self`).
pub struct StreamDecoder(std::cell::RefCell<crate::ipc_push::PushDecoder>);

impl wstream::Guest for Component {
    type IpcStreamDecoder = StreamDecoder;
    type TableWriter = StreamWriter;
    type ParquetRangeReader = RangeReader;
}

/// The range reader behind a `parquet-range-reader` handle (nothing in a build without Parquet,
/// where `create` refuses).
pub struct RangeReader(
    #[cfg(feature = "parquet")] std::cell::RefCell<crate::parquet_io::RangeReader>,
    #[cfg(not(feature = "parquet"))] (),
);

impl wstream::GuestParquetRangeReader for RangeReader {
    fn create(file_length: u64, options: wpq::ParquetReadOptions) -> WitResult<wstream::ParquetRangeReader> {
        #[cfg(feature = "parquet")]
        {
            let reader = crate::parquet_io::RangeReader::new(file_length, pq::read_options(options))?;
            Ok(wstream::ParquetRangeReader::new(RangeReader(std::cell::RefCell::new(reader))))
        }
        #[cfg(not(feature = "parquet"))]
        {
            let _ = (file_length, options);
            Err(left_out("Parquet"))
        }
    }

    fn next(&self) -> WitResult<wstream::RangeStep> {
        #[cfg(feature = "parquet")]
        {
            use crate::parquet_io::Step;
            Ok(match self.0.borrow_mut().step()? {
                Step::Needs(ranges) => wstream::RangeStep::Needs(
                    ranges
                        .into_iter()
                        .map(|r| wstream::ByteRange { offset: r.start, length: r.end - r.start })
                        .collect(),
                ),
                Step::Batch(batch) => wstream::RangeStep::Batch(Handle::new(Table::from_batches(
                    batch.schema(),
                    vec![batch],
                    Some(DataFormat::Parquet),
                ))),
                Step::Finished => wstream::RangeStep::Finished,
            })
        }
        #[cfg(not(feature = "parquet"))]
        Err(left_out("Parquet"))
    }

    fn provide(&self, offset: u64, bytes: Vec<u8>) -> WitResult<()> {
        #[cfg(feature = "parquet")]
        return Ok(self.0.borrow_mut().provide(offset, bytes::Bytes::from(bytes))?);
        #[cfg(not(feature = "parquet"))]
        {
            let _ = (offset, bytes);
            Err(left_out("Parquet"))
        }
    }

    fn schema(&self) -> Option<wit::SchemaSummary> {
        #[cfg(feature = "parquet")]
        return self.0.borrow().schema().map(|s| marked(&s));
        #[cfg(not(feature = "parquet"))]
        None
    }
}

/// The writer behind a `table-writer` handle.
pub struct StreamWriter(std::cell::RefCell<crate::stream_write::TableWriter>);

impl wstream::GuestTableWriter for StreamWriter {
    fn create(schema_of: TableBorrow<'_>, format: wstream::WriterFormat) -> WitResult<wstream::TableWriter> {
        use crate::stream_write::{TableWriter, WriterFormat};
        let format = match format {
            wstream::WriterFormat::Ipc(o) => WriterFormat::Ipc(o.into()),
            #[cfg(feature = "parquet")]
            wstream::WriterFormat::Parquet(o) => WriterFormat::Parquet(pq::write_options(o)),
            #[cfg(not(feature = "parquet"))]
            wstream::WriterFormat::Parquet(_) => return Err(left_out("Parquet")),
        };
        let schema = schema_of.get::<Table>().schema().clone();
        let writer = TableWriter::new(schema, &format)?;
        Ok(wstream::TableWriter::new(StreamWriter(std::cell::RefCell::new(writer))))
    }

    fn write(&self, t: TableBorrow<'_>) -> WitResult<Vec<u8>> {
        Ok(self.0.borrow_mut().write(t.get::<Table>())?)
    }

    fn finish(&self) -> WitResult<Vec<u8>> {
        Ok(self.0.borrow_mut().finish()?)
    }

    fn rows_written(&self) -> u64 {
        self.0.borrow().rows_written()
    }
}

impl wstream::GuestIpcStreamDecoder for StreamDecoder {
    fn new(options: wstream::StreamDecoderOptions) -> Self {
        use crate::ipc_push::{DEFAULT_MAX_BUFFERED_BYTES, PushDecoder, PushOptions};
        use crate::ipc_read::{DEFAULT_MAX_DECOMPRESSED_BYTES, IpcReadOptions};
        let read = IpcReadOptions {
            columns: options.columns,
            max_decompressed_bytes: options.max_decompressed_bytes.unwrap_or(DEFAULT_MAX_DECOMPRESSED_BYTES),
        };
        let max_buffered_bytes = options.max_buffered_bytes.unwrap_or(DEFAULT_MAX_BUFFERED_BYTES);
        StreamDecoder(std::cell::RefCell::new(PushDecoder::new(PushOptions { max_buffered_bytes, read })))
    }

    fn push(&self, chunk: Vec<u8>) -> WitResult<()> {
        Ok(self.0.borrow_mut().push(&chunk)?)
    }

    fn schema(&self) -> Option<wit::SchemaSummary> {
        Some(marked(self.0.borrow().schema()?))
    }

    fn next_batch(&self) -> Option<Handle> {
        let mut d = self.0.borrow_mut();
        let batch = d.next_batch()?;
        let schema = batch.schema();
        Some(Handle::new(Table::from_batches(schema, vec![batch], Some(DataFormat::ArrowStream))))
    }

    fn finish(&self) -> WitResult<()> {
        Ok(self.0.borrow_mut().finish()?)
    }

    fn done(&self) -> bool {
        self.0.borrow().is_done()
    }

    fn buffered_bytes(&self) -> u64 {
        self.0.borrow().buffered_bytes()
    }
}

impl wval::Guest for Component {
    fn validate(bytes: Vec<u8>, options: wit::ReadOptions) -> wval::ValidationReport {
        let r = crate::validate::validate(Buffer::from_vec(bytes), &options.into());
        wval::ValidationReport {
            format: r.format.map(Into::into),
            num_rows: r.num_rows,
            num_batches: r.num_batches,
            checks: r.checks.into_iter().map(str::to_string).collect(),
            problems: r
                .problems
                .into_iter()
                .map(|p| wval::Problem { location: p.location, error: p.error.into() })
                .collect(),
        }
    }
}

impl wjson::Guest for Component {
    fn read(bytes: Vec<u8>, options: wjson::NdjsonReadOptions) -> WitResult<Handle> {
        #[cfg(feature = "json")]
        {
            let o = crate::ndjson_io::NdjsonReadOptions {
                schema: field_specs(options.schema),
                infer_rows: opt_usize(options.infer_rows),
                batch_size: opt_usize(options.batch_size),
                columns: options.columns,
                strict: options.strict,
            };
            Ok(Handle::new(Table::read_ndjson(&bytes, &o)?))
        }
        #[cfg(not(feature = "json"))]
        {
            let _ = (bytes, field_specs(options.schema));
            Err(left_out("NDJSON"))
        }
    }

    fn write(source: TableBorrow<'_>, options: wjson::NdjsonWriteOptions) -> WitResult<Vec<u8>> {
        #[cfg(feature = "json")]
        {
            let o = crate::ndjson_io::NdjsonWriteOptions { explicit_nulls: options.explicit_nulls };
            Ok(source.get::<Table>().write_ndjson(&o)?)
        }
        #[cfg(not(feature = "json"))]
        {
            let _ = (source, options);
            Err(left_out("NDJSON"))
        }
    }
}

impl GuestTable for Table {
    fn read(bytes: Vec<u8>, options: wit::ReadOptions) -> WitResult<Handle> {
        // The canonical ABI already copied the bytes into this Vec; the table's buffers are
        // slices of it, so the read itself copies nothing more.
        let table = Table::read(Buffer::from_vec(bytes), &options.into())?;
        Ok(Handle::new(table))
    }

    fn concat(tables: Vec<TableBorrow<'_>>) -> WitResult<Handle> {
        let refs: Vec<&Table> = tables.iter().map(|t| t.get::<Table>()).collect();
        Ok(Handle::new(Table::concat(&refs)?))
    }

    fn source_format(&self) -> Option<wit::DataFormat> {
        Table::source_format(self).map(Into::into)
    }

    fn source_compression(&self) -> Vec<String> {
        self.source_codecs().iter().map(|c| c.to_string()).collect()
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
        marked(self.schema())
    }

    fn filter(&self, mask: Vec<bool>) -> WitResult<Handle> {
        Ok(Handle::new(Table::filter(self, &mask)?))
    }

    fn slice(&self, offset: u64, length: u64) -> WitResult<Handle> {
        Ok(Handle::new(Table::slice(self, offset, length)?))
    }

    fn select(&self, columns: Vec<String>) -> WitResult<Handle> {
        Ok(Handle::new(Table::select(self, &columns)?))
    }

    fn write_ipc(&self, options: wit::IpcWriteOptions) -> WitResult<Vec<u8>> {
        Ok(Table::write_ipc(self, &options.into())?)
    }

    fn fingerprint(&self) -> WitResult<String> {
        Ok(Table::fingerprint(self)?)
    }
}
