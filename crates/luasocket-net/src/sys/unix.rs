//! Unix implementation of the OS seam.

use std::ffi::{CStr, CString, OsStr};
use std::fs::{File, OpenOptions};
use std::io;
use std::mem::{size_of, zeroed};
use std::net::SocketAddr;
use std::os::fd::{AsRawFd, FromRawFd, IntoRawFd};
use std::os::unix::ffi::OsStrExt;
use std::os::unix::fs::OpenOptionsExt;
use std::time::Duration;

use libc::{c_int, c_void, socklen_t};
use luasocket_io::{Error, ResolverError, Timeout};
use socket2::{SockAddr, Socket};

use crate::options::{Opt, OptKind, OptValue};

/// A descriptor number as Lua code sees it through `getfd()`.
pub type RawFd = i32;

/// Flags for every `send`: a closed peer gives `EPIPE`, never a process-killing `SIGPIPE`.
#[cfg(any(target_os = "linux", target_os = "android", target_os = "freebsd"))]
pub(crate) const SEND_FLAGS: c_int = libc::MSG_NOSIGNAL;
#[cfg(not(any(target_os = "linux", target_os = "android", target_os = "freebsd")))]
pub(crate) const SEND_FLAGS: c_int = 0;

/// What a wait is for.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Interest {
    /// Data (or a connection) to read.
    Read,
    /// Room to write, or a finished connect.
    Write,
}

/// Waits until `fd` is ready for `interest` or the timeout runs out (`Error::Timeout`).
///
/// Retries on `EINTR` with the time that is left. A zero timeout never waits.
pub(crate) fn wait(fd: RawFd, interest: Interest, tm: &Timeout) -> Result<(), Error> {
    wait_events(fd, interest, tm).map(|_| ())
}

/// A finished non-blocking connect within `tm`: writable with no error or hang-up means
/// connected, with no `SO_ERROR` query; anything else is asked through `take_error`.
pub(crate) fn wait_connected(sock: &Socket, tm: &Timeout) -> Result<(), Error> {
    if wait_events(raw_fd(sock), Interest::Write, tm)? == libc::POLLOUT {
        return Ok(());
    }
    match sock.take_error() {
        Ok(None) => Ok(()),
        Ok(Some(e)) | Err(e) => Err(error(e)),
    }
}

/// [`wait`], returning the events `poll` reported.
fn wait_events(fd: RawFd, interest: Interest, tm: &Timeout) -> Result<libc::c_short, Error> {
    if tm.is_zero() {
        return Err(Error::Timeout);
    }
    let events = match interest {
        Interest::Read => libc::POLLIN,
        Interest::Write => libc::POLLOUT,
    };
    let mut pfd = libc::pollfd {
        fd,
        events,
        revents: 0,
    };
    loop {
        match poll_raw(std::slice::from_mut(&mut pfd), tm.retry()) {
            0 => return Err(Error::Timeout),
            n if n > 0 => return Ok(pfd.revents),
            _ => {
                let e = io::Error::last_os_error();
                if e.kind() != io::ErrorKind::Interrupted {
                    return Err(error(e));
                }
            }
        }
    }
}

/// Runs a non-blocking `op` until it completes: again at once on `EINTR`, after waiting
/// for `interest` on `fd` (within `tm`) when it would block; other failures are mapped
/// to LuaSocket's words.
pub(crate) fn retry<T>(
    fd: RawFd,
    interest: Interest,
    tm: &Timeout,
    mut op: impl FnMut() -> io::Result<T>,
) -> Result<T, Error> {
    loop {
        match op() {
            Ok(v) => return Ok(v),
            Err(e) if e.kind() == io::ErrorKind::Interrupted => {}
            Err(e) if e.kind() == io::ErrorKind::WouldBlock => wait(fd, interest, tm)?,
            Err(e) => return Err(error(e)),
        }
    }
}

/// [`retry`] for a stream read: `Ok(0)` for a non-empty `buf` is the end of the stream,
/// reported as [`Error::Closed`].
pub(crate) fn recv_stream(
    fd: RawFd,
    tm: &Timeout,
    buf_len: usize,
    read: impl FnMut() -> io::Result<usize>,
) -> Result<usize, Error> {
    match retry(fd, Interest::Read, tm, read)? {
        0 if buf_len > 0 => Err(Error::Closed),
        n => Ok(n),
    }
}

