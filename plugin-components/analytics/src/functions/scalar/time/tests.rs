//! Unit tests of the date/time functions: each expected value came from DuckDB 2.0.1 with
//! `SET TimeZone = 'UTC'`.
#![allow(clippy::unwrap_used, clippy::indexing_slicing, clippy::panic)]

use arrow_array::types::TimestampMicrosecondType;
use arrow_array::{Int32Array, StringArray, TimestampMicrosecondArray};

use super::cal::days_from_civil;
use super::*;
use crate::types::Literal;

fn ts(y: i64, m: i64, d: i64, h: i64, mi: i64, s: i64, us: i64) -> i64 {
    days_from_civil(y, m, d) * US_PER_DAY + h * US_PER_HOUR + mi * US_PER_MINUTE + s * US_PER_SEC + us
}

fn ts_array(v: &[Option<i64>]) -> ArrayRef {
    Arc::new(TimestampMicrosecondArray::from(v.to_vec()))
}

fn date_array(v: &[Option<i64>]) -> ArrayRef {
    Arc::new(Date32Array::from(v.iter().map(|d| d.map(|d| d as i32)).collect::<Vec<_>>()))
}

fn string(s: &str) -> (DataType, Option<Literal>, ArrayRef) {
    let a: ArrayRef = Arc::new(StringArray::from(vec![s]));
    (DataType::Utf8, Some(Literal(a.clone())), a)
}

fn column(a: ArrayRef) -> (DataType, Option<Literal>, ArrayRef) {
    (a.data_type().clone(), None, a)
}

/// Resolve `name` on the arguments, run it, check the result's type against the resolution.
fn call(name: &str, args: Vec<(DataType, Option<Literal>, ArrayRef)>) -> Result<ArrayRef> {
    let infos: Vec<Arg<'_>> = args.iter().map(|(t, l, _)| Arg { data_type: t, literal: l.as_ref() }).collect();
    let r = resolve(name, &infos)?.unwrap();
    let len = args.iter().map(|(_, _, a)| a.len()).max().unwrap_or(1);
    let arrays: Vec<ArrayRef> = args
        .iter()
        .zip(&r.arg_types)
        .map(|((_, _, a), t)| crate::types::cast::cast(&stretch(a, len), t, false).unwrap())
        .collect();
    let out = invoke(
        &match r.func {
            ScalarFunc::Time(f) => f,
            other => panic!("{other:?}"),
        },
        &arrays,
        len,
        &r.return_type,
    )?;
    assert_eq!(out.data_type(), &r.return_type, "{name}");
    Ok(out)
}

/// A one-row array repeated to `len` rows (as the evaluator passes literals).
fn stretch(a: &ArrayRef, len: usize) -> ArrayRef {
    if a.len() == 1 && len > 1 {
        arrow_select::take::take(a.as_ref(), &arrow_array::UInt32Array::from(vec![0u32; len]), None).unwrap()
    } else {
        a.clone()
    }
}

fn op(op: BinaryOp, a: ArrayRef, b: ArrayRef) -> Result<ArrayRef> {
    let r = resolve_operator(op, a.data_type(), b.data_type())?.unwrap();
    let len = a.len().max(b.len());
    let a = crate::types::cast::cast(&stretch(&a, len), &r.arg_types[0], false)?;
    let b = crate::types::cast::cast(&stretch(&b, len), &r.arg_types[1], false)?;
    let ScalarFunc::Time(f) = r.func else { panic!() };
    let out = invoke(&f, &[a, b], len, &r.return_type)?;
    assert_eq!(out.data_type(), &r.return_type);
    Ok(out)
}

fn i64s(a: &ArrayRef) -> Vec<Option<i64>> {
    a.as_primitive::<Int64Type>().iter().collect()
}

fn micros(a: &ArrayRef) -> Vec<Option<i64>> {
    a.as_primitive::<TimestampMicrosecondType>().iter().collect()
}

fn days(a: &ArrayRef) -> Vec<Option<i64>> {
    a.as_primitive::<Date32Type>().iter().map(|d| d.map(i64::from)).collect()
}

fn iv(m: i32, d: i32, us: i64) -> IntervalMonthDayNano {
    IntervalMonthDayNano::new(m, d, us * 1_000)
}

fn iv_array(v: &[Option<IntervalMonthDayNano>]) -> ArrayRef {
    Arc::new(PrimitiveArray::<IntervalMonthDayNanoType>::from(v.to_vec()))
}

