//! Adding events through the admin API, end to end: nothing is silently ignored. Unknown
//! fields and timestamps that are not times are field-named 400s, a supplied id is kept, an id
//! that exists already is a 409 naming it, an added event's time and its id's time part agree,
//! and query parameters that do not parse are 400s.

#![allow(clippy::unwrap_used, clippy::expect_used)]

mod common;

use common::TestServer;
use serde_json::{Value, json};

const ADD: &str = "/__eventmock/vendors/authentik/events";
const EVENTS: &str = "/api/v3/events/events/";
const AUTH: (&str, &str) = ("authorization", "Bearer demo");

async fn post(s: &TestServer, path: &str, body: &Value) -> common::Resp {
    s.request("POST", path, &[], body.to_string().as_bytes())
        .await
}

fn total(s: &TestServer, vendor: usize) -> u64 {
    s.app.world().mounts[vendor].api.total()
}

/// The mount index of `name` in the default world.
fn mount_of(s: &TestServer, name: &str) -> usize {
    s.app
        .world()
        .mounts
        .iter()
        .position(|m| m.api.vendor().name() == name)
        .unwrap()
}

#[tokio::test]
async fn unknown_fields_are_400s_naming_them() {
    let s = TestServer::start().await;
    let ak = mount_of(&s, "authentik");
    let before = total(&s, ak);
    let r = post(
        &s,
        &format!("{ADD}?partial=true"),
        &json!({"actoin": "login"}),
    )
    .await;
    assert_eq!(r.status, 400, "{}", r.text());
    let v = r.json();
    assert_eq!(v["field"], json!("actoin"), "{v}");
    assert!(
        v["error"]
            .as_str()
            .unwrap()
            .contains("unknown field `actoin`"),
        "{v}"
    );

    // CF: inside `entity`, and a field of `entity` put beside it (with a hint).
    let r = post(
        &s,
        "/__eventmock/vendors/cf/events?partial=true",
        &json!({"entity": {"bogus_key": 1}}),
    )
    .await;
    assert_eq!(r.status, 400, "{}", r.text());
    assert_eq!(r.json()["field"], json!("entity.bogus_key"));
    let r = post(
        &s,
        "/__eventmock/vendors/cf/events?partial=true",
        &json!({"actor_name": "x"}),
    )
    .await;
    assert_eq!(r.status, 400, "{}", r.text());
    let v = r.json();
    assert_eq!(v["field"], json!("actor_name"));
    assert!(
        v["error"].as_str().unwrap().contains("`entity.actor_name`"),
        "{v}"
    );

    // A complete event with one extra key: rejected as a whole.
    let id = s.app.world().mounts[ak].api.example_id(5).unwrap();
    let mut full = s.get(&format!("{EVENTS}{id}/"), &[AUTH]).await.json();
    full["pk"] = json!("00000000-0000-4000-8000-000000000077");
    full["brand"]["colour"] = json!("red");
    let r = post(&s, ADD, &full).await;
    assert_eq!(r.status, 400, "{}", r.text());
    assert_eq!(r.json()["field"], json!("brand.colour"));
    assert_eq!(total(&s, ak), before, "nothing was added");

    // Open objects take any key: authentik's `context`, CF's `entity.metadata`.
    let r = post(
        &s,
        &format!("{ADD}?partial=true"),
        &json!({"action": "login", "context": {"anything": {"goes": [1]}}}),
    )
    .await;
    assert_eq!(r.status, 201, "{}", r.text());
    let minted = r.json()["ids"][0].as_str().unwrap().to_owned();
    let served = s.get(&format!("{EVENTS}{minted}/"), &[AUTH]).await.json();
    assert_eq!(served["context"]["anything"], json!({"goes": [1]}));
    let r = post(
        &s,
        "/__eventmock/vendors/cf/events?partial=true",
        &json!({"entity": {"metadata": {"free": true}}}),
    )
    .await;
    assert_eq!(r.status, 201, "{}", r.text());
}

#[tokio::test]
async fn a_timestamp_that_is_not_a_time_is_a_400_naming_it() {
    let s = TestServer::start().await;
    for (path, body, field) in [
        (
            format!("{ADD}?partial=true"),
            json!({"created": "not-a-time"}),
            "created",
        ),
        (
            "/__eventmock/vendors/halo/events?partial=true".to_owned(),
            json!({"date_created": "2025-12-24T10:00"}),
            "date_created",
        ),
        (
            "/__eventmock/vendors/cf/events?partial=true".to_owned(),
            json!({"entity": {"timestamp": "yesterday"}}),
            "entity.timestamp",
        ),
        (
            "/__eventmock/vendors/probely/events?partial=true".to_owned(),
            json!({"occurred_at": "2025-12-24T10:00:00Z", "content": {"date_joined": "x"}}),
            "content",
        ),
    ] {
        let r = post(&s, &path, &body).await;
        assert_eq!(r.status, 400, "{path}: {}", r.text());
        assert_eq!(r.json()["field"], json!(field), "{path}: {}", r.text());
    }
    // The time fields of one CF event must agree with each other.
    let r = post(
        &s,
        "/__eventmock/vendors/cf/events?partial=true",
        &json!({"metadata": {"created_at": "2025-12-24T10:00:00Z"},
                "entity": {"timestamp": "2025-12-24T10:00:09Z"}}),
    )
    .await;
    assert_eq!(r.status, 400, "{}", r.text());
    assert_eq!(r.json()["field"], json!("entity.timestamp"));
}

