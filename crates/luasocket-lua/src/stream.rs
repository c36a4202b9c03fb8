//! What every byte-stream object shares (TCP, Unix stream, serial): the object layout,
//! buffered `receive`/`send`, timeouts, statistics and descriptor methods, and, for the
//! socket kinds, `accept`, `listen`, `shutdown` and options. `tcp.rs`, `unix.rs` and
//! `serial.rs` add the addressing methods and register the classes.

use std::ffi::CStr;
use std::os::raw::c_int;
use std::time::Instant;

use luasocket_io::{send_range, Buffer, Error, Pattern, Timeout, Transport};
use luasocket_net::{Device, Opt, OptValue, RawFd, Shutdown, Sock};

use crate::class::{self, Class};
use crate::methods::{self, Handle, Options};
use crate::results::ok;
use crate::state::{lua_fn, Raise, Ret, State};
use crate::words::Word;

/// Capacity the receive scratch buffer keeps between calls: a 1 MiB receive (an HTTP body
/// read whole) then reuses warm memory instead of a fresh allocation per connection.
const SCRATCH_KEEP: usize = 1 << 20;

thread_local! {
    /// Where `receive` collects a result before Lua copies it into a string: one per
    /// thread, not per object, since a call never runs inside another on one thread.
    /// Taken out for the call and put back after, so no borrow outlives it.
    static SCRATCH: std::cell::Cell<Vec<u8>> = const { std::cell::Cell::new(Vec::new()) };
}

/// A descriptor-backed byte stream: a socket or a character device.
pub(crate) trait Io: Transport + 'static {
    /// The descriptor, or -1.
    fn fd(&self) -> RawFd;
    /// Closes the descriptor.
    fn close(&mut self);
    /// Adopts `fd` without closing the current descriptor.
    ///
    /// # Safety
    ///
    /// As [`Sock::set_fd`].
    #[allow(unsafe_code)]
    unsafe fn set_fd(&mut self, fd: RawFd);
    /// Whether received bytes wait below the receive buffer (a TLS connection's decrypted
    /// data), so the object counts as `dirty`.
    fn holds_data(&self) -> bool {
        false
    }
}

impl Io for Sock {
    fn fd(&self) -> RawFd {
        Sock::fd(self)
    }
    fn close(&mut self) {
        Sock::close(self);
    }
    #[allow(unsafe_code)]
    unsafe fn set_fd(&mut self, fd: RawFd) {
        // SAFETY: forwarded contract.
        unsafe { Sock::set_fd(self, fd) }
    }
}

impl Io for Device {
    fn fd(&self) -> RawFd {
        Device::fd(self)
    }
    fn close(&mut self) {
        Device::close(self);
    }
    #[allow(unsafe_code)]
    unsafe fn set_fd(&mut self, fd: RawFd) {
        // SAFETY: forwarded contract.
        unsafe { Device::set_fd(self, fd) }
    }
}

/// One family of stream classes: its tag, class names and options.
pub(crate) trait StreamKind: 'static {
    /// The userdata tag of this kind's objects.
    const TAG: u64;
    /// `...{master}` (for kinds without one, the client class).
    const MASTER: &'static CStr;
    /// `...{client}`.
    const CLIENT: &'static CStr;
    /// `...{server}` (for kinds without one, the client class).
    const SERVER: &'static CStr;
    /// `...{any}`.
    const ANY: &'static CStr;
    /// `getoption` names.
    const GET_OPTIONS: &'static [(&'static str, Opt)] = &[];
    /// `setoption` names.
    const SET_OPTIONS: &'static [(&'static str, Opt)] = &[];
    /// What carries the bytes.
    type Io: Io;
}

/// The stream kinds backed by a socket.
pub(crate) trait SockKind: StreamKind<Io = Sock> {}
impl<K: StreamKind<Io = Sock>> SockKind for K {}

/// What a stream userdata holds.
pub(crate) struct StreamObject<K: StreamKind> {
    pub(crate) io: K::Io,
    pub(crate) buf: Buffer,
    pub(crate) tm: Timeout,
}

impl<K: StreamKind> Class for StreamObject<K> {
    const TAG: u64 = K::TAG;
}

impl<K: StreamKind> StreamObject<K> {
    pub(crate) fn new(io: K::Io) -> Self {
        StreamObject {
            io,
            buf: Buffer::new(),
            tm: Timeout::default(),
        }
    }
}

/// Pushes a new object of class `class` around `io`.
pub(crate) fn push<K: StreamKind>(s: &State, io: K::Io, class: &CStr) {
    class::push_new(s, StreamObject::<K>::new(io), class);
}

