//! [`EventAction`]: the `EventActions` enum of authentik's 2026 schema.

use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

use super::ActionType;

macro_rules! event_actions {
    ($($variant:ident = $wire:literal, $label:literal;)*) => {
        /// An authentik event action (38 values in the 2026 schema).
        ///
        /// `custom_` is the prefix of custom actions; only the bare prefix is modelled.
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, JsonSchema)]
        #[schemars(rename = "EventActions")]
        pub enum EventAction {
            $(
                #[doc = concat!("`", $wire, "`: ", $label, ".")]
                #[serde(rename = $wire)]
                $variant,
            )*
        }

        impl EventAction {
            /// Every action, in the schema's order.
            pub const ALL: [EventAction; [$($wire),*].len()] = [$(EventAction::$variant),*];

            /// The wire string, e.g. `login_failed`.
            pub const fn as_str(self) -> &'static str {
                match self {
                    $(EventAction::$variant => $wire,)*
                }
            }

            /// authentik's label (Django `TextChoices` label), e.g. `Login Failed`.
            pub const fn label(self) -> &'static str {
                match self {
                    $(EventAction::$variant => $label,)*
                }
            }
        }
    };
}

event_actions! {
    Login = "login", "Login";
    LoginFailed = "login_failed", "Login Failed";
    Logout = "logout", "Logout";
    UserWrite = "user_write", "User Write";
    UserOffboarded = "user_offboarded", "User Offboarded";
    SuspiciousRequest = "suspicious_request", "Suspicious Request";
    PasswordSet = "password_set", "Password Set";
    SecretView = "secret_view", "Secret View";
    SecretRotate = "secret_rotate", "Secret Rotate";
    InvitationUsed = "invitation_used", "Invite Used";
    AuthorizeApplication = "authorize_application", "Authorize Application";
    SourceLinked = "source_linked", "Source Linked";
    ImpersonationStarted = "impersonation_started", "Impersonation Started";
    ImpersonationEnded = "impersonation_ended", "Impersonation Ended";
    FlowExecution = "flow_execution", "Flow Execution";
    PolicyExecution = "policy_execution", "Policy Execution";
    PolicyException = "policy_exception", "Policy Exception";
    PropertyMappingException = "property_mapping_exception", "Property Mapping Exception";
    SystemTaskExecution = "system_task_execution", "System Task Execution";
    SystemTaskException = "system_task_exception", "System Task Exception";
    SystemException = "system_exception", "System Exception";
    ConfigurationError = "configuration_error", "Configuration Error";
    ConfigurationWarning = "configuration_warning", "Configuration Warning";
    ModelCreated = "model_created", "Model Created";
    ModelUpdated = "model_updated", "Model Updated";
    ModelDeleted = "model_deleted", "Model Deleted";
    EmailSent = "email_sent", "Email Sent";
    UpdateAvailable = "update_available", "Update Available";
    ExportReady = "export_ready", "Export Ready";
    ReviewInitiated = "review_initiated", "Review Initiated";
    ReviewOverdue = "review_overdue", "Review Overdue";
    ReviewAttested = "review_attested", "Review Attested";
    ReviewCompleted = "review_completed", "Review Completed";
    AccessRequestCreated = "access_request_created", "Access Request Created";
    AccessRequestApproved = "access_request_approved", "Access Request Approved";
    AccessRequestDenied = "access_request_denied", "Access Request Denied";
    AccessRequestRevoked = "access_request_revoked", "Access Request Revoked";
    CustomPrefix = "custom_", "Custom Prefix";
}

impl EventAction {
    /// The `component` of the actions endpoint: the action value itself.
    pub const fn component(self) -> &'static str {
        self.as_str()
    }

    /// The item authentik's `GET /events/events/actions/` returns for this action:
    /// `name` = label, `component` = value, empty `description` and `model_name`.
    pub fn action_type(self) -> ActionType {
        ActionType {
            name: self.label().to_owned(),
            description: String::new(),
            component: self.component().to_owned(),
            model_name: String::new(),
            icon_url: None,
            requires_enterprise: false,
            deprecated: false,
        }
    }
}
