//! LuaSocket's sockets: TCP and UDP over IPv4 and IPv6, and Unix-domain stream and
//! datagram sockets. An internet socket made without a family gets its descriptor when
//! bind, connect or sendto picks one; every descriptor is non-blocking and every wait is
//! bounded by the caller's timeout.
//!
//! This file has the socket itself: creation, the option queue, listen, accept,
//! shutdown, addresses and the stream transport. By concept: `connect.rs` (bind and
//! connect by name, the pending connect), `paths.rs` (Unix-domain paths), `datagram.rs`
//! (datagram send and receive).

mod connect;
mod datagram;
mod paths;

use connect::Pending;

pub use datagram::Peer;

use std::io::{self, Read};
use std::net::SocketAddr;

use luasocket_io::{Error, Timeout, Transport};
use socket2::{Domain, Socket, Type};

use crate::family::{Family, Kind};
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

/// A socket as a LuaSocket `tcp{...}`, `udp{...}`, `unixstream{...}` or `unixdgram{...}`
/// object holds it.
#[derive(Debug)]
pub struct Sock {
    sock: Option<Socket>,
    family: Family,
    kind: Kind,
    /// Options set so far, re-applied whenever a descriptor is (re)created.
    options: Vec<(Opt, OptValue)>,
    /// The address `bind` gave it, re-applied if connect has to recreate the descriptor.
    bound: Option<SocketAddr>,
    pending: Option<Pending>,
}

impl Sock {
    /// Backs `socket.tcp()`/`udp()` (family [`Family::Unspec`]: no descriptor until bind,
    /// connect or sendto picks the family), `tcp4()`/`udp4()`/`tcp6()`/`udp6()`, and
    /// `socket.unix.stream()`/`dgram()` ([`Family::Unix`]).
    pub fn new(kind: Kind, family: Family) -> Result<Sock, Error> {
        let mut s = Sock {
            sock: None,
            family,
            kind,
            options: Vec::new(),
            bound: None,
            pending: None,
        };
        if family != Family::Unspec {
            s.create(family)?;
        }
        Ok(s)
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
    /// socket: it will be closed by [`Sock::close`] or on drop.
    #[allow(unsafe_code)] // adopting a descriptor by number is unsafe by nature (I/O safety)
    pub unsafe fn set_fd(&mut self, fd: RawFd) {
        self.pending = None;
        self.bound = None;
        if let Some(old) = self.sock.take() {
            sys::release(old);
        }
        if fd >= 0 {
            // SAFETY: the caller hands over ownership of an open descriptor.
            self.sock = Some(unsafe { sys::adopt(fd) });
        }
    }

    /// Readies a descriptor adopted with [`Sock::set_fd`] to serve as a stream (what TLS
    /// wraps): it must be a stream socket, and it is made non-blocking (ours and C
    /// LuaSocket's are already) and its family learned from its address.
    pub fn adopt_stream(&mut self) -> Result<(), Error> {
        let Some(sock) = self.sock.as_ref() else {
            return Err(Error::Closed);
        };
        if sock.r#type().map_err(sys::error)? != Type::STREAM {
            return Err(Error::Io(std::io::Error::other("not a stream socket")));
        }
        sock.set_nonblocking(true).map_err(sys::error)?;
        let domain = sock.local_addr().map_err(sys::error)?.domain();
        self.family = if domain == Domain::IPV6 {
            Family::Inet6
        } else if domain == Domain::UNIX {
            Family::Unix
        } else {
            Family::Inet
        };
        self.kind = Kind::Stream;
        Ok(())
    }

    /// Backs `close()`: closes the descriptor, if any.
    pub fn close(&mut self) {
        self.pending = None;
        self.bound = None;
        self.sock = None;
    }

