//! Which scenario rules shaped an answer, as the journal keeps it: the override or sequence
//! that matched (by name), the sequence step, the faults that acted, and whether a `body:`
//! condition met a body that is not JSON.
//!
//! A request records [`RecordMatch::Rules`]: indices into the world's [`Rules`], turned into
//! names only while the record is written into the journal's log (copied there, so a later
//! scenario reload does not change what an entry says, and nothing is allocated). Encoding,
//! appended to a record: `u8` flags (1: a rule, 2: a step, 4: body not JSON), then the rule's
//! name (`u16` length + bytes) if any, the step (`u32`) if any, a `u8` count of faults and
//! each fault's name (`u16` length + bytes). No rule at all: nothing (zero bytes).

use serde_json::{Value, json};

use crate::rules::{RuleMatch, Rules};

/// Names are cut to this many bytes.
const MAX_NAME: usize = u16::MAX as usize;
/// Faults recorded per request, at most.
const MAX_FAULTS: usize = u8::MAX as usize;

const RULE: u8 = 1;
const STEP: u8 = 2;
const BODY_NOT_JSON: u8 = 4;

/// Which rules shaped an answer, read back from the journal.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Matched {
    /// The override or sequence that matched: its name, or `<scenario>/overrides[<n>]`.
    pub rule: Option<String>,
    /// The sequence step that answered (from 0).
    pub step: Option<u32>,
    /// The faults that acted (a delay, or a draw that fired), by name or
    /// `<scenario>/faults[<n>]`.
    pub faults: Vec<String>,
    /// The request body is not JSON and an override with a `body:` condition was tried (such
    /// a condition never matches it).
    pub body_not_json: bool,
}

impl Matched {
    /// The admin API's shape: `{"rule","step","faults","body_not_json"}`.
    pub fn to_json(&self) -> Value {
        json!({
            "rule": self.rule,
            "step": self.step,
            "faults": self.faults,
            "body_not_json": self.body_not_json,
        })
    }
}

/// The rules of a [`super::Record`].
#[derive(Clone, Copy, Default)]
pub enum RecordMatch<'a> {
    /// No rule played a part.
    #[default]
    None,
    /// A request being answered: which of the world's rules matched.
    Rules(&'a Rules, RuleMatch),
    /// An entry already read back.
    Stored(&'a Matched),
}

impl std::fmt::Debug for RecordMatch<'_> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            RecordMatch::None => f.write_str("None"),
            RecordMatch::Rules(_, hit) => f.debug_tuple("Rules").field(hit).finish(),
            RecordMatch::Stored(m) => f.debug_tuple("Stored").field(m).finish(),
        }
    }
}

/// Cuts a name to [`MAX_NAME`] bytes.
fn name(n: &str) -> &[u8] {
    &n.as_bytes()[..n.len().min(MAX_NAME)]
}

/// One encoded name: `u16` length, bytes.
fn put_name(out: &mut Vec<u8>, n: &str) {
    let bytes = name(n);
    out.extend_from_slice(&u16::try_from(bytes.len()).unwrap_or(u16::MAX).to_le_bytes());
    out.extend_from_slice(bytes);
}

