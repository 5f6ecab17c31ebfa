//! The dataset's time axis and hand-written timestamp formatting (no `format!`, no chrono:
//! this runs once or more per generated event).
//!
//! `timestamp(i) = anchor - (len - 1 - i) × step + jitter(i)` with `0 ≤ jitter < step`, so time
//! never decreases with the index: ordering by time is ordering by index.
//!
//! A dataset with [`Arrivals`] grows at its head: index `len + k` is the `k`-th arrival, at
//! `origin + rate.time_of(k)` (no jitter: it happens exactly when it is counted), so the base
//! region ends at the anchor and the arrival region follows it, still in index order.

pub use crate::arrivals::Arrivals;

/// Microseconds since the Unix epoch, UTC.
pub type Micros = i64;

const MICROS_PER_SEC: i64 = 1_000_000;

/// The time axis of a dataset: when event `i` happened.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct TimeAxis {
    /// The time of the last event (index `len - 1`), before jitter.
    pub anchor: Micros,
    /// The spacing between consecutive events, at least 1 µs.
    pub step: i64,
    /// The number of events on the axis (the base region).
    pub len: u64,
    /// Events arriving after the base region, if any.
    pub arrivals: Option<Arrivals>,
}

impl TimeAxis {
    /// An axis of `len` events spread over `window` microseconds ending at `anchor`.
    pub fn new(anchor: Micros, window: i64, len: u64) -> Self {
        let step = (window / len.max(1) as i64).max(1);
        Self {
            anchor,
            step,
            len,
            arrivals: None,
        }
    }

    /// The time of event `index`; `jitter` is any 64-bit draw, reduced to `0..step`.
    /// Event `i` lies in `(anchor - (len - i) × step, anchor - (len - 1 - i) × step]`, so every
    /// event is at or before the anchor and times never decrease with the index.
    /// With [`Arrivals`], an index past the base region is an arrival and gets its time.
    #[inline]
    pub fn at(&self, index: u64, jitter: u64) -> Micros {
        if index >= self.len
            && let Some(arrivals) = &self.arrivals
        {
            return arrivals.time_of(index - self.len);
        }
        let back = (self.len.saturating_sub(index)) as i64;
        self.anchor - back.saturating_mul(self.step) + 1 + (jitter % self.step as u64) as i64
    }
}

/// A broken-down UTC date and time.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Civil {
    /// Year, e.g. 2026.
    pub year: i64,
    /// Month 1..=12.
    pub month: u32,
    /// Day of month 1..=31.
    pub day: u32,
    /// Hour 0..=23.
    pub hour: u32,
    /// Minute 0..=59.
    pub minute: u32,
    /// Second 0..=59.
    pub second: u32,
    /// Microseconds 0..=999_999.
    pub micros: u32,
}

impl Civil {
    /// Splits a Unix time in microseconds.
    #[inline]
    pub fn from_micros(t: Micros) -> Self {
        let (sod, micros, (year, month, day));
        if (0..FAST_DAYS * 86_400 * MICROS_PER_SEC).contains(&t) {
            // 1970 to 9999: unsigned arithmetic, multiplications only.
            let t = t as u64;
            let secs = t / MICROS_PER_SEC as u64;
            micros = (t % MICROS_PER_SEC as u64) as u32;
            sod = (secs % 86_400) as u32;
            (year, month, day) = civil_from_days_fast((secs / 86_400) as u32);
        } else {
            let secs = t.div_euclid(MICROS_PER_SEC);
            micros = t.rem_euclid(MICROS_PER_SEC) as u32;
            let days = secs.div_euclid(86_400);
            sod = secs.rem_euclid(86_400) as u32;
            (year, month, day) = civil_from_days(days);
        }
        Civil {
            year,
            month,
            day,
            hour: sod / 3600,
            minute: sod / 60 % 60,
            second: sod % 60,
            micros,
        }
    }
}

/// Days from 1970-01-01 to 10000-01-01: [`civil_from_days_fast`] is exact below this.
const FAST_DAYS: i64 = 2_932_897;

