//! Writers that take tables one at a time and hand back output bytes as they are produced: Arrow
//! IPC streams, IPC files (the footer at the end) and Parquet (row groups as they fill). The host
//! sends the bytes on (a file, a `WritableStream`, an HTTP body); the core holds only what the
//! format has not yet flushed (for Parquet, the row group being filled).

use arrow_array::RecordBatch;
use arrow_ipc::writer::{FileWriter, StreamWriter};
use arrow_schema::SchemaRef;

use crate::error::{CoreError, Result};
use crate::ipc::write::{Framing, WriteOptions};
#[cfg(feature = "parquet")]
use crate::parquet::{ParquetSink, ParquetWriteOptions};
use crate::table::Table;

/// What a [`TableWriter`] writes.
#[derive(Debug, Clone)]
pub enum WriterFormat {
    /// Arrow IPC, file or stream.
    Ipc(WriteOptions),
    /// Parquet.
    #[cfg(feature = "parquet")]
    Parquet(ParquetWriteOptions),
}

enum Sink {
    IpcFile(FileWriter<Vec<u8>>),
    IpcStream(StreamWriter<Vec<u8>>),
    #[cfg(feature = "parquet")]
    Parquet(Box<ParquetSink>),
}

/// A writer of tables with one schema, batch by batch.
pub struct TableWriter {
    schema: SchemaRef,
    sink: Option<Sink>,
    rows: u64,
}

fn closed() -> CoreError {
    CoreError::Closed("the writer is finished".into())
}

impl TableWriter {
    /// A writer of tables with `schema`.
    pub fn new(schema: SchemaRef, format: &WriterFormat) -> Result<Self> {
        let sink = match format {
            WriterFormat::Ipc(options) => {
                let arrow = options.to_arrow()?;
                match options.framing {
                    Framing::File => Sink::IpcFile(
                        FileWriter::try_new_with_options(Vec::new(), &schema, arrow).map_err(CoreError::from_encode)?,
                    ),
                    Framing::Stream => Sink::IpcStream(
                        StreamWriter::try_new_with_options(Vec::new(), &schema, arrow)
                            .map_err(CoreError::from_encode)?,
                    ),
                }
            }
            #[cfg(feature = "parquet")]
            WriterFormat::Parquet(options) => Sink::Parquet(Box::new(ParquetSink::new(&schema, options)?)),
        };
        Ok(Self { schema, sink: Some(sink), rows: 0 })
    }

    /// Rows written so far.
    pub fn rows_written(&self) -> u64 {
        self.rows
    }

    /// Write a table's batches and return the bytes produced so far. A table whose fields differ
    /// from the writer's is a `SchemaMismatch` and writes nothing.
    pub fn write(&mut self, table: &Table) -> Result<Vec<u8>> {
        if table.schema().fields() != self.schema.fields() {
            return Err(CoreError::SchemaMismatch(format!(
                "the writer's columns are {:?}; this table's are {:?}",
                self.schema.fields().iter().map(|f| format!("{}: {}", f.name(), f.data_type())).collect::<Vec<_>>(),
                table.schema().fields().iter().map(|f| format!("{}: {}", f.name(), f.data_type())).collect::<Vec<_>>(),
            )));
        }
        let sink = self.sink.as_mut().ok_or_else(closed)?;
        for batch in table.batches() {
            let batch =
                batch.clone().with_schema(self.schema.clone()).map_err(|e| CoreError::Internal(e.to_string()))?;
            write_batch(sink, &batch)?;
            self.rows += batch.num_rows() as u64;
        }
        Ok(take_bytes(sink))
    }

    /// Finish the output (the IPC end marker or footer; Parquet's last row group and footer) and
    /// return its last bytes. The writer is closed afterwards.
    pub fn finish(&mut self) -> Result<Vec<u8>> {
        match self.sink.take().ok_or_else(closed)? {
            Sink::IpcFile(mut w) => {
                w.finish().map_err(CoreError::from_encode)?;
                w.into_inner().map_err(CoreError::from_encode)
            }
            Sink::IpcStream(mut w) => {
                w.finish().map_err(CoreError::from_encode)?;
                w.into_inner().map_err(CoreError::from_encode)
            }
            #[cfg(feature = "parquet")]
            Sink::Parquet(w) => w.finish(),
        }
    }
}

fn write_batch(sink: &mut Sink, batch: &RecordBatch) -> Result<()> {
    match sink {
        // The file format allows one dictionary per column: arrow-ipc refuses a replacement,
        // which a streaming writer cannot unify ahead of time (the whole-table writer does).
        Sink::IpcFile(w) => w.write(batch).map_err(CoreError::from_encode),
        Sink::IpcStream(w) => w.write(batch).map_err(CoreError::from_encode),
        #[cfg(feature = "parquet")]
        Sink::Parquet(w) => w.write(batch),
    }
}

fn take_bytes(sink: &mut Sink) -> Vec<u8> {
    match sink {
        Sink::IpcFile(w) => std::mem::take(w.get_mut()),
        Sink::IpcStream(w) => std::mem::take(w.get_mut()),
        #[cfg(feature = "parquet")]
        Sink::Parquet(w) => w.take_bytes(),
    }
}