impl RecordMatch<'_> {
    /// The encoded size, in bytes.
    pub(super) fn measure(&self) -> usize {
        match self {
            RecordMatch::None => 0,
            RecordMatch::Rules(_, hit) if hit.is_empty() => 0,
            RecordMatch::Rules(rules, hit) => {
                let rule = hit
                    .rule
                    .and_then(|n| rules.override_name(n))
                    .map_or(0, |n| 2 + name(n).len());
                let faults: usize = rules
                    .fault_names(hit.faults)
                    .take(MAX_FAULTS)
                    .map(|n| 2 + name(n).len())
                    .sum();
                2 + rule + if hit.step.is_some() { 4 } else { 0 } + faults
            }
            RecordMatch::Stored(m) => {
                2 + m.rule.as_deref().map_or(0, |n| 2 + name(n).len())
                    + if m.step.is_some() { 4 } else { 0 }
                    + m.faults
                        .iter()
                        .take(MAX_FAULTS)
                        .map(|n| 2 + name(n).len())
                        .sum::<usize>()
            }
        }
    }

    /// Appends the encoding to `out` ([`RecordMatch::measure`] bytes).
    pub(super) fn encode(&self, out: &mut Vec<u8>) {
        match self {
            RecordMatch::None => {}
            RecordMatch::Rules(_, hit) if hit.is_empty() => {}
            RecordMatch::Rules(rules, hit) => {
                let rule = hit.rule.and_then(|n| rules.override_name(n));
                encode_parts(
                    out,
                    rule,
                    hit.step,
                    rules.fault_names(hit.faults),
                    hit.body_not_json,
                );
            }
            RecordMatch::Stored(m) => encode_parts(
                out,
                m.rule.as_deref(),
                m.step,
                m.faults.iter().map(String::as_str),
                m.body_not_json,
            ),
        }
    }
}

fn encode_parts<'n>(
    out: &mut Vec<u8>,
    rule: Option<&str>,
    step: Option<u32>,
    faults: impl Iterator<Item = &'n str> + Clone,
    body_not_json: bool,
) {
    let mut flags = 0;
    if rule.is_some() {
        flags |= RULE;
    }
    if step.is_some() {
        flags |= STEP;
    }
    if body_not_json {
        flags |= BODY_NOT_JSON;
    }
    out.push(flags);
    if let Some(rule) = rule {
        put_name(out, rule);
    }
    if let Some(step) = step {
        out.extend_from_slice(&step.to_le_bytes());
    }
    let faults = faults.take(MAX_FAULTS);
    out.push(u8::try_from(faults.clone().count()).unwrap_or(u8::MAX));
    for fault in faults {
        put_name(out, fault);
    }
}

/// Reads an encoding back (`None` for zero bytes or a malformed one).
pub(super) fn decode(bytes: &[u8]) -> Option<Matched> {
    let (&flags, mut rest) = bytes.split_first()?;
    let take_name = |rest: &mut &[u8]| -> Option<String> {
        let (len, tail) = rest.split_first_chunk::<2>()?;
        let (n, tail) = tail.split_at_checked(usize::from(u16::from_le_bytes(*len)))?;
        *rest = tail;
        Some(String::from_utf8_lossy(n).into_owned())
    };
    let rule = if flags & RULE != 0 {
        Some(take_name(&mut rest)?)
    } else {
        None
    };
    let step = if flags & STEP != 0 {
        let (step, tail) = rest.split_first_chunk::<4>()?;
        rest = tail;
        Some(u32::from_le_bytes(*step))
    } else {
        None
    };
    let (&count, tail) = rest.split_first()?;
    rest = tail;
    let mut faults = Vec::with_capacity(usize::from(count));
    for _ in 0..count {
        faults.push(take_name(&mut rest)?);
    }
    Some(Matched {
        rule,
        step,
        faults,
        body_not_json: flags & BODY_NOT_JSON != 0,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn stored_matches_round_trip_in_their_measured_size() {
        let cases = [
            Matched::default(),
            Matched {
                rule: Some("forbid-one".into()),
                step: Some(2),
                faults: vec!["slow".into(), "cf/faults[1]".into()],
                body_not_json: true,
            },
            Matched {
                rule: None,
                step: None,
                faults: vec!["x".repeat(70_000)],
                body_not_json: false,
            },
        ];
        for m in &cases {
            let record = RecordMatch::Stored(m);
            let mut out = vec![7u8];
            record.encode(&mut out);
            assert_eq!(out.len() - 1, record.measure(), "{m:?}");
            let mut back = decode(&out[1..]).unwrap();
            if let Some(f) = back.faults.first_mut()
                && f.len() == MAX_NAME
            {
                *f = "x".repeat(70_000);
            }
            assert_eq!(&back, m);
        }
        assert_eq!(RecordMatch::None.measure(), 0);
        assert_eq!(decode(&[]), None);
        assert_eq!(decode(&[RULE, 9, 0]), None, "a name longer than the record");
    }
}
