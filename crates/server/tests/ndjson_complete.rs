//! NDJSON adds of complete events (what `eventmock seed` sends), end to end. Each such line is
//! parsed once, straight into the typed event (`add_lines`); these tests hold it to what a
//! JSON body gets through the general path: the same events served, and for every kind of bad
//! event the same field-named 400 or 409 (with the line number), nothing of the batch applied.

#![allow(clippy::unwrap_used, clippy::expect_used)]

mod common;

use common::TestServer;
use eventmock_fake::{AnyDataset, DatasetConfig};
use eventmock_model::Vendor;
use serde_json::{Value, json};

const NDJSON: (&str, &str) = ("content-type", "application/x-ndjson");
const AUTH: (&str, &str) = ("authorization", "Bearer demo");

/// `n` complete events of `vendor` from seed 1 (the test server's datasets have seed 42).
fn events(vendor: Vendor, n: u64) -> Vec<Value> {
    let config = DatasetConfig {
        seed: 1,
        len: n,
        ..DatasetConfig::default()
    };
    let dataset = AnyDataset::new(vendor, config).unwrap();
    (0..n)
        .map(|i| {
            let mut out = Vec::new();
            dataset.write_event(i, &mut out).unwrap();
            serde_json::from_slice(&out).unwrap()
        })
        .collect()
}

fn ndjson(events: &[Value]) -> Vec<u8> {
    let mut out = Vec::new();
    for e in events {
        out.extend_from_slice(e.to_string().as_bytes());
        out.push(b'\n');
    }
    out
}

fn add_path(vendor: Vendor) -> String {
    format!("/__eventmock/vendors/{}/events", vendor.name())
}

fn total(s: &TestServer, vendor: Vendor) -> u64 {
    let world = s.app.world();
    let mount = world.mounts.iter().find(|m| m.api.vendor() == vendor);
    mount.unwrap().api.total()
}

/// Where each of `ids` is among the vendor's events (oldest first).
fn served(s: &TestServer, vendor: Vendor, ids: &[Value]) -> Vec<Value> {
    let world = s.app.world();
    let api = &world
        .mounts
        .iter()
        .find(|m| m.api.vendor() == vendor)
        .unwrap()
        .api;
    let n = api.total();
    let all: Vec<String> = (0..n).filter_map(|i| api.example_id(i)).collect();
    ids.iter()
        .map(|id| {
            let id = id.as_str().unwrap();
            json!({ "id": id, "position": all.iter().position(|x| x == id) })
        })
        .collect()
}

/// Complete events of every vendor added as NDJSON are kept as given (ids, fields), in the
/// same places as when the same events are added as one JSON array.
#[tokio::test]
async fn complete_events_match_the_json_path() {
    let lines = TestServer::start().await;
    let array = TestServer::start().await;
    for vendor in Vendor::ALL {
        let given = events(vendor, 300);
        let r = lines
            .request("POST", &add_path(vendor), &[NDJSON], &ndjson(&given))
            .await;
        assert_eq!(r.status, 201, "{vendor}: {}", r.text());
        let ids = r.json()["ids"].as_array().unwrap().clone();
        let body = Value::Array(given.clone()).to_string();
        let r = array
            .request("POST", &add_path(vendor), &[], body.as_bytes())
            .await;
        assert_eq!(r.status, 201, "{vendor}: {}", r.text());
        assert_eq!(r.json()["ids"].as_array().unwrap(), &ids, "{vendor}");
        assert_eq!(ids.len(), given.len());
        assert_eq!(total(&lines, vendor), total(&array, vendor), "{vendor}");
        assert_eq!(
            served(&lines, vendor, &ids),
            served(&array, vendor, &ids),
            "{vendor}"
        );
        if vendor == Vendor::Authentik {
            // Served as given.
            for (id, event) in ids.iter().zip(&given).step_by(7) {
                let path = format!("/api/v3/events/events/{}/", id.as_str().unwrap());
                let r = lines.get(&path, &[AUTH]).await;
                assert_eq!(r.status, 200, "{}", r.text());
                assert_eq!(&r.json(), event);
            }
        }
    }
}

