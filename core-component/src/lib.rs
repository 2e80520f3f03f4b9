//! The arrow-rs-wasm core: Arrow IPC, Feather v1 and v2, Parquet, CSV and NDJSON read (and IPC,
//! Parquet, CSV and NDJSON written) inside a WebAssembly component, with the data kept behind
//! `table` handles.
//!
//! The modules are plain Rust that `cargo test` runs natively; `bindings` (built only for wasm32)
//! is the thin layer that maps them onto the WIT contract in `wit/`, one file per interface. In
//! the order data flows through them:
//!
//! - [`sniff`] identifies a format from magic bytes, and guesses text safely;
//! - the format modules read bytes into batches ([`format::Decoded`]) and write batches back:
//!   [`ipc`] (framing walked and checked, the push decoder, writes), [`feather_v1`] (legacy
//!   Feather, which arrow-rs cannot read), `parquet` (read plan and footer checks, whole and
//!   range reads, writes) and [`text`] (CSV and NDJSON), the last two behind cargo features;
//! - [`table`] is what a handle holds: a schema and batches, with slice, select, filter, concat;
//! - [`fingerprint`] is a stable content hash of a table;
//! - [`validate`] checks a whole file beyond what a read does, listing every problem;
//! - [`streaming`] writes IPC streams and files and Parquet table by table;
//! - [`registry`] stores and checks plugin metadata and marks claimed columns; it calls no plugin.
//!
//! Beneath them all: [`error`], the one error enum (depends on nothing in the crate), [`format`],
//! the formats' shared vocabulary, and [`schema`], schema summaries and caller-given schemas.
//! Layers point one way: formats know `error`, `format` and `schema` only; `table` knows the
//! formats; `validate` and `streaming` sit on `table`; `bindings` on everything.

pub mod error;
pub mod feather_v1;
pub mod fingerprint;
pub mod format;
pub mod ipc;
#[cfg(feature = "parquet")]
pub mod parquet;
pub mod registry;
pub mod schema;
pub mod sniff;
pub mod streaming;
pub mod table;
pub mod text;
pub mod validate;

// The generated glue exports raw ABI functions, which the crate-wide `unsafe_code` lint forbids.
#[cfg(target_arch = "wasm32")]
#[allow(unsafe_code)]
mod bindings;

pub use error::CoreError;
pub use table::{ReadOptions, Table};
