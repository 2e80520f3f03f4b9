//! Conformance: every Arrow IPC integration gold file (apache/arrow-testing, found at
//! `../shared/testing/arrow-ipc-integration` or `$ARROW_TESTING_DIR`), in its file and its
//! stream form, read through the component equals what pyarrow reads from it.
//!
//! The big-endian forms of the same files (`testdata/ipc/bigendian`, made by
//! `testdata/make_bigendian_fixtures.py`) read through the component equal what pyarrow reads from
//! the little-endian originals.
//!
//! A gold file the core cannot read is listed in `KNOWN_GAPS` with the reason. The test fails
//! both when an unlisted file fails and when a listed one starts passing, so the list stays true.

// Test code: a failed expectation is meant to panic.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic, clippy::indexing_slicing)]

use std::path::PathBuf;

use host_tests::{Host, IpcCompression, IpcFraming, ReadOptions, oracle, scratch, write_options};

/// Gold files (by stem) the core does not read equal to pyarrow, and why.
const KNOWN_GAPS: &[(&str, &str)] = &[];

fn gold_dir() -> PathBuf {
    std::env::var_os("ARROW_TESTING_DIR")
        .map(PathBuf::from)
        .unwrap_or_else(|| host_tests::workspace().join("../shared/testing"))
        .join("arrow-ipc-integration")
}

fn gold_files() -> Vec<PathBuf> {
    let mut files = Vec::new();
    for version in ["1.0.0-littleendian", "2.0.0-compression"] {
        let dir = gold_dir().join(version);
        for entry in std::fs::read_dir(&dir).unwrap_or_else(|e| panic!("{}: {e}", dir.display())) {
            let path = entry.expect("entry").path();
            if matches!(path.extension().and_then(|e| e.to_str()), Some("arrow_file" | "stream")) {
                files.push(path);
            }
        }
    }
    files.sort();
    files
}

fn stem(path: &std::path::Path) -> String {
    path.file_stem().and_then(|s| s.to_str()).unwrap_or_default().to_string()
}

#[test]
fn every_gold_file_in_both_forms_reads_equal_to_pyarrow() {
    let files = gold_files();
    assert!(files.len() >= 50, "expected the whole suite, found {} files in {}", files.len(), gold_dir().display());
    let dir = scratch("conformance");
    let mut h = Host::new().expect("host");
    let mut failures: Vec<(String, String)> = Vec::new();
    let mut pairs = Vec::new();
    for path in &files {
        let name = path.file_name().and_then(|n| n.to_str()).unwrap_or_default().to_string();
        let bytes = std::fs::read(path).expect("gold file");
        let t = match h.read(&bytes, &ReadOptions::default()).expect("no trap") {
            Ok(t) => t,
            Err(e) => {
                failures.push((name, format!("read: {:?}: {}", e.code, e.message)));
                continue;
            }
        };
        match h.write_ipc(t, &write_options(IpcFraming::File, IpcCompression::None)).expect("no trap") {
            Ok(out) => {
                let out_path = dir.join(format!("{name}.arrow"));
                std::fs::write(&out_path, out).expect("write");
                pairs.push((path.clone(), out_path));
            }
            Err(e) => failures.push((name, format!("write: {:?}: {}", e.code, e.message))),
        }
        h.free(t).expect("free");
    }
    for c in oracle::compare(&pairs, &dir).expect("oracle") {
        if !c.equal {
            let name = c.expected.file_name().and_then(|n| n.to_str()).unwrap_or_default().to_string();
            failures.push((name, format!("differs from pyarrow: {}", c.detail)));
        }
    }
    let gap = |name: &str| KNOWN_GAPS.iter().any(|(s, _)| stem(std::path::Path::new(name)) == *s);
    let unexpected: Vec<_> = failures.iter().filter(|(n, _)| !gap(n)).collect();
    assert!(unexpected.is_empty(), "gold files that fail outside the known gaps:\n{unexpected:#?}");
    for (s, why) in KNOWN_GAPS {
        let still_failing = failures.iter().any(|(n, _)| stem(std::path::Path::new(n)) == *s);
        assert!(still_failing, "{s} now passes: remove it from KNOWN_GAPS (was: {why})");
    }
    println!("{} gold files read equal to pyarrow; known gaps: {}", files.len() - failures.len(), KNOWN_GAPS.len());
}

