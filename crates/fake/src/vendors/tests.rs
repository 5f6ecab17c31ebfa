//! Golden output and coherence of every vendor's generator.

use eventmock_model::Vendor;
use eventmock_model::probely::{self, Content, WebhookStatus};
use eventmock_model::{authentik, cf, halo, instavm};

use crate::dataset::{Dataset, DatasetConfig};
use crate::time::parse_rfc3339;
use crate::{AnyDataset, vendors::*};

const N: u64 = 2000;

fn config(seed: u64) -> DatasetConfig {
    DatasetConfig {
        seed,
        len: N,
        ..DatasetConfig::default()
    }
}

fn ndjson(vendor: Vendor, seed: u64, count: u64) -> String {
    let d = AnyDataset::new(
        vendor,
        DatasetConfig {
            seed,
            len: count,
            ..DatasetConfig::default()
        },
    )
    .unwrap();
    let mut out = Vec::new();
    for i in 0..count {
        d.write_event(i, &mut out).unwrap();
        out.push(b'\n');
    }
    String::from_utf8(out).unwrap()
}

#[test]
fn golden_first_events_of_seed_7() {
    // Reviewed snapshots: a change means every user's generated data changed.
    for vendor in Vendor::ALL {
        insta::assert_snapshot!(format!("golden_{}", vendor.name()), ndjson(vendor, 7, 3));
    }
}

#[test]
fn same_bytes_on_every_run_and_thread() {
    let here = ndjson(Vendor::Authentik, 11, 200);
    let there = std::thread::spawn(|| ndjson(Vendor::Authentik, 11, 200))
        .join()
        .unwrap();
    assert_eq!(here, there);
    assert_ne!(here, ndjson(Vendor::Authentik, 12, 200));
}

#[test]
fn events_do_not_depend_on_access_order() {
    let d = Dataset::<CfGen>::new(config(3)).unwrap();
    let forward: Vec<_> = (0..50).map(|i| d.event(i)).collect();
    let backward: Vec<_> = (0..50).rev().map(|i| d.event(i)).collect();
    assert!(forward.iter().eq(backward.iter().rev()));
}

#[test]
fn ids_resolve_to_their_index_and_time_grows() {
    for vendor in Vendor::ALL {
        let d = AnyDataset::new(vendor, config(5)).unwrap();
        for i in (0..N).step_by(37) {
            assert_eq!(d.index(&d.id(i)), Ok(i), "{vendor}");
        }
    }
    let d = Dataset::<AuthentikGen>::new(config(5)).unwrap();
    let times: Vec<i64> = (0..N)
        .map(|i| parse_rfc3339(&d.event(i).created).unwrap())
        .collect();
    assert!(times.windows(2).all(|w| w[0] <= w[1]));
    let anchor = DatasetConfig::default().anchor;
    assert!(
        *times.last().unwrap() <= anchor,
        "no event after the anchor"
    );
    assert!(
        times[0] > anchor - DatasetConfig::default().window,
        "none before the window"
    );
}

#[test]
fn probely_events_are_coherent() {
    let d = Dataset::<ProbelyGen>::new(config(1)).unwrap();
    let mut seen = std::collections::BTreeSet::new();
    for i in 0..N {
        let e: probely::Event = d.event(i);
        assert_eq!(e.object_type, e.event_type.object_type());
        assert_eq!(e.content.object_type(), e.object_type);
        assert_eq!(e.id.len(), 12);
        let at = parse_rfc3339(&e.occurred_at).unwrap();
        for w in &e.webhooks {
            assert!(parse_rfc3339(&w.next_try).unwrap() > at, "{i}");
            if w.status == WebhookStatus::Scheduled {
                assert_eq!(w.retries, 0);
            }
        }
        if let Content::Scan(s) = &e.content {
            assert_eq!(s.completed.is_none(), s.status == "started");
        }
        seen.insert(e.event_type.as_str());
    }
    assert_eq!(seen.len(), 12, "every event type appears");
}

