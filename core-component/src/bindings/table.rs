//! `table`: the table resource and the free functions beside it (format detection, the formats
//! this build reads).

use arrow_buffer::Buffer;

use super::exports::arrow::core::table::{Guest, GuestTable, TableBorrow};
use super::registry::marked;
use super::{Component, Handle, WitResult, wit};
use crate::table::Table;

guarded! {
    impl Guest for Component {
        type Table = Table;

        fn detect_format(head: Vec<u8>) -> WitResult<wit::DataFormat> {
            Ok(crate::sniff::detect(&head)?.into())
        }

        fn readable_formats() -> Vec<wit::DataFormat> {
            let mut v = vec![wit::DataFormat::ArrowFile, wit::DataFormat::ArrowStream, wit::DataFormat::FeatherV1];
            if cfg!(feature = "parquet") {
                v.push(wit::DataFormat::Parquet);
            }
            if cfg!(feature = "csv") {
                v.push(wit::DataFormat::Csv);
            }
            if cfg!(feature = "json") {
                v.push(wit::DataFormat::Ndjson);
            }
            v
        }
    }
}

guarded! {
    impl GuestTable for Table {
        fn read(bytes: Vec<u8>, options: wit::ReadOptions) -> WitResult<Handle> {
            // The canonical ABI already copied the bytes into this Vec; the table's buffers are
            // slices of it, so the read itself copies nothing more.
            let table = Table::read(Buffer::from_vec(bytes), &options.into())?;
            Ok(Handle::new(table))
        }

        fn concat(tables: Vec<TableBorrow<'_>>) -> WitResult<Handle> {
            let refs: Vec<&Table> = tables.iter().map(|t| t.get::<Table>()).collect();
            Ok(Handle::new(Table::concat(&refs)?))
        }

        fn source_format(&self) -> Option<wit::DataFormat> {
            Table::source_format(self).map(Into::into)
        }

        fn source_compression(&self) -> Vec<String> {
            self.source_codecs().iter().map(|c| c.to_string()).collect()
        }

        fn num_rows(&self) -> u64 {
            Table::num_rows(self)
        }

        fn num_columns(&self) -> u32 {
            Table::num_columns(self) as u32
        }

        fn num_batches(&self) -> u32 {
            self.batches().len() as u32
        }

        fn schema(&self) -> wit::SchemaSummary {
            marked(self.schema())
        }

        fn filter(&self, mask: Vec<bool>) -> WitResult<Handle> {
            Ok(Handle::new(Table::filter(self, &mask)?))
        }

        fn slice(&self, offset: u64, length: u64) -> WitResult<Handle> {
            Ok(Handle::new(Table::slice(self, offset, length)?))
        }

        fn select(&self, columns: Vec<String>) -> WitResult<Handle> {
            Ok(Handle::new(Table::select(self, &columns)?))
        }

        fn write_ipc(&self, options: wit::IpcWriteOptions) -> WitResult<Vec<u8>> {
            Ok(Table::write_ipc(self, &options.into())?)
        }

        fn fingerprint(&self) -> WitResult<String> {
            Ok(Table::fingerprint(self)?)
        }
    }
}
