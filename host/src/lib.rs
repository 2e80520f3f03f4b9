//! Embed the arrow-rs-wasm core component in a Rust program.
//!
//! A [`Host`] loads the component once, from a file or from bytes the program embeds (through
//! wasmtime's on-disk cache of compiled code when a cache directory is given, so later starts
//! skip compilation), keeps one instance, and runs every call under the configured limits: a cap
//! on guest memory and, optionally, a fuel budget per call. Tables are owned [`Table`] values
//! that free their handle inside the component when dropped. Errors are one enum, [`Error`]: the
//! component's `arrow-error` codes plus what the host adds (a limit hit, a trap, a table
//! outliving its instance).
//!
//! A trap (a memory cap hit, fuel running out, a bug) poisons a wasmtime instance for good. The
//! host then builds a fresh instance by itself: the call that trapped returns the error, the next
//! call works, and tables of the old instance answer [`Error::StaleTable`].
//!
//! ```
//! use arrow_rs_wasm_host::{Host, HostConfig, ReadOptions};
//! # arrow_rs_wasm_host::doctest::in_workspace();
//!
//! let host = Host::new(HostConfig::new("build/arrow_core.wasm").memory_limit(256 << 20))?;
//! let bytes = std::fs::read("testdata/ipc/lz4.arrow")?;
//! let table = host.read(&bytes, &ReadOptions::default())?;
//! println!("{} rows, {} columns", table.num_rows()?, table.num_columns()?);
//! # Ok::<(), Box<dyn std::error::Error>>(())
//! ```
//!
//! Streams of any length go through [`Host::read_ipc_stream`] (an iterator of tables from any
//! `Read`) and [`Host::table_writer`] (tables to any `Write`, as IPC or Parquet), in memory
//! bounded by a batch and a Parquet row group.
//!
//! The component may also be a `wac` composition of the core with a plugin (e.g.
//! `build/core_with_geo.wasm`): the host then registers the plugin with the core's registry, so
//! schema summaries mark the plugin's columns (`Geometry<wkb>`), and lists it in
//! [`Host::plugins`].
//!
//! A composition of the core with the analytics plugin (`build/core_with_analytics.wasm`) also
//! answers SQL: [`Host::session`] makes a [`Session`], tables are registered in it once, and
//! [`Session::query`] returns the answer as a new [`Table`].
//!
//! A `Host` and its tables share one instance through `Rc`: they stay on the thread that made
//! them. Use one `Host` per thread.

// The modules are layers, each using only those before it in this order: error, config,
// composed, instance, table, files, then streaming, plugins and analytics (defaults stands apart). A call
// runs down the layers and nothing runs back up, so each reads without those after it.
mod analytics;
mod composed;
mod config;
mod defaults;
mod error;
mod files;
mod instance;
mod plugins;
mod streaming;
mod table;

/// The raw bindings `bindgen!` makes from `wit/` (world `core`), for hosts that drive the
/// component themselves; [`Host`] and [`Table`] are the typed way.
///
/// ```
/// use arrow_rs_wasm_host::bindings::Core;
/// use wasmtime::{Engine, Store, component::{Component, Linker}};
/// # arrow_rs_wasm_host::doctest::in_workspace();
/// let engine = Engine::new(&arrow_rs_wasm_host::wasm_config())?;
/// let component = Component::from_file(&engine, "build/arrow_core.wasm")?;
/// let mut store = Store::new(&engine, ());
/// let core = Core::instantiate(&mut store, &component, &Linker::new(&engine))?;
/// let formats = core.arrow_core_table().call_readable_formats(&mut store)?;
/// assert!(formats.len() >= 3);
/// # Ok::<(), wasmtime::Error>(())
/// ```
// Generated code carries no docs of its own; the WIT is where they live.
#[allow(missing_docs)]
pub mod bindings {
    wasmtime::component::bindgen!({
        path: "../wit",
        world: "core",
    });
}

/// The raw bindings of a composition of the core with the analytics plugin (world
/// `core-with-analytics` of `plugin-components/analytics/wit`): the core's interfaces and the
/// plugin's `values` and `session`. [`Session`] is the typed way.
// Generated code carries no docs of its own; the WIT is where they live.
#[allow(missing_docs)]
pub mod analytics_bindings {
    wasmtime::component::bindgen!({
        path: ["../wit", "../wit/plugin", "../plugin-components/analytics/wit"],
        world: "arrow:analytics/core-with-analytics",
    });
}

pub use analytics_bindings::exports::arrow::analytics::session::{SessionOptions, TableInfo as SessionTableInfo};
pub use analytics_bindings::exports::arrow::analytics::values::{
    ErrorKind as AnalyticsErrorKind, IntervalValue, Param, TimestampValue,
};
pub use bindings::exports::arrow::core::csv::{CsvReadOptions, CsvWriteOptions};
pub use bindings::exports::arrow::core::ndjson::{NdjsonReadOptions, NdjsonWriteOptions};
pub use bindings::exports::arrow::core::parquet::{
    ParquetCompression, ParquetMetadata, ParquetReadOptions, ParquetWriteOptions, StatisticsLevel, WriterVersion,
};
pub use bindings::exports::arrow::core::registry::{ExtensionClaim, PluginInfo, RegistryError, RegistryRefusal};
pub use bindings::exports::arrow::core::streaming::{StreamDecoderOptions, WriterFormat};
pub use bindings::exports::arrow::core::types::{
    ArrowError, ColumnInfo, DataFormat, DictionaryHandling, ErrorCode, FieldSpec, IpcCompression, IpcFraming,
    IpcWriteOptions, KeyValue, MetadataVersion, ReadOptions, SchemaSummary,
};
pub use bindings::exports::arrow::core::validation::{Problem, ValidationReport};

pub use analytics::Session;
pub use config::HostConfig;

/// The wasmtime configuration the components need: wasm exception handling, with which the core
/// turns a panic into an `internal` error instead of a trap. Start from it when embedding the
/// components with wasmtime directly.
pub fn wasm_config() -> wasmtime::Config {
    let mut config = wasmtime::Config::new();
    config.wasm_exceptions(true);
    config
}
pub use error::{Error, Result, SqlPosition};
pub use instance::Host;
pub use streaming::{IpcStreamTables, TableSink};
pub use table::Table;

/// The user manual's Rust examples, run as doctests so the manual stays true.
#[cfg(doctest)]
#[doc = include_str!("../../docs/user_manual.md")]
struct UserManual;

/// Helpers the documentation's examples use to find the workspace's files; not part of the API.
#[doc(hidden)]
// An example that cannot find its files has nothing to report to but a panic.
#[allow(clippy::expect_used)]
pub mod doctest {
    use super::{Host, HostConfig};

    /// Makes the workspace root (where `build/` and `testdata/` are) the working directory.
    pub fn in_workspace() {
        let root = std::path::PathBuf::from(std::env::var_os("CARGO_MANIFEST_DIR").unwrap_or_default()).join("..");
        std::env::set_current_dir(root).expect("the workspace root");
    }

    /// A host on the built core (`$ARROW_CORE_COMPONENT` or `build/arrow_core.wasm`), with the
    /// compiled code cached in the temporary directory, in the workspace root.
    pub fn host() -> Host {
        in_workspace();
        let component: std::path::PathBuf =
            std::env::var_os("ARROW_CORE_COMPONENT").map_or("build/arrow_core.wasm".into(), Into::into);
        let config = HostConfig::new(component).cache_dir(std::env::temp_dir().join("arrow-cache"));
        Host::new(config).expect("the core component: run `make build` first")
    }
}
