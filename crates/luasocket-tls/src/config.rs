//! A TLS context from LuaSec's parameter table: mode, protocol, verification, trust,
//! certificate and key, ALPN. Certificates and keys are PEM, as file names or as the PEM
//! text itself.

use std::path::PathBuf;
use std::sync::Arc;

use rustls::client::danger::{HandshakeSignatureValid, ServerCertVerified, ServerCertVerifier};
use rustls::crypto::{ring, verify_tls12_signature, verify_tls13_signature, CryptoProvider};
use rustls::server::danger::ClientCertVerifier;
use rustls::server::{ResolvesServerCert, WebPkiClientVerifier};
use rustls::sign::CertifiedKey;
use rustls::{ClientConfig, DigitallySignedStruct, RootCertStore, ServerConfig, SignatureScheme};
use rustls_pki_types::pem::PemObject;
use rustls_pki_types::{CertificateDer, PrivateKeyDer, ServerName, UnixTime};

use crate::cert::{AltName, CertInfo};
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
    /// `ciphers`: OpenSSL's list for TLS 1.2 (`"ECDHE-RSA-AES128-GCM-SHA256:..."`); the
    /// suites named exactly are kept, in that order; a list of keywords only (`HIGH`,
    /// `DEFAULT`, ...) keeps them all (every TLS 1.2 suite here is an ECDHE AEAD one).
    pub ciphers: Option<String>,
    /// `ciphersuites`: the TLS 1.3 suites, by IANA name (`"TLS_AES_128_GCM_SHA256:..."`).
    pub ciphersuites: Option<String>,
    /// `verifyext` has `"lsec_continue"`: a failed check of the peer does not end the
    /// handshake; `getpeerverification` reports it (LuaSec's extension).
    pub continue_unverified: bool,
    /// A client does not check the server's name, only its chain (LuaSec's behaviour,
    /// kept by `require "ssl"` after the `luasec()` opt-in; `checkhost = false`).
    pub skip_host_check: bool,
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
    /// Server connections: the configuration, and its certificate with its key (what a
    /// server picks by SNI name, [`Context::with_names`]); `unchecked`, the client
    /// verifier a `lsec_continue` context did not let end the handshake.
    Server {
        config: Arc<ServerConfig>,
        certified: Arc<CertifiedKey>,
        unchecked: Option<Arc<dyn ClientCertVerifier>>,
    },
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
    if bytes.windows(9).any(|w| w == b"ENCRYPTED") {
        return Err(TlsError::Config(
            "error loading private key (encrypted keys are not supported: \
             decrypt it first, e.g. openssl pkey -in key.pem -out plain.pem)"
                .into(),
        ));
    }
    PrivateKeyDer::from_pem_slice(&bytes)
        .map_err(|e| TlsError::Config(format!("error loading private key ({e})")))
}

/// OpenSSL's names of the TLS 1.2 suites this provider has, and the IANA names of the
/// TLS 1.3 ones.
fn suite_by_name(name: &str) -> Option<rustls::SupportedCipherSuite> {
    use rustls::crypto::ring::cipher_suite as cs;
    Some(match name {
        "TLS_AES_256_GCM_SHA384" => cs::TLS13_AES_256_GCM_SHA384,
        "TLS_AES_128_GCM_SHA256" => cs::TLS13_AES_128_GCM_SHA256,
        "TLS_CHACHA20_POLY1305_SHA256" => cs::TLS13_CHACHA20_POLY1305_SHA256,
        "ECDHE-ECDSA-AES256-GCM-SHA384" => cs::TLS_ECDHE_ECDSA_WITH_AES_256_GCM_SHA384,
        "ECDHE-ECDSA-AES128-GCM-SHA256" => cs::TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256,
        "ECDHE-ECDSA-CHACHA20-POLY1305" => cs::TLS_ECDHE_ECDSA_WITH_CHACHA20_POLY1305_SHA256,
        "ECDHE-RSA-AES256-GCM-SHA384" => cs::TLS_ECDHE_RSA_WITH_AES_256_GCM_SHA384,
        "ECDHE-RSA-AES128-GCM-SHA256" => cs::TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256,
        "ECDHE-RSA-CHACHA20-POLY1305" => cs::TLS_ECDHE_RSA_WITH_CHACHA20_POLY1305_SHA256,
        _ => return None,
    })
}

