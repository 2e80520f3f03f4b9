//! Aggregate functions end to end, through `Session`, against DuckDB: every expected value
//! below came from DuckDB 2.0.1 running the same query over the same rows (`t` as
//! `k VARCHAR, i INTEGER, f DOUBLE, s VARCHAR, b BOOLEAN, d DATE, dec DECIMAL(10,2), ts TIMESTAMP`
//! with the values of [`session`], `big` as `g INTEGER, x BIGINT`). Types are checked too;
//! `Int64*` marks a column where DuckDB returns a 128-bit integer (`sum` of integers,
//! `count_if`) and this engine `int64`. Floats compare within 1e-12 relative, NaN equal to NaN.
//!
//! Then a property: for every mergeable function, random rows split into random parts, each part
//! aggregated on its own (with its own group numbering), the parts' states merged into one
//! accumulator, give what one accumulator over all rows gives.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic, clippy::indexing_slicing, missing_docs)]

use std::sync::Arc;

use arrow_analytics::Session;
use arrow_analytics::functions::aggregate::{Accumulator, AccumulatorSpec, AggFunc, create};
use arrow_array::cast::AsArray;
use arrow_array::types::{Float32Type, Float64Type};
use arrow_array::{
    Array, ArrayRef, BooleanArray, Date32Array, Decimal128Array, Float64Array, Int32Array, Int64Array, RecordBatch,
    StringArray, TimestampMicrosecondArray,
};
use arrow_cast::display::{ArrayFormatter, FormatOptions};
use arrow_schema::{DataType, TimeUnit};
use proptest::prelude::*;

fn session() -> Session {
    let mut s = Session::default();
    let nan = f64::NAN;
    let inf = f64::INFINITY;
    let k: ArrayRef = Arc::new(StringArray::from(vec![
        Some("a"),
        Some("a"),
        Some("a"),
        Some("b"),
        Some("c"),
        Some("c"),
        Some("c"),
        Some("d"),
        Some("d"),
        None,
    ]));
    let i: ArrayRef = Arc::new(Int32Array::from(vec![
        Some(1),
        Some(2),
        None,
        None,
        Some(5),
        Some(7),
        Some(5),
        Some(-3),
        Some(10),
        Some(4),
    ]));
    let f: ArrayRef = Arc::new(Float64Array::from(vec![
        Some(1.5),
        Some(2.5),
        None,
        None,
        Some(nan),
        Some(inf),
        Some(-inf),
        Some(-0.0),
        Some(0.0),
        Some(2.0),
    ]));
    let sv: ArrayRef = Arc::new(StringArray::from(vec![
        Some("x"),
        Some("y"),
        None,
        None,
        Some("z"),
        Some("w"),
        Some("z"),
        Some("v"),
        Some("u"),
        Some("t"),
    ]));
    let b: ArrayRef = Arc::new(BooleanArray::from(vec![
        Some(true),
        Some(false),
        None,
        None,
        Some(true),
        Some(true),
        None,
        Some(false),
        Some(true),
        Some(true),
    ]));
    let d: ArrayRef = Arc::new(Date32Array::from(vec![
        Some(18262),
        Some(18264),
        None,
        None,
        Some(18263),
        Some(18266),
        Some(18263),
        Some(18261),
        None,
        Some(18293),
    ]));
    let dec: ArrayRef = Arc::new(
        Decimal128Array::from(vec![
            Some(125),
            Some(250),
            None,
            None,
            Some(-110),
            Some(300),
            Some(1),
            Some(-200),
            Some(777),
            Some(0),
        ])
        .with_precision_and_scale(10, 2)
        .unwrap(),
    );
    let ts: ArrayRef = Arc::new(TimestampMicrosecondArray::from(vec![
        Some(1577872800000000),
        Some(1577876400000000),
        None,
        None,
        Some(1577923200000000),
        None,
        Some(1577923201000000),
        Some(1577836799000000),
        Some(1583020800000000),
        Some(1580558400000000),
    ]));
    let t = RecordBatch::try_from_iter(vec![
        ("k", k),
        ("i", i),
        ("f", f),
        ("s", sv),
        ("b", b),
        ("d", d),
        ("dec", dec),
        ("ts", ts),
    ])
    .unwrap();
    // Two batches, so every accumulator sees more than one update.
    s.register("t", t.schema(), vec![t.slice(0, 4), t.slice(4, 6)]).unwrap();
    let g: ArrayRef = Arc::new(Int32Array::from(vec![1, 1, 1, 2, 2]));
    let x: ArrayRef = Arc::new(Int64Array::from(vec![i64::MAX, 1, -5, i64::MAX, 1]));
    let big = RecordBatch::try_from_iter(vec![("g", g), ("x", x)]).unwrap();
    s.register("big", big.schema(), vec![big]).unwrap();
    s
}

