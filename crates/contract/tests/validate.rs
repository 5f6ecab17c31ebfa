//! Responses validate against their vendor's document: generated events, the error bodies of
//! `contracts.md`, and deliberately broken bodies that must fail naming the field.
#![allow(clippy::expect_used, clippy::unwrap_used)] // Tests panic on failure.

use eventmock_contract::{Mismatch, Validator};
use eventmock_fake::{AnyDataset, DatasetConfig};
use eventmock_model::Vendor;
use serde_json::{Value, json};

const JSON: &str = "application/json";
const CF_JSON: &str = "application/json;charset=utf-8";

fn validator(vendor: Vendor) -> Validator {
    Validator::new(vendor).unwrap_or_else(|e| panic!("{vendor}: {e}"))
}

fn check(v: &Validator, method: &str, path: &str, status: u16, ct: &str, body: &Value) {
    let bytes = serde_json::to_vec(body).unwrap();
    if let Err(mismatches) = v.validate(method, path, status, ct, &bytes) {
        panic!(
            "{} {method} {path} {status}: {body}\n{}",
            v.vendor(),
            mismatches
                .iter()
                .map(|m| format!("  {m}\n"))
                .collect::<String>()
        );
    }
}

fn mismatches(
    v: &Validator,
    method: &str,
    path: &str,
    status: u16,
    ct: &str,
    body: &Value,
) -> Vec<Mismatch> {
    let bytes = serde_json::to_vec(body).unwrap();
    v.validate(method, path, status, ct, &bytes)
        .expect_err("the altered body must fail")
}

/// The single-event request and the body that carries event `value`, per vendor.
fn retrieve(vendor: Vendor, id: &str, value: Value) -> (String, &'static str, Value) {
    match vendor {
        Vendor::Probely => (format!("/events/{id}/"), JSON, value),
        Vendor::Authentik => (format!("/api/v3/events/events/{id}/"), JSON, value),
        Vendor::Halo => (
            format!("/api/v1/event/get.json?event_id={id}"),
            JSON,
            json!({ "success": 1, "event": value }),
        ),
        Vendor::Instavm => (format!("/v1/audit/events/{id}"), JSON, value),
        Vendor::CloudFoundry => (format!("/v2/events/{id}"), CF_JSON, value),
    }
}

#[test]
fn generated_events_validate() {
    for vendor in Vendor::ALL {
        let v = validator(vendor);
        let dataset = AnyDataset::new(vendor, DatasetConfig::default()).unwrap();
        let mut events = Vec::new();
        for i in 0..100 {
            let event = dataset.event_value(i).unwrap();
            let (path, ct, body) = retrieve(vendor, &dataset.id(i), event.clone());
            check(&v, "GET", &path, 200, ct, &body);
            events.push(event);
        }
        // The same events in the vendor's list envelope.
        let (path, ct, list) = match vendor {
            Vendor::Probely => (
                "/events/?page=1&length=100",
                JSON,
                json!({
                    "count": 1000, "page_total": 10, "page": 1, "length": 100, "results": events
                }),
            ),
            Vendor::Authentik => (
                "/api/v3/events/events/?page=1",
                JSON,
                json!({
                    "pagination": { "next": 2, "previous": 0, "count": 1000, "current": 1,
                                    "total_pages": 10, "start_index": 1, "end_index": 100 },
                    "results": events,
                    "autocomplete": {}
                }),
            ),
            Vendor::Halo => (
                "/api/v1/event/list.json",
                JSON,
                json!({
                    "list": events.iter().map(|e| json!({ "event": e })).collect::<Vec<_>>()
                }),
            ),
            Vendor::Instavm => (
                "/v1/audit/events?limit=100",
                JSON,
                json!({
                    "items": events, "next_cursor": null
                }),
            ),
            Vendor::CloudFoundry => (
                "/v2/events",
                CF_JSON,
                json!({
                    "total_results": 1000, "total_pages": 10, "prev_url": null,
                    "next_url": "/v2/events?order-direction=asc&page=2&results-per-page=100",
                    "resources": events
                }),
            ),
        };
        check(&v, "GET", path, 200, ct, &list);
    }
}

