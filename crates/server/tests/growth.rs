//! Pagination under growth, per vendor (issue #11 item 3): each vendor's lists behave as its
//! real backend's do when rows are inserted between two requests. On a manual clock at 5/s
//! (one arrival per 200 ms), a test reads a page, lets a known number of events arrive, and
//! reads the next page:
//! - newest-first orders (authentik's `-created`, Probely's `-occurred_at`, CF with
//!   `order-direction=desc`, InstaVM's positional cursor) repeat exactly as many rows as
//!   arrived;
//! - oldest-first orders (CF's default, authentik `ordering=created`, Probely
//!   `ordering=occurred_at`, Halo `sort=1`) continue where they were;
//! - CF's `q=timestamp>T` pages are the same before and after arrivals (new rows go last);
//! - Halo's default order is by name: arrivals land inside the pages, not at one end.

#![allow(clippy::unwrap_used, clippy::expect_used)]

mod common;

use common::TestServer;
use eventmock_fake::Rate;
use eventmock_fake::time::parse_rfc3339;
use eventmock_model::Vendor;
use eventmock_scenario::ClockMode;
use eventmock_server::World;
use eventmock_server::clock::ClockChoice;
use serde_json::Value;

/// A manual clock at 2026-01-01 with 5 arrivals per second, every vendor with `len` events.
async fn server(len: u64) -> TestServer {
    let choice = ClockChoice {
        mode: Some(ClockMode::Manual),
        start: Some(parse_rfc3339("2026-01-01T00:00:00Z").unwrap()),
        arrivals: Some("5/s".parse::<Rate>().unwrap()),
    };
    TestServer::with_world(World::vendors_on(&Vendor::ALL, 42, len, &choice).unwrap()).await
}

/// Lets `n` events arrive (one per 200 ms at 5/s).
async fn arrive(s: &TestServer, n: u64) {
    s.advance(&format!("{}ms", n * 200)).await;
}

/// `GET path` with `auth`, expecting a 200 JSON body.
async fn get(s: &TestServer, path: &str, auth: (&str, &str)) -> Value {
    s.get_json(path, &[auth]).await
}

/// The ids at `pointer` (an array) of each element, read at `id`.
fn ids(body: &Value, list: &str, id: &str) -> Vec<String> {
    body.pointer(list)
        .and_then(Value::as_array)
        .unwrap_or_else(|| panic!("no {list} in {body}"))
        .iter()
        .map(|e| {
            e.pointer(id)
                .and_then(Value::as_str)
                .unwrap_or_else(|| panic!("no {id} in {e}"))
                .to_owned()
        })
        .collect()
}

const AUTHENTIK: (&str, &str) = ("authorization", "Bearer k");
const PROBELY: (&str, &str) = ("authorization", "JWT k");
const CF: (&str, &str) = ("authorization", "bearer k");
const HALO: (&str, &str) = ("x-apikey", "k");
const INSTAVM: (&str, &str) = ("authorization", "Bearer k");

/// A page-number list read as (page 1, arrivals, page 2), and page 2 as it would have been
/// without them.
struct Walk {
    first: Vec<String>,
    second_before: Vec<String>,
    second_after: Vec<String>,
}

async fn page_walk(
    s: &TestServer,
    page_url: impl Fn(u64) -> String,
    auth: (&str, &str),
    list: &str,
    id: &str,
    arrivals: u64,
) -> Walk {
    let first = ids(&get(s, &page_url(1), auth).await, list, id);
    let second_before = ids(&get(s, &page_url(2), auth).await, list, id);
    arrive(s, arrivals).await;
    let second_after = ids(&get(s, &page_url(2), auth).await, list, id);
    Walk {
        first,
        second_before,
        second_after,
    }
}

/// A newest-first page 2 read after `n` arrivals starts with the last `n` rows of page 1 and
/// loses its own last `n` rows to page 3.
fn assert_shifted_by(w: &Walk, n: usize) {
    let size = w.first.len();
    assert_eq!(w.second_after[..n], w.first[size - n..], "repeated rows");
    assert_eq!(
        w.second_after[n..],
        w.second_before[..size - n],
        "the rest moved down by {n}"
    );
}

