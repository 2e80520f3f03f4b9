//! The WIT edge: sessions as a resource, tables fetched from the core as uncompressed IPC
//! streams and answers handed back the same way, parameters turned into one-row arrays, and
//! `AnalyticsError` mapped to `analytics-error` in one place.

use std::cell::RefCell;
use std::io::Cursor;
use std::sync::Arc;

use arrow_array::{ArrayRef, RecordBatch};
use arrow_schema::{DataType, SchemaRef};

use crate::error::{AnalyticsError, ErrorKind};
use crate::session::Session as Engine;

wit_bindgen::generate!({
    path: ["../../wit", "../../wit/plugin", "wit"],
    world: "arrow:analytics/analytics",
    generate_all,
});

use arrow::core::registry::PluginInfo;
use arrow::core::table::Table;
use arrow::core::types::{
    ArrowError, ColumnInfo, DataFormat, DictionaryHandling, ErrorCode, IpcCompression, IpcFraming, IpcWriteOptions,
    MetadataVersion, ReadOptions,
};
use exports::arrow::analytics::session as wsession;
use exports::arrow::analytics::values as wvalues;
use exports::arrow::plugin::plugin;

struct Component;

export!(Component);

impl From<AnalyticsError> for wvalues::AnalyticsError {
    fn from(e: AnalyticsError) -> Self {
        use wvalues::ErrorKind as K;
        let (kind, code) = match e.kind {
            ErrorKind::Parse => (K::Parse, ErrorCode::Plugin),
            ErrorKind::UnknownTable => (K::UnknownTable, ErrorCode::Plugin),
            ErrorKind::UnknownColumn => (K::UnknownColumn, ErrorCode::ColumnNotFound),
            ErrorKind::UnknownFunction => (K::UnknownFunction, ErrorCode::Plugin),
            ErrorKind::TypeMismatch => (K::TypeMismatch, ErrorCode::Plugin),
            ErrorKind::Unsupported => (K::Unsupported, ErrorCode::Plugin),
            ErrorKind::InvalidQuery => (K::InvalidQuery, ErrorCode::Plugin),
            ErrorKind::InvalidArgument => (K::InvalidArgument, ErrorCode::InvalidArgument),
            ErrorKind::Execution => (K::Execution, ErrorCode::Plugin),
            ErrorKind::LimitExceeded => (K::LimitExceeded, ErrorCode::LimitExceeded),
            ErrorKind::Internal => (K::Internal, ErrorCode::Internal),
        };
        let position = e.position.map(|p| wvalues::Position { line: p.line, column: p.column });
        wvalues::AnalyticsError { kind, position, error: ArrowError { code, message: e.to_string() } }
    }
}

/// A core error met while moving a table in or out, as an analytics error of the same message.
fn core_error(e: ArrowError) -> wvalues::AnalyticsError {
    let kind = match e.code {
        ErrorCode::LimitExceeded => wvalues::ErrorKind::LimitExceeded,
        ErrorCode::Internal => wvalues::ErrorKind::Internal,
        _ => wvalues::ErrorKind::InvalidArgument,
    };
    wvalues::AnalyticsError { kind, position: None, error: e }
}

type WitResult<T> = Result<T, wvalues::AnalyticsError>;

/// An uncompressed IPC stream: what the plugin's own decoder reads without any codec.
fn exchange_options() -> IpcWriteOptions {
    IpcWriteOptions {
        framing: IpcFraming::Stream,
        compression: IpcCompression::None,
        zstd_level: None,
        alignment: 8,
        metadata_version: MetadataVersion::V5,
        legacy_format: false,
        dictionary_handling: DictionaryHandling::Resend,
    }
}

/// A core table as the plugin's own batches.
fn fetch(t: &Table) -> WitResult<(SchemaRef, Vec<RecordBatch>)> {
    let bytes = t.write_ipc(exchange_options()).map_err(core_error)?;
    let reader = arrow_ipc::reader::StreamReader::try_new(Cursor::new(bytes), None)
        .map_err(|e| AnalyticsError::internal(format!("reading the core's table: {e}")))?;
    let schema = reader.schema();
    let batches = reader
        .collect::<Result<Vec<_>, _>>()
        .map_err(|e| AnalyticsError::internal(format!("reading the core's table: {e}")))?;
    Ok((schema, batches))
}

/// An answer as a new core table.
fn into_core(schema: &SchemaRef, batches: &[RecordBatch]) -> WitResult<Table> {
    let mut bytes = Vec::new();
    {
        let mut w = arrow_ipc::writer::StreamWriter::try_new(&mut bytes, schema)
            .map_err(|e| AnalyticsError::internal(format!("writing the answer: {e}")))?;
        for b in batches {
            w.write(b).map_err(|e| AnalyticsError::internal(format!("writing the answer: {e}")))?;
        }
        w.finish().map_err(|e| AnalyticsError::internal(format!("writing the answer: {e}")))?;
    }
    let options = ReadOptions {
        format: Some(DataFormat::ArrowStream),
        columns: None,
        batch_size: None,
        max_decompressed_bytes: None,
    };
    Table::read(&bytes, &options).map_err(core_error)
}

