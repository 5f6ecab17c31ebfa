//! Django REST framework (with Django and django-filter) behaviour shared by authentik and
//! Probely: the headers a view puts on every response (`Allow`, `Vary`), Django's
//! `APPEND_SLASH` redirect, `OPTIONS` metadata, page-number pagination's parsing, and the
//! throttling error shape. Sources: `encode/django-rest-framework` (`views.py`
//! `default_response_headers`/`finalize_response`, `metadata.py` `SimpleMetadata`,
//! `pagination.py` `_positive_int`, `throttling.py`/`exceptions.py` `Throttled`), Django
//! (`middleware/common.py` `CommonMiddleware`, `core/paginator.py`).

use bytes::Bytes;
use eventmock_scenario::AllowMethods;
use hyper::StatusCode;
use serde_json::json;

use crate::header_name;
use crate::request::Req;
use crate::response::{Reply, json, reply, set_header, set_static_header};

/// DRF's JSON content type.
pub const CT: &str = "application/json";

/// The methods of one view, as `allowed_methods` joins them (`http_method_names` order:
/// GET, POST, PUT, PATCH, DELETE, HEAD, OPTIONS).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ViewMethods {
    /// What eventmock answers on this view.
    pub served: &'static str,
    /// What the vendor's view declares (writes eventmock does not implement included).
    pub vendor: &'static str,
}

impl ViewMethods {
    /// A read-only view: `GET, HEAD, OPTIONS` either way.
    pub const READ_ONLY: Self = Self {
        served: "GET, HEAD, OPTIONS",
        vendor: "GET, HEAD, OPTIONS",
    };
}

/// How one DRF vendor is configured.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Drf {
    /// Which list `Allow` shows (scenario `allow`).
    pub allow: AllowMethods,
    /// `Vary` of every view response: DRF sends `Accept` when a view has more than one
    /// renderer (`default_response_headers`); `None` with a single renderer.
    pub vary: Option<&'static str>,
}

impl Drf {
    /// The `Allow` a view sends.
    pub fn allow(&self, view: ViewMethods) -> &'static str {
        match self.allow {
            AllowMethods::Served => view.served,
            AllowMethods::Vendor => view.vendor,
        }
    }

    /// R21: the headers `APIView.finalize_response` puts on *every* response of a view
    /// (successes, DRF's own errors, 405s alike): `Allow` and, with several renderers, `Vary`.
    pub fn decorate(&self, view: ViewMethods, reply: &mut Reply) {
        set_static_header(reply, header_name!("allow"), self.allow(view));
        if let Some(vary) = self.vary {
            set_static_header(reply, header_name!("vary"), vary);
        }
    }
}

/// Django's `CommonMiddleware` with `APPEND_SLASH` (R22): a path without its trailing slash
/// whose slash form is a route is answered `301` to the slash form before any view runs (so
/// without DRF's headers): empty body, `Content-Type: text/html; charset=utf-8`, a relative
/// `Location` (`get_full_path(force_append_slash=True)`: mount prefix, path, `/`, then the raw
/// query string). `None` when the path ends in `/` or its slash form is no route either.
pub fn append_slash(req: &Req, is_route: impl Fn(&str) -> bool) -> Option<Reply> {
    if req.path.ends_with('/') || !is_route(&format!("{}/", req.path)) {
        return None;
    }
    let mut location = format!("{}{}/", req.prefix, req.path);
    if let Some(q) = req.raw_query.filter(|q| !q.is_empty()) {
        location.push('?');
        location.push_str(q);
    }
    let mut res = reply(
        StatusCode::MOVED_PERMANENTLY,
        "text/html; charset=utf-8",
        Bytes::new(),
    );
    set_header(&mut res, header_name!("location"), &location);
    Some(res)
}

/// `SimpleMetadata.determine_metadata` as eventmock answers `OPTIONS` (name, description,
/// renders, parses).
pub fn options(name: &str, description: &str) -> Reply {
    let body = json!({
        "name": name,
        "description": description,
        "renders": ["application/json"],
        "parses": ["application/json"],
    });
    json(StatusCode::OK, CT, &body, false)
}

/// DRF's `_positive_int(value, strict=True, cutoff)`, falling back to `default`.
pub fn positive_int(raw: Option<&str>, default: u64, cutoff: u64) -> u64 {
    match raw.map(str::trim).and_then(|v| v.parse::<i64>().ok()) {
        Some(n) if n > 0 => (n as u64).min(cutoff),
        _ => default,
    }
}

/// Django's `Paginator.num_pages` (with `allow_empty_first_page`): 1 for an empty result.
pub fn num_pages(count: u64, size: u64) -> u64 {
    count.div_ceil(size.max(1)).max(1)
}

/// The page a request asks for (`PageNumberPagination.paginate_queryset`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum PageNumber {
    /// A page number, from 1 (not yet checked against the page count).
    Number(u64),
    /// `page=last`.
    Last,
}

/// Django's `InvalidPage`: answered as `{"detail":"Invalid page."}`, 404.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct InvalidPage;

/// Parses `page`: absent or empty → 1, `last`, or an integer ≥ 1.
pub fn page_number(raw: Option<&str>) -> Result<PageNumber, InvalidPage> {
    match raw.map(str::trim) {
        None | Some("") => Ok(PageNumber::Number(1)),
        Some("last") => Ok(PageNumber::Last),
        Some(v) => match v.parse::<i64>() {
            Ok(n) if n >= 1 => Ok(PageNumber::Number(n as u64)),
            _ => Err(InvalidPage),
        },
    }
}

/// R24's shape (throttling is the rate limiter's; this is the body and header it needs):
/// `429 {"detail":"Request was throttled. Expected available in N seconds."}` (`1 second.`
/// singular) with `Retry-After: N` (`exceptions.Throttled`, `views.exception_handler`).
pub fn throttled(wait_secs: u64) -> Reply {
    let unit = if wait_secs == 1 { "second" } else { "seconds" };
    let body = json!({
        "detail": format!("Request was throttled. Expected available in {wait_secs} {unit}.")
    });
    let mut res = json(StatusCode::TOO_MANY_REQUESTS, CT, &body, false);
    set_header(
        &mut res,
        header_name!("retry-after"),
        &wait_secs.to_string(),
    );
    res
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn paging_helpers() {
        assert_eq!(positive_int(Some(" 7 "), 10, 5), 5);
        assert_eq!(positive_int(Some("-1"), 10, 50), 10);
        assert_eq!(positive_int(Some("x"), 10, 50), 10);
        assert_eq!(num_pages(0, 10), 1);
        assert_eq!(num_pages(11, 10), 2);
        assert_eq!(page_number(None), Ok(PageNumber::Number(1)));
        assert_eq!(page_number(Some("last")), Ok(PageNumber::Last));
        assert_eq!(page_number(Some(" 3")), Ok(PageNumber::Number(3)));
        assert_eq!(page_number(Some("0")), Err(InvalidPage));
        assert_eq!(page_number(Some("x")), Err(InvalidPage));
    }

    #[test]
    fn throttled_shape() {
        let res = throttled(1);
        assert_eq!(res.status(), 429);
        assert_eq!(res.headers()["retry-after"], "1");
        let res = throttled(3);
        assert_eq!(res.headers()["retry-after"], "3");
    }
}
