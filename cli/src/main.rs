//! `arrow-rs-wasm`: inspect, preview and convert Arrow IPC, Feather, Parquet, CSV and NDJSON
//! files. Every read, write and conversion runs inside the core component through
//! `arrow-rs-wasm-host`; this binary only moves bytes and prints.
//!
//! ```text
//! arrow-rs-wasm inspect data.parquet
//! arrow-rs-wasm head data.feather -n 5
//! arrow-rs-wasm convert data.csv data.parquet --compression zstd
//! arrow-rs-wasm validate data.parquet
//! arrow-rs-wasm --plugins geo inspect places.arrow
//! arrow-rs-wasm query trips.parquet --sql "SELECT zone, count(*) FROM t GROUP BY zone"
//! arrow-rs-wasm query --table a=a.parquet --table b=b.csv --param int:10 --sql "SELECT ... WHERE x > $1"
//! ```
//!
//! The core component is built into the binary (and the core composed with the geometry plugin,
//! for `--plugins geo`, and with the analytics plugin, which `query` runs on), so the command
//! works from any directory. Build the components
//! first, then install:
//!
//! ```text
//! make compose
//! cargo install --locked --path cli
//! ```
//!
//! `build.rs` takes the core from `$ARROW_CORE_COMPONENT` (default `build/arrow_core.wasm`) and
//! the compositions from `$ARROW_CORE_WITH_GEO_COMPONENT` and `$ARROW_CORE_WITH_ANALYTICS_COMPONENT`
//! (default `build/core_with_geo.wasm`, `build/core_with_analytics.wasm`); without the core the
//! build fails, without a composition the commands that need it answer an error.
//! Compiled code is cached in `$XDG_CACHE_HOME/arrow-rs-wasm/compiled` (else
//! `~/.cache/arrow-rs-wasm/compiled`), so only the first start compiles.
//!
//! On long work (inputs over 16 MiB) a progress bar on standard error follows the reading of the
//! input and then each step inside the component, when standard error is a terminal.
//!
//! Each subcommand is a module with its `Args` and `run`; the shared modules read the input
//! (`input`), write results (`output`), show progress (`progress`) and start the host (`host`).

mod convert;
mod head;
mod host;
mod input;
mod inspect;
mod output;
mod progress;
mod query;
mod validate;

use std::process::ExitCode;

use clap::{Parser, Subcommand};

#[derive(Parser)]
#[command(
    name = "arrow-rs-wasm",
    version,
    about = "Arrow, Feather, Parquet, CSV and NDJSON files, processed inside a WebAssembly component"
)]
struct Cli {
    #[command(flatten)]
    host: host::HostArgs,
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand)]
enum Command {
    /// Format, compression, sizes, rows, batches or row groups, schema and content fingerprint
    /// of a file.
    Inspect(inspect::Args),
    /// The first rows as an aligned text table.
    Head(head::Args),
    /// Full validation: decode everything and check what a read trusts (array contents, IPC
    /// footer against stream, Parquet row counts and statistics). Exits non-zero on any problem.
    Validate(validate::Args),
    /// Convert between formats; the output format comes from --to or the output's extension.
    Convert(convert::Args),
    /// Answer a SQL query over files (DuckDB's dialect): printed as a table, or written to --output.
    Query(query::Args),
}

fn main() -> ExitCode {
    let cli = Cli::parse();
    host::set_verbose(cli.host.verbose);
    match run(cli) {
        Ok(()) => ExitCode::SUCCESS,
        Err(message) => {
            eprintln!("arrow-rs-wasm: {message}");
            ExitCode::FAILURE
        }
    }
}

fn run(cli: Cli) -> Result<(), String> {
    let default = match cli.command {
        Command::Query(_) => host::Plugins::Analytics,
        _ => host::Plugins::None,
    };
    let host = host::host(&cli.host, default)?;
    match &cli.command {
        Command::Query(args) => query::run(&host, args),
        Command::Inspect(args) => inspect::run(&host, args),
        Command::Head(args) => head::run(&host, args),
        Command::Convert(args) => convert::run(&host, args),
        Command::Validate(args) => validate::run(&host, args),
    }
}
