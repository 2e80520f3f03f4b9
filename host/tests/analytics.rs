//! The analytics plugin under wasmtime, through the host crate, on the `wac` composition of the
//! core with it: tables registered from the core, SQL answered as core tables, every error kind
//! with its position, the memory budget, split aggregation, and a session that keeps answering
//! after errors. The answers' values are checked against what the core itself reports (row
//! counts, fingerprints of equal answers) and against sums computed here from the sample.

// Test code: a failed expectation is meant to panic.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic, clippy::indexing_slicing, missing_docs)]

use std::path::PathBuf;

use arrow_rs_wasm_host::{AnalyticsErrorKind, CsvWriteOptions, Error, Host, HostConfig, Param, SessionOptions, Table};

fn workspace() -> PathBuf {
    PathBuf::from(std::env::var_os("CARGO_MANIFEST_DIR").unwrap_or_default()).join("..")
}

fn host() -> Host {
    let component = std::env::var_os("ARROW_CORE_WITH_ANALYTICS_COMPONENT")
        .map(PathBuf::from)
        .unwrap_or_else(|| workspace().join("build/core_with_analytics.wasm"));
    let config = HostConfig::new(component).cache_dir(std::env::temp_dir().join("arrow-rs-wasm-host-test-cache"));
    Host::new(config).expect("the analytics composition: run `make compose`")
}

fn trips(host: &Host) -> Table {
    host.read(&std::fs::read(workspace().join("testdata/sample/trips.csv")).unwrap(), &Default::default()).unwrap()
}

/// An answer's cells as text, row by row (the core renders them).
fn cells(t: &Table) -> Vec<Vec<String>> {
    let text =
        t.write_csv(&CsvWriteOptions { header: false, null_value: "NULL".into(), ..Default::default() }).unwrap();
    String::from_utf8(text).unwrap().lines().map(|l| l.split(',').map(str::to_string).collect()).collect()
}

fn analytics_error(r: Result<Table, Error>) -> (AnalyticsErrorKind, Option<(u32, u32)>, String) {
    match r {
        Err(Error::Analytics { kind, position, message }) => (kind, position.map(|p| (p.line, p.column)), message),
        Err(other) => panic!("another error: {other:?}"),
        Ok(t) => panic!("answered {} rows", t.num_rows().unwrap()),
    }
}

#[test]
fn a_session_answers_sql_over_registered_tables() {
    let host = host();
    assert!(host.has_analytics());
    let plugins: Vec<String> = host.plugins().unwrap().into_iter().map(|p| p.id).collect();
    assert!(plugins.contains(&"io.arrow.plugin.analytics.v1".to_string()), "{plugins:?}");
    let t = trips(&host);
    let session = host.session(&SessionOptions { memory_limit: None }).unwrap();
    session.register("trips", &t).unwrap();
    let listed = session.tables().unwrap();
    assert_eq!((listed[0].name.as_str(), listed[0].rows, listed[0].columns), ("trips", 5000, 10));
    let count = session.query("SELECT count(*) AS n FROM trips", &[]).unwrap();
    assert_eq!(cells(&count), [["5000"]]);
    // The grouped counts add up to the table's rows, and the groups are the distinct payments.
    let by_payment =
        session.query("SELECT payment, count(*) AS n FROM trips GROUP BY payment ORDER BY payment", &[]).unwrap();
    let rows = cells(&by_payment);
    let total: u64 = rows.iter().map(|r| r[1].parse::<u64>().unwrap()).sum();
    assert_eq!(total, 5000);
    let distinct = session.query("SELECT DISTINCT payment FROM trips ORDER BY 1", &[]).unwrap();
    assert_eq!(rows.iter().map(|r| r[0].clone()).collect::<Vec<_>>(), cells(&distinct).concat());
    // Parameters travel typed: the same filter written as a literal gives the same answer.
    let with_param = session.query(
        "SELECT count(*) FROM trips WHERE fare > $1 AND payment = $2",
        &[Param::Float64(20.0), Param::Text("card".into())],
    );
    let literal = session.query("SELECT count(*) FROM trips WHERE fare > 20.0 AND payment = 'card'", &[]);
    assert_eq!(cells(&with_param.unwrap()), cells(&literal.unwrap()));
    // A quote inside a parameter is data, not SQL.
    let odd = session.query("SELECT count(*) FROM trips WHERE payment = $1", &[Param::Text("x' OR '1'='1".into())]);
    assert_eq!(cells(&odd.unwrap()), [["0"]]);
    // An answer is a core table like any other: it converts and fingerprints.
    assert_eq!(count.num_rows().unwrap(), 1);
    assert!(by_payment.fingerprint().unwrap().starts_with("v1-"));
    let plan = session.explain("SELECT payment, avg(fare) FROM trips WHERE tip > 1 GROUP BY payment", &[]).unwrap();
    assert!(plan.contains("HashAggregate") && plan.contains("Scan trips"), "{plan}");
    assert!(plan.contains("filters=["), "the filter is pushed into the scan: {plan}");
}

