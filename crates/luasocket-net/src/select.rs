//! Readiness polling for `socket.select`, on `poll(2)`: no `FD_SETSIZE` limit.

use std::time::Duration;

use luasocket_io::Error;

pub use crate::sys::PollFd;

/// Backs `socket.select`: waits until any entry is ready or `timeout` passes (`None`:
/// forever) and returns how many are ready. Entries for descriptors that are not open
/// report neither readable nor writable.
pub fn poll(fds: &mut [PollFd], timeout: Option<Duration>) -> Result<usize, Error> {
    crate::sys::poll_fds(fds, timeout)
}