#[test]
fn authentik_context_fits_action() {
    use authentik::EventAction as A;
    let d = Dataset::<AuthentikGen>::new(config(1)).unwrap();
    for i in 0..N {
        let e: authentik::Event = d.event(i);
        match e.action {
            A::Login | A::LoginFailed | A::Logout => assert!(e.context.http_request.is_some()),
            A::ModelCreated | A::ModelUpdated | A::ModelDeleted => {
                assert!(e.context.model.is_some())
            }
            _ => {}
        }
        assert!(parse_rfc3339(&e.expires).unwrap() > parse_rfc3339(&e.created).unwrap());
        assert_eq!(uuid::Uuid::parse_str(&e.pk).unwrap().get_version_num(), 4);
    }
}

#[test]
fn halo_events_are_coherent() {
    let d = Dataset::<HaloGen>::new(config(1)).unwrap();
    for i in 0..N {
        let e: halo::Event = d.event(i);
        assert!(e.url.ends_with(&e.event_id));
        assert_eq!(e.event_id.len(), 49);
        assert!(halo::EVENT_TYPES.contains(&(e.key.as_str(), e.subject.as_str())));
        let dc = e.date_created.as_bytes();
        assert_eq!((dc.len(), dc[4], dc[10], dc[13]), (16, b'-', b' ', b':'));
        // The id's timestamp and date_created are the same instant.
        let id = &e.event_id;
        assert_eq!(
            format!(
                "{}-{}-{} {}:{}",
                &id[0..4],
                &id[4..6],
                &id[6..8],
                &id[8..10],
                &id[10..12]
            ),
            e.date_created
        );
    }
}

#[test]
fn instavm_status_agrees() {
    let d = Dataset::<InstavmGen>::new(config(1)).unwrap();
    let mut failures = 0;
    for i in 0..N {
        let e: instavm::AuditEvent = d.event(i);
        let code = e.http_status.unwrap();
        match e.status.as_str() {
            "success" => {
                assert!((200..300).contains(&code));
                assert!(e.error_message.is_none());
            }
            _ => {
                failures += 1;
                assert!(code >= 400);
                assert!(e.error_message.is_some());
            }
        }
    }
    assert!(failures > 100 && failures < 900);
}

#[test]
fn cf_guids_come_from_small_pools() {
    let d = Dataset::<CfGen>::new(config(1)).unwrap();
    let mut actees = std::collections::BTreeMap::<String, u32>::new();
    let mut orgs = std::collections::BTreeSet::new();
    for i in 0..N {
        let e: cf::Event = d.event(i);
        assert_eq!(e.metadata.url, format!("/v2/events/{}", e.metadata.guid));
        assert!(e.entity.timestamp.ends_with('Z') && e.entity.timestamp.len() == 20);
        *actees.entry(e.entity.actee.clone()).or_default() += 1;
        orgs.insert(e.entity.organization_guid.clone());
    }
    assert!(orgs.len() <= 3);
    assert!(
        actees.values().filter(|c| **c >= 5).count() >= 10,
        "filters find several events"
    );
}

/// An event built into one reused event, whatever that event held before (every action,
/// in an order that changes the shape each time), equals the same event built anew.
#[test]
fn building_into_a_reused_event_equals_building_anew() {
    fn check<G: crate::dataset::Generator>(seed: u64)
    where
        G::Event: PartialEq + std::fmt::Debug,
    {
        let d = Dataset::<G>::new(config(seed)).unwrap();
        let mut reused = d.event(N - 1);
        for i in (0..N).rev().chain(0..N) {
            d.event_into(i, &mut reused);
            assert_eq!(reused, d.event(i), "event {i}");
        }
    }
    check::<AuthentikGen>(3);
    check::<ProbelyGen>(3);
    check::<HaloGen>(3);
    check::<InstavmGen>(3);
    check::<CfGen>(3);
}

/// `Dataset::with_event` hands out the same event as `event`, from the thread's reused event,
/// and still answers when called again while that event is in use (nested: built anew).
/// For every vendor (each keeps a reused event and a bin of spare parts per thread).
#[test]
fn with_event_equals_event_even_nested() {
    fn check<G: crate::dataset::Generator>()
    where
        G::Event: PartialEq + std::fmt::Debug,
    {
        let d = Dataset::<G>::new(config(5)).unwrap();
        for i in 0..200 {
            let j = (i * 7 + 3) % N;
            d.with_event(i, |outer| {
                assert_eq!(*outer, d.event(i), "event {i}");
                d.with_event(j, |inner| {
                    assert_eq!(*inner, d.event(j), "nested event {j}")
                });
            });
        }
    }
    check::<AuthentikGen>();
    check::<ProbelyGen>();
    check::<HaloGen>();
    check::<InstavmGen>();
    check::<CfGen>();
}

