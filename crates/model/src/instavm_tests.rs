#![allow(clippy::expect_used)] // Tests may panic on bad fixtures.

use super::*;
use crate::test_util::round_trip;

const SUCCESS: &str = r#"{
  "id": "aud_01J9Z8K3M4N5P6Q7R8S9T0V1W2",
  "created_at": "2026-03-04T10:15:30.123456Z",
  "user_id": 4711,
  "actor_type": "api_key",
  "actor_id": "key_7f3a9c",
  "source": "api",
  "event_group": "vm",
  "event_type": "vm.create",
  "status": "success",
  "resource_type": "vm",
  "resource_id": "vm-3f9a2c1b",
  "session_id": "sess_a1b2c3d4",
  "vm_id": "vm-3f9a2c1b",
  "task_id": 981,
  "request_id": "req_5e6f7a8b",
  "correlation_id": "corr_9c0d1e2f",
  "http_method": "POST",
  "path": "/v1/vms",
  "http_status": 201,
  "latency_ms": 184.27,
  "ip_address": "203.0.113.42",
  "user_agent": "instavm-python/0.9.1",
  "node_ip": "10.0.3.17",
  "worker_id": "worker-2",
  "event_payload": {"image": "python:3.12", "vcpus": 2, "memory_mb": 2048},
  "error_message": null
}"#;

const FAILURE: &str = r#"{
  "id": "aud_01J9Z8K3M4N5P6Q7R8S9T0V1W3",
  "created_at": "2026-03-04T10:16:02.000001Z",
  "user_id": null,
  "actor_type": "anonymous",
  "actor_id": null,
  "source": "api",
  "event_group": "auth",
  "event_type": "auth.login",
  "status": "failure",
  "resource_type": null,
  "resource_id": null,
  "session_id": null,
  "vm_id": null,
  "task_id": null,
  "request_id": "req_6a7b8c9d",
  "correlation_id": null,
  "http_method": "POST",
  "path": "/v1/auth/token",
  "http_status": 401,
  "latency_ms": 12.5,
  "ip_address": "198.51.100.7",
  "user_agent": "curl/8.5.0",
  "node_ip": null,
  "worker_id": null,
  "event_payload": null,
  "error_message": "Invalid API key"
}"#;

#[test]
fn audit_events_round_trip() {
    let ok: AuditEvent = round_trip(SUCCESS);
    assert_eq!(ok.http_status, Some(201));
    let failed: AuditEvent = round_trip(FAILURE);
    assert_eq!(failed.user_id, None);
    let list: EventList = round_trip(&format!(
        r#"{{"items":[{SUCCESS},{FAILURE}],"next_cursor":"eyJpZCI6ImF1ZF8wMSJ9"}}"#
    ));
    assert_eq!(list.items.len(), 2);
    let last: EventList = round_trip(r#"{"items":[],"next_cursor":null}"#);
    assert_eq!(last.next_cursor, None);
}

#[test]
fn nulls_are_serialized() {
    let e: AuditEvent = serde_json::from_str(FAILURE).expect("parses");
    let text = serde_json::to_string(&e).expect("serializes");
    assert!(text.contains(r#""user_id":null"#));
    assert!(text.contains(r#""event_payload":null"#));
}

#[test]
fn contract_errors_round_trip() {
    for detail in [
        "Not authenticated",
        "Not Found",
        "Method Not Allowed",
        "Audit event not found",
    ] {
        round_trip::<HttpError>(&serde_json::json!({ "detail": detail }).to_string());
    }
    let ge: ValidationErrorBody = round_trip(
        r#"{"detail":[{"type":"greater_than_equal","loc":["query","limit"],"msg":"Input should be greater than or equal to 1","input":"0","ctx":{"ge":1}}]}"#,
    );
    assert_eq!(ge.detail[0].loc[1], LocItem::Str("limit".to_owned()));
    let parse: ValidationErrorBody = round_trip(
        r#"{"detail":[{"type":"int_parsing","loc":["query","limit"],"msg":"Input should be a valid integer, unable to parse string as an integer","input":"abc"}]}"#,
    );
    assert_eq!(parse.detail[0].ctx, None);
    let body: ValidationErrorBody = round_trip(
        r#"{"detail":[{"type":"missing","loc":["body","items",0,"name"],"msg":"Field required","input":{}}]}"#,
    );
    assert_eq!(body.detail[0].loc[2], LocItem::Int(0));
}

#[test]
fn catalog_round_trips() {
    round_trip::<Catalog>(
        r#"{"items":[{"event_group":"vm","event_type":"vm.create","description":"A VM was created"}]}"#,
    );
}
