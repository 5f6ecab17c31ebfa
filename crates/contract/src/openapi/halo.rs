//! Halo Security: `GET /api/v1/event/{list,get,delete,types}.json`.

use eventmock_model::halo::{DeleteResponse, ErrorBody, EventList, GetResponse, TypesResponse};
use serde_json::{Value, json};

use super::{Builder, JSON, body, query, query_required};

pub(super) fn build(b: &mut Builder) {
    b.set(
        "info",
        json!({
            "title": "Halo Security events (eventmock)",
            "version": "1",
            "description": "Halo Security's event endpoints as reproduced by eventmock. Derived from the eventmock model types."
        }),
    );
    b.set(
        "servers",
        json!([{ "url": "https://api.halosecurity.com" }]),
    );
    b.security_scheme(
        "apikey",
        json!({ "type": "apiKey", "in": "header", "name": "x-apikey" }),
    );
    b.set("security", json!([{ "apikey": [] }]));

    let error = b.schema::<ErrorBody>();
    let bad_request = b.response(
        "BadRequest",
        body(
            "Missing or invalid parameter, e.g. `{\"code\":0,\"message\":\"event_id required\"}` \
             (HTTP status unconfirmed).",
            JSON,
            error.clone(),
            json!({}),
        ),
    );
    let not_found = b.response(
        "NotFound",
        body(
            "`{\"code\":404,\"message\":\"event not found\"}` (HTTP status unconfirmed).",
            JSON,
            error.clone(),
            json!({}),
        ),
    );
    let unauthorized = b.response(
        "Unauthorized",
        body(
            "Missing or bad `x-apikey` (shape unconfirmed).",
            JSON,
            error.clone(),
            json!({}),
        ),
    );

    let list = b.schema::<EventList>();
    b.operation(
        "get",
        "/api/v1/event/list.json",
        json!({
            "operationId": "event_list",
            "summary": "Get a list of events",
            "parameters": [
                query("sort", "Sort field: 0 = name (default).", json!({ "type": "integer", "default": 0 })),
                query("sort_desc", "0 = no (default), 1 = yes.", json!({ "type": "integer", "enum": [0, 1], "default": 0 })),
                query("key", "Filter by key.", json!({ "type": "string" })),
                query("subject", "Filter by subject.", json!({ "type": "string" })),
                query("detail", "Filter by detail.", json!({ "type": "string" })),
                query("target_id", "Filter by target id.", json!({ "type": "integer" })),
                query("start", "Offset of the first event.", json!({ "type": "integer", "minimum": 0, "default": 0 })),
                query("limit", "Page size.", json!({ "type": "integer", "minimum": 1, "maximum": 1000, "default": 100 }))
            ],
            "responses": {
                "200": body("A page of events.", JSON, list, json!({})),
                "400": bad_request.clone(),
                "401": unauthorized.clone()
            }
        }),
    );

    let get = b.schema::<GetResponse>();
    b.operation(
        "get",
        "/api/v1/event/get.json",
        json!({
            "operationId": "event_get",
            "summary": "Get details about an event",
            "parameters": [event_id("The event to get.")],
            "responses": {
                "200": body("The event.", JSON, get, json!({})),
                "400": bad_request.clone(),
                "401": unauthorized.clone(),
                "404": not_found.clone()
            }
        }),
    );

    let delete = b.schema::<DeleteResponse>();
    b.operation(
        "get",
        "/api/v1/event/delete.json",
        json!({
            "operationId": "event_delete",
            "summary": "Delete an event (a GET that deletes)",
            "parameters": [event_id("The event to delete.")],
            "responses": {
                "200": body("Deleted: `{\"success\":1}`; the event is gone afterwards.", JSON, delete, json!({})),
                "400": bad_request.clone(),
                "401": unauthorized.clone(),
                "404": not_found.clone()
            }
        }),
    );

    let types = b.schema::<TypesResponse>();
    b.operation(
        "get",
        "/api/v1/event/types.json",
        json!({
            "operationId": "event_types",
            "summary": "Get a list of event types",
            "responses": {
                "200": body("Every event type (subject and key).", JSON, types, json!({})),
                "401": unauthorized
            }
        }),
    );

    b.unmatched("400", bad_request);
    b.unmatched("404", not_found);
    b.unmatched(
        "405",
        body(
            "Any method but GET: `{\"code\":405,\"message\":\"method not allowed\"}` (unconfirmed).",
            JSON,
            error,
            json!({ "Allow": { "required": true, "schema": { "type": "string", "const": "GET" } } }),
        ),
    );
}

/// The `event_id` query parameter: 49 characters, `YYYYMMDDhhmmss` + 35 hex digits.
fn event_id(description: &str) -> Value {
    query_required(
        "event_id",
        description,
        json!({ "type": "string", "pattern": "^[0-9]{14}[0-9a-f]{35}$" }),
    )
}
