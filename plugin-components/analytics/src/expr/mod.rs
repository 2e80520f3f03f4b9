//! Evaluating bound expressions on record batches with arrow-rs kernels: a column or a literal
//! stays what it is (a literal is a one-row `Scalar` the kernels broadcast), everything else
//! becomes an array of the batch's length.
//!
//! - [`coerce`]: the type rules the binder applies;
//! - [`cast`]: casts with DuckDB's rounding and errors.

use std::sync::Arc;

use arrow_array::cast::AsArray;
use arrow_array::{Array, ArrayRef, BooleanArray, RecordBatch, Scalar, new_null_array};
use arrow_schema::DataType;

use crate::error::{AnalyticsError, Result};
use crate::functions::scalar::ScalarFunc;
use crate::functions::scalar::null::NullFunc;
use crate::plan::{BinaryOp, Expr};
use crate::types::{cast, coerce};

/// The result of evaluating an expression on a batch.
#[derive(Debug, Clone)]
pub enum Value {
    /// One value per row.
    Array(ArrayRef),
    /// The same value for every row: a one-row array.
    Scalar(ArrayRef),
}

impl Value {
    /// The value as an array of `len` rows.
    pub fn into_array(self, len: usize) -> Result<ArrayRef> {
        match self {
            Value::Array(a) => Ok(a),
            Value::Scalar(s) => repeat(&s, len),
        }
    }

    /// The value's type.
    pub fn data_type(&self) -> &DataType {
        match self {
            Value::Array(a) | Value::Scalar(a) => a.data_type(),
        }
    }
}

/// A one-row array repeated `len` times.
pub fn repeat(scalar: &ArrayRef, len: usize) -> Result<ArrayRef> {
    if scalar.is_null(0) {
        return Ok(new_null_array(scalar.data_type(), len));
    }
    if len == 1 {
        return Ok(scalar.clone());
    }
    let indices = arrow_array::UInt32Array::from(vec![0u32; len]);
    Ok(arrow_select::take::take(scalar.as_ref(), &indices, None)?)
}

/// What evaluation needs besides the batch: the results of uncorrelated subqueries.
pub trait Context {
    /// The one column of subquery `index`'s result, all its rows (run once, then cached).
    fn subquery(&self, index: usize) -> Result<ArrayRef>;
}

/// A context for expressions that hold no subquery (constant folding, tests).
pub struct NoSubqueries;

impl Context for NoSubqueries {
    fn subquery(&self, _: usize) -> Result<ArrayRef> {
        Err(AnalyticsError::internal("a subquery where none can be run"))
    }
}

