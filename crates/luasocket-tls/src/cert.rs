//! Reading certificates for LuaSec's x509 objects: the names, dates, serial, subject
//! alternative names and signature algorithm of a DER certificate, digests of it, and
//! PEM to DER. Names use OpenSSL's short names ("CN", "O", ...) and dates OpenSSL's
//! text ("Jan  2 03:04:05 2026 GMT"), as LuaSec shows them.

use rustls_pki_types::pem::PemObject;
use rustls_pki_types::CertificateDer;
use x509_parser::prelude::{FromDer, GeneralName, X509Certificate, X509Name};

use crate::TlsError;

/// One attribute of a subject or issuer name.
#[derive(Debug, Clone, PartialEq)]
pub struct NameEntry {
    /// The attribute's OID, dotted.
    pub oid: String,
    /// OpenSSL's short name for it ("CN"), or the OID when it has none here.
    pub name: String,
    /// Its value, as the certificate has it.
    pub value: Vec<u8>,
}

/// A subject alternative name, by LuaSec's key for its kind.
#[derive(Debug, Clone, PartialEq)]
pub enum AltName {
    /// `dNSName`.
    Dns(String),
    /// `iPAddress`, as text.
    Ip(String),
    /// `rfc822Name` (an e-mail address).
    Email(String),
    /// `uniformResourceIdentifier`.
    Uri(String),
}

impl AltName {
    /// LuaSec's key for the kind of name.
    pub fn kind(&self) -> &'static str {
        match self {
            AltName::Dns(_) => "dNSName",
            AltName::Ip(_) => "iPAddress",
            AltName::Email(_) => "rfc822Name",
            AltName::Uri(_) => "uniformResourceIdentifier",
        }
    }

    /// The name itself.
    pub fn value(&self) -> &str {
        match self {
            AltName::Dns(v) | AltName::Ip(v) | AltName::Email(v) | AltName::Uri(v) => v,
        }
    }
}

/// What LuaSec's x509 methods show of a certificate.
#[derive(Debug, Clone)]
pub struct CertInfo {
    /// `subject()`.
    pub subject: Vec<NameEntry>,
    /// `issuer()`.
    pub issuer: Vec<NameEntry>,
    /// Start of validity, seconds since the epoch.
    pub not_before: i64,
    /// End of validity, seconds since the epoch.
    pub not_after: i64,
    /// `notbefore()`: the start in OpenSSL's words.
    pub not_before_text: String,
    /// `notafter()`: the end in OpenSSL's words.
    pub not_after_text: String,
    /// `serial()`: upper-case hex without leading zeros.
    pub serial: String,
    /// The subject alternative names, in order.
    pub alt_names: Vec<AltName>,
    /// `getsignaturename()`: OpenSSL's short name of the signature algorithm, or its OID.
    pub signature: String,
}

/// OpenSSL's short names of the usual name attributes.
fn short_name(oid: &str) -> Option<&'static str> {
    Some(match oid {
        "2.5.4.3" => "CN",
        "2.5.4.4" => "SN",
        "2.5.4.5" => "serialNumber",
        "2.5.4.6" => "C",
        "2.5.4.7" => "L",
        "2.5.4.8" => "ST",
        "2.5.4.9" => "street",
        "2.5.4.10" => "O",
        "2.5.4.11" => "OU",
        "2.5.4.12" => "title",
        "2.5.4.42" => "GN",
        "1.2.840.113549.1.9.1" => "emailAddress",
        "0.9.2342.19200300.100.1.25" => "DC",
        "0.9.2342.19200300.100.1.1" => "UID",
        _ => return None,
    })
}

/// OpenSSL's short names of the usual signature algorithms.
fn signature_name(oid: &str) -> Option<&'static str> {
    Some(match oid {
        "1.2.840.113549.1.1.5" => "RSA-SHA1",
        "1.2.840.113549.1.1.11" => "RSA-SHA256",
        "1.2.840.113549.1.1.12" => "RSA-SHA384",
        "1.2.840.113549.1.1.13" => "RSA-SHA512",
        "1.2.840.113549.1.1.10" => "RSASSA-PSS",
        "1.2.840.10045.4.3.2" => "ecdsa-with-SHA256",
        "1.2.840.10045.4.3.3" => "ecdsa-with-SHA384",
        "1.2.840.10045.4.3.4" => "ecdsa-with-SHA512",
        "1.3.101.112" => "ED25519",
        "1.3.101.113" => "ED448",
        _ => return None,
    })
}

