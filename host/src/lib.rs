//! Embed the arrow-rs-wasm core component in a Rust program.
//!
//! A [`Host`] loads the component once (through wasmtime's on-disk cache of compiled code when a
//! cache directory is given, so later starts skip compilation), keeps one instance, and runs
//! every call under the configured limits: a cap on guest memory and, optionally, a fuel budget
//! per call. Tables are owned [`Table`] values that free their handle inside the component when
//! dropped. Errors are one enum, [`Error`]: the component's `arrow-error` codes plus what the
//! host adds (a limit hit, a trap, a table outliving its instance).
//!
//! A trap (a memory cap hit, fuel running out, a bug) poisons a wasmtime instance for good. The
//! host then builds a fresh instance by itself: the call that trapped returns the error, the next
//! call works, and tables of the old instance answer [`Error::StaleTable`].
//!
//! ```no_run
//! use arrow_rs_wasm_host::{Host, HostConfig, ReadOptions};
//!
//! let host = Host::new(HostConfig::new("build/arrow_core.wasm").memory_limit(256 << 20))?;
//! let bytes = std::fs::read("testdata/ipc/lz4.arrow")?;
//! let table = host.read(&bytes, &ReadOptions::default())?;
//! println!("{} rows, {} columns", table.num_rows()?, table.num_columns()?);
//! # Ok::<(), Box<dyn std::error::Error>>(())
//! ```
//!
//! A `Host` and its tables share one instance through `Rc`: they stay on the thread that made
//! them. Use one `Host` per thread.

use std::cell::RefCell;
use std::path::{Path, PathBuf};
use std::rc::Rc;

use wasmtime::component::{Component, Linker, ResourceAny};
use wasmtime::{Cache, CacheConfig, Config, Engine, Store, Trap};

/// The raw bindings `bindgen!` makes from `wit/` (world `core`), for hosts that drive the
/// component themselves; [`Host`] and [`Table`] are the typed way.
// Generated code carries no docs of its own; the WIT is where they live.
#[allow(missing_docs)]
pub mod bindings {
    wasmtime::component::bindgen!({
        path: "../wit",
        world: "core",
    });
}

use bindings::Core;
pub use bindings::exports::arrow::core::csv::{CsvReadOptions, CsvWriteOptions};
pub use bindings::exports::arrow::core::ndjson::NdjsonReadOptions;
pub use bindings::exports::arrow::core::parquet::{
    ParquetCompression, ParquetMetadata, ParquetReadOptions, ParquetWriteOptions, StatisticsLevel, WriterVersion,
};
pub use bindings::exports::arrow::core::types::{
    ArrowError, ColumnInfo, DataFormat, DictionaryHandling, ErrorCode, FieldSpec, IpcCompression, IpcFraming,
    IpcWriteOptions, KeyValue, MetadataVersion, ReadOptions, SchemaSummary,
};

/// Everything a host call can fail with.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum Error {
    /// The component refused the call: its `arrow-error`, code and message.
    #[error("{message}")]
    Arrow {
        /// What kind of failure (branch on this, not on the message).
        code: ErrorCode,
        /// The component's explanation.
        message: String,
    },
    /// The guest needed more memory than [`HostConfig::memory_limit`] allows. The instance was
    /// replaced; the next call works.
    #[error("the call needed more than the memory limit of {limit} bytes")]
    MemoryLimit {
        /// The configured cap, in bytes.
        limit: usize,
    },
    /// The call used up [`HostConfig::fuel_per_call`]. The instance was replaced.
    #[error("the call ran out of its fuel budget of {fuel} units")]
    OutOfFuel {
        /// The configured budget.
        fuel: u64,
    },
    /// The component trapped for another reason (a bug in the core: please report it). The
    /// instance was replaced.
    #[error("the component trapped: {0}")]
    Trap(String),
    /// The table belonged to an instance that trapped and was replaced; read it again.
    #[error("the table belonged to an instance that trapped and was replaced")]
    StaleTable,
    /// The component could not be loaded, compiled or instantiated.
    #[error("cannot load the component: {0}")]
    Load(String),
}

impl From<ArrowError> for Error {
    fn from(e: ArrowError) -> Self {
        Error::Arrow { code: e.code, message: e.message }
    }
}

/// The host's result type.
pub type Result<T, E = Error> = std::result::Result<T, E>;

/// How a [`Host`] loads and limits the component.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct HostConfig {
    component: PathBuf,
    cache_dir: Option<PathBuf>,
    memory_limit: Option<usize>,
    fuel_per_call: Option<u64>,
}

