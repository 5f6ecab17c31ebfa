//! Validation of the building blocks of request matching: vendor references, methods,
//! regexes, path templates and value matchers.

use super::*;

impl Validator<'_> {
    /// A vendor reference (override, fault, check): a known and mounted vendor.
    pub(super) fn vendor_ref(&mut self, path: &str, name: &str) -> Option<Vendor> {
        let Ok(vendor) = name.parse::<Vendor>() else {
            self.err(path, "unknown vendor", format!("`{name}`"), VENDOR_NAMES);
            return None;
        };
        if !self.mounted.contains(&vendor) && !self.mounted.is_empty() {
            let list: Vec<String> = self.mounted.iter().map(|v| format!("`{v}`")).collect();
            let expected = format!("a mounted vendor: {}", list.join(", "));
            self.err(
                path,
                format!("vendor `{vendor}` is not mounted"),
                format!("`{name}`"),
                &expected,
            );
        }
        Some(vendor)
    }

    /// An HTTP method.
    pub(super) fn method(&mut self, path: &str, m: &str) -> String {
        if !METHODS.contains(&m) {
            self.err(path, "invalid HTTP method", format!("`{m}`"), "an upper-case HTTP method: GET, HEAD, POST, PUT, DELETE, PATCH, OPTIONS, TRACE or CONNECT");
        }
        m.to_owned()
    }

    /// A regex, compiled.
    pub(super) fn regex(&mut self, path: &str, re: &str) -> Option<Regex> {
        match Regex::new(re) {
            Ok(r) => Some(r),
            Err(e) => {
                let text = e.to_string();
                let last = text.lines().last().unwrap_or("").trim().to_owned();
                let last = last.strip_prefix("error: ").unwrap_or(&last).to_owned();
                self.err(
                    path,
                    format!("invalid regex: {last}"),
                    format!("`{re}`"),
                    "a regular expression in Rust `regex` syntax",
                );
                None
            }
        }
    }

    /// A path template.
    pub(super) fn template(&mut self, path: &str, t: &str) -> Option<Template> {
        match Template::parse(t) {
            Ok(t) => Some(t),
            Err(e) => {
                self.err(
                    path,
                    format!("invalid path template: {e}"),
                    format!("`{t}`"),
                    "a template such as `/v2/events/{guid}` or `/v2/*`",
                );
                None
            }
        }
    }

    /// A string-or-regex condition.
    pub(super) fn value_match(&mut self, path: &str, m: &ValueMatch) -> Option<Matcher> {
        match m {
            ValueMatch::Exact(s) => Some(Matcher::Exact(s.clone())),
            ValueMatch::Regex(r) => self
                .regex(&join(path, "regex"), &r.regex)
                .map(Matcher::Regex),
        }
    }

    /// A map of string-or-regex conditions.
    pub(super) fn value_matches(
        &mut self,
        path: &str,
        map: &BTreeMap<String, ValueMatch>,
        lower: bool,
    ) -> Vec<(String, Matcher)> {
        map.iter()
            .filter_map(|(k, m)| {
                let m = self.value_match(&join(path, k), m)?;
                Some((
                    if lower {
                        k.to_ascii_lowercase()
                    } else {
                        k.clone()
                    },
                    m,
                ))
            })
            .collect()
    }
}
