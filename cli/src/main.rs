//! `arrow-rs-wasm`: inspect, preview and convert Arrow IPC, Feather, Parquet, CSV and NDJSON
//! files. Every read, write and conversion runs inside the core component through
//! `arrow-rs-wasm-host`; this binary only moves bytes and prints.
//!
//! ```text
//! arrow-rs-wasm inspect data.parquet
//! arrow-rs-wasm head data.feather -n 5
//! arrow-rs-wasm convert data.csv data.parquet --compression zstd
//! ```

use std::io::{IsTerminal, Read, Write};
use std::path::{Path, PathBuf};
use std::process::ExitCode;

use arrow_rs_wasm_host::{
    CsvWriteOptions, DataFormat, Host, HostConfig, IpcCompression, IpcFraming, IpcWriteOptions, ParquetCompression,
    ParquetWriteOptions, ReadOptions, Table,
};
use clap::{Parser, Subcommand, ValueEnum};

#[derive(Parser)]
#[command(
    name = "arrow-rs-wasm",
    version,
    about = "Arrow, Feather, Parquet, CSV and NDJSON files, processed inside a WebAssembly component"
)]
struct Cli {
    /// The core component (default: $ARROW_CORE_COMPONENT, else build/arrow_core.wasm).
    #[arg(long, global = true)]
    component: Option<PathBuf>,
    /// Cap the component's memory, e.g. 512M or 2G; a file that needs more fails cleanly.
    #[arg(long, global = true, value_parser = parse_size)]
    memory_limit: Option<usize>,
    /// Where compiled code is cached (default: ~/.cache/arrow-rs-wasm/compiled; "none" disables).
    #[arg(long, global = true)]
    cache_dir: Option<PathBuf>,
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand)]
enum Command {
    /// Format, schema, rows, batches and (Parquet) row groups and codecs of a file.
    Inspect {
        /// The file, or - for standard input.
        file: PathBuf,
    },
    /// The first rows as an aligned text table.
    Head {
        /// The file, or - for standard input.
        file: PathBuf,
        /// How many rows.
        #[arg(short = 'n', long, default_value_t = 10)]
        rows: u64,
    },
    /// Convert between formats; the output format comes from --to or the output's extension.
    Convert {
        /// The input file, or - for standard input.
        input: PathBuf,
        /// The output file, or - for standard output. Written whole or not at all.
        output: PathBuf,
        /// The output format.
        #[arg(long)]
        to: Option<Target>,
        /// The compression: lz4 or zstd for Arrow; uncompressed, snappy, gzip, brotli, lz4, zstd for Parquet.
        #[arg(long)]
        compression: Option<Codec>,
    },
}

/// An output format.
#[derive(Clone, Copy, Debug, PartialEq, Eq, ValueEnum)]
enum Target {
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
}

/// A compression codec.
#[derive(Clone, Copy, Debug, PartialEq, Eq, ValueEnum)]
enum Codec {
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

fn parse_size(s: &str) -> Result<usize, String> {
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

fn main() -> ExitCode {
    let cli = Cli::parse();
    match run(cli) {
        Ok(()) => ExitCode::SUCCESS,
        Err(message) => {
            eprintln!("arrow-rs-wasm: {message}");
            ExitCode::FAILURE
        }
    }
}

fn host(cli: &Cli) -> Result<Host, String> {
    let component = cli
        .component
        .clone()
        .or_else(|| std::env::var_os("ARROW_CORE_COMPONENT").map(PathBuf::from))
        .unwrap_or_else(|| PathBuf::from("build/arrow_core.wasm"));
    let mut config = HostConfig::new(component);
    let cache = match &cli.cache_dir {
        Some(d) if d.as_os_str() == "none" => None,
        Some(d) => Some(d.clone()),
        None => std::env::var_os("HOME").map(|h| PathBuf::from(h).join(".cache/arrow-rs-wasm/compiled")),
    };
    if let Some(dir) = cache {
        config = config.cache_dir(dir);
    }
    if let Some(limit) = cli.memory_limit {
        config = config.memory_limit(limit);
    }
    Host::new(config).map_err(|e| e.to_string())
}

fn read_input(path: &Path) -> Result<Vec<u8>, String> {
    if path.as_os_str() == "-" {
        let mut buf = Vec::new();
        std::io::stdin().read_to_end(&mut buf).map_err(|e| format!("reading standard input: {e}"))?;
        return Ok(buf);
    }
    std::fs::read(path).map_err(|e| format!("{}: {e}", path.display()))
}

fn read_table(host: &Host, path: &Path) -> Result<Table, String> {
    let bytes = read_input(path)?;
    host.read(&bytes, &ReadOptions::default()).map_err(|e| format!("{}: {e}", path.display()))
}

fn run(cli: Cli) -> Result<(), String> {
    let host = host(&cli)?;
    match &cli.command {
        Command::Inspect { file } => inspect(&host, file),
        Command::Head { file, rows } => head(&host, file, *rows),
        Command::Convert { input, output, to, compression } => convert(&host, input, output, *to, *compression),
    }
}

fn format_name(f: DataFormat) -> &'static str {
    match f {
        DataFormat::ArrowFile => "Arrow IPC file (Feather v2)",
        DataFormat::ArrowStream => "Arrow IPC stream",
        DataFormat::FeatherV1 => "Feather v1",
        DataFormat::Parquet => "Parquet",
        DataFormat::Csv => "CSV",
        DataFormat::Ndjson => "NDJSON",
    }
}

fn codec_name(c: ParquetCompression) -> &'static str {
    match c {
        ParquetCompression::Uncompressed => "uncompressed",
        ParquetCompression::Snappy => "snappy",
        ParquetCompression::Gzip => "gzip",
        ParquetCompression::Brotli => "brotli",
        ParquetCompression::Lz4 => "lz4",
        ParquetCompression::Lz4Raw => "lz4-raw",
        ParquetCompression::Zstd => "zstd",
        ParquetCompression::Lzo => "lzo",
    }
}

