//! Accept loop and per-connection serving (in the style of mini-redis'
//! `server::run`).

use std::future::Future;
use std::io;
use std::net::SocketAddr;
use std::pin::pin;
use std::sync::Arc;
use std::time::Duration;

use hyper::service::service_fn;
use hyper_util::rt::{TokioExecutor, TokioIo, TokioTimer};
use hyper_util::server::conn::auto;
use hyper_util::server::graceful::{GracefulShutdown, Watcher};
use tokio::net::{TcpListener, TcpStream};
use tokio::sync::{OwnedSemaphorePermit, Semaphore, watch};
use tokio::task::{JoinError, JoinSet};

use super::coarse_timer::{CoarseTimer, Ticked, tick_for};
use super::config::ServerConfig;
use super::dispatch::{ConnHandler, dispatch};
use super::handler::Handler;
use crate::tls::TlsAcceptor;

/// First back-off delay after a failed `accept`.
const ACCEPT_BACKOFF_START: Duration = Duration::from_millis(5);
/// Largest back-off delay after repeated `accept` failures.
const ACCEPT_BACKOFF_MAX: Duration = Duration::from_secs(1);
/// Consecutive `accept` failures after which [`serve`] gives up.
const ACCEPT_MAX_FAILURES: u32 = 64;

/// State shared by every connection task.
struct Shared<H> {
    handler: Arc<H>,
    builder: auto::Builder<TokioExecutor>,
    max_body_bytes: usize,
    body_read_timeout: Duration,
    first_byte_timeout: Option<Duration>,
    /// TLS of every connection ([`serve_tls`]); `None`: plain HTTP.
    tls: Option<TlsAcceptor>,
}

/// Time allowed for a TLS handshake when the header-read timeout is off.
const TLS_HANDSHAKE_TIMEOUT: Duration = Duration::from_secs(10);

/// Serves HTTP/1.1 and h2c (prior knowledge) on `listener` until `shutdown`
/// completes.
///
/// - At most [`ServerConfig::max_connections`] connections are open at once;
///   when the cap is reached the loop stops accepting until one closes.
/// - Accepted sockets get `TCP_NODELAY`.
/// - On shutdown the listener is closed, idle connections are closed,
///   in-flight requests are allowed to finish, and after at most
///   [`ServerConfig::graceful_timeout`] the remaining connections are
///   dropped. The function returns once all connection tasks are gone.
///
/// Transient `accept` errors (e.g. `EMFILE`) are logged and retried with
/// back-off; `Err` is returned only if `accept` keeps failing
/// (64 consecutive failures).
pub async fn serve<H: Handler>(
    listener: TcpListener,
    handler: Arc<H>,
    config: ServerConfig,
    shutdown: impl Future<Output = ()>,
) -> io::Result<()> {
    run(listener, handler, config, None, shutdown).await
}

/// [`serve`] over TLS: each accepted connection first completes a TLS handshake with
/// `tls` (bounded by the header-read timeout), then speaks HTTP/1.1 or HTTP/2 (ALPN `h2`)
/// exactly as [`serve`]'s connections do. A failed handshake closes only that connection.
pub async fn serve_tls<H: Handler>(
    listener: TcpListener,
    handler: Arc<H>,
    config: ServerConfig,
    tls: TlsAcceptor,
    shutdown: impl Future<Output = ()>,
) -> io::Result<()> {
    run(listener, handler, config, Some(tls), shutdown).await
}

/// The accept loop of [`serve`] and [`serve_tls`].
async fn run<H: Handler>(
    listener: TcpListener,
    handler: Arc<H>,
    config: ServerConfig,
    tls: Option<TlsAcceptor>,
    shutdown: impl Future<Output = ()>,
) -> io::Result<()> {
    let header_timeout =
        (!config.header_read_timeout.is_zero()).then_some(config.header_read_timeout);
    let mut builder = auto::Builder::new(TokioExecutor::new());
    builder
        .http1()
        .timer(CoarseTimer)
        .header_read_timeout(header_timeout)
        .keep_alive(config.keep_alive);
    builder.http2().timer(TokioTimer::new());

    let shared = Arc::new(Shared {
        handler,
        builder,
        max_body_bytes: config.max_body_bytes,
        body_read_timeout: config.body_read_timeout,
        first_byte_timeout: header_timeout,
        tls,
    });
    let semaphore = Arc::new(Semaphore::new(
        config.max_connections.clamp(1, Semaphore::MAX_PERMITS),
    ));
    let graceful = GracefulShutdown::new();
    // `true` once draining starts; wakes connections still waiting for their
    // first byte (they are not yet known to hyper's graceful machinery).
    let (draining_tx, draining_rx) = watch::channel(false);
    let mut tasks = JoinSet::new();
    let mut shutdown = pin!(shutdown);
    let mut failures = 0u32;
    let mut backoff = ACCEPT_BACKOFF_START;

    if let Ok(addr) = listener.local_addr() {
        tracing::info!(%addr, "listening");
    }

    'accept: loop {
        // Wait for a free connection slot (reaping finished tasks meanwhile).
        let permit = loop {
            tokio::select! {
                biased;
                () = &mut shutdown => break 'accept,
                Some(res) = tasks.join_next() => reap(res),
                permit = semaphore.clone().acquire_owned() => match permit {
                    Ok(permit) => break permit,
                    // The semaphore is never closed.
                    Err(_) => break 'accept,
                },
            }
        };

        let accepted = loop {
            tokio::select! {
                biased;
                () = &mut shutdown => break 'accept,
                Some(res) = tasks.join_next() => reap(res),
                res = listener.accept() => break res,
            }
        };

        let (stream, peer) = match accepted {
            Ok(conn) => {
                failures = 0;
                backoff = ACCEPT_BACKOFF_START;
                conn
            }
            Err(err) if is_connection_error(&err) => {
                tracing::debug!(error = %err, "accept: connection error");
                continue;
            }
            Err(err) => {
                failures += 1;
                if failures >= ACCEPT_MAX_FAILURES {
                    tracing::error!(error = %err, "accept keeps failing; giving up");
                    drain(graceful, draining_tx, tasks, config.graceful_timeout).await;
                    return Err(err);
                }
                tracing::warn!(error = %err, retry_in = ?backoff, "accept failed");
                drop(permit);
                tokio::select! {
                    biased;
                    () = &mut shutdown => break 'accept,
                    () = tokio::time::sleep(backoff) => {}
                }
                backoff = (backoff * 2).min(ACCEPT_BACKOFF_MAX);
                continue;
            }
        };

        if let Err(err) = stream.set_nodelay(true) {
            tracing::debug!(%peer, error = %err, "set TCP_NODELAY failed");
        }
        tracing::trace!(%peer, "accepted connection");
        tasks.spawn(serve_connection(
            stream,
            peer,
            shared.clone(),
            graceful.watcher(),
            draining_rx.clone(),
            permit,
        ));
    }

    drop(listener);
    drain(graceful, draining_tx, tasks, config.graceful_timeout).await;
    Ok(())
}