/// The suites of one version `list` picks from `all`: those it names, in its order; all
/// of them when it names none we know and holds keywords (`HIGH`, `!aNULL`, ...) only;
/// none when it names suites we do not have and nothing else.
fn pick_suites(
    list: Option<&str>,
    all: Vec<rustls::SupportedCipherSuite>,
) -> Vec<rustls::SupportedCipherSuite> {
    let Some(list) = list else { return all };
    let tokens: Vec<&str> = list
        .split([':', ',', ' '])
        .filter(|t| !t.is_empty())
        .collect();
    let named: Vec<_> = tokens
        .iter()
        .filter_map(|t| suite_by_name(t))
        .filter(|s| all.contains(s))
        .collect();
    if !named.is_empty() {
        return named;
    }
    // A suite name has a dash or an underscore; keywords have neither (or start with
    // an operator).
    let only_keywords = tokens
        .iter()
        .all(|t| t.starts_with(['!', '-', '+', '@']) || !(t.contains('-') || t.contains('_')));
    if only_keywords {
        all
    } else {
        Vec::new()
    }
}

/// The provider with the suites `ciphers` and `ciphersuites` ask for.
fn provider_for(p: &Params) -> Result<Arc<CryptoProvider>, TlsError> {
    let base = provider();
    if p.ciphers.is_none() && p.ciphersuites.is_none() {
        return Ok(base);
    }
    let (v13, v12): (Vec<_>, Vec<_>) = base
        .cipher_suites
        .iter()
        .copied()
        .partition(|s| matches!(s, rustls::SupportedCipherSuite::Tls13(_)));
    let mut suites = pick_suites(p.ciphersuites.as_deref(), v13);
    let tls12 = pick_suites(p.ciphers.as_deref(), v12);
    if p.ciphers.is_some() && tls12.is_empty() {
        return Err(TlsError::Config(
            "error setting cipher list (no cipher match)".into(),
        ));
    }
    if p.ciphersuites.is_some() && suites.is_empty() {
        return Err(TlsError::Config(
            "error setting cipher suites (no cipher match)".into(),
        ));
    }
    suites.extend(tls12);
    Ok(Arc::new(CryptoProvider {
        cipher_suites: suites,
        ..(*base).clone()
    }))
}

/// The trust anchors: `cafile`/`capath` when given, else the system's store (which
/// honours `SSL_CERT_FILE` and `SSL_CERT_DIR`).
fn roots(p: &Params) -> Result<RootCertStore, TlsError> {
    Ok(trust(p)?.0)
}

/// The trust anchors, and the certificates they came from (trusted as they are, like
/// OpenSSL's store: a self-signed server certificate listed there is trusted itself).
fn trust(p: &Params) -> Result<(RootCertStore, Vec<CertificateDer<'static>>), TlsError> {
    let mut store = RootCertStore::empty();
    let mut certs = Vec::new();
    if let Some(ca) = &p.cafile {
        for cert in certificates(ca)? {
            store
                .add(cert.clone())
                .map_err(|e| TlsError::Config(format!("error loading CA locations ({e})")))?;
            certs.push(cert);
        }
    }
    if let Some(dir) = &p.capath {
        let found = from_capath(dir)?;
        store.add_parsable_certificates(found.clone());
        certs.extend(found);
    }
    if p.cafile.is_none() && p.capath.is_none() {
        let found = rustls_native_certs::load_native_certs().certs;
        store.add_parsable_certificates(found.clone());
        certs.extend(found);
    }
    Ok((store, certs))
}

/// The certificates in the PEM files of `capath`.
fn from_capath(dir: &std::path::Path) -> Result<Vec<CertificateDer<'static>>, TlsError> {
    let entries = std::fs::read_dir(dir).map_err(|e| {
        TlsError::Config(format!(
            "error loading CA locations ({}: {e})",
            dir.display()
        ))
    })?;
    Ok(entries
        .flatten()
        .filter_map(|entry| certificates(&Pem::File(entry.path())).ok())
        .flatten()
        .collect())
}

