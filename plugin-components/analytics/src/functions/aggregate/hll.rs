//! The HyperLogLog sketch behind `approx_count_distinct`: 2^12 one-byte registers (a standard
//! error of about 1.6%), estimated with Ertl's improved estimator ("New cardinality estimation
//! algorithms for HyperLogLog sketches", 2017), which needs no bias tables and is accurate from
//! small to large counts. Below [`SPARSE_LIMIT`] distinct hashes a group keeps the hashes
//! themselves, which both saves memory (most groups of a big grouping are small) and makes the
//! count exact there.
//!
//! Hashes are a fixed function of the value (no per-process seed), so sketches made by
//! different accumulators, sessions or instances merge. A sketch's estimate depends only on
//! the set of hashes it saw, so merging partial sketches gives exactly the single-pass estimate.

use crate::error::{AnalyticsError, Result};

/// Register index bits.
pub const P: u32 = 12;
/// Registers.
pub const M: usize = 1 << P;
/// Distinct hashes kept exactly before a sketch turns into registers (as many bytes as the
/// registers take).
pub const SPARSE_LIMIT: usize = M / 8;

/// The hash bits left after the register index.
const Q: u32 = 64 - P;

/// One group's sketch.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Sketch {
    /// The distinct hashes, sorted.
    Sparse(Vec<u64>),
    /// The registers.
    Dense(Box<[u8]>),
}

impl Default for Sketch {
    fn default() -> Self {
        Sketch::Sparse(Vec::new())
    }
}

/// A 64-bit mixer (MurmurHash3's finalizer): a bijection, so distinct `u64` values hash apart.
#[inline]
pub fn mix64(mut x: u64) -> u64 {
    x ^= x >> 33;
    x = x.wrapping_mul(0xff51_afd7_ed55_8ccd);
    x ^= x >> 33;
    x = x.wrapping_mul(0xc4ce_b9fe_1a85_ec53);
    x ^= x >> 33;
    x
}

const SEED: u64 = 0x9e37_79b9_7f4a_7c15;

/// The hash of a 64-bit value.
#[inline]
pub fn hash_u64(v: u64) -> u64 {
    mix64(v ^ SEED)
}

/// The hash of bytes: eight at a time through the mixer, then the length.
pub fn hash_bytes(b: &[u8]) -> u64 {
    let mut h = SEED;
    let mut chunks = b.chunks_exact(8);
    for c in &mut chunks {
        let mut w = [0u8; 8];
        w.copy_from_slice(c);
        h = mix64(h ^ u64::from_le_bytes(w)).wrapping_add(SEED);
    }
    let rest = chunks.remainder();
    if !rest.is_empty() {
        let mut w = [0u8; 8];
        if let Some(dst) = w.get_mut(..rest.len()) {
            dst.copy_from_slice(rest);
        }
        h = mix64(h ^ u64::from_le_bytes(w)).wrapping_add(SEED);
    }
    mix64(h ^ (b.len() as u64))
}

#[inline]
fn register_of(h: u64) -> (usize, u8) {
    let idx = (h >> Q) as usize;
    let w = h << P;
    // The position of the first 1 bit in the remaining Q bits, Q + 1 when there is none.
    let rho = if w == 0 { Q + 1 } else { (w.leading_zeros() + 1).min(Q + 1) };
    (idx, rho as u8)
}

fn dense_from(hashes: &[u64]) -> Box<[u8]> {
    let mut regs = vec![0u8; M].into_boxed_slice();
    for &h in hashes {
        set(&mut regs, h);
    }
    regs
}

#[inline]
fn set(regs: &mut [u8], h: u64) {
    let (i, r) = register_of(h);
    if let Some(slot) = regs.get_mut(i)
        && *slot < r
    {
        *slot = r;
    }
}

impl Sketch {
    /// Add a hash.
    #[inline]
    pub fn insert(&mut self, h: u64) {
        match self {
            Sketch::Dense(regs) => set(regs, h),
            Sketch::Sparse(v) => {
                if let Err(at) = v.binary_search(&h) {
                    v.insert(at, h);
                    if v.len() > SPARSE_LIMIT {
                        *self = Sketch::Dense(dense_from(v));
                    }
                }
            }
        }
    }

    /// Add another sketch's hashes.
    pub fn merge(&mut self, other: &Sketch) {
        match other {
            Sketch::Sparse(hs) => hs.iter().for_each(|&h| self.insert(h)),
            Sketch::Dense(theirs) => {
                if let Sketch::Sparse(hs) = self {
                    *self = Sketch::Dense(dense_from(hs));
                }
                if let Sketch::Dense(mine) = self {
                    mine.iter_mut().zip(theirs.iter()).for_each(|(a, b)| *a = (*a).max(*b));
                }
            }
        }
    }

    /// The estimated number of distinct values.
    pub fn estimate(&self) -> i64 {
        match self {
            Sketch::Sparse(v) => v.len() as i64,
            Sketch::Dense(regs) => estimate(regs).round() as i64,
        }
    }

    /// Bytes held on the heap.
    pub fn heap_size(&self) -> usize {
        match self {
            Sketch::Sparse(v) => v.capacity() * 8,
            Sketch::Dense(r) => r.len(),
        }
    }

