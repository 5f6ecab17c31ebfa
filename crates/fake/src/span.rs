//! The one grammar for durations and rates, used by CLI flags, scenarios and the admin API.
//!
//! - A **duration** ([`Span`]) is a whole number followed by a unit, with no space and no sign:
//!   `250ms`, `90s`, `5m`, `1h`, `7d`. The unit is required (`30` is an error, so is `1.5s`), and
//!   a duration is at most [`Span::MAX`] (100 years): past it the text is refused rather than
//!   wrapping around into a nonsense date.
//! - A **rate** ([`Rate`]) is a whole number of events per unit: `5/s`, `300/min`, `1000/h`.
//!
//! Both parse with [`str::parse`] and print back canonically with `Display` (the largest unit
//! that divides the value exactly: `300s` prints as `5m`), so a value read from a flag, a
//! scenario or an admin request prints the same everywhere.

use std::fmt;
use std::str::FromStr;
use std::time::Duration;

use crate::time::Micros;

const MICROS_PER_MS: i64 = 1_000;
const MICROS_PER_SEC: i64 = 1_000_000;

/// The duration units, largest first: suffix and length in microseconds.
const UNITS: [(&str, i64); 5] = [
    ("d", 86_400 * MICROS_PER_SEC),
    ("h", 3_600 * MICROS_PER_SEC),
    ("m", 60 * MICROS_PER_SEC),
    ("s", MICROS_PER_SEC),
    ("ms", MICROS_PER_MS),
];

/// A duration of zero or more whole milliseconds, at most [`Span::MAX`].
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Default)]
pub struct Span(Micros);

impl Span {
    /// The longest duration the grammar accepts: 36,500 days (100 years).
    pub const MAX: Span = Span(36_500 * 86_400 * MICROS_PER_SEC);
    /// No time at all.
    pub const ZERO: Span = Span(0);

    /// A span of `micros` microseconds, if it is within `0 ..= MAX`.
    pub fn from_micros(micros: Micros) -> Option<Span> {
        (0..=Self::MAX.0).contains(&micros).then_some(Span(micros))
    }

    /// A span of whole seconds, if within range.
    pub fn from_secs(secs: u64) -> Option<Span> {
        i64::try_from(secs)
            .ok()
            .and_then(|s| s.checked_mul(MICROS_PER_SEC))
            .and_then(Span::from_micros)
    }

    /// The length in microseconds.
    pub fn micros(self) -> Micros {
        self.0
    }

    /// Whether the span is zero.
    pub fn is_zero(self) -> bool {
        self.0 == 0
    }

    /// As a standard-library duration.
    pub fn to_duration(self) -> Duration {
        Duration::from_micros(self.0.unsigned_abs())
    }
}

impl From<Span> for Duration {
    fn from(span: Span) -> Duration {
        span.to_duration()
    }
}

impl TryFrom<Duration> for Span {
    type Error = SpanError;

    /// A standard duration, rounded down to whole milliseconds (the grammar's finest unit).
    fn try_from(d: Duration) -> Result<Span, SpanError> {
        let ms = d.as_millis();
        i64::try_from(ms)
            .ok()
            .and_then(|ms| ms.checked_mul(MICROS_PER_MS))
            .and_then(Span::from_micros)
            .ok_or(SpanError::OutOfRange(format!("{}ms", ms)))
    }
}

/// Why a duration or a rate could not be read.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum SpanError {
    /// Not `<whole number><unit>` at all.
    #[error(
        "invalid duration `{0}`: expected a whole number and a unit (ms, s, m, h, d), such as 250ms, 90s, 5m, 1h or 7d"
    )]
    Syntax(String),
    /// A number without a unit.
    #[error("invalid duration `{0}`: a unit is required (ms, s, m, h, d), such as `{0}s`")]
    NoUnit(String),
    /// Longer than [`Span::MAX`] (or too large for any unit).
    #[error("duration `{0}` is out of range: at most 36500d (100 years)")]
    OutOfRange(String),
    /// Not `<whole number>/<unit>`.
    #[error(
        "invalid rate `{0}`: expected a whole number of events per s, min or h, such as 5/s, 300/min or 1000/h"
    )]
    RateSyntax(String),
    /// A rate of zero or beyond [`Rate::MAX_COUNT`].
    #[error("rate `{0}` is out of range: expected 1 ..= 1000000000 per unit")]
    RateRange(String),
}

