//! Date and time functions, and arithmetic on dates, timestamps and intervals.

use arrow_array::ArrayRef;
use arrow_schema::DataType;

use super::{Arg, Resolved};
use crate::error::{AnalyticsError, Result};
use crate::plan::BinaryOp;

/// A date/time function.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum TimeFunc {}

impl TimeFunc {
    /// The SQL name.
    pub fn name(&self) -> String {
        match *self {}
    }
}

/// The names this family answers to.
pub const NAMES: &[&str] = &[];

/// Resolve a call of this family.
pub fn resolve(_name: &str, _args: &[Arg<'_>]) -> Result<Option<Resolved>> {
    Ok(None)
}

/// Resolve `left op right` on temporal operands.
pub fn resolve_operator(_op: BinaryOp, left: &DataType, right: &DataType) -> Result<Option<Resolved>> {
    let temporal = |t: &DataType| matches!(t, DataType::Date32 | DataType::Date64 | DataType::Timestamp(..) | DataType::Interval(_) | DataType::Duration(_));
    if temporal(left) || temporal(right) {
        return Err(AnalyticsError::unsupported(format!("arithmetic on {left} and {right}")));
    }
    Ok(None)
}

/// Run it.
pub fn invoke(func: &TimeFunc, _args: &[ArrayRef], _len: usize, _return_type: &DataType) -> Result<ArrayRef> {
    match *func {}
}
