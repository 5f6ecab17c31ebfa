//! Vendor rate limits on the world's clock (`rate_limit: {requests, per}` in a scenario),
//! counted per client ([`crate::client`]) the way each vendor's framework counts them:
//!
//! | vendor | window | over the limit |
//! |---|---|---|
//! | Cloud Foundry | fixed, from a client's first request (`base_rate_limiter.rb`) | 429 `CF-RateLimitExceeded` 10013 (10014 `IPBasedRateLimitExceeded` without a token), `text/plain`, `Retry-After`; `X-RateLimit-Limit/-Remaining/-Reset` on **every** response |
//! | authentik, Probely (DRF) | sliding: the request times of the last `per` | 429 `{"detail":"Request was throttled. Expected available in N seconds."}`, `Retry-After: N` |
//! | Halo (choice) | fixed | 429 `{"code":429,"message":"rate limit exceeded"}`, `Retry-After` |
//! | InstaVM (choice: Starlette's 429) | fixed | 429 `{"detail":"Too Many Requests"}`, `Retry-After` |
//!
//! Times come from the clock's `limits_now` (wall time unless the clock is manual), so on a
//! manual clock an advance past `Retry-After` lifts the limit, and `X-RateLimit-Reset` is on
//! the world's clock.

use std::collections::{HashMap, VecDeque};
use std::sync::Mutex;

use bytes::Bytes;
use eventmock_fake::time::Micros;
use eventmock_model::Vendor;
use eventmock_scenario::RateLimit;
use hyper::StatusCode;
use hyper::header::HeaderValue;

use crate::response::{Reply, reply};

const MICROS: i64 = 1_000_000;

/// How a vendor's framework counts requests.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Window {
    /// A window opens at a client's first request and lasts `per`; its count resets then.
    Fixed,
    /// At most `requests` in any `per` ending now (DRF's `SimpleRateThrottle` history).
    Sliding,
}

/// The window a vendor's framework uses.
pub fn window_of(vendor: Vendor) -> Window {
    match vendor {
        Vendor::Authentik | Vendor::Probely => Window::Sliding,
        Vendor::CloudFoundry | Vendor::Halo | Vendor::Instavm => Window::Fixed,
    }
}

/// One client's state.
#[derive(Debug)]
enum State {
    Fixed { until: Micros, count: u64 },
    Sliding(VecDeque<Micros>),
}

/// The outcome of counting one request.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Verdict {
    /// Whether the request may be answered.
    pub allowed: bool,
    /// The limit.
    pub limit: u64,
    /// Requests left in the window after this one.
    pub remaining: u64,
    /// When the window resets (Unix microseconds, on the world's clock).
    pub reset: Micros,
    /// Whole seconds until a request is allowed again (0 when allowed).
    pub retry_after: u64,
}

/// A mount's rate limiter.
#[derive(Debug)]
pub struct RateLimiter {
    limit: RateLimit,
    window: Window,
    clients: Mutex<HashMap<Box<str>, State>>,
}

impl RateLimiter {
    /// A limiter for `vendor` with `limit`.
    pub fn new(vendor: Vendor, limit: RateLimit) -> Self {
        Self {
            limit,
            window: window_of(vendor),
            clients: Mutex::new(HashMap::new()),
        }
    }

    /// Counts a request of `client` at `now`.
    pub fn check(&self, client: &str, now: Micros) -> Verdict {
        let per = self.limit.per.micros();
        let limit = self.limit.requests;
        let Ok(mut clients) = self.clients.lock() else {
            return Verdict {
                allowed: true,
                limit,
                remaining: limit,
                reset: now + per,
                retry_after: 0,
            };
        };
        let state = match clients.get_mut(client) {
            Some(s) => s,
            None => clients.entry(client.into()).or_insert(match self.window {
                Window::Fixed => State::Fixed {
                    until: now + per,
                    count: 0,
                },
                Window::Sliding => State::Sliding(VecDeque::new()),
            }),
        };
        match state {
            State::Fixed { until, count } => {
                if now >= *until {
                    *until = now + per;
                    *count = 0;
                }
                let allowed = *count < limit;
                if allowed {
                    *count += 1;
                }
                Verdict {
                    allowed,
                    limit,
                    remaining: limit - *count,
                    reset: *until,
                    retry_after: if allowed { 0 } else { ceil_secs(*until - now) },
                }
            }
            State::Sliding(history) => {
                // Newest at the back; drop what fell out of the window.
                while history.front().is_some_and(|t| *t <= now - per) {
                    history.pop_front();
                }
                let allowed = (history.len() as u64) < limit;
                if allowed {
                    history.push_back(now);
                }
                let oldest = history.front().copied().unwrap_or(now);
                Verdict {
                    allowed,
                    limit,
                    remaining: limit - history.len() as u64,
                    reset: oldest + per,
                    retry_after: if allowed {
                        0
                    } else {
                        ceil_secs(per - (now - oldest))
                    },
                }
            }
        }
    }

    /// The limit counted.
    pub fn limit(&self) -> RateLimit {
        self.limit
    }

    /// How the vendor's framework counts.
    pub fn window(&self) -> Window {
        self.window
    }

