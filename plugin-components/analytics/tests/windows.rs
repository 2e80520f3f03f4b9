//! Window functions end to end: SQL through a `Session`, answers compared with DuckDB's.
//!
//! Every expected value below was produced by DuckDB 2.0.1 on the same rows (the queries are
//! the same text); where our types differ (DuckDB's `sum` of integers is a HUGEINT, ours an
//! `int64`) only the type differs, not the value. Queries whose ROWS frames would depend on how
//! ties are ordered add keys so the order is fixed.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic, clippy::indexing_slicing, missing_docs)]

use std::sync::Arc;

use arrow_analytics::Session;
use arrow_array::{Array, ArrayRef, Float64Array, Int32Array, Int64Array, RecordBatch, StringArray};
use arrow_cast::display::{ArrayFormatter, FormatOptions};

/// The table DuckDB was given:
/// `(region, day, amount)`: ties in `day`, a NULL `day`, a NULL `amount`, a NULL region.
fn session() -> Session {
    let mut s = Session::default();
    let region: ArrayRef = Arc::new(StringArray::from(vec![
        Some("east"),
        Some("east"),
        Some("east"),
        Some("east"),
        Some("east"),
        Some("west"),
        Some("west"),
        Some("west"),
        Some("west"),
        None,
        None,
    ]));
    let day: ArrayRef = Arc::new(Int32Array::from(vec![
        Some(1),
        Some(2),
        Some(2),
        Some(3),
        Some(4),
        Some(1),
        Some(1),
        Some(3),
        None,
        Some(2),
        Some(5),
    ]));
    let amount: ArrayRef = Arc::new(Int32Array::from(vec![
        Some(10),
        Some(30),
        Some(20),
        None,
        Some(50),
        Some(5),
        Some(5),
        Some(40),
        Some(7),
        Some(100),
        Some(1),
    ]));
    let b = RecordBatch::try_from_iter(vec![("region", region), ("day", day), ("amount", amount)]).unwrap();
    s.register("s", b.schema(), vec![b]).unwrap();
    s
}

/// The answer's rows, each as `a|b|c` with NULL spelled out.
fn rows(s: &Session, sql: &str) -> Vec<String> {
    let answer = s.query(sql, &[]).unwrap_or_else(|e| panic!("{sql}: {e}"));
    let options = FormatOptions::default().with_null("NULL");
    let mut out = Vec::new();
    for b in &answer.batches {
        let fmts: Vec<ArrayFormatter<'_>> =
            b.columns().iter().map(|c| ArrayFormatter::try_new(c.as_ref(), &options).unwrap()).collect();
        for i in 0..b.num_rows() {
            out.push(fmts.iter().map(|f| f.value(i).to_string()).collect::<Vec<_>>().join("|"));
        }
    }
    out
}

fn check(s: &Session, sql: &str, expected: &[&str]) {
    assert_eq!(rows(s, sql), expected, "{sql}");
}

#[test]
fn top_n_per_group() {
    check(
        &session(),
        "SELECT region, day, amount FROM (SELECT *, row_number() OVER (PARTITION BY region ORDER BY amount DESC) AS rn FROM s) \
         WHERE rn <= 2 ORDER BY region NULLS LAST, rn",
        &["east|4|50", "east|2|30", "west|3|40", "west|NULL|7", "NULL|2|100", "NULL|5|1"],
    );
}

#[test]
fn running_totals_share_peers() {
    // RANGE (the default) gives peers one total; ROWS counts row by row (ties ordered by amount).
    check(
        &session(),
        "SELECT region, day, amount, sum(amount) OVER (PARTITION BY region ORDER BY day) AS running, \
         sum(amount) OVER (PARTITION BY region ORDER BY day, amount ROWS UNBOUNDED PRECEDING) AS rows_running \
         FROM s ORDER BY region NULLS LAST, day NULLS LAST, amount",
        &[
            "east|1|10|10|10",
            "east|2|20|60|30",
            "east|2|30|60|60",
            "east|3|NULL|60|60",
            "east|4|50|110|110",
            "west|1|5|10|5",
            "west|1|5|10|10",
            "west|3|40|50|50",
            "west|NULL|7|57|57",
            "NULL|2|100|100|100",
            "NULL|5|1|101|101",
        ],
    );
}

