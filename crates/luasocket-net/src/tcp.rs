//! Stream sockets with LuaSocket's rules: created lazily until bind/connect picks the
//! family, non-blocking underneath, every wait bounded by the caller's timeout.

use std::io::{self, Read};
use std::net::SocketAddr;

use luasocket_io::{Error, ResolverError, Timeout, Transport};
use socket2::{Domain, Socket, Type};

use crate::addr::{resolve, Family};
use crate::options::{Opt, OptValue};
use crate::sys::{self, Interest, RawFd};

/// Which directions `shutdown` closes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Shutdown {
    /// `"receive"`.
    Receive,
    /// `"send"`.
    Send,
    /// `"both"`.
    Both,
}

/// A TCP socket as a LuaSocket `tcp{...}` object holds it.
#[derive(Debug)]
pub struct Tcp {
    sock: Option<Socket>,
    family: Family,
    /// Options set so far, re-applied whenever a descriptor is (re)created.
    options: Vec<(Opt, OptValue)>,
}

impl Tcp {
    /// Backs `socket.tcp()`, `tcp4()` and `tcp6()`: with [`Family::Unspec`] no descriptor
    /// exists until `bind` or `connect` picks the family.
    pub fn new(family: Family) -> Result<Tcp, Error> {
        let mut tcp = Tcp {
            sock: None,
            family,
            options: Vec::new(),
        };
        if family != Family::Unspec {
            tcp.create(family)?;
        }
        Ok(tcp)
    }

    /// The descriptor number, or `SOCKET_INVALID` (-1) when there is none.
    pub fn fd(&self) -> RawFd {
        self.sock
            .as_ref()
            .map_or(crate::SOCKET_INVALID, sys::raw_fd)
    }

    /// The family of the socket (`getfamily()`).
    pub fn family(&self) -> Family {
        self.family
    }

    /// Backs `setfd(n)`: forgets the current descriptor **without closing it** and adopts
    /// `fd` (a negative `fd` leaves the socket without one).
    ///
    /// # Safety
    ///
    /// A non-negative `fd` must be an open descriptor whose ownership passes to this
    /// socket: it will be closed by [`Tcp::close`] or on drop.
    #[allow(unsafe_code)] // adopting a descriptor by number is unsafe by nature (I/O safety)
    pub unsafe fn set_fd(&mut self, fd: RawFd) {
        if let Some(old) = self.sock.take() {
            sys::release(old);
        }
        if fd >= 0 {
            // SAFETY: the caller hands over ownership of an open descriptor.
            self.sock = Some(unsafe { sys::adopt(fd) });
        }
    }

    /// Backs `close()`: closes the descriptor, if any.
    pub fn close(&mut self) {
        self.sock = None;
    }

    fn create(&mut self, family: Family) -> Result<(), Error> {
        let domain = match family {
            Family::Inet6 => Domain::IPV6,
            _ => Domain::IPV4,
        };
        self.sock = None;
        let sock =
            Socket::new(domain, Type::STREAM.nonblocking().cloexec(), None).map_err(sys::error)?;
        if family == Family::Inet6 {
            // As LuaSocket: IPv6 sockets do not take IPv4 traffic unless asked.
            sock.set_only_v6(true).map_err(sys::error)?;
        }
        for (opt, value) in &self.options {
            // A queued option the new descriptor rejects (say `ipv6-v6only` on IPv4)
            // is dropped, as it would have failed on that descriptor too.
            let _ = sys::set_option(&sock, *opt, value);
        }
        self.family = family;
        self.sock = Some(sock);
        Ok(())
    }

    /// The descriptor to use for an address of `family`: the current one when it has that
    /// family, else a fresh one (the old one is closed), as LuaSocket's `inet_try*` do.
    fn socket_for(&mut self, family: Family) -> Result<&Socket, Error> {
        if self.family != family || self.sock.is_none() {
            self.create(family)?;
        }
        self.sock.as_ref().ok_or_else(sys::bad_descriptor)
    }

    /// Backs `bind(address, port)`; `"*"` is the wildcard address.
    pub fn bind(&mut self, host: &[u8], port: &[u8]) -> Result<(), Error> {
        let host = (host != b"*").then_some(host);
        let mut last = Error::Resolver(ResolverError::NoName);
        for addr in resolve(host, port, self.family, true)? {
            let sock = match self.socket_for(Family::of(&addr)) {
                Ok(sock) => sock,
                Err(e) => {
                    last = e;
                    continue;
                }
            };
            match sock.bind(&addr.into()) {
                Ok(()) => return Ok(()),
                Err(e) => last = sys::error(e),
            }
        }
        Err(last)
    }

