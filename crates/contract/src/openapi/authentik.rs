//! authentik: `/api/v3/events/events/` (read-only part of the `Event` viewset).

use eventmock_model::authentik::{
    ActionType, Event, EventAction, EventList, GenericError, ValidationError,
};
use serde_json::{Value, json};

use super::{Builder, JSON, body, path_param, query};

pub(super) fn build(b: &mut Builder) {
    b.set(
        "info",
        json!({
            "title": "authentik events (eventmock)",
            "version": "2026.8",
            "description": "authentik's event endpoints as reproduced by eventmock. Derived from the eventmock model types."
        }),
    );
    b.set("servers", json!([{ "url": "/" }]));
    b.security_scheme("authentik", json!({ "type": "http", "scheme": "bearer" }));
    b.set("security", json!([{ "authentik": [] }]));

    let headers = authentik_id();
    let validation = b.schema::<ValidationError>();
    let validation = b.response(
        "ValidationErrorResponse",
        body(
            "Invalid request (e.g. a bad filter).",
            JSON,
            validation,
            headers.clone(),
        ),
    );
    let generic = b.schema::<GenericError>();
    let forbidden = b.response(
        "GenericErrorResponse",
        body(
            "No, bad or unsupported credentials (`Authentication credentials were not provided.`, \
             `Token invalid/expired`, `Unsupported authentication type`); no `WWW-Authenticate`.",
            JSON,
            generic.clone(),
            headers.clone(),
        ),
    );
    let not_found = b.response(
        "NotFoundResponse",
        body(
            "`No Event matches the given query.` (unknown UUID), `Not found.` (malformed UUID or \
             unknown route) or `Invalid page.`.",
            JSON,
            generic,
            headers.clone(),
        ),
    );

    let action = b.schema::<EventAction>();
    let list = b.schema::<EventList>();
    let parameters = vec![
        query("action", "Exact action.", json!({ "type": "string" })),
        json!({
            "name": "actions",
            "in": "query",
            "required": false,
            "description": "Any of these actions (repeat the parameter).",
            "schema": { "type": "array", "items": action },
            "style": "form",
            "explode": true
        }),
        query(
            "brand_name",
            "Brand name (contains).",
            json!({ "type": "string" }),
        ),
        query("client_ip", "Client IP.", json!({ "type": "string" })),
        query(
            "context_authorized_app",
            "Context authorized application.",
            json!({ "type": "string" }),
        ),
        query(
            "context_device",
            "Context device.",
            json!({ "type": "string" }),
        ),
        query(
            "context_model_app",
            "Context model app.",
            json!({ "type": "string" }),
        ),
        query(
            "context_model_name",
            "Context model name.",
            json!({ "type": "string" }),
        ),
        query(
            "context_model_pk",
            "Context model primary key.",
            json!({ "type": "string" }),
        ),
        query(
            "ordering",
            "Which field to use when ordering the results.",
            json!({ "type": "string", "default": "-created" }),
        ),
        query(
            "page",
            "A page number within the paginated result set.",
            json!({ "type": "integer" }),
        ),
        query(
            "page_size",
            "Number of results to return per page.",
            json!({ "type": "integer", "default": 100 }),
        ),
        query("search", "A search term.", json!({ "type": "string" })),
        query("username", "Username.", json!({ "type": "string" })),
    ];
    b.operation(
        "get",
        "/api/v3/events/events/",
        json!({
            "operationId": "events_events_list",
            "description": "Event Read-Only Viewset",
            "tags": ["events"],
            "parameters": parameters,
            "responses": {
                "200": body("", JSON, list, headers.clone()),
                "400": validation.clone(),
                "403": forbidden.clone(),
                "404": not_found.clone()
            }
        }),
    );

    let event = b.schema::<Event>();
    b.operation(
        "get",
        "/api/v3/events/events/{event_uuid}/",
        json!({
            "operationId": "events_events_retrieve",
            "description": "Event Read-Only Viewset",
            "tags": ["events"],
            "parameters": [
                path_param("event_uuid", "A UUID string identifying this Event.", json!({ "type": "string", "format": "uuid" }))
            ],
            "responses": {
                "200": body("", JSON, event, headers.clone()),
                "400": validation.clone(),
                "403": forbidden.clone(),
                "404": not_found.clone()
            }
        }),
    );

    b.operation(
        "delete",
        "/api/v3/events/events/{event_uuid}/",
        json!({
            "operationId": "events_events_destroy",
            "description": "Event Viewset",
            "tags": ["events"],
            "parameters": [
                path_param("event_uuid", "A UUID string identifying this Event.", json!({ "type": "string", "format": "uuid" }))
            ],
            "responses": {
                "204": { "description": "No response body", "headers": headers.clone() },
                "400": validation.clone(),
                "403": forbidden.clone(),
                "404": not_found.clone()
            }
        }),
    );

    let action_type = b.schema::<ActionType>();
    b.operation(
        "get",
        "/api/v3/events/events/actions/",
        json!({
            "operationId": "events_events_actions_list",
            "description": "Get all actions",
            "tags": ["events"],
            "responses": {
                "200": body("", JSON, json!({ "type": "array", "items": action_type }), headers),
                "400": validation,
                "403": forbidden.clone()
            }
        }),
    );

    b.unmatched("403", forbidden.clone());
    b.unmatched("404", not_found);
    let method_error = b.schema::<GenericError>();
    b.unmatched(
        "405",
        body(
            "Wrong method: `{\"detail\":\"Method \\\"POST\\\" not allowed.\"}` with `Allow`.",
            JSON,
            method_error,
            authentik_id(),
        ),
    );
}

/// `X-authentik-id`, sent on every response.
fn authentik_id() -> Value {
    json!({
        "X-authentik-id": {
            "description": "Request id, 32 hex characters; on every response.",
            "required": true,
            "schema": { "type": "string", "pattern": "^[0-9a-f]{32}$" }
        }
    })
}
