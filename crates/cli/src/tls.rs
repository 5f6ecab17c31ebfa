//! The TLS flags of `eventmock serve`: a certificate and key from files, or a local CA and
//! leaf made at start whose CA certificate is written where the banner says.

use std::future::Future;
use std::path::PathBuf;
use std::sync::Arc;

use anyhow::Result;
use clap::Args;
use eventmock_server::tls::{self, TlsAcceptor, self_signed::SelfSigned};
use eventmock_server::{Handler, ServerConfig};
use tokio::net::TcpListener;

use crate::UsageError;

/// TLS flags of `eventmock serve`.
#[derive(Debug, Clone, Args)]
pub struct TlsArgs {
    /// Serve HTTPS with this certificate chain (PEM, leaf first; needs --tls-key).
    #[arg(
        long,
        value_name = "FILE",
        requires = "tls_key",
        conflicts_with = "tls_self_signed"
    )]
    tls_cert: Option<PathBuf>,
    /// The private key of --tls-cert (PEM: PKCS#8, PKCS#1 or SEC1).
    #[arg(long, value_name = "FILE", requires = "tls_cert")]
    tls_key: Option<PathBuf>,
    /// Serve HTTPS with a local CA and a leaf for localhost, 127.0.0.1 and ::1, made at start;
    /// the CA certificate (what clients trust) is written to --tls-ca-out.
    #[arg(long)]
    tls_self_signed: bool,
    /// Where --tls-self-signed writes the CA certificate (default: eventmock-ca-<pid>.pem in
    /// the temporary directory).
    #[arg(long, value_name = "FILE", requires = "tls_self_signed")]
    tls_ca_out: Option<PathBuf>,
}

/// TLS as set up from the flags.
pub struct TlsSetup {
    /// The acceptor every listener uses.
    pub acceptor: TlsAcceptor,
    /// Where the self-signed CA's certificate was written.
    ca_path: Option<PathBuf>,
}

/// Loads or makes the certificates the flags ask for; `None` for plain HTTP.
pub fn setup(args: &TlsArgs) -> Result<Option<TlsSetup>> {
    if let (Some(cert), Some(key)) = (&args.tls_cert, &args.tls_key) {
        let acceptor = tls::from_pem_files(cert, key).map_err(|e| UsageError(e.to_string()))?;
        return Ok(Some(TlsSetup {
            acceptor,
            ca_path: None,
        }));
    }
    if !args.tls_self_signed {
        return Ok(None);
    }
    let made = SelfSigned::generate()?;
    let ca_path = args.tls_ca_out.clone().unwrap_or_else(|| {
        std::env::temp_dir().join(format!("eventmock-ca-{}.pem", std::process::id()))
    });
    made.write_ca(&ca_path)
        .map_err(|e| UsageError(e.to_string()))?;
    Ok(Some(TlsSetup {
        acceptor: made.acceptor()?,
        ca_path: Some(ca_path),
    }))
}

impl TlsSetup {
    /// The banner's TLS lines: where the CA certificate is and how to trust it.
    pub fn print_banner(&self, base: &str) {
        use std::io::Write;
        let mut out = std::io::stdout().lock();
        let _ = match &self.ca_path {
            Some(ca) => writeln!(
                out,
                "  TLS: self-signed for {}; CA certificate: {} (trust it: curl --cacert {} {base}/__eventmock/health)",
                tls::self_signed::LEAF_NAMES.join(", "),
                ca.display(),
                ca.display()
            ),
            None => writeln!(out, "  TLS: certificate from --tls-cert"),
        };
        let _ = out.flush();
    }
}

/// Serves `listener` over TLS when `tls` is set, plain HTTP otherwise.
pub async fn serve<H: Handler>(
    listener: TcpListener,
    handler: Arc<H>,
    config: ServerConfig,
    tls: Option<TlsAcceptor>,
    shutdown: impl Future<Output = ()>,
) -> std::io::Result<()> {
    match tls {
        Some(tls) => eventmock_server::serve_tls(listener, handler, config, tls, shutdown).await,
        None => eventmock_server::serve(listener, handler, config, shutdown).await,
    }
}
