//! The analytics engine natively (arrow-analytics as a Rust library, no component) against DuckDB
//! natively (the venv's Python package), in the same run, on the queries of
//! `js-bindings/bench/analytics.mjs`: both read the same Parquet files into memory first, then
//! each query runs once cold and `RUNS` times warm (median). The answers are checked across the two
//! (row count and per-column sums) before the times are printed. DuckDB runs on one thread (our
//! engine has one) and on every core.
//!
//! `cargo run --release -p bench --bin analytics -- DATA_DIR [TPCH_SF1_DIR] [RUNS]`
//! with `$ARROW_PYTHON` a Python that has `duckdb` (the Makefile exports the venv's).

use std::io::Write;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::Instant;

use arrow_analytics::Session;
use arrow_array::{Array, ArrayRef, Float64Array, RecordBatch, RecordBatchReader};
use arrow_schema::{DataType, SchemaRef};
use parquet::arrow::ProjectionMask;
use parquet::arrow::arrow_reader::ParquetRecordBatchReaderBuilder;

/// The queries: a family, a label, the SQL (the same text in both engines).
const QUERIES: &[(&str, &str, &str)] = &[
    (
        "group-by",
        "group by key (1,000 groups)",
        "SELECT key, count(*) AS n, sum(value) AS s, avg(value) AS a, max(value) AS hi FROM t GROUP BY key",
    ),
    (
        "group-by",
        "group by name (10,000 strings)",
        "SELECT name, count(*) AS n, sum(value) AS s, min(id) AS lo, max(value) AS hi FROM t GROUP BY name",
    ),
    ("filter", "value > 3", "SELECT id, name, value FROM t WHERE value > 3"),
    ("filter", "value > 2 AND key < 100", "SELECT id, key, value FROM t WHERE value > 2 AND key < 100"),
    (
        "join",
        "1M x 10k + group by category",
        "SELECT d.category, count(*) AS n, sum(t.value * d.weight) AS s FROM t JOIN dim d ON t.name = d.name GROUP BY d.category",
    ),
    (
        "window",
        "running sum by key",
        "SELECT count(*) AS n, sum(running) AS s FROM (SELECT sum(value) OVER (PARTITION BY key ORDER BY id) AS running FROM t)",
    ),
    ("top-k", "top 10 by value", "SELECT id, value FROM t ORDER BY value DESC LIMIT 10"),
    ("top-k", "top 1,000 by name, id", "SELECT id, name FROM t ORDER BY name, id LIMIT 1000"),
];

/// The lineitem columns TPC-H Q1 and Q6 read.
const LINEITEM_COLUMNS: &[&str] =
    &["l_quantity", "l_extendedprice", "l_discount", "l_tax", "l_returnflag", "l_linestatus", "l_shipdate"];

/// DuckDB's side: tables read from Parquet into memory, then every query (SQL texts on stdin,
/// separated by a line `;;`) timed on 1 thread and on all; one line per query on stdout:
/// `cold1 median1 coldN medianN rows sum,sum,...`. Answers are fetched as Arrow tables.
const DUCKDB_SCRIPT: &str = r##"
import sys, time, statistics, decimal, duckdb
tables, runs = sys.argv[1], int(sys.argv[2])
con = duckdb.connect()
for spec in tables.split("|"):
    name, path, cols = spec.split("=", 2)
    t0 = time.perf_counter()
    con.execute(f"CREATE TABLE {name} AS SELECT {cols} FROM read_parquet('{path}')")
    print(f"#load {name} {(time.perf_counter() - t0) * 1000:.1f}", flush=True)
def timed(sql):
    t0 = time.perf_counter()
    answer = con.sql(sql).to_arrow_table()
    cold = (time.perf_counter() - t0) * 1000
    samples = []
    for _ in range(runs):
        t0 = time.perf_counter()
        answer = con.sql(sql).to_arrow_table()
        samples.append((time.perf_counter() - t0) * 1000)
    return cold, statistics.median(samples), [list(r.values()) for r in answer.to_pylist()]
def sums(rows):
    out = [0.0] * (len(rows[0]) if rows else 0)
    for r in rows:
        for i, v in enumerate(r):
            if v is None: continue
            out[i] += len(v) if isinstance(v, str) else float(v)
    return out
for sql in sys.stdin.read().split("\n;;\n"):
    if not sql.strip(): continue
    con.execute("SET threads = 1")
    c1, m1, rows = timed(sql)
    con.execute("RESET threads")
    cn, mn, rows = timed(sql)
    print(f"{c1:.3f} {m1:.3f} {cn:.3f} {mn:.3f} {len(rows)} " + ",".join(repr(s) for s in sums(rows)), flush=True)
