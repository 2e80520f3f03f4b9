//! Window functions: ranking (`row_number`, `rank`, `dense_rank`, `percent_rank`, `cume_dist`,
//! `ntile`), offsets (`lag`, `lead`), `first_value`/`last_value`/`nth_value`, and every aggregate
//! over a frame. Resolved at bind time (constant offsets folded into [`WindowFunc`]); run by
//! `exec::window` over the rows sorted by partition and order keys.
//!
//! Types and edge cases follow DuckDB: the ranks are `int64`, `percent_rank` and `cume_dist`
//! `float64`; `lag`/`lead`/`*_value` keep their argument's type and a default is cast to it; a NULL
//! offset gives NULL, a negative one looks the other way; `nth_value` below 1 is NULL; `ntile`
//! below 1 is an error.

use arrow_array::Array;
use arrow_array::cast::AsArray;
use arrow_array::types::Int64Type;
use arrow_schema::DataType;

use crate::error::{AnalyticsError, Result};
use crate::functions::aggregate::AggFunc;
use crate::functions::scalar::Arg;
use crate::types::coerce::is_integer;
use crate::types::{Frame, FrameBound};

/// A window function.
#[derive(Debug, Clone, PartialEq)]
pub enum WindowFunc {
    /// `row_number()`.
    RowNumber,
    /// `rank()`: ties (peers) share the rank of the first of them.
    Rank,
    /// `dense_rank()`: peers share a rank, with no gaps.
    DenseRank,
    /// `percent_rank()`: `(rank - 1) / (partition rows - 1)`, 0 for a single row.
    PercentRank,
    /// `cume_dist()`: rows up to the current row's last peer, over the partition's rows.
    CumeDist,
    /// `ntile(n)`: buckets numbered 1 to `n`, as equal as they can be (the first ones larger);
    /// `n` is evaluated per row.
    Ntile,
    /// `lag(x [, offset [, default]])`.
    Lag {
        /// How many rows back (`None`: a NULL offset, every value NULL).
        offset: Option<i64>,
    },
    /// `lead(x [, offset [, default]])`.
    Lead {
        /// How many rows ahead (`None`: a NULL offset, every value NULL).
        offset: Option<i64>,
    },
    /// `first_value(x)`: the frame's first value.
    FirstValue,
    /// `last_value(x)`: the frame's last value.
    LastValue,
    /// `nth_value(x, n)`: the frame's `n`-th value (from 1).
    NthValue {
        /// Which value (`None`: a NULL `n`, every value NULL).
        n: Option<i64>,
    },
    /// An aggregate over the frame.
    Aggregate(AggFunc),
}

impl WindowFunc {
    /// The SQL name.
    pub fn name(&self) -> &'static str {
        match self {
            WindowFunc::RowNumber => "row_number",
            WindowFunc::Rank => "rank",
            WindowFunc::DenseRank => "dense_rank",
            WindowFunc::PercentRank => "percent_rank",
            WindowFunc::CumeDist => "cume_dist",
            WindowFunc::Ntile => "ntile",
            WindowFunc::Lag { .. } => "lag",
            WindowFunc::Lead { .. } => "lead",
            WindowFunc::FirstValue => "first_value",
            WindowFunc::LastValue => "last_value",
            WindowFunc::NthValue { .. } => "nth_value",
            WindowFunc::Aggregate(a) => a.name(),
        }
    }

    /// Whether the function reads the frame (ranking and offset functions ignore it).
    pub fn uses_frame(&self) -> bool {
        matches!(
            self,
            WindowFunc::FirstValue | WindowFunc::LastValue | WindowFunc::NthValue { .. } | WindowFunc::Aggregate(_)
        )
    }
}

/// The names of the functions that exist only as window functions.
pub const NAMES: &[&str] = &[
    "row_number",
    "rank",
    "dense_rank",
    "percent_rank",
    "cume_dist",
    "ntile",
    "lag",
    "lead",
    "first_value",
    "last_value",
    "nth_value",
];

/// A resolved window-only function call.
#[derive(Debug, Clone, PartialEq)]
pub struct ResolvedWindow {
    /// The function.
    pub func: WindowFunc,
    /// The indices of the arguments evaluated per row.
    pub value_args: Vec<usize>,
    /// The type each evaluated argument is cast to.
    pub arg_types: Vec<DataType>,
    /// The result type.
    pub return_type: DataType,
}

