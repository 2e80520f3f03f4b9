//! String functions, with DuckDB's names and semantics: positions and lengths count characters
//! (Unicode scalar values), not bytes; `substr` takes DuckDB's zero and negative starts; `concat`
//! skips NULLs where `||` propagates them; case mapping is per character (`upper('ß')` is `ẞ`,
//! `lower('ΑΣ')` is `ασ`, as DuckDB's utf8proc maps them, not Rust's full mappings).
//!
//! Outputs are built by [`Utf8Out`], which refuses to grow past what 32-bit string offsets hold
//! (an error rather than the panic an arrow builder would raise).

use std::collections::HashMap;
use std::sync::Arc;

use arrow_array::cast::AsArray;
use arrow_array::types::Int64Type;
use arrow_array::{Array, ArrayRef, BooleanArray, Int32Array, Int64Array, PrimitiveArray, StringArray};
use arrow_buffer::{Buffer, NullBufferBuilder, OffsetBuffer, ScalarBuffer};
use arrow_schema::DataType;

use super::{Arg, Resolved, ScalarFunc, arg, integerish, is_null_literal, literal_str, no_signature, stringish};
use crate::error::{AnalyticsError, Result};

/// A string function.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum StringFunc {
    /// `lower(s)`.
    Lower,
    /// `upper(s)`.
    Upper,
    /// `length(s)`: characters.
    Length,
    /// `octet_length(s)`, `strlen(s)`: bytes.
    OctetLength,
    /// `bit_length(s)`: bits (eight a byte).
    BitLength,
    /// `ascii(s)`: the first character's code point (0 for `''`), an `INTEGER`.
    Ascii,
    /// `substr(s, start[, length])`.
    Substr,
    /// `trim`, `ltrim`, `rtrim` (`(s[, characters])`).
    Trim {
        /// Trim the start.
        leading: bool,
        /// Trim the end.
        trailing: bool,
    },
    /// `starts_with(s, prefix)`.
    StartsWith,
    /// `ends_with(s, suffix)`.
    EndsWith,
    /// `contains(s, needle)`.
    Contains,
    /// `strpos(s, needle)`: the 1-based character position, 0 when absent.
    Strpos,
    /// `concat(a, ...)`: NULLs skipped.
    Concat,
    /// `concat_ws(separator, a, ...)`: NULLs skipped; a NULL separator gives NULL.
    ConcatWs,
    /// `replace(s, from, to)`.
    Replace,
    /// `split_part(s, delimiter, n)`.
    SplitPart,
    /// `left(s, n)`.
    Left,
    /// `right(s, n)`.
    Right,
    /// `reverse(s)`.
    Reverse,
    /// `repeat(s, n)`.
    Repeat,
    /// `lpad(s, n, fill)`.
    Lpad,
    /// `rpad(s, n, fill)`.
    Rpad,
    /// `regexp_matches(s, pattern[, options])`: whether the pattern matches anywhere.
    RegexpMatches(RegexOptions),
    /// `regexp_replace(s, pattern, replacement[, options])`.
    RegexpReplace(RegexOptions),
}

/// DuckDB's regular expression options (the constant last argument: `'i'`, `'g'`, ...).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct RegexOptions {
    /// `'i'`.
    pub case_insensitive: bool,
    /// `'s'`: `.` matches a newline.
    pub dot_matches_newline: bool,
    /// `'l'`: the pattern is a literal string.
    pub literal: bool,
    /// `'g'` (`regexp_replace` only): every match, not the first.
    pub global: bool,
}

impl StringFunc {
    /// The SQL name.
    pub fn name(&self) -> String {
        match self {
            StringFunc::Lower => "lower",
            StringFunc::Upper => "upper",
            StringFunc::Length => "length",
            StringFunc::OctetLength => "octet_length",
            StringFunc::BitLength => "bit_length",
            StringFunc::Ascii => "ascii",
            StringFunc::Substr => "substr",
            StringFunc::Trim { leading: true, trailing: true } => "trim",
            StringFunc::Trim { leading: true, .. } => "ltrim",
            StringFunc::Trim { .. } => "rtrim",
            StringFunc::StartsWith => "starts_with",
            StringFunc::EndsWith => "ends_with",
            StringFunc::Contains => "contains",
            StringFunc::Strpos => "strpos",
            StringFunc::Concat => "concat",
            StringFunc::ConcatWs => "concat_ws",
            StringFunc::Replace => "replace",
            StringFunc::SplitPart => "split_part",
            StringFunc::Left => "left",
            StringFunc::Right => "right",
            StringFunc::Reverse => "reverse",
            StringFunc::Repeat => "repeat",
            StringFunc::Lpad => "lpad",
            StringFunc::Rpad => "rpad",
            StringFunc::RegexpMatches(_) => "regexp_matches",
            StringFunc::RegexpReplace(_) => "regexp_replace",
        }
        .into()
    }
}

/// The names this family answers to.
pub const NAMES: &[&str] = &[
    "lower",
    "lcase",
    "upper",
    "ucase",
    "length",
    "char_length",
    "character_length",
    "len",
    "octet_length",
    "strlen",
    "bit_length",
    "ascii",
    "substr",
    "substring",
    "trim",
    "ltrim",
    "rtrim",
    "starts_with",
    "prefix",
    "ends_with",
    "suffix",
    "contains",
    "strpos",
    "instr",
    "position",
    "concat",
    "concat_ws",
    "replace",
    "split_part",
    "left",
    "right",
    "reverse",
    "repeat",
    "lpad",
    "rpad",
    "regexp_matches",
    "regexp_replace",
];

