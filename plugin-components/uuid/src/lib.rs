//! The plugin author guide's example plugin (`docs/plugin_author_guide.md`): the canonical
//! `arrow.uuid` extension type, in as little code as a useful plugin takes.
//!
//! The logic is plain Rust over arrow-rs arrays, tested natively; `bindings` is the WIT edge that
//! fetches a column from the core (as an IPC stream, through the core's `table` import) and maps
//! errors to `arrow-error`.

#[cfg(target_arch = "wasm32")]
#[allow(unsafe_code)]
mod bindings;

use arrow_array::cast::AsArray;
use arrow_array::{Array, RecordBatch};
use arrow_schema::{DataType, Field};

/// The plugin id: reverse DNS, ending in the major version.
pub const PLUGIN_ID: &str = "io.arrow.plugin.uuid.v1";
/// The extension type the plugin claims.
pub const EXTENSION: &str = "arrow.uuid";

/// What can go wrong.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum UuidError {
    /// The column is not an `arrow.uuid` column.
    #[error("{0}")]
    Field(String),
    /// The IPC bytes from the core do not decode.
    #[error("exchanging the table with the core: {0}")]
    Exchange(String),
}

/// Check a field: the `arrow.uuid` extension name over FixedSizeBinary(16).
pub fn check_field(name: &str, extension: Option<&str>, storage: &DataType) -> Result<(), UuidError> {
    if extension != Some(EXTENSION) {
        return Err(UuidError::Field(format!("column {name:?} is not an {EXTENSION} column")));
    }
    if storage != &DataType::FixedSizeBinary(16) {
        return Err(UuidError::Field(format!("column {name:?}: {EXTENSION} is FixedSizeBinary(16), not {storage}")));
    }
    Ok(())
}

/// Decode the core's IPC stream of one column and check it is a UUID column.
pub fn column(bytes: &[u8]) -> Result<(Field, Vec<RecordBatch>), UuidError> {
    let exchange = |e: arrow_schema::ArrowError| UuidError::Exchange(e.to_string());
    let reader = arrow_ipc::reader::StreamReader::try_new(std::io::Cursor::new(bytes), None).map_err(exchange)?;
    let field = reader
        .schema()
        .fields()
        .first()
        .map(|f| f.as_ref().clone())
        .ok_or_else(|| UuidError::Field("no column".into()))?;
    let batches = reader.collect::<Result<Vec<_>, _>>().map_err(exchange)?;
    check_field(field.name(), field.metadata().get("ARROW:extension:name").map(String::as_str), field.data_type())?;
    Ok((field, batches))
}

fn uuids(batches: &[RecordBatch]) -> impl Iterator<Item = Option<uuid::Uuid>> + '_ {
    batches.iter().flat_map(|b| {
        let a = b.column(0).as_fixed_size_binary();
        (0..a.len()).map(move |i| a.is_valid(i).then(|| uuid::Uuid::from_slice(a.value(i)).unwrap_or_default()))
    })
}

/// Each row as a hyphenated lowercase string.
pub fn to_strings(batches: &[RecordBatch]) -> Vec<Option<String>> {
    uuids(batches).map(|u| u.map(|u| u.hyphenated().to_string())).collect()
}

/// Counts per version: index 0 nil UUIDs, 1–8 versions 1–8 (others are not counted).
pub fn versions(batches: &[RecordBatch]) -> Vec<u64> {
    let mut counts = vec![0u64; 9];
    for u in uuids(batches).flatten() {
        let v = if u.is_nil() { 0 } else { u.get_version_num() };
        if let Some(c) = counts.get_mut(v) {
            *c += 1;
        }
    }
    counts
}
