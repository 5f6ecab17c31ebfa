//! The compiled scenario: validated, with defaults applied, times parsed, vendors resolved and
//! regexes compiled. This is what the server consumes.

use eventmock_fake::time::Micros;
use eventmock_fake::{DatasetConfig, Rate, Span};
use eventmock_model::Vendor;

pub use crate::file::AllowMethods;
use crate::file::{CheckExpectFile, ErrorName, Then};
use crate::matcher::{Matcher, PathMatcher, Template};

/// A validated scenario.
#[derive(Debug, Clone, PartialEq)]
pub struct Scenario {
    /// The scenario's name (`[a-z0-9-]+`).
    pub name: String,
    /// Free text saying what it is for.
    pub description: Option<String>,
    /// The top-level default seed, if given.
    pub seed: Option<u64>,
    /// The world's clock, if this scenario sets one.
    pub clock: Option<ClockSpec>,
    /// The mounted vendors, in [`Vendor::ALL`] order; at least one.
    pub vendors: Vec<VendorMount>,
    /// Request overrides; the first matching one wins.
    pub overrides: Vec<Override>,
    /// Faults applied to matching requests before the normal answer.
    pub faults: Vec<Fault>,
    /// Contract checks.
    pub checks: Vec<Check>,
    /// Browser access (CORS): the allowed origins (empty: any), or `None` when off.
    pub cors: Option<Vec<String>>,
}

impl Scenario {
    /// The mount of `vendor`, if the scenario serves it.
    pub fn vendor(&self, vendor: Vendor) -> Option<&VendorMount> {
        self.vendors.iter().find(|m| m.vendor == vendor)
    }
}

/// One vendor's mount and dataset.
#[derive(Debug, Clone, PartialEq)]
pub struct VendorMount {
    /// The vendor.
    pub vendor: Vendor,
    /// The mount path prefix (starts with `/`; default `/`).
    pub prefix: String,
    /// Its own port (0 = any free port), or `None` for the main port.
    pub port: Option<u16>,
    /// The dataset: seed (vendor ▸ top-level ▸ default), size, anchor and window.
    pub dataset: DatasetConfig,
    /// Which credentials are accepted.
    pub auth: Auth,
    /// Explicit events, in file order.
    pub fixtures: Vec<Fixture>,
    /// Whether the anchor is the clock's start (no `anchor`, or `anchor: now`) rather than a
    /// fixed time; a world whose clock starts elsewhere moves such an anchor there.
    pub anchor_from_clock: bool,
    /// New events per unit of clock time, if any.
    pub arrivals: Option<Rate>,
    /// The vendor's rate limit, if any.
    pub rate_limit: Option<RateLimit>,
    /// Cloud Foundry: the Cloud Controller v2 API version imitated (`None`: the default).
    pub api_version: Option<CfApiVersion>,
    /// Django REST framework vendors: which methods `Allow` lists.
    pub allow: AllowMethods,
}

/// How the world's clock runs.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum ClockMode {
    /// The data do not change; time-based limits follow wall time.
    #[default]
    Frozen,
    /// Everything follows wall time from the start.
    Live,
    /// Time moves only when told (`POST /__eventmock/clock`).
    Manual,
}

impl ClockMode {
    /// `frozen`, `live` or `manual`.
    pub fn name(self) -> &'static str {
        match self {
            ClockMode::Frozen => "frozen",
            ClockMode::Live => "live",
            ClockMode::Manual => "manual",
        }
    }
}

impl std::str::FromStr for ClockMode {
    type Err = String;

    fn from_str(s: &str) -> Result<Self, String> {
        match s {
            "frozen" => Ok(ClockMode::Frozen),
            "live" => Ok(ClockMode::Live),
            "manual" => Ok(ClockMode::Manual),
            _ => Err(format!(
                "unknown clock mode `{s}`: expected `frozen`, `live` or `manual`"
            )),
        }
    }
}

/// A scenario's clock: its mode and resolved start.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ClockSpec {
    /// How it runs.
    pub mode: ClockMode,
    /// When it starts (Unix microseconds); `now` already resolved.
    pub start: Micros,
}

/// At most `requests` per `per`, per client.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct RateLimit {
    /// Requests allowed per window (≥ 1).
    pub requests: u64,
    /// The window (> 0).
    pub per: Span,
}

