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
//! A `Host` and its tables share one instance through `Rc`: they stay on the thread that made
//! them. Use one `Host` per thread.

use std::cell::RefCell;
use std::path::{Path, PathBuf};
use std::rc::Rc;

use wasmtime::component::{Component, Linker, ResourceAny};
use wasmtime::{Cache, CacheConfig, Config, Engine, Store, Trap};

/// The raw bindings `bindgen!` makes from `wit/` (world `core`), for hosts that drive the
/// component themselves; [`Host`] and [`Table`] are the typed way.
///
/// ```
/// use arrow_rs_wasm_host::bindings::Core;
/// use wasmtime::{Engine, Store, component::{Component, Linker}};
/// # arrow_rs_wasm_host::doctest::in_workspace();
/// let engine = Engine::default();
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

use bindings::Core;
pub use bindings::exports::arrow::core::csv::{CsvReadOptions, CsvWriteOptions};
pub use bindings::exports::arrow::core::ndjson::NdjsonReadOptions;
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

/// Everything a host call can fail with.
///
/// ```
/// use arrow_rs_wasm_host::{Error, ErrorCode};
/// # let host = arrow_rs_wasm_host::doctest::host();
/// match host.read(b"not a data file", &Default::default()) {
///     Err(Error::Arrow { code: ErrorCode::UnknownFormat, message }) => assert!(message.contains("magic")),
///     Err(other) => panic!("another failure: {other}"),
///     Ok(_) => panic!("read garbage"),
/// }
/// ```
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
    /// Reading the input or writing the output of a streaming call failed.
    #[error("{0}")]
    Io(String),
}

impl From<ArrowError> for Error {
    fn from(e: ArrowError) -> Self {
        Error::Arrow { code: e.code, message: e.message }
    }
}

/// The host's result type: `Result<T>` is `std::result::Result<T, Error>`.
///
/// ```
/// fn rows(host: &arrow_rs_wasm_host::Host, bytes: &[u8]) -> arrow_rs_wasm_host::Result<u64> {
///     host.read(bytes, &Default::default())?.num_rows()
/// }
/// # let host = arrow_rs_wasm_host::doctest::host();
/// assert_eq!(rows(&host, &std::fs::read("testdata/ipc/lz4.arrows").unwrap()).unwrap(), 2000);
/// ```
pub type Result<T, E = Error> = std::result::Result<T, E>;

/// How a [`Host`] loads and limits the component.
///
/// ```
/// use arrow_rs_wasm_host::{Host, HostConfig};
/// # arrow_rs_wasm_host::doctest::in_workspace();
/// let config = HostConfig::new("build/arrow_core.wasm").memory_limit(1 << 30).fuel_per_call(50_000_000_000);
/// let host = Host::new(config.cache_dir(std::env::temp_dir().join("arrow-cache")))?;
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
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
    ///
    /// ```
    /// use arrow_rs_wasm_host::{Host, HostConfig};
    /// # arrow_rs_wasm_host::doctest::in_workspace();
    /// let dir = std::env::temp_dir().join("arrow-cache");
    /// let first = std::time::Instant::now();
    /// Host::new(HostConfig::new("build/arrow_core.wasm").cache_dir(&dir))?;
    /// let second = std::time::Instant::now();
    /// Host::new(HostConfig::new("build/arrow_core.wasm").cache_dir(&dir))?; // from the cache
    /// println!("{:?} then {:?}", second - first, second.elapsed());
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    pub fn cache_dir(mut self, dir: impl Into<PathBuf>) -> Self {
        self.cache_dir = Some(dir.into());
        self
    }

    /// Refuse guest memory growth beyond `bytes`; a call that needs more fails with
    /// [`Error::MemoryLimit`], and the host carries on with a fresh instance.
    ///
    /// ```
    /// use arrow_rs_wasm_host::{Error, Host, HostConfig};
    /// # arrow_rs_wasm_host::doctest::in_workspace();
    /// # let cache = std::env::temp_dir().join("arrow-cache");
    /// let host = Host::new(HostConfig::new("build/arrow_core.wasm").cache_dir(cache).memory_limit(64 << 20))?;
    /// let too_big = vec![b'7'; 100 << 20]; // the input alone is over the cap
    /// assert!(matches!(host.read_csv(&too_big, &Default::default()), Err(Error::MemoryLimit { .. })));
    /// assert_eq!(host.read_csv(b"a\n1\n", &Default::default())?.num_rows()?, 1);
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    pub fn memory_limit(mut self, bytes: usize) -> Self {
        self.memory_limit = Some(bytes);
        self
    }

    /// Give each call this much fuel (about one unit per WebAssembly instruction); a call that uses
    /// it up fails with [`Error::OutOfFuel`]. Metering costs some speed, so it is off unless set.
    ///
    /// ```
    /// use arrow_rs_wasm_host::{Error, Host, HostConfig};
    /// # arrow_rs_wasm_host::doctest::in_workspace();
    /// # let cache = std::env::temp_dir().join("arrow-cache");
    /// let host = Host::new(HostConfig::new("build/arrow_core.wasm").cache_dir(cache).fuel_per_call(20_000_000))?;
    /// let big = std::fs::read("testdata/parquet/row_groups.parquet")?;
    /// assert!(matches!(host.read(&big, &Default::default()), Err(Error::OutOfFuel { .. })));
    /// assert_eq!(host.restarts(), 1);
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    pub fn fuel_per_call(mut self, fuel: u64) -> Self {
        self.fuel_per_call = Some(fuel);
        self
    }

    /// The component's path.
    ///
    /// ```
    /// let config = arrow_rs_wasm_host::HostConfig::new("build/arrow_core.wasm");
    /// assert_eq!(config.component(), std::path::Path::new("build/arrow_core.wasm"));
    /// ```
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
    /// Plugins registered through [`Host::register`]: a replacement instance gets them again.
    registered: RefCell<Vec<PluginInfo>>,
}

