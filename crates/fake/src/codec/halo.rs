//! Halo ids: `YYYYMMDDhhmmss` of the event followed by 35 lowercase hex digits (140 bits:
//! a 100-bit tag, then the 40-bit permuted index).

use super::IdError;
use crate::time::{Micros, compact_secs};

/// Tag bits of a Halo id: 140 − 40.
pub const TAG_BITS: u32 = 100;
const HEX: &[u8; 16] = b"0123456789abcdef";

/// The 49-character id of an event at time `t`.
pub fn encode(t: Micros, perm: u64, tag: u128) -> String {
    let mut s = compact_secs(t);
    for n in (0..25).rev() {
        s.push(HEX[((tag >> (n * 4)) & 0xF) as usize] as char);
    }
    for n in (0..10).rev() {
        s.push(HEX[((perm >> (n * 4)) & 0xF) as usize] as char);
    }
    s
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
