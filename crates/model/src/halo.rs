//! Halo Security (attack surface): `GET /api/v1/event/{list,get,delete,types}.json`.

use schemars::JsonSchema;
use serde::{Deserialize, Serialize};
use serde_json::Value;

mod types;

pub use types::{CONFIRMED_SUBJECTS, EVENT_TYPES};

/// One event, in the field order of Halo's examples.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
pub struct Event {
    /// 49 characters: `YYYYMMDDhhmmss` + 35 hex digits.
    pub event_id: String,
    /// Human subject, e.g. `Scan Started`.
    pub subject: String,
    /// Creation time, `YYYY-MM-DD HH:MM`.
    #[serde(deserialize_with = "crate::timestamp::halo_minutes")]
    #[schemars(regex(pattern = crate::timestamp::HALO_MINUTES_PATTERN))]
    pub date_created: String,
    /// Event key, e.g. `target-scan-start`.
    pub key: String,
    /// `https://www.halosecurity.com/link?q=user-event&id=<event_id>`.
    pub url: String,
    /// The target the event is about.
    pub target: Target,
}

/// The target of an event.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
pub struct Target {
    /// User-given target name (often empty).
    pub target_name: String,
    /// Numeric target id.
    pub target_id: i64,
    /// Host name or IP address.
    pub target: String,
}

/// One item of `list.json`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
pub struct ListItem {
    /// The event.
    pub event: Event,
}

/// `list.json`: `{"list": [...]}`, optionally with Halo's generic `request` echo and
/// `pagination` block (both unconfirmed for events; omitted when `None`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
pub struct EventList {
    /// The events.
    pub list: Vec<ListItem>,
    /// Echo of the request parameters.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub request: Option<Value>,
    /// Paging information.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub pagination: Option<Pagination>,
}

/// Halo's generic pagination block.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
pub struct Pagination {
    /// Total number of matching items.
    pub total: u64,
    /// Offset of the first item.
    pub start: u64,
    /// Page size.
    pub limit: u64,
}

/// `get.json`: `{"success": 1, "event": {...}}`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
pub struct GetResponse {
    /// Always 1.
    pub success: i64,
    /// The event.
    pub event: Event,
}

/// `delete.json`: `{"success": 1}`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
pub struct DeleteResponse {
    /// Always 1.
    pub success: i64,
}

/// One item of `types.json`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
pub struct EventTypeEntry {
    /// Human subject, e.g. `API Key Added`.
    pub subject: String,
    /// Event key, e.g. `account-apikey-add`.
    pub key: String,
}

/// `types.json`: `{"list": [{"subject", "key"}]}`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
pub struct TypesResponse {
    /// The event types.
    pub list: Vec<EventTypeEntry>,
}

impl TypesResponse {
    /// The full list built from [`EVENT_TYPES`].
    pub fn all() -> Self {
        TypesResponse {
            list: EVENT_TYPES
                .iter()
                .map(|&(key, subject)| EventTypeEntry {
                    subject: subject.to_owned(),
                    key: key.to_owned(),
                })
                .collect(),
        }
    }
}

/// Error body, e.g. `{"code": 404, "message": "event not found"}`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
pub struct ErrorBody {
    /// `0` for a missing parameter, `404` for an unknown event.
    pub code: i64,
    /// Human-readable message.
    pub message: String,
}

#[cfg(test)]
#[path = "halo_tests.rs"]
mod tests;