impl HostConfig {
    /// Load the component at `path` (e.g. `build/arrow_core.wasm`), with no cache and no limits.
    ///
    /// ```
    /// let config = arrow_rs_wasm_host::HostConfig::new("build/arrow_core.wasm")
    ///     .memory_limit(512 << 20)
    ///     .fuel_per_call(10_000_000_000);
    /// ```
    pub fn new(path: impl Into<PathBuf>) -> Self {
        Self { component: path.into(), cache_dir: None, memory_limit: None, fuel_per_call: None }
    }

    /// Keep compiled code in `dir` (wasmtime's cache, keyed by the component's bytes and the
    /// engine's settings), so later starts skip compilation.
    pub fn cache_dir(mut self, dir: impl Into<PathBuf>) -> Self {
        self.cache_dir = Some(dir.into());
        self
    }

    /// Refuse guest memory growth beyond `bytes`; a call that needs more fails with
    /// [`Error::MemoryLimit`].
    pub fn memory_limit(mut self, bytes: usize) -> Self {
        self.memory_limit = Some(bytes);
        self
    }

    /// Give each call this much fuel (about one unit per WebAssembly instruction); a call that uses
    /// it up fails with [`Error::OutOfFuel`]. Metering costs some speed, so it is off unless set.
    pub fn fuel_per_call(mut self, fuel: u64) -> Self {
        self.fuel_per_call = Some(fuel);
        self
    }

    /// The component's path.
    pub fn component(&self) -> &Path {
        &self.component
    }
}

/// Store state: enforces the memory cap, remembers whether it was hit, and tracks the peak.
#[derive(Debug, Default)]
struct Limits {
    cap: Option<usize>,
    hit: bool,
    peak: usize,
}

impl wasmtime::ResourceLimiter for Limits {
    fn memory_growing(&mut self, _current: usize, desired: usize, _maximum: Option<usize>) -> wasmtime::Result<bool> {
        let allowed = self.cap.is_none_or(|cap| desired <= cap);
        if allowed {
            self.peak = self.peak.max(desired);
        } else {
            self.hit = true;
        }
        Ok(allowed)
    }

    fn table_growing(&mut self, _current: usize, _desired: usize, _maximum: Option<usize>) -> wasmtime::Result<bool> {
        Ok(true)
    }
}

/// One live instance; replaced wholesale after a trap.
struct Instance {
    store: Store<Limits>,
    core: Core,
    generation: u64,
}

struct Shared {
    engine: Engine,
    component: Component,
    linker: Linker<Limits>,
    config: HostConfig,
    instance: RefCell<Instance>,
}

/// The core component, loaded and instantiated, with its limits.
pub struct Host {
    shared: Rc<Shared>,
}

fn load_error(e: impl std::fmt::Display) -> Error {
    Error::Load(e.to_string())
}

impl Host {
    /// Load, compile (or fetch from the cache) and instantiate the component.
    pub fn new(config: HostConfig) -> Result<Self> {
        let mut wasm_config = Config::new();
        if config.fuel_per_call.is_some() {
            wasm_config.consume_fuel(true);
        }
        if let Some(dir) = &config.cache_dir {
            let mut cache = CacheConfig::new();
            cache.with_directory(dir);
            wasm_config.cache(Some(Cache::new(cache).map_err(load_error)?));
        }
        let engine = Engine::new(&wasm_config).map_err(load_error)?;
        let component = Component::from_file(&engine, &config.component)
            .map_err(|e| Error::Load(format!("{}: {e}", config.component.display())))?;
        // The core imports nothing: an empty linker is all it needs.
        let linker = Linker::new(&engine);
        let instance = instantiate(&engine, &component, &linker, &config, 0)?;
        Ok(Self { shared: Rc::new(Shared { engine, component, linker, config, instance: RefCell::new(instance) }) })
    }

    /// The largest linear memory the current instance has had, in bytes.
    pub fn peak_memory(&self) -> usize {
        self.shared.instance.borrow().store.data().peak
    }

    /// How many times a trap replaced the instance.
    pub fn restarts(&self) -> u64 {
        self.shared.instance.borrow().generation
    }

    /// Identify a format from the first bytes of a file.
    pub fn detect_format(&self, head: &[u8]) -> Result<DataFormat> {
        self.shared.call(None, |core, store| core.arrow_core_table().call_detect_format(store, head))
    }

    /// The formats this build of the core reads.
    pub fn readable_formats(&self) -> Result<Vec<DataFormat>> {
        self.shared.call(None, |core, store| core.arrow_core_table().call_readable_formats(store).map(Ok))
    }

    /// Read a whole file in any format the core reads.
    pub fn read(&self, bytes: &[u8], options: &ReadOptions) -> Result<Table> {
        let h =
            self.shared.call(None, |core, store| core.arrow_core_table().table().call_read(store, bytes, options))?;
        Ok(self.table(h))
    }

