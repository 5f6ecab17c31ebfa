//! A keyed Feistel bijection over [`INDEX_BITS`]-bit integers.

use crate::mix::mix64;

/// Bits of index space every id format carries: datasets hold at most 2^40 (≈ 1.1 × 10¹²) events.
pub const INDEX_BITS: u32 = 40;
/// The exclusive upper bound of a dataset index.
pub const MAX_INDEX: u64 = 1 << INDEX_BITS;

const HALF: u32 = INDEX_BITS / 2;
const HALF_MASK: u64 = (1 << HALF) - 1;
const ROUNDS: u64 = 6;

/// A balanced 6-round Feistel network on 40 bits, keyed per dataset.
#[derive(Debug, Clone, Copy)]
pub struct Feistel {
    /// The permutation key.
    key: u64,
}

impl Feistel {
    /// A permutation for `key`.
    pub fn new(key: u64) -> Self {
        Self { key }
    }

    #[inline]
    fn round(&self, r: u64, half: u64) -> u64 {
        mix64(self.key ^ (r << 48) ^ half) & HALF_MASK
    }

    /// Maps `x < 2^40` to a scrambled value `< 2^40`.
    #[inline]
    pub fn permute(&self, x: u64) -> u64 {
        let (mut l, mut r) = ((x >> HALF) & HALF_MASK, x & HALF_MASK);
        for n in 0..ROUNDS {
            let t = l ^ self.round(n, r);
            l = r;
            r = t;
        }
        (l << HALF) | r
    }

    /// The inverse of [`Feistel::permute`].
    #[inline]
    pub fn unpermute(&self, y: u64) -> u64 {
        let (mut l, mut r) = ((y >> HALF) & HALF_MASK, y & HALF_MASK);
        for n in (0..ROUNDS).rev() {
            let t = r ^ self.round(n, l);
            r = l;
            l = t;
        }
        (l << HALF) | r
    }
}
