//! Streaming conversion benchmark: a 10M-row LZ4 IPC stream (`make_bench_data.py`'s
//! `bench_10m.arrows`) converted to zstd Parquet batch by batch, natively with arrow-rs and through
//! the core under wasmtime (`arrow-rs-wasm-host`). Prints time, rows/s, the process's peak RSS and,
//! for the component, its peak linear memory. Run each mode in its own process (`make bench`
//! does), so the peaks do not mix:
//!
//! `cargo run --release -p bench --bin stream_convert -- DATA_DIR native|wasmtime`

use std::fs::File;
use std::io::{BufReader, Write};
use std::time::Instant;

/// Counts what it is given and keeps nothing, like a socket or a file on another disk.
#[derive(Default)]
struct Counter(u64);

impl Write for Counter {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        self.0 += buf.len() as u64;
        Ok(buf.len())
    }
    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
    }
}

/// The process's peak resident set (VmHWM), in MiB.
fn peak_rss_mib() -> f64 {
    let status = std::fs::read_to_string("/proc/self/status").unwrap_or_default();
    let kib: f64 = status
        .lines()
        .find_map(|l| l.strip_prefix("VmHWM:"))
        .and_then(|v| v.trim().trim_end_matches("kB").trim().parse().ok())
        .unwrap_or(0.0);
    kib / 1024.0
}

fn native(input: File) -> anyhow::Result<(u64, u64)> {
    let reader = arrow_ipc::reader::StreamReader::try_new(BufReader::new(input), None)?;
    let props = parquet::file::properties::WriterProperties::builder()
        .set_compression(parquet::basic::Compression::ZSTD(Default::default()))
        .build();
    let mut w = parquet::arrow::ArrowWriter::try_new(Counter::default(), reader.schema(), Some(props))?;
    let mut rows = 0;
    for batch in reader {
        let batch = batch?;
        rows += batch.num_rows() as u64;
        w.write(&batch)?;
    }
    Ok((rows, w.into_inner()?.0))
}

fn wasmtime(input: File, start: &mut Instant) -> anyhow::Result<(u64, u64, usize)> {
    use arrow_rs_wasm_host::{
        Host, HostConfig, ParquetCompression, ParquetWriteOptions, StreamDecoderOptions, WriterFormat,
    };
    let component = std::env::var("ARROW_CORE_COMPONENT").unwrap_or_else(|_| "build/arrow_core.wasm".into());
    let cache = std::env::temp_dir().join("arrow-rs-wasm-bench-cache");
    let host = Host::new(HostConfig::new(component).cache_dir(cache))?;
    // The conversion is timed from here: a cold start compiles the component (seconds, once).
    println!("wasmtime host start: {:.0} ms", start.elapsed().as_secs_f64() * 1e3);
    *start = Instant::now();
    let mut tables = host.read_ipc_stream(BufReader::new(input), &StreamDecoderOptions::default())?.peekable();
    let first = match tables.peek() {
        Some(Ok(t)) => t.slice(0, 0)?,
        _ => anyhow::bail!("the stream has no batches"),
    };
    let format =
        WriterFormat::Parquet(ParquetWriteOptions { compression: ParquetCompression::Zstd, ..Default::default() });
    let mut sink = host.table_writer(&first, &format, Counter::default())?;
    let mut rows = 0;
    for t in tables {
        let t = t?;
        rows += t.num_rows()?;
        sink.write(&t)?;
    }
    let written = sink.finish()?.0;
    Ok((rows, written, host.peak_memory()))
}

fn main() -> anyhow::Result<()> {
    let args: Vec<String> = std::env::args().collect();
    let (Some(dir), Some(mode)) = (args.get(1), args.get(2)) else {
        anyhow::bail!("usage: stream_convert DATA_DIR native|wasmtime");
    };
    let path = std::path::Path::new(dir).join("bench_10m.arrows");
    let input = File::open(&path)?;
    let size = input.metadata()?.len();
    let mut start = Instant::now();
    let (rows, written, guest) = match mode.as_str() {
        "native" => native(input).map(|(r, w)| (r, w, None))?,
        "wasmtime" => wasmtime(input, &mut start).map(|(r, w, g)| (r, w, Some(g)))?,
        other => anyhow::bail!("unknown mode {other:?}"),
    };
    let secs = start.elapsed().as_secs_f64();
    let guest =
        guest.map(|g| format!(", guest linear memory peak {:.0} MiB", g as f64 / 1048576.0)).unwrap_or_default();
    println!(
        "stream convert {mode:8}: {rows} rows, {:.0} MiB LZ4 IPC -> {:.0} MiB zstd Parquet in {secs:.2} s \
         ({:.2} M rows/s), process peak RSS {:.0} MiB{guest}",
        size as f64 / 1048576.0,
        written as f64 / 1048576.0,
        rows as f64 / secs / 1e6,
        peak_rss_mib()
    );
    Ok(())
}