/// An oldest-first page 2 is the same page whatever arrived after it.
fn assert_stable(w: &Walk) {
    assert_eq!(w.second_after, w.second_before);
    assert!(w.first.iter().all(|id| !w.second_after.contains(id)));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn authentik_newest_first_pages_shift_by_every_arrival() {
    let s = server(200).await;
    for arrivals in [3, 7] {
        let w = page_walk(
            &s,
            |n| format!("/api/v3/events/events/?page={n}&page_size=20"),
            AUTHENTIK,
            "/results",
            "/pk",
            arrivals,
        )
        .await;
        assert_shifted_by(&w, arrivals as usize);
    }
    let w = page_walk(
        &s,
        |n| format!("/api/v3/events/events/?ordering=created&page={n}&page_size=20"),
        AUTHENTIK,
        "/results",
        "/pk",
        5,
    )
    .await;
    assert_stable(&w);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn probely_newest_first_pages_shift_by_every_arrival() {
    let s = server(200).await;
    for arrivals in [1, 4] {
        let w = page_walk(
            &s,
            |n| format!("/events/?page={n}&length=10"),
            PROBELY,
            "/results",
            "/id",
            arrivals,
        )
        .await;
        assert_shifted_by(&w, arrivals as usize);
    }
    let w = page_walk(
        &s,
        |n| format!("/events/?ordering=occurred_at&page={n}&length=10"),
        PROBELY,
        "/results",
        "/id",
        6,
    )
    .await;
    assert_stable(&w);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn cf_oldest_first_pages_are_stable_and_descending_ones_shift() {
    let s = server(200).await;
    let w = page_walk(
        &s,
        |n| format!("/v2/events?page={n}&results-per-page=25"),
        CF,
        "/resources",
        "/metadata/guid",
        9,
    )
    .await;
    assert_stable(&w);
    let w = page_walk(
        &s,
        |n| format!("/v2/events?order-direction=desc&page={n}&results-per-page=25"),
        CF,
        "/resources",
        "/metadata/guid",
        6,
    )
    .await;
    assert_shifted_by(&w, 6);
    // The last oldest-first page grows by the arrivals, at its end.
    let last = get(&s, "/v2/events?page=9&results-per-page=25", CF).await;
    assert_eq!(last["total_results"], 215);
    assert_eq!(last["resources"].as_array().unwrap().len(), 15);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn cf_timestamp_filter_pages_do_not_move_as_events_arrive() {
    let s = server(100).await;
    // CF's times are whole seconds and so is the filter: arrival k (from 1) is at k/5 s, so
    // `timestamp>00:00:00Z` matches arrivals 5 to 54, the last seen second being 00:00:10.
    arrive(&s, 54).await;
    let q = "q=timestamp%3E2026-01-01T00:00:00Z&results-per-page=20";
    let page = |n: u64| format!("/v2/events?{q}&page={n}");
    let before: Vec<Vec<String>> = {
        let mut pages = Vec::new();
        for n in 1..=3 {
            pages.push(ids(
                &get(&s, &page(n), CF).await,
                "/resources",
                "/metadata/guid",
            ));
        }
        pages
    };
    assert_eq!(before.iter().map(Vec::len).sum::<usize>(), 50);
    arrive(&s, 30).await;
    let body = get(&s, &page(1), CF).await;
    assert_eq!(body["total_results"], 80);
    assert_eq!(ids(&body, "/resources", "/metadata/guid"), before[0]);
    assert_eq!(
        ids(&get(&s, &page(2), CF).await, "/resources", "/metadata/guid"),
        before[1]
    );
    let third = ids(&get(&s, &page(3), CF).await, "/resources", "/metadata/guid");
    assert_eq!(
        third[..10],
        before[2][..],
        "the old rows stay; new ones follow"
    );
    assert_eq!(third.len(), 20);
    // Resuming after the newest second seen (00:00:10, seen whole) returns exactly the 30 new
    // arrivals.
    let newest_seen = "2026-01-01T00:00:10Z";
    let resumed = get(
        &s,
        &format!("/v2/events?q=timestamp%3E{newest_seen}&results-per-page=100"),
        CF,
    )
    .await;
    assert_eq!(resumed["total_results"], 30, "{resumed}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn halo_name_order_takes_arrivals_inside_its_pages_and_date_order_does_not() {
    let s = server(300).await;
    let by_name = |start: u64| format!("/api/v1/event/list.json?start={start}&limit=100");
    let before: Vec<String> = ids(
        &get(&s, &by_name(0), HALO).await,
        "/list",
        "/event/event_id",
    );
    arrive(&s, 50).await;
    let after: Vec<String> = ids(
        &get(&s, &by_name(0), HALO).await,
        "/list",
        "/event/event_id",
    );
    let new: Vec<usize> = after
        .iter()
        .enumerate()
        .filter(|(_, id)| !before.contains(id))
        .map(|(n, _)| n)
        .collect();
    assert!(
        !new.is_empty(),
        "some of 50 arrivals sort into the first 100 names"
    );
    assert!(
        new.iter().any(|n| *n < after.len() - new.len()),
        "arrivals land inside the page, not after it: {new:?}"
    );
    // The old rows keep their relative order: the page is the old order with rows inserted.
    let kept: Vec<&String> = after.iter().filter(|id| before.contains(id)).collect();
    let expected: Vec<&String> = before.iter().take(kept.len()).collect();
    assert_eq!(kept, expected);
    // sort=1 (by date, oldest first) pages stay put.
    let w = page_walk(
        &s,
        |n| {
            format!(
                "/api/v1/event/list.json?sort=1&start={}&limit=50",
                (n - 1) * 50
            )
        },
        HALO,
        "/list",
        "/event/event_id",
        20,
    )
    .await;
    assert_stable(&w);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn instavm_positional_cursor_repeats_rows_by_the_arrivals() {
    let s = server(200).await;
    let first = get(&s, "/v1/audit/events?limit=20", INSTAVM).await;
    let cursor = first["next_cursor"].as_str().unwrap().to_owned();
    let second_url = format!("/v1/audit/events?limit=20&cursor={cursor}");
    let second_before = ids(&get(&s, &second_url, INSTAVM).await, "/items", "/id");
    arrive(&s, 4).await;
    let second_after = ids(&get(&s, &second_url, INSTAVM).await, "/items", "/id");
    let w = Walk {
        first: ids(&first, "/items", "/id"),
        second_before,
        second_after,
    };
    assert_shifted_by(&w, 4);
    // The new first page starts with the four arrivals, newest first.
    let now_first = ids(
        &get(&s, "/v1/audit/events?limit=20", INSTAVM).await,
        "/items",
        "/id",
    );
    assert_eq!(now_first[4..], w.first[..16]);
    assert!(now_first[..4].iter().all(|id| !w.first.contains(id)));
}
