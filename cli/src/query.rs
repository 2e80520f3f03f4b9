//! `query`: SQL over files, answered inside the analytics plugin. Each `--table NAME=FILE` (or the
//! positional FILE, registered as `t`) is read by the core and registered once in a session; the
//! answer is printed as an aligned table or written to `--output` in the format its extension
//! names. Parameters travel typed (`--param int:5`), never pasted into the SQL text.

use std::path::PathBuf;

use arrow_rs_wasm_host::{Host, IntervalValue, Param, SessionOptions, TimestampValue};

use crate::input::read_table;
use crate::output::{Codec, Target, print, render, target_of, write_atomically, write_whole, writer_format};

// The subcommand's help comes from its variant in `main.rs`.
#[derive(clap::Args)]
pub struct Args {
    /// A file to query as the table `t` (the short form; `--table` names tables).
    file: Option<PathBuf>,
    /// The query (one statement: SELECT, WITH, VALUES, set operations). It may start with a
    /// `--` comment, as query files often do.
    #[arg(long, allow_hyphen_values = true)]
    sql: String,
    /// A table to register, as NAME=FILE (repeatable).
    #[arg(long = "table", value_name = "NAME=FILE")]
    tables: Vec<String>,
    /// A parameter value for $1, $2, ... in order (repeatable): TYPE:VALUE with TYPE one of null,
    /// bool, int, bigint, double, text, decimal, date, timestamp, or a plain value (an integer,
    /// a number, true/false, null, else text).
    #[arg(long = "param", value_name = "VALUE", allow_hyphen_values = true)]
    params: Vec<String>,
    /// Write the answer to this file (format from the extension: arrow, arrows, feather, parquet,
    /// csv, ndjson), whole or not at all; - for standard output.
    #[arg(long, short = 'o')]
    output: Option<PathBuf>,
    /// The output format, when the extension does not say it.
    #[arg(long)]
    to: Option<Target>,
    /// The output compression (see `convert`).
    #[arg(long)]
    compression: Option<Codec>,
    /// Print the plan instead of running the query.
    #[arg(long)]
    explain: bool,
    /// The most rows printed (the answer's size is printed too; --output writes them all).
    #[arg(long, default_value_t = 100)]
    max_rows: u64,
    /// The session's memory budget for tables and running operators, e.g. 512M.
    #[arg(long, value_parser = crate::host::parse_size)]
    session_memory: Option<usize>,
}

pub fn run(host: &Host, args: &Args) -> Result<(), String> {
    let mut tables: Vec<(String, PathBuf)> = Vec::new();
    if let Some(f) = &args.file {
        tables.push(("t".into(), f.clone()));
    }
    for spec in &args.tables {
        let (name, file) = spec.split_once('=').ok_or_else(|| format!("--table {spec:?}: write NAME=FILE"))?;
        if name.trim().is_empty() || file.is_empty() {
            return Err(format!("--table {spec:?}: write NAME=FILE"));
        }
        tables.push((name.trim().to_string(), PathBuf::from(file)));
    }
    if tables.is_empty() && args.sql.to_ascii_lowercase().contains(" from ") {
        eprintln!("arrow-rs-wasm: note: no table given (pass a FILE, registered as t, or --table NAME=FILE)");
    }
    let params = args.params.iter().map(|p| param(p)).collect::<Result<Vec<_>, _>>()?;
    let options = SessionOptions { memory_limit: args.session_memory.map(|n| n as u64) };
    let session = host.session(&options).map_err(|e| e.to_string())?;
    for (name, file) in &tables {
        let (t, busy) = read_table(host, file)?;
        busy.step("registering");
        session.register(name, &t).map_err(|e| crate::host::failure(file, &e))?;
    }
    if args.explain {
        let plan = session.explain(&args.sql, &params).map_err(|e| format!("query: {e}"))?;
        return print(&plan);
    }
    let answer = session.query(&args.sql, &params).map_err(|e| format!("query: {e}"))?;
    match &args.output {
        None => print(&render(&answer, args.max_rows).map_err(|e| e.to_string())?),
        Some(output) => {
            let target = target_of(output, args.to)?;
            let format = writer_format(target, args.compression, true)?;
            let bytes =
                write_whole(&answer, target, format.as_ref()).map_err(|e| format!("{}: {e}", output.display()))?;
            let written = write_atomically(output, |out| {
                out.write_all(&bytes).map_err(|e| format!("{}: {e}", output.display()))
            })?;
            if output.as_os_str() != "-" {
                let rows = answer.num_rows().map_err(|e| e.to_string())?;
                eprintln!("{rows} rows -> {} ({target:?}, {written} bytes)", output.display());
            }
            Ok(())
        }
    }
}

