#![allow(clippy::expect_used)] // Tests may panic on bad fixtures.

use super::*;
use crate::test_util::round_trip;

const USER_EVENT: &str = r#"{
  "id": "8C5DbAFNbTDN",
  "event_type": "user_created",
  "occurred_at": "2022-05-16T11:50:53.914329Z",
  "object_type": "user",
  "content": {
    "id": "3YqPbxq6ADGf",
    "email": "ana.silva@example.com",
    "name": "Ana Silva",
    "role": "admin",
    "is_active": true,
    "date_joined": "2022-05-16T11:50:53.801247Z"
  },
  "webhooks": [
    {"id": "2nYkVd2ehXgM", "api_version": "v1", "status": "succeeded",
     "next_try": "2022-05-16T11:50:54.000000Z", "retries": 0}
  ]
}"#;

const TARGET_EVENT: &str = r#"{
  "id": "4UvmXUqjJr3a",
  "event_type": "target_verified",
  "occurred_at": "2023-08-09T13:27:43.820830Z",
  "object_type": "target",
  "content": {
    "id": "3jWDZrNpfhSK",
    "site": {
      "id": "44rhjEiKbqHP",
      "name": "My Website",
      "desc": "",
      "url": "https://www.example.com/",
      "host": "www.example.com",
      "verified": true
    },
    "type": "single",
    "risk": null,
    "lows": 0,
    "mediums": 0,
    "highs": 0
  },
  "webhooks": []
}"#;

const SCAN_EVENT: &str = r#"{
  "id": "7hd9Q2cXxWzP",
  "event_type": "scan_completed",
  "occurred_at": "2023-11-15T16:02:11.120044Z",
  "object_type": "scan",
  "content": {
    "id": "37borpHTaGDe",
    "target": {
      "id": "3jWDZrNpfhSK",
      "site": {"id": "44rhjEiKbqHP", "name": "My Website", "url": "https://www.example.com/"}
    },
    "status": "completed",
    "created": "2023-11-15T15:14:20.650073Z",
    "started": "2023-11-15T15:15:02.004512Z",
    "completed": "2023-11-15T16:02:11.008812Z",
    "lows": 4,
    "mediums": 2,
    "highs": 1
  },
  "webhooks": [
    {"id": "2nYkVd2ehXgM", "api_version": "v1", "status": "rescheduled",
     "next_try": "2023-11-15T16:07:11.120044Z", "retries": 2}
  ]
}"#;

const FINDING_EVENT: &str = r#"{
  "id": "5sR8pWmN2kQe",
  "event_type": "finding_detected",
  "occurred_at": "2023-11-15T15:40:09.553120Z",
  "object_type": "finding",
  "content": {
    "id": 117,
    "target": {
      "id": "3jWDZrNpfhSK",
      "site": {"id": "44rhjEiKbqHP", "name": "My Website", "url": "https://www.example.com/"}
    },
    "definition": {"id": "6fGtQ9j2ZMAB", "name": "SQL Injection"},
    "url": "https://www.example.com/search?q=1",
    "severity": 30,
    "state": "notfixed",
    "first_found": "2023-11-15T15:40:09.501002Z",
    "last_found": "2023-11-15T15:40:09.501002Z"
  },
  "webhooks": []
}"#;

#[test]
fn hand_written_events_round_trip_with_the_right_content() {
    for (json, object_type) in [
        (USER_EVENT, ObjectType::User),
        (TARGET_EVENT, ObjectType::Target),
        (SCAN_EVENT, ObjectType::Scan),
        (FINDING_EVENT, ObjectType::Finding),
    ] {
        let event: Event = round_trip(json);
        assert_eq!(event.object_type, object_type);
        assert_eq!(event.content.object_type(), object_type);
        assert_eq!(event.event_type.object_type(), object_type);
    }
}

#[test]
fn event_list_and_errors_round_trip() {
    let list = format!(
        r#"{{"count":2,"page_total":1,"page":1,"length":10,"results":[{USER_EVENT},{SCAN_EVENT}]}}"#
    );
    let list: EventList = round_trip(&list);
    assert_eq!(list.results.len(), 2);
    round_trip::<ErrorBody>(r#"{"detail":"Not found."}"#);
    round_trip::<ErrorBody>(r#"{"detail":"Authentication credentials were not provided."}"#);
}

#[test]
fn event_type_prefix_matches_object_type() {
    for t in EventType::ALL {
        let prefix = t.as_str().split('_').next().unwrap_or_default();
        assert_eq!(prefix, t.object_type().as_str(), "{t:?}");
        let wire = serde_json::to_value(t).expect("serializes");
        assert_eq!(wire, t.as_str());
    }
    for o in ObjectType::ALL {
        assert_eq!(serde_json::to_value(o).expect("serializes"), o.as_str());
    }
    for s in WebhookStatus::ALL {
        assert_eq!(serde_json::to_value(s).expect("serializes"), s.as_str());
    }
    assert_eq!(EventType::ALL.len(), 12);
}
