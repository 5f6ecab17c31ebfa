//! An event's time, said in up to three places that must agree: a fixture's `at:`, the
//! vendor's time field(s) in the event (`created`, Halo's `date_created`, CF's
//! `metadata.created_at` and `entity.timestamp`, ...) and, for Halo and InstaVM, the time an id
//! embeds (`YYYYMMDDhhmmss`, UUID v7 milliseconds).
//!
//! [`settle`] compares the ones given, each at its own precision (Halo's `date_created` has
//! minutes: `at: …T10:00:30Z` agrees with `"… 10:00"`), takes the finest as the event's time, and
//! writes the time fields that were not given in the vendor's format. Shared by scenario
//! validation and the server's adding of events, so both answer the same.

use eventmock_fake::codec::IdFormat;
use eventmock_fake::time::{date_minutes, parse_rfc3339, rfc3339_micros, rfc3339_secs};
use eventmock_model::Vendor;
use serde_json::{Map, Value};

use crate::ids::id_format;

/// Micros in a minute.
const MINUTE: i64 = 60_000_000;
/// authentik's `expires` is a year after `created` (as its generator writes it).
const YEAR: i64 = 365 * 86_400 * 1_000_000;

/// How finely a time is written.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum Precision {
    /// Microseconds.
    Micros,
    /// Milliseconds (UUID v7).
    Millis,
    /// Seconds (CF, Halo ids).
    Secs,
    /// Minutes (Halo's `date_created`).
    Minutes,
}

impl Precision {
    /// Its length in microseconds.
    const fn micros(self) -> i64 {
        match self {
            Precision::Micros => 1,
            Precision::Millis => 1_000,
            Precision::Secs => 1_000_000,
            Precision::Minutes => MINUTE,
        }
    }

    /// `t` cut down to this precision.
    pub fn truncate(self, t: i64) -> i64 {
        t - t.rem_euclid(self.micros())
    }
}

/// The text format of a time field.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Format {
    /// `2025-12-24T10:00:00.000000Z`.
    Rfc3339Micros,
    /// `2025-12-24T10:00:00Z`.
    Rfc3339Secs,
    /// `2025-12-24 10:00`.
    HaloMinutes,
}

impl Format {
    fn precision(self) -> Precision {
        match self {
            Format::Rfc3339Micros => Precision::Micros,
            Format::Rfc3339Secs => Precision::Secs,
            Format::HaloMinutes => Precision::Minutes,
        }
    }

    fn write(self, t: i64) -> String {
        match self {
            Format::Rfc3339Micros => rfc3339_micros(t),
            Format::Rfc3339Secs => rfc3339_secs(t),
            Format::HaloMinutes => date_minutes(t),
        }
    }

    fn parse(self, text: &str) -> Option<i64> {
        match self {
            Format::Rfc3339Micros | Format::Rfc3339Secs => {
                if !eventmock_model::timestamp::is_rfc3339(text) {
                    return None;
                }
                parse_rfc3339(text).ok()
            }
            Format::HaloMinutes => {
                if !eventmock_model::timestamp::is_halo_minutes_time(text) {
                    return None;
                }
                let (date, time) = (text.get(..10)?, text.get(11..16)?);
                parse_rfc3339(&format!("{date}T{time}:00Z")).ok()
            }
        }
    }

    fn example(self) -> &'static str {
        match self {
            Format::Rfc3339Micros => "an RFC 3339 time such as 2025-12-24T10:00:00.000000Z",
            Format::Rfc3339Secs => "an RFC 3339 time such as 2025-12-24T10:00:00Z",
            Format::HaloMinutes => "`YYYY-MM-DD HH:MM` such as 2025-12-24 10:00",
        }
    }
}

/// A field that holds the event's time.
struct TimeField {
    /// Its path in the event.
    path: &'static [&'static str],
    /// How the vendor writes it.
    format: Format,
}