#[test]
fn contract_error_bodies_validate() {
    let cases: &[(Vendor, &str, &str, u16, &str, Value)] = &[
        (
            Vendor::Probely,
            "GET",
            "/events/8C5DbAFNbTDN/",
            404,
            JSON,
            json!({"detail": "Not found."}),
        ),
        (
            Vendor::Probely,
            "GET",
            "/events/8C5DbAFNbTDN/",
            401,
            JSON,
            json!({"detail": "Authentication credentials were not provided."}),
        ),
        (
            Vendor::Probely,
            "GET",
            "/events/?page=99",
            404,
            JSON,
            json!({"detail": "Not found."}),
        ),
        (
            Vendor::Probely,
            "GET",
            "/nope",
            404,
            JSON,
            json!({"detail": "Not found."}),
        ),
        (
            Vendor::Authentik,
            "GET",
            "/api/v3/events/events/5c1b0d7e-1b9e-4a38-9a3e-2f3c1e0d9b11/",
            404,
            JSON,
            json!({"detail": "No Event matches the given query."}),
        ),
        (
            Vendor::Authentik,
            "GET",
            "/api/v3/events/events/not-a-uuid/",
            404,
            JSON,
            json!({"detail": "Not found."}),
        ),
        (
            Vendor::Authentik,
            "GET",
            "/api/v3/events/events/?page=999",
            404,
            JSON,
            json!({"detail": "Invalid page."}),
        ),
        (
            Vendor::Authentik,
            "GET",
            "/api/v3/events/events/",
            403,
            JSON,
            json!({"detail": "Authentication credentials were not provided."}),
        ),
        (
            Vendor::Authentik,
            "GET",
            "/api/v3/events/events/",
            403,
            JSON,
            json!({"detail": "Token invalid/expired"}),
        ),
        (
            Vendor::Authentik,
            "GET",
            "/api/v3/events/events/actions/",
            403,
            JSON,
            json!({"detail": "Unsupported authentication type"}),
        ),
        (
            Vendor::Authentik,
            "GET",
            "/api/v3/events/events/",
            400,
            JSON,
            json!({"non_field_errors": ["bad"], "code": "invalid"}),
        ),
        (
            Vendor::Authentik,
            "GET",
            "/api/v3/events/events/",
            400,
            JSON,
            json!({"page_size": ["A valid integer is required."]}),
        ),
        (
            Vendor::Authentik,
            "GET",
            "/api/v3/events/events/",
            403,
            JSON,
            json!({"detail": "x", "code": "permission_denied"}),
        ),
        (
            Vendor::Halo,
            "GET",
            "/api/v1/event/get.json",
            400,
            JSON,
            json!({"code": 0, "message": "event_id required"}),
        ),
        (
            Vendor::Halo,
            "GET",
            "/api/v1/event/get.json?event_id=x",
            404,
            JSON,
            json!({"code": 404, "message": "event not found"}),
        ),
        (
            Vendor::Halo,
            "GET",
            "/api/v1/event/delete.json",
            400,
            JSON,
            json!({"code": 0, "message": "event_id required"}),
        ),
        (
            Vendor::Halo,
            "GET",
            "/api/v1/event/delete.json?event_id=x",
            200,
            JSON,
            json!({"success": 1}),
        ),
        (
            Vendor::Instavm,
            "GET",
            "/v1/audit/events",
            401,
            JSON,
            json!({"detail": "Not authenticated"}),
        ),
        (
            Vendor::Instavm,
            "GET",
            "/v1/nope",
            404,
            JSON,
            json!({"detail": "Not Found"}),
        ),
        (
            Vendor::Instavm,
            "POST",
            "/v1/audit/events",
            405,
            JSON,
            json!({"detail": "Method Not Allowed"}),
        ),
        (
            Vendor::Instavm,
            "GET",
            "/v1/audit/events/aud_x",
            404,
            JSON,
            json!({"detail": "Audit event not found"}),
        ),
        (
            Vendor::Instavm,
            "GET",
            "/v1/audit/events?limit=0",
            422,
            JSON,
            json!({"detail": [{
            "type": "greater_than_equal", "loc": ["query", "limit"],
            "msg": "Input should be greater than or equal to 1", "input": "0", "ctx": {"ge": 1}}]}),
        ),
        (
            Vendor::Instavm,
            "GET",
            "/v1/audit/events?limit=abc",
            422,
            JSON,
            json!({"detail": [{
            "type": "int_parsing", "loc": ["query", "limit"],
            "msg": "Input should be a valid integer, unable to parse string as an integer", "input": "abc"}]}),
        ),
        (
            Vendor::CloudFoundry,
            "GET",
            "/v2/events/abc",
            404,
            CF_JSON,
            json!({
            "description": "Event could not be found: abc", "error_code": "CF-EventNotFound", "code": 230002}),
        ),
        (
            Vendor::CloudFoundry,
            "GET",
            "/v2/nope",
            404,
            CF_JSON,
            json!({
            "description": "Unknown request", "error_code": "CF-NotFound", "code": 10000}),
        ),
        (
            Vendor::CloudFoundry,
            "GET",
            "/v2/events",
            401,
            CF_JSON,
            json!({
            "description": "Authentication error", "error_code": "CF-NotAuthenticated", "code": 10002}),
        ),
        (
            Vendor::CloudFoundry,
            "GET",
            "/v2/events/abc",
            401,
            CF_JSON,
            json!({
            "description": "Invalid Auth Token", "error_code": "CF-InvalidAuthToken", "code": 1000}),
        ),
        (
            Vendor::CloudFoundry,
            "GET",
            "/v2/events",
            403,
            CF_JSON,
            json!({
            "description": "You are not authorized to perform the requested action",
            "error_code": "CF-NotAuthorized", "code": 10003}),
        ),
        (
            Vendor::CloudFoundry,
            "GET",
            "/v2/events?q=bogus",
            400,
            CF_JSON,
            json!({
            "description": "The query parameter is invalid: q", "error_code": "CF-BadQueryParameter", "code": 10005}),
        ),
    ];
    for (vendor, method, path, status, ct, body) in cases {
        check(&validator(*vendor), method, path, *status, ct, body);
    }
    // CF bodies end with a newline; the charset spelling may differ in case and spacing.
    let cf = validator(Vendor::CloudFoundry);
    let body =
        b"{\"description\":\"Unknown request\",\"error_code\":\"CF-NotFound\",\"code\":10000}\n";
    assert_eq!(
        cf.validate("GET", "/v2/x", 404, "application/json; charset=UTF-8", body),
        Ok(())
    );
}

