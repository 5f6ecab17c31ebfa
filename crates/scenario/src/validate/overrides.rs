//! Validation of `overrides:`: request matches, fixed answers and sequences.

use super::*;

impl Validator<'_> {
    /// The overrides.
    pub(super) fn overrides(&mut self, raw: &[OverrideFile]) -> Vec<Override> {
        let mut names: HashMap<&str, usize> = HashMap::new();
        let mut out = Vec::new();
        for (i, o) in raw.iter().enumerate() {
            let path = format!("overrides[{i}]");
            if let Some(n) = &o.name
                && names.insert(n, i).is_some()
            {
                self.err(
                    &join(&path, "name"),
                    "duplicate override name",
                    format!("`{n}`"),
                    "override names unique",
                );
            }
            let vendor = o
                .vendor
                .as_ref()
                .and_then(|v| self.vendor_ref(&join(&path, "vendor"), v));
            let matcher = self.request_match(&join(&path, "match"), o);
            let action = self.action(&path, o);
            if let Some(action) = action {
                out.push(Override {
                    name: o.name.clone(),
                    vendor,
                    matcher,
                    action,
                });
            }
        }
        out
    }

    /// The `match` of an override.
    pub(super) fn request_match(&mut self, path: &str, o: &OverrideFile) -> RequestMatch {
        let m = &o.match_;
        let method = m
            .method
            .as_ref()
            .map(|x| self.method(&join(path, "method"), x));
        let pm = match (&m.path, &m.path_regex) {
            (Some(_), Some(_)) => {
                self.err(
                    &join(path, "path_regex"),
                    "`path` and `path_regex` both given",
                    "both".into(),
                    "at most one of `path` / `path_regex`",
                );
                None
            }
            (Some(t), None) => self
                .template(&join(path, "path"), t)
                .map(PathMatcher::Template),
            (None, Some(r)) => self
                .regex(&join(path, "path_regex"), r)
                .map(|r| PathMatcher::Regex(RegexMatch(r))),
            (None, None) => None,
        };
        let query = self.value_matches(&join(path, "query"), &m.query, false);
        let headers = self.value_matches(&join(path, "headers"), &m.headers, true);
        let path_params = self.value_matches(&join(path, "path_params"), &m.path_params, false);
        if !m.path_params.is_empty() {
            let names: Vec<String> = match &pm {
                Some(PathMatcher::Template(t)) => t.names().map(str::to_owned).collect(),
                _ => Vec::new(),
            };
            for k in m.path_params.keys() {
                if !names.contains(k) {
                    let expected = if names.is_empty() {
                        "a `path` template with this `{name}` placeholder".to_owned()
                    } else {
                        let list: Vec<String> = names.iter().map(|n| format!("`{n}`")).collect();
                        format!("a placeholder of `path`: {}", list.join(", "))
                    };
                    self.err_key(
                        &join(&join(path, "path_params"), k),
                        "path parameter not in the path template",
                        format!("`{k}`"),
                        &expected,
                    );
                }
            }
        }
        let body = m
            .body
            .iter()
            .map(|(k, v)| (k.split('.').map(str::to_owned).collect(), v.clone()))
            .collect();
        RequestMatch {
            method,
            path: pm,
            query,
            headers,
            body,
            path_params,
        }
    }

    /// `respond` or `sequence` + `then`.
    pub(super) fn action(&mut self, path: &str, o: &OverrideFile) -> Option<Action> {
        match (&o.respond, &o.sequence) {
            (Some(r), None) => {
                if o.then.is_some() {
                    self.err_key(
                        &join(path, "then"),
                        "`then` without `sequence`",
                        "`then`".into(),
                        "`then` only together with `sequence`",
                    );
                }
                self.response(&join(path, "respond"), r)
                    .map(Action::Respond)
            }
            (None, Some(steps)) => {
                let spath = join(path, "sequence");
                if steps.is_empty() {
                    self.err(&spath, "empty sequence", "[]".into(), "at least one step");
                }
                let mut out = Vec::new();
                for (i, s) in steps.iter().enumerate() {
                    match s {
                        Step::Passthrough(_) => out.push(None),
                        Step::Respond(r) => {
                            out.push(Some(self.response(&format!("{spath}[{i}]"), r)?))
                        }
                    }
                }
                Some(Action::Sequence {
                    steps: out,
                    then: o.then.unwrap_or_default(),
                })
            }
            (Some(_), Some(_)) => {
                self.err_key(
                    &join(path, "sequence"),
                    "`respond` and `sequence` both given",
                    "both".into(),
                    "exactly one of `respond` / `sequence`",
                );
                None
            }
            (None, None) => {
                self.err(
                    path,
                    "override without an answer",
                    "neither `respond` nor `sequence`".into(),
                    "exactly one of `respond` / `sequence`",
                );
                None
            }
        }
    }

    /// A fixed answer.
    pub(super) fn response(&mut self, path: &str, r: &RespondFile) -> Option<Response> {
        let status_ok = self.status(&join(path, "status"), r.status);
        let given = usize::from(r.body.is_some())
            + usize::from(r.body_text.is_some())
            + usize::from(r.error.is_some());
        if given > 1 {
            self.err(
                path,
                "more than one body given",
                "several of `body` / `body_text` / `error`".into(),
                "at most one of `body` / `body_text` / `error`",
            );
            return None;
        }
        let body = match (&r.body, &r.body_text, r.error) {
            (Some(v), _, _) => Body::Json(v.to_string()),
            (_, Some(t), _) => Body::Text(t.clone()),
            (_, _, Some(e)) => Body::Error(e),
            _ => Body::Empty,
        };
        let headers_ok = self.headers(&join(path, "headers"), &r.headers);
        let headers = r
            .headers
            .iter()
            .map(|(k, v)| (k.clone(), v.clone()))
            .collect();
        let holes = match (&r.params, r.error) {
            (Some(p), Some(_)) => ErrorHoles {
                param: p.param.clone(),
                id: p.id.clone(),
            },
            (Some(_), None) => {
                self.err_key(
                    &join(path, "params"),
                    "`params` without `error`",
                    "`params`".into(),
                    "`params` only together with `error` (they fill the error's text)",
                );
                ErrorHoles::default()
            }
            (None, _) => ErrorHoles::default(),
        };
        (status_ok && headers_ok).then_some(Response {
            status: r.status,
            headers,
            body,
            holes,
        })
    }

    /// Checks that response headers are valid HTTP (a name of token characters, a value of
    /// visible ASCII, space and tab); true when all are.
    pub(super) fn headers(&mut self, path: &str, headers: &BTreeMap<String, String>) -> bool {
        let mut ok = true;
        for (name, value) in headers {
            let at = join(path, name);
            if !is_header_name(name) {
                self.err_key(
                    &at,
                    "invalid HTTP header name",
                    format!("`{name}`"),
                    "letters, digits and !#$%&'*+-.^_`|~ only (no spaces or colons)",
                );
                ok = false;
            }
            if !is_header_value(value) {
                self.err(
                    &at,
                    "invalid HTTP header value",
                    format!("{value:?}"),
                    "visible ASCII characters, spaces and tabs (no line breaks or non-ASCII)",
                );
                ok = false;
            }
        }
        ok
    }

    /// Checks an optional status code; true when valid.
    pub(super) fn status(&mut self, path: &str, status: Option<u16>) -> bool {
        match status {
            Some(s) if !(100..=599).contains(&s) => {
                self.err(
                    path,
                    "status code out of range",
                    s.to_string(),
                    "100 ..= 599",
                );
                false
            }
            _ => true,
        }
    }
}

/// Whether `name` is an HTTP field name (RFC 9110 `token`).
fn is_header_name(name: &str) -> bool {
    !name.is_empty()
        && name
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || b"!#$%&'*+-.^_`|~".contains(&b))
}

/// Whether `value` is a field value the server can send: visible ASCII, space and tab.
fn is_header_value(value: &str) -> bool {
    value
        .bytes()
        .all(|b| b == b'\t' || (0x20..0x7f).contains(&b))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn header_names_and_values() {
        assert!(is_header_name("retry-after") && is_header_name("X-Trace_1"));
        for bad in ["", "retry after", "x:y", "é", "a\n"] {
            assert!(!is_header_name(bad), "{bad:?}");
        }
        assert!(is_header_value("5") && is_header_value("a b\tc") && is_header_value(""));
        for bad in ["a\nb", "a\rb", "é", "\u{7f}"] {
            assert!(!is_header_value(bad), "{bad:?}");
        }
    }
}