/// Year, month, day of `days` since 1970-01-01 (`0 ≤ days < FAST_DAYS`), in 32-bit
/// arithmetic with multiplications instead of divisions (Neri and Schneider, "Euclidean affine
/// functions and their application to calendar algorithms", 2022). Equal to
/// [`civil_from_days`] on that range (see the tests).
#[inline]
fn civil_from_days_fast(days: u32) -> (i64, u32, u32) {
    // Shifted to the computational calendar: years start on March 1st of year 0.
    let n = days + 719_468;
    let n1 = 4 * n + 3;
    let century = n1 / 146_097;
    let n_c = n1 % 146_097 / 4;
    let n2 = 4 * n_c + 3;
    let p2 = 2_939_745u64 * u64::from(n2);
    let year_of_century = (p2 >> 32) as u32;
    let day_of_year = (p2 as u32) / 2_939_745 / 4;
    let n3 = 2141 * day_of_year + 197_913;
    let month = n3 >> 16;
    let day = (n3 & 0xFFFF) / 2141 + 1;
    let january_or_february = day_of_year >= 306;
    let year = 100 * century + year_of_century + u32::from(january_or_february);
    let month = if january_or_february {
        month - 12
    } else {
        month
    };
    (i64::from(year), month, day)
}

/// Year, month, day of `days` since 1970-01-01, any `days` (Howard Hinnant's
/// `civil_from_days`).
fn civil_from_days(days: i64) -> (i64, u32, u32) {
    let z = days + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z.rem_euclid(146_097);
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let day = (doy - (153 * mp + 2) / 5 + 1) as u32;
    let month = if mp < 10 { mp + 3 } else { mp - 9 } as u32;
    let year = yoe + era * 400 + i64::from(month <= 2);
    (year, month, day)
}

impl Civil {
    /// Back to Unix microseconds (`days_from_civil`).
    pub fn to_micros(self) -> Micros {
        let y = self.year - i64::from(self.month <= 2);
        let era = y.div_euclid(400);
        let yoe = y.rem_euclid(400);
        let m = i64::from(self.month);
        let doy = (153 * (if m > 2 { m - 3 } else { m + 9 }) + 2) / 5 + i64::from(self.day) - 1;
        let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
        let days = era * 146_097 + doe - 719_468;
        let secs = days * 86_400
            + i64::from(self.hour) * 3600
            + i64::from(self.minute) * 60
            + i64::from(self.second);
        secs * MICROS_PER_SEC + i64::from(self.micros)
    }
}

/// `00` to `99`.
const PAIRS: &[u8; 200] = b"\
0001020304050607080910111213141516171819\
2021222324252627282930313233343536373839\
4041424344454647484950515253545556575859\
6061626364656667686970717273747576777879\
8081828384858687888990919293949596979899";

/// Writes `v` (< 100) as two ASCII digits at `buf[at..at + 2]`.
#[inline]
fn put2(buf: &mut [u8], at: usize, v: u32) {
    debug_assert!(v < 100);
    let p = 2 * v.min(99) as usize;
    buf[at..at + 2].copy_from_slice(&PAIRS[p..p + 2]);
}

/// Writes `YYYY?MM?DD` at `buf[0..]`, leaving the separator bytes `?` as they are (`sep` is 1
/// with separators, 0 without).
#[inline]
fn put_date(buf: &mut [u8], c: &Civil, sep: usize) {
    let y = c.year.clamp(0, 9999) as u32;
    put2(buf, 0, y / 100);
    put2(buf, 2, y % 100);
    put2(buf, 4 + sep, c.month);
    put2(buf, 6 + 2 * sep, c.day);
}

/// Writes `hh?mm?ss` at `buf[at..]` (`sep` is 1 with separators, 0 without).
#[inline]
fn put_hms(buf: &mut [u8], at: usize, c: &Civil, sep: usize) {
    put2(buf, at, c.hour);
    put2(buf, at + 2 + sep, c.minute);
    put2(buf, at + 4 + 2 * sep, c.second);
}

/// Replaces `out` with ASCII `bytes`, reusing its allocation (a string without one gets one
/// of the exact size).
#[inline]
pub(crate) fn put_ascii(out: &mut String, bytes: &[u8]) {
    debug_assert!(bytes.is_ascii());
    let text = std::str::from_utf8(bytes).unwrap_or_default();
    if out.capacity() == 0 {
        // One exact-size allocation, as a string built anew (no growth from empty).
        *out = text.to_owned();
    } else {
        out.clear();
        out.push_str(text);
    }
}

/// An owned `String` of ASCII bytes (one exact-size allocation, no per-char pushes).
#[inline]
pub(crate) fn ascii_string(bytes: &[u8]) -> String {
    debug_assert!(bytes.is_ascii());
    std::str::from_utf8(bytes).map_or_else(|_| String::new(), str::to_owned)
}

