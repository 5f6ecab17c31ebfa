#![allow(clippy::expect_used)] // Tests may panic on bad fixtures.

use super::*;
use crate::test_util::round_trip;

const SEED_BODY: &str = r#"{
"metadata": {
"guid": "1b193789-f176-4d28-a7c3-6907d7c01420",
"url": "/v2/events/1b193789-f176-4d28-a7c3-6907d7c01420",
"created_at": "2014-11-24T19:32:27+00:00",
"updated_at": null
},
"entity": {
"type": "name-1",
"actor": "guid-54c54d7e-299f-446a-a7cc-cffcfda97e6f",
"actor_type": "name-2",
"actor_name": "name-3",
"actee": "guid-38a43eaf-be3c-4bc8-a5af-039502d909d7",
"actee_type": "name-4",
"actee_name": "name-5",
"timestamp": "2014-11-24T19:32:27+00:00",
"metadata": {
},
"space_guid": "41d9fcfd-6676-49ab-bad7-c94b7fcab2ab",
"organization_guid": "e0b9cb90-dea0-438a-8a57-0139c80b57da"
}
}"#;

const APP_UPDATE: &str = r#"{"metadata":{"guid":"a3e1c2d4-5f6b-4c7d-8e9f-0a1b2c3d4e5f","url":"/v2/events/a3e1c2d4-5f6b-4c7d-8e9f-0a1b2c3d4e5f","created_at":"2016-06-08T16:41:23Z","updated_at":null},"entity":{"type":"audit.app.update","actor":"uaa-id-42","actor_type":"user","actor_name":"dev@example.com","actor_username":"dev@example.com","actee":"6f1d2e3c-4b5a-4968-8776-a5b4c3d2e1f0","actee_type":"app","actee_name":"billing-api","timestamp":"2016-06-08T16:41:23Z","metadata":{"request":{"state":"STARTED"}},"space_guid":"41d9fcfd-6676-49ab-bad7-c94b7fcab2ab","organization_guid":"e0b9cb90-dea0-438a-8a57-0139c80b57da"}}"#;

#[test]
fn seed_body_round_trips_with_unknown_type() {
    let e: Event = round_trip(SEED_BODY);
    assert_eq!(e.entity.r#type, EventType::Other("name-1".to_owned()));
    assert_eq!(e.entity.actor_username, None);
    assert_eq!(e.metadata.updated_at, None);
}

#[test]
fn realistic_event_and_list_round_trip() {
    let e: Event = round_trip(APP_UPDATE);
    assert_eq!(e.entity.r#type, EventType::AuditAppUpdate);
    let list: EventList = round_trip(&format!(
        r#"{{"total_results":51,"total_pages":2,"prev_url":null,"next_url":"/v2/events?order-direction=asc&page=2&results-per-page=50","resources":[{APP_UPDATE},{SEED_BODY}]}}"#
    ));
    assert_eq!(list.prev_url, None);
}

#[test]
fn known_types_round_trip() {
    assert!(EventType::KNOWN.len() >= 22);
    for t in EventType::KNOWN {
        let v = serde_json::to_value(t).expect("serializes");
        assert_eq!(v, t.as_str());
        let back: EventType = serde_json::from_value(v).expect("parses");
        assert_eq!(&back, t);
        assert!(!matches!(back, EventType::Other(_)));
    }
    for seed in [
        "app.crash",
        "audit.app.update",
        "audit.app.create",
        "audit.app.delete-request",
        "audit.space.create",
        "audit.space.update",
        "audit.space.delete-request",
    ] {
        assert!(
            EventType::KNOWN.contains(&EventType::from_wire(seed)),
            "{seed}"
        );
    }
}

#[test]
fn contract_errors_round_trip() {
    for (description, error_code, code) in [
        (
            "Event could not be found: 1b193789-f176-4d28-a7c3-6907d7c01420",
            "CF-EventNotFound",
            230002,
        ),
        ("Unknown request", "CF-NotFound", 10000),
        ("Authentication error", "CF-NotAuthenticated", 10002),
        ("Invalid Auth Token", "CF-InvalidAuthToken", 1000),
        (
            "You are not authorized to perform the requested action",
            "CF-NotAuthorized",
            10003,
        ),
        (
            "The query parameter is invalid: q",
            "CF-BadQueryParameter",
            10005,
        ),
    ] {
        let json = serde_json::json!({
            "description": description,
            "error_code": error_code,
            "code": code,
        })
        .to_string();
        round_trip::<ErrorBody>(&json);
    }
}

#[test]
fn root_document_and_token_round_trip() {
    let root = r#"{"links":{"self":{"href":"https://api.example.com"},"bits_service":null,"cloud_controller_v2":{"href":"https://api.example.com/v2","meta":{"version":"2.173.0"}},"cloud_controller_v3":{"href":"https://api.example.com/v3","meta":{"version":"3.108.0"}},"network_policy_v0":{"href":"https://api.example.com/networking/v0/external"},"network_policy_v1":{"href":"https://api.example.com/networking/v1/external"},"login":{"href":"https://login.example.com"},"uaa":{"href":"https://uaa.example.com"},"credhub":null,"routing":null,"logging":{"href":"wss://doppler.example.com:443"},"log_cache":{"href":"https://log-cache.example.com"},"log_stream":{"href":"https://log-stream.example.com"},"app_ssh":{"href":"ssh.example.com:2222","meta":{"host_key_fingerprint":"","oauth_client":"ssh-proxy"}}}}"#;
    let doc: RootDocument = round_trip(root);
    assert_eq!(doc.links.login.href, "https://login.example.com");
    assert_eq!(doc.links.bits_service, Some(None));
    // From API 2.193.0 on the key is absent.
    let doc: RootDocument = round_trip(&root.replace(r#""bits_service":null,"#, ""));
    assert_eq!(doc.links.bits_service, None);
    round_trip::<Info>(
        r#"{"name":"","build":"","support":"","version":0,"description":"","authorization_endpoint":"https://login.example.com","token_endpoint":"https://uaa.example.com","min_cli_version":null,"min_recommended_cli_version":null,"app_ssh_endpoint":"ssh.example.com:2222","app_ssh_host_key_fingerprint":"a6:d1","app_ssh_oauth_client":"ssh-proxy","doppler_logging_endpoint":"wss://doppler.example.com:443","api_version":"2.164.0","osbapi_version":"2.15","user":"u-1"}"#,
    );
    round_trip::<TokenResponse>(
        r#"{"access_token":"eyJhbGciOiJSUzI1NiJ9.e30.c2ln","token_type":"bearer","refresh_token":"eyJhbGciOiJSUzI1NiJ9.e30.cmVm","expires_in":599,"scope":"cloud_controller.read openid","jti":"8d3c4b2a1f0e4d5c9b8a7f6e5d4c3b2a"}"#,
    );
    round_trip::<TokenResponse>(
        r#"{"access_token":"x","token_type":"bearer","expires_in":43199,"scope":"uaa.none","jti":"j"}"#,
    );
}
