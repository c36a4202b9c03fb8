//! The one seam to the operating system for what socket2 leaves to its caller. Nothing
//! outside this folder names `libc`, `std::os::unix` or a target `cfg`.
//!
//! A backend (one file per OS family, chosen here) provides:
//!
//! - descriptors: `RawFd`, `raw_fd`, `adopt`/`release` (for `setfd`), `is_open`,
//!   `bad_descriptor`, `descriptor_limit`, `out_of_descriptors`;
//! - waiting: `Interest`, `wait`, and `retry` for non-blocking calls, `recv_stream` (end of
//!   stream as `"closed"`) and `recv_append` (into a vector's spare room), `PollFd` and `poll_fds` for `socket.select`;
//! - errors: `error`, errno to LuaSocket's words; `connect_in_progress`, `connect_already`,
//!   `accept_retry`;
//! - calls socket2 does not make the way LuaSocket needs: `accept` (non-blocking,
//!   close-on-exec), `recv_from`, `disconnect`, `SEND_FLAGS`, `set_option`/`get_option` by
//!   LuaSocket name;
//! - names: `getaddrinfo` with `Hints`, `getnameinfo`, `reverse_name`, `hostname`;
//! - Unix-domain paths (`unix_addr`, `path_of`) and character devices (`open_device`);
//! - the process: `ignore_sigpipe`;
//! - `Poller` (in `poller.rs`): a persistent interest set on epoll, or `poll(2)`.

#[cfg_attr(unix, path = "unix.rs")]
mod imp;
mod poller;

#[cfg(not(unix))]
compile_error!("luasocket-net has an OS backend for Unix-like systems only");

pub(crate) use imp::{
    accept, accept_retry, adopt, bad_descriptor, connect_already, connect_in_progress, disconnect,
    error, get_option, getaddrinfo, getnameinfo, hostname, open_device, path_of, poll_fds, raw_fd,
    recv_append, recv_from, recv_stream, release, retry, reverse_name, set_option, unix_addr, wait,
    wait_connected, Hints, Interest, SEND_FLAGS,
};
pub use imp::{descriptor_limit, ignore_sigpipe, is_open, out_of_descriptors, PollFd, RawFd};
pub use poller::{Event, Poller};
