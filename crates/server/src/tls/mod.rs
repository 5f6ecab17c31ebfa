//! TLS for the server: rustls with the `ring` provider (no OpenSSL, no aws-lc), HTTP/1.1 and
//! HTTP/2 offered through ALPN.
//!
//! - [`from_pem_files`]: a certificate chain and its private key from PEM files
//!   (`eventmock serve --tls-cert FILE --tls-key FILE`).
//! - [`self_signed`]: a local CA and a leaf for `localhost`, `127.0.0.1` and `::1`, made at
//!   start (`--tls-self-signed`); clients trust the CA, not the leaf, as strict verifiers
//!   (Python ≥ 3.13, Go) reject a self-signed leaf.
//!
//! The network layer takes the result as a [`TlsAcceptor`]
//! ([`serve_tls`](crate::net::serve_tls)); the plain-HTTP path never touches this module.

pub mod self_signed;

use std::path::{Path, PathBuf};
use std::sync::Arc;

use rustls::pki_types::pem::PemObject;
use rustls::pki_types::{CertificateDer, PrivateKeyDer};
pub use tokio_rustls::TlsAcceptor;

/// The ALPN protocols offered, in order of preference.
pub const ALPN: [&[u8]; 2] = [b"h2", b"http/1.1"];

/// Why a TLS configuration could not be made.
#[derive(Debug, thiserror::Error)]
pub enum TlsError {
    /// A PEM file could not be read or parsed.
    #[error("{path}: {message}")]
    Pem {
        /// The file.
        path: PathBuf,
        /// What was wrong with it.
        message: String,
    },
    /// rustls refused the certificate chain and key.
    #[error("certificate {cert} with key {key}: {message}")]
    Rejected {
        /// The certificate file (or `generated`).
        cert: String,
        /// The key file (or `generated`).
        key: String,
        /// rustls' reason.
        message: String,
    },
    /// The self-signed CA or leaf could not be made.
    #[error("making the self-signed certificates: {0}")]
    Generate(String),
    /// The CA certificate could not be written.
    #[error("{path}: cannot write the CA certificate: {source}")]
    WriteCa {
        /// Where it was to be written.
        path: PathBuf,
        /// The I/O error.
        source: std::io::Error,
    },
}

/// A TLS acceptor for a certificate chain (leaf first) and its private key, in PEM files.
pub fn from_pem_files(cert: &Path, key: &Path) -> Result<TlsAcceptor, TlsError> {
    let pem_error = |path: &Path, message: String| TlsError::Pem {
        path: path.to_owned(),
        message,
    };
    let chain = CertificateDer::pem_file_iter(cert)
        .map_err(|e| pem_error(cert, e.to_string()))?
        .collect::<Result<Vec<_>, _>>()
        .map_err(|e| pem_error(cert, e.to_string()))?;
    if chain.is_empty() {
        return Err(pem_error(
            cert,
            "no PEM certificate (-----BEGIN CERTIFICATE-----) in the file".into(),
        ));
    }
    let private_key = PrivateKeyDer::from_pem_file(key).map_err(|e| {
        pem_error(
            key,
            format!("no usable private key (PKCS#8, PKCS#1 or SEC1 PEM): {e}"),
        )
    })?;
    acceptor(
        chain,
        private_key,
        &cert.display().to_string(),
        &key.display().to_string(),
    )
}

/// A TLS acceptor for `chain` and `key` (ring provider, TLS 1.2 and 1.3, ALPN `h2` and
/// `http/1.1`); `cert_name` and `key_name` name them in errors.
pub fn acceptor(
    chain: Vec<CertificateDer<'static>>,
    key: PrivateKeyDer<'static>,
    cert_name: &str,
    key_name: &str,
) -> Result<TlsAcceptor, TlsError> {
    let rejected = |e: rustls::Error| TlsError::Rejected {
        cert: cert_name.to_owned(),
        key: key_name.to_owned(),
        message: e.to_string(),
    };
    let provider = Arc::new(rustls::crypto::ring::default_provider());
    let mut config = rustls::ServerConfig::builder_with_provider(provider)
        .with_safe_default_protocol_versions()
        .map_err(rejected)?
        .with_no_client_auth()
        .with_single_cert(chain, key)
        .map_err(rejected)?;
    config.alpn_protocols = ALPN.iter().map(|p| p.to_vec()).collect();
    Ok(TlsAcceptor::from(Arc::new(config)))
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use super::*;

    #[test]
    fn a_missing_or_empty_file_is_named_in_the_error() {
        let dir = std::env::temp_dir().join(format!("eventmock-tls-test-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        let empty = dir.join("empty.pem");
        std::fs::write(&empty, "not a certificate\n").unwrap();
        let missing = dir.join("missing.pem");

        let err = from_pem_files(&missing, &empty).err().unwrap().to_string();
        assert!(err.starts_with(&missing.display().to_string()), "{err}");
        let err = from_pem_files(&empty, &empty).err().unwrap().to_string();
        assert!(err.contains("no PEM certificate"), "{err}");
        assert!(err.starts_with(&empty.display().to_string()), "{err}");

        // A real certificate with a key file that holds none.
        let made = self_signed::SelfSigned::generate().unwrap();
        let cert = dir.join("cert.pem");
        std::fs::write(&cert, &made.leaf_pem).unwrap();
        let err = from_pem_files(&cert, &empty).err().unwrap().to_string();
        assert!(err.contains("no usable private key"), "{err}");
        std::fs::remove_dir_all(&dir).unwrap();
    }

    #[test]
    fn a_key_that_does_not_match_the_certificate_is_refused() {
        let a = self_signed::SelfSigned::generate().unwrap();
        let b = self_signed::SelfSigned::generate().unwrap();
        let err = acceptor(a.chain(), b.key(), "a.pem", "b.pem")
            .err()
            .unwrap()
            .to_string();
        assert!(err.contains("a.pem") && err.contains("b.pem"), "{err}");
    }

    #[test]
    fn generated_certificates_make_an_acceptor_offering_h2_and_http1() {
        let made = self_signed::SelfSigned::generate().unwrap();
        let acceptor = made.acceptor().unwrap();
        assert_eq!(
            acceptor.config().alpn_protocols,
            vec![b"h2".to_vec(), b"http/1.1".to_vec()]
        );
    }
}
