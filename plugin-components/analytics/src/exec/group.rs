//! The hash table behind grouping, `DISTINCT` and joins: each distinct key (one or more columns)
//! gets a dense id, in the order keys are first seen; the table holds only ids.
//!
//! Keys are stored one of two ways. A single fixed-width primitive key (integers, floats, dates,
//! timestamps: the common `GROUP BY id` and join on an integer key) keeps its values' bits in a
//! vector and hashes them directly. Anything else (several keys, strings, decimals) is encoded
//! with arrow-row, a batch at a time, so that equal keys are equal bytes, kept once in a `Rows`.
//!
//! Keys compare as DuckDB's do: NULLs equal each other (for grouping; joins drop NULL keys
//! first), `-0.0` equals `0.0`, and every NaN is one value.

use std::hash::BuildHasher;

use arrow_array::{Array, ArrayRef};
use arrow_buffer::{Buffer, MutableBuffer, NullBuffer};
use arrow_data::ArrayDataBuilder;
use arrow_row::{RowConverter, Rows, SortField};
use arrow_schema::DataType;
use hashbrown::HashTable;

use crate::error::{AnalyticsError, Result};

pub use crate::expr::normalize_floats as normalize;

/// The byte width of a primitive type whose values can be grouped by their bits (after
/// [`normalize`]), or `None`.
fn bits_width(t: &DataType) -> Option<usize> {
    match t {
        DataType::Int8 | DataType::UInt8 => Some(1),
        DataType::Int16 | DataType::UInt16 => Some(2),
        DataType::Int32 | DataType::UInt32 | DataType::Float32 | DataType::Date32 | DataType::Time32(_) => Some(4),
        DataType::Int64
        | DataType::UInt64
        | DataType::Float64
        | DataType::Date64
        | DataType::Timestamp(..)
        | DataType::Time64(_)
        | DataType::Duration(_) => Some(8),
        _ => None,
    }
}

/// A single primitive key: the bits of each distinct value, and which id is NULL's.
struct Bits {
    data_type: DataType,
    width: usize,
    values: Vec<u64>,
    null_id: Option<u32>,
}

impl Bits {
    /// Each row's value bits, zero-extended (NULL rows read as whatever their slot holds).
    fn of(&self, a: &dyn Array) -> Result<Vec<u64>> {
        let data = a.to_data();
        let buffer =
            data.buffers().first().ok_or_else(|| AnalyticsError::internal("a primitive array without values"))?;
        let (offset, len) = (data.offset(), data.len());
        let range = offset..offset + len;
        let bad = || AnalyticsError::internal("a primitive array shorter than its length");
        Ok(match self.width {
            1 => buffer.as_slice().get(range).ok_or_else(bad)?.iter().map(|&v| u64::from(v)).collect(),
            2 => buffer.typed_data::<u16>().get(range).ok_or_else(bad)?.iter().map(|&v| u64::from(v)).collect(),
            4 => buffer.typed_data::<u32>().get(range).ok_or_else(bad)?.iter().map(|&v| u64::from(v)).collect(),
            _ => buffer.typed_data::<u64>().get(range).ok_or_else(bad)?.to_vec(),
        })
    }

    /// The distinct values, in id order, as an array of the key's type.
    fn column(&self) -> Result<ArrayRef> {
        let n = self.values.len();
        let mut buffer = MutableBuffer::new(n * self.width);
        for v in &self.values {
            buffer.extend_from_slice(v.to_le_bytes().get(..self.width).unwrap_or_default());
        }
        let nulls = self.null_id.map(|id| (0..n).map(|i| i != id as usize).collect::<NullBuffer>());
        let data = ArrayDataBuilder::new(self.data_type.clone())
            .len(n)
            .add_buffer(Buffer::from(buffer))
            .nulls(nulls)
            .build()?;
        Ok(arrow_array::make_array(data))
    }
}

/// How the keys are kept.
enum Keys {
    Bits(Bits),
    Rows { converter: RowConverter, rows: Rows },
}

/// Keys to dense ids.
pub struct GroupTable {
    keys: Keys,
    table: HashTable<u32>,
    hasher: hashbrown::DefaultHashBuilder,
}

