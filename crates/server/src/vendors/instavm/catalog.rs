//! `GET /v1/audit/catalog`: the event types the generator produces
//! (`eventmock_fake::vendors::instavm::CATALOG`), with a human description each.

use eventmock_fake::vendors::instavm::CATALOG;
use eventmock_model::instavm::{Catalog, CatalogEntry};

/// Descriptions by event type; a type missing here gets a generic one.
const DESCRIPTIONS: &[(&str, &str)] = &[
    ("auth.login", "User logged in"),
    ("auth.logout", "User logged out"),
    ("auth.api_key.create", "API key created"),
    ("auth.api_key.revoke", "API key revoked"),
    ("vm.create", "Virtual machine created"),
    ("vm.start", "Virtual machine started"),
    ("vm.stop", "Virtual machine stopped"),
    ("vm.delete", "Virtual machine deleted"),
    ("vm.snapshot", "Virtual machine snapshot taken"),
    ("session.create", "Session created"),
    ("session.close", "Session closed"),
    ("execution.run", "Code executed synchronously"),
    (
        "execution.async_run",
        "Code execution queued asynchronously",
    ),
    ("file.upload", "File uploaded to a VM"),
    ("file.download", "File downloaded from a VM"),
    ("billing.usage_recorded", "Usage recorded for billing"),
];

/// The catalog, in the generator's table order.
pub fn catalog() -> Catalog {
    Catalog {
        items: CATALOG
            .iter()
            .map(|&(group, event_type, method, template, _)| CatalogEntry {
                event_group: group.to_owned(),
                event_type: event_type.to_owned(),
                description: DESCRIPTIONS
                    .iter()
                    .find(|(t, _)| *t == event_type)
                    .map_or_else(|| format!("{method} {template}"), |(_, d)| (*d).to_owned()),
            })
            .collect(),
    }
}

#[cfg(test)]
mod tests {
    #[test]
    fn every_generated_type_has_a_description() {
        for (_, t, ..) in super::CATALOG {
            assert!(super::DESCRIPTIONS.iter().any(|(d, _)| d == t), "{t}");
        }
    }
}
