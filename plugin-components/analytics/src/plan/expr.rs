//! Bound expressions: names resolved to column indices of the input, every type known, implicit
//! casts made explicit. What the binder produces and the evaluator runs; nothing here knows SQL.

use arrow_array::ArrayRef;
use arrow_schema::{DataType, Schema};

use crate::functions::aggregate::AggFunc;
use crate::functions::scalar::ScalarFunc;
use crate::functions::window::WindowFunc;
pub use crate::types::{BinaryOp, Frame, FrameBound, Literal};

/// A sort key: an expression, its direction and where its nulls go.
#[derive(Debug, Clone, PartialEq)]
pub struct SortExpr {
    /// What to sort by.
    pub expr: Expr,
    /// Largest first.
    pub descending: bool,
    /// Nulls before the values (DuckDB's default is after, in either direction).
    pub nulls_first: bool,
}

/// An aggregate call: the function, its bound arguments, and its modifiers.
#[derive(Debug, Clone, PartialEq)]
pub struct AggCall {
    /// The function.
    pub func: AggFunc,
    /// The arguments, over the aggregate's input (none for `count(*)`).
    pub args: Vec<Expr>,
    /// The arguments' types (kept for merging partial states, where the input is gone).
    pub arg_types: Vec<DataType>,
    /// `DISTINCT`: each distinct argument value counts once.
    pub distinct: bool,
    /// `FILTER (WHERE ...)`: only rows where it is true are aggregated.
    pub filter: Option<Expr>,
    /// `ORDER BY` inside the call (`first(x ORDER BY t)`, `string_agg(s, ',' ORDER BY s)`).
    pub order_by: Vec<SortExpr>,
    /// The `ORDER BY` keys' types.
    pub order_types: Vec<DataType>,
    /// The result type.
    pub return_type: DataType,
}

/// A window function call.
#[derive(Debug, Clone, PartialEq)]
pub struct WindowCall {
    /// The function.
    pub func: WindowFunc,
    /// Its arguments, over the window operator's input.
    pub args: Vec<Expr>,
    /// `PARTITION BY`.
    pub partition_by: Vec<Expr>,
    /// `ORDER BY`.
    pub order_by: Vec<SortExpr>,
    /// The frame (aggregates and first/last value use it).
    pub frame: Frame,
    /// `FILTER (WHERE ...)` of an aggregate used as a window function.
    pub filter: Option<Expr>,
    /// The result type.
    pub return_type: DataType,
}

