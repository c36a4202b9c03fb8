//! The part of LuaSocket's C core that needs neither the operating system nor Lua: the
//! 8 KiB receive buffer with its `"*l"`, `"*a"` and byte-count patterns, the index
//! arithmetic of `send(data, i, j)`, block and total timeouts, transfer statistics, and the
//! one table of error words that Lua code sees (`"timeout"`, `"closed"`, ...).
//!
//! Everything here is driven through the [`Transport`] trait, so it is tested with a
//! scripted transport (chunks, would-block, closed, delays) instead of sockets.
//!
//! ```
//! use luasocket_io::{Buffer, Error, Pattern, Timeout, Transport};
//!
//! /// A transport that hands out a script of bytes, then the end of the stream.
//! struct Script(Vec<u8>);
//!
//! impl Transport for Script {
//!     fn recv(&mut self, buf: &mut [u8], _: &Timeout) -> Result<usize, Error> {
//!         if self.0.is_empty() {
//!             return Err(Error::Closed);
//!         }
//!         let n = buf.len().min(self.0.len());
//!         buf[..n].copy_from_slice(&self.0[..n]);
//!         self.0.drain(..n);
//!         Ok(n)
//!     }
//!     fn send(&mut self, data: &[u8], _: &Timeout) -> Result<usize, Error> {
//!         Ok(data.len())
//!     }
//! }
//!
//! let mut io = Script(b"HTTP/1.1 200 OK\r\nrest".to_vec());
//! let mut buffer = Buffer::new();
//! let tm = Timeout::default();
//! let mut line = Vec::new();
//! buffer.receive(&mut io, &tm, Pattern::Line, &mut line).unwrap();
//! assert_eq!(line, b"HTTP/1.1 200 OK"); // client:receive("*l")
//! let mut rest = Vec::new();
//! buffer.receive(&mut io, &tm, Pattern::All, &mut rest).unwrap();
//! assert_eq!(rest, b"rest"); // client:receive("*a")
//! ```
//!
//! **In scope**: buffering, receive patterns, partial results on error, send ranges,
//! timeout arithmetic on a monotonic clock, statistics, error words.
//!
//! **Out of scope**: system calls and waiting (`luasocket-net`), anything that knows Lua
//! (`luasocket-lua`).
#![forbid(unsafe_code)]

mod buffer;
mod error;
mod send;
mod timeout;

pub use buffer::{Buffer, Pattern, Stats, BUFFER_SIZE};
pub use error::{Error, ResolverError};
pub use send::send_range;
pub use timeout::{wall_clock, Timeout};

/// Grows `out` by `room` zeros, lets `read` fill them, and keeps what it read: the
/// default [`Transport::recv_append`], for transports that read into initialised memory.
/// A transport that knows how much it holds (TLS plaintext) passes that as `room`.
pub fn append_with(
    out: &mut Vec<u8>,
    room: usize,
    read: impl FnOnce(&mut [u8]) -> Result<usize, Error>,
) -> Result<usize, Error> {
    let start = out.len();
    out.resize(start + room, 0);
    let result = read(&mut out[start..]);
    out.truncate(start + result.as_ref().map_or(0, |n| (*n).min(room)));
    result
}

/// A byte stream that can wait: what a socket looks like to the [`Buffer`].
///
/// Implementations perform one operation, waiting at most as long as the [`Timeout`]
/// allows (`Timeout::retry`), and report the outcome in LuaSocket's terms.
pub trait Transport {
    /// Reads at least one byte into `buf` and returns how many were read.
    ///
    /// End of stream is `Err(Error::Closed)`, never `Ok(0)` (unless `buf` is empty).
    fn recv(&mut self, buf: &mut [u8], tm: &Timeout) -> Result<usize, Error>;

    /// Reads at least one byte, and at most `max`, onto the end of `out`, and returns how
    /// many came. Large receives read straight into their result this way.
    ///
    /// The default makes room with zeros ([`append_with`]); a transport that can read into
    /// uninitialised memory (a socket) overrides it, so a large read costs no fill.
    fn recv_append(&mut self, out: &mut Vec<u8>, max: usize, tm: &Timeout) -> Result<usize, Error> {
        append_with(out, max, |room| self.recv(room, tm))
    }

    /// Writes some of `data` and returns how many bytes the peer accepted (at least one
    /// unless `data` is empty).
    fn send(&mut self, data: &[u8], tm: &Timeout) -> Result<usize, Error>;
}