/// The core component, loaded and instantiated, with its limits.
///
/// ```
/// use arrow_rs_wasm_host::{Host, HostConfig, ReadOptions};
/// # arrow_rs_wasm_host::doctest::in_workspace();
/// let host = Host::new(HostConfig::new("build/arrow_core.wasm").cache_dir(std::env::temp_dir().join("arrow-cache")))?;
/// let table = host.read(&std::fs::read("testdata/feather_v1/all_types.feather")?, &ReadOptions::default())?;
/// println!("{} rows of {} columns", table.num_rows()?, table.num_columns()?);
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
pub struct Host {
    shared: Rc<Shared>,
}

fn load_error(e: impl std::fmt::Display) -> Error {
    Error::Load(e.to_string())
}

impl Host {
    /// Load, compile (or fetch from the cache) and instantiate the component.
    ///
    /// ```
    /// use arrow_rs_wasm_host::{Host, HostConfig};
    /// # arrow_rs_wasm_host::doctest::in_workspace();
    /// let host = Host::new(HostConfig::new("build/arrow_core.wasm").cache_dir(std::env::temp_dir().join("arrow-cache")))?;
    /// assert!(host.readable_formats()?.len() >= 3);
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
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
        let instance = instantiate(&engine, &component, &linker, &config, 0, &[])?;
        let instance = RefCell::new(instance);
        Ok(Self {
            shared: Rc::new(Shared { engine, component, linker, config, instance, registered: RefCell::default() }),
        })
    }

    /// The largest linear memory the current instance has had, in bytes.
    ///
    /// ```
    /// # let host = arrow_rs_wasm_host::doctest::host();
    /// let before = host.peak_memory();
    /// let _t = host.read(&std::fs::read("testdata/parquet/row_groups.parquet")?, &Default::default())?;
    /// assert!(host.peak_memory() >= before);
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    pub fn peak_memory(&self) -> usize {
        self.shared.instance.borrow().store.data().peak
    }

    /// The plugins registered with the core: the one a composed component carries, and any
    /// registered since with [`Host::register`].
    ///
    /// ```
    /// # let host = arrow_rs_wasm_host::doctest::host();
    /// assert!(host.plugins()?.is_empty(), "the bare core has none");
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    pub fn plugins(&self) -> Result<Vec<PluginInfo>> {
        self.shared.call(None, |core, store| core.arrow_core_registry().call_plugins(store).map(Ok))
    }

    /// Register a plugin's metadata with the core (see the WIT's `registry`): its columns are
    /// marked in schema summaries from now on. A refusal is [`Error::Arrow`] with code `plugin`;
    /// [`Host::validate_plugin`] gives the typed [`RegistryRefusal`].
    ///
    /// ```
    /// use arrow_rs_wasm_host::{ExtensionClaim, PluginInfo};
    /// # let host = arrow_rs_wasm_host::doctest::host();
    /// let info = PluginInfo {
    ///     id: "org.example.uuid.v1".into(),
    ///     version: "1.0.0".into(),
    ///     core_api: "0.1.0".into(),
    ///     extension_types: vec![ExtensionClaim { name: "arrow.uuid".into(), display_type: "Uuid".into() }],
    ///     description: "UUIDs".into(),
    /// };
    /// host.register(&info)?;
    /// assert_eq!(host.plugins()?.len(), 1);
    /// assert!(host.register(&info).is_err(), "a duplicate id is refused");
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    pub fn register(&self, info: &PluginInfo) -> Result<()> {
        self.shared.call(None, |core, store| {
            core.arrow_core_registry().call_register(store, info).map(|r| r.map_err(|e| e.error))
        })?;
        self.shared.registered.borrow_mut().push(info.clone());
        Ok(())
    }

    /// Remove a registered plugin; its columns show their storage types again.
    ///
    /// ```
    /// # use arrow_rs_wasm_host::{ExtensionClaim, PluginInfo};
    /// # let host = arrow_rs_wasm_host::doctest::host();
    /// # let claim = ExtensionClaim { name: "arrow.uuid".into(), display_type: "Uuid".into() };
    /// # let info = PluginInfo { id: "org.example.uuid.v1".into(), version: "1.0.0".into(), core_api: "0.1.0".into(), extension_types: vec![claim], description: String::new() };
    /// host.register(&info)?;
    /// host.unregister("org.example.uuid.v1")?;
    /// assert!(host.plugins()?.is_empty());
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    pub fn unregister(&self, id: &str) -> Result<()> {
        self.shared.call(None, |core, store| {
            core.arrow_core_registry().call_unregister(store, id).map(|r| r.map_err(|e| e.error))
        })?;
        self.shared.registered.borrow_mut().retain(|p| p.id != id);
        Ok(())
    }

    /// Check a plugin's metadata as [`Host::register`] would, with the refusal typed.
    ///
    /// ```
    /// use arrow_rs_wasm_host::{PluginInfo, RegistryRefusal};
    /// # let host = arrow_rs_wasm_host::doctest::host();
    /// let info = PluginInfo {
    ///     id: "Not An Id".into(),
    ///     version: "1.0.0".into(),
    ///     core_api: "0.1.0".into(),
    ///     extension_types: vec![],
    ///     description: String::new(),
    /// };
    /// assert_eq!(host.validate_plugin(&info)?.unwrap_err().refusal, RegistryRefusal::MalformedId);
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    pub fn validate_plugin(&self, info: &PluginInfo) -> Result<std::result::Result<(), RegistryError>> {
        self.shared.call(None, |core, store| core.arrow_core_registry().call_validate(store, info).map(Ok))
    }

    /// How many times a trap replaced the instance.
    ///
    /// ```
    /// # let host = arrow_rs_wasm_host::doctest::host();
    /// assert_eq!(host.restarts(), 0);
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    pub fn restarts(&self) -> u64 {
        self.shared.instance.borrow().generation
    }

    /// Identify a format from the first bytes of a file.
    ///
    /// ```
    /// use arrow_rs_wasm_host::DataFormat;
    /// # let host = arrow_rs_wasm_host::doctest::host();
    /// assert_eq!(host.detect_format(b"PAR1\x15\x04")?, DataFormat::Parquet);
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    pub fn detect_format(&self, head: &[u8]) -> Result<DataFormat> {
        self.shared.call(None, |core, store| core.arrow_core_table().call_detect_format(store, head))
    }

    /// The formats this build of the core reads.
    ///
    /// ```
    /// use arrow_rs_wasm_host::DataFormat;
    /// # let host = arrow_rs_wasm_host::doctest::host();
    /// assert!(host.readable_formats()?.contains(&DataFormat::FeatherV1));
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    pub fn readable_formats(&self) -> Result<Vec<DataFormat>> {
        self.shared.call(None, |core, store| core.arrow_core_table().call_readable_formats(store).map(Ok))
    }

    /// Read a whole file in any format the core reads.
    ///
    /// ```
    /// use arrow_rs_wasm_host::ReadOptions;
    /// # let host = arrow_rs_wasm_host::doctest::host();
    /// let options = ReadOptions { columns: Some(vec!["int64".into(), "utf8".into()]), ..ReadOptions::default() };
    /// let table = host.read(&std::fs::read("testdata/ipc/zstd.arrow")?, &options)?;
    /// assert_eq!(table.num_columns()?, 2);
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    pub fn read(&self, bytes: &[u8], options: &ReadOptions) -> Result<Table> {
        let h =
            self.shared.call(None, |core, store| core.arrow_core_table().table().call_read(store, bytes, options))?;
        Ok(self.table(h))
    }

    /// Read Parquet with its own options.
    ///
    /// ```
    /// use arrow_rs_wasm_host::ParquetReadOptions;
    /// # let host = arrow_rs_wasm_host::doctest::host();
    /// let options = ParquetReadOptions { row_groups: Some(vec![0, 6]), ..ParquetReadOptions::default() };
    /// let table = host.read_parquet(&std::fs::read("testdata/parquet/row_groups.parquet")?, &options)?;
    /// assert_eq!(table.num_rows()?, 300 + 200);
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    pub fn read_parquet(&self, bytes: &[u8], options: &ParquetReadOptions) -> Result<Table> {
        let h = self.shared.call(None, |core, store| core.arrow_core_parquet().call_read(store, bytes, options))?;
        Ok(self.table(h))
    }

    /// A Parquet file's footer.
    ///
    /// ```
    /// # let host = arrow_rs_wasm_host::doctest::host();
    /// let meta = host.parquet_metadata(&std::fs::read("testdata/parquet/row_groups.parquet")?)?;
    /// assert_eq!(meta.row_groups.len(), 7);
    /// assert_eq!(meta.num_rows, 2000);
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    pub fn parquet_metadata(&self, bytes: &[u8]) -> Result<ParquetMetadata> {
        self.shared.call(None, |core, store| core.arrow_core_parquet().call_metadata(store, bytes))
    }

    /// Read CSV text.
    ///
    /// ```
    /// use arrow_rs_wasm_host::CsvReadOptions;
    /// # let host = arrow_rs_wasm_host::doctest::host();
    /// let options = CsvReadOptions { delimiter: b';', ..CsvReadOptions::default() };
    /// let table = host.read_csv(b"a;b\n1;x\n2;y\n", &options)?;
    /// assert_eq!((table.num_rows()?, table.num_columns()?), (2, 2));
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    pub fn read_csv(&self, bytes: &[u8], options: &CsvReadOptions) -> Result<Table> {
        let h = self.shared.call(None, |core, store| core.arrow_core_csv().call_read(store, bytes, options))?;
        Ok(self.table(h))
    }

    /// Read newline-delimited JSON.
    ///
    /// ```
    /// # let host = arrow_rs_wasm_host::doctest::host();
    /// let table = host.read_ndjson(b"{\"a\": 1}\n{\"a\": 2, \"b\": [1, 2]}\n", &Default::default())?;
    /// assert_eq!(table.schema()?.columns[1].arrow_type, "List(Int64)");
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    pub fn read_ndjson(&self, bytes: &[u8], options: &NdjsonReadOptions) -> Result<Table> {
        let h = self.shared.call(None, |core, store| core.arrow_core_ndjson().call_read(store, bytes, options))?;
        Ok(self.table(h))
    }

    /// Validate a whole file beyond what a read checks (see the WIT's `validation` interface):
    /// every problem is listed in the report; the call itself fails only on a trap or limit.
    ///
    /// ```
    /// # use arrow_rs_wasm_host::ReadOptions;
    /// # let host = arrow_rs_wasm_host::doctest::host();
    /// let bytes = std::fs::read("testdata/parquet/row_groups.parquet")?;
    /// let report = host.validate(&bytes, &ReadOptions::default())?;
    /// assert!(report.problems.is_empty());
    /// assert_eq!(report.checks.last().map(String::as_str), Some("parquet-statistics"));
    /// let report = host.validate(&bytes[..bytes.len() - 1], &ReadOptions::default())?;
    /// for p in &report.problems {
    ///     eprintln!("{}: {}", p.location, p.error.message);
    /// }
    /// assert_eq!(report.problems.len(), 1);
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    pub fn validate(&self, bytes: &[u8], options: &ReadOptions) -> Result<ValidationReport> {
        self.shared.call(None, |core, store| core.arrow_core_validation().call_validate(store, bytes, options).map(Ok))
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
    registered: &[PluginInfo],
) -> Result<Instance> {
    let mut store = Store::new(engine, Limits { cap: config.memory_limit, ..Limits::default() });
    store.limiter(|l| l);
    // Instantiation runs the component's initialisation under the same budget as a call.
    if let Some(fuel) = config.fuel_per_call {
        store.set_fuel(fuel).map_err(load_error)?;
    }
    let instance = linker.instantiate(&mut store, component).map_err(load_error)?;
    let core = Core::new(&mut store, &instance).map_err(load_error)?;
    register_composed_plugin(&mut store, &instance, &core)?;
    for info in registered {
        // These were accepted by an instance of the same component: a refusal now is a bug.
        core.arrow_core_registry()
            .call_register(&mut store, info)
            .map_err(load_error)?
            .map_err(|e| Error::Load(format!("registering {:?} again: {}", info.id, e.error.message)))?;
    }
    Ok(Instance { store, core, generation })
}