    /// Read Parquet with its own options.
    pub fn read_parquet(&self, bytes: &[u8], options: &ParquetReadOptions) -> Result<Table> {
        let h = self.shared.call(None, |core, store| core.arrow_core_parquet().call_read(store, bytes, options))?;
        Ok(self.table(h))
    }

    /// A Parquet file's footer.
    pub fn parquet_metadata(&self, bytes: &[u8]) -> Result<ParquetMetadata> {
        self.shared.call(None, |core, store| core.arrow_core_parquet().call_metadata(store, bytes))
    }

    /// Read CSV text.
    pub fn read_csv(&self, bytes: &[u8], options: &CsvReadOptions) -> Result<Table> {
        let h = self.shared.call(None, |core, store| core.arrow_core_csv().call_read(store, bytes, options))?;
        Ok(self.table(h))
    }

    /// Read newline-delimited JSON.
    pub fn read_ndjson(&self, bytes: &[u8], options: &NdjsonReadOptions) -> Result<Table> {
        let h = self.shared.call(None, |core, store| core.arrow_core_ndjson().call_read(store, bytes, options))?;
        Ok(self.table(h))
    }

    fn table(&self, handle: ResourceAny) -> Table {
        let generation = self.shared.instance.borrow().generation;
        Table { shared: self.shared.clone(), handle, generation }
    }
}

fn instantiate(
    engine: &Engine,
    component: &Component,
    linker: &Linker<Limits>,
    config: &HostConfig,
    generation: u64,
) -> Result<Instance> {
    let mut store = Store::new(engine, Limits { cap: config.memory_limit, ..Limits::default() });
    store.limiter(|l| l);
    // Instantiation runs the component's initialisation under the same budget as a call.
    if let Some(fuel) = config.fuel_per_call {
        store.set_fuel(fuel).map_err(load_error)?;
    }
    let core = Core::instantiate(&mut store, component, linker).map_err(load_error)?;
    Ok(Instance { store, core, generation })
}

impl Shared {
    /// Runs one call under the limits. `owner` is the generation of the table the call is on,
    /// if any. A trap is classified, the instance replaced, and the call's error returned.
    fn call<T>(
        &self,
        owner: Option<u64>,
        f: impl FnOnce(&Core, &mut Store<Limits>) -> wasmtime::Result<std::result::Result<T, ArrowError>>,
    ) -> Result<T> {
        let mut inst = self.instance.borrow_mut();
        if owner.is_some_and(|g| g != inst.generation) {
            return Err(Error::StaleTable);
        }
        if let Some(fuel) = self.config.fuel_per_call {
            inst.store.set_fuel(fuel).map_err(|e| Error::Trap(e.to_string()))?;
        }
        inst.store.data_mut().hit = false;
        let Instance { store, core, .. } = &mut *inst;
        match f(core, store) {
            Ok(Ok(v)) => Ok(v),
            Ok(Err(e)) => Err(e.into()),
            Err(trap) => {
                let error = if inst.store.data().hit {
                    Error::MemoryLimit { limit: self.config.memory_limit.unwrap_or(0) }
                } else if trap.downcast_ref::<Trap>() == Some(&Trap::OutOfFuel) {
                    Error::OutOfFuel { fuel: self.config.fuel_per_call.unwrap_or(0) }
                } else {
                    Error::Trap(format!("{trap:#}"))
                };
                let next = inst.generation + 1;
                *inst = instantiate(&self.engine, &self.component, &self.linker, &self.config, next)?;
                Err(error)
            }
        }
    }
}

/// A table inside the component. Dropping it frees it there.
pub struct Table {
    shared: Rc<Shared>,
    handle: ResourceAny,
    generation: u64,
}

impl Table {
    fn call<T>(
        &self,
        f: impl FnOnce(&Core, &mut Store<Limits>, ResourceAny) -> wasmtime::Result<std::result::Result<T, ArrowError>>,
    ) -> Result<T> {
        self.shared.call(Some(self.generation), |core, store| f(core, store, self.handle))
    }

    fn derived(&self, handle: ResourceAny) -> Table {
        Table { shared: self.shared.clone(), handle, generation: self.generation }
    }

    /// The number of rows.
    pub fn num_rows(&self) -> Result<u64> {
        self.call(|c, s, t| c.arrow_core_table().table().call_num_rows(s, t).map(Ok))
    }

    /// The number of columns.
    pub fn num_columns(&self) -> Result<u32> {
        self.call(|c, s, t| c.arrow_core_table().table().call_num_columns(s, t).map(Ok))
    }

    /// The number of record batches.
    pub fn num_batches(&self) -> Result<u32> {
        self.call(|c, s, t| c.arrow_core_table().table().call_num_batches(s, t).map(Ok))
    }