impl GroupTable {
    /// A table of keys of these types.
    pub fn new(types: &[DataType]) -> Result<Self> {
        let keys = match types {
            [t] if bits_width(t).is_some() => Keys::Bits(Bits {
                data_type: t.clone(),
                width: bits_width(t).unwrap_or(8),
                values: Vec::new(),
                null_id: None,
            }),
            _ => {
                let converter = RowConverter::new(types.iter().map(|t| SortField::new(t.clone())).collect())?;
                let rows = converter.empty_rows(0, 0);
                Keys::Rows { converter, rows }
            }
        };
        Ok(GroupTable { keys, table: HashTable::new(), hasher: hashbrown::DefaultHashBuilder::default() })
    }

    /// How many distinct keys so far.
    pub fn len(&self) -> usize {
        match &self.keys {
            Keys::Bits(b) => b.values.len(),
            Keys::Rows { rows, .. } => rows.num_rows(),
        }
    }

    /// Whether no key has been seen.
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// Bytes held.
    pub fn size(&self) -> usize {
        let keys = match &self.keys {
            Keys::Bits(b) => b.values.capacity() * 8,
            Keys::Rows { rows, .. } => rows.size(),
        };
        keys + self.table.capacity() * 4
    }

    /// The id of each row's key, new keys getting the next ids.
    pub fn intern(&mut self, keys: &[ArrayRef], ids: &mut Vec<u32>) -> Result<()> {
        let keys: Vec<ArrayRef> = keys.iter().map(normalize).collect();
        ids.clear();
        match &mut self.keys {
            Keys::Bits(b) => {
                let key = keys.first().ok_or_else(|| AnalyticsError::internal("no key column"))?;
                let bits = b.of(key.as_ref())?;
                ids.reserve(bits.len());
                let nulls = key.logical_nulls();
                for (i, v) in bits.into_iter().enumerate() {
                    if nulls.as_ref().is_some_and(|n| n.is_null(i)) {
                        let next = b.values.len() as u32;
                        let id = *b.null_id.get_or_insert(next);
                        if id == next {
                            b.values.push(0);
                        }
                        ids.push(id);
                        continue;
                    }
                    let hash = self.hasher.hash_one(v);
                    let values = &b.values;
                    let null_id = b.null_id;
                    let found = self.table.find(hash, |&id| Some(id) != null_id && values.get(id as usize) == Some(&v));
                    let id = match found {
                        Some(&id) => id,
                        None => {
                            let id = b.values.len() as u32;
                            b.values.push(v);
                            let (values, hasher) = (&b.values, &self.hasher);
                            self.table.insert_unique(hash, id, |&i| {
                                hasher.hash_one(values.get(i as usize).copied().unwrap_or(0))
                            });
                            id
                        }
                    };
                    ids.push(id);
                }
            }
            Keys::Rows { converter, rows } => {
                let batch_rows = converter.convert_columns(&keys)?;
                ids.reserve(batch_rows.num_rows());
                for row in batch_rows.iter() {
                    let bytes = row.as_ref();
                    let hash = self.hasher.hash_one(bytes);
                    let found = self.table.find(hash, |&id| rows.row(id as usize).as_ref() == bytes);
                    let id = match found {
                        Some(&id) => id,
                        None => {
                            let id = rows.num_rows() as u32;
                            rows.push(row);
                            let (rows, hasher) = (&*rows, &self.hasher);
                            self.table.insert_unique(hash, id, |&i| hasher.hash_one(rows.row(i as usize).as_ref()));
                            id
                        }
                    };
                    ids.push(id);
                }
            }
        }
        Ok(())
    }

