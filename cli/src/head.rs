//! `head`: the first rows as an aligned text table. The component renders the values (as CSV);
//! this only lines the cells up, so what is shown is what every other host would get.

use std::path::PathBuf;

use arrow_rs_wasm_host::{CsvWriteOptions, Host};

use crate::input::read_table;
use crate::output::print;

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
    let what = |e: arrow_rs_wasm_host::Error| format!("{}: {e}", file.display());
    let (t, busy) = read_table(host, file)?;
    busy.step("rendering");
    let first = t.slice(0, *rows).map_err(what)?;
    // The component renders the values (as CSV); this only lines the cells up.
    let options = CsvWriteOptions { null_value: "null".into(), ..CsvWriteOptions::default() };
    let text = first.write_csv(&options).map_err(what)?;
    let mut records: Vec<Vec<String>> = Vec::new();
    for r in csv::ReaderBuilder::new().has_headers(false).from_reader(text.as_slice()).records() {
        let r = r.map_err(|e| e.to_string())?;
        records.push(r.iter().map(|cell| cell.replace('\n', "\\n")).collect());
    }
    let widths: Vec<usize> = (0..records.first().map_or(0, Vec::len))
        .map(|i| records.iter().filter_map(|r| r.get(i)).map(|c| c.chars().count().min(40)).max().unwrap_or(0))
        .collect();
    let mut out = String::new();
    for (n, r) in records.iter().enumerate() {
        let cells: Vec<String> = r
            .iter()
            .zip(&widths)
            .map(|(c, w)| {
                let c: String =
                    if c.chars().count() > 40 { c.chars().take(39).chain(['…']).collect() } else { c.clone() };
                format!("{c:w$}")
            })
            .collect();
        out.push_str(cells.join(" | ").trim_end());
        out.push('\n');
        if n == 0 {
            out.push_str(&widths.iter().map(|w| "-".repeat(*w)).collect::<Vec<_>>().join("-+-"));
            out.push('\n');
        }
    }
    out.push_str(&format!("({} of {} rows)\n", first.num_rows().map_err(what)?, t.num_rows().map_err(what)?));
    drop(busy);
    print(&out)
}
