//! End-to-end tests of the network layer over real TCP on 127.0.0.1.

#![allow(clippy::unwrap_used, clippy::expect_used, missing_docs)]

use std::io;
use std::net::SocketAddr;
use std::sync::Arc;
use std::time::{Duration, Instant};

use bytes::Bytes;
use eventmock_server::net::{Handler, ServerConfig, bind, serve};
use http_body_util::{BodyExt, Full};
use hyper::http::request::Parts;
use hyper::{Request, Response, StatusCode, Version};
use hyper_util::rt::{TokioExecutor, TokioIo};
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpStream;
use tokio::sync::oneshot;
use tokio::task::JoinHandle;
use tokio::time::{sleep, timeout};

/// Upper bound for every test body.
const TEST_LIMIT: Duration = Duration::from_secs(15);

async fn bounded<F: Future>(fut: F) -> F::Output {
    timeout(TEST_LIMIT, fut).await.expect("test timed out")
}

/// Echoes `METHOD PATH BODY_LEN`; `/panic` panics, `/slow` sleeps 200 ms,
/// `/sleep5` sleeps 5 s.
struct Echo;

impl Handler for Echo {
    async fn handle(&self, req: Request<Bytes>, _peer: SocketAddr) -> Response<Full<Bytes>> {
        match req.uri().path() {
            "/panic" => panic!("handler exploded on purpose"),
            "/slow" => sleep(Duration::from_millis(200)).await,
            "/sleep5" => sleep(Duration::from_secs(5)).await,
            _ => {}
        }
        let text = format!("{} {} {}", req.method(), req.uri().path(), req.body().len());
        Response::new(Full::new(Bytes::from(text)))
    }
}

/// Does its work in the call and returns a ready future (as eventmock's app does); panics in
/// the call on `/panic`.
struct Eager;

impl Handler for Eager {
    fn handle(
        &self,
        req: Request<Bytes>,
        _peer: SocketAddr,
    ) -> impl Future<Output = Response<Full<Bytes>>> + Send {
        assert_ne!(req.uri().path(), "/panic", "handler exploded in the call");
        let text = format!("eager {}", req.uri().path());
        std::future::ready(Response::new(Full::new(Bytes::from(text))))
    }
}

/// Like [`Echo`] but with vendor-specific error bodies.
struct Vendor;

impl Handler for Vendor {
    // Non-async signature on purpose: exercises the explicit `impl Future` form.
    #[allow(clippy::manual_async_fn)]
    fn handle(
        &self,
        req: Request<Bytes>,
        peer: SocketAddr,
    ) -> impl Future<Output = Response<Full<Bytes>>> + Send {
        async move { Echo.handle(req, peer).await }
    }

    fn payload_too_large(&self, parts: &Parts) -> Response<Full<Bytes>> {
        let mut res = Response::new(Full::new(Bytes::from(format!(
            "vendor-413 {}",
            parts.uri.path()
        ))));
        *res.status_mut() = StatusCode::PAYLOAD_TOO_LARGE;
        res
    }

    fn internal_error(&self, parts: &Parts) -> Response<Full<Bytes>> {
        let mut res = Response::new(Full::new(Bytes::from(format!(
            "vendor-500 {} {}",
            parts.method,
            parts.uri.path()
        ))));
        *res.status_mut() = StatusCode::INTERNAL_SERVER_ERROR;
        res
    }
}

struct Server {
    addr: SocketAddr,
    stop: Option<oneshot::Sender<()>>,
    task: JoinHandle<io::Result<()>>,
}

impl Server {
    async fn start<H: Handler>(handler: H, config: ServerConfig) -> Self {
        let listener = bind("127.0.0.1:0".parse().unwrap()).unwrap();
        let addr = listener.local_addr().unwrap();
        let (tx, rx) = oneshot::channel::<()>();
        let task = tokio::spawn(serve(listener, Arc::new(handler), config, async move {
            let _ = rx.await;
        }));
        Self {
            addr,
            stop: Some(tx),
            task,
        }
    }

