//! Building responses: JSON bodies with a vendor's content type.

use bytes::Bytes;
use http_body_util::Full;
use hyper::header::{CONTENT_TYPE, HeaderName, HeaderValue};
use hyper::{Response, StatusCode};
use serde::Serialize;

/// What every handler returns.
pub type Reply = Response<Full<Bytes>>;

/// A response with `status`, `content_type` and `body`.
pub fn reply(status: StatusCode, content_type: &'static str, body: impl Into<Bytes>) -> Reply {
    let mut res = Response::new(Full::new(body.into()));
    *res.status_mut() = status;
    res.headers_mut()
        .insert(CONTENT_TYPE, HeaderValue::from_static(content_type));
    res
}

/// Serializes `value` as compact JSON (or pretty, for vendors that answer so) into a response.
pub fn json<T: Serialize>(
    status: StatusCode,
    content_type: &'static str,
    value: &T,
    pretty: bool,
) -> Reply {
    let mut buf = Vec::with_capacity(1024);
    let written = if pretty {
        serde_json::to_writer_pretty(&mut buf, value)
    } else {
        eventmock_model::json::write_compact(&mut buf, value)
    };
    match written {
        // A boxed slice becomes `Bytes` without the extra allocation a `Vec` with spare
        // capacity needs; the shrink is done in place by the allocator.
        Ok(()) => reply(status, content_type, buf.into_boxed_slice()),
        Err(e) => {
            tracing::error!("serializing a response failed: {e}");
            reply(
                StatusCode::INTERNAL_SERVER_ERROR,
                "application/json",
                Bytes::from_static(br#"{"detail":"Internal Server Error"}"#),
            )
        }
    }
}

/// eventmock's own error shape (admin API, change log): `status` with `{"error": message}`.
pub fn error_json(status: StatusCode, message: impl Into<String>) -> Reply {
    let body = serde_json::json!({ "error": message.into() });
    reply(
        status,
        "application/json",
        serde_json::to_vec(&body).unwrap_or_default(),
    )
}

/// A header name checked at compile time: `header_name!("x-authentik-id")` (a lower-case
/// valid name; anything else fails the build), so no request pays for parsing it.
#[macro_export]
macro_rules! header_name {
    ($name:literal) => {
        const { ::hyper::header::HeaderName::from_static($name) }
    };
}

/// Sets header `name` to `value` (copied; an invalid value is skipped).
pub fn set_header(res: &mut Reply, name: HeaderName, value: &str) {
    set_header_bytes(res, name, value.as_bytes());
}

/// [`set_header`] for a value given as bytes.
pub fn set_header_bytes(res: &mut Reply, name: HeaderName, value: &[u8]) {
    if let Ok(v) = HeaderValue::from_bytes(value) {
        res.headers_mut().insert(name, v);
    }
}

/// Sets header `name` to static text (no copy).
pub fn set_static_header(res: &mut Reply, name: HeaderName, value: &'static str) {
    res.headers_mut()
        .insert(name, HeaderValue::from_static(value));
}
