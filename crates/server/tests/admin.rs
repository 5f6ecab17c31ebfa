//! The control plane end to end: admin API, journal, verification, metrics, access.

#![allow(clippy::unwrap_used, clippy::expect_used)]

mod common;

use std::collections::BTreeSet;
use std::sync::Arc;

use bytes::Bytes;
use common::TestServer;
use eventmock_model::Vendor;
use eventmock_server::admin::{AdminAccess, ControlConfig};
use eventmock_server::vendors::{VendorSettings, build};
use eventmock_server::{App, Handler, Mount, World};
use serde_json::{Value, json};

const AUTH: (&str, &str) = ("authorization", "Bearer demo");
const EVENTS: &str = "/api/v3/events/events/";

fn authentik_world(len: u64) -> World {
    let mut settings = VendorSettings::default();
    settings.dataset.seed = 42;
    settings.dataset.len = len;
    World {
        mounts: vec![Mount {
            prefix: String::new(),
            api: build(Vendor::Authentik, settings).unwrap(),
            port: None,
        }],
        ..World::default()
    }
}

async fn admin_json(s: &TestServer, method: &str, path: &str, body: &Value) -> common::Resp {
    s.request(method, path, &[], body.to_string().as_bytes())
        .await
}

/// Every authentik id, oldest first, by walking the list.
async fn walk(s: &TestServer) -> Vec<(String, String)> {
    let mut out = Vec::new();
    let mut page = 1;
    loop {
        let r = s
            .get(
                &format!("{EVENTS}?ordering=created&page_size=500&page={page}"),
                &[AUTH],
            )
            .await;
        assert_eq!(r.status, 200, "{}", r.text());
        let v = r.json();
        for e in v["results"].as_array().unwrap() {
            out.push((
                e["pk"].as_str().unwrap().to_owned(),
                e["created"].as_str().unwrap().to_owned(),
            ));
        }
        if v["pagination"]["next"].as_u64().unwrap_or(0) == 0 {
            return out;
        }
        page += 1;
    }
}

fn uuid(n: u64) -> String {
    format!("00000000-0000-4000-8000-{n:012x}")
}

/// A complete authentik event with a new id, at the time of generated event `i`.
async fn copy_of(s: &TestServer, i: u64, pk: &str) -> Value {
    let id = s.app.world().mounts[0].api.example_id(i).unwrap();
    let r = s.get(&format!("{EVENTS}{id}/"), &[AUTH]).await;
    let mut e = r.json();
    e["pk"] = json!(pk);
    e
}

#[tokio::test]
async fn vendors_and_scenarios_are_listed() {
    let s = TestServer::start().await;
    let r = s.get("/__eventmock/vendors", &[]).await;
    assert_eq!(r.status, 200);
    assert_eq!(r.header("content-type"), Some("application/json"));
    let v = r.json();
    let vendors = v["vendors"].as_array().unwrap();
    assert_eq!(vendors.len(), 5);
    assert_eq!(
        vendors[0],
        json!({"vendor":"probely","prefix":"","port":null,"total":1000,"added":0,"seed":42,"size":1000})
    );
    let r = s.get("/__eventmock/scenarios", &[]).await;
    assert_eq!(r.json(), json!({"scenarios": []}));
    let r = s.get("/__eventmock/nothing", &[]).await;
    assert_eq!(r.status, 404);
    let r = s.request("PATCH", "/__eventmock/vendors", &[], b"").await;
    assert_eq!(r.status, 405);
}

