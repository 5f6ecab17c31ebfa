//! UUID-shaped ids: version 4 (authentik, Cloud Foundry) and a version 7 layout (InstaVM).

use super::{INDEX_BITS, IdError};
use uuid::Uuid;

/// Tag bits of a v4 id: 122 − 40.
pub const V4_TAG_BITS: u32 = 82;
/// Tag bits of a v7 id: 74 − 40 (the other 48 bits are the event's milliseconds).
pub const V7_TAG_BITS: u32 = 34;

const LOW62: u128 = (1 << 62) - 1;

fn to_string(u: u128) -> String {
    let mut out = String::with_capacity(uuid::fmt::Hyphenated::LENGTH);
    write(u, &mut out);
    out
}

/// Replaces `out` with the hyphenated lower-case form of `u` (reusing its allocation when it
/// is large enough).
fn write(u: u128, out: &mut String) {
    if out.capacity() < uuid::fmt::Hyphenated::LENGTH {
        *out = String::with_capacity(uuid::fmt::Hyphenated::LENGTH);
    }
    let mut buf = [0u8; uuid::fmt::Hyphenated::LENGTH];
    out.clear();
    out.push_str(Uuid::from_u128(u).hyphenated().encode_lower(&mut buf));
}

fn parse(id: &str) -> Result<u128, IdError> {
    if id.len() != uuid::fmt::Hyphenated::LENGTH {
        return Err(IdError::Malformed);
    }
    Uuid::try_parse(id)
        .map(|u| u.as_u128())
        .map_err(|_| IdError::Malformed)
}

/// Spreads 122 payload bits around the version nibble and variant bits.
fn deposit(version: u128, payload: u128) -> u128 {
    ((payload >> 74) << 80)
        | (version << 76)
        | (((payload >> 62) & 0xFFF) << 64)
        | (0b10 << 62)
        | (payload & LOW62)
}

fn extract(u: u128) -> (u128, u128) {
    let version = (u >> 76) & 0xF;
    let payload = ((u >> 80) << 74) | (((u >> 64) & 0xFFF) << 62) | (u & LOW62);
    (version, payload)
}

fn variant_ok(u: u128) -> bool {
    (u >> 62) & 0b11 == 0b10
}

/// A version 4 UUID carrying a permuted index and an 82-bit tag.
pub fn encode_v4(perm: u64, tag: u128) -> String {
    to_string(v4(perm, tag))
}

/// [`encode_v4`] into `out`, reusing its allocation.
pub fn encode_v4_into(perm: u64, tag: u128, out: &mut String) {
    write(v4(perm, tag), out);
}

fn v4(perm: u64, tag: u128) -> u128 {
    deposit(4, (tag << INDEX_BITS) | u128::from(perm))
}

/// The permuted index and tag of a v4 id.
pub fn decode_v4(id: &str) -> Result<(u64, u128), IdError> {
    let u = parse(id)?;
    let (version, payload) = extract(u);
    if version != 4 || !variant_ok(u) {
        return Err(IdError::Unknown);
    }
    Ok((
        (payload & ((1 << INDEX_BITS) - 1)) as u64,
        payload >> INDEX_BITS,
    ))
}

/// The milliseconds a v7 id carries for an event at Unix milliseconds `millis`: its 48-bit
/// field holds 1970 to year 10889, so earlier events carry 0 (and later ones the maximum).
/// Encoding and the decoder's time check both go through this, so every id decodes.
pub fn v7_millis(millis: i64) -> i64 {
    millis.clamp(0, (1 << 48) - 1)
}

/// A version 7 layout UUID: 48 bits of Unix milliseconds, then the permuted index and tag.
pub fn encode_v7(millis: i64, perm: u64, tag: u128) -> String {
    to_string(v7(millis, perm, tag))
}

/// [`encode_v7`] into `out`, reusing its allocation.
pub fn encode_v7_into(millis: i64, perm: u64, tag: u128, out: &mut String) {
    write(v7(millis, perm, tag), out);
}

fn v7(millis: i64, perm: u64, tag: u128) -> u128 {
    let ms = v7_millis(millis) as u128;
    let payload = (ms << 74) | (tag << INDEX_BITS) | u128::from(perm);
    deposit(7, payload)
}

/// The milliseconds, permuted index and tag of a v7 id.
pub fn decode_v7(id: &str) -> Result<(i64, u64, u128), IdError> {
    let u = parse(id)?;
    let (version, payload) = extract(u);
    if version != 7 || !variant_ok(u) {
        return Err(IdError::Unknown);
    }
    let ms = (payload >> 74) as i64;
    let rest = payload & ((1 << 74) - 1);
    Ok((
        ms,
        (rest & ((1 << INDEX_BITS) - 1)) as u64,
        rest >> INDEX_BITS,
    ))
}