impl FromStr for Span {
    type Err = SpanError;

    fn from_str(s: &str) -> Result<Span, SpanError> {
        let text = s.trim();
        let split = text
            .find(|c: char| !c.is_ascii_digit())
            .unwrap_or(text.len());
        let (digits, unit) = text.split_at(split);
        if digits.is_empty() {
            return Err(SpanError::Syntax(s.to_owned()));
        }
        if unit.is_empty() {
            return Err(SpanError::NoUnit(s.to_owned()));
        }
        let Some(&(_, per)) = UNITS.iter().find(|(u, _)| *u == unit) else {
            return Err(SpanError::Syntax(s.to_owned()));
        };
        // Any digit string too long for i64 is out of range rather than a syntax error.
        let n: i64 = digits
            .parse()
            .map_err(|_| SpanError::OutOfRange(s.to_owned()))?;
        n.checked_mul(per)
            .and_then(Span::from_micros)
            .ok_or_else(|| SpanError::OutOfRange(s.to_owned()))
    }
}

impl fmt::Display for Span {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if self.0 == 0 {
            return f.write_str("0s");
        }
        for (unit, per) in UNITS {
            if self.0 % per == 0 {
                return write!(f, "{}{unit}", self.0 / per);
            }
        }
        // Below a millisecond (only from `from_micros`): shown in whole ms, rounded down.
        write!(f, "{}ms", self.0 / MICROS_PER_MS)
    }
}

/// The units of a rate, largest first: suffix and period in microseconds.
const RATE_UNITS: [(&str, i64); 3] = [
    ("h", 3_600 * MICROS_PER_SEC),
    ("min", 60 * MICROS_PER_SEC),
    ("s", MICROS_PER_SEC),
];

/// A rate: `count` events per `per` (a second, a minute or an hour).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct Rate {
    /// How many per period (1 ..= [`Rate::MAX_COUNT`]).
    count: u64,
    /// The period in microseconds.
    per: Micros,
}

impl Rate {
    /// The largest count per unit.
    pub const MAX_COUNT: u64 = 1_000_000_000;

    /// `count` per second, if `1 ..= MAX_COUNT`.
    pub fn per_second(count: u64) -> Option<Rate> {
        (1..=Self::MAX_COUNT).contains(&count).then_some(Rate {
            count,
            per: MICROS_PER_SEC,
        })
    }

    /// How many per period.
    pub fn count(self) -> u64 {
        self.count
    }

    /// The period in microseconds.
    pub fn period(self) -> Micros {
        self.per
    }

    /// How many events a steady process at this rate has produced `elapsed` microseconds
    /// after its start: `⌊elapsed × count / period⌋` (0 for `elapsed ≤ 0`), exact.
    #[inline]
    pub fn count_in(self, elapsed: Micros) -> u64 {
        if elapsed <= 0 {
            return 0;
        }
        let n = elapsed as u128 * u128::from(self.count) / self.per as u128;
        u64::try_from(n).unwrap_or(u64::MAX)
    }

    /// When (microseconds after the start) event `k` (from 0) of a steady process at this rate
    /// happens: the first instant at which [`Rate::count_in`] exceeds `k`.
    #[inline]
    pub fn time_of(self, k: u64) -> Micros {
        let t = (u128::from(k) + 1) * self.per as u128;
        let t = t.div_ceil(u128::from(self.count));
        i64::try_from(t).unwrap_or(i64::MAX)
    }
}

impl FromStr for Rate {
    type Err = SpanError;

    fn from_str(s: &str) -> Result<Rate, SpanError> {
        let text = s.trim();
        let Some((digits, unit)) = text.split_once('/') else {
            return Err(SpanError::RateSyntax(s.to_owned()));
        };
        if digits.is_empty() || !digits.bytes().all(|c| c.is_ascii_digit()) {
            return Err(SpanError::RateSyntax(s.to_owned()));
        }
        let Some(&(_, per)) = RATE_UNITS.iter().find(|(u, _)| *u == unit) else {
            return Err(SpanError::RateSyntax(s.to_owned()));
        };
        let count: u64 = digits
            .parse()
            .map_err(|_| SpanError::RateRange(s.to_owned()))?;
        if !(1..=Self::MAX_COUNT).contains(&count) {
            return Err(SpanError::RateRange(s.to_owned()));
        }
        Ok(Rate { count, per })
    }
}