/// The fields that hold the event's time, per vendor.
fn time_fields(vendor: Vendor) -> &'static [TimeField] {
    const PROBELY: &[TimeField] = &[TimeField {
        path: &["occurred_at"],
        format: Format::Rfc3339Micros,
    }];
    const AUTHENTIK: &[TimeField] = &[TimeField {
        path: &["created"],
        format: Format::Rfc3339Micros,
    }];
    const HALO: &[TimeField] = &[TimeField {
        path: &["date_created"],
        format: Format::HaloMinutes,
    }];
    const INSTAVM: &[TimeField] = &[TimeField {
        path: &["created_at"],
        format: Format::Rfc3339Micros,
    }];
    const CF: &[TimeField] = &[
        TimeField {
            path: &["metadata", "created_at"],
            format: Format::Rfc3339Secs,
        },
        TimeField {
            path: &["entity", "timestamp"],
            format: Format::Rfc3339Secs,
        },
    ];
    match vendor {
        Vendor::Probely => PROBELY,
        Vendor::Authentik => AUTHENTIK,
        Vendor::Halo => HALO,
        Vendor::Instavm => INSTAVM,
        Vendor::CloudFoundry => CF,
    }
}

/// The dotted names of a vendor's time fields (`created`, `entity.timestamp`), for docs and
/// messages.
pub fn time_field_names(vendor: Vendor) -> Vec<String> {
    time_fields(vendor)
        .iter()
        .map(|f| f.path.join("."))
        .collect()
}

/// Where a time was said.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Source {
    /// The fixture's `at:`.
    At,
    /// A time field of the event (dotted path).
    Field(String),
    /// The event's id.
    Id,
}

/// Why an event's time is not settled.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TimeError {
    /// The place to blame.
    pub source: Source,
    /// What is wrong.
    pub message: String,
    /// What was found there.
    pub found: String,
    /// What was expected.
    pub expected: String,
}

/// The time an id embeds and its precision: Halo's `YYYYMMDDhhmmss`, a UUID v7's milliseconds.
/// `Ok(None)` for ids without one (other formats, an InstaVM id that is not version 7);
/// `Err` when the embedded digits are not a valid time. `id` must be well-formed.
pub fn id_time(format: IdFormat, id: &str) -> Result<Option<(i64, Precision)>, String> {
    match format {
        IdFormat::HaloTimestampHex => {
            let digits = id.get(..14).unwrap_or_default();
            let d = |r: std::ops::Range<usize>| digits.get(r).unwrap_or_default();
            let text = format!(
                "{}-{}-{}T{}:{}:{}Z",
                d(0..4),
                d(4..6),
                d(6..8),
                d(8..10),
                d(10..12),
                d(12..14)
            );
            if !eventmock_model::timestamp::is_rfc3339(&text) {
                return Err(format!("`{digits}` is not a valid YYYYMMDDhhmmss time"));
            }
            parse_rfc3339(&text)
                .map(|t| Some((t, Precision::Secs)))
                .map_err(|e| e.to_string())
        }
        IdFormat::UuidV7 if id.as_bytes().get(14) == Some(&b'7') => {
            let hex: String = id.chars().filter(|c| *c != '-').take(12).collect();
            let ms = i64::from_str_radix(&hex, 16).map_err(|e| e.to_string())?;
            Ok(Some((ms * 1000, Precision::Millis)))
        }
        _ => Ok(None),
    }
}

/// The text of `t` as written in the id's time part, for messages.
fn id_time_text(format: IdFormat, t: i64) -> String {
    match format {
        IdFormat::HaloTimestampHex => rfc3339_secs(t),
        _ => {
            let s = rfc3339_micros(t);
            // milliseconds: drop the last three digits of the fraction
            format!("{}Z", s.get(..23).unwrap_or(&s))
        }
    }
}

/// One place that said the time.
struct Said {
    source: Source,
    time: i64,
    precision: Precision,
    text: String,
}

fn lookup<'a>(map: &'a Map<String, Value>, path: &[&str]) -> Option<&'a Value> {
    let (first, rest) = path.split_first()?;
    let v = map.get(*first)?;
    if rest.is_empty() {
        Some(v)
    } else {
        lookup(v.as_object()?, rest)
    }
}

/// Puts `value` at `path` in `map`, creating objects on the way (a non-object on the way is
/// left alone: the model check reports it).
fn put(map: &mut Map<String, Value>, path: &[&str], value: Value) {
    let Some((first, rest)) = path.split_first() else {
        return;
    };
    if rest.is_empty() {
        map.insert((*first).to_owned(), value);
        return;
    }
    let slot = map
        .entry((*first).to_owned())
        .or_insert_with(|| Value::Object(Map::new()));
    if let Value::Object(inner) = slot {
        put(inner, rest, value);
    }
}