/// A bad complete event gets, on its NDJSON line, the answer it gets as a JSON body (same
/// status, message, field), with the line number; the batch it is in adds nothing.
#[tokio::test]
async fn bad_complete_events_get_the_json_paths_errors() {
    let s = TestServer::start().await;
    let good = |vendor| events(vendor, 3);
    let mut cases: Vec<(Vendor, Value, u16, &str)> = Vec::new();

    let mut e = good(Vendor::Authentik)[1].clone();
    e["actoin"] = json!("login");
    cases.push((Vendor::Authentik, e, 400, "actoin"));

    // A CF field put beside `entity` as well as inside it, and one only beside it.
    let mut e = good(Vendor::CloudFoundry)[1].clone();
    e["actor_name"] = e["entity"]["actor_name"].clone();
    cases.push((Vendor::CloudFoundry, e, 400, "actor_name"));
    let mut e = good(Vendor::CloudFoundry)[1].clone();
    let actor = e["entity"]
        .as_object_mut()
        .unwrap()
        .remove("actor_name")
        .unwrap();
    e["actor_name"] = actor;
    cases.push((Vendor::CloudFoundry, e, 400, "entity"));

    // A timestamp that is not a time, and two time fields that disagree.
    let mut e = good(Vendor::Probely)[1].clone();
    e["occurred_at"] = json!("not-a-time");
    cases.push((Vendor::Probely, e, 400, "occurred_at"));
    let mut e = good(Vendor::CloudFoundry)[1].clone();
    e["metadata"]["created_at"] = json!("1999-01-01T00:00:00Z");
    cases.push((Vendor::CloudFoundry, e, 400, ""));

    // An id not in the vendor's format, an id of a generated event, no id.
    let mut e = good(Vendor::Authentik)[1].clone();
    e["pk"] = json!("not-a-uuid");
    cases.push((Vendor::Authentik, e, 400, "pk"));
    let existing = s
        .app
        .world()
        .mounts
        .iter()
        .find(|m| m.api.vendor() == Vendor::Authentik)
        .unwrap()
        .api
        .example_id(5)
        .unwrap();
    let mut e = good(Vendor::Authentik)[1].clone();
    e["pk"] = json!(existing);
    cases.push((Vendor::Authentik, e, 409, "pk"));
    let mut e = good(Vendor::Halo)[1].clone();
    e.as_object_mut().unwrap().remove("event_id");
    cases.push((Vendor::Halo, e, 400, ""));

    // A field of the wrong type, and an array instead of an object.
    let mut e = good(Vendor::Instavm)[1].clone();
    e["created_at"] = json!(17);
    cases.push((Vendor::Instavm, e, 400, "created_at"));
    let e = Value::Array(vec![good(Vendor::Probely)[1].clone()]);
    cases.push((Vendor::Probely, e, 400, "."));

    for (vendor, bad, status, field) in cases {
        let before = total(&s, vendor);
        // As a JSON body: a list of the one event.
        let list = Value::Array(vec![bad.clone()]).to_string();
        let as_json = s
            .request("POST", &add_path(vendor), &[], list.as_bytes())
            .await;
        assert_eq!(as_json.status, status, "{vendor} {bad}: {}", as_json.text());
        let want = as_json.json();
        // The bad event on line 2, between two good ones.
        let body = ndjson(&[
            good(vendor)[0].clone(),
            bad.clone(),
            good(vendor)[2].clone(),
        ]);
        let r = s.request("POST", &add_path(vendor), &[NDJSON], &body).await;
        assert_eq!(r.status, status, "{vendor} {bad}: {}", r.text());
        let v = r.json();
        assert_eq!(v["line"], json!(2), "{v}");
        assert_eq!(v["accepted"], json!(0), "{v}");
        assert_eq!(v["field"], want["field"], "{v} against {want}");
        assert_eq!(
            v["error"],
            json!(format!("line 2: {}", want["error"].as_str().unwrap())),
            "{v} against {want}"
        );
        if !field.is_empty() {
            assert_eq!(v["field"], json!(field), "{v}");
        }
        assert_eq!(total(&s, vendor), before, "{vendor}: nothing applied");
    }
}

/// An id given twice in one request is a 409 naming it on the second line; nothing of the
/// batch is added.
#[tokio::test]
async fn a_duplicate_id_is_a_409_naming_it() {
    let s = TestServer::start().await;
    let vendor = Vendor::CloudFoundry;
    let given = events(vendor, 4);
    let before = total(&s, vendor);
    let body = ndjson(&[
        given[0].clone(),
        given[1].clone(),
        given[2].clone(),
        given[1].clone(),
    ]);
    let r = s.request("POST", &add_path(vendor), &[NDJSON], &body).await;
    assert_eq!(r.status, 409, "{}", r.text());
    let v = r.json();
    let guid = given[1]["metadata"]["guid"].as_str().unwrap();
    assert_eq!(v["line"], json!(4), "{v}");
    assert_eq!(v["field"], json!("metadata.guid"), "{v}");
    assert!(v["error"].as_str().unwrap().contains(guid), "{v}");
    assert_eq!(v["accepted"], json!(0), "{v}");
    assert_eq!(total(&s, vendor), before);

    // Once added, the same id again is a 409 too.
    let r = s
        .request("POST", &add_path(vendor), &[NDJSON], &ndjson(&given[..2]))
        .await;
    assert_eq!(r.status, 201, "{}", r.text());
    let r = s
        .request("POST", &add_path(vendor), &[NDJSON], &ndjson(&given[1..3]))
        .await;
    assert_eq!(r.status, 409, "{}", r.text());
    assert_eq!(r.json()["line"], json!(1));
    assert_eq!(total(&s, vendor), before + 2);
}
