//! DRF's error catalog: the bodies `APIView.handle_exception` and Django give for every named
//! error, with the few texts that differ between deployments (authentication classes, the
//! model's name, the serializer's error shape) taken from the vendor's [`ErrorTexts`].

use hyper::StatusCode;

use super::CT;
use crate::errors::{ErrorName, ErrorSpec};

/// What one DRF deployment says differently: the rest of the catalog is DRF's own.
#[derive(Debug, Clone, Copy)]
pub struct ErrorTexts {
    /// A well-formed id of no event (`get_object_or_404`'s `Http404`, which names the model
    /// when the view raises it itself).
    pub not_found: &'static str,
    /// An id that is not in the vendor's format.
    pub malformed_id: &'static str,
    /// `WWW-Authenticate` of the first authentication class (`authenticate_header`): with
    /// one, `NotAuthenticated` and `AuthenticationFailed` answer 401 with it; without, 403
    /// (`APIView.handle_exception`).
    pub challenge: &'static [(&'static str, &'static str)],
    /// No credentials (`NotAuthenticated`).
    pub unauthenticated: &'static str,
    /// A credential of another scheme than the authentication class's keyword.
    pub wrong_scheme: &'static str,
    /// A credential that is not accepted.
    pub bad_token: &'static str,
    /// A serializer's validation error (non-field errors).
    pub validation: &'static str,
}

const fn spec(status: StatusCode, body: &'static str) -> ErrorSpec {
    ErrorSpec::plain(status, CT, body)
}

/// An authentication failure with `body`: 401 with the challenge of `texts`, or 403 without
/// one.
pub const fn authentication_failed(texts: &ErrorTexts, body: &'static str) -> ErrorSpec {
    if texts.challenge.is_empty() {
        spec(StatusCode::FORBIDDEN, body)
    } else {
        ErrorSpec {
            status: StatusCode::UNAUTHORIZED,
            body,
            content_type: CT,
            headers: texts.challenge,
        }
    }
}

/// The catalog of a DRF vendor saying `texts`.
pub fn error_spec(texts: &ErrorTexts, name: ErrorName) -> ErrorSpec {
    use ErrorName::*;
    match name {
        NotFound => spec(StatusCode::NOT_FOUND, texts.not_found),
        MalformedId => spec(StatusCode::NOT_FOUND, texts.malformed_id),
        UnknownRoute => spec(StatusCode::NOT_FOUND, r#"{"detail":"Not found."}"#),
        Unauthenticated => authentication_failed(texts, texts.unauthenticated),
        WrongScheme => authentication_failed(texts, texts.wrong_scheme),
        BadToken => authentication_failed(texts, texts.bad_token),
        Forbidden => spec(
            StatusCode::FORBIDDEN,
            r#"{"detail":"You do not have permission to perform this action."}"#,
        ),
        Validation => spec(StatusCode::BAD_REQUEST, texts.validation),
        BadQuery => spec(
            StatusCode::BAD_REQUEST,
            r#"{"{param}":["Select a valid choice. {id} is not one of the available choices."]}"#,
        ),
        InvalidPage => spec(StatusCode::NOT_FOUND, r#"{"detail":"Invalid page."}"#),
        MethodNotAllowed => ErrorSpec {
            status: StatusCode::METHOD_NOT_ALLOWED,
            body: r#"{"detail":"Method \"{method}\" not allowed."}"#,
            content_type: CT,
            headers: &[("allow", "GET, HEAD, OPTIONS")],
        },
        PayloadTooLarge => spec(
            StatusCode::PAYLOAD_TOO_LARGE,
            r#"{"detail":"Request body too large."}"#,
        ),
        RateLimited => ErrorSpec {
            status: StatusCode::TOO_MANY_REQUESTS,
            body: r#"{"detail":"Request was throttled. Expected available in 60 seconds."}"#,
            content_type: CT,
            headers: &[("retry-after", "60")],
        },
        Internal => spec(
            StatusCode::INTERNAL_SERVER_ERROR,
            r#"{"detail":"A server error occurred."}"#,
        ),
    }
}