fn entries(name: &X509Name<'_>) -> Vec<NameEntry> {
    name.iter_attributes()
        .map(|attr| {
            let oid = attr.attr_type().to_id_string();
            NameEntry {
                name: short_name(&oid).map_or_else(|| oid.clone(), str::to_string),
                oid,
                value: attr.attr_value().data.to_vec(),
            }
        })
        .collect()
}

const MONTHS: [&str; 12] = [
    "Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec",
];

/// A date as OpenSSL prints one: `"Jan  2 03:04:05 2026 GMT"`.
fn openssl_time(t: &x509_parser::time::ASN1Time) -> String {
    let d = t.to_datetime();
    format!(
        "{} {:2} {:02}:{:02}:{:02} {} GMT",
        MONTHS[usize::from(u8::from(d.month())) - 1],
        d.day(),
        d.hour(),
        d.minute(),
        d.second(),
        d.year()
    )
}

fn ip_text(bytes: &[u8]) -> String {
    if let Ok(v4) = <[u8; 4]>::try_from(bytes) {
        std::net::Ipv4Addr::from(v4).to_string()
    } else if let Ok(v6) = <[u8; 16]>::try_from(bytes) {
        std::net::Ipv6Addr::from(v6).to_string()
    } else {
        String::new()
    }
}

fn bad(e: impl std::fmt::Display) -> TlsError {
    TlsError::Config(format!("invalid certificate ({e})"))
}

impl CertInfo {
    /// Reads a DER certificate.
    pub fn from_der(der: &[u8]) -> Result<CertInfo, TlsError> {
        let (_, cert) = X509Certificate::from_der(der).map_err(bad)?;
        let validity = cert.validity();
        let serial = cert
            .raw_serial()
            .iter()
            .skip_while(|b| **b == 0)
            .map(|b| format!("{b:02X}"))
            .collect::<String>();
        let mut alt_names = Vec::new();
        if let Ok(Some(san)) = cert.subject_alternative_name() {
            for name in &san.value.general_names {
                alt_names.push(match name {
                    GeneralName::DNSName(v) => AltName::Dns((*v).to_string()),
                    GeneralName::IPAddress(v) => AltName::Ip(ip_text(v)),
                    GeneralName::RFC822Name(v) => AltName::Email((*v).to_string()),
                    GeneralName::URI(v) => AltName::Uri((*v).to_string()),
                    _ => continue,
                });
            }
        }
        let sig = cert.signature_algorithm.algorithm.to_id_string();
        Ok(CertInfo {
            subject: entries(cert.subject()),
            issuer: entries(cert.issuer()),
            not_before: validity.not_before.timestamp(),
            not_after: validity.not_after.timestamp(),
            not_before_text: openssl_time(&validity.not_before),
            not_after_text: openssl_time(&validity.not_after),
            serial: if serial.is_empty() {
                "0".into()
            } else {
                serial
            },
            alt_names,
            signature: signature_name(&sig).map_or(sig, str::to_string),
        })
    }
}

/// `digest([alg])`: the certificate's digest in lower-case hex, for `"sha1"` (LuaSec's
/// default), `"sha256"` or `"sha512"`; `None` for another name.
pub fn digest(der: &[u8], alg: &str) -> Option<String> {
    let alg = match alg {
        "sha1" => &ring::digest::SHA1_FOR_LEGACY_USE_ONLY,
        "sha256" => &ring::digest::SHA256,
        "sha512" => &ring::digest::SHA512,
        _ => return None,
    };
    Some(
        ring::digest::digest(alg, der)
            .as_ref()
            .iter()
            .map(|b| format!("{b:02x}"))
            .collect(),
    )
}

/// The first certificate of PEM text, as DER (`ssl.loadcertificate`).
pub fn pem_to_der(pem: &[u8]) -> Option<Vec<u8>> {
    CertificateDer::pem_slice_iter(pem)
        .next()
        .and_then(Result::ok)
        .map(|c| c.to_vec())
}