/// Pushes a new object of class `class` around `io`, with timeout `tm`.
#[cfg(feature = "tls")]
pub(crate) fn push_with_timeout<K: StreamKind>(s: &State, io: K::Io, class: &CStr, tm: Timeout) {
    let mut object = StreamObject::<K>::new(io);
    object.tm = tm;
    class::push_new(s, object, class);
}

/// The object at argument 1, of group `...{any}`.
pub(crate) fn any<K: StreamKind>(s: &State) -> Result<&mut StreamObject<K>, Raise> {
    methods::any::<StreamObject<K>>(s)
}

/// The object at argument 1, of class `class`.
pub(crate) fn of_class<'a, K: StreamKind>(
    s: &'a State,
    class: &CStr,
) -> Result<&'a mut StreamObject<K>, Raise> {
    class::check_class::<StreamObject<K>>(s, 1, class)
}

lua_fn!(meth_getstats<K: StreamKind>, getstats_impl);
fn getstats_impl<K: StreamKind>(s: &State) -> Ret {
    let t = of_class::<K>(s, K::CLIENT)?;
    let st = t.buf.stats;
    s.push_number(st.received);
    s.push_number(st.sent);
    s.push_number(luasocket_io::wall_clock() - st.birthday);
    Ok(3)
}

lua_fn!(meth_setstats<K: StreamKind>, setstats_impl);
fn setstats_impl<K: StreamKind>(s: &State) -> Ret {
    let t = of_class::<K>(s, K::CLIENT)?;
    let st = &mut t.buf.stats;
    st.received = s.opt_number(2, st.received)?.trunc();
    st.sent = s.opt_number(3, st.sent)?.trunc();
    if let Some(age) = s.to_number(4) {
        st.birthday = luasocket_io::wall_clock() - age;
    }
    ok(s)
}

lua_fn!(meth_receive<K: StreamKind>, receive_impl);
/// `client:receive([pattern [, prefix]])`.
fn receive_impl<K: StreamKind>(s: &State) -> Ret {
    let t = of_class::<K>(s, K::CLIENT)?;
    let prefix = s.opt_bytes(3, b"")?;
    let started = crate::results::debug_timing().then(Instant::now);
    t.tm.mark_start();
    // "*l" and "*a" are told apart from byte counts by their first byte before anything
    // tries to read them as numbers (a string starting with '*' is never numeric).
    let named = match s.type_of(2) {
        mlua::ffi::LUA_TSTRING => s.to_bytes(2).filter(|p| p.first() == Some(&b'*')),
        _ => None,
    };
    let pattern = if let Some(p) = named {
        named_pattern(p)?
    } else if s.is_number(2) {
        let n = s.to_number(2).unwrap_or(-1.0);
        if n.is_nan() || n < 0.0 {
            return Err(Raise::Arg(2, Word::InvalidReceivePattern.into()));
        }
        // A float-to-int cast saturates: 1e300 asks for "everything", lazily allocated.
        let wanted = n as usize;
        if !prefix.is_empty() && wanted <= prefix.len() {
            push_received(s, Ok(()), prefix);
            return Ok(3 + push_elapsed(s, started));
        }
        Pattern::Bytes(wanted - prefix.len())
    } else {
        named_pattern(s.opt_bytes(2, b"*l")?)?
    };
    if pattern == Pattern::Line && prefix.is_empty() {
        // A whole line lying in the receive buffer goes to Lua from there, uncopied.
        match t.buf.buffered_line(&mut t.io, &t.tm) {
            Ok(None) => {}
            Ok(Some(line)) => {
                push_received(s, Ok(()), line);
                return Ok(3 + push_elapsed(s, started));
            }
            Err(e) => {
                push_received(s, Err(e), b"");
                return Ok(3 + push_elapsed(s, started));
            }
        }
    }
    let mut out = SCRATCH.take();
    out.clear();
    out.extend_from_slice(prefix);
    let result = t.buf.receive(&mut t.io, &t.tm, pattern, &mut out);
    push_received(s, result, &out);
    if out.capacity() > SCRATCH_KEEP {
        out = Vec::new();
    }
    SCRATCH.set(out);
    Ok(3 + push_elapsed(s, started))
}

/// `"*l"` or `"*a"` (C LuaSocket reads only the first two bytes), else the argument error.
fn named_pattern(p: &[u8]) -> Result<Pattern, Raise> {
    match p {
        [b'*', b'l', ..] => Ok(Pattern::Line),
        [b'*', b'a', ..] => Ok(Pattern::All),
        _ => Err(Raise::Arg(2, Word::InvalidReceivePattern.into())),
    }
}

/// Pushes `receive`'s three results: `data, nil, nil`, or `nil, error, data` (the
/// partial result).
fn push_received(s: &State, result: Result<(), Error>, data: &[u8]) {
    match result {
        Ok(()) => {
            s.push_bytes(data);
            s.push_nil();
            s.push_nil();
        }
        Err(e) => {
            s.push_nil();
            crate::results::error(s, &e);
            s.push_bytes(data);
        }
    }
}

