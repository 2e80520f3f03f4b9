//! Reading what a subcommand works on: a file or standard input (`-`), whole or as a `Read`, and
//! a whole input read into a table. Every subcommand names its input the same way in errors, and
//! future ones (`query`, `ingest`) read the same inputs.

use std::io::Read;
use std::path::Path;

use arrow_rs_wasm_host::{Host, ReadOptions, Table};

use crate::progress::{Busy, is_long, reading_bar};

/// Reads a file (or standard input for `-`) whole, with a byte progress bar for large files.
pub fn read_input(path: &Path) -> Result<Vec<u8>, String> {
    let what = |e: std::io::Error| format!("{}: {e}", path.display());
    if path.as_os_str() == "-" {
        let mut buf = Vec::new();
        std::io::stdin().read_to_end(&mut buf).map_err(|e| format!("reading standard input: {e}"))?;
        return Ok(buf);
    }
    let mut file = std::fs::File::open(path).map_err(what)?;
    let len = file.metadata().map_err(what)?.len();
    let mut buf = Vec::with_capacity(len as usize);
    match reading_bar(len)? {
        None => {
            file.read_to_end(&mut buf).map_err(what)?;
        }
        Some(bar) => {
            std::io::copy(&mut file, &mut bar.wrap_write(&mut buf)).map_err(what)?;
            bar.finish_and_clear();
        }
    }
    Ok(buf)
}

/// The input as a `Read` (for streaming), with its length when it is a file.
pub fn open_input(path: &Path) -> Result<(Box<dyn Read>, Option<u64>), String> {
    if path.as_os_str() == "-" {
        return Ok((Box::new(std::io::stdin().lock()), None));
    }
    let file = std::fs::File::open(path).map_err(|e| format!("{}: {e}", path.display()))?;
    let len = file.metadata().ok().map(|m| m.len());
    Ok((Box::new(file), len))
}

/// Reads the input whole into a table; the spinner is handed back for the caller's next steps.
pub fn read_table(host: &Host, path: &Path) -> Result<(Table, Busy), String> {
    let bytes = read_input(path)?;
    let busy = Busy::new(is_long(&bytes));
    busy.step("decoding");
    let t = host.read(&bytes, &ReadOptions::default()).map_err(|e| crate::host::failure(path, &e))?;
    Ok((t, busy))
}
