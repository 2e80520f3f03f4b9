//! The WIT edge of the example plugin.

use crate::UuidError;

wit_bindgen::generate!({
    path: ["../../wit", "../../wit/plugin", "wit"],
    world: "arrow:uuid/uuid",
    generate_all,
});

use arrow::core::registry::{ExtensionClaim, PluginInfo};
use arrow::core::table::Table;
use arrow::core::types::{
    ArrowError, ColumnInfo, DictionaryHandling, ErrorCode, IpcCompression, IpcFraming, IpcWriteOptions, MetadataVersion,
};
use exports::arrow::plugin::plugin;
use exports::arrow::uuid::uuids;

struct Component;

export!(Component);

impl From<UuidError> for ArrowError {
    fn from(e: UuidError) -> Self {
        ArrowError { code: ErrorCode::Plugin, message: e.to_string() }
    }
}

/// The column, as arrow-rs batches: the core writes it as an uncompressed IPC stream.
fn fetch(t: &Table, column: &str) -> Result<Vec<arrow_array::RecordBatch>, ArrowError> {
    let options = IpcWriteOptions {
        framing: IpcFraming::Stream,
        compression: IpcCompression::None,
        zstd_level: None,
        alignment: 8,
        metadata_version: MetadataVersion::V5,
        legacy_format: false,
        dictionary_handling: DictionaryHandling::Resend,
    };
    let bytes = t.select(&[column.to_string()])?.write_ipc(options)?;
    Ok(crate::column(&bytes)?.1)
}

impl plugin::Guest for Component {
    fn info() -> PluginInfo {
        PluginInfo {
            id: crate::PLUGIN_ID.into(),
            version: env!("CARGO_PKG_VERSION").into(),
            core_api: "0.1.0".into(),
            extension_types: vec![ExtensionClaim { name: crate::EXTENSION.into(), display_type: "Uuid".into() }],
            description: "UUID columns (arrow.uuid): strings and version counts".into(),
        }
    }

    fn validate_field(field: ColumnInfo) -> Result<(), ArrowError> {
        let storage = field.storage_type.parse().map_err(|e| UuidError::Field(format!("{e}")))?;
        Ok(crate::check_field(&field.name, field.extension_name.as_deref(), &storage)?)
    }

    fn on_read_column(t: &Table, column: String) -> Result<(), ArrowError> {
        fetch(t, &column).map(|_| ())
    }
}

impl uuids::Guest for Component {
    fn to_strings(t: &Table, column: String) -> Result<Vec<Option<String>>, ArrowError> {
        Ok(crate::to_strings(&fetch(t, &column)?))
    }

    fn versions(t: &Table, column: String) -> Result<Vec<u64>, ArrowError> {
        Ok(crate::versions(&fetch(t, &column)?))
    }
}
