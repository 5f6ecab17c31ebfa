//! Admin writes with shared state (`serve --state`): which admin requests change the world,
//! and how they go through the change log ([`crate::shared`]) instead of being applied here.

use bytes::Bytes;
use hyper::{Request, StatusCode};
use serde_json::json;

use super::Host;
use super::routes;
use crate::response::Reply;
use crate::shared::ledger::LedgerClear;
use crate::shared::{Cleanup, Envelope, Kind, SharedState, StateError};

/// Appends the admin write `req` (of `kind`) to the change log and answers with what applying
/// it gave on this replica; 503 `{"error": …}` when Redis did not take it (nothing applied).
/// A `PUT /scenario` that cannot become a world (or would change the ports) is refused here
/// and never logged; a body that is not UTF-8 is a 400.
pub(super) fn submit(
    app: &dyn Host,
    shared: &SharedState,
    kind: Kind,
    req: Request<Bytes>,
) -> Reply {
    let (parts, body) = req.into_parts();
    let Ok(text) = String::from_utf8(body.to_vec()) else {
        return routes::error(
            StatusCode::BAD_REQUEST,
            "the body is not UTF-8 text (admin bodies are JSON, NDJSON or YAML)",
        );
    };
    if kind == Kind::Scenario
        && let Err(res) = routes::scenario_world(app, &text)
    {
        return res;
    }
    let envelope = Envelope {
        origin: 0,
        nonce: 0,
        kind,
        method: parts.method.as_str().to_owned(),
        uri: parts
            .uri
            .path_and_query()
            .map_or_else(|| parts.uri.path().to_owned(), |pq| pq.as_str().to_owned()),
        port: None,
        headers: parts
            .headers
            .get(hyper::header::CONTENT_TYPE)
            .and_then(|v| v.to_str().ok())
            .map(|v| vec![("content-type".to_owned(), v.to_owned())])
            .unwrap_or_default(),
        body: text,
    };
    let cleanup = cleanup_of(app, &envelope);
    shared.submit_with(envelope, &cleanup).unwrap_or_else(|e| {
        let error = match e {
            StateError::Pending { .. } => e.to_string(),
            _ => format!("{e}; the write was not applied"),
        };
        routes::json_reply(
            StatusCode::SERVICE_UNAVAILABLE,
            &json!({ "error": error, "state": shared.url() }),
        )
    })
}

/// What a write clears of the cluster's ledger and journal besides its own effect: reset and
/// `PUT /scenario` every ledger, `DELETE …/delivery` a mount's (one client's, with
/// `?client=`), `DELETE /requests` the journal.
pub(crate) fn cleanup_of(app: &dyn Host, envelope: &Envelope) -> Cleanup {
    match envelope.kind {
        Kind::Reset | Kind::Scenario => return Cleanup::Ledger(LedgerClear::All),
        Kind::Vendor => return Cleanup::Nothing,
        Kind::Admin if envelope.method != "DELETE" => return Cleanup::Nothing,
        Kind::Admin => {}
    }
    let (path, query) = envelope
        .uri
        .split_once('?')
        .map_or((envelope.uri.as_str(), ""), |(p, q)| (p, q));
    let rest = path.strip_prefix(super::PREFIX).unwrap_or_default();
    let segments: Vec<&str> = rest.trim_matches('/').split('/').collect();
    match segments.as_slice() {
        ["requests"] => Cleanup::Journal,
        ["vendors", vendor, "delivery"] => {
            let query: Vec<(String, String)> = form_urlencoded::parse(query.as_bytes())
                .into_owned()
                .collect();
            let world = app.world();
            match routes::mount(&world, vendor, &query) {
                Ok(mount) => Cleanup::Ledger(LedgerClear::Mount {
                    mount: mount.key(),
                    client: routes::param(&query, "client").map(str::to_owned),
                }),
                Err(_) => Cleanup::Nothing,
            }
        }
        _ => Cleanup::Nothing,
    }
}
