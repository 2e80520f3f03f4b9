//! The hash table behind grouping, `DISTINCT` and joins: each distinct key (one or more columns,
//! encoded with arrow-row so that equal values are equal bytes) gets a dense id, in the order
//! keys are first seen. Keys are kept once, in arrow-row's `Rows`; the table holds only ids.
//!
//! Keys compare as DuckDB's do: NULLs equal each other (for grouping; joins drop NULL keys
//! first), `-0.0` equals `0.0`, and every NaN is one value.

use std::sync::Arc;

use arrow_array::cast::AsArray;
use arrow_array::types::{Float32Type, Float64Type};
use arrow_array::{Array, ArrayRef};
use arrow_row::{RowConverter, Rows, SortField};
use arrow_schema::DataType;
use hashbrown::HashTable;

use crate::error::Result;

/// Floats made canonical for hashing: `-0.0` as `0.0`, every NaN as one NaN.
pub fn normalize(a: &ArrayRef) -> ArrayRef {
    match a.data_type() {
        DataType::Float64 => Arc::new(a.as_primitive::<Float64Type>().unary::<_, Float64Type>(|v| if v.is_nan() { f64::NAN } else { v + 0.0 })),
        DataType::Float32 => Arc::new(a.as_primitive::<Float32Type>().unary::<_, Float32Type>(|v| if v.is_nan() { f32::NAN } else { v + 0.0 })),
        _ => a.clone(),
    }
}

/// Keys to dense ids.
pub struct GroupTable {
    converter: RowConverter,
    rows: Rows,
    table: HashTable<u32>,
    hasher: hashbrown::DefaultHashBuilder,
}

impl GroupTable {
    /// A table of keys of these types.
    pub fn new(types: &[DataType]) -> Result<Self> {
        let converter = RowConverter::new(types.iter().map(|t| SortField::new(t.clone())).collect())?;
        let rows = converter.empty_rows(0, 0);
        Ok(GroupTable { converter, rows, table: HashTable::new(), hasher: hashbrown::DefaultHashBuilder::default() })
    }

    /// How many distinct keys so far.
    pub fn len(&self) -> usize {
        self.rows.num_rows()
    }

    /// Whether no key has been seen.
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// Bytes held.
    pub fn size(&self) -> usize {
        self.rows.size() + self.table.capacity() * 4
    }

    /// The id of each row's key, new keys getting the next ids.
    pub fn intern(&mut self, keys: &[ArrayRef], ids: &mut Vec<u32>) -> Result<()> {
        use std::hash::BuildHasher;
        let keys: Vec<ArrayRef> = keys.iter().map(normalize).collect();
        let batch_rows = self.converter.convert_columns(&keys)?;
        ids.clear();
        ids.reserve(batch_rows.num_rows());
        for row in batch_rows.iter() {
            let bytes = row.as_ref();
            let hash = self.hasher.hash_one(bytes);
            let rows = &self.rows;
            let found = self.table.find(hash, |&id| rows.row(id as usize).as_ref() == bytes);
            let id = match found {
                Some(&id) => id,
                None => {
                    let id = self.rows.num_rows() as u32;
                    self.rows.push(row);
                    let (rows, hasher) = (&self.rows, &self.hasher);
                    self.table.insert_unique(hash, id, |&i| hasher.hash_one(rows.row(i as usize).as_ref()));
                    id
                }
            };
            ids.push(id);
        }
        Ok(())
    }

    /// The id of each row's key if it is in the table (`None` otherwise); nothing is added.
    pub fn lookup(&self, keys: &[ArrayRef], out: &mut Vec<Option<u32>>) -> Result<()> {
        use std::hash::BuildHasher;
        let keys: Vec<ArrayRef> = keys.iter().map(normalize).collect();
        let batch_rows = self.converter.convert_columns(&keys)?;
        out.clear();
        for row in batch_rows.iter() {
            let bytes = row.as_ref();
            let hash = self.hasher.hash_one(bytes);
            out.push(self.table.find(hash, |&id| self.rows.row(id as usize).as_ref() == bytes).copied());
        }
        Ok(())
    }

    /// The distinct keys, in id order, as columns.
    pub fn keys(&self) -> Result<Vec<ArrayRef>> {
        Ok(self.converter.convert_rows(self.rows.iter())?)
    }
}

/// Whether a row has a NULL in any of `keys` (such rows never match in a join).
pub fn any_null(keys: &[ArrayRef], len: usize) -> Option<arrow_buffer::NullBuffer> {
    let mut acc: Option<arrow_buffer::NullBuffer> = None;
    for k in keys {
        if let Some(n) = k.logical_nulls() {
            acc = Some(match acc {
                None => n,
                Some(a) => arrow_buffer::NullBuffer::new(a.inner() & n.inner()),
            });
        }
    }
    let _ = len;
    acc.filter(|n| n.null_count() > 0)
}