/// Settles the time of an event of `vendor` given as a partial object `patch`: `at` (a
/// fixture's `at:`), the vendor's time fields present in `patch` and the time `id` embeds must
/// agree (each compared at the coarser precision of the two); the finest of them is the
/// event's time, `default` when none is given. The time fields `patch` lacks are then written
/// from it (and authentik's `expires`, a year later, when `created` was not given either).
/// Returns the time.
pub fn settle(
    vendor: Vendor,
    at: Option<i64>,
    id: Option<&str>,
    default: i64,
    patch: &mut Map<String, Value>,
) -> Result<i64, TimeError> {
    let mut said = Vec::new();
    if let Some(t) = at {
        said.push(Said {
            source: Source::At,
            time: t,
            precision: Precision::Micros,
            text: rfc3339_micros(t),
        });
    }
    let fields = time_fields(vendor);
    for field in fields {
        let Some(value) = lookup(patch, field.path) else {
            continue;
        };
        let name = field.path.join(".");
        // A non-string is left to the model check, which names its type.
        let Some(text) = value.as_str() else { continue };
        let Some(t) = field.format.parse(text) else {
            return Err(TimeError {
                source: Source::Field(name),
                message: "not a time".into(),
                found: format!("`{text}`"),
                expected: field.format.example().into(),
            });
        };
        said.push(Said {
            source: Source::Field(name),
            time: t,
            precision: field.format.precision(),
            text: text.to_owned(),
        });
    }
    let format = id_format(vendor);
    if let Some(id) = id {
        match id_time(format, id) {
            Ok(Some((t, precision))) => said.push(Said {
                source: Source::Id,
                time: t,
                precision,
                text: id_time_text(format, t),
            }),
            Ok(None) => {}
            Err(message) => {
                return Err(TimeError {
                    source: Source::Id,
                    message: "the id's time part is not a time".into(),
                    found: message,
                    expected: "an id whose time part is a valid time".into(),
                });
            }
        }
    }
    // The finest one is the reference (the first of equals: `at` before fields before the id).
    let reference = said
        .iter()
        .enumerate()
        .min_by_key(|(n, s)| (s.precision, *n))
        .map(|(n, _)| n);
    let time = match reference {
        Some(r) => {
            let reference = &said[r];
            for other in said.iter().filter(|s| s.source != reference.source) {
                let p = other.precision.max(reference.precision);
                if p.truncate(other.time) != p.truncate(reference.time) {
                    return Err(conflict(other, reference));
                }
            }
            reference.time
        }
        None => default,
    };
    let created_given = vendor == Vendor::Authentik && lookup(patch, &["created"]).is_some();
    for field in fields {
        if lookup(patch, field.path).is_none() {
            put(patch, field.path, Value::String(field.format.write(time)));
        }
    }
    if vendor == Vendor::Authentik && !created_given && lookup(patch, &["expires"]).is_none() {
        put(
            patch,
            &["expires"],
            Value::String(rfc3339_micros(time + YEAR)),
        );
    }
    Ok(time)
}