#[test]
fn moving_average_of_three_rows() {
    check(
        &session(),
        "SELECT region, day, amount, avg(amount) OVER (PARTITION BY region ORDER BY day, amount \
         ROWS BETWEEN 1 PRECEDING AND 1 FOLLOWING) AS ma3 FROM s ORDER BY region NULLS LAST, day NULLS LAST, amount",
        &[
            "east|1|10|15.0",
            "east|2|20|20.0",
            "east|2|30|25.0",
            "east|3|NULL|40.0",
            "east|4|50|50.0",
            "west|1|5|5.0",
            "west|1|5|16.666666666666668",
            "west|3|40|17.333333333333332",
            "west|NULL|7|23.5",
            "NULL|2|100|50.5",
            "NULL|5|1|50.5",
        ],
    );
}

#[test]
fn lag_and_lead_with_defaults() {
    check(
        &session(),
        "SELECT region, day, amount, lag(amount) OVER (PARTITION BY region ORDER BY day, amount), \
         lag(amount, 2, -1) OVER (PARTITION BY region ORDER BY day, amount), \
         lead(amount) OVER (PARTITION BY region ORDER BY day, amount), \
         lead(amount, 1, 0) OVER (PARTITION BY region ORDER BY day, amount) \
         FROM s ORDER BY region NULLS LAST, day NULLS LAST, amount",
        &[
            "east|1|10|NULL|-1|20|20",
            "east|2|20|10|-1|30|30",
            "east|2|30|20|10|NULL|NULL",
            "east|3|NULL|30|20|50|50",
            "east|4|50|NULL|30|NULL|0",
            "west|1|5|NULL|-1|5|5",
            "west|1|5|5|-1|40|40",
            "west|3|40|5|5|7|7",
            "west|NULL|7|40|5|NULL|0",
            "NULL|2|100|NULL|-1|1|1",
            "NULL|5|1|100|-1|NULL|0",
        ],
    );
}

#[test]
fn ranks_with_ties() {
    check(
        &session(),
        "SELECT region, day, amount, rank() OVER (ORDER BY day), dense_rank() OVER (ORDER BY day), \
         row_number() OVER (ORDER BY day, amount, region), percent_rank() OVER (ORDER BY day), cume_dist() OVER (ORDER BY day) \
         FROM s ORDER BY day NULLS LAST, amount, region",
        &[
            "west|1|5|1|1|1|0.0|0.2727272727272727",
            "west|1|5|1|1|2|0.0|0.2727272727272727",
            "east|1|10|1|1|3|0.0|0.2727272727272727",
            "east|2|20|4|2|4|0.3|0.5454545454545454",
            "east|2|30|4|2|5|0.3|0.5454545454545454",
            "NULL|2|100|4|2|6|0.3|0.5454545454545454",
            "west|3|40|7|3|7|0.6|0.7272727272727273",
            "east|3|NULL|7|3|8|0.6|0.7272727272727273",
            "east|4|50|9|4|9|0.8|0.8181818181818182",
            "NULL|5|1|10|5|10|0.9|0.9090909090909091",
            "west|NULL|7|11|6|11|1.0|1.0",
        ],
    );
}

#[test]
fn windows_over_a_grouping() {
    check(
        &session(),
        "SELECT region, sum(amount) AS total, sum(sum(amount)) OVER () AS grand, rank() OVER (ORDER BY count(*) DESC) AS by_count \
         FROM s GROUP BY region ORDER BY region NULLS LAST",
        &["east|110|268|1", "west|57|268|2", "NULL|101|268|3"],
    );
}

