//! [`EventType`]: Cloud Foundry v2 audit event types, open-ended.

use std::borrow::Cow;
use std::fmt;

use schemars::{JsonSchema, Schema, SchemaGenerator};

use serde::{Deserialize, Deserializer, Serialize, Serializer};
use serde_json::{Map, Value};

macro_rules! cf_event_types {
    ($($variant:ident = $wire:literal;)*) => {
        /// A Cloud Foundry event type. Known types are variants; anything else (the seed's
        /// example uses `name-1`) is kept verbatim in [`EventType::Other`].
        #[derive(Debug, Clone, PartialEq, Eq, Hash)]
        pub enum EventType {
            $(
                #[doc = concat!("`", $wire, "`.")]
                $variant,
            )*
            /// Any other type string.
            Other(String),
        }

        impl EventType {
            /// Every known type (excludes [`EventType::Other`]).
            pub const KNOWN: &'static [EventType] = &[$(EventType::$variant),*];

            /// The wire string.
            pub fn as_str(&self) -> &str {
                match self {
                    $(EventType::$variant => $wire,)*
                    EventType::Other(s) => s,
                }
            }

            /// Parses a wire string; unknown strings become [`EventType::Other`].
            pub fn from_wire(s: &str) -> EventType {
                match s {
                    $($wire => EventType::$variant,)*
                    other => EventType::Other(other.to_owned()),
                }
            }
        }
    };
}

cf_event_types! {
    AppCrash = "app.crash";
    AuditAppCreate = "audit.app.create";
    AuditAppUpdate = "audit.app.update";
    AuditAppDeleteRequest = "audit.app.delete-request";
    AuditAppStart = "audit.app.start";
    AuditAppStop = "audit.app.stop";
    AuditAppRestage = "audit.app.restage";
    AuditAppSshAuthorized = "audit.app.ssh-authorized";
    AuditAppSshUnauthorized = "audit.app.ssh-unauthorized";
    AuditAppMapRoute = "audit.app.map-route";
    AuditAppUnmapRoute = "audit.app.unmap-route";
    AuditAppUploadBits = "audit.app.upload-bits";
    AuditAppCopyBits = "audit.app.copy-bits";
    AuditAppDropletMapped = "audit.app.droplet.mapped";
    AuditAppProcessCrash = "audit.app.process.crash";
    AuditAppProcessScale = "audit.app.process.scale";
    AuditSpaceCreate = "audit.space.create";
    AuditSpaceUpdate = "audit.space.update";
    AuditSpaceDeleteRequest = "audit.space.delete-request";
    AuditOrganizationCreate = "audit.organization.create";
    AuditOrganizationUpdate = "audit.organization.update";
    AuditRouteCreate = "audit.route.create";
    AuditRouteUpdate = "audit.route.update";
    AuditRouteDeleteRequest = "audit.route.delete-request";
    AuditServiceInstanceCreate = "audit.service_instance.create";
    AuditServiceInstanceUpdate = "audit.service_instance.update";
    AuditServiceInstanceDelete = "audit.service_instance.delete";
    AuditServiceBindingCreate = "audit.service_binding.create";
    AuditServiceBindingDelete = "audit.service_binding.delete";
    AuditServiceKeyCreate = "audit.service_key.create";
    AuditUserProvidedServiceInstanceCreate = "audit.user_provided_service_instance.create";
    AuditUserSpaceDeveloperAdd = "audit.user.space_developer_add";
    AuditUserSpaceDeveloperRemove = "audit.user.space_developer_remove";
    AuditUserSpaceManagerAdd = "audit.user.space_manager_add";
    AuditUserOrganizationUserAdd = "audit.user.organization_user_add";
}

impl fmt::Display for EventType {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl Serialize for EventType {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.serialize_str(self.as_str())
    }
}

impl<'de> Deserialize<'de> for EventType {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        let s = String::deserialize(deserializer)?;
        Ok(EventType::from_wire(&s))
    }
}

/// A string schema: any type string is accepted (CF has many more types than are modelled,
/// and [`EventType::Other`] keeps them), the known ones are listed as `examples`.
impl JsonSchema for EventType {
    fn schema_name() -> Cow<'static, str> {
        Cow::Borrowed("EventType")
    }

    fn json_schema(_generator: &mut SchemaGenerator) -> Schema {
        let examples = EventType::KNOWN
            .iter()
            .map(|t| Value::String(t.as_str().to_owned()))
            .collect();
        let mut schema = Map::new();
        schema.insert("type".to_owned(), Value::String("string".to_owned()));
        schema.insert(
            "description".to_owned(),
            Value::String(
                "A Cloud Foundry event type; any string is accepted, the known ones are listed \
                 as examples."
                    .to_owned(),
            ),
        );
        schema.insert("examples".to_owned(), Value::Array(examples));
        Schema::from(schema)
    }
}