#[test]
fn date_trunc_units() {
    // DuckDB 2.0.1: date_trunc of timestamp '2024-05-17 12:34:56.789123' to millennium, century,
    // decade, year, quarter, month, week, day, hour, minute, second, millisecond, microsecond.
    let t = ts_array(&[Some(ts(2024, 5, 17, 12, 34, 56, 789_123)), None]);
    let cases = [
        ("millennium", ts(2000, 1, 1, 0, 0, 0, 0)),
        ("century", ts(2000, 1, 1, 0, 0, 0, 0)),
        ("decade", ts(2020, 1, 1, 0, 0, 0, 0)),
        ("year", ts(2024, 1, 1, 0, 0, 0, 0)),
        ("quarter", ts(2024, 4, 1, 0, 0, 0, 0)),
        ("month", ts(2024, 5, 1, 0, 0, 0, 0)),
        ("week", ts(2024, 5, 13, 0, 0, 0, 0)),
        ("day", ts(2024, 5, 17, 0, 0, 0, 0)),
        ("hour", ts(2024, 5, 17, 12, 0, 0, 0)),
        ("minute", ts(2024, 5, 17, 12, 34, 0, 0)),
        ("second", ts(2024, 5, 17, 12, 34, 56, 0)),
        ("ms", ts(2024, 5, 17, 12, 34, 56, 789_000)),
        ("microsecond", ts(2024, 5, 17, 12, 34, 56, 789_123)),
        ("isoyear", ts(2024, 1, 1, 0, 0, 0, 0)),
    ];
    for (unit, want) in cases {
        let out = call("date_trunc", vec![string(unit), column(t.clone())]).unwrap();
        assert_eq!(micros(&out), vec![Some(want), None], "{unit}");
    }
    // DuckDB 2.0.1: a DATE truncates to a TIMESTAMP; date_trunc('week', date '1970-01-01') = 1969-12-29;
    // date_trunc('isoyear', date '2024-12-30') = 2024-12-30; decade of 44 BC (year -43) is year -40.
    let d = date_array(&[Some(0), Some(days_from_civil(2024, 12, 30)), Some(days_from_civil(-43, 3, 15))]);
    let out = call("date_trunc", vec![string("week"), column(d.clone())]).unwrap();
    assert_eq!(out.data_type(), &DataType::Timestamp(TimeUnit::Microsecond, None));
    assert_eq!(micros(&out)[0], Some(ts(1969, 12, 29, 0, 0, 0, 0)));
    let out = call("date_trunc", vec![string("isoyear"), column(d.clone())]).unwrap();
    assert_eq!(micros(&out)[1], Some(ts(2024, 12, 30, 0, 0, 0, 0)));
    let out = call("date_trunc", vec![string("decade"), column(d.clone())]).unwrap();
    assert_eq!(micros(&out)[2], Some(ts(-40, 1, 1, 0, 0, 0, 0)));
    let out = call("date_trunc", vec![string("century"), column(d)]).unwrap();
    assert_eq!(micros(&out)[2], Some(ts(0, 1, 1, 0, 0, 0, 0)));
    // Before 1970, truncation goes down: date_trunc('second', timestamp '1969-12-31 23:59:59.5').
    let out = call("date_trunc", vec![string("second"), column(ts_array(&[Some(-500_000)]))]).unwrap();
    assert_eq!(micros(&out), vec![Some(-US_PER_SEC)]);
    assert!(call("date_trunc", vec![string("foo"), column(ts_array(&[Some(0)]))]).is_err());
    assert!(call("date_trunc", vec![string("epoch"), column(ts_array(&[Some(0)]))]).is_err());
}

#[test]
fn zoned_timestamps_keep_their_zone() {
    // DuckDB 2.0.1: date_trunc('day', timestamptz '2024-02-29 12:34:56+05') = 2024-02-29 00:00:00+00.
    let t: ArrayRef =
        Arc::new(TimestampMicrosecondArray::from(vec![ts(2024, 2, 29, 7, 34, 56, 0)]).with_timezone("UTC"));
    let out = call("date_trunc", vec![string("day"), column(t.clone())]).unwrap();
    assert_eq!(out.data_type(), &DataType::Timestamp(TimeUnit::Microsecond, Some("UTC".into())));
    assert_eq!(micros(&out), vec![Some(ts(2024, 2, 29, 0, 0, 0, 0))]);
    let out = op(BinaryOp::Add, t, iv_array(&[Some(iv(0, 1, 0))])).unwrap();
    assert_eq!(out.data_type(), &DataType::Timestamp(TimeUnit::Microsecond, Some("UTC".into())));
}

