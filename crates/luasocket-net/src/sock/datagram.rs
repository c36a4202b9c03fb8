//! Datagrams: one per receive (cut to the buffer), with or without the sender, and sends
//! to an address.

use std::io::Read;
use std::net::SocketAddr;

use luasocket_io::{Error, Timeout};
use socket2::{SockAddr, Socket};

use super::Sock;
use crate::dns::resolve_numeric;
use crate::family::Family;
use crate::sys::{self, Interest};

/// Where a datagram came from (`receivefrom`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Peer {
    /// An internet address.
    Inet(SocketAddr),
    /// A Unix-domain path: empty for an unbound sender, starting with NUL for an abstract
    /// name.
    Path(Vec<u8>),
}

impl Sock {
    /// Backs datagram `receive([size])`: one datagram, cut to `buf.len()` bytes; an
    /// empty datagram is `Ok(0)`.
    pub fn recv_datagram(&mut self, buf: &mut [u8], tm: &Timeout) -> Result<usize, Error> {
        let sock = self.socket()?;
        sys::retry(sys::raw_fd(sock), Interest::Read, tm, || {
            let mut reader: &Socket = sock;
            reader.read(buf)
        })
    }

    /// Backs `receivefrom([size])`: one datagram and its sender.
    pub fn recv_from(&mut self, buf: &mut [u8], tm: &Timeout) -> Result<(usize, Peer), Error> {
        let sock = self.socket()?;
        let (n, addr) = sys::retry(sys::raw_fd(sock), Interest::Read, tm, || {
            sys::recv_from(sock, buf)
        })?;
        let peer = match addr.as_socket() {
            Some(a) => Peer::Inet(a),
            None => Peer::Path(sys::path_of(&addr)),
        };
        Ok((n, peer))
    }

    /// Backs UDP `sendto(data, ip, port)`: numeric addresses only, as LuaSocket. A socket
    /// without a descriptor gets one of the address's family.
    pub fn send_to(
        &mut self,
        data: &[u8],
        host: &[u8],
        port: &[u8],
        tm: &Timeout,
    ) -> Result<usize, Error> {
        let addr = resolve_numeric(host, port, self.family)?;
        if self.sock.is_none() && self.family == Family::Unspec {
            self.create(Family::of(&addr))?;
        }
        self.send_to_addr(data, &addr.into(), tm)
    }

    pub(super) fn send_to_addr(
        &mut self,
        data: &[u8],
        addr: &SockAddr,
        tm: &Timeout,
    ) -> Result<usize, Error> {
        let sock = self.socket()?;
        sys::retry(sys::raw_fd(sock), Interest::Write, tm, || {
            sock.send_to_with_flags(data, addr, sys::SEND_FLAGS)
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::family::Kind;

    #[test]
    fn udp_sendto_receivefrom_and_empty_datagrams() {
        let tm = Timeout::new(2.0, -1.0);
        let mut a = Sock::new(Kind::Datagram, Family::Unspec).unwrap();
        a.bind(b"127.0.0.1", b"0", &tm).unwrap();
        let port = a.local_addr().unwrap().port().to_string();
        let mut b = Sock::new(Kind::Datagram, Family::Unspec).unwrap();
        assert_eq!(b.fd(), -1);
        assert_eq!(
            b.send_to(b"hi", b"127.0.0.1", port.as_bytes(), &tm)
                .unwrap(),
            2
        );
        assert_eq!(b.family(), Family::Inet);
        assert_eq!(
            b.send_to(b"", b"127.0.0.1", port.as_bytes(), &tm).unwrap(),
            0
        );
        let mut buf = [0u8; 16];
        let (n, peer) = a.recv_from(&mut buf, &tm).unwrap();
        assert_eq!(&buf[..n], b"hi");
        let Peer::Inet(from) = peer else {
            panic!("{peer:?}")
        };
        assert_eq!(from.port(), b.local_addr().unwrap().port());
        assert_eq!(a.recv_datagram(&mut buf, &tm).unwrap(), 0);
        let zero = Timeout::new(0.0, -1.0);
        assert_eq!(
            a.recv_datagram(&mut buf, &zero).unwrap_err().to_string(),
            "timeout"
        );
        let e = b
            .send_to(b"x", b"localhost", port.as_bytes(), &tm)
            .unwrap_err();
        assert!(matches!(e, Error::Resolver(_)), "{e}");
    }

    #[test]
    fn unix_datagram_paths() {
        let dir = std::env::temp_dir().join(format!("ls-net-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        let path = dir.join("d.sock");
        let _ = std::fs::remove_file(&path);
        let p = path.to_str().unwrap().as_bytes();
        let tm = Timeout::new(2.0, -1.0);
        let mut srv = Sock::new(Kind::Datagram, Family::Unix).unwrap();
        srv.bind_path(p).unwrap();
        assert_eq!(srv.local_path().unwrap(), p);
        let mut cli = Sock::new(Kind::Datagram, Family::Unix).unwrap();
        cli.send_to_path(b"abc", p, &tm).unwrap();
        let mut buf = [0u8; 8];
        let (n, peer) = srv.recv_from(&mut buf, &tm).unwrap();
        assert_eq!((&buf[..n], peer), (&b"abc"[..], Peer::Path(Vec::new())));
        let long = vec![b'x'; 200];
        assert_eq!(
            cli.bind_path(&long).unwrap_err().to_string(),
            "path too long"
        );
        std::fs::remove_dir_all(&dir).unwrap();
    }
}
