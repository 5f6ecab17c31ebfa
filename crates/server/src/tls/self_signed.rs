//! A local certificate authority and a server certificate signed by it, made at start for
//! `eventmock serve --tls-self-signed`.
//!
//! The leaf names `localhost`, `127.0.0.1` and `::1`, carries the extensions strict verifiers
//! ask for (serverAuth extended key usage, authority and subject key identifiers), and is
//! valid from a day before it is made for a year. The CA (critical basicConstraints, keyCertSign)
//! is what a client trusts: its PEM is written where the banner says ([`SelfSigned::write_ca`]).
//! Keys are ECDSA P-256, made with `ring`; none is ever written to disk.

use std::net::{IpAddr, Ipv4Addr, Ipv6Addr};
use std::path::Path;
use std::time::{Duration, SystemTime};

use rcgen::{
    BasicConstraints, CertificateParams, CertifiedIssuer, DistinguishedName, DnType,
    ExtendedKeyUsagePurpose, IsCa, KeyPair, KeyUsagePurpose, SanType,
};
use rustls::pki_types::{CertificateDer, PrivateKeyDer, PrivatePkcs8KeyDer};

use super::{TlsAcceptor, TlsError};

/// The names the leaf certificate is valid for.
pub const LEAF_NAMES: [&str; 3] = ["localhost", "127.0.0.1", "::1"];

/// How long the leaf is valid, from a day before it is made.
const LEAF_VALIDITY: Duration = Duration::from_secs(366 * 24 * 3600);
/// How long the CA is valid, from a day before it is made.
const CA_VALIDITY: Duration = Duration::from_secs(2 * 366 * 24 * 3600);
/// Clock skew allowed between the server and its clients.
const BACKDATE: Duration = Duration::from_secs(24 * 3600);

/// A CA and a leaf it signed, with the leaf's private key.
pub struct SelfSigned {
    /// The CA certificate, PEM: what clients trust.
    pub ca_pem: String,
    /// The leaf certificate, PEM.
    pub leaf_pem: String,
    ca_der: CertificateDer<'static>,
    leaf_der: CertificateDer<'static>,
    leaf_key: Vec<u8>,
    leaf_key_pem: String,
}

impl std::fmt::Debug for SelfSigned {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        // The key stays out of logs.
        f.debug_struct("SelfSigned")
            .field("ca_pem", &self.ca_pem)
            .finish_non_exhaustive()
    }
}

fn generate_error(what: &str, e: rcgen::Error) -> TlsError {
    TlsError::Generate(format!("{what}: {e}"))
}

impl SelfSigned {
    /// Makes a new CA and leaf (fresh keys every call).
    pub fn generate() -> Result<Self, TlsError> {
        let now = SystemTime::now();
        let mut ca_params = CertificateParams::default();
        ca_params.distinguished_name = name("eventmock local CA");
        ca_params.is_ca = IsCa::Ca(BasicConstraints::Constrained(0));
        ca_params.key_usages = vec![
            KeyUsagePurpose::KeyCertSign,
            KeyUsagePurpose::CrlSign,
            KeyUsagePurpose::DigitalSignature,
        ];
        ca_params.not_before = (now - BACKDATE).into();
        ca_params.not_after = (now + CA_VALIDITY).into();
        let ca_key = KeyPair::generate().map_err(|e| generate_error("CA key", e))?;
        let ca = CertifiedIssuer::self_signed(ca_params, ca_key)
            .map_err(|e| generate_error("CA certificate", e))?;

        let mut leaf_params = CertificateParams::default();
        leaf_params.distinguished_name = name("localhost");
        leaf_params.subject_alt_names = vec![
            SanType::DnsName(
                "localhost"
                    .try_into()
                    .map_err(|e| generate_error("leaf name", e))?,
            ),
            SanType::IpAddress(IpAddr::V4(Ipv4Addr::LOCALHOST)),
            SanType::IpAddress(IpAddr::V6(Ipv6Addr::LOCALHOST)),
        ];
        leaf_params.is_ca = IsCa::ExplicitNoCa;
        leaf_params.key_usages = vec![
            KeyUsagePurpose::DigitalSignature,
            KeyUsagePurpose::KeyEncipherment,
        ];
        leaf_params.extended_key_usages = vec![ExtendedKeyUsagePurpose::ServerAuth];
        leaf_params.use_authority_key_identifier_extension = true;
        leaf_params.not_before = (now - BACKDATE).into();
        leaf_params.not_after = (now + LEAF_VALIDITY).into();
        let leaf_key = KeyPair::generate().map_err(|e| generate_error("leaf key", e))?;
        let leaf = leaf_params
            .signed_by(&leaf_key, &ca)
            .map_err(|e| generate_error("leaf certificate", e))?;

        Ok(Self {
            ca_pem: ca.pem(),
            leaf_pem: leaf.pem(),
            ca_der: ca.der().clone(),
            leaf_der: leaf.der().clone(),
            leaf_key: leaf_key.serialize_der(),
            leaf_key_pem: leaf_key.serialize_pem(),
        })
    }

    /// The chain the server sends: the leaf, then the CA.
    pub fn chain(&self) -> Vec<CertificateDer<'static>> {
        vec![self.leaf_der.clone(), self.ca_der.clone()]
    }

    /// The leaf's private key.
    pub fn key(&self) -> PrivateKeyDer<'static> {
        PrivateKeyDer::Pkcs8(PrivatePkcs8KeyDer::from(self.leaf_key.clone()))
    }

    /// The leaf's private key, PKCS#8 PEM (for tests that serve it from files).
    pub fn key_pem(&self) -> &str {
        &self.leaf_key_pem
    }

    /// The CA certificate, DER (to trust it in a Rust client).
    pub fn ca_der(&self) -> &CertificateDer<'static> {
        &self.ca_der
    }

    /// A TLS acceptor serving the leaf.
    pub fn acceptor(&self) -> Result<TlsAcceptor, TlsError> {
        super::acceptor(self.chain(), self.key(), "generated", "generated")
    }

    /// Writes the CA certificate (PEM) to `path`, creating its directory.
    pub fn write_ca(&self, path: &Path) -> Result<(), TlsError> {
        let write = || -> std::io::Result<()> {
            if let Some(dir) = path.parent().filter(|d| !d.as_os_str().is_empty()) {
                std::fs::create_dir_all(dir)?;
            }
            std::fs::write(path, &self.ca_pem)
        };
        write().map_err(|source| TlsError::WriteCa {
            path: path.to_owned(),
            source,
        })
    }
}

fn name(common_name: &str) -> DistinguishedName {
    let mut dn = DistinguishedName::new();
    dn.push(DnType::OrganizationName, "eventmock");
    dn.push(DnType::CommonName, common_name);
    dn
}