#[test]
fn errors_are_typed_point_at_the_text_and_leave_the_session_working() {
    let host = host();
    let t = trips(&host);
    let session = host.session(&SessionOptions { memory_limit: None }).unwrap();
    session.register("trips", &t).unwrap();
    let (kind, pos, message) = analytics_error(session.query("SELECT fare FROM trips WHERE", &[]));
    assert_eq!(kind, AnalyticsErrorKind::Parse);
    assert!(pos.is_some(), "{message}");
    let (kind, pos, message) = analytics_error(session.query("SELECT fare\nFROM trip", &[]));
    assert_eq!((kind, pos), (AnalyticsErrorKind::UnknownTable, Some((2, 6))));
    assert!(message.contains("did you mean trips"), "{message}");
    let (kind, _, message) = analytics_error(session.query("SELECT fair FROM trips", &[]));
    assert_eq!(kind, AnalyticsErrorKind::UnknownColumn);
    assert!(message.contains("did you mean fare"), "{message}");
    let (kind, _, _) = analytics_error(session.query("SELECT fare + payment FROM trips", &[]));
    assert_eq!(kind, AnalyticsErrorKind::TypeMismatch);
    let (kind, pos, message) = analytics_error(session.query(
        "SELECT trip_id FROM trips a\nWHERE fare > (SELECT avg(fare) FROM trips b WHERE b.payment = a.payment)",
        &[],
    ));
    assert_eq!(kind, AnalyticsErrorKind::Unsupported);
    assert!(message.starts_with("unsupported: correlated subquery") && pos.is_some(), "{message}");
    let (kind, _, _) = analytics_error(session.query("SELECT payment, fare FROM trips GROUP BY payment", &[]));
    assert_eq!(kind, AnalyticsErrorKind::InvalidQuery);
    let (kind, _, _) = analytics_error(session.query("SELECT $1", &[]));
    assert_eq!(kind, AnalyticsErrorKind::InvalidQuery);
    let (kind, _, _) = analytics_error(session.query("SELECT CAST(payment AS INTEGER) FROM trips", &[]));
    assert_eq!(kind, AnalyticsErrorKind::Execution);
    // After all of these the session, its table and the host still answer.
    assert_eq!(cells(&session.query("SELECT count(*) FROM trips", &[]).unwrap()), [["5000"]]);
    assert_eq!(t.num_rows().unwrap(), 5000);
    assert_eq!(host.restarts(), 0);
}

