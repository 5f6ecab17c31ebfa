//! The ledger's deltas as bytes, for replicas that share it through Redis
//! ([`crate::shared::ledger`]): what one client was served in one batch, as a [`ClientLog`]
//! (served, served again within the batch, extras with counts) whose index sets are written as
//! **runs** — `(gap from the previous run's end, length − 1)` as LEB128 varints — never as
//! bitmaps at raw offsets, so an index near 2⁴⁰ costs a few bytes and a page walk of 1,000
//! events one run (indices below 2⁶⁴ − 1, as every dataset's are).
//!
//! A delta is `varint(payload length) payload`, so deltas appended one after another (Redis
//! `APPEND`) read back in order; merging them with [`ClientLog::merge`] gives what the whole
//! cluster served (served once, served again, extras counted), because each batch holds every
//! serve exactly once.

use roaring::RoaringTreemap;

use super::ClientLog;

/// Why bytes are not a delta.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum DeltaError {
    /// The bytes end inside a delta.
    #[error("ledger delta: the bytes end inside a delta (at byte {0})")]
    Truncated(usize),
    /// A value does not fit (a run past 2⁶⁴, a varint longer than 10 bytes).
    #[error("ledger delta: a value out of range at byte {0}")]
    OutOfRange(usize),
    /// An extra's id is not UTF-8.
    #[error("ledger delta: an extra's id is not UTF-8 (at byte {0})")]
    NotUtf8(usize),
}

fn put_varint(out: &mut Vec<u8>, mut v: u64) {
    while v >= 0x80 {
        out.push((v as u8) | 0x80);
        v >>= 7;
    }
    out.push(v as u8);
}

/// A cursor over delta bytes.
struct Reader<'a> {
    bytes: &'a [u8],
    at: usize,
}

impl Reader<'_> {
    fn varint(&mut self) -> Result<u64, DeltaError> {
        let mut v = 0u64;
        for shift in (0..70).step_by(7) {
            let Some(&b) = self.bytes.get(self.at) else {
                return Err(DeltaError::Truncated(self.at));
            };
            self.at += 1;
            if shift == 63 && b > 1 {
                return Err(DeltaError::OutOfRange(self.at - 1));
            }
            v |= u64::from(b & 0x7f) << shift;
            if b < 0x80 {
                return Ok(v);
            }
        }
        Err(DeltaError::OutOfRange(self.at))
    }

    fn take(&mut self, n: u64) -> Result<&[u8], DeltaError> {
        let end = usize::try_from(n)
            .ok()
            .and_then(|n| self.at.checked_add(n))
            .filter(|end| *end <= self.bytes.len())
            .ok_or(DeltaError::Truncated(self.at))?;
        let out = &self.bytes[self.at..end];
        self.at = end;
        Ok(out)
    }

    fn set(&mut self) -> Result<RoaringTreemap, DeltaError> {
        let mut set = RoaringTreemap::new();
        let runs = self.varint()?;
        let mut end = 0u64;
        for _ in 0..runs {
            let at = self.at;
            let start = end
                .checked_add(self.varint()?)
                .ok_or(DeltaError::OutOfRange(at))?;
            end = start
                .checked_add(self.varint()?)
                .and_then(|last| last.checked_add(1))
                .ok_or(DeltaError::OutOfRange(at))?;
            set.insert_range(start..end);
        }
        Ok(set)
    }
}

/// Writes `set` as runs.
fn put_set(out: &mut Vec<u8>, set: &RoaringTreemap) {
    let mut runs: Vec<(u64, u64)> = Vec::new();
    for i in set {
        match runs.last_mut() {
            Some((_, end)) if *end == i => *end = i.saturating_add(1),
            _ => runs.push((i, i.saturating_add(1))),
        }
    }
    put_varint(out, runs.len() as u64);
    let mut end = 0;
    for (start, stop) in runs {
        put_varint(out, start - end);
        put_varint(out, stop - start - 1);
        end = stop;
    }
}

/// Appends `log` (one batch) to `out` as one delta.
pub fn encode(log: &ClientLog, out: &mut Vec<u8>) {
    let mut payload = Vec::new();
    put_set(&mut payload, &log.served);
    put_set(&mut payload, &log.again);
    put_varint(&mut payload, log.extras.len() as u64);
    for (id, n) in &log.extras {
        put_varint(&mut payload, id.len() as u64);
        payload.extend_from_slice(id.as_bytes());
        put_varint(&mut payload, *n);
    }
    put_varint(out, payload.len() as u64);
    out.extend_from_slice(&payload);
}