#[tokio::test]
async fn add_get_list_delete_reset() {
    let s = TestServer::with_world(authentik_world(300)).await;
    let a = copy_of(&s, 100, &uuid(1)).await;
    let b = copy_of(&s, 200, &uuid(2)).await;
    let r = admin_json(
        &s,
        "POST",
        "/__eventmock/vendors/authentik/events",
        &json!([a, b]),
    )
    .await;
    assert_eq!(r.status, 201, "{}", r.text());
    assert_eq!(r.json(), json!({"ids": [uuid(1), uuid(2)]}));

    // Served by get...
    let r = s.get(&format!("{EVENTS}{}/", uuid(1)), &[AUTH]).await;
    assert_eq!(r.status, 200);
    assert_eq!(r.json()["pk"], json!(uuid(1)));
    // ...and in the list, in time order.
    let all = walk(&s).await;
    assert_eq!(all.len(), 302);
    assert!(
        all.windows(2).all(|w| w[0].1 <= w[1].1),
        "not in time order"
    );
    let pos = all.iter().position(|(id, _)| *id == uuid(1)).unwrap();
    assert_eq!(all[pos].1, a["created"].as_str().unwrap());

    // Older than every generated event: first in the list (several of them).
    let mut olds = Vec::new();
    for n in 0..3u64 {
        let mut old = copy_of(&s, 0, &uuid(50 + n)).await;
        let created = old["created"].as_str().unwrap().to_owned();
        old["created"] = json!(format!("200{n}{}", &created[4..]));
        olds.push(old);
    }
    let r = admin_json(
        &s,
        "POST",
        "/__eventmock/vendors/authentik/events",
        &json!(olds),
    )
    .await;
    assert_eq!(r.status, 201, "{}", r.text());
    let all = walk(&s).await;
    assert_eq!(all.len(), 305);
    let first: Vec<&str> = all[..3].iter().map(|(id, _)| id.as_str()).collect();
    assert_eq!(first, [uuid(50), uuid(51), uuid(52)]);
    for n in 50..53 {
        let path = format!("/__eventmock/vendors/authentik/events/{}", uuid(n));
        assert_eq!(s.request("DELETE", &path, &[], b"").await.status, 204);
    }

    // One object (not an array) and a partial patch.
    let r = admin_json(
        &s,
        "POST",
        "/__eventmock/vendors/authentik/events?partial=true",
        &json!({"action": "login"}),
    )
    .await;
    assert_eq!(r.status, 201, "{}", r.text());
    let minted = r.json()["ids"][0].as_str().unwrap().to_owned();
    let r = s.get(&format!("{EVENTS}{minted}/"), &[AUTH]).await;
    assert_eq!(r.json()["action"], json!("login"));

    // Delete: an added one, a generated one, then a missing one.
    let gen0 = s.app.world().mounts[0].api.example_id(0).unwrap();
    for id in [uuid(2), gen0.clone()] {
        let r = s
            .request(
                "DELETE",
                &format!("/__eventmock/vendors/authentik/events/{id}"),
                &[],
                b"",
            )
            .await;
        assert_eq!(r.status, 204, "{id}");
        assert_eq!(s.get(&format!("{EVENTS}{id}/"), &[AUTH]).await.status, 404);
    }
    let r = s
        .request(
            "DELETE",
            &format!("/__eventmock/vendors/authentik/events/{}", uuid(2)),
            &[],
            b"",
        )
        .await;
    assert_eq!(r.status, 404);
    let total = |v: Value| v["vendors"][0]["total"].as_u64().unwrap();
    assert_eq!(total(s.get("/__eventmock/vendors", &[]).await.json()), 301);

    // Unknown or unmounted vendors.
    let r = admin_json(&s, "POST", "/__eventmock/vendors/okta/events", &json!({})).await;
    assert_eq!(r.status, 404);
    let r = admin_json(&s, "POST", "/__eventmock/vendors/cf/events", &json!({})).await;
    assert_eq!(r.status, 404);
    assert!(r.json()["error"].as_str().unwrap().contains("not mounted"));

    // Reset: back to the dataset.
    let r = s.request("POST", "/__eventmock/reset", &[], b"").await;
    assert_eq!(r.status, 204);
    assert_eq!(total(s.get("/__eventmock/vendors", &[]).await.json()), 300);
    assert_eq!(
        s.get(&format!("{EVENTS}{gen0}/"), &[AUTH]).await.status,
        200
    );
    assert_eq!(
        s.get(&format!("{EVENTS}{}/", uuid(1)), &[AUTH])
            .await
            .status,
        404
    );
}

