//! `streaming`: the resources over the streaming modules: the IPC push decoder, the table writer
//! and the Parquet range reader.

use super::exports::arrow::core::parquet as wpq;
use super::exports::arrow::core::streaming as wstream;
use super::exports::arrow::core::table::TableBorrow;
#[cfg(not(feature = "parquet"))]
use super::left_out;
#[cfg(feature = "parquet")]
use super::parquet::pq;
use super::registry::marked;
use super::{Component, Handle, WitResult, wit};
use crate::format::DataFormat;
use crate::table::Table;

/// The push decoder behind an `ipc-stream-decoder` handle (methods take `&self`).
pub struct StreamDecoder(std::cell::RefCell<crate::ipc::push::PushDecoder>);

guarded! {
    impl wstream::Guest for Component {
        type IpcStreamDecoder = StreamDecoder;
        type TableWriter = StreamWriter;
        type ParquetRangeReader = RangeReader;
    }
}

/// The range reader behind a `parquet-range-reader` handle (nothing in a build without Parquet,
/// where `create` refuses).
pub struct RangeReader(
    #[cfg(feature = "parquet")] std::cell::RefCell<crate::parquet::RangeReader>,
    #[cfg(not(feature = "parquet"))] (),
);

guarded! {
    impl wstream::GuestParquetRangeReader for RangeReader {
        fn create(file_length: u64, options: wpq::ParquetReadOptions) -> WitResult<wstream::ParquetRangeReader> {
            #[cfg(feature = "parquet")]
            {
                let reader = crate::parquet::RangeReader::new(file_length, pq::read_options(options))?;
                Ok(wstream::ParquetRangeReader::new(RangeReader(std::cell::RefCell::new(reader))))
            }
            #[cfg(not(feature = "parquet"))]
            {
                let _ = (file_length, options);
                Err(left_out("Parquet"))
            }
        }

        fn next(&self) -> WitResult<wstream::RangeStep> {
            #[cfg(feature = "parquet")]
            {
                use crate::parquet::Step;
                Ok(match self.0.borrow_mut().step()? {
                    Step::Needs(ranges) => wstream::RangeStep::Needs(
                        ranges
                            .into_iter()
                            .map(|r| wstream::ByteRange { offset: r.start, length: r.end - r.start })
                            .collect(),
                    ),
                    Step::Batch(batch) => wstream::RangeStep::Batch(Handle::new(Table::from_batches(
                        batch.schema(),
                        vec![batch],
                        Some(DataFormat::Parquet),
                    ))),
                    Step::Finished => wstream::RangeStep::Finished,
                })
            }
            #[cfg(not(feature = "parquet"))]
            Err(left_out("Parquet"))
        }

        fn provide(&self, offset: u64, bytes: Vec<u8>) -> WitResult<()> {
            #[cfg(feature = "parquet")]
            return Ok(self.0.borrow_mut().provide(offset, bytes::Bytes::from(bytes))?);
            #[cfg(not(feature = "parquet"))]
            {
                let _ = (offset, bytes);
                Err(left_out("Parquet"))
            }
        }

        fn schema(&self) -> Option<wit::SchemaSummary> {
            #[cfg(feature = "parquet")]
            return self.0.borrow().schema().map(|s| marked(&s));
            #[cfg(not(feature = "parquet"))]
            None
        }
    }
}

/// The writer behind a `table-writer` handle.
pub struct StreamWriter(std::cell::RefCell<crate::streaming::TableWriter>);

guarded! {
    impl wstream::GuestTableWriter for StreamWriter {
        fn create(schema_of: TableBorrow<'_>, format: wstream::WriterFormat) -> WitResult<wstream::TableWriter> {
            use crate::streaming::{TableWriter, WriterFormat};
            let format = match format {
                wstream::WriterFormat::Ipc(o) => WriterFormat::Ipc(o.into()),
                #[cfg(feature = "parquet")]
                wstream::WriterFormat::Parquet(o) => WriterFormat::Parquet(pq::write_options(o)),
                #[cfg(not(feature = "parquet"))]
                wstream::WriterFormat::Parquet(_) => return Err(left_out("Parquet")),
            };
            let schema = schema_of.get::<Table>().schema().clone();
            let writer = TableWriter::new(schema, &format)?;
            Ok(wstream::TableWriter::new(StreamWriter(std::cell::RefCell::new(writer))))
        }

        fn write(&self, t: TableBorrow<'_>) -> WitResult<Vec<u8>> {
            Ok(self.0.borrow_mut().write(t.get::<Table>())?)
        }

        fn finish(&self) -> WitResult<Vec<u8>> {
            Ok(self.0.borrow_mut().finish()?)
        }

        fn rows_written(&self) -> u64 {
            self.0.borrow().rows_written()
        }
    }
}

guarded! {
    impl wstream::GuestIpcStreamDecoder for StreamDecoder {
        fn new(options: wstream::StreamDecoderOptions) -> Self {
            use crate::format::DEFAULT_MAX_DECOMPRESSED_BYTES;
            use crate::ipc::push::{DEFAULT_MAX_BUFFERED_BYTES, PushDecoder, PushOptions};
            use crate::ipc::read::IpcReadOptions;
            let read = IpcReadOptions {
                columns: options.columns,
                max_decompressed_bytes: options.max_decompressed_bytes.unwrap_or(DEFAULT_MAX_DECOMPRESSED_BYTES),
            };
            let max_buffered_bytes = options.max_buffered_bytes.unwrap_or(DEFAULT_MAX_BUFFERED_BYTES);
            StreamDecoder(std::cell::RefCell::new(PushDecoder::new(PushOptions { max_buffered_bytes, read })))
        }

        fn push(&self, chunk: Vec<u8>) -> WitResult<()> {
            Ok(self.0.borrow_mut().push(&chunk)?)
        }

        fn schema(&self) -> Option<wit::SchemaSummary> {
            Some(marked(self.0.borrow().schema()?))
        }

        fn next_batch(&self) -> Option<Handle> {
            let mut d = self.0.borrow_mut();
            let batch = d.next_batch()?;
            let schema = batch.schema();
            Some(Handle::new(Table::from_batches(schema, vec![batch], Some(DataFormat::ArrowStream))))
        }

        fn finish(&self) -> WitResult<()> {
            Ok(self.0.borrow_mut().finish()?)
        }

        fn done(&self) -> bool {
            self.0.borrow().is_done()
        }

        fn buffered_bytes(&self) -> u64 {
            self.0.borrow().buffered_bytes()
        }
    }
}

impl super::guard::FromPanic for StreamDecoder {
    /// A constructor has no error to return: the panic traps, as it would without the guard.
    fn from_panic(_: String) -> Self {
        std::process::abort()
    }
}
