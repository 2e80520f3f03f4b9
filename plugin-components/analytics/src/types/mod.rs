//! The vocabulary every layer shares, below the functions, the plan and the evaluator: literal
//! values, binary operators, window frames, and DuckDB's type rules ([`coerce`]) and casts
//! ([`cast`]). It is separate so that a function's signature can name a type rule or a literal
//! without reaching up into the plan or the evaluator that use the function.

pub mod cast;
pub mod coerce;

use std::fmt;

use arrow_array::{Array, ArrayRef};
use arrow_schema::DataType;

/// A binary operator, after binding (the operands already share a type where the operator needs
/// one).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum BinaryOp {
    /// `+`
    Add,
    /// `-`
    Sub,
    /// `*`
    Mul,
    /// `/` (floating division on integers, as DuckDB)
    Div,
    /// `//` (integer division, truncating toward zero)
    IntDiv,
    /// `%`
    Mod,
    /// `=`
    Eq,
    /// `<>`
    NotEq,
    /// `<`
    Lt,
    /// `<=`
    LtEq,
    /// `>`
    Gt,
    /// `>=`
    GtEq,
    /// `AND` (three-valued)
    And,
    /// `OR` (three-valued)
    Or,
    /// `||` on strings
    Concat,
}

impl BinaryOp {
    /// The operator as SQL writes it.
    pub fn symbol(self) -> &'static str {
        match self {
            BinaryOp::Add => "+",
            BinaryOp::Sub => "-",
            BinaryOp::Mul => "*",
            BinaryOp::Div => "/",
            BinaryOp::IntDiv => "//",
            BinaryOp::Mod => "%",
            BinaryOp::Eq => "=",
            BinaryOp::NotEq => "<>",
            BinaryOp::Lt => "<",
            BinaryOp::LtEq => "<=",
            BinaryOp::Gt => ">",
            BinaryOp::GtEq => ">=",
            BinaryOp::And => "AND",
            BinaryOp::Or => "OR",
            BinaryOp::Concat => "||",
        }
    }

    /// Whether the operator compares its operands (and returns a boolean).
    pub fn is_comparison(self) -> bool {
        matches!(self, BinaryOp::Eq | BinaryOp::NotEq | BinaryOp::Lt | BinaryOp::LtEq | BinaryOp::Gt | BinaryOp::GtEq)
    }

    /// The comparison with its operands swapped (`a < b` is `b > a`).
    pub fn swapped(self) -> Self {
        match self {
            BinaryOp::Lt => BinaryOp::Gt,
            BinaryOp::LtEq => BinaryOp::GtEq,
            BinaryOp::Gt => BinaryOp::Lt,
            BinaryOp::GtEq => BinaryOp::LtEq,
            other => other,
        }
    }
}

/// A literal value: one row of an Arrow array, so kernels can take it as a scalar `Datum`.
#[derive(Debug, Clone)]
pub struct Literal(pub ArrayRef);

impl Literal {
    /// The value's type.
    pub fn data_type(&self) -> &DataType {
        self.0.data_type()
    }

    /// Whether the value is NULL.
    pub fn is_null(&self) -> bool {
        self.0.is_null(0)
    }
}

impl PartialEq for Literal {
    fn eq(&self, other: &Self) -> bool {
        self.0.to_data() == other.0.to_data()
    }
}

impl fmt::Display for Literal {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if self.is_null() {
            return write!(f, "NULL");
        }
        let options = arrow_cast::display::FormatOptions::default();
        match arrow_cast::display::ArrayFormatter::try_new(self.0.as_ref(), &options) {
            Ok(fmt) if matches!(self.data_type(), DataType::Utf8 | DataType::LargeUtf8 | DataType::Utf8View) => {
                write!(f, "'{}'", fmt.value(0).to_string().replace('\'', "''"))
            }
            Ok(fmt) => write!(f, "{}", fmt.value(0)),
            Err(_) => write!(f, "?"),
        }
    }
}

/// A window frame bound.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum FrameBound {
    /// `UNBOUNDED PRECEDING`
    UnboundedPreceding,
    /// `n PRECEDING`
    Preceding(u64),
    /// `CURRENT ROW`
    CurrentRow,
    /// `n FOLLOWING`
    Following(u64),
    /// `UNBOUNDED FOLLOWING`
    UnboundedFollowing,
}

/// A window frame: rows counted, or the current row's peers (`RANGE`) included.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Frame {
    /// `ROWS` counts rows; `RANGE` (only with unbounded or current-row bounds) takes peers.
    pub rows: bool,
    /// The start.
    pub start: FrameBound,
    /// The end.
    pub end: FrameBound,
}

impl Frame {
    /// SQL's default frame: with an `ORDER BY`, from the partition's start to the current row's
    /// last peer; without, the whole partition.
    pub fn default_for(ordered: bool) -> Self {
        if ordered {
            Frame { rows: false, start: FrameBound::UnboundedPreceding, end: FrameBound::CurrentRow }
        } else {
            Frame { rows: false, start: FrameBound::UnboundedPreceding, end: FrameBound::UnboundedFollowing }
        }
    }
}