#[tokio::test]
async fn bad_bodies_are_400_naming_the_problem() {
    let s = TestServer::with_world(authentik_world(50)).await;
    let r = s
        .request(
            "POST",
            "/__eventmock/vendors/authentik/events",
            &[],
            b"{\"action\": ",
        )
        .await;
    assert_eq!(r.status, 400);
    let err = r.json()["error"].as_str().unwrap().to_owned();
    assert!(
        err.starts_with("invalid JSON at line 1 column 11: "),
        "{err}"
    );
    assert!(!err.ends_with("column 11"), "{err}");

    // All-or-nothing: the second event is invalid, nothing is added.
    let good = copy_of(&s, 1, &uuid(7)).await;
    let mut bad = copy_of(&s, 2, &uuid(8)).await;
    bad["action"] = json!("bogus");
    let r = admin_json(
        &s,
        "POST",
        "/__eventmock/vendors/authentik/events",
        &json!([good, bad]),
    )
    .await;
    assert_eq!(r.status, 400);
    let v = r.json();
    assert_eq!(v["index"], json!(1));
    assert_eq!(v["field"], json!("action"));
    assert!(v["error"].as_str().unwrap().contains("bogus"), "{v}");
    assert_eq!(s.app.world().mounts[0].api.total(), 50);
    assert_eq!(
        s.get(&format!("{EVENTS}{}/", uuid(7)), &[AUTH])
            .await
            .status,
        404
    );

    // A nested field and a bad id are named too.
    let mut nested = copy_of(&s, 3, &uuid(9)).await;
    nested["user"]["pk"] = json!("not a number");
    let r = admin_json(&s, "POST", "/__eventmock/vendors/authentik/events", &nested).await;
    assert_eq!(r.status, 400);
    assert_eq!(r.json()["field"], json!("user.pk"));
    let wrong_id = copy_of(&s, 3, "nope").await;
    let r = admin_json(
        &s,
        "POST",
        "/__eventmock/vendors/authentik/events",
        &wrong_id,
    )
    .await;
    assert_eq!(r.status, 400);
    assert_eq!(r.json()["field"], json!("pk"));
}

#[tokio::test]
async fn journal_filters_clears_and_stays_bounded() {
    let app = App::new(World::default_all().unwrap()).with_control(ControlConfig {
        journal_capacity: 40,
        ..ControlConfig::default()
    });
    let s = TestServer::with_app(app).await;
    for n in 0..30 {
        s.get(&format!("{EVENTS}?page={}", n % 3 + 1), &[AUTH])
            .await;
    }
    for _ in 0..5 {
        s.get("/v2/events/nope", &[("authorization", "bearer x")])
            .await;
    }
    s.get("/nobody/home", &[]).await;
    let r = s.get("/__eventmock/requests?vendor=cf", &[]).await;
    let v = r.json();
    assert_eq!(v["capacity"], json!(40));
    let reqs = v["requests"].as_array().unwrap();
    assert_eq!(reqs.len(), 5);
    assert_eq!(reqs[0]["path"], json!("/v2/events/nope"));
    assert_eq!(reqs[0]["vendor"], json!("cf"));
    assert_eq!(reqs[0]["route"], json!("event"));
    assert_eq!(reqs[0]["headers"]["authorization"], json!("bearer x"));
    // Newest first.
    assert!(reqs[0]["ordinal"].as_u64() > reqs[1]["ordinal"].as_u64());

    let r = s
        .get(
            "/__eventmock/requests?path=/api/v3/events/*&status=200&method=GET&limit=3",
            &[],
        )
        .await;
    let v = r.json();
    let reqs = v["requests"].as_array().unwrap();
    assert_eq!(reqs.len(), 3);
    assert_eq!(reqs[0]["query"], json!({"page": "3"}));
    let r = s.get("/__eventmock/requests?path=/nobody/home", &[]).await;
    assert_eq!(r.json()["requests"][0]["vendor"], json!(null));
    assert_eq!(r.json()["requests"][0]["status"], json!(404));

    // Bounded: 36 + more requests, never more than 40 kept; admin calls are not journaled.
    for _ in 0..30 {
        s.get("/__eventmock/vendors", &[]).await;
        s.get("/api/v3/events/events/actions/", &[AUTH]).await;
    }
    let r = s.get("/__eventmock/requests?limit=1000", &[]).await;
    let v = r.json();
    assert_eq!(v["held"], json!(40));
    let reqs = v["requests"].as_array().unwrap();
    assert_eq!(reqs.len(), 40);
    assert!(
        reqs.iter()
            .all(|e| !e["path"].as_str().unwrap().starts_with("/__eventmock"))
    );

    assert_eq!(
        s.request("DELETE", "/__eventmock/requests", &[], b"")
            .await
            .status,
        204
    );
    assert_eq!(
        s.get("/__eventmock/requests", &[]).await.json()["held"],
        json!(0)
    );
    assert_eq!(
        s.get("/__eventmock/requests?status=x", &[]).await.status,
        400
    );
}

