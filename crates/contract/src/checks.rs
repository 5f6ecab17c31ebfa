//! Running a scenario's `checks:`: resolve placeholders, send, compare with the expectations,
//! validate the body against the vendor's OpenAPI document, and render a snapshot.

use eventmock_model::Vendor;
use eventmock_scenario::{Auth, Check, Scenario};
use serde_json::Value;

use crate::transport::{Answer, Request, SendError, Transport};
use crate::validate::Validator;

/// Headers whose values differ between requests; snapshots show them as `[redacted]`.
pub const REDACTED_HEADERS: &[&str] = &["x-authentik-id", "x-vcap-request-id"];

/// What kind of difference a check found.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum FailureKind {
    /// The request could not be made or answered.
    Transport,
    /// The server could not be reached at all (unknown host, connection refused, TLS): the
    /// run could not go on. Not drift.
    Unreachable,
    /// The status differs from the check's expectation.
    Status,
    /// A header differs.
    Header,
    /// A body field differs.
    Body,
    /// The response does not match the vendor's OpenAPI document (schema or error shape).
    Schema,
}

impl FailureKind {
    /// A short name for reports.
    pub const fn as_str(self) -> &'static str {
        match self {
            FailureKind::Transport => "transport",
            FailureKind::Unreachable => "unreachable",
            FailureKind::Status => "status",
            FailureKind::Header => "header",
            FailureKind::Body => "body",
            FailureKind::Schema => "schema",
        }
    }
}

/// One difference.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Failure {
    /// Its kind.
    pub kind: FailureKind,
    /// What differs, naming the field.
    pub message: String,
}

/// The result of one check.
#[derive(Debug, Clone)]
pub struct Outcome {
    /// The check's name.
    pub name: String,
    /// The vendor.
    pub vendor: Vendor,
    /// The request sent (placeholders resolved).
    pub request: Request,
    /// The answer, if there was one.
    pub answer: Option<Answer>,
    /// Every difference found (empty: the check passed).
    pub failures: Vec<Failure>,
    /// Why the check was skipped, if it was (a `mock_only` check in a live run, or one the
    /// server cannot answer as the vendor would).
    pub skipped: Option<String>,
}

impl Outcome {
    /// Whether the check passed (or was skipped).
    pub fn passed(&self) -> bool {
        self.failures.is_empty()
    }

    /// Why the server could not be reached, when that is what stopped this check.
    pub fn unreachable(&self) -> Option<&str> {
        self.failures
            .iter()
            .find(|f| f.kind == FailureKind::Unreachable)
            .map(|f| f.message.as_str())
    }
}

/// Why a `mock_only` check is skipped by a live run.
pub const MOCK_ONLY: &str = "mock only: relies on the scenario's fixtures or overrides";

/// How to reach a vendor: its mount prefix and port, and the credential for `{token}`.
#[derive(Debug, Clone)]
pub struct Target {
    /// The vendor.
    pub vendor: Vendor,
    /// The mount prefix (`""` at the root).
    pub prefix: String,
    /// The vendor's own port, if any (in-process runs).
    pub port: Option<u16>,
    /// The credential substituted for `{token}`.
    pub token: String,
}

impl Target {
    /// The target of `vendor` as `scenario` mounts it; the token is its first accepted token
    /// (or `demo` when any credential is accepted).
    pub fn of(scenario: &Scenario, vendor: Vendor) -> Option<Self> {
        let mount = scenario.vendors.iter().find(|v| v.vendor == vendor)?;
        let token = match &mount.auth {
            Auth::Tokens(t) => t.first().cloned().unwrap_or_default(),
            Auth::AnyCredential | Auth::Off => "demo".to_owned(),
        };
        Some(Self {
            vendor,
            prefix: mount.prefix.trim_end_matches('/').to_owned(),
            port: mount.port,
            token,
        })
    }
}

/// The header that carries `token` for `vendor`.
pub fn auth_header(vendor: Vendor, token: &str) -> (String, String) {
    match vendor {
        Vendor::Probely => ("authorization".into(), format!("JWT {token}")),
        Vendor::Authentik | Vendor::Instavm => ("authorization".into(), format!("Bearer {token}")),
        Vendor::Halo => ("x-apikey".into(), token.to_owned()),
        Vendor::CloudFoundry => ("authorization".into(), format!("bearer {token}")),
    }
}

/// The path and query of a vendor's list request (a page of its newest events).
pub fn list_path(vendor: Vendor) -> &'static str {
    id_source(vendor).0
}

