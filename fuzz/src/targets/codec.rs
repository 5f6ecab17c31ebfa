//! The id codecs (`eventmock_fake::codec`) over every dataset `Dataset::new` accepts
//! (`DatasetConfig::check`: any key, size 1 ..= 2^40, any positive window, events within the
//! years 0000–9999), with or without arrivals growing it at its head.
//!
//! Invariants: the id of every index decodes to that index (`encode_into` writes the same
//! id); and a text that decodes to an index *is* that index's id (one event, one id: no second
//! spelling such as upper-case hex resolves to it). The text is the input's own bytes, or an
//! encoded id with one byte changed by the input (so the fuzzer works near valid ids).
//! UUIDs are the exception that proves the rule: they parse case-insensitively (as Django's
//! `UUIDField` does), so an upper-case spelling of an id is the same id.

use eventmock_fake::arrivals::Pattern;
use eventmock_fake::codec::MAX_INDEX;
use eventmock_fake::dataset::{EARLIEST, LATEST};
use eventmock_fake::time::{Arrivals, Micros, TimeAxis};
use eventmock_fake::{DatasetConfig, IdCodec, IdFormat, Rate};

use crate::input::Input;

const FORMATS: [IdFormat; 4] = [
    IdFormat::Base58x12,
    IdFormat::UuidV4,
    IdFormat::UuidV7,
    IdFormat::HaloTimestampHex,
];

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
    let config = DatasetConfig {
        seed: 0,
        len: in_range(&mut input, 0, i128::from(MAX_INDEX) + 1) as u64,
        anchor: in_range(&mut input, i128::from(EARLIEST) - 1, i128::from(LATEST) + 1) as Micros,
        window: in_range(&mut input, 0, i128::from(Micros::MAX)) as Micros,
        users: 1,
    };
    if config.check().is_err() {
        return;
    }
    let DatasetConfig {
        len,
        anchor,
        window,
        ..
    } = config;
    let mut codec = IdCodec::new(key, format, TimeAxis::new(anchor, window, len));
    // Arrivals: a rate from the anchor on, any pattern and same-second grouping; `count` events exist (base + arrived).
    let rate = Rate::per_second(in_range(&mut input, 1, i128::from(Rate::MAX_COUNT)) as u64);
    let arrived = in_range(&mut input, 0, i128::from(MAX_INDEX)) as u64;
    let count = match rate {
        Some(rate) if input.byte() & 1 == 1 => {
            let shape = input.byte();
            codec.set_arrivals(Some(Arrivals {
                pattern: [Pattern::Steady, Pattern::Poisson, Pattern::Bursty]
                    [usize::from(shape % 3)],
                same_second: u64::from(shape / 3 % 8),
                key,
                ..Arrivals::steady(anchor, rate)
            }));
            len.saturating_add(arrived)
        }
        _ => len,
    };
    if codec.time_of(count - 1) > LATEST {
        // Arrivals past the year 9999 need a clock millennia ahead: not a dataset in use.
        return;
    }
    let index = in_range(&mut input, 0, i128::from(count) - 1) as u64;
    let what = format!(
        "{format:?} key={key} len={len} anchor={anchor} window={window} count={count} {:?}",
        codec.axis().arrivals
    );

    let id = codec.encode(index);
    assert_eq!(
        codec.decode(&id, count),
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
        if let Ok(i) = codec.decode(&text, count) {
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
