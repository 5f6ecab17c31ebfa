//! Paging over a [`View`]: plain pages are index arithmetic; filtered pages scan, and every scan
//! is bounded by [`SCAN_CAP`] so a filter over a huge dataset cannot stall the server.

use std::ops::Deref;
use std::sync::Arc;

use eventmock_fake::Generator;

use crate::ledger::served;
use crate::store::EventMeta;
use crate::store::{Entry, Store, View};

/// At most this many events are examined by one filtered request. Past it, the totals count
/// only what was examined and the response carries `X-Eventmock-Scan-Truncated`.
pub const SCAN_CAP: u64 = 200_000;

/// Marks a listing answer whose scan stopped at [`SCAN_CAP`] (`X-Eventmock-Scan-Truncated`).
pub fn mark_truncated(res: &mut crate::response::Reply) {
    crate::response::set_header(
        res,
        crate::header_name!("x-eventmock-scan-truncated"),
        &SCAN_CAP.to_string(),
    );
}

/// An event of a page: generated now, or shared from the overlay.
#[derive(Debug)]
pub enum Ev<E> {
    /// Generated for this request.
    Owned(E),
    /// An extra event from the overlay.
    Shared(Arc<E>),
}

impl<E> Deref for Ev<E> {
    type Target = E;

    fn deref(&self) -> &E {
        match self {
            Ev::Owned(e) => e,
            Ev::Shared(e) => e,
        }
    }
}

/// Runs a long, CPU-bound scan (filters, sorts over up to [`SCAN_CAP`] events) so that it does
/// not hold up other requests: on a multi-threaded tokio runtime the worker hands its other
/// tasks to the rest of the pool while it scans; elsewhere (tests, contract runs) it just runs.
pub fn heavy<R>(f: impl FnOnce() -> R) -> R {
    match tokio::runtime::Handle::try_current() {
        Ok(h) if h.runtime_flavor() == tokio::runtime::RuntimeFlavor::MultiThread => {
            tokio::task::block_in_place(f)
        }
        _ => f(),
    }
}

/// A predicate over a vendor's events.
pub type Filter<'a, E> = &'a dyn Fn(&E) -> bool;

/// Newest first or oldest first.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Order {
    /// Oldest first.
    Ascending,
    /// Newest first.
    Descending,
}

/// One page of a listing.
#[derive(Debug)]
pub struct Page<E> {
    /// The events of the page, in order.
    pub items: Vec<Ev<E>>,
    /// How many events match in all (within the scan cap).
    pub total: u64,
    /// True when the scan cap stopped the count early.
    pub truncated: bool,
}

fn resolve<G: Generator>(store: &Store<G>, entry: Entry<G::Event>) -> Ev<G::Event> {
    match entry {
        Entry::Generated(i) => Ev::Owned(store.generate(i)),
        Entry::Extra(e) => Ev::Shared(e),
    }
}

/// The generated index of an entry (`None` for an extra).
fn generated_index<E>(entry: &Entry<E>) -> Option<u64> {
    match entry {
        Entry::Generated(i) => Some(*i),
        Entry::Extra(_) => None,
    }
}

/// Notes a page's event as served (see [`crate::ledger::served`]).
fn note<E: EventMeta>(index: Option<u64>, ev: &Ev<E>) {
    match index {
        Some(i) => served::note_index(i),
        None => served::note_extra(ev.event_id()),
    }
}

fn walk<'a, E>(
    view: &'a View<E>,
    order: Order,
    start: u64,
) -> Box<dyn Iterator<Item = Entry<E>> + 'a> {
    match order {
        Order::Ascending => Box::new(view.ascending(start)),
        Order::Descending => Box::new(view.descending(start)),
    }
}

/// The page `[offset, offset + limit)` of the events matching `filter` (`None`: all events).
pub fn page<G: Generator>(
    store: &Store<G>,
    order: Order,
    offset: u64,
    limit: u64,
    filter: Option<Filter<'_, G::Event>>,
) -> Page<G::Event>
where
    G::Event: EventMeta,
{
    let view = store.view();
    let Some(filter) = filter else {
        let total = view.total();
        let items = if offset >= total {
            Vec::new()
        } else {
            walk(&view, order, offset)
                .take(limit as usize)
                .inspect(served::note_entry)
                .map(|e| resolve(store, e))
                .collect()
        };
        return Page {
            items,
            total,
            truncated: false,
        };
    };
    heavy(|| {
        let mut items = Vec::new();
        let mut matched = 0u64;
        let mut truncated = false;
        for (examined, entry) in walk(&view, order, 0).enumerate() {
            if examined as u64 == SCAN_CAP {
                truncated = true;
                break;
            }
            let index = generated_index(&entry);
            let ev = resolve(store, entry);
            if filter(&ev) {
                if matched >= offset && matched - offset < limit {
                    note(index, &ev);
                    items.push(ev);
                }
                matched += 1;
            }
        }
        Page {
            items,
            total: matched,
            truncated,
        }
    })
}

/// Cursor paging: up to `limit` matching events from position `start`, and the position to
/// continue from (`None` at the end). Examines at most [`SCAN_CAP`] events, so a sparse filter
/// returns a short page with a cursor rather than stalling.
pub fn scan<G: Generator>(
    store: &Store<G>,
    order: Order,
    start: u64,
    limit: u64,
    filter: Filter<'_, G::Event>,
) -> (Vec<Ev<G::Event>>, Option<u64>)
where
    G::Event: EventMeta,
{
    let view = store.view();
    let total = view.total();
    let mut items = Vec::new();
    let mut pos = start;
    for entry in walk(&view, order, start) {
        if items.len() as u64 == limit || pos - start == SCAN_CAP {
            break;
        }
        pos += 1;
        let index = generated_index(&entry);
        let ev = resolve(store, entry);
        if filter(&ev) {
            note(index, &ev);
            items.push(ev);
        }
    }
    let next = (pos < total).then_some(pos);
    (items, next)
}
