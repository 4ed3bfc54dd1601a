//! TLS for the HTTPS listeners: a self-signed certificate persisted next to the node's key.
//!
//! Session's storage servers present self-signed certificates and clients do not verify them:
//! nodes are authenticated by their keys (onion layers are encrypted to the X25519 key), not by
//! the certificate. The certificate is kept across restarts only so the node looks the same.

use std::fs;
use std::io;
use std::path::{Path, PathBuf};
use std::sync::Arc;

use rustls::crypto::CryptoProvider;
use rustls::pki_types::pem::PemObject;
use rustls::pki_types::{CertificateDer, PrivateKeyDer};
use rustls::ServerConfig;

use crate::fsutil;

/// Certificate file (PEM) in a data directory.
pub const CERT_FILE: &str = "tls-cert.pem";
/// Private key file (PEM, owner-only) in a data directory.
pub const KEY_FILE: &str = "tls-key.pem";

/// Errors preparing TLS.
#[derive(Debug, thiserror::Error)]
pub enum TlsError {
    /// A certificate or key file could not be read or written.
    #[error("cannot access the TLS file {path}: {source}")]
    Io {
        /// The file.
        path: PathBuf,
        /// The I/O error.
        source: io::Error,
    },
    /// A certificate or key file is not valid PEM of the expected kind.
    #[error("the TLS file {path} is not a valid PEM {what}; delete it to generate a new one")]
    BadPem {
        /// The file.
        path: PathBuf,
        /// "certificate" or "private key".
        what: &'static str,
    },
    /// Certificate generation failed.
    #[error("cannot generate a self-signed certificate: {0}")]
    Generate(#[from] rcgen::Error),
    /// rustls rejected the certificate or key.
    #[error("the TLS certificate or key was rejected: {0}")]
    Rustls(#[from] rustls::Error),
}

/// A certificate and its private key.
#[derive(Debug)]
pub struct TlsIdentity {
    cert: CertificateDer<'static>,
    key: PrivateKeyDer<'static>,
}

/// The crypto provider used for every TLS config built here (ring), chosen explicitly so the
/// process never depends on which providers other crates happen to enable.
pub fn crypto_provider() -> Arc<CryptoProvider> {
    Arc::new(rustls::crypto::ring::default_provider())
}

impl TlsIdentity {
    /// Loads `dir/tls-cert.pem` and `dir/tls-key.pem`, or generates and saves a self-signed
    /// certificate for `names` (host names or IP addresses) when either is missing.
    pub fn load_or_create(dir: &Path, names: &[String]) -> Result<TlsIdentity, TlsError> {
        let cert_path = dir.join(CERT_FILE);
        let key_path = dir.join(KEY_FILE);
        if cert_path.exists() && key_path.exists() {
            let cert_pem = read(&cert_path)?;
            let key_pem = zeroize::Zeroizing::new(read(&key_path)?);
            let cert = CertificateDer::from_pem_slice(&cert_pem).map_err(|_| TlsError::BadPem {
                path: cert_path.clone(),
                what: "certificate",
            })?;
            let key = PrivateKeyDer::from_pem_slice(&key_pem).map_err(|_| TlsError::BadPem {
                path: key_path.clone(),
                what: "private key",
            })?;
            return Ok(TlsIdentity { cert, key });
        }
        let generated = rcgen::generate_simple_self_signed(names.to_vec())?;
        let key_pem = zeroize::Zeroizing::new(generated.key_pair.serialize_pem());
        let io_err = |path: &Path| {
            let path = path.to_path_buf();
            move |source| TlsError::Io { path, source }
        };
        fsutil::ensure_private_dir(dir).map_err(io_err(dir))?;
        fsutil::write_private_file(&key_path, key_pem.as_bytes()).map_err(io_err(&key_path))?;
        fsutil::write_private_file(&cert_path, generated.cert.pem().as_bytes())
            .map_err(io_err(&cert_path))?;
        tracing::info!("generated a self-signed TLS certificate");
        let key = PrivateKeyDer::try_from(generated.key_pair.serialize_der()).map_err(|_| {
            TlsError::BadPem {
                path: key_path,
                what: "private key",
            }
        })?;
        Ok(TlsIdentity {
            cert: generated.cert.der().clone(),
            key,
        })
    }

    /// The certificate (DER).
    pub fn certificate(&self) -> &CertificateDer<'static> {
        &self.cert
    }

    /// A rustls server configuration presenting this certificate, offering HTTP/2 and
    /// HTTP/1.1.
    pub fn server_config(&self) -> Result<Arc<ServerConfig>, TlsError> {
        let mut config = ServerConfig::builder_with_provider(crypto_provider())
            .with_safe_default_protocol_versions()?
            .with_no_client_auth()
            .with_single_cert(vec![self.cert.clone()], self.key.clone_key())?;
        config.alpn_protocols = vec![b"h2".to_vec(), b"http/1.1".to_vec()];
        Ok(Arc::new(config))
    }
}

fn read(path: &Path) -> Result<Vec<u8>, TlsError> {
    fs::read(path).map_err(|source| TlsError::Io {
        path: path.to_path_buf(),
        source,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn certificate_is_generated_once_and_reused() {
        let dir = tempfile::tempdir().unwrap();
        let names = vec!["localhost".to_string(), "127.0.0.1".to_string()];
        let first = TlsIdentity::load_or_create(dir.path(), &names).unwrap();
        let second = TlsIdentity::load_or_create(dir.path(), &names).unwrap();
        assert_eq!(first.certificate(), second.certificate());
        assert!(!fsutil::is_readable_by_others(&dir.path().join(KEY_FILE)));
        second.server_config().unwrap();
    }

    #[test]
    fn corrupt_files_are_reported() {
        let dir = tempfile::tempdir().unwrap();
        fs::write(dir.path().join(CERT_FILE), b"garbage").unwrap();
        fs::write(dir.path().join(KEY_FILE), b"garbage").unwrap();
        let err = TlsIdentity::load_or_create(dir.path(), &[]).unwrap_err();
        assert!(matches!(err, TlsError::BadPem { .. }), "{err}");
    }
}