fn type_name(t: &DataType) -> String {
    match t {
        DataType::Timestamp(TimeUnit::Microsecond, None) => "Timestamp(µs)".into(),
        DataType::Decimal128(p, s) => format!("Decimal128({p},{s})"),
        other => format!("{other:?}"),
    }
}

fn float_at(a: &ArrayRef, row: usize) -> Option<f64> {
    match a.data_type() {
        DataType::Float64 => Some(a.as_primitive::<Float64Type>().value(row)),
        DataType::Float32 => Some(f64::from(a.as_primitive::<Float32Type>().value(row))),
        _ => None,
    }
}

fn same_float(got: f64, want: f64) -> bool {
    (got.is_nan() && want.is_nan()) || got == want || (got - want).abs() <= 1e-12 * got.abs().max(want.abs())
}

/// Run `sql`; its columns must have `types` and its rows (cells joined by `|`) be `rows`.
fn check(s: &Session, sql: &str, types: &[&str], rows: &[&str]) {
    let answer = s.query(sql, &[]).unwrap_or_else(|e| panic!("{sql}: {e}"));
    let schema = answer.batches.first().map(|b| b.schema());
    if let Some(schema) = schema {
        let got: Vec<String> = schema.fields().iter().map(|f| type_name(f.data_type())).collect();
        let want: Vec<String> = types.iter().map(|t| t.trim_end_matches('*').to_string()).collect();
        assert_eq!(got, want, "{sql}: types");
    }
    let options = FormatOptions::default().with_null("NULL").with_timestamp_format(Some("%Y-%m-%dT%H:%M:%S%.6f"));
    let mut got_rows = Vec::new();
    for batch in &answer.batches {
        for row in 0..batch.num_rows() {
            got_rows.push(batch.columns().iter().map(|c| (c.clone(), row)).collect::<Vec<_>>());
        }
    }
    assert_eq!(got_rows.len(), rows.len(), "{sql}: row count");
    for (cells, want) in got_rows.iter().zip(rows) {
        let want: Vec<&str> = want.split('|').collect();
        assert_eq!(cells.len(), want.len(), "{sql}: columns");
        for ((col, row), w) in cells.iter().zip(&want) {
            if col.is_null(*row) {
                assert_eq!(*w, "NULL", "{sql}: {w} expected, got NULL");
                continue;
            }
            if let Some(v) = float_at(col, *row) {
                let w: f64 = w.parse().unwrap_or_else(|_| panic!("{sql}: {w} expected, got {v}"));
                assert!(same_float(v, w), "{sql}: {w} expected, got {v}");
                continue;
            }
            let text = ArrayFormatter::try_new(col.as_ref(), &options).unwrap().value(*row).to_string();
            assert_eq!(text, *w, "{sql}");
        }
    }
}

/// `sql` must fail (at bind time or while running).
fn fails(s: &Session, sql: &str) {
    assert!(s.query(sql, &[]).is_err(), "{sql} should fail");
}

