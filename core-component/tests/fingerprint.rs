//! Property tests of `arrow_core::fingerprint` on random tables: the fingerprint is the same
//! under re-batching, slicing, concatenation, garbage under nulls, dictionary re-encoding, a
//! string family change and an LZ4-compressed IPC round trip; it changes with a value, a null,
//! a name or a type.

// Test code: a failed expectation is meant to panic.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic, clippy::indexing_slicing)]

use std::io::Cursor;
use std::sync::Arc;

use arrow_array::types::{ArrowDictionaryKeyType, Int8Type, Int16Type, Int32Type, UInt8Type, UInt64Type};
use arrow_array::{
    Array, ArrayRef, BinaryArray, BooleanArray, Date32Array, Decimal128Array, DictionaryArray, FixedSizeBinaryArray,
    Float32Array, Float64Array, Int8Array, Int16Array, Int32Array, Int64Array, LargeStringArray, ListArray,
    PrimitiveArray, RecordBatch, StringArray, StringViewArray, StructArray, TimestampMillisecondArray, UInt16Array,
};
use arrow_buffer::{ArrowNativeType, Buffer, NullBuffer, OffsetBuffer, ScalarBuffer};
use arrow_core::fingerprint::fingerprint;
use arrow_core::ipc::write::{Compression, Framing, WriteOptions};
use arrow_core::{ReadOptions, Table};
use arrow_ipc::CompressionType;
use arrow_ipc::reader::StreamReader;
use arrow_ipc::writer::{IpcWriteOptions, StreamWriter};
use arrow_schema::{DataType, Field, Fields, Schema};
use proptest::prelude::*;

/// The column kinds random tables are made of; each derives its values from an `i64` cell in
/// `-50..50`, injectively enough that `v -> v + 1` always changes the value.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Kind {
    Int8,
    Int32,
    Int64,
    UInt16,
    Float64,
    Boolean,
    Utf8,
    LargeUtf8,
    Binary,
    Date32,
    TimestampUtc,
    Decimal,
    List,
    Struct,
    Dict,
    FixedBinary,
}

const KINDS: [Kind; 16] = [
    Kind::Int8,
    Kind::Int32,
    Kind::Int64,
    Kind::UInt16,
    Kind::Float64,
    Kind::Boolean,
    Kind::Utf8,
    Kind::LargeUtf8,
    Kind::Binary,
    Kind::Date32,
    Kind::TimestampUtc,
    Kind::Decimal,
    Kind::List,
    Kind::Struct,
    Kind::Dict,
    Kind::FixedBinary,
];

#[derive(Debug, Clone)]
struct Spec {
    kinds: Vec<Kind>,
    cells: Vec<Vec<Option<i64>>>,
}

impl Spec {
    fn rows(&self) -> usize {
        self.cells.first().map_or(0, Vec::len)
    }
}

fn spec(max_rows: usize) -> impl Strategy<Value = Spec> {
    (prop::collection::vec(prop::sample::select(KINDS.to_vec()), 1..5), 0..=max_rows).prop_flat_map(|(kinds, rows)| {
        let n = kinds.len();
        let cell = prop::option::weighted(0.8, -50_i64..50);
        prop::collection::vec(prop::collection::vec(cell, rows), n)
            .prop_map(move |cells| Spec { kinds: kinds.clone(), cells })
    })
}

fn text(v: i64) -> String {
    format!("s{v}")
}

fn list_items(v: i64) -> Vec<Option<i32>> {
    (0..v.rem_euclid(4)).map(|j| if (v + j) % 5 == 0 { None } else { Some((v * 10 + j) as i32) }).collect()
}

fn nulls_of(cells: &[Option<i64>]) -> Option<NullBuffer> {
    Some(NullBuffer::from(cells.iter().map(Option::is_some).collect::<Vec<_>>()))
}

/// A primitive column whose null slots hold `garbage`.
fn prim<T: arrow_array::ArrowPrimitiveType>(
    cells: &[Option<i64>],
    garbage: i64,
    f: impl Fn(i64) -> T::Native,
) -> PrimitiveArray<T> {
    let values: Vec<T::Native> = cells.iter().map(|c| f(c.unwrap_or(garbage))).collect();
    PrimitiveArray::<T>::new(ScalarBuffer::from(values), nulls_of(cells))
}

