//! What a CF client asks before `/v2`: the root document (`GET /`), UAA's login info
//! (`GET /login`) and token endpoint (`POST /oauth/token`). No bearer token is needed here.
//!
//! Tokens are deterministic: derived from the request ordinal. The access token is JWT-shaped
//! (unsigned-looking random signature) so clients that decode its claims (`user_name`, `exp`)
//! work; `exp` is a fixed far-future instant (no wall clock) and `expires_in` is UAA's default
//! 43199 seconds.

use eventmock_model::cf::{Link, RootDocument, RootLinks, TokenResponse};
use hyper::StatusCode;
use serde_json::{Map, Value, json};

use super::CT;
use crate::header_name;
use crate::request::Req;
use crate::response::{Reply, json as json_reply, set_header};
use crate::vendors::request_hex;

/// UAA's (Spring's) content type.
pub const UAA_CT: &str = "application/json;charset=UTF-8";
/// The v2 API version announced by the root document.
pub const V2_VERSION: &str = "2.164.0";
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

/// `GET /`: Cloud Controller's root document, links pointing at this server.
pub(super) fn root(req: &Req) -> Reply {
    let base = base_url(req);
    let mut meta = Map::new();
    meta.insert("version".into(), Value::from(V2_VERSION));
    let doc = RootDocument {
        links: RootLinks {
            self_: Link::new(base.clone()),
            bits_service: None,
            cloud_controller_v2: Link {
                href: format!("{base}/v2"),
                meta: Some(meta),
            },
            cloud_controller_v3: None,
            network_policy_v0: None,
            network_policy_v1: None,
            login: Link::new(base.clone()),
            uaa: Link::new(base),
            credhub: None,
            routing: None,
            logging: None,
            log_cache: None,
            log_stream: None,
            app_ssh: None,
        },
    };
    json_reply(StatusCode::OK, CT, &doc, true)
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
    }
}
