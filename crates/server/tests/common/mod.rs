//! Shared helpers of the end-to-end tests: a real server on an ephemeral loopback port and a
//! minimal HTTP/1.1 client (one connection per request, bounded by a timeout).

#![allow(dead_code, clippy::unwrap_used, clippy::expect_used)]

use std::net::SocketAddr;
use std::sync::Arc;
use std::time::Duration;

use eventmock_server::{App, MockServer, World};
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpStream;

pub mod redis;

/// The world of one scenario given as YAML text; a scenario with errors fails the test with
/// every diagnostic.
pub fn world(yaml: &str) -> World {
    let scenario = eventmock_scenario::parse("test.yaml", yaml).unwrap_or_else(|d| {
        panic!(
            "{}",
            d.iter()
                .map(ToString::to_string)
                .collect::<Vec<_>>()
                .join("\n")
        )
    });
    World::from_scenarios(&[scenario]).unwrap()
}

/// Every request of a test is bounded by this.
pub const LIMIT: Duration = Duration::from_secs(20);

/// A running server (the library's [`MockServer`]); stopped when dropped.
pub struct TestServer {
    /// Where it listens.
    pub addr: SocketAddr,
    /// The app (to inspect or replace the world).
    pub app: Arc<App>,
    /// Keeps the server running.
    _server: MockServer,
}

impl TestServer {
    /// Starts the embedded default world (all five vendors, seed 42, 1,000 events each).
    pub async fn start() -> Self {
        Self::with_world(World::default_all().unwrap()).await
    }

    /// Starts a server for `world`.
    pub async fn with_world(world: World) -> Self {
        Self::with_app(App::new(world)).await
    }

    /// Starts a server for a ready app (e.g. with control-plane settings).
    pub async fn with_app(app: App) -> Self {
        let server = MockServer::serve_app(app).await.unwrap();
        Self {
            addr: server.address(),
            app: Arc::clone(server.app()),
            _server: server,
        }
    }

    /// Wraps a server started elsewhere (e.g. by a [`MockServer`] builder).
    pub fn from_server(server: MockServer) -> Self {
        Self {
            addr: server.address(),
            app: Arc::clone(server.app()),
            _server: server,
        }
    }

    /// Sends one request and reads the whole response.
    pub async fn request(
        &self,
        method: &str,
        path: &str,
        headers: &[(&str, &str)],
        body: &[u8],
    ) -> Resp {
        tokio::time::timeout(LIMIT, self.request_inner(method, path, headers, body))
            .await
            .expect("request timed out")
    }

    async fn request_inner(
        &self,
        method: &str,
        path: &str,
        headers: &[(&str, &str)],
        body: &[u8],
    ) -> Resp {
        let mut stream = TcpStream::connect(self.addr).await.unwrap();
        let mut head = format!("{method} {path} HTTP/1.1\r\nConnection: close\r\n");
        // The server's address as `Host`, unless the test sends its own.
        if !headers.iter().any(|(k, _)| k.eq_ignore_ascii_case("host")) {
            head.push_str(&format!("Host: {}\r\n", self.addr));
        }
        for (k, v) in headers {
            head.push_str(&format!("{k}: {v}\r\n"));
        }
        if !body.is_empty() || method == "POST" {
            head.push_str(&format!("Content-Length: {}\r\n", body.len()));
        }
        head.push_str("\r\n");
        stream.write_all(head.as_bytes()).await.unwrap();
        stream.write_all(body).await.unwrap();
        let mut raw = Vec::new();
        stream.read_to_end(&mut raw).await.unwrap();
        Resp::parse(&raw)
    }

    /// `GET path` with headers.
    pub async fn get(&self, path: &str, headers: &[(&str, &str)]) -> Resp {
        self.request("GET", path, headers, b"").await
    }

    /// `GET path` with headers, expecting a 200 with a JSON body.
    pub async fn get_json(&self, path: &str, headers: &[(&str, &str)]) -> serde_json::Value {
        let r = self.get(path, headers).await;
        assert_eq!(r.status, 200, "{path}: {}", r.text());
        r.json()
    }