#[test]
fn aggregates_match_duckdb() {
    let s = session();
    check(
        &s,
        "SELECT k, count(*), count(i), sum(i), avg(i), min(i), max(i) FROM t GROUP BY k ORDER BY k",
        &["Utf8", "Int64", "Int64", "Int64*", "Float64", "Int32", "Int32"],
        &[
            "a|3|2|3|1.5|1|2",
            "b|1|0|NULL|NULL|NULL|NULL",
            "c|3|3|17|5.666666666666667|5|7",
            "d|2|2|7|3.5|-3|10",
            "NULL|1|1|4|4.0|4|4",
        ],
    );
    check(
        &s,
        "SELECT k, var_samp(i), var_pop(i), stddev_samp(i), stddev_pop(i), variance(f), stddev(f) FROM t GROUP BY k ORDER BY k",
        &["Utf8", "Float64", "Float64", "Float64", "Float64", "Float64", "Float64"],
        &[
            "a|0.5|0.25|0.7071067811865476|0.5|0.5|0.7071067811865476",
            "b|NULL|NULL|NULL|NULL|NULL|NULL",
            "c|1.3333333333333335|0.888888888888889|1.1547005383792517|0.9428090415820634|NaN|NaN",
            "d|84.5|42.25|9.192388155425117|6.5|0.0|0.0",
            "NULL|NULL|0.0|NULL|0.0|NULL|NULL",
        ],
    );
    // One value varies by nothing, even a NaN or an infinity.
    check(
        &s,
        "SELECT k, var_pop(f), stddev_pop(f), var_samp(f), stddev_samp(f) FROM t WHERE i = 7 OR i = 4 OR k = 'b' GROUP BY k ORDER BY k",
        &["Utf8", "Float64", "Float64", "Float64", "Float64"],
        &["b|NULL|NULL|NULL|NULL", "c|0.0|0.0|NULL|NULL", "NULL|0.0|0.0|NULL|NULL"],
    );
    // FLOAT interpolates as `lo + (hi - lo) * d` (-inf and 1.5 give NaN), DOUBLE as
    // `lo * (1 - d) + hi * d` (-inf).
    check(
        &s,
        "SELECT median(CAST(f AS FLOAT)), median(f), quantile_cont(CAST(f AS FLOAT), 0.25) FROM t WHERE (i = 5 AND f < 0) OR i = 1",
        &["Float32", "Float64", "Float32"],
        &["NaN|-inf|NaN"],
    );
    // Decimals past 18 digits interpolate down, narrower ones toward zero.
    check(
        &s,
        "SELECT k, median(CAST(-i AS DECIMAL(38,0))), median(CAST(-i AS DECIMAL(18,0))), quantile_cont(CAST(-i AS DECIMAL(38,0)), 0.25) FROM t GROUP BY k ORDER BY k",
        &["Utf8", "Decimal128(38,0)", "Decimal128(18,0)", "Decimal128(38,0)"],
        &["a|-2|-1|-2", "b|NULL|NULL|NULL", "c|-5|-5|-6", "d|-4|-3|-7", "NULL|-4|-4|-4"],
    );
    check(
        &s,
        "SELECT k, median(i), median(f), median(s), median(d), median(dec), median(ts) FROM t GROUP BY k ORDER BY k",
        &["Utf8", "Float64", "Float64", "Utf8", "Timestamp(µs)", "Decimal128(10,2)", "Timestamp(µs)"],
        &[
            "a|1.5|2.0|x|2020-01-02T00:00:00.000000|1.87|2020-01-01T10:30:00.000000",
            "b|NULL|NULL|NULL|NULL|NULL|NULL",
            "c|5.0|inf|z|2020-01-02T00:00:00.000000|0.01|2020-01-02T00:00:00.500000",
            "d|3.5|0.0|u|2019-12-31T00:00:00.000000|2.88|2020-01-30T23:59:59.500000",
            "NULL|4.0|2.0|t|2020-02-01T00:00:00.000000|0.00|2020-02-01T12:00:00.000000",
        ],
    );
    check(
        &s,
        "SELECT k, quantile_cont(i, 0.25), quantile_cont(i, -0.25), quantile_disc(i, 0.5), quantile(s, 0.75), quantile_cont(dec, 0.3), quantile_cont(ts, 0.9) FROM t GROUP BY k ORDER BY k",
        &["Utf8", "Float64", "Float64", "Int32", "Utf8", "Decimal128(10,2)", "Timestamp(µs)"],
        &[
            "a|1.25|1.75|1|y|1.62|2020-01-01T10:54:00.000000",
            "b|NULL|NULL|NULL|NULL|NULL|NULL",
            "c|5.0|6.0|5|z|-0.43|2020-01-02T00:00:00.900000",
            "d|0.25|6.75|-3|v|0.93|2020-02-23T23:59:59.900000",
            "NULL|4.0|4.0|4|t|0.00|2020-02-01T12:00:00.000000",
        ],
    );
    check(
        &s,
        "SELECT mode(i), mode(s), mode(d) FROM t WHERE k = 'c'",
        &["Int32", "Utf8", "Date32"],
        &["5|z|2020-01-02"],
    );
    check(
        &s,
        "SELECT k, first(i), last(i), any_value(i), arbitrary(s), first(i ORDER BY f), last(i ORDER BY f), first(s ORDER BY i DESC), last(s ORDER BY d NULLS FIRST), any_value(s ORDER BY i DESC) FROM t GROUP BY k ORDER BY k",
        &["Utf8", "Int32", "Int32", "Int32", "Utf8", "Int32", "Int32", "Utf8", "Utf8", "Utf8"],
        &[
            "a|1|NULL|1|x|1|NULL|y|y|y",
            "b|NULL|NULL|NULL|NULL|NULL|NULL|NULL|NULL|NULL",
            "c|5|5|5|z|5|5|w|w|w",
            "d|-3|10|-3|v|-3|-3|u|v|u",
            "NULL|4|4|4|t|4|4|t|t|t",
        ],
    );
    check(
        &s,
        "SELECT k, bool_and(b), bool_or(b), count_if(b), product(i), product(f) FROM t GROUP BY k ORDER BY k",
        &["Utf8", "Boolean", "Boolean", "Int64*", "Float64", "Float64"],
        &[
            "a|false|true|1|2.0|3.75",
            "b|NULL|NULL|NULL|NULL|NULL",
            "c|true|true|2|175.0|NaN",
            "d|false|true|1|-30.0|-0.0",
            "NULL|true|true|1|4.0|2.0",
        ],
    );
    check(
        &s,
        "SELECT k, string_agg(s), string_agg(s, ' - '), listagg(s ORDER BY s), group_concat(s, '' ORDER BY i DESC, s), string_agg(i, ';'), string_agg(s, NULL) FROM t GROUP BY k ORDER BY k",
        &["Utf8", "Utf8", "Utf8", "Utf8", "Utf8", "Utf8", "Utf8"],
        &[
            "a|x,y|x - y|x,y|yx|1;2|NULL",
            "b|NULL|NULL|NULL|NULL|NULL|NULL",
            "c|z,w,z|z - w - z|w,z,z|wzz|5;7;5|NULL",
            "d|v,u|v - u|u,v|uv|-3;10|NULL",
            "NULL|t|t|t|t|4|NULL",
        ],
    );
    check(
        &s,
        "SELECT k, approx_count_distinct(i), approx_count_distinct(s), approx_count_distinct(d), approx_count_distinct(b) FROM t GROUP BY k ORDER BY k",
        &["Utf8", "Int64", "Int64", "Int64", "Int64"],
        &["a|2|2|2|2", "b|0|0|0|0", "c|2|2|2|1", "d|2|2|1|2", "NULL|1|1|1|1"],
    );
    check(
        &s,
        "SELECT count(*), count(i), sum(i), avg(f), min(s), var_samp(f), median(i), first(i), string_agg(s), approx_count_distinct(i), bool_and(b), count_if(b), mode(i), product(f), quantile_disc(s, 0.5) FROM t WHERE false",
        &[
            "Int64", "Int64", "Int64*", "Float64", "Utf8", "Float64", "Float64", "Int32", "Utf8", "Int64", "Boolean",
            "Int64*", "Int32", "Float64", "Utf8",
        ],
        &["0|0|NULL|NULL|NULL|NULL|NULL|NULL|NULL|0|NULL|NULL|NULL|NULL|NULL"],
    );
    // GROUP BY ALL does not group by constants: over no rows, one row of aggregates.
    check(
        &s,
        "SELECT 'x' AS c, count(*), sum(i) FROM t WHERE false GROUP BY ALL",
        &["Utf8", "Int64", "Int64*"],
        &["x|0|NULL"],
    );
    check(&s, "SELECT 'x' AS c, k, count(*) FROM t WHERE false GROUP BY ALL", &["Utf8", "Utf8", "Int64"], &[]);
    check(&s, "SELECT 1 AS c FROM t WHERE i > 4 GROUP BY ALL", &["Int32"], &["1", "1", "1", "1"]);
    // An ordered string_agg over no rows at all.
    check(
        &s,
        "SELECT string_agg(s, ',' ORDER BY i), string_agg(s, ',' ORDER BY i DESC, s) FROM t WHERE false",
        &["Utf8", "Utf8"],
        &["NULL|NULL"],
    );
    check(&s, "SELECT k, count(*) FROM t WHERE false GROUP BY k", &["Utf8", "Int64"], &[]);
    check(
        &s,
        "SELECT k, count(*) FILTER (WHERE i > 1), sum(i) FILTER (WHERE b), median(f) FILTER (WHERE f > 0), string_agg(s, ',') FILTER (WHERE i % 2 = 1), first(s) FILTER (WHERE i > 4) FROM t GROUP BY k ORDER BY k",
        &["Utf8", "Int64", "Int64*", "Float64", "Utf8", "Utf8"],
        &[
            "a|1|1|2.0|x|NULL",
            "b|0|NULL|NULL|NULL|NULL",
            "c|3|12|NaN|z,w,z|z",
            "d|1|10|NULL|NULL|u",
            "NULL|1|4|2.0|NULL|NULL",
        ],
    );
    check(
        &s,
        "SELECT k, count(DISTINCT i), sum(DISTINCT i), avg(DISTINCT i), string_agg(DISTINCT s, '/' ORDER BY s), count(DISTINCT f), median(DISTINCT i), min(DISTINCT i), approx_count_distinct(DISTINCT s) FROM t GROUP BY k ORDER BY k",
        &["Utf8", "Int64", "Int64*", "Float64", "Utf8", "Int64", "Float64", "Int32", "Int64"],
        &[
            "a|2|3|1.5|x/y|2|1.5|1|2",
            "b|0|NULL|NULL|NULL|0|NULL|NULL|0",
            "c|2|12|6.0|w/z|3|6.0|5|2",
            "d|2|7|3.5|u/v|1|3.5|-3|2",
            "NULL|1|4|4.0|t|1|4.0|4|1",
        ],
    );
    check(
        &s,
        "SELECT count(DISTINCT k), string_agg(DISTINCT k, ',' ORDER BY k), arg_min(s, i), arg_max(s, i), min_by(k, f), max_by(k, f), arg_max(s, d) FROM t",
        &["Int64", "Utf8", "Utf8", "Utf8", "Utf8", "Utf8", "Utf8"],
        &["4|a,b,c,d|v|u|c|c|t"],
    );
    check(
        &s,
        "SELECT k, sum(f), avg(f), min(f), max(f), var_pop(f), product(f) FROM t GROUP BY k ORDER BY k",
        &["Utf8", "Float64", "Float64", "Float64", "Float64", "Float64", "Float64"],
        &[
            "a|4.0|2.0|1.5|2.5|0.25|3.75",
            "b|NULL|NULL|NULL|NULL|NULL|NULL",
            "c|NaN|NaN|-inf|NaN|NaN|NaN",
            "d|0.0|0.0|0.0|0.0|0.0|-0.0",
            "NULL|2.0|2.0|2.0|2.0|0.0|2.0",
        ],
    );
    check(
        &s,
        "SELECT min(d), max(d), min(ts), max(ts), min(dec), max(dec), min(b), max(b), min(s), max(s) FROM t",
        &[
            "Date32",
            "Date32",
            "Timestamp(µs)",
            "Timestamp(µs)",
            "Decimal128(10,2)",
            "Decimal128(10,2)",
            "Boolean",
            "Boolean",
            "Utf8",
            "Utf8",
        ],
        &["2019-12-31|2020-02-01|2019-12-31T23:59:59.000000|2020-03-01T00:00:00.000000|-2.00|7.77|false|true|t|z"],
    );
    check(
        &s,
        "SELECT g, sum(x), avg(x), min(x) FROM big WHERE g = 1 GROUP BY g",
        &["Int32", "Int64*", "Float64", "Int64"],
        &["1|9223372036854775803|3.0744573456182584e+18|-5"],
    );
    // DuckDB: 9223372036854775808 as a HUGEINT; here sums of integers are int64, and a total
    // past it is an overflow error (partial sums past it are fine, as the query above shows).
    fails(&s, "SELECT sum(x) FROM big WHERE g = 2");
    check(
        &s,
        "SELECT sum(b), count(DISTINCT b), first(DISTINCT i), count(DISTINCT f), approx_count_distinct(f) FROM t",
        &["Int64*", "Int64", "Int32", "Int64", "Int64"],
        &["5|2|1|7|7"],
    );
    // DuckDB: Binder Error: No function matches the given name and argument types 'avg(BOOLEAN)'.
    fails(&s, "SELECT avg(b) FROM t");
    // DuckDB: Binder Error: QUANTILE can only take parameters in the range [-1, 1]
    fails(&s, "SELECT quantile_cont(i, 1.5) FROM t");
    // DuckDB: Binder Error: The "quantile" argument in function "quantile_cont" must be a constant expression
    fails(&s, "SELECT quantile_cont(i, i) FROM t");
    // DuckDB: Binder Error: The "quantile" argument in function "quantile_cont" must not be NULL
    fails(&s, "SELECT quantile_cont(i, NULL) FROM t");
    // DuckDB: Binder Error: No function matches the given name and argument types 'quantile_cont(VARCHAR, DECIMAL(2,1))'. You might need to add explicit type casts.
    fails(&s, "SELECT quantile_cont(s, 0.5) FROM t");
    // DuckDB: Binder Error: No function matches the given name and argument types 'bool_and(INTEGER)'. You might need to add explicit type casts.
    fails(&s, "SELECT bool_and(i) FROM t");
    // DuckDB: Binder Error: The "arg" argument in function "string_agg" must be a constant expression
    fails(&s, "SELECT string_agg(s, s) FROM t");
    // DuckDB: Binder Error: No function matches the given name and argument types 'sum(VARCHAR)'. You might need to add explicit type casts.
    fails(&s, "SELECT sum(s) FROM t");
    // DuckDB: Binder Error: No function matches the given name and argument types 'var_samp(VARCHAR)'. You might need to add explicit type casts.
    fails(&s, "SELECT var_samp(s) FROM t");
    // DuckDB: Binder Error: No function matches the given name and argument types 'count_if(INTEGER)'. You might need to add explicit type casts.
    fails(&s, "SELECT count_if(i) FROM t");
}

