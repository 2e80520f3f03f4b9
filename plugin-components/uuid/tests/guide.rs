//! The plugin author guide cannot drift from the code: every fenced block of
//! `docs/plugin_author_guide.md` whose info string names a file (```rust path/to/file.rs) must
//! appear in that file verbatim.

// Test code: a failed expectation is meant to panic.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic, clippy::indexing_slicing, missing_docs)]

use std::path::PathBuf;

#[test]
fn every_file_named_block_of_the_guide_is_in_its_file() {
    let root = PathBuf::from(std::env::var_os("CARGO_MANIFEST_DIR").unwrap_or_default()).join("../..");
    let guide = std::fs::read_to_string(root.join("docs/plugin_author_guide.md")).unwrap();
    let mut lines = guide.lines();
    let mut checked = 0;
    while let Some(line) = lines.next() {
        let Some(info) = line.strip_prefix("```") else { continue };
        let Some((_, path)) = info.split_once(' ') else {
            // A block without a file: skip to its end.
            lines.by_ref().take_while(|l| !l.starts_with("```")).for_each(drop);
            continue;
        };
        let block: Vec<&str> = lines.by_ref().take_while(|l| !l.starts_with("```")).collect();
        let source = std::fs::read_to_string(root.join(path)).unwrap_or_else(|e| panic!("{path}: {e}"));
        assert!(
            source.contains(&block.join("\n")),
            "the guide's block from {path} is no longer in it:\n{}",
            block.join("\n")
        );
        checked += 1;
    }
    assert!(checked >= 8, "only {checked} blocks checked");
}
