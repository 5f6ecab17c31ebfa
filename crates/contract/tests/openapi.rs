//! The committed documents under `openapi/` are current, and every document is well formed.
#![allow(clippy::expect_used, clippy::unwrap_used)] // Tests panic on failure.

use std::path::PathBuf;

use eventmock_contract::Validator;
use eventmock_contract::openapi::{self, OPENAPI_VERSION};
use eventmock_model::Vendor;
use serde_json::Value;

fn committed_path(vendor: Vendor) -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("../../openapi")
        .join(format!("{}.json", vendor.name()))
}

/// `EVENTMOCK_WRITE_OPENAPI=1 cargo test -p eventmock-contract` rewrites the files.
#[test]
fn committed_documents_are_current() {
    let write = std::env::var_os("EVENTMOCK_WRITE_OPENAPI").is_some_and(|v| v == "1");
    let mut stale = Vec::new();
    for vendor in Vendor::ALL {
        let path = committed_path(vendor);
        let generated = openapi::document_text(vendor);
        if write {
            std::fs::write(&path, &generated).expect("write the document");
            continue;
        }
        let committed = std::fs::read_to_string(&path).unwrap_or_default();
        if committed != generated {
            stale.push(format!(
                "openapi/{v}.json is stale; regenerate it with\n    \
                 cargo run -p eventmock -- openapi --vendor {v} > openapi/{v}.json\n  \
                 (or all of them: EVENTMOCK_WRITE_OPENAPI=1 cargo test -p eventmock-contract)",
                v = vendor.name()
            ));
        }
    }
    assert!(stale.is_empty(), "{}", stale.join("\n"));
}

#[test]
fn documents_are_deterministic() {
    for vendor in Vendor::ALL {
        assert_eq!(
            openapi::document_text(vendor),
            openapi::document_text(vendor)
        );
    }
}

/// Collects every `$ref` string in `value` with where it was found.
fn refs<'a>(value: &'a Value, at: String, out: &mut Vec<(String, &'a str)>) {
    match value {
        Value::Object(map) => {
            for (k, v) in map {
                if k == "$ref" {
                    if let Value::String(r) = v {
                        out.push((at.clone(), r));
                    }
                } else {
                    refs(v, format!("{at}/{k}"), out);
                }
            }
        }
        Value::Array(items) => {
            for (i, v) in items.iter().enumerate() {
                refs(v, format!("{at}/{i}"), out);
            }
        }
        _ => {}
    }
}

#[test]
fn documents_are_openapi_3_1_with_resolving_refs() {
    for vendor in Vendor::ALL {
        let doc = openapi::document(vendor);
        let v = vendor.name();
        assert!(doc.is_object(), "{v}: not an object");
        assert_eq!(doc["openapi"], OPENAPI_VERSION, "{v}");
        assert!(doc["info"]["title"].is_string(), "{v}: info.title");
        assert!(doc["info"]["version"].is_string(), "{v}: info.version");
        let schemes = doc["components"]["securitySchemes"].as_object().unwrap();
        assert!(!schemes.is_empty(), "{v}: no security scheme");
        for requirement in doc["security"].as_array().unwrap() {
            for name in requirement.as_object().unwrap().keys() {
                assert!(
                    schemes.contains_key(name),
                    "{v}: unknown security scheme {name}"
                );
            }
        }

        let mut all = Vec::new();
        refs(&doc, String::new(), &mut all);
        assert!(!all.is_empty(), "{v}: no $ref at all");
        for (at, reference) in all {
            let pointer = reference
                .strip_prefix('#')
                .unwrap_or_else(|| panic!("{v}: non-local $ref {reference} at {at}"));
            assert!(
                doc.pointer(pointer).is_some(),
                "{v}: $ref {reference} at {at} does not resolve"
            );
        }

        let paths = doc["paths"].as_object().unwrap();
        assert!(!paths.is_empty(), "{v}: no paths");
        for (template, item) in paths {
            assert!(template.starts_with('/'), "{v}: path {template}");
            for (method, op) in item.as_object().unwrap() {
                let responses = op["responses"].as_object().unwrap();
                assert!(
                    responses.keys().any(|k| k.starts_with('2')),
                    "{v}: {method} {template} has no success response"
                );
                for (status, response) in responses {
                    assert!(
                        status.len() == 3 && status.parse::<u16>().is_ok(),
                        "{v}: status {status}"
                    );
                    let response = match response.get("$ref").and_then(Value::as_str) {
                        Some(r) => doc.pointer(&r[1..]).unwrap(),
                        None => response,
                    };
                    assert!(
                        response["description"].is_string(),
                        "{v}: {template} {status}"
                    );
                    assert!(
                        response["content"].is_object() || status == "204",
                        "{v}: {template} {status} has no content"
                    );
                }
                // Every `{param}` of the template is declared as a path parameter.
                let declared: Vec<&str> = op["parameters"]
                    .as_array()
                    .map(|ps| {
                        ps.iter()
                            .filter(|p| p["in"] == "path")
                            .map(|p| p["name"].as_str().unwrap())
                            .collect()
                    })
                    .unwrap_or_default();
                for segment in template.split('/') {
                    if let Some(name) = segment.strip_prefix('{').and_then(|s| s.strip_suffix('}'))
                    {
                        assert!(
                            declared.contains(&name),
                            "{v}: {template}: {name} undeclared"
                        );
                    }
                }
                if let Some(params) = op["parameters"].as_array() {
                    for p in params {
                        assert!(p["name"].is_string() && p["in"].is_string(), "{v}: {p}");
                        assert!(p["schema"].is_object(), "{v}: {p}");
                    }
                }
            }
        }
        Validator::new(vendor).unwrap_or_else(|e| panic!("{v}: {e}"));
    }
}

