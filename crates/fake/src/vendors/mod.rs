//! One generator per vendor. Each builds coherent events (fields that agree with each other)
//! from the shared pools and the event's random stream.

pub mod authentik;
pub mod cf;
pub mod halo;
pub mod instavm;
pub mod probely;
mod reuse;

pub use authentik::AuthentikGen;
pub use cf::CfGen;
pub use halo::HaloGen;
pub use instavm::InstavmGen;
pub use probely::ProbelyGen;

#[cfg(test)]
mod tests;

use self::reuse::put_str;
use crate::rng::EventRng;
use crate::time::{ascii_string, put_ascii};

const BASE58: &[u8; 58] = b"123456789ABCDEFGHJKLMNPQRSTUVWXYZabcdefghijkmnopqrstuvwxyz";

/// A random 12-character Base58 id (for nested objects, which no dataset needs to decode).
/// Six digits come from each of two 64-bit draws (58^6 < 2^64), avoiding 128-bit division.
pub(crate) fn base58_id(rng: &mut EventRng) -> String {
    ascii_string(&base58_id_bytes(rng))
}

/// [`base58_id`] into `out` (its previous content replaced, its allocation reused).
pub(crate) fn base58_id_into(rng: &mut EventRng, out: &mut String) {
    put_ascii(out, &base58_id_bytes(rng));
}

fn base58_id_bytes(rng: &mut EventRng) -> [u8; 12] {
    let mut out = [0u8; 12];
    for half in out.chunks_exact_mut(6) {
        let mut v = rng.next_u64();
        for slot in half.iter_mut() {
            *slot = BASE58[(v % 58) as usize];
            v /= 58;
        }
    }
    out
}

/// A random lower-case hyphenated UUID v4 (for nested objects).
pub(crate) fn uuid4(rng: &mut EventRng) -> String {
    let raw = (u128::from(rng.next_u64()) << 64) | u128::from(rng.next_u64());
    let mut buf = [0u8; uuid::fmt::Hyphenated::LENGTH];
    uuid::Builder::from_random_bytes(raw.to_be_bytes())
        .into_uuid()
        .hyphenated()
        .encode_lower(&mut buf)
        .to_owned()
}

/// [`uuid4`] into `out` (its previous content replaced, its allocation reused).
pub(crate) fn uuid4_into(rng: &mut EventRng, out: &mut String) {
    let raw = (u128::from(rng.next_u64()) << 64) | u128::from(rng.next_u64());
    let mut buf = [0u8; uuid::fmt::Hyphenated::LENGTH];
    let text = uuid::Builder::from_random_bytes(raw.to_be_bytes())
        .into_uuid()
        .hyphenated()
        .encode_lower(&mut buf);
    put_str(out, text);
}

/// 32 random lower-case hex digits (a UUID without hyphens, as Django's `uuid.hex`).
pub(crate) fn hex32(rng: &mut EventRng) -> String {
    ascii_string(&hex32_bytes(rng))
}

/// [`hex32`] into `out` (its previous content replaced, its allocation reused).
pub(crate) fn hex32_into(rng: &mut EventRng, out: &mut String) {
    put_ascii(out, &hex32_bytes(rng));
}

/// The bytes of [`hex32`].
pub(crate) fn hex32_bytes(rng: &mut EventRng) -> [u8; 32] {
    let hi = rng.next_u64();
    crate::mix::hex32(hi, rng.next_u64())
}
