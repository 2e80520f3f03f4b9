//! The [`Host`]'s calls on a whole file held in memory: format detection, reads into a
//! [`Table`], the Parquet footer, validation. They are the entry points that make tables, so they
//! sit above the table module; the streaming calls, for inputs that do not fit in memory, have a
//! module of their own.

use wasmtime::component::ResourceAny;

use crate::error::Result;
use crate::instance::Host;
use crate::table::Table;
use crate::{
    CsvReadOptions, DataFormat, NdjsonReadOptions, ParquetMetadata, ParquetReadOptions, ReadOptions, ValidationReport,
};

impl Host {
    /// Identify a format from the first bytes of a file.
    ///
    /// ```
    /// use arrow_rs_wasm_host::DataFormat;
    /// # let host = arrow_rs_wasm_host::doctest::host();
    /// assert_eq!(host.detect_format(b"PAR1\x15\x04")?, DataFormat::Parquet);
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    pub fn detect_format(&self, head: &[u8]) -> Result<DataFormat> {
        self.shared.call(None, |core, store| core.arrow_core_table().call_detect_format(store, head))
    }

    /// The formats this build of the core reads.
    ///
    /// ```
    /// use arrow_rs_wasm_host::DataFormat;
    /// # let host = arrow_rs_wasm_host::doctest::host();
    /// assert!(host.readable_formats()?.contains(&DataFormat::FeatherV1));
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    pub fn readable_formats(&self) -> Result<Vec<DataFormat>> {
        self.shared.call(None, |core, store| core.arrow_core_table().call_readable_formats(store).map(Ok))
    }

    /// Read a whole file in any format the core reads.
    ///
    /// ```
    /// use arrow_rs_wasm_host::ReadOptions;
    /// # let host = arrow_rs_wasm_host::doctest::host();
    /// let options = ReadOptions { columns: Some(vec!["int64".into(), "utf8".into()]), ..ReadOptions::default() };
    /// let table = host.read(&std::fs::read("testdata/ipc/zstd.arrow")?, &options)?;
    /// assert_eq!(table.num_columns()?, 2);
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    pub fn read(&self, bytes: &[u8], options: &ReadOptions) -> Result<Table> {
        let h =
            self.shared.call(None, |core, store| core.arrow_core_table().table().call_read(store, bytes, options))?;
        Ok(self.table(h))
    }

    /// The rows of `tables`, in order, as one table (their columns must be equal; buffers are
    /// shared, not copied).
    ///
    /// ```
    /// # let host = arrow_rs_wasm_host::doctest::host();
    /// let t = host.read(&std::fs::read("testdata/ipc/lz4.arrow")?, &Default::default())?;
    /// let both = host.concat(&[&t.slice(0, 10)?, &t.slice(1990, 10)?])?;
    /// assert_eq!(both.num_rows()?, 20);
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    pub fn concat(&self, tables: &[&Table]) -> Result<Table> {
        if tables
            .iter()
            .any(|t| t.generation != self.shared.generation() || !std::rc::Rc::ptr_eq(&t.shared, &self.shared))
        {
            return Err(crate::Error::StaleTable);
        }
        let handles: Vec<ResourceAny> = tables.iter().map(|t| t.handle).collect();
        let h = self.shared.call(None, |core, store| core.arrow_core_table().table().call_concat(store, &handles))?;
        Ok(self.table(h))
    }

    /// Read Parquet with its own options.
    ///
    /// ```
    /// use arrow_rs_wasm_host::ParquetReadOptions;
    /// # let host = arrow_rs_wasm_host::doctest::host();
    /// let options = ParquetReadOptions { row_groups: Some(vec![0, 6]), ..ParquetReadOptions::default() };
    /// let table = host.read_parquet(&std::fs::read("testdata/parquet/row_groups.parquet")?, &options)?;
    /// assert_eq!(table.num_rows()?, 300 + 200);
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    pub fn read_parquet(&self, bytes: &[u8], options: &ParquetReadOptions) -> Result<Table> {
        let h = self.shared.call(None, |core, store| core.arrow_core_parquet().call_read(store, bytes, options))?;
        Ok(self.table(h))
    }

    /// A Parquet file's footer.
    ///
    /// ```
    /// # let host = arrow_rs_wasm_host::doctest::host();
    /// let meta = host.parquet_metadata(&std::fs::read("testdata/parquet/row_groups.parquet")?)?;
    /// assert_eq!(meta.row_groups.len(), 7);
    /// assert_eq!(meta.num_rows, 2000);
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    pub fn parquet_metadata(&self, bytes: &[u8]) -> Result<ParquetMetadata> {
        self.shared.call(None, |core, store| core.arrow_core_parquet().call_metadata(store, bytes))
    }

    /// Read CSV text.
    ///
    /// ```
    /// use arrow_rs_wasm_host::CsvReadOptions;
    /// # let host = arrow_rs_wasm_host::doctest::host();
    /// let options = CsvReadOptions { delimiter: b';', ..CsvReadOptions::default() };
    /// let table = host.read_csv(b"a;b\n1;x\n2;y\n", &options)?;
    /// assert_eq!((table.num_rows()?, table.num_columns()?), (2, 2));
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    pub fn read_csv(&self, bytes: &[u8], options: &CsvReadOptions) -> Result<Table> {
        let h = self.shared.call(None, |core, store| core.arrow_core_csv().call_read(store, bytes, options))?;
        Ok(self.table(h))
    }

    /// Read newline-delimited JSON.
    ///
    /// ```
    /// # let host = arrow_rs_wasm_host::doctest::host();
    /// let table = host.read_ndjson(b"{\"a\": 1}\n{\"a\": 2, \"b\": [1, 2]}\n", &Default::default())?;
    /// assert_eq!(table.schema()?.columns[1].arrow_type, "List(Int64)");
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    pub fn read_ndjson(&self, bytes: &[u8], options: &NdjsonReadOptions) -> Result<Table> {
        let h = self.shared.call(None, |core, store| core.arrow_core_ndjson().call_read(store, bytes, options))?;
        Ok(self.table(h))
    }

    /// Validate a whole file beyond what a read checks (see the WIT's `validation` interface):
    /// every problem is listed in the report; the call itself fails only on a trap or limit.
    ///
    /// ```
    /// # use arrow_rs_wasm_host::ReadOptions;
    /// # let host = arrow_rs_wasm_host::doctest::host();
    /// let bytes = std::fs::read("testdata/parquet/row_groups.parquet")?;
    /// let report = host.validate(&bytes, &ReadOptions::default())?;
    /// assert!(report.problems.is_empty());
    /// assert_eq!(report.checks.last().map(String::as_str), Some("parquet-statistics"));
    /// let report = host.validate(&bytes[..bytes.len() - 1], &ReadOptions::default())?;
    /// for p in &report.problems {
    ///     eprintln!("{}: {}", p.location, p.error.message);
    /// }
    /// assert_eq!(report.problems.len(), 1);
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    pub fn validate(&self, bytes: &[u8], options: &ReadOptions) -> Result<ValidationReport> {
        self.shared.call(None, |core, store| core.arrow_core_validation().call_validate(store, bytes, options).map(Ok))
    }

    fn table(&self, handle: ResourceAny) -> Table {
        let generation = self.shared.instance.borrow().generation;
        Table { shared: self.shared.clone(), handle, generation }
    }
}