/// The interface every plugin exports (`wit/plugin/plugin.wit`).
const PLUGIN_INTERFACE: &str = "arrow:plugin/plugin@0.1.0";

/// If the component is a composition that also exports a plugin, register the plugin's `info`
/// with the composition's core, as a host of the two would.
fn register_composed_plugin(
    store: &mut Store<Limits>,
    instance: &wasmtime::component::Instance,
    core: &Core,
) -> Result<()> {
    let Some(plugin) = instance.get_export_index(&mut *store, None, PLUGIN_INTERFACE) else { return Ok(()) };
    let info = instance
        .get_export_index(&mut *store, Some(&plugin), "info")
        .ok_or_else(|| Error::Load(format!("{PLUGIN_INTERFACE} exports no `info`")))?;
    let info = instance
        .get_typed_func::<(), (PluginInfo,)>(&mut *store, &info)
        .and_then(|f| f.call(&mut *store, ()))
        .map_err(|e| Error::Load(format!("the composed plugin's info: {e:#}")))?
        .0;
    core.arrow_core_registry()
        .call_register(&mut *store, &info)
        .map_err(load_error)?
        .map_err(|e| Error::Load(format!("registering the composed plugin {:?}: {}", info.id, e.error.message)))
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
                let registered = self.registered.borrow();
                *inst = instantiate(&self.engine, &self.component, &self.linker, &self.config, next, &registered)?;
                Err(error)
            }
        }
    }
}

