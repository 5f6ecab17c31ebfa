//! Scenario files: `eventmock_scenario::parse` on arbitrary text, then — when it accepts the
//! file — the world the server would build from it, answering one list request per mount.
//!
//! Invariants: no panic anywhere on that path; every diagnostic points inside the text (line
//! 0 only for problems not in the text) and renders.

use eventmock_model::Vendor;
use eventmock_server::{App, World};
use hyper::Method;

use crate::http;

/// Largest dataset whose lists are asked for: bigger ones only cost time per run (a filtered
/// scan examines up to 200,000 events), they exercise nothing more.
const ASK_UP_TO: u64 = 10_000;

/// Each vendor's list route.
fn list_path(vendor: Vendor) -> &'static str {
    match vendor {
        Vendor::Probely => "/events/",
        Vendor::Authentik => "/api/v3/events/events/",
        Vendor::Halo => "/api/v1/event/list.json",
        Vendor::Instavm => "/v1/audit/events",
        Vendor::CloudFoundry => "/v2/events",
    }
}

/// Runs one input.
pub fn run(data: &[u8]) {
    let text = String::from_utf8_lossy(data);
    let lines = text.lines().count().max(1);
    let scenario = match eventmock_scenario::parse("fuzz.yaml", &text) {
        Ok(s) => s,
        Err(diags) => {
            assert!(!diags.is_empty(), "parse failed without a diagnostic");
            for d in &diags {
                let shown = d.to_string();
                assert!(
                    d.line <= lines + 1,
                    "diagnostic past the end ({lines} lines): {shown}"
                );
                assert!(
                    (d.line == 0) == (d.column == 0),
                    "diagnostic with half a position: {shown}"
                );
            }
            return;
        }
    };
    let Ok(world) = World::from_scenarios(std::slice::from_ref(&scenario)) else {
        return;
    };
    let asks: Vec<(Vendor, String)> = world
        .mounts
        .iter()
        .filter(|m| m.port.is_none() && m.api.dataset_config().len <= ASK_UP_TO)
        .map(|m| {
            let vendor = m.api.vendor();
            (vendor, format!("{}{}", m.prefix, list_path(vendor)))
        })
        .collect();
    let app = App::new(world);
    for (vendor, path) in asks {
        if let Some(req) = http::request(Method::GET, &path, vendor, Vec::new()) {
            http::vendor(&app, req);
        }
    }
}
