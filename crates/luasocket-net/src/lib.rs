//! The operating-system half of LuaSocket's C core, on socket2: stream sockets with
//! LuaSocket's creation, connect, bind, listen, accept and shutdown rules, name resolution
//! with LuaSocket's error words, socket options under LuaSocket's names, and a
//! `poll(2)`-based readiness wait with no descriptor limit.
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

mod addr;
mod options;
mod select;
#[allow(unsafe_code)]
mod sys;
mod tcp;

pub use addr::{getaddrinfo, hostname, resolve, AddrInfo, Family};
pub use options::{Opt, OptKind, OptValue, TCP_GET_OPTIONS, TCP_SET_OPTIONS};
pub use select::{poll, PollFd};
pub use sys::{descriptor_limit, is_open, RawFd};
pub use tcp::{Shutdown, Tcp};

/// The descriptor value of a socket that has none (`socket._SOCKETINVALID`).
pub const SOCKET_INVALID: RawFd = -1;