#[test]
fn date_parts() {
    // DuckDB 2.0.1 on date '2024-12-29' / '2024-12-30' and timestamp '2024-02-29 12:34:56.789'.
    let d = date_array(&[Some(days_from_civil(2024, 12, 29)), Some(days_from_civil(2024, 12, 30)), None]);
    let part = |unit: &str, a: &ArrayRef| i64s(&call("date_part", vec![string(unit), column(a.clone())]).unwrap());
    assert_eq!(part("dow", &d), vec![Some(0), Some(1), None]);
    assert_eq!(part("isodow", &d), vec![Some(7), Some(1), None]);
    assert_eq!(part("doy", &d), vec![Some(364), Some(365), None]);
    assert_eq!(part("quarter", &d), vec![Some(4), Some(4), None]);
    assert_eq!(part("week", &d), vec![Some(52), Some(1), None]);
    assert_eq!(part("yearweek", &d), vec![Some(202452), Some(202501), None]);
    assert_eq!(part("isoyear", &d), vec![Some(2024), Some(2025), None]);
    assert_eq!(part("decade", &d), vec![Some(202), Some(202), None]);
    assert_eq!(part("century", &d), vec![Some(21), Some(21), None]);
    assert_eq!(part("millennium", &d), vec![Some(3), Some(3), None]);
    assert_eq!(part("era", &d), vec![Some(1), Some(1), None]);
    assert_eq!(part("hour", &d), vec![Some(0), Some(0), None]);
    let t = ts_array(&[Some(ts(2024, 2, 29, 12, 34, 56, 789_000))]);
    assert_eq!(part("second", &t), vec![Some(56)]);
    assert_eq!(part("millisecond", &t), vec![Some(56_789)]);
    assert_eq!(part("microsecond", &t), vec![Some(56_789_000)]);
    assert_eq!(part("minute", &t), vec![Some(34)]);
    assert_eq!(part("day", &t), vec![Some(29)]);
    let epoch = call("date_part", vec![string("epoch"), column(t.clone())]).unwrap();
    assert_eq!(epoch.as_primitive::<Float64Type>().value(0), 1_709_210_096.789);
    // DuckDB 2.0.1: 44 BC (year -43): century -1, era 0, decade -4, millennium -1.
    let bc = date_array(&[Some(days_from_civil(-43, 3, 15))]);
    assert_eq!(part("year", &bc), vec![Some(-43)]);
    assert_eq!(part("century", &bc), vec![Some(-1)]);
    assert_eq!(part("era", &bc), vec![Some(0)]);
    assert_eq!(part("decade", &bc), vec![Some(-4)]);
    assert_eq!(part("millennium", &bc), vec![Some(-1)]);
    // DuckDB 2.0.1: dow of date '1969-12-31' = 3; epoch of date '1900-01-01' = -2208988800.
    let old = date_array(&[Some(-1), Some(days_from_civil(1900, 1, 1))]);
    assert_eq!(part("dow", &old), vec![Some(3), Some(1)]);
    let e = call("epoch", vec![column(old)]).unwrap();
    assert_eq!(e.as_primitive::<Float64Type>().value(1), -2_208_988_800.0);
    // DuckDB 2.0.1: julian of timestamp '2024-05-17 12:00:00' = 2460448.5.
    let j = call("julian", vec![column(ts_array(&[Some(ts(2024, 5, 17, 12, 0, 0, 0))]))]).unwrap();
    assert_eq!(j.as_primitive::<Float64Type>().value(0), 2_460_448.5);
    // Shorthands.
    assert_eq!(
        i64s(&call("dayofyear", vec![column(date_array(&[Some(days_from_civil(2024, 12, 31))]))]).unwrap()),
        vec![Some(366)]
    );
    assert!(call("date_part", vec![string("nope"), column(t)]).is_err());
}