/// [`recv_stream`] straight into the spare capacity of `out` (at most `max` bytes), with
/// no zero-fill first; what came is appended.
pub(crate) fn recv_append(
    sock: &Socket,
    tm: &Timeout,
    out: &mut Vec<u8>,
    max: usize,
) -> Result<usize, Error> {
    out.reserve(max);
    let start = out.len();
    let room = &mut out.spare_capacity_mut()[..max];
    let n = recv_stream(raw_fd(sock), tm, max, || sock.recv(room))?.min(max);
    // SAFETY: `recv` initialised the first `n` bytes of the spare capacity, which holds
    // at least `max` >= `n` bytes after `reserve`.
    unsafe { out.set_len(start + n) };
    Ok(n)
}

/// One `poll` over `fds` for at most `timeout` (`None`: no limit); its raw result.
///
/// Where the system has `ppoll`, the timeout keeps nanosecond precision, as C LuaSocket's
/// `select(2)` keeps microseconds: schedulers such as copas compute the next wake-up and
/// count on not sleeping up to a millisecond past it. Elsewhere, `poll` with the
/// milliseconds rounded up (a wait never ends early).
fn poll_raw(fds: &mut [libc::pollfd], timeout: Option<Duration>) -> c_int {
    #[cfg(any(target_os = "linux", target_os = "android", target_os = "freebsd"))]
    {
        let ts = timeout.map(|d| libc::timespec {
            tv_sec: libc::time_t::try_from(d.as_secs()).unwrap_or(libc::time_t::MAX),
            tv_nsec: d.subsec_nanos().into(),
        });
        let ts_ptr = ts
            .as_ref()
            .map_or(std::ptr::null(), |t| t as *const libc::timespec);
        // SAFETY: `fds` is a valid array of `fds.len()` pollfd; `ts_ptr` is null or points
        // to a timespec that outlives the call; a null signal mask leaves it unchanged.
        unsafe {
            libc::ppoll(
                fds.as_mut_ptr(),
                fds.len() as libc::nfds_t,
                ts_ptr,
                std::ptr::null(),
            )
        }
    }
    #[cfg(not(any(target_os = "linux", target_os = "android", target_os = "freebsd")))]
    {
        let ms = match timeout {
            None => -1,
            Some(d) => c_int::try_from(d.as_nanos().div_ceil(1_000_000)).unwrap_or(c_int::MAX),
        };
        // SAFETY: `fds` is a valid array of `fds.len()` pollfd.
        unsafe { libc::poll(fds.as_mut_ptr(), fds.len() as libc::nfds_t, ms) }
    }
}

/// One entry of a readiness poll (a `struct pollfd`).
#[derive(Clone, Copy)]
#[repr(transparent)]
pub struct PollFd(libc::pollfd);

impl PollFd {
    /// An entry asking whether `fd` is readable and/or writable.
    pub fn new(fd: RawFd, read: bool, write: bool) -> Self {
        let mut events = 0;
        if read {
            events |= libc::POLLIN;
        }
        if write {
            events |= libc::POLLOUT;
        }
        PollFd(libc::pollfd {
            fd,
            events,
            revents: 0,
        })
    }

    /// The descriptor asked about.
    pub fn fd(&self) -> RawFd {
        self.0.fd
    }

    /// Readable, at end of stream or in error after the poll (a read would not block).
    pub fn readable(&self) -> bool {
        self.0.events & libc::POLLIN != 0
            && self.0.revents & (libc::POLLIN | libc::POLLHUP | libc::POLLERR) != 0
    }

    /// Writable or in error after the poll (a write would not block).
    pub fn writable(&self) -> bool {
        self.0.events & libc::POLLOUT != 0
            && self.0.revents & (libc::POLLOUT | libc::POLLHUP | libc::POLLERR) != 0
    }
}