/// Reads `path` through the component (any error fails the test) and writes what it read as an
/// uncompressed IPC file in `dir`, for pyarrow to compare; returns the file's path.
fn read_as_ipc(h: &mut Host, path: &std::path::Path, dir: &std::path::Path) -> PathBuf {
    let name = path.file_name().and_then(|n| n.to_str()).unwrap_or_default().to_string();
    let bytes = std::fs::read(path).expect("fixture");
    let t = h
        .read(&bytes, &ReadOptions::default())
        .expect("no trap")
        .unwrap_or_else(|e| panic!("{name}: {:?}: {}", e.code, e.message));
    let out = h.write_ipc(t, &write_options(IpcFraming::File, IpcCompression::None)).expect("no trap").expect("write");
    let out_path = dir.join(format!("{name}.arrow"));
    std::fs::write(&out_path, out).expect("write");
    h.free(t).expect("free");
    out_path
}

#[test]
fn every_big_endian_form_reads_equal_to_pyarrow_on_the_little_endian_original() {
    let fixtures = host_tests::workspace().join("testdata/ipc/bigendian");
    let little = gold_dir().join("1.0.0-littleendian");
    let dir = scratch("conformance-bigendian");
    let mut h = Host::new().expect("host");
    let mut pairs = Vec::new();
    for entry in std::fs::read_dir(&fixtures).unwrap_or_else(|e| panic!("{}: {e}", fixtures.display())) {
        let path = entry.expect("entry").path();
        let name = path.file_name().and_then(|n| n.to_str()).unwrap_or_default().to_string();
        let Some((stem, form)) = name.split_once(".be.") else { continue };
        let original = format!("{stem}.{form}");
        let Some(source) = [fixtures.join(&original), little.join(&original)].into_iter().find(|p| p.exists()) else {
            continue; // the compressed form, which the core refuses (core-component/tests/bigendian.rs)
        };
        pairs.push((source, read_as_ipc(&mut h, &path, &dir)));
    }
    assert!(pairs.len() >= 40, "found {} big-endian fixtures in {}", pairs.len(), fixtures.display());
    let differ: Vec<_> = oracle::compare(&pairs, &dir).expect("oracle").into_iter().filter(|c| !c.equal).collect();
    assert!(
        differ.is_empty(),
        "big-endian reads that differ from pyarrow: {:#?}",
        differ.iter().map(|c| (&c.actual, &c.detail)).collect::<Vec<_>>()
    );
}

#[test]
fn every_legacy_parquet_layout_reads_equal_to_pyarrow() {
    let fixtures = host_tests::workspace().join("testdata/parquet/legacy");
    let dir = scratch("conformance-legacy-parquet");
    let mut h = Host::new().expect("host");
    let mut pairs = Vec::new();
    for entry in std::fs::read_dir(&fixtures).unwrap_or_else(|e| panic!("{}: {e}", fixtures.display())) {
        let path = entry.expect("entry").path();
        if path.extension().and_then(|e| e.to_str()) != Some("parquet") {
            continue;
        }
        pairs.push((path.clone(), read_as_ipc(&mut h, &path, &dir)));
    }
    assert!(pairs.len() >= 14, "found {} legacy layouts in {}", pairs.len(), fixtures.display());
    // pyarrow names a map's entries after its column where parquet-rs keeps `map`: the one
    // difference allowed.
    let differ: Vec<_> = oracle::compare(&pairs, &dir)
        .expect("oracle")
        .into_iter()
        .filter(|c| !c.equal && !c.equal_but_nested_names)
        .map(|c| (c.expected, c.detail))
        .collect();
    assert!(differ.is_empty(), "legacy layouts that read differently from pyarrow: {differ:#?}");
}
