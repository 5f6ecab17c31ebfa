//! UAA, as far as a CF client needs it: the login info (`GET /login`) and the token endpoint
//! (`POST /oauth/token`); no bearer token is needed here. [`user_guid`] reads a token's user
//! back the way Cloud Controller's security context does.
//!
//! Tokens are deterministic: derived from the request ordinal. The access token is JWT-shaped
//! (unsigned-looking random signature) so clients that decode its claims (`user_name`, `exp`)
//! work; `exp` is a fixed far-future instant (no wall clock) and `expires_in` is UAA's default
//! 43199 seconds.

use eventmock_model::cf::TokenResponse;
use hyper::StatusCode;
use serde_json::{Value, json};

use crate::header_name;
use crate::request::Req;
use crate::response::{Reply, json as json_reply, set_header};
use crate::vendors::request_hex;

/// UAA's (Spring's) content type.
pub const UAA_CT: &str = "application/json;charset=UTF-8";
/// `expires_in` of issued access tokens (UAA's default).
pub const EXPIRES_IN: u64 = 43199;
/// `iat` of issued tokens (a fixed instant: 2023-11-14T22:13:20Z).
const IAT: u64 = 1_700_000_000;
/// `exp` of issued tokens (2100-01-01T00:00:00Z).
const EXP: u64 = 4_102_444_800;

/// `http://<authority><mount prefix>`, or `http://localhost…` when the authority is absent or odd.
pub fn base_url(req: &Req) -> String {
    let host = req
        .host()
        .filter(|h| {
            !h.is_empty()
                && h.bytes()
                    .all(|c| c.is_ascii_alphanumeric() || b".-_:[]".contains(&c))
        })
        .unwrap_or("localhost");
    format!("http://{host}{}", req.prefix)
}

/// `GET /login`: UAA's login info (what `cf login` reads its prompts from).
pub(super) fn login(req: &Req) -> Reply {
    let base = base_url(req);
    let body = json!({
        "app": {"version": "4.30.0"},
        "links": {"uaa": base, "passwd": "/forgot_password", "login": base, "register": "/create_account"},
        "zone_name": "uaa",
        "entityID": "eventmock",
        "commit_id": "eventmock",
        "idpDefinitions": {},
        "prompts": {
            "username": ["text", "Email"],
            "password": ["password", "Password"]
        }
    });
    json_reply(StatusCode::OK, UAA_CT, &body, false)
}

/// Base64url without padding.
fn b64url(data: &[u8]) -> String {
    const A: &[u8; 64] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";
    let mut out = String::with_capacity(data.len().div_ceil(3) * 4);
    for chunk in data.chunks(3) {
        let n = chunk
            .iter()
            .enumerate()
            .fold(0u32, |acc, (k, b)| acc | (u32::from(*b) << (16 - 8 * k)));
        for k in 0..=chunk.len() {
            out.push(A[((n >> (18 - 6 * k)) & 63) as usize] as char);
        }
    }
    out
}

fn uaa_error(error: &str, description: &str) -> Reply {
    let body = json!({"error": error, "error_description": description});
    let mut res = json_reply(StatusCode::BAD_REQUEST, UAA_CT, &body, false);
    set_header(&mut res, header_name!("cache-control"), "no-store");
    set_header(&mut res, header_name!("pragma"), "no-cache");
    res
}