#[tokio::test]
async fn count_verification() {
    let s = TestServer::start().await;
    let id = s.app.world().mounts[1].api.example_id(3).unwrap();
    for _ in 0..3 {
        s.get(&format!("{EVENTS}{id}/?x=1"), &[AUTH]).await;
    }
    s.get(
        &format!("{EVENTS}{id}/"),
        &[("authorization", "Token nope")],
    )
    .await;
    let count = |p: Value| {
        let s = &s;
        async move {
            let r = admin_json(s, "POST", "/__eventmock/requests/count", &p).await;
            assert_eq!(r.status, 200, "{}", r.text());
            r.json()["count"].as_u64().unwrap()
        }
    };
    let base = json!({"method":"GET","path":"/api/v3/events/events/{id}/","vendor":"authentik"});
    assert_eq!(count(base.clone()).await, 4);
    let mut ok = base.clone();
    ok["status"] = json!(200);
    assert_eq!(count(ok.clone()).await, 3);
    ok["query"] = json!({"x": "1"});
    ok["headers"] = json!({"Authorization": "Bearer demo"});
    assert_eq!(count(ok).await, 3);
    assert_eq!(count(json!({"status": 403})).await, 1);
    assert_eq!(count(json!({"vendor": "halo"})).await, 0);
    let r = admin_json(
        &s,
        "POST",
        "/__eventmock/requests/count",
        &json!({"path": "x"}),
    )
    .await;
    assert_eq!(r.status, 400);
    let r = admin_json(
        &s,
        "POST",
        "/__eventmock/requests/count",
        &json!({"colour": 1}),
    )
    .await;
    assert_eq!(r.status, 400);
    assert!(r.text().contains("colour"));
}

#[tokio::test]
async fn metrics_text() {
    let s = TestServer::start().await;
    let id = s.app.world().mounts[1].api.example_id(0).unwrap();
    s.get(&format!("{EVENTS}{id}/"), &[AUTH]).await;
    s.get(&format!("{EVENTS}{id}/"), &[AUTH]).await;
    s.get(EVENTS, &[AUTH]).await;
    s.get(EVENTS, &[]).await;
    let r = s.get("/__eventmock/metrics", &[]).await;
    assert_eq!(r.status, 200);
    assert_eq!(r.header("content-type"), Some("text/plain; version=0.0.4"));
    let t = r.text();
    for line in [
        "eventmock_requests_total{vendor=\"authentik\",route=\"event\",status=\"200\"} 2",
        "eventmock_requests_total{vendor=\"authentik\",route=\"events\",status=\"200\"} 1",
        "eventmock_requests_total{vendor=\"authentik\",route=\"events\",status=\"403\"} 1",
        "eventmock_request_duration_seconds_bucket{vendor=\"authentik\",le=\"+Inf\"} 4",
        "eventmock_request_duration_seconds_count{vendor=\"authentik\"} 4",
        "eventmock_request_duration_seconds_count{vendor=\"halo\"} 0",
        "# TYPE eventmock_request_duration_seconds histogram",
    ] {
        assert!(t.contains(line), "missing `{line}` in\n{t}");
    }
    assert!(t.contains("eventmock_request_duration_seconds_sum{vendor=\"authentik\"} "));
}