#[test]
fn interval_and_time_parts() {
    // DuckDB 2.0.1: date_part on interval '14 months' year 1, month 2, quarter 1; interval '26 hours'
    // hour 26; interval '90.5 seconds' second 30, millisecond 30500; epoch of interval '1 year'
    // 31557600, of '1 month' 2592000, of '-1 month 1 day' -2505600; 'dow' of an interval is an error.
    let v = iv_array(&[Some(iv(14, 0, 0)), Some(iv(0, 0, 26 * US_PER_HOUR)), Some(iv(0, 0, 90_500_000))]);
    let part = |unit: &str| i64s(&call("date_part", vec![string(unit), column(v.clone())]).unwrap());
    assert_eq!(part("year"), vec![Some(1), Some(0), Some(0)]);
    assert_eq!(part("month"), vec![Some(2), Some(0), Some(0)]);
    assert_eq!(part("quarter"), vec![Some(1), Some(1), Some(1)]);
    assert_eq!(part("hour"), vec![Some(0), Some(26), Some(0)]);
    assert_eq!(part("second"), vec![Some(0), Some(0), Some(30)]);
    assert_eq!(part("millisecond"), vec![Some(0), Some(0), Some(30_500)]);
    let e = iv_array(&[Some(iv(12, 0, 0)), Some(iv(1, 0, 0)), Some(iv(-1, 1, 0))]);
    let out = call("epoch", vec![column(e.clone())]).unwrap();
    assert_eq!(out.as_primitive::<Float64Type>().values().to_vec(), vec![31_557_600.0, 2_592_000.0, -2_505_600.0]);
    // DuckDB 2.0.1: epoch_ms(interval '1 day') = 86400000.
    let out = call("epoch_ms", vec![column(iv_array(&[Some(iv(0, 1, 0))]))]).unwrap();
    assert_eq!(i64s(&out), vec![Some(86_400_000)]);
    assert!(call("date_part", vec![string("dow"), column(e)]).is_err());
    // DuckDB 2.0.1: time '12:34:56.5': hour 12, second 56, microsecond 56500000, epoch 45296.5.
    let t: ArrayRef =
        Arc::new(arrow_array::Time64MicrosecondArray::from(vec![(12 * 3600 + 34 * 60 + 56) * US_PER_SEC + 500_000]));
    assert_eq!(i64s(&call("hour", vec![column(t.clone())]).unwrap()), vec![Some(12)]);
    assert_eq!(i64s(&call("second", vec![column(t.clone())]).unwrap()), vec![Some(56)]);
    assert_eq!(i64s(&call("microsecond", vec![column(t.clone())]).unwrap()), vec![Some(56_500_000)]);
    assert_eq!(call("epoch", vec![column(t.clone())]).unwrap().as_primitive::<Float64Type>().value(0), 45_296.5);
    assert!(call("year", vec![column(t)]).is_err());
}

#[test]
fn epochs_and_constructors() {
    // DuckDB 2.0.1: epoch_ms(timestamp '2024-01-01 00:00:00.123') = 1704067200123; epoch_ms(1704067200123)
    // = 2024-01-01 00:00:00.123; epoch_ms(timestamp '1969-12-31 23:59:59.999') = -1;
    // epoch_us(...) = 1704067200123000; to_timestamp(-1.5) = 1969-12-31 23:59:58.5+00.
    let t = ts_array(&[Some(ts(2024, 1, 1, 0, 0, 0, 123_000)), Some(-1_000), None]);
    assert_eq!(
        i64s(&call("epoch_ms", vec![column(t.clone())]).unwrap()),
        vec![Some(1_704_067_200_123), Some(-1), None]
    );
    assert_eq!(
        i64s(&call("epoch_us", vec![column(t.clone())]).unwrap()),
        vec![Some(1_704_067_200_123_000), Some(-1_000), None]
    );
    assert_eq!(i64s(&call("epoch_ns", vec![column(t)]).unwrap())[0], Some(1_704_067_200_123_000_000));
    // DuckDB 2.0.1 rounds to the millisecond: epoch_ms of 1970-01-01 00:00:00.0005 is 1, of .0004 is 0,
    // of 1969-12-31 23:59:59.9995 is -1, of .9996 is 0.
    let halves = ts_array(&[Some(500), Some(400), Some(-500), Some(-400)]);
    assert_eq!(i64s(&call("epoch_ms", vec![column(halves)]).unwrap()), vec![Some(1), Some(0), Some(-1), Some(0)]);
    let ms: ArrayRef = Arc::new(Int64Array::from(vec![1_704_067_200_123]));
    assert_eq!(micros(&call("epoch_ms", vec![column(ms)]).unwrap()), vec![Some(ts(2024, 1, 1, 0, 0, 0, 123_000))]);
    let big: ArrayRef = Arc::new(Int64Array::from(vec![i64::MAX]));
    assert!(call("epoch_ms", vec![column(big)]).is_err());
    let secs: ArrayRef = Arc::new(Float64Array::from(vec![-1.5, 1.0000015]));
    let out = call("to_timestamp", vec![column(secs)]).unwrap();
    assert_eq!(out.data_type(), &DataType::Timestamp(TimeUnit::Microsecond, Some("UTC".into())));
    assert_eq!(micros(&out), vec![Some(-1_500_000), Some(1_000_002)]);
    assert!(call("to_timestamp", vec![column(Arc::new(Float64Array::from(vec![1e20])))]).is_err());
    // DuckDB 2.0.1: make_date(2024, 2, 29); make_date(2023, 2, 29) is an error; make_date(0, 1, 1) is
    // 1 BC; make_timestamp(2024, 2, 29, 12, 30, 45.5); seconds 59.9999999 round to the next minute;
    // hour 25 is an error.
    let i = |v: i64| column(Arc::new(Int64Array::from(vec![v])));
    assert_eq!(days(&call("make_date", vec![i(2024), i(2), i(29)]).unwrap()), vec![Some(days_from_civil(2024, 2, 29))]);
    assert!(call("make_date", vec![i(2023), i(2), i(29)]).is_err());
    assert_eq!(days(&call("make_date", vec![i(0), i(1), i(1)]).unwrap()), vec![Some(days_from_civil(0, 1, 1))]);
    let f = |v: f64| column(Arc::new(Float64Array::from(vec![v])));
    let out = call("make_timestamp", vec![i(2024), i(2), i(29), i(12), i(30), f(45.5)]).unwrap();
    assert_eq!(micros(&out), vec![Some(ts(2024, 2, 29, 12, 30, 45, 500_000))]);
    let out = call("make_timestamp", vec![i(2024), i(1), i(1), i(0), i(0), f(59.999_999_9)]).unwrap();
    assert_eq!(micros(&out), vec![Some(ts(2024, 1, 1, 0, 1, 0, 0))]);
    assert!(call("make_timestamp", vec![i(2024), i(1), i(1), i(25), i(0), f(0.0)]).is_err());
}

