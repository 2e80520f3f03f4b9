//! Binding expressions: names to columns, literals and parameters to typed values, operators to
//! kernels with their operands coerced (DuckDB's rules, [`crate::types::coerce`]), function calls
//! resolved by name and types, aggregates and window calls collected for the SELECT block, and
//! subqueries bound on their own (a reference to an enclosing query's column is refused as a
//! correlated subquery).

use std::sync::Arc;

use arrow_array::{Array, ArrayRef};
use arrow_schema::{DataType, Schema};
use sqlparser::ast::{self, FunctionArg, FunctionArgExpr, FunctionArguments};

use super::{AGG_MARK, Binder, WINDOW_MARK, ident_pos, object_name, pos_of};
use crate::error::{AnalyticsError, ErrorKind, Position, Result, closest};
use crate::functions::{aggregate, scalar, window};
use crate::plan::{AggCall, BinaryOp, Expr, Frame, FrameBound, Literal, SortExpr, WindowCall};
use crate::sql::scope::Scope;
use crate::sql::types;
use crate::types::coerce::{self, common_type, is_integer, is_numeric, is_string, literal_fits};

/// Where an expression is bound: its scope, and where the aggregates and windows it holds go.
pub struct ExprCx<'s> {
    scope: &'s Scope,
    aggs: Option<&'s mut Vec<AggCall>>,
    windows: Option<&'s mut Vec<WindowCall>>,
    /// Inside an aggregate's arguments (another aggregate there is an error).
    in_aggregate: bool,
    /// The clause, for messages ("aggregates are not allowed in WHERE").
    clause: &'static str,
}

impl<'s> ExprCx<'s> {
    /// A context where neither aggregates nor windows may appear.
    pub fn new(scope: &'s Scope, clause: &'static str) -> Self {
        ExprCx { scope, aggs: None, windows: None, in_aggregate: false, clause }
    }

    /// The same context, collecting aggregates and windows into these lists.
    pub fn collect(self, aggs: &'s mut Vec<AggCall>, windows: &'s mut Vec<WindowCall>) -> Self {
        ExprCx { aggs: Some(aggs), windows: Some(windows), ..self }
    }
}

/// A bound predicate, checked to be boolean (NULL counts as a boolean NULL).
pub fn as_predicate(e: Expr, input: &Schema, clause: &str, at: Option<Position>) -> Result<Expr> {
    match e.data_type(input) {
        DataType::Boolean => Ok(e),
        DataType::Null => Ok(Expr::Cast { expr: Box::new(e), to: DataType::Boolean, try_cast: false }),
        other => Err(AnalyticsError::types(format!("{clause} needs a boolean condition, not {other}")).at(at)),
    }
}

pub(super) fn cast(e: Expr, from: &DataType, to: &DataType) -> Expr {
    if from == to {
        return e;
    }
    // Literals are cast now, so plans show values and kernels get scalars of the right type.
    if let Expr::Literal(Literal(a)) = &e
        && let Ok(c) = crate::types::cast::cast(a, to, false)
    {
        return Expr::Literal(Literal(c));
    }
    Expr::Cast { expr: Box::new(e), to: to.clone(), try_cast: false }
}

fn integer_literal(e: &Expr) -> Option<i128> {
    match e {
        Expr::Literal(Literal(a)) => types::integer_value(a),
        _ => None,
    }
}

fn string_literal(e: &Expr) -> bool {
    matches!(e, Expr::Literal(Literal(a)) if is_string(a.data_type()))
}

/// The type two operands meet at: an integer literal takes the other side's integer type when it
/// fits; a string literal takes the other side's type (it is parsed as one); otherwise
/// [`coerce::common_type`].
fn meet(l: &Expr, lt: &DataType, r: &Expr, rt: &DataType) -> Option<DataType> {
    if let Some(v) = integer_literal(r)
        && is_integer(lt)
        && literal_fits(v, lt)
    {
        return Some(lt.clone());
    }
    if let Some(v) = integer_literal(l)
        && is_integer(rt)
        && literal_fits(v, rt)
    {
        return Some(rt.clone());
    }
    if string_literal(r) && !is_string(lt) && *lt != DataType::Null {
        return Some(lt.clone());
    }
    if string_literal(l) && !is_string(rt) && *rt != DataType::Null {
        return Some(rt.clone());
    }
    common_type(lt, rt)
}

/// An integer, or the `decimal(38, 0)` that stands for DuckDB's `HUGEINT`.
fn hugeint_like(t: &DataType) -> bool {
    is_integer(t) || *t == DataType::Decimal128(coerce::MAX_DECIMAL_PRECISION, 0)
}

/// Whether `a % b` has a decimal side and, as decimals, needs more than 38 digits.
fn decimal_remainder_too_wide(a: &DataType, b: &DataType) -> bool {
    if coerce::decimal_parts(a).is_none() && coerce::decimal_parts(b).is_none() {
        return false;
    }
    let parts = |t: &DataType| coerce::decimal_parts(t).or_else(|| coerce::integer_as_decimal(t));
    let (Some((pa, sa)), Some((pb, sb))) = (parts(a), parts(b)) else { return false };
    let int_digits = (i16::from(pa) - i16::from(sa)).max(i16::from(pb) - i16::from(sb));
    int_digits + i16::from(sa.max(sb)) > i16::from(coerce::MAX_DECIMAL_PRECISION)
}

