//! Tables inside the component: the owned [`Table`] handle and the calls on one. A table
//! remembers the generation of the instance that made it, so a call on a table that outlived a
//! trap answers [`Error::StaleTable`](crate::Error::StaleTable) instead of reaching into a handle
//! table that no longer exists.

use std::rc::Rc;

use wasmtime::Store;
use wasmtime::component::ResourceAny;

use crate::bindings::Core;
use crate::config::Limits;
use crate::error::Result;
use crate::instance::Shared;
use crate::{ArrowError, CsvWriteOptions, DataFormat, IpcWriteOptions, ParquetWriteOptions, SchemaSummary};

/// A table inside the component. Dropping it frees it there.
///
/// ```
/// # let host = arrow_rs_wasm_host::doctest::host();
/// let bytes = std::fs::read("testdata/ipc/lz4.arrow")?;
/// for _ in 0..1000 {
///     let table = host.read(&bytes, &Default::default())?;
///     assert_eq!(table.num_rows()?, 2000);
/// } // each table is freed inside the component here
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
pub struct Table {
    pub(crate) shared: Rc<Shared>,
    pub(crate) handle: ResourceAny,
    pub(crate) generation: u64,
}

impl Table {
    pub(crate) fn call<T>(
        &self,
        f: impl FnOnce(&Core, &mut Store<Limits>, ResourceAny) -> wasmtime::Result<std::result::Result<T, ArrowError>>,
    ) -> Result<T> {
        self.shared.call(Some(self.generation), |core, store| f(core, store, self.handle))
    }

    fn derived(&self, handle: ResourceAny) -> Table {
        Table { shared: self.shared.clone(), handle, generation: self.generation }
    }

    /// The number of rows.
    ///
    /// ```
    /// # let host = arrow_rs_wasm_host::doctest::host();
    /// # let table = host.read(&std::fs::read("testdata/ipc/lz4.arrow")?, &Default::default())?;
    /// assert_eq!(table.num_rows()?, 2000);
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    pub fn num_rows(&self) -> Result<u64> {
        self.call(|c, s, t| c.arrow_core_table().table().call_num_rows(s, t).map(Ok))
    }

    /// The number of columns.
    ///
    /// ```
    /// # let host = arrow_rs_wasm_host::doctest::host();
    /// # let table = host.read(&std::fs::read("testdata/ipc/lz4.arrow")?, &Default::default())?;
    /// assert_eq!(table.num_columns()?, 30);
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    pub fn num_columns(&self) -> Result<u32> {
        self.call(|c, s, t| c.arrow_core_table().table().call_num_columns(s, t).map(Ok))
    }

    /// The number of record batches.
    ///
    /// ```
    /// # let host = arrow_rs_wasm_host::doctest::host();
    /// # let table = host.read(&std::fs::read("testdata/ipc/lz4.arrow")?, &Default::default())?;
    /// assert_eq!(table.num_batches()?, 3);
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    pub fn num_batches(&self) -> Result<u32> {
        self.call(|c, s, t| c.arrow_core_table().table().call_num_batches(s, t).map(Ok))
    }

    /// The format the table was read from; `None` for derived tables.
    ///
    /// ```
    /// use arrow_rs_wasm_host::DataFormat;
    /// # let host = arrow_rs_wasm_host::doctest::host();
    /// # let table = host.read(&std::fs::read("testdata/ipc/lz4.arrow")?, &Default::default())?;
    /// assert_eq!(table.source_format()?, Some(DataFormat::ArrowFile));
    /// assert_eq!(table.slice(0, 1)?.source_format()?, None);
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    pub fn source_format(&self) -> Result<Option<DataFormat>> {
        self.call(|c, s, t| c.arrow_core_table().table().call_source_format(s, t).map(Ok))
    }

    /// The compression codecs the source file's data used (`lz4-frame`, `zstd`, `snappy`, ...);
    /// empty for uncompressed input and derived tables.
    ///
    /// ```
    /// # let host = arrow_rs_wasm_host::doctest::host();
    /// # let table = host.read(&std::fs::read("testdata/ipc/lz4.arrow")?, &Default::default())?;
    /// assert_eq!(table.source_compression()?, ["lz4-frame"]);
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    pub fn source_compression(&self) -> Result<Vec<String>> {
        self.call(|c, s, t| c.arrow_core_table().table().call_source_compression(s, t).map(Ok))
    }

    /// The schema summary.
    ///
    /// ```
    /// # let host = arrow_rs_wasm_host::doctest::host();
    /// # let table = host.read(&std::fs::read("testdata/ipc/lz4.arrow")?, &Default::default())?;
    /// let schema = table.schema()?;
    /// assert_eq!((schema.columns[0].name.as_str(), schema.columns[0].arrow_type.as_str()), ("int8", "Int8"));
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    pub fn schema(&self) -> Result<SchemaSummary> {
        self.call(|c, s, t| c.arrow_core_table().table().call_schema(s, t).map(Ok))
    }