#[test]
fn cf_root_and_token_validate() {
    let cf = validator(Vendor::CloudFoundry);
    check(
        &cf,
        "GET",
        "/",
        200,
        CF_JSON,
        &json!({"links": {
            "self": {"href": "http://localhost"},
            "bits_service": null,
            "cloud_controller_v2": {"href": "http://localhost/v2", "meta": {"version": "2.173.0"}},
            "login": {"href": "http://localhost"},
            "uaa": {"href": "http://localhost"},
            "credhub": null,
            "routing": null
        }}),
    );
    check(
        &cf,
        "POST",
        "/oauth/token",
        200,
        CF_JSON,
        &json!({
            "access_token": "a.b.c", "token_type": "bearer", "refresh_token": "r",
            "expires_in": 599, "scope": "cloud_controller.read", "jti": "j"
        }),
    );
}

fn first_event(vendor: Vendor) -> (String, &'static str, Value) {
    let dataset = AnyDataset::new(vendor, DatasetConfig::default()).unwrap();
    retrieve(vendor, &dataset.id(0), dataset.event_value(0).unwrap())
}

fn rename(object: &mut Value, from: &str, to: &str) {
    let map = object.as_object_mut().unwrap();
    let value = map.remove(from).unwrap();
    map.insert(to.to_owned(), value);
}

#[test]
fn a_renamed_field_fails_naming_it() {
    let (path, ct, mut body) = first_event(Vendor::Probely);
    rename(&mut body, "occurred_at", "occured_at");
    let found = mismatches(&validator(Vendor::Probely), "GET", &path, 200, ct, &body);
    assert!(
        found.iter().any(|m| m.pointer == "/occurred_at"),
        "{found:?}"
    );

    let (path, ct, mut body) = first_event(Vendor::CloudFoundry);
    rename(&mut body["metadata"], "guid", "id");
    let found = mismatches(
        &validator(Vendor::CloudFoundry),
        "GET",
        &path,
        200,
        ct,
        &body,
    );
    assert!(
        found.iter().any(|m| m.pointer == "/metadata/guid"),
        "{found:?}"
    );

    let (path, ct, mut body) = first_event(Vendor::Halo);
    rename(&mut body["event"]["target"], "target_id", "targetId");
    let found = mismatches(&validator(Vendor::Halo), "GET", &path, 200, ct, &body);
    assert!(
        found.iter().any(|m| m.pointer == "/event/target/target_id"),
        "{found:?}"
    );

    // Inside Probely's untagged `content`: the closest branch names the field.
    let (path, ct, mut body) = first_event(Vendor::Probely);
    rename(&mut body["content"], "id", "ident");
    let found = mismatches(&validator(Vendor::Probely), "GET", &path, 200, ct, &body);
    assert!(
        found.iter().any(|m| m.pointer.starts_with("/content/")),
        "{found:?}"
    );
}

