//! Cloud Controller (Sinatra + Sequel) behaviour that is the framework's, not the events
//! endpoint's: the JSON style of a release, the error body (`VCAP::Sinatra`'s `app.error` and
//! `not_found`), `X-VCAP-Request-ID`, `CommonParams` integers, Sequel's page count and the
//! rate limiters' error shapes. Sources: `cloudfoundry/cloud_controller_ng`
//! (`lib/sinatra/vcap.rb`, `middleware/vcap_request_id.rb`,
//! `lib/cloud_controller/rest_controller/common_params.rb`,
//! `middleware/base_rate_limiter.rb`).

pub mod ruby_time;

use hyper::StatusCode;

use crate::errors::ErrorSpec;
use crate::vendors::request_uuid;

pub use eventmock_scenario::CfApiVersion;
pub use ruby_time::{parse_time, ruby_integer};

/// Cloud Controller's content type.
pub const CT: &str = "application/json;charset=utf-8";
/// Salt of the `X-VCAP-Request-ID` UUIDs.
const REQUEST_ID_SALT: u64 = 0xCF_0001;

/// What the imitated API version decides.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Release {
    /// The v2 API version announced (root document, `/v2/info`).
    pub version: CfApiVersion,
}

impl Release {
    /// The release imitating `version`.
    pub const fn new(version: CfApiVersion) -> Self {
        Self { version }
    }

    /// Bodies are pretty-printed (MultiJson `pretty: true`) before API 2.232.0 (CC 3.167.0,
    /// May 2024, "Remove MultiJSON … (Use Oj instead)"), compact (`Oj.dump`) from it on.
    pub fn pretty(self) -> bool {
        self.version.minor < 232
    }

    /// `X-USER-GUID` on authenticated answers: from API 2.165.0 (`security_context_setter.rb`,
    /// "Set new header with user guid", March 2021).
    pub fn user_guid_header(self) -> bool {
        self.version.minor >= 165
    }

    /// The root document lists `bits_service` (as `null`) before API 2.193.0 ("Remove
    /// bits-service leftovers", October 2022).
    pub fn bits_service_link(self) -> bool {
        self.version.minor < 193
    }

    /// The v3 API version released with this v2 version (CC bumps both together:
    /// 2.164.0 ↔ 3.99.0, 2.232.0 ↔ 3.167.0).
    pub fn v3_version(self) -> String {
        format!("3.{}.0", self.version.minor.saturating_sub(65))
    }
}

impl Default for Release {
    fn default() -> Self {
        Self::new(CfApiVersion::DEFAULT)
    }
}

/// Both renderings of one CC error body: `[pretty, compact]`. `app.error` appends `"\n"`
/// (`body payload.concat("\n")`); Sinatra's `not_found` block does not.
#[macro_export]
macro_rules! cc_error {
    ($status:expr, $desc:literal, $name:literal, $code:literal) => {
        $crate::cc_error!($status, $desc, $name, $code, "\n")
    };
    ($status:expr, $desc:literal, $name:literal, $code:literal, $end:literal) => {
        [
            $crate::errors::ErrorSpec::plain(
                $status,
                $crate::vendors::dialects::cloud_controller::CT,
                concat!(
                    "{\n  \"description\": \"",
                    $desc,
                    "\",\n  \"error_code\": \"",
                    $name,
                    "\",\n  \"code\": ",
                    $code,
                    "\n}",
                    $end
                ),
            ),
            $crate::errors::ErrorSpec::plain(
                $status,
                $crate::vendors::dialects::cloud_controller::CT,
                concat!(
                    "{\"description\":\"",
                    $desc,
                    "\",\"error_code\":\"",
                    $name,
                    "\",\"code\":",
                    $code,
                    "}",
                    $end
                ),
            ),
        ]
    };
}

/// Picks the rendering of `pair` (from [`cc_error!`]) for `release`.
pub fn styled(pair: [ErrorSpec; 2], release: Release) -> ErrorSpec {
    let [pretty, compact] = pair;
    if release.pretty() { pretty } else { compact }
}

/// `UnknownError` 10001: what CC answers for any exception it does not translate (Ruby's
/// `ArgumentError` from `Integer("abc")` or `Time.parse("foo")`, Sequel's pagination errors).
pub const UNKNOWN_ERROR: [ErrorSpec; 2] = cc_error!(
    StatusCode::INTERNAL_SERVER_ERROR,
    "An unknown error occurred.",
    "UnknownError",
    "10001"
);

