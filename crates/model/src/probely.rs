//! Probely (web scanner): `GET /events/{id}/` and the event list.
//!
//! The seed types `content` as a string; the real API sends an object of the type named by
//! `object_type`. The four content objects are modelled on Probely's public API objects
//! (user, target, scan, finding), trimmed to their most common fields.

use std::borrow::Cow;

use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

/// One account event, in the field order of Probely's documentation.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
pub struct Event {
    /// Base58 identifier, 12 characters (e.g. `8C5DbAFNbTDN`).
    pub id: String,
    /// What happened.
    pub event_type: EventType,
    /// When it happened, e.g. `2022-05-16T11:50:53.914329Z`.
    #[serde(deserialize_with = "crate::timestamp::rfc3339")]
    #[schemars(extend("format" = "date-time"))]
    pub occurred_at: String,
    /// The type of object in `content`; always `event_type.object_type()`.
    pub object_type: ObjectType,
    /// The object the event is about.
    pub content: Content,
    /// Webhook deliveries of the event.
    pub webhooks: Vec<Webhook>,
}

/// Probely event types (the 12 values of the seed page).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "snake_case")]
pub enum EventType {
    /// `user_created`: User Created.
    UserCreated,
    /// `user_deleted`: User Deleted.
    UserDeleted,
    /// `target_created`: Target Created.
    TargetCreated,
    /// `target_deleted`: Target Deleted.
    TargetDeleted,
    /// `target_verified`: Target Verified.
    TargetVerified,
    /// `target_verification_failed`: Target Verification Failed.
    TargetVerificationFailed,
    /// `scan_started`: Scan Started.
    ScanStarted,
    /// `scan_canceled`: Scan Canceled.
    ScanCanceled,
    /// `scan_completed`: Scan Completed.
    ScanCompleted,
    /// `scan_failed`: Scan Failed.
    ScanFailed,
    /// `finding_detected`: Finding Detected.
    FindingDetected,
    /// `finding_fixed`: Finding Fixed.
    FindingFixed,
}

impl EventType {
    /// Every event type, in the seed's order.
    pub const ALL: [EventType; 12] = [
        EventType::UserCreated,
        EventType::UserDeleted,
        EventType::TargetCreated,
        EventType::TargetDeleted,
        EventType::TargetVerified,
        EventType::TargetVerificationFailed,
        EventType::ScanStarted,
        EventType::ScanCanceled,
        EventType::ScanCompleted,
        EventType::ScanFailed,
        EventType::FindingDetected,
        EventType::FindingFixed,
    ];

    /// The wire string, e.g. `scan_started`.
    pub const fn as_str(self) -> &'static str {
        match self {
            EventType::UserCreated => "user_created",
            EventType::UserDeleted => "user_deleted",
            EventType::TargetCreated => "target_created",
            EventType::TargetDeleted => "target_deleted",
            EventType::TargetVerified => "target_verified",
            EventType::TargetVerificationFailed => "target_verification_failed",
            EventType::ScanStarted => "scan_started",
            EventType::ScanCanceled => "scan_canceled",
            EventType::ScanCompleted => "scan_completed",
            EventType::ScanFailed => "scan_failed",
            EventType::FindingDetected => "finding_detected",
            EventType::FindingFixed => "finding_fixed",
        }
    }

    /// The object type that an event of this type carries in `content`.
    pub const fn object_type(self) -> ObjectType {
        match self {
            EventType::UserCreated | EventType::UserDeleted => ObjectType::User,
            EventType::TargetCreated
            | EventType::TargetDeleted
            | EventType::TargetVerified
            | EventType::TargetVerificationFailed => ObjectType::Target,
            EventType::ScanStarted
            | EventType::ScanCanceled
            | EventType::ScanCompleted
            | EventType::ScanFailed => ObjectType::Scan,
            EventType::FindingDetected | EventType::FindingFixed => ObjectType::Finding,
        }
    }
}

/// The type of object in an event's `content`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "snake_case")]
pub enum ObjectType {
    /// `user`.
    User,
    /// `target`.
    Target,
    /// `scan`.
    Scan,
    /// `finding`.
    Finding,
}

impl ObjectType {
    /// Every object type.
    pub const ALL: [ObjectType; 4] = [
        ObjectType::User,
        ObjectType::Target,
        ObjectType::Scan,
        ObjectType::Finding,
    ];

    /// The wire string, e.g. `finding`.
    pub const fn as_str(self) -> &'static str {
        match self {
            ObjectType::User => "user",
            ObjectType::Target => "target",
            ObjectType::Scan => "scan",
            ObjectType::Finding => "finding",
        }
    }
}

/// The content of an event: one of four objects, told apart by their fields.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(untagged)]
pub enum Content {
    /// A user of the account.
    User(User),
    /// A scan target.
    Target(Target),
    /// A scan of a target.
    Scan(Scan),
    /// A vulnerability finding.
    Finding(Finding),
}

impl Content {
    /// The object type of this content.
    pub const fn object_type(&self) -> ObjectType {
        match self {
            Content::User(_) => ObjectType::User,
            Content::Target(_) => ObjectType::Target,
            Content::Scan(_) => ObjectType::Scan,
            Content::Finding(_) => ObjectType::Finding,
        }
    }
}

/// A user of the account.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct User {
    /// Base58 identifier.
    pub id: String,
    /// Login e-mail address.
    pub email: String,
    /// Display name.
    pub name: String,
    /// Account role, e.g. `admin` or `user`.
    pub role: String,
    /// Whether the user may log in.
    pub is_active: bool,
    /// When the user joined, ISO 8601 UTC.
    #[serde(deserialize_with = "crate::timestamp::rfc3339")]
    #[schemars(extend("format" = "date-time"))]
    pub date_joined: String,
}