#[test]
fn a_wrong_type_fails_naming_the_field() {
    let (path, ct, mut body) = first_event(Vendor::Instavm);
    body["created_at"] = json!(12);
    let found = mismatches(&validator(Vendor::Instavm), "GET", &path, 200, ct, &body);
    assert!(
        found.iter().any(|m| m.pointer == "/created_at"),
        "{found:?}"
    );

    let (path, ct, mut body) = first_event(Vendor::Authentik);
    body["action"] = json!("no_such_action");
    let found = mismatches(&validator(Vendor::Authentik), "GET", &path, 200, ct, &body);
    assert!(found.iter().any(|m| m.pointer == "/action"), "{found:?}");

    let authentik = validator(Vendor::Authentik);
    let found = mismatches(
        &authentik,
        "GET",
        "/api/v3/events/events/",
        200,
        JSON,
        &json!({
            "pagination": { "next": null, "previous": 0, "count": "1", "current": 1,
                            "total_pages": 1, "start_index": 1, "end_index": 1 },
            "results": [], "autocomplete": {}
        }),
    );
    let pointers: Vec<&str> = found.iter().map(|m| m.pointer.as_str()).collect();
    assert!(pointers.contains(&"/pagination/next"), "{found:?}");
    assert!(pointers.contains(&"/pagination/count"), "{found:?}");
}

#[test]
fn status_content_type_and_json_are_checked() {
    let probely = validator(Vendor::Probely);
    let ok = br#"{"detail":"Not found."}"#;
    let err = probely
        .validate("GET", "/events/8C5DbAFNbTDN/", 418, JSON, ok)
        .unwrap_err();
    assert!(err[0].reason.contains("status 418"), "{err:?}");
    let err = probely
        .validate("GET", "/events/8C5DbAFNbTDN/", 404, "text/html", ok)
        .unwrap_err();
    assert!(err[0].reason.contains("content type"), "{err:?}");
    let err = probely
        .validate("GET", "/events/8C5DbAFNbTDN/", 404, JSON, b"<html>")
        .unwrap_err();
    assert!(err[0].reason.contains("not JSON"), "{err:?}");
    // CF requires its charset parameter.
    let cf = validator(Vendor::CloudFoundry);
    let body = br#"{"description":"Unknown request","error_code":"CF-NotFound","code":10000}"#;
    assert!(cf.validate("GET", "/v2/x", 404, JSON, body).is_err());
}

#[test]
fn concrete_paths_match_templates() {
    let authentik = validator(Vendor::Authentik);
    assert_eq!(
        authentik.operation_path("GET", "/api/v3/events/events/actions/"),
        Some("/api/v3/events/events/actions/")
    );
    assert_eq!(
        authentik.operation_path(
            "get",
            "/api/v3/events/events/3fa85f64-5717-4562-b3fc-2c963f66afa6/?x=1"
        ),
        Some("/api/v3/events/events/{event_uuid}/")
    );
    assert_eq!(
        authentik.operation_path("GET", "/api/v3/events/events/{event_uuid}/"),
        Some("/api/v3/events/events/{event_uuid}/")
    );
    assert_eq!(
        authentik.operation_path("GET", "/api/v3/events/events/x"),
        None
    );
    assert_eq!(
        authentik.operation_path("POST", "/api/v3/events/events/"),
        None
    );
    let probely = validator(Vendor::Probely);
    assert_eq!(
        probely.operation_path("GET", "/events/?page=2"),
        Some("/events/")
    );
    assert_eq!(probely.operation_path("GET", "/events//"), None);
}

/// Timestamp fields carry their format in the documents (`format: date-time`, Halo's
/// `YYYY-MM-DD HH:MM` pattern) and validation asserts it: a served `not-a-time` is a mismatch.
#[test]
fn a_timestamp_that_is_not_a_time_fails_naming_it() {
    let cases: [(Vendor, &[&str]); 5] = [
        (Vendor::Probely, &["occurred_at"]),
        (Vendor::Authentik, &["created"]),
        (Vendor::Halo, &["event", "date_created"]),
        (Vendor::Instavm, &["created_at"]),
        (Vendor::CloudFoundry, &["entity", "timestamp"]),
    ];
    for (vendor, path_in_body) in cases {
        let (path, ct, mut body) = first_event(vendor);
        let v = validator(vendor);
        let bytes = serde_json::to_vec(&body).unwrap();
        assert!(
            v.validate("GET", &path, 200, ct, &bytes).is_ok(),
            "{vendor:?}: the generated event must validate"
        );
        let mut slot = &mut body;
        for key in path_in_body {
            slot = &mut slot[*key];
        }
        *slot = json!("not-a-time");
        let found = mismatches(&v, "GET", &path, 200, ct, &body);
        let pointer = format!("/{}", path_in_body.join("/"));
        assert!(
            found.iter().any(|m| m.pointer == pointer),
            "{vendor:?}: {found:?}"
        );
    }
}