/// `OrderByParameterInvalid` 10012 (a 500 in `errors/v2.yml`); `{param}` is the column.
pub const ORDER_BY_INVALID: [ErrorSpec; 2] = cc_error!(
    StatusCode::INTERNAL_SERVER_ERROR,
    "Cannot order by: {param}",
    "CF-OrderByParameterInvalid",
    "10012"
);

/// `MessageParseError` 1001: a write whose body is not JSON.
pub const MESSAGE_PARSE_ERROR: [ErrorSpec; 2] = cc_error!(
    StatusCode::BAD_REQUEST,
    "Request invalid due to parse error: {param}",
    "CF-MessageParseError",
    "1001"
);

/// The rate limiters' 429 bodies (`middleware/base_rate_limiter.rb`): compact JSON under
/// `Content-Type: text/plain; charset=utf-8`, with `Retry-After`. Per user; per IP for
/// unauthenticated requests; the v2 limiter's own.
pub const RATE_LIMIT_EXCEEDED: &str =
    r#"{"description":"Rate Limit Exceeded","error_code":"CF-RateLimitExceeded","code":10013}"#;
/// See [`RATE_LIMIT_EXCEEDED`].
pub const IP_RATE_LIMIT_EXCEEDED: &str = r#"{"description":"Rate Limit Exceeded: Unauthenticated requests from this IP address have exceeded the limit. Please log in.","error_code":"CF-IPBasedRateLimitExceeded","code":10014}"#;
/// See [`RATE_LIMIT_EXCEEDED`].
pub const V2_RATE_LIMIT_EXCEEDED: &str = r#"{"description":"Rate Limit of V2 API Exceeded. Please consider using the V3 API","error_code":"CF-RateLimitV2APIExceeded","code":10018}"#;
/// The content type of the rate limiters' 429.
pub const RATE_LIMIT_CT: &str = "text/plain; charset=utf-8";

/// Sequel's `page_count` (`pagination` extension): `ceil(count / size)`, and 1 for an empty
/// result (`page_count = 1 if page_count == 0`).
pub fn page_count(count: u64, size: u64) -> u64 {
    count.div_ceil(size.max(1)).max(1)
}

/// The `X-VCAP-Request-ID` of a response (`middleware/vcap_request_id.rb`): the sent
/// `X-VCAP-Request-ID`, else the sent `X-Request-ID` (blank counts as absent), with
/// `[^\w\-]` removed and its first 255 characters kept, then `::<uuid>`; else a UUID.
pub fn vcap_request_id(vcap: Option<&str>, request_id: Option<&str>, ordinal: u64) -> String {
    let own = request_uuid(ordinal, REQUEST_ID_SALT);
    let present = |s: &&str| !s.trim().is_empty();
    let Some(sent) = vcap.filter(present).or(request_id.filter(present)) else {
        return own;
    };
    let clean: String = sent
        .chars()
        .filter(|c| c.is_ascii_alphanumeric() || *c == '_' || *c == '-')
        .take(255)
        .collect();
    format!("{clean}::{own}")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn request_ids() {
        let own = request_uuid(7, REQUEST_ID_SALT);
        assert_eq!(vcap_request_id(None, None, 7), own);
        assert_eq!(
            vcap_request_id(Some("a b/c-d_e"), Some("x"), 7),
            format!("abc-d_e::{own}")
        );
        assert_eq!(
            vcap_request_id(Some("  "), Some("r-1"), 7),
            format!("r-1::{own}")
        );
        let long = "x".repeat(300);
        let got = vcap_request_id(Some(&long), None, 7);
        assert_eq!(got, format!("{}::{own}", "x".repeat(255)));
    }

    #[test]
    fn both_renderings() {
        let [pretty, compact] = UNKNOWN_ERROR;
        assert_eq!(
            pretty.body,
            "{\n  \"description\": \"An unknown error occurred.\",\n  \"error_code\": \"UnknownError\",\n  \"code\": 10001\n}\n"
        );
        assert_eq!(
            compact.body,
            "{\"description\":\"An unknown error occurred.\",\"error_code\":\"UnknownError\",\"code\":10001}\n"
        );
        assert_eq!(page_count(0, 50), 1);
        assert_eq!(page_count(101, 50), 3);
    }
}
