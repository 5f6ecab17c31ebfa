//! The part of Ruby's `Time.parse(value).utc` that Cloud Controller's `q=timestamp…` filters go
//! through (`lib/vcap/rest_api/query.rs#query_datetime_values`), and Ruby's `Integer(value)`
//! that CC's `CommonParams` applies to `page` and `results-per-page` (Ruby integers are
//! unbounded: larger values saturate at `i64::MAX`).
//!
//! `Time.parse` accepts far more than RFC 3339; the forms real clients send are reproduced
//! (CC runs in UTC, so a time without a zone is UTC):
//! - `2016-06-08T16:41:23Z`, `2016-06-08T16:41:23.5+02:00`, `2016-06-08 16:41:23`,
//!   `2016-06-08 16:41`, `2016/06/08 16:41:23 UTC`, with `Z`, `UTC`, `GMT`, `±hh:mm`, `±hhmm`
//!   or `±hh` as the zone;
//! - a date alone (`2016-06-08`): its midnight;
//! - a time alone (`16:41:23`): that time *today* — today being the day of `now`.
//!
//! Anything else (`foo`, `2016-13-01`) fails, which CC answers with a 500 `UnknownError`.

use eventmock_fake::time::{Civil, Micros};

const SECOND: Micros = 1_000_000;

/// Ruby's `Integer(value)` for a query parameter: optional surrounding whitespace, a sign,
/// `0x`/`0b`/`0o`/leading-`0` (octal) prefixes and single `_` between digits. `None` where
/// Ruby raises `ArgumentError`.
pub fn ruby_integer(value: &str) -> Option<i64> {
    let s = value.trim_matches(|c: char| c.is_ascii_whitespace());
    let (negative, s) = match s.as_bytes().first() {
        Some(b'-') => (true, &s[1..]),
        Some(b'+') => (false, &s[1..]),
        _ => (false, s),
    };
    let lower = s.to_ascii_lowercase();
    let (radix, digits) = if let Some(d) = lower.strip_prefix("0x") {
        (16, d)
    } else if let Some(d) = lower.strip_prefix("0b") {
        (2, d)
    } else if let Some(d) = lower.strip_prefix("0o") {
        (8, d)
    } else if lower.len() > 1 && lower.starts_with('0') {
        (8, lower.trim_start_matches('0').trim_start_matches('_'))
    } else {
        (10, lower.as_str())
    };
    let digits = if digits.is_empty() && radix == 8 && !lower.is_empty() {
        "0"
    } else {
        digits
    };
    if digits.is_empty()
        || digits.starts_with('_')
        || digits.ends_with('_')
        || digits.contains("__")
    {
        return None;
    }
    let digits = digits.replace('_', "");
    if !digits.chars().all(|c| c.is_digit(radix)) {
        return None;
    }
    // Ruby integers are unbounded: a valid number too large for i64 saturates.
    let n = i64::from_str_radix(&digits, radix).unwrap_or(i64::MAX);
    Some(if negative { -n } else { n })
}

/// Reads `n` ASCII digits at the start of `s`.
fn digits(s: &str, n: usize) -> Option<(i64, &str)> {
    let head = s.get(..n)?;
    if !head.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    Some((head.parse().ok()?, &s[n..]))
}

/// A zone suffix → offset in seconds east of UTC; `""` is UTC (CC's servers run in UTC).
fn zone(s: &str) -> Option<i64> {
    let s = s.trim_start();
    match s {
        "" | "Z" | "z" | "UTC" | "utc" | "GMT" | "gmt" => return Some(0),
        _ => {}
    }
    let sign = match s.as_bytes()[0] {
        b'+' => 1,
        b'-' => -1,
        _ => return None,
    };
    let rest = &s[1..];
    let (h, m) = match rest.len() {
        2 => (digits(rest, 2)?.0, 0),
        4 => (digits(rest, 2)?.0, digits(&rest[2..], 2)?.0),
        5 if rest.as_bytes()[2] == b':' => (digits(rest, 2)?.0, digits(&rest[3..], 2)?.0),
        _ => return None,
    };
    (h <= 23 && m <= 59).then_some(sign * (h * 3600 + m * 60))
}

/// `hh:mm[:ss[.fraction]]` then the zone: (seconds of the day, micros, offset).
fn clock(s: &str) -> Option<(i64, i64, i64)> {
    let (h, rest) = digits(s, 2)?;
    let rest = rest.strip_prefix(':')?;
    let (m, mut rest) = digits(rest, 2)?;
    let mut sec = 0;
    let mut micros = 0;
    if let Some(r) = rest.strip_prefix(':') {
        let (v, r) = digits(r, 2)?;
        sec = v;
        rest = r;
        if let Some(r) = rest.strip_prefix('.') {
            let n = r.bytes().take_while(u8::is_ascii_digit).count();
            if n == 0 {
                return None;
            }
            let frac = &r[..n];
            let mut value = 0;
            for (k, b) in frac.bytes().take(6).enumerate() {
                value += i64::from(b - b'0') * 10_i64.pow(5 - k as u32);
            }
            micros = value;
            rest = &r[n..];
        }
    }
    if h > 23 || m > 59 || sec > 60 {
        return None;
    }
    Some((h * 3600 + m * 60 + sec, micros, zone(rest)?))
}

