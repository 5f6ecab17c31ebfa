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
        serde_json::to_writer(&mut buf, value)
    };
    match written {
        Ok(()) => reply(status, content_type, buf),
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

/// Sets a header from static text (names and values that are known to be valid).
pub fn set_header(res: &mut Reply, name: &'static str, value: &str) {
    if let Ok(v) = HeaderValue::from_str(value) {
        res.headers_mut().insert(HeaderName::from_static(name), v);
    }
}
