//! [`MaybeHeld`]: which id hashes the extras of an overlay may have — a superset, so that a
//! bulk add of new ids (the usual case) learns that an id is free from one hash probe instead
//! of a walk down the persistent id index (several cache misses per level at millions of
//! extras). A hash it has is only a *maybe*: the caller then asks the id index.
//!
//! It is only ever added to (a removed or replaced extra leaves its hash behind, which costs one
//! index walk later, never a wrong answer) and goes back to the base's set on a restore.

use std::collections::HashSet;
use std::hash::{BuildHasherDefault, Hasher};

/// A [`Hasher`] for keys that are already well-mixed 64-bit hashes: it passes them through.
#[derive(Default)]
pub struct PassThrough(u64);

impl Hasher for PassThrough {
    fn finish(&self) -> u64 {
        self.0
    }

    fn write(&mut self, bytes: &[u8]) {
        // Only `write_u64` is used (the key is a `u64`); fold anything else in anyway.
        for &b in bytes {
            self.0 = self.0.rotate_left(8) ^ u64::from(b);
        }
    }

    fn write_u64(&mut self, n: u64) {
        self.0 = n;
    }
}

/// A superset of the id hashes of an overlay's extras (see the module doc).
#[derive(Clone, Default)]
pub struct MaybeHeld(HashSet<u64, BuildHasherDefault<PassThrough>>);

impl MaybeHeld {
    /// Whether an extra may have an id of this hash (`false`: certainly none has).
    pub fn may_hold(&self, hash: u64) -> bool {
        self.0.contains(&hash)
    }

    /// Notes that an extra may have an id of this hash.
    pub fn note(&mut self, hash: u64) {
        self.0.insert(hash);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_noted_hash_may_be_held_and_others_are_not() {
        let mut held = MaybeHeld::default();
        assert!(!held.may_hold(7));
        held.note(7);
        held.note(u64::MAX);
        assert!(held.may_hold(7) && held.may_hold(u64::MAX));
        assert!(!held.may_hold(8));
    }
}