/// A `--param` value: `TYPE:VALUE`, or a plain value whose type is guessed.
fn param(text: &str) -> Result<Param, String> {
    let bad = |what: &str| format!("--param {text:?}: {what}");
    if let Some((kind, value)) = text.split_once(':') {
        let kind = kind.to_ascii_lowercase();
        let parsed = match kind.as_str() {
            "null" => Some(Param::Null),
            "bool" | "boolean" => Some(match value.to_ascii_lowercase().as_str() {
                "true" | "t" | "1" => Param::Boolean(true),
                "false" | "f" | "0" => Param::Boolean(false),
                _ => return Err(bad("not a boolean")),
            }),
            "int" | "integer" => Some(Param::Int32(value.parse().map_err(|_| bad("not a 32-bit integer"))?)),
            "bigint" | "int64" => Some(Param::Int64(value.parse().map_err(|_| bad("not a 64-bit integer"))?)),
            "ubigint" | "uint64" => Some(Param::Uint64(value.parse().map_err(|_| bad("not an unsigned integer"))?)),
            "double" | "float" | "float64" => Some(Param::Float64(value.parse().map_err(|_| bad("not a number"))?)),
            "text" | "varchar" | "string" => Some(Param::Text(value.to_string())),
            "decimal" | "numeric" => Some(Param::Decimal(value.to_string())),
            "date" => Some(Param::Date(days_from_iso(value).ok_or_else(|| bad("not a date (YYYY-MM-DD)"))?)),
            "timestamp" => Some(Param::Timestamp(TimestampValue {
                micros: micros_from_iso(value)
                    .ok_or_else(|| bad("not a timestamp (YYYY-MM-DD[ HH:MM:SS[.ffffff]])"))?,
                zone: None,
            })),
            "timestamptz" => Some(Param::Timestamp(TimestampValue {
                micros: micros_from_iso(value)
                    .ok_or_else(|| bad("not a timestamp (YYYY-MM-DD[ HH:MM:SS[.ffffff]], UTC)"))?,
                zone: Some("UTC".into()),
            })),
            "interval_days" => {
                let days: i32 = value.parse().map_err(|_| bad("not a number of days"))?;
                Some(Param::Interval(IntervalValue { months: 0, days, nanoseconds: 0 }))
            }
            // Not a type prefix: a plain value that happens to hold a colon (a time, a URL).
            _ => None,
        };
        if let Some(p) = parsed {
            return Ok(p);
        }
    }
    Ok(if text.eq_ignore_ascii_case("null") {
        Param::Null
    } else if text.eq_ignore_ascii_case("true") || text.eq_ignore_ascii_case("false") {
        Param::Boolean(text.eq_ignore_ascii_case("true"))
    } else if let Ok(v) = text.parse::<i64>() {
        Param::Int64(v)
    } else if let Ok(v) = text.parse::<f64>()
        && text.chars().any(|c| c.is_ascii_digit())
    {
        Param::Float64(v)
    } else {
        Param::Text(text.to_string())
    })
}

/// Days since 1970-01-01 of a proleptic Gregorian `YYYY-MM-DD` (Howard Hinnant's algorithm).
fn days_from_iso(s: &str) -> Option<i32> {
    let mut parts = s.trim().splitn(3, '-');
    let y: i64 = parts.next()?.parse().ok()?;
    let m: i64 = parts.next()?.parse().ok()?;
    let d: i64 = parts.next()?.parse().ok()?;
    if !(1..=12).contains(&m) || !(1..=31).contains(&d) {
        return None;
    }
    let y = if m <= 2 { y - 1 } else { y };
    let era = y.div_euclid(400);
    let yoe = y - era * 400;
    let mp = (m + 9) % 12;
    let doy = (153 * mp + 2) / 5 + d - 1;
    let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    i32::try_from(era * 146_097 + doe - 719_468).ok()
}

/// Microseconds since the epoch of `YYYY-MM-DD[ T]HH:MM:SS[.ffffff]` (UTC).
fn micros_from_iso(s: &str) -> Option<i64> {
    let s = s.trim();
    let (date, time) = match s.split_once([' ', 'T']) {
        Some((d, t)) => (d, t),
        None => (s, "00:00:00"),
    };
    let days = i64::from(days_from_iso(date)?);
    let (hms, frac) = time.split_once('.').unwrap_or((time, ""));
    let mut hms = hms.split(':');
    let h: i64 = hms.next()?.parse().ok()?;
    let m: i64 = hms.next().unwrap_or("0").parse().ok()?;
    let sec: i64 = hms.next().unwrap_or("0").parse().ok()?;
    if h > 23 || m > 59 || sec > 60 || frac.len() > 6 || !frac.chars().all(|c| c.is_ascii_digit()) {
        return None;
    }
    let micros: i64 = if frac.is_empty() { 0 } else { format!("{frac:0<6}").parse().ok()? };
    Some(((days * 24 + h) * 60 + m) * 60_000_000 + sec * 1_000_000 + micros)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn dates_and_timestamps_count_from_the_epoch() {
        assert_eq!(days_from_iso("1970-01-01"), Some(0));
        assert_eq!(days_from_iso("2000-03-01"), Some(11_017));
        assert_eq!(days_from_iso("1969-12-31"), Some(-1));
        assert_eq!(days_from_iso("2024-13-01"), None);
        assert_eq!(micros_from_iso("1970-01-02 00:00:01.5"), Some(86_401_500_000));
    }

    #[test]
    fn params_take_their_type_from_a_prefix_or_their_text() {
        assert!(matches!(param("int:5"), Ok(Param::Int32(5))));
        assert!(matches!(param("42"), Ok(Param::Int64(42))));
        assert!(matches!(param("2.5"), Ok(Param::Float64(v)) if v == 2.5));
        assert!(matches!(param("text:42"), Ok(Param::Text(t)) if t == "42"));
        assert!(matches!(param("12:30"), Ok(Param::Text(t)) if t == "12:30"));
        assert!(matches!(param("date:2024-02-29"), Ok(Param::Date(19_782))));
        assert!(param("int:x").is_err());
    }
}
