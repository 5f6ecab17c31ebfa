//! Probely: `GET /events/{id}/` and `GET /events/` (Django REST Framework).

use eventmock_model::probely::{ErrorBody, Event, EventList, EventType, ObjectType};
use serde_json::json;

use super::{Builder, JSON, body, path_param, query};

pub(super) fn build(b: &mut Builder) {
    b.set(
        "info",
        json!({
            "title": "Probely events (eventmock)",
            "version": "1",
            "description": "Probely account events as reproduced by eventmock. Derived from the eventmock model types."
        }),
    );
    b.set("servers", json!([{ "url": "https://api.probely.com" }]));
    b.security_scheme(
        "JWT",
        json!({
            "type": "apiKey",
            "in": "header",
            "name": "Authorization",
            "description": "`Authorization: JWT <api key>`."
        }),
    );
    b.set("security", json!([{ "JWT": [] }]));

    let error = b.schema::<ErrorBody>();
    let www_authenticate = json!({
        "WWW-Authenticate": {
            "description": "`JWT realm=\"api\"`.",
            "required": true,
            "schema": { "type": "string", "const": "JWT realm=\"api\"" }
        }
    });
    let unauthenticated = body(
        "No or bad credentials: `{\"detail\":\"Authentication credentials were not provided.\"}`.",
        JSON,
        error.clone(),
        www_authenticate,
    );
    let unauthenticated = b.response("Unauthenticated", unauthenticated);
    let not_found = b.response(
        "NotFound",
        body(
            "Unknown event (or invalid page): `{\"detail\":\"Not found.\"}`.",
            JSON,
            error,
            json!({}),
        ),
    );

    let list = b.schema::<EventList>();
    let event_type = b.schema::<EventType>();
    let object_type = b.schema::<ObjectType>();
    // DRF's field errors: each invalid parameter → its messages.
    let field_errors = json!({
        "type": "object",
        "minProperties": 1,
        "additionalProperties": { "type": "array", "items": { "type": "string" } }
    });
    b.operation(
        "get",
        "/events/",
        json!({
            "operationId": "events_list",
            "summary": "List account events",
            "x-eventmock-note": "Path and envelope unconfirmed (Probely's generic list shape).",
            "parameters": [
                query("page", "Page number, from 1.", json!({ "type": "integer", "minimum": 1, "default": 1 })),
                query("length", "Page size.", json!({ "type": "integer", "minimum": 1 })),
                query("ordering", "Field to order by; `-` prefix for descending.", json!({ "type": "string" })),
                query("event_type", "Only events of this type (exact).", event_type),
                query("object_type", "Only events about this kind of object (exact).", object_type)
            ],
            "responses": {
                "200": body("A page of events.", JSON, list, json!({})),
                "400": body(
                    "A filter value outside its choices, DRF's field errors: `{\"event_type\":[\"Select a valid choice. x is not one of the available choices.\"]}`.",
                    JSON,
                    field_errors,
                    json!({})
                ),
                "401": unauthenticated.clone(),
                "404": not_found.clone()
            }
        }),
    );

    let event = b.schema::<Event>();
    b.operation(
        "get",
        "/events/{id}/",
        json!({
            "operationId": "events_retrieve",
            "summary": "Retrieve an account event",
            "parameters": [
                path_param("id", "Base58 event id, 12 characters.", json!({
                    "type": "string",
                    "pattern": "^[1-9A-HJ-NP-Za-km-z]{12}$"
                }))
            ],
            "responses": {
                "200": body("The event.", JSON, event, json!({})),
                "401": unauthenticated,
                "404": not_found.clone()
            }
        }),
    );

    b.unmatched("404", not_found);
    let method_error = b.schema::<ErrorBody>();
    b.unmatched(
        "405",
        body(
            "Wrong method on a known route: `{\"detail\":\"Method \\\"POST\\\" not allowed.\"}`.",
            JSON,
            method_error,
            json!({ "Allow": { "required": true, "schema": { "type": "string" } } }),
        ),
    );
}
