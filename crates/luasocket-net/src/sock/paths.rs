//! Unix-domain sockets by path: bind, connect, the bound and peer paths, and datagrams
//! sent to a path.

use luasocket_io::{Error, Timeout};

use super::{connect::connect_one, Sock};
use crate::family::Family;
use crate::sys;

impl Sock {
    /// Backs Unix-domain `bind(path)`.
    pub fn bind_path(&mut self, path: &[u8]) -> Result<(), Error> {
        let addr = sys::unix_addr(path)?;
        let sock = self.socket_for(Family::Unix)?;
        let result = sock.bind(&addr).map_err(sys::error);
        if result.is_err() {
            // As LuaSocket: a failed bind leaves the object without a descriptor.
            self.close();
        }
        result
    }

    /// Backs Unix-domain `connect(path)`, within `tm`.
    pub fn connect_path(&mut self, path: &[u8], tm: &Timeout) -> Result<(), Error> {
        let addr = sys::unix_addr(path)?;
        let sock = self.socket_for(Family::Unix)?;
        let result = connect_one(sock, &addr, tm);
        if matches!(result, Err(ref e) if !matches!(e, Error::Timeout)) {
            // As LuaSocket; a connect still under way keeps its descriptor.
            self.close();
        }
        result
    }

    /// Backs `getsockname()` of a Unix-domain socket: the bound path.
    pub fn local_path(&self) -> Result<Vec<u8>, Error> {
        let sock = self.sock.as_ref().ok_or_else(sys::bad_descriptor)?;
        Ok(sys::path_of(&sock.local_addr().map_err(sys::error)?))
    }

    /// Backs `getpeername()` of a Unix-domain socket: the peer's path.
    pub fn peer_path(&self) -> Result<Vec<u8>, Error> {
        let sock = self.sock.as_ref().ok_or_else(sys::bad_descriptor)?;
        Ok(sys::path_of(&sock.peer_addr().map_err(sys::error)?))
    }

    /// Backs Unix-domain datagram `sendto(data, path)`.
    pub fn send_to_path(&mut self, data: &[u8], path: &[u8], tm: &Timeout) -> Result<usize, Error> {
        let addr = sys::unix_addr(path)?;
        self.send_to_addr(data, &addr, tm)
    }
}
