//! A persistent interest set: epoll on Linux and Android, `poll(2)` elsewhere (and on
//! request, so that backend is tested where epoll exists). Registrations carry a token,
//! which is what a wait reports; descriptors are named only to add, change or drop one.

use std::collections::HashMap;
use std::io;
use std::os::raw::c_int;
use std::time::Duration;

use luasocket_io::Error;

use super::{error, is_open, RawFd};

/// One readiness report: the token given at registration and what the descriptor is
/// ready for. An error or hang-up counts as readable (the next read says which), and as
/// writable when writing was asked for.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Event {
    /// The registration's token.
    pub token: u64,
    /// Ready to read, at end of stream, or in error.
    pub readable: bool,
    /// Ready to write, or in error.
    pub writable: bool,
}

/// An interest set of descriptors, each with a token and a direction.
#[derive(Debug)]
pub struct Poller {
    kind: Kind,
}

#[derive(Debug)]
enum Kind {
    #[cfg(any(target_os = "linux", target_os = "android"))]
    Epoll {
        fd: RawFd,
        events: Vec<libc::epoll_event>,
    },
    Poll {
        fds: Vec<libc::pollfd>,
        tokens: Vec<u64>,
        /// Where each token's entry sits in `fds`.
        slots: HashMap<u64, usize>,
    },
}

/// How many reports one epoll wait takes at most.
#[cfg(any(target_os = "linux", target_os = "android"))]
const BATCH: usize = 256;

fn os_error(code: c_int) -> Error {
    error(io::Error::from_raw_os_error(code))
}

/// Milliseconds for a system call's timeout: rounded up, so a wait never ends early;
/// -1 for none.
fn millis(timeout: Option<Duration>) -> c_int {
    match timeout {
        None => -1,
        Some(d) => {
            let ms = d.as_nanos().div_ceil(1_000_000);
            c_int::try_from(ms).unwrap_or(c_int::MAX)
        }
    }
}

impl Poller {
    /// `EEXIST`: the descriptor is in the set already.
    pub const EEXIST: i32 = libc::EEXIST;
    /// `ENOENT`: the registration is not in the set.
    pub const ENOENT: i32 = libc::ENOENT;
    /// `EBADF`: not an open descriptor.
    pub const EBADF: i32 = libc::EBADF;

    /// The system's error number behind `e`, if it has one.
    pub fn errno(e: &Error) -> Option<i32> {
        match e {
            Error::Io(io) => io.raw_os_error(),
            _ => None,
        }
    }

    /// The system's scalable poller: epoll where there is one, else `poll(2)`.
    pub fn new() -> Result<Poller, Error> {
        #[cfg(any(target_os = "linux", target_os = "android"))]
        {
            // SAFETY: plain system call; the descriptor is owned by the Poller from here.
            let fd = unsafe { libc::epoll_create1(libc::EPOLL_CLOEXEC) };
            if fd < 0 {
                return Err(error(io::Error::last_os_error()));
            }
            Ok(Poller {
                kind: Kind::Epoll {
                    fd,
                    events: Vec::with_capacity(BATCH),
                },
            })
        }
        #[cfg(not(any(target_os = "linux", target_os = "android")))]
        {
            Ok(Poller::with_poll())
        }
    }

    /// A poller on `poll(2)`: every wait passes the whole set, so it costs in the number
    /// registered; available everywhere.
    pub fn with_poll() -> Poller {
        Poller {
            kind: Kind::Poll {
                fds: Vec::new(),
                tokens: Vec::new(),
                slots: HashMap::new(),
            },
        }
    }

