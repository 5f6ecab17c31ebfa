//! The [`Handler`] trait implemented by the application layer.

use std::future::Future;
use std::net::SocketAddr;

use bytes::Bytes;
use http_body_util::Full;
use hyper::header::{CONTENT_TYPE, HeaderValue};
use hyper::http::request::Parts;
use hyper::{Request, Response, StatusCode};

/// Application callback invoked for every request.
///
/// The network layer fully collects the (size-bounded) request body before
/// calling [`Handler::handle`]. The returned future may await (for example to
/// inject latency); it is polled in place on the connection task, without an
/// extra spawn per request.
pub trait Handler: Send + Sync + 'static {
    /// Produces the response for `req`, received from `peer`.
    ///
    /// A panic here (in the call or while polling the future) is caught and
    /// answered with [`Handler::internal_error`].
    fn handle(
        &self,
        req: Request<Bytes>,
        peer: SocketAddr,
    ) -> impl Future<Output = Response<Full<Bytes>>> + Send;

    /// The body limit for this request, given the configured
    /// [`ServerConfig::max_body_bytes`](crate::net::ServerConfig::max_body_bytes) as
    /// `default` (e.g. a control API may accept larger bodies from trusted peers).
    fn body_limit(&self, req_parts: &Parts, peer: SocketAddr, default: usize) -> usize {
        let _ = (req_parts, peer);
        default
    }

    /// Response sent when the request body exceeds
    /// [`ServerConfig::max_body_bytes`](crate::net::ServerConfig::max_body_bytes).
    ///
    /// Defaults to `413` with `{"detail":"Request body too large"}`.
    fn payload_too_large(&self, req_parts: &Parts) -> Response<Full<Bytes>> {
        let _ = req_parts;
        json_error(
            StatusCode::PAYLOAD_TOO_LARGE,
            r#"{"detail":"Request body too large"}"#,
        )
    }

    /// Response sent when [`Handler::handle`] panics.
    ///
    /// Only the method, URI and version of `req_parts` are populated (headers
    /// and extensions are empty) because the request was moved into the
    /// handler. Defaults to `500` with `{"detail":"Internal Server Error"}`.
    fn internal_error(&self, req_parts: &Parts) -> Response<Full<Bytes>> {
        let _ = req_parts;
        json_error(
            StatusCode::INTERNAL_SERVER_ERROR,
            r#"{"detail":"Internal Server Error"}"#,
        )
    }
}

/// Builds a JSON error response with a static body.
pub(crate) fn json_error(status: StatusCode, body: &'static str) -> Response<Full<Bytes>> {
    let mut res = Response::new(Full::new(Bytes::from_static(body.as_bytes())));
    *res.status_mut() = status;
    res.headers_mut()
        .insert(CONTENT_TYPE, HeaderValue::from_static("application/json"));
    res
}