/// Strings whose null slots hold `g{garbage}`.
fn strings(cells: &[Option<i64>], garbage: i64) -> StringArray {
    let texts: Vec<String> = cells.iter().map(|c| c.map_or_else(|| format!("g{garbage}"), text)).collect();
    let offsets = OffsetBuffer::from_lengths(texts.iter().map(String::len));
    StringArray::new(offsets, Buffer::from(texts.concat().into_bytes()), nulls_of(cells))
}

fn build(kind: Kind, cells: &[Option<i64>], garbage: i64) -> ArrayRef {
    match kind {
        Kind::Int8 => Arc::new(prim::<Int8Type>(cells, garbage, |v| v as i8)),
        Kind::Int32 => Arc::new(prim::<Int32Type>(cells, garbage, |v| v as i32)),
        Kind::Int64 => Arc::new(prim::<arrow_array::types::Int64Type>(cells, garbage, |v| v)),
        Kind::UInt16 => {
            Arc::new(UInt16Array::from(cells.iter().map(|c| c.map(|v| (v + 50) as u16)).collect::<Vec<_>>()))
        }
        Kind::Float64 => Arc::new(Float64Array::from(
            cells.iter().map(|c| c.map(|v| if v == -50 { f64::NAN } else { v as f64 / 4.0 })).collect::<Vec<_>>(),
        )),
        Kind::Boolean => Arc::new(BooleanArray::from(cells.iter().map(|c| c.map(|v| v % 2 != 0)).collect::<Vec<_>>())),
        Kind::Utf8 => Arc::new(strings(cells, garbage)),
        Kind::LargeUtf8 => {
            Arc::new(LargeStringArray::from(cells.iter().map(|c| c.map(text)).collect::<Vec<Option<String>>>()))
        }
        Kind::Binary => Arc::new(BinaryArray::from(
            cells
                .iter()
                .map(|c| c.map(|v| text(v).into_bytes()))
                .collect::<Vec<_>>()
                .iter()
                .map(|o| o.as_deref())
                .collect::<Vec<_>>(),
        )),
        Kind::Date32 => Arc::new(Date32Array::from(cells.iter().map(|c| c.map(|v| v as i32)).collect::<Vec<_>>())),
        Kind::TimestampUtc => Arc::new(
            TimestampMillisecondArray::from(cells.iter().map(|c| c.map(|v| v * 1000)).collect::<Vec<_>>())
                .with_timezone("UTC"),
        ),
        Kind::Decimal => Arc::new(
            Decimal128Array::from(cells.iter().map(|c| c.map(i128::from)).collect::<Vec<_>>())
                .with_precision_and_scale(10, 2)
                .unwrap(),
        ),
        Kind::List => {
            // Null slots hold the items of `garbage`.
            let lists: Vec<Vec<Option<i32>>> = cells.iter().map(|c| list_items(c.unwrap_or(garbage))).collect();
            let offsets = OffsetBuffer::from_lengths(lists.iter().map(Vec::len));
            let items = Int32Array::from(lists.concat());
            Arc::new(ListArray::new(
                Arc::new(Field::new_list_field(DataType::Int32, true)),
                offsets,
                Arc::new(items),
                nulls_of(cells),
            ))
        }
        Kind::Struct => {
            // Children hold `garbage` under null struct slots.
            let inner: Vec<Option<i64>> = cells.iter().map(|c| Some(c.unwrap_or(garbage))).collect();
            let a = Int32Array::from(inner.iter().map(|c| c.map(|v| v as i32)).collect::<Vec<_>>());
            let b = strings(&inner, garbage);
            let fields =
                Fields::from(vec![Field::new("a", DataType::Int32, true), Field::new("b", DataType::Utf8, true)]);
            Arc::new(StructArray::new(fields, vec![Arc::new(a), Arc::new(b)], nulls_of(cells)))
        }
        Kind::Dict => dictionary(cells, 3, 0),
        Kind::FixedBinary => Arc::new(
            FixedSizeBinaryArray::try_from_sparse_iter_with_size(
                cells.iter().map(|c| c.map(|v| format!("{:03}", v + 50).into_bytes())),
                3,
            )
            .unwrap(),
        ),
    }
}

fn dict_with<K: ArrowDictionaryKeyType>(keys: Vec<usize>, nulls: Option<NullBuffer>, values: ArrayRef) -> ArrayRef {
    let keys: Vec<K::Native> = keys.into_iter().map(|k| K::Native::from_usize(k).unwrap()).collect();
    let keys = PrimitiveArray::<K>::new(ScalarBuffer::from(keys), nulls);
    Arc::new(DictionaryArray::<K>::try_new(keys, values).unwrap())
}

