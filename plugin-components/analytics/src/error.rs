//! The plugin's one error type. Every failure is classified here once, with the place in the SQL
//! text it points at when there is one, so the WIT edge maps it without reading messages.

use std::fmt;

use arrow_schema::ArrowError;

/// A place in the SQL text: 1-based line and column, as sqlparser counts them.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct Position {
    /// The line, from 1.
    pub line: u32,
    /// The column, from 1.
    pub column: u32,
}

impl Position {
    /// A position from sqlparser's location; `None` for the empty location sqlparser gives nodes
    /// it does not track.
    pub fn from_location(l: sqlparser::tokenizer::Location) -> Option<Self> {
        (l.line > 0).then(|| Self {
            line: u32::try_from(l.line).unwrap_or(u32::MAX),
            column: u32::try_from(l.column).unwrap_or(u32::MAX),
        })
    }
}

impl fmt::Display for Position {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}:{}", self.line, self.column)
    }
}

/// What went wrong, for hosts to branch on.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ErrorKind {
    /// The SQL text does not parse.
    Parse,
    /// A table name no session table has.
    UnknownTable,
    /// A column name no table in scope has, or one that is ambiguous.
    UnknownColumn,
    /// A function name the engine does not have.
    UnknownFunction,
    /// An expression whose types do not fit (a string added to a number, a non-boolean filter).
    TypeMismatch,
    /// A construct the engine does not implement (named, with its place).
    Unsupported,
    /// A query that is well-formed but wrong (an aggregate in WHERE, a column outside GROUP BY,
    /// parameters missing).
    InvalidQuery,
    /// A bad argument to an API call (a duplicate table name, a table that is not registered).
    InvalidArgument,
    /// A value-level failure while running: integer overflow, a cast that does not fit, a
    /// subquery returning more than one row.
    Execution,
    /// The session's memory budget would be passed.
    LimitExceeded,
    /// An invariant of the engine did not hold: a bug.
    Internal,
}

impl ErrorKind {
    /// The kind's name in messages and in the WIT enum.
    pub fn name(self) -> &'static str {
        match self {
            ErrorKind::Parse => "parse",
            ErrorKind::UnknownTable => "unknown-table",
            ErrorKind::UnknownColumn => "unknown-column",
            ErrorKind::UnknownFunction => "unknown-function",
            ErrorKind::TypeMismatch => "type-mismatch",
            ErrorKind::Unsupported => "unsupported",
            ErrorKind::InvalidQuery => "invalid-query",
            ErrorKind::InvalidArgument => "invalid-argument",
            ErrorKind::Execution => "execution",
            ErrorKind::LimitExceeded => "limit-exceeded",
            ErrorKind::Internal => "internal",
        }
    }
}

/// Every way the engine can fail: a kind, a message, and where in the SQL text when known.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub struct AnalyticsError {
    /// What went wrong.
    pub kind: ErrorKind,
    /// The message, without the position (which [`fmt::Display`] adds).
    pub message: String,
    /// Where in the SQL text, when the error is about a piece of it.
    pub position: Option<Position>,
}

impl fmt::Display for AnalyticsError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let prefix = match self.kind {
            ErrorKind::Unsupported => "unsupported: ",
            ErrorKind::Internal => "internal error: ",
            _ => "",
        };
        match self.position {
            Some(p) => write!(f, "{prefix}{} at {p}", self.message),
            None => write!(f, "{prefix}{}", self.message),
        }
    }
}

/// The crate's result type.
pub type Result<T, E = AnalyticsError> = std::result::Result<T, E>;

impl AnalyticsError {
    /// An error of `kind`.
    pub fn new(kind: ErrorKind, message: impl Into<String>) -> Self {
        Self { kind, message: message.into(), position: None }
    }

    /// The same error pointing at `position`, unless it already points somewhere more precise.
    pub fn at(mut self, position: Option<Position>) -> Self {
        if self.position.is_none() {
            self.position = position;
        }
        self
    }