"##;

fn read_parquet(path: &Path, columns: Option<&[&str]>) -> anyhow::Result<(SchemaRef, Vec<RecordBatch>)> {
    let builder = ParquetRecordBatchReaderBuilder::try_new(std::fs::File::open(path)?)?;
    let builder = match columns {
        Some(cols) => {
            let mask = ProjectionMask::columns(builder.parquet_schema(), cols.iter().copied());
            builder.with_projection(mask)
        }
        None => builder,
    };
    let reader = builder.with_batch_size(65536).build()?;
    let schema = reader.schema();
    Ok((schema, reader.collect::<Result<Vec<_>, _>>()?))
}

/// Row count and one sum per column: numbers as doubles, strings by length.
fn summary(batches: &[RecordBatch]) -> anyhow::Result<(usize, Vec<f64>)> {
    let width = batches.first().map_or(0, RecordBatch::num_columns);
    let mut sums = vec![0.0; width];
    let mut rows = 0;
    for b in batches {
        rows += b.num_rows();
        for (sum, col) in sums.iter_mut().zip(b.columns()) {
            *sum += column_sum(col)?;
        }
    }
    Ok((rows, sums))
}

fn column_sum(col: &ArrayRef) -> anyhow::Result<f64> {
    let as_text = matches!(col.data_type(), DataType::Utf8 | DataType::LargeUtf8 | DataType::Utf8View);
    if as_text {
        let text = arrow_cast::cast(col, &DataType::Utf8)?;
        let text =
            text.as_any().downcast_ref::<arrow_array::StringArray>().ok_or_else(|| anyhow::anyhow!("not utf8"))?;
        return Ok(text.iter().flatten().map(|s| s.len() as f64).sum());
    }
    let numbers = arrow_cast::cast(col, &DataType::Float64)?;
    let numbers = numbers.as_any().downcast_ref::<Float64Array>().ok_or_else(|| anyhow::anyhow!("not f64"))?;
    Ok(numbers.iter().flatten().sum())
}

fn agree(a: &(usize, Vec<f64>), b: &(usize, Vec<f64>), tolerance: f64) -> bool {
    a.0 == b.0
        && a.1.len() == b.1.len()
        && a.1.iter().zip(&b.1).all(|(x, y)| (x - y).abs() <= tolerance * 1f64.max(x.abs()).max(y.abs()))
}

fn median(mut xs: Vec<f64>) -> f64 {
    xs.sort_by(f64::total_cmp);
    xs.get(xs.len() / 2).copied().unwrap_or(f64::NAN)
}

struct Timing {
    family: String,
    label: String,
    ours: (f64, f64),
    duck1: (f64, f64),
    duck_all: (f64, f64),
    rows: usize,
}

