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
use crate::types::{BinaryOp, Literal};

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

/// The value of a string literal argument (`None` for a column, a NULL or another type).
pub(crate) fn literal_str<'a>(a: &Arg<'a>) -> Option<&'a str> {
    use arrow_array::Array;
    use arrow_array::cast::AsArray;
    let l = a.literal?;
    let s = l.0.as_string_opt::<i32>()?;
    (s.len() == 1 && s.is_valid(0)).then(|| s.value(0))
}

/// The value of an integer literal argument.
pub(crate) fn literal_int(a: &Arg<'_>) -> Option<i64> {
    use arrow_array::Array;
    let l = a.literal?;
    if l.0.len() != 1 || l.0.is_null(0) || !l.0.data_type().is_integer() {
        return None;
    }
    let v = crate::types::cast::cast(&l.0, &DataType::Int64, false).ok()?;
    use arrow_array::cast::AsArray;
    v.as_primitive_opt::<arrow_array::types::Int64Type>().map(|a| a.value(0))
}

/// Whether the argument is a NULL literal (of any type).
pub(crate) fn is_null_literal(a: &Arg<'_>) -> bool {
    *a.data_type == DataType::Null || a.literal.is_some_and(|l| l.is_null())
}

/// Whether an argument can be passed where a string is taken: a string or an untyped NULL.
pub(crate) fn stringish(t: &DataType) -> bool {
    crate::types::coerce::is_string(t) || *t == DataType::Null
}

/// Whether an argument can be passed where an integer is taken.
pub(crate) fn integerish(t: &DataType) -> bool {
    t.is_integer() || *t == DataType::Null
}

/// The type several arguments meet at, as DuckDB unifies them: string literals take the type of
/// the others (they are parsed as it), an integer literal takes the integer type it meets when it
/// fits it (`greatest(tinyint_col, 1)` stays `tinyint`), left to right, so two literals meet as
/// plain integers first; everything else by [`crate::types::coerce::common_type`].
pub(crate) fn unify(args: &[Arg<'_>]) -> Option<DataType> {
    use crate::types::coerce::{common_type, is_string, literal_fits};
    let string_literal = |a: &Arg<'_>| a.literal.is_some() && is_string(a.data_type);
    let int_literal = |a: &Arg<'_>| literal_int(a).filter(|_| matches!(a.data_type, DataType::Int32 | DataType::Int64));
    // Left to right, as DuckDB meets them: only a lone integer literal so far (or the next
    // argument, when it is one) takes the other side's integer type; two literals meet as plain
    // integers (`coalesce(76, 19, u32)` is a BIGINT, `coalesce(76, u32)` a UINTEGER).
    let mut t = DataType::Null;
    let mut lone: Option<i64> = None;
    for a in args.iter().filter(|a| !string_literal(a)) {
        let lit = int_literal(a);
        if t == DataType::Null {
            t = a.data_type.clone();
            lone = lit;
            continue;
        }
        t = match (lone, lit) {
            (Some(v), None) if a.data_type.is_integer() && literal_fits(i128::from(v), a.data_type) => {
                a.data_type.clone()
            }
            (None, Some(v)) if t.is_integer() && literal_fits(i128::from(v), &t) => t,
            _ => common_type(&t, a.data_type)?,
        };
        lone = None;
    }
    if args.iter().any(string_literal) && (t == DataType::Null || is_string(&t)) {
        t = DataType::Utf8;
    }
    Some(t)
}

/// A type error for a call of `name` with argument types it does not take.
pub(crate) fn no_signature(name: &str, args: &[Arg<'_>], expected: &str) -> crate::error::AnalyticsError {
    let got: Vec<String> = args.iter().map(|a| a.data_type.to_string()).collect();
    crate::error::AnalyticsError::types(format!("{name}({}) is not defined: {name} takes {expected}", got.join(", ")))
}
