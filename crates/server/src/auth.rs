//! Credential checks shared by every vendor: which header and scheme carry the credential,
//! and which credentials are accepted. Vendors map the outcome to their own error bodies.

use crate::errors::ErrorName;
use crate::request::Req;

/// Which credentials are accepted.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub enum AuthPolicy {
    /// Any non-empty credential in the vendor's scheme (the zero-config default).
    #[default]
    AnyNonEmpty,
    /// Only these credentials; any other gets the vendor's bad-token error.
    Tokens(Vec<String>),
    /// No credential needed.
    Off,
}

/// One way a vendor accepts a credential.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Scheme {
    /// The header that carries it, lower case (`authorization`, `x-apikey`).
    pub header: &'static str,
    /// The scheme word before the credential (`JWT`, `Bearer`), or `None` for a bare key.
    pub prefix: Option<&'static str>,
}

impl AuthPolicy {
    /// Checks `req` against `schemes` (tried in order): `Ok` or the named failure
    /// (`Unauthenticated`, `WrongScheme` or `BadToken`).
    pub fn check(&self, schemes: &[Scheme], req: &Req) -> Result<(), ErrorName> {
        if *self == AuthPolicy::Off {
            return Ok(());
        }
        let mut wrong_scheme = false;
        for scheme in schemes {
            let Some(value) = req.header(scheme.header) else {
                if req.headers.contains_key(scheme.header) {
                    return Err(ErrorName::BadToken);
                }
                continue;
            };
            let credential = match scheme.prefix {
                None => value.trim(),
                Some(prefix) => {
                    let mut parts = value.trim().splitn(2, ' ');
                    let word = parts.next().unwrap_or_default();
                    if !word.eq_ignore_ascii_case(prefix) {
                        wrong_scheme = true;
                        continue;
                    }
                    parts.next().unwrap_or_default().trim()
                }
            };
            if credential.is_empty() {
                return Err(if scheme.prefix.is_some() {
                    ErrorName::BadToken
                } else {
                    ErrorName::Unauthenticated
                });
            }
            return match self {
                AuthPolicy::Tokens(accepted) if !accepted.iter().any(|t| t == credential) => {
                    Err(ErrorName::BadToken)
                }
                _ => Ok(()),
            };
        }
        Err(if wrong_scheme {
            ErrorName::WrongScheme
        } else {
            ErrorName::Unauthenticated
        })
    }
}

impl AuthPolicy {
    /// A credential this policy accepts, for examples such as the banner's `curl` lines:
    /// the first listed token, `demo` when any credential is accepted, `None` when none is
    /// needed.
    pub fn example_credential(&self) -> Option<&str> {
        match self {
            AuthPolicy::Off => None,
            AuthPolicy::Tokens(tokens) => Some(tokens.first().map_or("", String::as_str)),
            AuthPolicy::AnyNonEmpty => Some("demo"),
        }
    }

    /// The `-H '…' ` argument (with its trailing space) a `curl` example needs to pass this
    /// policy in `scheme`, quoted for a POSIX shell; empty when no credential is needed.
    /// `header` is written as given (`Authorization`, `x-apikey`).
    pub fn curl_header(&self, header: &str, scheme: Option<&str>) -> String {
        match self.example_credential() {
            None => String::new(),
            Some(credential) => {
                let value = match scheme {
                    Some(word) => format!("{header}: {word} {credential}"),
                    None => format!("{header}: {credential}"),
                };
                format!("-H {} ", shell_quote(&value))
            }
        }
    }
}

/// `text` as one word of a POSIX shell: in single quotes, each `'` written as `'\''`.
pub fn shell_quote(text: &str) -> String {
    format!("'{}'", text.replace('\'', r"'\''"))
}

#[cfg(test)]
mod tests {
    use super::*;
    use hyper::{HeaderMap, Method};

    fn headers(headers: &[(&'static str, &str)]) -> HeaderMap {
        let mut map = HeaderMap::new();
        for (k, v) in headers {
            map.insert(*k, v.parse().unwrap());
        }
        map
    }

    fn req(map: &HeaderMap) -> Req<'_> {
        Req::new(Method::GET, "/", None, map, bytes::Bytes::new(), 0)
    }

    const BEARER: &[Scheme] = &[
        Scheme {
            header: "authorization",
            prefix: Some("Bearer"),
        },
        Scheme {
            header: "x-api-key",
            prefix: None,
        },
    ];

    #[test]
    fn outcomes() {
        let any = AuthPolicy::AnyNonEmpty;
        assert_eq!(
            any.check(BEARER, &req(&headers(&[]))),
            Err(ErrorName::Unauthenticated)
        );
        assert_eq!(
            any.check(BEARER, &req(&headers(&[("authorization", "Bearer x")]))),
            Ok(())
        );
        assert_eq!(
            any.check(BEARER, &req(&headers(&[("authorization", "bearer x")]))),
            Ok(())
        );
        assert_eq!(
            any.check(BEARER, &req(&headers(&[("authorization", "Basic x")]))),
            Err(ErrorName::WrongScheme)
        );
        assert_eq!(
            any.check(BEARER, &req(&headers(&[("authorization", "Bearer")]))),
            Err(ErrorName::BadToken)
        );
        assert_eq!(
            any.check(BEARER, &req(&headers(&[("x-api-key", "k")]))),
            Ok(())
        );
        let only = AuthPolicy::Tokens(vec!["good".into()]);
        assert_eq!(
            only.check(BEARER, &req(&headers(&[("authorization", "Bearer bad")]))),
            Err(ErrorName::BadToken)
        );
        assert_eq!(
            only.check(BEARER, &req(&headers(&[("authorization", "Bearer good")]))),
            Ok(())
        );
        assert_eq!(AuthPolicy::Off.check(BEARER, &req(&headers(&[]))), Ok(()));
    }

    #[test]
    fn example_credentials_pass_their_own_policy() {
        let policies = [
            AuthPolicy::AnyNonEmpty,
            AuthPolicy::Tokens(vec!["only-this".into(), "or-this".into()]),
            AuthPolicy::Off,
        ];
        for policy in &policies {
            let mut map = HeaderMap::new();
            if let Some(credential) = policy.example_credential() {
                map.insert(
                    "authorization",
                    format!("Bearer {credential}").parse().unwrap(),
                );
            }
            assert_eq!(policy.check(BEARER, &req(&map)), Ok(()), "{policy:?}");
        }
        assert_eq!(
            policies[1].curl_header("Authorization", Some("JWT")),
            "-H 'Authorization: JWT only-this' "
        );
        assert_eq!(policies[2].curl_header("x-apikey", None), "");
        assert_eq!(
            AuthPolicy::Tokens(vec!["it's".into()]).curl_header("x-apikey", None),
            r"-H 'x-apikey: it'\''s' "
        );
    }
}