    /// The sketch as bytes (a state value): a tag byte, then the hashes (little-endian) or the
    /// registers.
    pub fn to_bytes(&self) -> Vec<u8> {
        match self {
            Sketch::Sparse(v) => {
                let mut out = Vec::with_capacity(1 + v.len() * 8);
                out.push(0);
                v.iter().for_each(|h| out.extend_from_slice(&h.to_le_bytes()));
                out
            }
            Sketch::Dense(r) => {
                let mut out = Vec::with_capacity(1 + r.len());
                out.push(1);
                out.extend_from_slice(r);
                out
            }
        }
    }

    /// A sketch from [`Sketch::to_bytes`]; an empty value is an empty sketch.
    pub fn from_bytes(b: &[u8]) -> Result<Sketch> {
        let bad = || AnalyticsError::argument("an approx_count_distinct state is not a sketch this engine made");
        match b.split_first() {
            None => Ok(Sketch::default()),
            Some((0, rest)) if rest.len() % 8 == 0 && rest.len() / 8 <= SPARSE_LIMIT => {
                let mut v: Vec<u64> = rest
                    .chunks_exact(8)
                    .map(|c| {
                        let mut w = [0u8; 8];
                        w.copy_from_slice(c);
                        u64::from_le_bytes(w)
                    })
                    .collect();
                v.sort_unstable();
                v.dedup();
                Ok(Sketch::Sparse(v))
            }
            Some((1, rest)) if rest.len() == M && rest.iter().all(|&r| u32::from(r) <= Q + 1) => {
                Ok(Sketch::Dense(rest.into()))
            }
            _ => Err(bad()),
        }
    }
}

/// Ertl's improved raw estimator over the register histogram.
fn estimate(regs: &[u8]) -> f64 {
    let m = M as f64;
    let mut hist = [0u32; (Q + 2) as usize];
    for &r in regs {
        if let Some(c) = hist.get_mut(usize::from(r).min((Q + 1) as usize)) {
            *c += 1;
        }
    }
    let count = |k: u32| f64::from(hist.get(k as usize).copied().unwrap_or(0));
    let mut z = m * tau(1.0 - count(Q + 1) / m);
    for k in (1..=Q).rev() {
        z = 0.5 * (z + count(k));
    }
    z += m * sigma(count(0) / m);
    let alpha_inf = 1.0 / (2.0 * std::f64::consts::LN_2);
    alpha_inf * m * m / z
}

fn sigma(x: f64) -> f64 {
    if x == 1.0 {
        return f64::INFINITY;
    }
    let (mut x, mut y, mut z) = (x, 1.0, x);
    loop {
        x *= x;
        let prev = z;
        z += x * y;
        y += y;
        if z == prev {
            return z;
        }
    }
}

fn tau(x: f64) -> f64 {
    if x == 0.0 || x == 1.0 {
        return 0.0;
    }
    let (mut x, mut y, mut z) = (x, 1.0, 1.0 - x);
    loop {
        x = x.sqrt();
        let prev = z;
        y *= 0.5;
        z -= (1.0 - x) * (1.0 - x) * y;
        if z == prev {
            return z / 3.0;
        }
    }
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use super::*;

    fn sketch_of(n: u64) -> Sketch {
        let mut s = Sketch::default();
        for v in 0..n {
            s.insert(hash_u64(v));
            s.insert(hash_u64(v));
        }
        s
    }

    #[test]
    fn small_counts_are_exact() {
        assert_eq!(Sketch::default().estimate(), 0);
        assert_eq!(sketch_of(1).estimate(), 1);
        assert_eq!(sketch_of(SPARSE_LIMIT as u64).estimate(), SPARSE_LIMIT as i64);
    }

    #[test]
    fn large_counts_are_within_a_few_percent() {
        for n in [600u64, 1_000, 5_000, 20_000, 100_000, 1_000_000] {
            let e = sketch_of(n).estimate() as f64;
            let err = (e - n as f64).abs() / n as f64;
            assert!(err < 0.05, "{n}: {e} ({err})");
        }
    }

    #[test]
    fn merged_sketches_estimate_as_one() {
        let mut a = Sketch::default();
        let mut b = Sketch::default();
        let mut one = Sketch::default();
        for v in 0..3000u64 {
            let h = hash_u64(v % 2200);
            if v % 3 == 0 {
                a.insert(h)
            } else {
                b.insert(h)
            }
            one.insert(h);
        }
        let b = Sketch::from_bytes(&b.to_bytes()).unwrap();
        a.merge(&b);
        assert_eq!(a, one);
        assert_eq!(Sketch::from_bytes(&[]).unwrap(), Sketch::default());
        assert!(Sketch::from_bytes(&[7, 1]).is_err());
    }

    #[test]
    fn byte_hashes_differ_by_content_and_length() {
        assert_ne!(hash_bytes(b"a"), hash_bytes(b"a\0"));
        assert_ne!(hash_bytes(b""), hash_bytes(b"\0"));
        assert_ne!(hash_bytes(b"abcdefgh1"), hash_bytes(b"abcdefgh2"));
    }
}
