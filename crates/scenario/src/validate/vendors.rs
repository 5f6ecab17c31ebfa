//! Validation of `vendors:`: mounts, datasets, auth and fixtures.

use super::*;
use crate::event_time::{Source, settle};
use crate::ids::{id_in, id_path as event_id_path};

impl Validator<'_> {
    /// One vendor mount.
    pub(super) fn vendor(
        &mut self,
        path: &str,
        vendor: Vendor,
        seed: Option<u64>,
        vf: &VendorFile,
    ) -> VendorMount {
        let mut dataset = DatasetConfig::default();
        if let Some(s) = vf.seed.or(seed) {
            dataset.seed = s;
        }
        let prefix = vf.prefix.clone().unwrap_or_else(|| "/".to_owned());
        if !prefix.starts_with('/') {
            self.err(
                &join(path, "prefix"),
                "invalid mount prefix",
                format!("`{prefix}`"),
                "a path starting with `/`",
            );
        }
        if let Some(n) = vf.events {
            if (1..=MAX_INDEX).contains(&n) {
                dataset.len = n;
            } else {
                let expected = format!("1 ..= {MAX_INDEX}");
                self.err(
                    &join(path, "events"),
                    "dataset size out of range",
                    n.to_string(),
                    &expected,
                );
            }
        }
        if let Some(clock) = self.clock {
            dataset.anchor = clock.start;
        }
        let mut anchor_from_clock = true;
        if let Some(a) = vf.anchor.as_deref().filter(|a| *a != "now") {
            anchor_from_clock = false;
            match parse_rfc3339(a) {
                Ok(t) => dataset.anchor = t,
                Err(e) => self.err(
                    &join(path, "anchor"),
                    format!("invalid anchor time: {}", e.reason),
                    format!("`{a}`"),
                    "an RFC 3339 time such as 2026-01-01T00:00:00Z, or `now`",
                ),
            }
        }
        if let Some(w) = &vf.window {
            match w.parse::<Span>() {
                Ok(w) if !w.is_zero() => dataset.window = w.micros(),
                Ok(_) => self.err(
                    &join(path, "window"),
                    "the time window must be longer than zero",
                    format!("`{w}`"),
                    "a positive duration such as 30d, 12h, 90m or 45s",
                ),
                Err(e) => self.err(
                    &join(path, "window"),
                    e.to_string(),
                    format!("`{w}`"),
                    "a positive duration such as 30d, 12h, 90m or 45s",
                ),
            }
        }
        if let Err(e @ DatasetError::TimeRange { .. }) = dataset.check() {
            let at = if vf.window.is_some() {
                "window"
            } else {
                "anchor"
            };
            self.err(
                &join(path, at),
                e.to_string(),
                format!(
                    "anchor `{}`, window `{}`",
                    vf.anchor.as_deref().unwrap_or("(default)"),
                    vf.window.as_deref().unwrap_or("(default)")
                ),
                "events between the years 0000 and 9999",
            );
        }
        let auth = self.auth(&join(path, "auth"), vf.auth.as_ref());
        let fixtures = self.fixtures(path, vendor, dataset, vf);
        let arrivals = self.arrivals(path, vf.arrivals.as_deref());
        let rate_limit = self.rate_limit(&join(path, "rate_limit"), vf.rate_limit.as_ref());
        let api_version = self.api_version(path, vendor, vf);
        if vf.allow.is_some() && !matches!(vendor, Vendor::Authentik | Vendor::Probely) {
            self.err(
                &join(path, "allow"),
                format!("`allow` does not apply to {vendor}"),
                format!("`allow` under vendors.{vendor}"),
                "`allow` only under authentik or probely (Django REST framework vendors)",
            );
        }
        VendorMount {
            vendor,
            prefix,
            port: vf.port,
            dataset,
            auth,
            fixtures,
            anchor_from_clock,
            arrivals,
            rate_limit,
            api_version,
            allow: vf.allow.unwrap_or_default(),
        }
    }

    /// Cloud Foundry's `api_version`.
    fn api_version(&mut self, path: &str, vendor: Vendor, vf: &VendorFile) -> Option<CfApiVersion> {
        let raw = vf.api_version.as_deref()?;
        let at = join(path, "api_version");
        if vendor != Vendor::CloudFoundry {
            self.err(
                &at,
                format!("`api_version` does not apply to {vendor}"),
                format!("`{raw}`"),
                "`api_version` only under cf",
            );
            return None;
        }
        let parsed = CfApiVersion::parse(raw);
        if parsed.is_none() {
            self.err(
                &at,
                "invalid Cloud Controller v2 API version",
                format!("`{raw}`"),
                "a version such as 2.164.0",
            );
        }
        parsed
    }

    /// The auth rule.
    pub(super) fn auth(&mut self, path: &str, auth: Option<&AuthFile>) -> Auth {
        let Some(a) = auth else {
            return Auth::AnyCredential;
        };
        match (&a.tokens, a.off) {
            (Some(_), Some(_)) => {
                self.err(
                    path,
                    "`tokens` and `off` both given",
                    "both".into(),
                    "exactly one of `tokens` / `off`",
                );
                Auth::AnyCredential
            }
            (Some(t), None) if t.is_empty() => {
                self.err(
                    &join(path, "tokens"),
                    "empty token list",
                    "[]".into(),
                    "at least one token",
                );
                Auth::AnyCredential
            }
            (Some(t), None) => Auth::Tokens(t.clone()),
            (None, Some(true)) => Auth::Off,
            (None, Some(false)) => Auth::AnyCredential,
            (None, None) => {
                self.err(
                    path,
                    "empty auth rule",
                    "neither".into(),
                    "exactly one of `tokens` / `off`",
                );
                Auth::AnyCredential
            }
        }
    }

    /// The fixtures of one vendor.
    pub(super) fn fixtures(
        &mut self,
        path: &str,
        vendor: Vendor,
        dataset: eventmock_fake::DatasetConfig,
        vf: &VendorFile,
    ) -> Vec<Fixture> {
        let anchor = dataset.anchor;
        let format = id_format(vendor);
        let mut seen: HashMap<&str, usize> = HashMap::new();
        let mut out = Vec::new();
        for (i, f) in vf.fixtures.iter().enumerate() {
            let fpath = format!("{path}.fixtures[{i}]");
            let id_path = join(&fpath, "id");
            if !well_formed(format, &f.id) {
                self.err(
                    &id_path,
                    format!("fixture id is not a well-formed {vendor} id"),
                    format!("`{}`", f.id),
                    describe(format),
                );
            } else if let Some(first) = seen.get(f.id.as_str()) {
                let first_line = self.loc.value(&format!("{path}.fixtures[{first}].id")).line;
                self.err(
                    &id_path,
                    "duplicate fixture id",
                    format!("`{}` again (first at line {first_line})", f.id),
                    "fixture ids unique per vendor",
                );
            } else {
                seen.insert(&f.id, i);
            }
            let at_given = f.at.as_ref().and_then(|a| match parse_rfc3339(a) {
                Ok(t) => Some(t),
                Err(e) => {
                    self.err(
                        &join(&fpath, "at"),
                        format!("invalid fixture time: {}", e.reason),
                        format!("`{a}`"),
                        "an RFC 3339 time such as 2025-12-24T10:00:00Z",
                    );
                    None
                }
            });
            let event_path = join(&fpath, "event");
            let id_ok = well_formed(format, &f.id);
            if let Some(inner) = id_in(vendor, &f.event)
                && inner.as_str() != Some(f.id.as_str())
            {
                let field = event_id_path(vendor).join(".");
                self.err(
                    &join(&event_path, &field),
                    format!("the event's `{field}` differs from the fixture's `id`"),
                    format!(
                        "`{}` against `{}`",
                        inner
                            .as_str()
                            .map_or_else(|| inner.to_string(), str::to_owned),
                        f.id
                    ),
                    "no id inside `event` (the fixture's `id` sets it), or the same one",
                );
            }
            let mut patch = f.event.clone();
            let mut time_field_blamed = None;
            let at = match settle(
                vendor,
                at_given,
                id_ok.then_some(f.id.as_str()),
                anchor,
                &mut patch,
            ) {
                Ok(t) => t,
                Err(e) => {
                    let blamed = match &e.source {
                        Source::At => join(&fpath, "at"),
                        Source::Id => id_path.clone(),
                        Source::Field(field) => {
                            time_field_blamed = Some(field.clone());
                            join(&event_path, field)
                        }
                    };
                    self.err(&blamed, e.message, e.found, &e.expected);
                    at_given.unwrap_or(anchor)
                }
            };
            let problems = crate::fixture::check_fixture(vendor, dataset, &f.id, &patch);
            // A time field that is not a time was reported above already.
            for e in problems
                .into_iter()
                .filter(|e| time_field_blamed.as_ref() != Some(&e.path))
            {
                let field = if e.path == "." {
                    event_path.clone()
                } else {
                    join(&event_path, &e.path)
                };
                let message = format!(
                    "fixture event does not fit the {vendor} model: {}",
                    e.message
                );
                if e.unknown {
                    self.err_key(
                        &field,
                        message,
                        format!("`{}`", e.path),
                        "a field of the vendor's event, at its place",
                    );
                } else {
                    self.err(
                        &field,
                        message,
                        format!("`{}`", e.path),
                        "a value the vendor's event model accepts",
                    );
                }
            }
            out.push(Fixture {
                id: f.id.clone(),
                at,
                event: f.event.clone(),
            });
        }
        out
    }
}
