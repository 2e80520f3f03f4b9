//! Any bytes, read as each format: the reader must return, never panic (a panic is a trap in
//! WASM). A table that reads must also slice and write without panicking.
#![no_main]

use arrow_buffer::Buffer;
use arrow_core::format::DataFormat;
use arrow_core::ipc::write::{Compression, Framing, WriteOptions};
use arrow_core::{ReadOptions, Table};
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    for format in [None, Some(DataFormat::ArrowFile), Some(DataFormat::ArrowStream)] {
        let options = ReadOptions { format, max_decompressed_bytes: Some(64 << 20), ..Default::default() };
        if let Ok(t) = Table::read(Buffer::from(data), &options) {
            let _ = t.slice(1, 3).map(|s| s.write_ipc(&WriteOptions::default()));
            let _ = t.write_ipc(&WriteOptions {
                framing: Framing::Stream,
                compression: Compression::Lz4Frame,
                ..Default::default()
            });
            let _ = t.summary();
        }
    }
});