    /// Backs `connect(address, port)`: tries each resolved address in turn (each with a
    /// fresh start of `tm`); with a zero timeout the first attempt's result is final, so
    /// a non-blocking caller gets `"timeout"` and waits for writability.
    pub fn connect(&mut self, host: &[u8], port: &[u8], tm: &mut Timeout) -> Result<(), Error> {
        let mut last = Error::Resolver(ResolverError::NoName);
        for addr in resolve(Some(host), port, self.family, false)? {
            tm.mark_start();
            let sock = match self.socket_for(Family::of(&addr)) {
                Ok(sock) => sock,
                Err(e) => {
                    last = e;
                    continue;
                }
            };
            match connect_one(sock, addr, tm) {
                Ok(()) => return Ok(()),
                Err(e) if tm.is_zero() => return Err(e),
                Err(e) => last = e,
            }
        }
        Err(last)
    }

    /// Backs `listen([backlog])`.
    pub fn listen(&self, backlog: i32) -> Result<(), Error> {
        let sock = self.sock.as_ref().ok_or_else(sys::bad_descriptor)?;
        sock.listen(backlog).map_err(sys::error)
    }

    /// Backs `accept()`: waits for a connection within `tm`.
    pub fn accept(&self, tm: &Timeout) -> Result<Tcp, Error> {
        let sock = self.sock.as_ref().ok_or(Error::Closed)?;
        loop {
            match sys::accept(sock) {
                Ok(client) => {
                    return Ok(Tcp {
                        sock: Some(client),
                        family: self.family,
                        options: Vec::new(),
                    })
                }
                Err(e) if e.kind() == io::ErrorKind::Interrupted => {}
                Err(e) if sys::accept_retry(&e) => {
                    sys::wait(sys::raw_fd(sock), Interest::Read, tm)?
                }
                Err(e) => return Err(sys::error(e)),
            }
        }
    }

    /// Backs `shutdown([how])`; like LuaSocket, failures are not reported.
    pub fn shutdown(&self, how: Shutdown) {
        if let Some(sock) = &self.sock {
            let how = match how {
                Shutdown::Receive => std::net::Shutdown::Read,
                Shutdown::Send => std::net::Shutdown::Write,
                Shutdown::Both => std::net::Shutdown::Both,
            };
            let _ = sock.shutdown(how);
        }
    }

    /// Backs `getsockname()`.
    pub fn local_addr(&self) -> Result<SocketAddr, Error> {
        let sock = self.sock.as_ref().ok_or_else(sys::bad_descriptor)?;
        let addr = sock.local_addr().map_err(sys::error)?;
        addr.as_socket().ok_or_else(sys::bad_descriptor)
    }

    /// Backs `getpeername()`.
    pub fn peer_addr(&self) -> Result<SocketAddr, Error> {
        let sock = self.sock.as_ref().ok_or_else(sys::bad_descriptor)?;
        let addr = sock.peer_addr().map_err(sys::error)?;
        addr.as_socket().ok_or_else(sys::bad_descriptor)
    }

    /// Backs `setoption(name, value)`. Without a descriptor the option is queued and
    /// applied when one is created; it is also re-applied if connect or bind recreate it.
    pub fn set_option(&mut self, opt: Opt, value: OptValue) -> Result<(), Error> {
        if let Some(sock) = &self.sock {
            sys::set_option(sock, opt, &value)?;
        }
        self.options.retain(|(o, _)| *o != opt);
        self.options.push((opt, value));
        Ok(())
    }

    /// Backs `getoption(name)`. Without a descriptor, a queued value is reported.
    pub fn option(&self, opt: Opt) -> Result<OptValue, Error> {
        match &self.sock {
            Some(sock) => sys::get_option(sock, opt),
            None => self
                .options
                .iter()
                .find(|(o, _)| *o == opt)
                .map(|(_, v)| v.clone())
                .ok_or(Error::Message("getsockopt failed")),
        }
    }
}

fn connect_one(sock: &Socket, addr: SocketAddr, tm: &Timeout) -> Result<(), Error> {
    match sock.connect(&addr.into()) {
        Ok(()) => Ok(()),
        Err(e) if sys::connect_in_progress(&e) => {
            if tm.is_zero() {
                return Err(Error::Timeout);
            }
            sys::wait(sys::raw_fd(sock), Interest::Write, tm)?;
            match sock.take_error() {
                Ok(None) => Ok(()),
                Ok(Some(e)) | Err(e) => Err(sys::error(e)),
            }
        }
        Err(e) => Err(sys::error(e)),
    }
}

impl Transport for Tcp {
    fn recv(&mut self, buf: &mut [u8], tm: &Timeout) -> Result<usize, Error> {
        let sock = self.sock.as_ref().ok_or(Error::Closed)?;
        loop {
            let mut reader: &Socket = sock;
            match reader.read(buf) {
                Ok(0) if !buf.is_empty() => return Err(Error::Closed),
                Ok(n) => return Ok(n),
                Err(e) if e.kind() == io::ErrorKind::Interrupted => {}
                Err(e) if e.kind() == io::ErrorKind::WouldBlock => {
                    sys::wait(sys::raw_fd(sock), Interest::Read, tm)?
                }
                Err(e) => return Err(sys::error(e)),
            }
        }
    }

