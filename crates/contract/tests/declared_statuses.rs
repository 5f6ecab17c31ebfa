//! Every status the mock answers is declared by its vendor's OpenAPI document: each vendor is
//! probed in-process with its documented operations, every query parameter it reads given
//! odd values, unknown and malformed ids, missing, wrong and refused credentials and other
//! methods; every answer is validated against `openapi/<vendor>.json`'s source. A status the
//! document does not declare for that operation fails, naming the request.

#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::collections::BTreeSet;

use eventmock_contract::Validator;
use eventmock_contract::checks::auth_header;
use eventmock_contract::openapi::document;
use eventmock_contract::transport::{InProcess, Request, Transport};
use eventmock_model::Vendor;
use eventmock_server::World;
use serde_json::Value;

/// Query parameters each vendor's code reads beyond those its document declares.
fn read_params(vendor: Vendor) -> &'static [&'static str] {
    match vendor {
        Vendor::Probely => &["page", "length", "ordering", "event_type", "object_type"],
        Vendor::Authentik => &[
            "page",
            "page_size",
            "ordering",
            "action",
            "actions",
            "client_ip",
            "username",
            "search",
            "context_model_pk",
        ],
        Vendor::Halo => &[
            "event_id",
            "target_id",
            "start",
            "limit",
            "sort",
            "sort_desc",
            "key",
            "subject",
            "detail",
        ],
        Vendor::Instavm => &[
            "limit",
            "cursor",
            "user_id",
            "event_group",
            "event_type",
            "status",
            "vm_id",
            "session_id",
        ],
        Vendor::CloudFoundry => &[
            "q",
            "page",
            "results-per-page",
            "order-direction",
            "order-by",
        ],
    }
}

/// Odd values for a query parameter.
const VALUES: &[&str] = &[
    "bogus",
    "zzz",
    "0",
    "-1",
    "1.5",
    "abc",
    "99999999999999999999",
    "",
    "type>bogus",
    "timestamp>=not-a-time",
];

fn world(vendor: Vendor) -> World {
    let yaml = format!(
        "name: probe\nvendors:\n  {}:\n    events: 300\n    auth: {{tokens: [good]}}\n",
        vendor.name()
    );
    let scenario = eventmock_scenario::parse("probe.yaml", &yaml).unwrap();
    World::from_scenarios(&[scenario]).unwrap()
}

/// The documented paths with every `{param}` filled by `id`.
fn paths(doc: &Value, id: &str) -> Vec<(String, Vec<String>)> {
    let mut out = Vec::new();
    for (template, item) in doc["paths"].as_object().unwrap() {
        let mut path = String::new();
        let mut rest = template.as_str();
        while let Some(open) = rest.find('{') {
            path.push_str(&rest[..open]);
            path.push_str(id);
            rest = &rest[rest[open..].find('}').unwrap() + open + 1..];
        }
        path.push_str(rest);
        let mut params: BTreeSet<String> = BTreeSet::new();
        for op in item.as_object().unwrap().values() {
            for p in op["parameters"].as_array().into_iter().flatten() {
                if p["in"] == "query" {
                    params.insert(p["name"].as_str().unwrap().to_owned());
                }
            }
        }
        out.push((path, params.into_iter().collect()));
    }
    out
}

fn probe(vendor: Vendor) -> Vec<String> {
    let transport = InProcess::new(world(vendor)).unwrap();
    let validator = Validator::new(vendor).unwrap();
    let doc = document(vendor);
    let api = &transport.app().world().mounts[0].api;
    let real_id = api.example_id(3).unwrap();
    let good = auth_header(vendor, "good");
    let refused = auth_header(vendor, "refused");
    let mut undeclared = BTreeSet::new();
    let mut sent = 0;
    let mut send = |method: &str, target: String, headers: Vec<(String, String)>| {
        let answer = transport
            .send(&Request {
                method: method.into(),
                target: target.clone(),
                headers: headers.clone(),
                port: None,
                body: Vec::new(),
            })
            .unwrap();
        sent += 1;
        let path = target.split('?').next().unwrap();
        let content_type = answer.header("content-type").unwrap_or_default();
        if let Err(mismatches) =
            validator.validate(method, path, answer.status, content_type, &answer.body)
        {
            for m in mismatches {
                if m.reason.contains("is not documented") {
                    let auth = headers.first().map_or("no credential", |h| h.1.as_str());
                    undeclared.insert(format!(
                        "{vendor}: {method} {target} ({auth}) → {}: {}",
                        answer.status,
                        String::from_utf8_lossy(&answer.body)
                    ));
                }
            }
        }
    };
    for id in [
        real_id.as_str(),
        "00000000-0000-4000-8000-000000000000",
        "x",
    ] {
        for (path, declared) in paths(&doc, id) {
            for headers in [vec![good.clone()], vec![refused.clone()], vec![]] {
                send("GET", path.clone(), headers);
            }
            for method in ["POST", "PUT", "PATCH", "DELETE"] {
                send(method, path.clone(), vec![good.clone()]);
            }
            let params: BTreeSet<&str> = declared
                .iter()
                .map(String::as_str)
                .chain(read_params(vendor).iter().copied())
                .collect();
            for param in params {
                for value in VALUES {
                    let query = form_urlencoded::Serializer::new(String::new())
                        .append_pair(param, value)
                        .finish();
                    let sep = if path.contains('?') { '&' } else { '?' };
                    send("GET", format!("{path}{sep}{query}"), vec![good.clone()]);
                }
            }
        }
    }
    assert!(sent > 100, "{vendor}: only {sent} requests");
    undeclared.into_iter().collect()
}

#[test]
fn every_status_the_mock_answers_is_declared() {
    let mut undeclared = Vec::new();
    for vendor in Vendor::ALL {
        undeclared.extend(probe(vendor));
    }
    assert!(
        undeclared.is_empty(),
        "{} answers with undeclared statuses:\n{}",
        undeclared.len(),
        undeclared.join("\n")
    );
}