#[tokio::test]
async fn admin_token_and_remote_peers() {
    let app = App::new(World::default_all().unwrap()).with_control(ControlConfig {
        access: AdminAccess::remote("T0ken"),
        ..ControlConfig::default()
    });
    let s = TestServer::with_app(app).await;
    let r = s.get("/__eventmock/vendors", &[]).await;
    assert_eq!(r.status, 401);
    assert_eq!(r.header("www-authenticate"), Some("Bearer"));
    let r = s
        .get("/__eventmock/vendors", &[("authorization", "Bearer wrong")])
        .await;
    assert_eq!(r.status, 401);
    let r = s
        .get("/__eventmock/vendors", &[("authorization", "Bearer T0ken")])
        .await;
    assert_eq!(r.status, 200);

    // A non-loopback peer, through the handler (tests run on loopback).
    let req = |auth: Option<&str>| {
        let mut b = hyper::Request::builder().uri("/__eventmock/vendors");
        if let Some(a) = auth {
            b = b.header("authorization", a);
        }
        b.body(Bytes::new()).unwrap()
    };
    let remote = "203.0.113.9:40000".parse().unwrap();
    let closed = App::new(World::default_all().unwrap());
    assert_eq!(closed.handle(req(None), remote).await.status(), 403);
    assert_eq!(
        closed
            .handle(req(Some("Bearer T0ken")), remote)
            .await
            .status(),
        403
    );
    let open = s.app.clone();
    assert_eq!(open.handle(req(None), remote).await.status(), 401);
    assert_eq!(
        open.handle(req(Some("Bearer T0ken")), remote)
            .await
            .status(),
        200
    );
    // Vendor routes are not affected.
    let id = s.app.world().mounts[1].api.example_id(0).unwrap();
    assert_eq!(s.get(&format!("{EVENTS}{id}/"), &[AUTH]).await.status, 200);
}

#[tokio::test]
async fn admin_bodies_may_exceed_the_vendor_limit() {
    // 1 MiB for vendors by default, 8 MiB for the admin API on loopback.
    let s = TestServer::with_world(authentik_world(10)).await;
    let base = copy_of(&s, 1, &uuid(0)).await;
    let events: Vec<Value> = (0..1500u64)
        .map(|n| {
            let mut e = base.clone();
            e["pk"] = json!(uuid(1000 + n));
            e["context"] = json!({"pad": "x".repeat(600)});
            e
        })
        .collect();
    let body = serde_json::to_vec(&events).unwrap();
    assert!(body.len() > 1 << 20);
    let r = s
        .request("POST", "/__eventmock/vendors/authentik/events", &[], &body)
        .await;
    assert_eq!(r.status, 201, "{}", &r.text()[..200.min(r.text().len())]);
    assert_eq!(s.app.world().mounts[0].api.total(), 1510);
    let r = s.request("POST", EVENTS, &[AUTH], &body).await;
    assert_eq!(r.status, 413);
}

#[tokio::test]
async fn scenario_put() {
    let s = TestServer::start().await;
    let broken = "name: unknown-vendor\nvendors:\n  cf: {}\n  okta:\n    events: 10\n";
    let r = s
        .request("PUT", "/__eventmock/scenario", &[], broken.as_bytes())
        .await;
    assert_eq!(r.status, 400, "{}", r.text());
    let errors = r.json()["errors"].as_array().unwrap().clone();
    assert!(!errors.is_empty());
    assert!(
        errors[0].as_str().unwrap().starts_with("scenario:4:"),
        "{errors:?}"
    );

    let good = "name: just-cf\nvendors:\n  cf:\n    prefix: /cf\n    events: 20\n    auth:\n      off: true\n";
    let r = s
        .request("PUT", "/__eventmock/scenario", &[], good.as_bytes())
        .await;
    assert_eq!(r.status, 200, "{}", r.text());
    assert_eq!(r.json()["scenarios"], json!(["just-cf"]));
    let r = s.get("/__eventmock/scenarios", &[]).await;
    assert_eq!(r.json(), json!({"scenarios": ["just-cf"]}));
    let v = s.get("/__eventmock/vendors", &[]).await.json();
    assert_eq!(v["vendors"].as_array().unwrap().len(), 1);
    assert_eq!(v["vendors"][0]["prefix"], json!("/cf"));
    assert_eq!(v["vendors"][0]["total"], json!(20));
    let r = s.get("/cf/v2/events", &[]).await;
    assert_eq!(r.status, 200, "{}", r.text());
}

