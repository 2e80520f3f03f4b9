//! Model-based property test: random schemas and data, written natively, go into the component;
//! a random sequence of slice / select / concat runs both on the component's table handles and
//! on a native model (plain arrow-rs batches); then the component writes with random IPC options
//! (every compression, both framings) and what arrow-rs reads back must equal the model.

// Test code: a failed expectation is meant to panic.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic, clippy::indexing_slicing)]

use std::io::Cursor;
use std::sync::Arc;

use arrow_array::types::Int32Type;
use arrow_array::{
    ArrayRef, BinaryArray, BooleanArray, Date32Array, Decimal128Array, DictionaryArray, Float32Array, Float64Array,
    Int8Array, Int16Array, Int32Array, Int64Array, LargeStringArray, ListArray, RecordBatch, StringArray, StructArray,
    TimestampMillisecondArray, UInt8Array, UInt16Array, UInt32Array, UInt64Array,
};
use arrow_buffer::NullBuffer;
use arrow_schema::{DataType, Field, Fields, Schema, SchemaRef};
use host_tests::{
    DictionaryHandling, ErrorCode, Host, IpcCompression, IpcFraming, IpcWriteOptions, Table, write_options,
};
use proptest::prelude::*;

/// A seeded source of values, so each generated case is reproducible from its seed.
struct Gen(u64);

impl Gen {
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 << 13;
        self.0 ^= self.0 >> 7;
        self.0 ^= self.0 << 17;
        self.0
    }
    fn below(&mut self, n: u64) -> u64 {
        self.next() % n.max(1)
    }
    /// About one value in five is null when the column is nullable.
    fn opt<T>(&mut self, nullable: bool, v: impl FnOnce(&mut Self) -> T) -> Option<T> {
        if nullable && self.below(5) == 0 { None } else { Some(v(self)) }
    }
    fn text(&mut self) -> String {
        let words = ["", "a", "arrow", "données", "日本", "wasm", "🦀", "longer text value"];
        (0..self.below(3)).map(|_| words[self.below(words.len() as u64) as usize]).collect::<Vec<_>>().join(" ")
    }
}

const KINDS: usize = 20;