/// A table inside the component. Dropping it frees it there.
///
/// ```
/// # let host = arrow_rs_wasm_host::doctest::host();
/// let bytes = std::fs::read("testdata/ipc/lz4.arrow")?;
/// for _ in 0..1000 {
///     let table = host.read(&bytes, &Default::default())?;
///     assert_eq!(table.num_rows()?, 2000);
/// } // each table is freed inside the component here
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
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
    ///
    /// ```
    /// # let host = arrow_rs_wasm_host::doctest::host();
    /// # let table = host.read(&std::fs::read("testdata/ipc/lz4.arrow")?, &Default::default())?;
    /// assert_eq!(table.num_rows()?, 2000);
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    pub fn num_rows(&self) -> Result<u64> {
        self.call(|c, s, t| c.arrow_core_table().table().call_num_rows(s, t).map(Ok))
    }

    /// The number of columns.
    ///
    /// ```
    /// # let host = arrow_rs_wasm_host::doctest::host();
    /// # let table = host.read(&std::fs::read("testdata/ipc/lz4.arrow")?, &Default::default())?;
    /// assert_eq!(table.num_columns()?, 30);
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    pub fn num_columns(&self) -> Result<u32> {
        self.call(|c, s, t| c.arrow_core_table().table().call_num_columns(s, t).map(Ok))
    }

    /// The number of record batches.
    ///
    /// ```
    /// # let host = arrow_rs_wasm_host::doctest::host();
    /// # let table = host.read(&std::fs::read("testdata/ipc/lz4.arrow")?, &Default::default())?;
    /// assert_eq!(table.num_batches()?, 3);
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    pub fn num_batches(&self) -> Result<u32> {
        self.call(|c, s, t| c.arrow_core_table().table().call_num_batches(s, t).map(Ok))
    }

    /// The format the table was read from; `None` for derived tables.
    ///
    /// ```
    /// use arrow_rs_wasm_host::DataFormat;
    /// # let host = arrow_rs_wasm_host::doctest::host();
    /// # let table = host.read(&std::fs::read("testdata/ipc/lz4.arrow")?, &Default::default())?;
    /// assert_eq!(table.source_format()?, Some(DataFormat::ArrowFile));
    /// assert_eq!(table.slice(0, 1)?.source_format()?, None);
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    pub fn source_format(&self) -> Result<Option<DataFormat>> {
        self.call(|c, s, t| c.arrow_core_table().table().call_source_format(s, t).map(Ok))
    }

    /// The compression codecs the source file's data used (`lz4-frame`, `zstd`, `snappy`, ...);
    /// empty for uncompressed input and derived tables.
    ///
    /// ```
    /// # let host = arrow_rs_wasm_host::doctest::host();
    /// # let table = host.read(&std::fs::read("testdata/ipc/lz4.arrow")?, &Default::default())?;
    /// assert_eq!(table.source_compression()?, ["lz4-frame"]);
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    pub fn source_compression(&self) -> Result<Vec<String>> {
        self.call(|c, s, t| c.arrow_core_table().table().call_source_compression(s, t).map(Ok))
    }

    /// The schema summary.
    ///
    /// ```
    /// # let host = arrow_rs_wasm_host::doctest::host();
    /// # let table = host.read(&std::fs::read("testdata/ipc/lz4.arrow")?, &Default::default())?;
    /// let schema = table.schema()?;
    /// assert_eq!((schema.columns[0].name.as_str(), schema.columns[0].arrow_type.as_str()), ("int8", "Int8"));
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    pub fn schema(&self) -> Result<SchemaSummary> {
        self.call(|c, s, t| c.arrow_core_table().table().call_schema(s, t).map(Ok))
    }

    /// Rows `offset .. offset + length` (clipped), sharing buffers.
    ///
    /// ```
    /// # let host = arrow_rs_wasm_host::doctest::host();
    /// # let table = host.read(&std::fs::read("testdata/ipc/lz4.arrow")?, &Default::default())?;
    /// assert_eq!(table.slice(1990, 100)?.num_rows()?, 10);
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    pub fn slice(&self, offset: u64, length: u64) -> Result<Table> {
        let h = self.call(|c, s, t| c.arrow_core_table().table().call_slice(s, t, offset, length))?;
        Ok(self.derived(h))
    }

    /// The named columns, in that order, sharing buffers.
    ///
    /// ```
    /// # let host = arrow_rs_wasm_host::doctest::host();
    /// # let table = host.read(&std::fs::read("testdata/ipc/lz4.arrow")?, &Default::default())?;
    /// let two = table.select(&["utf8".into(), "int8".into()])?;
    /// assert_eq!(two.schema()?.columns[0].name, "utf8");
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    pub fn select(&self, columns: &[String]) -> Result<Table> {
        let h = self.call(|c, s, t| c.arrow_core_table().table().call_select(s, t, columns))?;
        Ok(self.derived(h))
    }

    /// The table as Arrow IPC bytes (file = Feather v2, or stream).
    ///
    /// ```
    /// use arrow_rs_wasm_host::{IpcCompression, IpcFraming, IpcWriteOptions};
    /// # let host = arrow_rs_wasm_host::doctest::host();
    /// # let table = host.read(&std::fs::read("testdata/ipc/lz4.arrow")?, &Default::default())?;
    /// let stream = table.write_ipc(&IpcWriteOptions { framing: IpcFraming::Stream, ..IpcWriteOptions::file(IpcCompression::Zstd) })?;
    /// assert_eq!(host.read(&stream, &Default::default())?.num_rows()?, 2000);
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    pub fn write_ipc(&self, options: &IpcWriteOptions) -> Result<Vec<u8>> {
        self.call(|c, s, t| c.arrow_core_table().table().call_write_ipc(s, t, *options))
    }

    /// The table as a Parquet file.
    ///
    /// ```
    /// use arrow_rs_wasm_host::{ParquetCompression, ParquetWriteOptions};
    /// # let host = arrow_rs_wasm_host::doctest::host();
    /// # let table = host.read(&std::fs::read("testdata/ipc/lz4.arrow")?, &Default::default())?;
    /// let options = ParquetWriteOptions { compression: ParquetCompression::Zstd, max_row_group_rows: Some(500), ..Default::default() };
    /// let parquet = table.write_parquet(&options)?;
    /// assert_eq!(host.parquet_metadata(&parquet)?.row_groups.len(), 4);
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    pub fn write_parquet(&self, options: &ParquetWriteOptions) -> Result<Vec<u8>> {
        self.call(|c, s, t| c.arrow_core_parquet().call_write(s, t, options))
    }

    /// The table as CSV text.
    ///
    /// ```
    /// # let host = arrow_rs_wasm_host::doctest::host();
    /// let table = host.read_csv(b"id,name\n1,ada\n", &Default::default())?;
    /// assert_eq!(table.write_csv(&Default::default())?, b"id,name\n1,ada\n");
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    pub fn write_csv(&self, options: &CsvWriteOptions) -> Result<Vec<u8>> {
        self.call(|c, s, t| c.arrow_core_csv().call_write(s, t, options))
    }

    /// A stable content hash (see the WIT's `fingerprint`).
    ///
    /// ```
    /// use arrow_rs_wasm_host::{IpcCompression, IpcWriteOptions};
    /// # let host = arrow_rs_wasm_host::doctest::host();
    /// # let table = host.read(&std::fs::read("testdata/ipc/lz4.arrow")?, &Default::default())?;
    /// let copy = host.read(&table.write_ipc(&IpcWriteOptions::file(IpcCompression::None))?, &Default::default())?;
    /// assert_eq!(copy.fingerprint()?, table.fingerprint()?);
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    pub fn fingerprint(&self) -> Result<String> {
        self.call(|c, s, t| c.arrow_core_table().table().call_fingerprint(s, t))
    }
}

