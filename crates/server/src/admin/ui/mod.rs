//! The dashboard: `GET /__eventmock/ui/`, a page for people, under the admin API's access
//! rules and [`super::guard`]'s browser safety.
//!
//! | method | path (under `/__eventmock/ui`) | answer |
//! |---|---|---|
//! | GET | `/` | the page (`page.rs`): vendors, clock and scenario rendered on the server; the journal, charts, ledger and rules filled and kept live by `app.js` polling the admin JSON endpoints |
//! | GET | `/app.js`, `/app.css`, `/favicon.svg` | the one script, the style sheet and the icon, embedded in the binary (`assets/`) |
//! | POST | `/login` | form field `token`: with the admin token, a session cookie (HTTP-only, `SameSite=Strict`) and 303 to the page; otherwise 401 and the form again |
//! | POST | `/logout` | ends the session (CSRF token required), 303 to the page |
//!
//! With an admin token set and no session (and no `Authorization`), `GET /` answers 401 with
//! the login form; the assets need no session (they hold no data).

mod page;

use bytes::Bytes;
use hyper::{Method, Request, StatusCode};

use super::session;
use crate::admin::Host;
use crate::header_name;
use crate::response::{Reply, reply, set_header};

/// The dashboard's path prefix.
pub const UI_PREFIX: &str = "/__eventmock/ui";

const APP_JS: &str = include_str!("assets/app.js");
const APP_CSS: &str = include_str!("assets/app.css");
const FAVICON: &str = include_str!("assets/favicon.svg");

/// The part of `path` below [`UI_PREFIX`] (`""` for the page itself), if it is a UI path.
pub fn ui_path(path: &str) -> Option<&str> {
    let rest = path.strip_prefix(UI_PREFIX)?;
    (rest.is_empty() || rest.starts_with('/')).then(|| rest.trim_start_matches('/'))
}

/// A static asset with its content type.
fn asset(content_type: &'static str, text: &'static str) -> Reply {
    let mut res = reply(
        StatusCode::OK,
        content_type,
        Bytes::from_static(text.as_bytes()),
    );
    set_header(&mut res, header_name!("cache-control"), "no-cache");
    set_header(&mut res, header_name!("x-content-type-options"), "nosniff");
    res
}

/// 303 to the page, with `cookie` set when given.
fn see_page(cookie: Option<String>) -> Reply {
    let mut res = reply(StatusCode::SEE_OTHER, "text/plain; charset=utf-8", "");
    set_header(&mut res, header_name!("location"), "/__eventmock/ui/");
    if let Some(cookie) = cookie {
        set_header(&mut res, header_name!("set-cookie"), &cookie);
    }
    res
}

fn not_found(path: &str) -> Reply {
    super::routes::error(StatusCode::NOT_FOUND, format!("no dashboard path {path}"))
}

/// Answers a dashboard request from a caller who passed the access check (`session`: the
/// dashboard session it came with, if that is how it was let in).
pub(super) fn route(
    app: &dyn Host,
    req: &Request<Bytes>,
    rest: &str,
    session: Option<&str>,
) -> Reply {
    let method = req.method();
    match (rest, method) {
        ("", &Method::GET | &Method::HEAD) => page::dashboard(app, req, session),
        ("app.js", &Method::GET | &Method::HEAD) => asset("text/javascript; charset=utf-8", APP_JS),
        ("app.css", &Method::GET | &Method::HEAD) => asset("text/css; charset=utf-8", APP_CSS),
        ("favicon.svg", &Method::GET | &Method::HEAD) => asset("image/svg+xml", FAVICON),
        ("login", &Method::POST) => see_page(None),
        ("logout", &Method::POST) => {
            let sessions = app.control().sessions();
            if let Some(id) = session {
                sessions.end(id);
            }
            see_page(Some(session::clear_cookie()))
        }
        ("" | "app.js" | "app.css" | "favicon.svg" | "login" | "logout", _) => {
            super::routes::error(
                StatusCode::METHOD_NOT_ALLOWED,
                format!("{method} is not served on {}", req.uri().path()),
            )
        }
        _ => not_found(req.uri().path()),
    }
}

/// Answers a dashboard request that carries no credential while an admin token is set: the
/// login form, the login itself and the assets; `None` for anything else (the caller refuses
/// it).
pub(super) fn unauthenticated(app: &dyn Host, req: &Request<Bytes>, rest: &str) -> Option<Reply> {
    match (rest, req.method()) {
        ("", &Method::GET | &Method::HEAD) => Some(page::login(StatusCode::UNAUTHORIZED, None)),
        ("app.css" | "app.js" | "favicon.svg", &Method::GET | &Method::HEAD) => {
            Some(route(app, req, rest, None))
        }
        ("login", &Method::POST) => Some(login(app, req.body())),
        _ => None,
    }
}

/// `POST /ui/login` with `token=…` (form-encoded).
fn login(app: &dyn Host, body: &[u8]) -> Reply {
    let given = form_urlencoded::parse(body)
        .find(|(k, _)| k == "token")
        .map(|(_, v)| v.into_owned())
        .unwrap_or_default();
    let control = app.control();
    if !control.config().access.token_matches(&given) {
        return page::login(
            StatusCode::UNAUTHORIZED,
            Some("That is not the admin token (eventmock serve --admin-token)."),
        );
    }
    match control.sessions().start() {
        Some((id, _csrf)) => see_page(Some(session::set_cookie(&id))),
        None => page::login(
            StatusCode::SERVICE_UNAVAILABLE,
            Some("The server could not draw a session id (no system randomness)."),
        ),
    }
}
