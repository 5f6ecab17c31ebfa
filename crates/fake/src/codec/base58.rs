//! Probely ids: exactly 12 Base58 (Bitcoin alphabet) characters carrying 70 bits.

use super::{INDEX_BITS, IdError};

/// Tag bits of a Probely id: 70 − 40.
pub const TAG_BITS: u32 = 30;
const LEN: usize = 12;

/// Packs a permuted index and a tag into a 12-character Base58 id.
pub fn encode(perm: u64, tag: u128) -> String {
    let value = (tag << INDEX_BITS) | u128::from(perm);
    let bytes = value.to_be_bytes();
    let first = bytes.iter().position(|b| *b != 0).unwrap_or(bytes.len());
    let digits = bs58::encode(&bytes[first..]).into_string();
    let mut out = String::with_capacity(LEN);
    for _ in digits.len()..LEN {
        out.push('1');
    }
    out.push_str(&digits);
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