impl Context {
    /// Makes a context from LuaSec's parameters.
    pub fn new(p: &Params) -> Result<Context, TlsError> {
        let versions = versions(p.protocol.as_deref())?;
        match p.mode {
            Mode::Client => {
                let builder = ClientConfig::builder_with_provider(provider_for(p)?)
                    .with_protocol_versions(versions)
                    .map_err(|e| TlsError::Config(e.to_string()))?;
                let verifier: Arc<dyn ServerCertVerifier> =
                    if p.verify_none || p.continue_unverified {
                        Arc::new(NoVerify(provider()))
                    } else {
                        server_verifier(p)?
                    };
                let builder = builder
                    .dangerous()
                    .with_custom_certificate_verifier(verifier);
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
                        unchecked: (p.verify_none || p.continue_unverified)
                            .then(|| Arc::new(p.clone())),
                    },
                })
            }
            Mode::Server => {
                let (Some(cert), Some(key)) = (&p.certificate, &p.key) else {
                    return Err(TlsError::Config(
                        "a server needs a certificate and a key".into(),
                    ));
                };
                let builder = ServerConfig::builder_with_provider(provider_for(p)?)
                    .with_protocol_versions(versions)
                    .map_err(|e| TlsError::Config(e.to_string()))?;
                let mut unchecked = None;
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
                    let verifier = verifier.build().map_err(|e| {
                        TlsError::Config(format!("error loading CA locations ({e})"))
                    })?;
                    if p.continue_unverified {
                        unchecked = Some(verifier.clone());
                        builder.with_client_cert_verifier(Arc::new(AnyClient(verifier)))
                    } else {
                        builder.with_client_cert_verifier(verifier)
                    }
                } else {
                    builder.with_no_client_auth()
                };
                let key_error =
                    |e: rustls::Error| TlsError::Config(format!("error loading private key ({e})"));
                let signing = provider()
                    .key_provider
                    .load_private_key(private_key(key)?)
                    .map_err(key_error)?;
                let certified = Arc::new(CertifiedKey::new(certificates(cert)?, signing));
                // Only a proven mismatch is refused: keys_match also fails for what it
                // cannot parse, which the handshake will judge.
                if let Err(rustls::Error::InconsistentKeys(rustls::InconsistentKeys::KeyMismatch)) =
                    certified.keys_match()
                {
                    return Err(TlsError::Config(
                        "private key does not match public key".into(),
                    ));
                }
                let mut config = builder.with_cert_resolver(Arc::new(ByName {
                    names: Vec::new(),
                    default: Some(certified.clone()),
                }));
                config.alpn_protocols = p.alpn.clone();
                Ok(Context {
                    side: Side::Server {
                        config: Arc::new(config),
                        certified,
                        unchecked,
                    },
                })
            }
        }
    }
}

impl Context {
    /// `mode`.
    pub fn mode(&self) -> Mode {
        match self.side {
            Side::Client { .. } => Mode::Client,
            Side::Server { .. } => Mode::Server,
        }
    }

    /// A server context that answers each SNI name in `names` with that context's
    /// certificate (LuaSec's server-side `sni(names, strict)`), and other names (or none)
    /// with its own, unless `strict`: then a name it does not know ends the handshake.
    /// `None` when this or one of `names` is not a server context.
    pub fn with_names(&self, names: &[(String, Context)], strict: bool) -> Option<Context> {
        let Side::Server {
            config,
            certified,
            unchecked,
        } = &self.side
        else {
            return None;
        };
        let mut by_name = Vec::new();
        for (name, ctx) in names {
            let Side::Server { certified, .. } = &ctx.side else {
                return None;
            };
            by_name.push((name.to_ascii_lowercase(), certified.clone()));
        }
        let mut config = (**config).clone();
        config.cert_resolver = Arc::new(ByName {
            names: by_name,
            default: (!strict).then(|| certified.clone()),
        });
        Some(Context {
            side: Side::Server {
                config: Arc::new(config),
                certified: certified.clone(),
                unchecked: unchecked.clone(),
            },
        })
    }
}

/// A server's certificate by the SNI name the client asks for.
#[derive(Debug)]
struct ByName {
    names: Vec<(String, Arc<CertifiedKey>)>,
    /// For other names and for clients that send none; `None` refuses them (strict).
    default: Option<Arc<CertifiedKey>>,
}

