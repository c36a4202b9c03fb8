//! What every datagram object shares (UDP, Unix datagram): the object layout,
//! `receive`/`send`, timeouts, descriptor methods and options. `udp.rs` and `unix.rs` add
//! the addressing methods and register the classes.

use std::ffi::CStr;
use std::os::raw::c_int;

use luasocket_io::{Error, Timeout};
use luasocket_net::{Opt, OptValue, RawFd, Sock};

use crate::class::{self, Class};
use crate::methods::{self, Handle, Options};
use crate::state::{lua_fn, Raise, Ret, State};
use crate::words::Word;

/// The receive size when none is given (`socket._DATAGRAMSIZE`).
pub(crate) const DATAGRAM_SIZE: usize = 8192;

/// The most a single `receive(size)` allocates, whatever `size` asks for: more than any
/// datagram the system delivers with default limits (IP's is 64 KiB).
const MAX_DATAGRAM: usize = 4 << 20;

/// One family of datagram classes: its tag, class names and options.
pub(crate) trait DgramKind: 'static {
    /// The userdata tag of this kind's objects.
    const TAG: u64;
    /// `...{connected}`.
    const CONNECTED: &'static CStr;
    /// `...{unconnected}`.
    const UNCONNECTED: &'static CStr;
    /// `...{any}`.
    const ANY: &'static CStr;
    /// `getoption` names.
    const GET_OPTIONS: &'static [(&'static str, Opt)];
    /// `setoption` names.
    const SET_OPTIONS: &'static [(&'static str, Opt)];
}

/// What a datagram userdata holds.
pub(crate) struct DgramObject<K: DgramKind> {
    pub(crate) sock: Sock,
    pub(crate) tm: Timeout,
    /// Receive buffer for datagrams up to `DATAGRAM_SIZE`.
    scratch: Vec<u8>,
    _kind: std::marker::PhantomData<K>,
}

impl<K: DgramKind> Class for DgramObject<K> {
    const TAG: u64 = K::TAG;
}

/// Pushes a new object of class `K::UNCONNECTED` around `sock`.
pub(crate) fn push<K: DgramKind>(s: &State, sock: Sock) {
    let obj = DgramObject::<K> {
        sock,
        tm: Timeout::default(),
        scratch: Vec::new(),
        _kind: std::marker::PhantomData,
    };
    class::push_new(s, obj, K::UNCONNECTED);
}

/// The object at argument 1, of group `...{any}`.
pub(crate) fn any<K: DgramKind>(s: &State) -> Result<&mut DgramObject<K>, Raise> {
    methods::any::<DgramObject<K>>(s)
}

/// The object at argument 1, of class `class`.
pub(crate) fn of_class<'a, K: DgramKind>(
    s: &'a State,
    class: &CStr,
) -> Result<&'a mut DgramObject<K>, Raise> {
    class::check_class::<DgramObject<K>>(s, 1, class)
}

/// The size argument of `receive`/`receivefrom` at index 2.
fn size_arg(s: &State) -> Result<usize, Raise> {
    let n = s.opt_number(2, DATAGRAM_SIZE as f64)?;
    if n.is_nan() || n < 0.0 {
        return Err(Raise::Arg(2, Word::InvalidSize.into()));
    }
    Ok((n as usize).min(MAX_DATAGRAM))
}

/// Receives one datagram (as `receive`, or `receivefrom` when `from`) and hands the
/// bytes and sender to `push`, which returns the result count.
pub(crate) fn receive_with<K: DgramKind>(
    s: &State,
    t: &mut DgramObject<K>,
    from: bool,
    push: impl FnOnce(&State, &[u8], Option<luasocket_net::Peer>) -> c_int,
) -> Ret {
    let wanted = size_arg(s)?;
    t.tm.mark_start();
    let mut big;
    let buf: &mut [u8] = if wanted <= DATAGRAM_SIZE {
        if t.scratch.len() < DATAGRAM_SIZE {
            t.scratch = vec![0; DATAGRAM_SIZE];
        }
        &mut t.scratch[..wanted]
    } else {
        big = vec![0u8; wanted];
        &mut big[..]
    };
    let r = if from {
        t.sock.recv_from(buf, &t.tm).map(|(n, p)| (n, Some(p)))
    } else {
        t.sock.recv_datagram(buf, &t.tm).map(|n| (n, None))
    };
    match r {
        Ok((n, peer)) => Ok(push(s, &buf[..n], peer)),
        // Without a descriptor this is "closed" (C LuaSocket returns an empty datagram).
        Err(e) => Ok(crate::results::fail(s, &e)),
    }
}

lua_fn!(meth_receive<K: DgramKind>, receive_impl);
/// `receive([size])`: one datagram, at most `size` bytes of it.
fn receive_impl<K: DgramKind>(s: &State) -> Ret {
    let t = any::<K>(s)?;
    receive_with(s, t, false, |s, data, _| {
        s.push_bytes(data);
        1
    })
}

lua_fn!(meth_send<K: DgramKind>, send_impl);
/// `send(datagram)` on a connected socket.
fn send_impl<K: DgramKind>(s: &State) -> Ret {
    use luasocket_io::Transport;
    let t = of_class::<K>(s, K::CONNECTED)?;
    let data = s.check_bytes(2)?;
    t.tm.mark_start();
    let r = t.sock.send(data, &t.tm);
    crate::results::sent(s, r)
}

impl<K: DgramKind> class::Selectable for DgramObject<K> {
    fn readiness(&self) -> class::Readiness {
        let fd = self.sock.fd();
        (fd >= 0).then_some((fd, false))
    }
}

/// Lets `socket.select` read objects of kind `K` directly (never dirty: datagrams are
/// not buffered).
pub(crate) fn register<K: DgramKind>() {
    class::register_selectable::<DgramObject<K>>();
}

impl<K: DgramKind> Handle for DgramObject<K> {
    const ANY: &'static CStr = K::ANY;
    fn fd(&self) -> RawFd {
        self.sock.fd()
    }
    #[allow(unsafe_code)]
    unsafe fn set_fd(&mut self, fd: RawFd) {
        // SAFETY: forwarded contract.
        unsafe { self.sock.set_fd(fd) }
    }
    fn close(&mut self) {
        self.sock.close();
        self.scratch = Vec::new();
    }
    /// Datagrams are never buffered.
    fn dirty(&self) -> bool {
        false
    }
    fn timeout(&mut self) -> &mut Timeout {
        &mut self.tm
    }
}

impl<K: DgramKind> Options for DgramObject<K> {
    const GET_OPTIONS: &'static [(&'static str, Opt)] = K::GET_OPTIONS;
    const SET_OPTIONS: &'static [(&'static str, Opt)] = K::SET_OPTIONS;
    fn option(&self, opt: Opt) -> Result<OptValue, Error> {
        self.sock.option(opt)
    }
    fn set_option(&mut self, opt: Opt, value: OptValue) -> Result<(), Error> {
        self.sock.set_option(opt, value)
    }
}