/// Evaluate `expr` over `batch`.
pub fn evaluate(expr: &Expr, batch: &RecordBatch, ctx: &dyn Context) -> Result<Value> {
    let n = batch.num_rows();
    Ok(match expr {
        Expr::Column(i) => Value::Array(
            batch.columns().get(*i).cloned().ok_or_else(|| AnalyticsError::internal(format!("no column {i}")))?,
        ),
        Expr::Literal(l) => Value::Scalar(l.0.clone()),
        Expr::Binary { op, left, right, return_type } => {
            let l = evaluate(left, batch, ctx)?;
            // AND/OR compute both sides on every row here, as DuckDB does outside filters (a
            // filter's are computed by `evaluate_filter`).
            let r = evaluate(right, batch, ctx)?;
            binary(*op, l, r, return_type, n)?
        }
        Expr::Not(e) => {
            map_value(evaluate(e, batch, ctx)?, |a| Ok(Arc::new(arrow_arith::boolean::not(a.as_boolean())?)))?
        }
        Expr::Negate(e) => map_value(evaluate(e, batch, ctx)?, |a| negate(&a))?,
        Expr::IsNull { expr, negated } => {
            let v = evaluate(expr, batch, ctx)?;
            let negated = *negated;
            map_value(v, |a| {
                let r = if negated {
                    arrow_arith::boolean::is_not_null(a.as_ref())?
                } else {
                    arrow_arith::boolean::is_null(a.as_ref())?
                };
                Ok(Arc::new(r))
            })?
        }
        Expr::IsDistinctFrom { left, right, negated } => {
            let l = normalize_zero(&evaluate(left, batch, ctx)?)?;
            let r = normalize_zero(&evaluate(right, batch, ctx)?)?;
            let both_scalar = matches!((&l, &r), (Value::Scalar(_), Value::Scalar(_)));
            let (l, r) = (datum(&l), datum(&r));
            let out = if *negated {
                arrow_ord::cmp::not_distinct(l.as_ref(), r.as_ref())?
            } else {
                arrow_ord::cmp::distinct(l.as_ref(), r.as_ref())?
            };
            wrap(Arc::new(out), both_scalar)
        }
        Expr::Like { expr, pattern, negated, case_insensitive } => {
            let v = evaluate(expr, batch, ctx)?;
            let p = evaluate(pattern, batch, ctx)?;
            let both_scalar = matches!((&v, &p), (Value::Scalar(_), Value::Scalar(_)));
            let (dv, dp) = (datum(&v), datum(&p));
            let out = match (negated, case_insensitive) {
                (false, false) => arrow_string::like::like(dv.as_ref(), dp.as_ref())?,
                (true, false) => arrow_string::like::nlike(dv.as_ref(), dp.as_ref())?,
                (false, true) => arrow_string::like::ilike(dv.as_ref(), dp.as_ref())?,
                (true, true) => arrow_string::like::nilike(dv.as_ref(), dp.as_ref())?,
            };
            wrap(Arc::new(out), both_scalar)
        }
        Expr::InList { expr, list, negated } => {
            let v = evaluate(expr, batch, ctx)?;
            let mut acc: Option<BooleanArray> = None;
            for item in list {
                let item = evaluate(item, batch, ctx)?;
                let eq = compare(BinaryOp::Eq, &v, &item)?;
                acc = Some(match acc {
                    None => eq,
                    // A constant value against constant items gives one row, against a column n:
                    // bring both to one length.
                    Some(a) if a.len() == eq.len() => arrow_arith::boolean::or_kleene(&a, &eq)?,
                    Some(a) => {
                        let widen = |x: BooleanArray| -> Result<ArrayRef> {
                            let x: ArrayRef = Arc::new(x);
                            if x.len() == n { Ok(x) } else { repeat(&x, n) }
                        };
                        let (a, eq) = (widen(a)?, widen(eq)?);
                        arrow_arith::boolean::or_kleene(a.as_boolean(), eq.as_boolean())?
                    }
                });
            }
            let out = acc.unwrap_or_else(|| BooleanArray::from(vec![false; n]));
            let out = if *negated { arrow_arith::boolean::not(&out)? } else { out };
            let scalar = matches!(v, Value::Scalar(_)) && out.len() == 1;
            wrap(Arc::new(out), scalar)
        }
        Expr::InSubquery { expr, subquery, negated } => {
            let v = evaluate(expr, batch, ctx)?.into_array(n)?;
            let set = ctx.subquery(*subquery)?;
            Value::Array(Arc::new(in_set(&v, &set, *negated)?))
        }
        Expr::Exists { subquery, negated } => {
            let rows = ctx.subquery(*subquery)?.len();
            let b = BooleanArray::from(vec![(rows > 0) != *negated]);
            Value::Scalar(Arc::new(b))
        }
        Expr::ScalarSubquery { subquery, data_type } => {
            let r = ctx.subquery(*subquery)?;
            match r.len() {
                0 => Value::Scalar(new_null_array(data_type, 1)),
                1 => Value::Scalar(r),
                more => {
                    return Err(AnalyticsError::execution(format!(
                        "a scalar subquery returned {more} rows; it must return at most one"
                    )));
                }
            }
        }
        Expr::Case { branches, otherwise, return_type } => case(branches, otherwise, return_type, batch, ctx)?,
        Expr::Cast { expr, to, try_cast } => {
            let v = evaluate(expr, batch, ctx)?;
            let try_cast = *try_cast;
            map_value(v, |a| cast::cast(&a, to, try_cast))?
        }
        Expr::Function { func: ScalarFunc::Null(NullFunc::Coalesce), args, return_type } if args.len() > 1 => {
            // Lazy, as DuckDB's: an argument is computed only on the rows every earlier one left
            // NULL, so a failing one is no error where it is not needed.
            let (last, init) =
                args.split_last().ok_or_else(|| AnalyticsError::internal("coalesce without arguments"))?;
            let branches: Vec<(Expr, Expr)> =
                init.iter().map(|a| (Expr::IsNull { expr: Box::new(a.clone()), negated: true }, a.clone())).collect();
            case(&branches, last, return_type, batch, ctx)?
        }
        Expr::Function { func: ScalarFunc::Null(NullFunc::NullIf), args, return_type } if args.len() == 2 => {
            // `CASE WHEN a = b THEN NULL ELSE a END`, with `=` as the engine compares (-0.0 = 0.0).
            let (a, b) = (args.first(), args.get(1));
            let (Some(a), Some(b)) = (a, b) else {
                return Err(AnalyticsError::internal("nullif without two arguments"));
            };
            let va = evaluate(a, batch, ctx)?;
            let vb = evaluate(b, batch, ctx)?;
            let both_scalar = matches!((&va, &vb), (Value::Scalar(_), Value::Scalar(_)));
            let eq = compare(BinaryOp::Eq, &va, &vb)?;
            let len = if both_scalar { 1 } else { n };
            let keep = BooleanArray::from_iter(eq.iter().map(|e| Some(e != Some(true))));
            // The value kept is the first argument as it was before the cast to the common type
            // (`nullif(int, float)` keeps the integer exactly).
            let a_arr = match a {
                Expr::Cast { expr: inner, .. } if inner.data_type(&batch.schema()) == *return_type => {
                    evaluate(inner, batch, ctx)?.into_array(len)?
                }
                _ => va.into_array(len)?,
            };
            let keep = if keep.len() == len { keep } else { BooleanArray::from(vec![keep.value(0); len]) };
            let out = arrow_select::zip::zip(&keep, &a_arr, &arrow_array::new_null_array(a_arr.data_type(), len))?;
            let out = if out.data_type() == return_type { out } else { cast::cast(&out, return_type, false)? };
            wrap(out, both_scalar)
        }
        Expr::Function { func, args, return_type } => {
            let values = args.iter().map(|a| evaluate(a, batch, ctx)).collect::<Result<Vec<_>>>()?;
            let all_scalar = !values.is_empty() && values.iter().all(|v| matches!(v, Value::Scalar(_)));
            let len = if all_scalar { 1 } else { n };
            let arrays = values.into_iter().map(|v| v.into_array(len)).collect::<Result<Vec<_>>>()?;
            let out = crate::functions::scalar::invoke(func, &arrays, len, return_type)?;
            wrap(out, all_scalar)
        }
    })
}

