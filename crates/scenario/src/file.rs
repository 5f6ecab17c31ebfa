//! The scenario file format as written: serde + schemars types, one per YAML mapping.
//!
//! These types are what the YAML deserializer fills in and what the JSON Schema is generated
//! from, so their doc comments are the schema's descriptions. They hold text as written (times,
//! windows, regexes, vendor names); [`crate::validate`] checks them and turns them into the
//! compiled [`crate::Scenario`]. Every struct denies unknown fields.

use std::collections::BTreeMap;
use std::fmt;

use schemars::JsonSchema;
use serde::de::{self, Deserializer, MapAccess, Visitor};
use serde::{Deserialize, Serialize};

/// An eventmock scenario: which vendors to serve, with which data, and which requests to answer
/// differently.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
#[schemars(title = "eventmock scenario")]
pub struct ScenarioFile {
    /// The scenario's name: lower-case letters, digits and `-`.
    #[schemars(regex(pattern = r"^[a-z0-9-]+$"))]
    pub name: String,
    /// Free text saying what the scenario is for.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub description: Option<String>,
    /// The default seed of every vendor's dataset (a vendor's own `seed` overrides it).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub seed: Option<u64>,
    /// The world's clock: `frozen` (default), `live` or `manual`, and when it starts. One
    /// scenario of a world may set it (several that disagree are an error).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub clock: Option<ClockFile>,
    /// The vendors served, keyed by vendor name (`probely`, `authentik`, `halo`, `instavm`,
    /// `cf`); at least one.
    #[schemars(extend(
        "minProperties" = 1,
        "propertyNames" = {"enum": ["probely", "authentik", "halo", "instavm", "cf"]}
    ))]
    pub vendors: BTreeMap<String, VendorFile>,
    /// Requests answered differently from the normal mock; the first matching entry wins, in
    /// file order.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub overrides: Vec<OverrideFile>,
    /// Faults (latency, errors, resets, truncation) applied to matching requests before the
    /// normal answer.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub faults: Vec<FaultFile>,
    /// Contract checks: requests with the answers they must get.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub checks: Vec<CheckFile>,
    /// Browser access (CORS) to the vendor APIs, like `eventmock serve --cors`; absent: off.
    /// Never applies to the admin API.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub cors: Option<CorsFile>,
}

/// Which browser origins may call the vendor APIs.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct CorsFile {
    /// Allowed origins, each `http://host[:port]` or `https://host[:port]`; empty or absent:
    /// any origin.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub origins: Vec<String>,
}

/// One vendor's mount and dataset.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct VendorFile {
    /// The path prefix the vendor is mounted under; starts with `/`. Default `/`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[schemars(regex(pattern = r"^/"))]
    pub prefix: Option<String>,
    /// Serve this vendor on its own port (0 = any free port). Omitted: the main port.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub port: Option<u16>,
    /// The seed of this vendor's dataset; overrides the top-level `seed`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub seed: Option<u64>,
    /// How many generated events the dataset holds: 1 ..= 2^40. Default 1000.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[schemars(range(min = 1, max = 1_099_511_627_776_u64))]
    pub events: Option<u64>,
    /// When the newest generated (base) event happened, RFC 3339 (e.g. `2026-01-01T00:00:00Z`),
    /// or `now` (the clock's start). Default: the clock's start.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub anchor: Option<String>,
    /// How far back the oldest generated event is from the anchor: a duration with its unit
    /// (`ms`, `s`, `m`, `h`, `d`), such as `30d` or `12h`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub window: Option<String>,
    /// New events arriving at the head of the dataset as the clock moves: `N/s`, `N/min` or
    /// `N/h` (needs a `live` or `manual` clock).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub arrivals: Option<String>,
    /// The vendor's rate limit on the world's clock, keyed per client as the vendor keys it.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub rate_limit: Option<RateLimitFile>,
    /// Which credentials are accepted. Omitted: any non-empty credential.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub auth: Option<AuthFile>,
    /// Explicit events, served and listed alongside the generated ones.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub fixtures: Vec<FixtureFile>,
    /// Cloud Foundry only: the Cloud Controller v2 API version to imitate, `2.N.M` (default
    /// `2.164.0`). Before `2.232.0` bodies are pretty-printed JSON, from it on compact; from
    /// `2.165.0` authenticated answers carry `X-USER-GUID`; before `2.193.0` the root document
    /// lists `bits_service: null`. The root document and `/v2/info` announce it.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[schemars(regex(pattern = r"^2\.[0-9]+\.[0-9]+$"))]
    pub api_version: Option<String>,
    /// authentik and Probely only (Django REST framework): which methods the `Allow` header
    /// of every response lists. `served` (default): the methods eventmock answers. `vendor`:
    /// the vendor view's own list, write methods eventmock does not implement included (those
    /// still answer 405).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub allow: Option<AllowMethods>,
}