    /// The format the table was read from; `None` for derived tables.
    pub fn source_format(&self) -> Result<Option<DataFormat>> {
        self.call(|c, s, t| c.arrow_core_table().table().call_source_format(s, t).map(Ok))
    }

    /// The schema summary.
    pub fn schema(&self) -> Result<SchemaSummary> {
        self.call(|c, s, t| c.arrow_core_table().table().call_schema(s, t).map(Ok))
    }

    /// Rows `offset .. offset + length` (clipped), sharing buffers.
    pub fn slice(&self, offset: u64, length: u64) -> Result<Table> {
        let h = self.call(|c, s, t| c.arrow_core_table().table().call_slice(s, t, offset, length))?;
        Ok(self.derived(h))
    }

    /// The named columns, in that order, sharing buffers.
    pub fn select(&self, columns: &[String]) -> Result<Table> {
        let h = self.call(|c, s, t| c.arrow_core_table().table().call_select(s, t, columns))?;
        Ok(self.derived(h))
    }

    /// The table as Arrow IPC bytes (file = Feather v2, or stream).
    pub fn write_ipc(&self, options: &IpcWriteOptions) -> Result<Vec<u8>> {
        self.call(|c, s, t| c.arrow_core_table().table().call_write_ipc(s, t, *options))
    }

    /// The table as a Parquet file.
    pub fn write_parquet(&self, options: &ParquetWriteOptions) -> Result<Vec<u8>> {
        self.call(|c, s, t| c.arrow_core_parquet().call_write(s, t, options))
    }

    /// The table as CSV text.
    pub fn write_csv(&self, options: &CsvWriteOptions) -> Result<Vec<u8>> {
        self.call(|c, s, t| c.arrow_core_csv().call_write(s, t, options))
    }

    /// A stable content hash (see the WIT's `fingerprint`).
    pub fn fingerprint(&self) -> Result<String> {
        self.call(|c, s, t| c.arrow_core_table().table().call_fingerprint(s, t))
    }
}

impl Drop for Table {
    fn drop(&mut self) {
        // A table of a replaced instance has nothing left to free; a failing drop has no one to
        // report to, and a trap there is handled like any other on the next call.
        if let Ok(mut inst) = self.shared.instance.try_borrow_mut()
            && inst.generation == self.generation
        {
            let _ = self.handle.resource_drop(&mut inst.store);
        }
    }
}

// The option records are generated, so `#[derive(Default)]` cannot be added to them. The defaults
// are the WIT's documented ones (and pyarrow's where the WIT leaves the choice open).
#[allow(clippy::derivable_impls)]
impl Default for ReadOptions {
    fn default() -> Self {
        Self { format: None, columns: None, batch_size: None, max_decompressed_bytes: None }
    }
}

#[allow(clippy::derivable_impls)]
impl Default for ParquetReadOptions {
    fn default() -> Self {
        Self {
            columns: None,
            row_groups: None,
            batch_size: None,
            offset: None,
            limit: None,
            max_decompressed_bytes: None,
        }
    }
}

impl Default for ParquetWriteOptions {
    fn default() -> Self {
        Self {
            compression: ParquetCompression::Snappy,
            compression_level: None,
            max_row_group_rows: None,
            data_page_size: None,
            dictionary: true,
            statistics: StatisticsLevel::Page,
            writer_version: WriterVersion::V1,
            key_value_metadata: Vec::new(),
        }
    }
}

impl Default for CsvReadOptions {
    fn default() -> Self {
        Self {
            has_header: true,
            delimiter: b',',
            quote: Some(b'"'),
            escape: None,
            comment: None,
            null_values: Vec::new(),
            schema: None,
            infer_rows: None,
            batch_size: None,
            columns: None,
        }
    }
}

impl Default for CsvWriteOptions {
    fn default() -> Self {
        Self { header: true, delimiter: b',', quote: b'"', null_value: String::new() }
    }
}

#[allow(clippy::derivable_impls)]
impl Default for NdjsonReadOptions {
    fn default() -> Self {
        Self { schema: None, infer_rows: None, batch_size: None, columns: None, strict: false }
    }
}

impl IpcWriteOptions {
    /// An IPC file (Feather v2) with the given compression and pyarrow's other defaults
    /// (metadata V5, 64-byte alignment, dictionaries resent).
    pub fn file(compression: IpcCompression) -> Self {
        Self {
            framing: IpcFraming::File,
            compression,
            zstd_level: None,
            alignment: 64,
            metadata_version: MetadataVersion::V5,
            legacy_format: false,
            dictionary_handling: DictionaryHandling::Resend,
        }
    }
}