/// `-x`. Unsigned integers keep their type, as in DuckDB: zero negates to zero, anything else
/// overflows (arrow's kernel refuses the type outright, whatever the values).
fn negate(a: &ArrayRef) -> Result<ArrayRef> {
    use arrow_array::types::{UInt8Type, UInt16Type, UInt32Type, UInt64Type};
    macro_rules! unsigned {
        ($t:ty) => {{
            if let Some(v) = a.as_primitive::<$t>().iter().flatten().find(|&v| v != 0) {
                return Err(AnalyticsError::execution(format!(
                    "Overflow in negation of numeric value: -{v} does not fit in {}",
                    a.data_type()
                )));
            }
            Ok(a.clone())
        }};
    }
    match a.data_type() {
        DataType::UInt8 => unsigned!(UInt8Type),
        DataType::UInt16 => unsigned!(UInt16Type),
        DataType::UInt32 => unsigned!(UInt32Type),
        DataType::UInt64 => unsigned!(UInt64Type),
        _ => Ok(arrow_arith::numeric::neg(a.as_ref())?),
    }
}

/// Evaluate to an array of the batch's length.
pub fn evaluate_array(expr: &Expr, batch: &RecordBatch, ctx: &dyn Context) -> Result<ArrayRef> {
    let n = batch.num_rows();
    let a = evaluate(expr, batch, ctx)?.into_array(n)?;
    if a.len() == n {
        return Ok(a);
    }
    // A constant computed as a one-row array where a scalar was meant: spread it.
    if a.len() == 1 {
        return repeat(&a, n);
    }
    Err(AnalyticsError::internal(format!("an expression gave {} rows for a batch of {n}", a.len())))
}