    fn send(&mut self, data: &[u8], tm: &Timeout) -> Result<usize, Error> {
        let sock = self.sock.as_ref().ok_or(Error::Closed)?;
        loop {
            match sock.send_with_flags(data, sys::SEND_FLAGS) {
                Ok(n) => return Ok(n),
                Err(e) if e.kind() == io::ErrorKind::Interrupted => {}
                Err(e) if e.kind() == io::ErrorKind::WouldBlock => {
                    sys::wait(sys::raw_fd(sock), Interest::Write, tm)?
                }
                Err(e) => return Err(sys::error(e)),
            }
        }
    }
}

#[cfg(test)]
#[allow(unsafe_code)]
mod tests {
    use super::*;
    use luasocket_io::{Buffer, Pattern};

    fn server() -> (Tcp, u16) {
        let mut srv = Tcp::new(Family::Unspec).unwrap();
        srv.set_option(Opt::ReuseAddr, OptValue::Bool(true))
            .unwrap();
        srv.bind(b"127.0.0.1", b"0").unwrap();
        srv.listen(32).unwrap();
        let port = srv.local_addr().unwrap().port();
        (srv, port)
    }

    #[test]
    fn lazy_creation_and_queued_options() {
        let mut t = Tcp::new(Family::Unspec).unwrap();
        assert_eq!(t.fd(), -1);
        t.set_option(Opt::KeepAlive, OptValue::Bool(true)).unwrap();
        assert_eq!(t.option(Opt::KeepAlive).unwrap(), OptValue::Bool(true));
        assert_eq!(
            t.option(Opt::TcpNoDelay).unwrap_err().to_string(),
            "getsockopt failed"
        );
        t.bind(b"127.0.0.1", b"0").unwrap();
        assert!(t.fd() >= 0);
        assert_eq!(t.family(), Family::Inet);
        assert_eq!(t.option(Opt::KeepAlive).unwrap(), OptValue::Bool(true));
    }

    #[test]
    fn echo_over_loopback() {
        let (srv, port) = server();
        let mut cli = Tcp::new(Family::Unspec).unwrap();
        let mut tm = Timeout::new(5.0, -1.0);
        cli.connect(b"127.0.0.1", port.to_string().as_bytes(), &mut tm)
            .unwrap();
        let mut conn = srv.accept(&tm).unwrap();
        let mut b = Buffer::new();
        let (n, e) = b.send(&mut cli, &tm, b"ping\r\n");
        assert_eq!((n, e.is_none()), (6, true));
        let mut out = Vec::new();
        Buffer::new()
            .receive(&mut conn, &tm, Pattern::Line, &mut out)
            .unwrap();
        assert_eq!(out, b"ping");
        assert_eq!(conn.peer_addr().unwrap(), cli.local_addr().unwrap());
    }

    #[test]
    fn refused_timeout_and_closed() {
        let (srv, port) = server();
        drop(srv);
        let mut cli = Tcp::new(Family::Unspec).unwrap();
        let mut tm = Timeout::new(5.0, -1.0);
        let e = cli
            .connect(b"127.0.0.1", port.to_string().as_bytes(), &mut tm)
            .unwrap_err();
        assert_eq!(e.to_string(), "connection refused");

        let (srv, port) = server();
        let zero = Timeout::new(0.0, -1.0);
        assert_eq!(srv.accept(&zero).unwrap_err().to_string(), "timeout");
        let mut cli = Tcp::new(Family::Inet).unwrap();
        cli.connect(b"127.0.0.1", port.to_string().as_bytes(), &mut tm)
            .unwrap();
        let mut conn = srv.accept(&tm).unwrap();
        let mut buf = [0u8; 4];
        assert_eq!(
            conn.recv(&mut buf, &zero).unwrap_err().to_string(),
            "timeout"
        );
        cli.close();
        assert_eq!(conn.recv(&mut buf, &tm).unwrap_err().to_string(), "closed");
        assert_eq!(cli.recv(&mut buf, &tm).unwrap_err().to_string(), "closed");
        assert_eq!(cli.send(b"x", &tm).unwrap_err().to_string(), "closed");
    }

    #[test]
    fn set_fd_detaches_without_closing() {
        let (mut srv, _) = server();
        let fd = srv.fd();
        // SAFETY: -1 adopts nothing.
        unsafe { srv.set_fd(-1) };
        assert_eq!(srv.fd(), -1);
        let mut other = Tcp::new(Family::Unspec).unwrap();
        // SAFETY: `fd` is open (srv let go of it without closing) and now owned by `other`.
        unsafe { other.set_fd(fd) };
        assert_eq!(other.fd(), fd);
        assert!(other.local_addr().is_ok());
    }

    #[test]
    fn resolver_words_reach_the_caller() {
        let mut cli = Tcp::new(Family::Unspec).unwrap();
        let mut tm = Timeout::new(2.0, -1.0);
        let e = cli.connect(b"127.0.0.1", b"notaport", &mut tm).unwrap_err();
        assert!(matches!(e, Error::Resolver(_)), "{e}");
    }
}