    /// The id of each row's key if it is in the table (`None` otherwise); nothing is added.
    pub fn lookup(&self, keys: &[ArrayRef], out: &mut Vec<Option<u32>>) -> Result<()> {
        let keys: Vec<ArrayRef> = keys.iter().map(normalize).collect();
        out.clear();
        match &self.keys {
            Keys::Bits(b) => {
                let key = keys.first().ok_or_else(|| AnalyticsError::internal("no key column"))?;
                let bits = b.of(key.as_ref())?;
                out.reserve(bits.len());
                let nulls = key.logical_nulls();
                for (i, v) in bits.into_iter().enumerate() {
                    if nulls.as_ref().is_some_and(|n| n.is_null(i)) {
                        out.push(b.null_id);
                        continue;
                    }
                    let hash = self.hasher.hash_one(v);
                    out.push(
                        self.table
                            .find(hash, |&id| Some(id) != b.null_id && b.values.get(id as usize) == Some(&v))
                            .copied(),
                    );
                }
            }
            Keys::Rows { converter, rows } => {
                let batch_rows = converter.convert_columns(&keys)?;
                out.reserve(batch_rows.num_rows());
                for row in batch_rows.iter() {
                    let bytes = row.as_ref();
                    let hash = self.hasher.hash_one(bytes);
                    out.push(self.table.find(hash, |&id| rows.row(id as usize).as_ref() == bytes).copied());
                }
            }
        }
        Ok(())
    }

    /// The distinct keys, in id order, as columns.
    pub fn keys(&self) -> Result<Vec<ArrayRef>> {
        match &self.keys {
            Keys::Bits(b) => Ok(vec![b.column()?]),
            Keys::Rows { converter, rows } => Ok(converter.convert_rows(rows.iter())?),
        }
    }
}

/// Whether a row has a NULL in any of `keys` (such rows never match in a join).
pub fn any_null(keys: &[ArrayRef], len: usize) -> Option<NullBuffer> {
    let mut acc: Option<NullBuffer> = None;
    for k in keys {
        if let Some(n) = k.logical_nulls() {
            acc = Some(match acc {
                None => n,
                Some(a) => NullBuffer::new(a.inner() & n.inner()),
            });
        }
    }
    let _ = len;
    acc.filter(|n| n.null_count() > 0)
}

#[cfg(test)]
#[allow(clippy::unwrap_used, clippy::indexing_slicing)]
mod tests {
    use std::sync::Arc;

    use super::*;
    use arrow_array::{Float64Array, Int8Array, Int64Array, StringArray};

    fn ids(t: &mut GroupTable, a: ArrayRef) -> Vec<u32> {
        let mut out = Vec::new();
        t.intern(&[a], &mut out).unwrap();
        out
    }

    #[test]
    fn a_primitive_key_groups_by_value_with_one_null_group() {
        let mut t = GroupTable::new(&[DataType::Int8]).unwrap();
        assert_eq!(
            ids(&mut t, Arc::new(Int8Array::from(vec![Some(-1), None, Some(5), Some(-1), None]))),
            vec![0, 1, 2, 0, 1]
        );
        assert_eq!(ids(&mut t, Arc::new(Int8Array::from(vec![Some(5), Some(-128)]))), vec![2, 3]);
        let keys = t.keys().unwrap();
        assert_eq!(keys[0].as_ref(), &Int8Array::from(vec![Some(-1), None, Some(5), Some(-128)]) as &dyn Array);
        let mut found = Vec::new();
        t.lookup(&[Arc::new(Int8Array::from(vec![Some(5), Some(7), None]))], &mut found).unwrap();
        assert_eq!(found, vec![Some(2), None, Some(1)]);
    }

    #[test]
    fn floats_group_zeros_and_nans_together() {
        let mut t = GroupTable::new(&[DataType::Float64]).unwrap();
        let a = Arc::new(Float64Array::from(vec![0.0, -0.0, f64::NAN, -f64::NAN, 1.5]));
        assert_eq!(ids(&mut t, a), vec![0, 0, 1, 1, 2]);
    }

    #[test]
    fn sliced_arrays_and_several_keys() {
        let mut t = GroupTable::new(&[DataType::Int64]).unwrap();
        let a: ArrayRef = Arc::new(Int64Array::from(vec![1, 2, 3, 2]));
        assert_eq!(ids(&mut t, a.slice(1, 3)), vec![0, 1, 0]);
        let mut t = GroupTable::new(&[DataType::Utf8, DataType::Int64]).unwrap();
        let mut out = Vec::new();
        let s: ArrayRef = Arc::new(StringArray::from(vec!["a", "b", "a"]));
        let n: ArrayRef = Arc::new(Int64Array::from(vec![1, 1, 1]));
        t.intern(&[s, n], &mut out).unwrap();
        assert_eq!(out, vec![0, 1, 0]);
    }
}