    fn create(&mut self, family: Family) -> Result<(), Error> {
        let domain = match family {
            Family::Inet6 => Domain::IPV6,
            Family::Unix => Domain::UNIX,
            _ => Domain::IPV4,
        };
        let ty = match self.kind {
            Kind::Stream => Type::STREAM,
            Kind::Datagram => Type::DGRAM,
        };
        self.sock = None;
        let sock = Socket::new(domain, ty.nonblocking().cloexec(), None).map_err(sys::error)?;
        if family == Family::Inet6 {
            // As LuaSocket: IPv6 sockets do not take IPv4 traffic unless asked.
            sock.set_only_v6(true).map_err(sys::error)?;
        }
        for (opt, value) in &self.options {
            // A queued option the new descriptor rejects (say `ipv6-v6only` on IPv4)
            // is dropped, as it would have failed on that descriptor too.
            let _ = crate::sockopt::set(&sock, *opt, value);
        }
        if let Some(addr) = self.bound.filter(|a| Family::of(a) == family) {
            sock.bind(&addr.into()).map_err(sys::error)?;
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

    fn socket(&self) -> Result<&Socket, Error> {
        self.sock.as_ref().ok_or(Error::Closed)
    }

    /// Backs `listen([backlog])`.
    pub fn listen(&self, backlog: i32) -> Result<(), Error> {
        let sock = self.sock.as_ref().ok_or_else(sys::bad_descriptor)?;
        sock.listen(backlog).map_err(sys::error)
    }

    /// Backs `accept()`: waits for a connection within `tm`.
    pub fn accept(&self, tm: &Timeout) -> Result<Sock, Error> {
        let sock = self.socket()?;
        loop {
            match sys::accept(sock) {
                Ok(client) => {
                    return Ok(Sock {
                        sock: Some(client),
                        family: self.family,
                        kind: self.kind,
                        options: Vec::new(),
                        bound: None,
                        pending: None,
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

    /// Backs `getsockname()` of an internet socket.
    pub fn local_addr(&self) -> Result<SocketAddr, Error> {
        let sock = self.sock.as_ref().ok_or_else(sys::bad_descriptor)?;
        let addr = sock.local_addr().map_err(sys::error)?;
        addr.as_socket().ok_or_else(sys::bad_descriptor)
    }

    /// Backs `getpeername()` of an internet socket.
    pub fn peer_addr(&self) -> Result<SocketAddr, Error> {
        let sock = self.sock.as_ref().ok_or_else(sys::bad_descriptor)?;
        let addr = sock.peer_addr().map_err(sys::error)?;
        addr.as_socket().ok_or_else(sys::bad_descriptor)
    }

    /// Backs `setoption(name, value)`. Without a descriptor the option is queued and
    /// applied when one is created; it is also re-applied if connect or bind recreate it.
    pub fn set_option(&mut self, opt: Opt, value: OptValue) -> Result<(), Error> {
        if let Some(sock) = &self.sock {
            crate::sockopt::set(sock, opt, &value)?;
        }
        self.options.retain(|(o, _)| *o != opt);
        self.options.push((opt, value));
        Ok(())
    }

    /// Backs `getoption(name)`. Without a descriptor, a queued value is reported.
    pub fn option(&self, opt: Opt) -> Result<OptValue, Error> {
        match &self.sock {
            Some(sock) => crate::sockopt::get(sock, opt),
            None => self
                .options
                .iter()
                .find(|(o, _)| *o == opt)
                .map(|(_, v)| v.clone())
                .ok_or(Error::GetOptionFailed),
        }
    }
}

impl Transport for Sock {
    fn recv(&mut self, buf: &mut [u8], tm: &Timeout) -> Result<usize, Error> {
        let sock = self.socket()?;
        let len = buf.len();
        sys::recv_stream(sys::raw_fd(sock), tm, len, || {
            let mut reader: &Socket = sock;
            reader.read(buf)
        })
    }

    fn recv_append(&mut self, out: &mut Vec<u8>, max: usize, tm: &Timeout) -> Result<usize, Error> {
        sys::recv_append(self.socket()?, tm, out, max)
    }

    fn send(&mut self, data: &[u8], tm: &Timeout) -> Result<usize, Error> {
        let sock = self.socket()?;
        sys::retry(sys::raw_fd(sock), Interest::Write, tm, || {
            sock.send_with_flags(data, sys::SEND_FLAGS)
        })
    }
}

#[cfg(test)]
#[allow(unsafe_code)]
mod tests {
    use super::*;
    use luasocket_io::{Buffer, Pattern};

    fn server() -> (Sock, u16) {
        let mut srv = Sock::new(Kind::Stream, Family::Unspec).unwrap();
        srv.set_option(Opt::ReuseAddr, OptValue::Bool(true))
            .unwrap();
        srv.bind(b"127.0.0.1", b"0", &Timeout::default()).unwrap();
        srv.listen(32).unwrap();
        let port = srv.local_addr().unwrap().port();
        (srv, port)
    }

    #[test]
    fn lazy_creation_and_queued_options() {
        let mut t = Sock::new(Kind::Stream, Family::Unspec).unwrap();
        assert_eq!(t.fd(), -1);
        t.set_option(Opt::KeepAlive, OptValue::Bool(true)).unwrap();
        assert_eq!(t.option(Opt::KeepAlive).unwrap(), OptValue::Bool(true));
        assert_eq!(
            t.option(Opt::TcpNoDelay).unwrap_err().to_string(),
            "getsockopt failed"
        );
        t.bind(b"127.0.0.1", b"0", &Timeout::default()).unwrap();
        assert!(t.fd() >= 0);
        assert_eq!(t.family(), Family::Inet);
        assert_eq!(t.option(Opt::KeepAlive).unwrap(), OptValue::Bool(true));
    }

    #[test]
    fn echo_over_loopback() {
        let (srv, port) = server();
        let mut cli = Sock::new(Kind::Stream, Family::Unspec).unwrap();
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
        let mut cli = Sock::new(Kind::Stream, Family::Unspec).unwrap();
        let mut tm = Timeout::new(5.0, -1.0);
        let e = cli
            .connect(b"127.0.0.1", port.to_string().as_bytes(), &mut tm)
            .unwrap_err();
        assert_eq!(e.to_string(), "connection refused");

        let (srv, port) = server();
        let zero = Timeout::new(0.0, -1.0);
        assert_eq!(srv.accept(&zero).unwrap_err().to_string(), "timeout");
        let mut cli = Sock::new(Kind::Stream, Family::Inet).unwrap();
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
        let mut other = Sock::new(Kind::Stream, Family::Unspec).unwrap();
        // SAFETY: `fd` is open (srv let go of it without closing) and now owned by `other`.
        unsafe { other.set_fd(fd) };
        assert_eq!(other.fd(), fd);
        assert!(other.local_addr().is_ok());
    }

    /// Waits until `s` is writable (the non-blocking caller's select).
    fn writable(s: &Sock) {
        let mut fds = [crate::PollFd::new(s.fd(), false, true)];
        crate::poll(&mut fds, Some(std::time::Duration::from_secs(5))).unwrap();
    }

    #[test]
    fn connect_moves_to_the_next_address_in_every_mode() {
        let dead: SocketAddr = format!("127.0.0.1:{}", {
            let (s, p) = server();
            drop(s);
            p
        })
        .parse()
        .unwrap();
        let (srv, port) = server();
        let live: SocketAddr = format!("127.0.0.1:{port}").parse().unwrap();
        // Blocking: the refused address is skipped within one call.
        let mut cli = Sock::new(Kind::Stream, Family::Unspec).unwrap();
        let mut tm = Timeout::new(5.0, -1.0);
        cli.try_connect(
            b"h",
            b"p",
            vec![dead, live].into_iter(),
            &mut tm,
            Error::Closed,
        )
        .unwrap();
        assert_eq!(cli.peer_addr().unwrap(), live);
        // Non-blocking: "timeout", then each later call (same host and port) either
        // reports the attempt under way, moves on after a refusal, or says connected.
        let mut cli = Sock::new(Kind::Stream, Family::Unspec).unwrap();
        let mut zero = Timeout::new(0.0, -1.0);
        let first = cli.try_connect(
            b"h",
            b"p",
            vec![dead, live].into_iter(),
            &mut zero,
            Error::Closed,
        );
        let mut outcome = first.map(|()| "connected".to_string());
        for _ in 0..20 {
            match &outcome {
                Ok(_) => break,
                Err(Error::AlreadyConnected) => break,
                Err(_) => {}
            }
            writable(&cli);
            outcome = cli
                .connect(b"h", b"p", &mut zero)
                .map(|()| "connected".into());
        }
        assert!(
            matches!(outcome, Ok(_) | Err(Error::AlreadyConnected)),
            "{outcome:?}"
        );
        assert_eq!(cli.peer_addr().unwrap(), live);
        drop(srv);
    }

    #[test]
    fn resolver_words_reach_the_caller() {
        let mut cli = Sock::new(Kind::Stream, Family::Unspec).unwrap();
        let mut tm = Timeout::new(2.0, -1.0);
        let e = cli.connect(b"127.0.0.1", b"notaport", &mut tm).unwrap_err();
        assert!(matches!(e, Error::Resolver(_)), "{e}");
    }
}