/// The list request of a vendor and where the ids are in its answer:
/// `(path and query, pointer to the items, pointer to an item's id)`.
fn id_source(vendor: Vendor) -> (&'static str, &'static str, &'static str) {
    match vendor {
        Vendor::Probely => ("/events/?length=100", "/results", "/id"),
        Vendor::Authentik => ("/api/v3/events/events/?page_size=100", "/results", "/pk"),
        Vendor::Halo => (
            "/api/v1/event/list.json?sort=1&sort_desc=1&limit=100",
            "/list",
            "/event/event_id",
        ),
        Vendor::Instavm => ("/v1/audit/events?limit=100", "/items", "/id"),
        Vendor::CloudFoundry => (
            "/v2/events?order-direction=desc&results-per-page=100",
            "/resources",
            "/metadata/guid",
        ),
    }
}

/// Runs checks against a target: resolves `{id:N}` from the vendor's own list (fetched once),
/// `{token}` from the target.
pub struct Runner<'a> {
    /// Where requests go.
    transport: &'a dyn Transport,
    /// The vendor's document validator.
    validator: &'a Validator,
    /// The target.
    target: Target,
    /// Ids from the vendor's list, fetched on first use.
    ids: Option<Result<Vec<String>, SendError>>,
}

impl<'a> Runner<'a> {
    /// A runner for one vendor.
    pub fn new(transport: &'a dyn Transport, validator: &'a Validator, target: Target) -> Self {
        Self {
            transport,
            validator,
            target,
            ids: None,
        }
    }

    fn ids(&mut self) -> Result<&[String], SendError> {
        if self.ids.is_none() {
            let (path, items, id) = id_source(self.target.vendor);
            let request = Request {
                method: "GET".into(),
                target: format!("{}{path}", self.target.prefix),
                headers: vec![auth_header(self.target.vendor, &self.target.token)],
                port: self.target.port,
                body: Vec::new(),
            };
            let fetched = self.transport.send(&request).and_then(|a| {
                if a.status != 200 {
                    return Err(SendError::failed(format!(
                        "listing ids: {} answered {}",
                        request.target, a.status
                    )));
                }
                let v: Value = serde_json::from_slice(&a.body)
                    .map_err(|e| SendError::failed(format!("listing ids: {e}")))?;
                Ok(v.pointer(items)
                    .and_then(Value::as_array)
                    .map(|list| {
                        list.iter()
                            .filter_map(|item| {
                                item.pointer(id).and_then(Value::as_str).map(str::to_owned)
                            })
                            .collect()
                    })
                    .unwrap_or_default())
            });
            self.ids = Some(fetched);
        }
        match &self.ids {
            Some(Ok(ids)) => Ok(ids),
            Some(Err(e)) => Err(e.clone()),
            None => Err(SendError::failed("no ids")),
        }
    }

    /// Replaces `{token}` and `{id:N}` in `text`.
    fn resolve(&mut self, text: &str) -> Result<String, SendError> {
        let mut out = String::with_capacity(text.len());
        let mut rest = text;
        while let Some(open) = rest.find('{') {
            out.push_str(&rest[..open]);
            let after = &rest[open..];
            let Some(close) = after.find('}') else {
                out.push_str(after);
                return Ok(out);
            };
            let inner = &after[1..close];
            if inner == "token" {
                out.push_str(&self.target.token);
            } else if let Some(n) = inner
                .strip_prefix("id:")
                .and_then(|n| n.parse::<usize>().ok())
            {
                let ids = self.ids()?;
                let id = ids.get(n).ok_or_else(|| {
                    SendError::failed(format!(
                        "{{id:{n}}}: the vendor's list has only {} events",
                        ids.len()
                    ))
                })?;
                out.push_str(id);
            } else {
                out.push_str(&after[..=close]);
            }
            rest = &after[close + 1..];
        }
        out.push_str(rest);
        Ok(out)
    }

    fn request(&mut self, check: &Check) -> Result<Request, SendError> {
        let path = self.resolve(&check.path)?;
        let mut target = format!("{}{path}", self.target.prefix);
        if !check.query.is_empty() {
            let mut q = form_urlencoded::Serializer::new(String::new());
            for (k, v) in &check.query {
                q.append_pair(k, &self.resolve(v)?);
            }
            target.push(if target.contains('?') { '&' } else { '?' });
            target.push_str(&q.finish());
        }
        let mut headers = Vec::new();
        for (k, v) in &check.headers {
            headers.push((k.clone(), self.resolve(v)?));
        }
        let body = match &check.body {
            Some(b) => self.resolve(b)?.into_bytes(),
            None => Vec::new(),
        };
        Ok(Request {
            method: check.method.clone(),
            target,
            headers,
            port: self.target.port,
            body,
        })
    }

