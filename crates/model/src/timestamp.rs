//! Timestamp fields: the models keep a vendor's time as its exact text, and these checks make
//! deserializing refuse text that is not a time in the vendor's format (so an added event with
//! `"created": "not-a-time"` is an error naming the field, not an event served with that
//! string). The OpenAPI documents declare the same formats (`format: date-time`, or Halo's
//! pattern) through the `schemars` attributes next to each field.

use serde::{Deserialize, Deserializer, de::Error};

/// Halo's `date_created` pattern, `YYYY-MM-DD HH:MM` (for the JSON Schema).
pub const HALO_MINUTES_PATTERN: &str = r"^[0-9]{4}-[0-9]{2}-[0-9]{2} [0-9]{2}:[0-9]{2}$";

/// What an RFC 3339 time looks like, for messages.
const RFC3339_EXAMPLE: &str = "an RFC 3339 time such as 2025-12-24T10:00:00Z";

/// `n` ASCII digits at `at` as a number, if they are all digits.
fn digits(b: &[u8], at: usize, n: usize) -> Option<u32> {
    let part = b.get(at..at + n)?;
    part.iter().try_fold(0u32, |acc, &c| {
        c.is_ascii_digit().then(|| acc * 10 + u32::from(c - b'0'))
    })
}

/// Days in `month` of `year` (proleptic Gregorian).
fn days_in_month(year: u32, month: u32) -> u32 {
    match month {
        2 if year.is_multiple_of(4) && (!year.is_multiple_of(100) || year.is_multiple_of(400)) => {
            29
        }
        2 => 28,
        4 | 6 | 9 | 11 => 30,
        _ => 31,
    }
}

/// Checks `YYYY-MM-DD` + `sep` + `hh:mm` at the start of `b`; returns the position after it.
fn date_and_minutes(b: &[u8], sep: &[u8]) -> Option<usize> {
    let year = digits(b, 0, 4)?;
    let month = digits(b, 5, 2)?;
    let day = digits(b, 8, 2)?;
    let hour = digits(b, 11, 2)?;
    let minute = digits(b, 14, 2)?;
    let seps_ok = b.get(4) == Some(&b'-')
        && b.get(7) == Some(&b'-')
        && sep.contains(b.get(10)?)
        && b.get(13) == Some(&b':');
    let ranges_ok = (1..=12).contains(&month)
        && (1..=days_in_month(year, month)).contains(&day)
        && hour < 24
        && minute < 60;
    (seps_ok && ranges_ok).then_some(16)
}

/// Whether `text` is an RFC 3339 date-time (`2025-12-24T10:00:00Z`, with an optional
/// fraction and a `Z` or `±hh:mm` offset), which JSON Schema's `format: date-time` means.
pub fn is_rfc3339(text: &str) -> bool {
    let b = text.as_bytes();
    let Some(mut at) = date_and_minutes(b, b"Tt") else {
        return false;
    };
    if b.get(at) != Some(&b':') || digits(b, at + 1, 2).is_none_or(|s| s > 60) {
        return false;
    }
    at += 3;
    if b.get(at) == Some(&b'.') {
        let fraction = b[at + 1..]
            .iter()
            .take_while(|c| c.is_ascii_digit())
            .count();
        if fraction == 0 {
            return false;
        }
        at += 1 + fraction;
    }
    match b.get(at..) {
        Some(b"Z" | b"z") => true,
        Some(&[sign, _, _, b':', _, _]) if sign == b'+' || sign == b'-' => {
            digits(b, at + 1, 2).is_some_and(|h| h < 24)
                && digits(b, at + 4, 2).is_some_and(|m| m < 60)
        }
        _ => false,
    }
}

/// Whether `text` has the shape of Halo's `YYYY-MM-DD HH:MM` (digits and separators only:
/// Halo's own example is MySQL's zero date `0000-00-00 00:00`, so ranges are not checked here;
/// see [`is_halo_minutes_time`]).
pub fn is_halo_minutes(text: &str) -> bool {
    let b = text.as_bytes();
    b.len() == 16
        && b.iter().enumerate().all(|(i, c)| match i {
            4 | 7 => *c == b'-',
            10 => *c == b' ',
            13 => *c == b':',
            _ => c.is_ascii_digit(),
        })
}