#[test]
fn the_memory_budget_stops_a_query_cleanly() {
    let host = host();
    let t = trips(&host);
    // The table's own size (each buffer counted once), then a budget of that and 1 MiB more:
    // enough for the table, not for sorting the 25 million rows of its product with itself.
    let probe = host.session(&SessionOptions { memory_limit: None }).unwrap();
    probe.register("trips", &t).unwrap();
    let (table_bytes, _) = probe.memory().unwrap();
    // 5,000 rows of ten columns hold well under a megabyte; a count per column would be several.
    assert!(table_bytes > 100_000 && table_bytes < 1 << 20, "{table_bytes}");
    let session = host.session(&SessionOptions { memory_limit: Some(table_bytes + (1 << 20)) }).unwrap();
    session.register("trips", &t).unwrap();
    let (used, limit) = session.memory().unwrap();
    assert!(used > 0 && used < limit, "{used} of {limit}");
    let big = "SELECT a.trip_id, b.trip_id FROM trips a, trips b ORDER BY b.fare, a.fare";
    let (kind, _, message) = analytics_error(session.query(big, &[]));
    assert_eq!(kind, AnalyticsErrorKind::LimitExceeded, "{message}");
    // The session gave the memory back and answers the next query.
    assert_eq!(session.memory().unwrap().0, used);
    assert_eq!(cells(&session.query("SELECT count(*) FROM trips", &[]).unwrap()), [["5000"]]);
    // A table that does not fit is refused too, and the session keeps the one it had.
    let small = host.session(&SessionOptions { memory_limit: Some(64 << 10) }).unwrap();
    let e = small.register("trips", &t);
    assert!(matches!(e, Err(Error::Analytics { kind: AnalyticsErrorKind::LimitExceeded, .. })), "{e:?}");
    assert!(small.tables().unwrap().is_empty());
}

#[test]
fn split_aggregation_merges_to_the_single_pass_answer() {
    let host = host();
    let t = trips(&host);
    let sql = "SELECT payment, count(*) AS n, sum(fare) AS total, min(fare), max(fare), avg(distance_km) \
               FROM trips WHERE passengers >= $1 GROUP BY payment HAVING count(*) > 10 ORDER BY payment";
    let params = [Param::Int64(1)];
    let whole = host.session(&SessionOptions { memory_limit: None }).unwrap();
    whole.register("trips", &t).unwrap();
    let expected = cells(&whole.query(sql, &params).unwrap());
    // Three parts, each in a session of its own, as three workers would hold them.
    let mut partials = Vec::new();
    for (offset, len) in [(0, 1000), (1000, 2500), (3500, 1500)] {
        let part = host.session(&SessionOptions { memory_limit: None }).unwrap();
        part.register("trips", &t.slice(offset, len).unwrap()).unwrap();
        partials.push(part.query_partial(sql, &params).unwrap());
    }
    let refs: Vec<&Table> = partials.iter().collect();
    let states = host.concat(&refs).unwrap();
    // The merging session needs the table's schema only.
    let merger = host.session(&SessionOptions { memory_limit: None }).unwrap();
    merger.register("trips", &t.slice(0, 0).unwrap()).unwrap();
    let merged = cells(&merger.query_merge(sql, &params, &states).unwrap());
    assert_eq!(merged.len(), expected.len());
    for (m, e) in merged.iter().zip(&expected) {
        // Keys, counts, minima and maxima are exact; float sums and averages add in another order.
        assert_eq!([&m[..2], &m[3..5]], [&e[..2], &e[3..5]], "exact aggregates");
        for k in [2, 5] {
            let (a, b): (f64, f64) = (m[k].parse().unwrap(), e[k].parse().unwrap());
            assert!((a - b).abs() <= 1e-9 * b.abs(), "column {k}: {a} against {b}");
        }
    }
    // A median does not merge: the split is refused with a typed error.
    let median = merger.query_partial("SELECT median(fare) FROM trips", &[]);
    assert!(
        matches!(median, Err(Error::Analytics { kind: AnalyticsErrorKind::Unsupported, .. })),
        "{:?}",
        median.map(|_| ())
    );
}

#[test]
fn the_core_alone_has_no_analytics() {
    let component = std::env::var_os("ARROW_CORE_COMPONENT")
        .map(PathBuf::from)
        .unwrap_or_else(|| workspace().join("build/arrow_core.wasm"));
    let host = Host::new(HostConfig::new(component)).unwrap();
    assert!(!host.has_analytics());
    assert!(matches!(host.session(&SessionOptions { memory_limit: None }), Err(Error::NoAnalytics)));
}
