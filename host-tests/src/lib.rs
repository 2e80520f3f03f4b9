//! A small wasmtime host for the core component, shared by the component tests in `tests/`.
//!
//! It compiles the component once per test process and gives each test a fresh store and
//! instance, so a test that poisons its instance (a trap) cannot disturb another. The bindings
//! are `arrow-rs-wasm-host`'s, `bindgen!` over the same `wit/` the component was built from; this
//! host works on raw handles and traps, which the tests need to see.

// A test-support crate: a broken fixture or oracle should fail the test loudly.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic, clippy::indexing_slicing)]
use std::path::PathBuf;
use std::sync::OnceLock;

pub mod composed;

use wasmtime::component::{Component, Linker, ResourceAny};
use wasmtime::{Engine, Result, Store};

// The bindings are the host crate's (one `bindgen!` over `wit/` for the project), so the option
// records and their defaults are defined once.
pub use arrow_rs_wasm_host::bindings::*;
pub use arrow_rs_wasm_host::{
    ArrowError, CsvReadOptions, CsvWriteOptions, DataFormat, DictionaryHandling, ErrorCode, FieldSpec, IpcCompression,
    IpcFraming, IpcWriteOptions, KeyValue, MetadataVersion, NdjsonReadOptions, ParquetCompression, ParquetMetadata,
    ParquetReadOptions, ParquetWriteOptions, ReadOptions, SchemaSummary, StatisticsLevel, WriterVersion,
};

/// The workspace root, for fixtures and the built component.
pub fn workspace() -> PathBuf {
    PathBuf::from(std::env::var_os("CARGO_MANIFEST_DIR").unwrap_or_default()).join("..")
}

/// The component under test: `$ARROW_CORE_COMPONENT`, or `build/arrow_core.wasm` as `make build`
/// leaves it.
pub fn component_path() -> PathBuf {
    std::env::var_os("ARROW_CORE_COMPONENT")
        .map(PathBuf::from)
        .unwrap_or_else(|| workspace().join("build/arrow_core.wasm"))
}

/// The slim build (IPC, Feather and LZ4 only): `$ARROW_CORE_SLIM_COMPONENT`, or
/// `build/arrow_core_slim.wasm` as `make build` leaves it.
pub fn slim_component_path() -> PathBuf {
    std::env::var_os("ARROW_CORE_SLIM_COMPONENT")
        .map(PathBuf::from)
        .unwrap_or_else(|| workspace().join("build/arrow_core_slim.wasm"))
}

struct Compiled {
    engine: Engine,
    component: Component,
}

fn compiled() -> &'static Compiled {
    static COMPILED: OnceLock<Compiled> = OnceLock::new();
    COMPILED.get_or_init(|| {
        let path = component_path();
        let engine = Engine::new(&arrow_rs_wasm_host::wasm_config()).expect("wasmtime engine");
        let component = Component::from_file(&engine, &path)
            .unwrap_or_else(|e| panic!("loading {} (run `make build` first): {e:?}", path.display()));
        Compiled { engine, component }
    })
}

/// Store state: watches the guest's linear memory, so tests can see leaks and cap growth.
#[derive(Debug, Default)]
pub struct Memory {
    /// The largest linear memory size the guest has had, in bytes.
    pub peak: usize,
    /// Refuse growth beyond this many bytes (the guest then traps on allocation failure).
    pub cap: Option<usize>,
}

impl wasmtime::ResourceLimiter for Memory {
    fn memory_growing(&mut self, _current: usize, desired: usize, _maximum: Option<usize>) -> Result<bool> {
        let allowed = self.cap.is_none_or(|cap| desired <= cap);
        if allowed {
            self.peak = self.peak.max(desired);
        }
        Ok(allowed)
    }

    fn table_growing(&mut self, _current: usize, _desired: usize, _maximum: Option<usize>) -> Result<bool> {
        Ok(true)
    }
}