/// Evaluate a filter (`WHERE`, `ON`, `CASE WHEN`) to a mask where NULL counts as false, as DuckDB
/// does: the right side of an AND only on the rows its left side keeps, of an OR only on the rows
/// its left side rejects, so a side that would fail on a row the other already decides does not
/// (`WHERE b OR -u16 IS NULL`). Elsewhere (a projection, an aggregate's FILTER, under NOT) DuckDB
/// computes both sides on every row, and so does [`evaluate`].
pub fn evaluate_filter(expr: &Expr, batch: &RecordBatch, ctx: &dyn Context) -> Result<BooleanArray> {
    let Expr::Binary { op: op @ (BinaryOp::And | BinaryOp::Or), left, right, .. } = expr else {
        return evaluate_mask(expr, batch, ctx);
    };
    let l = evaluate_filter(left, batch, ctx)?;
    // NULL counts as false in a mask, so FALSE-or-NULL AND anything is false, TRUE OR anything
    // true, and NULL OR x is what x's mask says.
    let keep_open = *op == BinaryOp::And;
    let open: Vec<u32> =
        l.values().iter().enumerate().filter(|(_, v)| *v == keep_open).map(|(i, _)| i as u32).collect();
    if open.is_empty() {
        return Ok(l);
    }
    let r = if open.len() == batch.num_rows() {
        evaluate_filter(right, batch, ctx)?
    } else {
        let part = evaluate_filter(right, &take_rows(batch, &open)?, ctx)?;
        // Back to every row; a decided row's right side is false (it does not change the result).
        let mut r = vec![false; batch.num_rows()];
        for (row, v) in open.iter().zip(part.values().iter()) {
            if let Some(slot) = r.get_mut(*row as usize) {
                *slot = v;
            }
        }
        BooleanArray::from(r)
    };
    Ok(if keep_open { arrow_arith::boolean::and(&l, &r)? } else { arrow_arith::boolean::or(&l, &r)? })
}

/// Evaluate a predicate to a mask where NULL counts as false.
pub fn evaluate_mask(expr: &Expr, batch: &RecordBatch, ctx: &dyn Context) -> Result<BooleanArray> {
    let a = evaluate_array(expr, batch, ctx)?;
    let b = a
        .as_boolean_opt()
        .ok_or_else(|| AnalyticsError::internal(format!("a predicate evaluated to {}", a.data_type())))?;
    Ok(match b.nulls() {
        Some(nulls) => BooleanArray::new(b.values() & nulls.inner(), None),
        None => b.clone(),
    })
}

fn wrap(a: ArrayRef, scalar: bool) -> Value {
    if scalar && a.len() == 1 { Value::Scalar(a) } else { Value::Array(a) }
}

fn map_value(v: Value, f: impl FnOnce(ArrayRef) -> Result<ArrayRef>) -> Result<Value> {
    Ok(match v {
        Value::Array(a) => Value::Array(f(a)?),
        Value::Scalar(s) => Value::Scalar(f(s)?),
    })
}