/// Polls every entry at once; returns how many are ready. `EINTR` retries with the time
/// left of `timeout` (counted from the call).
pub(crate) fn poll_fds(fds: &mut [PollFd], timeout: Option<Duration>) -> Result<usize, Error> {
    let deadline = timeout.and_then(|t| std::time::Instant::now().checked_add(t));
    loop {
        let left = match (timeout, deadline) {
            (None, _) => None,
            (Some(_), Some(d)) => Some(d.saturating_duration_since(std::time::Instant::now())),
            (Some(t), None) => Some(t),
        };
        // SAFETY: PollFd is repr(transparent) over libc::pollfd, so the slice is an array
        // of `fds.len()` valid pollfd structures.
        let raw = unsafe {
            std::slice::from_raw_parts_mut(fds.as_mut_ptr().cast::<libc::pollfd>(), fds.len())
        };
        let ret = poll_raw(raw, left);
        if ret >= 0 {
            return Ok(ret as usize);
        }
        let e = io::Error::last_os_error();
        if e.kind() != io::ErrorKind::Interrupted {
            return Err(error(e));
        }
    }
}

/// Translates a system error into LuaSocket's words (`socket_strerror` in C LuaSocket).
pub(crate) fn error(e: io::Error) -> Error {
    match e.raw_os_error() {
        Some(libc::EADDRINUSE) => Error::AddressInUse,
        Some(libc::EISCONN) => Error::AlreadyConnected,
        Some(libc::EACCES) => Error::PermissionDenied,
        Some(libc::ECONNREFUSED) => Error::ConnectionRefused,
        Some(libc::ECONNABORTED | libc::ECONNRESET | libc::EPIPE) => Error::Reset,
        Some(libc::ETIMEDOUT) => Error::Timeout,
        _ => Error::Io(e),
    }
}

/// True when `e` says the process or the system has no descriptor left (`EMFILE`,
/// `ENFILE`): a garbage collection that closes forgotten sockets may help.
pub fn out_of_descriptors(e: &Error) -> bool {
    matches!(e, Error::Io(io) if matches!(io.raw_os_error(), Some(libc::EMFILE | libc::ENFILE)))
}

/// The error for an operation on a socket that has no descriptor, as `EBADF` reads.
pub(crate) fn bad_descriptor() -> Error {
    Error::Io(io::Error::from_raw_os_error(libc::EBADF))
}

/// Takes ownership of descriptor `fd` (backs `setfd`).
///
/// # Safety
///
/// `fd` must be an open descriptor that nothing else will close.
pub(crate) unsafe fn adopt(fd: RawFd) -> Socket {
    // SAFETY: the caller hands over an open descriptor it owns.
    unsafe { Socket::from_raw_fd(fd) }
}

/// Gives up ownership of the socket's descriptor without closing it.
pub(crate) fn release(sock: Socket) -> RawFd {
    sock.into_raw_fd()
}

/// The descriptor number of an open socket.
pub(crate) fn raw_fd(sock: &Socket) -> RawFd {
    sock.as_raw_fd()
}

/// The `ai_family` value for a LuaSocket family.
pub(crate) fn family_code(family: crate::family::Family) -> c_int {
    match family {
        crate::family::Family::Unspec => libc::AF_UNSPEC,
        crate::family::Family::Inet => libc::AF_INET,
        crate::family::Family::Inet6 => libc::AF_INET6,
        crate::family::Family::Unix => libc::AF_UNIX,
    }
}

/// Hints for [`getaddrinfo`].
#[derive(Debug, Clone, Copy)]
pub(crate) struct Hints {
    pub family: crate::family::Family,
    pub stream: bool,
    pub passive: bool,
    /// `AI_NUMERICHOST | AI_NUMERICSERV`: no lookups.
    pub numeric: bool,
    /// `AI_CANONNAME`: report the canonical name.
    pub canonname: bool,
}

impl Hints {
    /// Hints for `family`, stream or datagram, with no flags.
    pub fn new(family: crate::family::Family, stream: bool) -> Hints {
        Hints {
            family,
            stream,
            passive: false,
            numeric: false,
            canonname: false,
        }
    }
}

/// What [`getaddrinfo`] found.
#[derive(Debug)]
pub(crate) struct Resolved {
    /// The socket addresses, in the resolver's order.
    pub addrs: Vec<SocketAddr>,
    /// The canonical name, when asked for and known.
    pub canonname: Option<Vec<u8>>,
}

