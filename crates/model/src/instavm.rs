//! InstaVM audit API (FastAPI): `GET /v1/audit/events`, `/v1/audit/events/{event_id}`,
//! `/v1/audit/catalog`.
//!
//! Nullable fields serialize as `null`, as FastAPI does; they are never skipped.

use schemars::JsonSchema;
use serde::{Deserialize, Serialize};
use serde_json::Value;

/// `AuditEventResponse`, in the schema's field order.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[schemars(rename = "AuditEventResponse")]
pub struct AuditEvent {
    /// Event id.
    pub id: String,
    /// Creation time, ISO 8601 UTC with `Z`.
    #[serde(deserialize_with = "crate::timestamp::rfc3339")]
    #[schemars(extend("format" = "date-time"))]
    pub created_at: String,
    /// Numeric user id.
    pub user_id: Option<i64>,
    /// `user`, `api_key`, `system`, ...
    pub actor_type: String,
    /// Actor identifier.
    pub actor_id: Option<String>,
    /// Emitting component, e.g. `api`.
    pub source: String,
    /// Event group, e.g. `vm`, `auth`, `session`.
    pub event_group: String,
    /// Event type within the group, e.g. `vm.create`.
    pub event_type: String,
    /// `success` or `failure`.
    pub status: String,
    /// Type of the affected resource.
    pub resource_type: Option<String>,
    /// Id of the affected resource.
    pub resource_id: Option<String>,
    /// Session id.
    pub session_id: Option<String>,
    /// VM id.
    pub vm_id: Option<String>,
    /// Task id.
    pub task_id: Option<i64>,
    /// Request id.
    pub request_id: Option<String>,
    /// Correlation id across requests.
    pub correlation_id: Option<String>,
    /// HTTP method of the request.
    pub http_method: Option<String>,
    /// Request path.
    pub path: Option<String>,
    /// HTTP status of the response.
    pub http_status: Option<i64>,
    /// Latency in milliseconds.
    pub latency_ms: Option<f64>,
    /// Client address.
    pub ip_address: Option<String>,
    /// Client user agent.
    pub user_agent: Option<String>,
    /// Address of the node that handled the request.
    pub node_ip: Option<String>,
    /// Worker id.
    pub worker_id: Option<String>,
    /// Free-form event details.
    pub event_payload: Option<Value>,
    /// Error message of failed events.
    pub error_message: Option<String>,
}

/// List envelope: `{"items": [...], "next_cursor": string|null}`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[schemars(rename = "AuditEventList")]
pub struct EventList {
    /// Events of this page.
    pub items: Vec<AuditEvent>,
    /// Cursor of the next page, `null` on the last page.
    pub next_cursor: Option<String>,
}

/// FastAPI `HTTPException` body, e.g. `{"detail":"Not authenticated"}`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[schemars(rename = "HTTPError")]
pub struct HttpError {
    /// Message.
    pub detail: String,
}

/// FastAPI 422 body (`HTTPValidationError`, pydantic v2 shape).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[schemars(rename = "HTTPValidationError")]
pub struct ValidationErrorBody {
    /// One item per failed check.
    pub detail: Vec<ValidationErrorItem>,
}

/// One pydantic v2 validation error.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[schemars(rename = "ValidationError")]
pub struct ValidationErrorItem {
    /// Error type, e.g. `greater_than_equal`, `int_parsing`.
    #[serde(rename = "type")]
    pub r#type: String,
    /// Location, e.g. `["query", "limit"]`.
    pub loc: Vec<LocItem>,
    /// Message.
    pub msg: String,
    /// The offending input (query values are strings).
    pub input: Value,
    /// Constraint context, e.g. `{"ge": 1}`; absent for parse errors.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub ctx: Option<Value>,
}

/// One element of a validation error location.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(untagged)]
#[schemars(inline)]
pub enum LocItem {
    /// A field or parameter name.
    Str(String),
    /// An array index.
    Int(i64),
}

/// One event type of `GET /v1/audit/catalog`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[schemars(rename = "AuditCatalogEntry")]
pub struct CatalogEntry {
    /// Event group.
    pub event_group: String,
    /// Event type.
    pub event_type: String,
    /// Human description.
    pub description: String,
}

/// `GET /v1/audit/catalog` body. **Unconfirmed shape**: the seed does not document the
/// catalog endpoint; this mirrors the list envelope (`{"items": [...]}`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[schemars(rename = "AuditCatalog")]
pub struct Catalog {
    /// The known event types.
    pub items: Vec<CatalogEntry>,
}

#[cfg(test)]
#[path = "instavm_tests.rs"]
mod tests;
