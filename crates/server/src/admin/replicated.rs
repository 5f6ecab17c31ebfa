//! Admin writes with shared state (`serve --state`): which admin requests change the world,
//! and how they go through the change log ([`crate::shared`]) instead of being applied here.

use bytes::Bytes;
use hyper::{Request, StatusCode};
use serde_json::json;

use super::Host;
use super::routes;
use crate::response::Reply;
use crate::shared::{Envelope, Kind, SharedState, StateError};

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
    shared.submit(envelope).unwrap_or_else(|e| {
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
