//! `DISTINCT` for any aggregate: a hash set of (group, argument values) pairs, the values
//! encoded with arrow-row (floats made canonical first, so `-0.0` is `0.0` and every NaN one
//! value, as DuckDB groups them). Each batch's rows whose pair is new are passed on to the wrapped
//! accumulator at once, so it sees every distinct value of a group exactly once, with the
//! `ORDER BY` keys of the value's first row. A NULL value is passed on once too; the functions
//! that skip NULLs (`count(DISTINCT x)`) skip it there.
//!
//! The set is per query, so a `DISTINCT` aggregate's partial states do not merge (the session
//! refuses to split such a query); `min`, `max`, `approx_count_distinct`, `bool_and` and
//! `bool_or` ignore `DISTINCT` and never come here.

use std::hash::BuildHasher;

use arrow_array::{ArrayRef, UInt32Array};
use arrow_row::{RowConverter, Rows, SortField};
use arrow_schema::DataType;
use hashbrown::HashTable;

use super::util::{canonical_floats, column};
use super::{Accumulator, AccumulatorSpec};
use crate::error::{AnalyticsError, Result};

/// A `DISTINCT` accumulator over `spec`'s function.
pub fn create(spec: &AccumulatorSpec<'_>) -> Result<Box<dyn Accumulator>> {
    let inner = super::create(&AccumulatorSpec { distinct: false, ..spec.clone() })?;
    let mut fields = vec![SortField::new(DataType::UInt32)];
    fields.extend(spec.arg_types.iter().map(|t| SortField::new(t.clone())));
    if !RowConverter::supports_fields(&fields) {
        return Err(AnalyticsError::unsupported(format!("{}(DISTINCT ...) over these types", spec.func.name())));
    }
    let converter = RowConverter::new(fields)?;
    let rows = converter.empty_rows(0, 0);
    Ok(Box::new(Distinct {
        inner,
        name: spec.func.name(),
        nargs: spec.arg_types.len(),
        converter,
        rows,
        table: HashTable::new(),
        hasher: hashbrown::DefaultHashBuilder::default(),
    }))
}

struct Distinct {
    inner: Box<dyn Accumulator>,
    name: &'static str,
    nargs: usize,
    converter: RowConverter,
    /// Every distinct (group, values) seen, in arrow-row form; the table holds their indices.
    rows: Rows,
    table: HashTable<u32>,
    hasher: hashbrown::DefaultHashBuilder,
}

impl Accumulator for Distinct {
    fn update(&mut self, values: &[ArrayRef], groups: &[u32], total: usize) -> Result<()> {
        let n = groups.len();
        let mut key: Vec<ArrayRef> = vec![std::sync::Arc::new(UInt32Array::from(groups.to_vec()))];
        for i in 0..self.nargs {
            key.push(canonical_floats(column(values, i)?));
        }
        let batch = self.converter.convert_columns(&key)?;
        let mut fresh: Vec<u32> = Vec::new();
        for (i, row) in batch.iter().enumerate().take(n) {
            let bytes = row.as_ref();
            let hash = self.hasher.hash_one(bytes);
            let rows = &self.rows;
            let known = self.table.find(hash, |&id| rows.row(id as usize).as_ref() == bytes).is_some();
            if !known {
                let id = u32::try_from(self.rows.num_rows())
                    .map_err(|_| AnalyticsError::execution("too many distinct values in one aggregate"))?;
                self.rows.push(row);
                let (rows, hasher) = (&self.rows, &self.hasher);
                self.table.insert_unique(hash, id, |&j| hasher.hash_one(rows.row(j as usize).as_ref()));
                fresh.push(i as u32);
            }
        }
        if fresh.is_empty() {
            return Ok(());
        }
        if fresh.len() == n {
            return self.inner.update(values, groups, total);
        }
        let idx = UInt32Array::from(fresh);
        let values =
            values.iter().map(|v| Ok(arrow_select::take::take(v.as_ref(), &idx, None)?)).collect::<Result<Vec<_>>>()?;
        let kept: Vec<u32> = idx.values().iter().filter_map(|&i| groups.get(i as usize).copied()).collect();
        self.inner.update(&values, &kept, total)
    }