#[test]
fn several_specs_in_one_select() {
    check(
        &session(),
        "SELECT region, day, amount, count(*) OVER (), count(amount) OVER (PARTITION BY region), max(amount) OVER (ORDER BY day), \
         min(amount) OVER (PARTITION BY region ORDER BY day, amount ROWS BETWEEN 1 PRECEDING AND CURRENT ROW), \
         first_value(amount) OVER (PARTITION BY region ORDER BY day DESC), last_value(amount) OVER (PARTITION BY region ORDER BY day) \
         FROM s ORDER BY region NULLS LAST, day NULLS LAST, amount",
        &[
            "east|1|10|11|4|10|10|50|10",
            "east|2|20|11|4|100|10|50|20",
            "east|2|30|11|4|100|20|50|20",
            "east|3|NULL|11|4|100|30|50|NULL",
            "east|4|50|11|4|100|50|50|50",
            "west|1|5|11|4|10|5|40|5",
            "west|1|5|11|4|10|5|40|5",
            "west|3|40|11|4|100|5|40|40",
            "west|NULL|7|11|4|100|7|40|7",
            "NULL|2|100|11|2|100|100|1|100",
            "NULL|5|1|11|2|100|1|1|1",
        ],
    );
}

#[test]
fn ntile_nth_value_and_filter() {
    check(
        &session(),
        "SELECT region, day, amount, ntile(2) OVER (PARTITION BY region ORDER BY day, amount), \
         nth_value(amount, 2) OVER (PARTITION BY region ORDER BY day, amount), \
         sum(amount) FILTER (WHERE amount > 10) OVER (PARTITION BY region ORDER BY day, amount) \
         FROM s ORDER BY region NULLS LAST, day NULLS LAST, amount",
        &[
            "east|1|10|1|NULL|NULL",
            "east|2|20|1|20|20",
            "east|2|30|1|20|50",
            "east|3|NULL|2|20|50",
            "east|4|50|2|20|100",
            "west|1|5|1|5|NULL",
            "west|1|5|1|5|NULL",
            "west|3|40|2|5|40",
            "west|NULL|7|2|5|40",
            "NULL|2|100|1|NULL|100",
            "NULL|5|1|2|1|100",
        ],
    );
}

#[test]
fn frames_and_edge_cases() {
    let s = session();
    // `row_number() OVER ()` numbers rows in the input's order.
    check(&s, "SELECT row_number() OVER () FROM s LIMIT 3", &["1", "2", "3"]);
    // No rows: no output (DuckDB: []).
    check(&s, "SELECT count(*) OVER (PARTITION BY region) FROM s WHERE false", &[]);
    // A frame that ends before it starts is empty (DuckDB: all NULL), count of it 0.
    check(
        &s,
        "SELECT sum(amount) OVER (ORDER BY day, amount, region ROWS BETWEEN 1 PRECEDING AND 2 PRECEDING), \
         count(*) OVER (ORDER BY day, amount, region ROWS BETWEEN 1 PRECEDING AND 2 PRECEDING) FROM s LIMIT 2",
        &["NULL|0", "NULL|0"],
    );
    // RANGE from the current row's first peer to the end.
    check(
        &s,
        "SELECT day, amount, sum(amount) OVER (PARTITION BY region ORDER BY day RANGE BETWEEN CURRENT ROW AND UNBOUNDED FOLLOWING) \
         FROM s WHERE region = 'east' ORDER BY day, amount",
        &["1|10|110", "2|20|100", "2|30|100", "3|NULL|50", "4|50|50"],
    );
    // NULLs first when asked, in a descending order.
    check(
        &s,
        "SELECT day, rank() OVER (ORDER BY day DESC NULLS FIRST) FROM s WHERE region = 'west' ORDER BY day NULLS FIRST",
        &["NULL|1", "1|3", "1|3", "3|2"],
    );
    // first_value/last_value with explicit ROWS frames (one starting after its row, one ending
    // before it).
    check(
        &s,
        "SELECT first_value(amount) OVER (ORDER BY day, amount ROWS BETWEEN 1 FOLLOWING AND 2 FOLLOWING), \
         last_value(amount) OVER (ORDER BY day, amount ROWS BETWEEN UNBOUNDED PRECEDING AND 1 PRECEDING) \
         FROM s WHERE region = 'east' ORDER BY day, amount",
        &["20|NULL", "30|10", "NULL|20", "50|30", "NULL|NULL"],
    );
}