/// A bound expression over an input schema.
#[derive(Debug, Clone, PartialEq)]
pub enum Expr {
    /// The input's column at this index.
    Column(usize),
    /// A constant.
    Literal(Literal),
    /// A binary operation; `return_type` is the result's.
    Binary {
        /// The operator.
        op: BinaryOp,
        /// The left operand.
        left: Box<Expr>,
        /// The right operand.
        right: Box<Expr>,
        /// The result type.
        return_type: DataType,
    },
    /// Three-valued `NOT`.
    Not(Box<Expr>),
    /// Arithmetic negation (overflow is an error).
    Negate(Box<Expr>),
    /// `IS [NOT] NULL`.
    IsNull {
        /// The operand.
        expr: Box<Expr>,
        /// `IS NOT NULL`.
        negated: bool,
    },
    /// `IS [NOT] DISTINCT FROM`: equality where NULL equals NULL.
    IsDistinctFrom {
        /// The left operand.
        left: Box<Expr>,
        /// The right operand.
        right: Box<Expr>,
        /// `IS NOT DISTINCT FROM`.
        negated: bool,
    },
    /// `[NOT] [I]LIKE`.
    Like {
        /// The string.
        expr: Box<Expr>,
        /// The pattern (`%` and `_`, `\` escapes).
        pattern: Box<Expr>,
        /// `NOT LIKE`.
        negated: bool,
        /// `ILIKE`.
        case_insensitive: bool,
    },
    /// `[NOT] IN (list)`, with SQL's NULL rules.
    InList {
        /// The value.
        expr: Box<Expr>,
        /// The list, cast to the value's type.
        list: Vec<Expr>,
        /// `NOT IN`.
        negated: bool,
    },
    /// `[NOT] IN (subquery)`: the subquery's one column, run once.
    InSubquery {
        /// The value.
        expr: Box<Expr>,
        /// The subquery's index in the query's subquery list.
        subquery: usize,
        /// `NOT IN`.
        negated: bool,
    },
    /// `[NOT] EXISTS (subquery)`, not correlated: run once.
    Exists {
        /// The subquery's index.
        subquery: usize,
        /// `NOT EXISTS`.
        negated: bool,
    },
    /// A scalar subquery: at most one row of one column, run once (NULL when it has no row).
    ScalarSubquery {
        /// The subquery's index.
        subquery: usize,
        /// Its column's type.
        data_type: DataType,
    },
    /// `CASE WHEN c THEN v ... ELSE e END` (a `CASE x WHEN` is rewritten to this form).
    Case {
        /// Conditions and their values, in order.
        branches: Vec<(Expr, Expr)>,
        /// The value when no condition holds.
        otherwise: Box<Expr>,
        /// The result type.
        return_type: DataType,
    },
    /// `CAST` / `TRY_CAST` / `::`.
    Cast {
        /// The value.
        expr: Box<Expr>,
        /// The target type.
        to: DataType,
        /// `TRY_CAST`: NULL instead of an error when a value does not fit.
        try_cast: bool,
    },
    /// A scalar function call.
    Function {
        /// The function.
        func: ScalarFunc,
        /// The arguments, already cast to what the function takes.
        args: Vec<Expr>,
        /// The result type.
        return_type: DataType,
    },
}

impl Expr {
    /// A literal.
    pub fn literal(array: ArrayRef) -> Self {
        Expr::Literal(Literal(array))
    }

    /// The expression's type over `input`.
    pub fn data_type(&self, input: &Schema) -> DataType {
        match self {
            Expr::Column(i) => input.fields().get(*i).map(|f| f.data_type().clone()).unwrap_or(DataType::Null),
            Expr::Literal(l) => l.data_type().clone(),
            Expr::Binary { return_type, .. } | Expr::Case { return_type, .. } | Expr::Function { return_type, .. } => {
                return_type.clone()
            }
            Expr::Not(_)
            | Expr::IsNull { .. }
            | Expr::IsDistinctFrom { .. }
            | Expr::Like { .. }
            | Expr::InList { .. }
            | Expr::InSubquery { .. }
            | Expr::Exists { .. } => DataType::Boolean,
            Expr::Negate(e) => e.data_type(input),
            Expr::ScalarSubquery { data_type, .. } => data_type.clone(),
            Expr::Cast { to, .. } => to.clone(),
        }
    }

    /// The expression's direct children.
    pub fn children(&self) -> Vec<&Expr> {
        match self {
            Expr::Column(_) | Expr::Literal(_) | Expr::Exists { .. } | Expr::ScalarSubquery { .. } => vec![],
            Expr::Binary { left, right, .. } | Expr::IsDistinctFrom { left, right, .. } => vec![left, right],
            Expr::Not(e) | Expr::Negate(e) | Expr::IsNull { expr: e, .. } | Expr::Cast { expr: e, .. } => vec![e],
            Expr::InSubquery { expr, .. } => vec![expr],
            Expr::Like { expr, pattern, .. } => vec![expr, pattern],
            Expr::InList { expr, list, .. } => std::iter::once(expr.as_ref()).chain(list.iter()).collect(),
            Expr::Case { branches, otherwise, .. } => {
                branches.iter().flat_map(|(c, v)| [c, v]).chain(std::iter::once(otherwise.as_ref())).collect()
            }
            Expr::Function { args, .. } => args.iter().collect(),
        }
    }

