//! `ndjson`: newline-delimited JSON read (a given schema or inference) and write. A build without
//! JSON answers `unsupported-format`.

use super::exports::arrow::core::ndjson as wjson;
use super::exports::arrow::core::table::TableBorrow;
#[cfg(not(feature = "json"))]
use super::left_out;
#[cfg(feature = "json")]
use super::opt_usize;
use super::{Component, Handle, WitResult, field_specs};
#[cfg(feature = "json")]
use crate::table::Table;

guarded! {
    impl wjson::Guest for Component {
        fn read(bytes: Vec<u8>, options: wjson::NdjsonReadOptions) -> WitResult<Handle> {
            #[cfg(feature = "json")]
            {
                let o = crate::text::ndjson::NdjsonReadOptions {
                    schema: field_specs(options.schema),
                    infer_rows: opt_usize(options.infer_rows),
                    batch_size: opt_usize(options.batch_size),
                    columns: options.columns,
                    strict: options.strict,
                };
                Ok(Handle::new(Table::read_ndjson(&bytes, &o)?))
            }
            #[cfg(not(feature = "json"))]
            {
                let _ = (bytes, field_specs(options.schema));
                Err(left_out("NDJSON"))
            }
        }

        fn write(source: TableBorrow<'_>, options: wjson::NdjsonWriteOptions) -> WitResult<Vec<u8>> {
            #[cfg(feature = "json")]
            {
                let o = crate::text::ndjson::NdjsonWriteOptions { explicit_nulls: options.explicit_nulls };
                Ok(source.get::<Table>().write_ndjson(&o)?)
            }
            #[cfg(not(feature = "json"))]
            {
                let _ = (source, options);
                Err(left_out("NDJSON"))
            }
        }
    }
}