/// The wall-clock time this process first resolved `now` (whole seconds, Unix microseconds):
/// every `now` in scenarios (a clock's `start`, an `anchor`) read by one process is this same
/// instant, so scenarios of one world agree and a reload does not move the data.
pub fn process_now() -> Micros {
    static NOW: std::sync::OnceLock<Micros> = std::sync::OnceLock::new();
    *NOW.get_or_init(|| {
        let secs = std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .map_or(0, |d| d.as_secs());
        i64::try_from(secs).unwrap_or(0).saturating_mul(1_000_000)
    })
}

/// A Cloud Controller v2 API version, `2.<minor>.<patch>`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct CfApiVersion {
    /// The minor version (`164` in `2.164.0`).
    pub minor: u32,
    /// The patch version.
    pub patch: u32,
}

impl CfApiVersion {
    /// The version eventmock imitates unless a scenario says otherwise.
    pub const DEFAULT: Self = Self {
        minor: 164,
        patch: 0,
    };

    /// Parses `2.N.M`.
    pub fn parse(s: &str) -> Option<Self> {
        let mut parts = s.split('.');
        let (Some("2"), Some(minor), Some(patch), None) =
            (parts.next(), parts.next(), parts.next(), parts.next())
        else {
            return None;
        };
        let digits = |p: &str| !p.is_empty() && p.bytes().all(|b| b.is_ascii_digit());
        if !digits(minor) || !digits(patch) {
            return None;
        }
        Some(Self {
            minor: minor.parse().ok()?,
            patch: patch.parse().ok()?,
        })
    }
}

impl std::fmt::Display for CfApiVersion {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "2.{}.{}", self.minor, self.patch)
    }
}

/// Which credentials a vendor accepts.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub enum Auth {
    /// Any non-empty credential in the vendor's scheme.
    #[default]
    AnyCredential,
    /// Only these tokens.
    Tokens(Vec<String>),
    /// No credential needed.
    Off,
}

/// An explicit event.
#[derive(Debug, Clone, PartialEq)]
pub struct Fixture {
    /// Its id, well-formed for the vendor, unique within it.
    pub id: String,
    /// When it happened (Unix microseconds); default the dataset's anchor.
    pub at: Micros,
    /// Fields overriding a generated event's fields.
    pub event: serde_json::Map<String, serde_json::Value>,
}

/// A request override.
#[derive(Debug, Clone, PartialEq)]
pub struct Override {
    /// Its name, if given (unique).
    pub name: Option<String>,
    /// Only requests routed to this vendor.
    pub vendor: Option<Vendor>,
    /// The request conditions.
    pub matcher: RequestMatch,
    /// What to answer.
    pub action: Action,
}

/// The parts of a request a [`RequestMatch`] looks at.
#[derive(Debug, Clone, Copy, Default)]
pub struct RequestParts<'a> {
    /// The HTTP method.
    pub method: &'a str,
    /// The path, relative to the vendor's mount, without query string.
    pub path: &'a str,
    /// Decoded query parameters, in request order.
    pub query: &'a [(&'a str, &'a str)],
    /// Headers (any case), in request order.
    pub headers: &'a [(&'a str, &'a str)],
    /// The body parsed as JSON, if it is JSON.
    pub body: Option<&'a serde_json::Value>,
}

/// Request conditions; all given must hold.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct RequestMatch {
    /// The upper-case HTTP method.
    pub method: Option<String>,
    /// The path template or regex.
    pub path: Option<PathMatcher>,
    /// Query parameters that must be present and match.
    pub query: Vec<(String, Matcher)>,
    /// Headers (lower-case names) that must be present and match.
    pub headers: Vec<(String, Matcher)>,
    /// JSON body fields (dotted path split into keys) that must equal these values.
    pub body: Vec<(Vec<String>, serde_json::Value)>,
    /// Values the template's placeholders must match.
    pub path_params: Vec<(String, Matcher)>,
}

impl RequestMatch {
    /// Whether the request satisfies every condition.
    pub fn matches(&self, req: &RequestParts<'_>) -> bool {
        self.matches_but_body(req) && self.body_matches(req)
    }

    /// Whether the `body:` conditions hold (a body that is not JSON meets none of them).
    pub fn body_matches(&self, req: &RequestParts<'_>) -> bool {
        self.body.iter().all(|(path, want)| {
            let mut v = req.body;
            for key in path {
                v = v.and_then(|v| v.get(key));
            }
            v == Some(want)
        })
    }

