//! Scalar functions: resolved by name and argument types when a query is bound (which also picks
//! the casts its arguments need and its result type), then invoked on arrays.
//!
//! Each family lives in a file of its own: [`string`], [`math`], [`time`], [`null`].

pub mod math;
pub mod null;
pub mod string;
pub mod time;

use arrow_array::ArrayRef;
use arrow_schema::DataType;

use crate::error::Result;
use crate::plan::{BinaryOp, Literal};

/// A scalar function, with whatever its literal arguments fixed at bind time.
#[derive(Debug, Clone, PartialEq)]
pub enum ScalarFunc {
    /// A string function.
    String(string::StringFunc),
    /// A math function.
    Math(math::MathFunc),
    /// A date/time function.
    Time(time::TimeFunc),
    /// `coalesce`, `nullif`, `greatest`, `least`.
    Null(null::NullFunc),
}

impl ScalarFunc {
    /// The function's name, for plans and messages.
    pub fn name(&self) -> String {
        match self {
            ScalarFunc::String(f) => f.name(),
            ScalarFunc::Math(f) => f.name(),
            ScalarFunc::Time(f) => f.name(),
            ScalarFunc::Null(f) => f.name(),
        }
    }
}

/// What the binder knows of an argument: its type, and its value when it is a literal.
#[derive(Debug, Clone, Copy)]
pub struct Arg<'a> {
    /// The argument's type.
    pub data_type: &'a DataType,
    /// Its value, when it is a constant.
    pub literal: Option<&'a Literal>,
}

/// A resolved call: the function, the types to cast the arguments to, the result type.
#[derive(Debug, Clone, PartialEq)]
pub struct Resolved {
    /// The function.
    pub func: ScalarFunc,
    /// One type per argument: the binder casts each argument to it.
    pub arg_types: Vec<DataType>,
    /// The result type.
    pub return_type: DataType,
}

/// Resolve `name(args)`; `Ok(None)` when no scalar function has the name. A known name with
/// arguments it cannot take is a type error naming both.
pub fn resolve(name: &str, args: &[Arg<'_>]) -> Result<Option<Resolved>> {
    let name = name.to_ascii_lowercase();
    if let Some(r) = null::resolve(&name, args)? {
        return Ok(Some(r));
    }
    if let Some(r) = string::resolve(&name, args)? {
        return Ok(Some(r));
    }
    if let Some(r) = math::resolve(&name, args)? {
        return Ok(Some(r));
    }
    time::resolve(&name, args)
}

/// Every scalar function name, for "did you mean" hints.
pub fn names() -> Vec<&'static str> {
    let mut v = Vec::new();
    v.extend_from_slice(null::NAMES);
    v.extend_from_slice(string::NAMES);
    v.extend_from_slice(math::NAMES);
    v.extend_from_slice(time::NAMES);
    v
}

/// `left op right` when a side is a date, timestamp or interval (`date + 1`, `ts - INTERVAL '1
/// hour'`, `date - date`), which are functions rather than numeric kernels; `None` when neither
/// side is temporal.
pub fn resolve_temporal_operator(op: BinaryOp, left: &DataType, right: &DataType) -> Result<Option<Resolved>> {
    time::resolve_operator(op, left, right)
}

/// Run a resolved function on arrays of `len` rows (each argument already of its `arg_types`).
pub fn invoke(func: &ScalarFunc, args: &[ArrayRef], len: usize, return_type: &DataType) -> Result<ArrayRef> {
    match func {
        ScalarFunc::String(f) => string::invoke(f, args, len, return_type),
        ScalarFunc::Math(f) => math::invoke(f, args, len, return_type),
        ScalarFunc::Time(f) => time::invoke(f, args, len, return_type),
        ScalarFunc::Null(f) => null::invoke(f, args, len, return_type),
    }
}

/// The argument at `i`.
pub(crate) fn arg(args: &[ArrayRef], i: usize) -> Result<&ArrayRef> {
    args.get(i).ok_or_else(|| crate::error::AnalyticsError::internal(format!("missing argument {i}")))
}

/// A type error for a call of `name` with argument types it does not take.
pub(crate) fn no_signature(name: &str, args: &[Arg<'_>], expected: &str) -> crate::error::AnalyticsError {
    let got: Vec<String> = args.iter().map(|a| a.data_type.to_string()).collect();
    crate::error::AnalyticsError::types(format!("{name}({}) is not defined: {name} takes {expected}", got.join(", ")))
}
