//! Cloud Foundry Cloud Controller v2: `GET /`, `GET /v2/info`, `GET /v2/events`,
//! `GET /v2/events/{guid}`, the write routes (`POST /v2/events`, `PUT`/`DELETE
//! /v2/events/{guid}`), and UAA's `POST /oauth/token` that real clients call first.

use eventmock_model::cf::{ErrorBody, Event, EventList, Info, RootDocument, TokenResponse};
use serde_json::{Value, json};

use super::{Builder, body, path_param, query};

/// Cloud Controller's content type.
const CF_JSON: &str = "application/json;charset=utf-8";

pub(super) fn build(b: &mut Builder) {
    b.set(
        "info",
        json!({
            "title": "Cloud Foundry Cloud Controller v2 events (eventmock)",
            "version": "2",
            "description": "Cloud Controller v2 event endpoints as reproduced by eventmock. Error \
                            bodies end with a newline (the unknown-route body does not). Bodies \
                            are pretty-printed before API 2.232.0, compact from it on (scenario \
                            `api_version`). Derived from the eventmock model types."
        }),
    );
    b.set("servers", json!([{ "url": "/" }]));
    b.security_scheme(
        "bearer",
        json!({ "type": "http", "scheme": "bearer", "description": "`Authorization: bearer <token>` from UAA." }),
    );
    b.set("security", json!([{ "bearer": [] }]));

    let headers = request_id();
    let error = b.schema::<ErrorBody>();
    let bad_query = b.response(
        "BadQueryParameter",
        body(
            "`The query parameter is invalid: <key>`, `CF-BadQueryParameter`, 10005.",
            CF_JSON,
            error.clone(),
            headers.clone(),
        ),
    );
    let unauthenticated = b.response(
        "NotAuthenticated",
        body(
            "`Authentication error` (`CF-NotAuthenticated`, 10002) or `Invalid Auth Token` \
             (`CF-InvalidAuthToken`, 1000).",
            CF_JSON,
            error.clone(),
            headers.clone(),
        ),
    );
    let forbidden = b.response(
        "NotAuthorized",
        body(
            "`You are not authorized to perform the requested action`, `CF-NotAuthorized`, 10003.",
            CF_JSON,
            error.clone(),
            headers.clone(),
        ),
    );
    let not_found = b.response(
        "NotFound",
        body(
            "`Event could not be found: <guid>` (`CF-EventNotFound`, 230002) or `Unknown request` \
             (`CF-NotFound`, 10000).",
            CF_JSON,
            error.clone(),
            headers.clone(),
        ),
    );
    let server_error = b.response(
        "UnknownError",
        body(
            "`An unknown error occurred.` (`UnknownError`, 10001: a `page` or `results-per-page` \
             that is not an integer or below 1, an unparseable `q` timestamp) or `Cannot order \
             by: <field>` (`CF-OrderByParameterInvalid`, 10012).",
            CF_JSON,
            error.clone(),
            headers.clone(),
        ),
    );
    let parse_error = b.response(
        "MessageParseError",
        body(
            "`Request invalid due to parse error: …`, `CF-MessageParseError`, 1001 (a body that \
             is not JSON).",
            CF_JSON,
            error,
            headers.clone(),
        ),
    );

    let root = b.schema::<RootDocument>();
    b.operation(
        "get",
        "/",
        json!({
            "operationId": "root",
            "summary": "Root document: links to the v2 API, login and UAA",
            "security": [],
            "responses": { "200": body("The root document.", CF_JSON, root, headers.clone()) }
        }),
    );

    let info = b.schema::<Info>();
    b.operation(
        "get",
        "/v2/info",
        json!({
            "operationId": "info",
            "summary": "Deployment information (compact JSON); `user` with a valid token",
            "security": [{}, { "bearer": [] }],
            "responses": { "200": body("The information.", CF_JSON, info, headers.clone()) }
        }),
    );

    let token = b.schema::<TokenResponse>();
    b.operation(
        "post",
        "/oauth/token",
        json!({
            "operationId": "oauth_token",
            "summary": "UAA token endpoint (`<login>/oauth/token`)",
            "security": [],
            "requestBody": {
                "required": true,
                "content": {
                    "application/x-www-form-urlencoded": {
                        "schema": {
                            "type": "object",
                            "required": ["grant_type"],
                            "properties": {
                                "grant_type": { "type": "string", "enum": ["password", "refresh_token", "client_credentials"] },
                                "username": { "type": "string" },
                                "password": { "type": "string" },
                                "refresh_token": { "type": "string" },
                                "scope": { "type": "string" }
                            }
                        }
                    }
                }
            },
            "responses": {
                "200": body("A token (UAA's shape).", CF_JSON, token, json!({})),
                "400": body(
                    "UAA's error: `unsupported_grant_type` or `invalid_request` (missing grant type).",
                    CF_JSON,
                    json!({
                        "type": "object",
                        "required": ["error", "error_description"],
                        "properties": {
                            "error": { "type": "string" },
                            "error_description": { "type": "string" }
                        },
                        "additionalProperties": false
                    }),
                    json!({})
                )
            }
        }),
    );
    b.operation(
        "get",
        "/login",
        json!({
            "operationId": "login_info",
            "summary": "UAA login information (links and prompts), so clients can discover the token endpoint",
            "security": [],
            "responses": {
                "200": body("Login information.", CF_JSON, json!({ "type": "object" }), json!({}))
            }
        }),
    );

    let list = b.schema::<EventList>();
    let event = b.schema::<Event>();
    b.operation(
        "get",
        "/v2/events",
        json!({
            "operationId": "list_events",
            "summary": "List all events",
            "parameters": [
                {
                    "name": "q",
                    "in": "query",
                    "required": false,
                    "description": "`<field><op><value>`, repeatable; fields `timestamp`, `type`, `actee`, \
                                    `space_guid`, `organization_guid`; ops `:` `>=` `<=` `<` `>` ` IN `.",
                    "schema": {
                        "type": "array",
                        "items": {
                            "type": "string",
                            "pattern": "^((timestamp|type|actee|space_guid|organization_guid)((:|>=|<=|<|>| IN ).*)?)?(;.*)?$"
                        }
                    },
                    "style": "form",
                    "explode": true
                },
                query("page", "Page number, from 1.", json!({ "type": "integer", "minimum": 1, "default": 1 })),
                query("results-per-page", "Page size.", json!({ "type": "integer", "minimum": 1, "maximum": 100, "default": 50 })),
                query("order-direction", "Order direction.", json!({ "type": "string", "enum": ["asc", "desc"], "default": "asc" })),
                query("order-by", "Accepted and ignored: events are ordered by timestamp, then id.", json!({ "type": "string", "enum": ["timestamp", "id"] }))
            ],
            "responses": {
                "200": body("A page of events.", CF_JSON, list, headers.clone()),
                "400": bad_query,
                "401": unauthenticated.clone(),
                "403": forbidden.clone(),
                "500": server_error.clone()
            }
        }),
    );
    b.operation(
        "post",
        "/v2/events",
        json!({
            "operationId": "create_event",
            "summary": "Create an event: refused to eventmock's (non-admin) user",
            "requestBody": { "required": false, "content": { "application/json": { "schema": { "type": "object" } } } },
            "responses": {
                "201": body("The created event (CC's answer to an admin; eventmock's user is none).", CF_JSON, event.clone(), headers.clone()),
                "400": parse_error.clone(),
                "401": unauthenticated.clone(),
                "403": forbidden.clone(),
                "500": server_error.clone()
            }
        }),
    );

    b.operation(
        "get",
        "/v2/events/{guid}",
        json!({
            "operationId": "retrieve_event",
            "summary": "Retrieve a particular event",
            "parameters": [path_param("guid", "Event GUID.", json!({ "type": "string" }))],
            "responses": {
                "200": body("The event.", CF_JSON, event.clone(), headers.clone()),
                "401": unauthenticated,
                "403": forbidden,
                "404": not_found.clone(),
                "500": server_error.clone()
            }
        }),
    );

    for (method, id, summary) in [
        (
            "put",
            "update_event",
            "Update an event: refused to eventmock's (non-admin) user",
        ),
        (
            "delete",
            "delete_event",
            "Delete an event: refused to eventmock's (non-admin) user",
        ),
    ] {
        let mut responses = json!({
            "401": unauthenticated.clone(),
            "403": forbidden.clone(),
            "404": not_found.clone(),
            "500": server_error.clone()
        });
        if method == "put" {
            responses["201"] = body(
                "The updated event (CC's answer to an admin; eventmock's user is none).",
                CF_JSON,
                event.clone(),
                headers.clone(),
            );
            responses["400"] = parse_error.clone();
        } else {
            responses["204"] = json!({ "description": "Deleted (CC's answer to an admin; eventmock's user is none)." });
        }
        b.operation(
            method,
            "/v2/events/{guid}",
            json!({
                "operationId": id,
                "summary": summary,
                "parameters": [path_param("guid", "Event GUID.", json!({ "type": "string" }))],
                "responses": responses
            }),
        );
    }

    b.unmatched("404", not_found);
}

/// `X-VCAP-Request-ID`, on every Cloud Controller response.
fn request_id() -> Value {
    json!({
        "X-VCAP-Request-ID": {
            "description": "Request id.",
            "required": true,
            "schema": { "type": "string" }
        },
        "X-USER-GUID": {
            "description": "The authenticated user's guid (from API 2.165.0, with a valid token).",
            "required": false,
            "schema": { "type": "string" }
        }
    })
}