/// How many bytes a streaming read asks its `Read` for at a time.
const STREAM_CHUNK: usize = 1 << 20;

impl Host {
    /// The tables of an Arrow IPC stream read from `input`, one batch each, decoded as the bytes
    /// arrive: memory holds about one batch and one chunk, whatever the stream's length.
    ///
    /// ```
    /// use arrow_rs_wasm_host::StreamDecoderOptions;
    /// # let host = arrow_rs_wasm_host::doctest::host();
    /// let file = std::fs::File::open("testdata/ipc/multibatch.arrows")?;
    /// let mut rows = 0;
    /// for table in host.read_ipc_stream(file, &StreamDecoderOptions::default())? {
    ///     rows += table?.num_rows()?;
    /// }
    /// assert!(rows > 0);
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    pub fn read_ipc_stream<R: std::io::Read>(
        &self,
        input: R,
        options: &StreamDecoderOptions,
    ) -> Result<IpcStreamTables<R>> {
        let generation = self.shared.instance.borrow().generation;
        let decoder = self.shared.call(None, |core, store| {
            core.arrow_core_streaming().ipc_stream_decoder().call_constructor(store, options).map(Ok)
        })?;
        Ok(IpcStreamTables {
            host: self.clone_handle(),
            decoder,
            generation,
            input,
            chunk: vec![0; STREAM_CHUNK],
            ended: false,
        })
    }