/// Whether `text` is Halo's `YYYY-MM-DD HH:MM` and a real time (month 1–12, a day of that
/// month, hour < 24, minute < 60).
pub fn is_halo_minutes_time(text: &str) -> bool {
    text.len() == 16 && date_and_minutes(text.as_bytes(), b" ").is_some()
}

/// Deserializes an RFC 3339 time, kept as its text.
pub fn rfc3339<'de, D: Deserializer<'de>>(d: D) -> Result<String, D::Error> {
    let text = String::deserialize(d)?;
    if is_rfc3339(&text) {
        Ok(text)
    } else {
        Err(D::Error::custom(format!(
            "`{text}` is not a time: expected {RFC3339_EXAMPLE}"
        )))
    }
}

/// Deserializes an optional RFC 3339 time (`null` allowed), kept as its text.
pub fn rfc3339_or_null<'de, D: Deserializer<'de>>(d: D) -> Result<Option<String>, D::Error> {
    match Option::<String>::deserialize(d)? {
        Some(text) if !is_rfc3339(&text) => Err(D::Error::custom(format!(
            "`{text}` is not a time: expected {RFC3339_EXAMPLE} or null"
        ))),
        other => Ok(other),
    }
}

/// Deserializes Halo's `YYYY-MM-DD HH:MM`, kept as its text.
pub fn halo_minutes<'de, D: Deserializer<'de>>(d: D) -> Result<String, D::Error> {
    let text = String::deserialize(d)?;
    if is_halo_minutes(&text) {
        Ok(text)
    } else {
        Err(D::Error::custom(format!(
            "`{text}` is not a time: expected Halo's `YYYY-MM-DD HH:MM`, such as 2025-12-24 10:00"
        )))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn rfc3339_texts() {
        for ok in [
            "2025-12-24T10:00:00Z",
            "2025-12-24T10:00:00.123456Z",
            "2024-02-29t23:59:60z",
            "2025-12-24T10:00:00+01:00",
            "2025-12-24T10:00:00.5-09:30",
        ] {
            assert!(is_rfc3339(ok), "{ok}");
        }
        for bad in [
            "not-a-time",
            "",
            "2025-12-24",
            "2025-12-24 10:00:00Z",
            "2025-12-24T10:00Z",
            "2025-12-24T10:00:00",
            "2025-12-24T10:00:00.Z",
            "2025-13-24T10:00:00Z",
            "2025-02-29T10:00:00Z",
            "2025-12-24T24:00:00Z",
            "2025-12-24T10:60:00Z",
            "2025-12-24T10:00:61Z",
            "2025-12-24T10:00:00+1:00",
            "2025-12-24T10:00:00+01:00x",
            "2025-12-24T10:00:00ZZ",
            "２025-12-24T10:00:00Z",
        ] {
            assert!(!is_rfc3339(bad), "{bad}");
        }
    }

    #[test]
    fn halo_texts() {
        assert!(is_halo_minutes("2025-12-24 10:00") && is_halo_minutes_time("2025-12-24 10:00"));
        // Halo's own example: MySQL's zero date has the shape, but is no time.
        assert!(is_halo_minutes("0000-00-00 00:00") && !is_halo_minutes_time("0000-00-00 00:00"));
        assert!(!is_halo_minutes_time("2025-12-24 25:00"));
        for bad in [
            "2025-12-24T10:00",
            "2025-12-24 10:00:00",
            "2025-12-24 1:00",
            "x",
        ] {
            assert!(!is_halo_minutes(bad), "{bad}");
        }
    }

    #[test]
    fn errors_say_what_was_found() {
        let err = serde_json::from_str::<crate::authentik::Event>(
            r#"{"pk":"x","user":{},"action":"login","app":"a","context":{},"client_ip":null,
               "created":"not-a-time","expires":"2025-12-24T10:00:00Z","brand":{}}"#,
        )
        .unwrap_err()
        .to_string();
        assert!(err.contains("`not-a-time` is not a time"), "{err}");
    }
}
