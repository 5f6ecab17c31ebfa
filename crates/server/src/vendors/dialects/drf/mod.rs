//! Django REST framework (with Django and django-filter) written once: what authentik and
//! Probely do alike because both are DRF apps. A DRF vendor is a [`DrfVendor`] — data: its
//! error texts, page size, filters, search and ordering fields, renderers — plus its route
//! table and authentication ([`DrfViews`]); [`handle`] dispatches as Django and DRF do.
//!
//! - here: Django's URL resolution with `APPEND_SLASH` ([`append_slash`]), DRF's
//!   `APIView.dispatch` ([`handle`]: authentication, `OPTIONS` metadata, 405), the headers
//!   `finalize_response` puts on every view response ([`Drf::decorate`]: `Allow`, `Vary`), a
//!   destroy's empty 204 ([`no_content`]) and the throttled shape ([`throttled`]);
//! - [`errors`]: the error catalog ([`ErrorTexts`]: what a vendor says differently);
//! - [`filters`]: django-filter's `FilterSet` ([`FilterField`]) and `SearchFilter`;
//! - [`ordering`]: `OrderingFilter` ([`OrderingFields`]) and the list view ([`list`]);
//! - [`pagination`]: `PageNumberPagination` over Django's `Paginator`.
//!
//! Sources: `encode/django-rest-framework` (`views.py` `default_response_headers` /
//! `finalize_response` / `handle_exception`, `metadata.py` `SimpleMetadata`, `pagination.py`,
//! `filters.py`, `throttling.py` / `exceptions.py` `Throttled`), Django
//! (`middleware/common.py` `CommonMiddleware`, `core/paginator.py`), django-filter
//! (`filters.py` `ChoiceFilter`, `MultipleChoiceFilter`).

pub mod errors;
pub mod filters;
pub mod ordering;
pub mod pagination;

pub use errors::{ErrorTexts, authentication_failed, error_spec};
pub use filters::{BadChoice, FilterField, Lookup, search_terms};
pub use ordering::{ListError, OrderKey, OrderingFields, list};
pub use pagination::{
    InvalidPage, NumberedPage, PageNumber, PageRequest, PageSize, num_pages, page_number,
    positive_int,
};

use bytes::Bytes;
use eventmock_scenario::AllowMethods;
use hyper::{Method, StatusCode};
use serde::Serialize;
use serde_json::json;

use crate::errors::{ErrorName, Holes};
use crate::header_name;
use crate::request::Req;
use crate::response::{Reply, json, reply, set_header, set_static_header};
use crate::vendors::VendorModule;

/// DRF's JSON content type.
pub const CT: &str = "application/json";

/// One DRF vendor's choices: everything in which two DRF deployments differ, as data.
pub struct DrfVendor<E: 'static> {
    /// `Vary` of every view response: DRF sends `Accept` when a view has more than one
    /// renderer (`default_response_headers`); `None` with a single renderer.
    pub vary: Option<&'static str>,
    /// The error texts that differ from DRF's defaults.
    pub errors: ErrorTexts,
    /// `PageNumberPagination`'s page size.
    pub page_size: PageSize,
    /// The list's `FilterSet`, in declaration order.
    pub filters: &'static [FilterField<E>],
    /// `SearchFilter` over the vendor's `search_fields`: whether an event contains every
    /// (lower-cased) term; `None` without a `SearchFilter` (`search` is then ignored).
    pub search: Option<fn(&E, &[String]) -> bool>,
    /// `OrderingFilter`'s fields and default.
    pub ordering: OrderingFields<E>,
}

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

/// A view a route resolves to.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct View {
    /// `OPTIONS` `name` (`get_view_name`).
    pub name: &'static str,
    /// `OPTIONS` `description` (`get_view_description`).
    pub description: &'static str,
    /// Its methods (`Allow`).
    pub methods: ViewMethods,
}

/// A DRF vendor's routes and views, as [`handle`] dispatches them (errors come from the
/// vendor's catalog, [`VendorModule::error`]).
pub trait DrfViews: VendorModule {
    /// A matched route (borrowing the path).
    type Route<'a>;

    /// Django's URL resolver: the route of `path` (below the mount prefix), if any.
    fn route<'a>(&self, path: &'a str) -> Option<Self::Route<'a>>;

    /// The view `route` resolves to.
    fn view(&self, route: &Self::Route<'_>) -> View;

    /// The view's authentication classes: the refusal, if `req` is refused.
    fn authenticate(&self, req: &Req) -> Result<(), Reply>;

    /// The view's handler for `req.method`; [`method_not_allowed`] when it has none.
    fn answer(&self, req: &Req, route: Self::Route<'_>) -> Reply;
}

/// Answers `req` as Django and DRF do: an unknown path is `APPEND_SLASH`'s 301 or a 404;
/// then `APIView.initial()` authenticates (before the method check); `OPTIONS` answers
/// `SimpleMetadata`; the view answers (a method it lacks: [`method_not_allowed`]).
#[inline]
pub fn handle<V: DrfViews>(views: &V, req: &Req) -> Reply {
    let Some(route) = views.route(req.path) else {
        return append_slash(req, |p| views.route(p).is_some())
            .unwrap_or_else(|| views.error(ErrorName::UnknownRoute, Holes::default()));
    };
    if let Err(refusal) = views.authenticate(req) {
        return refusal;
    }
    if req.method == Method::OPTIONS {
        let view = views.view(&route);
        return options(view.name, view.description);
    }
    views.answer(req, route)
}

/// A method the view lacks: the vendor's 405 naming it (`Allow` is added by
/// [`Drf::decorate`]).
pub fn method_not_allowed<V: VendorModule>(views: &V, req: &Req) -> Reply {
    views.error(
        ErrorName::MethodNotAllowed,
        Holes {
            method: req.method.as_str(),
            ..Holes::default()
        },
    )
}

/// How one DRF vendor decorates its responses.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Drf {
    /// Which list `Allow` shows (scenario `allow`).
    pub allow: AllowMethods,
    /// `Vary` of every view response (see [`DrfVendor::vary`]).
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

    /// [`Drf::decorate`] for the view `req` reaches, if any (not a redirect or unknown route).
    #[inline]
    pub fn decorate_view<V: DrfViews>(&self, views: &V, req: &Req, reply: &mut Reply) {
        if let Some(route) = views.route(req.path) {
            self.decorate(views.view(&route).methods, reply);
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

/// A list page's answer: `body` as JSON, with `X-Eventmock-Scan-Truncated` when the scan cap
/// stopped the count.
pub fn list_reply<T: Serialize>(body: &T, truncated: bool) -> Reply {
    let mut res = json(StatusCode::OK, CT, body, false);
    if truncated {
        crate::listing::mark_truncated(&mut res);
    }
    res
}

/// `DestroyModelMixin.destroy`'s answer: 204 with no body; DRF drops the content type of an
/// empty response.
pub fn no_content() -> Reply {
    let mut res = reply(StatusCode::NO_CONTENT, CT, "");
    res.headers_mut().remove(hyper::header::CONTENT_TYPE);
    res
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
    fn throttled_shape() {
        let res = throttled(1);
        assert_eq!(res.status(), 429);
        assert_eq!(res.headers()["retry-after"], "1");
        let res = throttled(3);
        assert_eq!(res.headers()["retry-after"], "3");
    }

    #[test]
    fn no_content_has_no_content_type() {
        let res = no_content();
        assert_eq!(res.status(), 204);
        assert!(res.headers().get("content-type").is_none());
    }
}