    /// `"epoll"` or `"poll"`.
    pub fn backend(&self) -> &'static str {
        match self.kind {
            #[cfg(any(target_os = "linux", target_os = "android"))]
            Kind::Epoll { .. } => "epoll",
            Kind::Poll { .. } => "poll",
        }
    }

    /// The epoll descriptor (-1 for `poll(2)`, or once closed).
    pub fn fd(&self) -> RawFd {
        match self.kind {
            #[cfg(any(target_os = "linux", target_os = "android"))]
            Kind::Epoll { fd, .. } => fd,
            Kind::Poll { .. } => -1,
        }
    }

    /// Watches `fd` under `token`. A descriptor already in the set is refused with
    /// `EEXIST`'s message, on either backend.
    pub fn add(&mut self, fd: RawFd, token: u64, read: bool, write: bool) -> Result<(), Error> {
        if fd < 0 {
            return Err(os_error(libc::EBADF));
        }
        match &mut self.kind {
            #[cfg(any(target_os = "linux", target_os = "android"))]
            Kind::Epoll { fd: ep, .. } => {
                epoll_ctl(*ep, libc::EPOLL_CTL_ADD, fd, token, read, write)
            }
            Kind::Poll { fds, tokens, slots } => {
                if fds.iter().any(|p| p.fd == fd) {
                    return Err(os_error(libc::EEXIST));
                }
                if !is_open(fd) {
                    return Err(os_error(libc::EBADF));
                }
                slots.insert(token, fds.len());
                fds.push(libc::pollfd {
                    fd,
                    events: poll_events(read, write),
                    revents: 0,
                });
                tokens.push(token);
                Ok(())
            }
        }
    }

    /// Changes what `fd`, registered under `token`, is watched for.
    pub fn modify(&mut self, fd: RawFd, token: u64, read: bool, write: bool) -> Result<(), Error> {
        match &mut self.kind {
            #[cfg(any(target_os = "linux", target_os = "android"))]
            Kind::Epoll { fd: ep, .. } => {
                epoll_ctl(*ep, libc::EPOLL_CTL_MOD, fd, token, read, write)
            }
            Kind::Poll { fds, slots, .. } => match slots.get(&token) {
                Some(&i) => {
                    fds[i].events = poll_events(read, write);
                    Ok(())
                }
                None => Err(os_error(libc::ENOENT)),
            },
        }
    }

    /// Stops watching the registration `token` of `fd`. `fd` is `None` when the caller
    /// knows the descriptor was closed meanwhile: the system dropped it from an epoll set
    /// already, and its number may name another registration by now.
    pub fn delete(&mut self, fd: Option<RawFd>, token: u64) -> Result<(), Error> {
        match &mut self.kind {
            #[cfg(any(target_os = "linux", target_os = "android"))]
            Kind::Epoll { fd: ep, .. } => match fd {
                Some(fd) => epoll_ctl(*ep, libc::EPOLL_CTL_DEL, fd, token, false, false),
                None => Ok(()),
            },
            Kind::Poll { fds, tokens, slots } => match slots.remove(&token) {
                Some(i) => {
                    fds.swap_remove(i);
                    tokens.swap_remove(i);
                    if let Some(&moved) = tokens.get(i) {
                        slots.insert(moved, i);
                    }
                    Ok(())
                }
                None => Err(os_error(libc::ENOENT)),
            },
        }
    }

    /// Waits at most `timeout` (`None`: no limit) and appends what is ready to `out`;
    /// returns how many. A signal ends the wait early with `EINTR`'s error
    /// ([`Poller::interrupted`]).
    pub fn wait(
        &mut self,
        timeout: Option<Duration>,
        out: &mut Vec<Event>,
    ) -> Result<usize, Error> {
        match &mut self.kind {
            #[cfg(any(target_os = "linux", target_os = "android"))]
            Kind::Epoll { fd, events } => {
                if *fd < 0 {
                    return Err(os_error(libc::EBADF));
                }
                events.clear();
                // SAFETY: `events` has room for BATCH entries; the kernel writes at most
                // that many and returns how many it wrote.
                let n = unsafe {
                    libc::epoll_wait(*fd, events.as_mut_ptr(), BATCH as c_int, millis(timeout))
                };
                if n < 0 {
                    return Err(error(io::Error::last_os_error()));
                }
                // SAFETY: the kernel initialised the first `n` entries.
                unsafe { events.set_len(n as usize) };
                for e in events.iter() {
                    let bits = e.events as c_int;
                    let trouble = bits & (libc::EPOLLERR | libc::EPOLLHUP) != 0;
                    out.push(Event {
                        token: e.u64,
                        readable: trouble || bits & (libc::EPOLLIN | libc::EPOLLRDHUP) != 0,
                        writable: bits & libc::EPOLLERR != 0 || bits & libc::EPOLLOUT != 0,
                    });
                }
                Ok(n as usize)
            }
            Kind::Poll { fds, tokens, .. } => {
                // SAFETY: `fds` is a valid array of `fds.len()` pollfd.
                let n = unsafe {
                    libc::poll(fds.as_mut_ptr(), fds.len() as libc::nfds_t, millis(timeout))
                };
                if n < 0 {
                    return Err(error(io::Error::last_os_error()));
                }
                let mut found = 0;
                for (p, &token) in fds.iter().zip(tokens.iter()) {
                    if p.revents == 0 {
                        continue;
                    }
                    let trouble = p.revents & (libc::POLLERR | libc::POLLHUP | libc::POLLNVAL) != 0;
                    out.push(Event {
                        token,
                        readable: trouble || p.revents & libc::POLLIN != 0,
                        writable: p.revents & (libc::POLLERR | libc::POLLNVAL) != 0
                            || p.revents & libc::POLLOUT != 0,
                    });
                    found += 1;
                }
                Ok(found)
            }
        }
    }

    /// True when `e` is a wait cut short by a signal.
    pub fn interrupted(e: &Error) -> bool {
        matches!(e, Error::Io(io) if io.raw_os_error() == Some(libc::EINTR))
    }

    /// Closes the epoll descriptor, or forgets the `poll(2)` set. Later calls fail with
    /// `EBADF`'s error (adds) or find nothing.
    pub fn close(&mut self) {
        match &mut self.kind {
            #[cfg(any(target_os = "linux", target_os = "android"))]
            Kind::Epoll { fd, .. } => {
                if *fd >= 0 {
                    // SAFETY: the Poller owns the descriptor and forgets it here.
                    unsafe { libc::close(*fd) };
                    *fd = -1;
                }
            }
            Kind::Poll { fds, tokens, slots } => {
                fds.clear();
                tokens.clear();
                slots.clear();
            }
        }
    }
}