impl fmt::Display for Rate {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let unit = RATE_UNITS
            .iter()
            .find(|(_, per)| *per == self.per)
            .map_or("s", |(u, _)| *u);
        write!(f, "{}/{unit}", self.count)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn span(s: &str) -> Micros {
        s.parse::<Span>().unwrap().micros()
    }

    #[test]
    fn durations_parse_in_every_unit() {
        assert_eq!(span("250ms"), 250_000);
        assert_eq!(span("90s"), 90_000_000);
        assert_eq!(span("5m"), 300_000_000);
        assert_eq!(span("1h"), 3_600_000_000);
        assert_eq!(span("7d"), 7 * 86_400_000_000);
        assert_eq!(span("0s"), 0);
        assert_eq!(span(" 30d "), 30 * 86_400_000_000);
    }

    #[test]
    fn durations_need_a_unit_and_a_whole_number() {
        for (bad, says) in [
            ("30", "a unit is required"),
            ("", "expected a whole number"),
            ("s", "expected a whole number"),
            ("1.5s", "expected a whole number"),
            ("-5s", "expected a whole number"),
            ("5 s", "expected a whole number"),
            ("3y", "expected a whole number"),
            ("2w", "expected a whole number"),
            ("10sec", "expected a whole number"),
        ] {
            let err = bad.parse::<Span>().unwrap_err().to_string();
            assert!(err.contains(says), "{bad}: {err}");
            assert!(err.contains(&format!("`{bad}`")), "{bad}: {err}");
        }
    }

    #[test]
    fn durations_out_of_range_are_refused() {
        assert_eq!(span("36500d"), Span::MAX.micros());
        for bad in [
            "36501d",
            "1000000d",
            "99999999999999999999s",
            "9223372036854775807d",
        ] {
            let err = bad.parse::<Span>().unwrap_err();
            assert!(matches!(err, SpanError::OutOfRange(_)), "{bad}: {err}");
            assert!(err.to_string().contains("out of range"), "{err}");
        }
    }

    #[test]
    fn durations_print_canonically_and_round_trip() {
        for (text, canonical) in [
            ("300s", "5m"),
            ("90s", "90s"),
            ("1500ms", "1500ms"),
            ("2000ms", "2s"),
            ("24h", "1d"),
            ("0ms", "0s"),
        ] {
            let s: Span = text.parse().unwrap();
            assert_eq!(s.to_string(), canonical);
            assert_eq!(canonical.parse::<Span>().unwrap(), s);
        }
        assert_eq!(
            Span::try_from(Duration::from_millis(1500))
                .unwrap()
                .to_string(),
            "1500ms"
        );
        assert_eq!(
            Span::from_secs(60).unwrap().to_duration(),
            Duration::from_secs(60)
        );
    }

    #[test]
    fn rates_parse_and_print() {
        for (text, count, per) in [
            ("5/s", 5, 1_000_000),
            ("300/min", 300, 60_000_000),
            ("1000/h", 1000, 3_600_000_000),
        ] {
            let r: Rate = text.parse().unwrap();
            assert_eq!((r.count(), r.period()), (count, per));
            assert_eq!(r.to_string(), text);
        }
        for bad in ["5", "5/m", "5/sec", "/s", "1.5/s", "-1/s", "5/", "five/s"] {
            let err = bad.parse::<Rate>().unwrap_err();
            assert!(matches!(err, SpanError::RateSyntax(_)), "{bad}: {err}");
        }
        for bad in ["0/s", "1000000001/s", "99999999999999999999999/h"] {
            let err = bad.parse::<Rate>().unwrap_err();
            assert!(matches!(err, SpanError::RateRange(_)), "{bad}: {err}");
        }
    }

    #[test]
    fn steady_counts_are_exact() {
        let r: Rate = "5/s".parse().unwrap();
        assert_eq!(r.count_in(60_000_000), 300);
        assert_eq!(r.count_in(0), 0);
        assert_eq!(r.count_in(-5), 0);
        assert_eq!(r.count_in(199_999), 0);
        assert_eq!(r.count_in(200_000), 1);
        let r: Rate = "7/min".parse().unwrap();
        // Event k happens exactly when the count first exceeds k.
        for k in 0..1000 {
            let t = r.time_of(k);
            assert_eq!(r.count_in(t), k + 1, "{k}");
            assert_eq!(r.count_in(t - 1), k, "{k}");
        }
    }
}
