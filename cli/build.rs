//! Copies the built components into `OUT_DIR`, where `src/host.rs` embeds them, so the binary
//! needs no file beside it: it runs from any directory and once installed.
//!
//! The core comes from `$ARROW_CORE_COMPONENT` (the Makefile exports it), else
//! `build/arrow_core.wasm`; without it the build fails, saying to run `make build`. The core
//! composed with the geometry plugin (`$ARROW_CORE_WITH_GEO_COMPONENT`, else
//! `build/core_with_geo.wasm`) and with the analytics plugin (`$ARROW_CORE_WITH_ANALYTICS_COMPONENT`,
//! else `build/core_with_analytics.wasm`) are optional: `make compose` makes them after
//! `make build`, and the workspace is compiled (e.g. by `make lint`) in between. Without one an
//! empty file stands in and the commands that need it (`--plugins geo`, `query`) answer an error. Relative paths are from the workspace root.

use std::path::{Path, PathBuf};

/// What a component (not a core module) starts with: the magic and the component layer's
/// version, so a core module given by mistake fails here, not at the first run.
const COMPONENT_HEADER: &[u8] = b"\0asm\x0d\x00\x01\x00";

fn main() {
    if let Err(message) = embed() {
        println!("cargo::error={message}");
    }
}

fn embed() -> Result<(), String> {
    let out = PathBuf::from(std::env::var_os("OUT_DIR").ok_or("OUT_DIR is not set")?);
    let manifest = PathBuf::from(std::env::var_os("CARGO_MANIFEST_DIR").ok_or("CARGO_MANIFEST_DIR is not set")?);
    let root = manifest.parent().ok_or("the CLI's crate has no parent directory")?;

    let core = source(root, "ARROW_CORE_COMPONENT", "build/arrow_core.wasm");
    if !core.is_file() {
        return Err(format!(
            "the core component {} is missing: run `make build` first (or set ARROW_CORE_COMPONENT to a built \
             arrow_core.wasm)",
            core.display()
        ));
    }
    copy_component(&core, &out.join("arrow_core.wasm"))?;

    optional(root, &out, "ARROW_CORE_WITH_GEO_COMPONENT", "core_with_geo.wasm", "`--plugins geo`")?;
    optional(root, &out, "ARROW_CORE_WITH_ANALYTICS_COMPONENT", "core_with_analytics.wasm", "`query`")?;
    Ok(())
}

/// A composition that may be missing (`make compose` makes it after `make build`): copied in when
/// present, an empty file in its place otherwise, its source path given to the code for errors.
fn optional(root: &Path, out: &Path, var: &str, name: &str, needed_by: &str) -> Result<(), String> {
    let path = source(root, var, &format!("build/{name}"));
    let to = out.join(name);
    if path.is_file() {
        copy_component(&path, &to)?;
    } else {
        println!(
            "cargo::warning={} is missing: {needed_by} will answer an error; run `make compose` to build it in",
            path.display()
        );
        std::fs::write(&to, []).map_err(|e| format!("{}: {e}", to.display()))?;
    }
    let source_var = var.replace("_COMPONENT", "_SOURCE");
    println!("cargo::rustc-env={source_var}={}", path.display());
    Ok(())
}

/// The component's path from `var`, else `default`, relative ones from the workspace root; cargo
/// is told to run this again when either changes (a missing file counts as changed, so a
/// component built later is picked up by the next build).
fn source(root: &Path, var: &str, default: &str) -> PathBuf {
    println!("cargo::rerun-if-env-changed={var}");
    let path = std::env::var_os(var).filter(|v| !v.is_empty()).map_or_else(|| PathBuf::from(default), PathBuf::from);
    let path = root.join(path);
    println!("cargo::rerun-if-changed={}", path.display());
    path
}

fn copy_component(from: &Path, to: &Path) -> Result<(), String> {
    let bytes = std::fs::read(from).map_err(|e| format!("{}: {e}", from.display()))?;
    if !bytes.starts_with(COMPONENT_HEADER) {
        return Err(format!("{} is not a WebAssembly component (a core module?)", from.display()));
    }
    std::fs::write(to, &bytes).map_err(|e| format!("{}: {e}", to.display()))
}
