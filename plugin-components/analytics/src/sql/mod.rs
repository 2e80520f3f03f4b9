//! SQL text to a bound [`Query`]: parsed by `sqlparser` (DuckDB's dialect), then bound here: names
//! resolved against the session's tables, types checked and made explicit, aggregates, windows
//! and subqueries pulled out, each error pointing at its place in the text.
//!
//! - [`binder`]: queries, `SELECT` blocks, `FROM` and joins;
//! - [`expr`]: expressions and function calls;
//! - [`scope`]: the columns a name can refer to;
//! - [`types`]: SQL type names and literals.

pub mod binder;
pub mod scope;
pub mod types;

use arrow_array::ArrayRef;
use arrow_schema::SchemaRef;
use sqlparser::ast::Statement;
use sqlparser::dialect::DuckDbDialect;
use sqlparser::parser::{Parser, ParserError};
use sqlparser::tokenizer::{Token, TokenWithSpan, Tokenizer};

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
    let dialect = DuckDbDialect {};
    let tokens = Tokenizer::new(&dialect, sql)
        .with_unescape(true)
        .tokenize_with_location()
        .map_err(|e| parse_error(e.into(), sql))?;
    check_chains(&tokens)?;
    let statements = Parser::new(&dialect)
        .with_recursion_limit(MAX_DEPTH)
        .with_tokens_with_locations(tokens)
        .parse_statements()
        .map_err(|e| parse_error(e, sql))?;
    let mut statements = statements.into_iter();
    match (statements.next(), statements.next()) {
        (Some(Statement::Query(q)), None) => Ok(q),
        (Some(_), None) => Err(AnalyticsError::unsupported("statements other than queries (SELECT, WITH, VALUES)")),
        (None, _) => Err(AnalyticsError::new(ErrorKind::Parse, "the SQL text holds no statement")),
        (Some(_), Some(_)) => {
            Err(AnalyticsError::new(ErrorKind::Parse, "one statement per call: the text holds several"))
        }
    }
}

/// Refuse text whose syntax tree would nest too deep before it is parsed. The parser's recursion
/// limit bounds parentheses and prefix operators, but it builds a chain of binary operators
/// (`1 + 1 + ... + 1`, `a OR b OR ...`, `UNION ALL` after `UNION ALL`) in a loop, as a tree as
/// deep as the chain is long, which every later walk (and dropping it) would recurse through.
/// The operators between two commas at each parenthesis level, summed over the open levels,
/// bound that depth; past twice [`MAX_DEPTH`] (where binding would fail anyway) the text is
/// refused.
fn check_chains(tokens: &[TokenWithSpan]) -> Result<()> {
    use sqlparser::keywords::Keyword;
    // Per open level: operators since the last comma, and set operators and joins (which a comma
    // does not end: `SELECT a, b UNION ALL SELECT a, b UNION ALL ...`).
    let mut levels: Vec<(usize, usize)> = vec![(0, 0)];
    let mut total = 0usize;
    for t in tokens {
        let mut op = false;
        let mut chain = false;
        match &t.token {
            Token::LParen | Token::LBracket | Token::LBrace => levels.push((0, 0)),
            Token::RParen | Token::RBracket | Token::RBrace => {
                if levels.len() > 1
                    && let Some((a, b)) = levels.pop()
                {
                    total = total.saturating_sub(a + b);
                }
            }
            Token::Comma => {
                if let Some((a, _)) = levels.last_mut() {
                    total = total.saturating_sub(*a);
                    *a = 0;
                }
            }
            Token::Word(w) => match w.keyword {
                Keyword::UNION | Keyword::EXCEPT | Keyword::INTERSECT | Keyword::JOIN => chain = true,
                Keyword::AND
                | Keyword::OR
                | Keyword::IS
                | Keyword::LIKE
                | Keyword::ILIKE
                | Keyword::IN
                | Keyword::BETWEEN
                | Keyword::COLLATE
                | Keyword::AT => op = true,
                _ => {}
            },
            Token::Number(..)
            | Token::SingleQuotedString(_)
            | Token::DoubleQuotedString(_)
            | Token::DollarQuotedString(_)
            | Token::NationalStringLiteral(_)
            | Token::EscapedStringLiteral(_)
            | Token::UnicodeStringLiteral(_)
            | Token::HexStringLiteral(_)
            | Token::Placeholder(_)
            | Token::Whitespace(_)
            | Token::Period
            | Token::SemiColon
            | Token::EOF => {}
            _ => op = true,
        }
        if let Some((a, b)) = levels.last_mut() {
            if op {
                *a += 1;
                total += 1;
            }
            if chain {
                *b += 1;
                total += 1;
            }
        }
        if total + levels.len() > 2 * MAX_DEPTH {
            let position = Position::from_location(t.span.start);
            return Err(AnalyticsError {
                kind: ErrorKind::Parse,
                message: format!(
                    "the query nests deeper than {MAX_DEPTH} levels (a chain of operators that long is refused)"
                ),
                position,
            });
        }
    }
    Ok(())
}

/// sqlparser's messages end in "at Line: L, Column: C": that becomes the error's position; an
/// error at the end of the text (which sqlparser does not place) points just past its end.
fn parse_error(e: ParserError, sql: &str) -> AnalyticsError {
    let mut err = parse_error_at(e);
    if err.position.is_none() && err.message.contains("EOF") {
        let line = sql.lines().count().max(1);
        let column = sql.lines().last().map_or(0, |l| l.chars().count()) + 1;
        err.position = Some(Position {
            line: u32::try_from(line).unwrap_or(u32::MAX),
            column: u32::try_from(column).unwrap_or(u32::MAX),
        });
    }
    err
}

fn parse_error_at(e: ParserError) -> AnalyticsError {
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
#[allow(clippy::unwrap_used, clippy::indexing_slicing)]
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
        for sql in
            [format!("SELECT 1{}", " + 1".repeat(100_000)), format!("SELECT 1{}", " UNION ALL SELECT 1".repeat(10_000))]
        {
            let e = parse(&sql).unwrap_err();
            assert_eq!(e.kind, ErrorKind::Parse, "{e}");
        }
        // Long flat lists are fine.
        let list = (0..10_000).map(|i| i.to_string()).collect::<Vec<_>>().join(", ");
        parse(&format!("SELECT 1 IN ({list})")).unwrap();
    }
}
