//! Semantic validation: [`ScenarioFile`] → [`Scenario`], collecting every problem as a
//! [`Diagnostic`] positioned on the offending node (looked up by path in the [`Locator`]).
//!
//! One [`Validator`] walks the file; its methods live by topic in `vendors`, `matching`,
//! `overrides` and `faults_checks`.

mod faults_checks;
mod living;
mod matching;
mod overrides;
mod vendors;

use std::collections::{BTreeMap, HashMap};

use eventmock_fake::Span;
use eventmock_fake::codec::MAX_INDEX;
use eventmock_fake::time::parse_rfc3339;
use eventmock_fake::{DatasetConfig, DatasetError};
use eventmock_model::Vendor;
use regex::Regex;

use crate::diagnostic::Diagnostic;
use crate::file::{
    AuthFile, CheckFile, FaultFile, OverrideFile, RespondFile, ScenarioFile, Step, ValueMatch,
    VendorFile,
};
use crate::ids::{describe, id_format, well_formed};
use crate::locate::{Locator, join};
use crate::matcher::{Matcher, PathMatcher, RegexMatch, Template};
use crate::scenario::{
    Action, Auth, Body, CfApiVersion, Check, ClockSpec, ErrorHoles, Fault, Fixture, Latency,
    Override, RequestMatch, Response, Scenario, StatusFault, VendorMount,
};

/// The HTTP methods a scenario may name.
const METHODS: [&str; 9] = [
    "GET", "HEAD", "POST", "PUT", "DELETE", "PATCH", "OPTIONS", "TRACE", "CONNECT",
];

/// The valid vendor names, for messages.
const VENDOR_NAMES: &str = "one of `probely`, `authentik`, `halo`, `instavm`, `cf`";

/// Collects diagnostics while compiling.
struct Validator<'a> {
    /// The source name for diagnostics.
    file: &'a str,
    /// Node positions.
    loc: Locator,
    /// Problems found so far.
    diags: Vec<Diagnostic>,
    /// The vendors the scenario mounts.
    mounted: Vec<Vendor>,
    /// The scenario's clock, validated before the vendors (their anchors default to its
    /// start).
    clock: Option<ClockSpec>,
}

/// Validates a deserialized file; `text` is its source (for positions).
pub fn validate(file: &str, text: &str, raw: &ScenarioFile) -> Result<Scenario, Vec<Diagnostic>> {
    let mut v = Validator {
        file,
        loc: Locator::new(text),
        diags: Vec::new(),
        mounted: Vec::new(),
        clock: None,
    };
    let scenario = v.scenario(raw);
    if v.diags.is_empty() {
        Ok(scenario)
    } else {
        let mut diags = v.diags;
        diags.sort_by_key(|d| (d.line, d.column));
        Err(diags)
    }
}

impl Validator<'_> {
    /// Records a problem at the value of `path`.
    fn err(&mut self, path: &str, message: impl Into<String>, found: String, expected: &str) {
        let d = Diagnostic::at(self.file, self.loc.value(path), message)
            .found(found)
            .expected(expected);
        self.diags.push(d);
    }

    /// Records a problem at the key of `path`.
    fn err_key(&mut self, path: &str, message: impl Into<String>, found: String, expected: &str) {
        let d = Diagnostic::at(self.file, self.loc.key(path), message)
            .found(found)
            .expected(expected);
        self.diags.push(d);
    }

    /// The whole scenario.
    fn scenario(&mut self, raw: &ScenarioFile) -> Scenario {
        let name_ok = !raw.name.is_empty()
            && raw
                .name
                .bytes()
                .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-');
        if !name_ok {
            self.err(
                "name",
                "invalid scenario name",
                format!("`{}`", raw.name),
                "lower-case letters, digits and `-` ([a-z0-9-]+)",
            );
        }
        if raw.vendors.is_empty() {
            self.err(
                "vendors",
                "no vendor is mounted",
                "an empty mapping".into(),
                "at least one vendor",
            );
        }
        self.clock = self.clock_spec(raw.clock.as_ref());
        let mut vendors = Vec::new();
        let mut ports: HashMap<u16, String> = HashMap::new();
        for (key, vf) in &raw.vendors {
            let path = join("vendors", key);
            let vendor = match key.parse::<Vendor>() {
                Ok(v) => v,
                Err(_) => {
                    self.err_key(&path, "unknown vendor", format!("`{key}`"), VENDOR_NAMES);
                    continue;
                }
            };
            if self.mounted.contains(&vendor) {
                self.err_key(
                    &path,
                    format!("vendor `{vendor}` is mounted twice"),
                    format!("`{key}`"),
                    "each vendor at most once",
                );
                continue;
            }
            self.mounted.push(vendor);
            if let Some(port) = vf.port.filter(|p| *p != 0) {
                if let Some(other) = ports.get(&port) {
                    let expected = format!("a port not already used by `{other}`");
                    self.err(
                        &join(&path, "port"),
                        "port used twice",
                        port.to_string(),
                        &expected,
                    );
                } else {
                    ports.insert(port, key.clone());
                }
            }
            vendors.push(self.vendor(&path, vendor, raw.seed, vf));
        }
        vendors.sort_by_key(|m: &VendorMount| m.vendor.ordinal());
        let overrides = self.overrides(&raw.overrides);
        let faults = self.faults(&raw.faults);
        let checks = self.checks(&raw.checks);
        let cors = raw.cors.as_ref().map(|c| self.cors_origins(&c.origins));
        Scenario {
            name: raw.name.clone(),
            description: raw.description.clone(),
            seed: raw.seed,
            clock: self.clock,
            vendors,
            overrides,
            faults,
            checks,
            cors,
        }
    }

    /// The `cors.origins` list, each checked to be what a browser sends as `Origin`.
    fn cors_origins(&mut self, origins: &[String]) -> Vec<String> {
        for (i, origin) in origins.iter().enumerate() {
            let host = origin
                .strip_prefix("http://")
                .or_else(|| origin.strip_prefix("https://"));
            let ok = host.is_some_and(|h| {
                !h.is_empty() && !h.contains('/') && !h.bytes().any(|b| b.is_ascii_whitespace())
            });
            if !ok {
                self.err(
                    &format!("cors.origins[{i}]"),
                    "invalid CORS origin",
                    format!("`{origin}`"),
                    "`http://host[:port]` or `https://host[:port]`, without a path",
                );
            }
        }
        origins.to_vec()
    }
}