/// `YYYY-MM-DD` or `YYYY/MM/DD` at the start of `s`: the civil date and the rest.
fn date(s: &str) -> Option<(i64, u32, u32, &str)> {
    let (y, rest) = digits(s, 4)?;
    let sep = rest.as_bytes().first().copied()?;
    if sep != b'-' && sep != b'/' {
        return None;
    }
    let (mo, rest) = digits(&rest[1..], 2)?;
    let rest = rest.strip_prefix(char::from(sep))?;
    let (d, rest) = digits(rest, 2)?;
    let days_in_month = match mo {
        1 | 3 | 5 | 7 | 8 | 10 | 12 => 31,
        4 | 6 | 9 | 11 => 30,
        2 if (y % 4 == 0 && y % 100 != 0) || y % 400 == 0 => 29,
        2 => 28,
        _ => return None,
    };
    if d < 1 || d > days_in_month {
        return None;
    }
    Some((y, mo as u32, d as u32, rest))
}

fn midnight(year: i64, month: u32, day: u32) -> Micros {
    Civil {
        year,
        month,
        day,
        hour: 0,
        minute: 0,
        second: 0,
        micros: 0,
    }
    .to_micros()
}

/// `Time.parse(value).utc` for the forms described in the module doc, as microseconds since
/// the epoch; `now` decides the day of a time given alone. `None` where Ruby raises.
pub fn parse_time(value: &str, now: Micros) -> Option<Micros> {
    let s = value.trim();
    if let Some((y, mo, d, rest)) = date(s) {
        let day = midnight(y, mo, d);
        if rest.trim().is_empty() {
            return Some(day);
        }
        let rest = rest
            .strip_prefix('T')
            .or_else(|| rest.strip_prefix('t'))
            .or_else(|| rest.strip_prefix(' '))?;
        let (secs, micros, offset) = clock(rest.trim_start())?;
        return Some(day + (secs - offset) * SECOND + micros);
    }
    let (secs, micros, offset) = clock(s)?;
    let today = Civil::from_micros(now);
    let day = midnight(today.year, today.month, today.day);
    Some(day + (secs - offset) * SECOND + micros)
}

#[cfg(test)]
mod tests {
    use super::*;
    use eventmock_fake::time::parse_rfc3339;

    fn t(s: &str) -> Micros {
        parse_rfc3339(s).unwrap()
    }

    #[test]
    fn ruby_integers() {
        for (s, v) in [
            ("1", 1),
            (" 12 ", 12),
            ("-3", -3),
            ("+4", 4),
            ("1_000", 1000),
            ("0x1A", 26),
            ("0b11", 3),
            ("010", 8),
            ("0", 0),
            ("00", 0),
            ("18446744073709551615", i64::MAX),
            ("-99999999999999999999", -i64::MAX),
        ] {
            assert_eq!(ruby_integer(s), Some(v), "{s}");
        }
        for s in ["", "abc", "1.5", "1e3", "_1", "1_", "1__0", "09", "0x", " "] {
            assert_eq!(ruby_integer(s), None, "{s}");
        }
    }

    #[test]
    fn times_like_ruby_time_parse() {
        let now = t("2026-01-01T12:00:00Z");
        for (s, want) in [
            ("2016-06-08T16:41:23Z", "2016-06-08T16:41:23Z"),
            ("2016-06-08T16:41:23+02:00", "2016-06-08T14:41:23Z"),
            ("2016-06-08T16:41:23-0130", "2016-06-08T18:11:23Z"),
            ("2016-06-08 16:41:23", "2016-06-08T16:41:23Z"),
            ("2016-06-08 16:41", "2016-06-08T16:41:00Z"),
            ("2016/06/08 16:41:23 UTC", "2016-06-08T16:41:23Z"),
            ("2016-06-08", "2016-06-08T00:00:00Z"),
            ("2016-06-08T16:41:23.25Z", "2016-06-08T16:41:23.250000Z"),
            ("16:41:23", "2026-01-01T16:41:23Z"),
        ] {
            assert_eq!(parse_time(s, now), Some(t(want)), "{s}");
        }
        for s in [
            "foo",
            "2016-13-01",
            "2016-02-30",
            "2016-06-08X",
            "25:00",
            "",
        ] {
            assert_eq!(parse_time(s, now), None, "{s}");
        }
    }
}
