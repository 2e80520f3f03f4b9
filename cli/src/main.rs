//! `arrow-rs-wasm`: inspect, preview and convert Arrow IPC, Feather, Parquet, CSV and NDJSON
//! files. Every read, write and conversion runs inside the core component through
//! `arrow-rs-wasm-host`; this binary only moves bytes and prints.
//!
//! ```text
//! arrow-rs-wasm inspect data.parquet
//! arrow-rs-wasm head data.feather -n 5
//! arrow-rs-wasm convert data.csv data.parquet --compression zstd
//! arrow-rs-wasm validate data.parquet
//! ```
//!
//! On long work (inputs over 16 MiB) a progress bar on standard error follows the reading of the
//! input and then each step inside the component, when standard error is a terminal.

use std::io::{IsTerminal, Read, Write};
use std::path::{Path, PathBuf};
use std::process::ExitCode;

use arrow_rs_wasm_host::{
    CsvWriteOptions, DataFormat, Host, HostConfig, IpcCompression, IpcFraming, IpcWriteOptions, ParquetCompression,
    ParquetWriteOptions, ReadOptions, StreamDecoderOptions, Table, WriterFormat,
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
    /// Format, compression, sizes, rows, batches or row groups, schema and content fingerprint
    /// of a file.
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
    /// Full validation: decode everything and check what a read trusts (array contents, IPC
    /// footer against stream, Parquet row counts and statistics). Exits non-zero on any problem.
    Validate {
        /// The files, or - for standard input.
        #[arg(required = true)]
        files: Vec<PathBuf>,
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

/// Inputs at least this large count as long work and get a progress bar.
const LONG_WORK_BYTES: u64 = 16 << 20;

/// A spinner naming the step inside the component, cleared when dropped; absent unless the work
/// is long and standard error is a terminal.
struct Busy(Option<indicatif::ProgressBar>);

impl Busy {
    fn new(long: bool) -> Self {
        Busy((long && std::io::stderr().is_terminal()).then(|| {
            let p = indicatif::ProgressBar::new_spinner();
            p.enable_steady_tick(std::time::Duration::from_millis(100));
            p
        }))
    }

    fn step(&self, message: &str) {
        if let Some(p) = &self.0 {
            p.set_message(message.to_string());
        }
    }
}

impl Drop for Busy {
    fn drop(&mut self) {
        if let Some(p) = &self.0 {
            p.finish_and_clear();
        }
    }
}

/// Reads a file (or standard input for `-`) whole, with a byte progress bar for large files.
fn read_input(path: &Path) -> Result<Vec<u8>, String> {
    let what = |e: std::io::Error| format!("{}: {e}", path.display());
    if path.as_os_str() == "-" {
        let mut buf = Vec::new();
        std::io::stdin().read_to_end(&mut buf).map_err(|e| format!("reading standard input: {e}"))?;
        return Ok(buf);
    }
    let mut file = std::fs::File::open(path).map_err(what)?;
    let len = file.metadata().map_err(what)?.len();
    if len < LONG_WORK_BYTES || !std::io::stderr().is_terminal() {
        let mut buf = Vec::with_capacity(len as usize);
        file.read_to_end(&mut buf).map_err(what)?;
        return Ok(buf);
    }
    let bar = indicatif::ProgressBar::new(len).with_style(
        indicatif::ProgressStyle::with_template("reading {bar:30} {bytes}/{total_bytes} {bytes_per_sec}")
            .map_err(|e| e.to_string())?,
    );
    let mut buf = Vec::with_capacity(len as usize);
    std::io::copy(&mut file, &mut bar.wrap_write(&mut buf)).map_err(what)?;
    bar.finish_and_clear();
    Ok(buf)
}

fn is_long(bytes: &[u8]) -> bool {
    bytes.len() as u64 >= LONG_WORK_BYTES
}

fn read_table(host: &Host, path: &Path) -> Result<(Table, Busy), String> {
    let bytes = read_input(path)?;
    let busy = Busy::new(is_long(&bytes));
    busy.step("decoding");
    let t = host.read(&bytes, &ReadOptions::default()).map_err(|e| format!("{}: {e}", path.display()))?;
    Ok((t, busy))
}

fn run(cli: Cli) -> Result<(), String> {
    let host = host(&cli)?;
    match &cli.command {
        Command::Inspect { file } => inspect(&host, file),
        Command::Head { file, rows } => head(&host, file, *rows),
        Command::Convert { input, output, to, compression } => convert(&host, input, output, *to, *compression),
        Command::Validate { files } => validate(&host, files),
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

fn inspect(host: &Host, file: &Path) -> Result<(), String> {
    let bytes = read_input(file)?;
    let busy = Busy::new(is_long(&bytes));
    busy.step("decoding");
    let what = |e: arrow_rs_wasm_host::Error| format!("{}: {e}", file.display());
    let t = host.read(&bytes, &ReadOptions::default()).map_err(what)?;
    let format = t.source_format().map_err(what)?;
    let codecs = t.source_compression().map_err(what)?;
    let mut out = String::new();
    out.push_str(&format!("file:        {}\n", file.display()));
    out.push_str(&format!("format:      {}\n", format.map_or("?", format_name)));
    out.push_str(&format!("compression: {}\n", if codecs.is_empty() { "none".to_string() } else { codecs.join(", ") }));
    out.push_str(&format!("size:        {} bytes\n", bytes.len()));
    out.push_str(&format!("rows:        {}\n", t.num_rows().map_err(what)?));
    if format == Some(DataFormat::Parquet) {
        busy.step("reading the footer");
        let meta = host.parquet_metadata(&bytes).map_err(what)?;
        let chunks = || meta.row_groups.iter().flat_map(|rg| rg.columns.iter());
        let compressed: u64 = chunks().map(|c| c.compressed_size).sum();
        let uncompressed: u64 = chunks().map(|c| c.uncompressed_size).sum();
        out.push_str(&format!(
            "row groups:  {} ({} rows)\n",
            meta.row_groups.len(),
            meta.row_groups.iter().map(|rg| rg.num_rows.to_string()).collect::<Vec<_>>().join(", ")
        ));
        out.push_str(&format!("data:        {compressed} bytes compressed, {uncompressed} uncompressed\n"));
        out.push_str(&format!("written by:  {}\n", meta.created_by.as_deref().unwrap_or("?")));
    } else {
        out.push_str(&format!("batches:     {}\n", t.num_batches().map_err(what)?));
    }
    let plugins = host.plugins().map_err(what)?;
    if !plugins.is_empty() {
        let ids: Vec<String> = plugins.iter().map(|p| format!("{} {}", p.id, p.version)).collect();
        out.push_str(&format!("plugins:     {}\n", ids.join(", ")));
    }
    let schema = t.schema().map_err(what)?;
    out.push_str(&format!("columns:     {}\n", schema.columns.len()));
    let width = schema.columns.iter().map(|c| c.name.chars().count()).max().unwrap_or(0);
    for c in &schema.columns {
        let ext = c.extension_name.as_deref().map(|e| format!(" <{e}>")).unwrap_or_default();
        // A claimed column shows the plugin's type name, its storage type and its owner.
        let plugin = c
            .owner_plugin
            .as_deref()
            .map(|p| format!(" (stored as {}, plugin {p})", c.storage_type))
            .unwrap_or_default();
        let null = if c.nullable { "" } else { " not null" };
        out.push_str(&format!("  {:width$}  {}{null}{ext}{plugin}\n", c.name, c.arrow_type));
    }
    busy.step("hashing");
    out.push_str(&format!("fingerprint: {}\n", t.fingerprint().map_err(what)?));
    for kv in schema.metadata.iter().filter(|kv| kv.key != "ARROW:schema") {
        let value: String = kv.value.chars().take(60).collect();
        out.push_str(&format!(
            "metadata:    {} = {value}{}\n",
            kv.key,
            if kv.value.chars().count() > 60 { "…" } else { "" }
        ));
    }
    drop(busy);
    std::io::stdout().write_all(out.as_bytes()).map_err(|e| e.to_string())
}

/// Validates each file, printing what was checked and every problem; fails if any file has one.
fn validate(host: &Host, files: &[PathBuf]) -> Result<(), String> {
    let mut invalid = Vec::new();
    for file in files {
        let bytes = read_input(file)?;
        let busy = Busy::new(is_long(&bytes));
        busy.step("validating");
        let report = host.validate(&bytes, &ReadOptions::default()).map_err(|e| format!("{}: {e}", file.display()))?;
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
        std::io::stdout().write_all(out.as_bytes()).map_err(|e| e.to_string())?;
    }
    if invalid.is_empty() { Ok(()) } else { Err(format!("invalid: {}", invalid.join(", "))) }
}

fn head(host: &Host, file: &Path, rows: u64) -> Result<(), String> {
    let what = |e: arrow_rs_wasm_host::Error| format!("{}: {e}", file.display());
    let (t, busy) = read_table(host, file)?;
    busy.step("rendering");
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
    drop(busy);
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

/// The writer options of an IPC or Parquet target; `None` for CSV.
fn writer_format(target: Target, codec: Option<Codec>) -> Result<Option<WriterFormat>, String> {
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
            Some(WriterFormat::Parquet(ParquetWriteOptions { compression, ..ParquetWriteOptions::default() }))
        }
        Target::Csv => {
            if codec.is_some_and(|c| c != Codec::Uncompressed) {
                return Err("CSV output takes no compression".into());
            }
            None
        }
    })
}

fn open_input(path: &Path) -> Result<(Box<dyn Read>, Option<u64>), String> {
    if path.as_os_str() == "-" {
        return Ok((Box::new(std::io::stdin().lock()), None));
    }
    let file = std::fs::File::open(path).map_err(|e| format!("{}: {e}", path.display()))?;
    let len = file.metadata().ok().map(|m| m.len());
    Ok((Box::new(file), len))
}

fn convert(host: &Host, input: &Path, output: &Path, to: Option<Target>, codec: Option<Codec>) -> Result<(), String> {
    let target = target_of(output, to)?;
    let format = writer_format(target, codec)?;
    let what = |e: arrow_rs_wasm_host::Error| format!("{}: {e}", input.display());
    // An IPC stream converts batch by batch into IPC or Parquet, in memory bounded by a batch and
    // a row group, whatever its size; everything else is read whole.
    let (mut reader, len) = open_input(input)?;
    let mut head = Vec::with_capacity(8);
    reader.by_ref().take(8).read_to_end(&mut head).map_err(|e| format!("{}: {e}", input.display()))?;
    let is_stream = host.detect_format(&head).ok() == Some(DataFormat::ArrowStream);
    let written = match (&format, is_stream) {
        (Some(format), true) => {
            let busy = Busy::new(len.is_some_and(|n| n >= LONG_WORK_BYTES) || len.is_none());
            let stream = std::io::Cursor::new(head).chain(reader);
            let mut tables = host.read_ipc_stream(stream, &StreamDecoderOptions::default()).map_err(what)?.peekable();
            let first = match tables.peek() {
                Some(Ok(t)) => Some(t.slice(0, 0).map_err(what)?),
                Some(Err(e)) => return Err(what(e.clone())),
                None => None,
            };
            match first {
                Some(schema_of) => write_atomically(output, |out| {
                    let mut sink = host.table_writer(&schema_of, format, out).map_err(what)?;
                    let mut rows = 0;
                    for t in tables {
                        let t = t.map_err(what)?;
                        rows += t.num_rows().map_err(what)?;
                        busy.step(&format!("{rows} rows"));
                        sink.write(&t).map_err(what)?;
                    }
                    sink.finish().map_err(what).map(|_| ())
                })?,
                // A stream without batches: nothing to stream; a file is read again, whole, to
                // write its schema (standard input cannot be read twice).
                None if input.as_os_str() == "-" => {
                    return Err("an IPC stream without batches on standard input: pass it as a file".into());
                }
                None => convert_whole(host, input, output, target, Some(format.clone()))?,
            }
        }
        _ => convert_whole(host, input, output, target, format)?,
    };
    if output.as_os_str() != "-" {
        eprintln!("{} -> {} ({:?}, {written} bytes)", input.display(), output.display(), target);
    }
    Ok(())
}

/// Reads the input whole and writes the output in one call; returns the bytes written.
fn convert_whole(
    host: &Host,
    input: &Path,
    output: &Path,
    target: Target,
    format: Option<WriterFormat>,
) -> Result<u64, String> {
    let (t, busy) = read_table(host, input)?;
    busy.step("encoding");
    let what = |e: arrow_rs_wasm_host::Error| format!("{}: {e}", input.display());
    let bytes = match format {
        Some(WriterFormat::Ipc(o)) => t.write_ipc(&o).map_err(what)?,
        Some(WriterFormat::Parquet(o)) => t.write_parquet(&o).map_err(what)?,
        None => {
            debug_assert_eq!(target, Target::Csv);
            t.write_csv(&CsvWriteOptions::default()).map_err(what)?
        }
    };
    busy.step("saving");
    write_atomically(output, |out| out.write_all(&bytes).map_err(|e| format!("{}: {e}", output.display())))
}

/// Writes the whole output or nothing: into a temporary file beside it, renamed into place when
/// `fill` succeeds (standard output for `-`). Returns the bytes written.
fn write_atomically(output: &Path, fill: impl FnOnce(&mut dyn Write) -> Result<(), String>) -> Result<u64, String> {
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
