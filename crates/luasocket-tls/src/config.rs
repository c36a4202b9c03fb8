//! A TLS context from LuaSec's parameter table: mode, protocol, verification, trust,
//! certificate and key, ALPN. Certificates and keys are PEM, as file names or as the PEM
//! text itself.

use std::path::PathBuf;
use std::sync::Arc;

use rustls::client::danger::{HandshakeSignatureValid, ServerCertVerified, ServerCertVerifier};
use rustls::crypto::{ring, verify_tls12_signature, verify_tls13_signature, CryptoProvider};
use rustls::server::WebPkiClientVerifier;
use rustls::{ClientConfig, DigitallySignedStruct, RootCertStore, ServerConfig, SignatureScheme};
use rustls_pki_types::pem::PemObject;
use rustls_pki_types::{CertificateDer, PrivateKeyDer, ServerName, UnixTime};

use crate::TlsError;

/// Which end of the handshake (`mode`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Mode {
    /// `"client"`.
    #[default]
    Client,
    /// `"server"`.
    Server,
}

/// PEM data: a file name, or the PEM text itself (anything with `-----BEGIN` in it).
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Pem {
    /// A file to read.
    File(PathBuf),
    /// The PEM text.
    Text(Vec<u8>),
}

impl Pem {
    /// A LuaSec value: PEM text when it looks like it, else a file name.
    pub fn from_lua(value: &[u8]) -> Pem {
        if value.windows(10).any(|w| w == b"-----BEGIN") {
            Pem::Text(value.to_vec())
        } else {
            Pem::File(PathBuf::from(String::from_utf8_lossy(value).into_owned()))
        }
    }

    fn bytes(&self, what: &str) -> Result<Vec<u8>, TlsError> {
        match self {
            Pem::Text(t) => Ok(t.clone()),
            Pem::File(p) => std::fs::read(p).map_err(|e| {
                TlsError::Config(format!("error loading {what} ({}: {e})", p.display()))
            }),
        }
    }
}

/// LuaSec's parameters (the fields this library uses; the others are accepted and ignored
/// by the Lua side).
#[derive(Debug, Clone, Default)]
pub struct Params {
    /// `mode`.
    pub mode: Mode,
    /// `protocol`: `"any"` (the default, also `"sslv23"`), `"tlsv1_2"`, `"tlsv1_3"`.
    pub protocol: Option<String>,
    /// `verify` is `"none"`: no check of the peer at all.
    pub verify_none: bool,
    /// `verify` has `"fail_if_no_peer_cert"` (servers: a client certificate is required).
    pub require_peer_cert: bool,
    /// `verify` has `"peer"` (servers: ask for a client certificate).
    pub verify_peer: bool,
    /// `cafile`: the certificates to trust, instead of the system's.
    pub cafile: Option<Pem>,
    /// `capath`: a folder of PEM files to trust.
    pub capath: Option<PathBuf>,
    /// `certificate`: our chain.
    pub certificate: Option<Pem>,
    /// `key`: our private key (unencrypted PEM).
    pub key: Option<Pem>,
    /// `alpn`: protocols to offer, most wanted first.
    pub alpn: Vec<Vec<u8>>,
}

/// What a context makes connections with (cheap to clone).
#[derive(Debug, Clone)]
pub struct Context {
    pub(crate) side: Side,
}

/// A context's configuration, by side.
#[derive(Debug, Clone)]
pub(crate) enum Side {
    /// Client connections. `unchecked` keeps the parameters of a `verify = "none"`
    /// context, so a connection can still say what a check would have found
    /// (`getpeerverification`).
    Client {
        config: Arc<ClientConfig>,
        unchecked: Option<Arc<Params>>,
    },
    /// Server connections.
    Server(Arc<ServerConfig>),
}

