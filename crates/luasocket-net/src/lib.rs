//! The operating-system half of LuaSocket's C core, on socket2: TCP, UDP and Unix-domain
//! sockets with LuaSocket's creation, connect, bind, listen, accept and shutdown rules,
//! character devices for `socket.serial`, name resolution with LuaSocket's error words
//! (and deadlines), socket options under LuaSocket's names, and a `poll(2)`-based
//! readiness wait with no descriptor limit.
//!
//! Every descriptor is non-blocking; waiting happens in [`sys`] with `poll(2)`, bounded
//! by a [`luasocket_io::Timeout`]. Writes never raise `SIGPIPE` (`MSG_NOSIGNAL`).
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
pub use sys::{descriptor_limit, ignore_sigpipe, is_open, out_of_descriptors, RawFd};

/// The descriptor value of a socket that has none (`socket._SOCKETINVALID`).
pub const SOCKET_INVALID: RawFd = -1;