/// `POST /oauth/token`: any client credentials and user are accepted.
pub(super) fn token(req: &Req) -> Reply {
    let form: Vec<(String, String)> = form_urlencoded::parse(&req.body)
        .map(|(k, v)| (k.into_owned(), v.into_owned()))
        .chain(req.query.iter().cloned())
        .collect();
    let field = |key: &str| form.iter().find(|(k, _)| k == key).map(|(_, v)| v.as_str());
    let grant = match field("grant_type") {
        None | Some("") => return uaa_error("invalid_request", "Missing grant type"),
        Some(g @ ("password" | "refresh_token" | "client_credentials")) => g,
        Some(other) => {
            return uaa_error(
                "unsupported_grant_type",
                &format!("Unsupported grant type: {other}"),
            );
        }
    };
    let client = field("client_id").filter(|c| !c.is_empty()).unwrap_or("cf");
    let user = field("username")
        .filter(|u| !u.is_empty())
        .unwrap_or("admin");
    let jti = request_hex(req.ordinal, 0xCF_0002);
    let scope = if grant == "client_credentials" {
        "cloud_controller.admin cloud_controller.read cloud_controller.write uaa.none"
    } else {
        "cloud_controller.read cloud_controller.write openid password.write uaa.user"
    };
    let base = base_url(req);
    let mut claims = json!({
        "jti": jti,
        "sub": if grant == "client_credentials" { client.to_owned() } else { request_uuid_of(req.ordinal) },
        "scope": scope.split(' ').collect::<Vec<_>>(),
        "client_id": client,
        "cid": client,
        "azp": client,
        "grant_type": grant,
        "iat": IAT,
        "exp": EXP,
        "iss": format!("{base}/oauth/token"),
        "zid": "uaa",
        "aud": ["cloud_controller", "openid", "password", client],
    });
    if grant != "client_credentials"
        && let Value::Object(map) = &mut claims
    {
        map.insert(
            "user_id".into(),
            map.get("sub").cloned().unwrap_or_default(),
        );
        map.insert("user_name".into(), Value::from(user));
        map.insert("origin".into(), Value::from("uaa"));
    }
    let header =
        br#"{"alg":"RS256","jku":"https://uaa.example.com/token_keys","kid":"key-1","typ":"JWT"}"#;
    let payload = serde_json::to_vec(&claims).unwrap_or_default();
    let signature = request_hex(req.ordinal, 0xCF_0003) + &request_hex(req.ordinal, 0xCF_0004);
    let access_token = format!(
        "{}.{}.{}",
        b64url(header),
        b64url(&payload),
        b64url(signature.as_bytes())
    );
    let body = TokenResponse {
        access_token,
        token_type: "bearer".into(),
        refresh_token: (grant != "client_credentials")
            .then(|| format!("{}-r", request_hex(req.ordinal, 0xCF_0005))),
        expires_in: EXPIRES_IN,
        scope: scope.into(),
        jti,
    };
    let mut res = json_reply(StatusCode::OK, UAA_CT, &body, false);
    set_header(&mut res, header_name!("cache-control"), "no-store");
    set_header(&mut res, header_name!("pragma"), "no-cache");
    res
}

/// Decodes base64url (padding optional); `None` on a character outside the alphabet.
fn b64url_decode(text: &str) -> Option<Vec<u8>> {
    let mut out = Vec::with_capacity(text.len() * 3 / 4);
    let (mut acc, mut bits) = (0u32, 0);
    for c in text.trim_end_matches('=').bytes() {
        let v = match c {
            b'A'..=b'Z' => c - b'A',
            b'a'..=b'z' => c - b'a' + 26,
            b'0'..=b'9' => c - b'0' + 52,
            b'-' | b'+' => 62,
            b'_' | b'/' => 63,
            _ => return None,
        };
        acc = (acc << 6) | u32::from(v);
        bits += 6;
        if bits >= 8 {
            bits -= 8;
            out.push((acc >> bits) as u8);
        }
    }
    Some(out)
}

/// The user guid Cloud Controller takes from a valid token (`security_context_setter.rb`
/// `id_from_token`: the claim `user_id`, else `client_id`). A credential that is not a JWT
/// with either claim (eventmock accepts any non-empty one by default) gets a guid derived
/// from its bytes, the same for the same credential.
pub fn user_guid(token: &str) -> String {
    let claims = token
        .split('.')
        .nth(1)
        .and_then(b64url_decode)
        .and_then(|payload| serde_json::from_slice::<Value>(&payload).ok());
    if let Some(id) = claims.as_ref().and_then(|c| {
        ["user_id", "client_id"]
            .into_iter()
            .find_map(|k| c.get(k).and_then(Value::as_str))
    }) {
        return id.to_owned();
    }
    let hash = token.bytes().fold(0xCBF2_9CE4_8422_2325_u64, |h, b| {
        (h ^ u64::from(b)).wrapping_mul(0x0100_0000_01B3)
    });
    crate::vendors::request_uuid(hash, 0xCF_0007)
}

fn request_uuid_of(ordinal: u64) -> String {
    crate::vendors::request_uuid(ordinal, 0xCF_0006)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn base64url() {
        assert_eq!(b64url(b""), "");
        assert_eq!(b64url(b"f"), "Zg");
        assert_eq!(b64url(b"fo"), "Zm8");
        assert_eq!(b64url(b"foo"), "Zm9v");
        assert_eq!(b64url(b"foob"), "Zm9vYg");
        assert_eq!(b64url(&[0xfb, 0xff]), "-_8");
        for data in [&b""[..], b"f", b"fo", b"foo", b"foob", &[0xfb, 0xff]] {
            assert_eq!(b64url_decode(&b64url(data)).as_deref(), Some(data));
        }
        assert_eq!(b64url_decode("a*b"), None);
    }

    #[test]
    fn user_guids() {
        let claims = b64url(br#"{"user_id":"u-1","client_id":"cf"}"#);
        assert_eq!(user_guid(&format!("h.{claims}.s")), "u-1");
        let claims = b64url(br#"{"client_id":"cf"}"#);
        assert_eq!(user_guid(&format!("h.{claims}.s")), "cf");
        assert_eq!(user_guid("demo"), user_guid("demo"));
        assert_ne!(user_guid("demo"), user_guid("demo2"));
        assert_eq!(user_guid("demo").len(), 36);
    }
}