/// A value as a kernel argument: arrays as they are, scalars wrapped so kernels broadcast them.
fn datum(v: &Value) -> Box<dyn arrow_array::Datum + '_> {
    match v {
        Value::Array(a) => Box::new(a.clone()),
        Value::Scalar(s) => Box::new(Scalar::new(s.clone())),
    }
}

/// Floats made canonical for hashing and row encoding: `-0.0` as `0.0`, every NaN as one NaN.
pub fn normalize_floats(a: &ArrayRef) -> ArrayRef {
    use arrow_array::types::{Float32Type, Float64Type};
    match a.data_type() {
        DataType::Float64 => Arc::new(
            a.as_primitive::<Float64Type>().unary::<_, Float64Type>(|v| if v.is_nan() { f64::NAN } else { v + 0.0 }),
        ),
        DataType::Float32 => Arc::new(
            a.as_primitive::<Float32Type>().unary::<_, Float32Type>(|v| if v.is_nan() { f32::NAN } else { v + 0.0 }),
        ),
        _ => a.clone(),
    }
}

/// Floats compare as DuckDB compares them: `-0.0` equals `0.0` (arrow's total order would tell
/// them apart) and NaN equals NaN and is above every number (arrow's order already says so).
fn normalize_zero(v: &Value) -> Result<Value> {
    if !matches!(v.data_type(), DataType::Float32 | DataType::Float64) {
        return Ok(v.clone());
    }
    // -0.0 as 0.0, and every NaN (a negated one too, which arrow's total order puts below -inf)
    // as the one NaN above every number.
    map_value(v.clone(), |a| Ok(normalize_floats(&a)))
}

fn compare(op: BinaryOp, l: &Value, r: &Value) -> Result<BooleanArray> {
    let (l, r) = (normalize_zero(l)?, normalize_zero(r)?);
    let (dl, dr) = (datum(&l), datum(&r));
    let (dl, dr) = (dl.as_ref(), dr.as_ref());
    Ok(match op {
        BinaryOp::Eq => arrow_ord::cmp::eq(dl, dr)?,
        BinaryOp::NotEq => arrow_ord::cmp::neq(dl, dr)?,
        BinaryOp::Lt => arrow_ord::cmp::lt(dl, dr)?,
        BinaryOp::LtEq => arrow_ord::cmp::lt_eq(dl, dr)?,
        BinaryOp::Gt => arrow_ord::cmp::gt(dl, dr)?,
        BinaryOp::GtEq => arrow_ord::cmp::gt_eq(dl, dr)?,
        other => return Err(AnalyticsError::internal(format!("{} is not a comparison", other.symbol()))),
    })
}