    /// Forgets every window.
    pub fn clear(&self) {
        if let Ok(mut clients) = self.clients.lock() {
            *clients = HashMap::new();
        }
    }
}

/// The verdict of a request counted elsewhere (a shared backend, [`crate::shared::windows`]):
/// `count` requests in the window after it, the window resetting at `reset`.
pub fn verdict_of(limit: u64, allowed: bool, count: u64, reset: Micros, now: Micros) -> Verdict {
    Verdict {
        allowed,
        limit,
        remaining: limit.saturating_sub(count),
        reset,
        retry_after: if allowed { 0 } else { ceil_secs(reset - now) },
    }
}

/// Whole seconds, rounded up (DRF: `math.ceil(wait)`), at least 1.
fn ceil_secs(micros: Micros) -> u64 {
    (micros.max(1) as u64).div_ceil(MICROS as u64)
}

/// The vendor's 429 for a request over the limit (`unauthenticated`: CF's per-IP variant).
pub fn limited(vendor: Vendor, verdict: &Verdict, unauthenticated: bool) -> Reply {
    let n = verdict.retry_after;
    let (content_type, body): (&str, String) = match vendor {
        Vendor::CloudFoundry if unauthenticated => (
            "text/plain; charset=utf-8",
            r#"{"description":"Rate Limit Exceeded: Unauthenticated requests from this IP address have exceeded the limit","error_code":"CF-IPBasedRateLimitExceeded","code":10014}"#.into(),
        ),
        Vendor::CloudFoundry => (
            "text/plain; charset=utf-8",
            r#"{"description":"Rate Limit Exceeded","error_code":"CF-RateLimitExceeded","code":10013}"#.into(),
        ),
        Vendor::Authentik | Vendor::Probely => (
            "application/json",
            format!(
                r#"{{"detail":"Request was throttled. Expected available in {n} second{}."}}"#,
                if n == 1 { "" } else { "s" }
            ),
        ),
        Vendor::Halo => (
            "application/json",
            r#"{"code":429,"message":"rate limit exceeded"}"#.into(),
        ),
        Vendor::Instavm => ("application/json", r#"{"detail":"Too Many Requests"}"#.into()),
    };
    let mut res = reply(
        StatusCode::TOO_MANY_REQUESTS,
        content_type,
        Bytes::from(body),
    );
    if let Ok(v) = HeaderValue::from_str(&n.to_string()) {
        res.headers_mut().insert(hyper::header::RETRY_AFTER, v);
    }
    res
}

/// CF's `X-RateLimit-*` headers, on every response of a limited CF mount.
pub fn decorate(vendor: Vendor, verdict: &Verdict, res: &mut Reply) {
    if vendor != Vendor::CloudFoundry {
        return;
    }
    let reset_secs = verdict.reset.div_euclid(MICROS);
    let headers = res.headers_mut();
    for (name, value) in [
        ("x-ratelimit-limit", verdict.limit),
        ("x-ratelimit-remaining", verdict.remaining),
        ("x-ratelimit-reset", reset_secs.max(0) as u64),
    ] {
        headers.insert(name, HeaderValue::from(value));
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn limit(requests: u64, per: &str) -> RateLimit {
        RateLimit {
            requests,
            per: per.parse().unwrap(),
        }
    }

    #[test]
    fn a_fixed_window_resets_when_it_ends() {
        let l = RateLimiter::new(Vendor::CloudFoundry, limit(5, "1m"));
        let t0 = 1_000 * MICROS;
        for n in 0..5 {
            let v = l.check("u", t0 + n * MICROS);
            assert!(v.allowed);
            assert_eq!(v.remaining, 4 - n as u64);
            assert_eq!(v.reset, t0 + 60 * MICROS);
        }
        let sixth = l.check("u", t0 + 10 * MICROS);
        assert!(!sixth.allowed);
        assert_eq!(sixth.retry_after, 50);
        assert!(l.check("other", t0 + 10 * MICROS).allowed, "per client");
        assert!(l.check("u", t0 + 60 * MICROS).allowed, "a new window");
    }

    #[test]
    fn a_sliding_window_frees_a_slot_as_the_oldest_request_ages_out() {
        let l = RateLimiter::new(Vendor::Authentik, limit(2, "10s"));
        let t0 = 1_000 * MICROS;
        assert!(l.check("t", t0).allowed);
        assert!(l.check("t", t0 + 4 * MICROS).allowed);
        let third = l.check("t", t0 + 5 * MICROS);
        assert!(!third.allowed);
        assert_eq!(third.retry_after, 5);
        assert!(!l.check("t", t0 + 9 * MICROS + 999_999).allowed);
        assert!(l.check("t", t0 + 10 * MICROS).allowed, "the first aged out");
        assert!(!l.check("t", t0 + 11 * MICROS).allowed);
    }

    #[test]
    fn drf_says_second_in_the_singular() {
        let v = Verdict {
            allowed: false,
            limit: 1,
            remaining: 0,
            reset: 0,
            retry_after: 1,
        };
        let res = limited(Vendor::Probely, &v, false);
        assert_eq!(res.status(), 429);
        assert_eq!(res.headers()["retry-after"], "1");
    }
}
