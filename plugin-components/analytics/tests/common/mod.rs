//! What the tests comparing the engine with DuckDB share: answers as comparable values, the
//! comparison rules (written out in `differential.rs`'s module documentation), and reading Arrow
//! IPC files.
#![allow(dead_code)]

use std::fmt;
use std::path::Path;

use arrow_array::cast::AsArray;
use arrow_array::types::*;
use arrow_array::{Array, RecordBatch};
use arrow_schema::{DataType, IntervalUnit, TimeUnit};

// ---------------------------------------------------------------------------------------------
// Values

/// One value of a result, in the form the comparison rules compare.
#[derive(Debug, Clone)]
pub enum V {
    Null,
    /// An integer, or a decimal: `value / 10^scale`.
    Num(i128, i8),
    F(f64),
    Str(String),
    Bool(bool),
    Date(i64),
    /// Nanoseconds since the epoch.
    Ts(i128),
    Interval(i32, i32, i64),
    Other(String),
}

impl fmt::Display for V {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            V::Null => write!(f, "NULL"),
            V::Num(v, 0) => write!(f, "{v}"),
            V::Num(v, s) => {
                let neg = *v < 0;
                let digits = v.unsigned_abs().to_string();
                let s = *s as usize;
                let padded = format!("{digits:0>width$}", width = s + 1);
                let (int, frac) = padded.split_at(padded.len() - s);
                write!(f, "{}{int}.{frac}", if neg { "-" } else { "" })
            }
            V::F(x) => write!(f, "{x:?}"),
            V::Str(s) => write!(f, "{s:?}"),
            V::Bool(b) => write!(f, "{b}"),
            V::Date(d) => write!(f, "date {d}"),
            V::Ts(t) => write!(f, "ts {t}ns"),
            V::Interval(m, d, n) => write!(f, "interval {m}m {d}d {n}ns"),
            V::Other(s) => write!(f, "{s}"),
        }
    }
}

fn pow10(n: u32) -> Option<i128> {
    10i128.checked_pow(n)
}

/// Two exact numbers at one scale.
fn num_eq(a: i128, sa: i8, b: i128, sb: i8) -> bool {
    let s = sa.max(sb);
    let up = |v: i128, from: i8| pow10((s - from) as u32).and_then(|p| v.checked_mul(p));
    match (up(a, sa), up(b, sb)) {
        (Some(x), Some(y)) => x == y,
        _ => false,
    }
}

fn float_eq(a: f64, b: f64, loose: bool) -> bool {
    if a.is_nan() || b.is_nan() {
        return a.is_nan() && b.is_nan();
    }
    if a == b {
        return true;
    }
    if a.is_infinite() || b.is_infinite() {
        return false;
    }
    let (rel, abs) = if loose { (1e-6, 1e-6) } else { (1e-9, 0.0) };
    (a - b).abs() <= rel * a.abs().max(b.abs()) + abs
}

pub fn v_eq(a: &V, b: &V, loose: bool) -> bool {
    match (a, b) {
        (V::Null, V::Null) => true,
        (V::Num(x, sx), V::Num(y, sy)) => num_eq(*x, *sx, *y, *sy),
        (V::F(x), V::F(y)) => float_eq(*x, *y, loose),
        (V::Str(x), V::Str(y)) => x == y,
        (V::Bool(x), V::Bool(y)) => x == y,
        (V::Date(x), V::Date(y)) => x == y,
        (V::Ts(x), V::Ts(y)) => x == y,
        (V::Interval(a1, b1, c1), V::Interval(a2, b2, c2)) => a1 == a2 && b1 == b2 && c1 == c2,
        (V::Other(x), V::Other(y)) => x == y,
        _ => false,
    }
}

pub fn row_eq(a: &[V], b: &[V], loose: bool) -> bool {
    a.len() == b.len() && a.iter().zip(b).all(|(x, y)| v_eq(x, y, loose))
}

/// A sort key that puts equal rows next to each other (floats rounded, so that values equal
/// within the tolerance nearly always sort together; a greedy match catches the rest).
fn canonical(row: &[V]) -> String {
    let mut out = String::new();
    for v in row {
        let s = match v {
            V::F(x) if x.is_nan() => "F:nan".to_string(),
            V::F(x) if *x == 0.0 => "F:0".to_string(),
            V::F(x) => format!("F:{x:.5e}"),
            V::Num(x, s) => {
                // Strip trailing zeros of the fraction so that 1.50 and 1.5 agree.
                let (mut x, mut s) = (*x, *s);
                while s > 0 && x % 10 == 0 {
                    x /= 10;
                    s -= 1;
                }
                format!("N:{x}e-{s}")
            }
            other => format!("{other}"),
        };
        out.push_str(&s);
        out.push('\u{1}');
    }
    out
}

