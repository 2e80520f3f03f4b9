//! Quick end-to-end queries on a small table.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic, clippy::indexing_slicing, missing_docs)]

use std::sync::Arc;

use arrow_analytics::Session;
use arrow_array::{ArrayRef, Float64Array, Int32Array, RecordBatch, StringArray};

fn session() -> Session {
    let mut s = Session::default();
    let k: ArrayRef = Arc::new(StringArray::from(vec![Some("a"), Some("b"), Some("a"), None, Some("b"), Some("a")]));
    let v: ArrayRef = Arc::new(Int32Array::from(vec![Some(1), Some(2), Some(3), Some(4), None, Some(6)]));
    let f: ArrayRef = Arc::new(Float64Array::from(vec![1.5, 2.5, f64::NAN, -0.0, 0.0, 3.0]));
    let b = RecordBatch::try_from_iter(vec![("k", k), ("v", v), ("f", f)]).unwrap();
    s.register("t", b.schema(), vec![b]).unwrap();
    s
}

fn show(s: &Session, sql: &str) -> String {
    match s.query(sql, &[]) {
        Ok(a) => arrow_cast::pretty::pretty_format_batches(&a.batches).unwrap().to_string(),
        Err(e) => format!("ERROR {:?}: {e}", e.kind),
    }
}

#[test]
fn smoke() {
    let s = session();
    for q in [
        "SELECT * FROM t",
        "SELECT k, count(*), sum(v), avg(v), min(f), max(f) FROM t GROUP BY k ORDER BY k",
        "SELECT v + 1, v / 2, v // 2, v % 4 FROM t WHERE v > 1 ORDER BY 1",
        "SELECT count(*) FROM t WHERE k = 'a' AND v BETWEEN 2 AND 10",
        "SELECT k FROM t GROUP BY k HAVING count(*) > 1 ORDER BY k NULLS FIRST",
        "SELECT CASE WHEN v > 2 THEN 'big' ELSE 'small' END AS size, count(*) FROM t GROUP BY 1 ORDER BY 1",
        "SELECT a.k, b.v FROM t a JOIN t b ON a.v = b.v ORDER BY 2",
        "SELECT k, v FROM t WHERE v IN (SELECT v FROM t WHERE k = 'a') ORDER BY v",
        "SELECT (SELECT max(v) FROM t) AS m",
        "SELECT DISTINCT k FROM t ORDER BY k",
        "SELECT x FROM (SELECT v * 2 AS x FROM t) s WHERE x > 4 ORDER BY x DESC LIMIT 2",
        "SELECT lower(k), length(k), coalesce(k, 'none') FROM t",
        "SELECT nosuch FROM t",
        "SELECT v FROM tt",
        "SELECT k, v FROM t GROUP BY k",
        "SELECT 2147483647::int + 1",
        "SELECT 1/0, 7 // 2",
        "SELECT 7 // 0",
        "WITH c AS (SELECT k, sum(v) s FROM t GROUP BY k) SELECT * FROM c ORDER BY s",
        "SELECT k FROM t UNION ALL SELECT 'z' ORDER BY 1",
        "SELECT f, count(*) FROM t GROUP BY f ORDER BY f",
    ] {
        println!("{q}\n{}\n", show(&s, q));
    }
    println!(
        "{}",
        s.explain("SELECT a.k, sum(b.v) FROM t a, t b WHERE a.v = b.v AND a.k = 'a' GROUP BY a.k", &[]).unwrap()
    );
}