fn binary(op: BinaryOp, l: Value, r: Value, return_type: &DataType, n: usize) -> Result<Value> {
    let both_scalar = matches!((&l, &r), (Value::Scalar(_), Value::Scalar(_)));
    let out: ArrayRef = match op {
        _ if op.is_comparison() => Arc::new(compare(op, &l, &r)?),
        BinaryOp::And | BinaryOp::Or => {
            let len = if both_scalar { 1 } else { n };
            let (la, ra) = (l.into_array(len)?, r.into_array(len)?);
            let (lb, rb) = (la.as_boolean(), ra.as_boolean());
            Arc::new(if op == BinaryOp::And {
                arrow_arith::boolean::and_kleene(lb, rb)?
            } else {
                arrow_arith::boolean::or_kleene(lb, rb)?
            })
        }
        BinaryOp::Concat => {
            let len = if both_scalar { 1 } else { n };
            let (la, ra) = (l.into_array(len)?, r.into_array(len)?);
            Arc::new(arrow_string::concat_elements::concat_elements_utf8(la.as_string::<i32>(), ra.as_string::<i32>())?)
        }
        BinaryOp::Add | BinaryOp::Sub | BinaryOp::Mul | BinaryOp::Div | BinaryOp::IntDiv | BinaryOp::Mod => {
            if op == BinaryOp::IntDiv && coerce::is_float(r.data_type()) && divides_by_zero(&l, &r, n)? {
                // `//` on floats divides, but by zero it fails, as on integers (DuckDB).
                return Err(AnalyticsError::execution("division by zero in //"));
            }
            if op == BinaryOp::IntDiv && matches!(return_type, DataType::Decimal128(_, 0)) {
                return Ok(wrap(integer_divide(l, r, n, return_type)?, both_scalar));
            }
            if op == BinaryOp::Mul
                && let Some(out) = decimal_multiply(&l, &r, n, return_type)?
            {
                return Ok(wrap(out, both_scalar));
            }
            let (dl, dr) = (datum(&l), datum(&r));
            let (dl, dr) = (dl.as_ref(), dr.as_ref());
            let out = match op {
                BinaryOp::Add => arrow_arith::numeric::add(dl, dr),
                BinaryOp::Sub => arrow_arith::numeric::sub(dl, dr),
                BinaryOp::Mul => arrow_arith::numeric::mul(dl, dr),
                BinaryOp::Div | BinaryOp::IntDiv => arrow_arith::numeric::div(dl, dr),
                _ => arrow_arith::numeric::rem(dl, dr),
            }
            .map_err(|e| match e {
                arrow_schema::ArrowError::DivideByZero => {
                    AnalyticsError::execution(format!("division by zero in {}", op.symbol()))
                }
                other => AnalyticsError::from_arrow(other),
            })?;
            // A decimal result must fit its precision: a cast to it checks that; where arrow's own
            // result type is already it, arrow checked only the 128 bits.
            let same = out.data_type() == return_type;
            let out = if same { out } else { cast::cast(&out, return_type, false)? };
            if let (true, DataType::Decimal128(p, _)) = (same, return_type) {
                out.as_primitive::<arrow_array::types::Decimal128Type>()
                    .validate_decimal_precision(*p)
                    .map_err(|e| AnalyticsError::execution(format!("overflow in {}: {e}", op.symbol())))?;
            }
            out
        }
        other => return Err(AnalyticsError::internal(format!("unhandled operator {}", other.symbol()))),
    };
    Ok(wrap(out, both_scalar))
}

/// Whether a float division has a row with a zero divisor and a dividend (a NULL on either side
/// makes the row NULL, no error).
fn divides_by_zero(l: &Value, r: &Value, n: usize) -> Result<bool> {
    let len = if matches!((l, r), (Value::Scalar(_), Value::Scalar(_))) { 1 } else { n };
    let (la, ra) = (l.clone().into_array(len)?, r.clone().into_array(len)?);
    let ra = cast::cast(&ra, &DataType::Float64, false)?;
    let rv = ra.as_primitive::<arrow_array::types::Float64Type>();
    Ok((0..len).any(|i| rv.is_valid(i) && rv.value(i) == 0.0 && la.is_valid(i)))
}

