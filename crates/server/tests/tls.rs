//! TLS end to end: [`serve_tls`] with the self-signed CA trusted by the client, over HTTP/1.1
//! (ureq + rustls) and HTTP/2 (ALPN `h2`, hyper's client); an untrusted client and a plain
//! HTTP client fail without disturbing the server.

#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::net::SocketAddr;
use std::sync::Arc;
use std::time::Duration;

use bytes::Bytes;
use eventmock_server::tls::self_signed::SelfSigned;
use eventmock_server::{App, ServerConfig, World, bind, serve_tls};
use http_body_util::{BodyExt, Empty};
use hyper_util::rt::{TokioExecutor, TokioIo};
use tokio::sync::oneshot;

const EVENTS: &str = "/api/v3/events/events/";

/// A TLS server of the embedded default on an ephemeral loopback port; stops when dropped.
struct TlsServer {
    addr: SocketAddr,
    certs: SelfSigned,
    _stop: oneshot::Sender<()>,
}

async fn start() -> TlsServer {
    let certs = SelfSigned::generate().unwrap();
    let listener = bind(SocketAddr::from(([127, 0, 0, 1], 0))).unwrap();
    let addr = listener.local_addr().unwrap();
    let (stop, stopped) = oneshot::channel::<()>();
    tokio::spawn(serve_tls(
        listener,
        Arc::new(App::new(World::default_all().unwrap())),
        ServerConfig::default(),
        certs.acceptor().unwrap(),
        async move {
            let _ = stopped.await;
        },
    ));
    TlsServer {
        addr,
        certs,
        _stop: stop,
    }
}

/// A ureq agent trusting exactly `ca_pem`.
fn agent_trusting(ca_pem: &str) -> ureq::Agent {
    let ca = ureq::tls::Certificate::from_pem(ca_pem.as_bytes()).unwrap();
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

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn http1_over_tls_with_the_generated_ca_trusted() {
    let server = start().await;
    let port = server.addr.port();
    let agent = agent_trusting(&server.certs.ca_pem);
    let answers = tokio::task::spawn_blocking(move || {
        let mut answers = Vec::new();
        // Every name the leaf is made for (IPv6 only where the server listens on it: the
        // listener here is IPv4 loopback).
        for host in ["localhost", "127.0.0.1"] {
            let mut res = agent
                .get(format!("https://{host}:{port}{EVENTS}?page_size=1"))
                .header("authorization", "Bearer demo")
                .call()
                .unwrap();
            let body = res.body_mut().read_to_string().unwrap();
            answers.push((res.status().as_u16(), body));
        }
        answers
    })
    .await
    .unwrap();
    for (status, body) in answers {
        assert_eq!(status, 200, "{body}");
        let v: serde_json::Value = serde_json::from_str(&body).unwrap();
        assert_eq!(v["results"].as_array().unwrap().len(), 1);
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_untrusting_client_and_a_plain_http_client_fail_and_the_server_keeps_serving() {
    let server = start().await;
    let port = server.addr.port();
    let other_ca = SelfSigned::generate().unwrap().ca_pem;
    let untrusting = agent_trusting(&other_ca);
    let err = tokio::task::spawn_blocking(move || {
        untrusting
            .get(format!("https://localhost:{port}/__eventmock/health"))
            .call()
            .err()
            .map(|e| e.to_string())
    })
    .await
    .unwrap();
    let err = err.expect("a certificate from an unknown CA is refused");
    assert!(
        err.to_lowercase().contains("certificate") || err.to_lowercase().contains("issuer"),
        "{err}"
    );

    // Plain HTTP to the TLS port: no HTTP answer (the handshake fails and the connection closes).
    use tokio::io::{AsyncReadExt, AsyncWriteExt};
    let mut plain = tokio::net::TcpStream::connect(server.addr).await.unwrap();
    plain
        .write_all(b"GET /__eventmock/health HTTP/1.1\r\nHost: x\r\n\r\n")
        .await
        .unwrap();
    let mut buf = Vec::new();
    let _ = tokio::time::timeout(Duration::from_secs(20), plain.read_to_end(&mut buf))
        .await
        .expect("the server closes the connection");
    assert!(!buf.starts_with(b"HTTP/1.1 200"), "{buf:?}");

    let agent = agent_trusting(&server.certs.ca_pem);
    let status = tokio::task::spawn_blocking(move || {
        agent
            .get(format!("https://localhost:{port}/__eventmock/health"))
            .call()
            .unwrap()
            .status()
            .as_u16()
    })
    .await
    .unwrap();
    assert_eq!(status, 200);
}

#[tokio::test]
async fn http2_is_negotiated_with_alpn() {
    let server = start().await;
    let mut roots = rustls::RootCertStore::empty();
    roots.add(server.certs.ca_der().clone()).unwrap();
    let provider = Arc::new(rustls::crypto::ring::default_provider());
    let mut config = rustls::ClientConfig::builder_with_provider(provider)
        .with_safe_default_protocol_versions()
        .unwrap()
        .with_root_certificates(roots)
        .with_no_client_auth();
    config.alpn_protocols = vec![b"h2".to_vec()];
    let connector = tokio_rustls::TlsConnector::from(Arc::new(config));
    let tcp = tokio::net::TcpStream::connect(server.addr).await.unwrap();
    let name = rustls::pki_types::ServerName::try_from("localhost").unwrap();
    let tls = connector.connect(name, tcp).await.unwrap();
    assert_eq!(tls.get_ref().1.alpn_protocol(), Some(&b"h2"[..]));

    let (mut sender, conn) =
        hyper::client::conn::http2::handshake(TokioExecutor::new(), TokioIo::new(tls))
            .await
            .unwrap();
    tokio::spawn(conn);
    for _ in 0..3 {
        let req = hyper::Request::get(format!("https://localhost{EVENTS}?page_size=2"))
            .header("authorization", "Bearer demo")
            .body(Empty::<Bytes>::new())
            .unwrap();
        let res = tokio::time::timeout(Duration::from_secs(20), sender.send_request(req))
            .await
            .unwrap()
            .unwrap();
        assert_eq!(res.version(), hyper::Version::HTTP_2);
        assert_eq!(res.status(), 200);
        let body = res.into_body().collect().await.unwrap().to_bytes();
        let v: serde_json::Value = serde_json::from_slice(&body).unwrap();
        assert_eq!(v["results"].as_array().unwrap().len(), 2);
    }
}
