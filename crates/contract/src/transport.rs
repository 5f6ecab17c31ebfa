//! Where check requests go: an in-process eventmock [`App`] (the contract run) or any live
//! server over HTTP/1.1 or HTTPS (`eventmock verify`).

use std::io::{Read, Write};
use std::net::{TcpStream, ToSocketAddrs};
use std::sync::Arc;
use std::time::Duration;

use bytes::Bytes;
use eventmock_server::{App, World};
use http_body_util_free::collect;

/// A request of a check, ready to send.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Request {
    /// HTTP method.
    pub method: String,
    /// Path and query, e.g. `/api/v3/events/events/?page=2` (below the base URL).
    pub target: String,
    /// Headers, in order.
    pub headers: Vec<(String, String)>,
    /// For the in-process app: the vendor's own port (`None`: the main port).
    pub port: Option<u16>,
    /// The request body (empty: none).
    pub body: Vec<u8>,
}

/// A response as the check sees it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Answer {
    /// Status code.
    pub status: u16,
    /// Headers, names lower-cased, sorted by name.
    pub headers: Vec<(String, String)>,
    /// Body bytes.
    pub body: Vec<u8>,
}

impl Answer {
    /// A header's value.
    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers
            .iter()
            .find(|(n, _)| n.eq_ignore_ascii_case(name))
            .map(|(_, v)| v.as_str())
    }
}

/// Why a request got no answer.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SendError {
    /// The server could not be reached at all (unknown host, connection refused, TLS
    /// handshake failed, connect timeout): nothing can be checked there. Otherwise it was
    /// reached and the exchange failed (closed early, malformed answer), which is a finding.
    pub unreachable: bool,
    /// What went wrong, naming the URL (one line).
    pub message: String,
}

impl SendError {
    /// The server was reached, the exchange failed.
    pub fn failed(message: impl Into<String>) -> Self {
        Self {
            unreachable: false,
            message: one_line(message.into()),
        }
    }

    /// The server could not be reached.
    pub fn unreachable(message: impl Into<String>) -> Self {
        Self {
            unreachable: true,
            message: one_line(message.into()),
        }
    }
}

/// `text` with line breaks turned into spaces (reasons are printed on one line).
fn one_line(text: String) -> String {
    if text.contains(['\n', '\r']) {
        text.split(['\n', '\r'])
            .filter(|l| !l.trim().is_empty())
            .collect::<Vec<_>>()
            .join(" ")
    } else {
        text
    }
}

/// Sends check requests somewhere.
pub trait Transport {
    /// Sends one request; `Err` says whether the server was unreachable and names what went
    /// wrong (connection refused, bad response, ...).
    fn send(&self, req: &Request) -> Result<Answer, SendError>;
}

/// An eventmock app in this process, on its main port.
pub struct InProcess {
    /// The app.
    app: Arc<App>,
    /// A runtime for the app's async path (latency faults sleep).
    runtime: tokio::runtime::Runtime,
}

impl InProcess {
    /// Serves `world` in-process.
    pub fn new(world: World) -> Result<Self, String> {
        let runtime = tokio::runtime::Builder::new_current_thread()
            .enable_time()
            .build()
            .map_err(|e| format!("starting a runtime: {e}"))?;
        Ok(Self {
            app: Arc::new(App::new(world)),
            runtime,
        })
    }

    /// The app (for ids of the mounted datasets).
    pub fn app(&self) -> &App {
        &self.app
    }
}

impl Transport for InProcess {
    fn send(&self, req: &Request) -> Result<Answer, SendError> {
        let mut builder = hyper::Request::builder()
            .method(req.method.as_str())
            .uri(req.target.as_str())
            .header("host", "eventmock.test");
        for (k, v) in &req.headers {
            builder = builder.header(k.as_str(), v.as_str());
        }
        let request = builder
            .body(Bytes::from(req.body.clone()))
            .map_err(|e| SendError::failed(format!("building the request: {e}")))?;
        let app = Arc::clone(&self.app);
        let port = req.port;
        let res = self
            .runtime
            .block_on(async move { app.respond(port, request).await });
        let status = res.status().as_u16();
        let headers = sorted_headers(res.headers());
        let body = self.runtime.block_on(collect(res.into_body()));
        Ok(Answer {
            status,
            headers,
            body,
        })
    }
}