/// Bind `l op r` on bound operands.
pub fn bind_binary_exprs(op: BinaryOp, l: Expr, lt: &DataType, r: Expr, rt: &DataType) -> Result<Expr> {
    let mismatch = || {
        AnalyticsError::types(format!(
            "{} {} {} is not defined: no operator {} takes {lt} and {rt}",
            lt,
            op.symbol(),
            rt,
            op.symbol()
        ))
    };
    let binary = |left: Expr, right: Expr, return_type: DataType| Expr::Binary {
        op,
        left: Box::new(left),
        right: Box::new(right),
        return_type,
    };
    match op {
        BinaryOp::And | BinaryOp::Or => {
            let ok = |t: &DataType| matches!(t, DataType::Boolean | DataType::Null);
            if !ok(lt) || !ok(rt) {
                return Err(AnalyticsError::types(format!("{} needs booleans, not {lt} and {rt}", op.symbol())));
            }
            Ok(binary(cast(l, lt, &DataType::Boolean), cast(r, rt, &DataType::Boolean), DataType::Boolean))
        }
        _ if op.is_comparison() => {
            let t = meet(&l, lt, &r, rt).ok_or_else(mismatch)?;
            if matches!(t, DataType::Null) {
                return Ok(Expr::literal(types::null_literal(&DataType::Boolean)));
            }
            Ok(binary(cast(l, lt, &t), cast(r, rt, &t), DataType::Boolean))
        }
        BinaryOp::Concat => {
            let l = cast(l, lt, &DataType::Utf8);
            let r = cast(r, rt, &DataType::Utf8);
            Ok(binary(l, r, DataType::Utf8))
        }
        _ => {
            if let Some(resolved) = scalar::resolve_temporal_operator(op, lt, rt)? {
                let (Some(lt2), Some(rt2)) = (resolved.arg_types.first(), resolved.arg_types.get(1)) else {
                    return Err(AnalyticsError::internal("a temporal operator without two argument types"));
                };
                let args = vec![cast(l, lt, lt2), cast(r, rt, rt2)];
                return Ok(Expr::Function { func: resolved.func, args, return_type: resolved.return_type });
            }
            let numeric = |t: &DataType| is_numeric(t) || *t == DataType::Null;
            if !numeric(lt) || !numeric(rt) {
                return Err(mismatch());
            }
            let t = meet(&l, lt, &r, rt).ok_or_else(mismatch)?;
            let t = if t == DataType::Null { DataType::Int32 } else { t };
            match op {
                // Division is floating: `float` when the operands meet at `float`, else `double`.
                BinaryOp::Div => {
                    let f = if t == DataType::Float32 { DataType::Float32 } else { DataType::Float64 };
                    Ok(binary(cast(l, lt, &f), cast(r, rt, &f), f))
                }
                // Two integers meeting at HUGEINT (`decimal(38, 0)` here) divide as integers.
                BinaryOp::IntDiv if hugeint_like(lt) && hugeint_like(rt) && matches!(t, DataType::Decimal128(_, 0)) => {
                    Ok(binary(cast(l, lt, &t), cast(r, rt, &t), t))
                }
                BinaryOp::IntDiv if !is_integer(&t) => {
                    let f = if t == DataType::Float32 { DataType::Float32 } else { DataType::Float64 };
                    Ok(binary(cast(l, lt, &f), cast(r, rt, &f), f))
                }
                // A remainder of decimals that needs more than 38 digits (the larger integer part
                // plus the larger scale) is a DOUBLE in DuckDB, not a decimal with its scale cut.
                BinaryOp::Mod if decimal_remainder_too_wide(lt, rt) => {
                    Ok(binary(cast(l, lt, &DataType::Float64), cast(r, rt, &DataType::Float64), DataType::Float64))
                }
                BinaryOp::Mul if coerce::decimal_product(lt, rt).is_some() => {
                    let (lt2, rt2, ret) = coerce::decimal_product(lt, rt).ok_or_else(mismatch)?;
                    Ok(binary(cast(l, lt, &lt2), cast(r, rt, &rt2), ret))
                }
                _ => {
                    let (lc, rc) = (cast(l, lt, &t), cast(r, rt, &t));
                    let ret = coerce::arithmetic_result(op, &t, &t, &t);
                    Ok(binary(lc, rc, ret))
                }
            }
        }
    }
}

