//! Helpers the accumulators share: growing per-group vectors, walking a batch's values with their
//! groups without a branch per row when there are no NULLs, validity from "seen" flags, and
//! grouping row indices by group (a stable counting sort) for the functions that keep values.

use arrow_array::{Array, ArrayRef, ArrowPrimitiveType, BooleanArray, PrimitiveArray};
use arrow_buffer::NullBuffer;

use crate::error::{AnalyticsError, Result};

/// Grow `v` to `n` entries of `fill` (groups only ever get added).
pub fn grow<T: Clone>(v: &mut Vec<T>, n: usize, fill: T) {
    if v.len() < n {
        v.resize(n, fill);
    }
}

/// The `i`th input column.
pub fn column(values: &[ArrayRef], i: usize) -> Result<&ArrayRef> {
    values.get(i).ok_or_else(|| AnalyticsError::internal(format!("aggregate input {i} missing")))
}

/// A column as the primitive array it must be (the binder cast it to the accumulator's type).
pub fn primitive<T: ArrowPrimitiveType>(values: &[ArrayRef], i: usize) -> Result<&PrimitiveArray<T>> {
    let c = column(values, i)?;
    c.as_any().downcast_ref::<PrimitiveArray<T>>().ok_or_else(|| {
        AnalyticsError::internal(format!("aggregate input {i} is {}, not {}", c.data_type(), T::DATA_TYPE))
    })
}

/// A column as a boolean array.
pub fn boolean(values: &[ArrayRef], i: usize) -> Result<&BooleanArray> {
    let c = column(values, i)?;
    c.as_any()
        .downcast_ref::<BooleanArray>()
        .ok_or_else(|| AnalyticsError::internal(format!("aggregate input {i} is {}, not boolean", c.data_type())))
}

/// The nulls of `a` when it has any.
pub fn real_nulls(a: &dyn Array) -> Option<NullBuffer> {
    a.logical_nulls().filter(|n| n.null_count() > 0)
}

/// `f(group, value)` for every non-NULL value of `a`; `groups[i]` is row `i`'s group.
#[inline]
pub fn each_value<T: ArrowPrimitiveType>(a: &PrimitiveArray<T>, groups: &[u32], mut f: impl FnMut(usize, T::Native)) {
    let vals = a.values();
    match real_nulls(a) {
        None => groups.iter().zip(vals.iter()).for_each(|(&g, &v)| f(g as usize, v)),
        Some(n) => groups.iter().zip(vals.iter()).zip(n.iter()).for_each(|((&g, &v), ok)| {
            if ok {
                f(g as usize, v)
            }
        }),
    }
}

/// Like [`each_value`], stopping at the first error.
#[inline]
pub fn try_each_value<T: ArrowPrimitiveType>(
    a: &PrimitiveArray<T>,
    groups: &[u32],
    mut f: impl FnMut(usize, T::Native) -> Result<()>,
) -> Result<()> {
    let vals = a.values();
    match real_nulls(a) {
        None => groups.iter().zip(vals.iter()).try_for_each(|(&g, &v)| f(g as usize, v)),
        Some(n) => groups
            .iter()
            .zip(vals.iter())
            .zip(n.iter())
            .try_for_each(|((&g, &v), ok)| if ok { f(g as usize, v) } else { Ok(()) }),
    }
}

/// Validity from a "seen a value" flag per group (`None` when every group has one).
pub fn seen_nulls(seen: &[bool]) -> Option<NullBuffer> {
    if seen.iter().all(|&s| s) { None } else { Some(NullBuffer::from(seen.to_vec())) }
}

/// Row indices grouped by group, stable (input order within a group): group `g`'s rows are
/// `order[offsets[g]..offsets[g + 1]]`. `offsets` has `total + 1` entries.
pub fn bucket_by_group(groups: &[u32], total: usize) -> (Vec<usize>, Vec<u32>) {
    let mut offsets = vec![0usize; total + 1];
    for &g in groups {
        if let Some(c) = offsets.get_mut(g as usize + 1) {
            *c += 1;
        }
    }
    for i in 1..offsets.len() {
        let prev = offsets.get(i - 1).copied().unwrap_or(0);
        if let Some(c) = offsets.get_mut(i) {
            *c += prev;
        }
    }
    let mut next = offsets.clone();
    let mut order = vec![0u32; offsets.last().copied().unwrap_or(0)];
    for (i, &g) in groups.iter().enumerate() {
        if let Some(at) = next.get_mut(g as usize) {
            if let Some(slot) = order.get_mut(*at) {
                *slot = i as u32;
            }
            *at += 1;
        }
    }
    (offsets, order)
}

/// The slice of `order` holding group `g`'s rows.
pub fn group_slice<'a, T>(order: &'a [T], offsets: &[usize], g: usize) -> &'a [T] {
    let (Some(&a), Some(&b)) = (offsets.get(g), offsets.get(g + 1)) else { return &[] };
    order.get(a..b).unwrap_or(&[])
}

/// Mutable [`group_slice`].
pub fn group_slice_mut<'a, T>(order: &'a mut [T], offsets: &[usize], g: usize) -> &'a mut [T] {
    let (Some(&a), Some(&b)) = (offsets.get(g), offsets.get(g + 1)) else { return &mut [] };
    order.get_mut(a..b).unwrap_or(&mut [])
}

/// A float made canonical for comparing and hashing: `-0.0` as `0.0`, every NaN as the one
/// positive NaN (which sorts above every number, as DuckDB's NaN does).
#[inline]
pub fn canonical(v: f64) -> f64 {
    if v.is_nan() { f64::NAN } else { v + 0.0 }
}

/// Float columns with [`canonical`] values (other columns as they are), so that equal values
/// encode to equal row bytes.
pub fn canonical_floats(a: &ArrayRef) -> ArrayRef {
    use arrow_array::cast::AsArray;
    use arrow_array::types::{Float32Type, Float64Type};
    use arrow_schema::DataType;
    match a.data_type() {
        DataType::Float64 => std::sync::Arc::new(a.as_primitive::<Float64Type>().unary::<_, Float64Type>(canonical)),
        DataType::Float32 => std::sync::Arc::new(
            a.as_primitive::<Float32Type>().unary::<_, Float32Type>(|v| if v.is_nan() { f32::NAN } else { v + 0.0 }),
        ),
        _ => a.clone(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn buckets_keep_input_order_within_a_group() {
        let (offsets, order) = bucket_by_group(&[2, 0, 2, 1, 0], 4);
        assert_eq!(offsets, vec![0, 2, 3, 5, 5]);
        assert_eq!(order, vec![1, 4, 3, 0, 2]);
        assert_eq!(group_slice(&order, &offsets, 2), &[0, 2]);
        assert!(group_slice(&order, &offsets, 3).is_empty());
        assert!(group_slice(&order, &offsets, 9).is_empty());
    }

    #[test]
    fn canonical_floats_fold_zeros_and_nans() {
        assert_eq!(canonical(-0.0).to_bits(), 0.0f64.to_bits());
        assert_eq!(canonical(-f64::NAN).to_bits(), f64::NAN.to_bits());
    }
}