    fn trigger_shutdown(&mut self) {
        let _ = self.stop.take().unwrap().send(());
    }

    async fn connect(&self) -> TcpStream {
        TcpStream::connect(self.addr).await.unwrap()
    }
}

fn small_config() -> ServerConfig {
    ServerConfig {
        max_body_bytes: 1024,
        ..ServerConfig::default()
    }
}

#[derive(Debug)]
struct RawResponse {
    status: u16,
    headers: Vec<(String, String)>,
    body: Vec<u8>,
}

impl RawResponse {
    fn header(&self, name: &str) -> Option<&str> {
        self.headers
            .iter()
            .find(|(n, _)| n == name)
            .map(|(_, v)| v.as_str())
    }

    fn text(&self) -> &str {
        std::str::from_utf8(&self.body).unwrap()
    }
}

/// Reads one HTTP/1.1 response (Content-Length framed) from `stream`.
async fn read_response(stream: &mut TcpStream) -> io::Result<RawResponse> {
    let mut buf = Vec::new();
    let head_end = loop {
        if let Some(pos) = buf.windows(4).position(|w| w == b"\r\n\r\n") {
            break pos;
        }
        let mut chunk = [0u8; 4096];
        let n = stream.read(&mut chunk).await?;
        if n == 0 {
            return Err(io::ErrorKind::UnexpectedEof.into());
        }
        buf.extend_from_slice(&chunk[..n]);
    };
    let head = std::str::from_utf8(&buf[..head_end]).unwrap().to_owned();
    let mut lines = head.split("\r\n");
    let status_line = lines.next().unwrap();
    let status: u16 = status_line.split(' ').nth(1).unwrap().parse().unwrap();
    let headers: Vec<(String, String)> = lines
        .map(|l| {
            let (n, v) = l.split_once(':').unwrap();
            (n.trim().to_ascii_lowercase(), v.trim().to_owned())
        })
        .collect();
    let len: usize = headers
        .iter()
        .find(|(n, _)| n == "content-length")
        .map_or(0, |(_, v)| v.parse().unwrap());
    let mut body = buf[head_end + 4..].to_vec();
    while body.len() < len {
        let mut chunk = vec![0u8; len - body.len()];
        let n = stream.read(&mut chunk).await?;
        if n == 0 {
            return Err(io::ErrorKind::UnexpectedEof.into());
        }
        body.extend_from_slice(&chunk[..n]);
    }
    Ok(RawResponse {
        status,
        headers,
        body,
    })
}

/// Reads until EOF or a connection error; returns what was read.
async fn read_to_close(stream: &mut TcpStream) -> Vec<u8> {
    let mut out = Vec::new();
    let mut chunk = [0u8; 4096];
    loop {
        match stream.read(&mut chunk).await {
            Ok(0) | Err(_) => return out,
            Ok(n) => out.extend_from_slice(&chunk[..n]),
        }
    }
}