#[test]
fn errors_have_their_kinds() {
    use arrow_analytics::ErrorKind;
    let s = session();
    let kind = |sql: &str| s.query(sql, &[]).map(|_| ()).unwrap_err().kind;
    assert_eq!(kind("SELECT quantile_cont(i, 1.5) FROM t"), ErrorKind::InvalidQuery);
    assert_eq!(kind("SELECT quantile_disc(i, i) FROM t"), ErrorKind::InvalidQuery);
    assert_eq!(kind("SELECT string_agg(s, s) FROM t"), ErrorKind::InvalidQuery);
    assert_eq!(kind("SELECT bool_or(s) FROM t"), ErrorKind::TypeMismatch);
    assert_eq!(kind("SELECT stddev(s) FROM t"), ErrorKind::TypeMismatch);
    assert_eq!(kind("SELECT sum(x) FROM big"), ErrorKind::Execution);
}

#[test]
fn split_aggregation_merges_partial_states() {
    let s = session();
    let sql = "SELECT k, count(*), sum(i), avg(f), var_samp(i), first(s ORDER BY i DESC), any_value(s), bool_or(b), approx_count_distinct(s), arg_max(s, i), min(d), max(ts) FROM t GROUP BY k ORDER BY k";
    let whole = s.query(sql, &[]).unwrap();
    let partial = s.query_partial(sql, &[]).unwrap();
    let merged = s.query_merge(sql, &[], partial.batches.clone()).unwrap();
    let show = |b: &[RecordBatch]| arrow_cast::pretty::pretty_format_batches(b).unwrap().to_string();
    assert_eq!(show(&merged.batches), show(&whole.batches));
}