/// Argument kinds of a signature.
#[derive(Clone, Copy)]
enum K {
    /// A string (or NULL).
    S,
    /// An integer (or NULL), passed as `BIGINT`.
    I,
}

fn signature(name: &str, args: &[Arg<'_>], kinds: &[K], optional: usize, describe: &str) -> Result<Vec<DataType>> {
    let fits = args.len() <= kinds.len()
        && args.len() + optional >= kinds.len()
        && args.iter().zip(kinds).all(|(a, k)| match k {
            K::S => stringish(a.data_type),
            K::I => integerish(a.data_type),
        });
    if !fits {
        return Err(no_signature(name, args, describe));
    }
    Ok(kinds
        .iter()
        .take(args.len())
        .map(|k| match k {
            K::S => DataType::Utf8,
            K::I => DataType::Int64,
        })
        .collect())
}

/// Resolve a call of this family.
pub fn resolve(name: &str, args: &[Arg<'_>]) -> Result<Option<Resolved>> {
    use K::{I, S};
    let done = |func: StringFunc, arg_types: Vec<DataType>, return_type: DataType| {
        Ok(Some(Resolved { func: ScalarFunc::String(func), arg_types, return_type }))
    };
    let utf8 = DataType::Utf8;
    match name {
        "lower" | "lcase" => done(StringFunc::Lower, signature(name, args, &[S], 0, "a string")?, utf8),
        "upper" | "ucase" => done(StringFunc::Upper, signature(name, args, &[S], 0, "a string")?, utf8),
        "length" | "char_length" | "character_length" | "len" => {
            done(StringFunc::Length, signature(name, args, &[S], 0, "a string")?, DataType::Int64)
        }
        "octet_length" | "strlen" => {
            done(StringFunc::OctetLength, signature(name, args, &[S], 0, "a string")?, DataType::Int64)
        }
        "bit_length" => done(StringFunc::BitLength, signature(name, args, &[S], 0, "a string")?, DataType::Int64),
        "ascii" => done(StringFunc::Ascii, signature(name, args, &[S], 0, "a string")?, DataType::Int32),
        "substr" | "substring" => done(
            StringFunc::Substr,
            signature(name, args, &[S, I, I], 1, "(string, start integer[, length integer])")?,
            utf8,
        ),
        "trim" | "ltrim" | "rtrim" => {
            let func = StringFunc::Trim { leading: name != "rtrim", trailing: name != "ltrim" };
            done(func, signature(name, args, &[S, S], 1, "(string[, characters string])")?, utf8)
        }
        "starts_with" | "prefix" => {
            done(StringFunc::StartsWith, signature(name, args, &[S, S], 0, "two strings")?, DataType::Boolean)
        }
        "ends_with" | "suffix" => {
            done(StringFunc::EndsWith, signature(name, args, &[S, S], 0, "two strings")?, DataType::Boolean)
        }
        "contains" => done(StringFunc::Contains, signature(name, args, &[S, S], 0, "two strings")?, DataType::Boolean),
        "strpos" | "instr" | "position" => {
            done(StringFunc::Strpos, signature(name, args, &[S, S], 0, "two strings")?, DataType::Int64)
        }
        "concat" | "concat_ws" => {
            let min = if name == "concat" { 1 } else { 2 };
            let printable =
                |a: &Arg<'_>| stringish(a.data_type) || arrow_cast::can_cast_types(a.data_type, &DataType::Utf8);
            if args.len() < min
                || !args.iter().all(printable)
                || (name == "concat_ws" && !args.first().is_some_and(|a| stringish(a.data_type)))
            {
                let what = if min == 1 { "one or more values" } else { "a separator string and one or more values" };
                return Err(no_signature(name, args, what));
            }
            let func = if min == 1 { StringFunc::Concat } else { StringFunc::ConcatWs };
            done(func, vec![DataType::Utf8; args.len()], utf8)
        }
        "replace" => done(StringFunc::Replace, signature(name, args, &[S, S, S], 0, "three strings")?, utf8),
        "split_part" => done(
            StringFunc::SplitPart,
            signature(name, args, &[S, S, I], 0, "(string, delimiter string, index integer)")?,
            utf8,
        ),
        "left" => done(StringFunc::Left, signature(name, args, &[S, I], 0, "(string, count integer)")?, utf8),
        "right" => done(StringFunc::Right, signature(name, args, &[S, I], 0, "(string, count integer)")?, utf8),
        "reverse" => done(StringFunc::Reverse, signature(name, args, &[S], 0, "a string")?, utf8),
        "repeat" => done(StringFunc::Repeat, signature(name, args, &[S, I], 0, "(string, count integer)")?, utf8),
        "lpad" => {
            done(StringFunc::Lpad, signature(name, args, &[S, I, S], 0, "(string, length integer, fill string)")?, utf8)
        }
        "rpad" => {
            done(StringFunc::Rpad, signature(name, args, &[S, I, S], 0, "(string, length integer, fill string)")?, utf8)
        }
        "regexp_matches" | "regexp_replace" => {
            let replace = name == "regexp_replace";
            let base = if replace { 3 } else { 2 };
            let kinds = [S, S, S, S];
            let describe = if replace {
                "(string, pattern string, replacement string[, options string])"
            } else {
                "(string, pattern string[, options string])"
            };
            let arg_types = signature(name, args, kinds.get(..base + 1).unwrap_or(&kinds), 1, describe)?;
            let options = match args.get(base) {
                None => RegexOptions::default(),
                Some(o) => {
                    if is_null_literal(o) {
                        return Err(AnalyticsError::execution("regex options must not be NULL"));
                    }
                    let text = literal_str(o).ok_or_else(|| {
                        AnalyticsError::unsupported(format!("{name} with options that are not a constant"))
                    })?;
                    parse_options(text, replace)?
                }
            };
            // A constant pattern is checked now, so a bad one fails before any row is read.
            if let Some(p) = args.get(1).and_then(literal_str) {
                compile(p, &options)?;
            }
            let func = if replace { StringFunc::RegexpReplace(options) } else { StringFunc::RegexpMatches(options) };
            done(func, arg_types, if replace { utf8 } else { DataType::Boolean })
        }
        _ => Ok(None),
    }
}

fn parse_options(text: &str, replace: bool) -> Result<RegexOptions> {
    let mut o = RegexOptions::default();
    for c in text.chars() {
        match c {
            'c' => o.case_insensitive = false,
            'i' => o.case_insensitive = true,
            'l' => o.literal = true,
            'm' | 'n' | 'p' => o.dot_matches_newline = false,
            's' => o.dot_matches_newline = true,
            'g' if replace => o.global = true,
            'g' => {
                return Err(AnalyticsError::execution("option 'g' (global replace) is only valid for regexp_replace"));
            }
            ' ' | '\t' | '\n' => {}
            other => return Err(AnalyticsError::execution(format!("unrecognized regex option {other}"))),
        }
    }
    Ok(o)
}

fn compile(pattern: &str, o: &RegexOptions) -> Result<regex::Regex> {
    let source = if o.literal { regex::escape(pattern) } else { pattern.to_string() };
    regex::RegexBuilder::new(&source)
        .case_insensitive(o.case_insensitive)
        .dot_matches_new_line(o.dot_matches_newline)
        .build()
        .map_err(|e| AnalyticsError::execution(format!("invalid regular expression {pattern:?}: {e}")))
}

/// A replacement in RE2's syntax (`\1` a group, `\\` a backslash, `$` itself) in the `regex`
/// crate's (`${1}`, `$$`).
fn rewrite_replacement(r: &str) -> String {
    let mut out = String::with_capacity(r.len() + 4);
    let mut chars = r.chars().peekable();
    while let Some(c) = chars.next() {
        match c {
            '$' => out.push_str("$$"),
            '\\' => match chars.peek().copied() {
                Some(d) if d.is_ascii_digit() => {
                    chars.next();
                    out.push_str("${");
                    out.push(d);
                    out.push('}');
                }
                Some('\\') => {
                    chars.next();
                    out.push('\\');
                }
                _ => out.push('\\'),
            },
            other => out.push(other),
        }
    }
    out
}

/// A string column's builder that fails, rather than panics, past 2 GiB of text.
pub(crate) struct Utf8Out {
    offsets: Vec<i32>,
    values: Vec<u8>,
    nulls: NullBufferBuilder,
}

impl Utf8Out {
    /// A builder for `rows` values of about `bytes` bytes in all.
    pub(crate) fn with_capacity(rows: usize, bytes: usize) -> Self {
        let mut offsets = Vec::with_capacity(rows + 1);
        offsets.push(0);
        Utf8Out { offsets, values: Vec::with_capacity(bytes), nulls: NullBufferBuilder::new(rows) }
    }

    /// The value being written (the bytes pushed since the last [`Self::end`]).
    fn buf(&mut self) -> &mut Vec<u8> {
        &mut self.values
    }

    /// End the current value.
    fn end(&mut self) -> Result<()> {
        let end = i32::try_from(self.values.len()).map_err(|_| too_large())?;
        self.offsets.push(end);
        self.nulls.append_non_null();
        Ok(())
    }

    /// Append a value.
    pub(crate) fn push(&mut self, s: &str) -> Result<()> {
        self.values.extend_from_slice(s.as_bytes());
        self.end()
    }

    /// Append a NULL.
    pub(crate) fn push_null(&mut self) {
        let end = self.offsets.last().copied().unwrap_or(0);
        // Bytes of an abandoned value (none are pushed before a NULL) are dropped.
        self.values.truncate(usize::try_from(end).unwrap_or(0));
        self.offsets.push(end);
        self.nulls.append_null();
    }

    /// The array.
    pub(crate) fn finish(mut self) -> Result<ArrayRef> {
        let offsets = OffsetBuffer::new(ScalarBuffer::from(self.offsets));
        Ok(Arc::new(StringArray::try_new(offsets, Buffer::from_vec(self.values), self.nulls.finish())?))
    }
}

fn too_large() -> AnalyticsError {
    AnalyticsError::execution("a string result is larger than 2 GiB")
}

/// Run it.
pub fn invoke(func: &StringFunc, args: &[ArrayRef], len: usize, _return_type: &DataType) -> Result<ArrayRef> {
    let s = |i: usize| -> Result<&StringArray> {
        arg(args, i)?
            .as_string_opt::<i32>()
            .ok_or_else(|| AnalyticsError::internal(format!("argument {i} is not a string")))
    };
    let n = |i: usize| -> Result<&PrimitiveArray<Int64Type>> {
        arg(args, i)?
            .as_primitive_opt::<Int64Type>()
            .ok_or_else(|| AnalyticsError::internal(format!("argument {i} is not a bigint")))
    };
    match func {
        StringFunc::Lower => map_str(s(0)?, |v, out| map_case(v, out, false)),
        StringFunc::Upper => map_str(s(0)?, |v, out| map_case(v, out, true)),
        StringFunc::Length => {
            Ok(Arc::new(s(0)?.iter().map(|v| v.map(|t| char_count(t) as i64)).collect::<Int64Array>()))
        }
        StringFunc::OctetLength | StringFunc::BitLength => {
            let a = s(0)?;
            let per_byte = if *func == StringFunc::BitLength { 8 } else { 1 };
            let lengths: Vec<i64> = a
                .offsets()
                .windows(2)
                .map(|w| per_byte * i64::from(w.get(1).copied().unwrap_or(0) - w.first().copied().unwrap_or(0)))
                .collect();
            Ok(Arc::new(Int64Array::new(lengths.into(), a.nulls().cloned())))
        }
        StringFunc::Ascii => {
            let out: Int32Array = s(0)?.iter().map(|v| v.map(|t| t.chars().next().map_or(0, |c| c as i32))).collect();
            Ok(Arc::new(out))
        }
        StringFunc::Substr => {
            let (text, start) = (s(0)?, n(1)?);
            let length = if args.len() > 2 { Some(n(2)?) } else { None };
            let mut out = Utf8Out::with_capacity(len, text.values().len());
            for i in 0..len {
                let l = match length {
                    Some(l) if l.is_null(i) => None,
                    Some(l) => Some(Some(l.value(i))),
                    None => Some(None),
                };
                match (text.is_valid(i), start.is_valid(i), l) {
                    (true, true, Some(l)) => {
                        let v = text.value(i);
                        let (from, to) = substr_range(char_count(v) as i64, start.value(i), l)?;
                        out.push(char_slice(v, from, to))?;
                    }
                    _ => out.push_null(),
                }
            }
            out.finish()
        }
        StringFunc::Trim { leading, trailing } => {
            let text = s(0)?;
            let chars = if args.len() > 1 { Some(s(1)?) } else { None };
            let mut out = Utf8Out::with_capacity(len, text.values().len());
            for i in 0..len {
                let set = match chars {
                    Some(c) if c.is_null(i) => {
                        out.push_null();
                        continue;
                    }
                    Some(c) => c.value(i),
                    None => " ",
                };
                if text.is_null(i) {
                    out.push_null();
                    continue;
                }
                let drop = |c: char| set.contains(c);
                let mut v = text.value(i);
                if *leading {
                    v = v.trim_start_matches(drop);
                }
                if *trailing {
                    v = v.trim_end_matches(drop);
                }
                out.push(v)?;
            }
            out.finish()
        }
        StringFunc::StartsWith => Ok(Arc::new(arrow_string::like::starts_with(s(0)?, s(1)?)?)),
        StringFunc::EndsWith => Ok(Arc::new(arrow_string::like::ends_with(s(0)?, s(1)?)?)),
        StringFunc::Contains => Ok(Arc::new(arrow_string::like::contains(s(0)?, s(1)?)?)),
        StringFunc::Strpos => {
            let (hay, needle) = (s(0)?, s(1)?);
            let out: Int64Array = hay
                .iter()
                .zip(needle.iter())
                .map(|(h, n)| match (h, n) {
                    (Some(h), Some(n)) => {
                        Some(h.find(n).map_or(0, |b| char_count(h.get(..b).unwrap_or("")) as i64 + 1))
                    }
                    _ => None,
                })
                .collect();
            Ok(Arc::new(out))
        }
        StringFunc::Concat | StringFunc::ConcatWs => {
            let ws = *func == StringFunc::ConcatWs;
            let parts = args.iter().skip(usize::from(ws)).map(|a| a.as_string_opt::<i32>()).collect::<Option<Vec<_>>>();
            let parts = parts.ok_or_else(|| AnalyticsError::internal("concat of a non-string"))?;
            let sep = if ws { Some(s(0)?) } else { None };
            let bytes = parts.iter().map(|p| p.values().len()).sum();
            let mut out = Utf8Out::with_capacity(len, bytes);
            for i in 0..len {
                let sep = match sep {
                    Some(a) if a.is_null(i) => {
                        out.push_null();
                        continue;
                    }
                    Some(a) => a.value(i),
                    None => "",
                };
                let mut first = true;
                for p in &parts {
                    if p.is_valid(i) {
                        if !first {
                            out.buf().extend_from_slice(sep.as_bytes());
                        }
                        first = false;
                        out.buf().extend_from_slice(p.value(i).as_bytes());
                    }
                }
                out.end()?;
            }
            out.finish()
        }
        StringFunc::Replace => {
            let (text, from, to) = (s(0)?, s(1)?, s(2)?);
            let mut out = Utf8Out::with_capacity(len, text.values().len());
            for i in 0..len {
                if text.is_null(i) || from.is_null(i) || to.is_null(i) {
                    out.push_null();
                    continue;
                }
                let (v, f, t) = (text.value(i), from.value(i), to.value(i));
                if f.is_empty() {
                    out.push(v)?;
                } else {
                    let mut rest = v;
                    while let Some(at) = rest.find(f) {
                        out.buf().extend_from_slice(rest.get(..at).unwrap_or("").as_bytes());
                        out.buf().extend_from_slice(t.as_bytes());
                        rest = rest.get(at + f.len()..).unwrap_or("");
                        if out.buf().len() > i32::MAX as usize {
                            return Err(too_large());
                        }
                    }
                    out.push(rest)?;
                }
            }
            out.finish()
        }
        StringFunc::SplitPart => {
            let (text, delim, index) = (s(0)?, s(1)?, n(2)?);
            let mut out = Utf8Out::with_capacity(len, text.values().len() / 2);
            for i in 0..len {
                if text.is_null(i) || delim.is_null(i) || index.is_null(i) {
                    out.push_null();
                    continue;
                }
                out.push(split_part(text.value(i), delim.value(i), index.value(i)))?;
            }
            out.finish()
        }
        StringFunc::Left | StringFunc::Right => {
            let (text, count) = (s(0)?, n(1)?);
            let left = *func == StringFunc::Left;
            let mut out = Utf8Out::with_capacity(len, text.values().len());
            for i in 0..len {
                if text.is_null(i) || count.is_null(i) {
                    out.push_null();
                    continue;
                }
                let (v, k) = (text.value(i), count.value(i));
                check_length(k)?;
                let size = char_count(v) as i64;
                let (from, to) = match (left, k >= 0) {
                    (true, true) => (0, k.min(size)),
                    (true, false) => (0, (size + k).max(0)),
                    (false, true) => ((size - k).max(0), size),
                    (false, false) => ((-k).min(size), size),
                };
                out.push(char_slice(v, from, to))?;
            }
            out.finish()
        }
        StringFunc::Reverse => map_str(s(0)?, |v, out| {
            out.extend(v.chars().rev());
        }),
        StringFunc::Repeat => {
            let (text, count) = (s(0)?, n(1)?);
            let mut out = Utf8Out::with_capacity(len, 0);
            for i in 0..len {
                if text.is_null(i) || count.is_null(i) {
                    out.push_null();
                    continue;
                }
                let (v, k) = (text.value(i), count.value(i).max(0));
                let bytes = (v.len() as u128) * (k as u128) + out.values.len() as u128;
                if bytes > i32::MAX as u128 {
                    return Err(too_large());
                }
                for _ in 0..k {
                    out.buf().extend_from_slice(v.as_bytes());
                }
                out.end()?;
            }
            out.finish()
        }
        StringFunc::Lpad | StringFunc::Rpad => {
            let (text, count, fill) = (s(0)?, n(1)?, s(2)?);
            let left = *func == StringFunc::Lpad;
            let mut out = Utf8Out::with_capacity(len, text.values().len());
            for i in 0..len {
                if text.is_null(i) || count.is_null(i) || fill.is_null(i) {
                    out.push_null();
                    continue;
                }
                pad(&mut out, text.value(i), count.value(i), fill.value(i), left)?;
            }
            out.finish()
        }
        StringFunc::RegexpMatches(o) => {
            let (text, pattern) = (s(0)?, s(1)?);
            let mut cache = Regexes::new(*o);
            let mut out = Vec::with_capacity(len);
            for i in 0..len {
                out.push(if text.is_null(i) || pattern.is_null(i) {
                    None
                } else {
                    Some(cache.get(pattern.value(i))?.is_match(text.value(i)))
                });
            }
            Ok(Arc::new(BooleanArray::from(out)))
        }
        StringFunc::RegexpReplace(o) => {
            let (text, pattern, replacement) = (s(0)?, s(1)?, s(2)?);
            let mut cache = Regexes::new(*o);
            let mut rewritten: HashMap<String, String> = HashMap::new();
            let mut out = Utf8Out::with_capacity(len, text.values().len());
            for i in 0..len {
                if text.is_null(i) || pattern.is_null(i) || replacement.is_null(i) {
                    out.push_null();
                    continue;
                }
                let re = cache.get(pattern.value(i))?;
                let r = replacement.value(i);
                if !rewritten.contains_key(r) {
                    rewritten.insert(r.to_string(), rewrite_replacement(r));
                }
                let r = rewritten.get(r).map(String::as_str).unwrap_or("");
                let v = text.value(i);
                let replaced = if o.global { re.replace_all(v, r) } else { re.replace(v, r) };
                out.push(&replaced)?;
            }
            out.finish()
        }
    }
}

/// Compiled patterns by their text: a constant pattern is compiled once per batch, a column of
/// patterns once per distinct pattern.
struct Regexes {
    options: RegexOptions,
    compiled: HashMap<String, regex::Regex>,
}

impl Regexes {
    fn new(options: RegexOptions) -> Self {
        Regexes { options, compiled: HashMap::new() }
    }

    fn get(&mut self, pattern: &str) -> Result<&regex::Regex> {
        if !self.compiled.contains_key(pattern) {
            let re = compile(pattern, &self.options)?;
            self.compiled.insert(pattern.to_string(), re);
        }
        self.compiled.get(pattern).ok_or_else(|| AnalyticsError::internal("regex cache"))
    }
}

/// Map every non-NULL string through `f`, which writes the result into a scratch string.
fn map_str(a: &StringArray, mut f: impl FnMut(&str, &mut String)) -> Result<ArrayRef> {
    let mut out = Utf8Out::with_capacity(a.len(), a.values().len());
    let mut scratch = String::new();
    for v in a.iter() {
        match v {
            Some(v) => {
                scratch.clear();
                f(v, &mut scratch);
                out.push(&scratch)?;
            }
            None => out.push_null(),
        }
    }
    out.finish()
}

/// Per-character case mapping, as DuckDB's (utf8proc's simple mappings): a character whose full
/// mapping has several characters keeps its first (`İ` lowers to `i`) or, upper-casing, stays
/// itself (`ﬀ`), except `ß`, which becomes `ẞ`.
fn map_case(v: &str, out: &mut String, upper: bool) {
    if v.is_ascii() {
        out.push_str(v);
        if upper {
            out.make_ascii_uppercase();
        } else {
            out.make_ascii_lowercase();
        }
        return;
    }
    for c in v.chars() {
        if upper {
            let mut m = c.to_uppercase();
            match (m.next(), m.next()) {
                (Some(u), None) => out.push(u),
                _ if c == 'ß' => out.push('ẞ'),
                _ => out.push(c),
            }
        } else {
            out.push(c.to_lowercase().next().unwrap_or(c));
        }
    }
}

/// The number of characters.
fn char_count(s: &str) -> usize {
    if s.is_ascii() { s.len() } else { s.chars().count() }
}

/// The characters `[from, to)` of `s` (clamped to it).
fn char_slice(s: &str, from: i64, to: i64) -> &str {
    let (from, to) = (from.max(0) as usize, to.max(0) as usize);
    if from >= to {
        return "";
    }
    if s.is_ascii() {
        return s.get(from.min(s.len())..to.min(s.len())).unwrap_or("");
    }
    let mut bounds = s.char_indices().map(|(b, _)| b).chain(std::iter::once(s.len()));
    let start = bounds.nth(from).unwrap_or(s.len());
    let end = if to > from { bounds.nth(to - from - 1).unwrap_or(s.len()) } else { start };
    s.get(start..end).unwrap_or("")
}

const MAX_OFFSET: i64 = u32::MAX as i64;

fn check_length(length: i64) -> Result<()> {
    if length.unsigned_abs() > MAX_OFFSET as u64 {
        return Err(AnalyticsError::execution(format!("substring length outside of supported range (> {MAX_OFFSET})")));
    }
    Ok(())
}

/// The characters `substr` takes from a string of `size` characters, DuckDB's way: a positive
/// start counts from 1, a negative one from the end, 0 is the position before the first character;
/// a negative length takes the characters before the start.
fn substr_range(size: i64, start: i64, length: Option<i64>) -> Result<(i64, i64)> {
    if start.unsigned_abs() > MAX_OFFSET as u64 {
        return Err(AnalyticsError::execution(format!("substring offset outside of supported range (> {MAX_OFFSET})")));
    }
    if let Some(l) = length {
        check_length(l)?;
    }
    let from = match start {
        s if s > 0 => s - 1,
        s if s < 0 => size + s,
        _ => -1,
    };
    let (from, to) = match length {
        None => (from, size),
        Some(l) if l >= 0 => (from, from + l),
        Some(l) => (from + l, from),
    };
    Ok((from.clamp(0, size), to.clamp(0, size)))
}

fn split_part<'a>(s: &'a str, delim: &str, index: i64) -> &'a str {
    if delim.is_empty() {
        // DuckDB splits into characters.
        let size = char_count(s) as i64;
        let k = if index > 0 { index - 1 } else { size + index };
        return if index != 0 && (0..size).contains(&k) { char_slice(s, k, k + 1) } else { "" };
    }
    match index {
        i if i > 0 => s.split(delim).nth((i - 1) as usize).unwrap_or(""),
        i if i < 0 => s.rsplit(delim).nth((-(i + 1)) as usize).unwrap_or(""),
        _ => "",
    }
}