#[tokio::test]
async fn supplied_ids_are_kept_and_existing_ones_are_409s() {
    let s = TestServer::start().await;
    let ak = mount_of(&s, "authentik");
    let before = total(&s, ak);
    let pk = "3fa85f64-5717-4562-b3fc-2c963f66afa6";
    let r = post(
        &s,
        &format!("{ADD}?partial=true"),
        &json!({"pk": pk, "action": "login"}),
    )
    .await;
    assert_eq!(r.status, 201, "{}", r.text());
    assert_eq!(r.json(), json!({"ids": [pk]}));
    let served = s.get(&format!("{EVENTS}{pk}/"), &[AUTH]).await;
    assert_eq!(served.status, 200);
    assert_eq!(served.json()["pk"], json!(pk));
    assert_eq!(served.json()["action"], json!("login"));

    // The same id again, a generated event's id, and one id twice in a batch: 409s naming it.
    let generated = s.app.world().mounts[ak].api.example_id(3).unwrap();
    let other = "3fa85f64-5717-4562-b3fc-2c963f66afa7";
    for (body, id, index) in [
        (json!({"pk": pk}), pk, 0),
        (
            json!([{"action": "logout"}, {"pk": generated}]),
            generated.as_str(),
            1,
        ),
        (json!([{"pk": other}, {"pk": other}]), other, 1),
    ] {
        let r = post(&s, &format!("{ADD}?partial=true"), &body).await;
        assert_eq!(r.status, 409, "{body}: {}", r.text());
        let v = r.json();
        assert_eq!(v["field"], json!("pk"), "{v}");
        assert_eq!(v["index"], json!(index), "{v}");
        assert!(v["error"].as_str().unwrap().contains(id), "{v}");
    }
    assert_eq!(total(&s, ak), before + 1, "only the first add stayed");

    // CF keeps a supplied `metadata.guid` and derives `metadata.url` from it.
    let guid = "9b2d4c1e-0000-4000-8000-000000000001";
    let r = post(
        &s,
        "/__eventmock/vendors/cf/events?partial=true",
        &json!({"metadata": {"guid": guid}}),
    )
    .await;
    assert_eq!(r.status, 201, "{}", r.text());
    assert_eq!(r.json()["ids"][0], json!(guid));
    let served = s
        .get(
            &format!("/v2/events/{guid}"),
            &[("authorization", "bearer x")],
        )
        .await
        .json();
    assert_eq!(
        served["metadata"]["url"],
        json!(format!("/v2/events/{guid}"))
    );
}

#[tokio::test]
async fn added_events_ids_carry_their_time() {
    let s = TestServer::start().await;
    // Halo: a minted id starts with the event's time; `date_created` is that minute.
    let r = post(
        &s,
        "/__eventmock/vendors/halo/events?partial=true",
        &json!({"date_created": "2025-12-24 10:07"}),
    )
    .await;
    assert_eq!(r.status, 201, "{}", r.text());
    let id = r.json()["ids"][0].as_str().unwrap().to_owned();
    assert!(id.starts_with("20251224100700"), "{id}");
    // InstaVM: the v7 id's milliseconds are the event's.
    let r = post(
        &s,
        "/__eventmock/vendors/instavm/events?partial=true",
        &json!({"created_at": "2025-12-24T10:00:00.123456Z"}),
    )
    .await;
    assert_eq!(r.status, 201, "{}", r.text());
    let id = r.json()["ids"][0].as_str().unwrap().to_owned();
    // 1766570400123 ms = 0x019b4fcd197b
    assert!(id.starts_with("019b4fcd-197b-7"), "{id}");
    // A supplied Halo id whose time part disagrees with the event's time: a 400 on the id.
    let r = post(
        &s,
        "/__eventmock/vendors/halo/events?partial=true",
        &json!({"event_id": format!("20251224100000{}", "a".repeat(35)), "date_created": "2025-12-24 11:00"}),
    )
    .await;
    assert_eq!(r.status, 400, "{}", r.text());
    assert_eq!(r.json()["field"], json!("date_created"));
}

#[tokio::test]
async fn query_parameters_that_do_not_parse_are_400s() {
    let s = TestServer::start().await;
    let ak = mount_of(&s, "authentik");
    let before = total(&s, ak);
    let r = post(&s, &format!("{ADD}?partial=true&port=notaport"), &json!({})).await;
    assert_eq!(r.status, 400, "{}", r.text());
    assert!(r.json()["error"].as_str().unwrap().contains("port"));
    let r = post(&s, &format!("{ADD}?partial=yes"), &json!({})).await;
    assert_eq!(r.status, 400, "{}", r.text());
    assert!(r.json()["error"].as_str().unwrap().contains("partial"));
    let id = s.app.world().mounts[ak].api.example_id(0).unwrap();
    let r = s
        .request("DELETE", &format!("{ADD}/{id}?port=99999"), &[], b"")
        .await;
    assert_eq!(r.status, 400, "{}", r.text());
    assert_eq!(total(&s, ak), before, "nothing added or deleted");
    assert_eq!(s.get(&format!("{EVENTS}{id}/"), &[AUTH]).await.status, 200);
}
