//! Named vendor errors: the shared vocabulary (`not_found`, `bad_token`, ...) that handlers,
//! auth and scenarios use, and the rendering of a vendor's [`ErrorSpec`] into a response.
//!
//! Each vendor lists its own status, exact body bytes (with `{hole}` placeholders) and headers
//! per name; the mechanism here is shared.

use bytes::Bytes;
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

/// The holes a body may hold.
const HOLES: [&str; 3] = ["{id}", "{param}", "{method}"];

/// The first hole in `s`: its position and which one (index into [`HOLES`]).
fn next_hole(s: &str) -> Option<(usize, usize)> {
    s.match_indices('{').find_map(|(at, _)| {
        HOLES
            .iter()
            .position(|hole| s[at..].starts_with(hole))
            .map(|which| (at, which))
    })
}

impl ErrorSpec {
    /// The body with its holes filled; a body without holes is served as is, without a copy.
    pub fn body_bytes(&self, holes: Holes<'_>) -> Bytes {
        if next_hole(self.body).is_none() {
            return Bytes::from_static(self.body.as_bytes());
        }
        let values = [holes.id, holes.param, holes.method];
        let mut body = String::with_capacity(self.body.len() + 40);
        let mut rest = self.body;
        while let Some((at, which)) = next_hole(rest) {
            body.push_str(&rest[..at]);
            json_escape(values[which], &mut body);
            rest = &rest[at + HOLES[which].len()..];
        }
        body.push_str(rest);
        Bytes::from(body)
    }

    /// Renders the spec with its holes filled.
    pub fn render(&self, holes: Holes<'_>) -> Reply {
        let mut res = reply(self.status, self.content_type, self.body_bytes(holes));
        for (name, value) in self.headers {
            set_static_header(
                &mut res,
                hyper::header::HeaderName::from_static(name),
                value,
            );
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
    fn a_body_without_holes_is_not_copied_and_braces_stay() {
        let spec = ErrorSpec::plain(
            StatusCode::NOT_FOUND,
            "application/json",
            r#"{"detail":{"x":"{other}"}}"#,
        );
        let bytes = spec.body_bytes(Holes {
            id: "ignored",
            ..Holes::default()
        });
        assert_eq!(bytes, spec.body);
        assert_eq!(bytes.as_ptr(), spec.body.as_ptr());
        let spec = ErrorSpec::plain(
            StatusCode::BAD_REQUEST,
            "application/json",
            r#"{"{param}":["{id} {method} {param}"],"k":"{nope}"}"#,
        );
        let bytes = spec.body_bytes(Holes {
            id: "i",
            param: "p\n",
            method: "GET",
        });
        assert_eq!(bytes, r#"{"p\n":["i GET p\n"],"k":"{nope}"}"#);
    }

    #[test]
    fn names_round_trip() {
        for n in ErrorName::ALL {
            assert_eq!(ErrorName::parse(n.as_str()), Some(n));
        }
    }
}
