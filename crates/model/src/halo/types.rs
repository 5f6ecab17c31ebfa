//! [`EVENT_TYPES`]: Halo Security's event keys and subjects.

/// Halo's event types as `(key, subject)`, in the order of Halo's "Events (Archive)" page.
///
/// Provenance (see the crate report):
/// - **Subjects** of the first 44 entries (up to `Monitored Website Download Changed`), and their order, are confirmed from Halo's events
///   page (the same subject appears once per asset kind: domain, network, target).
/// - **Keys** confirmed from Halo's pages: `account-apikey-add`, `account-user-add`,
///   `domain-add`, `target-scan-start`, `website-cookie-monitor-change`,
///   `website-script-monitor-change`; the `domain-host-` prefix is confirmed too.
/// - All other keys are **inferred** from the naming scheme (`<asset>-<thing>-<verb>`), and
///   the entries after `Monitored Website Download Changed` (scripts, forms, headers,
///   traffic hosts, dark web) are **inferred** from Halo's product areas.
pub const EVENT_TYPES: &[(&str, &str)] = &[
    ("account-apikey-add", "API Key Added"),
    ("account-user-add", "User Added"),
    ("domain-add", "Domain Added"),
    ("domain-host-add", "New Domain Host Discovered"),
    ("domain-scan-complete", "Scan Complete"),
    ("domain-scan-complete-first", "First Scan Complete"),
    ("domain-scan-start", "Scan Started"),
    ("domain-tld-add", "New Domain TLD Discovered"),
    (
        "firewall-port-banner-change",
        "Firewall Port Banner Changed",
    ),
    ("firewall-port-open", "Firewall Port Opened"),
    ("issue-add", "New Issue Detected"),
    ("network-add", "Network Added"),
    ("network-ip-add", "New Network IP Discovered"),
    ("network-ip-offline", "Network IP Offline"),
    ("network-port-add", "New Network Port Discovered"),
    ("network-port-close", "Network Port Closed"),
    ("network-scan-complete", "Scan Complete"),
    ("network-scan-complete-first", "First Scan Complete"),
    ("network-scan-start", "Scan Started"),
    ("pci-report-approve", "PCI Report Approved"),
    ("pci-report-expire", "PCI Report Has Expired"),
    ("pci-report-expire-soon", "PCI Report Expires Soon"),
    ("pci-report-expire-today", "PCI Report Expires Today"),
    ("pci-report-reject", "PCI Report Rejected"),
    ("project-engineer-assign", "Project Engineer Assigned"),
    ("project-file-attach", "Project File Attached"),
    ("project-state-change", "Project State Changed"),
    ("target-add", "Target Added"),
    ("target-scan-fail", "Scan Failed"),
    ("target-scan-complete", "Scan Complete"),
    ("target-scan-complete-first", "First Scan Complete"),
    ("target-scan-start", "Scan Started"),
    ("technology-add", "New Technology"),
    ("technology-add-first", "New Technology (First Scan)"),
    ("website-cert-expired", "SSL Certificate Expired"),
    ("website-cert-expiring", "SSL Certificate Expiring"),
    ("website-cert-new-country", "SSL Certificate New Country"),
    ("website-cert-new-issuer", "SSL Certificate New Issuer"),
    ("website-cert-risk", "SSL Certificate Risk"),
    (
        "website-cookie-monitor-change",
        "Monitored Website Cookie Changed",
    ),
    ("website-cookie-new-country", "Website Cookie New Country"),
    ("website-cookie-out-of-scope", "Website Cookie Out-of-Scope"),
    ("website-cookie-risk", "Website Cookie Risk"),
    (
        "website-download-monitor-change",
        "Monitored Website Download Changed",
    ),
    (
        "website-download-new-country",
        "Website Download New Country",
    ),
    (
        "website-download-out-of-scope",
        "Website Download Out-of-Scope",
    ),
    ("website-download-risk", "Website Download Risk"),
    (
        "website-form-monitor-change",
        "Monitored Website Form Changed",
    ),
    ("website-form-risk", "Website Form Risk"),
    (
        "website-header-monitor-change",
        "Monitored Website Header Changed",
    ),
    ("website-header-risk", "Website Header Risk"),
    (
        "website-link-monitor-change",
        "Monitored Website Link Changed",
    ),
    (
        "website-script-monitor-change",
        "Monitored Website Script Changed",
    ),
    ("website-script-new-country", "Website Script New Country"),
    ("website-script-out-of-scope", "Website Script Out-of-Scope"),
    ("website-script-risk", "Website Script Risk"),
    (
        "website-traffic-new-country",
        "Website Traffic Host New Country",
    ),
    (
        "website-traffic-out-of-scope",
        "Website Traffic Host Out-of-Scope",
    ),
    ("website-traffic-risk", "Website Traffic Host Risk"),
    ("darkweb-leak-add", "New Dark Web Leak Detected"),
];

/// Number of leading entries of [`EVENT_TYPES`] whose subject is confirmed by Halo's page.
pub const CONFIRMED_SUBJECTS: usize = 44;
