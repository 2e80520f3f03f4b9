//! `convert`: from any format the core reads to Arrow IPC (file or stream), Feather, Parquet or
//! CSV. An IPC stream into IPC or Parquet goes batch by batch, so its size is not bounded by
//! memory; everything else is read whole and written in one call.

use std::io::Read;
use std::path::{Path, PathBuf};

use arrow_rs_wasm_host::{
    CsvWriteOptions, DataFormat, Host, IpcCompression, IpcFraming, IpcWriteOptions, ParquetCompression,
    ParquetWriteOptions, StreamDecoderOptions, WriterFormat,
};
use clap::ValueEnum;

use crate::input::{open_input, read_table};
use crate::output::write_atomically;
use crate::progress::{Busy, LONG_WORK_BYTES};

// The subcommand's help comes from its variant in `main.rs`.
#[derive(clap::Args)]
pub struct Args {
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

pub fn run(host: &Host, Args { input, output, to, compression }: &Args) -> Result<(), String> {
    let target = target_of(output, *to)?;
    let format = writer_format(target, *compression)?;
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