/// One instance of the core component in its own store.
pub struct Host {
    /// The store every call goes through.
    pub store: Store<Memory>,
    /// The typed exports.
    pub core: Core,
}

impl Host {
    /// A fresh instance.
    pub fn new() -> Result<Self> {
        let c = compiled();
        let mut store = Store::new(&c.engine, Memory::default());
        store.limiter(|m| m);
        // The core imports nothing: an empty linker proves it.
        let core = Core::instantiate(&mut store, &c.component, &Linker::new(&c.engine))?;
        Ok(Self { store, core })
    }

    /// A fresh instance of another build of the core (e.g. the slim one), compiled for this call.
    pub fn of_component(path: &std::path::Path) -> Result<Self> {
        let engine = Engine::new(&arrow_rs_wasm_host::wasm_config())?;
        let component = Component::from_file(&engine, path)?;
        let mut store = Store::new(&engine, Memory::default());
        store.limiter(|m| m);
        let core = Core::instantiate(&mut store, &component, &Linker::new(&engine))?;
        Ok(Self { store, core })
    }

    /// The guest's peak linear memory so far, in bytes.
    pub fn peak_memory(&self) -> usize {
        self.store.data().peak
    }

    /// `detect-format`.
    pub fn detect(&mut self, head: &[u8]) -> Result<Result<DataFormat, ArrowError>> {
        self.core.arrow_core_table().call_detect_format(&mut self.store, head)
    }

    /// `table.read`.
    pub fn read(&mut self, bytes: &[u8], options: &ReadOptions) -> Result<Result<Table, ArrowError>> {
        self.core.arrow_core_table().table().call_read(&mut self.store, bytes, options)
    }

    /// `table.read` with default options, which must succeed.
    pub fn read_ok(&mut self, bytes: &[u8]) -> Table {
        match self.read(bytes, &ReadOptions::default()) {
            Ok(Ok(t)) => t,
            Ok(Err(e)) => panic!("read failed: {e:?}"),
            Err(trap) => panic!("read trapped: {trap:?}"),
        }
    }

    /// `table.concat`.
    pub fn concat(&mut self, tables: &[Table]) -> Result<Result<Table, ArrowError>> {
        self.core.arrow_core_table().table().call_concat(&mut self.store, tables)
    }

    /// `table.source-format`.
    pub fn source_format(&mut self, t: Table) -> Result<Option<DataFormat>> {
        self.core.arrow_core_table().table().call_source_format(&mut self.store, t)
    }

    /// `table.num-rows`.
    pub fn num_rows(&mut self, t: Table) -> Result<u64> {
        self.core.arrow_core_table().table().call_num_rows(&mut self.store, t)
    }

    /// `table.num-columns`.
    pub fn num_columns(&mut self, t: Table) -> Result<u32> {
        self.core.arrow_core_table().table().call_num_columns(&mut self.store, t)
    }

    /// `table.num-batches`.
    pub fn num_batches(&mut self, t: Table) -> Result<u32> {
        self.core.arrow_core_table().table().call_num_batches(&mut self.store, t)
    }

    /// `table.schema`.
    pub fn schema(&mut self, t: Table) -> Result<SchemaSummary> {
        self.core.arrow_core_table().table().call_schema(&mut self.store, t)
    }

    /// `table.slice`.
    pub fn slice(&mut self, t: Table, offset: u64, length: u64) -> Result<Result<Table, ArrowError>> {
        self.core.arrow_core_table().table().call_slice(&mut self.store, t, offset, length)
    }

    /// `table.select`.
    pub fn select(&mut self, t: Table, columns: &[String]) -> Result<Result<Table, ArrowError>> {
        self.core.arrow_core_table().table().call_select(&mut self.store, t, columns)
    }

    /// `table.write-ipc`.
    pub fn write_ipc(&mut self, t: Table, options: &IpcWriteOptions) -> Result<Result<Vec<u8>, ArrowError>> {
        self.core.arrow_core_table().table().call_write_ipc(&mut self.store, t, *options)
    }