/// A mergeable function and the types it is made for.
#[derive(Debug, Clone)]
struct Case {
    func: AggFunc,
    args: Vec<DataType>,
    ret: DataType,
    order: Vec<DataType>,
    options: Vec<(bool, bool)>,
}

fn case(func: AggFunc, args: &[DataType], ret: DataType) -> Case {
    Case { func, args: args.to_vec(), ret, order: vec![], options: vec![] }
}

fn ordered(func: AggFunc, args: &[DataType], ret: DataType, options: (bool, bool)) -> Case {
    Case { func, args: args.to_vec(), ret, order: vec![DataType::Int64], options: vec![options] }
}

fn cases() -> Vec<Case> {
    use DataType::*;
    let dec = Decimal128(12, 2);
    vec![
        case(AggFunc::CountStar, &[], Int64),
        case(AggFunc::Count, &[Int64], Int64),
        case(AggFunc::Sum, &[Int64], Int64),
        case(AggFunc::Sum, &[Float64], Float64),
        case(AggFunc::Sum, std::slice::from_ref(&dec), Decimal128(38, 2)),
        case(AggFunc::Avg, &[Int64], Float64),
        case(AggFunc::Avg, &[Float64], Float64),
        case(AggFunc::Avg, std::slice::from_ref(&dec), Float64),
        case(AggFunc::Min, &[Int64], Int64),
        case(AggFunc::Max, &[Float64], Float64),
        case(AggFunc::Min, &[Utf8], Utf8),
        case(AggFunc::Max, &[Utf8], Utf8),
        case(AggFunc::Max, &[Boolean], Boolean),
        case(AggFunc::Min, &[Binary], Binary),
        case(AggFunc::VarSamp, &[Float64], Float64),
        case(AggFunc::VarPop, &[Float64], Float64),
        case(AggFunc::StddevSamp, &[Float64], Float64),
        case(AggFunc::StddevPop, &[Float64], Float64),
        case(AggFunc::First, &[Utf8], Utf8),
        case(AggFunc::Last, &[Int64], Int64),
        case(AggFunc::AnyValue, &[Float64], Float64),
        ordered(AggFunc::First, &[Utf8], Utf8, (false, false)),
        ordered(AggFunc::Last, &[Int64], Int64, (true, true)),
        ordered(AggFunc::AnyValue, &[Utf8], Utf8, (true, false)),
        case(AggFunc::ArgMin, &[Utf8, Int64], Utf8),
        case(AggFunc::ArgMax, &[Int64, Float64], Int64),
        case(AggFunc::BoolAnd, &[Boolean], Boolean),
        case(AggFunc::BoolOr, &[Boolean], Boolean),
        case(AggFunc::CountIf, &[Int64], Int64),
        case(AggFunc::Product, &[Float64], Float64),
        case(AggFunc::ApproxCountDistinct, &[Int64], Int64),
        case(AggFunc::ApproxCountDistinct, &[Utf8], Int64),
        case(AggFunc::ApproxCountDistinct, &[Float64], Int64),
    ]
}