/// The strings of `cells` dictionary-encoded with one of several key types, the dictionary
/// in an order chosen by `seed`, with unused entries, and a garbage key under each null.
fn dictionary(cells: &[Option<i64>], key: u8, seed: u64) -> ArrayRef {
    let mut dict: Vec<String> = cells.iter().flatten().map(|&v| text(v)).collect();
    dict.push(format!("unused{seed}"));
    dict.sort();
    dict.dedup();
    let rot = (seed as usize) % dict.len();
    dict.rotate_left(rot);
    if seed % 2 == 1 {
        dict.reverse();
    }
    let keys: Vec<usize> = cells
        .iter()
        .map(|c| match c {
            Some(v) => dict.iter().position(|d| *d == text(*v)).unwrap(),
            None => (seed as usize) % dict.len(),
        })
        .collect();
    let values: ArrayRef = Arc::new(StringArray::from(dict));
    let nulls = nulls_of(cells);
    match key % 5 {
        0 => dict_with::<Int8Type>(keys, nulls, values),
        1 => dict_with::<Int16Type>(keys, nulls, values),
        2 => dict_with::<UInt8Type>(keys, nulls, values),
        3 => dict_with::<Int32Type>(keys, nulls, values),
        _ => dict_with::<UInt64Type>(keys, nulls, values),
    }
}

/// The same logical string column in another physical form.
fn reencode(kind: Kind, cells: &[Option<i64>], variant: u8, seed: u64) -> Option<ArrayRef> {
    if !matches!(kind, Kind::Utf8 | Kind::LargeUtf8 | Kind::Dict) {
        return None;
    }
    let strings: Vec<Option<String>> = cells.iter().map(|c| c.map(text)).collect();
    Some(match variant % 4 {
        0 => Arc::new(StringArray::from(strings)),
        1 => Arc::new(LargeStringArray::from(strings)),
        2 => Arc::new(StringViewArray::from(strings.iter().map(|s| s.as_deref()).collect::<Vec<_>>())),
        _ => dictionary(cells, (seed % 5) as u8, seed / 5),
    })
}

fn batch_of(names: &[String], columns: Vec<ArrayRef>) -> RecordBatch {
    let fields: Vec<Field> =
        names.iter().zip(&columns).map(|(n, c)| Field::new(n.as_str(), c.data_type().clone(), true)).collect();
    RecordBatch::try_new(Arc::new(Schema::new(fields)), columns).unwrap()
}

fn names(n: usize) -> Vec<String> {
    (0..n).map(|i| format!("c{i}")).collect()
}

fn make(spec: &Spec, garbage: i64) -> RecordBatch {
    let columns = spec.kinds.iter().zip(&spec.cells).map(|(k, c)| build(*k, c, garbage)).collect();
    batch_of(&names(spec.kinds.len()), columns)
}

fn fp(batch: &RecordBatch) -> String {
    fingerprint(batch.schema().as_ref(), std::slice::from_ref(batch)).unwrap()
}

/// `batch` cut at `cuts` (clamped and sorted).
fn pieces(batch: &RecordBatch, cuts: &[usize]) -> Vec<RecordBatch> {
    let n = batch.num_rows();
    let mut cuts: Vec<usize> = cuts.iter().map(|c| c.min(&n)).copied().collect();
    cuts.push(n);
    cuts.sort_unstable();
    let mut at = 0;
    cuts.into_iter()
        .map(|cut| {
            let b = batch.slice(at, cut - at);
            at = cut;
            b
        })
        .collect()
}

fn lz4() -> IpcWriteOptions {
    IpcWriteOptions::default().try_with_compression(Some(CompressionType::LZ4_FRAME)).unwrap()
}

