//! `convert`: from any format the core reads to Arrow IPC (file or stream), Feather, Parquet or
//! CSV. An IPC stream into IPC or Parquet goes batch by batch, so its size is not bounded by
//! memory; everything else is read whole and written in one call.

use std::io::Read;
use std::path::{Path, PathBuf};

use arrow_rs_wasm_host::{DataFormat, Host, StreamDecoderOptions, WriterFormat};

use crate::input::{open_input, read_table};
use crate::output::{Codec, Target, target_of, write_atomically, write_whole, writer_format};
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
    /// Write Parquet pages without the CRC32 in each page header (written by default, so
    /// readers that verify refuse a damaged page).
    #[arg(long)]
    no_page_checksums: bool,
}

pub fn run(host: &Host, Args { input, output, to, compression, no_page_checksums }: &Args) -> Result<(), String> {
    let target = target_of(output, *to)?;
    let format = writer_format(target, *compression, !no_page_checksums)?;
    let what = |e: arrow_rs_wasm_host::Error| crate::host::failure(input, &e);
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
    let what = |e: arrow_rs_wasm_host::Error| crate::host::failure(input, &e);
    let bytes = write_whole(&t, target, format.as_ref()).map_err(what)?;
    busy.step("saving");
    write_atomically(output, |out| out.write_all(&bytes).map_err(|e| format!("{}: {e}", output.display())))
}