    /// A writer of tables with `schema_of`'s schema to `out`, in `format`: each [`TableSink::write`]
    /// sends the bytes the format has produced so far on to `out`.
    ///
    /// ```
    /// use arrow_rs_wasm_host::{ParquetWriteOptions, WriterFormat};
    /// # let host = arrow_rs_wasm_host::doctest::host();
    /// # let table = host.read(&std::fs::read("testdata/ipc/lz4.arrow")?, &Default::default())?;
    /// let options = ParquetWriteOptions { max_row_group_rows: Some(500), ..Default::default() };
    /// let mut sink = host.table_writer(&table, &WriterFormat::Parquet(options), Vec::new())?;
    /// sink.write(&table.slice(0, 1000)?)?;
    /// sink.write(&table.slice(1000, 1000)?)?;
    /// let parquet = sink.finish()?;
    /// assert_eq!(host.parquet_metadata(&parquet)?.row_groups.len(), 4);
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    pub fn table_writer<W: std::io::Write>(
        &self,
        schema_of: &Table,
        format: &WriterFormat,
        out: W,
    ) -> Result<TableSink<W>> {
        let writer = schema_of.call(|c, s, t| c.arrow_core_streaming().table_writer().call_create(s, t, format))?;
        Ok(TableSink { host: self.clone_handle(), writer, generation: schema_of.generation, out: Some(out) })
    }