/// `a * b` on decimals whose product keeps the sum of their scales (the usual case): one pass of
/// checked 128-bit products, each checked against the result's precision, where arrow's kernel,
/// a cast to the result type and a check would take three.
fn decimal_multiply(l: &Value, r: &Value, n: usize, return_type: &DataType) -> Result<Option<ArrayRef>> {
    use arrow_array::types::Decimal128Type;
    let (DataType::Decimal128(_, sa), DataType::Decimal128(_, sb), DataType::Decimal128(p, s)) =
        (l.data_type(), r.data_type(), return_type)
    else {
        return Ok(None);
    };
    if i16::from(*sa) + i16::from(*sb) != i16::from(*s) {
        return Ok(None);
    }
    let bound = 10i128.checked_pow(u32::from(*p)).unwrap_or(i128::MAX);
    let product = |a: i128, b: i128| -> std::result::Result<i128, arrow_schema::ArrowError> {
        match a.checked_mul(b) {
            Some(v) if v.unsigned_abs() < bound.unsigned_abs() => Ok(v),
            _ => Err(arrow_schema::ArrowError::ArithmeticOverflow(format!(
                "overflow in *: {a} * {b} does not fit in decimal({p}, {s})"
            ))),
        }
    };
    let len = if matches!((l, r), (Value::Scalar(_), Value::Scalar(_))) { 1 } else { n };
    let out: arrow_array::Decimal128Array = match (l, r) {
        (Value::Scalar(a), Value::Array(b)) | (Value::Array(b), Value::Scalar(a)) if a.len() == 1 && !a.is_null(0) => {
            let k = a.as_primitive::<Decimal128Type>().value(0);
            b.as_primitive::<Decimal128Type>().try_unary(|v| product(k, v))
        }
        _ => {
            let (la, ra) = (l.clone().into_array(len)?, r.clone().into_array(len)?);
            arrow_arith::arity::try_binary(
                la.as_primitive::<Decimal128Type>(),
                ra.as_primitive::<Decimal128Type>(),
                product,
            )
        }
    }
    .map_err(|e| AnalyticsError::execution(e.to_string()))?;
    Ok(Some(Arc::new(out.with_precision_and_scale(*p, *s)?)))
}

/// `//` of two integers that meet at DuckDB's `HUGEINT` (here `decimal(38, 0)`): integer
/// division truncating toward zero, by zero an error.
fn integer_divide(l: Value, r: Value, n: usize, return_type: &DataType) -> Result<ArrayRef> {
    use arrow_array::types::Decimal128Type;
    let len = if matches!((&l, &r), (Value::Scalar(_), Value::Scalar(_))) { 1 } else { n };
    let la = cast::cast(&l.into_array(len)?, return_type, false)?;
    let ra = cast::cast(&r.into_array(len)?, return_type, false)?;
    let out: arrow_array::Decimal128Array = arrow_arith::arity::try_binary(
        la.as_primitive::<Decimal128Type>(),
        ra.as_primitive::<Decimal128Type>(),
        |a: i128, b: i128| {
            if b == 0 {
                return Err(arrow_schema::ArrowError::DivideByZero);
            }
            a.checked_div(b).ok_or_else(|| arrow_schema::ArrowError::ArithmeticOverflow("overflow in //".into()))
        },
    )
    .map_err(|e| match e {
        arrow_schema::ArrowError::DivideByZero => AnalyticsError::execution("division by zero in //"),
        other => AnalyticsError::from_arrow(other),
    })?;
    let (p, s) = match return_type {
        DataType::Decimal128(p, s) => (*p, *s),
        _ => (38, 0),
    };
    Ok(Arc::new(out.with_precision_and_scale(p, s)?))
}

