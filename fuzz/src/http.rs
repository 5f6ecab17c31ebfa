//! Requests to an in-process [`App`]: no sockets, no runtime (every answer of a world without
//! delay faults is ready at once), so a fuzz run costs microseconds.

use std::future::Future;
use std::net::{Ipv4Addr, SocketAddr};
use std::pin::pin;
use std::task::{Context, Poll, Waker};

use bytes::Bytes;
use eventmock_model::Vendor;
use eventmock_server::response::Reply;
use eventmock_server::{App, Handler};
use http_body_util::BodyExt;
use hyper::{Method, Request};

/// A loopback peer (the admin API's default access rule admits it).
pub const LOOPBACK: SocketAddr = SocketAddr::new(std::net::IpAddr::V4(Ipv4Addr::LOCALHOST), 40000);

/// An answer taken apart.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Answer {
    /// The status code.
    pub status: u16,
    /// The `content-type` header (empty when absent).
    pub content_type: String,
    /// The whole body.
    pub body: Vec<u8>,
}

impl Answer {
    /// The body as JSON; panics (naming the request) when a JSON answer does not parse.
    pub fn json(&self, what: &str) -> serde_json::Value {
        serde_json::from_slice(&self.body).unwrap_or_else(|e| {
            panic!(
                "{what}: answer {} is not JSON ({e}): {}",
                self.status,
                String::from_utf8_lossy(&self.body)
            )
        })
    }

    /// Whether the answer says it is JSON.
    pub fn is_json(&self) -> bool {
        self.content_type.contains("json")
    }
}

/// Polls a future that must be ready at once (nothing in these answers waits).
fn now<F: Future>(future: F) -> F::Output {
    let mut future = pin!(future);
    match future
        .as_mut()
        .poll(&mut Context::from_waker(Waker::noop()))
    {
        Poll::Ready(v) => v,
        Poll::Pending => panic!("an in-process answer was not ready at once"),
    }
}

/// Takes a reply apart.
pub fn read(reply: Reply) -> Answer {
    let status = reply.status().as_u16();
    let content_type = reply
        .headers()
        .get("content-type")
        .map(|v| String::from_utf8_lossy(v.as_bytes()).into_owned())
        .unwrap_or_default();
    let body = match now(reply.into_body().collect()) {
        Ok(collected) => collected.to_bytes().to_vec(),
        Err(never) => match never {},
    };
    Answer {
        status,
        content_type,
        body,
    }
}

/// The `Authorization` value each vendor accepts (any non-empty credential by default).
pub fn authorization(vendor: Vendor) -> &'static str {
    match vendor {
        Vendor::Probely => "JWT fuzz",
        Vendor::CloudFoundry => "bearer fuzz",
        _ => "Bearer fuzz",
    }
}

/// A request with `target` (`/path?query`) carrying `vendor`'s credentials (Halo's
/// `x-apikey` too); `None` when `target` is not a valid URI.
pub fn request(
    method: Method,
    target: &str,
    vendor: Vendor,
    body: Vec<u8>,
) -> Option<Request<Bytes>> {
    Request::builder()
        .method(method)
        .uri(target)
        .header("host", "eventmock.test")
        .header("authorization", authorization(vendor))
        .header("x-apikey", "fuzz")
        .body(Bytes::from(body))
        .ok()
}

/// Asks a vendor route (no journal, no faults' delays: [`App::answer`]).
pub fn vendor(app: &App, req: Request<Bytes>) -> Answer {
    read(app.answer(req))
}

/// Asks a vendor route the way the server does (journaled, counted in the metrics).
pub fn served(app: &App, req: Request<Bytes>) -> Answer {
    read(now(Handler::handle(app, req, LOOPBACK)))
}

/// Asks the admin API from loopback.
pub fn admin(app: &App, mut req: Request<Bytes>) -> Answer {
    // The admin API answers allowed host names only (its DNS rebinding guard).
    req.headers_mut().insert(
        hyper::header::HOST,
        hyper::header::HeaderValue::from_static("localhost"),
    );
    read(eventmock_server::admin::handle(app, req, LOOPBACK))
}

/// Makes raw bytes usable as a request target: bytes a URI may not hold are percent-encoded
/// (which is what a client sends for them), everything else, `%` included, is kept, so the
/// fuzzer still reaches malformed escapes and every decoded byte.
pub fn escape_target(raw: &[u8]) -> String {
    let mut out = String::with_capacity(raw.len());
    for &b in raw {
        if b.is_ascii_alphanumeric() || b"-._~!$&'()*+,;=:@/?%".contains(&b) {
            out.push(char::from(b));
        } else {
            out.push_str(&format!("%{b:02X}"));
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn escaped_targets_are_valid_uris_for_every_byte() {
        let all: Vec<u8> = (0..=255).collect();
        let target = format!("/x{}", escape_target(&all));
        assert!(
            request(Method::GET, &target, Vendor::Halo, Vec::new()).is_some(),
            "{target}"
        );
        assert_eq!(escape_target(b"a b%zz?q=#"), "a%20b%zz?q=%23");
    }
}
