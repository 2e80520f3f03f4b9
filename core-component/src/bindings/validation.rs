//! `validation`: a whole file checked, every problem listed; a report, never an error.

use arrow_buffer::Buffer;

use super::exports::arrow::core::validation as wval;
use super::{Component, wit};

guarded! {
    impl wval::Guest for Component {
        fn validate(bytes: Vec<u8>, options: wit::ReadOptions) -> wval::ValidationReport {
            let r = crate::validate::validate(Buffer::from_vec(bytes), &options.into());
            wval::ValidationReport {
                format: r.format.map(Into::into),
                num_rows: r.num_rows,
                num_batches: r.num_batches,
                checks: r.checks.into_iter().map(str::to_string).collect(),
                problems: r
                    .problems
                    .into_iter()
                    .map(|p| wval::Problem { location: p.location, error: p.error.into() })
                    .collect(),
            }
        }
    }
}
