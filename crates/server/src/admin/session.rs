//! The dashboard's login sessions and CSRF tokens.
//!
//! With an admin token set, the dashboard's login form (`POST /__eventmock/ui/login`) trades
//! the token for a session: a random id in an HTTP-only, `SameSite=Strict` cookie
//! ([`COOKIE`]), and a random CSRF token the page sends back on state-changing requests.
//! Without an admin token there is no login; the page gets the process's own CSRF token.
//! Ids and tokens are 128 bits from the operating system's generator (`getrandom`). At most
//! [`MAX_SESSIONS`] sessions are kept; the oldest goes first.

use std::collections::VecDeque;
use std::sync::{Mutex, PoisonError};

use hyper::HeaderMap;

/// The session cookie's name.
pub const COOKIE: &str = "eventmock_session";
/// Sessions kept at most (a new login past it ends the oldest session).
pub const MAX_SESSIONS: usize = 64;

/// One logged-in browser.
#[derive(Debug, Clone)]
struct Session {
    id: String,
    csrf: String,
}

/// The sessions of a server, and the CSRF token of requests without a session.
#[derive(Debug)]
pub struct Sessions {
    sessions: Mutex<VecDeque<Session>>,
    anonymous_csrf: String,
}

impl Default for Sessions {
    fn default() -> Self {
        Self::new()
    }
}

/// 128 random bits as 32 hex digits; `None` when the system generator fails.
fn random_hex() -> Option<String> {
    let mut bytes = [0u8; 16];
    getrandom::fill(&mut bytes).ok()?;
    Some(bytes.iter().fold(String::with_capacity(32), |mut s, b| {
        use std::fmt::Write as _;
        let _ = write!(s, "{b:02x}");
        s
    }))
}

/// Compares without stopping at the first difference.
fn same(a: &str, b: &str) -> bool {
    a.len() == b.len()
        && a.bytes()
            .zip(b.bytes())
            .fold(0u8, |acc, (x, y)| acc | (x ^ y))
            == 0
}

impl Sessions {
    /// No sessions; a fresh anonymous CSRF token. Should the system generator fail, the
    /// anonymous token is empty and [`Sessions::csrf_ok`] never accepts it.
    pub fn new() -> Self {
        Self {
            sessions: Mutex::new(VecDeque::new()),
            anonymous_csrf: random_hex().unwrap_or_default(),
        }
    }

    /// Starts a session: `(cookie id, csrf token)`; `None` when the system generator fails.
    pub fn start(&self) -> Option<(String, String)> {
        let session = Session {
            id: random_hex()?,
            csrf: random_hex()?,
        };
        let mut all = self.sessions.lock().unwrap_or_else(PoisonError::into_inner);
        if all.len() >= MAX_SESSIONS {
            all.pop_front();
        }
        all.push_back(session.clone());
        Some((session.id, session.csrf))
    }

    /// Ends the session `id` (no-op when unknown).
    pub fn end(&self, id: &str) {
        self.sessions
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .retain(|s| !same(&s.id, id));
    }

    /// The session id in `headers`' cookie, when it names a live session.
    pub fn from_cookie(&self, headers: &HeaderMap) -> Option<String> {
        let id = cookie(headers, COOKIE)?;
        let all = self.sessions.lock().unwrap_or_else(PoisonError::into_inner);
        all.iter().any(|s| same(&s.id, id)).then(|| id.to_owned())
    }

    /// The CSRF token of `session` (the anonymous one with `None`).
    pub fn csrf(&self, session: Option<&str>) -> Option<String> {
        match session {
            None => Some(self.anonymous_csrf.clone()),
            Some(id) => self
                .sessions
                .lock()
                .unwrap_or_else(PoisonError::into_inner)
                .iter()
                .find(|s| same(&s.id, id))
                .map(|s| s.csrf.clone()),
        }
    }

    /// Whether `given` is the CSRF token of `session` (the anonymous one with `None`).
    pub fn csrf_ok(&self, session: Option<&str>, given: Option<&str>) -> bool {
        match (self.csrf(session), given) {
            (Some(want), Some(given)) => !want.is_empty() && same(&want, given),
            _ => false,
        }
    }
}

/// The value of cookie `name` in `headers`.
pub fn cookie<'a>(headers: &'a HeaderMap, name: &str) -> Option<&'a str> {
    headers
        .get_all(hyper::header::COOKIE)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .flat_map(|v| v.split(';'))
        .filter_map(|pair| pair.trim().split_once('='))
        .find(|(k, _)| *k == name)
        .map(|(_, v)| v.trim())
}

/// The `Set-Cookie` value of a new session.
pub fn set_cookie(id: &str) -> String {
    format!("{COOKIE}={id}; Path=/__eventmock; HttpOnly; SameSite=Strict")
}

/// The `Set-Cookie` value that ends a session in the browser.
pub fn clear_cookie() -> String {
    format!("{COOKIE}=; Path=/__eventmock; HttpOnly; SameSite=Strict; Max-Age=0")
}

#[cfg(test)]
mod tests {
    use super::*;
    use hyper::header::HeaderValue;

    #[test]
    fn sessions_live_until_ended_and_are_bounded() {
        let s = Sessions::new();
        let Some((id, csrf)) = s.start() else {
            panic!("no system randomness");
        };
        assert_eq!(id.len(), 32);
        let mut h = HeaderMap::new();
        let Ok(v) = HeaderValue::from_str(&format!("a=b; {COOKIE}={id}")) else {
            panic!("header");
        };
        h.insert("cookie", v);
        assert_eq!(s.from_cookie(&h).as_deref(), Some(id.as_str()));
        assert!(s.csrf_ok(Some(&id), Some(&csrf)));
        assert!(!s.csrf_ok(Some(&id), Some("nope")));
        assert!(!s.csrf_ok(Some(&id), None));
        assert!(!s.csrf_ok(None, Some(&csrf)));
        s.end(&id);
        assert_eq!(s.from_cookie(&h), None);
        for _ in 0..MAX_SESSIONS + 3 {
            let _ = s.start();
        }
        assert_eq!(
            s.sessions
                .lock()
                .unwrap_or_else(PoisonError::into_inner)
                .len(),
            MAX_SESSIONS
        );
        assert!(set_cookie("x").contains("HttpOnly; SameSite=Strict"));
    }
}