fn scale_ts(v: i64, unit: &TimeUnit) -> i128 {
    let v = i128::from(v);
    match unit {
        TimeUnit::Second => v * 1_000_000_000,
        TimeUnit::Millisecond => v * 1_000_000,
        TimeUnit::Microsecond => v * 1_000,
        TimeUnit::Nanosecond => v,
    }
}

pub fn value(a: &dyn Array, i: usize) -> V {
    if a.is_null(i) {
        return V::Null;
    }
    match a.data_type() {
        DataType::Null => V::Null,
        DataType::Boolean => V::Bool(a.as_boolean().value(i)),
        DataType::Int8 => V::Num(a.as_primitive::<Int8Type>().value(i).into(), 0),
        DataType::Int16 => V::Num(a.as_primitive::<Int16Type>().value(i).into(), 0),
        DataType::Int32 => V::Num(a.as_primitive::<Int32Type>().value(i).into(), 0),
        DataType::Int64 => V::Num(a.as_primitive::<Int64Type>().value(i).into(), 0),
        DataType::UInt8 => V::Num(a.as_primitive::<UInt8Type>().value(i).into(), 0),
        DataType::UInt16 => V::Num(a.as_primitive::<UInt16Type>().value(i).into(), 0),
        DataType::UInt32 => V::Num(a.as_primitive::<UInt32Type>().value(i).into(), 0),
        DataType::UInt64 => V::Num(a.as_primitive::<UInt64Type>().value(i).into(), 0),
        DataType::Float16 => V::F(a.as_primitive::<Float16Type>().value(i).to_f64()),
        DataType::Float32 => V::F(a.as_primitive::<Float32Type>().value(i).into()),
        DataType::Float64 => V::F(a.as_primitive::<Float64Type>().value(i)),
        DataType::Decimal128(_, s) => V::Num(a.as_primitive::<Decimal128Type>().value(i), *s),
        DataType::Decimal64(_, s) => V::Num(a.as_primitive::<Decimal64Type>().value(i).into(), *s),
        DataType::Decimal32(_, s) => V::Num(a.as_primitive::<Decimal32Type>().value(i).into(), *s),
        DataType::Utf8 => V::Str(a.as_string::<i32>().value(i).to_string()),
        DataType::LargeUtf8 => V::Str(a.as_string::<i64>().value(i).to_string()),
        DataType::Utf8View => V::Str(a.as_string_view().value(i).to_string()),
        DataType::Date32 => V::Date(a.as_primitive::<Date32Type>().value(i).into()),
        DataType::Date64 => V::Date(a.as_primitive::<Date64Type>().value(i) / 86_400_000),
        DataType::Timestamp(unit, _) => {
            let v = match unit {
                TimeUnit::Second => a.as_primitive::<TimestampSecondType>().value(i),
                TimeUnit::Millisecond => a.as_primitive::<TimestampMillisecondType>().value(i),
                TimeUnit::Microsecond => a.as_primitive::<TimestampMicrosecondType>().value(i),
                TimeUnit::Nanosecond => a.as_primitive::<TimestampNanosecondType>().value(i),
            };
            V::Ts(scale_ts(v, unit))
        }
        DataType::Interval(IntervalUnit::MonthDayNano) => {
            let v = a.as_primitive::<IntervalMonthDayNanoType>().value(i);
            V::Interval(v.months, v.days, v.nanoseconds)
        }
        _ => {
            let options = arrow_cast::display::FormatOptions::default();
            match arrow_cast::display::ArrayFormatter::try_new(a, &options) {
                Ok(f) => V::Other(f.value(i).to_string()),
                Err(e) => V::Other(format!("<{e}>")),
            }
        }
    }
}

pub fn rows_of(batches: &[RecordBatch]) -> Vec<Vec<V>> {
    let mut out = Vec::new();
    for b in batches {
        for i in 0..b.num_rows() {
            out.push(b.columns().iter().map(|c| value(c.as_ref(), i)).collect());
        }
    }
    out
}

// ---------------------------------------------------------------------------------------------
// One query's outcome and its comparison

/// An answer: its column count and rows, or an error.
#[derive(Debug)]
pub enum Outcome {
    Rows { columns: usize, types: Vec<DataType>, rows: Vec<Vec<V>> },
    Error(String),
}