/// Which methods a Django REST framework vendor's `Allow` header lists.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "lowercase")]
pub enum AllowMethods {
    /// The methods eventmock answers (`GET, HEAD, OPTIONS`, plus `DELETE` on an authentik
    /// event).
    #[default]
    Served,
    /// The vendor view's own methods (authentik's `ModelViewSet`: `GET, POST, HEAD, OPTIONS`
    /// on the list, `GET, PUT, PATCH, DELETE, HEAD, OPTIONS` on an event).
    Vendor,
}

/// The world's clock.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct ClockFile {
    /// `frozen` (the data do not change; time-based limits follow wall time), `live`
    /// (everything follows wall time) or `manual` (time moves only when told). Default
    /// `frozen`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub mode: Option<String>,
    /// When the clock starts: RFC 3339, or `now` (resolved once when the scenario is first
    /// loaded, and printed so a run can be replayed by pinning it). Default:
    /// `2026-01-01T00:00:00Z`, or `now` for a `live` clock.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub start: Option<String>,
}

/// A vendor's rate limit: at most `requests` per `per` for each client.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct RateLimitFile {
    /// How many requests a client may make per window (at least 1).
    pub requests: u64,
    /// The window: a duration with its unit, such as `1m` or `90s`.
    pub per: String,
}

/// Which credentials a vendor accepts: exactly one of `tokens` or `off`.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct AuthFile {
    /// Only these tokens are accepted.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub tokens: Option<Vec<String>>,
    /// `true`: no credential is needed at all.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub off: Option<bool>,
}

/// An explicit event of a vendor.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct FixtureFile {
    /// The event's id, in the vendor's id format; unique per vendor.
    pub id: String,
    /// When the event happened (RFC 3339); decides its place in lists. Default: the anchor.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub at: Option<String>,
    /// Fields of the event: they override a generated event's fields; fields not named are
    /// generated.
    #[serde(default, skip_serializing_if = "serde_json::Map::is_empty")]
    pub event: serde_json::Map<String, serde_json::Value>,
}

/// A request override: when `match` matches, answer with `respond` or the next `sequence` step.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct OverrideFile {
    /// A name for logs and the journal; unique.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub name: Option<String>,
    /// Only requests routed to this vendor.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub vendor: Option<String>,
    /// Which requests this override applies to. Omitted: every request.
    #[serde(default, rename = "match")]
    pub match_: MatchFile,
    /// The answer (exactly one of `respond` / `sequence`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub respond: Option<RespondFile>,
    /// Answers for the 1st, 2nd, ... matching request (exactly one of `respond` / `sequence`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub sequence: Option<Vec<Step>>,
    /// What happens after the last `sequence` step. Default `repeat_last`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub then: Option<Then>,
}

/// Conditions on a request; all given must hold.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct MatchFile {
    /// The HTTP method, upper-case (`GET`, `POST`, ...).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub method: Option<String>,
    /// A path template: `{name}` matches one segment, a trailing `*` the rest of the path.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub path: Option<String>,
    /// A regular expression the path must match (instead of `path`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub path_regex: Option<String>,
    /// Query parameters that must be present with these values.
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub query: BTreeMap<String, ValueMatch>,
    /// Headers that must be present with these values (names are case-insensitive).
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub headers: BTreeMap<String, ValueMatch>,
    /// Fields the JSON body must contain with these values; keys may be dotted paths (`a.b`).
    #[serde(default, skip_serializing_if = "serde_json::Map::is_empty")]
    pub body: serde_json::Map<String, serde_json::Value>,
    /// Values of the `path` template's `{name}` placeholders.
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub path_params: BTreeMap<String, ValueMatch>,
}

/// A value to compare with: a string that must be equal, or `{regex: "..."}`.
#[derive(Debug, Clone, PartialEq, Serialize, JsonSchema)]
#[serde(untagged)]
pub enum ValueMatch {
    /// The value must equal this string.
    Exact(String),
    /// The value must match a regular expression.
    Regex(RegexFile),
}

/// A regular expression (Rust `regex` syntax), unanchored unless it says `^`/`$`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct RegexFile {
    /// The regular expression.
    pub regex: String,
}