fn pad(out: &mut Utf8Out, v: &str, count: i64, fill: &str, left: bool) -> Result<()> {
    if count > i64::from(i32::MAX) {
        return Err(too_large());
    }
    let size = char_count(v) as i64;
    if count <= size {
        return out.push(char_slice(v, 0, count));
    }
    let missing = (count - size) as usize;
    if fill.is_empty() {
        return Err(AnalyticsError::execution(format!(
            "insufficient padding in {}",
            if left { "LPAD" } else { "RPAD" }
        )));
    }
    if !left {
        out.buf().extend_from_slice(v.as_bytes());
    }
    for c in fill.chars().cycle().take(missing) {
        let mut b = [0u8; 4];
        out.buf().extend_from_slice(c.encode_utf8(&mut b).as_bytes());
        if out.buf().len() > i32::MAX as usize {
            return Err(too_large());
        }
    }
    if left {
        out.buf().extend_from_slice(v.as_bytes());
    }
    out.end()
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used, clippy::indexing_slicing)]

    use super::*;

    fn strings(v: &[Option<&str>]) -> ArrayRef {
        Arc::new(StringArray::from(v.to_vec()))
    }

    fn ints(v: &[Option<i64>]) -> ArrayRef {
        Arc::new(Int64Array::from(v.to_vec()))
    }

    fn texts(a: &ArrayRef) -> Vec<Option<String>> {
        a.as_string::<i32>().iter().map(|v| v.map(str::to_string)).collect()
    }

    fn run(f: StringFunc, args: &[ArrayRef]) -> Vec<Option<String>> {
        let len = args[0].len();
        texts(&invoke(&f, args, len, &DataType::Utf8).unwrap())
    }

    fn one(f: StringFunc, args: &[ArrayRef]) -> String {
        run(f, args)[0].clone().unwrap()
    }

    #[test]
    fn substr_follows_duckdb_on_zero_and_negative_starts() {
        // DuckDB 2.0.1: substr('héllo', 2) = 'éllo', (2, 2) = 'él', (0, 2) = 'h', (-2) = 'lo',
        // (-2, 1) = 'l', (10) = '', (2, -1) = 'h', (-10, 3) = '', (0) = 'héllo',
        // substr('hello', -7, 4) = 'he', (3, -2) = 'he', (5, -10) = 'hell', (-2, -2) = 'el'.
        let cases: &[(&str, i64, Option<i64>, &str)] = &[
            ("héllo", 2, None, "éllo"),
            ("héllo", 2, Some(2), "él"),
            ("héllo", 0, Some(2), "h"),
            ("héllo", -2, None, "lo"),
            ("héllo", -2, Some(1), "l"),
            ("héllo", 10, None, ""),
            ("héllo", 2, Some(-1), "h"),
            ("héllo", -10, Some(3), ""),
            ("héllo", 0, None, "héllo"),
            ("hello", -7, Some(4), "he"),
            ("hello", 3, Some(-2), "he"),
            ("hello", 5, Some(-10), "hell"),
            ("hello", -2, Some(-2), "el"),
            ("hello", 0, Some(-1), ""),
            ("hello", 2, Some(0), ""),
        ];
        for (s, start, length, want) in cases {
            let mut args = vec![strings(&[Some(s)]), ints(&[Some(*start)])];
            if let Some(l) = length {
                args.push(ints(&[Some(*l)]));
            }
            assert_eq!(one(StringFunc::Substr, &args), *want, "substr({s}, {start}, {length:?})");
        }
        let err = invoke(&StringFunc::Substr, &[strings(&[Some("a")]), ints(&[Some(i64::MAX)])], 1, &DataType::Utf8);
        assert!(err.is_err());
        let nulls = run(StringFunc::Substr, &[strings(&[None, Some("abc")]), ints(&[Some(1), None])]);
        assert_eq!(nulls, vec![None, None]);
    }

    #[test]
    fn case_mapping_is_per_character() {
        // DuckDB 2.0.1: upper('straße') = 'STRAẞE', lower('İ') = 'i', lower('ΑΣ') = 'ασ', upper('ﬀ') = 'ﬀ'.
        let a = strings(&[Some("straße"), Some("ﬀ"), None, Some("abc")]);
        assert_eq!(
            run(StringFunc::Upper, &[a]),
            vec![Some("STRAẞE".into()), Some("ﬀ".into()), None, Some("ABC".into())]
        );
        let b = strings(&[Some("İ"), Some("ΑΣ"), Some("ÀÉ")]);
        assert_eq!(run(StringFunc::Lower, &[b]), vec![Some("i".into()), Some("ασ".into()), Some("àé".into())]);
    }

    #[test]
    fn split_part_counts_from_either_end() {
        // DuckDB 2.0.1: split_part('a,b,c', ',', 2) = 'b', 4 = '', 0 = '', -1 = 'c', -4 = '',
        // split_part('a,b,c', '', 1) = 'a', split_part('a,,b', ',', 2) = ''.
        assert_eq!(split_part("a,b,c", ",", 2), "b");
        assert_eq!(split_part("a,b,c", ",", 4), "");
        assert_eq!(split_part("a,b,c", ",", 0), "");
        assert_eq!(split_part("a,b,c", ",", -1), "c");
        assert_eq!(split_part("a,b,c", ",", -4), "");
        assert_eq!(split_part("a,b,c", "", 1), "a");
        assert_eq!(split_part("a,,b", ",", 2), "");
        assert_eq!(split_part("héllo", "é", 2), "llo");
    }

    #[test]
    fn left_right_pad_repeat() {
        // DuckDB 2.0.1: left('héllo', 2) = 'hé', right(.., 2) = 'lo', left(.., -2) = 'hél',
        // right(.., -2) = 'llo'; lpad('héllo', 7, 'ab') = 'abhéllo', rpad = 'hélloab',
        // lpad('héllo', 3, 'x') = 'hél'; repeat('ab', 3) = 'ababab', repeat('ab', -1) = ''.
        let s = || strings(&[Some("héllo")]);
        assert_eq!(one(StringFunc::Left, &[s(), ints(&[Some(2)])]), "hé");
        assert_eq!(one(StringFunc::Right, &[s(), ints(&[Some(2)])]), "lo");
        assert_eq!(one(StringFunc::Left, &[s(), ints(&[Some(-2)])]), "hél");
        assert_eq!(one(StringFunc::Right, &[s(), ints(&[Some(-2)])]), "llo");
        assert_eq!(one(StringFunc::Left, &[s(), ints(&[Some(10)])]), "héllo");
        assert_eq!(one(StringFunc::Lpad, &[s(), ints(&[Some(7)]), strings(&[Some("ab")])]), "abhéllo");
        assert_eq!(one(StringFunc::Rpad, &[s(), ints(&[Some(7)]), strings(&[Some("ab")])]), "hélloab");
        assert_eq!(one(StringFunc::Lpad, &[s(), ints(&[Some(3)]), strings(&[Some("x")])]), "hél");
        assert_eq!(one(StringFunc::Lpad, &[s(), ints(&[Some(-1)]), strings(&[Some("x")])]), "");
        assert!(invoke(&StringFunc::Lpad, &[s(), ints(&[Some(9)]), strings(&[Some("")])], 1, &DataType::Utf8).is_err());
        assert_eq!(one(StringFunc::Repeat, &[strings(&[Some("ab")]), ints(&[Some(3)])]), "ababab");
        assert_eq!(one(StringFunc::Repeat, &[strings(&[Some("ab")]), ints(&[Some(-1)])]), "");
        assert!(
            invoke(&StringFunc::Repeat, &[strings(&[Some("ab")]), ints(&[Some(2_000_000_000)])], 1, &DataType::Utf8)
                .is_err()
        );
        assert_eq!(one(StringFunc::Reverse, &[s()]), "olléh");
    }

    #[test]
    fn concat_skips_nulls_and_concat_ws_needs_a_separator() {
        let a = strings(&[Some("a"), None]);
        let b = strings(&[None, None]);
        let c = strings(&[Some("c"), None]);
        assert_eq!(
            run(StringFunc::Concat, &[a.clone(), b.clone(), c.clone()]),
            vec![Some("ac".into()), Some(String::new())]
        );
        let sep = strings(&[Some(","), None]);
        assert_eq!(run(StringFunc::ConcatWs, &[sep, a, b, c]), vec![Some("a,c".into()), None]);
    }

    #[test]
    fn trim_strpos_replace() {
        // DuckDB 2.0.1: trim('xxaxx', 'x') = 'a', ltrim('xyaxy', 'yx') = 'axy', strpos('héllo', 'l') = 3,
        // strpos('abc', '') = 1, replace('abc', '', 'x') = 'abc'.
        let t = StringFunc::Trim { leading: true, trailing: true };
        assert_eq!(one(t.clone(), &[strings(&[Some("xxaxx")]), strings(&[Some("x")])]), "a");
        assert_eq!(one(t, &[strings(&[Some("  a b  ")])]), "a b");
        let l = StringFunc::Trim { leading: true, trailing: false };
        assert_eq!(one(l, &[strings(&[Some("xyaxy")]), strings(&[Some("yx")])]), "axy");
        let p = invoke(
            &StringFunc::Strpos,
            &[strings(&[Some("héllo"), Some("abc"), Some("abc")]), strings(&[Some("l"), Some(""), Some("z")])],
            3,
            &DataType::Int64,
        )
        .unwrap();
        assert_eq!(p.as_primitive::<Int64Type>().values().to_vec(), vec![3, 1, 0]);
        assert_eq!(
            one(StringFunc::Replace, &[strings(&[Some("héllo")]), strings(&[Some("l")]), strings(&[Some("L")])]),
            "héLLo"
        );
        assert_eq!(
            one(StringFunc::Replace, &[strings(&[Some("abc")]), strings(&[Some("")]), strings(&[Some("x")])]),
            "abc"
        );
    }

    #[test]
    fn regexes_take_duckdb_replacements_and_options() {
        // DuckDB 2.0.1: regexp_replace('hello', '(l+)', '<\1>') = 'he<ll>o',
        // regexp_replace('a.b.c', '\.', '$') = 'a$b.c', regexp_replace('aaa', 'a*', 'x', 'g') = 'x',
        // regexp_replace('abc', '', 'x', 'g') = 'xaxbxcx', regexp_replace('Hello', 'h', 'x', 'i') = 'xello'.
        let g = RegexOptions { global: true, ..Default::default() };
        let i = RegexOptions { case_insensitive: true, ..Default::default() };
        let r = |o: RegexOptions, s: &str, p: &str, with: &str| {
            one(StringFunc::RegexpReplace(o), &[strings(&[Some(s)]), strings(&[Some(p)]), strings(&[Some(with)])])
        };
        assert_eq!(r(RegexOptions::default(), "hello", "(l+)", "<\\1>"), "he<ll>o");
        assert_eq!(r(RegexOptions::default(), "a.b.c", "\\.", "$"), "a$b.c");
        assert_eq!(r(RegexOptions::default(), "hello", "l", "L"), "heLlo");
        assert_eq!(r(g, "hello", "l", "L"), "heLLo");
        assert_eq!(r(g, "aaa", "a*", "x"), "x");
        assert_eq!(r(g, "abc", "", "x"), "xaxbxcx");
        assert_eq!(r(i, "Hello", "h", "x"), "xello");
        assert!(parse_options("z", false).is_err());
        assert!(parse_options("g", false).is_err());
        let m = invoke(
            &StringFunc::RegexpMatches(i),
            &[strings(&[Some("hello"), None]), strings(&[Some("L"), Some("a")])],
            2,
            &DataType::Boolean,
        )
        .unwrap();
        assert_eq!(m.as_boolean().iter().collect::<Vec<_>>(), vec![Some(true), None]);
    }

    #[test]
    fn resolution_checks_argument_types() {
        let (s, i, f) = (DataType::Utf8, DataType::Int32, DataType::Float64);
        let a = |t| Arg { data_type: t, literal: None };
        assert!(resolve("substr", &[a(&s), a(&i)]).unwrap().is_some());
        assert!(resolve("substr", &[a(&s), a(&f)]).is_err());
        assert!(resolve("substr", &[a(&s)]).is_err());
        assert!(resolve("lower", &[a(&i)]).is_err());
        assert!(resolve("concat", &[]).is_err());
        assert!(resolve("concat", &[a(&s), a(&i), a(&f)]).unwrap().is_some());
        assert!(resolve("nosuch", &[]).unwrap().is_none());
    }
}