/// Graceful shutdown: signal every connection, wait up to `timeout` for them
/// to finish, then abort whatever is left.
async fn drain(
    graceful: GracefulShutdown,
    draining_tx: watch::Sender<bool>,
    mut tasks: JoinSet<()>,
    timeout: Duration,
) {
    let open = tasks.len();
    tracing::info!(open_connections = open, "shutting down");
    draining_tx.send_replace(true);
    if tokio::time::timeout(timeout, graceful.shutdown())
        .await
        .is_err()
    {
        tracing::warn!(
            ?timeout,
            remaining = tasks.len(),
            "graceful shutdown timed out; closing remaining connections"
        );
    }
    tasks.shutdown().await;
    tracing::info!("server stopped");
}

/// Serves one accepted connection; the permit is released when it ends.
async fn serve_connection<H: Handler>(
    stream: TcpStream,
    peer: SocketAddr,
    shared: Arc<Shared<H>>,
    watcher: Watcher,
    mut draining: watch::Receiver<bool>,
    _permit: OwnedSemaphorePermit,
) {
    // hyper's auto-detection (h1 vs h2 preface) has no timeout of its own:
    // bound the wait for the first byte so silent clients cannot pin a slot.
    if let Some(limit) = shared.first_byte_timeout {
        let mut probe = [0u8; 1];
        tokio::select! {
            biased;
            _ = draining.wait_for(|draining| *draining) => return,
            res = tokio::time::timeout(limit, stream.peek(&mut probe)) => match res {
                Ok(Ok(_)) => {}
                Ok(Err(err)) => {
                    tracing::debug!(%peer, error = %err, "connection failed before first byte");
                    return;
                }
                Err(_) => {
                    tracing::debug!(%peer, "no data before header_read_timeout; closing");
                    return;
                }
            },
        }
    }
    drop(draining);

    let Some(tls) = &shared.tls else {
        return serve_http(TokioIo::new(stream), peer, &shared, watcher).await;
    };
    let limit = shared.first_byte_timeout.unwrap_or(TLS_HANDSHAKE_TIMEOUT);
    match tokio::time::timeout(limit, tls.accept(stream)).await {
        Ok(Ok(stream)) => serve_http(TokioIo::new(stream), peer, &shared, watcher).await,
        Ok(Err(err)) => tracing::debug!(%peer, error = %err, "TLS handshake failed"),
        Err(_) => tracing::debug!(%peer, "TLS handshake not done in time; closing"),
    }
}

/// Serves HTTP/1.1 or HTTP/2 on an accepted (and, with TLS, handshaken) connection.
async fn serve_http<H, I>(io: I, peer: SocketAddr, shared: &Shared<H>, watcher: Watcher)
where
    H: Handler,
    I: hyper::rt::Read + hyper::rt::Write + Unpin + Send + 'static,
{
    let handler = Arc::new(ConnHandler(shared.handler.clone()));
    let max_body_bytes = shared.max_body_bytes;
    let body_timeout = shared.body_read_timeout;
    let service =
        service_fn(move |req| dispatch(handler.clone(), req, peer, max_body_bytes, body_timeout));
    let conn = shared.builder.serve_connection(io, service);
    let conn = watcher.watch(conn);
    // The header-read timeout's coarse sleeps are checked at this connection's ticks.
    let done = match shared.first_byte_timeout {
        Some(limit) => Ticked::new(conn, tick_for(limit)).await,
        None => conn.await,
    };
    if let Err(err) = done {
        tracing::debug!(%peer, error = %err, "connection ended with error");
    } else {
        tracing::trace!(%peer, "connection closed");
    }
}

/// Logs the outcome of a finished connection task.
fn reap(res: Result<(), JoinError>) {
    if let Err(err) = res
        && err.is_panic()
    {
        tracing::error!(error = %err, "connection task panicked");
    }
}

/// Errors that concern only the connection being accepted, not the listener.
fn is_connection_error(err: &io::Error) -> bool {
    matches!(
        err.kind(),
        io::ErrorKind::ConnectionRefused
            | io::ErrorKind::ConnectionAborted
            | io::ErrorKind::ConnectionReset
            | io::ErrorKind::Interrupted
    )
}
