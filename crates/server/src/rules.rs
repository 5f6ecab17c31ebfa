//! Scenario overrides and faults on the request path: which requests get a fixed answer, a
//! sequence of answers, a delay, an injected status, a reset or a truncated body.
//!
//! Random faults draw from a counter per fault (the n-th matching request), mixed with the
//! scenario seed: the same sequence of requests gets the same faults on every run.

use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::Duration;

use bytes::Bytes;
use eventmock_fake::mix::{mix64, subkey};
use eventmock_model::Vendor;
use eventmock_scenario::file::Then;
use eventmock_scenario::{
    Action, Body, Fault, Latency, Override, RequestMatch, RequestParts, Response, Scenario,
};
use hyper::StatusCode;

use crate::errors::{ErrorName, Holes};
use crate::header_name;
use crate::request::Req;
use crate::response::{Reply, reply, set_header};
use crate::vendors::VendorApi;

/// The longest injected delay (one hour): longer ones are cut to it.
pub const MAX_LATENCY_MS: u64 = 3_600_000;

/// One override with its call counter.
struct OverrideRule {
    /// The override as written.
    rule: Override,
    /// Matching calls so far (drives sequences).
    calls: AtomicU64,
    /// Its name, or `<scenario>/overrides[<n>]` when it has none (for the journal).
    label: String,
}

/// One fault with its call counter and seed.
struct FaultRule {
    /// The fault as written.
    fault: Fault,
    /// Its name, or `<scenario>/faults[<n>]` when it has none (for the journal).
    label: String,
    /// Matching calls so far (drives the seeded draws).
    calls: AtomicU64,
    /// The key of this fault's draws.
    key: u64,
}

/// Where the call counters of sequences and faults are kept when several replicas share them
/// (see [`crate::shared::counters`]); without one they are this process's atomics.
pub trait CallCounters: Send + Sync {
    /// How many calls counter `name` had before this one, counting this one; `None` when the
    /// backend is unavailable (the local counter counts instead).
    fn next(&self, name: &str) -> Option<u64>;
}

/// The overrides and faults of a world.
#[derive(Default)]
pub struct Rules {
    /// Overrides, first match wins.
    overrides: Vec<OverrideRule>,
    /// Faults, all that match apply.
    faults: Vec<FaultRule>,
    /// Shared call counters, when set ([`Rules::share`]).
    shared: std::sync::OnceLock<Arc<dyn CallCounters>>,
}

/// What the faults decided for one request.
#[derive(Debug, Default, Clone, PartialEq)]
pub struct FaultPlan {
    /// Wait this long before answering.
    pub delay: Option<Duration>,
    /// Answer with this status (and error) instead.
    pub status: Option<(u16, Option<ErrorName>)>,
    /// Close the connection without answering.
    pub reset: bool,
    /// Send half the body, then close.
    pub truncate: bool,
    /// The faults that acted (a delay or a draw that fired): bit `n` for the `n`-th fault of
    /// the world; faults past the 64th are not recorded.
    pub applied: u64,
}

/// Which rules shaped one answer, as indices into the world's [`Rules`] (the journal records
/// their names).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct RuleMatch {
    /// The override or sequence that matched.
    pub rule: Option<u32>,
    /// The sequence step that answered (from 0); `None` for a plain override, or after a
    /// sequence's last step with `then: passthrough`.
    pub step: Option<u32>,
    /// The faults that acted ([`FaultPlan::applied`]).
    pub faults: u64,
    /// The request body is not JSON and an override whose other conditions all held has a
    /// `body:` condition (which never matches such a body).
    pub body_not_json: bool,
}

impl RuleMatch {
    /// Whether no rule played a part.
    pub fn is_empty(&self) -> bool {
        *self == Self::default()
    }
}

impl Rules {
    /// The rules of `scenarios`, in file order.
    pub fn new(scenarios: &[Scenario]) -> Self {
        let mut rules = Rules::default();
        for s in scenarios {
            let seed = s.seed.unwrap_or(0);
            for (n, o) in s.overrides.iter().enumerate() {
                rules.overrides.push(OverrideRule {
                    rule: o.clone(),
                    calls: AtomicU64::new(0),
                    label: o
                        .name
                        .clone()
                        .unwrap_or_else(|| format!("{}/overrides[{n}]", s.name)),
                });
            }
            for (n, f) in s.faults.iter().enumerate() {
                rules.faults.push(FaultRule {
                    fault: f.clone(),
                    calls: AtomicU64::new(0),
                    key: subkey(mix64(seed), n as u64 + 1),
                    label: f
                        .name
                        .clone()
                        .unwrap_or_else(|| format!("{}/faults[{n}]", s.name)),
                });
            }
        }
        rules
    }

