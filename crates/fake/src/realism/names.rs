//! Names real systems carry: applications and services as platform teams name them, web
//! properties as security teams list them, and the objects of an identity provider.

/// Business capabilities applications are named after.
pub const DOMAINS: &[&str] = &[
    "checkout",
    "billing",
    "payments",
    "orders",
    "inventory",
    "catalog",
    "search",
    "accounts",
    "notifications",
    "reporting",
    "analytics",
    "ledger",
    "shipping",
    "pricing",
    "recommendations",
    "media",
    "onboarding",
    "identity",
    "customer-portal",
    "partner",
];

/// What kind of process an application is.
pub const APP_KINDS: &[&str] = &[
    "api",
    "web",
    "worker",
    "scheduler",
    "frontend",
    "service",
    "ingest",
    "admin",
];

/// Backing services bound to applications (suffixes of service instance names).
pub const SERVICE_KINDS: &[&str] = &["db", "cache", "queue", "search", "bucket", "smtp"];

/// Cloud Foundry space names.
pub const SPACES: &[&str] = &["production", "staging", "development"];

/// Host names of a company's web properties, with the name a security team gives each.
pub const SITES: &[(&str, &str)] = &[
    ("www", "Public website"),
    ("app", "Customer web app"),
    ("api", "Public API"),
    ("shop", "Online shop"),
    ("portal", "Partner portal"),
    ("admin", "Admin console"),
    ("login", "Single sign-on"),
    ("staging", "Staging web app"),
    ("docs", "Documentation"),
    ("status", "Status page"),
    ("support", "Help center"),
    ("m", "Mobile site"),
    ("vpn", "Remote access VPN"),
    ("mail", "Webmail"),
];

/// Applications teams put behind an identity provider.
pub const APPLICATIONS: &[&str] = &[
    "Grafana",
    "GitLab",
    "Argo CD",
    "HashiCorp Vault",
    "Jira",
    "Confluence",
    "Nextcloud",
    "Sentry",
    "Kibana",
    "Harbor",
    "Portainer",
    "Zammad",
    "Outline",
    "Jenkins",
];

/// Groups of an identity provider.
pub const GROUPS: &[&str] = &[
    "authentik Admins",
    "Engineering",
    "SRE on-call",
    "Support",
    "Finance",
    "Contractors",
    "Security",
    "Sales",
];

/// Flows of an authentik installation (slugs of the default blueprints and common custom ones).
pub const FLOWS: &[&str] = &[
    "default-authentication-flow",
    "default-invalidation-flow",
    "default-enrollment-flow",
    "default-recovery-flow",
    "default-provider-authorization-implicit-consent",
    "default-user-settings-flow",
    "mfa-enrollment",
];

/// Expression policies people write.
pub const POLICIES: &[&str] = &[
    "require-mfa-for-admins",
    "block-anonymous-vpn",
    "engineering-only",
    "office-hours",
    "default-password-complexity",
];

/// authentik outposts.
pub const OUTPOSTS: &[&str] = &[
    "authentik Embedded Outpost",
    "k8s-proxy-outpost",
    "ldap-outpost",
];

/// A stage of the default flows.
pub const STAGES: &[&str] = &[
    "default-authentication-password",
    "default-authentication-mfa-validation",
    "default-authentication-identification",
];

/// API tokens' identifiers.
pub const TOKENS: &[&str] = &[
    "ci-deploy",
    "terraform",
    "grafana-sync",
    "backup-job",
    "siem-collector",
];

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn no_lorem_ipsum() {
        let lorem = ["lorem", "ipsum", "dolor", "numquam", "possimus", "voluptas"];
        for table in [
            DOMAINS,
            APP_KINDS,
            APPLICATIONS,
            GROUPS,
            FLOWS,
            POLICIES,
            TOKENS,
        ] {
            for name in table {
                assert!(!lorem.iter().any(|l| name.contains(l)), "{name}");
            }
        }
    }
}
