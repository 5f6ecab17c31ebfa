//! Id codecs: index ↔ id in each vendor's real id format.
//!
//! An id carries `permute(index)` (a keyed Feistel bijection over [`INDEX_BITS`] bits, so ids
//! look random yet decode without any table) and a keyed tag of the index filling the rest of
//! the format's bits. Decoding inverts the permutation and checks the tag, so a well-formed id
//! that this dataset did not produce (say a random UUID) is rejected with probability
//! 1 − 2^-tag_bits. This is what lets a dataset of 10⁹ events cost no memory.

mod base58;
mod feistel;
mod halo;
mod uuid_ids;

pub use feistel::{Feistel, INDEX_BITS, MAX_INDEX};

use crate::mix::{mix64, subkey};
use crate::time::{Civil, TimeAxis, compact_secs_bytes, put_ascii};

/// The id format of a vendor.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum IdFormat {
    /// 12 Base58 characters (Probely), about 70 bits.
    Base58x12,
    /// A random (version 4) UUID, 122 bits (authentik, Cloud Foundry).
    UuidV4,
    /// A time-ordered UUID (version 7 layout: milliseconds of the event, then 74 bits) (InstaVM).
    UuidV7,
    /// `YYYYMMDDhhmmss` of the event + 35 lowercase hex digits, 49 characters (Halo).
    HaloTimestampHex,
}

/// Why an id did not resolve to an index.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
pub enum IdError {
    /// The text is not in the vendor's id format at all.
    #[error("malformed id")]
    Malformed,
    /// Well-formed, but this dataset did not produce it (wrong tag, index out of range, or a
    /// timestamp that does not match the event).
    #[error("unknown id")]
    Unknown,
}

/// Encodes and decodes the ids of one dataset.
#[derive(Debug, Clone)]
pub struct IdCodec {
    /// The vendor's id format.
    format: IdFormat,
    /// The keyed permutation of indices.
    feistel: Feistel,
    /// Two keys for the tag hash.
    tag_keys: [u64; 2],
    /// The dataset's time axis (for formats that embed the event time).
    axis: TimeAxis,
    /// Key of the per-index jitter, shared with the generator so that id time = event time.
    jitter_key: u64,
}

impl IdCodec {
    /// A codec for a dataset key, an id format and the dataset's time axis.
    pub fn new(key: u64, format: IdFormat, axis: TimeAxis) -> Self {
        Self {
            format,
            feistel: Feistel::new(subkey(key, 1)),
            tag_keys: [subkey(key, 2), subkey(key, 3)],
            axis,
            jitter_key: subkey(key, 4),
        }
    }

    /// The id format.
    pub fn format(&self) -> IdFormat {
        self.format
    }

    /// The time of event `index` in microseconds: the one place both ids and events take it from.
    #[inline]
    pub fn time_of(&self, index: u64) -> i64 {
        self.axis.at(index, mix64(self.jitter_key ^ index))
    }

    /// The dataset's time axis.
    pub fn axis(&self) -> &TimeAxis {
        &self.axis
    }

    /// Lets the axis grow past its base region by `arrivals` (see [`TimeAxis::arrivals`]).
    pub fn set_arrivals(&mut self, arrivals: Option<crate::time::Arrivals>) {
        self.axis.arrivals = arrivals;
    }

    /// The id of event `index` (`index < MAX_INDEX`).
    pub fn encode(&self, index: u64) -> String {
        let perm = self.feistel.permute(index);
        match self.format {
            IdFormat::Base58x12 => base58::encode(perm, self.tag(index, base58::TAG_BITS)),
            IdFormat::UuidV4 => uuid_ids::encode_v4(perm, self.tag(index, uuid_ids::V4_TAG_BITS)),
            IdFormat::UuidV7 => uuid_ids::encode_v7(
                self.time_of(index).div_euclid(1000),
                perm,
                self.tag(index, uuid_ids::V7_TAG_BITS),
            ),
            IdFormat::HaloTimestampHex => halo::encode(
                &Civil::from_micros(self.time_of(index)),
                perm,
                self.tag(index, halo::TAG_BITS),
            ),
        }
    }

    /// [`IdCodec::encode`] into `out` (its previous content replaced, its allocation reused).
    pub fn encode_into(&self, index: u64, out: &mut String) {
        let perm = self.feistel.permute(index);
        match self.format {
            IdFormat::Base58x12 => put_ascii(
                out,
                &base58::encode_bytes(perm, self.tag(index, base58::TAG_BITS)),
            ),
            IdFormat::UuidV4 => {
                uuid_ids::encode_v4_into(perm, self.tag(index, uuid_ids::V4_TAG_BITS), out);
            }
            IdFormat::UuidV7 => uuid_ids::encode_v7_into(
                self.time_of(index).div_euclid(1000),
                perm,
                self.tag(index, uuid_ids::V7_TAG_BITS),
                out,
            ),
            IdFormat::HaloTimestampHex => put_ascii(
                out,
                &halo::encode_bytes(
                    &Civil::from_micros(self.time_of(index)),
                    perm,
                    self.tag(index, halo::TAG_BITS),
                ),
            ),
        }
    }