fn sorted_headers(map: &hyper::HeaderMap) -> Vec<(String, String)> {
    let mut headers: Vec<(String, String)> = map
        .iter()
        .map(|(k, v)| {
            (
                k.as_str().to_ascii_lowercase(),
                String::from_utf8_lossy(v.as_bytes()).into_owned(),
            )
        })
        .collect();
    headers.sort();
    headers
}

/// A live server by URL: `http://` through [`Http`], `https://` through [`Https`].
pub fn for_url(base_url: &str, timeout: Duration) -> Result<Box<dyn Transport>, String> {
    if base_url.starts_with("https://") {
        Ok(Box::new(Https::new(base_url, timeout)?))
    } else {
        Ok(Box::new(Http::new(base_url, timeout)?))
    }
}

/// Any server over HTTPS (rustls, web PKI roots), e.g. the real vendor.
pub struct Https {
    /// The base URL without a trailing slash.
    base: String,
    /// The client: no redirects followed, statuses are answers rather than errors.
    agent: ureq::Agent,
    /// Per-request timeout (also bounds the reachability probe).
    timeout: Duration,
}

impl Https {
    /// A transport for `base_url` (`https://host[:port][/prefix]`).
    pub fn new(base_url: &str, timeout: Duration) -> Result<Self, String> {
        let rest = base_url
            .strip_prefix("https://")
            .ok_or_else(|| format!("{base_url}: expected https://host[:port][/prefix]"))?;
        if rest.is_empty() || rest.starts_with('/') {
            return Err(format!("{base_url}: no host"));
        }
        let agent = ureq::Agent::config_builder()
            .http_status_as_error(false)
            .max_redirects(0)
            .timeout_global(Some(timeout))
            .timeout_connect(Some(timeout))
            .user_agent("eventmock-verify")
            .build()
            .into();
        Ok(Self {
            base: base_url.trim_end_matches('/').to_owned(),
            agent,
            timeout,
        })
    }
}

impl Https {
    /// Whether a TCP connection to the server's host and port can be made (asked after an
    /// I/O error, which may be a failed name resolution or connection).
    fn connects(&self) -> bool {
        let rest = self.base.strip_prefix("https://").unwrap_or(&self.base);
        let authority = rest.split('/').next().unwrap_or_default();
        let has_port = match authority.rfind(']') {
            Some(end) => authority[end..].contains(':'),
            None => authority.contains(':'),
        };
        let authority = if has_port {
            authority.to_owned()
        } else {
            format!("{authority}:443")
        };
        authority.to_socket_addrs().is_ok_and(|mut addrs| {
            addrs.any(|a| TcpStream::connect_timeout(&a, self.timeout).is_ok())
        })
    }
}

/// The largest response body `verify` reads.
const MAX_RESPONSE: u64 = 32 << 20;

/// Whether a ureq error means the server was never reached (name resolution, connection,
/// TLS handshake), rather than an exchange that failed once connected.
fn unreachable(error: &ureq::Error) -> bool {
    use std::io::ErrorKind;
    match error {
        ureq::Error::HostNotFound
        | ureq::Error::ConnectionFailed
        | ureq::Error::BadUri(_)
        | ureq::Error::Tls(_)
        | ureq::Error::Pem(_)
        | ureq::Error::Rustls(_)
        | ureq::Error::TlsRequired
        | ureq::Error::Timeout(ureq::Timeout::Resolve | ureq::Timeout::Connect) => true,
        ureq::Error::Io(e) => {
            e.get_ref().is_some_and(|inner| inner.is::<rustls::Error>())
                || matches!(
                    e.kind(),
                    ErrorKind::ConnectionRefused
                        | ErrorKind::HostUnreachable
                        | ErrorKind::NetworkUnreachable
                        | ErrorKind::AddrNotAvailable
                )
        }
        _ => false,
    }
}