#[test]
fn refused_frames_and_arguments() {
    let s = session();
    for sql in [
        "SELECT sum(amount) OVER (ORDER BY day ROWS BETWEEN CURRENT ROW AND 1 PRECEDING) FROM s",
        "SELECT sum(amount) OVER (ORDER BY day ROWS BETWEEN 2 FOLLOWING AND CURRENT ROW) FROM s",
        "SELECT ntile(0) OVER () FROM s",
        "SELECT lag(amount, day) OVER () FROM s",
        "SELECT rank(amount) OVER () FROM s",
    ] {
        assert!(s.query(sql, &[]).is_err(), "{sql} should fail");
    }
}

#[test]
fn float_sums_and_nan() {
    // DuckDB 2.0.1: running sums of doubles (NaN poisons what follows), a sliding max over NaN.
    let mut s = Session::default();
    let g: ArrayRef = Arc::new(Int64Array::from(vec![1, 1, 1, 1, 2, 2]));
    let x: ArrayRef =
        Arc::new(Float64Array::from(vec![Some(1.5), None, Some(f64::NAN), Some(2.0), Some(-0.5), Some(0.25)]));
    let b = RecordBatch::try_from_iter(vec![("g", g), ("x", x)]).unwrap();
    s.register("f", b.schema(), vec![b]).unwrap();
    let got = rows(
        &s,
        "SELECT g, sum(x) OVER (PARTITION BY g ORDER BY rowid_like ROWS UNBOUNDED PRECEDING), \
         max(x) OVER (PARTITION BY g ORDER BY rowid_like ROWS BETWEEN 1 PRECEDING AND CURRENT ROW) \
         FROM (SELECT g, x, row_number() OVER () AS rowid_like FROM f) ORDER BY rowid_like",
    );
    assert_eq!(got, ["1|1.5|1.5", "1|1.5|1.5", "1|NaN|NaN", "1|NaN|NaN", "2|-0.5|-0.5", "2|-0.25|0.25"]);
    // The NaN of sqrt(-1) (its sign bit set) is above every number too: DuckDB 2.0.1 gives
    // max 2, NaN, NaN and min 2, 2, 2.
    let got = rows(
        &s,
        "SELECT max(sqrt(y)) OVER (ORDER BY i ROWS UNBOUNDED PRECEDING), \
         min(sqrt(y)) OVER (ORDER BY i ROWS UNBOUNDED PRECEDING) \
         FROM (SELECT 1 AS i, 4.0::DOUBLE AS y UNION ALL SELECT 2, -1.0 UNION ALL SELECT 3, 9.0) ORDER BY i",
    );
    assert_eq!(got, ["2.0|2.0", "NaN|2.0", "NaN|2.0"]);
}

