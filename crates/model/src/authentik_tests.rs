#![allow(clippy::expect_used)] // Tests may panic on bad fixtures.

use super::*;
use crate::test_util::round_trip;

/// The seed page's example, verbatim.
const SEED_EXAMPLE: &str = r#"{
"pk": "3fa85f64-5717-4562-b3fc-2c963f66afa6",
"user": {},
"action": "login",
"app": "string",
"context": {},
"client_ip": "string",
"created": "2024-07-29T15:51:28.071Z",
"expires": "2024-07-29T15:51:28.071Z",
"brand": {}
}"#;

const SEED_VALIDATION_ERROR: &str = r#"{
"non_field_errors": [
"string"
],
"code": "string"
}"#;

const SEED_GENERIC_ERROR: &str = r#"{
"detail": "string",
"code": "string"
}"#;

const LOGIN_EVENT: &str = r#"{
  "pk": "f00f54e7-2b38-421f-bc78-e61f950048d6",
  "user": {"pk": 1, "email": "root@localhost", "username": "akadmin"},
  "action": "login",
  "app": "authentik.events.signals",
  "context": {
    "auth_method": "password",
    "http_request": {
      "args": {"query": "next=%2F"},
      "path": "/api/v3/flows/executor/default-authentication-flow/",
      "method": "GET",
      "request_id": "9ff4e3b2ec0b4b5c8d6e0d2b4cbb6a1f",
      "user_agent": "Mozilla/5.0 (X11; Linux x86_64; rv:128.0) Gecko/20100101 Firefox/128.0"
    },
    "geo": {"lat": 52.52, "city": "Berlin", "long": 13.405, "country": "DE", "continent": "EU"},
    "asn": {"asn": 3320, "as_org": "Deutsche Telekom AG", "network": "91.0.0.0/10"}
  },
  "client_ip": "91.12.34.56",
  "created": "2024-07-29T15:51:28.071123Z",
  "expires": "2025-07-29T15:51:28.071123Z",
  "brand": {
    "pk": "fcba828076b94dedb2d5a6b4c5556fa1",
    "app": "authentik_brands",
    "name": "Default brand",
    "model_name": "brand"
  }
}"#;

const MODEL_EVENT: &str = r#"{
  "pk": "8b1c7e2a-5d4f-4c3b-9a1e-2f6d8c0b4a97",
  "user": {"pk": 7, "email": "jane@example.com", "username": "jane"},
  "action": "model_created",
  "app": "authentik.events.middleware",
  "context": {
    "model": {"app": "authentik_core", "name": "Grafana", "pk": "d1c5a0f3b6e44b1a9f6e2c7d8a9b0c1d", "model_name": "application"},
    "http_request": {
      "args": {},
      "path": "/api/v3/core/applications/",
      "method": "POST",
      "request_id": "1c2d3e4f5a6b7c8d9e0f1a2b3c4d5e6f",
      "user_agent": "authentik-client/2026.8.3"
    },
    "custom_key": [1, 2, 3]
  },
  "client_ip": null,
  "created": "2026-08-30T09:12:44.004512Z",
  "expires": "2027-08-30T09:12:44.004512Z",
  "brand": {}
}"#;

#[test]
fn seed_example_and_errors_round_trip() {
    let event: Event = round_trip(SEED_EXAMPLE);
    assert_eq!(event.user, User::default());
    assert_eq!(event.action, EventAction::Login);
    let v: ValidationError = round_trip(SEED_VALIDATION_ERROR);
    assert_eq!(v.non_field_errors, Some(vec!["string".to_owned()]));
    round_trip::<GenericError>(SEED_GENERIC_ERROR);
}

#[test]
fn hand_written_events_round_trip() {
    let login: Event = round_trip(LOGIN_EVENT);
    let req = login
        .context
        .http_request
        .as_ref()
        .expect("has http_request");
    assert_eq!(req.method, "GET");
    assert_eq!(login.user.username.as_deref(), Some("akadmin"));
    let model: Event = round_trip(MODEL_EVENT);
    let m = model.context.model.as_ref().expect("has model");
    assert_eq!(m.model_name, "application");
    assert!(model.context.extra.contains_key("custom_key"));
    assert_eq!(model.client_ip, None);
    let list = format!(
        r#"{{"pagination":{{"next":2,"previous":0,"count":102,"current":1,"total_pages":2,"start_index":1,"end_index":100}},"results":[{LOGIN_EVENT},{MODEL_EVENT}],"autocomplete":{{}}}}"#
    );
    round_trip::<EventList>(&list);
}

#[test]
fn contract_errors_round_trip() {
    for detail in [
        "No Event matches the given query.",
        "Not found.",
        "Invalid page.",
        "Authentication credentials were not provided.",
        "Token invalid/expired",
        "Unsupported authentication type",
    ] {
        let json = serde_json::json!({ "detail": detail }).to_string();
        let e: GenericError = round_trip(&json);
        assert_eq!(e.code, None);
    }
    let v: ValidationError = round_trip(r#"{"page_size":["A valid integer is required."]}"#);
    assert!(v.fields.contains_key("page_size"));
}

#[test]
fn actions_match_reference_schema() {
    // authentik's own published schema of the event endpoints (2026.8.3), kept in the
    // repository so a fresh clone tests with nothing beside it.
    let text = include_str!("../tests/data/authentik-events-openapi.yml");
    let mut lines = text
        .lines()
        .skip_while(|l| l.trim_end() != "    EventActions:");
    assert!(lines.next().is_some(), "EventActions schema not found");
    assert_eq!(lines.next().map(str::trim), Some("enum:"));
    let from_yml: Vec<&str> = lines
        .map_while(|l| l.strip_prefix("      - "))
        .map(str::trim)
        .collect();
    let ours: Vec<&str> = EventAction::ALL.iter().map(|a| a.as_str()).collect();
    assert_eq!(ours, from_yml);
    assert_eq!(EventAction::ALL.len(), 38);
    for a in EventAction::ALL {
        assert_eq!(serde_json::to_value(a).expect("serializes"), a.as_str());
        let t = a.action_type();
        let json = serde_json::to_string(&t).expect("serializes");
        let back: ActionType = round_trip(&json);
        assert_eq!(back.component, a.as_str());
    }
    let t = serde_json::to_string(&EventAction::LoginFailed.action_type()).expect("serializes");
    assert_eq!(
        t,
        r#"{"name":"Login Failed","description":"","component":"login_failed","model_name":"","requires_enterprise":false,"deprecated":false}"#
    );
}