/// A random column of `t`, `n` rows: few distinct values (so picks, ties and distinct counts
/// matter), some NULLs, floats as multiples of 1/4 (sums exact in any order) and now and then
/// NaN or an infinity.
fn column(t: &DataType, raw: &[(i64, u8)]) -> ArrayRef {
    let null = |k: u8| k.is_multiple_of(7);
    match t {
        DataType::Int64 => {
            Arc::new(Int64Array::from(raw.iter().map(|&(v, k)| (!null(k)).then_some(v)).collect::<Vec<_>>()))
        }
        DataType::Float64 => Arc::new(Float64Array::from(
            raw.iter()
                .map(|&(v, k)| match k {
                    k if null(k) => None,
                    251 => Some(f64::NAN),
                    252 => Some(f64::INFINITY),
                    _ => Some(v as f64 / 4.0),
                })
                .collect::<Vec<_>>(),
        )),
        DataType::Decimal128(p, s) => Arc::new(
            Decimal128Array::from(
                raw.iter().map(|&(v, k)| (!null(k)).then_some(i128::from(v) * 1001)).collect::<Vec<_>>(),
            )
            .with_precision_and_scale(*p, *s)
            .unwrap(),
        ),
        DataType::Utf8 => Arc::new(StringArray::from(
            raw.iter().map(|&(v, k)| (!null(k)).then(|| format!("s{}", v.rem_euclid(40)))).collect::<Vec<_>>(),
        )),
        DataType::Binary => Arc::new(arrow_array::BinaryArray::from(
            raw.iter()
                .map(|&(v, k)| (!null(k)).then(|| v.to_le_bytes()[..(v.rem_euclid(8) as usize)].to_vec()))
                .collect::<Vec<_>>()
                .iter()
                .map(|o| o.as_deref())
                .collect::<Vec<_>>(),
        )),
        DataType::Boolean => {
            Arc::new(BooleanArray::from(raw.iter().map(|&(v, k)| (!null(k)).then_some(v % 3 != 0)).collect::<Vec<_>>()))
        }
        other => panic!("no generator for {other}"),
    }
}