    /// Rows `offset .. offset + length` (clipped), sharing buffers.
    ///
    /// ```
    /// # let host = arrow_rs_wasm_host::doctest::host();
    /// # let table = host.read(&std::fs::read("testdata/ipc/lz4.arrow")?, &Default::default())?;
    /// assert_eq!(table.slice(1990, 100)?.num_rows()?, 10);
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    pub fn slice(&self, offset: u64, length: u64) -> Result<Table> {
        let h = self.call(|c, s, t| c.arrow_core_table().table().call_slice(s, t, offset, length))?;
        Ok(self.derived(h))
    }

    /// The named columns, in that order, sharing buffers.
    ///
    /// ```
    /// # let host = arrow_rs_wasm_host::doctest::host();
    /// # let table = host.read(&std::fs::read("testdata/ipc/lz4.arrow")?, &Default::default())?;
    /// let two = table.select(&["utf8".into(), "int8".into()])?;
    /// assert_eq!(two.schema()?.columns[0].name, "utf8");
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    pub fn select(&self, columns: &[String]) -> Result<Table> {
        let h = self.call(|c, s, t| c.arrow_core_table().table().call_select(s, t, columns))?;
        Ok(self.derived(h))
    }

    /// The table as Arrow IPC bytes (file = Feather v2, or stream).
    ///
    /// ```
    /// use arrow_rs_wasm_host::{IpcCompression, IpcFraming, IpcWriteOptions};
    /// # let host = arrow_rs_wasm_host::doctest::host();
    /// # let table = host.read(&std::fs::read("testdata/ipc/lz4.arrow")?, &Default::default())?;
    /// let stream = table.write_ipc(&IpcWriteOptions { framing: IpcFraming::Stream, ..IpcWriteOptions::file(IpcCompression::Zstd) })?;
    /// assert_eq!(host.read(&stream, &Default::default())?.num_rows()?, 2000);
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    pub fn write_ipc(&self, options: &IpcWriteOptions) -> Result<Vec<u8>> {
        self.call(|c, s, t| c.arrow_core_table().table().call_write_ipc(s, t, *options))
    }

    /// The table as a Parquet file.
    ///
    /// ```
    /// use arrow_rs_wasm_host::{ParquetCompression, ParquetWriteOptions};
    /// # let host = arrow_rs_wasm_host::doctest::host();
    /// # let table = host.read(&std::fs::read("testdata/ipc/lz4.arrow")?, &Default::default())?;
    /// let options = ParquetWriteOptions { compression: ParquetCompression::Zstd, max_row_group_rows: Some(500), ..Default::default() };
    /// let parquet = table.write_parquet(&options)?;
    /// assert_eq!(host.parquet_metadata(&parquet)?.row_groups.len(), 4);
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    pub fn write_parquet(&self, options: &ParquetWriteOptions) -> Result<Vec<u8>> {
        self.call(|c, s, t| c.arrow_core_parquet().call_write(s, t, options))
    }

    /// The table as CSV text.
    ///
    /// ```
    /// # let host = arrow_rs_wasm_host::doctest::host();
    /// let table = host.read_csv(b"id,name\n1,ada\n", &Default::default())?;
    /// assert_eq!(table.write_csv(&Default::default())?, b"id,name\n1,ada\n");
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    pub fn write_csv(&self, options: &CsvWriteOptions) -> Result<Vec<u8>> {
        self.call(|c, s, t| c.arrow_core_csv().call_write(s, t, options))
    }

    /// The table as newline-delimited JSON, one object per row (`explicit_nulls` writes `null`
    /// members instead of leaving them out).
    ///
    /// ```
    /// # let host = arrow_rs_wasm_host::doctest::host();
    /// let table = host.read_csv(b"id,name\n1,ada\n", &Default::default())?;
    /// assert_eq!(table.write_ndjson(false)?, b"{\"id\":1,\"name\":\"ada\"}\n");
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    pub fn write_ndjson(&self, explicit_nulls: bool) -> Result<Vec<u8>> {
        let options = crate::NdjsonWriteOptions { explicit_nulls };
        self.call(|c, s, t| c.arrow_core_ndjson().call_write(s, t, options))
    }

    /// A stable content hash (see the WIT's `fingerprint`).
    ///
    /// ```
    /// use arrow_rs_wasm_host::{IpcCompression, IpcWriteOptions};
    /// # let host = arrow_rs_wasm_host::doctest::host();
    /// # let table = host.read(&std::fs::read("testdata/ipc/lz4.arrow")?, &Default::default())?;
    /// let copy = host.read(&table.write_ipc(&IpcWriteOptions::file(IpcCompression::None))?, &Default::default())?;
    /// assert_eq!(copy.fingerprint()?, table.fingerprint()?);
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    pub fn fingerprint(&self) -> Result<String> {
        self.call(|c, s, t| c.arrow_core_table().table().call_fingerprint(s, t))
    }
}

impl Drop for Table {
    fn drop(&mut self) {
        self.shared.drop_resource(self.handle, self.generation);
    }
}
