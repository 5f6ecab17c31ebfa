//! `eventmock serve --tls-*` and `eventmock healthcheck` end to end: the real binary over
//! `https://` with the CA it wrote trusted — by a Rust client (ureq + rustls), by Python's
//! standard library with strict X.509 checks (what Python ≥ 3.13 does by default), and by
//! `eventmock healthcheck --cacert`.

#![allow(clippy::unwrap_used, clippy::expect_used)]

mod common;

use std::path::PathBuf;
use std::process::Command;
use std::sync::Arc;
use std::time::Duration;

use common::{Served, bin};

/// A fresh directory for one test's files.
fn scratch(name: &str) -> PathBuf {
    let dir = std::env::temp_dir().join(format!("eventmock-tls-{name}-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).unwrap();
    dir
}

/// `serve --tls-self-signed` writing its CA to `dir/ca.pem`.
fn serve_tls(dir: &std::path::Path) -> (Served, PathBuf) {
    let ca = dir.join("ca.pem");
    let served = Served::start(&["--tls-self-signed", "--tls-ca-out", ca.to_str().unwrap()]);
    (served, ca)
}

fn port(served: &Served) -> u16 {
    served.addr.rsplit(':').next().unwrap().parse().unwrap()
}

fn agent_trusting(ca: &std::path::Path) -> ureq::Agent {
    let pem = std::fs::read(ca).unwrap();
    let ca = ureq::tls::Certificate::from_pem(&pem).unwrap();
    ureq::Agent::config_builder()
        .http_status_as_error(false)
        .timeout_global(Some(Duration::from_secs(20)))
        .tls_config(
            ureq::tls::TlsConfig::builder()
                .root_certs(ureq::tls::RootCerts::Specific(Arc::new(vec![ca])))
                .build(),
        )
        .build()
        .into()
}

#[test]
fn the_banner_names_the_ca_and_a_rust_client_trusting_it_gets_answers() {
    let dir = scratch("rust");
    let (served, ca) = serve_tls(&dir);
    let pem = std::fs::read_to_string(&ca).unwrap();
    assert!(pem.starts_with("-----BEGIN CERTIFICATE-----"), "{pem}");
    let agent = agent_trusting(&ca);
    let port = port(&served);
    for (path, auth) in [
        ("/v2/events?results-per-page=1", "bearer demo"),
        ("/api/v3/events/events/?page_size=1", "Bearer demo"),
    ] {
        let mut res = agent
            .get(format!("https://localhost:{port}{path}"))
            .header("authorization", auth)
            .call()
            .unwrap();
        let body = res.body_mut().read_to_string().unwrap();
        assert_eq!(res.status().as_u16(), 200, "{path}: {body}");
    }
    // An agent with only the public web roots refuses the certificate.
    let public = ureq::Agent::new_with_defaults();
    assert!(
        public
            .get(format!("https://localhost:{port}/__eventmock/health"))
            .call()
            .is_err()
    );
    served.stop();
    std::fs::remove_dir_all(&dir).unwrap();
}

#[test]
fn the_banner_says_https_and_where_the_ca_is() {
    let dir = scratch("banner");
    let ca = dir.join("ca.pem");
    let out = bin()
        .args(["serve", "--port", "0", "--tls-self-signed", "--tls-ca-out"])
        .arg(&ca)
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::null())
        .spawn()
        .unwrap();
    let mut child = out;
    let mut stdout = std::io::BufReader::new(child.stdout.take().unwrap());
    let mut banner = String::new();
    // The banner: a line per vendor, then the TLS line.
    for _ in 0..8 {
        std::io::BufRead::read_line(&mut stdout, &mut banner).unwrap();
        if banner.contains("TLS:") {
            break;
        }
    }
    let _ = child.kill();
    let _ = child.wait();
    assert!(banner.starts_with("eventmock "), "{banner}");
    assert!(banner.contains("https://127.0.0.1:"), "{banner}");
    assert!(
        banner.contains(&format!("CA certificate: {}", ca.display())),
        "{banner}"
    );
    std::fs::remove_dir_all(&dir).unwrap();
}

/// Python's `urllib` with the CA trusted and strict X.509 verification.
const PYTHON_CLIENT: &str = r#"
import json, ssl, sys, urllib.request
ca, base = sys.argv[1], sys.argv[2]
ctx = ssl.create_default_context(cafile=ca)
ctx.verify_flags |= ssl.VERIFY_X509_STRICT
req = urllib.request.Request(base + "/api/v3/events/events/?page_size=3",
                             headers={"Authorization": "Bearer demo"})
with urllib.request.urlopen(req, context=ctx, timeout=20) as res:
    body = json.load(res)
    print(res.status, len(body["results"]), res.headers["X-authentik-id"] is not None)
try:
    urllib.request.urlopen(base + "/__eventmock/health",
                           context=ssl.create_default_context(), timeout=20)
    print("untrusted: accepted")
except urllib.error.URLError as e:
    print("untrusted: refused", type(e.reason).__name__)
"#;

#[test]
fn python_trusting_the_ca_with_strict_checks_gets_answers() {
    let dir = scratch("python");
    let (served, ca) = serve_tls(&dir);
    let port = port(&served);
    for host in ["localhost", "127.0.0.1"] {
        let out = Command::new("python3")
            .args(["-c", PYTHON_CLIENT])
            .arg(&ca)
            .arg(format!("https://{host}:{port}"))
            .output()
            .expect("python3 runs (the machine's Python)");
        let stdout = String::from_utf8_lossy(&out.stdout);
        assert!(
            out.status.success(),
            "{host}: {stdout}{}",
            String::from_utf8_lossy(&out.stderr)
        );
        assert_eq!(
            stdout.lines().collect::<Vec<_>>(),
            ["200 3 True", "untrusted: refused SSLCertVerificationError"],
            "{host}"
        );
    }
    served.stop();
    std::fs::remove_dir_all(&dir).unwrap();
}

#[test]
fn healthcheck_exits_0_for_a_healthy_server_and_1_otherwise() {
    let dir = scratch("health");
    let (tls, ca) = serve_tls(&dir);
    let plain = Served::start(&[]);

    let run = |args: &[&str]| bin().arg("healthcheck").args(args).output().unwrap();
    let ok = run(&[&plain.base()]);
    assert!(ok.status.success(), "{ok:?}");
    assert!(String::from_utf8_lossy(&ok.stdout).contains("healthy"));
    let ok = run(&[
        &format!("https://localhost:{}", port(&tls)),
        "--cacert",
        ca.to_str().unwrap(),
    ]);
    assert!(ok.status.success(), "{ok:?}");

    // Not trusting the CA, a path that is not healthy, nobody listening.
    let untrusted = run(&[&format!("https://localhost:{}", port(&tls))]);
    assert_eq!(untrusted.status.code(), Some(1), "{untrusted:?}");
    let wrong = run(&[&format!("{}/v2/events", plain.base())]);
    assert_eq!(wrong.status.code(), Some(1), "{wrong:?}");
    assert!(String::from_utf8_lossy(&wrong.stderr).contains("401"));
    let closed = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let closed_port = closed.local_addr().unwrap().port();
    drop(closed);
    let down = run(&[&format!("http://127.0.0.1:{closed_port}"), "--timeout", "2"]);
    assert_eq!(down.status.code(), Some(1), "{down:?}");
    let bad = run(&["127.0.0.1:8080"]);
    assert_eq!(bad.status.code(), Some(2), "{bad:?}");

    tls.stop();
    plain.stop();
    std::fs::remove_dir_all(&dir).unwrap();
}

#[test]
fn bad_tls_flags_are_usage_errors_naming_the_file() {
    let dir = scratch("flags");
    let missing = dir.join("missing.pem");
    let out = bin()
        .args(["serve", "--port", "0", "--tls-cert"])
        .arg(&missing)
        .arg("--tls-key")
        .arg(&missing)
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2), "{out:?}");
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(err.contains(&missing.display().to_string()), "{err}");

    let out = bin()
        .args(["serve", "--port", "0", "--tls-cert"])
        .arg(&missing)
        .output()
        .unwrap();
    assert_eq!(
        out.status.code(),
        Some(2),
        "--tls-cert needs --tls-key: {out:?}"
    );
    let out = bin()
        .args(["serve", "--port", "0", "--tls-self-signed", "--tls-cert"])
        .arg(&missing)
        .arg("--tls-key")
        .arg(&missing)
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2), "{out:?}");
    std::fs::remove_dir_all(&dir).unwrap();
}

#[test]
fn a_certificate_and_key_from_files_are_served() {
    let dir = scratch("files");
    let made = eventmock_server::tls::self_signed::SelfSigned::generate().unwrap();
    // A user's own files: the leaf and its key (PKCS#8 PEM), trusted through the CA.
    let cert = dir.join("cert.pem");
    let key = dir.join("key.pem");
    std::fs::write(&cert, &made.leaf_pem).unwrap();
    std::fs::write(&key, made.key_pem()).unwrap();
    let ca = dir.join("ca.pem");
    std::fs::write(&ca, &made.ca_pem).unwrap();
    let served = Served::start(&[
        "--tls-cert",
        cert.to_str().unwrap(),
        "--tls-key",
        key.to_str().unwrap(),
    ]);
    let res = agent_trusting(&ca)
        .get(format!(
            "https://localhost:{}/__eventmock/health",
            port(&served)
        ))
        .call()
        .unwrap();
    assert_eq!(res.status().as_u16(), 200);
    served.stop();
    std::fs::remove_dir_all(&dir).unwrap();
}