#[test]
fn time_buckets() {
    // DuckDB 2.0.1: time_bucket on timestamp '2024-02-29 12:34:56': 1 day -> 2024-02-29, 1 week ->
    // 2024-02-26, 1 month -> 2024-02-01, 15 minutes -> 12:30, 1 day 1 hour -> 2024-02-28 22:00;
    // with origin 2024-01-01 and 2 days -> 2024-02-28; with offset 12 hours -> 2024-02-28 12:00;
    // 1 month with origin 2024-01-15 -> 2024-02-01; 1 month with offset 1 day -> 2024-02-02.
    let t = || column(ts_array(&[Some(ts(2024, 2, 29, 12, 34, 56, 0))]));
    let w = |m, d, us| column(iv_array(&[Some(iv(m, d, us))]));
    let b = |args| micros(&call("time_bucket", args).unwrap())[0].unwrap();
    assert_eq!(b(vec![w(0, 1, 0), t()]), ts(2024, 2, 29, 0, 0, 0, 0));
    assert_eq!(b(vec![w(0, 7, 0), t()]), ts(2024, 2, 26, 0, 0, 0, 0));
    assert_eq!(b(vec![w(1, 0, 0), t()]), ts(2024, 2, 1, 0, 0, 0, 0));
    assert_eq!(b(vec![w(0, 0, 15 * US_PER_MINUTE), t()]), ts(2024, 2, 29, 12, 30, 0, 0));
    assert_eq!(b(vec![w(0, 1, US_PER_HOUR), t()]), ts(2024, 2, 28, 22, 0, 0, 0));
    let origin = || column(ts_array(&[Some(ts(2024, 1, 1, 0, 0, 0, 0))]));
    assert_eq!(b(vec![w(0, 2, 0), t(), origin()]), ts(2024, 2, 28, 0, 0, 0, 0));
    assert_eq!(b(vec![w(0, 2, 0), t(), w(0, 0, 12 * US_PER_HOUR)]), ts(2024, 2, 28, 12, 0, 0, 0));
    let mid = column(ts_array(&[Some(ts(2024, 1, 15, 0, 0, 0, 0))]));
    assert_eq!(b(vec![w(1, 0, 0), t(), mid]), ts(2024, 2, 1, 0, 0, 0, 0));
    assert_eq!(b(vec![w(1, 0, 0), t(), w(0, 1, 0)]), ts(2024, 2, 2, 0, 0, 0, 0));
    // DuckDB 2.0.1: before 1970: 3 months of 1969-02-28 12:34:56 -> 1969-01-01; 7 days -> 1969-02-24.
    let old = || column(ts_array(&[Some(ts(1969, 2, 28, 12, 34, 56, 0))]));
    assert_eq!(b(vec![w(3, 0, 0), old()]), ts(1969, 1, 1, 0, 0, 0, 0));
    assert_eq!(b(vec![w(0, 7, 0), old()]), ts(1969, 2, 24, 0, 0, 0, 0));
    // DuckDB 2.0.1: a DATE stays a DATE: 1 week of date '2024-02-29' -> 2024-02-26, 3 days -> 2024-02-29.
    let d = || column(date_array(&[Some(days_from_civil(2024, 2, 29))]));
    assert_eq!(days(&call("time_bucket", vec![w(0, 7, 0), d()]).unwrap()), vec![Some(days_from_civil(2024, 2, 26))]);
    assert_eq!(days(&call("time_bucket", vec![w(0, 3, 0), d()]).unwrap()), vec![Some(days_from_civil(2024, 2, 29))]);
    // Errors, as DuckDB's: a zero or negative width, months with days.
    assert!(call("time_bucket", vec![w(0, 0, 0), t()]).is_err());
    assert!(call("time_bucket", vec![w(0, -1, 0), t()]).is_err());
    assert!(call("time_bucket", vec![w(1, 1, 0), t()]).is_err());
    // date_bin (PostgreSQL's; DuckDB has none): 15 minutes from 00:07.
    let o = column(ts_array(&[Some(ts(2024, 1, 1, 0, 7, 0, 0))]));
    assert_eq!(
        micros(&call("date_bin", vec![w(0, 0, 15 * US_PER_MINUTE), t(), o]).unwrap())[0],
        Some(ts(2024, 2, 29, 12, 22, 0, 0))
    );
    assert!(call("date_bin", vec![w(1, 0, 0), t(), origin()]).is_err());
}