/// `CASE`: each branch's value is computed only on the rows it is chosen for, so a branch that
/// would fail elsewhere (`CASE WHEN x <> 0 THEN 1 // x END`) does not.
fn case(
    branches: &[(Expr, Expr)],
    otherwise: &Expr,
    return_type: &DataType,
    batch: &RecordBatch,
    ctx: &dyn Context,
) -> Result<Value> {
    let n = batch.num_rows();
    // Rows no branch has taken yet, in order.
    let mut remaining: Vec<u32> = (0..n as u32).collect();
    // Per row: which source array holds its value, and where.
    let mut sources: Vec<ArrayRef> = Vec::with_capacity(branches.len() + 1);
    let mut choice: Vec<(usize, usize)> = vec![(0, 0); n];
    for (cond, value) in branches {
        if remaining.is_empty() {
            break;
        }
        // The rows still open, without a copy while that is all of them.
        let sub = if remaining.len() == n { batch.clone() } else { take_rows(batch, &remaining)? };
        let mask = evaluate_filter(cond, &sub, ctx)?;
        if mask.true_count() == 0 {
            continue;
        }
        let chosen = if mask.true_count() == sub.num_rows() {
            sub
        } else {
            arrow_select::filter::filter_record_batch(&sub, &mask)?
        };
        let values = evaluate_array(value, &chosen, ctx)?;
        let values = if values.data_type() == return_type { values } else { cast::cast(&values, return_type, false)? };
        let slot = sources.len();
        sources.push(values);
        let mut still = Vec::with_capacity(remaining.len() - mask.true_count());
        let mut k = 0;
        for (row, taken) in remaining.iter().zip(mask.values().iter()) {
            if taken {
                if let Some(c) = choice.get_mut(*row as usize) {
                    *c = (slot, k);
                }
                k += 1;
            } else {
                still.push(*row);
            }
        }
        remaining = still;
    }
    if !remaining.is_empty() {
        let sub = if remaining.len() == n { batch.clone() } else { take_rows(batch, &remaining)? };
        let values = evaluate(otherwise, &sub, ctx)?.into_array(sub.num_rows())?;
        let values = if values.data_type() == return_type { values } else { cast::cast(&values, return_type, false)? };
        let slot = sources.len();
        sources.push(values);
        for (k, &row) in remaining.iter().enumerate() {
            if let Some(c) = choice.get_mut(row as usize) {
                *c = (slot, k);
            }
        }
    }
    if sources.is_empty() {
        return Ok(Value::Array(new_null_array(return_type, n)));
    }
    if let [only] = sources.as_slice()
        && only.len() == n
        && choice.iter().enumerate().all(|(i, (_, k))| *k == i)
    {
        return Ok(Value::Array(only.clone()));
    }
    let refs: Vec<&dyn Array> = sources.iter().map(|a| a.as_ref()).collect();
    Ok(Value::Array(arrow_select::interleave::interleave(&refs, &choice)?))
}

fn take_rows(batch: &RecordBatch, indices: &[u32]) -> Result<RecordBatch> {
    let idx = arrow_array::UInt32Array::from(indices.to_vec());
    Ok(arrow_select::take::take_record_batch(batch, &idx)?)
}

/// `v [NOT] IN set` with SQL's NULL rules: NULL when `v` is NULL, or when there is no match and
/// the set holds a NULL.
pub fn in_set(v: &ArrayRef, set: &ArrayRef, negated: bool) -> Result<BooleanArray> {
    use arrow_row::{RowConverter, SortField};
    let set = if set.data_type() == v.data_type() { set.clone() } else { cast::cast(set, v.data_type(), false)? };
    // Equal values must encode to equal bytes: -0.0 as 0.0, one NaN.
    let (v, set) = (&normalize_floats(v), normalize_floats(&set));
    let converter = RowConverter::new(vec![SortField::new(v.data_type().clone())])?;
    if set.is_empty() {
        // Nothing is IN an empty set, not even NULL.
        return Ok(BooleanArray::from(vec![negated; v.len()]));
    }
    let set_has_null = set.null_count() > 0;
    let set_rows = converter.convert_columns(&[set])?;
    let members: hashbrown::HashSet<&[u8]> = (0..set_rows.num_rows()).map(|i| set_rows.row(i).data()).collect();
    let v_rows = converter.convert_columns(std::slice::from_ref(v))?;
    let mut values = Vec::with_capacity(v.len());
    let mut valid = Vec::with_capacity(v.len());
    for (i, row) in v_rows.iter().enumerate() {
        if v.is_null(i) {
            values.push(false);
            valid.push(false);
        } else if members.contains(row.as_ref()) {
            values.push(!negated);
            valid.push(true);
        } else if set_has_null {
            values.push(false);
            valid.push(false);
        } else {
            values.push(negated);
            valid.push(true);
        }
    }
    Ok(BooleanArray::new(values.into(), Some(valid.into())))
}