    /// The id of event `index`, given its time already broken down (which must be
    /// `Civil::from_micros(self.time_of(index))`): saves a generator that formats the same
    /// instant itself from computing it twice. Equal to [`IdCodec::encode`].
    pub fn encode_at(&self, index: u64, time: &Civil) -> String {
        let mut out = String::new();
        self.encode_at_into(index, time, &mut out);
        out
    }

    /// [`IdCodec::encode_at`] into `out` (its previous content replaced, its allocation
    /// reused).
    pub fn encode_at_into(&self, index: u64, time: &Civil, out: &mut String) {
        debug_assert_eq!(time.to_micros(), self.time_of(index));
        match self.format {
            IdFormat::HaloTimestampHex => put_ascii(
                out,
                &halo::encode_bytes(
                    time,
                    self.feistel.permute(index),
                    self.tag(index, halo::TAG_BITS),
                ),
            ),
            _ => self.encode_into(index, out),
        }
    }

    /// The id of `index` for an event that happened at `time` (Unix microseconds) rather than
    /// at `time_of(index)`: ids of events added beside the dataset (indices past its end) carry
    /// their own event's time (Halo's `YYYYMMDDhhmmss`, UUID v7 milliseconds). Equal to
    /// [`IdCodec::encode`] for formats without a time part.
    pub fn encode_at_time(&self, index: u64, time: i64) -> String {
        let perm = self.feistel.permute(index);
        match self.format {
            IdFormat::UuidV7 => uuid_ids::encode_v7(
                time.div_euclid(1000),
                perm,
                self.tag(index, uuid_ids::V7_TAG_BITS),
            ),
            IdFormat::HaloTimestampHex => halo::encode(
                &Civil::from_micros(time),
                perm,
                self.tag(index, halo::TAG_BITS),
            ),
            IdFormat::Base58x12 | IdFormat::UuidV4 => self.encode(index),
        }
    }

    /// The index of `id`, if this dataset (of `len` events) produced it.
    pub fn decode(&self, id: &str, len: u64) -> Result<u64, IdError> {
        let (perm, tag, time) = match self.format {
            IdFormat::Base58x12 => {
                let (p, t) = base58::decode(id)?;
                (p, t, None)
            }
            IdFormat::UuidV4 => {
                let (p, t) = uuid_ids::decode_v4(id)?;
                (p, t, None)
            }
            IdFormat::UuidV7 => {
                let (ms, p, t) = uuid_ids::decode_v7(id)?;
                (p, t, Some(TimeCheck::Millis(ms)))
            }
            IdFormat::HaloTimestampHex => {
                let (secs, p, t) = halo::decode(id)?;
                (p, t, Some(TimeCheck::Compact(secs)))
            }
        };
        let index = self.feistel.unpermute(perm);
        if index >= len {
            return Err(IdError::Unknown);
        }
        let bits = match self.format {
            IdFormat::Base58x12 => base58::TAG_BITS,
            IdFormat::UuidV4 => uuid_ids::V4_TAG_BITS,
            IdFormat::UuidV7 => uuid_ids::V7_TAG_BITS,
            IdFormat::HaloTimestampHex => halo::TAG_BITS,
        };
        if self.tag(index, bits) != tag {
            return Err(IdError::Unknown);
        }
        let t = self.time_of(index);
        let time_ok = match time {
            None => true,
            Some(TimeCheck::Millis(ms)) => ms == uuid_ids::v7_millis(t.div_euclid(1000)),
            Some(TimeCheck::Compact(text)) => {
                text.as_bytes() == compact_secs_bytes(&Civil::from_micros(t))
            }
        };
        if time_ok {
            Ok(index)
        } else {
            Err(IdError::Unknown)
        }
    }

    /// The keyed tag of `index`, truncated to `bits` (≤ 128).
    #[inline]
    fn tag(&self, index: u64, bits: u32) -> u128 {
        let hi = mix64(self.tag_keys[0] ^ index);
        let lo = mix64(self.tag_keys[1] ^ index.rotate_left(17));
        let full = (u128::from(hi) << 64) | u128::from(lo);
        if bits >= 128 {
            full
        } else {
            full & ((1u128 << bits) - 1)
        }
    }
}

/// The time an id embeds, checked against the event's own time.
enum TimeCheck {
    /// Unix milliseconds (UUID v7 layout).
    Millis(i64),
    /// `YYYYMMDDhhmmss` text (Halo).
    Compact(String),
}

#[cfg(test)]
mod tests;
