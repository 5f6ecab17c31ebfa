//! The journal's records copied out for other replicas (shared state, see
//! [`crate::shared::journal`]): an [`Export`] holds the records as the thread logs store them,
//! with each log's route labels, so the flusher neither decodes nor re-encodes a request;
//! [`Journal::import`] reads them back.

use std::sync::{Mutex, PoisonError};

use super::{Journal, JournalEntry, log};

/// Records copied out of a journal by [`Journal::export`], for another replica to read back
/// with [`Journal::import`]: per thread log, its route labels and its records as stored.
#[derive(Debug, Default, Clone, PartialEq, Eq)]
pub struct Export {
    /// How many records.
    pub count: usize,
    /// `u32` log count; per log: `u16` label count, each label (`u16` length, bytes), `u32`
    /// length of the records, the records (little-endian).
    pub bytes: Vec<u8>,
}

impl Journal {
    /// The records of ordinals `from..to` still kept (at most `capacity`), as stored.
    pub fn export(&self, from: u64, to: u64) -> Export {
        let from = from.max(to.saturating_sub(self.capacity as u64));
        let mut out = Export::default();
        out.bytes
            .extend_from_slice(&u32_of(self.logs.len()).to_le_bytes());
        let mut records = Vec::new();
        for log in &self.logs {
            let log = Self::lock(log);
            records.clear();
            out.count += log.copy_range(from, to, &mut records);
            let routes = log.routes();
            let labels = u16::try_from(routes.len()).unwrap_or(u16::MAX);
            out.bytes.extend_from_slice(&labels.to_le_bytes());
            for label in routes.iter().take(usize::from(labels)) {
                let len = label.len().min(usize::from(u16::MAX));
                out.bytes
                    .extend_from_slice(&u16::try_from(len).unwrap_or(u16::MAX).to_le_bytes());
                out.bytes.extend_from_slice(&label.as_bytes()[..len]);
            }
            out.bytes
                .extend_from_slice(&u32_of(records.len()).to_le_bytes());
            out.bytes.extend_from_slice(&records);
        }
        out
    }

    /// The entries of an [`Export`]'s bytes, oldest first per thread log (an export from
    /// another version or cut short yields what can be read). Route labels are interned
    /// ([`route_label`]).
    pub fn import(bytes: &[u8]) -> Vec<JournalEntry> {
        let mut entries = Vec::new();
        let mut at = 0;
        let take = |at: &mut usize, n: usize| -> Option<&[u8]> {
            let part = bytes.get(*at..at.checked_add(n)?)?;
            *at += n;
            Some(part)
        };
        let Some(logs) = take(&mut at, 4)
            .and_then(|b| b.try_into().ok())
            .map(u32::from_le_bytes)
        else {
            return entries;
        };
        for _ in 0..logs {
            let Some(labels) = take(&mut at, 2)
                .and_then(|b| b.try_into().ok())
                .map(u16::from_le_bytes)
            else {
                break;
            };
            let mut routes = Vec::with_capacity(usize::from(labels));
            for _ in 0..labels {
                let Some(len) = take(&mut at, 2)
                    .and_then(|b| b.try_into().ok())
                    .map(u16::from_le_bytes)
                else {
                    return entries;
                };
                let Some(label) = take(&mut at, usize::from(len)) else {
                    return entries;
                };
                routes.push(route_label(&String::from_utf8_lossy(label)));
            }
            let Some(len) = take(&mut at, 4)
                .and_then(|b| b.try_into().ok())
                .map(u32::from_le_bytes)
            else {
                break;
            };
            let Some(records) = take(&mut at, len as usize) else {
                break;
            };
            entries.extend(log::Log::decode_all(records, routes));
        }
        entries
    }

    /// How many entries are kept at most.
    pub fn capacity(&self) -> usize {
        self.capacity
    }

    /// Whether requests are recorded at all.
    pub fn enabled(&self) -> bool {
        self.capacity > 0
    }
}

fn u32_of(n: usize) -> u32 {
    u32::try_from(n).unwrap_or(u32::MAX)
}

/// Route labels read from other replicas, as `'static` strings: each distinct label is kept
/// once (at most [`ROUTE_LABELS`]; past that, `"other"`), so reading never grows memory
/// without bound.
pub fn route_label(label: &str) -> &'static str {
    static LABELS: Mutex<Vec<&'static str>> = Mutex::new(Vec::new());
    let mut labels = LABELS.lock().unwrap_or_else(PoisonError::into_inner);
    if let Some(known) = labels.iter().find(|l| **l == label) {
        return known;
    }
    if labels.len() >= ROUTE_LABELS {
        return "other";
    }
    let leaked: &'static str = Box::leak(label.to_owned().into_boxed_str());
    labels.push(leaked);
    leaked
}

/// How many distinct route labels [`route_label`] keeps.
pub const ROUTE_LABELS: usize = 256;

#[cfg(test)]
mod tests {
    use super::*;
    use crate::journal::tests::entry;

    #[test]
    fn an_export_reads_back_and_clears_are_counted() {
        let j = Journal::new(5);
        std::thread::scope(|scope| {
            for t in 0..3 {
                let j = &j;
                scope.spawn(move || {
                    for n in 0..4 {
                        j.push(entry(&format!("/t{t}/{n}")));
                    }
                });
            }
        });
        let (clears, next) = j.position();
        assert_eq!((clears, next), (0, 12));
        // Only what is still kept (the last 5) is exported.
        let export = j.export(0, next);
        assert_eq!(export.count, 5);
        let mut got: Vec<u64> = Journal::import(&export.bytes)
            .iter()
            .map(|e| e.ordinal)
            .collect();
        got.sort_unstable();
        assert_eq!(got, [7, 8, 9, 10, 11]);
        assert_eq!(j.export(10, next).count, 2);
        assert!(Journal::import(&export.bytes[..export.bytes.len() / 2]).len() < 5);
        assert!(Journal::import(b"").is_empty());
        j.clear();
        assert_eq!(j.position(), (1, 0));
        assert_eq!(route_label("events"), route_label(&String::from("events")));
    }
}