/// Readers walk and get while the admin API adds and deletes: the final walk has every
/// surviving event exactly once, and the journal keeps exactly the newest `CAP` requests.
#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn concurrent_reads_and_admin_writes() {
    const LEN: u64 = 1500;
    const CAP: usize = 200;
    let app = App::new(authentik_world(LEN)).with_control(ControlConfig {
        journal_capacity: CAP,
        ..ControlConfig::default()
    });
    let s = Arc::new(TestServer::with_app(app).await);
    let api = s.app.world().mounts[0].api.clone();
    let generated: Vec<String> = (0..LEN).map(|i| api.example_id(i).unwrap()).collect();
    let template = copy_of(&s, 0, &uuid(0)).await;
    let stop = Arc::new(std::sync::atomic::AtomicBool::new(false));

    let mut readers = Vec::new();
    for r in 0..6u64 {
        let s = Arc::clone(&s);
        let stop = Arc::clone(&stop);
        let generated = generated.clone();
        readers.push(tokio::spawn(async move {
            let mut n = r;
            while !stop.load(std::sync::atomic::Ordering::Relaxed) {
                if r % 2 == 0 {
                    let all = walk(&s).await;
                    assert!(!all.is_empty());
                } else {
                    let id = &generated[(n * 37 % LEN) as usize];
                    let st = s.get(&format!("{EVENTS}{id}/"), &[AUTH]).await.status;
                    assert!(st == 200 || st == 404, "{st}");
                }
                n += 1;
            }
        }));
    }

    let mut added = BTreeSet::new();
    let mut deleted = BTreeSet::new();
    for round in 0..20u64 {
        // A batch of 10 added events spread over the time axis.
        let batch: Vec<Value> = (0..10u64)
            .map(|k| {
                let mut e = template.clone();
                let id = uuid(round * 100 + k + 1);
                e["pk"] = json!(id);
                added.insert(id);
                e
            })
            .collect();
        let r = admin_json(
            &s,
            "POST",
            "/__eventmock/vendors/authentik/events",
            &json!(batch),
        )
        .await;
        assert_eq!(r.status, 201, "{}", r.text());
        // Delete 5 generated events and one of the added ones.
        for k in 0..5u64 {
            let id = &generated[((round * 5 + k) * 7 % LEN) as usize];
            let path = format!("/__eventmock/vendors/authentik/events/{id}");
            let st = s.request("DELETE", &path, &[], b"").await.status;
            if deleted.insert(id.clone()) {
                assert_eq!(st, 204);
            } else {
                assert_eq!(st, 404);
            }
        }
        let victim = uuid(round * 100 + 1);
        let path = format!("/__eventmock/vendors/authentik/events/{victim}");
        assert_eq!(s.request("DELETE", &path, &[], b"").await.status, 204);
        added.remove(&victim);
    }
    stop.store(true, std::sync::atomic::Ordering::Relaxed);
    for r in readers {
        r.await.unwrap();
    }

    let final_walk = walk(&s).await;
    let ids: Vec<&String> = final_walk.iter().map(|(id, _)| id).collect();
    let unique: BTreeSet<&String> = ids.iter().copied().collect();
    assert_eq!(unique.len(), ids.len(), "duplicates in the final walk");
    let expected: BTreeSet<&String> = generated
        .iter()
        .filter(|id| !deleted.contains(*id))
        .chain(added.iter())
        .collect();
    assert_eq!(unique, expected);
    assert_eq!(
        ids.len() as u64,
        LEN - deleted.len() as u64 + added.len() as u64
    );
    assert!(final_walk.windows(2).all(|w| w[0].1 <= w[1].1));
    // More than CAP requests were made (how many more depends on the machine's speed, so only
    // "the journal wrapped" is asserted): it holds exactly the newest CAP of them,
    // readable one by one with consecutive ordinals (none lost or doubled between the threads'
    // logs).
    let v = s
        .get("/__eventmock/requests?limit=100000", &[])
        .await
        .json();
    assert_eq!(v["held"], json!(CAP));
    let ordinals: Vec<u64> = v["requests"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["ordinal"].as_u64().unwrap())
        .collect();
    assert_eq!(ordinals.len(), CAP, "entries read back");
    let newest = ordinals[0];
    assert!(
        newest >= CAP as u64,
        "only {newest} requests journaled: the journal never wrapped"
    );
    assert_eq!(
        ordinals,
        (newest + 1 - CAP as u64..=newest).rev().collect::<Vec<_>>()
    );
}
