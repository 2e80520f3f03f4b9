//! Defaults of the option records `bindgen!` generates from the WIT, and the constructors that
//! fill a whole record ([`IpcWriteOptions::file`]). They are kept together, apart from the calls
//! that take them, so they can be checked against the WIT in one place.

use crate::{
    CsvReadOptions, CsvWriteOptions, DictionaryHandling, IpcCompression, IpcFraming, IpcWriteOptions, MetadataVersion,
    NdjsonReadOptions, ParquetCompression, ParquetReadOptions, ParquetWriteOptions, ReadOptions, StatisticsLevel,
    StreamDecoderOptions, WriterVersion,
};

// The option records are generated, so `#[derive(Default)]` cannot be added to them. The defaults
// are the WIT's documented ones (and pyarrow's where the WIT leaves the choice open).
#[allow(clippy::derivable_impls)]
impl Default for ReadOptions {
    fn default() -> Self {
        Self { format: None, columns: None, batch_size: None, max_decompressed_bytes: None }
    }
}

#[allow(clippy::derivable_impls)]
impl Default for ParquetReadOptions {
    fn default() -> Self {
        Self {
            columns: None,
            row_groups: None,
            batch_size: None,
            offset: None,
            limit: None,
            max_decompressed_bytes: None,
        }
    }
}

#[allow(clippy::derivable_impls)]
impl Default for StreamDecoderOptions {
    fn default() -> Self {
        Self { max_buffered_bytes: None, columns: None, max_decompressed_bytes: None }
    }
}

impl Default for ParquetWriteOptions {
    fn default() -> Self {
        Self {
            compression: ParquetCompression::Snappy,
            compression_level: None,
            max_row_group_rows: None,
            data_page_size: None,
            dictionary: true,
            statistics: StatisticsLevel::Page,
            writer_version: WriterVersion::V1,
            key_value_metadata: Vec::new(),
            page_checksums: true,
        }
    }
}

impl Default for CsvReadOptions {
    fn default() -> Self {
        Self {
            has_header: true,
            delimiter: b',',
            quote: Some(b'"'),
            escape: None,
            comment: None,
            null_values: Vec::new(),
            schema: None,
            infer_rows: None,
            batch_size: None,
            columns: None,
        }
    }
}

impl Default for CsvWriteOptions {
    fn default() -> Self {
        Self { header: true, delimiter: b',', quote: b'"', null_value: String::new() }
    }
}

#[allow(clippy::derivable_impls)]
impl Default for NdjsonReadOptions {
    fn default() -> Self {
        Self { schema: None, infer_rows: None, batch_size: None, columns: None, strict: false }
    }
}

impl IpcWriteOptions {
    /// An IPC file (Feather v2) with the given compression and pyarrow's other defaults
    /// (metadata V5, 64-byte alignment, dictionaries resent).
    ///
    /// ```
    /// use arrow_rs_wasm_host::{IpcCompression, IpcWriteOptions};
    /// # let host = arrow_rs_wasm_host::doctest::host();
    /// # let table = host.read(&std::fs::read("testdata/ipc/zstd.arrow")?, &Default::default())?;
    /// let feather = table.write_ipc(&IpcWriteOptions::file(IpcCompression::Lz4Frame))?;
    /// assert!(feather.starts_with(b"ARROW1"));
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    pub fn file(compression: IpcCompression) -> Self {
        Self {
            framing: IpcFraming::File,
            compression,
            zstd_level: None,
            alignment: 64,
            metadata_version: MetadataVersion::V5,
            legacy_format: false,
            dictionary_handling: DictionaryHandling::Resend,
        }
    }
}