/// A web site (or API) as configured on a target.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Site {
    /// Base58 identifier.
    pub id: String,
    /// Human name of the site.
    pub name: String,
    /// Free-text description.
    pub desc: String,
    /// Base URL that is scanned.
    pub url: String,
    /// Host part of `url`.
    pub host: String,
    /// Whether ownership of the site was verified.
    pub verified: bool,
}

/// A scan target.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Target {
    /// Base58 identifier.
    pub id: String,
    /// The site that is scanned.
    pub site: Site,
    /// `single` (web application) or `api`.
    #[serde(rename = "type")]
    pub r#type: String,
    /// Overall risk: 10 (low), 20 (medium), 30 (high), or null before the first scan.
    pub risk: Option<i32>,
    /// Number of open low-severity findings.
    pub lows: u32,
    /// Number of open medium-severity findings.
    pub mediums: u32,
    /// Number of open high-severity findings.
    pub highs: u32,
}

/// A short reference to a site, as nested in scans and findings.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct SiteRef {
    /// Base58 identifier.
    pub id: String,
    /// Human name of the site.
    pub name: String,
    /// Base URL of the site.
    pub url: String,
}

/// A short reference to a target, as nested in scans and findings.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct TargetRef {
    /// Base58 identifier of the target.
    pub id: String,
    /// The target's site.
    pub site: SiteRef,
}

/// A scan of a target.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Scan {
    /// Base58 identifier.
    pub id: String,
    /// The scanned target.
    pub target: TargetRef,
    /// `queued`, `started`, `completed`, `canceled`, `canceling`, `failed`, `paused`, ...
    pub status: Cow<'static, str>,
    /// When the scan was created, ISO 8601 UTC.
    #[serde(deserialize_with = "crate::timestamp::rfc3339")]
    #[schemars(extend("format" = "date-time"))]
    pub created: String,
    /// When the scan started, or null while queued.
    #[serde(default, deserialize_with = "crate::timestamp::rfc3339_or_null")]
    #[schemars(extend("format" = "date-time"))]
    pub started: Option<String>,
    /// When the scan ended, or null while running.
    #[serde(default, deserialize_with = "crate::timestamp::rfc3339_or_null")]
    #[schemars(extend("format" = "date-time"))]
    pub completed: Option<String>,
    /// Number of low-severity findings.
    pub lows: u32,
    /// Number of medium-severity findings.
    pub mediums: u32,
    /// Number of high-severity findings.
    pub highs: u32,
}

/// The vulnerability definition of a finding.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Definition {
    /// Base58 identifier.
    pub id: String,
    /// Vulnerability name, e.g. `SQL Injection`.
    pub name: Cow<'static, str>,
}

/// A vulnerability finding.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Finding {
    /// Integer identifier (Probely numbers findings per target).
    pub id: u64,
    /// The target the finding belongs to.
    pub target: TargetRef,
    /// The vulnerability.
    pub definition: Definition,
    /// URL where it was found.
    pub url: String,
    /// Severity: 10 (low), 20 (medium), 30 (high).
    pub severity: i32,
    /// `notfixed`, `invalid`, `accepted` or `fixed`.
    pub state: Cow<'static, str>,
    /// When it was first found, ISO 8601 UTC.
    #[serde(deserialize_with = "crate::timestamp::rfc3339")]
    #[schemars(extend("format" = "date-time"))]
    pub first_found: String,
    /// When it was last found, ISO 8601 UTC.
    #[serde(deserialize_with = "crate::timestamp::rfc3339")]
    #[schemars(extend("format" = "date-time"))]
    pub last_found: String,
}

/// One webhook delivery of an event.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
pub struct Webhook {
    /// Base58 identifier of the webhook.
    pub id: String,
    /// API version of the payload.
    pub api_version: ApiVersion,
    /// Delivery status.
    pub status: WebhookStatus,
    /// When the next delivery attempt is due.
    pub next_try: String,
    /// Number of retries so far (int32).
    pub retries: i32,
}

/// Webhook API version (only `v1` exists).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, JsonSchema)]
pub enum ApiVersion {
    /// `v1`.
    #[serde(rename = "v1")]
    V1,
}

/// Delivery status of a webhook.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "snake_case")]
pub enum WebhookStatus {
    /// `scheduled`.
    Scheduled,
    /// `succeeded`.
    Succeeded,
    /// `rescheduled`.
    Rescheduled,
    /// `failed`.
    Failed,
}

impl WebhookStatus {
    /// Every status.
    pub const ALL: [WebhookStatus; 4] = [
        WebhookStatus::Scheduled,
        WebhookStatus::Succeeded,
        WebhookStatus::Rescheduled,
        WebhookStatus::Failed,
    ];

    /// The wire string.
    pub const fn as_str(self) -> &'static str {
        match self {
            WebhookStatus::Scheduled => "scheduled",
            WebhookStatus::Succeeded => "succeeded",
            WebhookStatus::Rescheduled => "rescheduled",
            WebhookStatus::Failed => "failed",
        }
    }
}

/// The list envelope of `GET /events/` (path and envelope unconfirmed; Probely's list shape).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
pub struct EventList {
    /// Total number of events matching.
    pub count: u64,
    /// Number of pages.
    pub page_total: u64,
    /// Current page, from 1.
    pub page: u64,
    /// Page size.
    pub length: u64,
    /// The events of this page.
    pub results: Vec<Event>,
}

/// Django REST Framework error body, e.g. `{"detail":"Not found."}`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
pub struct ErrorBody {
    /// Human-readable message.
    pub detail: String,
}

#[cfg(test)]
#[path = "probely_tests.rs"]
mod tests;