    /// `table.fingerprint`.
    pub fn fingerprint(&mut self, t: Table) -> Result<Result<String, ArrowError>> {
        self.core.arrow_core_table().table().call_fingerprint(&mut self.store, t)
    }

    /// `readable-formats`.
    pub fn readable_formats(&mut self) -> Result<Vec<DataFormat>> {
        self.core.arrow_core_table().call_readable_formats(&mut self.store)
    }

    /// `parquet.read`.
    pub fn parquet_read(&mut self, bytes: &[u8], options: &ParquetReadOptions) -> Result<Result<Table, ArrowError>> {
        self.core.arrow_core_parquet().call_read(&mut self.store, bytes, options)
    }

    /// `parquet.metadata`.
    pub fn parquet_metadata(&mut self, bytes: &[u8]) -> Result<Result<ParquetMetadata, ArrowError>> {
        self.core.arrow_core_parquet().call_metadata(&mut self.store, bytes)
    }

    /// `parquet.write`.
    pub fn parquet_write(&mut self, t: Table, options: &ParquetWriteOptions) -> Result<Result<Vec<u8>, ArrowError>> {
        self.core.arrow_core_parquet().call_write(&mut self.store, t, options)
    }

    /// `csv.read`.
    pub fn csv_read(&mut self, bytes: &[u8], options: &CsvReadOptions) -> Result<Result<Table, ArrowError>> {
        self.core.arrow_core_csv().call_read(&mut self.store, bytes, options)
    }

    /// `csv.write`.
    pub fn csv_write(&mut self, t: Table, options: &CsvWriteOptions) -> Result<Result<Vec<u8>, ArrowError>> {
        self.core.arrow_core_csv().call_write(&mut self.store, t, options)
    }

    /// `ndjson.read`.
    pub fn ndjson_read(&mut self, bytes: &[u8], options: &NdjsonReadOptions) -> Result<Result<Table, ArrowError>> {
        self.core.arrow_core_ndjson().call_read(&mut self.store, bytes, options)
    }

    /// Drops the handle, freeing the table inside the component.
    pub fn free(&mut self, t: Table) -> Result<()> {
        t.resource_drop(&mut self.store)
    }
}

/// A table handle owned by the host.
pub type Table = ResourceAny;

/// A caller-given column for CSV and NDJSON reads.
pub fn field(name: &str, arrow_type: &str) -> FieldSpec {
    FieldSpec { name: name.to_string(), arrow_type: arrow_type.to_string(), nullable: true }
}

/// Unwraps a call that must neither trap nor fail.
pub fn ok<T>(r: Result<std::result::Result<T, ArrowError>>, what: &str) -> T {
    match r {
        Ok(Ok(v)) => v,
        Ok(Err(e)) => panic!("{what} failed: {e:?}"),
        Err(trap) => panic!("{what} trapped: {trap:?}"),
    }
}

/// Write options with pyarrow's defaults (V5, 64-byte alignment, resend dictionaries).
pub fn write_options(framing: IpcFraming, compression: IpcCompression) -> IpcWriteOptions {
    IpcWriteOptions { framing, ..IpcWriteOptions::file(compression) }
}

/// One fixture of `testdata/ipc/MANIFEST.json`, as pyarrow described it when writing it.
#[derive(Debug, Clone, serde::Deserialize)]
pub struct Fixture {
    /// The file name in `testdata/ipc`.
    pub file: String,
    /// `arrow-file` or `arrow-stream`.
    pub format: String,
    /// Rows pyarrow reads.
    pub num_rows: u64,
    /// Record batches pyarrow reads.
    pub num_batches: u32,
    /// `none`, `lz4` or `zstd`.
    pub compression: String,
}

impl Fixture {
    /// The fixture's path.
    pub fn path(&self) -> PathBuf {
        workspace().join("testdata/ipc").join(&self.file)
    }

    /// The fixture's bytes.
    pub fn bytes(&self) -> Vec<u8> {
        std::fs::read(self.path()).expect("fixture")
    }
}