/// `2022-05-16T11:50:53.914329Z`: RFC 3339 with microseconds (Probely, authentik, InstaVM).
pub fn rfc3339_micros(t: Micros) -> String {
    ascii_string(&rfc3339_micros_bytes(t))
}

/// [`rfc3339_micros`] into `out` (its previous content replaced, its allocation reused).
pub fn rfc3339_micros_into(t: Micros, out: &mut String) {
    put_ascii(out, &rfc3339_micros_bytes(t));
}

fn rfc3339_micros_bytes(t: Micros) -> [u8; 27] {
    let c = Civil::from_micros(t);
    let mut b = *b"0000-00-00T00:00:00.000000Z";
    put_date(&mut b, &c, 1);
    put_hms(&mut b, 11, &c, 1);
    let us = c.micros;
    put2(&mut b, 20, us / 10_000);
    put2(&mut b, 22, us / 100 % 100);
    put2(&mut b, 24, us % 100);
    b
}

/// `2016-06-08T16:41:23Z`: RFC 3339 in whole seconds (Cloud Foundry).
pub fn rfc3339_secs(t: Micros) -> String {
    ascii_string(&rfc3339_secs_bytes(t))
}

/// [`rfc3339_secs`] into `out` (its previous content replaced, its allocation reused).
pub fn rfc3339_secs_into(t: Micros, out: &mut String) {
    put_ascii(out, &rfc3339_secs_bytes(t));
}

fn rfc3339_secs_bytes(t: Micros) -> [u8; 20] {
    let c = Civil::from_micros(t);
    let mut b = *b"0000-00-00T00:00:00Z";
    put_date(&mut b, &c, 1);
    put_hms(&mut b, 11, &c, 1);
    b
}

/// `2024-01-31 09:05`: Halo's `date_created`.
pub fn date_minutes(t: Micros) -> String {
    date_minutes_civil(&Civil::from_micros(t))
}

/// [`date_minutes`] of an instant already broken down.
pub fn date_minutes_civil(c: &Civil) -> String {
    ascii_string(&date_minutes_bytes(c))
}

/// [`date_minutes_civil`] into `out` (its previous content replaced, its allocation reused).
pub fn date_minutes_civil_into(c: &Civil, out: &mut String) {
    put_ascii(out, &date_minutes_bytes(c));
}

fn date_minutes_bytes(c: &Civil) -> [u8; 16] {
    let mut b = *b"0000-00-00 00:00";
    put_date(&mut b, c, 1);
    put2(&mut b, 11, c.hour);
    put2(&mut b, 14, c.minute);
    b
}

/// `20240131090512`: the 14-digit `YYYYMMDDhhmmss` prefix of a Halo event id.
pub fn compact_secs(t: Micros) -> String {
    ascii_string(&compact_secs_bytes(&Civil::from_micros(t)))
}

/// The 14 ASCII digits of [`compact_secs`], of an instant already broken down.
#[inline]
pub fn compact_secs_bytes(c: &Civil) -> [u8; 14] {
    let mut b = [b'0'; 14];
    put_date(&mut b, c, 0);
    put_hms(&mut b, 8, c, 0);
    b
}

/// Why a timestamp could not be parsed.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("invalid timestamp `{input}`: expected RFC 3339 such as 2026-01-01T00:00:00Z ({reason})")]
pub struct TimestampError {
    /// The text that was given.
    pub input: String,
    /// What was wrong with it.
    pub reason: &'static str,
}