    fn clone_handle(&self) -> Host {
        Host { shared: self.shared.clone() }
    }
}

fn io_error(e: std::io::Error) -> Error {
    Error::Io(e.to_string())
}

/// The tables of a streamed IPC read ([`Host::read_ipc_stream`]); the decoder is freed with it.
pub struct IpcStreamTables<R> {
    host: Host,
    decoder: ResourceAny,
    generation: u64,
    input: R,
    chunk: Vec<u8>,
    ended: bool,
}

impl<R: std::io::Read> IpcStreamTables<R> {
    fn step(&mut self) -> Result<Option<Table>> {
        let shared = self.host.shared.clone();
        loop {
            let decoder = self.decoder;
            let next = shared.call(Some(self.generation), |core, store| {
                core.arrow_core_streaming().ipc_stream_decoder().call_next_batch(store, decoder).map(Ok)
            })?;
            if let Some(handle) = next {
                return Ok(Some(Table { shared: shared.clone(), handle, generation: self.generation }));
            }
            if self.ended {
                return Ok(None);
            }
            let n = self.input.read(&mut self.chunk).map_err(io_error)?;
            let chunk = self.chunk.get(..n).unwrap_or_default();
            if n == 0 {
                self.ended = true;
                shared.call(Some(self.generation), |core, store| {
                    core.arrow_core_streaming().ipc_stream_decoder().call_finish(store, decoder)
                })?;
            } else {
                shared.call(Some(self.generation), |core, store| {
                    core.arrow_core_streaming().ipc_stream_decoder().call_push(store, decoder, chunk)
                })?;
            }
        }
    }
}

