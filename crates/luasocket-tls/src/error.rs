//! The words Lua code sees from the TLS layer, in one table.

use std::fmt;

/// Why a TLS operation did not complete.
#[derive(Debug)]
#[non_exhaustive]
pub enum TlsError {
    /// The handshake waits for data from the peer: `"wantread"` (LuaSec's word).
    WantRead,
    /// The handshake waits to send: `"wantwrite"`.
    WantWrite,
    /// The peer's certificate was refused: `"certificate verify failed: <why>"`.
    Verify(String),
    /// A protocol older than TLS 1.2 was asked for: `"protocol '<name>' is not supported
    /// (TLS 1.2 and 1.3 only)"`.
    UnsupportedProtocol(String),
    /// A parameter that cannot be used, with what was wrong (`"error loading certificate
    /// (...)"`, ...).
    Config(String),
    /// The TLS layer refused the exchange: rustls's own text.
    Tls(String),
    /// The socket's own failure (`"timeout"`, `"closed"`, ...).
    Io(luasocket_io::Error),
}

impl fmt::Display for TlsError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            TlsError::WantRead => f.write_str("wantread"),
            TlsError::WantWrite => f.write_str("wantwrite"),
            TlsError::Verify(why) => write!(f, "certificate verify failed: {why}"),
            TlsError::UnsupportedProtocol(p) => {
                write!(f, "protocol '{p}' is not supported (TLS 1.2 and 1.3 only)")
            }
            TlsError::Config(what) | TlsError::Tls(what) => f.write_str(what),
            TlsError::Io(e) => e.fmt(f),
        }
    }
}

impl std::error::Error for TlsError {}

impl TlsError {
    /// What a socket's receive buffer and its callers see: the socket's own word,
    /// `"timeout"` for a handshake still waiting, or this error's text.
    pub fn into_io(self) -> luasocket_io::Error {
        match self {
            TlsError::Io(e) => e,
            TlsError::WantRead | TlsError::WantWrite => luasocket_io::Error::Timeout,
            other => luasocket_io::Error::Io(std::io::Error::other(other.to_string())),
        }
    }
}

impl From<luasocket_io::Error> for TlsError {
    fn from(e: luasocket_io::Error) -> Self {
        TlsError::Io(e)
    }
}

/// A rustls failure in LuaSec's words where LuaSec has them.
pub(crate) fn from_rustls(e: rustls::Error) -> TlsError {
    match e {
        rustls::Error::InvalidCertificate(why) => TlsError::Verify(cert_word(&why)),
        other => TlsError::Tls(other.to_string()),
    }
}

fn cert_word(why: &rustls::CertificateError) -> String {
    use rustls::CertificateError as C;
    match why {
        C::Expired | C::ExpiredContext { .. } => "certificate has expired".into(),
        C::NotValidYet | C::NotValidYetContext { .. } => "certificate is not yet valid".into(),
        C::UnknownIssuer => "unable to get local issuer certificate".into(),
        C::NotValidForName | C::NotValidForNameContext { .. } => "hostname mismatch".into(),
        C::Revoked => "certificate revoked".into(),
        C::BadSignature => "certificate signature failure".into(),
        other => {
            let said = format!("{other:?}");
            if said.contains("CaUsedAsEndEntity") {
                // A CA certificate sent as the server's own: in practice a self-signed
                // one, which OpenSSL (and so LuaSec) calls this.
                "self-signed certificate".into()
            } else {
                spaced(&said)
            }
        }
    }
}

/// A Debug name such as `Other(OtherError(UnsupportedCriticalExtension))` as words:
/// "unsupported critical extension".
fn spaced(debug: &str) -> String {
    let inner = debug
        .trim_start_matches("Other(")
        .trim_start_matches("OtherError(")
        .trim_end_matches(')');
    let mut out = String::new();
    for (i, c) in inner.chars().enumerate() {
        if c.is_ascii_uppercase() && i > 0 {
            out.push(' ');
        }
        out.push(c.to_ascii_lowercase());
    }
    out
}

#[cfg(test)]
mod tests {
    use super::TlsError;

    #[test]
    fn words() {
        let table = [
            (TlsError::WantRead, "wantread"),
            (TlsError::WantWrite, "wantwrite"),
            (
                TlsError::Verify("hostname mismatch".into()),
                "certificate verify failed: hostname mismatch",
            ),
            (
                TlsError::UnsupportedProtocol("tlsv1".into()),
                "protocol 'tlsv1' is not supported (TLS 1.2 and 1.3 only)",
            ),
            (TlsError::Io(luasocket_io::Error::Closed), "closed"),
        ];
        assert_eq!(
            super::spaced("Other(OtherError(UnsupportedCriticalExtension))"),
            "unsupported critical extension"
        );
        for (e, word) in table {
            assert_eq!(e.to_string(), word);
        }
    }
}