/// A running sum over 1M rows in 1,000 partitions (`cargo test --release -- --ignored`).
#[test]
#[ignore]
fn running_sum_performance() {
    let n = 1_000_000usize;
    let k: ArrayRef = Arc::new(Int64Array::from_iter_values((0..n).map(|i| ((i * 7919) % 1000) as i64)));
    let t: ArrayRef = Arc::new(Int64Array::from_iter_values((0..n).map(|i| ((i * 104_729) % n) as i64)));
    let v: ArrayRef = Arc::new(Float64Array::from_iter_values((0..n).map(|i| (i % 97) as f64)));
    let w: ArrayRef = Arc::new(Int64Array::from_iter_values((0..n).map(|i| (i % 89) as i64)));
    let b = RecordBatch::try_from_iter(vec![("k", k), ("t", t), ("v", v), ("w", w)]).unwrap();
    let mut s = Session::default();
    s.register("big", b.schema(), vec![b]).unwrap();
    for sql in [
        "SELECT count(*) FROM (SELECT k FROM big)",
        "SELECT sum(r) FROM (SELECT sum(w) OVER (PARTITION BY k ORDER BY t) AS r FROM big)",
        "SELECT sum(r) FROM (SELECT sum(v) OVER (PARTITION BY k ORDER BY t) AS r FROM big)",
        "SELECT sum(r) FROM (SELECT avg(v) OVER (PARTITION BY k ORDER BY t ROWS BETWEEN 2 PRECEDING AND CURRENT ROW) AS r FROM big)",
        "SELECT sum(r) FROM (SELECT avg(w) OVER (PARTITION BY k ORDER BY t ROWS BETWEEN 2 PRECEDING AND CURRENT ROW) AS r FROM big)",
        "SELECT sum(r) FROM (SELECT max(v) OVER (PARTITION BY k ORDER BY t ROWS BETWEEN 100 PRECEDING AND CURRENT ROW) AS r FROM big)",
        "SELECT sum(r) FROM (SELECT sum(v) OVER (PARTITION BY k ORDER BY t ROWS BETWEEN 100 PRECEDING AND CURRENT ROW) AS r FROM big)",
        "SELECT sum(r) FROM (SELECT row_number() OVER (PARTITION BY k ORDER BY t) AS r FROM big)",
        // Again, warm: the first window query also pays for the allocator's first pages.
        "SELECT sum(r) FROM (SELECT sum(w) OVER (PARTITION BY k ORDER BY t) AS r FROM big)",
    ] {
        let start = std::time::Instant::now();
        let out = rows(&s, sql);
        println!("{:>8.1} ms  {sql} -> {out:?}", start.elapsed().as_secs_f64() * 1000.0);
    }
}

/// Frame bounds for the randomized check: `(SQL, kind order, offset)`.
fn bound_sql(kind: u32, k: u64) -> String {
    match kind {
        0 => "UNBOUNDED PRECEDING".to_string(),
        1 => format!("{k} PRECEDING"),
        2 => "CURRENT ROW".to_string(),
        3 => format!("{k} FOLLOWING"),
        _ => "UNBOUNDED FOLLOWING".to_string(),
    }
}

/// The frame `[start, end]` (inclusive, maybe empty) of row `r` of a partition of `m` rows.
fn naive_frame(r: i64, m: i64, start: (u32, u64), end: (u32, u64)) -> Option<(usize, usize)> {
    let at = |(kind, k): (u32, u64)| match kind {
        0 => 0,
        1 => r - k as i64,
        2 => r,
        3 => r + k as i64,
        _ => m - 1,
    };
    let (a, b) = (at(start).max(0), at(end).min(m - 1));
    (a <= b).then_some((a as usize, b as usize))
}