impl<'de> Deserialize<'de> for ValueMatch {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        struct V;
        impl<'de> Visitor<'de> for V {
            type Value = ValueMatch;
            fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str("a string or a mapping {regex: \"...\"}")
            }
            fn visit_str<E: de::Error>(self, v: &str) -> Result<ValueMatch, E> {
                Ok(ValueMatch::Exact(v.to_owned()))
            }
            fn visit_bool<E: de::Error>(self, v: bool) -> Result<ValueMatch, E> {
                Ok(ValueMatch::Exact(v.to_string()))
            }
            fn visit_i64<E: de::Error>(self, v: i64) -> Result<ValueMatch, E> {
                Ok(ValueMatch::Exact(v.to_string()))
            }
            fn visit_u64<E: de::Error>(self, v: u64) -> Result<ValueMatch, E> {
                Ok(ValueMatch::Exact(v.to_string()))
            }
            fn visit_map<A: MapAccess<'de>>(self, map: A) -> Result<ValueMatch, A::Error> {
                RegexFile::deserialize(de::value::MapAccessDeserializer::new(map))
                    .map(ValueMatch::Regex)
            }
        }
        d.deserialize_any(V)
    }
}

/// A fixed answer.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct RespondFile {
    /// Answer with this vendor error, rendered exactly as the vendor does.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub error: Option<ErrorName>,
    /// The status code, 100 ..= 599. Default 200 (or the error's own status).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[schemars(range(min = 100, max = 599))]
    pub status: Option<u16>,
    /// Extra response headers.
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub headers: BTreeMap<String, String>,
    /// A JSON body, sent compact (exactly one of `body` / `body_text` / `error`, or none).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub body: Option<serde_json::Value>,
    /// A raw text body.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub body_text: Option<String>,
    /// The values an `error:` text names (only with `error`). Those not given are taken from
    /// the request.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub params: Option<ErrorParamsFile>,
}

/// The values a vendor error's text names, e.g. authentik's `bad_query`:
/// `{"<param>":["Select a valid choice. <id> is not one of the available choices."]}`.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct ErrorParamsFile {
    /// The query parameter the error is about. Default: the first key of `match.query` that
    /// the request has, else the request's first query parameter.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub param: Option<String>,
    /// The id the error names (`not_found`), or the rejected value (`bad_query`). Default: for
    /// `bad_query`, the request's value of `param`; otherwise the request path's last segment.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub id: Option<String>,
}

/// A vendor error by name, from the vendor's error catalog.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "snake_case")]
pub enum ErrorName {
    /// The id is well-formed but no such event exists.
    NotFound,
    /// The id is not in the vendor's id format.
    MalformedId,
    /// No credential was given.
    Unauthenticated,
    /// The credential is not accepted.
    BadToken,
    /// The credential uses the wrong scheme.
    WrongScheme,
    /// The credential may not do this.
    Forbidden,
    /// The request body failed validation.
    Validation,
    /// A query parameter is invalid.
    BadQuery,
    /// The page number is out of range.
    InvalidPage,
    /// No such route.
    UnknownRoute,
    /// The route exists but not for this method.
    MethodNotAllowed,
    /// The request body is too large.
    PayloadTooLarge,
    /// A server error.
    Internal,
    /// Too many requests: the vendor's 429 (with `Retry-After: 60`).
    RateLimited,
}

impl ErrorName {
    /// Every name, in a fixed order.
    pub const ALL: [ErrorName; 14] = [
        ErrorName::NotFound,
        ErrorName::MalformedId,
        ErrorName::Unauthenticated,
        ErrorName::BadToken,
        ErrorName::WrongScheme,
        ErrorName::Forbidden,
        ErrorName::Validation,
        ErrorName::BadQuery,
        ErrorName::InvalidPage,
        ErrorName::UnknownRoute,
        ErrorName::MethodNotAllowed,
        ErrorName::PayloadTooLarge,
        ErrorName::Internal,
        ErrorName::RateLimited,
    ];

    /// The name used in scenarios (`error: not_found`).
    pub const fn as_str(self) -> &'static str {
        match self {
            ErrorName::NotFound => "not_found",
            ErrorName::MalformedId => "malformed_id",
            ErrorName::Unauthenticated => "unauthenticated",
            ErrorName::BadToken => "bad_token",
            ErrorName::WrongScheme => "wrong_scheme",
            ErrorName::Forbidden => "forbidden",
            ErrorName::Validation => "validation",
            ErrorName::BadQuery => "bad_query",
            ErrorName::InvalidPage => "invalid_page",
            ErrorName::UnknownRoute => "unknown_route",
            ErrorName::MethodNotAllowed => "method_not_allowed",
            ErrorName::PayloadTooLarge => "payload_too_large",
            ErrorName::Internal => "internal",
            ErrorName::RateLimited => "rate_limited",
        }
    }

    /// Parses a scenario name.
    pub fn parse(s: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|n| n.as_str() == s)
    }
}

/// One step of a sequence: an answer, or `passthrough` to let the normal mock answer.
#[derive(Debug, Clone, PartialEq, Serialize, JsonSchema)]
#[serde(untagged)]
pub enum Step {
    /// Let the normal mock answer this request.
    Passthrough(PassthroughWord),
    /// Answer with this.
    Respond(RespondFile),
}

