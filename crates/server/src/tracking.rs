//! What the request path does around a vendor's answer for its client ([`crate::client`]):
//! the vendor's rate limit before it (a 429 instead of the answer), the delivery ledger after
//! it (the events a complete 2xx body served). Shared by the network path
//! (`App::answer_with_peer`) and in-process runs (`App::answer`), so both count alike.

use crate::client::client_of;
use crate::clock::Clock;
use crate::ledger::served;
use crate::ratelimit;
use crate::request::Req;
use crate::response::Reply;
use crate::shared::SharedState;
use crate::vendors::VendorApi;

/// Rate-limit windows counted for the whole cluster (`serve --state`): the shared state and
/// the mount's key in it (vendor, prefix and port).
pub(crate) struct SharedWindows<'a> {
    /// The shared state.
    pub shared: &'a SharedState,
    /// Builds the mount's key (only for a rate-limited request).
    pub mount_key: &'a dyn Fn() -> String,
}

/// The reply to `req` from `api` (rate-limit windows on `clock`, or the cluster's when
/// `windows` is given): a rate-limited client gets the vendor's 429 and `produce` is not
/// called; otherwise `produce` gives the answer and whether its body will be cut (a
/// `reset`/`truncate` fault: not recorded), the ledger records what a complete 2xx body
/// served, and the vendor's decorations (and rate-limit headers) are added.
pub(crate) fn tracked(
    clock: &dyn Clock,
    api: &dyn VendorApi,
    req: &Req,
    ledger_on: bool,
    windows: Option<SharedWindows<'_>>,
    produce: impl FnOnce() -> (Reply, bool),
) -> Reply {
    let tracking = api.tracking();
    let vendor = api.vendor();
    // The client is found only when something counts for it: a rate limit (before the
    // answer), or the ledger recording a complete 2xx body that served events.
    let client = tracking.limiter.is_some().then(|| client_of(req));
    let verdict = match (&tracking.limiter, &client) {
        (Some(limiter), Some(client)) => Some(match &windows {
            None => limiter.check(client, clock.limits_now()),
            Some(w) => crate::shared::windows::check(
                w.shared,
                &(w.mount_key)(),
                limiter,
                client,
                clock.limits_now(),
            ),
        }),
        _ => None,
    };
    if let Some(v) = verdict.as_ref().filter(|v| !v.allowed) {
        let anonymous = client.as_deref().is_some_and(|c| c.starts_with("ip:"));
        let mut res = ratelimit::limited(vendor, v, anonymous);
        api.decorate(req, &mut res);
        ratelimit::decorate(vendor, v, &mut res);
        return res;
    }
    served::clear();
    let (mut res, cut) = produce();
    if ledger_on && !cut && res.status().is_success() {
        served::take(|notes| {
            if !notes.is_empty() {
                let client = client.unwrap_or_else(|| client_of(req));
                tracking.ledger.record(&client, notes);
            }
        });
    }
    api.decorate(req, &mut res);
    if let Some(v) = &verdict {
        ratelimit::decorate(vendor, v, &mut res);
    }
    res
}
