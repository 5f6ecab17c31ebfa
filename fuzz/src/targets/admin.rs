//! The admin API's JSON inputs: journal queries and request patterns, and added events.
//!
//! Invariants: no panic; no 5xx; a 4xx says what is wrong in the documented shape (a JSON
//! object with `error`); an event the API accepted (201) is served by the vendor's own
//! retrieve route, and the vendor's list still answers.

use std::sync::OnceLock;

use eventmock_model::Vendor;
use eventmock_server::{App, World};
use hyper::Method;
use serde_json::Value;

use crate::http::{self, Answer};
use crate::input::Input;
use crate::targets::query::EVENTS;

/// An app with every vendor mounted, built once per process.
fn app(which: usize) -> &'static App {
    static APPS: [OnceLock<App>; 2] = [const { OnceLock::new() }; 2];
    APPS[which].get_or_init(|| {
        let world =
            World::all_vendors(7, EVENTS).unwrap_or_else(|e| panic!("building the world: {e}"));
        App::new(world)
    })
}

/// The app of [`pattern`], its journal holding a few requests of every vendor.
fn journaled() -> &'static App {
    static SEEDED: OnceLock<()> = OnceLock::new();
    let app = app(0);
    SEEDED.get_or_init(|| {
        for vendor in Vendor::ALL {
            for suffix in ["", "?page=2&limit=1&q=type:x", "nope/"] {
                let path = format!("{}{suffix}", crate::targets::query::base(vendor));
                if let Some(req) = http::request(Method::GET, &path, vendor, Vec::new()) {
                    http::served(app, req);
                }
            }
        }
    });
    app
}

/// Builds every app now (the AFL++ harness calls this before forking).
pub fn warm_up() {
    journaled();
    app(1);
}

/// Checks an admin answer: 2xx, or a 4xx whose JSON body names the problem.
fn check_admin(what: &str, answer: &Answer) -> Option<Value> {
    assert!(
        answer.status < 500,
        "{what}: {} {}",
        answer.status,
        String::from_utf8_lossy(&answer.body)
    );
    if answer.status == 204 {
        return None;
    }
    let body = answer.json(what);
    if answer.status >= 400 {
        assert!(
            body.get("error").is_some_and(Value::is_string) || body.get("errors").is_some(),
            "{what}: {} without an `error`: {body}",
            answer.status
        );
        return None;
    }
    Some(body)
}

/// `GET /__eventmock/requests?<first line>` and `POST /__eventmock/requests/count` with the
/// rest as the pattern.
pub fn pattern(data: &[u8]) {
    let app = journaled();
    let (line, body) = match data.iter().position(|b| *b == b'\n') {
        Some(n) => (&data[..n], &data[n + 1..]),
        None => (data, &[][..]),
    };
    let target = format!("/__eventmock/requests?{}", http::escape_target(line));
    if let Some(req) = http::request(Method::GET, &target, Vendor::Probely, Vec::new()) {
        let answer = http::admin(app, req);
        if let Some(listed) = check_admin(&format!("GET {target}"), &answer) {
            assert!(
                listed.is_array() || listed.is_object(),
                "GET {target}: {listed}"
            );
        }
    }
    let what = format!("POST /requests/count {}", String::from_utf8_lossy(body));
    let req = http::request(
        Method::POST,
        "/__eventmock/requests/count",
        Vendor::Probely,
        body.to_vec(),
    );
    if let Some(req) = req {
        let answer = http::admin(app, req);
        if let Some(counted) = check_admin(&what, &answer) {
            let n = counted.get("count").and_then(Value::as_u64);
            assert!(
                n.is_some_and(|n| n <= 15),
                "{what}: count {counted} (15 requests journaled)"
            );
        }
    }
}

/// The retrieve route of `id`.
fn retrieve(vendor: Vendor, id: &str) -> String {
    let id = http::escape_target(id.as_bytes());
    match vendor {
        Vendor::Probely => format!("/events/{id}/"),
        Vendor::Authentik => format!("/api/v3/events/events/{id}/"),
        Vendor::Halo => format!("/api/v1/event/get.json?event_id={id}"),
        Vendor::Instavm => format!("/v1/audit/events/{id}"),
        Vendor::CloudFoundry => format!("/v2/events/{id}"),
    }
}

/// The list route.
fn list(vendor: Vendor) -> &'static str {
    match vendor {
        Vendor::Probely => "/events/",
        Vendor::Authentik => "/api/v3/events/events/",
        Vendor::Halo => "/api/v1/event/list.json",
        Vendor::Instavm => "/v1/audit/events",
        Vendor::CloudFoundry => "/v2/events",
    }
}

/// `POST /__eventmock/vendors/<vendor>/events[?partial=true]`: the first byte picks the vendor
/// (and `partial` with its top bit), the rest is the body.
pub fn events(data: &[u8]) {
    let app = app(1);
    let mut input = Input::new(data);
    let pick = input.byte();
    let vendor = Vendor::ALL[usize::from(pick & 0x7f) % Vendor::ALL.len()];
    let partial = if pick & 0x80 != 0 {
        "?partial=true"
    } else {
        ""
    };
    let body = input.rest();
    let target = format!("/__eventmock/vendors/{}/events{partial}", vendor.name());
    let what = format!("POST {target} {}", String::from_utf8_lossy(body));
    let Some(req) = http::request(Method::POST, &target, vendor, body.to_vec()) else {
        return;
    };
    let answer = http::admin(app, req);
    if let Some(added) = check_admin(&what, &answer) {
        let ids = added.get("ids").and_then(Value::as_array);
        let ids = ids.unwrap_or_else(|| panic!("{what}: {} without `ids`: {added}", answer.status));
        for id in ids {
            let id = id
                .as_str()
                .unwrap_or_else(|| panic!("{what}: an id that is not a string: {id}"));
            let path = retrieve(vendor, id);
            let got = http::request(Method::GET, &path, vendor, Vec::new())
                .map(|req| http::vendor(app, req));
            let got = got.unwrap_or_else(|| panic!("{what}: the id {id} makes no URI"));
            assert_eq!(
                got.status, 200,
                "{what}: GET {path} of an added event: {got:?}"
            );
            got.json(&format!("{what}: GET {path}"));
        }
        let path = list(vendor);
        if let Some(req) = http::request(Method::GET, path, vendor, Vec::new()) {
            let listed = http::vendor(app, req);
            assert!(
                listed.status < 500,
                "{what}: GET {path} after adding: {listed:?}"
            );
            listed.json(&format!("{what}: GET {path}"));
        }
    }
    if let Some(req) = http::request(Method::POST, "/__eventmock/reset", vendor, Vec::new()) {
        let reset = http::admin(app, req);
        assert_eq!(reset.status, 204, "reset after {what}: {reset:?}");
    }
}
