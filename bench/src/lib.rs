//! Side-by-side read benchmarks (see `benches/read.rs`): native arrow-rs, the core's own Rust
//! code compiled natively, and the core component under wasmtime, on the same bytes in one run.
//! The inputs come from `testdata/make_bench_data.py` via `$ARROW_BENCH_DATA` (`make bench`).

use std::path::PathBuf;

/// The benchmark inputs' directory.
pub fn data_dir() -> PathBuf {
    std::env::var_os("ARROW_BENCH_DATA").map(PathBuf::from).unwrap_or_else(|| {
        PathBuf::from(std::env::var("HOME").unwrap_or_default()).join(".cache/arrow-rs-wasm/bench-data")
    })
}
