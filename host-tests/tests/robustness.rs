//! Malformed input through the component under wasmtime: truncated and bit-flipped copies of
//! every fixture give a typed error (never a trap), and the same instance keeps working after.

// Test code: a failed expectation is meant to panic.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic, clippy::indexing_slicing)]

use host_tests::{ErrorCode, Fixture, Host, IpcCompression, IpcFraming, ReadOptions, fixtures, write_options};

/// A deterministic generator so a failure names a reproducible input.
fn xorshift(state: &mut u64) -> u64 {
    *state ^= *state << 13;
    *state ^= *state >> 7;
    *state ^= *state << 17;
    *state
}

/// Reads `bytes`; a trap fails the test, an error is returned, a table is checked and freed.
fn read_mangled(h: &mut Host, bytes: &[u8], what: &str) -> Result<u64, ErrorCode> {
    match h.read(bytes, &ReadOptions::default()) {
        Err(trap) => panic!("the component trapped on {what}: {trap:?}"),
        Ok(Err(e)) => Err(e.code),
        Ok(Ok(t)) => {
            let rows = h.num_rows(t).expect("num-rows after a mangled read");
            // Whatever was accepted must also be writable without a trap.
            let written = h.write_ipc(t, &write_options(IpcFraming::Stream, IpcCompression::Lz4Frame));
            assert!(written.is_ok(), "writing trapped after reading {what}");
            h.free(t).expect("free");
            Ok(rows)
        }
    }
}

fn probe_still_works(h: &mut Host, probe: &Fixture, after: &str) {
    let t = match h.read(&probe.bytes(), &ReadOptions::default()) {
        Ok(Ok(t)) => t,
        other => panic!("the instance stopped working after {after}: {other:?}"),
    };
    assert_eq!(h.num_rows(t).expect("call"), probe.num_rows, "after {after}");
    h.free(t).expect("free");
}

#[test]
fn truncated_copies_of_every_fixture_are_errors_and_the_instance_survives() {
    let mut h = Host::new().expect("host");
    let all = fixtures();
    let probe = all.iter().find(|f| f.file == "primitives.arrow").expect("probe").clone();
    for f in &all {
        let bytes = f.bytes();
        let n = bytes.len();
        let cuts: Vec<usize> = (0..16).chain((1..48).map(|i| i * n / 48)).filter(|&c| c < n).collect();
        for cut in cuts {
            match read_mangled(&mut h, &bytes[..cut], &format!("{} cut at {cut}", f.file)) {
                Err(code) => assert!(
                    matches!(code, ErrorCode::MalformedInput | ErrorCode::UnknownFormat),
                    "{} cut at {cut}: {code:?}",
                    f.file
                ),
                // A stream cut between two messages is a valid shorter stream (pyarrow agrees).
                Ok(rows) => assert!(
                    f.format == "arrow-stream" && rows <= f.num_rows,
                    "{} cut at {cut} of {n} read {rows} rows",
                    f.file
                ),
            }
        }
        probe_still_works(&mut h, &probe, &format!("truncations of {}", f.file));
    }
}

#[test]
fn bit_flipped_copies_of_every_fixture_never_trap_and_the_instance_survives() {
    let mut h = Host::new().expect("host");
    let all = fixtures();
    let probe = all.iter().find(|f| f.file == "lz4.arrows").expect("probe").clone();
    let mut state = 0x2545_F491_4F6C_DD1Du64;
    let (mut errors, mut reads) = (0, 0);
    for f in &all {
        let bytes = f.bytes();
        let n = bytes.len();
        // The headers and footer, where a flip changes structure, and a sample of the bodies.
        let mut positions: Vec<usize> = (0..n.min(400)).step_by(3).chain(n.saturating_sub(200)..n).collect();
        positions.extend((0..100).map(|_| (xorshift(&mut state) % n as u64) as usize));
        for pos in positions {
            let mut copy = bytes.clone();
            let bit = (xorshift(&mut state) % 8) as u8;
            copy[pos] ^= 1 << bit;
            match read_mangled(&mut h, &copy, &format!("{} bit {bit} of byte {pos}", f.file)) {
                Err(_) => errors += 1,
                Ok(_) => reads += 1,
            }
        }
        probe_still_works(&mut h, &probe, &format!("bit flips in {}", f.file));
    }
    // Flips in values decode as other values; flips in structure must be caught.
    assert!(errors > reads / 4, "only {errors} errors against {reads} reads");
}