/// Every authentik action (but the `custom_` prefix) has one positive share.
#[test]
fn authentik_action_weights_cover_every_action() {
    for action in authentik::EventAction::ALL {
        let n = super::authentik::ACTION_WEIGHTS
            .iter()
            .filter(|(a, w)| *a == action && *w > 0)
            .count();
        let expected = usize::from(action != authentik::EventAction::CustomPrefix);
        assert_eq!(n, expected, "{action:?}");
    }
    for t in probely::EventType::ALL {
        assert_eq!(
            super::probely::EVENT_WEIGHTS
                .iter()
                .filter(|(e, _)| *e == t)
                .count(),
            1,
            "{t:?}"
        );
    }
    assert_eq!(
        super::instavm::CATALOG_WEIGHTS.len(),
        super::instavm::CATALOG.len()
    );
    for (key, _) in super::halo::KEY_WEIGHTS {
        assert!(
            eventmock_model::halo::EVENT_TYPES
                .iter()
                .any(|(k, _)| k == key),
            "halo {key} is not an event type"
        );
    }
}

/// Logins are common and exceptions rare; a few users cause most events; every client address
/// is public, and a login's `context.geo` names the place of its `client_ip`.
#[test]
fn authentik_events_look_like_a_real_log() {
    use crate::realism::places::place_of;
    let d = Dataset::<AuthentikGen>::new(DatasetConfig {
        users: 500,
        ..config(5)
    })
    .unwrap();
    let mut logins = 0;
    let mut exceptions = 0;
    let mut per_user = std::collections::HashMap::<String, u32>::new();
    for i in 0..N {
        let e = d.event(i);
        match e.action {
            authentik::EventAction::Login => logins += 1,
            authentik::EventAction::PolicyException | authentik::EventAction::SystemException => {
                exceptions += 1
            }
            _ => {}
        }
        if let Some(name) = &e.user.username {
            *per_user.entry(name.clone()).or_default() += 1;
        }
        if let Some(ip) = &e.client_ip {
            let place = place_of(ip).unwrap_or_else(|| panic!("{ip} is not from the table"));
            if let Some(geo) = &e.context.geo {
                assert_eq!(geo["city"], place.city, "event {i}");
                assert_eq!(geo["country"], place.country, "event {i}");
            }
        }
    }
    assert!(
        logins > 10 * exceptions.max(1),
        "{logins} logins, {exceptions} exceptions"
    );
    let mut counts: Vec<u32> = per_user.values().copied().collect();
    counts.sort_unstable_by(|a, b| b.cmp(a));
    let total: u32 = counts.iter().sum();
    let top: u32 = counts.iter().take(50).sum();
    assert!(
        top * 100 / total >= 35,
        "the busiest 50 of 500 users cause {top} of {total} events"
    );
}

/// The user population follows `users`, and no generated name is lorem ipsum.
#[test]
fn population_and_names_follow_the_config() {
    for users in [1, 500] {
        let d = Dataset::<CfGen>::new(DatasetConfig { users, ..config(9) }).unwrap();
        let names: std::collections::HashSet<String> = (0..N)
            .filter_map(|i| d.event(i).entity.actor_username.filter(|u| !u.is_empty()))
            .collect();
        assert!(names.len() <= users as usize, "{} > {users}", names.len());
        if users == 500 {
            assert!(names.len() > 100, "only {} distinct users", names.len());
        }
    }
    let text = ndjson(Vendor::Probely, 3, 300) + &ndjson(Vendor::CloudFoundry, 3, 300);
    for lorem in [
        "lorem",
        "ipsum",
        "numquam",
        "possimus",
        "voluptas",
        "198.51.100.",
    ] {
        assert!(!text.contains(lorem), "{lorem} in generated data");
    }
    assert!(
        DatasetConfig {
            users: 0,
            ..config(1)
        }
        .check()
        .is_err()
    );
}