#[test]
fn date_and_timestamp_arithmetic() {
    // DuckDB 2.0.1: date '2024-02-29' + 1 = 2024-03-01, 1 + date = 2024-03-01, - 1 = 2024-02-28,
    // date '2024-03-01' - date '2024-02-01' = 29 (BIGINT); date + 2147483647 is out of range.
    let d = date_array(&[Some(days_from_civil(2024, 2, 29)), None]);
    let one: ArrayRef = Arc::new(Int32Array::from(vec![1, 1]));
    assert_eq!(
        days(&op(BinaryOp::Add, d.clone(), one.clone()).unwrap()),
        vec![Some(days_from_civil(2024, 3, 1)), None]
    );
    assert_eq!(
        days(&op(BinaryOp::Add, one.clone(), d.clone()).unwrap()),
        vec![Some(days_from_civil(2024, 3, 1)), None]
    );
    assert_eq!(days(&op(BinaryOp::Sub, d.clone(), one).unwrap()), vec![Some(days_from_civil(2024, 2, 28)), None]);
    let march = date_array(&[Some(days_from_civil(2024, 3, 1))]);
    let feb = date_array(&[Some(days_from_civil(2024, 2, 1))]);
    assert_eq!(i64s(&op(BinaryOp::Sub, march.clone(), feb).unwrap()), vec![Some(29)]);
    let huge: ArrayRef = Arc::new(Int32Array::from(vec![i32::MAX]));
    assert!(op(BinaryOp::Add, march.clone(), huge).is_err());
    assert!(resolve_operator(BinaryOp::Add, &DataType::Date32, &DataType::Int64).is_err());
    assert!(resolve_operator(BinaryOp::Add, &DataType::Date32, &DataType::Date32).is_err());
    assert!(resolve_operator(BinaryOp::Add, &DataType::Int32, &DataType::Float64).unwrap().is_none());
    // DuckDB 2.0.1: date '2024-01-31' + interval '1 month' = 2024-02-29 00:00:00 (TIMESTAMP);
    // date '2024-03-31' - interval '1 month' = 2024-02-29; date '2024-02-29' + interval '1 year' =
    // 2025-02-28; timestamp '2024-01-31 10:00' + interval '1 month 1 day 1 hour' = 2024-03-01 11:00.
    let jan31 = date_array(&[Some(days_from_civil(2024, 1, 31))]);
    let out = op(BinaryOp::Add, jan31, iv_array(&[Some(iv(1, 0, 0))])).unwrap();
    assert_eq!(micros(&out), vec![Some(ts(2024, 2, 29, 0, 0, 0, 0))]);
    let mar31 = date_array(&[Some(days_from_civil(2024, 3, 31))]);
    assert_eq!(
        micros(&op(BinaryOp::Sub, mar31, iv_array(&[Some(iv(1, 0, 0))])).unwrap()),
        vec![Some(ts(2024, 2, 29, 0, 0, 0, 0))]
    );
    let out = op(BinaryOp::Add, iv_array(&[Some(iv(12, 0, 0))]), d).unwrap();
    assert_eq!(micros(&out), vec![Some(ts(2025, 2, 28, 0, 0, 0, 0)), None]);
    let t = ts_array(&[Some(ts(2024, 1, 31, 10, 0, 0, 0))]);
    let out = op(BinaryOp::Add, t.clone(), iv_array(&[Some(iv(1, 1, US_PER_HOUR))])).unwrap();
    assert_eq!(micros(&out), vec![Some(ts(2024, 3, 1, 11, 0, 0, 0))]);
    // DuckDB 2.0.1: timestamp '2024-03-01 10:00' - timestamp '2024-01-31 09:00' = 30 days 01:00:00, the
    // reverse -30 days -01:00:00; date '2024-03-01' - timestamp '2024-02-01' = 29 days.
    let later = ts_array(&[Some(ts(2024, 3, 1, 10, 0, 0, 0))]);
    let earlier = ts_array(&[Some(ts(2024, 1, 31, 9, 0, 0, 0))]);
    let ivs = |a: &ArrayRef| a.as_primitive::<IntervalMonthDayNanoType>().values().to_vec();
    assert_eq!(ivs(&op(BinaryOp::Sub, later.clone(), earlier.clone()).unwrap()), vec![iv(0, 30, US_PER_HOUR)]);
    assert_eq!(ivs(&op(BinaryOp::Sub, earlier, later).unwrap()), vec![iv(0, -30, -US_PER_HOUR)]);
    let feb1 = ts_array(&[Some(ts(2024, 2, 1, 0, 0, 0, 0))]);
    assert_eq!(ivs(&op(BinaryOp::Sub, march, feb1).unwrap()), vec![iv(0, 29, 0)]);
    // Overflow is an error: timestamp '294247-01-10 04:00:54' + interval '1 day' in DuckDB.
    let edge = ts_array(&[Some(i64::MAX - 10)]);
    assert!(op(BinaryOp::Add, edge, iv_array(&[Some(iv(0, 1, 0))])).is_err());
}