impl Outcome {
    pub fn show(&self, max: usize) -> String {
        match self {
            Outcome::Error(e) => format!("ERROR {e}"),
            Outcome::Rows { types, rows, .. } => {
                let t: Vec<String> = types.iter().map(ToString::to_string).collect();
                let mut s = format!("{} rows of ({})", rows.len(), t.join(", "));
                for r in rows.iter().take(max) {
                    let cells: Vec<String> = r.iter().map(ToString::to_string).collect();
                    s.push_str(&format!("\n      | {}", cells.join(" | ")));
                }
                if rows.len() > max {
                    s.push_str("\n      | ...");
                }
                s
            }
        }
    }
}

/// Multiset equality of rows under the comparison rules.
pub fn multiset_eq(a: &[Vec<V>], b: &[Vec<V>], loose: bool) -> bool {
    if a.len() != b.len() {
        return false;
    }
    let mut x: Vec<(String, &Vec<V>)> = a.iter().map(|r| (canonical(r), r)).collect();
    let mut y: Vec<(String, &Vec<V>)> = b.iter().map(|r| (canonical(r), r)).collect();
    x.sort_by(|p, q| p.0.cmp(&q.0));
    y.sort_by(|p, q| p.0.cmp(&q.0));
    if x.iter().zip(&y).all(|(p, q)| row_eq(p.1, q.1, loose)) {
        return true;
    }
    // Values within the tolerance can sort apart: match greedily.
    let mut used = vec![false; b.len()];
    'rows: for r in a {
        for (j, s) in b.iter().enumerate() {
            if !used[j] && row_eq(r, s, loose) {
                used[j] = true;
                continue 'rows;
            }
        }
        return false;
    }
    true
}

/// A row DuckDB has that the engine lacks, and one the engine has that DuckDB lacks.
fn first_difference(expected: &[Vec<V>], actual: &[Vec<V>], loose: bool) -> String {
    let show = |r: &Vec<V>| r.iter().map(ToString::to_string).collect::<Vec<_>>().join(" | ");
    let missing = expected.iter().find(|r| !actual.iter().any(|a| row_eq(r, a, loose)));
    let extra = actual.iter().find(|r| !expected.iter().any(|e| row_eq(r, e, loose)));
    let mut s = String::new();
    if let Some(m) = missing {
        s.push_str(&format!("; DuckDB has {}", show(m)));
    }
    if let Some(x) = extra {
        s.push_str(&format!("; the engine has {}", show(x)));
    }
    s
}

/// Why two answers differ, or `None` when they match.
pub fn compare(expected: &Outcome, actual: &Outcome, order_keys: Option<&[usize]>, loose: bool) -> Option<String> {
    match (expected, actual) {
        (Outcome::Error(_), Outcome::Error(_)) => None,
        (Outcome::Error(_), Outcome::Rows { .. }) => Some("DuckDB fails, the engine answers".into()),
        (Outcome::Rows { .. }, Outcome::Error(_)) => Some("the engine fails, DuckDB answers".into()),
        (Outcome::Rows { columns: ce, rows: re, .. }, Outcome::Rows { columns: ca, rows: ra, .. }) => {
            if ce != ca {
                return Some(format!("{ca} columns where DuckDB has {ce}"));
            }
            if re.len() != ra.len() {
                return Some(format!("{} rows where DuckDB has {}", ra.len(), re.len()));
            }
            match order_keys {
                None => {
                    (!multiset_eq(re, ra, loose)).then(|| format!("different rows{}", first_difference(re, ra, loose)))
                }
                Some(keys) => {
                    // Runs of equal sort keys in DuckDB's order; each must match as a multiset.
                    let key = |r: &Vec<V>| keys.iter().map(|&k| r[k].clone()).collect::<Vec<V>>();
                    let mut start = 0;
                    while start < re.len() {
                        let k0 = key(&re[start]);
                        let mut end = start + 1;
                        while end < re.len() && row_eq(&key(&re[end]), &k0, loose) {
                            end += 1;
                        }
                        if !multiset_eq(&re[start..end], &ra[start..end], loose) {
                            let d = first_difference(&re[start..end], &ra[start..end], loose);
                            return Some(format!("rows {start}..{end} (in ORDER BY order) differ{d}"));
                        }
                        start = end;
                    }
                    None
                }
            }
        }
    }
}

pub fn read_ipc(path: &Path) -> (arrow_schema::SchemaRef, Vec<RecordBatch>) {
    let file = std::fs::File::open(path).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
    let reader = arrow_ipc::reader::FileReader::try_new(file, None).unwrap();
    let schema = reader.schema();
    let batches = reader.collect::<Result<Vec<_>, _>>().unwrap();
    (schema, batches)
}

pub fn outcome_of(schema: &arrow_schema::Schema, batches: &[RecordBatch]) -> Outcome {
    Outcome::Rows {
        columns: schema.fields().len(),
        types: schema.fields().iter().map(|f| f.data_type().clone()).collect(),
        rows: rows_of(batches),
    }
}
