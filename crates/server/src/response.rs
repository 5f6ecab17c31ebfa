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

/// Bodies up to this size are copied out of the thread's reused buffer (one exact-size
/// allocation); a larger one takes the buffer along as its storage instead of copying it.
const COPY_MAX: usize = 16 * 1024;
/// The capacity the thread's body buffer starts with (and returns to after a large body).
const BUFFER_START: usize = 4 * 1024;

thread_local! {
    /// The thread's body buffer: serializing into it costs no allocation or regrowth per
    /// response, and a small body leaves as one allocation of its exact size.
    static BODY: std::cell::RefCell<Vec<u8>> =
        std::cell::RefCell::new(Vec::with_capacity(BUFFER_START));
}

/// Serializes `value` as compact JSON (or pretty, for vendors that answer so) into a response.
pub fn json<T: Serialize>(
    status: StatusCode,
    content_type: &'static str,
    value: &T,
    pretty: bool,
) -> Reply {
    let body = BODY.with(|cell| match cell.try_borrow_mut() {
        Ok(mut buf) => serialize_body(&mut buf, value, pretty),
        // Only a `Serialize` impl that itself answers JSON could get here: a buffer of its own.
        Err(_) => serialize_body(&mut Vec::new(), value, pretty),
    });
    match body {
        Ok(body) => reply(status, content_type, body),
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

/// The JSON of `value` written into `buf` (cleared first), as a body: copied out when small,
/// else `buf`'s own storage (`buf` starts over with a fresh buffer).
fn serialize_body<T: Serialize>(
    buf: &mut Vec<u8>,
    value: &T,
    pretty: bool,
) -> Result<Bytes, serde_json::Error> {
    buf.clear();
    if pretty {
        serde_json::to_writer_pretty(&mut *buf, value)?;
    } else {
        eventmock_model::json::write_compact(buf, value)?;
    }
    Ok(if buf.len() <= COPY_MAX {
        Bytes::copy_from_slice(buf)
    } else {
        Bytes::from(std::mem::replace(buf, Vec::with_capacity(BUFFER_START)))
    })
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
