//! What a [`Host`](crate::Host) is told before it starts: where the component comes from, where
//! compiled code is cached, and the limits every call runs under; and the store state that
//! enforces the memory cap. Settings are plain data, kept apart from the instance machinery so a
//! replacement instance is built from the same values as the first.

use std::borrow::Cow;
use std::path::{Path, PathBuf};

/// Where the component's bytes come from.
#[derive(Clone, PartialEq, Eq)]
pub(crate) enum Source {
    File(PathBuf),
    /// A program that embeds the component (`include_bytes!`) has no file to point at.
    Bytes(Cow<'static, [u8]>),
}

// Hand-written so a configuration prints as before for a file, and as a size, not megabytes of
// numbers, for bytes.
impl std::fmt::Debug for Source {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Source::File(path) => path.fmt(f),
            Source::Bytes(bytes) => write!(f, "<{} bytes>", bytes.len()),
        }
    }
}

/// How a [`Host`](crate::Host) loads and limits the component.
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
    pub(crate) component: Source,
    pub(crate) cache_dir: Option<PathBuf>,
    pub(crate) memory_limit: Option<usize>,
    pub(crate) fuel_per_call: Option<u64>,
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
        Self::from_source(Source::File(path.into()))
    }

    /// Load the component from its bytes (read by the program, or embedded in it with
    /// `include_bytes!`), with no cache and no limits. The compiled-code cache is keyed by the
    /// bytes, not by a path, so it serves these as it serves a file with the same content.
    ///
    /// ```
    /// use arrow_rs_wasm_host::{Host, HostConfig};
    /// # arrow_rs_wasm_host::doctest::in_workspace();
    /// let bytes = std::fs::read("build/arrow_core.wasm")?;
    /// let config = HostConfig::from_bytes(bytes).cache_dir(std::env::temp_dir().join("arrow-cache"));
    /// assert_eq!(config.component(), std::path::Path::new(""), "no path to name");
    /// assert!(Host::new(config)?.readable_formats()?.len() >= 3);
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    pub fn from_bytes(bytes: impl Into<Cow<'static, [u8]>>) -> Self {
        Self::from_source(Source::Bytes(bytes.into()))
    }

    fn from_source(component: Source) -> Self {
        Self { component, cache_dir: None, memory_limit: None, fuel_per_call: None }
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
    /// [`Error::MemoryLimit`](crate::Error::MemoryLimit), and the host carries on with a fresh
    /// instance.
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
    /// it up fails with [`Error::OutOfFuel`](crate::Error::OutOfFuel). Metering costs some speed,
    /// so it is off unless set.
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

    /// The component's path; empty for a component given as bytes.
    ///
    /// ```
    /// let config = arrow_rs_wasm_host::HostConfig::new("build/arrow_core.wasm");
    /// assert_eq!(config.component(), std::path::Path::new("build/arrow_core.wasm"));
    /// ```
    pub fn component(&self) -> &Path {
        match &self.component {
            Source::File(path) => path,
            Source::Bytes(_) => Path::new(""),
        }
    }
}

/// Store state: enforces the memory cap, remembers whether it was hit, and tracks the peak.
#[derive(Debug, Default)]
pub(crate) struct Limits {
    pub(crate) cap: Option<usize>,
    pub(crate) hit: bool,
    pub(crate) peak: usize,
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