impl Drop for Poller {
    fn drop(&mut self) {
        self.close();
    }
}

fn poll_events(read: bool, write: bool) -> libc::c_short {
    (if read { libc::POLLIN } else { 0 }) | (if write { libc::POLLOUT } else { 0 })
}

#[cfg(any(target_os = "linux", target_os = "android"))]
fn epoll_ctl(
    ep: RawFd,
    op: c_int,
    fd: RawFd,
    token: u64,
    read: bool,
    write: bool,
) -> Result<(), Error> {
    if ep < 0 {
        return Err(os_error(libc::EBADF));
    }
    let mut bits = 0;
    if read {
        bits |= libc::EPOLLIN | libc::EPOLLRDHUP;
    }
    if write {
        bits |= libc::EPOLLOUT;
    }
    let mut event = libc::epoll_event {
        events: bits as u32,
        u64: token,
    };
    // SAFETY: `event` is a valid epoll_event for the duration of the call.
    if unsafe { libc::epoll_ctl(ep, op, fd, &mut event) } < 0 {
        return Err(error(io::Error::last_os_error()));
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::io::Write;
    use std::net::{TcpListener, TcpStream};
    use std::os::fd::AsRawFd;

    fn pair() -> (TcpStream, TcpStream) {
        let l = TcpListener::bind("127.0.0.1:0").unwrap();
        let a = TcpStream::connect(l.local_addr().unwrap()).unwrap();
        let (b, _) = l.accept().unwrap();
        (a, b)
    }

    fn both() -> Vec<Poller> {
        vec![Poller::new().unwrap(), Poller::with_poll()]
    }

    #[test]
    fn reports_tokens_by_direction_on_both_backends() {
        for mut p in both() {
            let (mut a, b) = pair();
            p.add(b.as_raw_fd(), 7, true, false).unwrap();
            let mut out = Vec::new();
            let n = p.wait(Some(Duration::from_millis(10)), &mut out).unwrap();
            assert_eq!((n, out.len()), (0, 0), "{}", p.backend());
            a.write_all(b"x").unwrap();
            p.wait(Some(Duration::from_secs(5)), &mut out).unwrap();
            assert_eq!(
                out,
                [Event {
                    token: 7,
                    readable: true,
                    writable: false
                }]
            );
            out.clear();
            p.modify(b.as_raw_fd(), 7, false, true).unwrap();
            p.wait(Some(Duration::from_secs(5)), &mut out).unwrap();
            assert_eq!(
                out,
                [Event {
                    token: 7,
                    readable: false,
                    writable: true
                }]
            );
            assert_eq!(
                p.add(b.as_raw_fd(), 8, true, false)
                    .unwrap_err()
                    .to_string(),
                "File exists"
            );
            p.delete(Some(b.as_raw_fd()), 7).unwrap();
            out.clear();
            p.wait(Some(Duration::ZERO), &mut out).unwrap();
            assert!(out.is_empty());
        }
    }

    #[test]
    fn a_closed_descriptor_is_refused_and_a_hangup_reads_as_readable() {
        for mut p in both() {
            assert_eq!(
                p.add(-1, 1, true, false).unwrap_err().to_string(),
                "Bad file descriptor"
            );
            let (a, b) = pair();
            p.add(b.as_raw_fd(), 3, true, false).unwrap();
            drop(a);
            let mut out = Vec::new();
            p.wait(Some(Duration::from_secs(5)), &mut out).unwrap();
            assert_eq!(out[0].token, 3);
            assert!(out[0].readable);
            p.delete(None, 3).unwrap();
        }
    }
}