#[test]
fn a_huge_declared_decompressed_size_is_refused_before_allocating() {
    let mut h = Host::new().expect("host");
    let bytes = fixtures().into_iter().find(|f| f.file == "lz4.arrows").expect("fixture").bytes();
    // Point the first LZ4 buffer's 8-byte length prefix at 1 TiB.
    let at = (0..bytes.len() - 12)
        .find(|&i| {
            bytes[i + 8..i + 12] == [0x04, 0x22, 0x4D, 0x18]
                && i64::from_le_bytes(bytes[i..i + 8].try_into().expect("8 bytes")) > 0
        })
        .expect("an LZ4 frame in the fixture");
    let mut copy = bytes.clone();
    copy[at..at + 8].copy_from_slice(&(1i64 << 40).to_le_bytes());
    let err = h.read(&copy, &ReadOptions::default()).expect("no trap").expect_err("refused");
    assert_eq!(err.code, ErrorCode::LimitExceeded, "{}", err.message);
    // A lower limit refuses the genuine file too; the memory never grew for it.
    let before = h.peak_memory();
    let small = ReadOptions { max_decompressed_bytes: Some(4096), ..ReadOptions::default() };
    let err = h.read(&bytes, &small).expect("no trap").expect_err("refused");
    assert_eq!(err.code, ErrorCode::LimitExceeded);
    assert_eq!(h.peak_memory(), before);
}

#[test]
fn a_trap_from_a_memory_cap_poisons_only_that_instance() {
    let bytes = fixtures().into_iter().find(|f| f.file == "lz4.arrow").expect("fixture").bytes();
    let mut capped = Host::new().expect("host");
    // The inflated table needs far more than the instance's current memory: deny all growth.
    capped.store.data_mut().cap = Some(capped.peak_memory().max(1));
    let result = capped.read(&bytes, &ReadOptions::default());
    assert!(result.is_err(), "expected a trap when memory cannot grow, got {result:?}");
    let mut fresh = Host::new().expect("host");
    let t = fresh.read_ok(&bytes);
    assert_eq!(fresh.num_rows(t).expect("call"), 2000);
}

/// Every input that once stopped the component (`testdata/regressions`, with what each reached in
/// its `MANIFEST.json`) is a typed error now, and a table read before it is still there after.
#[test]
fn every_regression_input_is_a_typed_error_and_the_instance_and_its_tables_survive() {
    let dir = host_tests::workspace().join("testdata/regressions");
    let manifest: serde_json::Value =
        serde_json::from_slice(&std::fs::read(dir.join("MANIFEST.json")).expect("manifest")).expect("json");
    let entries = manifest.as_array().expect("a list");
    assert!(entries.len() >= 8, "{} regression inputs", entries.len());
    let mut h = Host::new().expect("host");
    let all = fixtures();
    let probe = all.iter().find(|f| f.file == "primitives.arrow").expect("probe").clone();
    let held = match h.read(&probe.bytes(), &ReadOptions::default()) {
        Ok(Ok(t)) => t,
        other => panic!("probe: {other:?}"),
    };
    for entry in entries {
        let file = entry["file"].as_str().expect("file");
        let bytes = std::fs::read(dir.join(file)).expect("input");
        let e = match h.read(&bytes, &ReadOptions::default()) {
            Err(trap) => panic!("{file} ({}) trapped: {trap:?}", entry["reached"]),
            Ok(Ok(t)) => panic!("{file} read as a table of {:?} rows", h.num_rows(t)),
            Ok(Err(e)) => e,
        };
        // The panics surface as `internal`, naming the panic and where it happened; an input whose
        // cause gets a precise check at its source becomes `malformed-input` instead.
        assert!(matches!(e.code, ErrorCode::Internal | ErrorCode::MalformedInput), "{file}: {e:?}");
        if e.code == ErrorCode::Internal {
            assert!(
                e.message.starts_with("internal error (a bug, please report it): panicked at "),
                "{file}: {}",
                e.message
            );
        }
        // The table read before is intact, on the same instance.
        assert_eq!(h.num_rows(held).expect("the held table after a panic"), probe.num_rows, "after {file}");
        probe_still_works(&mut h, &probe, file);
    }
    h.free(held).expect("free");
}