impl Binder<'_> {
    /// Bind an expression in `cx`.
    pub fn bind_expr(&mut self, e: &ast::Expr, cx: &mut ExprCx<'_>) -> Result<Expr> {
        self.enter()?;
        let r = self.bind_expr_inner(e, cx).map_err(|err| err.at(pos_of(e)));
        self.depth -= 1;
        r
    }

    fn column(&self, qualifier: Option<&str>, name: &str, cx: &ExprCx<'_>, at: Option<Position>) -> Result<Expr> {
        if let Some(i) = cx.scope.resolve(qualifier, name).map_err(|e| e.at(at))? {
            return Ok(Expr::Column(i));
        }
        for outer in self.outer.iter().rev() {
            if outer.resolve(qualifier, name).ok().flatten().is_some() {
                return Err(AnalyticsError::unsupported(format!(
                    "correlated subquery (it refers to {} of an enclosing query)",
                    qualifier.map(|q| format!("{q}.{name}")).unwrap_or_else(|| name.to_string())
                ))
                .at(at));
            }
        }
        Err(cx.scope.unknown(qualifier, name).at(at))
    }

    fn type_of(&self, e: &Expr, cx: &ExprCx<'_>) -> DataType {
        let schema = Schema::new(cx.scope.fields());
        let marked = |x: &Expr| matches!(x, Expr::Column(c) if *c >= WINDOW_MARK);
        if !e.any(&mut |x| marked(x)) {
            return e.data_type(&schema);
        }
        // Aggregate and window markers are not columns of the scope: their types are their
        // calls' result types.
        fn typed(e: Expr, cx: &ExprCx<'_>) -> Expr {
            match e {
                Expr::Column(c) if c >= AGG_MARK => {
                    let t = cx
                        .aggs
                        .as_deref()
                        .and_then(|a| a.get(c - AGG_MARK))
                        .map_or(DataType::Null, |a| a.return_type.clone());
                    Expr::literal(types::null_literal(&t))
                }
                Expr::Column(c) if c >= WINDOW_MARK => {
                    let t = cx
                        .windows
                        .as_deref()
                        .and_then(|w| w.get(c - WINDOW_MARK))
                        .map_or(DataType::Null, |w| w.return_type.clone());
                    Expr::literal(types::null_literal(&t))
                }
                other => other.map_children(&mut |x| typed(x, cx)),
            }
        }
        typed(e.clone(), cx).data_type(&schema)
    }

    fn bind_expr_inner(&mut self, e: &ast::Expr, cx: &mut ExprCx<'_>) -> Result<Expr> {
        use ast::Expr as A;
        let at = pos_of(e);
        match e {
            A::Identifier(id) => self.column(None, &id.value, cx, ident_pos(id)),
            A::CompoundIdentifier(parts) => match parts.as_slice() {
                [q, c] => self.column(Some(&q.value), &c.value, cx, ident_pos(c)),
                [_, q, c] => self.column(Some(&q.value), &c.value, cx, ident_pos(c)),
                _ => Err(AnalyticsError::unsupported(format!("the name {e}")).at(at)),
            },
            A::Value(v) => self.bind_value(&v.value, at),
            A::Nested(inner) => self.bind_expr(inner, cx),
            A::BinaryOp { left, op, right } => {
                let l = self.bind_expr(left, cx)?;
                let r = self.bind_expr(right, cx)?;
                let op =
                    binary_op(op).ok_or_else(|| AnalyticsError::unsupported(format!("the operator {op}")).at(at))?;
                let (lt, rt) = (self.type_of(&l, cx), self.type_of(&r, cx));
                bind_binary_exprs(op, l, &lt, r, &rt).map_err(|e| e.at(at))
            }
            A::UnaryOp { op, expr } => {
                let inner = self.bind_expr(expr, cx)?;
                let t = self.type_of(&inner, cx);
                match op {
                    ast::UnaryOperator::Not => {
                        let inner = as_predicate(inner, &Schema::new(cx.scope.fields()), "NOT", at)?;
                        Ok(Expr::Not(Box::new(inner)))
                    }
                    ast::UnaryOperator::Minus if is_numeric(&t) || matches!(t, DataType::Interval(_)) => {
                        // A negative literal stays a literal (so `-128` fits a tinyint).
                        if let Expr::Literal(Literal(a)) = &inner
                            && let Ok(neg) = arrow_arith::numeric::neg(a.as_ref())
                        {
                            return Ok(Expr::Literal(Literal(narrow_integer(neg))));
                        }
                        // `- -2147483648`: an integer literal whose negation passes its type
                        // widens first (a literal's type is its value's, not a column's).
                        if let Expr::Literal(Literal(a)) = &inner
                            && let Some(v) = types::integer_value(a)
                            && let Some(neg) = v.checked_neg()
                        {
                            return Ok(Expr::Literal(Literal(types::number_literal(&neg.to_string())?)));
                        }
                        Ok(Expr::Negate(Box::new(inner)))
                    }
                    ast::UnaryOperator::Plus if is_numeric(&t) => Ok(inner),
                    other => Err(AnalyticsError::types(format!("{other}{t} is not defined")).at(at)),
                }
            }
            A::IsNull(x) | A::IsNotNull(x) => {
                let inner = self.bind_expr(x, cx)?;
                Ok(Expr::IsNull { expr: Box::new(inner), negated: matches!(e, A::IsNotNull(_)) })
            }
            A::IsTrue(x) | A::IsNotTrue(x) | A::IsFalse(x) | A::IsNotFalse(x) => {
                let inner = self.bind_expr(x, cx)?;
                let inner = as_predicate(inner, &Schema::new(cx.scope.fields()), "IS TRUE", at)?;
                let value = matches!(e, A::IsTrue(_) | A::IsNotTrue(_));
                let negated = matches!(e, A::IsNotTrue(_) | A::IsNotFalse(_));
                Ok(Expr::IsDistinctFrom {
                    left: Box::new(inner),
                    right: Box::new(Expr::literal(types::bool_literal(value))),
                    negated: !negated,
                })
            }
            A::IsDistinctFrom(a, b) | A::IsNotDistinctFrom(a, b) => {
                let (l, r) = (self.bind_expr(a, cx)?, self.bind_expr(b, cx)?);
                let (lt, rt) = (self.type_of(&l, cx), self.type_of(&r, cx));
                let t = meet(&l, &lt, &r, &rt)
                    .ok_or_else(|| AnalyticsError::types(format!("cannot compare {lt} and {rt}")).at(at))?;
                Ok(Expr::IsDistinctFrom {
                    left: Box::new(cast(l, &lt, &t)),
                    right: Box::new(cast(r, &rt, &t)),
                    negated: matches!(e, A::IsNotDistinctFrom(..)),
                })
            }
            A::Between { expr, negated, low, high } => {
                let x = self.bind_expr(expr, cx)?;
                let lo = self.bind_expr(low, cx)?;
                let hi = self.bind_expr(high, cx)?;
                let xt = self.type_of(&x, cx);
                let ge = bind_binary_exprs(BinaryOp::GtEq, x.clone(), &xt, lo.clone(), &self.type_of(&lo, cx))
                    .map_err(|e| e.at(at))?;
                let le = bind_binary_exprs(BinaryOp::LtEq, x, &xt, hi.clone(), &self.type_of(&hi, cx))
                    .map_err(|e| e.at(at))?;
                let both = bind_binary_exprs(BinaryOp::And, ge, &DataType::Boolean, le, &DataType::Boolean)?;
                Ok(if *negated { Expr::Not(Box::new(both)) } else { both })
            }
            A::Like { negated, any, expr, pattern, escape_char }
            | A::ILike { negated, any, expr, pattern, escape_char } => {
                if *any {
                    return Err(AnalyticsError::unsupported("LIKE ANY").at(at));
                }
                if let Some(esc) = escape_char
                    && esc.to_string().trim_matches('\'') != "\\"
                {
                    return Err(AnalyticsError::unsupported("an ESCAPE character other than backslash").at(at));
                }
                let x = self.bind_expr(expr, cx)?;
                let mut p = self.bind_expr(pattern, cx)?;
                // Without ESCAPE a backslash is an ordinary character (DuckDB), where the kernel
                // takes it as an escape: a constant pattern gets its backslashes escaped.
                if escape_char.is_none()
                    && let Expr::Literal(Literal(a)) = &p
                    && let Some(text) = a
                        .as_any()
                        .downcast_ref::<arrow_array::StringArray>()
                        .filter(|s| s.is_valid(0))
                        .map(|s| s.value(0))
                    && text.contains('\\')
                {
                    p = Expr::literal(types::string_literal(&text.replace('\\', "\\\\")));
                }
                let (xt, pt) = (self.type_of(&x, cx), self.type_of(&p, cx));
                let ok = |t: &DataType| is_string(t) || *t == DataType::Null;
                if !ok(&xt) || !ok(&pt) {
                    return Err(AnalyticsError::types(format!("LIKE needs strings, not {xt} and {pt}")).at(at));
                }
                Ok(Expr::Like {
                    expr: Box::new(cast(x, &xt, &DataType::Utf8)),
                    pattern: Box::new(cast(p, &pt, &DataType::Utf8)),
                    negated: *negated,
                    case_insensitive: matches!(e, A::ILike { .. }),
                })
            }
            A::In { expr, target, negated, .. } => match target {
                ast::InTarget::List(list) => {
                    let x = self.bind_expr(expr, cx)?;
                    let mut xt = self.type_of(&x, cx);
                    let items = list.iter().map(|i| self.bind_expr(i, cx)).collect::<Result<Vec<_>>>()?;
                    // The value met with each item in turn; only the first meeting sees the value
                    // as a literal (`1 IN (18446744073709551615, 4)` meets at HUGEINT, not at the
                    // INTEGER of the last item).
                    let mut t = xt.clone();
                    let met = Expr::Column(usize::MAX);
                    for (k, i) in items.iter().enumerate() {
                        let it = self.type_of(i, cx);
                        let acc = if k == 0 { &x } else { &met };
                        t = meet(acc, &t, i, &it)
                            .ok_or_else(|| AnalyticsError::types(format!("IN list mixes {xt} and {it}")).at(at))?;
                    }
                    let items = items
                        .into_iter()
                        .map(|i| {
                            let it = self.type_of(&i, cx);
                            cast(i, &it, &t)
                        })
                        .collect();
                    let x = cast(x, &xt, &t);
                    xt = t;
                    let _ = xt;
                    Ok(Expr::InList { expr: Box::new(x), list: items, negated: *negated })
                }
                ast::InTarget::Subquery(q) => {
                    let x = self.bind_expr(expr, cx)?;
                    let xt = self.type_of(&x, cx);
                    let (index, qt) = self.bind_expr_subquery(q, cx, at)?;
                    let t = common_type(&xt, &qt).ok_or_else(|| {
                        AnalyticsError::types(format!("IN compares {xt} with a subquery of {qt}")).at(at)
                    })?;
                    if t != qt {
                        self.cast_subquery(index, &t);
                    }
                    Ok(Expr::InSubquery { expr: Box::new(cast(x, &xt, &t)), subquery: index, negated: *negated })
                }
                _ => Err(AnalyticsError::unsupported("IN UNNEST and IN table").at(at)),
            },
            A::Exists { subquery, negated } => {
                let (index, _) = self.bind_expr_subquery_any(subquery, cx)?;
                Ok(Expr::Exists { subquery: index, negated: *negated })
            }
            A::Subquery(q) => {
                let (index, t) = self.bind_expr_subquery(q, cx, at)?;
                Ok(Expr::ScalarSubquery { subquery: index, data_type: t })
            }
            A::Case { operand, conditions, else_result, .. } => {
                let operand = match operand {
                    Some(o) => Some(self.bind_expr(o, cx)?),
                    None => None,
                };
                let mut branches = Vec::new();
                for w in conditions {
                    let c = self.bind_expr(&w.condition, cx)?;
                    let cond = match &operand {
                        Some(o) => {
                            let (ot, ct) = (self.type_of(o, cx), self.type_of(&c, cx));
                            bind_binary_exprs(BinaryOp::Eq, o.clone(), &ot, c, &ct)
                                .map_err(|e| e.at(pos_of(&w.condition)))?
                        }
                        None => as_predicate(c, &Schema::new(cx.scope.fields()), "CASE WHEN", pos_of(&w.condition))?,
                    };
                    let v = self.bind_expr(&w.result, cx)?;
                    branches.push((cond, v));
                }
                let otherwise = match else_result {
                    Some(x) => self.bind_expr(x, cx)?,
                    None => Expr::literal(types::null_literal(&DataType::Null)),
                };
                // As DuckDB: the ELSE's type met with each THEN's in turn. Only the first meeting
                // sees the ELSE as a literal (which takes the other side's type when it fits);
                // after it the type is the meeting's, whatever the ELSE was (`CASE ... THEN i32
                // ... THEN u16 ELSE 6 END` is an INTEGER, not the last branch's USMALLINT).
                let mut t = self.type_of(&otherwise, cx);
                let met = Expr::Column(usize::MAX);
                for (k, (_, v)) in branches.iter().enumerate() {
                    let vt = self.type_of(v, cx);
                    let acc = if k == 0 { &otherwise } else { &met };
                    t = meet(acc, &t, v, &vt)
                        .ok_or_else(|| AnalyticsError::types(format!("CASE branches mix {t} and {vt}")).at(at))?;
                }
                let branches = branches
                    .into_iter()
                    .map(|(c, v)| {
                        let vt = self.type_of(&v, cx);
                        (c, cast(v, &vt, &t))
                    })
                    .collect();
                let ot = self.type_of(&otherwise, cx);
                Ok(Expr::Case { branches, otherwise: Box::new(cast(otherwise, &ot, &t)), return_type: t })
            }
            A::Cast { kind, expr, data_type, format } => {
                if format.is_some() {
                    return Err(AnalyticsError::unsupported("CAST ... FORMAT").at(at));
                }
                let x = self.bind_expr(expr, cx)?;
                let to = types::arrow_type(data_type).map_err(|e| e.at(at))?;
                let from = self.type_of(&x, cx);
                if !crate::types::cast::can_cast(&from, &to) {
                    return Err(AnalyticsError::types(format!("cannot cast {from} to {to}")).at(at));
                }
                let try_cast = matches!(kind, ast::CastKind::TryCast | ast::CastKind::SafeCast);
                // A literal is cast now; when that fails the error waits for a row to run on (as
                // in DuckDB, a failing constant over no rows, or in a CASE branch not taken, is
                // no error).
                if let Expr::Literal(Literal(a)) = &x
                    && let Ok(c) = crate::types::cast::cast(a, &to, try_cast)
                {
                    return Ok(Expr::Literal(Literal(c)));
                }
                Ok(Expr::Cast { expr: Box::new(x), to, try_cast })
            }
            A::TypedString(ts) => {
                let to = types::arrow_type(&ts.data_type).map_err(|e| e.at(at))?;
                let text = match &ts.value.value {
                    ast::Value::SingleQuotedString(s) | ast::Value::DoubleQuotedString(s) => s.clone(),
                    other => other.to_string(),
                };
                let a = crate::types::cast::cast(&types::string_literal(&text), &to, false).map_err(|e| e.at(at))?;
                Ok(Expr::Literal(Literal(a)))
            }
            A::Interval(iv) => self.bind_interval(iv, cx, at),
            A::Extract { field, expr, .. } => {
                let unit = types::string_literal(&field.to_string().to_lowercase());
                let args = vec![Expr::literal(unit), self.bind_expr(expr, cx)?];
                self.call_scalar("date_part", args, cx, at)
            }
            A::Ceil { expr, field } | A::Floor { expr, field } => {
                if !matches!(field, ast::CeilFloorKind::DateTimeField(ast::DateTimeField::NoDateTime)) {
                    return Err(AnalyticsError::unsupported("CEIL/FLOOR TO a field").at(at));
                }
                let name = if matches!(e, A::Ceil { .. }) { "ceil" } else { "floor" };
                let args = vec![self.bind_expr(expr, cx)?];
                self.call_scalar(name, args, cx, at)
            }
            A::Substring { expr, substring_from, substring_for, .. } => {
                let mut args = vec![self.bind_expr(expr, cx)?];
                match substring_from {
                    Some(f) => args.push(self.bind_expr(f, cx)?),
                    None => args.push(Expr::literal(Arc::new(arrow_array::Int64Array::from(vec![1i64])))),
                }
                if let Some(f) = substring_for {
                    args.push(self.bind_expr(f, cx)?);
                }
                self.call_scalar("substr", args, cx, at)
            }
            A::Trim { trim_where, trim_what, expr, trim_characters } => {
                if trim_characters.is_some() {
                    return Err(AnalyticsError::unsupported("TRIM with a character list").at(at));
                }
                let name = match trim_where {
                    Some(ast::TrimWhereField::Leading) => "ltrim",
                    Some(ast::TrimWhereField::Trailing) => "rtrim",
                    _ => "trim",
                };
                let mut args = vec![self.bind_expr(expr, cx)?];
                if let Some(w) = trim_what {
                    args.push(self.bind_expr(w, cx)?);
                }
                self.call_scalar(name, args, cx, at)
            }
            A::Position { expr, r#in } => {
                let args = vec![self.bind_expr(r#in, cx)?, self.bind_expr(expr, cx)?];
                self.call_scalar("strpos", args, cx, at)
            }
            A::Function(f) => self.bind_function(f, cx, at),
            other => Err(AnalyticsError::unsupported(format!("the expression {}", short(&other.to_string()))).at(at)),
        }
    }

    fn bind_value(&mut self, v: &ast::Value, at: Option<Position>) -> Result<Expr> {
        let lit = |a: ArrayRef| Ok(Expr::Literal(Literal(a)));
        match v {
            ast::Value::Number(n, _) => lit(types::number_literal(n).map_err(|e| e.at(at))?),
            ast::Value::SingleQuotedString(s)
            | ast::Value::DoubleQuotedString(s)
            | ast::Value::EscapedStringLiteral(s)
            | ast::Value::UnicodeStringLiteral(s)
            | ast::Value::NationalStringLiteral(s) => lit(types::string_literal(s)),
            ast::Value::DollarQuotedString(d) => lit(types::string_literal(&d.value)),
            ast::Value::Boolean(b) => lit(types::bool_literal(*b)),
            ast::Value::Null => lit(types::null_literal(&DataType::Null)),
            ast::Value::Placeholder(p) => {
                let index = match p.strip_prefix('$') {
                    Some(n) => n.parse::<usize>().ok().filter(|&i| i >= 1).map(|i| i - 1),
                    None if p == "?" => {
                        self.next_param += 1;
                        Some(self.next_param - 1)
                    }
                    None => None,
                }
                .ok_or_else(|| AnalyticsError::invalid(format!("parameters are $1, $2, ... or ?, not {p}")).at(at))?;
                let value = self.params.get(index).ok_or_else(|| {
                    AnalyticsError::invalid(format!("parameter {p} has no value: {} given", self.params.len())).at(at)
                })?;
                lit(value.clone())
            }
            other => Err(AnalyticsError::unsupported(format!("the literal {other}")).at(at)),
        }
    }

    fn bind_interval(&mut self, iv: &ast::Interval, cx: &mut ExprCx<'_>, at: Option<Position>) -> Result<Expr> {
        let value = self.bind_expr(&iv.value, cx)?;
        let text = match &value {
            Expr::Literal(Literal(a)) => {
                let s = crate::types::cast::cast(a, &DataType::Utf8, false)?;
                use arrow_array::Array;
                if s.is_null(0) {
                    return Ok(Expr::literal(types::null_literal(&DataType::Interval(
                        arrow_schema::IntervalUnit::MonthDayNano,
                    ))));
                }
                use arrow_array::cast::AsArray;
                s.as_string::<i32>().value(0).to_string()
            }
            _ => {
                return Err(AnalyticsError::unsupported(
                    "INTERVAL of a non-constant value (multiply an interval instead)",
                )
                .at(at));
            }
        };
        let text = match &iv.leading_field {
            Some(f) => format!("{text} {}", f.to_string().to_lowercase()),
            None => text,
        };
        if iv.last_field.is_some() {
            return Err(AnalyticsError::unsupported("INTERVAL ... TO ...").at(at));
        }
        let to = DataType::Interval(arrow_schema::IntervalUnit::MonthDayNano);
        let a = crate::types::cast::cast(&types::string_literal(&text), &to, false)
            .map_err(|_| AnalyticsError::invalid(format!("not an interval: {text:?}")).at(at))?;
        Ok(Expr::Literal(Literal(a)))
    }

    /// A subquery as an expression: bound on its own, its one column's type returned.
    fn bind_expr_subquery(
        &mut self,
        q: &ast::Query,
        cx: &ExprCx<'_>,
        at: Option<Position>,
    ) -> Result<(usize, DataType)> {
        let (index, schema) = self.bind_expr_subquery_any(q, cx)?;
        match schema.fields().as_ref() {
            [f] => Ok((index, f.data_type().clone())),
            fields => {
                Err(AnalyticsError::invalid(format!("the subquery must return one column, not {}", fields.len()))
                    .at(at))
            }
        }
    }

    fn bind_expr_subquery_any(&mut self, q: &ast::Query, cx: &ExprCx<'_>) -> Result<(usize, Arc<Schema>)> {
        self.outer.push(cx.scope.clone());
        let r = self.bind_query(q);
        self.outer.pop();
        let (plan, _) = r?;
        let schema = plan.schema();
        self.subqueries.push(plan);
        Ok((self.subqueries.len() - 1, schema))
    }

    fn cast_subquery(&mut self, index: usize, to: &DataType) {
        if let Some(plan) = self.subqueries.get_mut(index) {
            let taken = std::mem::replace(
                plan,
                crate::plan::Plan::Values { schema: Arc::new(Schema::empty()), batches: vec![] },
            );
            let input = taken.schema();
            let field = input.fields().first().map(|f| f.as_ref().clone().with_data_type(to.clone()));
            let schema = Arc::new(Schema::new(field.into_iter().collect::<Vec<_>>()));
            *plan = crate::plan::Plan::Project {
                input: Box::new(taken),
                exprs: vec![Expr::Cast { expr: Box::new(Expr::Column(0)), to: to.clone(), try_cast: false }],
                schema,
            };
        }
    }

    /// A scalar function call on bound arguments.
    fn call_scalar(&mut self, name: &str, args: Vec<Expr>, cx: &ExprCx<'_>, at: Option<Position>) -> Result<Expr> {
        let types_: Vec<DataType> = args.iter().map(|a| self.type_of(a, cx)).collect();
        let infos: Vec<scalar::Arg<'_>> = args
            .iter()
            .zip(&types_)
            .map(|(a, t)| scalar::Arg {
                data_type: t,
                literal: match a {
                    Expr::Literal(l) => Some(l),
                    _ => None,
                },
            })
            .collect();
        let resolved = scalar::resolve(name, &infos).map_err(|e| e.at(at))?;
        let Some(r) = resolved else {
            return Err(unknown_function(name).at(at));
        };
        let args = args.into_iter().zip(&types_).zip(&r.arg_types).map(|((a, from), to)| cast(a, from, to)).collect();
        Ok(Expr::Function { func: r.func, args, return_type: r.return_type })
    }

    fn bind_function(&mut self, f: &ast::Function, cx: &mut ExprCx<'_>, at: Option<Position>) -> Result<Expr> {
        let name = object_name(&f.name).to_lowercase();
        if !matches!(f.parameters, FunctionArguments::None) || !f.within_group.is_empty() {
            return Err(AnalyticsError::unsupported(format!("{name} with parameters or WITHIN GROUP")).at(at));
        }
        let (arg_exprs, distinct, clauses): (Vec<&ast::Expr>, bool, &[ast::FunctionArgumentClause]) = match &f.args {
            FunctionArguments::None => (vec![], false, &[]),
            FunctionArguments::Subquery(_) => {
                return Err(AnalyticsError::unsupported("a subquery as a function's argument list").at(at));
            }
            FunctionArguments::List(list) => {
                let mut exprs = Vec::new();
                for a in &list.args {
                    match a {
                        FunctionArg::Unnamed(FunctionArgExpr::Expr(e)) => exprs.push(e),
                        FunctionArg::Unnamed(FunctionArgExpr::Wildcard) if name == "count" && list.args.len() == 1 => {}
                        other => return Err(AnalyticsError::unsupported(format!("the argument {other}")).at(at)),
                    }
                }
                let distinct = matches!(list.duplicate_treatment, Some(ast::DuplicateTreatment::Distinct));
                (exprs, distinct, list.clauses.as_slice())
            }
        };
        let mut order_by: &[ast::OrderByExpr] = &[];
        let mut filter = f.filter.as_deref();
        for c in clauses {
            match c {
                ast::FunctionArgumentClause::OrderBy(o) => order_by = o,
                ast::FunctionArgumentClause::Where(w) if filter.is_none() => filter = Some(w),
                other => return Err(AnalyticsError::unsupported(format!("{other} in a function call")).at(at)),
            }
        }
        if f.null_treatment.is_some() {
            return Err(AnalyticsError::unsupported("IGNORE/RESPECT NULLS").at(at));
        }
        let is_agg = aggregate::is_aggregate(&name);
        let is_window_only = window::NAMES.contains(&name.as_str());

        if let Some(over) = &f.over {
            if cx.windows.is_none() {
                return Err(
                    AnalyticsError::invalid(format!("window functions are not allowed in {}", cx.clause)).at(at)
                );
            }
            if !is_agg && !is_window_only {
                return Err(AnalyticsError::invalid(format!(
                    "{name} is not a window or aggregate function; OVER needs one"
                ))
                .at(at));
            }
            if distinct {
                return Err(AnalyticsError::unsupported("DISTINCT in a window function").at(at));
            }
            return self.bind_window(&name, &arg_exprs, over, filter, cx, at);
        }
        if is_window_only {
            return Err(AnalyticsError::invalid(format!("{name} is a window function: it needs OVER (...)")).at(at));
        }
        if !is_agg {
            if distinct || filter.is_some() || !order_by.is_empty() {
                return Err(AnalyticsError::invalid(format!(
                    "DISTINCT, FILTER and ORDER BY apply to aggregates; {name} is not one"
                ))
                .at(at));
            }
            let args = arg_exprs.iter().map(|a| self.bind_expr(a, cx)).collect::<Result<Vec<_>>>()?;
            return self.call_scalar(&name, args, cx, at);
        }
        // An aggregate.
        if cx.aggs.is_none() {
            return Err(AnalyticsError::invalid(format!("aggregate functions are not allowed in {}", cx.clause)).at(at));
        }
        if cx.in_aggregate {
            return Err(AnalyticsError::invalid("aggregate function calls cannot be nested").at(at));
        }
        let call = self.bind_aggregate_call(&name, &arg_exprs, distinct, filter, order_by, cx, at)?;
        let aggs = cx.aggs.as_deref_mut().ok_or_else(|| AnalyticsError::internal("no aggregate list"))?;
        let index = match aggs.iter().position(|a| *a == call) {
            Some(i) => i,
            None => {
                aggs.push(call);
                aggs.len() - 1
            }
        };
        Ok(Expr::Column(AGG_MARK + index))
    }

    /// The parts of an aggregate call, bound over the aggregate's input.
    #[allow(clippy::too_many_arguments)]
    fn bind_aggregate_call(
        &mut self,
        name: &str,
        arg_exprs: &[&ast::Expr],
        distinct: bool,
        filter: Option<&ast::Expr>,
        order_by: &[ast::OrderByExpr],
        cx: &mut ExprCx<'_>,
        at: Option<Position>,
    ) -> Result<AggCall> {
        let mut inner = ExprCx {
            scope: cx.scope,
            aggs: None,
            windows: None,
            in_aggregate: true,
            clause: "an aggregate's arguments",
        };
        let args = arg_exprs.iter().map(|a| self.bind_aggregate_arg(a, &mut inner, cx)).collect::<Result<Vec<_>>>()?;
        let types_: Vec<DataType> = args.iter().map(|a| self.type_of(a, cx)).collect();
        let infos: Vec<scalar::Arg<'_>> = args
            .iter()
            .zip(&types_)
            .map(|(a, t)| scalar::Arg {
                data_type: t,
                literal: match a {
                    Expr::Literal(l) => Some(l),
                    _ => None,
                },
            })
            .collect();
        let resolved =
            aggregate::resolve(name, &infos).map_err(|e| e.at(at))?.ok_or_else(|| unknown_function(name).at(at))?;
        let mut evaluated = Vec::new();
        for (k, &i) in resolved.value_args.iter().enumerate() {
            let (a, from) = (args.get(i).cloned(), types_.get(i));
            let (Some(a), Some(from), Some(to)) = (a, from, resolved.arg_types.get(k)) else {
                return Err(AnalyticsError::internal("aggregate argument out of range"));
            };
            evaluated.push(cast(a, from, to));
        }
        let filter = match filter {
            Some(w) => {
                let mut fcx =
                    ExprCx { scope: cx.scope, aggs: None, windows: None, in_aggregate: true, clause: "FILTER" };
                let p = self.bind_expr(w, &mut fcx)?;
                Some(as_predicate(p, &Schema::new(cx.scope.fields()), "FILTER", pos_of(w))?)
            }
            None => None,
        };
        let mut order = Vec::new();
        for o in order_by {
            let (descending, nulls_first) =
                (matches!(o.options.sort, Some(ast::OrderBySort::Desc)), o.options.nulls_first.unwrap_or(false));
            let mut ocx = ExprCx {
                scope: cx.scope,
                aggs: None,
                windows: None,
                in_aggregate: true,
                clause: "an aggregate's ORDER BY",
            };
            order.push(SortExpr { expr: self.bind_expr(&o.expr, &mut ocx)?, descending, nulls_first });
        }
        let order_types = order.iter().map(|o| self.type_of(&o.expr, cx)).collect();
        Ok(AggCall {
            func: resolved.func,
            args: evaluated,
            arg_types: resolved.arg_types,
            distinct,
            filter,
            order_by: order,
            order_types,
            return_type: resolved.return_type,
        })
    }

    fn bind_aggregate_arg(&mut self, a: &ast::Expr, inner: &mut ExprCx<'_>, _outer: &ExprCx<'_>) -> Result<Expr> {
        self.bind_expr(a, inner)
    }

    fn bind_window(
        &mut self,
        name: &str,
        arg_exprs: &[&ast::Expr],
        over: &ast::WindowType,
        filter: Option<&ast::Expr>,
        cx: &mut ExprCx<'_>,
        at: Option<Position>,
    ) -> Result<Expr> {
        let spec = match over {
            ast::WindowType::WindowSpec(s) => s,
            ast::WindowType::NamedWindow(_) => return Err(AnalyticsError::unsupported("named windows").at(at)),
        };
        if spec.window_name.is_some() {
            return Err(AnalyticsError::unsupported("named windows").at(at));
        }
        // Window arguments are evaluated after grouping: aggregates inside them are collected,
        // windows inside them are not allowed.
        let windows = cx.windows.take();
        let result = (|| -> Result<WindowCall> {
            let args = arg_exprs.iter().map(|a| self.bind_expr(a, cx)).collect::<Result<Vec<_>>>()?;
            let partition_by = spec.partition_by.iter().map(|p| self.bind_expr(p, cx)).collect::<Result<Vec<_>>>()?;
            let mut order_by = Vec::new();
            for o in &spec.order_by {
                let (descending, nulls_first) =
                    (matches!(o.options.sort, Some(ast::OrderBySort::Desc)), o.options.nulls_first.unwrap_or(false));
                order_by.push(SortExpr { expr: self.bind_expr(&o.expr, cx)?, descending, nulls_first });
            }
            let filter = match filter {
                Some(w) => {
                    let p = self.bind_expr(w, cx)?;
                    Some(as_predicate(p, &Schema::new(cx.scope.fields()), "FILTER", pos_of(w))?)
                }
                None => None,
            };
            let frame = match &spec.window_frame {
                Some(f) => frame(f, !order_by.is_empty())?,
                None => Frame::default_for(!order_by.is_empty()),
            };
            window::check_frame(&frame)?;
            let types_: Vec<DataType> = args.iter().map(|a| self.type_of(a, cx)).collect();
            let infos: Vec<scalar::Arg<'_>> = args
                .iter()
                .zip(&types_)
                .map(|(a, t)| scalar::Arg {
                    data_type: t,
                    literal: match a {
                        Expr::Literal(l) => Some(l),
                        _ => None,
                    },
                })
                .collect();
            let (func, value_args, arg_types, return_type) = if aggregate::is_aggregate(name) {
                let r = aggregate::resolve(name, &infos)?.ok_or_else(|| unknown_function(name))?;
                (window::WindowFunc::Aggregate(r.func), r.value_args, r.arg_types, r.return_type)
            } else {
                let r = window::resolve(name, &infos)?.ok_or_else(|| unknown_function(name))?;
                (r.func, r.value_args, r.arg_types, r.return_type)
            };
            let mut evaluated = Vec::new();
            for (k, &i) in value_args.iter().enumerate() {
                if let (Some(a), Some(from), Some(to)) = (args.get(i), types_.get(i), arg_types.get(k)) {
                    evaluated.push(cast(a.clone(), from, to));
                }
            }
            Ok(WindowCall { func, args: evaluated, partition_by, order_by, frame, filter, return_type })
        })();
        cx.windows = windows;
        let call = result.map_err(|e| e.at(at))?;
        let list = cx.windows.as_deref_mut().ok_or_else(|| AnalyticsError::internal("no window list"))?;
        let index = match list.iter().position(|w| *w == call) {
            Some(i) => i,
            None => {
                list.push(call);
                list.len() - 1
            }
        };
        Ok(Expr::Column(WINDOW_MARK + index))
    }
}

fn frame(f: &ast::WindowFrame, ordered: bool) -> Result<Frame> {
    let rows = match f.units {
        ast::WindowFrameUnits::Rows => true,
        ast::WindowFrameUnits::Range => false,
        ast::WindowFrameUnits::Groups => return Err(AnalyticsError::unsupported("GROUPS frames")),
    };
    let bound = |b: &ast::WindowFrameBound, _start: bool| -> Result<FrameBound> {
        Ok(match b {
            ast::WindowFrameBound::CurrentRow => FrameBound::CurrentRow,
            ast::WindowFrameBound::Preceding(None) => FrameBound::UnboundedPreceding,
            ast::WindowFrameBound::Following(None) => FrameBound::UnboundedFollowing,
            ast::WindowFrameBound::Preceding(Some(n)) | ast::WindowFrameBound::Following(Some(n)) => {
                if !rows {
                    return Err(AnalyticsError::unsupported("RANGE frames with an offset (use ROWS)"));
                }
                let v: u64 = n.to_string().parse().map_err(|_| {
                    AnalyticsError::invalid(format!("a frame offset must be a non-negative integer, not {n}"))
                })?;
                if matches!(b, ast::WindowFrameBound::Preceding(_)) {
                    FrameBound::Preceding(v)
                } else {
                    FrameBound::Following(v)
                }
            }
        })
    };
    let start = bound(&f.start_bound, true)?;
    let end = match &f.end_bound {
        Some(e) => bound(e, false)?,
        None => FrameBound::CurrentRow,
    };
    if matches!(start, FrameBound::UnboundedFollowing) || matches!(end, FrameBound::UnboundedPreceding) {
        return Err(AnalyticsError::invalid(
            "a frame cannot start at UNBOUNDED FOLLOWING or end at UNBOUNDED PRECEDING",
        ));
    }
    let _ = ordered;
    Ok(Frame { rows, start, end })
}

fn unknown_function(name: &str) -> AnalyticsError {
    let mut names: Vec<&str> = scalar::names();
    names.extend_from_slice(aggregate::NAMES);
    names.extend_from_slice(window::NAMES);
    let hint = closest(name, names).map(|n| format!(" (did you mean {n}?)")).unwrap_or_default();
    AnalyticsError::new(ErrorKind::UnknownFunction, format!("no function named {name}{hint}"))
}

fn binary_op(op: &ast::BinaryOperator) -> Option<BinaryOp> {
    use ast::BinaryOperator as B;
    Some(match op {
        B::Plus => BinaryOp::Add,
        B::Minus => BinaryOp::Sub,
        B::Multiply => BinaryOp::Mul,
        B::Divide => BinaryOp::Div,
        B::DuckIntegerDivide | B::MyIntegerDivide => BinaryOp::IntDiv,
        B::Modulo => BinaryOp::Mod,
        B::Eq => BinaryOp::Eq,
        B::NotEq => BinaryOp::NotEq,
        B::Lt => BinaryOp::Lt,
        B::LtEq => BinaryOp::LtEq,
        B::Gt => BinaryOp::Gt,
        B::GtEq => BinaryOp::GtEq,
        B::And => BinaryOp::And,
        B::Or => BinaryOp::Or,
        B::StringConcat => BinaryOp::Concat,
        _ => return None,
    })
}

/// A negated integer literal back to `INTEGER` when it fits (`-5` is an `INTEGER`, not `BIGINT`).
fn narrow_integer(a: ArrayRef) -> ArrayRef {
    match types::integer_value(&a) {
        Some(v) if i32::try_from(v).is_ok() => Arc::new(arrow_array::Int32Array::from(vec![v as i32])),
        _ => a,
    }
}

fn short(s: &str) -> String {
    if s.chars().count() > 60 { format!("{}...", s.chars().take(57).collect::<String>()) } else { s.to_string() }
}