#[test]
fn committed_documents_compile_too() {
    if std::env::var_os("EVENTMOCK_WRITE_OPENAPI").is_some() {
        return; // The files are being rewritten by `committed_documents_are_current`.
    }
    for vendor in Vendor::ALL {
        let Ok(text) = std::fs::read_to_string(committed_path(vendor)) else {
            continue; // Reported by `committed_documents_are_current`.
        };
        let doc: Value = serde_json::from_str(&text).expect("committed document is JSON");
        Validator::from_document(vendor, &doc).expect("committed document compiles");
    }
}

#[test]
fn security_schemes_follow_the_contracts() {
    let scheme =
        |v: Vendor, name: &str| openapi::document(v)["components"]["securitySchemes"][name].clone();
    let probely = scheme(Vendor::Probely, "JWT");
    assert_eq!(probely["type"], "apiKey");
    assert_eq!(probely["in"], "header");
    assert_eq!(probely["name"], "Authorization");
    assert_eq!(scheme(Vendor::Authentik, "authentik")["scheme"], "bearer");
    assert_eq!(scheme(Vendor::Instavm, "HTTPBearer")["scheme"], "bearer");
    assert_eq!(scheme(Vendor::CloudFoundry, "bearer")["scheme"], "bearer");
    assert_eq!(scheme(Vendor::Halo, "apikey")["name"], "x-apikey");
}

#[test]
fn instavm_looks_like_fastapi() {
    let doc = openapi::document(Vendor::Instavm);
    let schemas = &doc["components"]["schemas"];
    assert_eq!(
        schemas["HTTPValidationError"]["title"],
        "HTTPValidationError"
    );
    assert_eq!(
        schemas["ValidationError"]["properties"]["loc"]["type"],
        "array"
    );
    assert_eq!(
        schemas["AuditEventResponse"]["properties"]["created_at"]["title"],
        "Created At"
    );
    let op = &doc["paths"]["/v1/audit/events"]["get"];
    assert_eq!(op["operationId"], "list_audit_events_v1_audit_events_get");
    assert_eq!(
        op["responses"]["422"]["content"]["application/json"]["schema"]["$ref"],
        "#/components/schemas/HTTPValidationError"
    );
    let limit = op["parameters"]
        .as_array()
        .unwrap()
        .iter()
        .find(|p| p["name"] == "limit")
        .unwrap();
    assert_eq!(limit["schema"]["minimum"], 1);
    assert_eq!(limit["schema"]["maximum"], 200);
    assert_eq!(limit["schema"]["default"], 50);
}