/// The ring provider: it builds with the Rust toolchain and a C compiler only (aws-lc-rs,
/// which rustls now prefers for post-quantum key exchange, also needs cmake).
///
/// Key exchange: X25519 first, then P-256 and P-384, the order OpenSSL's clients offer.
/// This rustls lists P-384 first, and a server takes the client's first group it knows:
/// P-384 costs the server ~1.5 ms more per handshake than X25519 (measured against nginx:
/// 3.1 ms against 1.3 ms for LuaSec's handshake).
#[allow(deprecated)]
fn provider() -> Arc<CryptoProvider> {
    use rustls::crypto::ring::kx_group;
    Arc::new(CryptoProvider {
        kx_groups: vec![kx_group::X25519, kx_group::SECP256R1, kx_group::SECP384R1],
        ..ring::default_provider()
    })
}

fn versions(
    protocol: Option<&str>,
) -> Result<&'static [&'static rustls::SupportedProtocolVersion], TlsError> {
    static BOTH: &[&rustls::SupportedProtocolVersion] =
        &[&rustls::version::TLS13, &rustls::version::TLS12];
    static V12: &[&rustls::SupportedProtocolVersion] = &[&rustls::version::TLS12];
    static V13: &[&rustls::SupportedProtocolVersion] = &[&rustls::version::TLS13];
    match protocol.unwrap_or("any") {
        "any" | "sslv23" => Ok(BOTH),
        "tlsv1_2" => Ok(V12),
        "tlsv1_3" => Ok(V13),
        other => Err(TlsError::UnsupportedProtocol(other.to_string())),
    }
}

fn certificates(pem: &Pem) -> Result<Vec<CertificateDer<'static>>, TlsError> {
    let bytes = pem.bytes("certificate")?;
    let certs: Vec<_> = CertificateDer::pem_slice_iter(&bytes)
        .collect::<Result<_, _>>()
        .map_err(|e| TlsError::Config(format!("error loading certificate ({e})")))?;
    if certs.is_empty() {
        return Err(TlsError::Config(
            "error loading certificate (no certificate found)".into(),
        ));
    }
    Ok(certs)
}

fn private_key(pem: &Pem) -> Result<PrivateKeyDer<'static>, TlsError> {
    let bytes = pem.bytes("private key")?;
    PrivateKeyDer::from_pem_slice(&bytes)
        .map_err(|e| TlsError::Config(format!("error loading private key ({e})")))
}

/// The trust anchors: `cafile`/`capath` when given, else the system's store (which
/// honours `SSL_CERT_FILE` and `SSL_CERT_DIR`).
fn roots(p: &Params) -> Result<RootCertStore, TlsError> {
    let mut store = RootCertStore::empty();
    let mut given = false;
    if let Some(ca) = &p.cafile {
        given = true;
        for cert in certificates(ca)? {
            store
                .add(cert)
                .map_err(|e| TlsError::Config(format!("error loading CA locations ({e})")))?;
        }
    }
    if let Some(dir) = &p.capath {
        given = true;
        let entries = std::fs::read_dir(dir).map_err(|e| {
            TlsError::Config(format!(
                "error loading CA locations ({}: {e})",
                dir.display()
            ))
        })?;
        for entry in entries.flatten() {
            if let Ok(certs) = certificates(&Pem::File(entry.path())) {
                let _ = store.add_parsable_certificates(certs);
            }
        }
    }
    if !given {
        let found = rustls_native_certs::load_native_certs();
        store.add_parsable_certificates(found.certs);
    }
    Ok(store)
}

