//! The crate's one error type, mapped to the core's `arrow-error` at the WIT edge.

/// Every way a geometry operation fails.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum GeoError {
    /// The column is not a geometry column this plugin handles (storage type, extension name or
    /// metadata).
    #[error("{0}")]
    Field(String),
    /// A value does not decode; `row` counts from the table's first row.
    #[error("row {row}: {message}")]
    Row {
        /// The row.
        row: usize,
        /// What is wrong with it.
        message: String,
    },
    /// The IPC bytes exchanged with the core do not decode (a bug on one side).
    #[error("exchanging the table with the core: {0}")]
    Exchange(String),
}

/// The crate's result type.
pub type Result<T, E = GeoError> = std::result::Result<T, E>;