fn make(c: &Case) -> Box<dyn Accumulator> {
    create(&AccumulatorSpec {
        func: &c.func,
        arg_types: &c.args,
        return_type: &c.ret,
        order_types: &c.order,
        order_options: &c.options,
        distinct: false,
    })
    .unwrap()
}

fn assert_same(c: &Case, merged: &ArrayRef, single: &ArrayRef) {
    assert_eq!(merged.len(), single.len(), "{c:?}");
    assert_eq!(merged.data_type(), single.data_type(), "{c:?}");
    if let DataType::Float64 = merged.data_type() {
        let (m, s) = (merged.as_primitive::<Float64Type>(), single.as_primitive::<Float64Type>());
        for (a, b) in m.iter().zip(s.iter()) {
            match (a, b) {
                (Some(a), Some(b)) => {
                    let ok =
                        (a.is_nan() && b.is_nan()) || a == b || (a - b).abs() <= 1e-9 * a.abs().max(b.abs()).max(1.0);
                    assert!(ok, "{c:?}: merged {a}, single pass {b}");
                }
                (a, b) => assert_eq!(a, b, "{c:?}"),
            }
        }
    } else {
        assert_eq!(merged.to_data(), single.to_data(), "{c:?}");
    }
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(48))]

    #[test]
    fn merged_parts_equal_one_pass(
        rows in prop::collection::vec((0u32..9, -60i64..60, any::<u8>(), -5i64..5, any::<u8>()), 0..300),
        cuts in prop::collection::vec(0usize..300, 0..5),
    ) {
        let groups: Vec<u32> = rows.iter().map(|r| r.0).collect();
        let total = groups.iter().map(|&g| g as usize + 1).max().unwrap_or(0);
        let first: Vec<(i64, u8)> = rows.iter().map(|r| (r.1, r.2)).collect();
        let second: Vec<(i64, u8)> = rows.iter().map(|r| (r.3, r.4)).collect();
        let keys: ArrayRef = Arc::new(Int64Array::from(rows.iter().map(|r| (r.4 % 5 != 0).then_some(r.3)).collect::<Vec<_>>()));
        let mut bounds: Vec<usize> = cuts.into_iter().map(|c| c.min(rows.len())).collect();
        bounds.push(0);
        bounds.push(rows.len());
        bounds.sort_unstable();
        for c in cases() {
            let mut values: Vec<ArrayRef> = c.args.iter().enumerate().map(|(k, t)| column(t, if k == 0 { &first } else { &second })).collect();
            if !c.order.is_empty() {
                values.push(keys.clone());
            }
            let mut single = make(&c);
            single.update(&values, &groups, total).unwrap();
            let single = single.finish(total).unwrap();
            let mut merged = make(&c);
            for w in bounds.windows(2) {
                let (from, to) = (w[0], w[1]);
                // The part numbers its groups itself, in the order it meets them.
                let mut local_of = vec![u32::MAX; total];
                let mut global_of = Vec::new();
                let local: Vec<u32> = groups[from..to].iter().map(|&g| {
                    if local_of[g as usize] == u32::MAX {
                        local_of[g as usize] = global_of.len() as u32;
                        global_of.push(g);
                    }
                    local_of[g as usize]
                }).collect();
                let part_values: Vec<ArrayRef> = values.iter().map(|v| v.slice(from, to - from)).collect();
                let mut part = make(&c);
                part.update(&part_values, &local, global_of.len()).unwrap();
                let state = part.state(global_of.len()).unwrap();
                merged.merge(&state, &global_of, total).unwrap();
            }
            let merged = merged.finish(total).unwrap();
            assert_same(&c, &merged, &single);
        }
    }
}

