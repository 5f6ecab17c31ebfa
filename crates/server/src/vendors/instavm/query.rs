//! The list endpoint's query parameters as FastAPI/pydantic v2 validates them, the opaque
//! cursor, and the path handling of Starlette's router (percent-decoding, slash redirects).

use eventmock_fake::mix::{mix64, subkey};
use eventmock_model::instavm::{LocItem, ValidationErrorItem};
use serde_json::{Value, json};

use crate::request::Req;

/// Default `limit` of `GET /v1/audit/events`.
pub const DEFAULT_LIMIT: u64 = 50;
/// Largest `limit` accepted (`le=200`).
pub const MAX_LIMIT: u64 = 200;

/// The last value of `key`, as Starlette's `QueryParams.get` returns it (last one wins).
pub fn last<'a>(req: &'a Req, key: &str) -> Option<&'a str> {
    req.query
        .iter()
        .rev()
        .find(|(k, _)| k == key)
        .map(|(_, v)| v.as_str())
}

/// A string filter: absent and empty both mean "no filter" (the app tests `if value:`).
pub fn text<'a>(req: &'a Req, key: &str) -> Option<&'a str> {
    last(req, key).filter(|v| !v.is_empty())
}

/// Parses a string the way pydantic v2 (lax mode) turns it into an `int`: surrounding
/// whitespace, a sign, single underscores between digits and a zero fraction (`42.00`) are
/// accepted. Values beyond `i128` saturate (pydantic has big ints; only comparisons matter).
pub fn pydantic_int(raw: &str) -> Option<i128> {
    let s = raw.trim();
    let s = match s.find('.') {
        Some(dot) if s[dot + 1..].bytes().all(|b| b == b'0') => &s[..dot],
        Some(_) => return None,
        None => s,
    };
    if s.starts_with('_') || s.ends_with('_') || s.contains("__") {
        return None;
    }
    let (negative, digits) = match s.as_bytes().first() {
        Some(b'-') => (true, &s[1..]),
        Some(b'+') => (false, &s[1..]),
        _ => (false, s),
    };
    let digits = digits.strip_prefix('_').map_or(digits, |d| d);
    if digits.is_empty() || !digits.bytes().all(|b| b.is_ascii_digit() || b == b'_') {
        return None;
    }
    let mut value: i128 = 0;
    for b in digits.bytes().filter(u8::is_ascii_digit) {
        value = value
            .saturating_mul(10)
            .saturating_add(i128::from(b - b'0'));
    }
    Some(if negative { -value } else { value })
}

/// One pydantic error item for query parameter `param`.
fn item(
    kind: &str,
    param: &str,
    msg: &str,
    input: &str,
    ctx: Option<Value>,
) -> ValidationErrorItem {
    ValidationErrorItem {
        r#type: kind.to_owned(),
        loc: vec![LocItem::Str("query".into()), LocItem::Str(param.into())],
        msg: msg.to_owned(),
        input: Value::String(input.to_owned()),
        ctx,
    }
}

const INT_MSG: &str = "Input should be a valid integer, unable to parse string as an integer";

/// The validated parameters of `GET /v1/audit/events`.
#[derive(Debug)]
pub struct ListParams<'a> {
    /// `event_group` filter.
    pub event_group: Option<&'a str>,
    /// `event_type` filter.
    pub event_type: Option<&'a str>,
    /// `status` filter.
    pub status: Option<&'a str>,
    /// `user_id` filter.
    pub user_id: Option<i128>,
    /// `vm_id` filter.
    pub vm_id: Option<&'a str>,
    /// `session_id` filter.
    pub session_id: Option<&'a str>,
    /// The raw cursor (not yet decoded).
    pub cursor: Option<&'a str>,
    /// Page size, 1..=200.
    pub limit: u64,
}

impl<'a> ListParams<'a> {
    /// Validates in the endpoint's declaration order (`event_group`, `event_type`, `status`,
    /// `user_id`, `vm_id`, `session_id`, `cursor`, `limit`), collecting every error as
    /// FastAPI does.
    pub fn parse(req: &'a Req) -> Result<Self, Vec<ValidationErrorItem>> {
        let mut errors = Vec::new();
        let user_id = match last(req, "user_id") {
            None => None,
            Some(raw) => match pydantic_int(raw) {
                Some(v) => Some(v),
                None => {
                    errors.push(item("int_parsing", "user_id", INT_MSG, raw, None));
                    None
                }
            },
        };
        let mut limit = DEFAULT_LIMIT;
        if let Some(raw) = last(req, "limit") {
            match pydantic_int(raw) {
                None => errors.push(item("int_parsing", "limit", INT_MSG, raw, None)),
                Some(v) if v < 1 => errors.push(item(
                    "greater_than_equal",
                    "limit",
                    "Input should be greater than or equal to 1",
                    raw,
                    Some(json!({"ge": 1})),
                )),
                Some(v) if v > MAX_LIMIT as i128 => errors.push(item(
                    "less_than_equal",
                    "limit",
                    "Input should be less than or equal to 200",
                    raw,
                    Some(json!({"le": 200})),
                )),
                Some(v) => limit = v as u64,
            }
        }
        if !errors.is_empty() {
            return Err(errors);
        }
        Ok(Self {
            event_group: text(req, "event_group"),
            event_type: text(req, "event_type"),
            status: text(req, "status"),
            user_id,
            vm_id: text(req, "vm_id"),
            session_id: text(req, "session_id"),
            cursor: text(req, "cursor"),
            limit,
        })
    }
}