/// Every fast path (sliding sums and counts, the min/max deque, running float sums) and the
/// accumulator paths (per row, segment tree) against a naive evaluation, over random ROWS frames.
#[test]
fn random_frames_match_a_naive_evaluation() {
    let n = 300usize;
    let mut seed = 0x2545_f491_4f6c_dd1du64;
    let mut next = move |m: u64| {
        seed ^= seed << 13;
        seed ^= seed >> 7;
        seed ^= seed << 17;
        seed % m
    };
    let p: Vec<Option<i64>> = (0..n)
        .map(|_| match next(6) {
            5 => None,
            v => Some(v as i64),
        })
        .collect();
    // A unique order key: a permutation of 0..n.
    let mut o: Vec<i64> = (0..n as i64).collect();
    for i in (1..n).rev() {
        o.swap(i, next(i as u64 + 1) as usize);
    }
    let x: Vec<Option<i64>> = (0..n).map(|_| if next(9) == 0 { None } else { Some(next(200) as i64 - 100) }).collect();
    // Quarter steps: float sums stay exact in any order.
    let f: Vec<Option<f64>> =
        (0..n).map(|_| if next(11) == 0 { None } else { Some((next(400) as f64 - 200.0) / 4.0) }).collect();
    let s: Vec<Option<String>> =
        (0..n).map(|_| if next(13) == 0 { None } else { Some(format!("s{:03}", next(500))) }).collect();
    let batch = RecordBatch::try_from_iter(vec![
        ("p", Arc::new(Int64Array::from(p.clone())) as ArrayRef),
        ("o", Arc::new(Int64Array::from(o.clone())) as ArrayRef),
        ("x", Arc::new(Int64Array::from(x.clone())) as ArrayRef),
        ("f", Arc::new(Float64Array::from(f.clone())) as ArrayRef),
        ("s", Arc::new(StringArray::from(s.clone())) as ArrayRef),
    ])
    .unwrap();
    let mut session = Session::default();
    session.register("r", batch.schema(), vec![batch]).unwrap();

    // Rows of each partition in order of `o`; each input row's (partition rows, position).
    let mut order: Vec<usize> = (0..n).collect();
    order.sort_by_key(|&i| (p[i].is_none(), p[i], o[i]));
    let mut members: std::collections::HashMap<Option<i64>, Vec<usize>> = Default::default();
    for &i in &order {
        members.entry(p[i]).or_default().push(i);
    }

    for round in 0..40 {
        let start_kind = next(4) as u32;
        let end_kind = start_kind.max(1) + next(5 - u64::from(start_kind.max(1))) as u32;
        let (ks, ke) = (next(if round % 3 == 0 { 60 } else { 4 }), next(if round % 3 == 0 { 60 } else { 4 }));
        let (start, end) = ((start_kind, ks), (end_kind, ke));
        let frame = format!("ROWS BETWEEN {} AND {}", bound_sql(start.0, start.1), bound_sql(end.0, end.1));
        let w = format!("(PARTITION BY p ORDER BY o {frame})");
        let sql = format!(
            "SELECT o, sum(x) OVER {w}, count(x) OVER {w}, count(*) OVER {w}, min(x) OVER {w}, max(x) OVER {w}, \
             sum(f) OVER {w}, min(s) OVER {w}, max(s) OVER {w}, avg(x) OVER {w}, \
             sum(x) FILTER (WHERE x > 0) OVER {w}, first_value(x) OVER {w}, last_value(x) OVER {w} FROM r ORDER BY o"
        );
        let answer = session.query(&sql, &[]).unwrap_or_else(|e| panic!("{sql}: {e}"));
        let got = arrow_select::concat::concat_batches(&answer.schema, &answer.batches).unwrap();
        let int = |c: usize| got.column(c).as_any().downcast_ref::<Int64Array>().unwrap().clone();
        let flt = |c: usize| got.column(c).as_any().downcast_ref::<Float64Array>().unwrap().clone();
        let txt = |c: usize| got.column(c).as_any().downcast_ref::<StringArray>().unwrap().clone();
        let (sum, cnt, cnt_all, min, max, fsum, smin, smax, avg, pos, first, last) =
            (int(1), int(2), int(3), int(4), int(5), flt(6), txt(7), txt(8), flt(9), int(10), int(11), int(12));
        let opt_i = |a: &Int64Array, r: usize| (!a.is_null(r)).then(|| a.value(r));
        let opt_f = |a: &Float64Array, r: usize| (!a.is_null(r)).then(|| a.value(r));
        let opt_s = |a: &StringArray, r: usize| (!a.is_null(r)).then(|| a.value(r).to_string());
        for row in 0..n {
            let id = got.column(0).as_any().downcast_ref::<Int64Array>().unwrap().value(row);
            let i = o.iter().position(|&v| v == id).unwrap();
            let part = &members[&p[i]];
            let r = part.iter().position(|&j| j == i).unwrap() as i64;
            let rows: Vec<usize> = match naive_frame(r, part.len() as i64, start, end) {
                Some((a, b)) => part[a..=b].to_vec(),
                None => vec![],
            };
            let xs: Vec<i64> = rows.iter().filter_map(|&j| x[j]).collect();
            let fs: Vec<f64> = rows.iter().filter_map(|&j| f[j]).collect();
            let ss: Vec<&String> = rows.iter().filter_map(|&j| s[j].as_ref()).collect();
            let ctx = format!("{frame} row {row}");
            assert_eq!(opt_i(&sum, row), (!xs.is_empty()).then(|| xs.iter().sum()), "sum {ctx}");
            assert_eq!(opt_i(&cnt, row), Some(xs.len() as i64), "count {ctx}");
            assert_eq!(opt_i(&cnt_all, row), Some(rows.len() as i64), "count(*) {ctx}");
            assert_eq!(opt_i(&min, row), xs.iter().min().copied(), "min {ctx}");
            assert_eq!(opt_i(&max, row), xs.iter().max().copied(), "max {ctx}");
            assert_eq!(opt_f(&fsum, row), (!fs.is_empty()).then(|| fs.iter().sum()), "float sum {ctx}");
            assert_eq!(opt_s(&smin, row), ss.iter().min().map(|v| v.to_string()), "string min {ctx}");
            assert_eq!(opt_s(&smax, row), ss.iter().max().map(|v| v.to_string()), "string max {ctx}");
            let want_avg = (!xs.is_empty()).then(|| xs.iter().sum::<i64>() as f64 / xs.len() as f64);
            match (opt_f(&avg, row), want_avg) {
                (Some(a), Some(b)) => assert!((a - b).abs() < 1e-9, "avg {ctx}: {a} vs {b}"),
                (a, b) => assert_eq!(a, b, "avg {ctx}"),
            }
            let ps: Vec<i64> = xs.iter().copied().filter(|&v| v > 0).collect();
            assert_eq!(opt_i(&pos, row), (!ps.is_empty()).then(|| ps.iter().sum()), "filtered sum {ctx}");
            assert_eq!(opt_i(&first, row), rows.first().and_then(|&j| x[j]), "first_value {ctx}");
            assert_eq!(opt_i(&last, row), rows.last().and_then(|&j| x[j]), "last_value {ctx}");
        }
    }
}