/// 1M rows, 1,000 groups, four aggregates, timed (run with `--release -- --ignored --nocapture`).
#[test]
#[ignore]
fn group_by_a_million_rows() {
    let n = 1_000_000usize;
    let g: ArrayRef = Arc::new(Int64Array::from((0..n).map(|i| ((i * 7919) % 1000) as i64).collect::<Vec<_>>()));
    let v: ArrayRef = Arc::new(Float64Array::from((0..n).map(|i| (i % 977) as f64 * 0.5).collect::<Vec<_>>()));
    let w: ArrayRef = Arc::new(Int64Array::from((0..n).map(|i| (i % 101) as i64).collect::<Vec<_>>()));
    let b = RecordBatch::try_from_iter(vec![("g", g), ("v", v), ("w", w)]).unwrap();
    let batches: Vec<RecordBatch> = (0..n).step_by(65_536).map(|at| b.slice(at, 65_536.min(n - at))).collect();
    let mut s = Session::default();
    s.register("m", b.schema(), batches).unwrap();
    for sql in [
        "SELECT g, count(*), sum(w), avg(v), max(v) FROM m GROUP BY g",
        "SELECT g, min(w), var_samp(v), first(w), approx_count_distinct(w) FROM m GROUP BY g",
        "SELECT g, median(v), count(DISTINCT w), string_agg(w, ',') IS NULL, mode(w) FROM m GROUP BY g",
        "SELECT g, median(v) FROM m GROUP BY g",
        "SELECT g, count(DISTINCT w) FROM m GROUP BY g",
        "SELECT g, string_agg(w, ',') IS NULL FROM m GROUP BY g",
        "SELECT g, mode(w) FROM m GROUP BY g",
        "SELECT g FROM m GROUP BY g",
    ] {
        let start = std::time::Instant::now();
        let a = s.query(sql, &[]).unwrap();
        let rows: usize = a.batches.iter().map(RecordBatch::num_rows).sum();
        println!("{:>8.1} ms  {sql} ({rows} rows)", start.elapsed().as_secs_f64() * 1e3);
        assert_eq!(rows, 1000);
    }
    // The accumulators alone, without the grouping operator around them.
    let groups: Vec<u32> = (0..n).map(|i| ((i * 7919) % 1000) as u32).collect();
    for c in [
        case(AggFunc::CountStar, &[], DataType::Int64),
        case(AggFunc::Sum, &[DataType::Int64], DataType::Int64),
        case(AggFunc::Avg, &[DataType::Float64], DataType::Float64),
        case(AggFunc::Max, &[DataType::Float64], DataType::Float64),
        case(AggFunc::VarSamp, &[DataType::Float64], DataType::Float64),
        case(AggFunc::First, &[DataType::Int64], DataType::Int64),
        case(AggFunc::ApproxCountDistinct, &[DataType::Int64], DataType::Int64),
        case(AggFunc::Mode, &[DataType::Int64], DataType::Int64),
    ] {
        let col = if c.args.first() == Some(&DataType::Float64) { b.column(1).clone() } else { b.column(2).clone() };
        let start = std::time::Instant::now();
        let mut acc = make(&c);
        for at in (0..n).step_by(65_536) {
            let len = 65_536.min(n - at);
            let values: Vec<ArrayRef> = if c.args.is_empty() { vec![] } else { vec![col.slice(at, len)] };
            acc.update(&values, &groups[at..at + len], 1000).unwrap();
        }
        acc.finish(1000).unwrap();
        println!("{:>8.1} ms  {:?} alone", start.elapsed().as_secs_f64() * 1e3, c.func);
    }
}