    /// The expression with every child replaced by `f(child)`.
    pub fn map_children(self, f: &mut impl FnMut(Expr) -> Expr) -> Expr {
        let mut b = |e: Box<Expr>| Box::new(f(*e));
        match self {
            leaf @ (Expr::Column(_) | Expr::Literal(_) | Expr::Exists { .. } | Expr::ScalarSubquery { .. }) => leaf,
            Expr::Binary { op, left, right, return_type } => {
                Expr::Binary { op, left: b(left), right: b(right), return_type }
            }
            Expr::IsDistinctFrom { left, right, negated } => {
                Expr::IsDistinctFrom { left: b(left), right: b(right), negated }
            }
            Expr::Not(e) => Expr::Not(b(e)),
            Expr::Negate(e) => Expr::Negate(b(e)),
            Expr::IsNull { expr, negated } => Expr::IsNull { expr: b(expr), negated },
            Expr::Cast { expr, to, try_cast } => Expr::Cast { expr: b(expr), to, try_cast },
            Expr::InSubquery { expr, subquery, negated } => Expr::InSubquery { expr: b(expr), subquery, negated },
            Expr::Like { expr, pattern, negated, case_insensitive } => {
                Expr::Like { expr: b(expr), pattern: b(pattern), negated, case_insensitive }
            }
            Expr::InList { expr, list, negated } => {
                Expr::InList { expr: b(expr), list: list.into_iter().map(&mut *f).collect(), negated }
            }
            Expr::Case { branches, otherwise, return_type } => Expr::Case {
                branches: branches.into_iter().map(|(c, v)| (f(c), f(v))).collect(),
                otherwise: Box::new(f(*otherwise)),
                return_type,
            },
            Expr::Function { func, args, return_type } => {
                Expr::Function { func, args: args.into_iter().map(f).collect(), return_type }
            }
        }
    }

    /// Whether `pred` holds for this expression or any expression inside it.
    pub fn any(&self, pred: &mut impl FnMut(&Expr) -> bool) -> bool {
        pred(self) || self.children().into_iter().any(|c| c.any(pred))
    }

    /// The input columns the expression reads, added to `out`.
    pub fn columns_into(&self, out: &mut Vec<usize>) {
        if let Expr::Column(i) = self
            && !out.contains(i)
        {
            out.push(*i);
        }
        for c in self.children() {
            c.columns_into(out);
        }
    }

    /// The input columns the expression reads.
    pub fn columns(&self) -> Vec<usize> {
        let mut v = Vec::new();
        self.columns_into(&mut v);
        v
    }

    /// The expression with each column index `i` replaced by `map(i)`.
    pub fn remap(self, map: &impl Fn(usize) -> usize) -> Expr {
        match self {
            Expr::Column(i) => Expr::Column(map(i)),
            other => other.map_children(&mut |c| c.remap(map)),
        }
    }

    /// Whether the expression reads no column and runs no subquery (it can be folded).
    pub fn is_constant(&self) -> bool {
        !self.any(&mut |e| {
            matches!(e, Expr::Column(_) | Expr::InSubquery { .. } | Expr::Exists { .. } | Expr::ScalarSubquery { .. })
        })
    }

    /// The conjuncts of an `AND` chain.
    pub fn conjuncts(self) -> Vec<Expr> {
        match self {
            Expr::Binary { op: BinaryOp::And, left, right, .. } => {
                let mut v = left.conjuncts();
                v.extend(right.conjuncts());
                v
            }
            other => vec![other],
        }
    }

    /// `AND` of the expressions; `None` for none.
    pub fn and_all(exprs: impl IntoIterator<Item = Expr>) -> Option<Expr> {
        exprs.into_iter().reduce(|a, b| Expr::Binary {
            op: BinaryOp::And,
            left: Box::new(a),
            right: Box::new(b),
            return_type: DataType::Boolean,
        })
    }
}
