//! The user manual's command-line examples, run: every `console` block of `docs/user_manual.md`
//! is a session of `$ arrow-rs-wasm ...` commands, each followed by the output it must print
//! (standard output, then standard error). A `...` line matches any number of lines; a final
//! `[exit status N]` line expects that status instead of success. The blocks run in order, as one
//! session, in a scratch directory where `testdata` and `build` are the repository's.

// Test code: a failed expectation is meant to panic.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic, clippy::indexing_slicing, missing_docs)]

use std::path::{Path, PathBuf};

use assert_cmd::Command;

fn workspace() -> PathBuf {
    PathBuf::from(std::env::var_os("CARGO_MANIFEST_DIR").unwrap_or_default()).join("..")
}

/// One `$` command and what it must print.
struct Step {
    args: Vec<String>,
    expected: Vec<String>,
    status: i32,
}

fn console_blocks(markdown: &str) -> Vec<Vec<Step>> {
    let mut blocks = Vec::new();
    let mut lines = markdown.lines();
    while let Some(line) = lines.next() {
        if line.trim() != "```console" {
            continue;
        }
        let mut steps: Vec<Step> = Vec::new();
        for line in lines.by_ref() {
            if line.trim() == "```" {
                break;
            }
            if let Some(command) = line.strip_prefix("$ ") {
                let mut words = shell_words(command).into_iter();
                assert_eq!(words.next().as_deref(), Some("arrow-rs-wasm"), "only the CLI runs: {command}");
                steps.push(Step { args: words.collect(), expected: Vec::new(), status: 0 });
            } else if let Some(status) = line.strip_prefix("[exit status ").and_then(|s| s.strip_suffix(']')) {
                steps.last_mut().expect("a command before its status").status = status.parse().unwrap();
            } else {
                steps.last_mut().expect("a command before its output").expected.push(line.to_string());
            }
        }
        blocks.push(steps);
    }
    blocks
}

/// A command line split as a shell splits it: on spaces, except inside single or double quotes
/// (which are removed).
fn shell_words(line: &str) -> Vec<String> {
    let mut words = Vec::new();
    let mut word = String::new();
    let mut in_word = false;
    let mut quote: Option<char> = None;
    for c in line.chars() {
        match (quote, c) {
            (Some(q), c) if c == q => quote = None,
            (Some(_), c) => word.push(c),
            (None, '\'' | '"') => {
                quote = Some(c);
                in_word = true;
            }
            (None, c) if c.is_whitespace() => {
                if in_word {
                    words.push(std::mem::take(&mut word));
                    in_word = false;
                }
            }
            (None, c) => {
                word.push(c);
                in_word = true;
            }
        }
    }
    if in_word {
        words.push(word);
    }
    words
}

/// Whether `actual` matches `expected`, where a `...` line stands for any run of lines.
fn matches(expected: &[String], actual: &[&str]) -> bool {
    match expected.split_first() {
        None => actual.is_empty(),
        Some((first, rest)) if first == "..." => (0..=actual.len()).any(|skip| matches(rest, &actual[skip..])),
        Some((first, rest)) => actual.first().is_some_and(|a| a == first) && matches(rest, &actual[1..]),
    }
}

fn scratch() -> PathBuf {
    let dir = std::env::temp_dir().join(format!("arrow-rs-wasm-docs-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).unwrap();
    for name in ["testdata", "build"] {
        std::os::unix::fs::symlink(workspace().join(name).canonicalize().unwrap(), dir.join(name)).unwrap();
    }
    dir
}

fn run(dir: &Path, step: &Step) -> (i32, Vec<String>) {
    let mut c = Command::cargo_bin("arrow-rs-wasm").unwrap();
    if let Some(component) = std::env::var_os("ARROW_CORE_COMPONENT") {
        c.env("ARROW_CORE_COMPONENT", component);
    }
    c.current_dir(dir).arg("--cache-dir").arg(std::env::temp_dir().join("arrow-rs-wasm-cli-test-cache"));
    let out = c.args(&step.args).output().unwrap();
    let text = String::from_utf8(out.stdout).unwrap() + &String::from_utf8(out.stderr).unwrap();
    (out.status.code().unwrap_or(-1), text.lines().map(str::to_string).collect())
}

#[test]
fn the_manuals_command_line_examples_print_what_they_show() {
    let manual = std::fs::read_to_string(workspace().join("docs/user_manual.md")).unwrap();
    let blocks = console_blocks(&manual);
    assert!(blocks.len() >= 3, "the manual's CLI chapter has its examples");
    let every: std::collections::BTreeSet<String> =
        ["convert", "head", "inspect", "query", "validate"].into_iter().map(String::from).collect();
    let mut commands = std::collections::BTreeSet::new();
    let dir = scratch();
    for block in &blocks {
        for step in block {
            // The subcommand, after any global options.
            commands.extend(step.args.iter().find(|a| every.contains(*a)).cloned());
            let (status, actual) = run(&dir, step);
            let shown: Vec<&str> = actual.iter().map(String::as_str).collect();
            assert!(
                status == step.status && matches(&step.expected, &shown),
                "$ arrow-rs-wasm {}\nexpected (status {}):\n{}\nactual (status {status}):\n{}",
                step.args.join(" "),
                step.status,
                step.expected.join("\n"),
                actual.join("\n")
            );
        }
    }
    assert_eq!(commands, every, "every subcommand has a run example");
}

#[test]
fn command_lines_split_as_a_shell_splits_them() {
    assert_eq!(
        shell_words(r#"query t.csv --sql "SELECT a, 'b c' FROM t""#),
        ["query", "t.csv", "--sql", "SELECT a, 'b c' FROM t"]
    );
    assert_eq!(shell_words("a  'b c'd \"\""), ["a", "b cd", ""]);
}

#[test]
fn the_wildcard_matches_runs_of_lines_and_nothing_else() {
    let e = |v: &[&str]| v.iter().map(|s| s.to_string()).collect::<Vec<_>>();
    assert!(matches(&e(&["a", "...", "d"]), &["a", "b", "c", "d"]));
    assert!(matches(&e(&["a", "...", "d"]), &["a", "d"]));
    assert!(!matches(&e(&["a", "...", "d"]), &["a", "b", "c"]));
    assert!(!matches(&e(&["a", "b"]), &["a", "b", "c"]));
}
