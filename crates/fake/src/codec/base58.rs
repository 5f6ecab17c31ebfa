//! Probely ids: exactly 12 Base58 (Bitcoin alphabet) characters carrying 70 bits.

use super::{INDEX_BITS, IdError};
use crate::time::ascii_string;

/// Tag bits of a Probely id: 70 − 40.
pub const TAG_BITS: u32 = 30;
const LEN: usize = 12;
/// The Bitcoin alphabet, as `bs58` uses it.
const ALPHABET: &[u8; 58] = b"123456789ABCDEFGHJKLMNPQRSTUVWXYZabcdefghijkmnopqrstuvwxyz";
/// 58^6: each half of the id holds six digits.
const HALF: u64 = 58u64.pow(6);

/// Packs a permuted index and a tag into a 12-character Base58 id.
///
/// The same text as `bs58` encoding the value's big-endian bytes without leading zero bytes
/// and left-padding with `1` (Base58's zero) to 12 characters: i.e. the value's 12 Base58
/// digits, most significant first (`value < 2^70 < 58^12`). Computed as two 6-digit halves in
/// 64-bit arithmetic rather than through `bs58`'s general big-number loop.
pub fn encode(perm: u64, tag: u128) -> String {
    ascii_string(&encode_bytes(perm, tag))
}

/// The 12 bytes of [`encode`]'s id.
#[inline]
pub fn encode_bytes(perm: u64, tag: u128) -> [u8; LEN] {
    let value = (tag << INDEX_BITS) | u128::from(perm);
    debug_assert!(value < u128::from(HALF) * u128::from(HALF));
    let (mut hi, mut lo) = (
        (value / u128::from(HALF)) as u64,
        (value % u128::from(HALF)) as u64,
    );
    let mut out = [b'1'; LEN];
    for n in (0..LEN / 2).rev() {
        out[n] = ALPHABET[(hi % 58) as usize];
        hi /= 58;
        out[n + LEN / 2] = ALPHABET[(lo % 58) as usize];
        lo /= 58;
    }
    out
}

/// Splits a 12-character Base58 id into permuted index and tag.
pub fn decode(id: &str) -> Result<(u64, u128), IdError> {
    if id.len() != LEN {
        return Err(IdError::Malformed);
    }
    let bytes = bs58::decode(id)
        .into_vec()
        .map_err(|_| IdError::Malformed)?;
    if bytes.len() > 16 {
        return Err(IdError::Malformed);
    }
    let mut buf = [0u8; 16];
    buf[16 - bytes.len()..].copy_from_slice(&bytes);
    let value = u128::from_be_bytes(buf);
    let perm = (value & ((1u128 << INDEX_BITS) - 1)) as u64;
    let tag = value >> INDEX_BITS;
    if tag >> TAG_BITS != 0 {
        return Err(IdError::Unknown);
    }
    Ok((perm, tag))
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The former `bs58`-based encoding, kept as the reference.
    fn reference(perm: u64, tag: u128) -> String {
        let value = (tag << INDEX_BITS) | u128::from(perm);
        let bytes = value.to_be_bytes();
        let first = bytes.iter().position(|b| *b != 0).unwrap_or(bytes.len());
        let digits = bs58::encode(&bytes[first..]).into_string();
        format!("{}{digits}", "1".repeat(LEN - digits.len()))
    }

    #[test]
    fn matches_bs58() {
        let max_perm = (1u64 << INDEX_BITS) - 1;
        let max_tag = (1u128 << TAG_BITS) - 1;
        for (perm, tag) in [
            (0, 0),
            (1, 0),
            (57, 0),
            (58, 0),
            (max_perm, 0),
            (0, 1),
            (max_perm, max_tag),
        ] {
            assert_eq!(encode(perm, tag), reference(perm, tag));
        }
        let mut x = 1u64;
        for _ in 0..100_000 {
            x = crate::mix::mix64(x);
            let (perm, tag) = (x & max_perm, u128::from(x >> 34) & max_tag);
            assert_eq!(encode(perm, tag), reference(perm, tag), "{perm} {tag}");
            assert_eq!(decode(&encode(perm, tag)), Ok((perm, tag)));
        }
    }
}
