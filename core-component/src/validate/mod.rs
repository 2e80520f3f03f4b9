//! Full validation of a file: everything a read checks, and then what a read takes on trust.
//!
//! A read already refuses bytes it cannot decode safely. Validation goes further, the way
//! pyarrow's `validate(full=True)` and `parquet-tools` do, and reports every problem rather than
//! the first:
//!
//! - `decode`: the whole file is read with the core's bounds (a failure stops here);
//! - `arrays`: every column of every batch passes arrow-rs's full data validation (offsets,
//!   UTF-8, dictionary keys in range, union type ids, null counts) and non-nullable fields hold no
//!   nulls;
//! - `ipc-footer` (IPC files): the footer points at the same schema and batches as the stream the
//!   file carries, so readers that walk the stream and readers that use the footer agree;
//! - `parquet-row-counts` and `parquet-statistics` (Parquet): each row group holds the rows its
//!   footer declares, and its null counts and min/max bounds hold for the values decoded.
//!
//! It sits above the format readers and [`Table`]: it reads, then checks what was read.

use arrow_buffer::Buffer;

#[cfg(feature = "parquet")]
mod parquet;

use crate::error::CoreError;
use crate::format::{DEFAULT_MAX_DECOMPRESSED_BYTES, DataFormat};
use crate::ipc::read::{IpcReadOptions, read_embedded_stream};
use crate::sniff;
use crate::table::{ReadOptions, Table};

/// One thing wrong with a file.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Problem {
    /// Where: `file`, `batch 3, column "x"`, `row group 2, column "a"`.
    pub location: String,
    /// What is wrong, classified as a read error would be.
    pub error: CoreError,
}

/// What [`validate`] checked and found.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Report {
    /// The format the bytes were read as; `None` when it could not be told.
    pub format: Option<DataFormat>,
    /// Rows decoded.
    pub num_rows: u64,
    /// Record batches decoded (for Parquet, row groups).
    pub num_batches: u32,
    /// The checks that ran, in order.
    pub checks: Vec<&'static str>,
    /// Everything wrong; empty when the file is valid.
    pub problems: Vec<Problem>,
}

impl Report {
    /// Whether no check found a problem.
    pub fn is_valid(&self) -> bool {
        self.problems.is_empty()
    }

    fn problem(&mut self, location: impl Into<String>, error: CoreError) {
        self.problems.push(Problem { location: location.into(), error });
    }
}

/// Validate a whole file. Never fails: what is wrong goes into the report's problems. Options
/// select the format (sniffed when absent), the columns to check and the decompression limit;
/// `batch_size` is ignored (batches are checked as stored).
pub fn validate(input: Buffer, options: &ReadOptions) -> Report {
    let mut report = Report::default();
    report.checks.push("format");
    let format = match options.format {
        Some(f) => f,
        None => match sniff::detect(input.as_slice()) {
            Ok(f) => f,
            Err(e) => {
                report.problem("file", e);
                return report;
            }
        },
    };
    report.format = Some(format);
    report.checks.push("decode");
    let read = ReadOptions { format: Some(format), batch_size: None, ..options.clone() };
    let table = match Table::read(input.clone(), &read) {
        Ok(t) => t,
        Err(e) => {
            report.problem("file", e);
            return report;
        }
    };
    report.num_rows = table.num_rows();
    report.num_batches = u32::try_from(table.batches().len()).unwrap_or(u32::MAX);
    report.checks.push("arrays");
    check_arrays(&table, &mut report);
    match format {
        DataFormat::ArrowFile => {
            report.checks.push("ipc-footer");
            check_ipc_footer(&input, &table, options, &mut report);
        }
        #[cfg(feature = "parquet")]
        DataFormat::Parquet => {
            report.checks.extend(["parquet-row-counts", "parquet-statistics"]);
            let (row_groups, problems) = parquet::check_against_footer(bytes::Bytes::from_owner(input), &table);
            report.num_batches = row_groups;
            report.problems.extend(problems);
        }
        _ => {}
    }
    report
}

fn check_arrays(table: &Table, report: &mut Report) {
    for (i, batch) in table.batches().iter().enumerate() {
        for (field, column) in batch.schema().fields().iter().zip(batch.columns()) {
            let location = format!("batch {i}, column {:?}", field.name());
            if let Err(e) = column.to_data().validate_full() {
                report.problem(location, CoreError::Malformed(e.to_string()));
            } else if !field.is_nullable() && column.null_count() > 0 {
                report.problem(
                    location,
                    CoreError::Malformed(format!("the field is not nullable but holds {} nulls", column.null_count())),
                );
            }
        }
    }
}

fn check_ipc_footer(input: &Buffer, table: &Table, options: &ReadOptions, report: &mut Report) {
    let ipc = IpcReadOptions {
        columns: options.columns.clone(),
        max_decompressed_bytes: options.max_decompressed_bytes.unwrap_or(DEFAULT_MAX_DECOMPRESSED_BYTES),
    };
    let stream = match read_embedded_stream(input, &ipc) {
        Ok(s) => s,
        Err(e) => {
            report.problem("the stream before the footer", e);
            return;
        }
    };
    let malformed = |m: String| CoreError::Malformed(m);
    if stream.schema.fields() != table.schema().fields() {
        report.problem("footer", malformed("the footer's schema differs from the stream's schema message".into()));
        return;
    }
    let (ours, theirs) = (table.batches(), &stream.batches);
    if ours.len() != theirs.len() {
        report.problem(
            "footer",
            malformed(format!(
                "the footer lists {} record batches, the stream before it holds {}",
                ours.len(),
                theirs.len()
            )),
        );
        return;
    }
    for (i, (a, b)) in ours.iter().zip(theirs).enumerate() {
        if a.columns() != b.columns() {
            report.problem(
                format!("batch {i}"),
                malformed("the batch the footer points at differs from the stream's batch at that position".into()),
            );
        }
    }
}
