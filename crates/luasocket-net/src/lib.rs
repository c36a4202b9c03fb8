//! The operating-system half of LuaSocket's C core, on socket2: TCP, UDP and Unix-domain
//! sockets with LuaSocket's creation, connect, bind, listen, accept and shutdown rules,
//! character devices for `socket.serial`, name resolution with LuaSocket's error words
//! (and deadlines), socket options under LuaSocket's names, a `poll(2)`-based
//! readiness wait with no descriptor limit (`socket.select`), and [`Poller`], a lasting
//! interest set on epoll (`socket.poll`).
//!
//! Every descriptor is non-blocking; waiting happens in the OS seam (`sys/`) with `poll(2)`, bounded
//! by a [`luasocket_io::Timeout`]. Writes never raise `SIGPIPE` (`MSG_NOSIGNAL`).
//!
//! ```
//! use luasocket_io::{Timeout, Transport};
//! use luasocket_net::{Family, Kind, Sock};
//!
//! # fn main() -> Result<(), luasocket_io::Error> {
//! let tm = Timeout::new(5.0, -1.0); // settimeout(5)
//! let mut server = Sock::new(Kind::Stream, Family::Inet)?; // socket.tcp4()
//! server.bind(b"127.0.0.1", b"0", &tm)?;
//! server.listen(32)?;
//! let port = server.local_addr()?.port().to_string();
//!
//! let mut client = Sock::new(Kind::Stream, Family::Inet)?;
//! client.connect(b"127.0.0.1", port.as_bytes(), &mut Timeout::new(5.0, -1.0))?;
//! let mut peer = server.accept(&tm)?;
//! client.send(b"ping", &tm)?;
//! let mut buf = [0u8; 4];
//! let n = peer.recv(&mut buf, &tm)?;
//! assert_eq!(&buf[..n], &b"ping"[..n]);
//! # Ok(())
//! # }
//! ```
//!
//! **In scope**: system calls, errno to LuaSocket message, descriptor ownership
//! (`getfd`/`setfd`), options queued until a lazily created socket exists.
//!
//! **Out of scope**: buffering and receive patterns (`luasocket-io`), anything that knows
//! Lua (`luasocket-lua`).
#![deny(unsafe_code)]

mod device;
mod dns;
mod family;
mod options;
mod select;
mod sock;
mod sockopt;
#[allow(unsafe_code)]
mod sys;

pub use device::Device;
pub use dns::{
    getaddrinfo, getnameinfo, host_entry, hostname, resolve, resolve_numeric, AddrInfo, HostEntry,
    NameInfo,
};
pub use family::{Family, Kind};
pub use options::{
    Opt, OptKind, OptValue, TCP_GET_OPTIONS, TCP_SET_OPTIONS, UDP_GET_OPTIONS, UDP_SET_OPTIONS,
    UNIX_DGRAM_GET_OPTIONS, UNIX_DGRAM_SET_OPTIONS, UNIX_STREAM_GET_OPTIONS,
    UNIX_STREAM_SET_OPTIONS,
};
pub use select::{poll, PollFd};
pub use sock::{Peer, Shutdown, Sock};
pub use sys::{
    descriptor_limit, ignore_sigpipe, is_open, out_of_descriptors, Event, Poller, RawFd,
};

/// The descriptor value of a socket that has none (`socket._SOCKETINVALID`).
pub const SOCKET_INVALID: RawFd = -1;
