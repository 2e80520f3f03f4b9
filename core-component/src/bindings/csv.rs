//! `csv`: CSV read (a given schema or inference) and write. A build without CSV answers
//! `unsupported-format`.

use super::exports::arrow::core::csv as wcsv;
use super::exports::arrow::core::table::TableBorrow;
#[cfg(not(feature = "csv"))]
use super::left_out;
#[cfg(feature = "csv")]
use super::opt_usize;
use super::{Component, Handle, WitResult, field_specs};
#[cfg(feature = "csv")]
use crate::table::Table;

guarded! {
    impl wcsv::Guest for Component {
        fn read(bytes: Vec<u8>, options: wcsv::CsvReadOptions) -> WitResult<Handle> {
            #[cfg(feature = "csv")]
            {
                let o = crate::text::csv::CsvReadOptions {
                    has_header: options.has_header,
                    delimiter: options.delimiter,
                    quote: options.quote,
                    escape: options.escape,
                    comment: options.comment,
                    null_values: options.null_values,
                    schema: field_specs(options.schema),
                    infer_rows: opt_usize(options.infer_rows),
                    batch_size: opt_usize(options.batch_size),
                    columns: options.columns,
                };
                Ok(Handle::new(Table::read_csv(&bytes, &o)?))
            }
            #[cfg(not(feature = "csv"))]
            {
                let _ = (bytes, field_specs(options.schema));
                Err(left_out("CSV"))
            }
        }

        fn write(source: TableBorrow<'_>, options: wcsv::CsvWriteOptions) -> WitResult<Vec<u8>> {
            #[cfg(feature = "csv")]
            {
                let o = crate::text::csv::CsvWriteOptions {
                    header: options.header,
                    delimiter: options.delimiter,
                    quote: options.quote,
                    null_value: options.null_value,
                };
                Ok(source.get::<Table>().write_csv(&o)?)
            }
            #[cfg(not(feature = "csv"))]
            {
                let _ = (source, options);
                Err(left_out("CSV"))
            }
        }
    }
}
