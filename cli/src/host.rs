//! The host every subcommand runs on: which component (built in, or a file the user names), its
//! memory cap, and where compiled code is cached. The global options that decide these live
//! here with the code that applies them, so a new subcommand gets a host without knowing how.

use std::ffi::OsString;
use std::path::PathBuf;

use arrow_rs_wasm_host::{Host, HostConfig};
use clap::ValueEnum;

// The components `build.rs` copied into the build: the binary carries them, so it works from any
// directory and once installed. The composition is empty when `build.rs` did not find it.
static CORE: &[u8] = include_bytes!(concat!(env!("OUT_DIR"), "/arrow_core.wasm"));
static CORE_WITH_GEO: &[u8] = include_bytes!(concat!(env!("OUT_DIR"), "/core_with_geo.wasm"));
static CORE_WITH_ANALYTICS: &[u8] = include_bytes!(concat!(env!("OUT_DIR"), "/core_with_analytics.wasm"));

/// The global options that choose and limit the component.
#[derive(clap::Args)]
pub struct HostArgs {
    /// A component file to run instead of the built-in core (default: $ARROW_CORE_COMPONENT if set).
    #[arg(long, global = true)]
    component: Option<PathBuf>,
    /// Run the built-in core composed with a plugin (geo: the geometry plugin, for GeoArrow
    /// columns; analytics: SQL, which `query` always uses).
    #[arg(long, global = true, value_enum, conflicts_with = "component")]
    plugins: Option<Plugins>,
    /// Cap the component's memory, e.g. 512M or 2G; a file that needs more fails cleanly.
    #[arg(long, global = true, value_parser = parse_size)]
    memory_limit: Option<usize>,
    /// Where compiled code is cached (default: $XDG_CACHE_HOME/arrow-rs-wasm/compiled, else
    /// ~/.cache/arrow-rs-wasm/compiled; "none" disables).
    #[arg(long, global = true)]
    cache_dir: Option<PathBuf>,
    /// On a trap, print the component's wasm backtrace too (also when RUST_LOG is set).
    #[arg(long, short, global = true)]
    pub verbose: bool,
}

static VERBOSE: std::sync::OnceLock<bool> = std::sync::OnceLock::new();

/// Whether a trap's backtrace is printed: `--verbose`, or RUST_LOG set (the usual switch).
pub fn set_verbose(flag: bool) {
    let _ = VERBOSE.set(flag || std::env::var_os("RUST_LOG").is_some());
}

/// A failure of the host about `file`, in one line: a trap names its reason (the backtrace only
/// with `--verbose`, for a bug report), a limit names itself.
pub fn failure(file: &std::path::Path, e: &arrow_rs_wasm_host::Error) -> String {
    use arrow_rs_wasm_host::Error;
    match e {
        Error::Trap { details, .. } if VERBOSE.get().copied().unwrap_or(false) => {
            format!("{}: {e} (a bug, please report it)\n{details}", file.display())
        }
        Error::Trap { .. } => {
            format!("{}: {e} (a bug, please report it; --verbose prints the wasm backtrace)", file.display())
        }
        Error::MemoryLimit { .. } => format!("{}: {e} (raise it with --memory-limit)", file.display()),
        _ => format!("{}: {e}", file.display()),
    }
}

// No doc comments on the values: clap would switch every subcommand's help to the long layout.
#[derive(Clone, Copy, Debug, PartialEq, Eq, ValueEnum)]
pub enum Plugins {
    None,
    Geo,
    Analytics,
}

pub fn parse_size(s: &str) -> Result<usize, String> {
    let (digits, unit) = s.trim().split_at(s.trim().trim_end_matches(|c: char| c.is_ascii_alphabetic()).len());
    let n: usize = digits.parse().map_err(|_| format!("not a size: {s:?} (e.g. 512M, 2G)"))?;
    let mult = match unit.to_ascii_uppercase().as_str() {
        "" | "B" => 1,
        "K" | "KB" | "KIB" => 1 << 10,
        "M" | "MB" | "MIB" => 1 << 20,
        "G" | "GB" | "GIB" => 1 << 30,
        other => return Err(format!("unknown unit {other:?} in {s:?}")),
    };
    n.checked_mul(mult).ok_or_else(|| format!("{s:?} is too large"))
}

/// The host for a subcommand; `default` is the built-in component it runs on when the user names
/// none (`query` needs the analytics plugin).
pub fn host(args: &HostArgs, default: Plugins) -> Result<Host, String> {
    let mut config = component(args, default)?;
    let cache = match &args.cache_dir {
        Some(d) if d.as_os_str() == "none" => None,
        Some(d) => Some(d.clone()),
        // The cache only saves time: a default location that cannot be made means no cache, not
        // a failure (a read-only home, a container without one).
        None => default_cache_dir().filter(|d| std::fs::create_dir_all(d).is_ok()),
    };
    if let Some(dir) = cache {
        config = config.cache_dir(dir);
    }
    if let Some(limit) = args.memory_limit {
        config = config.memory_limit(limit);
    }
    Host::new(config).map_err(|e| e.to_string())
}

/// A file named by `--component` or `$ARROW_CORE_COMPONENT` wins over the built-in core, so a
/// core just rebuilt runs without rebuilding the CLI; `--plugins` picks among the built-in ones.
fn component(args: &HostArgs, default: Plugins) -> Result<HostConfig, String> {
    if let Some(file) = &args.component {
        return Ok(HostConfig::new(file.clone()));
    }
    match args.plugins.unwrap_or(default) {
        Plugins::None => {
            let file = std::env::var_os("ARROW_CORE_COMPONENT").map(PathBuf::from);
            Ok(file.map_or_else(|| HostConfig::from_bytes(CORE), HostConfig::new))
        }
        Plugins::Analytics if CORE_WITH_ANALYTICS.is_empty() => Err(format!(
            "SQL needs the analytics plugin, and this binary was built without it ({} was missing): run \
             `make compose`, then build the CLI again",
            env!("ARROW_CORE_WITH_ANALYTICS_SOURCE")
        )),
        Plugins::Analytics => Ok(HostConfig::from_bytes(CORE_WITH_ANALYTICS)),
        Plugins::Geo if CORE_WITH_GEO.is_empty() => Err(format!(
            "--plugins geo: this binary was built without the geo composition ({} was missing): run \
             `make compose`, then build the CLI again",
            env!("ARROW_CORE_WITH_GEO_SOURCE")
        )),
        Plugins::Geo => Ok(HostConfig::from_bytes(CORE_WITH_GEO)),
    }
}

/// The platform's cache directory for compiled code: `$XDG_CACHE_HOME`, else `~/.cache`
/// (`%LOCALAPPDATA%` on Windows). wasmtime wants an absolute path, and the XDG rules say to
/// ignore a relative one, so a relative value counts as unset.
fn default_cache_dir() -> Option<PathBuf> {
    let absolute = |v: OsString| Some(PathBuf::from(v)).filter(|p| p.is_absolute());
    let base = if cfg!(windows) {
        std::env::var_os("LOCALAPPDATA").and_then(absolute)
    } else {
        std::env::var_os("XDG_CACHE_HOME")
            .and_then(absolute)
            .or_else(|| std::env::var_os("HOME").and_then(absolute).map(|h| h.join(".cache")))
    };
    base.map(|b| b.join("arrow-rs-wasm").join("compiled"))
}
