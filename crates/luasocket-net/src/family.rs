//! What kind of socket an operation is for: its address family and whether it carries a
//! byte stream or datagrams. A leaf module: the resolver, the sockets and the OS seam all
//! use these, and it uses none of them.

use std::net::SocketAddr;

/// An address family as Lua code names it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Family {
    /// Not chosen yet (`socket.tcp()` before bind/connect), or either.
    Unspec,
    /// IPv4.
    Inet,
    /// IPv6.
    Inet6,
    /// Unix domain (`socket.unix`).
    Unix,
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
            Family::Unix => "unix",
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

/// Stream (TCP, Unix stream) or datagram (UDP, Unix datagram).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Kind {
    /// A byte stream.
    Stream,
    /// Datagrams.
    Datagram,
}
