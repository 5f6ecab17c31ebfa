//! Cloud Foundry Cloud Controller v2: `GET /v2/events`, `/v2/events/{guid}`, plus the
//! root document (`GET /`) and UAA's token response that real CF clients need first.

use schemars::JsonSchema;
use serde::{Deserialize, Serialize};
use serde_json::{Map, Value};

mod event_type;

pub use event_type::EventType;

/// One event resource.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
pub struct Event {
    /// Resource metadata.
    pub metadata: Metadata,
    /// The event itself.
    pub entity: Entity,
}

/// v2 resource metadata.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
pub struct Metadata {
    /// Event GUID.
    pub guid: String,
    /// `/v2/events/<guid>`.
    pub url: String,
    /// Creation time, e.g. `2016-06-08T16:41:23Z`.
    #[serde(deserialize_with = "crate::timestamp::rfc3339")]
    #[schemars(extend("format" = "date-time"))]
    pub created_at: String,
    /// Equal to `created_at` for events (CC's timestamps plugin sets it on insert); `null`
    /// on rows older than 2016.
    pub updated_at: Option<String>,
}

/// The event entity, in the documented field order.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
pub struct Entity {
    /// Event type.
    #[serde(rename = "type")]
    pub r#type: EventType,
    /// GUID of the actor.
    pub actor: String,
    /// Actor type, e.g. `user`, `app`, `system`.
    pub actor_type: String,
    /// Actor name (e-mail for users).
    pub actor_name: String,
    /// Actor user name; absent in the seed example, omitted when `None`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub actor_username: Option<String>,
    /// GUID of the actee.
    pub actee: String,
    /// Actee type, e.g. `app`, `space`.
    pub actee_type: String,
    /// Actee name.
    pub actee_name: String,
    /// Event time.
    #[serde(deserialize_with = "crate::timestamp::rfc3339")]
    #[schemars(extend("format" = "date-time"))]
    pub timestamp: String,
    /// Type-specific details (`{}` by default).
    pub metadata: Map<String, Value>,
    /// GUID of the space.
    pub space_guid: String,
    /// GUID of the organization.
    pub organization_guid: String,
}

/// v2 list envelope. `prev_url`/`next_url` are relative URLs or `null`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
pub struct EventList {
    /// Total number of matching events.
    pub total_results: u64,
    /// Number of pages.
    pub total_pages: u64,
    /// Previous page URL or `null`.
    pub prev_url: Option<String>,
    /// Next page URL or `null`.
    pub next_url: Option<String>,
    /// Events of this page.
    pub resources: Vec<Event>,
}

/// v2 error body, e.g. `{"description":"Unknown request","error_code":"CF-NotFound","code":10000}`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
pub struct ErrorBody {
    /// Human-readable message.
    pub description: String,
    /// `CF-<Name>`.
    pub error_code: String,
    /// Numeric CF error code.
    pub code: i64,
}

/// A link of the root document: `{"href": ..., "meta"?: {...}}`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
pub struct Link {
    /// Target URL.
    pub href: String,
    /// Extra data, e.g. `{"version": "2.173.0"}`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub meta: Option<Map<String, Value>>,
}

impl Link {
    /// A link with no `meta`.
    pub fn new(href: impl Into<String>) -> Self {
        Link {
            href: href.into(),
            meta: None,
        }
    }
}

/// The links of `GET /`, in Cloud Controller's order. Links that CC sends as `null` when
/// unconfigured (`bits_service`, `credhub`, `routing`) serialize `null`; the other optional
/// links are omitted when `None`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
pub struct RootLinks {
    /// This document.
    #[serde(rename = "self")]
    pub self_: Link,
    /// Bits service: `null` before API 2.193.0 (`Some(None)`), absent from it on (`None`).
    #[serde(
        default,
        skip_serializing_if = "Option::is_none",
        deserialize_with = "present"
    )]
    pub bits_service: Option<Option<Link>>,
    /// v2 API, with `meta.version`.
    pub cloud_controller_v2: Link,
    /// v3 API, with `meta.version`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub cloud_controller_v3: Option<Link>,
    /// Network policy v0.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub network_policy_v0: Option<Link>,
    /// Network policy v1.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub network_policy_v1: Option<Link>,
    /// Login server: clients post to `<login>/oauth/token`.
    pub login: Link,
    /// UAA.
    pub uaa: Link,
    /// CredHub, usually `null`.
    #[serde(default)]
    pub credhub: Option<Link>,
    /// Routing API, or `null`.
    #[serde(default)]
    pub routing: Option<Link>,
    /// Doppler websocket endpoint.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub logging: Option<Link>,
    /// Log cache.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub log_cache: Option<Link>,
    /// Log stream.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub log_stream: Option<Link>,
    /// SSH proxy, with `meta.host_key_fingerprint` and `meta.oauth_client`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub app_ssh: Option<Link>,
}

/// A key that is present (`null` included): `Some(value)`; serde's `default` gives `None`
/// for an absent one.
fn present<'de, D, T>(d: D) -> Result<Option<Option<T>>, D::Error>
where
    D: serde::Deserializer<'de>,
    T: Deserialize<'de>,
{
    Option::<T>::deserialize(d).map(Some)
}

/// `GET /`: the Cloud Controller root document.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
pub struct RootDocument {
    /// The links.
    pub links: RootLinks,
}

/// `GET /v2/info` (`info_controller.rb`), in Cloud Controller's key order.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
pub struct Info {
    /// `info.name` of the deployment.
    pub name: String,
    /// `info.build`.
    pub build: String,
    /// `info.support_address`.
    pub support: String,
    /// `info.version` (an integer in CC's config).
    pub version: i64,
    /// `info.description`.
    pub description: String,
    /// The login server's URL.
    pub authorization_endpoint: String,
    /// UAA's URL.
    pub token_endpoint: String,
    /// Oldest cf CLI version supported, or `null`.
    pub min_cli_version: Option<String>,
    /// Oldest cf CLI version recommended, or `null`.
    pub min_recommended_cli_version: Option<String>,
    /// `host:port` of the SSH proxy.
    pub app_ssh_endpoint: String,
    /// The SSH proxy's host key fingerprint.
    pub app_ssh_host_key_fingerprint: String,
    /// The OAuth client SSH uses.
    pub app_ssh_oauth_client: String,
    /// Doppler's websocket URL.
    pub doppler_logging_endpoint: String,
    /// The v2 API version, e.g. `2.164.0`.
    pub api_version: String,
    /// The Open Service Broker API version, e.g. `2.15`.
    pub osbapi_version: String,
    /// The routing API's URL, when configured.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub routing_endpoint: Option<String>,
    /// The authenticated user's guid (only when the request carried a valid token).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub user: Option<String>,
}

/// UAA's answer to `POST /oauth/token`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
pub struct TokenResponse {
    /// The bearer token (a JWT).
    pub access_token: String,
    /// Always `bearer`.
    pub token_type: String,
    /// Refresh token; absent for `client_credentials`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub refresh_token: Option<String>,
    /// Lifetime in seconds.
    pub expires_in: u64,
    /// Space-separated scopes.
    pub scope: String,
    /// Token id.
    pub jti: String,
}

#[cfg(test)]
#[path = "cf_tests.rs"]
mod tests;
