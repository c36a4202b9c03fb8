//! The one seam to the operating system for what socket2 leaves to its caller: waiting on
//! descriptors with `poll(2)`, errno to LuaSocket message, `getaddrinfo`, raw socket
//! options by LuaSocket name, and descriptor adoption for `setfd`.

#[cfg(unix)]
mod unix;
#[cfg(unix)]
pub use unix::*;