/// A constant integer argument (`lag`'s offset, `nth_value`'s `n`): `Ok(None)` for a NULL, an
/// error when it is not a constant or not an integer.
fn constant_integer(name: &str, what: &str, arg: &Arg<'_>) -> Result<Option<i64>> {
    let Some(lit) = arg.literal else {
        return Err(AnalyticsError::unsupported(format!("{name} with a {what} that is not a constant")));
    };
    if lit.is_null() {
        return Ok(None);
    }
    if !is_integer(arg.data_type) {
        return Err(AnalyticsError::types(format!("{name}'s {what} must be an integer, not {}", arg.data_type)));
    }
    let v = crate::types::cast::cast(&lit.0, &DataType::Int64, false)?;
    let v = v.as_primitive_opt::<Int64Type>().filter(|a| a.len() == 1 && a.is_valid(0)).map(|a| a.value(0));
    v.map(Some).ok_or_else(|| AnalyticsError::types(format!("{name}'s {what} does not fit a 64-bit integer")))
}

/// Resolve a window-only function (`row_number`, `lag`, ...); aggregates used as window
/// functions are resolved as aggregates. `Ok(None)` when `name` is not one.
pub fn resolve(name: &str, args: &[Arg<'_>]) -> Result<Option<ResolvedWindow>> {
    let name = name.to_ascii_lowercase();
    let count = |range: std::ops::RangeInclusive<usize>, spelled: &str| -> Result<()> {
        if range.contains(&args.len()) {
            Ok(())
        } else {
            Err(AnalyticsError::types(format!("{name} takes {spelled}, not {} arguments", args.len())))
        }
    };
    let done = |func, value_args: Vec<usize>, arg_types: Vec<DataType>, return_type| {
        Ok(Some(ResolvedWindow { func, value_args, arg_types, return_type }))
    };
    let value_type = || args.first().map(|a| a.data_type.clone()).unwrap_or(DataType::Null);
    match name.as_str() {
        "row_number" | "rank" | "dense_rank" | "percent_rank" | "cume_dist" => {
            count(0..=0, "no arguments")?;
            let (func, t) = match name.as_str() {
                "row_number" => (WindowFunc::RowNumber, DataType::Int64),
                "rank" => (WindowFunc::Rank, DataType::Int64),
                "dense_rank" => (WindowFunc::DenseRank, DataType::Int64),
                "percent_rank" => (WindowFunc::PercentRank, DataType::Float64),
                _ => (WindowFunc::CumeDist, DataType::Float64),
            };
            done(func, vec![], vec![], t)
        }
        "ntile" => {
            count(1..=1, "one argument")?;
            let t = value_type();
            if !is_integer(&t) && t != DataType::Null {
                return Err(AnalyticsError::types(format!("ntile takes an integer, not {t}")));
            }
            done(WindowFunc::Ntile, vec![0], vec![DataType::Int64], DataType::Int64)
        }
        "lag" | "lead" => {
            count(1..=3, "one to three arguments")?;
            let offset = match args.get(1) {
                Some(a) => constant_integer(&name, "offset", a)?,
                None => Some(1),
            };
            let func = if name == "lag" { WindowFunc::Lag { offset } } else { WindowFunc::Lead { offset } };
            // A default takes the value's type; an untyped NULL value takes the default's.
            let mut t = value_type();
            if let (DataType::Null, Some(d)) = (&t, args.get(2)) {
                t = d.data_type.clone();
            }
            if args.len() == 3 {
                done(func, vec![0, 2], vec![t.clone(), t.clone()], t)
            } else {
                done(func, vec![0], vec![t.clone()], t)
            }
        }
        "first_value" | "last_value" => {
            count(1..=1, "one argument")?;
            let t = value_type();
            let func = if name == "first_value" { WindowFunc::FirstValue } else { WindowFunc::LastValue };
            done(func, vec![0], vec![t.clone()], t)
        }
        "nth_value" => {
            count(2..=2, "two arguments")?;
            let n = match args.get(1) {
                Some(a) => constant_integer(&name, "n", a)?,
                None => None,
            };
            let t = value_type();
            done(WindowFunc::NthValue { n }, vec![0], vec![t.clone()], t)
        }
        _ => Ok(None),
    }
}

/// Refuse the frames DuckDB refuses: one that starts after its end's kind of bound (`CURRENT ROW
/// AND 1 PRECEDING`, `1 FOLLOWING AND CURRENT ROW`), or starts at `UNBOUNDED FOLLOWING`, or ends
/// at `UNBOUNDED PRECEDING`. Frames that are merely empty (`2 PRECEDING AND 3 PRECEDING`) are
/// allowed.
pub fn check_frame(frame: &Frame) -> Result<()> {
    use FrameBound as B;
    match (frame.start, frame.end) {
        (B::UnboundedFollowing, _) => Err(AnalyticsError::invalid("a frame cannot start at UNBOUNDED FOLLOWING")),
        (_, B::UnboundedPreceding) => Err(AnalyticsError::invalid("a frame cannot end at UNBOUNDED PRECEDING")),
        (B::CurrentRow, B::Preceding(_)) => {
            Err(AnalyticsError::invalid("a frame starting from the current row cannot have preceding rows"))
        }
        (B::Following(_), B::Preceding(_) | B::CurrentRow) => {
            Err(AnalyticsError::invalid("a frame starting from a following row cannot have preceding rows"))
        }
        (B::Preceding(_) | B::Following(_), _) | (_, B::Preceding(_) | B::Following(_)) if !frame.rows => {
            Err(AnalyticsError::unsupported("RANGE frames with an offset (use ROWS)"))
        }
        _ => Ok(()),
    }
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used, clippy::indexing_slicing)]

    use std::sync::Arc;

    use arrow_array::{ArrayRef, Int32Array, Int64Array};

    use super::*;
    use crate::types::Literal;

    fn lit(a: ArrayRef) -> Literal {
        Literal(a)
    }

    #[test]
    fn resolves_ranking_and_offsets() {
        let r = resolve("ROW_NUMBER", &[]).unwrap().unwrap();
        assert_eq!(r.func, WindowFunc::RowNumber);
        assert_eq!(r.return_type, DataType::Int64);
        assert!(resolve("rank", &[Arg { data_type: &DataType::Int32, literal: None }]).is_err());

        let two = lit(Arc::new(Int32Array::from(vec![2])));
        let null = lit(Arc::new(Int64Array::from(vec![None::<i64>])));
        let x = Arg { data_type: &DataType::Utf8, literal: None };
        let off = Arg { data_type: &DataType::Int32, literal: Some(&two) };
        let def = Arg { data_type: &DataType::Int32, literal: Some(&two) };
        let r = resolve("lag", &[x, off, def]).unwrap().unwrap();
        assert_eq!(r.func, WindowFunc::Lag { offset: Some(2) });
        assert_eq!(r.value_args, vec![0, 2]);
        assert_eq!(r.arg_types, vec![DataType::Utf8, DataType::Utf8]);
        let r = resolve("lead", &[x, Arg { data_type: &DataType::Int64, literal: Some(&null) }]).unwrap().unwrap();
        assert_eq!(r.func, WindowFunc::Lead { offset: None });
        let col = Arg { data_type: &DataType::Int32, literal: None };
        assert!(resolve("lag", &[x, col]).is_err());
        let r = resolve("nth_value", &[x, off]).unwrap().unwrap();
        assert_eq!(r.func, WindowFunc::NthValue { n: Some(2) });
        assert!(resolve("sum", &[x]).unwrap().is_none());
    }

    #[test]
    fn frames_duckdb_refuses() {
        let f = |rows, start, end| check_frame(&Frame { rows, start, end });
        assert!(f(true, FrameBound::Preceding(2), FrameBound::Preceding(3)).is_ok());
        assert!(f(true, FrameBound::CurrentRow, FrameBound::Preceding(1)).is_err());
        assert!(f(true, FrameBound::Following(1), FrameBound::CurrentRow).is_err());
        assert!(f(true, FrameBound::Following(2), FrameBound::Following(1)).is_ok());
        assert!(f(false, FrameBound::UnboundedPreceding, FrameBound::CurrentRow).is_ok());
        assert!(f(false, FrameBound::Preceding(1), FrameBound::CurrentRow).is_err());
    }
}
