//! The CLI binary on the fixtures: every subcommand, and every error path gives a clear message,
//! a non-zero exit, and no half-written output.

// Test code: a failed expectation is meant to panic.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic, clippy::indexing_slicing, missing_docs)]

use std::path::PathBuf;

use assert_cmd::Command;

fn workspace() -> PathBuf {
    PathBuf::from(std::env::var_os("CARGO_MANIFEST_DIR").unwrap_or_default()).join("..")
}

fn scratch(name: &str) -> PathBuf {
    let dir = std::env::temp_dir().join(format!("arrow-rs-wasm-cli-{}-{name}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).unwrap();
    dir
}

/// The binary, on the built component, with a compiled-code cache shared by the tests.
fn cli() -> Command {
    let mut c = Command::cargo_bin("arrow-rs-wasm").unwrap();
    let component = std::env::var_os("ARROW_CORE_COMPONENT")
        .map(PathBuf::from)
        .unwrap_or_else(|| workspace().join("build/arrow_core.wasm"));
    c.current_dir(workspace())
        .env("ARROW_CORE_COMPONENT", component)
        .arg("--cache-dir")
        .arg(std::env::temp_dir().join("arrow-rs-wasm-cli-test-cache"));
    c
}

fn stdout_of(c: &mut Command) -> String {
    let out = c.output().unwrap();
    assert!(out.status.success(), "failed: {}", String::from_utf8_lossy(&out.stderr));
    String::from_utf8(out.stdout).unwrap()
}

fn failure_of(c: &mut Command) -> String {
    let out = c.output().unwrap();
    assert!(!out.status.success(), "succeeded: {}", String::from_utf8_lossy(&out.stdout));
    String::from_utf8(out.stderr).unwrap()
}

#[test]
fn inspect_names_format_rows_schema_and_parquet_layout() {
    let out = stdout_of(cli().args(["inspect", "testdata/parquet/row_groups.parquet"]));
    assert!(out.contains("format:      Parquet\ncompression: snappy\nsize:        128209 bytes"), "{out}");
    assert!(out.contains("rows:        2000"), "{out}");
    assert!(out.contains("row groups:  7 (300, 300, 300, 300, 300, 300, 200 rows)"), "{out}");
    assert!(out.contains("data:        102529 bytes compressed"), "{out}");
    assert!(out.contains("color") && out.contains("Dictionary(Int32, Utf8)"), "{out}");
    let out = stdout_of(cli().args(["inspect", "testdata/feather_v1/all_types.feather"]));
    assert!(out.contains("format:      Feather v1\ncompression: none"), "{out}");
    let out = stdout_of(cli().args(["inspect", "-"]).pipe_stdin(workspace().join("testdata/ipc/lz4.arrows")).unwrap());
    assert!(out.contains("Arrow IPC stream\ncompression: lz4-frame"), "{out}");
    assert!(out.contains("rows:        2000\nbatches:     3"), "{out}");
}

#[test]
fn head_prints_an_aligned_table_of_the_first_rows() {
    let out = stdout_of(cli().args(["head", "testdata/csv/basic.csv", "-n", "2"]));
    let lines: Vec<&str> = out.lines().collect();
    assert_eq!(lines[0], "id | name  | score | passed | day        | note");
    assert!(lines[1].starts_with("---+"), "{out}");
    assert!(lines[2].starts_with("1  | alice | 93.5  | true"), "{out}");
    assert!(lines[3].contains("null"), "{out}");
    assert_eq!(lines[4], "(2 of 5 rows)");
}

#[test]
fn convert_goes_through_every_output_format_and_back() {
    let dir = scratch("convert");
    let source = "testdata/ipc/primitives.arrow";
    let reference = stdout_of(cli().args(["head", source, "-n", "3"]));
    for (name, extra) in [
        ("out.feather", vec![]),
        ("out.arrows", vec!["--compression", "zstd"]),
        ("out.parquet", vec!["--compression", "brotli"]),
        ("out.bin", vec!["--to", "parquet"]),
    ] {
        let path = dir.join(name);
        let mut c = cli();
        c.args(["convert", source]).arg(&path).args(&extra);
        stdout_of(&mut c);
        let back = stdout_of(cli().arg("head").arg(&path).args(["-n", "3"]));
        // Parquet stores date64 as days and reads it back as date32 (as pyarrow does).
        let strip = |s: &str| s.lines().map(str::to_string).collect::<Vec<_>>().len();
        assert_eq!(strip(&back), strip(&reference), "{name}");
        assert!(back.contains("(3 of 128 rows)"), "{name}: {back}");
    }
    let csv = dir.join("out.csv");
    stdout_of(cli().args(["convert", "testdata/csv/basic.csv"]).arg(&csv));
    assert_eq!(std::fs::read_to_string(&csv).unwrap().lines().count(), 7, "header + 5 records, one with a newline");
    // Timestamps in named zones (UTC, Europe/Paris) are written as UTC instants.
    let prim_csv = dir.join("primitives.csv");
    stdout_of(cli().args(["convert", source]).arg(&prim_csv));
    let text = std::fs::read_to_string(&prim_csv).unwrap();
    assert!(text.lines().nth(1).unwrap().contains('Z'), "{}", text.lines().nth(1).unwrap());
    let piped = cli().args(["convert", "testdata/csv/basic.csv", "-", "--to", "feather"]).output().unwrap();
    assert!(piped.status.success());
    assert!(piped.stdout.starts_with(b"ARROW1"));
}

#[test]
fn errors_are_clear_exit_non_zero_and_write_nothing() {
    let dir = scratch("errors");
    let out = dir.join("never.parquet");
    let e = failure_of(cli().args(["inspect", "testdata/no/such/file.arrow"]));
    assert!(e.contains("No such file"), "{e}");
    let e = failure_of(cli().args(["convert", "testdata/ipc/not_arrow.bin"]).arg(&out));
    assert!(e.contains("unknown format") && e.contains("HELLO"), "{e}");
    let mut corrupt = std::fs::read(workspace().join("testdata/ipc/lz4.arrow")).unwrap();
    corrupt.truncate(5000);
    let bad = dir.join("corrupt.arrow");
    std::fs::write(&bad, corrupt).unwrap();
    let e = failure_of(cli().arg("convert").arg(&bad).arg(&out));
    assert!(e.contains("corrupt.arrow"), "{e}");
    let e = failure_of(cli().args(["convert", "testdata/ipc/nested.arrow"]).arg(dir.join("nested.csv")));
    assert!(e.contains("CSV cannot hold nested columns"), "{e}");
    let e = failure_of(cli().args(["convert", "testdata/ipc/lz4.arrow"]).arg(dir.join("x.unknown")));
    assert!(e.contains("--to"), "{e}");
    let e = failure_of(
        cli().args(["convert", "testdata/ipc/lz4.arrow", "--compression", "brotli"]).arg(dir.join("x.arrow")),
    );
    assert!(e.contains("not an Arrow IPC codec"), "{e}");
    let e = failure_of(cli().args(["--memory-limit", "4M", "inspect", "testdata/parquet/row_groups.parquet"]));
    assert!(e.contains("memory limit") && e.contains("row_groups.parquet"), "{e}");
    assert_eq!(e.lines().count(), 1, "{e}");
    // A panic inside a dependency (a flipped bit in a page: testdata/regressions) is one line
    // naming the file and the panic.
    let e = failure_of(
        cli().arg("convert").arg(workspace().join("testdata/regressions/parquet_bit_util.parquet")).arg(&out),
    );
    assert!(e.contains("parquet_bit_util.parquet: internal error (a bug, please report it): panicked at"), "{e}");
    assert_eq!(e.lines().count(), 1, "{e}");
    // A trap (a schema nested so deep that parsing it exhausts the stack) is one line naming the
    // file; the backtrace only on request.
    let trap = dir.join("trap.parquet");
    std::fs::write(&trap, deep_schema_parquet(100_000)).unwrap();
    let e = failure_of(cli().arg("convert").arg(&trap).arg(&out));
    assert!(e.contains("trap.parquet: the component trapped") && e.contains("--verbose"), "{e}");
    assert_eq!(e.lines().count(), 1, "{e}");
    let e = failure_of(cli().arg("--verbose").arg("convert").arg(&trap).arg(&out));
    assert!(e.contains("the component trapped") && e.contains("backtrace"), "{e}");
    std::fs::remove_file(&trap).unwrap();
    let e = failure_of(cli().args(["--component", "nope.wasm", "inspect", "testdata/ipc/lz4.arrow"]));
    assert!(e.contains("cannot load the component"), "{e}");
    // Nothing was left behind, not even a partial file.
    let left: Vec<_> = std::fs::read_dir(&dir).unwrap().map(|e| e.unwrap().file_name()).collect();
    assert_eq!(left, vec![std::ffi::OsString::from("corrupt.arrow")], "{left:?}");
}

#[test]
fn validate_reports_the_checks_and_passes_valid_files() {
    let out = stdout_of(cli().args([
        "validate",
        "testdata/parquet/row_groups.parquet",
        "testdata/ipc/zstd.arrow",
        "testdata/feather_v1/all_types.feather",
        "testdata/ndjson/events.ndjson",
    ]));
    assert!(
        out.contains("row_groups.parquet: Parquet, 2000 rows in 7 row groups; checks: format, decode, arrays, parquet-row-counts, parquet-statistics\n  valid"),
        "{out}"
    );
    assert!(out.contains("zstd.arrow: Arrow IPC file (Feather v2), 2000 rows in 3 batches; checks: format, decode, arrays, ipc-footer\n  valid"), "{out}");
    assert_eq!(out.matches("  valid\n").count(), 4, "{out}");
    let out = stdout_of(cli().args(["validate", "-"]).pipe_stdin(workspace().join("testdata/ipc/lz4.arrows")).unwrap());
    assert!(out.contains("valid"), "{out}");
}

#[test]
fn validate_fails_with_the_reason_on_every_kind_of_bad_file() {
    let dir = scratch("validate");
    // A Parquet footer whose minimum no longer bounds the values: it reads, but is not valid.
    let written = dir.join("ids.parquet");
    stdout_of(cli().args(["convert", "testdata/csv/basic.csv"]).arg(&written).args(["--compression", "uncompressed"]));
    let mut bytes = std::fs::read(&written).unwrap();
    let footer_len = u32::from_le_bytes(bytes[bytes.len() - 8..bytes.len() - 4].try_into().unwrap()) as usize;
    let footer = bytes.len() - 8 - footer_len;
    // The id column holds 1..=5: its statistics' minimum is the 8 bytes of 1.
    let min = 1i64.to_le_bytes();
    let hits: Vec<usize> = (footer..bytes.len()).filter(|&i| bytes[i..].starts_with(&min)).collect();
    assert!(!hits.is_empty());
    for at in hits {
        bytes[at..at + 8].copy_from_slice(&3i64.to_le_bytes());
    }
    let tampered = dir.join("tampered.parquet");
    std::fs::write(&tampered, &bytes).unwrap();
    stdout_of(cli().arg("head").arg(&tampered));
    let out = cli().arg("validate").arg(&tampered).arg("testdata/ipc/lz4.arrow").output().unwrap();
    assert!(!out.status.success());
    let stdout = String::from_utf8(out.stdout).unwrap();
    assert!(stdout.contains("problem at row group 0, column \"id\": malformed input: parquet: 2 values are below the statistics' minimum"), "{stdout}");
    assert!(stdout.contains("lz4.arrow") && stdout.contains("  valid"), "the valid file is still checked: {stdout}");
    let stderr = String::from_utf8(out.stderr).unwrap();
    assert!(stderr.contains("invalid:") && stderr.contains("tampered.parquet (1 problem)"), "{stderr}");

    let mut truncated = std::fs::read(workspace().join("testdata/ipc/lz4.arrow")).unwrap();
    truncated.truncate(5000);
    let bad = dir.join("truncated.arrow");
    std::fs::write(&bad, truncated).unwrap();
    let out = cli().arg("validate").arg(&bad).output().unwrap();
    assert!(!out.status.success());
    assert!(
        String::from_utf8(out.stdout).unwrap().contains("checks: format, decode\n  problem at file: malformed input")
    );
    let e = failure_of(cli().args(["validate", "testdata/ipc/not_arrow.bin"]));
    assert!(e.contains("not_arrow.bin (1 problem)"), "{e}");
    let e = failure_of(cli().args(["validate", "testdata/no/such.parquet"]));
    assert!(e.contains("No such file"), "{e}");
    failure_of(cli().arg("validate"));
}

#[test]
fn inspect_shows_the_columns_a_composed_plugin_claims() {
    let composed = std::env::var_os("ARROW_CORE_WITH_GEO_COMPONENT")
        .map(PathBuf::from)
        .unwrap_or_else(|| workspace().join("build/core_with_geo.wasm"));
    let out = stdout_of(cli().arg("--component").arg(&composed).args(["inspect", "testdata/geo/geo.arrow"]));
    assert!(out.contains("plugins:     io.arrow.plugin.geo.v1 0.1.0"), "{out}");
    assert!(
        out.contains("wkb              Geometry<wkb> <geoarrow.wkb> (stored as Binary, plugin io.arrow.plugin.geo.v1)"),
        "{out}"
    );
    assert!(out.contains("id               Int32 not null\n"), "unclaimed columns as before: {out}");
    // The bare core shows the storage types.
    let out = stdout_of(cli().args(["inspect", "testdata/geo/geo.arrow"]));
    assert!(out.contains("wkb              Binary <geoarrow.wkb>\n") && !out.contains("plugin"), "{out}");
}

#[test]
fn a_stream_larger_than_the_memory_limit_converts_batch_by_batch() {
    let dir = scratch("stream-convert");
    // 96 MiB of int64 in 96 batches; the component gets 64 MiB.
    let big = dir.join("big.arrows");
    {
        let values = std::sync::Arc::new(arrow_array::Int64Array::from_iter_values(0..131_072));
        let batch = arrow_array::RecordBatch::try_from_iter([("v", values as arrow_array::ArrayRef)]).unwrap();
        let file = std::io::BufWriter::new(std::fs::File::create(&big).unwrap());
        let mut w = arrow_ipc::writer::StreamWriter::try_new(file, &batch.schema()).unwrap();
        for _ in 0..96 {
            w.write(&batch).unwrap();
        }
        w.finish().unwrap();
    }
    assert!(std::fs::metadata(&big).unwrap().len() > 96 << 20);
    let limit = ["--memory-limit", "64M"];
    // Read whole, it does not fit.
    let e = failure_of(cli().args(limit).arg("head").arg(&big));
    assert!(e.contains("memory limit"), "{e}");
    for (name, extra) in [("big.parquet", vec!["--compression", "zstd"]), ("big.feather", vec![])] {
        let out = dir.join(name);
        stdout_of(cli().args(limit).arg("convert").arg(&big).arg(&out).args(&extra));
        let shown = stdout_of(cli().arg("inspect").arg(&out));
        assert!(shown.contains(&format!("rows:        {}", 96 * 131_072)), "{name}: {shown}");
        let valid = stdout_of(cli().arg("validate").arg(&out));
        assert!(valid.contains("  valid"), "{valid}");
    }
}

/// As an installed command: from a directory that is not the repository, with an empty home and
/// none of the Makefile's variables, the binary runs the components built into it and caches
/// compiled code in the home's cache directory.
#[test]
fn runs_from_anywhere_on_the_components_built_in() {
    let dir = scratch("installed");
    let (home, elsewhere) = (dir.join("home"), dir.join("elsewhere"));
    std::fs::create_dir_all(&home).unwrap();
    std::fs::create_dir_all(&elsewhere).unwrap();
    let installed = || {
        let mut c = Command::cargo_bin("arrow-rs-wasm").unwrap();
        c.current_dir(&elsewhere)
            .env("HOME", &home)
            .env_remove("XDG_CACHE_HOME")
            .env_remove("ARROW_CORE_COMPONENT")
            .env_remove("ARROW_CORE_WITH_GEO_COMPONENT")
            .env_remove("ARROW_CORE_WITH_ANALYTICS_COMPONENT");
        c
    };
    let parquet = workspace().join("testdata/parquet/row_groups.parquet").canonicalize().unwrap();
    let out = stdout_of(installed().arg("inspect").arg(&parquet));
    assert!(out.contains("format:      Parquet") && out.contains("rows:        2000"), "{out}");
    let geo = workspace().join("testdata/geo/geo.arrow").canonicalize().unwrap();
    let out = stdout_of(installed().args(["--plugins", "geo", "inspect"]).arg(&geo));
    assert!(out.contains("plugins:     io.arrow.plugin.geo.v1"), "{out}");
    assert!(out.contains("(stored as Binary, plugin io.arrow.plugin.geo.v1)"), "{out}");
    let trips = workspace().join("testdata/sample/trips.csv").canonicalize().unwrap();
    let out = stdout_of(installed().arg("query").arg(&trips).args(["--sql", "SELECT count(*) AS n FROM t"]));
    assert!(out.lines().any(|l| l.trim() == "5000"), "{out}");
    // The directory is made before the start; only compiled code in it shows the cache was used.
    fn files(dir: &std::path::Path) -> usize {
        std::fs::read_dir(dir).map_or(0, |entries| {
            entries.map(|e| e.unwrap().path()).map(|p| if p.is_dir() { files(&p) } else { 1 }).sum()
        })
    }
    let cache = home.join(".cache/arrow-rs-wasm");
    assert!(files(&cache.join("compiled")) > 0, "no compiled code under {}", cache.display());
    let e = failure_of(installed().args(["--plugins", "geo", "--component", "x.wasm", "inspect"]).arg(&geo));
    assert!(e.contains("cannot be used with"), "{e}");
}

/// A Parquet file (a footer, no rows) whose schema nests `depth` groups: parquet-rs builds the
/// schema tree by recursion, so a deep one exhausts the wasm stack, a trap even with unwinding
/// (js-bindings/test/helpers.mjs has the same generator for the JS tests).
fn deep_schema_parquet(depth: usize) -> Vec<u8> {
    fn varint(out: &mut Vec<u8>, mut n: u64) {
        while n >= 0x80 {
            out.push((n as u8 & 0x7f) | 0x80);
            n >>= 7;
        }
        out.push(n as u8);
    }
    // Thrift compact: a field header is (delta << 4) | type (i32 5, i64 6, binary 8, list 9,
    // struct 12); i32 values are zigzag varints.
    let mut f = vec![0x15, 4]; // 1: version 2
    f.extend([0x19, 0xfc]); // 2: schema, a list of structs
    varint(&mut f, depth as u64 + 2);
    f.extend([0x48, 1, b'm', 0x15, 2, 0]); // the root: 4 name, 5 num_children 1
    for _ in 0..depth {
        f.extend([0x35, 0, 0x18, 1, b'g', 0x15, 2, 0]); // 3 required, 4 name, 5 one child
    }
    f.extend([0x15, 2, 0x25, 0, 0x18, 1, b'x', 0]); // 1 INT32, 3 required, 4 name
    f.extend([0x16, 0, 0x19, 0x0c, 0]); // 3: num_rows 0, 4: no row groups, end
    let mut out = b"PAR1".to_vec();
    out.extend(&f);
    out.extend((f.len() as u32).to_le_bytes());
    out.extend(b"PAR1");
    out
}
