//! Writing results: the output formats and their options, a table written whole in one of them,
//! a file whole or not at all, a table rendered as aligned text, a report to standard output, and
//! the names under which formats are shown. Kept in one place so every subcommand leaves nothing
//! half-written, writes a format the same way and names it the same way.

use std::io::Write;
use std::path::Path;

use arrow_rs_wasm_host::{
    CsvWriteOptions, DataFormat, IpcCompression, IpcFraming, IpcWriteOptions, ParquetCompression, ParquetWriteOptions,
    Table, WriterFormat,
};
use clap::ValueEnum;

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

/// An output format.
#[derive(Clone, Copy, Debug, PartialEq, Eq, ValueEnum)]
pub enum Target {
    /// Arrow IPC file.
    Arrow,
    /// Arrow IPC stream.
    Arrows,
    /// Feather v2 (an Arrow IPC file, LZ4 by default).
    Feather,
    /// Apache Parquet (snappy by default).
    Parquet,
    /// Comma-separated values.
    Csv,
    /// Newline-delimited JSON.
    Ndjson,
}

/// A compression codec.
#[derive(Clone, Copy, Debug, PartialEq, Eq, ValueEnum)]
pub enum Codec {
    /// None.
    Uncompressed,
    /// LZ4 (LZ4_FRAME in Arrow, LZ4_RAW in Parquet).
    Lz4,
    /// Zstandard.
    Zstd,
    /// Snappy (Parquet only).
    Snappy,
    /// Gzip (Parquet only).
    Gzip,
    /// Brotli (Parquet only).
    Brotli,
}

pub fn target_of(output: &Path, to: Option<Target>) -> Result<Target, String> {
    if let Some(t) = to {
        return Ok(t);
    }
    let ext = output.extension().and_then(|e| e.to_str()).map(str::to_ascii_lowercase).unwrap_or_default();
    Ok(match ext.as_str() {
        "arrow" | "ipc" => Target::Arrow,
        "arrows" => Target::Arrows,
        "feather" => Target::Feather,
        "parquet" | "pq" => Target::Parquet,
        "csv" => Target::Csv,
        "ndjson" | "jsonl" => Target::Ndjson,
        _ => return Err(format!("cannot tell the output format from {:?}: pass --to", output.display().to_string())),
    })
}

/// The writer options of an IPC or Parquet target; `None` for the text formats.
pub fn writer_format(
    target: Target,
    codec: Option<Codec>,
    page_checksums: bool,
) -> Result<Option<WriterFormat>, String> {
    Ok(match target {
        Target::Arrow | Target::Arrows | Target::Feather => {
            let compression = match (codec, target) {
                (None, Target::Feather) | (Some(Codec::Lz4), _) => IpcCompression::Lz4Frame,
                (None | Some(Codec::Uncompressed), _) => IpcCompression::None,
                (Some(Codec::Zstd), _) => IpcCompression::Zstd,
                (Some(c), _) => return Err(format!("{c:?} is not an Arrow IPC codec: use lz4 or zstd")),
            };
            let mut o = IpcWriteOptions::file(compression);
            if target == Target::Arrows {
                o.framing = IpcFraming::Stream;
            }
            Some(WriterFormat::Ipc(o))
        }
        Target::Parquet => {
            let compression = match codec.unwrap_or(Codec::Snappy) {
                Codec::Uncompressed => ParquetCompression::Uncompressed,
                Codec::Lz4 => ParquetCompression::Lz4Raw,
                Codec::Zstd => ParquetCompression::Zstd,
                Codec::Snappy => ParquetCompression::Snappy,
                Codec::Gzip => ParquetCompression::Gzip,
                Codec::Brotli => ParquetCompression::Brotli,
            };
            Some(WriterFormat::Parquet(ParquetWriteOptions {
                compression,
                page_checksums,
                ..ParquetWriteOptions::default()
            }))
        }
        Target::Csv | Target::Ndjson => {
            if codec.is_some_and(|c| c != Codec::Uncompressed) {
                return Err(format!("{target:?} output takes no compression"));
            }
            None
        }
    })
}

/// The table's bytes in `target`'s format (`format` from [`writer_format`]).
pub fn write_whole(t: &Table, target: Target, format: Option<&WriterFormat>) -> arrow_rs_wasm_host::Result<Vec<u8>> {
    match (format, target) {
        (Some(WriterFormat::Ipc(o)), _) => t.write_ipc(o),
        (Some(WriterFormat::Parquet(o)), _) => t.write_parquet(o),
        (None, Target::Ndjson) => t.write_ndjson(false),
        (None, _) => t.write_csv(&CsvWriteOptions::default()),
    }
}

/// The first `rows` rows of `t` as an aligned text table, with a line saying how many rows the
/// table has. The component renders the values (as CSV); this only lines the cells up, so what
/// is shown is what every other host would get.
pub fn render(t: &Table, rows: u64) -> arrow_rs_wasm_host::Result<String> {
    let first = t.slice(0, rows)?;
    let options = CsvWriteOptions { null_value: "null".into(), ..CsvWriteOptions::default() };
    let text = first.write_csv(&options)?;
    let mut records: Vec<Vec<String>> = Vec::new();
    for r in csv::ReaderBuilder::new().has_headers(false).from_reader(text.as_slice()).records() {
        let r = r.map_err(|e| arrow_rs_wasm_host::Error::Io(e.to_string()))?;
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
    out.push_str(&format!("({} of {} rows)\n", first.num_rows()?, t.num_rows()?));
    Ok(out)
}