#[test]
fn interval_arithmetic() {
    // DuckDB 2.0.1: interval '1 day' + interval '1 month 2 hours' = 1 month 1 day 02:00:00;
    // '1 day 3 hours' * 2 = 2 days 06:00:00; 2 * '1 day' = 2 days; '1 day' * 1.5 = 1 day 12:00:00;
    // '1 month' / 3 = 10 days; '1 day' / 0 is a division by zero; '1 day' * 3000000000 is an error;
    // interval '2147483647 days' + interval '1 day' overflows.
    let a = iv_array(&[Some(iv(0, 1, 0))]);
    let ivs = |a: &ArrayRef| a.as_primitive::<IntervalMonthDayNanoType>().values().to_vec();
    assert_eq!(
        ivs(&op(BinaryOp::Add, a.clone(), iv_array(&[Some(iv(1, 0, 2 * US_PER_HOUR))])).unwrap()),
        vec![iv(1, 1, 2 * US_PER_HOUR)]
    );
    assert_eq!(
        ivs(&op(BinaryOp::Sub, a.clone(), iv_array(&[Some(iv(1, 0, 2 * US_PER_HOUR))])).unwrap()),
        vec![iv(-1, 1, -2 * US_PER_HOUR)]
    );
    let two: ArrayRef = Arc::new(Int32Array::from(vec![2]));
    assert_eq!(
        ivs(&op(BinaryOp::Mul, iv_array(&[Some(iv(0, 1, 3 * US_PER_HOUR))]), two.clone()).unwrap()),
        vec![iv(0, 2, 6 * US_PER_HOUR)]
    );
    assert_eq!(ivs(&op(BinaryOp::Mul, two, a.clone()).unwrap()), vec![iv(0, 2, 0)]);
    let half: ArrayRef = Arc::new(Float64Array::from(vec![1.5]));
    assert_eq!(ivs(&op(BinaryOp::Mul, a.clone(), half).unwrap()), vec![iv(0, 1, 12 * US_PER_HOUR)]);
    let three: ArrayRef = Arc::new(Int32Array::from(vec![3]));
    assert_eq!(ivs(&op(BinaryOp::Div, iv_array(&[Some(iv(1, 0, 0))]), three).unwrap()), vec![iv(0, 10, 0)]);
    let zero: ArrayRef = Arc::new(Int32Array::from(vec![0]));
    assert!(op(BinaryOp::Div, a.clone(), zero).is_err());
    let big: ArrayRef = Arc::new(Int64Array::from(vec![3_000_000_000]));
    assert!(op(BinaryOp::Mul, a.clone(), big).is_err());
    let max = iv_array(&[Some(iv(0, i32::MAX, 0))]);
    assert!(op(BinaryOp::Add, max, a).is_err());
    // Unary minus on an interval is arrow's `neg`, checked: DuckDB 2.0.1 -interval '1 month 1 day'.
    let neg = arrow_arith::numeric::neg(iv_array(&[Some(iv(1, 1, 0))]).as_ref()).unwrap();
    assert_eq!(ivs(&neg), vec![iv(-1, -1, 0)]);
    assert!(arrow_arith::numeric::neg(iv_array(&[Some(iv(0, i32::MIN, 0))]).as_ref()).is_err());
}