    /// Counts calls in `counters` (shared by several replicas) from now on.
    pub fn share(&self, counters: Arc<dyn CallCounters>) {
        let _ = self.shared.set(counters);
    }

    /// The number of the call being counted on `local` (named `name` in shared counters).
    fn next_call(&self, local: &AtomicU64, name: impl FnOnce() -> String) -> u64 {
        self.shared
            .get()
            .and_then(|c| c.next(&name()))
            .unwrap_or_else(|| local.fetch_add(1, Ordering::Relaxed))
    }

    /// Whether there is nothing to apply (the fast path).
    pub fn is_empty(&self) -> bool {
        self.overrides.is_empty() && self.faults.is_empty()
    }

    /// Back to the first call of every sequence and fault.
    pub fn reset(&self) {
        for o in &self.overrides {
            o.calls.store(0, Ordering::Relaxed);
        }
        for f in &self.faults {
            f.calls.store(0, Ordering::Relaxed);
        }
    }

    /// The name of the `n`-th override (its label when unnamed).
    pub fn override_name(&self, n: u32) -> Option<&str> {
        self.overrides.get(n as usize).map(|o| o.label.as_str())
    }

    /// The names of the faults whose bits are set in `applied` ([`FaultPlan::applied`]).
    pub fn fault_names(&self, applied: u64) -> impl Iterator<Item = &str> + Clone {
        self.faults
            .iter()
            .take(64)
            .enumerate()
            .filter(move |(n, _)| applied & (1 << n) != 0)
            .map(|(_, f)| f.label.as_str())
    }

    /// The override answer for `req`, if an override matches and does not pass through.
    pub fn override_reply(&self, vendor: Vendor, api: &dyn VendorApi, req: &Req) -> Option<Reply> {
        self.override_answer(vendor, api, req).0
    }

    /// [`Rules::override_reply`], and which override and sequence step matched (its
    /// [`RuleMatch`] has no faults).
    pub fn override_answer(
        &self,
        vendor: Vendor,
        api: &dyn VendorApi,
        req: &Req,
    ) -> (Option<Reply>, RuleMatch) {
        let mut hit = RuleMatch::default();
        if self.overrides.is_empty() {
            return (None, hit);
        }
        let query: Vec<(&str, &str)> = req
            .query
            .iter()
            .map(|(k, v)| (k.as_str(), v.as_str()))
            .collect();
        let headers: Vec<(&str, &str)> = req
            .headers
            .iter()
            .filter_map(|(k, v)| Some((k.as_str(), v.to_str().ok()?)))
            .collect();
        let body: Option<serde_json::Value> = if req.body.is_empty() {
            None
        } else {
            serde_json::from_slice(&req.body).ok()
        };
        let parts = RequestParts {
            method: req.method.as_str(),
            path: req.path,
            query: &query,
            headers: &headers,
            body: body.as_ref(),
        };
        let body_not_json = body.is_none() && !req.body.is_empty();
        let found = self.overrides.iter().enumerate().find(|(_, o)| {
            if o.rule.vendor.is_some_and(|v| v != vendor) {
                return false;
            }
            let m = &o.rule.matcher;
            if !m.matches_but_body(&parts) {
                return false;
            }
            if body_not_json && !m.body.is_empty() {
                // Everything else held: say why the override did not answer.
                hit.body_not_json = true;
            }
            m.body_matches(&parts)
        });
        let Some((index, o)) = found else {
            return (None, hit);
        };
        hit.rule = u32::try_from(index).ok();
        let n = self.next_call(&o.calls, || format!("override:{index}"));
        let response = match &o.rule.action {
            Action::Respond(r) => Some(r),
            Action::Sequence { steps, then } => {
                let len = steps.len() as u64;
                let at = if n < len {
                    Some(n)
                } else {
                    match then {
                        Then::RepeatLast => len.checked_sub(1),
                        Then::Cycle => Some(n % len.max(1)),
                        Then::Passthrough => None,
                    }
                };
                hit.step = at.and_then(|at| u32::try_from(at).ok());
                at.and_then(|at| steps.get(at as usize))
                    .and_then(Option::as_ref)
            }
        };
        (response.map(|r| render(api, r, &o.rule.matcher, req)), hit)
    }

