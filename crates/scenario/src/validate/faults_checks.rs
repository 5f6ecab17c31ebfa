//! Validation of `faults:` and `checks:`.

use super::*;

impl Validator<'_> {
    /// Checks a probability.
    pub(super) fn probability(&mut self, path: &str, p: f64) -> f64 {
        if !(0.0..=1.0).contains(&p) {
            self.err(
                path,
                "probability out of range",
                p.to_string(),
                "a number in 0 ..= 1",
            );
        }
        p
    }

    /// The faults (names unique).
    pub(super) fn faults(&mut self, raw: &[FaultFile]) -> Vec<Fault> {
        let mut names: HashMap<&str, usize> = HashMap::new();
        let mut out = Vec::new();
        for (i, f) in raw.iter().enumerate() {
            let path = format!("faults[{i}]");
            if let Some(n) = &f.name
                && names.insert(n, i).is_some()
            {
                self.err(
                    &join(&path, "name"),
                    "duplicate fault name",
                    format!("`{n}`"),
                    "fault names unique",
                );
            }
            out.extend(self.fault(&path, f));
        }
        out
    }

    /// One fault.
    pub(super) fn fault(&mut self, path: &str, f: &FaultFile) -> Option<Fault> {
        let vendor = f
            .vendor
            .as_ref()
            .and_then(|v| self.vendor_ref(&join(path, "vendor"), v));
        let route = f
            .route
            .as_ref()
            .and_then(|r| self.template(&join(path, "route"), r));
        let latency = f.latency.as_ref().and_then(|l| {
            let lpath = join(path, "latency");
            match (l.fixed_ms, l.min_ms, l.max_ms) {
                (Some(ms), None, None) => Some(Latency::Fixed(ms)),
                (None, Some(min), Some(max)) if min <= max => Some(Latency::Uniform { min, max }),
                (None, Some(min), Some(max)) => {
                    self.err(
                        &join(&lpath, "max_ms"),
                        "`max_ms` is below `min_ms`",
                        max.to_string(),
                        &format!("at least {min}"),
                    );
                    None
                }
                _ => {
                    self.err(
                        &lpath,
                        "invalid latency",
                        "another combination of fields".into(),
                        "`{fixed_ms: N}` or `{min_ms: A, max_ms: B}`",
                    );
                    None
                }
            }
        });
        let status = f.status.as_ref().map(|s| {
            let spath = join(path, "status");
            self.status(&join(&spath, "code"), Some(s.code));
            StatusFault {
                code: s.code,
                probability: self.probability(&join(&spath, "probability"), s.probability),
                error: s.error,
            }
        });
        let reset = f
            .reset
            .as_ref()
            .map(|c| self.probability(&join(path, "reset.probability"), c.probability));
        let truncate = f
            .truncate
            .as_ref()
            .map(|c| self.probability(&join(path, "truncate.probability"), c.probability));
        if latency.is_none()
            && status.is_none()
            && reset.is_none()
            && truncate.is_none()
            && f.latency.is_none()
        {
            self.err(
                path,
                "fault without an effect",
                "none of them".into(),
                "at least one of `latency`, `status`, `reset`, `truncate`",
            );
        }
        Some(Fault {
            name: f.name.clone(),
            vendor,
            route,
            latency,
            status,
            reset,
            truncate,
        })
    }

    /// The checks.
    pub(super) fn checks(&mut self, raw: &[CheckFile]) -> Vec<Check> {
        let mut names: HashMap<&str, usize> = HashMap::new();
        let mut out = Vec::new();
        for (i, c) in raw.iter().enumerate() {
            let path = format!("checks[{i}]");
            if names.insert(&c.name, i).is_some() {
                self.err(
                    &join(&path, "name"),
                    "duplicate check name",
                    format!("`{}`", c.name),
                    "check names unique",
                );
            }
            let vendor = self.vendor_ref(&join(&path, "vendor"), &c.vendor);
            let method = match &c.request.method {
                Some(m) => self.method(&join(&path, "request.method"), m),
                None => "GET".to_owned(),
            };
            self.status(&join(&path, "expect.status"), c.expect.status);
            let pairs = |m: &BTreeMap<String, String>| {
                m.iter().map(|(k, v)| (k.clone(), v.clone())).collect()
            };
            let texts = std::iter::once(("request.path".to_owned(), &c.request.path))
                .chain(
                    c.request
                        .headers
                        .iter()
                        .map(|(k, v)| (format!("request.headers.{k}"), v)),
                )
                .chain(
                    c.request
                        .query
                        .iter()
                        .map(|(k, v)| (format!("request.query.{k}"), v)),
                );
            for (field, text) in texts {
                if let Some(bad) = unknown_placeholder(text) {
                    self.err(
                        &join(&path, &field),
                        "unknown placeholder in a check",
                        format!("`{bad}`"),
                        "`{id:N}` (N a number) or `{token}`",
                    );
                }
            }
            if let Some(vendor) = vendor {
                out.push(Check {
                    name: c.name.clone(),
                    vendor,
                    method,
                    path: c.request.path.clone(),
                    headers: pairs(&c.request.headers),
                    query: pairs(&c.request.query),
                    body: c.request.body.clone(),
                    expect: c.expect.clone(),
                    mock_only: c.mock_only,
                });
            }
        }
        out
    }
}

/// The first `{...}` in `text` that is not a check placeholder (`{id:N}`, `{token}`).
fn unknown_placeholder(text: &str) -> Option<&str> {
    let mut rest = text;
    while let Some(open) = rest.find('{') {
        let after = &rest[open..];
        let close = after.find('}')?;
        let inner = &after[1..close];
        let ok = inner == "token"
            || inner
                .strip_prefix("id:")
                .is_some_and(|n| !n.is_empty() && n.bytes().all(|b| b.is_ascii_digit()));
        if !ok {
            return Some(&after[..=close]);
        }
        rest = &after[close + 1..];
    }
    None
}
