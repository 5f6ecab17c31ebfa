//! Small, portable integer mixing functions (SplitMix64 finaliser) used to derive keys,
//! Feistel round values and id tags. Defined here so that their output never depends on
//! a dependency's version: ids must stay stable forever.

/// The SplitMix64 finaliser: a bijective, well-distributed scramble of a `u64`.
#[inline]
pub const fn mix64(mut z: u64) -> u64 {
    z = z.wrapping_add(0x9E37_79B9_7F4A_7C15);
    z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
    z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
    z ^ (z >> 31)
}

/// Derives the `n`-th 64-bit sub-key of `key` (distinct `n` give independent-looking keys).
#[inline]
pub const fn subkey(key: u64, n: u64) -> u64 {
    mix64(key ^ mix64(n.wrapping_mul(0xD6E8_FEB8_6659_FD93)))
}

/// A uniform draw in `0..n` from a 64-bit value (Lemire's multiply-shift; `n > 0`).
/// Written here rather than taken from `rand` so that the mapping never changes.
#[inline]
pub const fn below(x: u64, n: u64) -> u64 {
    ((x as u128 * n as u128) >> 64) as u64
}

/// The 32 lower-case hex digits of `hi` then `lo` (a 128-bit value, most significant first).
#[inline]
pub fn hex32(hi: u64, lo: u64) -> [u8; 32] {
    const HEX: &[u8; 16] = b"0123456789abcdef";
    let mut out = [0u8; 32];
    for (half, word) in out.chunks_exact_mut(16).zip([hi, lo]) {
        for (n, digit) in half.iter_mut().enumerate() {
            *digit = HEX[((word >> (60 - 4 * n)) & 0xF) as usize];
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn mix_is_pinned() {
        // Pinned values: changing these changes every id ever served.
        assert_eq!(mix64(0), 0xE220_A839_7B1D_CDAF);
        assert_ne!(subkey(1, 0), subkey(1, 1));
        assert_eq!(below(u64::MAX, 10), 9);
        assert_eq!(below(0, 10), 0);
        assert_eq!(
            &hex32(0x0123_4567_89ab_cdef, u64::MAX),
            b"0123456789abcdefffffffffffffffff"
        );
    }
}
