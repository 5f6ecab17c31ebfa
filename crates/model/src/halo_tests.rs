#![allow(clippy::expect_used)] // Tests may panic on bad fixtures.

use super::*;
use crate::test_util::round_trip;

const SEED_LIST: &str = r#"{
    "list": [
        {
            "event": {
                "event_id": "id1",
                "subject": "Scan Started",
                "date_created": "0000-00-00 00:00",
                "key": "target-scan-start",
                "url": "https://www.halosecurity.com/link?q=user-event&id=id1",
                "target": {
                    "target_name": "",
                    "target_id": 1,
                    "target": "www.example.com"
                }
            }
        }
    ]
}"#;

const SEED_GET: &str = r#"{
    "success": 1,
    "event": {
        "event_id": "id1",
        "subject": "Scan Started",
        "date_created": "0000-00-00 00:00",
        "key": "target-scan-start",
        "url": "https://www.halosecurity.com/link?q=user-event&id=id1",
        "target": {
            "target_name": "",
            "target_id": 1,
            "target": "www.example.com"
        }
    }
}"#;

const SEED_ERROR_REQUIRED: &str = r#"{
    "code": 0,
    "message": "event_id required"
}"#;

const SEED_ERROR_NOT_FOUND: &str = r#"{
    "code": 404,
    "message": "event not found"
}"#;

const SEED_DELETE: &str = r#"{
    "success": 1
}"#;

const SEED_TYPES: &str = r#"{
    "list": [
        {
            "subject": "API Key Added",
            "key": "account-apikey-add"
        }
    ]
}"#;

#[test]
fn seed_examples_round_trip() {
    let list: EventList = round_trip(SEED_LIST);
    assert_eq!(list.list[0].event.key, "target-scan-start");
    assert_eq!(list.request, None);
    let get: GetResponse = round_trip(SEED_GET);
    assert_eq!(get.event.target.target_id, 1);
    round_trip::<ErrorBody>(SEED_ERROR_REQUIRED);
    round_trip::<ErrorBody>(SEED_ERROR_NOT_FOUND);
    round_trip::<DeleteResponse>(SEED_DELETE);
    let types: TypesResponse = round_trip(SEED_TYPES);
    assert_eq!(types.list[0], TypesResponse::all().list[0]);
}

#[test]
fn realistic_list_with_pagination_round_trips() {
    let json = r#"{"list":[{"event":{"event_id":"20260112093011a3f9c2e4b5d6a7f8091a2b3c4d5e6f7a8b9","subject":"Domain Added","date_created":"2026-01-12 09:30","key":"domain-add","url":"https://www.halosecurity.com/link?q=user-event&id=20260112093011a3f9c2e4b5d6a7f8091a2b3c4d5e6f7a8b9","target":{"target_name":"Marketing site","target_id":48213,"target":"example.com"}}}],"request":{"start":0,"limit":100},"pagination":{"total":1,"start":0,"limit":100}}"#;
    let list: EventList = round_trip(json);
    assert_eq!(list.list[0].event.event_id.len(), 49);
}

#[test]
fn event_types_are_unique_and_well_formed() {
    let mut keys: Vec<&str> = EVENT_TYPES.iter().map(|&(k, _)| k).collect();
    assert!(EVENT_TYPES.len() >= 60);
    assert!(CONFIRMED_SUBJECTS <= EVENT_TYPES.len());
    for k in &keys {
        assert!(
            k.bytes().all(|b| b.is_ascii_lowercase() || b == b'-'),
            "bad key {k}"
        );
    }
    for confirmed in [
        ("account-apikey-add", "API Key Added"),
        ("account-user-add", "User Added"),
        ("domain-add", "Domain Added"),
        ("target-scan-start", "Scan Started"),
    ] {
        assert!(EVENT_TYPES.contains(&confirmed), "{confirmed:?}");
    }
    keys.sort_unstable();
    let n = keys.len();
    keys.dedup();
    assert_eq!(keys.len(), n, "duplicate keys");
}