    /// Runs one check. With `live`, `mock_only` checks are skipped.
    pub fn run(&mut self, check: &Check, live: bool) -> Outcome {
        let mut outcome = Outcome {
            name: check.name.clone(),
            vendor: check.vendor,
            request: Request {
                method: check.method.clone(),
                target: check.path.clone(),
                headers: Vec::new(),
                port: self.target.port,
                body: Vec::new(),
            },
            answer: None,
            failures: Vec::new(),
            skipped: (live && check.mock_only).then(|| MOCK_ONLY.to_owned()),
        };
        if outcome.skipped.is_some() {
            return outcome;
        }
        let sent = self.request(check).and_then(|request| {
            outcome.request = request.clone();
            self.transport.send(&request)
        });
        let answer = match sent {
            Ok(a) => a,
            Err(e) => {
                outcome.failures.push(Failure {
                    kind: if e.unreachable {
                        FailureKind::Unreachable
                    } else {
                        FailureKind::Transport
                    },
                    message: e.message,
                });
                return outcome;
            }
        };
        let request = &outcome.request;
        outcome.failures = compare(check, &answer);
        let path = request.target.split('?').next().unwrap_or_default();
        let path = path
            .strip_prefix(self.target.prefix.as_str())
            .unwrap_or(path);
        let content_type = answer.header("content-type").unwrap_or_default();
        if let Err(mismatches) = self.validator.validate(
            &request.method,
            path,
            answer.status,
            content_type,
            &answer.body,
        ) {
            for m in mismatches {
                outcome.failures.push(Failure {
                    kind: FailureKind::Schema,
                    message: format!("{} {path} → {}: {m}", request.method, answer.status),
                });
            }
        }
        outcome.answer = Some(answer);
        outcome
    }
}

/// The differences between a check's expectations and an answer.
pub fn compare(check: &Check, answer: &Answer) -> Vec<Failure> {
    let mut failures = Vec::new();
    if let Some(want) = check.expect.status
        && want != answer.status
    {
        failures.push(Failure {
            kind: FailureKind::Status,
            message: format!("status: expected {want}, got {}", answer.status),
        });
    }
    for (name, want) in &check.expect.headers {
        match answer.header(name) {
            Some(got) if got == want => {}
            got => failures.push(Failure {
                kind: FailureKind::Header,
                message: format!(
                    "header `{name}`: expected `{want}`, got {}",
                    got.map_or("nothing".into(), |g| format!("`{g}`"))
                ),
            }),
        }
    }
    if !check.expect.body.is_empty() {
        match serde_json::from_slice::<Value>(&answer.body) {
            Err(e) => failures.push(Failure {
                kind: FailureKind::Body,
                message: format!("body: expected JSON, got something else ({e})"),
            }),
            Ok(body) => {
                for (path, want) in &check.expect.body {
                    let mut v = Some(&body);
                    for key in path.split('.') {
                        v = v.and_then(|v| match v {
                            Value::Array(items) => {
                                key.parse::<usize>().ok().and_then(|i| items.get(i))
                            }
                            _ => v.get(key),
                        });
                    }
                    if v != Some(want) {
                        failures.push(Failure {
                            kind: FailureKind::Body,
                            message: format!(
                                "body field `{path}`: expected {want}, got {}",
                                v.map_or("nothing".into(), Value::to_string)
                            ),
                        });
                    }
                }
            }
        }
    }
    failures
}

/// The snapshot text of an answer: status, headers (varying ones redacted) and the body —
/// pretty-printed when JSON, with its exact length and framing noted so a changed byte shows.
pub fn snapshot(outcome: &Outcome) -> String {
    let mut out = format!(
        "request: {} {}\n",
        outcome.request.method, outcome.request.target
    );
    let Some(answer) = &outcome.answer else {
        out.push_str("no answer\n");
        return out;
    };
    out.push_str(&format!("status: {}\nheaders:\n", answer.status));
    for (name, value) in &answer.headers {
        let value = if REDACTED_HEADERS.contains(&name.as_str()) {
            "[redacted]"
        } else {
            value
        };
        out.push_str(&format!("  {name}: {value}\n"));
    }
    let compact = serde_json::from_slice::<Value>(&answer.body)
        .ok()
        .and_then(|v| serde_json::to_vec(&v).ok())
        .is_some_and(|c| c == answer.body);
    out.push_str(&format!(
        "body: {} bytes{}{}\n",
        answer.body.len(),
        if compact { ", compact JSON" } else { "" },
        if answer.body.ends_with(b"\n") {
            ", trailing newline"
        } else {
            ""
        }
    ));
    match serde_json::from_slice::<Value>(&answer.body) {
        Ok(v) => out.push_str(&serde_json::to_string_pretty(&v).unwrap_or_default()),
        Err(_) => out.push_str(&String::from_utf8_lossy(&answer.body)),
    }
    out.push('\n');
    out
}