/// Calls `getaddrinfo(3)`.
pub(crate) fn getaddrinfo(
    host: Option<&[u8]>,
    serv: Option<&[u8]>,
    hints: Hints,
) -> Result<Resolved, Error> {
    // A NUL byte cannot name a host or a service.
    let host = host
        .map(CString::new)
        .transpose()
        .map_err(|_| Error::Resolver(ResolverError::NoName))?;
    let serv = serv
        .map(CString::new)
        .transpose()
        .map_err(|_| Error::Resolver(ResolverError::Service))?;
    // SAFETY: an all-zero addrinfo is the documented "no hints" value.
    let mut h: libc::addrinfo = unsafe { zeroed() };
    h.ai_family = family_code(hints.family);
    h.ai_socktype = if hints.stream {
        libc::SOCK_STREAM
    } else {
        libc::SOCK_DGRAM
    };
    if hints.passive {
        h.ai_flags |= libc::AI_PASSIVE;
    }
    if hints.numeric {
        h.ai_flags |= libc::AI_NUMERICHOST | libc::AI_NUMERICSERV;
    }
    if hints.canonname {
        h.ai_flags |= libc::AI_CANONNAME;
    }
    let mut res: *mut libc::addrinfo = std::ptr::null_mut();
    // SAFETY: the strings are NUL-terminated or null, `h` is initialised, and `res` is a
    // valid out-pointer.
    let rc = unsafe {
        libc::getaddrinfo(
            host.as_deref().map_or(std::ptr::null(), CStr::as_ptr),
            serv.as_deref().map_or(std::ptr::null(), CStr::as_ptr),
            &h,
            &mut res,
        )
    };
    if rc != 0 {
        return Err(gai_error(rc));
    }
    let mut out = Vec::new();
    let mut canonname = None;
    let mut it = res;
    while !it.is_null() {
        // SAFETY: `it` walks the list getaddrinfo returned, which stays valid until
        // freeaddrinfo below.
        let ai = unsafe { &*it };
        if canonname.is_none() && !ai.ai_canonname.is_null() {
            // SAFETY: a non-null ai_canonname is a NUL-terminated string owned by the list.
            canonname = Some(
                unsafe { CStr::from_ptr(ai.ai_canonname) }
                    .to_bytes()
                    .to_vec(),
            );
        }
        if !ai.ai_addr.is_null() && ai.ai_addrlen as usize <= size_of::<libc::sockaddr_storage>() {
            // SAFETY: ai_addr points to ai_addrlen valid bytes of a socket address.
            let sa = unsafe {
                SockAddr::try_init(|storage, len| {
                    std::ptr::copy_nonoverlapping(
                        ai.ai_addr.cast::<u8>(),
                        storage.cast::<u8>(),
                        ai.ai_addrlen as usize,
                    );
                    *len = ai.ai_addrlen;
                    Ok(())
                })
            };
            if let Ok(((), sa)) = sa {
                if let Some(addr) = sa.as_socket() {
                    out.push(addr);
                }
            }
        }
        it = ai.ai_next;
    }
    // SAFETY: `res` came from a successful getaddrinfo and is freed once.
    unsafe { libc::freeaddrinfo(res) };
    Ok(Resolved {
        addrs: out,
        canonname,
    })
}

/// `getnameinfo(3)` for `addr`: the host's name (numeric when it has none) and the
/// service's name, each when wanted and found.
pub(crate) fn getnameinfo(
    addr: &SocketAddr,
    host: bool,
    serv: bool,
) -> (Option<Vec<u8>>, Option<Vec<u8>>) {
    let sa = SockAddr::from(*addr);
    let mut hbuf = [0 as libc::c_char; 1025];
    let mut sbuf = [0 as libc::c_char; 32];
    // SAFETY: the address and buffers are valid for the lengths passed; a zero length
    // tells getnameinfo not to fill that buffer.
    let rc = unsafe {
        libc::getnameinfo(
            sa.as_ptr().cast(),
            sa.len(),
            hbuf.as_mut_ptr(),
            if host { hbuf.len() as socklen_t } else { 0 },
            sbuf.as_mut_ptr(),
            if serv { sbuf.len() as socklen_t } else { 0 },
            0,
        )
    };
    if rc != 0 {
        return (None, None);
    }
    // SAFETY: on success getnameinfo wrote NUL-terminated strings into the buffers it was
    // given room in.
    let text = |b: &[libc::c_char]| unsafe { CStr::from_ptr(b.as_ptr()) }.to_bytes().to_vec();
    (host.then(|| text(&hbuf)), serv.then(|| text(&sbuf)))
}