/// RANGE frames over an order key with ties and NULLs (descending, NULLs first), and the ranks,
/// against a naive evaluation: peers share their frame's end (or start).
#[test]
fn random_range_frames_with_peers() {
    let n = 400usize;
    let mut seed = 0x9e37_79b9_7f4a_7c15u64;
    let mut next = move |m: u64| {
        seed ^= seed << 13;
        seed ^= seed >> 7;
        seed ^= seed << 17;
        seed % m
    };
    let p: Vec<Option<String>> = (0..n)
        .map(|_| match next(4) {
            3 => None,
            v => Some(format!("p{v}")),
        })
        .collect();
    let d: Vec<Option<i64>> = (0..n)
        .map(|_| match next(12) {
            0 => None,
            v => Some(v as i64 % 6),
        })
        .collect();
    let x: Vec<Option<i64>> = (0..n).map(|_| if next(7) == 0 { None } else { Some(next(100) as i64) }).collect();
    let id: Vec<i64> = (0..n as i64).collect();
    let batch = RecordBatch::try_from_iter(vec![
        ("id", Arc::new(Int64Array::from(id)) as ArrayRef),
        ("p", Arc::new(StringArray::from(p.clone())) as ArrayRef),
        ("d", Arc::new(Int64Array::from(d.clone())) as ArrayRef),
        ("x", Arc::new(Int64Array::from(x.clone())) as ArrayRef),
    ])
    .unwrap();
    let mut session = Session::default();
    session.register("q", batch.schema(), vec![batch]).unwrap();
    let w = "PARTITION BY p ORDER BY d DESC NULLS FIRST";
    let sql = format!(
        "SELECT id, sum(x) OVER ({w}), count(*) OVER ({w} RANGE BETWEEN CURRENT ROW AND UNBOUNDED FOLLOWING), \
         max(x) OVER ({w} RANGE BETWEEN CURRENT ROW AND CURRENT ROW), rank() OVER ({w}), dense_rank() OVER ({w}), \
         cume_dist() OVER ({w}) FROM q ORDER BY id"
    );
    // Sort position of d under DESC NULLS FIRST: NULL first, then larger first.
    let pos = |v: Option<i64>| match v {
        None => i64::MIN,
        Some(v) => -v,
    };
    let got = rows(&session, &sql);
    for (i, line) in got.iter().enumerate() {
        let same: Vec<usize> = (0..n).filter(|&j| p[j] == p[i]).collect();
        let before: Vec<usize> = same.iter().copied().filter(|&j| pos(d[j]) <= pos(d[i])).collect();
        let after: Vec<usize> = same.iter().copied().filter(|&j| pos(d[j]) >= pos(d[i])).collect();
        let peers: Vec<usize> = same.iter().copied().filter(|&j| d[j] == d[i]).collect();
        let sum: Vec<i64> = before.iter().filter_map(|&j| x[j]).collect();
        let show = |v: Option<i64>| v.map_or("NULL".to_string(), |v| v.to_string());
        let rank = same.iter().filter(|&&j| pos(d[j]) < pos(d[i])).count() + 1;
        let mut distinct: Vec<i64> = same.iter().map(|&j| pos(d[j])).filter(|&v| v <= pos(d[i])).collect();
        distinct.sort_unstable();
        distinct.dedup();
        let cume = before.len() as f64 / same.len() as f64;
        let want = [
            i.to_string(),
            show((!sum.is_empty()).then(|| sum.iter().sum())),
            after.len().to_string(),
            show(peers.iter().filter_map(|&j| x[j]).max()),
            rank.to_string(),
            distinct.len().to_string(),
        ]
        .join("|");
        let (head, tail) = line.rsplit_once('|').unwrap();
        assert_eq!(head, want, "row {i}");
        assert!((tail.parse::<f64>().unwrap() - cume).abs() < 1e-12, "cume_dist row {i}: {tail} vs {cume}");
    }
}