/// The word `passthrough`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "snake_case")]
pub enum PassthroughWord {
    /// Let the normal mock answer.
    Passthrough,
}

impl<'de> Deserialize<'de> for Step {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        struct V;
        impl<'de> Visitor<'de> for V {
            type Value = Step;
            fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str("`passthrough` or a response mapping")
            }
            fn visit_str<E: de::Error>(self, v: &str) -> Result<Step, E> {
                if v == "passthrough" {
                    Ok(Step::Passthrough(PassthroughWord::Passthrough))
                } else {
                    Err(E::invalid_value(de::Unexpected::Str(v), &self))
                }
            }
            fn visit_map<A: MapAccess<'de>>(self, map: A) -> Result<Step, A::Error> {
                RespondFile::deserialize(de::value::MapAccessDeserializer::new(map))
                    .map(Step::Respond)
            }
        }
        d.deserialize_any(V)
    }
}

/// What a sequence does after its last step.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "snake_case")]
pub enum Then {
    /// Keep answering with the last step.
    #[default]
    RepeatLast,
    /// Start again from the first step.
    Cycle,
    /// Let the normal mock answer.
    Passthrough,
}

/// A fault injected into matching requests.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct FaultFile {
    /// A name for logs and the journal; unique among the faults.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub name: Option<String>,
    /// Only requests routed to this vendor.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub vendor: Option<String>,
    /// Only requests whose path matches this template (same syntax as `match.path`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub route: Option<String>,
    /// Delay the answer.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub latency: Option<LatencyFile>,
    /// Answer with an error status instead, with some probability.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub status: Option<StatusFaultFile>,
    /// Close the connection without answering, with some probability.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub reset: Option<ChanceFile>,
    /// Send half the body then close the connection, with some probability.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub truncate: Option<ChanceFile>,
}

/// A delay: `{fixed_ms: N}` or `{min_ms: A, max_ms: B}` (uniform in A ..= B).
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct LatencyFile {
    /// Always this many milliseconds.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub fixed_ms: Option<u64>,
    /// At least this many milliseconds.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub min_ms: Option<u64>,
    /// At most this many milliseconds.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub max_ms: Option<u64>,
}

/// An injected error status.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct StatusFaultFile {
    /// The status code, 100 ..= 599.
    #[schemars(range(min = 100, max = 599))]
    pub code: u16,
    /// The chance of injecting it, 0 ..= 1.
    #[schemars(range(min = 0.0, max = 1.0))]
    pub probability: f64,
    /// Render the answer as this vendor error (with `code` as its status).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub error: Option<ErrorName>,
}

/// A fault that happens with some probability.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct ChanceFile {
    /// The chance, 0 ..= 1.
    #[schemars(range(min = 0.0, max = 1.0))]
    pub probability: f64,
}

/// A contract check: a request and what its answer must be. Paths may hold placeholders
/// such as `{id:0}` (the n-th generated id) or `{fixture:<id>}`, resolved by the check runner.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct CheckFile {
    /// The check's name; unique.
    pub name: String,
    /// The vendor the request goes to.
    pub vendor: String,
    /// The request to send.
    pub request: CheckRequestFile,
    /// What the answer must be.
    #[serde(default)]
    pub expect: CheckExpectFile,
    /// True when the check relies on this scenario (fixtures, overrides) and so is skipped by
    /// `eventmock verify` against a live vendor.
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub mock_only: bool,
}

/// The request of a check.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct CheckRequestFile {
    /// The HTTP method, upper-case. Default `GET`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub method: Option<String>,
    /// The path (relative to the vendor's mount). Placeholders: `{id:N}` is the id of the
    /// N-th event of the vendor's list (newest first as the vendor lists), `{token}` the
    /// credential (the scenario's first accepted token, or `--token` of `eventmock verify`);
    /// `{token}` may also appear in header and query values.
    pub path: String,
    /// Request headers.
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub headers: BTreeMap<String, String>,
    /// Query parameters.
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub query: BTreeMap<String, String>,
    /// A raw request body (set `content-type` in `headers`), e.g. a form for `/oauth/token`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub body: Option<String>,
}

/// What the answer of a check must be.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct CheckExpectFile {
    /// The status code, 100 ..= 599.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[schemars(range(min = 100, max = 599))]
    pub status: Option<u16>,
    /// Headers that must be present with these values.
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub headers: BTreeMap<String, String>,
    /// Fields the JSON body must have with these values.
    #[serde(default, skip_serializing_if = "serde_json::Map::is_empty")]
    pub body: serde_json::Map<String, serde_json::Value>,
}