    /// A construct the engine does not implement.
    pub fn unsupported(what: impl Into<String>) -> Self {
        Self::new(ErrorKind::Unsupported, what)
    }

    /// A type error.
    pub fn types(message: impl Into<String>) -> Self {
        Self::new(ErrorKind::TypeMismatch, message)
    }

    /// A well-formed but wrong query.
    pub fn invalid(message: impl Into<String>) -> Self {
        Self::new(ErrorKind::InvalidQuery, message)
    }

    /// A failure while running.
    pub fn execution(message: impl Into<String>) -> Self {
        Self::new(ErrorKind::Execution, message)
    }

    /// A broken invariant.
    pub fn internal(message: impl Into<String>) -> Self {
        Self::new(ErrorKind::Internal, message)
    }

    /// A bad API argument.
    pub fn argument(message: impl Into<String>) -> Self {
        Self::new(ErrorKind::InvalidArgument, message)
    }

    /// An arrow-rs kernel's error while running: overflow, division and cast failures are the
    /// data's (execution), anything else is a bug of ours (internal).
    pub fn from_arrow(e: ArrowError) -> Self {
        match e {
            ArrowError::ArithmeticOverflow(m) => Self::execution(format!("overflow: {m}")),
            ArrowError::DivideByZero => Self::execution("division by zero"),
            ArrowError::CastError(m) => Self::execution(format!("conversion failed: {m}")),
            ArrowError::ComputeError(m) if m.to_ascii_lowercase().contains("overflow") => Self::execution(m),
            ArrowError::ParseError(m) => Self::execution(format!("conversion failed: {m}")),
            ArrowError::InvalidArgumentError(m) => Self::execution(m),
            ArrowError::MemoryError(m) => Self::new(ErrorKind::LimitExceeded, m),
            other => Self::internal(other.to_string()),
        }
    }
}

impl From<ArrowError> for AnalyticsError {
    fn from(e: ArrowError) -> Self {
        Self::from_arrow(e)
    }
}

/// A closest match among `candidates` for a misspelt `name` (Levenshtein distance up to a third of
/// the name's length, at least 2), for "did you mean" hints.
pub fn closest<'a>(name: &str, candidates: impl IntoIterator<Item = &'a str>) -> Option<&'a str> {
    let name_l = name.to_lowercase();
    let limit = (name.chars().count() / 3).max(2);
    candidates
        .into_iter()
        .map(|c| (edit_distance(&name_l, &c.to_lowercase()), c))
        .filter(|(d, _)| *d <= limit)
        .min_by_key(|(d, _)| *d)
        .map(|(_, c)| c)
}

fn edit_distance(a: &str, b: &str) -> usize {
    let b: Vec<char> = b.chars().collect();
    let mut prev: Vec<usize> = (0..=b.len()).collect();
    for (i, ca) in a.chars().enumerate() {
        let mut cur = vec![i + 1; b.len() + 1];
        for (j, cb) in b.iter().enumerate() {
            let sub = prev.get(j).copied().unwrap_or(0) + usize::from(ca != *cb);
            let del = prev.get(j + 1).copied().unwrap_or(0) + 1;
            let ins = cur.get(j).copied().unwrap_or(0) + 1;
            if let Some(c) = cur.get_mut(j + 1) {
                *c = sub.min(del).min(ins);
            }
        }
        prev = cur;
    }
    prev.last().copied().unwrap_or(0)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn closest_names_suggest_near_misses_only() {
        assert_eq!(closest("fare_amout", ["fare_amount", "tip_amount", "zone"]), Some("fare_amount"));
        assert_eq!(closest("Zone", ["zone", "zones"]), Some("zone"));
        assert_eq!(closest("xyz", ["fare_amount", "zone"]), None);
    }

    #[test]
    fn messages_carry_the_position() {
        let e = AnalyticsError::unsupported("correlated subquery").at(Some(Position { line: 3, column: 14 }));
        assert_eq!(e.to_string(), "unsupported: correlated subquery at 3:14");
    }
}
