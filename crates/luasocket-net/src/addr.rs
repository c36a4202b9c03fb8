//! Name resolution as LuaSocket does it: `getaddrinfo` with LuaSocket's hints and words,
//! and a fast path for numeric addresses.

use std::net::{IpAddr, SocketAddr};

use luasocket_io::Error;

use crate::sys::{self, Hints};

/// An address family as Lua code names it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Family {
    /// Not chosen yet (`socket.tcp()` before bind/connect), or either.
    Unspec,
    /// IPv4.
    Inet,
    /// IPv6.
    Inet6,
}

impl Family {
    /// The family of a socket address.
    pub fn of(addr: &SocketAddr) -> Family {
        match addr {
            SocketAddr::V4(_) => Family::Inet,
            SocketAddr::V6(_) => Family::Inet6,
        }
    }

    /// The name `getsockname`/`getpeername`/`getaddrinfo` report: `"inet"`, `"inet6"`,
    /// `"unspec"`.
    pub fn name(self) -> &'static str {
        match self {
            Family::Unspec => "unspec",
            Family::Inet => "inet",
            Family::Inet6 => "inet6",
        }
    }

    /// Parses the `family` argument of `socket.connect` (`"unspec"`, `"inet"`, `"inet6"`).
    pub fn parse(name: &[u8]) -> Option<Family> {
        match name {
            b"unspec" => Some(Family::Unspec),
            b"inet" => Some(Family::Inet),
            b"inet6" => Some(Family::Inet6),
            _ => None,
        }
    }
}

/// Resolves `host` and `port` for a stream socket, as `connect` and `bind` do.
///
/// `host == None` is the wildcard address (LuaSocket's `"*"`) when `passive`. Numeric
/// hosts with a decimal port skip the resolver.
pub fn resolve(
    host: Option<&[u8]>,
    port: &[u8],
    family: Family,
    passive: bool,
) -> Result<Vec<SocketAddr>, Error> {
    if let Some(addr) = numeric(host, port, family) {
        return Ok(vec![addr]);
    }
    sys::getaddrinfo(
        host,
        Some(port),
        Hints {
            family,
            stream: true,
            passive,
        },
    )
}

fn numeric(host: Option<&[u8]>, port: &[u8], family: Family) -> Option<SocketAddr> {
    let ip: IpAddr = std::str::from_utf8(host?).ok()?.parse().ok()?;
    if port.is_empty() || port.len() > 5 || !port.iter().all(u8::is_ascii_digit) {
        return None;
    }
    let port: u16 = std::str::from_utf8(port).ok()?.parse().ok()?;
    let addr = SocketAddr::new(ip, port);
    (family == Family::Unspec || family == Family::of(&addr)).then_some(addr)
}

/// One result of [`getaddrinfo`].
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AddrInfo {
    /// `"inet"` or `"inet6"`.
    pub family: Family,
    /// The numeric address.
    pub addr: IpAddr,
}

/// Backs `socket.dns.getaddrinfo(host)`: every address of `host`, for stream sockets.
pub fn getaddrinfo(host: &[u8]) -> Result<Vec<AddrInfo>, Error> {
    let addrs = sys::getaddrinfo(
        Some(host),
        None,
        Hints {
            family: Family::Unspec,
            stream: true,
            passive: false,
        },
    )?;
    Ok(addrs
        .iter()
        .map(|a| AddrInfo {
            family: Family::of(a),
            addr: a.ip(),
        })
        .collect())
}

/// Backs `socket.dns.gethostname()`.
pub fn hostname() -> Result<Vec<u8>, Error> {
    sys::hostname()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn numeric_fast_path() {
        let a = resolve(Some(b"127.0.0.1"), b"8080", Family::Unspec, false).unwrap();
        assert_eq!(a, vec!["127.0.0.1:8080".parse().unwrap()]);
        let a = resolve(Some(b"::1"), b"0", Family::Inet6, true).unwrap();
        assert_eq!(a, vec!["[::1]:0".parse().unwrap()]);
        assert_eq!(numeric(Some(b"::1"), b"1", Family::Inet), None);
        assert_eq!(numeric(Some(b"127.0.0.1"), b"70000", Family::Unspec), None);
        assert_eq!(numeric(Some(b"127.0.0.1"), b"http", Family::Unspec), None);
    }

    #[test]
    fn names_and_services_go_to_the_resolver() {
        let a = resolve(Some(b"localhost"), b"80", Family::Inet, false).unwrap();
        assert!(a.iter().all(|a| a.port() == 80 && a.is_ipv4()));
        let e = resolve(Some(b"127.0.0.1"), b"no-such-port", Family::Unspec, false).unwrap_err();
        assert!(matches!(e, Error::Resolver(_)), "{e}");
        // Out-of-range ports are the resolver's business, as in C LuaSocket (glibc wraps).
        assert!(resolve(Some(b"127.0.0.1"), b"70000", Family::Unspec, false).is_ok());
        let wild = resolve(None, b"0", Family::Inet, true).unwrap();
        assert_eq!(wild, vec!["0.0.0.0:0".parse().unwrap()]);
    }

    #[test]
    fn dns_getaddrinfo() {
        let r = getaddrinfo(b"127.0.0.1").unwrap();
        assert_eq!(r[0].family.name(), "inet");
        assert!(!hostname().unwrap().is_empty());
        assert_eq!(Family::parse(b"inet6"), Some(Family::Inet6));
        assert_eq!(Family::parse(b"x"), None);
    }
}
