//! What the current request's answer holds: the vendor handler notes each event it puts in a
//! body (a generated index, or an extra's id) in this thread's buffer, and the app hands the
//! notes to the [`super::Ledger`] once it knows the answer is a complete 2xx body. A handler
//! runs on one thread within one call, so a thread-local buffer (reused, never freed) needs no
//! allocation and no lock per request.

use std::cell::RefCell;

/// The events one answer served.
#[derive(Debug, Default)]
pub struct Notes {
    /// Generated indices, in body order.
    pub indices: Vec<u64>,
    /// Extra events' ids, in body order.
    pub extras: Vec<String>,
}

impl Notes {
    /// Whether nothing was noted.
    pub fn is_empty(&self) -> bool {
        self.indices.is_empty() && self.extras.is_empty()
    }

    fn clear(&mut self) {
        self.indices.clear();
        self.extras.clear();
    }
}

thread_local! {
    static NOTES: RefCell<Notes> = RefCell::new(Notes::default());
}

/// Forgets what an earlier answer on this thread noted.
#[inline]
pub fn clear() {
    NOTES.with(|n| {
        if let Ok(mut n) = n.try_borrow_mut()
            && !n.is_empty()
        {
            n.clear();
        }
    });
}

/// Notes generated event `index` as served.
#[inline]
pub fn note_index(index: u64) {
    NOTES.with(|n| {
        if let Ok(mut n) = n.try_borrow_mut() {
            n.indices.push(index);
        }
    });
}

/// Notes an extra event (fixture or added) as served.
pub fn note_extra(id: &str) {
    NOTES.with(|n| {
        if let Ok(mut n) = n.try_borrow_mut() {
            n.extras.push(id.to_owned());
        }
    });
}

/// Calls `f` with this thread's notes (and clears them afterwards).
pub fn take<R>(f: impl FnOnce(&Notes) -> R) -> Option<R> {
    NOTES.with(|n| {
        let mut n = n.try_borrow_mut().ok()?;
        let r = f(&n);
        n.clear();
        Some(r)
    })
}

/// Notes a list entry as served.
#[inline]
pub fn note_entry<E: crate::store::EventMeta>(entry: &crate::store::Entry<E>) {
    match entry {
        crate::store::Entry::Generated(i) => note_index(*i),
        crate::store::Entry::Extra(e) => note_extra(e.event_id()),
    }
}

/// Notes what a retrieve found as served (nothing for a miss).
#[inline]
pub fn note_lookup<E: crate::store::EventMeta>(found: &crate::store::Lookup<E>) {
    match found {
        crate::store::Lookup::Generated(i) => note_index(*i),
        crate::store::Lookup::Extra(e) => note_extra(e.event_id()),
        crate::store::Lookup::NotFound | crate::store::Lookup::Malformed => {}
    }
}
