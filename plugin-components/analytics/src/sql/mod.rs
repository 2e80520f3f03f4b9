//! SQL text to a bound [`Query`]: parsed by `sqlparser` (DuckDB's dialect), then bound here: names
//! resolved against the session's tables, types checked and made explicit, aggregates, windows
//! and subqueries pulled out, each error pointing at its place in the text.
//!
//! - [`binder`]: queries, `SELECT` blocks, `FROM` and joins;
//! - [`expr`]: expressions and function calls;
//! - [`scope`]: the columns a name can refer to;
//! - [`types`]: SQL type names and literals.

pub mod binder;
pub mod expr;
pub mod scope;
pub mod types;

use arrow_array::ArrayRef;
use arrow_schema::SchemaRef;
use sqlparser::ast::Statement;
use sqlparser::dialect::DuckDbDialect;
use sqlparser::parser::{Parser, ParserError};

use crate::error::{AnalyticsError, ErrorKind, Position, Result};
use crate::plan::Query;

/// The tables a query can name.
pub trait Catalog {
    /// The table called `name` (case-insensitive): its registered name and schema.
    fn table(&self, name: &str) -> Option<(String, SchemaRef)>;
    /// Every table's name, for "did you mean" hints.
    fn table_names(&self) -> Vec<String>;
}

/// The deepest nesting of expressions and subqueries a query may have: deeper text is refused
/// before it can exhaust the stack (the parser has its own, smaller, limit too).
pub const MAX_DEPTH: usize = 200;

/// Parse one statement; it must be a query (`SELECT`, `WITH`, `VALUES`, set operations).
pub fn parse(sql: &str) -> Result<Box<sqlparser::ast::Query>> {
    let statements = Parser::new(&DuckDbDialect {})
        .with_recursion_limit(MAX_DEPTH)
        .try_with_sql(sql)
        .and_then(|mut p| p.parse_statements())
        .map_err(parse_error)?;
    let mut statements = statements.into_iter();
    match (statements.next(), statements.next()) {
        (Some(Statement::Query(q)), None) => Ok(q),
        (Some(_), None) => Err(AnalyticsError::unsupported("statements other than queries (SELECT, WITH, VALUES)")),
        (None, _) => Err(AnalyticsError::new(ErrorKind::Parse, "the SQL text holds no statement")),
        (Some(_), Some(_)) => Err(AnalyticsError::new(ErrorKind::Parse, "one statement per call: the text holds several")),
    }
}

/// sqlparser's messages end in "at Line: L, Column: C": that becomes the error's position.
fn parse_error(e: ParserError) -> AnalyticsError {
    let message = match e {
        ParserError::ParserError(m) | ParserError::TokenizerError(m) => m,
        ParserError::RecursionLimitExceeded => {
            return AnalyticsError::new(ErrorKind::Parse, format!("the query nests deeper than {MAX_DEPTH} levels"));
        }
    };
    let (text, position) = match message.rfind(" at Line: ") {
        Some(at) => {
            let tail = message.get(at + 10..).unwrap_or_default();
            let mut parts = tail.split(", Column: ");
            let line = parts.next().and_then(|l| l.trim().parse().ok());
            let column = parts.next().and_then(|c| c.trim().parse().ok());
            let pos = line.zip(column).map(|(line, column)| Position { line, column });
            (message.get(..at).unwrap_or_default().to_string(), pos)
        }
        None => (message, None),
    };
    AnalyticsError { kind: ErrorKind::Parse, message: text, position }
}

/// Parse and bind `sql` with its parameters (`$1`, `$2`, ... or `?` in order) against `catalog`.
pub fn plan(sql: &str, params: &[ArrayRef], catalog: &dyn Catalog) -> Result<Query> {
    let ast = parse(sql)?;
    binder::Binder::new(catalog, params).bind_statement(&ast)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parse_errors_point_at_the_text() {
        let e = parse("SELECT a FROM t WHERE").unwrap_err();
        assert_eq!(e.kind, ErrorKind::Parse);
        assert!(e.position.is_some(), "{e:?}");
        let e = parse("SELECT 1; SELECT 2").unwrap_err();
        assert!(e.message.contains("one statement"), "{e}");
        let e = parse("DELETE FROM t").unwrap_err();
        assert_eq!(e.kind, ErrorKind::Unsupported);
    }

    #[test]
    fn deep_nesting_is_refused_not_a_stack_overflow() {
        let sql = format!("SELECT {}1{}", "(".repeat(5000), ")".repeat(5000));
        let e = parse(&sql).unwrap_err();
        assert_eq!(e.kind, ErrorKind::Parse);
    }
}
