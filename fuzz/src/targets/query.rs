//! Vendor routes with arbitrary paths and query strings: every parser of the request path
//! (filters, ordering, paging, cursors, CF's `q`, ids in paths) behind one entry point, as the
//! server runs them.
//!
//! The input is the rest of a request target below the vendor's base path (`?page=2`,
//! `list.json?limit=3`, `events?q=type:x`). Invariants: no panic; no 5xx (the mock answers
//! every bad request with the vendor's 4xx) except the 500s Cloud Controller itself answers for
//! parameters its parsing rejects (see [`deliberate_500`]); a JSON answer parses; the same
//! request answered twice (after a reset) gives the same status and bytes.

use std::sync::OnceLock;

use eventmock_model::Vendor;
use eventmock_server::{App, World};
use hyper::Method;

use crate::http;

/// Events per fuzzed dataset: enough for several pages, few enough that a scan stays cheap.
pub const EVENTS: u64 = 120;

/// The path every input is appended to.
pub fn base(vendor: Vendor) -> &'static str {
    match vendor {
        Vendor::Probely => "/events/",
        Vendor::Authentik => "/api/v3/events/events/",
        Vendor::Halo => "/api/v1/event/",
        Vendor::Instavm => "/v1/audit/",
        Vendor::CloudFoundry => "/v2/",
    }
}

/// One app per vendor, built once per process (before AFL++'s fork server starts).
fn app(vendor: Vendor) -> &'static App {
    static APPS: [OnceLock<App>; 5] = [const { OnceLock::new() }; 5];
    let slot = Vendor::ALL.iter().position(|v| *v == vendor).unwrap_or(0);
    APPS[slot].get_or_init(|| {
        let world = World::vendors(&[vendor], 7, EVENTS)
            .unwrap_or_else(|e| panic!("building the {vendor:?} world: {e}"));
        App::new(world)
    })
}

/// Builds every vendor's app now (the AFL++ harness calls this before forking).
pub fn warm_up() {
    for vendor in Vendor::ALL {
        app(vendor);
    }
}

/// Asks `vendor` for `base + input` and checks the answer.
pub fn check(vendor: Vendor, data: &[u8]) {
    let target = format!("{}{}", base(vendor), http::escape_target(data));
    let app = app(vendor);
    let ask = || {
        app.world().reset();
        let req = http::request(Method::GET, &target, vendor, Vec::new())?;
        Some(http::vendor(app, req))
    };
    let Some(first) = ask() else {
        return;
    };
    assert!(
        first.status < 500 || deliberate_500(vendor, &first.body),
        "GET {target}: {} {}",
        first.status,
        String::from_utf8_lossy(&first.body)
    );
    if first.is_json() && !first.body.is_empty() {
        first.json(&format!("GET {target}"));
    }
    let second = ask();
    assert_eq!(
        Some(&first),
        second.as_ref(),
        "GET {target}: the same request answered differently"
    );
}

/// Whether a 500 body is one Cloud Controller answers on purpose: `Integer()` failing on
/// `page`/`results-per-page`, `Time.parse` failing in `q` (`UnknownError`, 10001, R7/R9) or an
/// unknown `order-by` (`CF-OrderByParameterInvalid`, 10012, R8). Any other 5xx is a bug.
pub fn deliberate_500(vendor: Vendor, body: &[u8]) -> bool {
    if vendor != Vendor::CloudFoundry {
        return false;
    }
    let Ok(value) = serde_json::from_slice::<serde_json::Value>(body) else {
        return false;
    };
    match (value["error_code"].as_str(), value["code"].as_u64()) {
        (Some("UnknownError"), Some(10001)) => {
            value["description"].as_str() == Some("An unknown error occurred.")
        }
        (Some("CF-OrderByParameterInvalid"), Some(10012)) => value["description"]
            .as_str()
            .is_some_and(|d| d.starts_with("Cannot order by: ")),
        _ => false,
    }
}

/// Probely's routes.
pub fn probely(data: &[u8]) {
    check(Vendor::Probely, data);
}

/// authentik's routes.
pub fn authentik(data: &[u8]) {
    check(Vendor::Authentik, data);
}

/// Halo's routes.
pub fn halo(data: &[u8]) {
    check(Vendor::Halo, data);
}

/// InstaVM's routes.
pub fn instavm(data: &[u8]) {
    check(Vendor::Instavm, data);
}

/// Cloud Foundry's routes.
pub fn cf(data: &[u8]) {
    check(Vendor::CloudFoundry, data);
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Only Cloud Controller's own parse failures pass as 500s; an `internal` 500 does not.
    #[test]
    fn only_cc_parse_failures_are_deliberate_500s() {
        let unknown = br#"{"description":"An unknown error occurred.","error_code":"UnknownError","code":10001}"#;
        let order = br#"{"description":"Cannot order by: type","error_code":"CF-OrderByParameterInvalid","code":10012}"#;
        assert!(deliberate_500(Vendor::CloudFoundry, unknown));
        assert!(deliberate_500(Vendor::CloudFoundry, order));
        assert!(!deliberate_500(Vendor::Authentik, unknown));
        assert!(!deliberate_500(
            Vendor::CloudFoundry,
            br#"{"description":"boom","error_code":"UnknownError","code":10001}"#
        ));
        assert!(!deliberate_500(
            Vendor::CloudFoundry,
            b"Internal Server Error"
        ));
    }

    /// The credentials pass every vendor's auth, so inputs reach the query parsers rather than
    /// stopping at a 401.
    #[test]
    fn inputs_reach_the_handlers() {
        for (vendor, rest) in [
            (Vendor::Probely, "?page=2"),
            (Vendor::Authentik, "?page=2"),
            (Vendor::Halo, "list.json?start=2"),
            (Vendor::Instavm, "events?limit=2"),
            (Vendor::CloudFoundry, "events?page=2"),
        ] {
            let target = format!("{}{rest}", base(vendor));
            let req = http::request(Method::GET, &target, vendor, Vec::new());
            let answer = http::vendor(app(vendor), req.unwrap());
            assert_eq!(answer.status, 200, "{target}: {answer:?}");
        }
    }
}
