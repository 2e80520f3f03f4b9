//! The arrow-rs-wasm core: Arrow IPC, Feather v1 and v2, Parquet, CSV and NDJSON read (and IPC,
//! Parquet and CSV written) inside a WebAssembly component, with the data kept behind `table`
//! handles.
//!
//! The modules are plain Rust that `cargo test` runs natively; [`bindings`] (built only for
//! wasm32) is the thin layer that maps them onto the WIT contract in `wit/`:
//!
//! - [`format`] identifies a format from magic bytes, and guesses text safely;
//! - [`ipc_read`] walks IPC framing itself, with every offset and declared size checked, and
//!   hands zero-copy slices of the input to arrow-ipc's decoder;
//! - [`ipc_push`] decodes an IPC stream pushed in chunks, batches pulled as they complete;
//! - [`ipc_layout`] checks each batch's buffers against its schema before arrow-ipc sees them,
//!   turning inputs that would panic inside arrow into errors;
//! - [`ipc_write`] maps the WIT write options onto `arrow_ipc::writer::IpcWriteOptions`;
//! - [`feather_v1`] reads legacy Feather v1, which arrow-rs cannot;
//! - `parquet_io`, `csv_io` and `ndjson_io` (each behind its cargo feature) wrap the `parquet`,
//!   arrow-csv and arrow-json readers and writers, with the checks and pyarrow-compatible choices
//!   they lack;
//! - [`stream_write`] writes IPC streams and files and Parquet table by table, handing bytes back
//!   as they are produced;
//! - [`fingerprint`] is a stable content hash of a table;
//! - [`validate`] checks a whole file beyond what a read does, listing every problem;
//! - [`table`] is what a handle holds: a schema and batches, with slice/select/concat;
//! - [`registry`] stores and checks plugin metadata and marks claimed columns; it calls no plugin;
//! - [`schema`] builds schema summaries and parses caller-given schemas;
//! - [`error`] is the one error enum, mapped once to `arrow-error` at the WIT edge.

#[cfg(feature = "csv")]
pub mod csv_io;
pub mod error;
pub mod feather_v1;
pub mod fingerprint;
pub mod format;
pub mod ipc_layout;
pub mod ipc_push;
pub mod ipc_read;
pub mod ipc_write;
#[cfg(feature = "json")]
pub mod ndjson_io;
#[cfg(feature = "parquet")]
pub mod parquet_io;
pub mod registry;
pub mod schema;
pub mod stream_write;
pub mod table;
pub mod validate;

// The generated glue exports raw ABI functions, which the crate-wide `unsafe_code` lint forbids.
#[cfg(target_arch = "wasm32")]
#[allow(unsafe_code)]
mod bindings;

pub use error::CoreError;
pub use table::{ReadOptions, Table};
