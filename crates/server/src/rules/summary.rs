//! The rules of a world as JSON, for people (`GET /__eventmock/scenarios` and the dashboard's
//! scenarios panel): each override with its condition, answer or sequence and how many
//! requests it matched so far; each fault with its condition, what it injects and its count.

use eventmock_scenario::file::Then;
use eventmock_scenario::matcher::{Matcher, PathMatcher};
use eventmock_scenario::{Action, Body, Latency, RequestMatch, Response};
use serde_json::{Value, json};

use super::Rules;

fn matcher(m: &Matcher) -> String {
    match m {
        Matcher::Exact(s) => s.clone(),
        Matcher::Regex(r) => format!("/{}/", r.as_str()),
    }
}

/// The conditions of an override as text pairs.
fn conditions(m: &RequestMatch) -> Value {
    let path = m.path.as_ref().map(|p| match p {
        PathMatcher::Template(t) => t.to_string(),
        PathMatcher::Regex(r) => format!("/{}/", r.0.as_str()),
    });
    let pairs = |list: &[(String, Matcher)]| -> Value {
        list.iter()
            .map(|(k, v)| (k.clone(), Value::String(matcher(v))))
            .collect::<serde_json::Map<_, _>>()
            .into()
    };
    json!({
        "method": m.method,
        "path": path,
        "query": pairs(&m.query),
        "headers": pairs(&m.headers),
        "path_params": pairs(&m.path_params),
        "body": m.body.iter().map(|(k, v)| json!({"field": k.join("."), "equals": v})).collect::<Vec<_>>(),
    })
}

/// One fixed answer: its status and what its body is.
fn response(r: &Response) -> Value {
    let body = match &r.body {
        Body::Empty => json!("empty"),
        Body::Json(_) => json!("json"),
        Body::Text(_) => json!("text"),
        Body::Error(name) => json!({ "error": name }),
    };
    json!({ "status": r.status, "body": body })
}

impl Rules {
    /// Overrides (with their sequences) and faults, in the order they apply, with the
    /// requests each matched so far.
    pub fn summary(&self) -> Value {
        let overrides: Vec<Value> = self
            .overrides
            .iter()
            .map(|o| {
                let (kind, answer) = match &o.rule.action {
                    Action::Respond(r) => ("respond", json!({ "respond": response(r) })),
                    Action::Sequence { steps, then } => {
                        let steps: Vec<Value> = steps
                            .iter()
                            .map(|s| s.as_ref().map_or(json!("passthrough"), response))
                            .collect();
                        let then = match then {
                            Then::RepeatLast => "repeat_last",
                            Then::Cycle => "cycle",
                            Then::Passthrough => "passthrough",
                        };
                        ("sequence", json!({ "steps": steps, "then": then }))
                    }
                };
                let mut v = json!({
                    "name": o.rule.name,
                    "vendor": o.rule.vendor.map(|v| v.name()),
                    "kind": kind,
                    "match": conditions(&o.rule.matcher),
                    "calls": o.calls.load(std::sync::atomic::Ordering::Relaxed),
                });
                if let (Value::Object(v), Value::Object(a)) = (&mut v, answer) {
                    v.extend(a);
                }
                v
            })
            .collect();
        let faults: Vec<Value> = self
            .faults
            .iter()
            .map(|f| {
                let fault = &f.fault;
                let latency = fault.latency.map(|l| match l {
                    Latency::Fixed(ms) => json!({ "ms": ms }),
                    Latency::Uniform { min, max } => json!({ "min_ms": min, "max_ms": max }),
                });
                json!({
                    "name": fault.name,
                    "vendor": fault.vendor.map(|v| v.name()),
                    "route": fault.route.as_ref().map(ToString::to_string),
                    "latency": latency,
                    "status": fault.status.map(|s| json!({
                        "code": s.code, "probability": s.probability, "error": s.error,
                    })),
                    "reset": fault.reset,
                    "truncate": fault.truncate,
                    "calls": f.calls.load(std::sync::atomic::Ordering::Relaxed),
                })
            })
            .collect();
        json!({ "overrides": overrides, "faults": faults })
    }
}