/// A parameter as a one-row array.
fn param(p: wvalues::Param) -> Result<ArrayRef, AnalyticsError> {
    use arrow_array::*;
    use wvalues::Param as P;
    Ok(match p {
        P::Null => new_null_array(&DataType::Null, 1),
        P::Boolean(b) => Arc::new(BooleanArray::from(vec![b])),
        P::Int32(v) => Arc::new(Int32Array::from(vec![v])),
        P::Int64(v) => Arc::new(Int64Array::from(vec![v])),
        P::Uint64(v) => Arc::new(UInt64Array::from(vec![v])),
        P::Float64(v) => Arc::new(Float64Array::from(vec![v])),
        P::Text(s) => Arc::new(StringArray::from(vec![s])),
        P::Decimal(s) => crate::sql::types::number_literal(s.trim())
            .ok()
            .filter(|a| matches!(a.data_type(), DataType::Decimal128(..) | DataType::Int32 | DataType::Int64))
            .ok_or_else(|| AnalyticsError::argument(format!("not a decimal number: {s:?}")))?,
        P::Date(d) => Arc::new(Date32Array::from(vec![d])),
        P::Timestamp(t) => {
            let a = TimestampMicrosecondArray::from(vec![t.micros]);
            Arc::new(match t.zone {
                Some(z) => a.with_timezone(z),
                None => a,
            })
        }
        P::Interval(i) => {
            let v = arrow_array::types::IntervalMonthDayNano::new(i.months, i.days, i.nanoseconds);
            Arc::new(IntervalMonthDayNanoArray::from(vec![v]))
        }
        P::Binary(b) => Arc::new(BinaryArray::from(vec![b.as_slice()])),
    })
}

fn params(ps: Vec<wvalues::Param>) -> WitResult<Vec<ArrayRef>> {
    Ok(ps.into_iter().map(param).collect::<Result<Vec<_>, _>>()?)
}

impl plugin::Guest for Component {
    fn info() -> PluginInfo {
        PluginInfo {
            id: crate::PLUGIN_ID.into(),
            version: env!("CARGO_PKG_VERSION").into(),
            core_api: crate::CORE_API.into(),
            extension_types: vec![],
            description: "SQL and typed queries over core tables: filters, group-by, joins, windows, top-N".into(),
        }
    }

    fn validate_field(field: ColumnInfo) -> Result<(), ArrowError> {
        Err(ArrowError {
            code: ErrorCode::Plugin,
            message: format!("the analytics plugin claims no extension type (asked about column {:?})", field.name),
        })
    }

    fn on_read_column(_t: &Table, column: String) -> Result<(), ArrowError> {
        Err(ArrowError {
            code: ErrorCode::Plugin,
            message: format!("the analytics plugin claims no column (asked about {column:?})"),
        })
    }
}

/// The engine session behind a `session` handle (methods take `&self`).
pub struct Session(RefCell<Engine>);

impl wsession::Guest for Component {
    type Session = Session;
}

impl wsession::GuestSession for Session {
    fn new(options: wsession::SessionOptions) -> Self {
        Session(RefCell::new(Engine::new(options.memory_limit.unwrap_or(crate::session::DEFAULT_MEMORY_LIMIT))))
    }

    fn register(&self, name: String, t: &Table) -> WitResult<()> {
        let (schema, batches) = fetch(t)?;
        Ok(self.0.borrow_mut().register(&name, schema, batches)?)
    }

    fn append(&self, name: String, t: &Table) -> WitResult<()> {
        let (schema, batches) = fetch(t)?;
        Ok(self.0.borrow_mut().append(&name, schema, batches)?)
    }

    fn unregister(&self, name: String) -> WitResult<()> {
        Ok(self.0.borrow_mut().unregister(&name)?)
    }

    fn tables(&self) -> Vec<wsession::TableInfo> {
        self.0
            .borrow()
            .tables()
            .into_iter()
            .map(|t| wsession::TableInfo { name: t.name, rows: t.rows, columns: t.columns, bytes: t.bytes })
            .collect()
    }

    fn memory_used(&self) -> u64 {
        self.0.borrow().budget().used()
    }

    fn memory_limit(&self) -> u64 {
        self.0.borrow().budget().limit()
    }

    fn query(&self, sql: String, ps: Vec<wvalues::Param>) -> WitResult<Table> {
        let answer = self.0.borrow().query(&sql, &params(ps)?)?;
        into_core(&answer.schema, &answer.batches)
    }

    fn explain(&self, sql: String, ps: Vec<wvalues::Param>) -> WitResult<String> {
        Ok(self.0.borrow().explain(&sql, &params(ps)?)?)
    }

    fn query_partial(&self, sql: String, ps: Vec<wvalues::Param>) -> WitResult<Table> {
        let answer = self.0.borrow().query_partial(&sql, &params(ps)?)?;
        into_core(&answer.schema, &answer.batches)
    }

    fn query_merge(&self, sql: String, ps: Vec<wvalues::Param>, partials: &Table) -> WitResult<Table> {
        let (_, batches) = fetch(partials)?;
        let answer = self.0.borrow().query_merge(&sql, &params(ps)?, batches)?;
        into_core(&answer.schema, &answer.batches)
    }
}
