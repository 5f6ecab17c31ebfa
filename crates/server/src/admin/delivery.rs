//! `GET /__eventmock/vendors/{vendor}/delivery[?client=C][&since=T]` and `DELETE` of it: the
//! delivery ledger's report (see [`crate::ledger::report`]) and clearing it, for one client or
//! all; `GET …/delivery/clients` lists the clients recorded. With shared state these read the
//! whole cluster's ledger (`cluster`) and say `"scope"`; `DELETE` goes through the change log.

use eventmock_fake::time::parse_rfc3339;
use hyper::StatusCode;

use super::Host;
use crate::response::Reply;
use crate::world::Mount;

use super::routes::{error, json_reply, no_content, param};

/// `GET …/delivery`.
pub(super) fn get(
    app: &dyn Host,
    mount: &Mount,
    query: &[(String, String)],
    ledger_on: bool,
) -> Reply {
    if !ledger_on {
        return error(
            StatusCode::CONFLICT,
            "the delivery ledger is off (serve --ledger off): nothing was recorded",
        );
    }
    let since = match param(query, "since") {
        None => None,
        Some(t) => match parse_rfc3339(t) {
            Ok(t) => Some(t),
            Err(e) => return error(StatusCode::BAD_REQUEST, format!("since: {e}")),
        },
    };
    let client = param(query, "client");
    let report = match app.shared() {
        None => mount.api.delivery(client, since),
        Some(shared) => match super::cluster::delivery_log(app, shared, mount, client) {
            Ok((log, truncated, scope)) => {
                let mut report = mount.api.delivery_of(&log, truncated, since);
                report.scope = Some(scope);
                report
            }
            Err(e) => return error(StatusCode::INTERNAL_SERVER_ERROR, e),
        },
    };
    match serde_json::to_value(&report) {
        Ok(v) => json_reply(StatusCode::OK, &v),
        Err(e) => error(StatusCode::INTERNAL_SERVER_ERROR, e.to_string()),
    }
}

/// `DELETE …/delivery[?client=C]`.
pub(super) fn delete(mount: &Mount, query: &[(String, String)]) -> Reply {
    mount.api.tracking().ledger.clear(param(query, "client"));
    no_content()
}

/// How many client names `GET …/delivery/clients` lists at most.
pub const CLIENTS_LISTED: usize = 100;

/// `GET …/delivery/clients`: `{"clients":[…]}`, the clients the ledger recorded (sorted, at
/// most [`CLIENTS_LISTED`]), so a reader such as the dashboard can ask per client.
pub(super) fn clients(app: &dyn Host, mount: &Mount, ledger_on: bool) -> Reply {
    if !ledger_on {
        return error(
            StatusCode::CONFLICT,
            "the delivery ledger is off (serve --ledger off): nothing was recorded",
        );
    }
    let Some(shared) = app.shared() else {
        let names = mount.api.tracking().ledger.client_names(CLIENTS_LISTED);
        return json_reply(StatusCode::OK, &serde_json::json!({ "clients": names }));
    };
    let (names, scope) = super::cluster::clients(app, shared, mount, CLIENTS_LISTED);
    json_reply(
        StatusCode::OK,
        &serde_json::json!({ "clients": names, "scope": scope }),
    )
}