/// The registered name of `addr` (`getnameinfo` with `NI_NAMEREQD`), for `dns.toip`.
pub(crate) fn reverse_name(addr: &SocketAddr) -> Result<Vec<u8>, Error> {
    let sa = SockAddr::from(*addr);
    let mut hbuf = [0 as libc::c_char; 1025];
    // SAFETY: as in `getnameinfo`; no service buffer.
    let rc = unsafe {
        libc::getnameinfo(
            sa.as_ptr().cast(),
            sa.len(),
            hbuf.as_mut_ptr(),
            hbuf.len() as socklen_t,
            std::ptr::null_mut(),
            0,
            libc::NI_NAMEREQD,
        )
    };
    if rc != 0 {
        return Err(gai_error(rc));
    }
    // SAFETY: getnameinfo succeeded, so hbuf holds a NUL-terminated string.
    Ok(unsafe { CStr::from_ptr(hbuf.as_ptr()) }.to_bytes().to_vec())
}

/// `recvfrom(2)` into an initialised buffer.
pub(crate) fn recv_from(sock: &Socket, buf: &mut [u8]) -> io::Result<(usize, SockAddr)> {
    // SAFETY: `buf` is valid for writes of its length; try_init hands us storage and a
    // length for the peer address, which recvfrom fills in.
    unsafe {
        SockAddr::try_init(|storage, len| {
            let n = libc::recvfrom(
                sock.as_raw_fd(),
                buf.as_mut_ptr().cast(),
                buf.len(),
                0,
                storage.cast(),
                len,
            );
            if n < 0 {
                Err(io::Error::last_os_error())
            } else {
                Ok(n as usize)
            }
        })
    }
}

/// Dissolves a datagram socket's association (`connect` to an `AF_UNSPEC` address);
/// errors are ignored, as in LuaSocket.
pub(crate) fn disconnect(sock: &Socket) {
    // SAFETY: an all-zero sockaddr with family AF_UNSPEC is the documented way to
    // dissolve the association; we pass its exact size.
    unsafe {
        let mut sa: libc::sockaddr = zeroed();
        sa.sa_family = libc::AF_UNSPEC as libc::sa_family_t;
        libc::connect(
            sock.as_raw_fd(),
            &sa,
            size_of::<libc::sockaddr>() as socklen_t,
        );
    }
}

/// LuaSocket's words for `getaddrinfo` failures (`socket_gaistrerror`).
fn gai_error(rc: c_int) -> Error {
    let r = match rc {
        libc::EAI_AGAIN => ResolverError::Again,
        libc::EAI_BADFLAGS => ResolverError::BadFlags,
        libc::EAI_FAIL => ResolverError::Fail,
        libc::EAI_FAMILY => ResolverError::Family,
        libc::EAI_MEMORY => ResolverError::Memory,
        libc::EAI_NONAME => ResolverError::NoName,
        libc::EAI_OVERFLOW => ResolverError::Overflow,
        libc::EAI_SERVICE => ResolverError::Service,
        libc::EAI_SOCKTYPE => ResolverError::SockType,
        libc::EAI_SYSTEM => return error(io::Error::last_os_error()),
        // Other codes: the C library's own text, as LuaSocket's gai_strerror fallback.
        other => {
            // SAFETY: gai_strerror returns a pointer to a static NUL-terminated string.
            let text = unsafe { CStr::from_ptr(libc::gai_strerror(other)) };
            return Error::Io(io::Error::other(text.to_string_lossy().into_owned()));
        }
    };
    Error::Resolver(r)
}

/// The machine's host name (`gethostname(2)`).
pub(crate) fn hostname() -> Result<Vec<u8>, Error> {
    let mut buf = [0u8; 257];
    // SAFETY: the buffer holds 256 bytes plus a terminator we keep for ourselves.
    let rc = unsafe { libc::gethostname(buf.as_mut_ptr().cast(), 256) };
    if rc < 0 {
        return Err(error(io::Error::last_os_error()));
    }
    let len = buf.iter().position(|&b| b == 0).unwrap_or(256);
    Ok(buf[..len].to_vec())
}

