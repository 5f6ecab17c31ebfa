//! Validation of what makes a dataset live: the top-level `clock`, a vendor's `arrivals` and
//! `rate_limit`. Durations and rates use the one grammar of [`eventmock_fake::span`].

use eventmock_fake::{Rate, Span};

use super::*;
use crate::file::{ClockFile, LateFile, RateLimitFile, VendorFile};
use crate::scenario::{ClockMode, Late, Pattern, RateLimit, Realism, process_now};

/// The most arrivals `arrivals × late.by` may span.
pub const MAX_LATE_WINDOW: u64 = 100_000;

const DURATION: &str = "a duration with its unit (ms, s, m, h, d), such as 90s or 1m";

impl Validator<'_> {
    /// The top-level `clock:`.
    pub(super) fn clock_spec(&mut self, clock: Option<&ClockFile>) -> Option<ClockSpec> {
        let clock = clock?;
        let mode = match clock.mode.as_deref() {
            None => ClockMode::Frozen,
            Some(m) => m.parse().unwrap_or_else(|e: String| {
                self.err(
                    "clock.mode",
                    e,
                    format!("`{m}`"),
                    "`frozen`, `live` or `manual`",
                );
                ClockMode::Frozen
            }),
        };
        let default_start = || {
            parse_rfc3339(eventmock_fake::dataset::DEFAULT_ANCHOR).unwrap_or(1_767_225_600_000_000)
        };
        let start = match clock.start.as_deref() {
            Some("now") => process_now(),
            None if mode == ClockMode::Live => process_now(),
            None => default_start(),
            Some(text) => parse_rfc3339(text).unwrap_or_else(|e| {
                self.err(
                    "clock.start",
                    format!("invalid clock start: {}", e.reason),
                    format!("`{text}`"),
                    "an RFC 3339 time such as 2026-01-01T00:00:00Z, or `now`",
                );
                default_start()
            }),
        };
        Some(ClockSpec { mode, start })
    }

    /// A vendor's `arrivals:` rate; it needs a clock that moves.
    pub(super) fn arrivals(&mut self, path: &str, text: Option<&str>) -> Option<Rate> {
        let text = text?;
        let at = join(path, "arrivals");
        let rate = match text.parse::<Rate>() {
            Ok(rate) => rate,
            Err(e) => {
                self.err(
                    &at,
                    e.to_string(),
                    format!("`{text}`"),
                    "a rate such as 5/s, 300/min or 1000/h",
                );
                return None;
            }
        };
        if self.clock.is_some_and(|c| c.mode == ClockMode::Frozen) {
            self.err(
                &at,
                "arrivals need a clock that moves: a frozen clock's dataset never grows",
                "`clock.mode: frozen`".into(),
                "`clock: {mode: manual}` or `{mode: live}`",
            );
        }
        Some(rate)
    }

    /// A vendor's `pattern`, `same_second` and `retention`; the first two shape arrivals, so
    /// they need the vendor's own `arrivals` (a scenario says how its data grow, so a
    /// command line's `--arrivals` alone does not do).
    pub(super) fn realism(
        &mut self,
        path: &str,
        vf: &VendorFile,
        arrivals: Option<Rate>,
    ) -> Realism {
        let mut realism = Realism::default();
        let needs_arrivals = |v: &mut Self, key: &str, found: String| {
            if vf.arrivals.is_none() {
                v.err(
                    &join(path, key),
                    format!("`{key}` shapes arrivals: it needs `arrivals` on this vendor"),
                    found,
                    "`arrivals: 5/s` (or another rate) beside it",
                );
            }
        };
        if let Some(text) = vf.pattern.as_deref() {
            match text.parse::<Pattern>() {
                Ok(p) => realism.pattern = p,
                Err(e) => self.err(
                    &join(path, "pattern"),
                    e,
                    format!("`{text}`"),
                    "`steady`, `poisson` or `bursty`",
                ),
            }
            needs_arrivals(self, "pattern", format!("`{text}`"));
        }
        if let Some(n) = vf.same_second {
            if (2..=eventmock_fake::arrivals::MAX_SAME_SECOND).contains(&n) {
                realism.same_second = n;
            } else {
                self.err(
                    &join(path, "same_second"),
                    "a same-second group must hold at least 2 arrivals",
                    n.to_string(),
                    "a whole number 2 ..= 1000000",
                );
            }
            needs_arrivals(self, "same_second", n.to_string());
        }
        if let Some(late) = &vf.late {
            realism.late = self.late(&join(path, "late"), late, arrivals);
            needs_arrivals(self, "late", "`late`".into());
        }
        if let Some(text) = vf.retention.as_deref() {
            match text.parse::<Span>() {
                Ok(span) if !span.is_zero() => realism.retention = Some(span.micros()),
                Ok(_) => self.err(
                    &join(path, "retention"),
                    "retention must be longer than zero",
                    format!("`{text}`"),
                    DURATION,
                ),
                Err(e) => self.err(
                    &join(path, "retention"),
                    e.to_string(),
                    format!("`{text}`"),
                    DURATION,
                ),
            }
        }
        realism
    }

    /// A vendor's `late: {share, by}`; the late window (`arrivals × by`) is bounded, since a
    /// list answer looks at every arrival in it.
    fn late(&mut self, path: &str, late: &LateFile, arrivals: Option<Rate>) -> Option<Late> {
        let share_ok = late.share > 0.0 && late.share <= 1.0;
        if !share_ok {
            self.err(
                &join(path, "share"),
                "the share of late arrivals must be above 0 and at most 1",
                late.share.to_string(),
                "a number such as 0.05",
            );
        }
        let by = match late.by.parse::<Span>() {
            Ok(by) if !by.is_zero() => by,
            Ok(_) => {
                self.err(
                    &join(path, "by"),
                    "how late must be longer than zero",
                    format!("`{}`", late.by),
                    DURATION,
                );
                return None;
            }
            Err(e) => {
                self.err(
                    &join(path, "by"),
                    e.to_string(),
                    format!("`{}`", late.by),
                    DURATION,
                );
                return None;
            }
        };
        if let Some(rate) = arrivals {
            let window = rate.count_in(by.micros());
            if window > MAX_LATE_WINDOW {
                self.err(
                    &join(path, "by"),
                    format!(
                        "late arrivals are looked for among the last `arrivals × by` = {window} \
                         arrivals; at most {MAX_LATE_WINDOW}"
                    ),
                    format!("`{}` at {rate}", late.by),
                    "a shorter `by` or a lower rate",
                );
                return None;
            }
        }
        share_ok.then(|| Late {
            per_million: ((late.share * 1_000_000.0).round() as u64).clamp(1, 1_000_000),
            by: by.micros(),
        })
    }

    /// A vendor's `rate_limit: {requests, per}`.
    pub(super) fn rate_limit(
        &mut self,
        path: &str,
        limit: Option<&RateLimitFile>,
    ) -> Option<RateLimit> {
        let limit = limit?;
        if limit.requests == 0 {
            self.err(
                &join(path, "requests"),
                "a rate limit must allow at least one request",
                "0".into(),
                "a whole number ≥ 1",
            );
        }
        let per = match limit.per.parse::<Span>() {
            Ok(per) if !per.is_zero() => per,
            Ok(_) => {
                self.err(
                    &join(path, "per"),
                    "the rate-limit window must be longer than zero",
                    format!("`{}`", limit.per),
                    DURATION,
                );
                return None;
            }
            Err(e) => {
                self.err(
                    &join(path, "per"),
                    e.to_string(),
                    format!("`{}`", limit.per),
                    DURATION,
                );
                return None;
            }
        };
        (limit.requests > 0).then_some(RateLimit {
            requests: limit.requests,
            per,
        })
    }
}
