//! Per-request pipeline: body limit, body collection, handler call with
//! panic isolation.

use std::error::Error as StdError;
use std::net::SocketAddr;
use std::panic::{AssertUnwindSafe, catch_unwind as catch_sync};
use std::pin::pin;
use std::sync::Arc;

use bytes::Bytes;
use http_body_util::{BodyExt, Full, LengthLimitError, Limited};
use hyper::body::{Body, Incoming};
use hyper::http::request::Parts;
use hyper::{Request, Response, StatusCode};

use super::catch_unwind::{catch_unwind, panic_message};
use super::fault_body::{ConnectionFault, ResponseBody};
use super::handler::{Handler, json_error};

/// Carries out a [`ConnectionFault`] the handler attached, if any.
fn apply_fault(mut res: Response<Full<Bytes>>) -> Result<Response<ResponseBody>, DropRequest> {
    match res.extensions_mut().remove::<ConnectionFault>() {
        None => Ok(res.map(ResponseBody::Full)),
        Some(ConnectionFault::Reset) => Err("eventmock fault: connection reset".into()),
        Some(ConnectionFault::Truncate(full)) => {
            let half = full.slice(..full.len() / 2);
            if let Ok(len) = hyper::header::HeaderValue::from_str(&full.len().to_string()) {
                res.headers_mut().insert(hyper::header::CONTENT_LENGTH, len);
            }
            Ok(res.map(|_| ResponseBody::Truncated(super::fault_body::Truncation::new(half))))
        }
    }
}

/// One connection's reference to the server's handler. Each request clones the connection's
/// `Arc<ConnHandler>`, whose count only the thread serving the connection touches; cloning the
/// server-wide `Arc<H>` instead would bounce one cache line between cores on every request.
pub(crate) struct ConnHandler<H>(pub(crate) Arc<H>);

impl<H> std::ops::Deref for ConnHandler<H> {
    type Target = H;
    fn deref(&self) -> &H {
        &self.0
    }
}

/// Error returned to hyper when a request must be dropped (the body could not
/// be read, e.g. the client went away). Hyper then closes the connection
/// (HTTP/1) or resets the stream (HTTP/2).
pub(crate) type DropRequest = Box<dyn StdError + Send + Sync>;

/// Serves one request: enforces the body limit, collects the body and calls
/// the handler, converting handler panics into the handler's 500 response.
pub(crate) async fn dispatch<H: Handler>(
    handler: Arc<ConnHandler<H>>,
    req: Request<Incoming>,
    peer: SocketAddr,
    max_body_bytes: usize,
    body_timeout: std::time::Duration,
) -> Result<Response<ResponseBody>, DropRequest> {
    let (parts, body) = req.into_parts();
    let max_body_bytes = handler.body_limit(&parts, peer, max_body_bytes);

    let body = if body.is_end_stream() {
        Bytes::new()
    } else if body.size_hint().lower() > max_body_bytes as u64 {
        // Declared Content-Length already exceeds the limit: answer without
        // reading the body (hyper will not send `100 Continue`).
        tracing::debug!(%peer, uri = %parts.uri, "declared body too large");
        return Ok(too_large(&**handler, &parts).map(ResponseBody::Full));
    } else {
        let collecting = Limited::new(body, max_body_bytes).collect();
        let Ok(collected) = tokio::time::timeout(body_timeout, collecting).await else {
            tracing::debug!(%peer, uri = %parts.uri, "request body too slow");
            let mut res = json_error(
                StatusCode::REQUEST_TIMEOUT,
                r#"{"detail":"Request body not received in time"}"#,
            );
            res.headers_mut().insert(
                hyper::header::CONNECTION,
                hyper::header::HeaderValue::from_static("close"),
            );
            return Ok(res.map(ResponseBody::Full));
        };
        match collected {
            Ok(collected) => collected.to_bytes(),
            Err(err) if err.is::<LengthLimitError>() => {
                tracing::debug!(%peer, uri = %parts.uri, "streamed body too large");
                return Ok(too_large(&**handler, &parts).map(ResponseBody::Full));
            }
            Err(err) => {
                tracing::debug!(%peer, error = %err, "request body read failed; dropping request");
                return Err(err);
            }
        }
    };

    // Cheap copies kept only to describe the request if the handler panics.
    let method = parts.method.clone();
    let uri = parts.uri.clone();
    let version = parts.version;

    let req = Request::from_parts(parts, body);
    // The handler is called inside the pinned block, so a panic in the call is caught too.
    let handling = pin!(async { handler.handle(req, peer).await });
    match catch_unwind(handling).await {
        Ok(res) => apply_fault(res),
        Err(payload) => {
            tracing::error!(
                %peer,
                %method,
                %uri,
                panic = panic_message(&*payload),
                "request handler panicked"
            );
            let (mut parts, ()) = Request::new(()).into_parts();
            parts.method = method;
            parts.uri = uri;
            parts.version = version;
            Ok(guarded(
                || handler.internal_error(&parts),
                StatusCode::INTERNAL_SERVER_ERROR,
                r#"{"detail":"Internal Server Error"}"#,
            )
            .map(ResponseBody::Full))
        }
    }
}

fn too_large<H: Handler>(handler: &H, parts: &Parts) -> Response<Full<Bytes>> {
    guarded(
        || handler.payload_too_large(parts),
        StatusCode::PAYLOAD_TOO_LARGE,
        r#"{"detail":"Request body too large"}"#,
    )
}

/// Runs an error-response builder, falling back to a fixed JSON response if
/// the builder itself panics.
fn guarded(
    build: impl FnOnce() -> Response<Full<Bytes>>,
    status: StatusCode,
    fallback: &'static str,
) -> Response<Full<Bytes>> {
    catch_sync(AssertUnwindSafe(build)).unwrap_or_else(|payload| {
        tracing::error!(
            panic = panic_message(&*payload),
            "error response builder panicked"
        );
        json_error(status, fallback)
    })
}