fn inspect(host: &Host, file: &Path) -> Result<(), String> {
    let bytes = read_input(file)?;
    let what = |e: arrow_rs_wasm_host::Error| format!("{}: {e}", file.display());
    let t = host.read(&bytes, &ReadOptions::default()).map_err(what)?;
    let format = t.source_format().map_err(what)?.map_or("?", format_name);
    let mut out = String::new();
    out.push_str(&format!("file:     {}\n", file.display()));
    out.push_str(&format!("format:   {format}, {} bytes\n", bytes.len()));
    out.push_str(&format!("rows:     {}\n", t.num_rows().map_err(what)?));
    out.push_str(&format!("batches:  {}\n", t.num_batches().map_err(what)?));
    if t.source_format().map_err(what)? == Some(DataFormat::Parquet) {
        let meta = host.parquet_metadata(&bytes).map_err(what)?;
        let mut codecs: Vec<&str> =
            meta.row_groups.iter().flat_map(|rg| rg.columns.iter().map(|c| codec_name(c.compression))).collect();
        codecs.sort();
        codecs.dedup();
        out.push_str(&format!(
            "parquet:  {} row groups ({}), codecs {}, written by {}\n",
            meta.row_groups.len(),
            meta.row_groups.iter().map(|rg| rg.num_rows.to_string()).collect::<Vec<_>>().join(", "),
            codecs.join(", "),
            meta.created_by.as_deref().unwrap_or("?")
        ));
    }
    let schema = t.schema().map_err(what)?;
    out.push_str(&format!("columns:  {}\n", schema.columns.len()));
    let width = schema.columns.iter().map(|c| c.name.chars().count()).max().unwrap_or(0);
    for c in &schema.columns {
        let ext = c.extension_name.as_deref().map(|e| format!(" <{e}>")).unwrap_or_default();
        let null = if c.nullable { "" } else { " not null" };
        out.push_str(&format!("  {:width$}  {}{null}{ext}\n", c.name, c.arrow_type));
    }
    for kv in schema.metadata.iter().filter(|kv| kv.key != "ARROW:schema") {
        let value: String = kv.value.chars().take(60).collect();
        out.push_str(&format!(
            "metadata: {} = {value}{}\n",
            kv.key,
            if kv.value.chars().count() > 60 { "…" } else { "" }
        ));
    }
    std::io::stdout().write_all(out.as_bytes()).map_err(|e| e.to_string())
}

fn head(host: &Host, file: &Path, rows: u64) -> Result<(), String> {
    let what = |e: arrow_rs_wasm_host::Error| format!("{}: {e}", file.display());
    let t = read_table(host, file)?;
    let first = t.slice(0, rows).map_err(what)?;
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
    std::io::stdout().write_all(out.as_bytes()).map_err(|e| e.to_string())
}

fn target_of(output: &Path, to: Option<Target>) -> Result<Target, String> {
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
        _ => return Err(format!("cannot tell the output format from {:?}: pass --to", output.display().to_string())),
    })
}

fn convert(host: &Host, input: &Path, output: &Path, to: Option<Target>, codec: Option<Codec>) -> Result<(), String> {
    let target = target_of(output, to)?;
    let progress = std::io::stderr().is_terminal().then(|| {
        let p = indicatif::ProgressBar::new_spinner();
        p.enable_steady_tick(std::time::Duration::from_millis(100));
        p
    });
    let step = |msg: &str| {
        if let Some(p) = &progress {
            p.set_message(msg.to_string());
        }
    };
    step("reading");
    let t = read_table(host, input)?;
    step("writing");
    let what = |e: arrow_rs_wasm_host::Error| format!("{}: {e}", input.display());
    let bytes = match target {
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
            t.write_ipc(&o).map_err(what)?
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
            t.write_parquet(&ParquetWriteOptions { compression, ..ParquetWriteOptions::default() }).map_err(what)?
        }
        Target::Csv => {
            if codec.is_some_and(|c| c != Codec::Uncompressed) {
                return Err("CSV output takes no compression".into());
            }
            t.write_csv(&CsvWriteOptions::default()).map_err(what)?
        }
    };
    step("saving");
    write_output(output, &bytes)?;
    if let Some(p) = progress {
        p.finish_and_clear();
    }
    if output.as_os_str() != "-" {
        eprintln!("{} -> {} ({:?}, {} bytes)", input.display(), output.display(), target, bytes.len());
    }
    Ok(())
}

/// Writes the whole output or nothing: a temporary file beside it, renamed into place.
fn write_output(output: &Path, bytes: &[u8]) -> Result<(), String> {
    if output.as_os_str() == "-" {
        return std::io::stdout().write_all(bytes).map_err(|e| format!("writing standard output: {e}"));
    }
    let name = output.file_name().map(|n| n.to_string_lossy().into_owned()).unwrap_or_default();
    let tmp = output.with_file_name(format!(".{name}.partial-{}", std::process::id()));
    let result = std::fs::write(&tmp, bytes).and_then(|()| std::fs::rename(&tmp, output));
    result.map_err(|e| {
        let _ = std::fs::remove_file(&tmp);
        format!("{}: {e}", output.display())
    })
}