/// Opaque cursors: 16 hex digits of the masked position (counted from the newest event)
/// and 8 hex digits of a checksum, both keyed to the dataset, so cursors of another dataset
/// or garbled ones are rejected.
#[derive(Debug, Clone, Copy)]
pub struct CursorCodec {
    /// Masks the position.
    mask: u64,
    /// Keys the checksum.
    check: u64,
}

impl CursorCodec {
    /// A codec keyed by the dataset key.
    pub fn new(dataset_key: u64) -> Self {
        Self {
            mask: subkey(dataset_key, 0x1C5_C0DE),
            check: subkey(dataset_key, 0x1C5_C4EC),
        }
    }

    fn checksum(&self, pos: u64) -> u32 {
        (mix64(pos ^ self.check) >> 32) as u32
    }

    /// The cursor of position `pos`.
    pub fn encode(&self, pos: u64) -> String {
        format!("{:016x}{:08x}", pos ^ self.mask, self.checksum(pos))
    }

    /// The position of a cursor, `None` if it is not one of ours.
    pub fn decode(&self, cursor: &str) -> Option<u64> {
        let valid = cursor.len() == 24
            && cursor
                .bytes()
                .all(|b| b.is_ascii_digit() || (b'a'..=b'f').contains(&b));
        if !valid {
            return None;
        }
        let masked = u64::from_str_radix(cursor.get(..16)?, 16).ok()?;
        let sum = u32::from_str_radix(cursor.get(16..)?, 16).ok()?;
        let pos = masked ^ self.mask;
        (self.checksum(pos) == sum).then_some(pos)
    }
}

/// Percent-decodes a path as the ASGI server does before routing (`%2F` becomes `/`;
/// invalid UTF-8 becomes U+FFFD).
pub fn decode_path(path: &str) -> String {
    let bytes = path.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        let hex = |b: u8| (b as char).to_digit(16);
        if bytes[i] == b'%'
            && let (Some(h), Some(l)) = (
                bytes.get(i + 1).copied().and_then(hex),
                bytes.get(i + 2).copied().and_then(hex),
            )
        {
            out.push((h * 16 + l) as u8);
            i += 3;
            continue;
        }
        out.push(bytes[i]);
        i += 1;
    }
    String::from_utf8_lossy(&out).into_owned()
}

/// Python's `urllib.parse.quote(url, safe=":/%#?=@[]!$&'()*+,;")`, as `RedirectResponse`
/// applies it to the `location` it is given.
pub fn quote_location(url: &str) -> String {
    const SAFE: &[u8] = b":/%#?=@[]!$&'()*+,;_.-~";
    let mut out = String::with_capacity(url.len());
    for b in url.bytes() {
        if b.is_ascii_alphanumeric() || SAFE.contains(&b) {
            out.push(b as char);
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
    fn ints_parse_like_pydantic() {
        for (s, v) in [
            ("0", 0),
            ("  1  ", 1),
            ("-1.0", -1),
            ("+4_2", 42),
            ("42.00", 42),
            ("042", 42),
            ("4_2.0", 42),
        ] {
            assert_eq!(pydantic_int(s), Some(v), "{s}");
        }
        for s in [
            "", "abc", "1.5", "_1", "1_", "1__0", "1e3", "--1", ".0", "+",
        ] {
            assert_eq!(pydantic_int(s), None, "{s}");
        }
        assert_eq!(pydantic_int(&"9".repeat(60)), Some(i128::MAX));
    }

    #[test]
    fn cursors_round_trip_and_reject_forgeries() {
        let c = CursorCodec::new(7);
        for pos in [0, 1, 50, 999, u64::MAX] {
            assert_eq!(c.decode(&c.encode(pos)), Some(pos));
        }
        let good = c.encode(50);
        let mut bad = good.clone().into_bytes();
        bad[23] = if bad[23] == b'0' { b'1' } else { b'0' };
        assert_eq!(c.decode(std::str::from_utf8(&bad).unwrap()), None);
        assert_eq!(CursorCodec::new(8).decode(&good), None);
        assert_eq!(c.decode(&good.to_uppercase()), None);
        assert_eq!(c.decode("x"), None);
        assert_eq!(c.decode("é".repeat(12).as_str()), None);
    }

    #[test]
    fn paths_decode_and_quote() {
        assert_eq!(decode_path("/a%2Fb%zz%41"), "/a/b%zzA");
        assert_eq!(decode_path("/%ff"), "/\u{fffd}");
        assert_eq!(quote_location("http://h/a b?x=1"), "http://h/a%20b?x=1");
    }
}