#[test]
fn a_full_or_right_join_using_a_key_merges_it_as_duckdb_does() {
    let mut s = Session::default();
    let l = RecordBatch::try_from_iter(vec![
        ("k", Arc::new(Int32Array::from(vec![1, 2])) as ArrayRef),
        ("x", Arc::new(StringArray::from(vec!["a", "b"])) as ArrayRef),
    ])
    .unwrap();
    let r = RecordBatch::try_from_iter(vec![
        ("k", Arc::new(Int32Array::from(vec![2, 3])) as ArrayRef),
        ("y", Arc::new(StringArray::from(vec!["B", "C"])) as ArrayRef),
    ])
    .unwrap();
    s.register("l", l.schema(), vec![l]).unwrap();
    s.register("r", r.schema(), vec![r]).unwrap();
    // DuckDB 1.x answers (the bare key is coalesce(l.k, r.k); qualified keys are each side's own).
    let rows = |sql: &str| show(&s, sql).lines().filter(|l| l.starts_with("| ")).map(str::to_owned).collect::<Vec<_>>();
    assert_eq!(
        rows("SELECT * FROM l FULL JOIN r USING (k) ORDER BY 1, 2, 3"),
        ["| k | x | y |", "| 1 | a |   |", "| 2 | b | B |", "| 3 |   | C |"]
    );
    assert_eq!(
        rows("SELECT * FROM l RIGHT JOIN r USING (k) ORDER BY 1, 2, 3"),
        ["| k | x | y |", "| 2 | b | B |", "| 3 |   | C |"]
    );
    assert_eq!(
        rows("SELECT k, l.k, r.k FROM l FULL JOIN r USING (k) ORDER BY 1, 2, 3"),
        ["| k | k | k |", "| 1 | 1 |   |", "| 2 | 2 | 2 |", "| 3 |   | 3 |"]
    );
    assert_eq!(
        rows("SELECT * FROM l LEFT JOIN r USING (k) ORDER BY 1, 2, 3"),
        ["| k | x | y |", "| 1 | a |   |", "| 2 | b | B |"]
    );
    assert_eq!(
        rows("SELECT count(*) FROM l FULL JOIN r USING (k) WHERE k > 1"),
        ["| count_star() |", "| 2            |"]
    );
}

#[test]
fn order_by_limit_sorts_only_the_rows_it_keeps() {
    let s = session();
    let sql = "SELECT v * 10 AS x, k FROM t ORDER BY v DESC NULLS LAST, k LIMIT 2 OFFSET 1";
    let plan = s.explain(sql, &[]).unwrap();
    assert!(plan.contains("TopN 3 by"), "{plan}");
    // The partial sort keeps the same rows the full sort would put there.
    let whole = show(&s, "SELECT v * 10 AS x, k FROM t ORDER BY v DESC NULLS LAST, k");
    let rows: Vec<&str> = whole.lines().filter(|l| l.starts_with("| ") && !l.contains(" x ")).collect();
    let top: Vec<String> =
        show(&s, sql).lines().filter(|l| l.starts_with("| ") && !l.contains(" x ")).map(String::from).collect();
    assert_eq!(top, rows[1..3].iter().map(|r| r.to_string()).collect::<Vec<_>>());
}

#[test]
fn a_top_n_over_many_batches_keeps_the_rows_a_full_sort_would() {
    // Eight batches, values repeating across them, NULLs and NaN among the keys.
    let batches: Vec<RecordBatch> = (0..8)
        .map(|b| {
            let v: ArrayRef =
                Arc::new(Int32Array::from_iter((0..50).map(|i| (i % 7 != 3).then_some((i * 37 + b * 11) % 90))));
            let f: ArrayRef = Arc::new(Float64Array::from_iter_values(
                (0..50).map(|i| if i % 13 == 0 { f64::NAN } else { f64::from((i * 17 + b * 5) % 60) }),
            ));
            let id: ArrayRef = Arc::new(Int32Array::from_iter_values((0..50).map(|i| b * 50 + i)));
            RecordBatch::try_from_iter(vec![("v", v), ("f", f), ("id", id)]).unwrap()
        })
        .collect();
    let mut s = Session::default();
    s.register("m", batches[0].schema(), batches).unwrap();
    for order in ["v DESC NULLS FIRST, id", "f DESC, id", "f, id DESC", "v NULLS LAST, f DESC, id"] {
        let whole = show(&s, &format!("SELECT id FROM m ORDER BY {order}"));
        let cells = |text: &str| -> Vec<String> {
            text.lines()
                .filter(|l| l.starts_with("| "))
                .skip(1)
                .map(|l| l.trim_matches(['|', ' ']).to_string())
                .collect()
        };
        let rows = cells(&whole);
        for (limit, offset) in [(1, 0), (10, 0), (25, 30), (500, 0)] {
            let sql = format!("SELECT id FROM m ORDER BY {order} LIMIT {limit} OFFSET {offset}");
            let got = cells(&show(&s, &sql));
            let end = (offset + limit).min(rows.len());
            assert_eq!(got, rows[offset..end], "{sql}");
        }
    }
}
