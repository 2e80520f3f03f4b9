//! Reading one large file (1M rows: int64, float64, utf8, timestamp) as LZ4 and uncompressed IPC
//! and as zstd and snappy Parquet: native arrow-rs (FileReader, parquet's Arrow reader), the core's
//! reader compiled natively, and the core component under wasmtime (the copy of the bytes into
//! guest memory included). Then the cost of Parquet page checksums: the same table written by the
//! core with and without them (zstd), and each file read back (the reader verifies every page
//! that has one). Numbers, not assertions.

// Test code: a failed expectation is meant to panic.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic, clippy::indexing_slicing)]

use std::io::Cursor;

use arrow_buffer::Buffer;
use criterion::{Criterion, Throughput, criterion_group, criterion_main};
use host_tests::{Host, ReadOptions};

/// The core's rows of a group: its reader natively and the component under wasmtime.
fn core_rows(group: &mut criterion::BenchmarkGroup<'_, criterion::measurement::WallTime>, bytes: &[u8]) {
    // Over one input buffer, as the component reads over the bytes the canonical ABI copied in:
    // a fresh 24-35 MiB copy per iteration would measure glibc's mmap and page faults instead.
    let input = Buffer::from(bytes);
    group.bench_function("arrow-core natively", |b| {
        b.iter(|| {
            let t = arrow_core::Table::read(input.clone(), &arrow_core::ReadOptions::default()).expect("read");
            t.num_rows()
        })
    });
    let mut host = Host::new().expect("host");
    group.bench_function("component under wasmtime", |b| {
        b.iter(|| {
            let t = host.read(bytes, &ReadOptions::default()).expect("no trap").expect("read");
            let rows = host.num_rows(t).expect("rows");
            host.free(t).expect("free");
            rows
        })
    });
}

fn read(c: &mut Criterion) {
    for name in ["bench_lz4.arrow", "bench_plain.arrow"] {
        let path = bench::data_dir().join(name);
        let bytes = std::fs::read(&path).unwrap_or_else(|e| panic!("{}: {e} (run `make bench`)", path.display()));
        let mut group = c.benchmark_group(name);
        group.throughput(Throughput::Bytes(bytes.len() as u64));
        group.sample_size(10);
        group.bench_function("native arrow-rs FileReader", |b| {
            b.iter(|| {
                let reader = arrow_ipc::reader::FileReader::try_new(Cursor::new(&bytes), None).expect("reader");
                reader.map(|batch| batch.expect("batch").num_rows()).sum::<usize>()
            })
        });
        core_rows(&mut group, &bytes);
        group.finish();
    }
}

fn read_parquet(c: &mut Criterion) {
    for name in ["bench_zstd.parquet", "bench_snappy.parquet"] {
        let path = bench::data_dir().join(name);
        let bytes = std::fs::read(&path).unwrap_or_else(|e| panic!("{}: {e} (run `make bench`)", path.display()));
        let mut group = c.benchmark_group(name);
        group.throughput(Throughput::Bytes(bytes.len() as u64));
        group.sample_size(10);
        let shared = bytes::Bytes::from(bytes.clone());
        group.bench_function("native parquet-rs Arrow reader", |b| {
            b.iter(|| {
                let reader = parquet::arrow::arrow_reader::ParquetRecordBatchReaderBuilder::try_new(shared.clone())
                    .expect("builder")
                    .build()
                    .expect("reader");
                reader.map(|batch| batch.expect("batch").num_rows()).sum::<usize>()
            })
        });
        core_rows(&mut group, &bytes);
        group.finish();
    }
}

fn parquet_checksums(c: &mut Criterion) {
    let path = bench::data_dir().join("bench_zstd.parquet");
    let bytes = std::fs::read(&path).unwrap_or_else(|e| panic!("{}: {e} (run `make bench`)", path.display()));
    let table =
        arrow_core::Table::read(Buffer::from(bytes.as_slice()), &arrow_core::ReadOptions::default()).expect("read");
    let (schema, batches) = (table.schema().clone(), table.batches().to_vec());
    let options = |page_checksums| arrow_core::parquet::ParquetWriteOptions {
        compression: arrow_core::parquet::Codec::Zstd,
        page_checksums,
        ..Default::default()
    };
    let mut group = c.benchmark_group("parquet page checksums");
    group.sample_size(10);
    group.throughput(Throughput::Elements(table.num_rows() as u64));
    let mut written = Vec::new();
    for (name, on) in [("without", false), ("with", true)] {
        group.bench_function(format!("write zstd, {name} checksums"), |b| {
            b.iter(|| arrow_core::parquet::write(&schema, &batches, &options(on)).expect("write").len())
        });
        written.push((
            name,
            bytes::Bytes::from(arrow_core::parquet::write(&schema, &batches, &options(on)).expect("write")),
        ));
    }
    for (name, file) in written {
        group.bench_function(format!("read zstd, {name} checksums"), |b| {
            b.iter(|| {
                arrow_core::parquet::read(file.clone(), &arrow_core::parquet::ParquetReadOptions::default())
                    .expect("read")
                    .batches
                    .len()
            })
        });
    }
    group.finish();
}

criterion_group!(benches, read, read_parquet, parquet_checksums);
criterion_main!(benches);
