//! The per-event random stream: ChaCha8 keyed by `(seed, vendor)`, one stream per event index.
//!
//! ChaCha8 is a specified algorithm, so the stream is the same on every machine, thread and
//! build (unlike `StdRng`, whose algorithm may change between `rand` releases).

use eventmock_model::Vendor;
use rand::SeedableRng;
use rand_chacha::ChaCha8Rng;

use crate::mix::{below, mix64, subkey};

/// The 64-bit key of one vendor's dataset for one seed.
pub fn dataset_key(seed: u64, vendor: Vendor) -> u64 {
    mix64(seed ^ mix64(vendor.ordinal().wrapping_mul(0xA24B_AED4_963E_E407)))
}

/// A factory of per-event random streams for one dataset.
#[derive(Clone)]
pub struct StreamFactory {
    /// The ChaCha8 generator keyed by the dataset key; cloned and moved to a reserved stream
    /// for pools.
    proto: ChaCha8Rng,
    /// The same key as ChaCha key words, for the per-event streams.
    key: [u32; 8],
}

impl StreamFactory {
    /// Builds the factory for a dataset key (see [`dataset_key`]).
    pub fn new(key: u64) -> Self {
        let mut seed = [0u8; 32];
        for (n, chunk) in seed.chunks_exact_mut(8).enumerate() {
            chunk.copy_from_slice(&subkey(key, 100 + n as u64).to_le_bytes());
        }
        let mut words = [0u32; 8];
        for (w, chunk) in words.iter_mut().zip(seed.chunks_exact(4)) {
            *w = u32::from_le_bytes([chunk[0], chunk[1], chunk[2], chunk[3]]);
        }
        Self {
            proto: ChaCha8Rng::from_seed(seed),
            key: words,
        }
    }

    /// The random stream of event `index`: independent of every other index.
    ///
    /// This is the ChaCha8 stream `index` of the dataset's seed, word for word what
    /// `ChaCha8Rng::from_seed(seed)` moved by `set_stream(index)` yields (see the tests), but
    /// computed one 64-byte block at a time as draws need them rather than four blocks up
    /// front: most events use only a few words.
    #[inline]
    pub fn stream(&self, index: u64) -> EventRng {
        EventRng {
            key: self.key,
            stream: index,
            counter: 0,
            block: [0; BLOCK_WORDS],
            pos: BLOCK_WORDS,
        }
    }

    /// A stream reserved for building per-dataset pools (never used for an event).
    pub fn pool_stream(&self, pool: u64) -> ChaCha8Rng {
        let mut rng = self.proto.clone();
        rng.set_stream(u64::MAX - pool);
        rng
    }
}

/// Words in a ChaCha block.
const BLOCK_WORDS: usize = 16;
/// ChaCha8: four double rounds.
const DOUBLE_ROUNDS: usize = 4;
/// "expand 32-byte k".
const SIGMA: [u32; 4] = [0x6170_7865, 0x3320_646e, 0x7962_2d32, 0x6b20_6574];

#[inline(always)]
fn quarter(x: &mut [u32; BLOCK_WORDS], a: usize, b: usize, c: usize, d: usize) {
    x[a] = x[a].wrapping_add(x[b]);
    x[d] = (x[d] ^ x[a]).rotate_left(16);
    x[c] = x[c].wrapping_add(x[d]);
    x[b] = (x[b] ^ x[c]).rotate_left(12);
    x[a] = x[a].wrapping_add(x[b]);
    x[d] = (x[d] ^ x[a]).rotate_left(8);
    x[c] = x[c].wrapping_add(x[d]);
    x[b] = (x[b] ^ x[c]).rotate_left(7);
}

