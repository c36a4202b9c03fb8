//! Connecting and binding by name: each resolved address in turn, with a connect that a
//! non-blocking caller leaves under way resumed by its next call.

use std::net::SocketAddr;

use luasocket_io::{Error, ResolverError, Timeout};
use socket2::{SockAddr, Socket};

use super::Sock;
use crate::dns::resolve;
use crate::family::Family;
use crate::sys;

/// A connect left under way by a non-blocking caller: the next call with the same
/// address checks it and, if it failed, moves on to the next resolved address.
#[derive(Debug)]
pub(super) struct Pending {
    host: Vec<u8>,
    port: Vec<u8>,
    current: SocketAddr,
    rest: std::vec::IntoIter<SocketAddr>,
}

impl Sock {
    /// Backs `bind(address, port)` / `setsockname`; `"*"` is the wildcard address. A
    /// host name is resolved within `tm`.
    pub fn bind(&mut self, host: &[u8], port: &[u8], tm: &Timeout) -> Result<(), Error> {
        let host = (host != b"*").then_some(host);
        let mut last = Error::Resolver(ResolverError::NoName);
        for addr in resolve(host, port, self.family, true, self.kind, tm)? {
            let sock = match self.socket_for(Family::of(&addr)) {
                Ok(sock) => sock,
                Err(e) => {
                    last = e;
                    continue;
                }
            };
            match sock.bind(&addr.into()) {
                Ok(()) => {
                    // Keep the bound port, not 0, so a recreated descriptor gets the same.
                    self.bound = sock.local_addr().ok().and_then(|a| a.as_socket());
                    return Ok(());
                }
                Err(e) => last = sys::error(e),
            }
        }
        Err(last)
    }

    /// Backs `connect(address, port)` / `setpeername`: resolves within `tm`, then tries
    /// each address in turn (each with a fresh start of `tm`). With a zero timeout an
    /// attempt under way returns `"timeout"`; calling again with the same address after
    /// the socket is writable reports its outcome (`"already connected"` once it
    /// succeeded, as LuaSocket), or moves on to the next address if it failed.
    pub fn connect(&mut self, host: &[u8], port: &[u8], tm: &mut Timeout) -> Result<(), Error> {
        if let Some(p) = self.pending.take() {
            if p.host == host && p.port == port && self.sock.is_some() {
                return self.resume(p, tm);
            }
        }
        let addrs = resolve(Some(host), port, self.family, false, self.kind, tm)?;
        let last = Error::Resolver(ResolverError::NoName);
        self.try_connect(host, port, addrs.into_iter(), tm, last)
    }

    pub(super) fn try_connect(
        &mut self,
        host: &[u8],
        port: &[u8],
        mut addrs: std::vec::IntoIter<SocketAddr>,
        tm: &mut Timeout,
        mut last: Error,
    ) -> Result<(), Error> {
        while let Some(addr) = addrs.next() {
            tm.mark_start();
            let sock = match self.socket_for(Family::of(&addr)) {
                Ok(sock) => sock,
                Err(e) => {
                    last = e;
                    continue;
                }
            };
            match connect_one(sock, &addr.into(), tm) {
                Ok(()) => return Ok(()),
                Err(Error::Timeout) if tm.is_zero() => {
                    self.pending = Some(Pending {
                        host: host.to_vec(),
                        port: port.to_vec(),
                        current: addr,
                        rest: addrs,
                    });
                    return Err(Error::Timeout);
                }
                Err(e) => {
                    last = e;
                    if addrs.len() > 0 {
                        // A descriptor whose connect failed cannot always connect again
                        // (Linux says ECONNABORTED): the next address gets a fresh one,
                        // bound where this one was.
                        self.sock = None;
                    }
                }
            }
        }
        Err(last)
    }

    fn resume(&mut self, p: Pending, tm: &mut Timeout) -> Result<(), Error> {
        let sock = self.socket()?;
        match sock.connect(&p.current.into()) {
            Ok(()) => Ok(()),
            Err(e) if sys::connect_in_progress(&e) || sys::connect_already(&e) => {
                // Still under way: LuaSocket reports the system's words for EALREADY.
                self.pending = Some(p);
                Err(sys::error(e))
            }
            Err(e) => match sys::error(e) {
                Error::AlreadyConnected => Err(Error::AlreadyConnected),
                err => {
                    let Pending {
                        host, port, rest, ..
                    } = p;
                    if rest.len() > 0 {
                        self.sock = None; // as in try_connect
                    }
                    self.try_connect(&host, &port, rest, tm, err)
                }
            },
        }
    }

    /// Backs UDP `setpeername("*")`: dissolves the association. Failures are ignored, as
    /// in LuaSocket (some systems report `EAFNOSUPPORT` although it worked).
    pub fn disconnect(&mut self) {
        self.pending = None;
        if let Some(sock) = &self.sock {
            sys::disconnect(sock);
        }
    }
}

/// One connect attempt within `tm` (`"timeout"` at once for a zero timeout while the
/// handshake goes on).
pub(super) fn connect_one(sock: &Socket, addr: &SockAddr, tm: &Timeout) -> Result<(), Error> {
    match sock.connect(addr) {
        Ok(()) => Ok(()),
        Err(e) if sys::connect_in_progress(&e) => {
            if tm.is_zero() {
                return Err(Error::Timeout);
            }
            sys::wait_connected(sock, tm)
        }
        Err(e) => Err(sys::error(e)),
    }
}