impl ResolvesServerCert for ByName {
    fn resolve(&self, hello: rustls::server::ClientHello<'_>) -> Option<Arc<CertifiedKey>> {
        let Some(asked) = hello.server_name() else {
            return self.default.clone();
        };
        let asked = asked.to_ascii_lowercase();
        self.names
            .iter()
            .find(|(name, _)| *name == asked)
            .map(|(_, key)| key.clone())
            .or_else(|| self.default.clone())
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
    server_verifier(p)?
        .verify_server_cert(end, intermediates, name, &[], UnixTime::now())
        .map(|_| ())
        .map_err(crate::error::from_rustls)
}

/// The server name a client checks: a DNS name or an IP address.
pub(crate) fn server_name(name: &str) -> Result<ServerName<'static>, TlsError> {
    ServerName::try_from(name.to_string())
        .map_err(|_| TlsError::Config(format!("invalid server name '{name}'")))
}

/// How a client checks a server: the chain against the trust anchors of `p` (webpki),
/// then the name, as OpenSSL's `X509_check_host` does: the subject alternative names, or
/// the common name when the certificate has no DNS or IP alternative names; or not the
/// name at all (`skip_host_check`).
fn server_verifier(p: &Params) -> Result<Arc<dyn ServerCertVerifier>, TlsError> {
    let (store, pinned) = trust(p)?;
    let inner =
        rustls::client::WebPkiServerVerifier::builder_with_provider(Arc::new(store), provider())
            .build()
            .map_err(|e| TlsError::Config(format!("error loading CA locations ({e})")))?;
    Ok(Arc::new(ChainThenName {
        inner,
        skip_name: p.skip_host_check,
        pinned,
    }))
}

#[derive(Debug)]
struct ChainThenName {
    inner: Arc<rustls::client::WebPkiServerVerifier>,
    skip_name: bool,
    /// The trusted certificates (cafile/capath, or the system's): a server certificate
    /// that is one of them is trusted as it is (webpki only trusts certificates that chain to an anchor other
    /// than themselves).
    pinned: Vec<CertificateDer<'static>>,
}

/// Whether `cert` names `name`, as OpenSSL's `X509_check_host` decides: a DNS
/// alternative name (a `*.` wildcard stands for one label) or an IP one, or its common
/// name (case-insensitive, no wildcards) when it has neither. Read with [`CertInfo`].
fn names(cert: &CertificateDer<'_>, name: &ServerName<'_>) -> bool {
    let Ok(info) = CertInfo::from_der(cert) else {
        return false;
    };
    let (wanted, is_ip) = match name {
        ServerName::DnsName(d) => (d.as_ref().to_ascii_lowercase(), false),
        ServerName::IpAddress(ip) => (std::net::IpAddr::from(*ip).to_string(), true),
        _ => return false,
    };
    let mut listed = false;
    for alt in &info.alt_names {
        match alt {
            AltName::Dns(d) => {
                listed = true;
                let d = d.to_ascii_lowercase();
                let wildcard = d.strip_prefix("*.").is_some_and(|rest| {
                    wanted.split_once('.').is_some_and(|(_, tail)| tail == rest)
                });
                if !is_ip && (d == wanted || wildcard) {
                    return true;
                }
            }
            AltName::Ip(ip) => {
                listed = true;
                if is_ip && *ip == wanted {
                    return true;
                }
            }
            AltName::Email(_) | AltName::Uri(_) => {}
        }
    }
    !listed
        && info
            .subject
            .iter()
            .any(|e| e.name == "CN" && e.value.eq_ignore_ascii_case(wanted.as_bytes()))
}

/// Whether `cert` is within its validity period at `now`.
fn valid_now(cert: &CertificateDer<'_>, now: UnixTime) -> bool {
    let now = i64::try_from(now.as_secs()).unwrap_or(i64::MAX);
    CertInfo::from_der(cert).is_ok_and(|i| i.not_before <= now && now <= i.not_after)
}