/// Merges every delta in `bytes` (deltas appended one after another) into `into`.
pub fn decode_into(bytes: &[u8], into: &mut ClientLog) -> Result<(), DeltaError> {
    let mut r = Reader { bytes, at: 0 };
    while r.at < bytes.len() {
        let len = r.varint()?;
        let start = r.at;
        let payload = r.take(len)?;
        let mut inner = Reader {
            bytes: payload,
            at: 0,
        };
        let shift = |e: DeltaError| match e {
            DeltaError::Truncated(n) => DeltaError::Truncated(start + n),
            DeltaError::OutOfRange(n) => DeltaError::OutOfRange(start + n),
            DeltaError::NotUtf8(n) => DeltaError::NotUtf8(start + n),
        };
        let mut batch = ClientLog {
            served: inner.set().map_err(shift)?,
            again: inner.set().map_err(shift)?,
            ..ClientLog::default()
        };
        let extras = inner.varint().map_err(shift)?;
        for _ in 0..extras {
            let n = inner.varint().map_err(shift)?;
            let at = inner.at;
            let id = std::str::from_utf8(inner.take(n).map_err(shift)?)
                .map_err(|_| DeltaError::NotUtf8(start + at))?
                .to_owned();
            let count = inner.varint().map_err(shift)?;
            *batch.extras.entry(id).or_default() += count;
        }
        into.merge(&batch);
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::ledger::Notes;

    fn batch(indices: &[u64], extras: &[&str]) -> ClientLog {
        let mut log = ClientLog::default();
        log.record(&Notes {
            indices: indices.to_vec(),
            extras: extras.iter().map(|s| (*s).to_owned()).collect(),
        });
        log
    }

    #[test]
    fn deltas_round_trip_and_merge_like_the_local_ledger() {
        let a = batch(&[1, 2, 3, 3, 1 << 40, (1 << 40) + 1], &["x", "x", "y"]);
        let b = batch(&[3, 4, 1 << 62], &["y"]);
        let mut bytes = Vec::new();
        encode(&a, &mut bytes);
        encode(&b, &mut bytes);
        let mut got = ClientLog::default();
        decode_into(&bytes, &mut got).unwrap();
        let mut want = a.clone();
        want.merge(&b);
        assert_eq!(got.served, want.served);
        assert_eq!(got.again.iter().collect::<Vec<_>>(), [3]);
        assert_eq!(got.extras, want.extras);
        assert_eq!(got.extras["x"], 2);
    }

    #[test]
    fn a_walk_is_a_run_of_a_few_bytes_even_near_two_to_the_forty() {
        let walk = batch(
            &((1u64 << 40)..(1u64 << 40) + 1000).collect::<Vec<_>>(),
            &[],
        );
        let mut bytes = Vec::new();
        encode(&walk, &mut bytes);
        assert!(bytes.len() < 16, "{} bytes", bytes.len());
    }

    #[test]
    fn broken_bytes_are_errors_naming_the_byte() {
        let mut bytes = Vec::new();
        encode(&batch(&[5, 9], &["id"]), &mut bytes);
        for cut in 1..bytes.len() {
            let mut log = ClientLog::default();
            assert!(
                decode_into(&bytes[..cut], &mut log).is_err(),
                "cut at {cut}"
            );
        }
        let mut log = ClientLog::default();
        assert_eq!(
            decode_into(&[0xff; 11], &mut log),
            Err(DeltaError::OutOfRange(9))
        );
        // A run past 2⁶⁴.
        let mut bad = Vec::new();
        let mut payload = Vec::new();
        put_varint(&mut payload, 2);
        put_varint(&mut payload, u64::MAX);
        put_varint(&mut payload, 0);
        put_varint(&mut payload, 5);
        put_varint(&mut payload, 0);
        put_varint(&mut bad, payload.len() as u64);
        bad.extend_from_slice(&payload);
        assert!(matches!(
            decode_into(&bad, &mut log),
            Err(DeltaError::OutOfRange(_))
        ));
    }
}