impl Context {
    /// Makes a context from LuaSec's parameters.
    pub fn new(p: &Params) -> Result<Context, TlsError> {
        let versions = versions(p.protocol.as_deref())?;
        match p.mode {
            Mode::Client => {
                let builder = ClientConfig::builder_with_provider(provider())
                    .with_protocol_versions(versions)
                    .map_err(|e| TlsError::Config(e.to_string()))?;
                let builder = if p.verify_none {
                    builder
                        .dangerous()
                        .with_custom_certificate_verifier(Arc::new(NoVerify(provider())))
                } else {
                    builder.with_root_certificates(roots(p)?)
                };
                let mut config = match (&p.certificate, &p.key) {
                    (Some(c), Some(k)) => builder
                        .with_client_auth_cert(certificates(c)?, private_key(k)?)
                        .map_err(|e| {
                            TlsError::Config(format!("error loading private key ({e})"))
                        })?,
                    _ => builder.with_no_client_auth(),
                };
                config.alpn_protocols = p.alpn.clone();
                Ok(Context {
                    side: Side::Client {
                        config: Arc::new(config),
                        unchecked: p.verify_none.then(|| Arc::new(p.clone())),
                    },
                })
            }
            Mode::Server => {
                let (Some(cert), Some(key)) = (&p.certificate, &p.key) else {
                    return Err(TlsError::Config(
                        "a server needs a certificate and a key".into(),
                    ));
                };
                let builder = ServerConfig::builder_with_provider(provider())
                    .with_protocol_versions(versions)
                    .map_err(|e| TlsError::Config(e.to_string()))?;
                let builder = if p.verify_peer || p.require_peer_cert {
                    let verifier = WebPkiClientVerifier::builder_with_provider(
                        Arc::new(roots(p)?),
                        provider(),
                    );
                    let verifier = if p.require_peer_cert {
                        verifier
                    } else {
                        verifier.allow_unauthenticated()
                    };
                    builder.with_client_cert_verifier(verifier.build().map_err(|e| {
                        TlsError::Config(format!("error loading CA locations ({e})"))
                    })?)
                } else {
                    builder.with_no_client_auth()
                };
                let mut config = builder
                    .with_single_cert(certificates(cert)?, private_key(key)?)
                    .map_err(|e| TlsError::Config(format!("error loading private key ({e})")))?;
                config.alpn_protocols = p.alpn.clone();
                Ok(Context {
                    side: Side::Server(Arc::new(config)),
                })
            }
        }
    }
}

/// Checks a server's certificates against the trust anchors of `p` (which a
/// `verify = "none"` connection skipped during its handshake).
pub(crate) fn check_server(
    p: &Params,
    certs: &[CertificateDer<'static>],
    name: &ServerName<'_>,
) -> Result<(), TlsError> {
    let Some((end, intermediates)) = certs.split_first() else {
        return Err(TlsError::Verify("no peer certificate".into()));
    };
    let verifier = rustls::client::WebPkiServerVerifier::builder_with_provider(
        Arc::new(roots(p)?),
        provider(),
    )
    .build()
    .map_err(|e| TlsError::Config(format!("error loading CA locations ({e})")))?;
    verifier
        .verify_server_cert(end, intermediates, name, &[], UnixTime::now())
        .map(|_| ())
        .map_err(crate::error::from_rustls)
}

/// The server name a client checks: a DNS name or an IP address.
pub(crate) fn server_name(name: &str) -> Result<ServerName<'static>, TlsError> {
    ServerName::try_from(name.to_string())
        .map_err(|_| TlsError::Config(format!("invalid server name '{name}'")))
}

/// `verify = "none"`: accepts any certificate, but still checks the handshake signatures
/// (so the connection is encrypted to whoever answered).
#[derive(Debug)]
struct NoVerify(Arc<CryptoProvider>);

impl ServerCertVerifier for NoVerify {
    fn verify_server_cert(
        &self,
        _: &CertificateDer<'_>,
        _: &[CertificateDer<'_>],
        _: &ServerName<'_>,
        _: &[u8],
        _: UnixTime,
    ) -> Result<ServerCertVerified, rustls::Error> {
        Ok(ServerCertVerified::assertion())
    }

    fn verify_tls12_signature(
        &self,
        message: &[u8],
        cert: &CertificateDer<'_>,
        dss: &DigitallySignedStruct,
    ) -> Result<HandshakeSignatureValid, rustls::Error> {
        verify_tls12_signature(
            message,
            cert,
            dss,
            &self.0.signature_verification_algorithms,
        )
    }

    fn verify_tls13_signature(
        &self,
        message: &[u8],
        cert: &CertificateDer<'_>,
        dss: &DigitallySignedStruct,
    ) -> Result<HandshakeSignatureValid, rustls::Error> {
        verify_tls13_signature(
            message,
            cert,
            dss,
            &self.0.signature_verification_algorithms,
        )
    }

    fn supported_verify_schemes(&self) -> Vec<SignatureScheme> {
        self.0.signature_verification_algorithms.supported_schemes()
    }
}
