//! With shared state (`serve --state`), what the admin reads of the delivery ledger and the
//! journal show: the whole cluster's, read from Redis after this replica flushed what it
//! recorded ([`crate::shared::flush`]); this replica's own, saying `"scope": "local"`, when
//! Redis does not answer (serving never waits for it).

use super::Host;
use crate::journal::JournalEntry;
use crate::ledger::{ClientLog, Scope};
use crate::shared::{SharedState, flush, journal, ledger};
use crate::world::Mount;

/// What the cluster served on `mount` (`client`'s, or everyone's): the log, whether the shared
/// ledger stopped recording, and the scope — `Local` with this replica's own ledger when
/// Redis did not answer.
pub(super) fn delivery_log(
    app: &dyn Host,
    shared: &SharedState,
    mount: &Mount,
    client: Option<&str>,
) -> Result<(ClientLog, bool, Scope), String> {
    let key = mount.key();
    let read = flush::flush(&app.world(), app.control().journal(), shared)
        .and_then(|()| shared.with_windows(|conn| ledger::read(conn, &key, client)));
    let local = || {
        let ledger = &mount.api.tracking().ledger;
        (ledger.log(client), ledger.truncated(), Scope::Local)
    };
    match read {
        Ok(raw) => {
            let (log, truncated) = ledger::merge(raw)?;
            Ok((log, truncated, Scope::Cluster))
        }
        Err(e) => {
            tracing::debug!(error = %e, "delivery report: Redis does not answer; this replica's own");
            Ok(local())
        }
    }
}

/// The clients the cluster recorded on `mount` (at most `max`), or this replica's with
/// `Scope::Local` when Redis does not answer.
pub(super) fn clients(
    app: &dyn Host,
    shared: &SharedState,
    mount: &Mount,
    max: usize,
) -> (Vec<String>, Scope) {
    let key = mount.key();
    flush::flush(&app.world(), app.control().journal(), shared)
        .and_then(|()| shared.with_windows(|conn| ledger::clients(conn, &key, max)))
        .map_or_else(
            |_| {
                let names = mount.api.tracking().ledger.client_names(max);
                (names, Scope::Local)
            },
            |names| (names, Scope::Cluster),
        )
}

/// The journal entries matching `keep`, newest first, each with the replica that received it
/// (`None`: this one, when Redis does not answer — then `Scope::Local`), and how many are
/// held in all.
pub(super) fn requests(
    app: &dyn Host,
    shared: &SharedState,
    keep: impl Fn(&JournalEntry) -> bool,
) -> (Vec<(Option<String>, JournalEntry)>, usize, Scope) {
    let capacity = app.control().journal().capacity();
    let read = flush::flush(&app.world(), app.control().journal(), shared)
        .and_then(|()| shared.with_windows(|conn| journal::read(conn, capacity)));
    match read {
        Ok(all) => {
            let held = all.len();
            let found = all
                .into_iter()
                .filter(|e| keep(&e.entry))
                .map(|e| (Some(e.replica), e.entry))
                .collect();
            (found, held, Scope::Cluster)
        }
        Err(_) => {
            let journal = app.control().journal();
            let found = journal
                .find(usize::MAX, keep)
                .into_iter()
                .map(|e| (None, e))
                .collect();
            (found, journal.len(), Scope::Local)
        }
    }
}