/// Parses `YYYY-MM-DDThh:mm:ss[.ffffff](Z|±hh:mm)` into Unix microseconds.
pub fn parse_rfc3339(input: &str) -> Result<Micros, TimestampError> {
    let err = |reason| TimestampError {
        input: input.to_owned(),
        reason,
    };
    let b = input.as_bytes();
    if b.len() < 20 {
        return Err(err("too short"));
    }
    let num = |r: std::ops::Range<usize>| -> Result<u32, TimestampError> {
        let s = input.get(r).ok_or_else(|| err("not ASCII"))?;
        if !s.bytes().all(|c| c.is_ascii_digit()) {
            return Err(err("expected digits"));
        }
        s.parse::<u32>().map_err(|_| err("expected digits"))
    };
    if b[4] != b'-' || b[7] != b'-' || !(b[10] == b'T' || b[10] == b't' || b[10] == b' ') {
        return Err(err("expected YYYY-MM-DDThh:mm:ss"));
    }
    if b[13] != b':' || b[16] != b':' {
        return Err(err("expected YYYY-MM-DDThh:mm:ss"));
    }
    let mut c = Civil {
        year: i64::from(num(0..4)?),
        month: num(5..7)?,
        day: num(8..10)?,
        hour: num(11..13)?,
        minute: num(14..16)?,
        second: num(17..19)?,
        micros: 0,
    };
    if !(1..=12).contains(&c.month) || !(1..=31).contains(&c.day) || c.hour > 23 {
        return Err(err("field out of range"));
    }
    if c.minute > 59 || c.second > 60 {
        return Err(err("field out of range"));
    }
    let mut pos = 19;
    if b[pos] == b'.' {
        pos += 1;
        let start = pos;
        while pos < b.len() && b[pos].is_ascii_digit() {
            pos += 1;
        }
        if pos == start {
            return Err(err("empty fraction"));
        }
        let mut frac = 0u32;
        for (n, d) in b[start..pos].iter().take(6).enumerate() {
            frac += u32::from(d - b'0') * 10u32.pow(5 - n as u32);
        }
        c.micros = frac;
    }
    let offset_secs: i64 = match &b[pos..] {
        b"Z" | b"z" => 0,
        [sign @ (b'+' | b'-'), ..] if b.len() - pos == 6 && b[pos + 3] == b':' => {
            let h = i64::from(num(pos + 1..pos + 3)?);
            let m = i64::from(num(pos + 4..pos + 6)?);
            let v = h * 3600 + m * 60;
            if *sign == b'-' { -v } else { v }
        }
        _ => return Err(err("expected Z or ±hh:mm offset")),
    };
    Ok(c.to_micros() - offset_secs * MICROS_PER_SEC)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn formats_known_instants() {
        let t = parse_rfc3339("2022-05-16T11:50:53.914329Z").unwrap();
        assert_eq!(rfc3339_micros(t), "2022-05-16T11:50:53.914329Z");
        assert_eq!(rfc3339_secs(t), "2022-05-16T11:50:53Z");
        assert_eq!(date_minutes(t), "2022-05-16 11:50");
        assert_eq!(compact_secs(t), "20220516115053");
        assert_eq!(rfc3339_micros(0), "1970-01-01T00:00:00.000000Z");
        let leap = parse_rfc3339("2024-02-29T23:59:59+01:00").unwrap();
        assert_eq!(rfc3339_secs(leap), "2024-02-29T22:59:59Z");
    }

    #[test]
    fn fast_civil_matches_reference() {
        let mut days = 0;
        while days < FAST_DAYS {
            assert_eq!(
                civil_from_days_fast(days as u32),
                civil_from_days(days),
                "{days}"
            );
            days += if days < 30_000 { 1 } else { 7 };
        }
        let end = FAST_DAYS * 86_400 * MICROS_PER_SEC;
        assert_eq!(rfc3339_micros(end - 1), "9999-12-31T23:59:59.999999Z");
        assert_eq!(Civil::from_micros(end).year, 10_000);
        assert_eq!(rfc3339_micros(-1), "1969-12-31T23:59:59.999999Z");
        let last = FAST_DAYS - 1;
        assert_eq!(civil_from_days_fast(last as u32), civil_from_days(last));
        assert_eq!(civil_from_days(last), (9999, 12, 31));
    }

    #[test]
    fn civil_round_trips_over_centuries() {
        let mut t: i64 = -2_000_000_000_000_000;
        while t < 4_000_000_000_000_000 {
            assert_eq!(Civil::from_micros(t).to_micros(), t);
            t += 86_399_999_999 * 7 + 12_345;
        }
    }

    #[test]
    fn rejects_bad_timestamps() {
        for bad in [
            "",
            "2022-05-16",
            "2022-13-16T00:00:00Z",
            "2022-05-16T00:00:00",
            "2022-05-16T00:00:00.Z",
        ] {
            assert!(parse_rfc3339(bad).is_err(), "{bad}");
        }
    }

    #[test]
    fn axis_is_monotonic() {
        let axis = TimeAxis::new(1_000_000_000, 1_000_000, 1000);
        let mut last = i64::MIN;
        for i in 0..1000 {
            let t = axis.at(i, i.wrapping_mul(0x9E37_79B9_7F4A_7C15));
            assert!(t >= last);
            last = t;
        }
        assert!(axis.at(999, u64::MAX) <= 1_000_000_000);
        assert!(axis.at(999, 0) > 1_000_000_000 - axis.step);
        assert!(axis.at(0, 0) > 1_000_000_000 - 1_000_000);
    }
}
