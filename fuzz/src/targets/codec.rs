//! The id codecs (`eventmock_fake::codec`) over every dataset a scenario or the CLI can ask
//! for: any seed, size 1 ..= 2^40, an anchor anywhere RFC 3339 reaches (years 0000–9999 with
//! any offset), any positive window.
//!
//! Invariants: the id of every index decodes to that index (`encode_into` writes the same
//! id); and a text that decodes to an index *is* that index's id (one event, one id: no second
//! spelling such as upper-case hex resolves to it). The text is the input's own bytes, or an
//! encoded id with one byte changed by the input (so the fuzzer works near valid ids).
//! UUIDs are the exception that proves the rule: they parse case-insensitively (as Django's
//! `UUIDField` does), so an upper-case spelling of an id is the same id.

use eventmock_fake::codec::MAX_INDEX;
use eventmock_fake::time::{Micros, TimeAxis, parse_rfc3339};
use eventmock_fake::{IdCodec, IdFormat};

use crate::input::Input;

const FORMATS: [IdFormat; 4] = [
    IdFormat::Base58x12,
    IdFormat::UuidV4,
    IdFormat::UuidV7,
    IdFormat::HaloTimestampHex,
];

/// The earliest and latest anchors `parse_rfc3339` can produce.
fn anchor_range() -> (Micros, Micros) {
    let first = parse_rfc3339("0000-01-01T00:00:00+99:59").unwrap_or(Micros::MIN);
    let last = parse_rfc3339("9999-12-31T23:59:60.999999-99:59").unwrap_or(Micros::MAX);
    (first, last)
}

/// Reads an integer in `lo ..= hi` from the input: a raw value or, half the time, one of the
/// range's edges (where overflow lives).
fn in_range(input: &mut Input, lo: i128, hi: i128) -> i128 {
    let pick = input.byte();
    let raw = i128::from(input.u64());
    match pick % 8 {
        0 => lo,
        1 => hi,
        2 => (lo + raw % 1024).min(hi),
        3 => (hi - raw % 1024).max(lo),
        _ => lo + raw % (hi - lo + 1),
    }
}

/// Runs one input.
pub fn run(data: &[u8]) {
    let mut input = Input::new(data);
    let format = FORMATS[usize::from(input.byte()) % FORMATS.len()];
    let key = input.u64();
    let len = in_range(&mut input, 1, i128::from(MAX_INDEX)) as u64;
    let (first, last) = anchor_range();
    let anchor = in_range(&mut input, i128::from(first), i128::from(last)) as Micros;
    let window = in_range(&mut input, 1, i128::from(Micros::MAX)) as Micros;
    let index = in_range(&mut input, 0, i128::from(len) - 1) as u64;
    let codec = IdCodec::new(key, format, TimeAxis::new(anchor, window, len));
    let what = format!("{format:?} key={key} len={len} anchor={anchor} window={window}");

    let id = codec.encode(index);
    assert_eq!(
        codec.decode(&id, len),
        Ok(index),
        "{what}: the id {id} of index {index} does not decode to it"
    );
    let mut into = String::from("stale");
    codec.encode_into(index, &mut into);
    assert_eq!(into, id, "{what}: encode_into differs from encode");

    let mut near = id.clone().into_bytes();
    let at = usize::from(input.byte()) % near.len().max(1);
    let with = input.byte();
    if let Some(b) = near.get_mut(at) {
        *b = with;
    }
    for text in [
        String::from_utf8_lossy(&near),
        String::from_utf8_lossy(input.rest()),
    ] {
        if let Ok(i) = codec.decode(&text, len) {
            let own = codec.encode(i);
            let same = match format {
                IdFormat::UuidV4 | IdFormat::UuidV7 => own.eq_ignore_ascii_case(&text),
                _ => own == text,
            };
            assert!(
                same,
                "{what}: `{text}` decodes to index {i}, whose id is another text"
            );
        }
    }
}
