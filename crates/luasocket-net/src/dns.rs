//! Name resolution as LuaSocket does it: `getaddrinfo` with LuaSocket's hints and words,
//! a fast path for numeric addresses, lookups that give up at the socket's deadline, and
//! the `socket.dns` functions.
//!
//! The `dns-lookup` crate was considered for `getaddrinfo`/`getnameinfo` and not taken:
//! it takes host and service names as `&str` and returns names as `String`, while Lua
//! strings are bytes (a name that is not UTF-8 must still reach the resolver, and get the
//! resolver's own word back). The seam's calls (`sys::getaddrinfo`, `sys::getnameinfo`)
//! are a few dozen lines over libc that keep bytes as bytes.

use std::net::{IpAddr, SocketAddr};
use std::sync::mpsc;
use std::time::Duration;

use luasocket_io::{Error, ResolverError, Timeout};

use crate::family::{Family, Kind};
use crate::sys::{self, Hints};

/// Resolves `host` and `port` as `connect` and `bind` do, for a socket of `kind`.
///
/// `host == None` is the wildcard address (LuaSocket's `"*"`) when `passive`. Numeric
/// hosts with a decimal port skip the resolver. A name lookup gives up with `"timeout"`
/// when `tm` runs out: it runs on a helper thread that is abandoned at the deadline. With
/// no limit, or a zero one, the lookup runs in place as in C LuaSocket (a non-blocking
/// caller then waits on a descriptor, which only exists once the name is resolved).
pub fn resolve(
    host: Option<&[u8]>,
    port: &[u8],
    family: Family,
    passive: bool,
    kind: Kind,
    tm: &Timeout,
) -> Result<Vec<SocketAddr>, Error> {
    if let Some(addr) = numeric(host, port, family) {
        return Ok(vec![addr]);
    }
    let hints = Hints {
        passive,
        ..Hints::new(family, kind == Kind::Stream)
    };
    match tm.retry() {
        Some(left) if !tm.is_zero() => {
            let host = host.map(<[u8]>::to_vec);
            let port = port.to_vec();
            within(left, move || {
                sys::getaddrinfo(host.as_deref(), Some(&port), hints).map(|r| r.addrs)
            })
        }
        _ => sys::getaddrinfo(host, Some(port), hints).map(|r| r.addrs),
    }
}

/// Runs `f` on a helper thread and waits at most `limit` for its result.
fn within<T: Send + 'static>(
    limit: Duration,
    f: impl FnOnce() -> Result<T, Error> + Send + 'static,
) -> Result<T, Error> {
    let (tx, rx) = mpsc::sync_channel(1);
    let spawned = std::thread::Builder::new()
        .name("luasocket-resolver".into())
        .spawn(move || {
            let _ = tx.send(f());
        });
    if spawned.is_err() {
        return Err(Error::Resolver(ResolverError::Memory));
    }
    match rx.recv_timeout(limit) {
        Ok(result) => result,
        Err(_) => Err(Error::Timeout),
    }
}

/// Resolves a numeric `host` and `port` as UDP `sendto` does (`AI_NUMERICHOST`,
/// `AI_NUMERICSERV`): a host name is an error, never a lookup.
pub fn resolve_numeric(host: &[u8], port: &[u8], family: Family) -> Result<SocketAddr, Error> {
    if let Some(addr) = numeric(Some(host), port, family) {
        return Ok(addr);
    }
    let hints = Hints {
        numeric: true,
        ..Hints::new(family, false)
    };
    let r = sys::getaddrinfo(Some(host), Some(port), hints)?;
    r.addrs
        .into_iter()
        .next()
        .ok_or(Error::Resolver(ResolverError::NoName))
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
    let r = sys::getaddrinfo(Some(host), None, Hints::new(Family::Unspec, true))?;
    Ok(r.addrs
        .iter()
        .map(|a| AddrInfo {
            family: Family::of(a),
            addr: a.ip(),
        })
        .collect())
}

/// What `socket.dns.toip` and `tohostname` report about a host.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct HostEntry {
    /// The official (canonical) name.
    pub name: Vec<u8>,
    /// Other names (the system resolver's `getaddrinfo` does not report aliases, so this
    /// is empty unless the canonical name differs from the name asked for).
    pub aliases: Vec<Vec<u8>>,
    /// The IPv4 addresses.
    pub ips: Vec<std::net::Ipv4Addr>,
}

/// Backs `socket.dns.toip(address)` and `tohostname(address)`, which LuaSocket answers
/// with `gethostbyname`/`gethostbyaddr` (IPv4 only): a dotted address is looked up in
/// reverse, anything else forward. Failures read `"host not found"` as in LuaSocket.
pub fn host_entry(address: &[u8]) -> Result<HostEntry, Error> {
    let not_found = |e: Error| match e {
        Error::Resolver(ResolverError::NoName | ResolverError::Fail | ResolverError::Again) => {
            Error::HostNotFound
        }
        other => other,
    };
    if let Some(ip) = std::str::from_utf8(address)
        .ok()
        .and_then(|a| a.parse::<std::net::Ipv4Addr>().ok())
    {
        let name = sys::reverse_name(&SocketAddr::new(ip.into(), 0)).map_err(not_found)?;
        return Ok(HostEntry {
            name,
            aliases: Vec::new(),
            ips: vec![ip],
        });
    }
    let hints = Hints {
        canonname: true,
        ..Hints::new(Family::Inet, true)
    };
    let r = sys::getaddrinfo(Some(address), None, hints).map_err(not_found)?;
    let mut ips = Vec::new();
    for a in &r.addrs {
        if let IpAddr::V4(ip) = a.ip() {
            if !ips.contains(&ip) {
                ips.push(ip);
            }
        }
    }
    let name = r.canonname.unwrap_or_else(|| address.to_vec());
    let aliases = if name != address {
        vec![address.to_vec()]
    } else {
        Vec::new()
    };
    Ok(HostEntry { name, aliases, ips })
}