    /// What the faults matching `req` decided.
    pub fn faults(&self, vendor: Vendor, req: &Req) -> FaultPlan {
        let mut plan = FaultPlan::default();
        for (index, f) in self.faults.iter().enumerate() {
            if f.fault.vendor.is_some_and(|v| v != vendor) {
                continue;
            }
            if f.fault
                .route
                .as_ref()
                .is_some_and(|t| !t.is_match(req.path))
            {
                continue;
            }
            let n = self.next_call(&f.calls, || format!("fault:{index}"));
            let mut draw = Draws {
                key: f.key,
                n,
                k: 0,
            };
            let mut acted = f.fault.latency.is_some();
            if let Some(latency) = f.fault.latency {
                let ms = match latency {
                    Latency::Fixed(ms) => ms,
                    Latency::Uniform { min, max } => {
                        min.saturating_add(eventmock_fake::mix::below(
                            draw.next(),
                            max.saturating_sub(min).saturating_add(1),
                        ))
                    }
                };
                let delay = Duration::from_millis(ms.min(MAX_LATENCY_MS));
                plan.delay = Some(
                    plan.delay
                        .unwrap_or_default()
                        .saturating_add(delay)
                        .min(Duration::from_millis(MAX_LATENCY_MS)),
                );
            }
            if let Some(s) = f.fault.status
                && draw.chance(s.probability)
            {
                plan.status = Some((s.code, s.error));
                acted = true;
            }
            if let Some(p) = f.fault.reset
                && draw.chance(p)
            {
                plan.reset = true;
                acted = true;
            }
            if let Some(p) = f.fault.truncate
                && draw.chance(p)
            {
                plan.truncate = true;
                acted = true;
            }
            if acted && index < 64 {
                plan.applied |= 1 << index;
            }
        }
        plan
    }
}

/// Independent uniform draws for the `n`-th call of a fault.
struct Draws {
    key: u64,
    n: u64,
    k: u64,
}

impl Draws {
    fn next(&mut self) -> u64 {
        self.k += 1;
        mix64(subkey(self.key, self.n) ^ self.k)
    }

    /// True with probability `p` (0 ..= 1).
    fn chance(&mut self, p: f64) -> bool {
        ((self.next() >> 11) as f64 / (1u64 << 53) as f64) < p
    }
}

/// Renders a fixed answer (a vendor error, JSON, text or nothing). A vendor error's holes are
/// the scenario's `params`, else taken from the request (see [`error_holes`]).
pub fn render(api: &dyn VendorApi, r: &Response, matcher: &RequestMatch, req: &Req) -> Reply {
    let mut res = match &r.body {
        Body::Error(name) => {
            let (param, id) = error_holes(*name, r, matcher, req);
            api.error(
                *name,
                Holes {
                    id,
                    param,
                    method: req.method.as_str(),
                },
            )
        }
        Body::Json(text) => reply(
            StatusCode::OK,
            "application/json",
            Bytes::from(text.clone()),
        ),
        Body::Text(text) => reply(
            StatusCode::OK,
            "text/plain; charset=utf-8",
            Bytes::from(text.clone()),
        ),
        Body::Empty => {
            let mut res = reply(StatusCode::OK, "application/json", Bytes::new());
            res.headers_mut().remove(hyper::header::CONTENT_TYPE);
            res
        }
    };
    if let Some(code) = r.status.and_then(|c| StatusCode::from_u16(c).ok()) {
        *res.status_mut() = code;
    }
    // Names and values were checked when the scenario was loaded.
    for (name, value) in &r.headers {
        if let (Ok(n), Ok(v)) = (
            hyper::header::HeaderName::from_bytes(name.as_bytes()),
            hyper::header::HeaderValue::from_str(value),
        ) {
            res.headers_mut().insert(n, v);
        }
    }
    res
}

/// The `{param}` and `{id}` of a named error answered by an override: the scenario's
/// `params`, else `param` = the first key of the override's `match.query` the request has (else
/// the request's first query key) and `id` = for `bad_query` the request's value of `param`,
/// otherwise the path's last segment.
pub fn error_holes<'a>(
    name: ErrorName,
    r: &'a Response,
    matcher: &'a RequestMatch,
    req: &'a Req,
) -> (&'a str, &'a str) {
    let param = r.holes.param.as_deref().unwrap_or_else(|| {
        matcher
            .query
            .iter()
            .map(|(k, _)| k.as_str())
            .find(|k| req.param(k).is_some())
            .or_else(|| req.query.first().map(|(k, _)| k.as_str()))
            .unwrap_or_default()
    });
    let id = r.holes.id.as_deref().unwrap_or_else(|| match name {
        ErrorName::BadQuery => req.param(param).unwrap_or_default(),
        _ => req
            .path
            .rsplit('/')
            .find(|s| !s.is_empty())
            .unwrap_or_default(),
    });
    (param, id)
}

/// The reply of an injected status: the named vendor error (or the vendor's internal error)
/// with the fault's status code.
pub fn status_reply(api: &dyn VendorApi, code: u16, error: Option<ErrorName>) -> Reply {
    let mut res = api.error(error.unwrap_or(ErrorName::Internal), Holes::default());
    if let Ok(status) = StatusCode::from_u16(code) {
        *res.status_mut() = status;
    }
    set_header(&mut res, header_name!("x-eventmock-fault"), "status");
    res
}

/// The rules as JSON for people (the admin API and the dashboard).
mod summary;