/// The options socket2 has no setter for, or none that fits LuaSocket, by `(level, name)`;
/// `None` where this platform lacks the option (then it fails as `"setsockopt failed"`,
/// as C LuaSocket's does where the constant is missing). Why each is raw:
fn option_code(opt: Opt) -> Option<(c_int, c_int)> {
    use libc::*;
    Some(match opt {
        // socket2 sets these only together with SO_KEEPALIVE (`TcpKeepalive`); LuaSocket
        // sets each alone.
        #[cfg(any(target_os = "linux", target_os = "android", target_os = "freebsd"))]
        Opt::TcpKeepIdle => (IPPROTO_TCP, TCP_KEEPIDLE),
        #[cfg(any(target_os = "linux", target_os = "android", target_os = "freebsd"))]
        Opt::TcpKeepCnt => (IPPROTO_TCP, TCP_KEEPCNT),
        #[cfg(any(target_os = "linux", target_os = "android", target_os = "freebsd"))]
        Opt::TcpKeepIntvl => (IPPROTO_TCP, TCP_KEEPINTVL),
        // socket2 has no setter for these.
        #[cfg(any(target_os = "linux", target_os = "android"))]
        Opt::TcpDeferAccept => (IPPROTO_TCP, TCP_DEFER_ACCEPT),
        #[cfg(any(target_os = "linux", target_os = "android", target_os = "freebsd"))]
        Opt::TcpFastOpen => (IPPROTO_TCP, TCP_FASTOPEN),
        #[cfg(any(target_os = "linux", target_os = "android"))]
        Opt::TcpFastOpenConnect => (IPPROTO_TCP, TCP_FASTOPEN_CONNECT),
        Opt::DontRoute => (SOL_SOCKET, SO_DONTROUTE),
        // LuaSocket's value is the kernel's struct, `{on, timeout}` in whole seconds with
        // the seconds kept while off; socket2's `Option<Duration>` drops them when off.
        Opt::Linger => (SOL_SOCKET, SO_LINGER),
        _ => return None,
    })
}

/// The options that go through socket2 but exist only on some systems.
fn gated_set(sock: &Socket, opt: Opt, value: &OptValue) -> Option<io::Result<()>> {
    match (opt, value) {
        #[cfg(any(target_os = "linux", target_os = "android"))]
        (Opt::BindToDevice, OptValue::Bytes(dev)) => Some(sock.bind_device(Some(dev))),
        #[cfg(not(any(target_os = "solaris", target_os = "illumos")))]
        (Opt::ReusePort, OptValue::Bool(on)) => Some(sock.set_reuse_port(*on)),
        _ => None,
    }
}

/// Reading the options of [`gated_set`].
fn gated_get(sock: &Socket, opt: Opt) -> Option<io::Result<OptValue>> {
    match opt {
        #[cfg(any(target_os = "linux", target_os = "android"))]
        Opt::BindToDevice => Some(
            sock.device()
                .map(|dev| OptValue::Bytes(dev.unwrap_or_default())),
        ),
        #[cfg(not(any(target_os = "solaris", target_os = "illumos")))]
        Opt::ReusePort => Some(sock.reuse_port().map(OptValue::Bool)),
        _ => None,
    }
}

/// `setsockopt(2)` for the options `sockopt::set` leaves to the seam. Failure is
/// LuaSocket's `"setsockopt failed"`.
pub(crate) fn set_option(sock: &Socket, opt: Opt, value: &OptValue) -> Result<(), Error> {
    const FAILED: Error = Error::SetOptionFailed;
    if let Some(done) = gated_set(sock, opt, value) {
        return done.map_err(|_| FAILED);
    }
    let (level, name) = option_code(opt).ok_or(FAILED)?;
    let fd = sock.as_raw_fd();
    let rc = match (opt.kind(), value) {
        (OptKind::Bool, OptValue::Bool(b)) => set_raw(fd, level, name, &c_int::from(*b)),
        (OptKind::Int, OptValue::Int(i)) => set_raw(fd, level, name, i),
        (OptKind::Linger, OptValue::Linger { on, timeout }) => {
            let li = libc::linger {
                l_onoff: c_int::from(*on),
                l_linger: *timeout,
            };
            set_raw(fd, level, name, &li)
        }
        _ => -1,
    };
    if rc < 0 {
        Err(FAILED)
    } else {
        Ok(())
    }
}