/// What [`getnameinfo`] found: the host names, and the service name if one was asked.
pub type NameInfo = (Vec<Vec<u8>>, Option<Vec<u8>>);

/// Backs `socket.dns.getnameinfo(host, service)`: resolves the pair, then asks for the
/// name of every address found (numeric where there is none) and the service's name.
pub fn getnameinfo(host: Option<&[u8]>, serv: Option<&[u8]>) -> Result<NameInfo, Error> {
    let r = sys::getaddrinfo(host, serv, Hints::new(Family::Unspec, true))?;
    let mut names = Vec::new();
    let mut service = None;
    for a in &r.addrs {
        let (h, s) = sys::getnameinfo(a, host.is_some(), serv.is_some());
        if let Some(h) = h {
            names.push(h);
        }
        if s.is_some() {
            service = s;
        }
    }
    Ok((names, service))
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
        let tm = Timeout::default();
        let a = resolve(
            Some(b"127.0.0.1"),
            b"8080",
            Family::Unspec,
            false,
            Kind::Stream,
            &tm,
        )
        .unwrap();
        assert_eq!(a, vec!["127.0.0.1:8080".parse().unwrap()]);
        let a = resolve(Some(b"::1"), b"0", Family::Inet6, true, Kind::Stream, &tm).unwrap();
        assert_eq!(a, vec!["[::1]:0".parse().unwrap()]);
        assert_eq!(numeric(Some(b"::1"), b"1", Family::Inet), None);
        assert_eq!(numeric(Some(b"127.0.0.1"), b"70000", Family::Unspec), None);
        assert_eq!(numeric(Some(b"127.0.0.1"), b"http", Family::Unspec), None);
    }

    #[test]
    fn names_and_services_go_to_the_resolver() {
        let tm = Timeout::new(5.0, -1.0);
        let r =
            |h: Option<&[u8]>, p: &[u8], f, passive| resolve(h, p, f, passive, Kind::Stream, &tm);
        let a = r(Some(b"localhost"), b"80", Family::Inet, false).unwrap();
        assert!(a.iter().all(|a| a.port() == 80 && a.is_ipv4()));
        let e = r(Some(b"127.0.0.1"), b"no-such-port", Family::Unspec, false).unwrap_err();
        assert!(matches!(e, Error::Resolver(_)), "{e}");
        // Out-of-range ports are the resolver's business, as in C LuaSocket (glibc wraps).
        assert!(r(Some(b"127.0.0.1"), b"70000", Family::Unspec, false).is_ok());
        let wild = r(None, b"0", Family::Inet, true).unwrap();
        assert_eq!(wild, vec!["0.0.0.0:0".parse().unwrap()]);
    }

    #[test]
    fn dns_getaddrinfo() {
        let r = getaddrinfo(b"127.0.0.1").unwrap();
        assert_eq!(r[0].family.name(), "inet");
        assert!(!hostname().unwrap().is_empty());
        assert_eq!(Family::parse(b"inet6"), Some(Family::Inet6));
        assert_eq!(Family::parse(b"x"), None);
        let e = host_entry(b"localhost").unwrap();
        assert!(e.ips.contains(&std::net::Ipv4Addr::LOCALHOST), "{e:?}");
        let e = host_entry(b"no-such-host.invalid").unwrap_err();
        assert_eq!(e.to_string(), "host not found");
        let (names, serv) = getnameinfo(Some(b"127.0.0.1"), Some(b"80")).unwrap();
        assert!(!names.is_empty());
        // "http" where /etc/services names port 80 (Debian's netbase), else the number.
        assert!(matches!(serv.as_deref(), Some(b"http" | b"80")), "{serv:?}");
    }

    #[test]
    fn deadline_abandons_slow_work() {
        let t0 = std::time::Instant::now();
        let r: Result<(), Error> = within(Duration::from_millis(50), || {
            std::thread::sleep(Duration::from_secs(2));
            Ok(())
        });
        assert_eq!(r.unwrap_err().to_string(), "timeout");
        assert!(t0.elapsed() < Duration::from_secs(1));
        assert_eq!(within(Duration::from_secs(5), || Ok(7)).unwrap(), 7);
    }

    #[test]
    fn numeric_only_for_sendto() {
        let a = resolve_numeric(b"127.0.0.1", b"53", Family::Unspec).unwrap();
        assert_eq!(a, "127.0.0.1:53".parse().unwrap());
        assert!(resolve_numeric(b"localhost", b"53", Family::Unspec).is_err());
        assert!(resolve_numeric(b"127.0.0.1", b"domain", Family::Unspec).is_err());
        assert!(resolve_numeric(b"::1", b"53", Family::Inet).is_err());
    }
}