/// Every fixture of the manifest.
pub fn fixtures() -> Vec<Fixture> {
    let path = workspace().join("testdata/ipc/MANIFEST.json");
    serde_json::from_slice(&std::fs::read(path).expect("manifest")).expect("manifest json")
}

/// The pyarrow oracle (`testdata/oracle.py`), run with `$ARROW_PYTHON` (the venv `make` builds).
pub mod oracle {
    use std::path::{Path, PathBuf};
    use std::process::Command;

    use anyhow::{Context, Result, bail};

    /// pyarrow's verdict on one pair of files.
    #[derive(Debug, Clone, serde::Deserialize)]
    pub struct Comparison {
        /// The reference file.
        pub expected: PathBuf,
        /// The file under test.
        pub actual: PathBuf,
        /// Schemas (with metadata) and values equal.
        pub equal: bool,
        /// Equal once dictionaries are decoded.
        pub logically_equal: bool,
        /// Equal but for the names of list items and map entries.
        #[serde(default)]
        pub equal_but_nested_names: bool,
        /// The first difference, if any.
        pub detail: String,
    }

    fn python() -> String {
        std::env::var("ARROW_PYTHON").unwrap_or_else(|_| "python3".to_string())
    }

    fn run(args: &[&std::ffi::OsStr]) -> Result<serde_json::Value> {
        let script = super::workspace().join("testdata/oracle.py");
        let out = Command::new(python())
            .arg(&script)
            .args(args)
            .output()
            .with_context(|| format!("running {} (set ARROW_PYTHON to a python with pyarrow)", python()))?;
        if !out.status.success() {
            bail!("oracle failed: {}", String::from_utf8_lossy(&out.stderr));
        }
        Ok(serde_json::from_slice(&out.stdout)?)
    }

    /// Compares each `(expected, actual)` pair with pyarrow, in one process.
    pub fn compare(pairs: &[(PathBuf, PathBuf)], scratch: &Path) -> Result<Vec<Comparison>> {
        let manifest: Vec<_> = pairs.iter().map(|(e, a)| serde_json::json!({"expected": e, "actual": a})).collect();
        let path = scratch.join("compare.json");
        std::fs::write(&path, serde_json::to_vec(&manifest)?)?;
        Ok(serde_json::from_value(run(&["compare".as_ref(), path.as_os_str()])?)?)
    }

    /// pyarrow's description of each file (rows, batches, columns, metadata).
    pub fn describe(files: &[PathBuf]) -> Result<Vec<serde_json::Value>> {
        let mut args: Vec<&std::ffi::OsStr> = vec!["describe".as_ref()];
        args.extend(files.iter().map(|f| f.as_os_str()));
        Ok(serde_json::from_value(run(&args)?)?)
    }

    /// pyarrow's read of each Parquet file with page checksum verification: `Ok(())` or its
    /// error text.
    pub fn verify(files: &[PathBuf]) -> Result<Vec<std::result::Result<(), String>>> {
        let mut args: Vec<&std::ffi::OsStr> = vec!["verify".as_ref()];
        args.extend(files.iter().map(|f| f.as_os_str()));
        let out: Vec<serde_json::Value> = serde_json::from_value(run(&args)?)?;
        Ok(out
            .iter()
            .map(|v| match v["ok"].as_bool() {
                Some(true) => Ok(()),
                _ => Err(v["error"].as_str().unwrap_or_default().to_string()),
            })
            .collect())
    }
}

/// A fresh scratch directory under the target dir for files pyarrow reads.
pub fn scratch(name: &str) -> PathBuf {
    let base = std::env::var_os("CARGO_TARGET_TMPDIR")
        .map(PathBuf::from)
        .unwrap_or_else(std::env::temp_dir)
        .join("host-tests")
        .join(name);
    let _ = std::fs::remove_dir_all(&base);
    std::fs::create_dir_all(&base).expect("scratch dir");
    base
}