impl<R: std::io::Read> Iterator for IpcStreamTables<R> {
    type Item = Result<Table>;

    fn next(&mut self) -> Option<Self::Item> {
        match self.step() {
            Ok(Some(t)) => Some(Ok(t)),
            Ok(None) => None,
            Err(e) => {
                // An error ends the stream: the decoder would repeat it.
                self.ended = true;
                Some(Err(e))
            }
        }
    }
}

impl<R> Drop for IpcStreamTables<R> {
    fn drop(&mut self) {
        if let Ok(mut inst) = self.host.shared.instance.try_borrow_mut()
            && inst.generation == self.generation
        {
            let _ = self.decoder.resource_drop(&mut inst.store);
        }
    }
}

/// A streaming writer to a `Write` ([`Host::table_writer`]); the writer is freed with it.
pub struct TableSink<W> {
    host: Host,
    writer: ResourceAny,
    generation: u64,
    /// `None` once `finish` handed it back.
    out: Option<W>,
}

impl<W: std::io::Write> TableSink<W> {
    /// Write a table's rows (its fields must be the writer's) and pass on the bytes produced.
    pub fn write(&mut self, table: &Table) -> Result<()> {
        let (writer, handle) = (self.writer, table.handle);
        let bytes = self.host.shared.call(Some(self.generation), |core, store| {
            core.arrow_core_streaming().table_writer().call_write(store, writer, handle)
        })?;
        self.out.as_mut().ok_or_else(|| Error::Io("the sink is finished".into()))?.write_all(&bytes).map_err(io_error)
    }

    /// End the output and return the `Write`, flushed.
    pub fn finish(mut self) -> Result<W> {
        let writer = self.writer;
        let bytes = self.host.shared.call(Some(self.generation), |core, store| {
            core.arrow_core_streaming().table_writer().call_finish(store, writer)
        })?;
        let mut out = self.out.take().ok_or_else(|| Error::Io("the sink is finished".into()))?;
        out.write_all(&bytes).map_err(io_error)?;
        out.flush().map_err(io_error)?;
        Ok(out)
    }
}

impl<W> Drop for TableSink<W> {
    fn drop(&mut self) {
        if let Ok(mut inst) = self.host.shared.instance.try_borrow_mut()
            && inst.generation == self.generation
        {
            let _ = self.writer.resource_drop(&mut inst.store);
        }
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

#[allow(clippy::derivable_impls)]
impl Default for StreamDecoderOptions {
    fn default() -> Self {
        Self { max_buffered_bytes: None, columns: None, max_decompressed_bytes: None }
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
    ///
    /// ```
    /// use arrow_rs_wasm_host::{IpcCompression, IpcWriteOptions};
    /// # let host = arrow_rs_wasm_host::doctest::host();
    /// # let table = host.read(&std::fs::read("testdata/ipc/zstd.arrow")?, &Default::default())?;
    /// let feather = table.write_ipc(&IpcWriteOptions::file(IpcCompression::Lz4Frame))?;
    /// assert!(feather.starts_with(b"ARROW1"));
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
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
