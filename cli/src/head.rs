//! `head`: the first rows as an aligned text table. The component renders the values (as CSV);
//! this only lines the cells up, so what is shown is what every other host would get.

use std::path::PathBuf;

use arrow_rs_wasm_host::Host;

use crate::input::read_table;
use crate::output::{print, render};

// The subcommand's help comes from its variant in `main.rs`.
#[derive(clap::Args)]
pub struct Args {
    /// The file, or - for standard input.
    file: PathBuf,
    /// How many rows.
    #[arg(short = 'n', long, default_value_t = 10)]
    rows: u64,
}

pub fn run(host: &Host, Args { file, rows }: &Args) -> Result<(), String> {
    let what = |e: arrow_rs_wasm_host::Error| crate::host::failure(file, &e);
    let (t, busy) = read_table(host, file)?;
    busy.step("rendering");
    let out = render(&t, *rows).map_err(what)?;
    drop(busy);
    print(&out)
}
