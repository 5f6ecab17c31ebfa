//! Halo ids: `YYYYMMDDhhmmss` of the event followed by 35 lowercase hex digits (140 bits:
//! a 100-bit tag, then the 40-bit permuted index).

use super::IdError;
use crate::time::{Civil, ascii_string, compact_secs_bytes};

/// Tag bits of a Halo id: 140 − 40.
pub const TAG_BITS: u32 = 100;
const HEX: &[u8; 16] = b"0123456789abcdef";

/// Length of a Halo id.
pub const LEN: usize = 49;

/// The 49 bytes of the id of an event at `time` (already broken down).
#[inline]
pub fn encode_bytes(time: &Civil, perm: u64, tag: u128) -> [u8; LEN] {
    let mut b = [0u8; LEN];
    b[..14].copy_from_slice(&compact_secs_bytes(time));
    // 25 hex digits of the tag: its top 36 bits, then its low 64 bits.
    let (hi, lo) = ((tag >> 64) as u64, tag as u64);
    for (n, slot) in b[14..23].iter_mut().enumerate() {
        *slot = HEX[((hi >> (32 - 4 * n)) & 0xF) as usize];
    }
    for (n, slot) in b[23..39].iter_mut().enumerate() {
        *slot = HEX[((lo >> (60 - 4 * n)) & 0xF) as usize];
    }
    for (n, slot) in b[39..].iter_mut().enumerate() {
        *slot = HEX[((perm >> (36 - 4 * n)) & 0xF) as usize];
    }
    b
}

/// The 49-character id of an event at `time` (already broken down).
pub fn encode(time: &Civil, perm: u64, tag: u128) -> String {
    ascii_string(&encode_bytes(time, perm, tag))
}

/// The timestamp text, permuted index and tag of a Halo id.
pub fn decode(id: &str) -> Result<(String, u64, u128), IdError> {
    let b = id.as_bytes();
    if b.len() != 49 || !b[..14].iter().all(u8::is_ascii_digit) {
        return Err(IdError::Malformed);
    }
    let mut tag = 0u128;
    let mut perm = 0u64;
    for (n, c) in b[14..].iter().enumerate() {
        let v = match c {
            b'0'..=b'9' => c - b'0',
            b'a'..=b'f' => c - b'a' + 10,
            _ => return Err(IdError::Malformed),
        };
        if n < 25 {
            tag = (tag << 4) | u128::from(v);
        } else {
            perm = (perm << 4) | u64::from(v);
        }
    }
    Ok((id[..14].to_owned(), perm, tag))
}