/// Column `kind` of `rows` rows: its field and array.
fn column(kind: usize, name: String, nullable: bool, rows: usize, g: &mut Gen) -> (Field, ArrayRef) {
    macro_rules! prim {
        ($arr:ty, $f:expr) => {{
            let v: Vec<_> = (0..rows).map(|_| g.opt(nullable, $f)).collect();
            Arc::new(<$arr>::from(v)) as ArrayRef
        }};
    }
    let array: ArrayRef = match kind {
        0 => prim!(Int8Array, |g: &mut Gen| g.next() as i8),
        1 => prim!(Int16Array, |g: &mut Gen| g.next() as i16),
        2 => prim!(Int32Array, |g: &mut Gen| g.next() as i32),
        3 => prim!(Int64Array, |g: &mut Gen| g.next() as i64),
        4 => prim!(UInt8Array, |g: &mut Gen| g.next() as u8),
        5 => prim!(UInt16Array, |g: &mut Gen| g.next() as u16),
        6 => prim!(UInt32Array, |g: &mut Gen| g.next() as u32),
        7 => prim!(UInt64Array, |g: &mut Gen| g.next()),
        8 => prim!(Float32Array, |g: &mut Gen| (g.next() % 100_000) as f32 / 7.0 - 5000.0),
        9 => prim!(Float64Array, |g: &mut Gen| (g.next() as i64) as f64 / 3.0),
        10 => prim!(BooleanArray, |g: &mut Gen| g.below(2) == 1),
        11 => Arc::new(StringArray::from((0..rows).map(|_| g.opt(nullable, Gen::text)).collect::<Vec<_>>())),
        12 => Arc::new(LargeStringArray::from((0..rows).map(|_| g.opt(nullable, Gen::text)).collect::<Vec<_>>())),
        13 => {
            let v: Vec<Option<Vec<u8>>> =
                (0..rows).map(|_| g.opt(nullable, |g| (0..g.below(6)).map(|_| g.next() as u8).collect())).collect();
            Arc::new(BinaryArray::from_iter(v))
        }
        14 => prim!(Date32Array, |g: &mut Gen| (g.next() % 40_000) as i32),
        15 => {
            let v: Vec<_> = (0..rows).map(|_| g.opt(nullable, |g| (g.next() % (1 << 42)) as i64)).collect();
            Arc::new(TimestampMillisecondArray::from(v).with_timezone("Europe/Paris"))
        }
        16 => {
            let v: Vec<_> = (0..rows).map(|_| g.opt(nullable, |g| (g.next() as i64) as i128 * 1000)).collect();
            Arc::new(Decimal128Array::from(v).with_precision_and_scale(38, 4).expect("decimal"))
        }
        17 => {
            let v: Vec<Option<Vec<Option<i32>>>> = (0..rows)
                .map(|_| g.opt(nullable, |g| (0..g.below(4)).map(|_| g.opt(true, |g| g.next() as i32)).collect()))
                .collect();
            Arc::new(ListArray::from_iter_primitive::<Int32Type, _, _>(v))
        }
        18 => {
            // Each batch builds its own dictionary: written as a file, they must be unified.
            let words = ["red", "green", "blue", "cyan"];
            let v: Vec<Option<&str>> = (0..rows).map(|_| g.opt(nullable, |g| words[g.below(4) as usize])).collect();
            Arc::new(v.into_iter().collect::<DictionaryArray<Int32Type>>())
        }
        _ => {
            let a: ArrayRef =
                Arc::new(Int64Array::from((0..rows).map(|_| g.opt(true, |g| g.next() as i64)).collect::<Vec<_>>()));
            let b: ArrayRef =
                Arc::new(StringArray::from((0..rows).map(|_| g.opt(true, Gen::text)).collect::<Vec<_>>()));
            let fields =
                Fields::from(vec![Field::new("a", DataType::Int64, true), Field::new("b", DataType::Utf8, true)]);
            let nulls = nullable.then(|| NullBuffer::from((0..rows).map(|_| g.below(6) != 0).collect::<Vec<_>>()));
            Arc::new(StructArray::try_new(fields, vec![a, b], nulls).expect("struct"))
        }
    };
    (Field::new(name, array.data_type().clone(), nullable), array)
}

/// A random table: columns of random kinds, split into 1–3 batches.
fn random_table(kinds: &[(usize, bool)], batch_rows: &[usize], seed: u64) -> (SchemaRef, Vec<RecordBatch>) {
    let mut g = Gen(seed | 1);
    let mut schema: Option<SchemaRef> = None;
    let mut batches = Vec::new();
    for &rows in batch_rows {
        let (fields, arrays): (Vec<Field>, Vec<ArrayRef>) = kinds
            .iter()
            .enumerate()
            .map(|(i, &(kind, nullable))| column(kind, format!("c{i}"), nullable, rows, &mut g))
            .unzip();
        // The first batch's fields are the schema (dictionary and list child types never vary).
        let s = schema.get_or_insert_with(|| Arc::new(Schema::new(fields))).clone();
        batches.push(RecordBatch::try_new(s, arrays).expect("batch"));
    }
    (schema.expect("at least one batch"), batches)
}

#[derive(Debug, Clone)]
enum Op {
    Slice(u64, u64),
    Select(Vec<usize>),
    ConcatWithSelf,
}

fn op() -> impl Strategy<Value = Op> {
    prop_oneof![
        (0u64..80, 0u64..80).prop_map(|(o, l)| Op::Slice(o, l)),
        proptest::collection::vec(0usize..8, 1..4).prop_map(Op::Select),
        Just(Op::ConcatWithSelf),
    ]
}

fn options() -> impl Strategy<Value = IpcWriteOptions> {
    (0usize..3, any::<bool>(), prop_oneof![Just(8u8), Just(64u8)], any::<bool>()).prop_map(
        |(c, file, alignment, delta)| {
            let compression = [IpcCompression::None, IpcCompression::Lz4Frame, IpcCompression::Zstd][c];
            let framing = if file { IpcFraming::File } else { IpcFraming::Stream };
            let dictionary_handling =
                if delta && !file { DictionaryHandling::Delta } else { DictionaryHandling::Resend };
            IpcWriteOptions { alignment, dictionary_handling, ..write_options(framing, compression) }
        },
    )
}