fn ipc_stream(schema: &Schema, batches: &[RecordBatch]) -> Vec<u8> {
    let mut w = StreamWriter::try_new_with_options(Vec::new(), schema, lz4()).unwrap();
    for b in batches {
        w.write(b).unwrap();
    }
    w.into_inner().unwrap()
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 256, ..ProptestConfig::default() })]

    #[test]
    fn layout_and_encoding_do_not_change_the_fingerprint(
        spec in spec(40),
        cuts in prop::collection::vec(0_usize..=40, 0..4),
        garbage in -50_i64..50,
        variants in prop::collection::vec((0_u8..8, any::<u64>()), 5),
    ) {
        let batch = make(&spec, 0);
        let schema = batch.schema();
        let whole = fp(&batch);

        // Another batch split, the pieces concatenated again, other garbage under nulls.
        let split = pieces(&batch, &cuts);
        prop_assert_eq!(&fingerprint(&schema, &split).unwrap(), &whole);
        let joined = arrow_select::concat::concat_batches(&schema, &split).unwrap();
        prop_assert_eq!(&fp(&joined), &whole);
        prop_assert_eq!(&fp(&make(&spec, garbage)), &whole);

        // Dictionary re-encoding and string family changes, under their own schema.
        let columns: Vec<ArrayRef> = spec
            .kinds
            .iter()
            .zip(&spec.cells)
            .zip(&variants)
            .zip(batch.columns())
            .map(|(((k, c), (variant, seed)), original)| reencode(*k, c, *variant, *seed).unwrap_or_else(|| original.clone()))
            .collect();
        let reencoded = batch_of(&names(spec.kinds.len()), columns);
        prop_assert_eq!(&fp(&reencoded), &whole);
        prop_assert_eq!(&fingerprint(&reencoded.schema(), &pieces(&reencoded, &cuts)).unwrap(), &whole);
    }

    #[test]
    fn slices_of_a_larger_table_fingerprint_like_the_table(
        spec in spec(60),
        from in 0_usize..=60,
        len in 0_usize..=60,
        cuts in prop::collection::vec(0_usize..=60, 0..3),
    ) {
        let rows = spec.rows();
        let from = from.min(rows);
        let len = len.min(rows - from);
        let batch = make(&spec, 0);
        let part = Spec {
            kinds: spec.kinds.clone(),
            cells: spec.cells.iter().map(|c| c[from..from + len].to_vec()).collect(),
        };
        let expected = fp(&make(&part, 0));
        let sliced = batch.slice(from, len);
        prop_assert_eq!(&fp(&sliced), &expected);
        prop_assert_eq!(&fingerprint(&batch.schema(), &pieces(&sliced, &cuts)).unwrap(), &expected);
    }

    #[test]
    fn a_value_a_null_a_name_or_a_type_changes_the_fingerprint(
        spec in spec(30),
        column in any::<prop::sample::Index>(),
        row in any::<prop::sample::Index>(),
    ) {
        let whole = fp(&make(&spec, 0));
        let c = column.index(spec.kinds.len());

        // A rename.
        let batch = make(&spec, 0);
        let mut renamed = names(spec.kinds.len());
        renamed[c].push('x');
        prop_assert_ne!(&fp(&batch_of(&renamed, batch.columns().to_vec())), &whole);

        // Another type with values as close as it gets.
        let mut retyped = batch.columns().to_vec();
        retyped[c] = retype(spec.kinds[c], &spec.cells[c]);
        prop_assert_ne!(&fp(&batch_of(&names(spec.kinds.len()), retyped)), &whole);

        if spec.rows() > 0 {
            let r = row.index(spec.rows());
            // A null flip.
            let mut flipped = spec.clone();
            flipped.cells[c][r] = match spec.cells[c][r] { Some(_) => None, None => Some(0) };
            prop_assert_ne!(&fp(&make(&flipped, 0)), &whole);
            // A value change.
            if let Some(v) = spec.cells[c][r] {
                let mut changed = spec.clone();
                changed.cells[c][r] = Some(v + 1);
                prop_assert_ne!(&fp(&make(&changed, 0)), &whole);
            }
        }
    }
}

/// The column in another logical type (same values where the types allow).
fn retype(kind: Kind, cells: &[Option<i64>]) -> ArrayRef {
    let map = |f: &dyn Fn(i64) -> i64| cells.iter().map(|c| c.map(f)).collect::<Vec<_>>();
    match kind {
        Kind::Int8 | Kind::UInt16 | Kind::Int64 | Kind::Date32 | Kind::Boolean => {
            Arc::new(Int32Array::from(map(&|v| v).iter().map(|c| c.map(|v| v as i32)).collect::<Vec<_>>()))
        }
        Kind::Int32 => Arc::new(Int64Array::from(map(&|v| v))),
        Kind::Float64 => Arc::new(Float32Array::from(
            cells.iter().map(|c| c.map(|v| if v == -50 { f32::NAN } else { v as f32 / 4.0 })).collect::<Vec<_>>(),
        )),
        Kind::Utf8 | Kind::LargeUtf8 | Kind::Dict | Kind::FixedBinary => Arc::new(BinaryArray::from(
            cells
                .iter()
                .map(|c| c.map(|v| text(v).into_bytes()))
                .collect::<Vec<_>>()
                .iter()
                .map(|o| o.as_deref())
                .collect::<Vec<_>>(),
        )),
        Kind::Binary => build(Kind::Utf8, cells, 0),
        Kind::TimestampUtc => Arc::new(TimestampMillisecondArray::from(map(&|v| v * 1000))),
        Kind::Decimal => Arc::new(
            Decimal128Array::from(cells.iter().map(|c| c.map(i128::from)).collect::<Vec<_>>())
                .with_precision_and_scale(10, 3)
                .unwrap(),
        ),
        Kind::List => Arc::new(ListArray::from_iter_primitive::<arrow_array::types::Int64Type, _, _>(
            cells.iter().map(|c| c.map(|v| list_items(v).into_iter().map(|i| i.map(i64::from)).collect::<Vec<_>>())),
        )),
        Kind::Struct => {
            let fields =
                Fields::from(vec![Field::new("a", DataType::Int32, true), Field::new("z", DataType::Utf8, true)]);
            let inner: Vec<Option<i64>> = cells.iter().map(|c| Some(c.unwrap_or(0))).collect();
            Arc::new(StructArray::new(
                fields,
                vec![
                    Arc::new(Int32Array::from(inner.iter().map(|c| c.map(|v| v as i32)).collect::<Vec<_>>())),
                    Arc::new(strings(&inner, 0)),
                ],
                nulls_of(cells),
            ))
        }
    }
}

