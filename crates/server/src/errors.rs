//! Named vendor errors: the shared vocabulary (`not_found`, `bad_token`, ...) that handlers,
//! auth and scenarios use, and the rendering of a vendor's [`ErrorSpec`] into a response.
//!
//! Each vendor lists its own status, exact body bytes (with `{hole}` placeholders) and headers
//! per name; the mechanism here is shared.

use hyper::StatusCode;

use crate::response::{Reply, reply, set_static_header};

pub use eventmock_scenario::file::ErrorName;

/// How one vendor answers one named error.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ErrorSpec {
    /// HTTP status.
    pub status: StatusCode,
    /// Body bytes; `{id}`, `{param}`, `{method}` are replaced (JSON-escaped) when rendered.
    pub body: &'static str,
    /// Content type.
    pub content_type: &'static str,
    /// Extra headers, e.g. `WWW-Authenticate`.
    pub headers: &'static [(&'static str, &'static str)],
}

impl ErrorSpec {
    /// A spec with no extra headers.
    pub const fn plain(status: StatusCode, content_type: &'static str, body: &'static str) -> Self {
        Self {
            status,
            body,
            content_type,
            headers: &[],
        }
    }
}

/// Values for the holes of an [`ErrorSpec`] body.
#[derive(Debug, Default, Clone, Copy)]
pub struct Holes<'a> {
    /// `{id}`: the id that was asked for.
    pub id: &'a str,
    /// `{param}`: the offending query parameter.
    pub param: &'a str,
    /// `{method}`: the request method.
    pub method: &'a str,
}

/// Escapes `s` for inclusion inside a JSON string literal.
fn json_escape(s: &str, out: &mut String) {
    for c in s.chars() {
        match c {
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            '\n' => out.push_str("\\n"),
            '\r' => out.push_str("\\r"),
            '\t' => out.push_str("\\t"),
            c if (c as u32) < 0x20 => {
                out.push_str(&format!("\\u{:04x}", c as u32));
            }
            c => out.push(c),
        }
    }
}

impl ErrorSpec {
    /// Renders the spec with its holes filled.
    pub fn render(&self, holes: Holes<'_>) -> Reply {
        let mut body = String::with_capacity(self.body.len() + 40);
        let mut rest = self.body;
        while let Some(open) = rest.find('{') {
            let after = &rest[open..];
            let (hole, value) = if after.starts_with("{id}") {
                ("{id}", holes.id)
            } else if after.starts_with("{param}") {
                ("{param}", holes.param)
            } else if after.starts_with("{method}") {
                ("{method}", holes.method)
            } else {
                body.push_str(&rest[..=open]);
                rest = &rest[open + 1..];
                continue;
            };
            body.push_str(&rest[..open]);
            json_escape(value, &mut body);
            rest = &rest[open + hole.len()..];
        }
        body.push_str(rest);
        let mut res = reply(self.status, self.content_type, body);
        for (name, value) in self.headers {
            set_static_header(&mut res, name, value);
        }
        res
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn holes_are_filled_and_escaped() {
        let spec = ErrorSpec {
            status: StatusCode::NOT_FOUND,
            body: "{\"description\":\"Event could not be found: {id}\",\"code\":1}\n",
            content_type: "application/json",
            headers: &[("www-authenticate", "Bearer")],
        };
        let res = spec.render(Holes {
            id: "a\"b",
            ..Holes::default()
        });
        assert_eq!(res.status(), 404);
        assert_eq!(res.headers()["www-authenticate"], "Bearer");
        let body = http_body_util::BodyExt::collect(res.into_body());
        let bytes = futures_lite_block_on(body);
        assert_eq!(
            bytes,
            "{\"description\":\"Event could not be found: a\\\"b\",\"code\":1}\n"
        );
    }

    fn futures_lite_block_on<
        F: std::future::Future<
                Output = Result<http_body_util::Collected<bytes::Bytes>, std::convert::Infallible>,
            >,
    >(
        f: F,
    ) -> String {
        let rt = tokio::runtime::Builder::new_current_thread()
            .build()
            .unwrap();
        let c = rt.block_on(f).unwrap();
        String::from_utf8(c.to_bytes().to_vec()).unwrap()
    }

    #[test]
    fn names_round_trip() {
        for n in ErrorName::ALL {
            assert_eq!(ErrorName::parse(n.as_str()), Some(n));
        }
    }
}