#[test]
fn constant_and_null_order_keys() {
    // DuckDB 2.0.1: every row is a peer of every other; RANGE frames span the partition.
    let s = session();
    check(
        &s,
        "SELECT region, rank() OVER (PARTITION BY region ORDER BY NULL), sum(amount) OVER (PARTITION BY region ORDER BY 1, NULL) \
         FROM s WHERE region IS NOT NULL ORDER BY region, amount",
        &[
            "east|1|110",
            "east|1|110",
            "east|1|110",
            "east|1|110",
            "east|1|110",
            "west|1|57",
            "west|1|57",
            "west|1|57",
            "west|1|57",
        ],
    );
}

#[test]
fn the_memory_budget_is_kept() {
    // A table of ~800 KB, a budget just above it: the window's copies do not fit, and say so.
    let n = 100_000usize;
    let k: ArrayRef = Arc::new(Int64Array::from_iter_values((0..n).map(|i| (i % 10) as i64)));
    let v: ArrayRef = Arc::new(Int64Array::from_iter_values((0..n).map(|i| i as i64)));
    let b = RecordBatch::try_from_iter(vec![("k", k), ("v", v)]).unwrap();
    let bytes = b.get_array_memory_size() as u64;
    let mut s = Session::new(bytes + bytes / 2);
    s.register("m", b.schema(), vec![b]).unwrap();
    let held = s.budget().used();
    let e = s.query("SELECT sum(v) OVER (PARTITION BY k ORDER BY v) FROM m", &[]).unwrap_err();
    assert!(e.to_string().contains("window"), "{e}");
    assert_eq!(s.budget().used(), held, "the window's reservation is given back");
    let mut roomy = Session::new(bytes * 8);
    let k: ArrayRef = Arc::new(Int64Array::from_iter_values((0..n).map(|i| (i % 10) as i64)));
    let v: ArrayRef = Arc::new(Int64Array::from_iter_values((0..n).map(|i| i as i64)));
    let b = RecordBatch::try_from_iter(vec![("k", k), ("v", v)]).unwrap();
    roomy.register("m", b.schema(), vec![b]).unwrap();
    check(&roomy, "SELECT max(r) FROM (SELECT sum(v) OVER (PARTITION BY k ORDER BY v) AS r FROM m)", &["500040000"]);
}
