//! Semantic validation: [`ScenarioFile`] → [`Scenario`], collecting every problem as a
//! [`Diagnostic`] positioned on the offending node (looked up by path in the [`Locator`]).

use std::collections::{BTreeMap, HashMap};

use eventmock_fake::DatasetConfig;
use eventmock_fake::codec::MAX_INDEX;
use eventmock_fake::time::{Window, parse_rfc3339};
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
    Action, Auth, Body, Check, Fault, Fixture, Latency, Override, RequestMatch, Response, Scenario,
    StatusFault, VendorMount,
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
}

/// Validates a deserialized file; `text` is its source (for positions).
pub fn validate(file: &str, text: &str, raw: &ScenarioFile) -> Result<Scenario, Vec<Diagnostic>> {
    let mut v = Validator {
        file,
        loc: Locator::new(text),
        diags: Vec::new(),
        mounted: Vec::new(),
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
        let faults = raw
            .faults
            .iter()
            .enumerate()
            .filter_map(|(i, f)| self.fault(&format!("faults[{i}]"), f))
            .collect();
        let checks = self.checks(&raw.checks);
        Scenario {
            name: raw.name.clone(),
            description: raw.description.clone(),
            seed: raw.seed,
            vendors,
            overrides,
            faults,
            checks,
        }
    }

    /// One vendor mount.
    fn vendor(
        &mut self,
        path: &str,
        vendor: Vendor,
        seed: Option<u64>,
        vf: &VendorFile,
    ) -> VendorMount {
        let mut dataset = DatasetConfig::default();
        if let Some(s) = vf.seed.or(seed) {
            dataset.seed = s;
        }
        let prefix = vf.prefix.clone().unwrap_or_else(|| "/".to_owned());
        if !prefix.starts_with('/') {
            self.err(
                &join(path, "prefix"),
                "invalid mount prefix",
                format!("`{prefix}`"),
                "a path starting with `/`",
            );
        }
        if let Some(n) = vf.events {
            if (1..=MAX_INDEX).contains(&n) {
                dataset.len = n;
            } else {
                let expected = format!("1 ..= {MAX_INDEX}");
                self.err(
                    &join(path, "events"),
                    "dataset size out of range",
                    n.to_string(),
                    &expected,
                );
            }
        }
        if let Some(a) = &vf.anchor {
            match parse_rfc3339(a) {
                Ok(t) => dataset.anchor = t,
                Err(e) => self.err(
                    &join(path, "anchor"),
                    format!("invalid anchor time: {}", e.reason),
                    format!("`{a}`"),
                    "an RFC 3339 time such as 2026-01-01T00:00:00Z",
                ),
            }
        }
        if let Some(w) = &vf.window {
            match w.parse::<Window>() {
                Ok(w) => dataset.window = w.0,
                Err(_) => self.err(
                    &join(path, "window"),
                    "invalid time window",
                    format!("`{w}`"),
                    "a positive duration such as 30d, 12h, 90m or 45s",
                ),
            }
        }
        let auth = self.auth(&join(path, "auth"), vf.auth.as_ref());
        let fixtures = self.fixtures(path, vendor, dataset, vf);
        VendorMount {
            vendor,
            prefix,
            port: vf.port,
            dataset,
            auth,
            fixtures,
        }
    }

    /// The auth rule.
    fn auth(&mut self, path: &str, auth: Option<&AuthFile>) -> Auth {
        let Some(a) = auth else {
            return Auth::AnyCredential;
        };
        match (&a.tokens, a.off) {
            (Some(_), Some(_)) => {
                self.err(
                    path,
                    "`tokens` and `off` both given",
                    "both".into(),
                    "exactly one of `tokens` / `off`",
                );
                Auth::AnyCredential
            }
            (Some(t), None) if t.is_empty() => {
                self.err(
                    &join(path, "tokens"),
                    "empty token list",
                    "[]".into(),
                    "at least one token",
                );
                Auth::AnyCredential
            }
            (Some(t), None) => Auth::Tokens(t.clone()),
            (None, Some(true)) => Auth::Off,
            (None, Some(false)) => Auth::AnyCredential,
            (None, None) => {
                self.err(
                    path,
                    "empty auth rule",
                    "neither".into(),
                    "exactly one of `tokens` / `off`",
                );
                Auth::AnyCredential
            }
        }
    }

    /// The fixtures of one vendor.
    fn fixtures(
        &mut self,
        path: &str,
        vendor: Vendor,
        dataset: eventmock_fake::DatasetConfig,
        vf: &VendorFile,
    ) -> Vec<Fixture> {
        let anchor = dataset.anchor;
        let format = id_format(vendor);
        let mut seen: HashMap<&str, usize> = HashMap::new();
        let mut out = Vec::new();
        for (i, f) in vf.fixtures.iter().enumerate() {
            let fpath = format!("{path}.fixtures[{i}]");
            let id_path = join(&fpath, "id");
            if !well_formed(format, &f.id) {
                self.err(
                    &id_path,
                    format!("fixture id is not a well-formed {vendor} id"),
                    format!("`{}`", f.id),
                    describe(format),
                );
            } else if let Some(first) = seen.get(f.id.as_str()) {
                let first_line = self.loc.value(&format!("{path}.fixtures[{first}].id")).line;
                self.err(
                    &id_path,
                    "duplicate fixture id",
                    format!("`{}` again (first at line {first_line})", f.id),
                    "fixture ids unique per vendor",
                );
            } else {
                seen.insert(&f.id, i);
            }
            let at = match &f.at {
                None => anchor,
                Some(a) => parse_rfc3339(a).unwrap_or_else(|e| {
                    self.err(
                        &join(&fpath, "at"),
                        format!("invalid fixture time: {}", e.reason),
                        format!("`{a}`"),
                        "an RFC 3339 time such as 2025-12-24T10:00:00Z",
                    );
                    anchor
                }),
            };
            if let Err(e) = crate::fixture::check_fixture(vendor, dataset, &f.id, &f.event) {
                let field = if e.path == "." {
                    join(&fpath, "event")
                } else {
                    join(&fpath, &format!("event.{}", e.path))
                };
                self.err(
                    &field,
                    format!(
                        "fixture event does not fit the {vendor} model: {}",
                        e.message
                    ),
                    format!("`{}`", e.path),
                    "a value the vendor's event model accepts",
                );
            }
            out.push(Fixture {
                id: f.id.clone(),
                at,
                event: f.event.clone(),
            });
        }
        out
    }

    /// A vendor reference (override, fault, check): a known and mounted vendor.
    fn vendor_ref(&mut self, path: &str, name: &str) -> Option<Vendor> {
        let Ok(vendor) = name.parse::<Vendor>() else {
            self.err(path, "unknown vendor", format!("`{name}`"), VENDOR_NAMES);
            return None;
        };
        if !self.mounted.contains(&vendor) && !self.mounted.is_empty() {
            let list: Vec<String> = self.mounted.iter().map(|v| format!("`{v}`")).collect();
            let expected = format!("a mounted vendor: {}", list.join(", "));
            self.err(
                path,
                format!("vendor `{vendor}` is not mounted"),
                format!("`{name}`"),
                &expected,
            );
        }
        Some(vendor)
    }

    /// An HTTP method.
    fn method(&mut self, path: &str, m: &str) -> String {
        if !METHODS.contains(&m) {
            self.err(path, "invalid HTTP method", format!("`{m}`"), "an upper-case HTTP method: GET, HEAD, POST, PUT, DELETE, PATCH, OPTIONS, TRACE or CONNECT");
        }
        m.to_owned()
    }

    /// A regex, compiled.
    fn regex(&mut self, path: &str, re: &str) -> Option<Regex> {
        match Regex::new(re) {
            Ok(r) => Some(r),
            Err(e) => {
                let text = e.to_string();
                let last = text.lines().last().unwrap_or("").trim().to_owned();
                let last = last.strip_prefix("error: ").unwrap_or(&last).to_owned();
                self.err(
                    path,
                    format!("invalid regex: {last}"),
                    format!("`{re}`"),
                    "a regular expression in Rust `regex` syntax",
                );
                None
            }
        }
    }

    /// A path template.
    fn template(&mut self, path: &str, t: &str) -> Option<Template> {
        match Template::parse(t) {
            Ok(t) => Some(t),
            Err(e) => {
                self.err(
                    path,
                    format!("invalid path template: {e}"),
                    format!("`{t}`"),
                    "a template such as `/v2/events/{guid}` or `/v2/*`",
                );
                None
            }
        }
    }

    /// A string-or-regex condition.
    fn value_match(&mut self, path: &str, m: &ValueMatch) -> Option<Matcher> {
        match m {
            ValueMatch::Exact(s) => Some(Matcher::Exact(s.clone())),
            ValueMatch::Regex(r) => self
                .regex(&join(path, "regex"), &r.regex)
                .map(Matcher::Regex),
        }
    }

    /// A map of string-or-regex conditions.
    fn value_matches(
        &mut self,
        path: &str,
        map: &BTreeMap<String, ValueMatch>,
        lower: bool,
    ) -> Vec<(String, Matcher)> {
        map.iter()
            .filter_map(|(k, m)| {
                let m = self.value_match(&join(path, k), m)?;
                Some((
                    if lower {
                        k.to_ascii_lowercase()
                    } else {
                        k.clone()
                    },
                    m,
                ))
            })
            .collect()
    }

    /// The overrides.
    fn overrides(&mut self, raw: &[OverrideFile]) -> Vec<Override> {
        let mut names: HashMap<&str, usize> = HashMap::new();
        let mut out = Vec::new();
        for (i, o) in raw.iter().enumerate() {
            let path = format!("overrides[{i}]");
            if let Some(n) = &o.name
                && names.insert(n, i).is_some()
            {
                self.err(
                    &join(&path, "name"),
                    "duplicate override name",
                    format!("`{n}`"),
                    "override names unique",
                );
            }
            let vendor = o
                .vendor
                .as_ref()
                .and_then(|v| self.vendor_ref(&join(&path, "vendor"), v));
            let matcher = self.request_match(&join(&path, "match"), o);
            let action = self.action(&path, o);
            if let Some(action) = action {
                out.push(Override {
                    name: o.name.clone(),
                    vendor,
                    matcher,
                    action,
                });
            }
        }
        out
    }

    /// The `match` of an override.
    fn request_match(&mut self, path: &str, o: &OverrideFile) -> RequestMatch {
        let m = &o.match_;
        let method = m
            .method
            .as_ref()
            .map(|x| self.method(&join(path, "method"), x));
        let pm = match (&m.path, &m.path_regex) {
            (Some(_), Some(_)) => {
                self.err(
                    &join(path, "path_regex"),
                    "`path` and `path_regex` both given",
                    "both".into(),
                    "at most one of `path` / `path_regex`",
                );
                None
            }
            (Some(t), None) => self
                .template(&join(path, "path"), t)
                .map(PathMatcher::Template),
            (None, Some(r)) => self
                .regex(&join(path, "path_regex"), r)
                .map(|r| PathMatcher::Regex(RegexMatch(r))),
            (None, None) => None,
        };
        let query = self.value_matches(&join(path, "query"), &m.query, false);
        let headers = self.value_matches(&join(path, "headers"), &m.headers, true);
        let path_params = self.value_matches(&join(path, "path_params"), &m.path_params, false);
        if !m.path_params.is_empty() {
            let names: Vec<String> = match &pm {
                Some(PathMatcher::Template(t)) => t.names().map(str::to_owned).collect(),
                _ => Vec::new(),
            };
            for k in m.path_params.keys() {
                if !names.contains(k) {
                    let expected = if names.is_empty() {
                        "a `path` template with this `{name}` placeholder".to_owned()
                    } else {
                        let list: Vec<String> = names.iter().map(|n| format!("`{n}`")).collect();
                        format!("a placeholder of `path`: {}", list.join(", "))
                    };
                    self.err_key(
                        &join(&join(path, "path_params"), k),
                        "path parameter not in the path template",
                        format!("`{k}`"),
                        &expected,
                    );
                }
            }
        }
        let body = m
            .body
            .iter()
            .map(|(k, v)| (k.split('.').map(str::to_owned).collect(), v.clone()))
            .collect();
        RequestMatch {
            method,
            path: pm,
            query,
            headers,
            body,
            path_params,
        }
    }

    /// `respond` or `sequence` + `then`.
    fn action(&mut self, path: &str, o: &OverrideFile) -> Option<Action> {
        match (&o.respond, &o.sequence) {
            (Some(r), None) => {
                if o.then.is_some() {
                    self.err_key(
                        &join(path, "then"),
                        "`then` without `sequence`",
                        "`then`".into(),
                        "`then` only together with `sequence`",
                    );
                }
                self.response(&join(path, "respond"), r)
                    .map(Action::Respond)
            }
            (None, Some(steps)) => {
                let spath = join(path, "sequence");
                if steps.is_empty() {
                    self.err(&spath, "empty sequence", "[]".into(), "at least one step");
                }
                let mut out = Vec::new();
                for (i, s) in steps.iter().enumerate() {
                    match s {
                        Step::Passthrough(_) => out.push(None),
                        Step::Respond(r) => {
                            out.push(Some(self.response(&format!("{spath}[{i}]"), r)?))
                        }
                    }
                }
                Some(Action::Sequence {
                    steps: out,
                    then: o.then.unwrap_or_default(),
                })
            }
            (Some(_), Some(_)) => {
                self.err_key(
                    &join(path, "sequence"),
                    "`respond` and `sequence` both given",
                    "both".into(),
                    "exactly one of `respond` / `sequence`",
                );
                None
            }
            (None, None) => {
                self.err(
                    path,
                    "override without an answer",
                    "neither `respond` nor `sequence`".into(),
                    "exactly one of `respond` / `sequence`",
                );
                None
            }
        }
    }

    /// A fixed answer.
    fn response(&mut self, path: &str, r: &RespondFile) -> Option<Response> {
        let status_ok = self.status(&join(path, "status"), r.status);
        let given = usize::from(r.body.is_some())
            + usize::from(r.body_text.is_some())
            + usize::from(r.error.is_some());
        if given > 1 {
            self.err(
                path,
                "more than one body given",
                "several of `body` / `body_text` / `error`".into(),
                "at most one of `body` / `body_text` / `error`",
            );
            return None;
        }
        let body = match (&r.body, &r.body_text, r.error) {
            (Some(v), _, _) => Body::Json(v.to_string()),
            (_, Some(t), _) => Body::Text(t.clone()),
            (_, _, Some(e)) => Body::Error(e),
            _ => Body::Empty,
        };
        let headers = r
            .headers
            .iter()
            .map(|(k, v)| (k.clone(), v.clone()))
            .collect();
        status_ok.then_some(Response {
            status: r.status,
            headers,
            body,
        })
    }

    /// Checks an optional status code; true when valid.
    fn status(&mut self, path: &str, status: Option<u16>) -> bool {
        match status {
            Some(s) if !(100..=599).contains(&s) => {
                self.err(
                    path,
                    "status code out of range",
                    s.to_string(),
                    "100 ..= 599",
                );
                false
            }
            _ => true,
        }
    }

    /// Checks a probability.
    fn probability(&mut self, path: &str, p: f64) -> f64 {
        if !(0.0..=1.0).contains(&p) {
            self.err(
                path,
                "probability out of range",
                p.to_string(),
                "a number in 0 ..= 1",
            );
        }
        p
    }

    /// One fault.
    fn fault(&mut self, path: &str, f: &FaultFile) -> Option<Fault> {
        let vendor = f
            .vendor
            .as_ref()
            .and_then(|v| self.vendor_ref(&join(path, "vendor"), v));
        let route = f
            .route
            .as_ref()
            .and_then(|r| self.template(&join(path, "route"), r));
        let latency = f.latency.as_ref().and_then(|l| {
            let lpath = join(path, "latency");
            match (l.fixed_ms, l.min_ms, l.max_ms) {
                (Some(ms), None, None) => Some(Latency::Fixed(ms)),
                (None, Some(min), Some(max)) if min <= max => Some(Latency::Uniform { min, max }),
                (None, Some(min), Some(max)) => {
                    self.err(
                        &join(&lpath, "max_ms"),
                        "`max_ms` is below `min_ms`",
                        max.to_string(),
                        &format!("at least {min}"),
                    );
                    None
                }
                _ => {
                    self.err(
                        &lpath,
                        "invalid latency",
                        "another combination of fields".into(),
                        "`{fixed_ms: N}` or `{min_ms: A, max_ms: B}`",
                    );
                    None
                }
            }
        });
        let status = f.status.as_ref().map(|s| {
            let spath = join(path, "status");
            self.status(&join(&spath, "code"), Some(s.code));
            StatusFault {
                code: s.code,
                probability: self.probability(&join(&spath, "probability"), s.probability),
                error: s.error,
            }
        });
        let reset = f
            .reset
            .as_ref()
            .map(|c| self.probability(&join(path, "reset.probability"), c.probability));
        let truncate = f
            .truncate
            .as_ref()
            .map(|c| self.probability(&join(path, "truncate.probability"), c.probability));
        if latency.is_none()
            && status.is_none()
            && reset.is_none()
            && truncate.is_none()
            && f.latency.is_none()
        {
            self.err(
                path,
                "fault without an effect",
                "none of them".into(),
                "at least one of `latency`, `status`, `reset`, `truncate`",
            );
        }
        Some(Fault {
            vendor,
            route,
            latency,
            status,
            reset,
            truncate,
        })
    }

    /// The checks.
    fn checks(&mut self, raw: &[CheckFile]) -> Vec<Check> {
        let mut names: HashMap<&str, usize> = HashMap::new();
        let mut out = Vec::new();
        for (i, c) in raw.iter().enumerate() {
            let path = format!("checks[{i}]");
            if names.insert(&c.name, i).is_some() {
                self.err(
                    &join(&path, "name"),
                    "duplicate check name",
                    format!("`{}`", c.name),
                    "check names unique",
                );
            }
            let vendor = self.vendor_ref(&join(&path, "vendor"), &c.vendor);
            let method = match &c.request.method {
                Some(m) => self.method(&join(&path, "request.method"), m),
                None => "GET".to_owned(),
            };
            self.status(&join(&path, "expect.status"), c.expect.status);
            let pairs = |m: &BTreeMap<String, String>| {
                m.iter().map(|(k, v)| (k.clone(), v.clone())).collect()
            };
            let texts = std::iter::once(("request.path".to_owned(), &c.request.path))
                .chain(
                    c.request
                        .headers
                        .iter()
                        .map(|(k, v)| (format!("request.headers.{k}"), v)),
                )
                .chain(
                    c.request
                        .query
                        .iter()
                        .map(|(k, v)| (format!("request.query.{k}"), v)),
                );
            for (field, text) in texts {
                if let Some(bad) = unknown_placeholder(text) {
                    self.err(
                        &join(&path, &field),
                        "unknown placeholder in a check",
                        format!("`{bad}`"),
                        "`{id:N}` (N a number) or `{token}`",
                    );
                }
            }
            if let Some(vendor) = vendor {
                out.push(Check {
                    name: c.name.clone(),
                    vendor,
                    method,
                    path: c.request.path.clone(),
                    headers: pairs(&c.request.headers),
                    query: pairs(&c.request.query),
                    body: c.request.body.clone(),
                    expect: c.expect.clone(),
                    mock_only: c.mock_only,
                });
            }
        }
        out
    }
}

/// The first `{...}` in `text` that is not a check placeholder (`{id:N}`, `{token}`).
fn unknown_placeholder(text: &str) -> Option<&str> {
    let mut rest = text;
    while let Some(open) = rest.find('{') {
        let after = &rest[open..];
        let close = after.find('}')?;
        let inner = &after[1..close];
        let ok = inner == "token"
            || inner
                .strip_prefix("id:")
                .is_some_and(|n| !n.is_empty() && n.bytes().all(|b| b.is_ascii_digit()));
        if !ok {
            return Some(&after[..=close]);
        }
        rest = &after[close + 1..];
    }
    None
}
