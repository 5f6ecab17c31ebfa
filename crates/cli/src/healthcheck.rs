//! `eventmock healthcheck [URL]`: asks a server's health endpoint whether it is up, so a
//! container's `HEALTHCHECK` needs no curl. Exit 0 when it answers 200 with
//! `"status":"ok"`, 1 otherwise (the reason on stderr).

use std::path::PathBuf;
use std::sync::Arc;
use std::time::Duration;

use anyhow::{Context as _, Result};
use clap::Args;

use crate::UsageError;

/// The health endpoint's path.
const HEALTH_PATH: &str = "/__eventmock/health";

/// Flags of `eventmock healthcheck`.
#[derive(Debug, Args)]
pub struct HealthcheckArgs {
    /// The server (`http[s]://host:port`, health path added) or the full health URL.
    #[arg(default_value = "http://127.0.0.1:8080")]
    url: String,
    /// Trust this CA certificate (PEM) for an `https://` URL, e.g. the one
    /// `serve --tls-self-signed` writes.
    #[arg(long, value_name = "FILE")]
    cacert: Option<PathBuf>,
    /// Give up after this many seconds.
    #[arg(long, default_value_t = 5)]
    timeout: u64,
}

/// The URL to probe: `url` itself when it names a path, else its health endpoint.
fn health_url(url: &str) -> Result<String, UsageError> {
    let Some((scheme, rest)) = url.split_once("://") else {
        return Err(UsageError(format!(
            "{url}: expected http://host:port or https://host:port"
        )));
    };
    if !matches!(scheme, "http" | "https") || rest.is_empty() || rest.starts_with('/') {
        return Err(UsageError(format!(
            "{url}: expected http://host:port or https://host:port"
        )));
    }
    Ok(match rest.split_once('/') {
        Some((_, path)) if !path.is_empty() => url.to_owned(),
        _ => format!("{scheme}://{}{HEALTH_PATH}", rest.trim_end_matches('/')),
    })
}

/// Runs `healthcheck`: `Ok(true)` when healthy.
pub fn run(args: &HealthcheckArgs) -> Result<bool> {
    let url = health_url(&args.url)?;
    let mut config = ureq::Agent::config_builder()
        .http_status_as_error(false)
        .max_redirects(0)
        .timeout_global(Some(Duration::from_secs(args.timeout.max(1))));
    if let Some(path) = &args.cacert {
        let pem = std::fs::read(path)
            .with_context(|| format!("{}: cannot read the CA certificate", path.display()))?;
        let ca = ureq::tls::Certificate::from_pem(&pem)
            .map_err(|e| UsageError(format!("{}: no PEM certificate: {e}", path.display())))?;
        config = config.tls_config(
            ureq::tls::TlsConfig::builder()
                .root_certs(ureq::tls::RootCerts::Specific(Arc::new(vec![ca])))
                .build(),
        );
    }
    let agent: ureq::Agent = config.build().into();
    let mut res = match agent.get(&url).call() {
        Ok(res) => res,
        Err(e) => {
            eprintln!("unhealthy: GET {url}: {e}");
            return Ok(false);
        }
    };
    let status = res.status().as_u16();
    let body = res
        .body_mut()
        .with_config()
        .limit(64 * 1024)
        .read_to_string()
        .unwrap_or_default();
    let ok = status == 200
        && serde_json::from_str::<serde_json::Value>(&body)
            .is_ok_and(|v| v.get("status").and_then(|s| s.as_str()) == Some("ok"));
    if ok {
        println!("healthy: {url}");
    } else {
        eprintln!("unhealthy: GET {url}: {status} {body}");
    }
    Ok(ok)
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use super::*;

    #[test]
    fn a_base_url_gets_the_health_path_and_a_full_url_is_kept() {
        assert_eq!(
            health_url("http://127.0.0.1:8080").unwrap(),
            "http://127.0.0.1:8080/__eventmock/health"
        );
        assert_eq!(
            health_url("https://localhost:9/").unwrap(),
            "https://localhost:9/__eventmock/health"
        );
        assert_eq!(
            health_url("http://h:1/mock/__eventmock/health").unwrap(),
            "http://h:1/mock/__eventmock/health"
        );
        for bad in ["127.0.0.1:8080", "ftp://h", "http://", "http:///x"] {
            assert!(health_url(bad).is_err(), "{bad}");
        }
    }
}