fn flatten(schema: &SchemaRef, batches: &[RecordBatch]) -> RecordBatch {
    arrow_select::concat::concat_batches(schema, batches).expect("concat")
}

fn read_native(bytes: &[u8], file: bool) -> (SchemaRef, Vec<RecordBatch>) {
    if file {
        let r = arrow_ipc::reader::FileReader::try_new(Cursor::new(bytes), None).expect("native file reader");
        let s = r.schema();
        (s, r.collect::<Result<_, _>>().expect("batches"))
    } else {
        let r = arrow_ipc::reader::StreamReader::try_new(Cursor::new(bytes), None).expect("native stream reader");
        let s = r.schema();
        (s, r.collect::<Result<_, _>>().expect("batches"))
    }
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 256, failure_persistence: None, ..ProptestConfig::default() })]

    #[test]
    fn the_component_agrees_with_the_model(
        kinds in proptest::collection::vec((0..KINDS, any::<bool>()), 1..6),
        batch_rows in proptest::collection::vec(0usize..40, 1..4),
        seed in any::<u64>(),
        ops in proptest::collection::vec(op(), 0..4),
        out in options(),
    ) {
        let (schema, batches) = random_table(&kinds, &batch_rows, seed);
        let mut input = Vec::new();
        {
            let mut w = arrow_ipc::writer::StreamWriter::try_new(&mut input, &schema).expect("writer");
            for b in &batches { w.write(b).expect("write"); }
            w.finish().expect("finish");
        }
        let mut h = Host::new().expect("host");
        let mut handle: Table = h.read_ok(&input);
        let mut model = (schema.clone(), batches.clone());
        for op in &ops {
            let (next, next_model) = match op {
                Op::Slice(o, l) => {
                    let rows = model.1.iter().map(|b| b.num_rows() as u64).sum::<u64>();
                    let r = h.slice(handle, *o, *l).expect("no trap");
                    if *o > rows {
                        prop_assert!(r.is_err());
                        continue;
                    }
                    let whole = flatten(&model.0, &model.1);
                    let n = (*l).min(rows - o) as usize;
                    (r.expect("slice"), (model.0.clone(), vec![whole.slice(*o as usize, n)]))
                }
                Op::Select(idx) => {
                    let idx: Vec<usize> = idx.iter().map(|i| i % model.0.fields().len()).collect();
                    let names: Vec<String> = idx.iter().map(|&i| model.0.field(i).name().clone()).collect();
                    // Selecting a column twice would give a table with two columns of one name,
                    // which every later lookup by name would find ambiguous: refused.
                    let twice = names.iter().enumerate().any(|(i, n)| names[..i].contains(n));
                    if twice {
                        let e = h.select(handle, &names).expect("no trap").expect_err("selected twice");
                        prop_assert_eq!(e.code, ErrorCode::InvalidArgument);
                        continue;
                    }
                    let s = Arc::new(model.0.project(&idx).expect("project"));
                    let b = model.1.iter().map(|b| b.project(&idx).expect("project")).collect();
                    (h.select(handle, &names).expect("no trap").expect("select"), (s, b))
                }
                Op::ConcatWithSelf => {
                    let mut b = model.1.clone();
                    b.extend(model.1.iter().cloned());
                    (h.concat(&[handle, handle]).expect("no trap").expect("concat"), (model.0.clone(), b))
                }
            };
            h.free(handle).expect("free");
            handle = next;
            model = next_model;
            let rows = model.1.iter().map(|b| b.num_rows() as u64).sum::<u64>();
            prop_assert_eq!(h.num_rows(handle).expect("call"), rows);
        }
        let bytes = h.write_ipc(handle, &out).expect("no trap").expect("write");
        let (back_schema, back) = read_native(&bytes, out.framing == IpcFraming::File);
        prop_assert_eq!(back_schema.fields(), model.0.fields());
        prop_assert_eq!(flatten(&back_schema, &back), flatten(&model.0, &model.1));
    }
}