/// In debug-timing mode (`crate::results::debug_timing`), pushes the seconds since `started`
/// as one more result, as C LuaSocket's `LUASOCKET_DEBUG` build does; returns how many
/// values it pushed.
fn push_elapsed(s: &State, started: Option<Instant>) -> c_int {
    match started {
        Some(t) => {
            s.push_number(t.elapsed().as_secs_f64());
            1
        }
        None => 0,
    }
}

lua_fn!(meth_send<K: StreamKind>, send_impl);
/// `client:send(data [, i [, j]])`.
fn send_impl<K: StreamKind>(s: &State) -> Ret {
    let t = of_class::<K>(s, K::CLIENT)?;
    let data = s.check_bytes(2)?;
    let i = s.opt_number(3, 1.0)? as i64;
    let j = s.opt_number(4, -1.0)? as i64;
    let started = crate::results::debug_timing().then(Instant::now);
    t.tm.mark_start();
    let (range, base) = send_range(data.len(), i, j);
    let (sent, err) = t.buf.send(&mut t.io, &t.tm, &data[range]);
    let last = (base + sent as i64) as f64;
    match err {
        None => {
            s.push_number(last);
            s.push_nil();
            s.push_nil();
        }
        Some(e) => {
            s.push_nil();
            crate::results::error(s, &e);
            s.push_number(last);
        }
    }
    Ok(3 + push_elapsed(s, started))
}

lua_fn!(meth_accept<K: SockKind>, accept_impl);
fn accept_impl<K: SockKind>(s: &State) -> Ret {
    let server = of_class::<K>(s, K::SERVER)?;
    server.tm.mark_start();
    match crate::state::with_descriptor(s, || server.io.accept(&server.tm))? {
        Ok(client) => {
            push::<K>(s, client, K::CLIENT);
            Ok(1)
        }
        Err(e) => Ok(crate::results::fail(s, &e)),
    }
}

lua_fn!(meth_listen<K: SockKind>, listen_impl);
fn listen_impl<K: SockKind>(s: &State) -> Ret {
    let t = of_class::<K>(s, K::MASTER)?;
    // A saturating float-to-int cast: defined for NaN and huge values, unlike C's.
    let backlog = s.opt_number(2, 32.0)? as i32;
    match t.io.listen(backlog) {
        Ok(()) => {
            class::set_class::<StreamObject<K>>(s, 1, K::SERVER);
            ok(s)
        }
        Err(e) => Ok(crate::results::fail(s, &e)),
    }
}

lua_fn!(meth_shutdown<K: SockKind>, shutdown_impl);
fn shutdown_impl<K: SockKind>(s: &State) -> Ret {
    let t = of_class::<K>(s, K::CLIENT)?;
    let how = match s.check_option(2, b"both", &["receive", "send", "both"])? {
        0 => Shutdown::Receive,
        1 => Shutdown::Send,
        _ => Shutdown::Both,
    };
    t.io.shutdown(how);
    ok(s)
}

impl<K: StreamKind> class::Selectable for StreamObject<K> {
    fn readiness(&self) -> class::Readiness {
        let fd = self.io.fd();
        (fd >= 0).then_some((fd, !self.buf.is_empty() || self.io.holds_data()))
    }
}

/// Lets `socket.select` read objects of kind `K` directly.
pub(crate) fn register<K: StreamKind>() {
    class::register_selectable::<StreamObject<K>>();
}

impl<K: StreamKind> Handle for StreamObject<K> {
    const ANY: &'static CStr = K::ANY;
    fn fd(&self) -> RawFd {
        self.io.fd()
    }
    #[allow(unsafe_code)]
    unsafe fn set_fd(&mut self, fd: RawFd) {
        // SAFETY: forwarded contract.
        unsafe { self.io.set_fd(fd) }
    }
    fn close(&mut self) {
        self.io.close();
    }
    fn dirty(&self) -> bool {
        !self.buf.is_empty() || self.io.holds_data()
    }
    fn timeout(&mut self) -> &mut Timeout {
        &mut self.tm
    }
}

impl<K: SockKind> Options for StreamObject<K> {
    const GET_OPTIONS: &'static [(&'static str, Opt)] = K::GET_OPTIONS;
    const SET_OPTIONS: &'static [(&'static str, Opt)] = K::SET_OPTIONS;
    fn option(&self, opt: Opt) -> Result<OptValue, Error> {
        self.io.option(opt)
    }
    fn set_option(&mut self, opt: Opt, value: OptValue) -> Result<(), Error> {
        self.io.set_option(opt, value)
    }
    fn max_line(&mut self) -> Option<&mut Option<usize>> {
        Some(&mut self.buf.max_line)
    }
}
