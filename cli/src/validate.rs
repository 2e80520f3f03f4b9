//! `validate`: decode every file whole and run every check the core has, print each problem with
//! its place, and fail if any file has one.

use std::path::PathBuf;

use arrow_rs_wasm_host::{DataFormat, Host, ReadOptions};

use crate::input::read_input;
use crate::output::{format_name, print};
use crate::progress::{Busy, is_long};

// The subcommand's help comes from its variant in `main.rs`.
#[derive(clap::Args)]
pub struct Args {
    /// The files, or - for standard input.
    #[arg(required = true)]
    files: Vec<PathBuf>,
}

/// Validates each file, printing what was checked and every problem; fails if any file has one.
pub fn run(host: &Host, Args { files }: &Args) -> Result<(), String> {
    let mut invalid = Vec::new();
    for file in files {
        let bytes = read_input(file)?;
        let busy = Busy::new(is_long(&bytes));
        busy.step("validating");
        let report = host.validate(&bytes, &ReadOptions::default()).map_err(|e| crate::host::failure(file, &e))?;
        drop(busy);
        let format = report.format.map_or("unknown format", format_name);
        let unit = match (report.format == Some(DataFormat::Parquet), report.num_batches == 1) {
            (true, true) => "row group",
            (true, false) => "row groups",
            (false, true) => "batch",
            (false, false) => "batches",
        };
        let mut out = format!(
            "{}: {format}, {} rows in {} {unit}; checks: {}\n",
            file.display(),
            report.num_rows,
            report.num_batches,
            report.checks.join(", ")
        );
        for p in &report.problems {
            out.push_str(&format!("  problem at {}: {}\n", p.location, p.error.message));
        }
        if report.problems.is_empty() {
            out.push_str("  valid\n");
        } else {
            let n = report.problems.len();
            invalid.push(format!("{} ({n} problem{})", file.display(), if n == 1 { "" } else { "s" }));
        }
        print(&out)?;
    }
    if invalid.is_empty() { Ok(()) } else { Err(format!("invalid: {}", invalid.join(", "))) }
}