    /// Whether every condition but the `body:` ones holds.
    pub fn matches_but_body(&self, req: &RequestParts<'_>) -> bool {
        if self.method.as_deref().is_some_and(|m| m != req.method) {
            return false;
        }
        let captures = match &self.path {
            Some(p) => match p.matches(req.path) {
                Some(c) => c,
                None => return false,
            },
            None => Vec::new(),
        };
        let param_ok = |(name, m): &(String, Matcher)| {
            captures
                .iter()
                .any(|(n, v)| *n == name.as_str() && m.matches(v))
        };
        let query_ok = |(name, m): &(String, Matcher)| {
            req.query
                .iter()
                .any(|(n, v)| *n == name.as_str() && m.matches(v))
        };
        let header_ok = |(name, m): &(String, Matcher)| {
            req.headers
                .iter()
                .any(|(n, v)| n.eq_ignore_ascii_case(name) && m.matches(v))
        };
        self.path_params.iter().all(param_ok)
            && self.query.iter().all(query_ok)
            && self.headers.iter().all(header_ok)
    }
}

/// What an override answers.
#[derive(Debug, Clone, PartialEq)]
pub enum Action {
    /// Always this.
    Respond(Response),
    /// The n-th matching request gets the n-th step (`None` = let the normal mock answer).
    Sequence {
        /// The steps; at least one.
        steps: Vec<Option<Response>>,
        /// What happens after the last step.
        then: Then,
    },
}

/// A fixed answer.
#[derive(Debug, Clone, PartialEq)]
pub struct Response {
    /// The status; `None` = 200, or the vendor error's own status.
    pub status: Option<u16>,
    /// Extra headers.
    pub headers: Vec<(String, String)>,
    /// The body.
    pub body: Body,
    /// Values for the holes of an error body (`Body::Error`); `None` = from the request.
    pub holes: ErrorHoles,
}

/// The values a named vendor error's text names, as the scenario gives them.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ErrorHoles {
    /// The query parameter (`{param}`).
    pub param: Option<String>,
    /// The id or rejected value (`{id}`).
    pub id: Option<String>,
}

/// The body of a fixed answer.
#[derive(Debug, Clone, PartialEq)]
pub enum Body {
    /// No body.
    Empty,
    /// A JSON body, already serialized compactly.
    Json(String),
    /// A raw text body.
    Text(String),
    /// The vendor's error of this name, rendered from its error catalog.
    Error(ErrorName),
}

/// A fault applied to matching requests.
#[derive(Debug, Clone, PartialEq)]
pub struct Fault {
    /// Its name, if given (unique among the faults).
    pub name: Option<String>,
    /// Only requests routed to this vendor.
    pub vendor: Option<Vendor>,
    /// Only paths matching this template.
    pub route: Option<Template>,
    /// Delay before answering.
    pub latency: Option<Latency>,
    /// An injected error status.
    pub status: Option<StatusFault>,
    /// Probability (0 ..= 1) of closing the connection without answering.
    pub reset: Option<f64>,
    /// Probability (0 ..= 1) of sending half the body then closing.
    pub truncate: Option<f64>,
}

/// A delay in milliseconds.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Latency {
    /// Always this long.
    Fixed(u64),
    /// Uniform in `min ..= max`.
    Uniform {
        /// The shortest delay.
        min: u64,
        /// The longest delay.
        max: u64,
    },
}

/// An injected error status.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct StatusFault {
    /// The status code (100 ..= 599).
    pub code: u16,
    /// The chance of injecting it (0 ..= 1).
    pub probability: f64,
    /// Render as this vendor error.
    pub error: Option<ErrorName>,
}

/// A contract check.
#[derive(Debug, Clone, PartialEq)]
pub struct Check {
    /// Its unique name.
    pub name: String,
    /// The vendor the request goes to (mounted in this scenario).
    pub vendor: Vendor,
    /// The upper-case method (default `GET`).
    pub method: String,
    /// The path, placeholders (`{id:0}`, `{fixture:<id>}`) left as written.
    pub path: String,
    /// Request headers.
    pub headers: Vec<(String, String)>,
    /// Query parameters.
    pub query: Vec<(String, String)>,
    /// A raw request body.
    pub body: Option<String>,
    /// What the answer must be.
    pub expect: CheckExpectFile,
    /// Skipped by `eventmock verify` (relies on this scenario's fixtures or overrides).
    pub mock_only: bool,
}