async fn get(stream: &mut TcpStream, path: &str) -> RawResponse {
    let req = format!("GET {path} HTTP/1.1\r\nHost: test\r\n\r\n");
    stream.write_all(req.as_bytes()).await.unwrap();
    read_response(stream).await.unwrap()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn get_is_answered() {
    bounded(async {
        let server = Server::start(Echo, small_config()).await;
        let mut s = server.connect().await;
        let res = get(&mut s, "/hello").await;
        assert_eq!(res.status, 200);
        assert_eq!(res.text(), "GET /hello 0");
    })
    .await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn keep_alive_serves_two_requests_on_one_connection() {
    bounded(async {
        let server = Server::start(Echo, small_config()).await;
        let mut s = server.connect().await;
        assert_eq!(get(&mut s, "/one").await.text(), "GET /one 0");
        s.write_all(b"POST /two HTTP/1.1\r\nHost: test\r\nContent-Length: 5\r\n\r\nhello")
            .await
            .unwrap();
        let res = read_response(&mut s).await.unwrap();
        assert_eq!(res.status, 200);
        assert_eq!(res.text(), "POST /two 5");
    })
    .await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn keep_alive_disabled_closes_after_response() {
    bounded(async {
        let config = ServerConfig {
            keep_alive: false,
            ..small_config()
        };
        let server = Server::start(Echo, config).await;
        let mut s = server.connect().await;
        let res = get(&mut s, "/once").await;
        assert_eq!(res.text(), "GET /once 0");
        assert_eq!(res.header("connection"), Some("close"));
        assert!(read_to_close(&mut s).await.is_empty());
    })
    .await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn h2c_prior_knowledge() {
    bounded(async {
        let server = Server::start(Echo, small_config()).await;
        let stream = server.connect().await;
        let (mut sender, conn) =
            hyper::client::conn::http2::handshake(TokioExecutor::new(), TokioIo::new(stream))
                .await
                .unwrap();
        tokio::spawn(conn);

        let req = Request::post("http://127.0.0.1/h2")
            .body(Full::new(Bytes::from_static(b"abc")))
            .unwrap();
        let res = sender.send_request(req).await.unwrap();
        assert_eq!(res.version(), Version::HTTP_2);
        assert_eq!(res.status(), StatusCode::OK);
        let body = res.into_body().collect().await.unwrap().to_bytes();
        assert_eq!(&body[..], b"POST /h2 3");

        // Body limit also applies on HTTP/2 (streamed, no content-length).
        let req = Request::post("http://127.0.0.1/h2big")
            .body(Full::new(Bytes::from(vec![b'x'; 4096])))
            .unwrap();
        let res = sender.send_request(req).await.unwrap();
        assert_eq!(res.status(), StatusCode::PAYLOAD_TOO_LARGE);
    })
    .await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn body_at_limit_is_accepted() {
    bounded(async {
        let server = Server::start(Echo, small_config()).await;
        let mut s = server.connect().await;
        let mut req =
            b"POST /exact HTTP/1.1\r\nHost: test\r\nContent-Length: 1024\r\n\r\n".to_vec();
        req.extend_from_slice(&[b'a'; 1024]);
        s.write_all(&req).await.unwrap();
        let res = read_response(&mut s).await.unwrap();
        assert_eq!(res.status, 200);
        assert_eq!(res.text(), "POST /exact 1024");
    })
    .await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn content_length_over_limit_is_413_without_reading_body() {
    bounded(async {
        let server = Server::start(Echo, small_config()).await;
        let mut s = server.connect().await;
        // The body is never sent; `Expect: 100-continue` must not be honoured.
        s.write_all(
            b"POST /upload HTTP/1.1\r\nHost: test\r\nContent-Length: 1048576\r\n\
              Expect: 100-continue\r\n\r\n",
        )
        .await
        .unwrap();
        let res = read_response(&mut s).await.unwrap();
        assert_eq!(res.status, 413);
        assert_eq!(res.header("content-type"), Some("application/json"));
        assert_eq!(res.text(), r#"{"detail":"Request body too large"}"#);
    })
    .await;
}

fn chunked_request(path: &str, chunks: usize, chunk_len: usize) -> Vec<u8> {
    let mut req =
        format!("POST {path} HTTP/1.1\r\nHost: test\r\nTransfer-Encoding: chunked\r\n\r\n")
            .into_bytes();
    for _ in 0..chunks {
        req.extend_from_slice(format!("{chunk_len:x}\r\n").as_bytes());
        req.extend(std::iter::repeat_n(b'z', chunk_len));
        req.extend_from_slice(b"\r\n");
    }
    req.extend_from_slice(b"0\r\n\r\n");
    req
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn chunked_body_within_limit_is_collected() {
    bounded(async {
        let server = Server::start(Echo, small_config()).await;
        let mut s = server.connect().await;
        s.write_all(&chunked_request("/chunks", 2, 300))
            .await
            .unwrap();
        let res = read_response(&mut s).await.unwrap();
        assert_eq!(res.status, 200);
        assert_eq!(res.text(), "POST /chunks 600");
    })
    .await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn chunked_body_over_limit_is_413() {
    bounded(async {
        let server = Server::start(Echo, small_config()).await;
        let mut s = server.connect().await;
        s.write_all(&chunked_request("/chunks", 3, 600))
            .await
            .unwrap();
        let res = read_response(&mut s).await.unwrap();
        assert_eq!(res.status, 413);
        assert_eq!(res.text(), r#"{"detail":"Request body too large"}"#);
    })
    .await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn vendor_error_shapes_are_used() {
    bounded(async {
        let server = Server::start(Vendor, small_config()).await;
        let mut s = server.connect().await;
        s.write_all(b"PUT /v HTTP/1.1\r\nHost: test\r\nContent-Length: 99999\r\n\r\n")
            .await
            .unwrap();
        let res = read_response(&mut s).await.unwrap();
        assert_eq!(res.status, 413);
        assert_eq!(res.text(), "vendor-413 /v");

        let mut s = server.connect().await;
        let res = get(&mut s, "/panic").await;
        assert_eq!(res.status, 500);
        assert_eq!(res.text(), "vendor-500 GET /panic");
    })
    .await;
}

/// `/panic` answers the generic 500; the same connection and new ones keep being served.
async fn panic_is_500_and_server_keeps_serving<H: Handler>(handler: H, after: &str, fresh: &str) {
    bounded(async {
        let server = Server::start(handler, small_config()).await;
        let mut s = server.connect().await;
        let res = get(&mut s, "/panic").await;
        assert_eq!(res.status, 500);
        assert_eq!(res.text(), r#"{"detail":"Internal Server Error"}"#);
        assert_eq!(get(&mut s, "/after").await.text(), after);
        let mut s2 = server.connect().await;
        assert_eq!(get(&mut s2, "/fresh").await.text(), fresh);
    })
    .await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn handler_panic_while_polled_is_500_and_server_keeps_serving() {
    panic_is_500_and_server_keeps_serving(Echo, "GET /after 0", "GET /fresh 0").await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn handler_panic_in_the_call_is_500_and_server_keeps_serving() {
    panic_is_500_and_server_keeps_serving(Eager, "eager /after", "eager /fresh").await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn stalled_half_header_is_dropped_after_header_read_timeout() {
    bounded(async {
        let config = ServerConfig {
            header_read_timeout: Duration::from_millis(300),
            ..small_config()
        };
        let server = Server::start(Echo, config).await;
        let mut s = server.connect().await;
        let started = Instant::now();
        s.write_all(b"GET /stall HTTP/1.1\r\nHost: te")
            .await
            .unwrap();
        timeout(Duration::from_secs(3), read_to_close(&mut s))
            .await
            .expect("connection was not closed");
        let elapsed = started.elapsed();
        assert!(
            elapsed >= Duration::from_millis(250),
            "closed too early: {elapsed:?}"
        );
    })
    .await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn silent_connection_is_dropped_after_header_read_timeout() {
    bounded(async {
        let config = ServerConfig {
            header_read_timeout: Duration::from_millis(300),
            max_connections: 1,
            ..small_config()
        };
        let server = Server::start(Echo, config).await;
        let mut silent = server.connect().await;
        timeout(Duration::from_secs(3), read_to_close(&mut silent))
            .await
            .expect("silent connection was not closed");
        // Its slot is released.
        let mut s = server.connect().await;
        assert_eq!(get(&mut s, "/next").await.text(), "GET /next 0");
    })
    .await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn connection_cap_defers_second_connection() {
    bounded(async {
        let config = ServerConfig {
            max_connections: 1,
            ..small_config()
        };
        let server = Server::start(Echo, config).await;
        let mut first = server.connect().await;
        assert_eq!(get(&mut first, "/first").await.text(), "GET /first 0");

        // The kernel completes the handshake, but the server does not accept.
        let mut second = server.connect().await;
        second
            .write_all(b"GET /second HTTP/1.1\r\nHost: test\r\n\r\n")
            .await
            .unwrap();
        assert!(
            timeout(Duration::from_millis(300), read_response(&mut second))
                .await
                .is_err(),
            "second connection served while the first was open"
        );

        drop(first);
        let res = timeout(Duration::from_secs(5), read_response(&mut second))
            .await
            .expect("second connection not served after the first closed")
            .unwrap();
        assert_eq!(res.text(), "GET /second 0");
    })
    .await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn graceful_shutdown_finishes_in_flight_request() {
    bounded(async {
        let mut server = Server::start(Echo, small_config()).await;
        let mut s = server.connect().await;
        // An idle keep-alive connection must not hold up shutdown.
        let mut idle = server.connect().await;
        assert_eq!(get(&mut idle, "/idle").await.text(), "GET /idle 0");

        s.write_all(b"GET /slow HTTP/1.1\r\nHost: test\r\n\r\n")
            .await
            .unwrap();
        sleep(Duration::from_millis(50)).await;
        let started = Instant::now();
        server.trigger_shutdown();

        let res = read_response(&mut s).await.unwrap();
        assert_eq!(res.status, 200);
        assert_eq!(res.text(), "GET /slow 0");

        let result = timeout(Duration::from_secs(3), &mut server.task)
            .await
            .expect("serve did not return")
            .unwrap();
        assert!(result.is_ok());
        assert!(started.elapsed() < Duration::from_secs(3));
        assert!(read_to_close(&mut idle).await.is_empty());
        assert!(
            TcpStream::connect(server.addr).await.is_err(),
            "listener still open"
        );
    })
    .await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn graceful_timeout_bounds_shutdown() {
    bounded(async {
        let config = ServerConfig {
            graceful_timeout: Duration::from_millis(200),
            ..small_config()
        };
        let mut server = Server::start(Echo, config).await;
        let mut s = server.connect().await;
        s.write_all(b"GET /sleep5 HTTP/1.1\r\nHost: test\r\n\r\n")
            .await
            .unwrap();
        sleep(Duration::from_millis(50)).await;
        let started = Instant::now();
        server.trigger_shutdown();
        let result = timeout(Duration::from_secs(3), &mut server.task)
            .await
            .expect("serve did not return after graceful_timeout")
            .unwrap();
        assert!(result.is_ok());
        assert!(started.elapsed() < Duration::from_secs(2));
        // The stuck request was abandoned: the connection closes without a response.
        assert!(read_to_close(&mut s).await.is_empty());
    })
    .await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn malformed_request_line_gets_400() {
    bounded(async {
        let server = Server::start(Echo, small_config()).await;
        let mut s = server.connect().await;
        s.write_all(b"THIS IS NOT HTTP\r\n\r\n").await.unwrap();
        let raw = read_to_close(&mut s).await;
        let text = String::from_utf8_lossy(&raw);
        assert!(
            text.starts_with("HTTP/1.1 400"),
            "unexpected reply: {text:?}"
        );

        let mut s = server.connect().await;
        assert_eq!(get(&mut s, "/ok").await.text(), "GET /ok 0");
    })
    .await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_body_that_trickles_too_slowly_gets_408_and_the_connection_closes() {
    bounded(async {
        let config = ServerConfig {
            body_read_timeout: Duration::from_millis(300),
            ..small_config()
        };
        let server = Server::start(Echo, config).await;
        let mut s = server.connect().await;
        s.write_all(b"POST /slow HTTP/1.1\r\nHost: t\r\nContent-Length: 100\r\n\r\n0123456789")
            .await
            .unwrap();
        let raw = timeout(Duration::from_secs(3), read_to_close(&mut s))
            .await
            .expect("connection was not closed");
        let text = String::from_utf8_lossy(&raw);
        assert!(text.starts_with("HTTP/1.1 408"), "{text}");
        assert!(
            text.ends_with(r#"{"detail":"Request body not received in time"}"#),
            "{text}"
        );
    })
    .await;
}
