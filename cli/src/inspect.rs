//! `inspect`: what a file is (format, codecs, sizes, rows, batches or row groups), its schema
//! with the columns a plugin claims, its metadata and its content fingerprint.

use std::path::PathBuf;

use arrow_rs_wasm_host::{DataFormat, Host, ReadOptions};

use crate::input::read_input;
use crate::output::{format_name, print};
use crate::progress::{Busy, is_long};

// The subcommand's help comes from its variant in `main.rs`.
#[derive(clap::Args)]
pub struct Args {
    /// The file, or - for standard input.
    file: PathBuf,
}

pub fn run(host: &Host, Args { file }: &Args) -> Result<(), String> {
    let bytes = read_input(file)?;
    let busy = Busy::new(is_long(&bytes));
    busy.step("decoding");
    let what = |e: arrow_rs_wasm_host::Error| crate::host::failure(file, &e);
    let t = host.read(&bytes, &ReadOptions::default()).map_err(what)?;
    let format = t.source_format().map_err(what)?;
    let codecs = t.source_compression().map_err(what)?;
    let mut out = String::new();
    out.push_str(&format!("file:        {}\n", file.display()));
    out.push_str(&format!("format:      {}\n", format.map_or("?", format_name)));
    out.push_str(&format!("compression: {}\n", if codecs.is_empty() { "none".to_string() } else { codecs.join(", ") }));
    out.push_str(&format!("size:        {} bytes\n", bytes.len()));
    out.push_str(&format!("rows:        {}\n", t.num_rows().map_err(what)?));
    if format == Some(DataFormat::Parquet) {
        busy.step("reading the footer");
        let meta = host.parquet_metadata(&bytes).map_err(what)?;
        let chunks = || meta.row_groups.iter().flat_map(|rg| rg.columns.iter());
        let compressed: u64 = chunks().map(|c| c.compressed_size).sum();
        let uncompressed: u64 = chunks().map(|c| c.uncompressed_size).sum();
        out.push_str(&format!(
            "row groups:  {} ({} rows)\n",
            meta.row_groups.len(),
            meta.row_groups.iter().map(|rg| rg.num_rows.to_string()).collect::<Vec<_>>().join(", ")
        ));
        out.push_str(&format!("data:        {compressed} bytes compressed, {uncompressed} uncompressed\n"));
        out.push_str(&format!("written by:  {}\n", meta.created_by.as_deref().unwrap_or("?")));
    } else {
        out.push_str(&format!("batches:     {}\n", t.num_batches().map_err(what)?));
    }
    let plugins = host.plugins().map_err(what)?;
    if !plugins.is_empty() {
        let ids: Vec<String> = plugins.iter().map(|p| format!("{} {}", p.id, p.version)).collect();
        out.push_str(&format!("plugins:     {}\n", ids.join(", ")));
    }
    let schema = t.schema().map_err(what)?;
    out.push_str(&format!("columns:     {}\n", schema.columns.len()));
    let width = schema.columns.iter().map(|c| c.name.chars().count()).max().unwrap_or(0);
    for c in &schema.columns {
        let ext = c.extension_name.as_deref().map(|e| format!(" <{e}>")).unwrap_or_default();
        // A claimed column shows the plugin's type name, its storage type and its owner.
        let plugin = c
            .owner_plugin
            .as_deref()
            .map(|p| format!(" (stored as {}, plugin {p})", c.storage_type))
            .unwrap_or_default();
        let null = if c.nullable { "" } else { " not null" };
        out.push_str(&format!("  {:width$}  {}{null}{ext}{plugin}\n", c.name, c.arrow_type));
    }
    busy.step("hashing");
    out.push_str(&format!("fingerprint: {}\n", t.fingerprint().map_err(what)?));
    for kv in schema.metadata.iter().filter(|kv| kv.key != "ARROW:schema") {
        let value: String = kv.value.chars().take(60).collect();
        out.push_str(&format!(
            "metadata:    {} = {value}{}\n",
            kv.key,
            if kv.value.chars().count() > 60 { "…" } else { "" }
        ));
    }
    drop(busy);
    print(&out)
}
