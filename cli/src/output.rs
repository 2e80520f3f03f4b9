//! Writing results: a converted file whole or not at all, a report to standard output, and the
//! names under which formats are shown. Kept in one place so every subcommand leaves nothing
//! half-written and names a format the same way.

use std::io::Write;
use std::path::Path;

use arrow_rs_wasm_host::DataFormat;

/// Prints a subcommand's report, built whole first so a failure midway prints nothing.
pub fn print(out: &str) -> Result<(), String> {
    std::io::stdout().write_all(out.as_bytes()).map_err(|e| e.to_string())
}

pub fn format_name(f: DataFormat) -> &'static str {
    match f {
        DataFormat::ArrowFile => "Arrow IPC file (Feather v2)",
        DataFormat::ArrowStream => "Arrow IPC stream",
        DataFormat::FeatherV1 => "Feather v1",
        DataFormat::Parquet => "Parquet",
        DataFormat::Csv => "CSV",
        DataFormat::Ndjson => "NDJSON",
    }
}

/// Writes the whole output or nothing: into a temporary file beside it, renamed into place when
/// `fill` succeeds (standard output for `-`). Returns the bytes written.
pub fn write_atomically(output: &Path, fill: impl FnOnce(&mut dyn Write) -> Result<(), String>) -> Result<u64, String> {
    struct Counting<W>(W, u64);
    impl<W: Write> Write for Counting<W> {
        fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
            let n = self.0.write(buf)?;
            self.1 += n as u64;
            Ok(n)
        }
        fn flush(&mut self) -> std::io::Result<()> {
            self.0.flush()
        }
    }
    if output.as_os_str() == "-" {
        let mut out = Counting(std::io::BufWriter::new(std::io::stdout().lock()), 0);
        fill(&mut out)?;
        out.flush().map_err(|e| format!("writing standard output: {e}"))?;
        return Ok(out.1);
    }
    let name = output.file_name().map(|n| n.to_string_lossy().into_owned()).unwrap_or_default();
    let tmp = output.with_file_name(format!(".{name}.partial-{}", std::process::id()));
    let result = (|| {
        let file = std::fs::File::create(&tmp).map_err(|e| format!("{}: {e}", output.display()))?;
        let mut out = Counting(std::io::BufWriter::new(file), 0);
        fill(&mut out)?;
        out.flush().map_err(|e| format!("{}: {e}", output.display()))?;
        std::fs::rename(&tmp, output).map_err(|e| format!("{}: {e}", output.display()))?;
        Ok(out.1)
    })();
    if result.is_err() {
        let _ = std::fs::remove_file(&tmp);
    }
    result
}
