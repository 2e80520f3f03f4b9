//! Streams of any length: an IPC stream decoded from any `Read` as its bytes arrive
//! ([`IpcStreamTables`]), and tables written to any `Write` as IPC or Parquet ([`TableSink`]), in
//! memory bounded by a batch, a read chunk and a Parquet row group. They are apart from the
//! whole-file calls because each holds a resource of one instance (a decoder, a writer) across
//! many calls, and must answer [`Error::StaleTable`] once a trap has replaced that instance.

use wasmtime::component::ResourceAny;

use crate::error::{Error, Result, io_error};
use crate::instance::Host;
use crate::table::Table;
use crate::{StreamDecoderOptions, WriterFormat};

/// How many bytes a streaming read asks its `Read` for at a time.
const STREAM_CHUNK: usize = 1 << 20;

impl Host {
    /// The tables of an Arrow IPC stream read from `input`, one batch each, decoded as the bytes
    /// arrive: memory holds about one batch and one chunk, whatever the stream's length.
    ///
    /// ```
    /// use arrow_rs_wasm_host::StreamDecoderOptions;
    /// # let host = arrow_rs_wasm_host::doctest::host();
    /// let file = std::fs::File::open("testdata/ipc/multibatch.arrows")?;
    /// let mut rows = 0;
    /// for table in host.read_ipc_stream(file, &StreamDecoderOptions::default())? {
    ///     rows += table?.num_rows()?;
    /// }
    /// assert!(rows > 0);
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    pub fn read_ipc_stream<R: std::io::Read>(
        &self,
        input: R,
        options: &StreamDecoderOptions,
    ) -> Result<IpcStreamTables<R>> {
        let generation = self.shared.instance.borrow().generation;
        let decoder = self.shared.call(None, |core, store| {
            core.arrow_core_streaming().ipc_stream_decoder().call_constructor(store, options).map(Ok)
        })?;
        Ok(IpcStreamTables {
            host: self.clone_handle(),
            decoder,
            generation,
            input,
            chunk: vec![0; STREAM_CHUNK],
            ended: false,
        })
    }

    /// A writer of tables with `schema_of`'s schema to `out`, in `format`: each [`TableSink::write`]
    /// sends the bytes the format has produced so far on to `out`.
    ///
    /// ```
    /// use arrow_rs_wasm_host::{ParquetWriteOptions, WriterFormat};
    /// # let host = arrow_rs_wasm_host::doctest::host();
    /// # let table = host.read(&std::fs::read("testdata/ipc/lz4.arrow")?, &Default::default())?;
    /// let options = ParquetWriteOptions { max_row_group_rows: Some(500), ..Default::default() };
    /// let mut sink = host.table_writer(&table, &WriterFormat::Parquet(options), Vec::new())?;
    /// sink.write(&table.slice(0, 1000)?)?;
    /// sink.write(&table.slice(1000, 1000)?)?;
    /// let parquet = sink.finish()?;
    /// assert_eq!(host.parquet_metadata(&parquet)?.row_groups.len(), 4);
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    pub fn table_writer<W: std::io::Write>(
        &self,
        schema_of: &Table,
        format: &WriterFormat,
        out: W,
    ) -> Result<TableSink<W>> {
        let writer = schema_of.call(|c, s, t| c.arrow_core_streaming().table_writer().call_create(s, t, format))?;
        Ok(TableSink { host: self.clone_handle(), writer, generation: schema_of.generation, out: Some(out) })
    }
}

/// The tables of a streamed IPC read ([`Host::read_ipc_stream`]); the decoder is freed with it.
pub struct IpcStreamTables<R> {
    host: Host,
    decoder: ResourceAny,
    generation: u64,
    input: R,
    chunk: Vec<u8>,
    ended: bool,
}

impl<R: std::io::Read> IpcStreamTables<R> {
    fn step(&mut self) -> Result<Option<Table>> {
        let shared = self.host.shared.clone();
        loop {
            let decoder = self.decoder;
            let next = shared.call(Some(self.generation), |core, store| {
                core.arrow_core_streaming().ipc_stream_decoder().call_next_batch(store, decoder).map(Ok)
            })?;
            if let Some(handle) = next {
                return Ok(Some(Table { shared: shared.clone(), handle, generation: self.generation }));
            }
            if self.ended {
                return Ok(None);
            }
            let n = self.input.read(&mut self.chunk).map_err(io_error)?;
            let chunk = self.chunk.get(..n).unwrap_or_default();
            if n == 0 {
                self.ended = true;
                shared.call(Some(self.generation), |core, store| {
                    core.arrow_core_streaming().ipc_stream_decoder().call_finish(store, decoder)
                })?;
            } else {
                shared.call(Some(self.generation), |core, store| {
                    core.arrow_core_streaming().ipc_stream_decoder().call_push(store, decoder, chunk)
                })?;
            }
        }
    }
}

impl<R: std::io::Read> Iterator for IpcStreamTables<R> {
    type Item = Result<Table>;

    fn next(&mut self) -> Option<Self::Item> {
        match self.step() {
            Ok(Some(t)) => Some(Ok(t)),
            Ok(None) => None,
            Err(e) => {
                // An error ends the stream: the decoder would repeat it.
                self.ended = true;
                Some(Err(e))
            }
        }
    }
}

impl<R> Drop for IpcStreamTables<R> {
    fn drop(&mut self) {
        self.host.shared.drop_resource(self.decoder, self.generation);
    }
}

/// A streaming writer to a `Write` ([`Host::table_writer`]); the writer is freed with it.
pub struct TableSink<W> {
    host: Host,
    writer: ResourceAny,
    generation: u64,
    /// `None` once `finish` handed it back.
    out: Option<W>,
}

impl<W: std::io::Write> TableSink<W> {
    /// Write a table's rows (its fields must be the writer's) and pass on the bytes produced.
    pub fn write(&mut self, table: &Table) -> Result<()> {
        let (writer, handle) = (self.writer, table.handle);
        let bytes = self.host.shared.call(Some(self.generation), |core, store| {
            core.arrow_core_streaming().table_writer().call_write(store, writer, handle)
        })?;
        self.out.as_mut().ok_or_else(|| Error::Io("the sink is finished".into()))?.write_all(&bytes).map_err(io_error)
    }

    /// End the output and return the `Write`, flushed.
    pub fn finish(mut self) -> Result<W> {
        let writer = self.writer;
        let bytes = self.host.shared.call(Some(self.generation), |core, store| {
            core.arrow_core_streaming().table_writer().call_finish(store, writer)
        })?;
        let mut out = self.out.take().ok_or_else(|| Error::Io("the sink is finished".into()))?;
        out.write_all(&bytes).map_err(io_error)?;
        out.flush().map_err(io_error)?;
        Ok(out)
    }
}

impl<W> Drop for TableSink<W> {
    fn drop(&mut self) {
        self.host.shared.drop_resource(self.writer, self.generation);
    }
}
