//! The per-event random stream: ChaCha8 keyed by `(seed, vendor)`, one stream per event index.
//!
//! ChaCha8 is a specified algorithm, so the stream is the same on every machine, thread and
//! build (unlike `StdRng`, whose algorithm may change between `rand` releases).

use eventmock_model::Vendor;
use rand::{Rng, SeedableRng};
use rand_chacha::ChaCha8Rng;

use crate::mix::{below, mix64, subkey};

/// The 64-bit key of one vendor's dataset for one seed.
pub fn dataset_key(seed: u64, vendor: Vendor) -> u64 {
    mix64(seed ^ mix64(vendor.ordinal().wrapping_mul(0xA24B_AED4_963E_E407)))
}

/// A factory of per-event random streams for one dataset.
#[derive(Clone)]
pub struct StreamFactory {
    /// The ChaCha8 generator keyed by the dataset key; cloned and moved to stream `i` per event.
    proto: ChaCha8Rng,
}

impl StreamFactory {
    /// Builds the factory for a dataset key (see [`dataset_key`]).
    pub fn new(key: u64) -> Self {
        let mut seed = [0u8; 32];
        for (n, chunk) in seed.chunks_exact_mut(8).enumerate() {
            chunk.copy_from_slice(&subkey(key, 100 + n as u64).to_le_bytes());
        }
        Self {
            proto: ChaCha8Rng::from_seed(seed),
        }
    }

    /// The random stream of event `index`: independent of every other index.
    pub fn stream(&self, index: u64) -> EventRng {
        let mut rng = self.proto.clone();
        rng.set_stream(index);
        EventRng { rng }
    }

    /// A stream reserved for building per-dataset pools (never used for an event).
    pub fn pool_stream(&self, pool: u64) -> ChaCha8Rng {
        let mut rng = self.proto.clone();
        rng.set_stream(u64::MAX - pool);
        rng
    }
}

/// The random stream of one event, with the few draws the generators need.
pub struct EventRng {
    /// The underlying ChaCha8 stream.
    rng: ChaCha8Rng,
}

impl EventRng {
    /// A raw 64-bit draw.
    #[inline]
    pub fn next_u64(&mut self) -> u64 {
        self.rng.next_u64()
    }

    /// A uniform draw in `0..n` (`n > 0`).
    #[inline]
    pub fn below(&mut self, n: u64) -> u64 {
        below(self.next_u64(), n)
    }

    /// A uniform draw in `lo..=hi`.
    #[inline]
    pub fn range(&mut self, lo: i64, hi: i64) -> i64 {
        lo + self.below((hi - lo + 1) as u64) as i64
    }

    /// `true` with probability `percent`/100.
    #[inline]
    pub fn chance(&mut self, percent: u64) -> bool {
        self.below(100) < percent
    }

    /// A uniformly chosen element of a non-empty slice.
    #[inline]
    pub fn pick<'a, T>(&mut self, items: &'a [T]) -> &'a T {
        &items[self.below(items.len() as u64) as usize]
    }

    /// Gives access to the ChaCha8 stream itself (for `fake` generators).
    pub fn inner(&mut self) -> &mut ChaCha8Rng {
        &mut self.rng
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn streams_are_reproducible_and_independent() {
        let f = StreamFactory::new(dataset_key(7, Vendor::Probely));
        let mut s1 = f.stream(3);
        let mut s2 = f.stream(3);
        let mut s3 = f.stream(4);
        let x = s1.next_u64();
        assert_eq!(x, s2.next_u64());
        assert_ne!(x, s3.next_u64());
        assert_ne!(
            dataset_key(7, Vendor::Probely),
            dataset_key(7, Vendor::Authentik)
        );
    }
}
