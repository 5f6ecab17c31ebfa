//! InstaVM audit API (FastAPI): `/v1/audit/events`, `/v1/audit/events/{event_id}`,
//! `/v1/audit/catalog`. Written to look like FastAPI's own output: operation ids, titles,
//! `Successful Response` / `Validation Error`, `HTTPValidationError` / `ValidationError`.

use eventmock_model::instavm::{AuditEvent, Catalog, EventList, HttpError, ValidationErrorBody};
use serde_json::{Value, json};

use super::{Builder, JSON, body};

pub(super) fn build(b: &mut Builder) {
    b.set(
        "info",
        json!({
            "title": "InstaVM audit API (eventmock)",
            "version": "1",
            "description": "InstaVM's audit endpoints as reproduced by eventmock. Derived from the eventmock model types."
        }),
    );
    b.set("servers", json!([{ "url": "https://api.instavm.io" }]));
    b.security_scheme("HTTPBearer", json!({ "type": "http", "scheme": "bearer" }));
    b.security_scheme(
        "APIKeyHeader",
        json!({ "type": "apiKey", "in": "header", "name": "X-API-Key" }),
    );
    b.set(
        "security",
        json!([{ "HTTPBearer": [] }, { "APIKeyHeader": [] }]),
    );

    let http_error = b.schema::<HttpError>();
    let unauthenticated = body(
        "Not authenticated: `{\"detail\":\"Not authenticated\"}`.",
        JSON,
        http_error.clone(),
        json!({
            "WWW-Authenticate": {
                "description": "`Bearer`.",
                "required": true,
                "schema": { "type": "string", "const": "Bearer" }
            }
        }),
    );
    let not_found = body(
        "Not found: `Audit event not found` (unknown id) or `Not Found` (unknown route).",
        JSON,
        http_error.clone(),
        json!({}),
    );
    let validation = b.schema::<ValidationErrorBody>();
    let validation = body("Validation Error", JSON, validation, json!({}));

    let list = b.schema::<EventList>();
    b.operation(
        "get",
        "/v1/audit/events",
        json!({
            "summary": "List Audit Events",
            "operationId": "list_audit_events_v1_audit_events_get",
            "parameters": [
                optional_string("event_group"),
                optional_string("event_type"),
                optional_string("status"),
                json!({
                    "name": "user_id", "in": "query", "required": false,
                    "schema": { "anyOf": [{ "type": "integer" }, { "type": "null" }], "title": "User Id" }
                }),
                optional_string("vm_id"),
                optional_string("session_id"),
                optional_string("cursor"),
                json!({
                    "name": "limit", "in": "query", "required": false,
                    "schema": { "type": "integer", "maximum": 200, "minimum": 1, "default": 50, "title": "Limit" }
                }),
                api_key_header()
            ],
            "responses": {
                "200": body("Successful Response", JSON, list, json!({})),
                "400": body(
                    "A `cursor` this API did not issue: `{\"detail\":\"Invalid cursor\"}`.",
                    JSON,
                    http_error.clone(),
                    json!({})
                ),
                "401": unauthenticated.clone(),
                "422": validation.clone()
            }
        }),
    );

    let event = b.schema::<AuditEvent>();
    b.operation(
        "get",
        "/v1/audit/events/{event_id}",
        json!({
            "summary": "Get Audit Event",
            "operationId": "get_audit_event_v1_audit_events__event_id__get",
            "parameters": [
                {
                    "name": "event_id", "in": "path", "required": true,
                    "schema": { "type": "string", "title": "Event Id" }
                },
                api_key_header()
            ],
            "responses": {
                "200": body("Successful Response", JSON, event, json!({})),
                "401": unauthenticated.clone(),
                "404": not_found.clone(),
                "422": validation.clone()
            }
        }),
    );

    let catalog = b.schema::<Catalog>();
    b.operation(
        "get",
        "/v1/audit/catalog",
        json!({
            "summary": "Get Audit Catalog",
            "operationId": "get_audit_catalog_v1_audit_catalog_get",
            "x-eventmock-note": "Response shape unconfirmed (mirrors the list envelope).",
            "parameters": [api_key_header()],
            "responses": {
                "200": body("Successful Response", JSON, catalog, json!({})),
                "401": unauthenticated,
                "422": validation
            }
        }),
    );

    b.unmatched("404", not_found);
    b.unmatched(
        "307",
        json!({
            "description": "Starlette's `redirect_slashes`: a path with a trailing slash is redirected to the one without; no body.",
            "headers": { "location": { "required": true, "schema": { "type": "string" } } }
        }),
    );
    b.unmatched(
        "405",
        body(
            "`{\"detail\":\"Method Not Allowed\"}`.",
            JSON,
            http_error,
            json!({}),
        ),
    );
    b.map_schemas(add_titles);
}

/// An optional string query parameter, as FastAPI writes `Optional[str] = None`.
fn optional_string(name: &str) -> Value {
    json!({
        "name": name, "in": "query", "required": false,
        "schema": { "anyOf": [{ "type": "string" }, { "type": "null" }], "title": title(name) }
    })
}

/// The `X-API-Key` header parameter of every operation (the seed lists it).
fn api_key_header() -> Value {
    json!({
        "name": "X-API-Key", "in": "header", "required": false,
        "schema": { "anyOf": [{ "type": "string" }, { "type": "null" }], "title": "X-Api-Key" }
    })
}

/// Pydantic's titles: the schema name on the schema, `Title Case` of the field on properties.
fn add_titles(name: &str, schema: &mut Value) {
    let Some(object) = schema.as_object_mut() else {
        return;
    };
    if let Some(Value::Object(properties)) = object.get_mut("properties") {
        for (field, property) in properties.iter_mut() {
            if let Some(property) = property.as_object_mut() {
                property
                    .entry("title")
                    .or_insert_with(|| Value::String(title(field)));
            }
        }
    }
    object.insert("title".to_owned(), Value::String(name.to_owned()));
}

/// Python's `str.title()` of a field name with `_` as space: `ip_address` → `Ip Address`.
fn title(field: &str) -> String {
    field
        .split('_')
        .filter(|w| !w.is_empty())
        .map(|w| {
            let mut chars = w.chars();
            let first = chars
                .next()
                .map(|c| c.to_uppercase().to_string())
                .unwrap_or_default();
            first + &chars.as_str().to_lowercase()
        })
        .collect::<Vec<_>>()
        .join(" ")
}