/// Every kind with nulls, written in sliced batches as an LZ4 IPC stream, read back by
/// arrow-ipc and by the core, and written again by the core as an LZ4 file.
#[test]
fn lz4_ipc_round_trips_keep_the_fingerprint() {
    let runner_cells: Vec<Option<i64>> = (0..300).map(|i| if i % 7 == 3 { None } else { Some(i % 100 - 50) }).collect();
    let spec = Spec { kinds: KINDS.to_vec(), cells: vec![runner_cells; KINDS.len()] };
    let batch = make(&spec, 13);
    let schema = batch.schema();
    let split = pieces(&batch, &[0, 17, 150, 151]);
    let expected = fp(&batch);

    let bytes = ipc_stream(&schema, &split);
    let read: Vec<RecordBatch> =
        StreamReader::try_new(Cursor::new(bytes.clone()), None).unwrap().collect::<Result<_, _>>().unwrap();
    assert_eq!(fingerprint(&schema, &read).unwrap(), expected);

    let table = Table::read(Buffer::from_vec(bytes), &ReadOptions::default()).unwrap();
    assert_eq!(fingerprint(table.schema(), table.batches()).unwrap(), expected);

    let options =
        WriteOptions { framing: Framing::File, compression: Compression::Lz4Frame, ..WriteOptions::default() };
    let file = table.write_ipc(&options).unwrap();
    let again =
        Table::read(Buffer::from_vec(file), &ReadOptions { batch_size: Some(64), ..ReadOptions::default() }).unwrap();
    assert_eq!(fingerprint(again.schema(), again.batches()).unwrap(), expected);
}

#[test]
fn a_dictionary_column_fingerprints_like_its_values_through_ipc() {
    let cells: Vec<Option<i64>> = (0..50).map(|i| if i % 5 == 0 { None } else { Some(i % 9) }).collect();
    let plain = batch_of(&names(1), vec![build(Kind::Utf8, &cells, 0)]);
    let dict = batch_of(&names(1), vec![dictionary(&cells, 1, 4)]);
    let bytes = ipc_stream(&dict.schema(), &pieces(&dict, &[10, 20]));
    let table = Table::read(Buffer::from_vec(bytes), &ReadOptions::default()).unwrap();
    assert_eq!(fingerprint(table.schema(), table.batches()).unwrap(), fp(&plain));
}

#[test]
fn float_columns_distinguish_signed_zeros_but_not_nans() {
    let a = batch_of(&names(1), vec![Arc::new(Float64Array::from(vec![0.0, f64::NAN]))]);
    let b = batch_of(&names(1), vec![Arc::new(Float64Array::from(vec![-0.0, f64::NAN]))]);
    let c = batch_of(&names(1), vec![Arc::new(Float64Array::from(vec![0.0, f64::from_bits(0xfff8_0000_dead_beef)]))]);
    assert_ne!(fp(&a), fp(&b));
    assert_eq!(fp(&a), fp(&c));
}

#[test]
fn int_arrays_of_other_widths_differ() {
    let a = batch_of(&names(1), vec![Arc::new(Int8Array::from(vec![1_i8]))]);
    let b = batch_of(&names(1), vec![Arc::new(Int16Array::from(vec![1_i16]))]);
    assert_ne!(fp(&a), fp(&b));
}