#[test]
fn strftime_and_strptime() {
    // DuckDB 2.0.1: strftime(timestamp '2024-02-04 13:04:05.123456', '%a|%A|%w|%u|%d|%-d|%b|%h|%B|%m|
    // %-m|%y|%-y|%Y|%H|%-H|%I|%-I|%p|%M|%-M|%S|%-S|%g|%f|%n|%z|%Z|%j|%-j|%U|%W|%V|%G|%%|%c|%x|%X').
    let t = ts_array(&[Some(ts(2024, 2, 4, 13, 4, 5, 123_456)), None]);
    let fmt = "%a|%A|%w|%u|%d|%-d|%b|%h|%B|%m|%-m|%y|%-y|%Y|%H|%-H|%I|%-I|%p|%M|%-M|%S|%-S|%g|%f|%n|%z|%Z|%j|%-j|%U|%W|%V|%G|%%|%c|%x|%X";
    let out = call("strftime", vec![column(t.clone()), string(fmt)]).unwrap();
    let s = out.as_string::<i32>();
    assert_eq!(
        s.value(0),
        "Sun|Sunday|0|7|04|4|Feb|Feb|February|02|2|24|24|2024|13|13|01|1|PM|04|4|05|5|123|123456|123456000|+00||035|35|05|05|05|2024|%|2024-02-04 13:04:05|2024-02-04|13:04:05"
    );
    assert!(s.is_null(1));
    // DuckDB 2.0.1: strftime(date '0005-01-01', '%Y %y %G') = '0005 05 0004';
    // strftime(timestamp '2021-01-03', '%U %W %V %G %j') = '01 00 53 2020 003'; the format may come first.
    let d = date_array(&[Some(days_from_civil(5, 1, 1))]);
    assert_eq!(
        call("strftime", vec![column(d), string("%Y %y %G")]).unwrap().as_string::<i32>().value(0),
        "0005 05 0004"
    );
    let t2 = ts_array(&[Some(ts(2021, 1, 3, 0, 0, 0, 0))]);
    assert_eq!(
        call("strftime", vec![string("%U %W %V %G %j"), column(t2)]).unwrap().as_string::<i32>().value(0),
        "01 00 53 2020 003"
    );
    assert!(call("strftime", vec![column(t), string("%e")]).is_err());
    // DuckDB 2.0.1: strptime('Sun Feb 04 2024 01:04:05 PM', '%a %b %d %Y %I:%M:%S %p') =
    // 2024-02-04 13:04:05; strptime('69-02-04', '%y-%m-%d') = 1969, '68-..' = 2068;
    // strptime('2024-02-04 13:04:05 +05:30', '... %z') = 2024-02-04 07:34:05+00 (TIMESTAMPTZ);
    // strptime('2024-035', '%Y-%j') = 2024-02-04; strptime('2024-02-30', '%Y-%m-%d') and
    // strptime('2024-02-04 xyz', '%Y-%m-%d') are errors.
    let p = |s: &str, f: &str| call("strptime", vec![column(Arc::new(StringArray::from(vec![s]))), string(f)]);
    assert_eq!(
        micros(&p("Sun Feb 04 2024 01:04:05 PM", "%a %b %d %Y %I:%M:%S %p").unwrap()),
        vec![Some(ts(2024, 2, 4, 13, 4, 5, 0))]
    );
    assert_eq!(micros(&p("69-02-04", "%y-%m-%d").unwrap()), vec![Some(ts(1969, 2, 4, 0, 0, 0, 0))]);
    assert_eq!(micros(&p("68-02-04", "%y-%m-%d").unwrap()), vec![Some(ts(2068, 2, 4, 0, 0, 0, 0))]);
    let z = p("2024-02-04 13:04:05 +05:30", "%Y-%m-%d %H:%M:%S %z").unwrap();
    assert_eq!(z.data_type(), &DataType::Timestamp(TimeUnit::Microsecond, Some("UTC".into())));
    assert_eq!(micros(&z), vec![Some(ts(2024, 2, 4, 7, 34, 5, 0))]);
    assert_eq!(micros(&p("2024-035", "%Y-%j").unwrap()), vec![Some(ts(2024, 2, 4, 0, 0, 0, 0))]);
    assert_eq!(
        micros(&p("2024-02-04 13:04:05.123456", "%Y-%m-%d %H:%M:%S.%f").unwrap()),
        vec![Some(ts(2024, 2, 4, 13, 4, 5, 123_456))]
    );
    assert!(p("2024-02-30", "%Y-%m-%d").is_err());
    assert!(p("2024-02-04 xyz", "%Y-%m-%d").is_err());
    assert!(p("2024-02-04", "%Y-%m-%d %H").is_err());
}