impl Transport for Https {
    fn send(&self, req: &Request) -> Result<Answer, SendError> {
        let url = format!("{}{}", self.base, req.target);
        let mut builder = hyper::Request::builder()
            .method(req.method.as_str())
            .uri(url.as_str())
            .header("accept", "application/json");
        for (k, v) in &req.headers {
            builder = builder.header(k.as_str(), v.as_str());
        }
        let request = builder
            .body(req.body.clone())
            .map_err(|e| SendError::failed(format!("building the request to {url}: {e}")))?;
        let mut res = self.agent.run(request).map_err(|e| {
            let message = format!("{} {url}: {e}", req.method);
            if unreachable(&e) || (matches!(e, ureq::Error::Io(_)) && !self.connects()) {
                let tls = matches!(&e, ureq::Error::Io(io) if io.get_ref().is_some_and(|i| i.is::<rustls::Error>()))
                    || matches!(e, ureq::Error::Rustls(_) | ureq::Error::Tls(_));
                SendError::unreachable(if tls {
                    format!("TLS handshake failed: {message}")
                } else {
                    message
                })
            } else {
                SendError::failed(message)
            }
        })?;
        let status = res.status().as_u16();
        let headers = sorted_headers(res.headers());
        let body = res
            .body_mut()
            .with_config()
            .limit(MAX_RESPONSE)
            .read_to_vec()
            .map_err(|e| SendError::failed(format!("reading the response of {url}: {e}")))?;
        Ok(Answer {
            status,
            headers,
            body,
        })
    }
}

/// Any server over plain HTTP/1.1 (`http://host:port[/prefix]`).
#[derive(Debug, Clone)]
pub struct Http {
    /// `host:port`.
    authority: String,
    /// A path prefix from the base URL, without a trailing slash.
    prefix: String,
    /// Per-request timeout.
    timeout: Duration,
}

impl Http {
    /// A transport for `base_url` (`http://`; see [`for_url`] for `https://`).
    pub fn new(base_url: &str, timeout: Duration) -> Result<Self, String> {
        let rest = base_url
            .strip_prefix("http://")
            .ok_or_else(|| format!("{base_url}: expected http(s)://host[:port][/prefix]"))?;
        let (authority, prefix) = match rest.find('/') {
            Some(p) => (&rest[..p], rest[p..].trim_end_matches('/')),
            None => (rest, ""),
        };
        if authority.is_empty() {
            return Err(format!("{base_url}: no host"));
        }
        let authority = if authority.contains(':') {
            authority.to_owned()
        } else {
            format!("{authority}:80")
        };
        Ok(Self {
            authority,
            prefix: prefix.to_owned(),
            timeout,
        })
    }
}

impl Http {
    /// A connection to the server: every address the name resolves to is tried, each for
    /// at most the timeout. Failing that, the server is unreachable.
    fn connect(&self) -> Result<TcpStream, SendError> {
        let unreachable = |e: &dyn std::fmt::Display| {
            SendError::unreachable(format!("connecting to {}: {e}", self.authority))
        };
        let addrs = self
            .authority
            .to_socket_addrs()
            .map_err(|e| unreachable(&e))?;
        let mut last = None;
        for addr in addrs {
            match TcpStream::connect_timeout(&addr, self.timeout) {
                Ok(stream) => return Ok(stream),
                Err(e) => last = Some(e),
            }
        }
        Err(match last {
            Some(e) => unreachable(&e),
            None => unreachable(&"the name resolves to no address"),
        })
    }
}

