//! authentik (identity provider): `/api/v3/events/events/`.
//!
//! Shapes follow authentik's own schema (`EventSerializer`, `PaginatedEventList`,
//! `TypeCreate`, `GenericError`, `ValidationError`). The `user`, `context` and `brand`
//! objects are free-form JSON in authentik; the typed fields here are the ones authentik
//! itself writes, and `extra` keeps everything else so any object round-trips.

use std::borrow::Cow;

use schemars::JsonSchema;
use serde::{Deserialize, Serialize};
use serde_json::{Map, Value};

mod action;

pub use action::EventAction;

/// One event, in the field order of authentik's `EventSerializer`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
pub struct Event {
    /// Event UUID (v4, hyphenated).
    pub pk: String,
    /// The acting user (`{}` when unknown).
    pub user: User,
    /// What happened.
    pub action: EventAction,
    /// The Python module that created the event, e.g. `authentik.events.signals`.
    pub app: Cow<'static, str>,
    /// Free-form details.
    pub context: Context,
    /// Client address; `null` when unknown.
    pub client_ip: Option<String>,
    /// Creation time, e.g. `2024-07-29T15:51:28.071123Z`.
    #[serde(deserialize_with = "crate::timestamp::rfc3339")]
    #[schemars(extend("format" = "date-time"))]
    pub created: String,
    /// When the event expires.
    #[serde(deserialize_with = "crate::timestamp::rfc3339")]
    #[schemars(extend("format" = "date-time"))]
    pub expires: String,
    /// The brand the request came through (`{}` when unknown).
    pub brand: Brand,
}

/// The `user` object of an event (authentik's `get_user()`).
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
pub struct User {
    /// Numeric user id.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub pk: Option<i64>,
    /// E-mail address.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub email: Option<String>,
    /// Username.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub username: Option<String>,
    /// Set on events of anonymous requests (older authentik versions).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub is_anonymous: Option<bool>,
    /// The impersonated user, when an admin acts on behalf of someone.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub on_behalf_of: Option<Box<User>>,
    /// Any other key.
    #[serde(flatten)]
    pub extra: Map<String, Value>,
}

/// The `context` object of an event.
///
/// Known keys are typed in the order authentik usually writes them (event keyword arguments
/// first, then `http_request`, then the GeoIP/ASN enrichment); other keys go to `extra`.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
pub struct Context {
    /// Human-readable message (system and configuration events).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub message: Option<String>,
    /// Authentication method of a login, e.g. `password`, `token`, `auth_webauthn_pwl`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub auth_method: Option<Cow<'static, str>>,
    /// Arguments of the authentication method.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub auth_method_args: Option<Value>,
    /// The model of `model_*` events.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub model: Option<ModelRef>,
    /// The HTTP request that caused the event.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub http_request: Option<HttpRequest>,
    /// GeoIP enrichment (`continent`, `country`, `lat`, `long`, `city`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub geo: Option<Value>,
    /// ASN enrichment (`asn`, `as_org`, `network`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub asn: Option<Value>,
    /// Any other key.
    #[serde(flatten)]
    pub extra: Map<String, Value>,
}

/// `context.http_request`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
pub struct HttpRequest {
    /// Query arguments.
    pub args: Map<String, Value>,
    /// Request path.
    pub path: Cow<'static, str>,
    /// HTTP method.
    pub method: Cow<'static, str>,
    /// authentik request id (32 hex characters).
    pub request_id: String,
    /// Client user agent.
    pub user_agent: String,
}

/// `context.model`: a reference to a database object (`model_to_dict`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
pub struct ModelRef {
    /// Django app label, e.g. `authentik_core`.
    pub app: Cow<'static, str>,
    /// Display name of the object.
    pub name: String,
    /// Primary key: an integer or a UUID hex string.
    pub pk: Value,
    /// Model name, e.g. `user`, `application`.
    pub model_name: Cow<'static, str>,
}

/// The `brand` object of an event.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
pub struct Brand {
    /// Brand UUID as 32 hex characters.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub pk: Option<String>,
    /// Always `authentik_brands`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub app: Option<Cow<'static, str>>,
    /// Brand name (the domain, e.g. `authentik-default`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub name: Option<Cow<'static, str>>,
    /// Always `brand`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub model_name: Option<Cow<'static, str>>,
}

/// One item of `GET /api/v3/events/events/actions/` (authentik's `TypeCreate` schema).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[schemars(rename = "TypeCreate")]
pub struct ActionType {
    /// Human label, e.g. `Login Failed`.
    pub name: String,
    /// Always empty for actions.
    pub description: String,
    /// The action value, e.g. `login_failed`.
    pub component: String,
    /// Always empty for actions.
    pub model_name: String,
    /// Icon URL; authentik omits it for actions.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub icon_url: Option<String>,
    /// Serializer default: `false`.
    #[serde(default)]
    pub requires_enterprise: bool,
    /// Serializer default: `false`.
    #[serde(default)]
    pub deprecated: bool,
}

/// authentik's pagination block. All seven fields are numbers; `next` and `previous`
/// are `0` when there is no such page.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
pub struct Pagination {
    /// Next page number, or 0.
    pub next: u64,
    /// Previous page number, or 0.
    pub previous: u64,
    /// Total number of results.
    pub count: u64,
    /// Current page number.
    pub current: u64,
    /// Number of pages.
    pub total_pages: u64,
    /// 1-based index of the first result on this page (0 when empty).
    pub start_index: u64,
    /// 1-based index of the last result on this page (0 when empty).
    pub end_index: u64,
}

/// `PaginatedEventList`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[schemars(rename = "PaginatedEventList")]
pub struct EventList {
    /// Page information.
    pub pagination: Pagination,
    /// Events of this page.
    pub results: Vec<Event>,
    /// Search autocompletion data (`{}` is fine; required by the official clients).
    pub autocomplete: Map<String, Value>,
}

/// `GenericError`: `{"detail": ..., "code"?: ...}`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
pub struct GenericError {
    /// Message, e.g. `Not found.`.
    pub detail: String,
    /// Machine code, e.g. `not_found`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub code: Option<String>,
}

/// `ValidationError`: `non_field_errors`, `code`, and one list of messages per bad field.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
pub struct ValidationError {
    /// Errors not tied to a field.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub non_field_errors: Option<Vec<String>>,
    /// Machine code.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub code: Option<String>,
    /// Per-field errors, e.g. `{"page_size": ["A valid integer is required."]}`.
    #[serde(flatten)]
    pub fields: Map<String, Value>,
}

#[cfg(test)]
#[path = "authentik_tests.rs"]
mod tests;
