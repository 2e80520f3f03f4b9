//! Window functions: the input gathered, sorted by partition and order keys, each partition
//! walked to compute every call's values; the output is the input's rows (in that order) with one
//! column per call.

use arrow_array::RecordBatch;
use arrow_schema::SchemaRef;

use super::ExecContext;
use crate::error::{AnalyticsError, Result};
use crate::plan::WindowCall;

/// Run the window calls over `batches`.
pub fn run(batches: Vec<RecordBatch>, input_schema: &SchemaRef, windows: &[WindowCall], schema: &SchemaRef, ctx: &ExecContext<'_>) -> Result<Vec<RecordBatch>> {
    let _ = (batches, input_schema, schema, ctx);
    Err(AnalyticsError::unsupported(format!("window functions ({})", windows.iter().map(|w| w.func.name()).collect::<Vec<_>>().join(", "))))
}