    fn merge(&mut self, _: &[ArrayRef], _: &[u32], _: usize) -> Result<()> {
        Err(AnalyticsError::unsupported(format!("{}(DISTINCT ...): its partial results do not merge", self.name)))
    }

    fn state(&mut self, _: usize) -> Result<Vec<ArrayRef>> {
        Err(AnalyticsError::unsupported(format!("{}(DISTINCT ...): its partial results do not merge", self.name)))
    }

    fn finish(&mut self, total: usize) -> Result<ArrayRef> {
        self.table = HashTable::new();
        self.rows = self.converter.empty_rows(0, 0);
        self.inner.finish(total)
    }

    fn size(&self) -> usize {
        self.rows.size() + self.table.capacity() * 4 + self.inner.size()
    }
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use std::sync::Arc;

    use arrow_array::cast::AsArray;
    use arrow_array::types::{Float64Type, Int64Type};
    use arrow_array::{Array, Float64Array, Int64Array, StringArray};

    use super::*;
    use crate::functions::aggregate::AggFunc;

    fn spec<'a>(func: &'a AggFunc, args: &'a [DataType], ret: &'a DataType) -> AccumulatorSpec<'a> {
        AccumulatorSpec {
            func,
            arg_types: args,
            return_type: ret,
            order_types: &[],
            order_options: &[],
            distinct: true,
        }
    }

    #[test]
    fn count_and_sum_distinct() {
        let v: ArrayRef = Arc::new(Int64Array::from(vec![Some(1), Some(1), None, None, Some(2), Some(1)]));
        let g = [0, 0, 0, 0, 0, 1];
        let mut c = super::super::create(&spec(&AggFunc::Count, &[DataType::Int64], &DataType::Int64)).unwrap();
        let mut s = super::super::create(&spec(&AggFunc::Sum, &[DataType::Int64], &DataType::Int64)).unwrap();
        // Two batches: a value already seen in the first is not counted again.
        c.update(&[v.slice(0, 3)], &g[..3], 1).unwrap();
        c.update(&[v.slice(3, 3)], &g[3..], 2).unwrap();
        s.update(std::slice::from_ref(&v), &g, 2).unwrap();
        let c = c.finish(2).unwrap();
        assert_eq!(c.as_primitive::<Int64Type>().values().to_vec(), vec![2, 1]);
        assert_eq!(s.finish(2).unwrap().as_primitive::<Int64Type>().values().to_vec(), vec![3, 1]);
        assert!(
            super::super::create(&spec(&AggFunc::Sum, &[DataType::Int64], &DataType::Int64)).unwrap().state(1).is_err()
        );
    }

    #[test]
    fn zeros_and_nans_are_one_value() {
        let v: ArrayRef = Arc::new(Float64Array::from(vec![0.0, -0.0, f64::NAN, -f64::NAN, 1.5]));
        let mut s = super::super::create(&spec(&AggFunc::Count, &[DataType::Float64], &DataType::Int64)).unwrap();
        s.update(std::slice::from_ref(&v), &[0; 5], 1).unwrap();
        assert_eq!(s.finish(1).unwrap().as_primitive::<Int64Type>().value(0), 3);
        let mut a = super::super::create(&spec(&AggFunc::Avg, &[DataType::Float64], &DataType::Float64)).unwrap();
        a.update(&[Arc::new(Float64Array::from(vec![1.0, 1.0, 4.0]))], &[0; 3], 1).unwrap();
        assert_eq!(a.finish(1).unwrap().as_primitive::<Float64Type>().value(0), 2.5);
    }

    #[test]
    fn string_agg_distinct() {
        let f = AggFunc::StringAgg(Some(",".into()));
        let v: ArrayRef = Arc::new(StringArray::from(vec![Some("a"), Some("b"), Some("a"), None]));
        let mut s = super::super::create(&spec(&f, &[DataType::Utf8], &DataType::Utf8)).unwrap();
        s.update(&[v], &[0; 4], 1).unwrap();
        let out = s.finish(1).unwrap();
        assert_eq!(out.as_string::<i32>().value(0), "a,b");
        assert!(!out.is_null(0));
    }
}