fn main() -> anyhow::Result<()> {
    let args: Vec<String> = std::env::args().collect();
    let data =
        PathBuf::from(args.get(1).ok_or_else(|| anyhow::anyhow!("usage: analytics DATA_DIR [TPCH_SF1_DIR] [RUNS]"))?);
    let tpch = args.get(2).map_or_else(
        || PathBuf::from(std::env::var("HOME").unwrap_or_default()).join(".cache/arrow-rs-wasm/tpch/sf1"),
        PathBuf::from,
    );
    let runs: usize = args.get(3).map_or(Ok(5), |r| r.parse())?;
    let python = std::env::var("ARROW_PYTHON").unwrap_or_else(|_| "python3".into());

    let mut queries: Vec<(String, String, String, f64)> =
        QUERIES.iter().map(|(f, l, s)| ((*f).to_string(), (*l).to_string(), (*s).to_string(), 1e-9)).collect();
    let mut tables = vec![
        ("t", data.join("bench_analytics_1m.parquet"), None),
        ("dim", data.join("bench_analytics_dim.parquet"), None),
    ];
    let lineitem = tpch.join("lineitem.parquet");
    if lineitem.exists() {
        tables.push(("lineitem", lineitem, Some(LINEITEM_COLUMNS)));
        let sql_dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("../testdata/sql/tpch");
        for q in ["q1", "q6"] {
            let sql = std::fs::read_to_string(sql_dir.join(format!("{q}.sql")))?;
            queries.push(("TPC-H SF1".into(), q.to_uppercase(), sql, 1e-9));
        }
    } else {
        println!("(no {}: TPC-H Q1 and Q6 skipped)", lineitem.display());
    }

    // DuckDB first, in its own process: its threads then do not share the cores with ours.
    let spec: Vec<String> = tables
        .iter()
        .map(|(name, path, cols)| {
            format!("{name}={}={}", path.display(), cols.map_or("*".to_string(), |c| c.join(", ")))
        })
        .collect();
    let mut child = Command::new(&python)
        .args(["-c", DUCKDB_SCRIPT, &spec.join("|"), &runs.to_string()])
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .spawn()?;
    let texts: Vec<&str> = queries.iter().map(|q| q.2.as_str()).collect();
    child.stdin.take().ok_or_else(|| anyhow::anyhow!("no stdin"))?.write_all(texts.join("\n;;\n").as_bytes())?;
    let out = child.wait_with_output()?;
    anyhow::ensure!(out.status.success(), "{python}: the DuckDB script failed");
    let out = String::from_utf8(out.stdout)?;
    let mut duck_loads = Vec::new();
    let mut duck = Vec::new();
    for line in out.lines() {
        if let Some(load) = line.strip_prefix("#load ") {
            duck_loads.push(load.to_string());
            continue;
        }
        let f: Vec<&str> = line.split(' ').collect();
        let field = |i: usize| f.get(i).copied().unwrap_or("");
        let n = |i: usize| field(i).parse::<f64>().unwrap_or(f64::NAN);
        let sums = if field(5).is_empty() {
            vec![]
        } else {
            field(5).split(',').map(|s| s.parse().unwrap_or(f64::NAN)).collect()
        };
        duck.push(((n(0), n(1)), (n(2), n(3)), (field(4).parse::<usize>()?, sums)));
    }
    anyhow::ensure!(
        duck.len() == queries.len(),
        "the DuckDB script answered {} of {} queries",
        duck.len(),
        queries.len()
    );

    // Ours.
    let mut session = Session::new(8 << 30);
    println!("loading from Parquet into memory (ms): ours read + register; DuckDB CREATE TABLE AS read_parquet");
    for ((name, path, cols), duck_load) in tables.iter().zip(&duck_loads) {
        let t0 = Instant::now();
        let (schema, batches) = read_parquet(path, *cols)?;
        let read = t0.elapsed().as_secs_f64() * 1000.0;
        let t1 = Instant::now();
        session.register(name, schema, batches)?;
        let register = t1.elapsed().as_secs_f64() * 1000.0;
        println!(
            "  {name:<10} ours {:>8.1} (read {read:.1} + register {register:.1})   DuckDB {:>8}",
            read + register,
            duck_load.split(' ').nth(1).unwrap_or("?")
        );
    }
    let mut timings = Vec::new();
    let mut failures = 0;
    for ((family, label, sql, tolerance), (duck1, duck_all, duck_sum)) in queries.iter().zip(duck) {
        let t0 = Instant::now();
        let mut answer = session.query(sql, &[])?;
        let cold = t0.elapsed().as_secs_f64() * 1000.0;
        let mut samples = Vec::new();
        for _ in 0..runs {
            let t = Instant::now();
            answer = session.query(sql, &[])?;
            samples.push(t.elapsed().as_secs_f64() * 1000.0);
        }
        let ours_sum = summary(&answer.batches)?;
        if !agree(&ours_sum, &duck_sum, *tolerance) {
            failures += 1;
            println!("ANSWERS DIFFER on {label}: ours {ours_sum:?}, DuckDB {duck_sum:?}");
        }
        timings.push(Timing {
            family: family.clone(),
            label: label.clone(),
            ours: (cold, median(samples)),
            duck1,
            duck_all,
            rows: ours_sum.0,
        });
    }

    let cores = std::thread::available_parallelism().map_or(1, |n| n.get());
    println!("\nnative, ms: median of {runs} warm runs (cold: the first run); ratios to DuckDB on 1 thread");
    let mut family = String::new();
    for t in &timings {
        if t.family != family {
            family.clone_from(&t.family);
            println!("\n{family}");
            println!(
                "  {:<48}{:>12}{:>14}{:>14}{:>11}",
                "",
                "ours",
                "DuckDB 1 thr",
                format!("DuckDB {cores} thr"),
                "ours/Duck1"
            );
        }
        let label = format!("{} [{} rows]", t.label, t.rows);
        println!(
            "  {:<48}{:>9.1} ms{:>11.1} ms{:>11.1} ms{:>10.2}×",
            format!("{label} median"),
            t.ours.1,
            t.duck1.1,
            t.duck_all.1,
            t.ours.1 / t.duck1.1
        );
        println!(
            "  {:<48}{:>9.1} ms{:>11.1} ms{:>11.1} ms{:>10.2}×",
            format!("{} cold", " ".repeat(label.len())),
            t.ours.0,
            t.duck1.0,
            t.duck_all.0,
            t.ours.0 / t.duck1.0
        );
    }
    anyhow::ensure!(failures == 0, "{failures} queries answered differently: their times are not comparable");
    Ok(())
}