impl ServerCertVerifier for ChainThenName {
    fn verify_server_cert(
        &self,
        end_entity: &CertificateDer<'_>,
        intermediates: &[CertificateDer<'_>],
        name: &ServerName<'_>,
        ocsp: &[u8],
        now: UnixTime,
    ) -> Result<ServerCertVerified, rustls::Error> {
        use rustls::CertificateError as C;
        match self
            .inner
            .verify_server_cert(end_entity, intermediates, name, ocsp, now)
        {
            // webpki checks the chain before the name: a name failure means the chain
            // is good.
            Err(rustls::Error::InvalidCertificate(
                C::NotValidForName | C::NotValidForNameContext { .. },
            )) if self.skip_name || names(end_entity, name) => Ok(ServerCertVerified::assertion()),
            // A trusted certificate itself: trusted as it is, if it is valid now and
            // names the server.
            Err(_)
                if self
                    .pinned
                    .iter()
                    .any(|c| c.as_ref() == end_entity.as_ref()) =>
            {
                if !valid_now(end_entity, now) {
                    Err(rustls::Error::InvalidCertificate(C::Expired))
                } else if self.skip_name || names(end_entity, name) {
                    Ok(ServerCertVerified::assertion())
                } else {
                    Err(rustls::Error::InvalidCertificate(C::NotValidForName))
                }
            }
            other => other,
        }
    }

    fn verify_tls12_signature(
        &self,
        message: &[u8],
        cert: &CertificateDer<'_>,
        dss: &DigitallySignedStruct,
    ) -> Result<HandshakeSignatureValid, rustls::Error> {
        self.inner.verify_tls12_signature(message, cert, dss)
    }

    fn verify_tls13_signature(
        &self,
        message: &[u8],
        cert: &CertificateDer<'_>,
        dss: &DigitallySignedStruct,
    ) -> Result<HandshakeSignatureValid, rustls::Error> {
        self.inner.verify_tls13_signature(message, cert, dss)
    }

    fn supported_verify_schemes(&self) -> Vec<SignatureScheme> {
        self.inner.supported_verify_schemes()
    }
}

/// A server's client verifier under `lsec_continue`: asks for a certificate (requires
/// one if the real verifier does) and checks the handshake signatures, but lets a
/// certificate the real verifier refuses through; `getpeerverification` reports it.
#[derive(Debug)]
struct AnyClient(Arc<dyn ClientCertVerifier>);

impl ClientCertVerifier for AnyClient {
    fn offer_client_auth(&self) -> bool {
        self.0.offer_client_auth()
    }

    fn client_auth_mandatory(&self) -> bool {
        self.0.client_auth_mandatory()
    }

    fn root_hint_subjects(&self) -> &[rustls::DistinguishedName] {
        self.0.root_hint_subjects()
    }

    fn verify_client_cert(
        &self,
        _: &CertificateDer<'_>,
        _: &[CertificateDer<'_>],
        _: UnixTime,
    ) -> Result<rustls::server::danger::ClientCertVerified, rustls::Error> {
        Ok(rustls::server::danger::ClientCertVerified::assertion())
    }

    fn verify_tls12_signature(
        &self,
        message: &[u8],
        cert: &CertificateDer<'_>,
        dss: &DigitallySignedStruct,
    ) -> Result<HandshakeSignatureValid, rustls::Error> {
        self.0.verify_tls12_signature(message, cert, dss)
    }

    fn verify_tls13_signature(
        &self,
        message: &[u8],
        cert: &CertificateDer<'_>,
        dss: &DigitallySignedStruct,
    ) -> Result<HandshakeSignatureValid, rustls::Error> {
        self.0.verify_tls13_signature(message, cert, dss)
    }

    fn supported_verify_schemes(&self) -> Vec<SignatureScheme> {
        self.0.supported_verify_schemes()
    }
}

/// Checks a client's certificates with the verifier a `lsec_continue` server kept.
pub(crate) fn check_client(
    verifier: &dyn ClientCertVerifier,
    certs: &[CertificateDer<'static>],
) -> Result<(), TlsError> {
    let Some((end, intermediates)) = certs.split_first() else {
        return if verifier.client_auth_mandatory() {
            Err(TlsError::Verify("no peer certificate".into()))
        } else {
            Ok(())
        };
    };
    verifier
        .verify_client_cert(end, intermediates, UnixTime::now())
        .map(|_| ())
        .map_err(crate::error::from_rustls)
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