fn set_raw<T>(fd: RawFd, level: c_int, name: c_int, value: &T) -> c_int {
    // SAFETY: `value` is a valid T for the duration of the call and we pass its size.
    unsafe {
        libc::setsockopt(
            fd,
            level,
            name,
            (value as *const T).cast::<c_void>(),
            size_of::<T>() as socklen_t,
        )
    }
}

fn get_raw<T: Copy>(fd: RawFd, level: c_int, name: c_int, init: T) -> Option<T> {
    let mut value = init;
    let mut len = size_of::<T>() as socklen_t;
    // SAFETY: `value` has room for size_of::<T>() bytes, `len` says so, and T is plain
    // data for which any bytes the kernel writes are valid.
    let rc = unsafe {
        libc::getsockopt(
            fd,
            level,
            name,
            (&mut value as *mut T).cast::<c_void>(),
            &mut len,
        )
    };
    (rc == 0).then_some(value)
}

/// `getsockopt(2)` for the options `sockopt::get` leaves to the seam. Failure is
/// LuaSocket's `"getsockopt failed"`.
pub(crate) fn get_option(sock: &Socket, opt: Opt) -> Result<OptValue, Error> {
    const FAILED: Error = Error::GetOptionFailed;
    if let Some(value) = gated_get(sock, opt) {
        return value.map_err(|_| FAILED);
    }
    let (level, name) = option_code(opt).ok_or(FAILED)?;
    let fd = sock.as_raw_fd();
    match opt.kind() {
        OptKind::Bool => get_raw(fd, level, name, 0 as c_int).map(|v| OptValue::Bool(v != 0)),
        OptKind::Int => get_raw(fd, level, name, 0 as c_int).map(OptValue::Int),
        OptKind::Linger => get_raw(
            fd,
            level,
            name,
            libc::linger {
                l_onoff: 0,
                l_linger: 0,
            },
        )
        .map(|v| OptValue::Linger {
            on: v.l_onoff != 0,
            timeout: v.l_linger,
        }),
        _ => None,
    }
    .ok_or(FAILED)
}

/// True for the errors a non-blocking `connect` gives while the handshake goes on.
pub(crate) fn connect_in_progress(e: &io::Error) -> bool {
    matches!(
        e.raw_os_error(),
        Some(libc::EINPROGRESS | libc::EAGAIN | libc::EINTR)
    )
}

/// True when a connect is already under way (`EALREADY`).
pub(crate) fn connect_already(e: &io::Error) -> bool {
    e.raw_os_error() == Some(libc::EALREADY)
}

/// True for `accept` failures that only mean "try again" (`EAGAIN`, `ECONNABORTED`).
pub(crate) fn accept_retry(e: &io::Error) -> bool {
    matches!(e.raw_os_error(), Some(libc::EAGAIN | libc::ECONNABORTED))
}

/// Accepts one connection as a non-blocking, close-on-exec socket in one system call.
#[cfg(any(target_os = "linux", target_os = "android", target_os = "freebsd"))]
pub(crate) fn accept(listener: &Socket) -> io::Result<Socket> {
    // SAFETY: null address pointers are allowed by accept4; the flags are valid.
    let fd = unsafe {
        libc::accept4(
            listener.as_raw_fd(),
            std::ptr::null_mut(),
            std::ptr::null_mut(),
            libc::SOCK_NONBLOCK | libc::SOCK_CLOEXEC,
        )
    };
    if fd < 0 {
        return Err(io::Error::last_os_error());
    }
    // SAFETY: accept4 returned a new descriptor that we alone own.
    Ok(unsafe { Socket::from_raw_fd(fd) })
}

/// Accepts one connection and makes it non-blocking.
#[cfg(not(any(target_os = "linux", target_os = "android", target_os = "freebsd")))]
pub(crate) fn accept(listener: &Socket) -> io::Result<Socket> {
    let (s, _) = listener.accept()?;
    s.set_nonblocking(true)?;
    Ok(s)
}

/// True when `fd` names an open descriptor (checked before `setfd` adopts it).
pub fn is_open(fd: RawFd) -> bool {
    // SAFETY: F_GETFD only reads the descriptor's flags; any number is safe to ask about.
    fd >= 0 && unsafe { libc::fcntl(fd, libc::F_GETFD) } != -1
}

