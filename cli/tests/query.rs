//! `arrow-rs-wasm query`: SQL over files through the analytics plugin built into the binary. The
//! answers are checked against what other subcommands (and the sample itself) say, every output
//! format is read back by the core, and every error is one line and exit status 1.

// Test code: a failed expectation is meant to panic.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic, clippy::indexing_slicing, missing_docs)]

use std::path::PathBuf;

use assert_cmd::Command;

fn workspace() -> PathBuf {
    PathBuf::from(std::env::var_os("CARGO_MANIFEST_DIR").unwrap_or_default()).join("..")
}

fn scratch(name: &str) -> PathBuf {
    let dir = std::env::temp_dir().join(format!("arrow-rs-wasm-query-{}-{name}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).unwrap();
    dir
}

fn cli() -> Command {
    let mut c = Command::cargo_bin("arrow-rs-wasm").unwrap();
    c.current_dir(workspace()).arg("--cache-dir").arg(std::env::temp_dir().join("arrow-rs-wasm-cli-test-cache"));
    c
}

fn stdout_of(c: &mut Command) -> String {
    let out = c.output().unwrap();
    assert!(out.status.success(), "failed: {}", String::from_utf8_lossy(&out.stderr));
    String::from_utf8(out.stdout).unwrap()
}

fn failure_of(c: &mut Command) -> String {
    let out = c.output().unwrap();
    assert_eq!(out.status.code(), Some(1), "stdout: {}", String::from_utf8_lossy(&out.stdout));
    let err = String::from_utf8(out.stderr).unwrap();
    assert_eq!(err.lines().count(), 1, "one line: {err}");
    err
}

const TRIPS: &str = "testdata/sample/trips.csv";

#[test]
fn the_short_form_registers_the_file_as_t_and_prints_an_aligned_table() {
    let out = stdout_of(cli().args([
        "query",
        TRIPS,
        "--sql",
        "SELECT payment, count(*) AS n FROM t GROUP BY payment ORDER BY payment",
    ]));
    let lines: Vec<&str> = out.lines().collect();
    assert!(lines[0].starts_with("payment") && lines[0].contains("| n"), "{out}");
    assert!(lines[1].starts_with("-------"), "{out}");
    let total: u64 =
        lines[2..lines.len() - 1].iter().map(|l| l.rsplit('|').next().unwrap().trim().parse::<u64>().unwrap()).sum();
    assert_eq!(total, 5000, "the groups add up to the file's rows: {out}");
    assert!(lines.last().unwrap().starts_with(&format!("({} of {} rows)", lines.len() - 3, lines.len() - 3)), "{out}");
}

#[test]
fn tables_join_params_are_typed_and_max_rows_cuts_the_print() {
    let dir = scratch("join");
    let zones = dir.join("zones.csv");
    std::fs::write(&zones, "zone,borough\nRiverside,North\nHospital,South\nLakeside,South\n").unwrap();
    let out = stdout_of(cli().args([
        "query",
        "--table",
        &format!("trips={TRIPS}"),
        "--table",
        &format!("zones={}", zones.display()),
        "--param",
        "text:South",
        "--param",
        "double:10",
        "--sql",
        "SELECT z.borough, count(*) AS n FROM trips JOIN zones z ON trips.pickup_zone = z.zone \
         WHERE z.borough = $1 AND fare > $2 GROUP BY 1",
    ]));
    assert!(out.contains("South") && !out.contains("North"), "{out}");
    let out =
        stdout_of(cli().args(["query", TRIPS, "--max-rows", "3", "--sql", "SELECT trip_id FROM t ORDER BY trip_id"]));
    assert!(out.ends_with("(3 of 5000 rows)\n"), "{out}");
    assert!(out.lines().nth(2).unwrap().trim() == "1", "{out}");
}

#[test]
fn outputs_follow_the_extension_and_read_back() {
    let dir = scratch("outputs");
    let sql = "SELECT pickup_zone, count(*) AS n, sum(fare) AS fares FROM t GROUP BY pickup_zone ORDER BY pickup_zone";
    let printed = stdout_of(cli().args(["query", TRIPS, "--sql", sql]));
    for ext in ["arrow", "arrows", "feather", "parquet", "csv", "ndjson"] {
        let out = dir.join(format!("answer.{ext}"));
        let o = cli().args(["query", TRIPS, "--sql", sql, "--output"]).arg(&out).output().unwrap();
        assert!(o.status.success(), "{ext}: {}", String::from_utf8_lossy(&o.stderr));
        assert!(String::from_utf8_lossy(&o.stderr).contains("rows ->"), "{ext}");
        if ext == "ndjson" {
            let text = std::fs::read_to_string(&out).unwrap();
            assert_eq!(text.lines().count(), printed.lines().count() - 3, "{text}");
            assert!(text.starts_with("{\"pickup_zone\":"), "{text}");
            continue;
        }
        // Every binary output, and the CSV, reads back to the same printed answer.
        let back = stdout_of(cli().args(["query"]).arg(&out).args(["--sql", "SELECT * FROM t ORDER BY pickup_zone"]));
        assert_eq!(back, printed, "{ext}");
    }
    let e = failure_of(cli().args(["query", TRIPS, "--sql", sql, "--output"]).arg(dir.join("answer.xyz")));
    assert!(e.contains("--to"), "{e}");
}

#[test]
fn explain_prints_the_plan() {
    let out = stdout_of(cli().args([
        "query",
        TRIPS,
        "--explain",
        "--sql",
        "SELECT payment, avg(fare) FROM t WHERE tip > 1 GROUP BY payment ORDER BY 2 DESC LIMIT 2",
    ]));
    assert!(out.contains("HashAggregate") && out.contains("Scan t"), "{out}");
    assert!(out.contains("filters=["), "{out}");
}

#[test]
fn errors_are_one_line_with_the_place_and_exit_1() {
    let e = failure_of(cli().args(["query", TRIPS, "--sql", "SELECT fair FROM t"]));
    assert!(e.contains("no column fair (did you mean fare?) at 1:8"), "{e}");
    let e = failure_of(cli().args(["query", TRIPS, "--sql", "SELECT * FROM t WHERE"]));
    assert!(e.starts_with("arrow-rs-wasm: query:"), "{e}");
    let e = failure_of(cli().args(["query", TRIPS, "--sql", "SELECT * FROM nope"]));
    assert!(e.contains("no table named nope"), "{e}");
    let e = failure_of(cli().args(["query", "--table", "nofile", "--sql", "SELECT 1"]));
    assert!(e.contains("NAME=FILE"), "{e}");
    let e = failure_of(cli().args(["query", "--param", "int:x", "--sql", "SELECT $1"]));
    assert!(e.contains("not a 32-bit integer"), "{e}");
    let e = failure_of(cli().args(["query", "testdata/ipc/not_arrow.bin", "--sql", "SELECT 1"]));
    assert!(e.contains("unknown format"), "{e}");
    let e = failure_of(cli().args(["query", TRIPS, "--session-memory", "64K", "--sql", "SELECT 1"]));
    assert!(e.contains("memory budget"), "{e}");
}
