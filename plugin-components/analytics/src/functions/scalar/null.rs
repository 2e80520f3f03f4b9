//! `coalesce`/`ifnull`, `nullif`, `greatest` and `least`: the functions whose point is how they
//! treat NULLs. Arguments meet at one type as DuckDB's do ([`super::unify`]: a string literal takes
//! the others' type, an integer literal the others' integer type).

use arrow_array::{Array, ArrayRef, BooleanArray, new_null_array};
use arrow_schema::DataType;

use super::{Arg, Resolved, ScalarFunc, arg, no_signature, unify};
use crate::error::Result;

/// A NULL-handling function.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum NullFunc {
    /// `coalesce(a, b, ...)`, `ifnull(a, b)`: the first non-NULL argument.
    Coalesce,
    /// `nullif(a, b)`: NULL where `a = b`, else `a`.
    NullIf,
    /// `greatest(a, ...)`: the largest non-NULL argument (NULL when all are).
    Greatest,
    /// `least(a, ...)`: the smallest non-NULL argument (NULL when all are).
    Least,
}

impl NullFunc {
    /// The SQL name.
    pub fn name(&self) -> String {
        match self {
            NullFunc::Coalesce => "coalesce",
            NullFunc::NullIf => "nullif",
            NullFunc::Greatest => "greatest",
            NullFunc::Least => "least",
        }
        .into()
    }
}

/// The names this family answers to.
pub const NAMES: &[&str] = &["coalesce", "ifnull", "nullif", "greatest", "least"];