/// The error for `other` disagreeing with `reference` (blamed on `other`, or on the field when
/// the reference is a field and `other` is `at`).
fn conflict(other: &Said, reference: &Said) -> TimeError {
    let name = |s: &Source| match s {
        Source::At => "`at`".to_owned(),
        Source::Field(f) => format!("`{f}`"),
        Source::Id => "the id's time part".to_owned(),
    };
    let (blamed, with) = match (&other.source, &reference.source) {
        (Source::At, _) => (reference, other),
        _ => (other, reference),
    };
    TimeError {
        source: blamed.source.clone(),
        message: format!(
            "{} and {} say different times",
            name(&blamed.source),
            name(&with.source)
        ),
        found: format!("`{}` against `{}`", blamed.text, with.text),
        expected: "the same time, at the coarser precision of the two (or give only one: it sets the other)".into(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn obj(v: Value) -> Map<String, Value> {
        v.as_object().cloned().unwrap()
    }

    const T: i64 = 1_766_570_400_000_000; // 2025-12-24T10:00:00Z

    #[test]
    fn at_sets_every_time_field_at_the_vendors_precision() {
        let mut p = obj(json!({"entity": {"type": "app.crash"}}));
        let t = settle(Vendor::CloudFoundry, Some(T + 500_000), None, 0, &mut p).unwrap();
        assert_eq!(t, T + 500_000);
        assert_eq!(p["metadata"]["created_at"], "2025-12-24T10:00:00Z");
        assert_eq!(p["entity"]["timestamp"], "2025-12-24T10:00:00Z");
        assert_eq!(p["entity"]["type"], "app.crash");

        let mut p = Map::new();
        settle(Vendor::Halo, Some(T + 30_000_000), None, 0, &mut p).unwrap();
        assert_eq!(p["date_created"], "2025-12-24 10:00");

        let mut p = Map::new();
        settle(Vendor::Authentik, Some(T), None, 0, &mut p).unwrap();
        assert_eq!(p["created"], "2025-12-24T10:00:00.000000Z");
        assert_eq!(p["expires"], "2026-12-24T10:00:00.000000Z");
    }

    #[test]
    fn a_field_alone_is_the_time_and_agreeing_ones_pass() {
        let mut p = obj(json!({"occurred_at": "2025-12-24T10:00:00.25Z"}));
        assert_eq!(
            settle(Vendor::Probely, None, None, 0, &mut p),
            Ok(T + 250_000)
        );
        assert_eq!(
            p["occurred_at"], "2025-12-24T10:00:00.25Z",
            "kept as written"
        );
        // Halo minutes agree with a time inside that minute.
        let mut p = obj(json!({"date_created": "2025-12-24 10:00"}));
        assert_eq!(
            settle(Vendor::Halo, Some(T + 59_000_000), None, 0, &mut p),
            Ok(T + 59_000_000)
        );
        // Nothing given: the default.
        let mut p = Map::new();
        assert_eq!(settle(Vendor::Instavm, None, None, T, &mut p), Ok(T));
        assert_eq!(p["created_at"], "2025-12-24T10:00:00.000000Z");
    }

    #[test]
    fn disagreements_are_errors_naming_the_place() {
        let mut p = obj(json!({"created": "2025-12-24T10:00:01.000000Z"}));
        let e = settle(Vendor::Authentik, Some(T), None, 0, &mut p).unwrap_err();
        assert_eq!(e.source, Source::Field("created".into()));
        assert!(e.message.contains("`created` and `at`"), "{e:?}");

        let mut p = obj(json!({"date_created": "2025-12-24 10:01"}));
        let e = settle(Vendor::Halo, Some(T), None, 0, &mut p).unwrap_err();
        assert_eq!(e.source, Source::Field("date_created".into()));

        let mut p = obj(
            json!({"entity": {"timestamp": "2025-12-24T10:00:00Z"}, "metadata": {"created_at": "2025-12-24T10:00:05Z"}}),
        );
        let e = settle(Vendor::CloudFoundry, None, None, 0, &mut p).unwrap_err();
        assert_eq!(e.source, Source::Field("entity.timestamp".into()));

        let mut p = obj(json!({"created_at": "not-a-time"}));
        let e = settle(Vendor::Instavm, None, None, 0, &mut p).unwrap_err();
        assert_eq!(e.source, Source::Field("created_at".into()));
        assert_eq!(e.found, "`not-a-time`");
    }

    #[test]
    fn ids_carry_time_for_halo_and_instavm() {
        let halo = format!("20251224100000{}", "a".repeat(35));
        let mut p = Map::new();
        assert_eq!(settle(Vendor::Halo, None, Some(&halo), 0, &mut p), Ok(T));
        assert_eq!(p["date_created"], "2025-12-24 10:00");
        let e = settle(
            Vendor::Halo,
            Some(T + 1_000_000),
            Some(&halo),
            0,
            &mut Map::new(),
        )
        .unwrap_err();
        assert_eq!(e.source, Source::Id);
        // 0x019b4fcd1900 ms = 2025-12-24T10:00:00.000Z
        let v7 = "019b4fcd-1900-7000-8000-000000000001";
        assert_eq!(
            id_time(IdFormat::UuidV7, v7),
            Ok(Some((T, Precision::Millis)))
        );
        assert_eq!(
            settle(Vendor::Instavm, Some(T + 999), Some(v7), 0, &mut Map::new()),
            Ok(T + 999)
        );
        assert!(
            settle(
                Vendor::Instavm,
                Some(T + 1000),
                Some(v7),
                0,
                &mut Map::new()
            )
            .is_err()
        );
        // A v4-looking InstaVM id embeds no time.
        let v4 = "019b4f2a-0000-4000-8000-000000000001";
        assert_eq!(id_time(IdFormat::UuidV7, v4), Ok(None));
        let bad = format!("20251399100000{}", "a".repeat(35));
        assert!(id_time(IdFormat::HaloTimestampHex, &bad).is_err());
    }
}