/// How many descriptors this process may open (`RLIMIT_NOFILE`): the real bound on what
/// `select` can watch, reported as `socket._SETSIZE`.
pub fn descriptor_limit() -> i32 {
    // SAFETY: an all-zero rlimit is a valid out-value for getrlimit.
    let mut lim: libc::rlimit = unsafe { zeroed() };
    // SAFETY: `lim` is a valid out-pointer.
    if unsafe { libc::getrlimit(libc::RLIMIT_NOFILE, &mut lim) } != 0 {
        return 1024;
    }
    i32::try_from(lim.rlim_cur).unwrap_or(i32::MAX)
}

/// Sets `SIGPIPE` to ignored for the whole process, as C LuaSocket's `socket.core` does
/// when it loads. Our own writes never raise it (`MSG_NOSIGNAL`), but other code in the
/// same process counts on it: OpenSSL's writes in LuaSec, `io.popen` pipes.
pub fn ignore_sigpipe() {
    // SAFETY: installing SIG_IGN touches no memory of ours and cannot fail for SIGPIPE.
    unsafe {
        libc::signal(libc::SIGPIPE, libc::SIG_IGN);
    }
}

/// The longest Unix-domain path `bind`/`connect` accept (`sun_path` less its NUL).
const UNIX_PATH_MAX: usize = 107;

/// The Unix-domain address of `path` (bytes as Lua gives them).
pub(crate) fn unix_addr(path: &[u8]) -> Result<SockAddr, Error> {
    if path.len() > UNIX_PATH_MAX {
        return Err(Error::PathTooLong);
    }
    SockAddr::unix(OsStr::from_bytes(path)).map_err(error)
}

/// The path of a Unix-domain address: empty for an unbound one, a leading NUL for an
/// abstract name.
pub(crate) fn path_of(addr: &SockAddr) -> Vec<u8> {
    if let Some(p) = addr.as_pathname() {
        p.as_os_str().as_bytes().to_vec()
    } else if let Some(name) = addr.as_abstract_namespace() {
        let mut v = vec![0];
        v.extend_from_slice(name);
        v
    } else {
        Vec::new()
    }
}

/// Opens a character device read-write and non-blocking, without making it the
/// controlling terminal (`socket.serial`).
pub(crate) fn open_device(path: &[u8]) -> io::Result<File> {
    OpenOptions::new()
        .read(true)
        .write(true)
        .custom_flags(libc::O_NOCTTY | libc::O_NONBLOCK)
        .open(OsStr::from_bytes(path))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn errno_words() {
        let table: &[(c_int, &str)] = &[
            (libc::EADDRINUSE, "address already in use"),
            (libc::EISCONN, "already connected"),
            (libc::EACCES, "permission denied"),
            (libc::ECONNREFUSED, "connection refused"),
            (libc::ECONNABORTED, "closed"),
            (libc::ECONNRESET, "closed"),
            (libc::EPIPE, "closed"),
            (libc::ETIMEDOUT, "timeout"),
        ];
        for (code, word) in table {
            assert_eq!(
                error(io::Error::from_raw_os_error(*code)).to_string(),
                *word
            );
        }
        let other = error(io::Error::from_raw_os_error(libc::EBADF)).to_string();
        assert!(!other.contains("os error"), "{other}");
        assert_eq!(bad_descriptor().to_string(), other);
    }

    #[test]
    fn waits_never_end_early() {
        for micros in [1, 2500, 10_300] {
            let t = Duration::from_micros(micros);
            let t0 = std::time::Instant::now();
            assert_eq!(poll_raw(&mut [], Some(t)), 0);
            assert!(t0.elapsed() >= t, "{micros} us");
        }
    }

    #[test]
    fn resolver_errors_have_words() {
        let hints = Hints::new(crate::family::Family::Unspec, true);
        let e = getaddrinfo(Some(b"127.0.0.1"), Some(b"no-such-service-xyz"), hints).unwrap_err();
        assert_eq!(e.to_string(), "service not supported for socket type");
        let e = getaddrinfo(Some(b"bad\0host"), None, hints).unwrap_err();
        assert_eq!(e.to_string(), "host or service not provided, or not known");
        let ok = getaddrinfo(Some(b"127.0.0.1"), Some(b"80"), hints).unwrap();
        assert_eq!(
            ok.addrs,
            vec!["127.0.0.1:80".parse::<SocketAddr>().unwrap()]
        );
    }
}