/// The ChaCha8 block `counter` of stream `stream` under `key` (64-bit counter in words 12–13,
/// 64-bit stream id in words 14–15, as `rand_chacha` lays them out).
#[inline]
fn chacha8_block(key: &[u32; 8], counter: u64, stream: u64) -> [u32; BLOCK_WORDS] {
    let input = [
        SIGMA[0],
        SIGMA[1],
        SIGMA[2],
        SIGMA[3],
        key[0],
        key[1],
        key[2],
        key[3],
        key[4],
        key[5],
        key[6],
        key[7],
        counter as u32,
        (counter >> 32) as u32,
        stream as u32,
        (stream >> 32) as u32,
    ];
    let mut x = input;
    for _ in 0..DOUBLE_ROUNDS {
        quarter(&mut x, 0, 4, 8, 12);
        quarter(&mut x, 1, 5, 9, 13);
        quarter(&mut x, 2, 6, 10, 14);
        quarter(&mut x, 3, 7, 11, 15);
        quarter(&mut x, 0, 5, 10, 15);
        quarter(&mut x, 1, 6, 11, 12);
        quarter(&mut x, 2, 7, 8, 13);
        quarter(&mut x, 3, 4, 9, 14);
    }
    for (o, i) in x.iter_mut().zip(input) {
        *o = o.wrapping_add(i);
    }
    x
}

/// The random stream of one event, with the few draws the generators need: ChaCha8 stream
/// `index` of the dataset's key, produced a block at a time.
pub struct EventRng {
    /// The ChaCha key (the dataset's seed as little-endian words).
    key: [u32; 8],
    /// The ChaCha stream id: the event index.
    stream: u64,
    /// The counter of the next block to compute.
    counter: u64,
    /// The current block's output words.
    block: [u32; BLOCK_WORDS],
    /// The next unused word of `block` (`BLOCK_WORDS` when it is used up).
    pos: usize,
}

impl EventRng {
    /// A raw 64-bit draw: the next two words of the stream, low word first (as
    /// `rand_chacha`'s `next_u64`).
    #[inline]
    pub fn next_u64(&mut self) -> u64 {
        // Every draw takes two words, so `pos` stays even and a draw never straddles blocks.
        if self.pos >= BLOCK_WORDS {
            self.block = chacha8_block(&self.key, self.counter, self.stream);
            self.counter = self.counter.wrapping_add(1);
            self.pos = 0;
        }
        let (lo, hi) = (self.block[self.pos], self.block[self.pos + 1]);
        self.pos += 2;
        (u64::from(hi) << 32) | u64::from(lo)
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

    /// The stream as a `rand_chacha` generator, at the same position (for `fake` generators,
    /// which take an `Rng`). Draws from it do not advance `self`.
    pub fn to_chacha(&self) -> ChaCha8Rng {
        let mut seed = [0u8; 32];
        for (chunk, w) in seed.chunks_exact_mut(4).zip(self.key) {
            chunk.copy_from_slice(&w.to_le_bytes());
        }
        let mut rng = ChaCha8Rng::from_seed(seed);
        rng.set_stream(self.stream);
        let used = if self.pos >= BLOCK_WORDS {
            self.counter * BLOCK_WORDS as u64
        } else {
            (self.counter - 1) * BLOCK_WORDS as u64 + self.pos as u64
        };
        rng.set_word_pos(u128::from(used));
        rng
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use rand::Rng;

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

    /// The block-at-a-time stream is exactly `rand_chacha`'s ChaCha8 stream.
    #[test]
    fn event_streams_are_rand_chacha_streams() {
        for key in [0, 7, dataset_key(7, Vendor::Halo), u64::MAX] {
            let f = StreamFactory::new(key);
            for index in [0, 1, 2, 3, 999, 1 << 32, (1 << 40) - 1, u64::MAX - 1000] {
                let mut reference = f.proto.clone();
                reference.set_stream(index);
                let mut ours = f.stream(index);
                for n in 0..200 {
                    assert_eq!(ours.next_u64(), reference.next_u64(), "{key} {index} {n}");
                    let mut resumed = ours.to_chacha();
                    let mut ahead = reference.clone();
                    assert_eq!(resumed.next_u64(), ahead.next_u64(), "{key} {index} {n}");
                }
            }
        }
    }
}