/// Resolve a call of this family.
pub fn resolve(name: &str, args: &[Arg<'_>]) -> Result<Option<Resolved>> {
    let func = match name {
        "coalesce" | "ifnull" => NullFunc::Coalesce,
        "nullif" => NullFunc::NullIf,
        "greatest" => NullFunc::Greatest,
        "least" => NullFunc::Least,
        _ => return Ok(None),
    };
    let two = func == NullFunc::NullIf || name == "ifnull";
    if args.is_empty() || (two && args.len() != 2) {
        return Err(no_signature(name, args, if two { "two arguments" } else { "one or more arguments" }));
    }
    let t = unify(args).ok_or_else(|| no_signature(name, args, "arguments of one type"))?;
    if func == NullFunc::NullIf {
        // The comparison is made in the common type, the result keeps the first argument's type.
        let first = args.first().map(|a| a.data_type.clone()).unwrap_or(DataType::Null);
        return Ok(Some(Resolved { func: ScalarFunc::Null(func), arg_types: vec![t.clone(), t], return_type: first }));
    }
    Ok(Some(Resolved { func: ScalarFunc::Null(func), arg_types: vec![t.clone(); args.len()], return_type: t }))
}

/// Run it.
pub fn invoke(func: &NullFunc, args: &[ArrayRef], len: usize, return_type: &DataType) -> Result<ArrayRef> {
    let out = match func {
        NullFunc::Coalesce => {
            let mut out = arg(args, 0)?.clone();
            for next in args.iter().skip(1) {
                if out.null_count() == 0 {
                    break;
                }
                let is_set = arrow_arith::boolean::is_not_null(out.as_ref())?;
                out = arrow_select::zip::zip(&is_set, &out, next)?;
            }
            out
        }
        NullFunc::NullIf => {
            let (a, b) = (arg(args, 0)?, arg(args, 1)?);
            if *return_type == DataType::Null {
                return Ok(new_null_array(&DataType::Null, len));
            }
            let eq = arrow_ord::cmp::eq(a, b)?;
            // Only rows where the comparison is true (not NULL) become NULL.
            let equal = match eq.nulls() {
                Some(n) => eq.values() & n.inner(),
                None => eq.values().clone(),
            };
            arrow_select::nullif::nullif(a.as_ref(), &BooleanArray::new(equal, None))?
        }
        NullFunc::Greatest | NullFunc::Least => {
            // Compared as DuckDB orders floats: every NaN (a negated one too, which arrow's total
            // order puts below -inf) above every number, -0.0 equal to 0.0.
            let mut out = arg(args, 0)?.clone();
            let mut out_key = canonical_floats(&out);
            for next in args.iter().skip(1) {
                let next_key = canonical_floats(next);
                let better = if *func == NullFunc::Greatest {
                    arrow_ord::cmp::gt(&next_key, &out_key)?
                } else {
                    arrow_ord::cmp::lt(&next_key, &out_key)?
                };
                // Take `next` where it compares better, or where the running value is NULL.
                let better = match better.nulls() {
                    Some(n) => better.values() & n.inner(),
                    None => better.values().clone(),
                };
                let take = match out.logical_nulls() {
                    Some(n) => &better | &!n.inner(),
                    None => better,
                };
                let take = BooleanArray::new(take, None);
                out = arrow_select::zip::zip(&take, next, &out)?;
                out_key = arrow_select::zip::zip(&take, &next_key, &out_key)?;
            }
            out
        }
    };
    if out.data_type() == return_type { Ok(out) } else { crate::types::cast::cast(&out, return_type, false) }
}

/// Float columns with every NaN made the positive one and -0.0 made 0.0 (other columns as they
/// are): the values DuckDB's float order sees.
fn canonical_floats(a: &ArrayRef) -> ArrayRef {
    use arrow_array::cast::AsArray;
    use arrow_array::types::{Float32Type, Float64Type};
    match a.data_type() {
        DataType::Float64 => std::sync::Arc::new(
            a.as_primitive::<Float64Type>().unary::<_, Float64Type>(|v| if v.is_nan() { f64::NAN } else { v + 0.0 }),
        ),
        DataType::Float32 => std::sync::Arc::new(
            a.as_primitive::<Float32Type>().unary::<_, Float32Type>(|v| if v.is_nan() { f32::NAN } else { v + 0.0 }),
        ),
        _ => a.clone(),
    }
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used, clippy::indexing_slicing)]
    use std::sync::Arc;

    use arrow_array::cast::AsArray;
    use arrow_array::types::{Float64Type, Int32Type};
    use arrow_array::{Float64Array, Int32Array, StringArray};

    use super::*;

    fn a(t: &DataType) -> Arg<'_> {
        Arg { data_type: t, literal: None }
    }

    #[test]
    fn greatest_and_least_skip_nulls() {
        let x: ArrayRef = Arc::new(Int32Array::from(vec![Some(1), None, Some(5), None]));
        let y: ArrayRef = Arc::new(Int32Array::from(vec![Some(3), Some(2), None, None]));
        let g = invoke(&NullFunc::Greatest, &[x.clone(), y.clone()], 4, &DataType::Int32).unwrap();
        assert_eq!(g.as_primitive::<Int32Type>().iter().collect::<Vec<_>>(), vec![Some(3), Some(2), Some(5), None]);
        let l = invoke(&NullFunc::Least, &[x, y], 4, &DataType::Int32).unwrap();
        assert_eq!(l.as_primitive::<Int32Type>().iter().collect::<Vec<_>>(), vec![Some(1), Some(2), Some(5), None]);
    }

    #[test]
    fn nan_is_the_greatest_float() {
        // DuckDB 2.0.1: greatest(1::double, 'nan') is nan, least(1::double, 'nan') is 1.
        let x: ArrayRef = Arc::new(Float64Array::from(vec![1.0]));
        let y: ArrayRef = Arc::new(Float64Array::from(vec![f64::NAN]));
        let g = invoke(&NullFunc::Greatest, &[x.clone(), y.clone()], 1, &DataType::Float64).unwrap();
        assert!(g.as_primitive::<Float64Type>().value(0).is_nan());
        let l = invoke(&NullFunc::Least, &[x, y], 1, &DataType::Float64).unwrap();
        assert_eq!(l.as_primitive::<Float64Type>().value(0), 1.0);
        // A NaN with its sign bit set (`-(0.0 / 0.0)`) too: least(-nan, 1) is 1.
        let x: ArrayRef = Arc::new(Float64Array::from(vec![-f64::NAN]));
        let y: ArrayRef = Arc::new(Float64Array::from(vec![1.0]));
        let l = invoke(&NullFunc::Least, &[x.clone(), y.clone()], 1, &DataType::Float64).unwrap();
        assert_eq!(l.as_primitive::<Float64Type>().value(0), 1.0);
        let g = invoke(&NullFunc::Greatest, &[y, x], 1, &DataType::Float64).unwrap();
        assert!(g.as_primitive::<Float64Type>().value(0).is_nan());
    }

    #[test]
    fn nullif_keeps_the_first_type_and_nulls_only_equal_rows() {
        let (i8t, i32t) = (DataType::Int8, DataType::Int32);
        let r = resolve("nullif", &[a(&i8t), a(&i32t)]).unwrap().unwrap();
        assert_eq!(r.return_type, DataType::Int8);
        assert_eq!(r.arg_types, vec![DataType::Int32, DataType::Int32]);
        let x: ArrayRef = Arc::new(Int32Array::from(vec![Some(1), Some(2), None]));
        let y: ArrayRef = Arc::new(Int32Array::from(vec![Some(1), None, Some(3)]));
        let out = invoke(&NullFunc::NullIf, &[x, y], 3, &DataType::Int32).unwrap();
        assert_eq!(out.as_primitive::<Int32Type>().iter().collect::<Vec<_>>(), vec![None, Some(2), None]);
    }

    #[test]
    fn arguments_meet_at_one_type() {
        let (s, i) = (DataType::Utf8, DataType::Int32);
        assert!(resolve("coalesce", &[a(&s), a(&i)]).is_err());
        assert!(resolve("ifnull", &[a(&i)]).is_err());
        assert!(resolve("greatest", &[]).is_err());
        let lit = crate::types::Literal(Arc::new(StringArray::from(vec!["2"])));
        let r = resolve("greatest", &[a(&i), Arg { data_type: &s, literal: Some(&lit) }]).unwrap().unwrap();
        assert_eq!(r.return_type, DataType::Int32);
    }
}