    /// Moves the world's manual clock forward by `by` (a duration such as `90s` or `500ms`)
    /// through `POST /__eventmock/clock`, expecting a 200.
    pub async fn advance(&self, by: &str) {
        let body = format!(r#"{{"advance":"{by}"}}"#);
        let r = self
            .request("POST", "/__eventmock/clock", &[], body.as_bytes())
            .await;
        assert_eq!(r.status, 200, "advance {by}: {}", r.text());
    }

    /// Waits (at most 10 s) until `GET /__eventmock/ready` answers 200: a replica with shared
    /// state has synchronised.
    pub async fn wait_ready(&self) {
        let deadline = std::time::Instant::now() + Duration::from_secs(10);
        loop {
            let res = self.get("/__eventmock/ready", &[]).await;
            if res.status == 200 {
                return;
            }
            assert!(
                std::time::Instant::now() < deadline,
                "not ready: {}",
                res.text()
            );
            tokio::time::sleep(Duration::from_millis(10)).await;
        }
    }

    /// Waits (bounded) until the replica follows Redis again (`/__eventmock/ready` says
    /// `"state":"connected"`): after Redis restarts, it has then replayed the change log, and
    /// what it serves from then on counts in the cluster's state.
    pub async fn wait_connected(&self) {
        let deadline = std::time::Instant::now() + Duration::from_secs(10);
        loop {
            let res = self.get("/__eventmock/ready", &[]).await;
            if res.text().contains("\"state\":\"connected\"") {
                return;
            }
            assert!(
                std::time::Instant::now() < deadline,
                "not following Redis: {}",
                res.text()
            );
            tokio::time::sleep(Duration::from_millis(10)).await;
        }
    }
}

/// A parsed response.
#[derive(Debug)]
pub struct Resp {
    /// Status code.
    pub status: u16,
    /// Headers, names lower-cased, in order.
    pub headers: Vec<(String, String)>,
    /// Body bytes.
    pub body: Vec<u8>,
}

impl Resp {
    fn parse(raw: &[u8]) -> Self {
        let end = raw
            .windows(4)
            .position(|w| w == b"\r\n\r\n")
            .expect("complete head");
        let head = std::str::from_utf8(&raw[..end]).unwrap();
        let mut lines = head.split("\r\n");
        let status = lines
            .next()
            .unwrap()
            .split(' ')
            .nth(1)
            .unwrap()
            .parse()
            .unwrap();
        let headers: Vec<(String, String)> = lines
            .map(|l| {
                let (n, v) = l.split_once(':').unwrap();
                (n.trim().to_ascii_lowercase(), v.trim().to_owned())
            })
            .collect();
        let mut body = raw[end + 4..].to_vec();
        if headers
            .iter()
            .any(|(n, v)| n == "transfer-encoding" && v == "chunked")
        {
            body = dechunk(&body);
        }
        Self {
            status,
            headers,
            body,
        }
    }

    /// A header's value.
    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers
            .iter()
            .find(|(n, _)| n == name)
            .map(|(_, v)| v.as_str())
    }

    /// The body as text.
    pub fn text(&self) -> &str {
        std::str::from_utf8(&self.body).unwrap()
    }

    /// The body as JSON.
    pub fn json(&self) -> serde_json::Value {
        serde_json::from_slice(&self.body)
            .unwrap_or_else(|e| panic!("not JSON ({e}): {}", self.text()))
    }
}

fn dechunk(mut body: &[u8]) -> Vec<u8> {
    let mut out = Vec::new();
    loop {
        let line_end = body.windows(2).position(|w| w == b"\r\n").unwrap();
        let size =
            usize::from_str_radix(std::str::from_utf8(&body[..line_end]).unwrap().trim(), 16)
                .unwrap();
        if size == 0 {
            return out;
        }
        out.extend_from_slice(&body[line_end + 2..line_end + 2 + size]);
        body = &body[line_end + 2 + size + 2..];
    }
}
