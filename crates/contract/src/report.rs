//! `eventmock verify`: a vendor's checks against a live server, as a drift report and as
//! JUnit XML for CI.

use std::fmt::Write as _;

use eventmock_model::Vendor;
use eventmock_scenario::Scenario;

use crate::checks::{Outcome, Runner, Target};
use crate::transport::Transport;
use crate::validate::Validator;

/// The embedded shipped scenario of each vendor: its checks are what `verify` runs by default.
pub fn shipped_scenario(vendor: Vendor) -> (&'static str, &'static str) {
    match vendor {
        Vendor::Probely => (
            "scenarios/probely.yaml",
            include_str!("../../../scenarios/probely.yaml"),
        ),
        Vendor::Authentik => (
            "scenarios/authentik.yaml",
            include_str!("../../../scenarios/authentik.yaml"),
        ),
        Vendor::Halo => (
            "scenarios/halo.yaml",
            include_str!("../../../scenarios/halo.yaml"),
        ),
        Vendor::Instavm => (
            "scenarios/instavm.yaml",
            include_str!("../../../scenarios/instavm.yaml"),
        ),
        Vendor::CloudFoundry => (
            "scenarios/cf.yaml",
            include_str!("../../../scenarios/cf.yaml"),
        ),
    }
}

/// Runs `scenario`'s checks of `vendor` through `transport` as a live run (`mock_only` checks
/// skipped), with `token` for `{token}`.
pub fn verify(
    scenario: &Scenario,
    vendor: Vendor,
    transport: &dyn Transport,
    token: &str,
    validator: &Validator,
) -> Vec<Outcome> {
    let target = Target {
        vendor,
        prefix: String::new(),
        port: None,
        token: token.to_owned(),
    };
    let mut runner = Runner::new(transport, validator, target);
    scenario
        .checks
        .iter()
        .filter(|c| c.vendor == vendor)
        .map(|c| runner.run(c, true))
        .collect()
}

/// The human report: one line per check, the differences under it, then a summary.
pub fn text(vendor: Vendor, base_url: &str, outcomes: &[Outcome]) -> String {
    let mut out = format!("drift report: {vendor} at {base_url}\n");
    for o in outcomes {
        let status = o
            .answer
            .as_ref()
            .map_or("-".into(), |a| a.status.to_string());
        let verdict = if o.skipped {
            "SKIP"
        } else if o.passed() {
            "ok  "
        } else {
            "DRIFT"
        };
        let _ = writeln!(
            out,
            "{verdict} {:<40} {} {} → {status}",
            o.name, o.request.method, o.request.target
        );
        for f in &o.failures {
            let _ = writeln!(out, "       [{}] {}", f.kind.as_str(), f.message);
        }
    }
    let drift = outcomes.iter().filter(|o| !o.passed()).count();
    let skipped = outcomes.iter().filter(|o| o.skipped).count();
    let _ = writeln!(
        out,
        "{} checks: {} ok, {drift} drifted, {skipped} skipped (mock only)",
        outcomes.len(),
        outcomes.len() - drift - skipped
    );
    out
}

fn xml_escape(s: &str) -> String {
    s.replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
        .replace('"', "&quot;")
}

/// JUnit XML: one test case per check, a failure per drifted check, skipped ones marked.
pub fn junit(vendor: Vendor, outcomes: &[Outcome]) -> String {
    let failures = outcomes.iter().filter(|o| !o.passed()).count();
    let skipped = outcomes.iter().filter(|o| o.skipped).count();
    let mut out = String::from("<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n");
    let _ = writeln!(
        out,
        "<testsuite name=\"eventmock-verify-{vendor}\" tests=\"{}\" failures=\"{failures}\" skipped=\"{skipped}\">",
        outcomes.len()
    );
    for o in outcomes {
        let _ = write!(
            out,
            "  <testcase classname=\"{vendor}\" name=\"{}\"",
            xml_escape(&o.name)
        );
        if o.skipped {
            out.push_str("><skipped message=\"mock only\"/></testcase>\n");
        } else if o.passed() {
            out.push_str("/>\n");
        } else {
            let summary = o
                .failures
                .iter()
                .map(|f| format!("[{}] {}", f.kind.as_str(), f.message))
                .collect::<Vec<_>>()
                .join("\n");
            let first = o
                .failures
                .first()
                .map_or(String::new(), |f| f.message.clone());
            let _ = writeln!(
                out,
                "><failure message=\"{}\">{}</failure></testcase>",
                xml_escape(&first),
                xml_escape(&summary)
            );
        }
    }
    out.push_str("</testsuite>\n");
    out
}
