//! Listener creation and process signal handling.

use std::io;
use std::net::SocketAddr;

use tokio::net::{TcpListener, TcpSocket};

/// Listen backlog; larger than std's default of 128 so connection bursts
/// (benchmarks, many clients) are not refused by the kernel.
const BACKLOG: u32 = 1024;

/// Binds a TCP listener on `addr` (with `SO_REUSEADDR` on Unix and a 1024
/// backlog).
///
/// Must be called from within a Tokio runtime; returns an error otherwise.
pub fn bind(addr: SocketAddr) -> io::Result<TcpListener> {
    if tokio::runtime::Handle::try_current().is_err() {
        return Err(io::Error::other(
            "eventmock_server::net::bind must be called inside a Tokio runtime",
        ));
    }
    let socket = if addr.is_ipv4() {
        TcpSocket::new_v4()?
    } else {
        TcpSocket::new_v6()?
    };
    #[cfg(unix)]
    socket.set_reuseaddr(true)?;
    socket.bind(addr)?;
    socket.listen(BACKLOG)
}

/// Completes when the process receives SIGINT (Ctrl-C) or SIGTERM.
///
/// If a signal handler cannot be installed, the error is logged and that
/// signal is simply never reported.
pub async fn shutdown_signal() {
    #[cfg(unix)]
    {
        use tokio::signal::unix::{SignalKind, signal};

        async fn wait(kind: SignalKind, name: &str) {
            match signal(kind) {
                Ok(mut stream) => {
                    stream.recv().await;
                    tracing::info!(signal = name, "shutdown signal received");
                }
                Err(err) => {
                    tracing::error!(signal = name, error = %err, "cannot install signal handler");
                    std::future::pending::<()>().await;
                }
            }
        }

        tokio::select! {
            () = wait(SignalKind::interrupt(), "SIGINT") => {}
            () = wait(SignalKind::terminate(), "SIGTERM") => {}
        }
    }
    #[cfg(not(unix))]
    {
        match tokio::signal::ctrl_c().await {
            Ok(()) => tracing::info!("shutdown signal received"),
            Err(err) => {
                tracing::error!(error = %err, "cannot install Ctrl-C handler");
                std::future::pending::<()>().await;
            }
        }
    }
}
