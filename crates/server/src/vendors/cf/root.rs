//! What a CF client reads before anything else, no token needed: the root document `GET /`
//! (`app/controllers/runtime/root_controller.rb`) and `GET /v2/info`
//! (`app/controllers/runtime/info_controller.rb`). Both announce the imitated API version.
//!
//! Every link points at this server (`http://<authority><mount prefix>`): `login` and `uaa`
//! are served here (`/login`, `/oauth/token`); the other services (networking, CredHub,
//! routing, Doppler, log cache, log stream, SSH) are not served, their links only have the
//! shape of a real deployment's: `<base>/networking/v0/external`, `<base>/credhub`,
//! `<base>/routing`, `ws://<authority>/doppler`, `<base>/log-cache`, `<base>/log-stream`,
//! `<host>:2222`. `/v2/info` carries cf-deployment's defaults (empty `name`, `build`,
//! `support`, `description`, `version` 0, no minimum CLI versions) and `user` when the request
//! carries a valid token.

use eventmock_model::cf::{Info, Link, RootDocument, RootLinks};
use hyper::StatusCode;
use serde_json::{Map, Value};

use super::uaa::base_url;
use crate::request::Req;
use crate::response::{Reply, json};
use crate::vendors::dialects::cloud_controller::{CT, Release};

/// The Open Service Broker API version CC announces (`config/osbapi_version`).
pub const OSBAPI_VERSION: &str = "2.15";
/// The SSH proxy's OAuth client (cf-deployment's).
const SSH_CLIENT: &str = "ssh-proxy";
/// A host key fingerprint of the shape the SSH proxy announces.
const SSH_FINGERPRINT: &str = "a6:d1:08:0b:b0:cb:9b:5f:c4:ba:44:2a:97:26:19:8a";

/// The authority without its port (`[::1]:8080` → `[::1]`).
fn hostname(base: &str) -> &str {
    let authority = base
        .strip_prefix("http://")
        .unwrap_or(base)
        .split('/')
        .next()
        .unwrap_or_default();
    match authority.rfind(':') {
        Some(at) if !authority[at..].contains(']') => &authority[..at],
        _ => authority,
    }
}

fn versioned(href: String, version: String) -> Link {
    let mut meta = Map::new();
    meta.insert("version".into(), Value::from(version));
    Link {
        href,
        meta: Some(meta),
    }
}

fn doppler(req: &Req, base: &str) -> String {
    let authority = base.strip_prefix("http://").unwrap_or(base);
    let authority = authority.split('/').next().unwrap_or_default();
    format!("ws://{authority}{}/doppler", req.prefix)
}

/// `GET /`.
pub(super) fn root(req: &Req, release: Release) -> Reply {
    let base = base_url(req);
    let mut ssh_meta = Map::new();
    ssh_meta.insert("host_key_fingerprint".into(), Value::from(SSH_FINGERPRINT));
    ssh_meta.insert("oauth_client".into(), Value::from(SSH_CLIENT));
    let doc = RootDocument {
        links: RootLinks {
            self_: Link::new(base.clone()),
            bits_service: release.bits_service_link().then_some(None),
            cloud_controller_v2: versioned(format!("{base}/v2"), release.version.to_string()),
            cloud_controller_v3: Some(versioned(format!("{base}/v3"), release.v3_version())),
            network_policy_v0: Some(Link::new(format!("{base}/networking/v0/external"))),
            network_policy_v1: Some(Link::new(format!("{base}/networking/v1/external"))),
            login: Link::new(base.clone()),
            uaa: Link::new(base.clone()),
            credhub: Some(Link::new(format!("{base}/credhub"))),
            routing: Some(Link::new(format!("{base}/routing"))),
            logging: Some(Link::new(doppler(req, &base))),
            log_cache: Some(Link::new(format!("{base}/log-cache"))),
            log_stream: Some(Link::new(format!("{base}/log-stream"))),
            app_ssh: Some(Link {
                href: format!("{}:2222", hostname(&base)),
                meta: Some(ssh_meta),
            }),
        },
    };
    json(StatusCode::OK, CT, &doc, release.pretty())
}

/// `GET /v2/info`; `user` is the guid of a valid token's user. Compact JSON in every release
/// (2.164.0's `InfoController` already used `MultiJson.dump(info)` without `pretty`).
pub(super) fn info(req: &Req, release: Release, user: Option<String>) -> Reply {
    let base = base_url(req);
    let body = Info {
        name: String::new(),
        build: String::new(),
        support: String::new(),
        version: 0,
        description: String::new(),
        authorization_endpoint: base.clone(),
        token_endpoint: base.clone(),
        min_cli_version: None,
        min_recommended_cli_version: None,
        app_ssh_endpoint: format!("{}:2222", hostname(&base)),
        app_ssh_host_key_fingerprint: SSH_FINGERPRINT.into(),
        app_ssh_oauth_client: SSH_CLIENT.into(),
        doppler_logging_endpoint: doppler(req, &base),
        api_version: release.version.to_string(),
        osbapi_version: OSBAPI_VERSION.into(),
        routing_endpoint: Some(format!("{base}/routing")),
        user,
    };
    json(StatusCode::OK, CT, &body, false)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn hostnames() {
        assert_eq!(hostname("http://127.0.0.1:8080/cf"), "127.0.0.1");
        assert_eq!(hostname("http://[::1]:8080"), "[::1]");
        assert_eq!(hostname("http://[::1]"), "[::1]");
        assert_eq!(hostname("http://localhost"), "localhost");
    }
}