impl Transport for Http {
    fn send(&self, req: &Request) -> Result<Answer, SendError> {
        let mut stream = self.connect()?;
        stream
            .set_read_timeout(Some(self.timeout))
            .and_then(|()| stream.set_write_timeout(Some(self.timeout)))
            .map_err(|e| SendError::failed(e.to_string()))?;
        let mut head = format!(
            "{} {}{} HTTP/1.1\r\nHost: {}\r\nConnection: close\r\nAccept: application/json\r\nUser-Agent: eventmock-verify\r\n",
            req.method, self.prefix, req.target, self.authority
        );
        for (k, v) in &req.headers {
            head.push_str(&format!("{k}: {v}\r\n"));
        }
        if !req.body.is_empty() {
            head.push_str(&format!("Content-Length: {}\r\n", req.body.len()));
        }
        head.push_str("\r\n");
        stream
            .write_all(head.as_bytes())
            .and_then(|()| stream.write_all(&req.body))
            .map_err(|e| SendError::failed(format!("sending to {}: {e}", self.authority)))?;
        let mut raw = Vec::new();
        stream.read_to_end(&mut raw).map_err(|e| {
            SendError::failed(format!("reading the response of {}: {e}", self.authority))
        })?;
        parse_response(&raw).map_err(SendError::failed)
    }
}

/// Parses a whole HTTP/1.1 response (Content-Length, chunked or close-delimited).
pub fn parse_response(raw: &[u8]) -> Result<Answer, String> {
    let end = raw
        .windows(4)
        .position(|w| w == b"\r\n\r\n")
        .ok_or("the connection closed before a complete response head")?;
    let head = String::from_utf8_lossy(&raw[..end]);
    let mut lines = head.split("\r\n");
    let status = lines
        .next()
        .and_then(|l| l.split(' ').nth(1))
        .and_then(|c| c.parse().ok())
        .ok_or("no status line")?;
    let mut headers: Vec<(String, String)> = lines
        .filter_map(|l| l.split_once(':'))
        .map(|(n, v)| (n.trim().to_ascii_lowercase(), v.trim().to_owned()))
        .collect();
    headers.sort();
    let mut body = raw[end + 4..].to_vec();
    if headers
        .iter()
        .any(|(n, v)| n == "transfer-encoding" && v.eq_ignore_ascii_case("chunked"))
    {
        body = dechunk(&body).ok_or("a malformed chunked body")?;
    } else if let Some(len) = headers
        .iter()
        .find(|(n, _)| n == "content-length")
        .and_then(|(_, v)| v.parse::<usize>().ok())
    {
        if body.len() < len {
            return Err(format!("body cut short: {} of {len} bytes", body.len()));
        }
        body.truncate(len);
    }
    Ok(Answer {
        status,
        headers,
        body,
    })
}

fn dechunk(mut body: &[u8]) -> Option<Vec<u8>> {
    let mut out = Vec::new();
    loop {
        let line_end = body.windows(2).position(|w| w == b"\r\n")?;
        let size_text = std::str::from_utf8(&body[..line_end]).ok()?;
        let size = usize::from_str_radix(size_text.split(';').next()?.trim(), 16).ok()?;
        if size == 0 {
            return Some(out);
        }
        let start = line_end + 2;
        out.extend_from_slice(body.get(start..start + size)?);
        body = body.get(start + size + 2..)?;
    }
}

/// Collecting a `Full<Bytes>` body without pulling in `http-body-util` here.
mod http_body_util_free {
    use std::pin::Pin;

    use bytes::Bytes;
    use hyper::body::Body;

    /// All the bytes of a body.
    pub async fn collect<B: Body<Data = Bytes> + Unpin>(mut body: B) -> Vec<u8> {
        let mut out = Vec::new();
        while let Some(Ok(frame)) =
            std::future::poll_fn(|cx| Pin::new(&mut body).poll_frame(cx)).await
        {
            if let Ok(data) = frame.into_data() {
                out.extend_from_slice(&data);
            }
        }
        out
    }
}
