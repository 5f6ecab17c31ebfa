//! `eventmock verify`: a vendor's checks against a live server, as a drift report and as
//! JUnit XML for CI.

use std::fmt::Write as _;

use eventmock_model::Vendor;
use eventmock_scenario::{Check, Scenario};

use crate::checks::{Outcome, Runner, Target, auth_header, list_path};
use crate::transport::{Request, Transport};
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

/// A credential no server should accept; `verify` sends it once to learn whether the server
/// rejects unknown credentials at all.
pub const MADE_UP_TOKEN: &str = "eventmock-verify-made-up-credential";

/// Why `verify` could not run: the server was unreachable (one line, naming the URL).
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("could not run: {0}")]
pub struct CouldNotRun(pub String);

/// Runs `scenario`'s checks of `vendor` through `transport` as a live run, with `token` for
/// `{token}`. Skipped, each with its reason: `mock_only` checks, and — when the server
/// accepts a made-up credential, as eventmock's zero-config default does — checks that send
/// a credential of their own in the vendor's scheme (a bad-token check needs a server that
/// rejects unknown credentials). Stops at the first request that cannot reach the server.
pub fn verify(
    scenario: &Scenario,
    vendor: Vendor,
    transport: &dyn Transport,
    token: &str,
    validator: &Validator,
) -> Result<Vec<Outcome>, CouldNotRun> {
    let accepts_any = accepts_made_up_credential(vendor, transport)?;
    let target = Target {
        vendor,
        prefix: String::new(),
        port: None,
        token: token.to_owned(),
    };
    let mut runner = Runner::new(transport, validator, target);
    let mut outcomes = Vec::new();
    for check in scenario.checks.iter().filter(|c| c.vendor == vendor) {
        let outcome = match accepts_any
            .as_ref()
            .filter(|_| sends_own_credential(check, vendor))
        {
            Some(sent) => Outcome {
                name: check.name.clone(),
                vendor,
                request: Request {
                    method: check.method.clone(),
                    target: check.path.clone(),
                    headers: Vec::new(),
                    port: None,
                    body: Vec::new(),
                },
                answer: None,
                failures: Vec::new(),
                skipped: Some(format!(
                    "needs a server that rejects unknown credentials; this one accepted `{sent}` \
                     (it accepts any credential, like eventmock's zero-config default)"
                )),
            },
            None => runner.run(check, true),
        };
        if let Some(reason) = outcome.unreachable() {
            return Err(CouldNotRun(reason.to_owned()));
        }
        outcomes.push(outcome);
    }
    Ok(outcomes)
}

/// Sends the vendor's list request once with [`MADE_UP_TOKEN`]: `Some(the header value)`
/// when the server answered 2xx (it accepts any credential), `None` when it refused it (or
/// answered otherwise). An unreachable server stops the run.
fn accepts_made_up_credential(
    vendor: Vendor,
    transport: &dyn Transport,
) -> Result<Option<String>, CouldNotRun> {
    let (name, value) = auth_header(vendor, MADE_UP_TOKEN);
    let request = Request {
        method: "GET".into(),
        target: list_path(vendor).to_owned(),
        headers: vec![(name, value.clone())],
        port: None,
        body: Vec::new(),
    };
    match transport.send(&request) {
        Ok(answer) => Ok((200..300).contains(&answer.status).then_some(value)),
        Err(e) if e.unreachable => Err(CouldNotRun(e.message)),
        Err(_) => Ok(None),
    }
}

/// Whether `check` sends a credential of its own (not `{token}`) in the vendor's scheme.
fn sends_own_credential(check: &Check, vendor: Vendor) -> bool {
    let (header, scheme) = auth_header(vendor, "");
    let scheme = scheme.trim();
    check.headers.iter().any(|(name, value)| {
        name.eq_ignore_ascii_case(&header)
            && !value.contains("{token}")
            && (scheme.is_empty()
                || value
                    .split_whitespace()
                    .next()
                    .is_some_and(|word| word.eq_ignore_ascii_case(scheme)))
    })
}

/// The human report: one line per check, the differences under it, then a summary.
pub fn text(vendor: Vendor, base_url: &str, outcomes: &[Outcome]) -> String {
    let mut out = format!("drift report: {vendor} at {base_url}\n");
    for o in outcomes {
        let status = o
            .answer
            .as_ref()
            .map_or("-".into(), |a| a.status.to_string());
        let verdict = if o.skipped.is_some() {
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
        if let Some(reason) = &o.skipped {
            let _ = writeln!(out, "       ({reason})");
        }
        for f in &o.failures {
            let _ = writeln!(out, "       [{}] {}", f.kind.as_str(), f.message);
        }
    }
    let drift = outcomes.iter().filter(|o| !o.passed()).count();
    let skipped = outcomes.iter().filter(|o| o.skipped.is_some()).count();
    let _ = writeln!(
        out,
        "{} checks: {} ok, {drift} drifted, {skipped} skipped",
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
    let skipped = outcomes.iter().filter(|o| o.skipped.is_some()).count();
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
        if let Some(reason) = &o.skipped {
            let _ = writeln!(
                out,
                "><skipped message=\"{}\"/></testcase>",
                xml_escape(reason)
            );
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
