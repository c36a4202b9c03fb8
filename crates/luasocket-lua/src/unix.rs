//! `socket.unix`: Unix-domain stream (`unixstream{master|client|server}`) and datagram
//! (`unixdgram{connected|unconnected}`) sockets, addressed by path. The module table is
//! callable: `require("socket.unix")()` makes a stream socket, as in LuaSocket.

use std::ffi::CStr;

use luasocket_net::{
    Family, Kind, Opt, Peer, Sock, UNIX_DGRAM_GET_OPTIONS, UNIX_DGRAM_SET_OPTIONS,
    UNIX_STREAM_GET_OPTIONS, UNIX_STREAM_SET_OPTIONS,
};

use crate::class::{self, Method};
use crate::datagram::{self, receive_with, DgramKind};
use crate::methods;
use crate::results::done;
use crate::state::{lua_fn, Ret, State};
use crate::stream::{self, StreamKind};

/// Unix-domain stream sockets.
pub(crate) struct UnixStream;

impl StreamKind for UnixStream {
    const TAG: u64 = 0x4c53_5f55_5354_0001;
    const MASTER: &'static CStr = c"unixstream{master}";
    const CLIENT: &'static CStr = c"unixstream{client}";
    const SERVER: &'static CStr = c"unixstream{server}";
    const ANY: &'static CStr = c"unixstream{any}";
    const GET_OPTIONS: &'static [(&'static str, Opt)] = UNIX_STREAM_GET_OPTIONS;
    const SET_OPTIONS: &'static [(&'static str, Opt)] = UNIX_STREAM_SET_OPTIONS;
    type Io = Sock;
}

/// Unix-domain datagram sockets.
pub(crate) struct UnixDgram;

impl DgramKind for UnixDgram {
    const TAG: u64 = 0x4c53_5f55_4447_0001;
    const CONNECTED: &'static CStr = c"unixdgram{connected}";
    const UNCONNECTED: &'static CStr = c"unixdgram{unconnected}";
    const ANY: &'static CStr = c"unixdgram{any}";
    const GET_OPTIONS: &'static [(&'static str, Opt)] = UNIX_DGRAM_GET_OPTIONS;
    const SET_OPTIONS: &'static [(&'static str, Opt)] = UNIX_DGRAM_SET_OPTIONS;
}

type S = UnixStream;
type D = UnixDgram;

/// The stream methods (LuaSocket's `unixstream_methods[]` plus `gettimeout`,
/// `getoption`, `getpeername`, `__close`), sorted by name.
const STREAM_METHODS: &[Method] = &[
    (c"__close", methods::meth_close::<stream::StreamObject<S>>),
    (c"__gc", class::meth_gc::<stream::StreamObject<S>>),
    (c"__tostring", methods::meth_tostring),
    (c"accept", stream::meth_accept::<S>),
    (c"bind", meth_stream_bind),
    (c"close", methods::meth_close::<stream::StreamObject<S>>),
    (c"connect", meth_stream_connect),
    (c"dirty", methods::meth_dirty::<stream::StreamObject<S>>),
    (c"getfd", methods::meth_getfd::<stream::StreamObject<S>>),
    (
        c"getoption",
        methods::meth_getoption::<stream::StreamObject<S>>,
    ),
    (c"getpeername", meth_stream_getpeername),
    (c"getsockname", meth_stream_getsockname),
    (c"getstats", stream::meth_getstats::<S>),
    (
        c"gettimeout",
        methods::meth_gettimeout::<stream::StreamObject<S>>,
    ),
    (c"listen", stream::meth_listen::<S>),
    (c"receive", stream::meth_receive::<S>),
    (c"send", stream::meth_send::<S>),
    (c"setfd", methods::meth_setfd::<stream::StreamObject<S>>),
    (
        c"setoption",
        methods::meth_setoption::<stream::StreamObject<S>>,
    ),
    (c"setpeername", meth_stream_connect),
    (c"setsockname", meth_stream_bind),
    (c"setstats", stream::meth_setstats::<S>),
    (
        c"settimeout",
        methods::meth_settimeout::<stream::StreamObject<S>>,
    ),
    (c"shutdown", stream::meth_shutdown::<S>),
];

/// The datagram methods (LuaSocket's `unixdgram_methods[]` plus `getoption`,
/// `getpeername`, `__close`), sorted by name.
const DGRAM_METHODS: &[Method] = &[
    (c"__close", methods::meth_close::<datagram::DgramObject<D>>),
    (c"__gc", class::meth_gc::<datagram::DgramObject<D>>),
    (c"__tostring", methods::meth_tostring),
    (c"bind", meth_dgram_bind),
    (c"close", methods::meth_close::<datagram::DgramObject<D>>),
    (c"connect", meth_dgram_connect),
    (c"dirty", methods::meth_dirty::<datagram::DgramObject<D>>),
    (c"getfd", methods::meth_getfd::<datagram::DgramObject<D>>),
    (
        c"getoption",
        methods::meth_getoption::<datagram::DgramObject<D>>,
    ),
    (c"getpeername", meth_dgram_getpeername),
    (c"getsockname", meth_dgram_getsockname),
    (
        c"gettimeout",
        methods::meth_gettimeout::<datagram::DgramObject<D>>,
    ),
    (c"receive", datagram::meth_receive::<D>),
    (c"receivefrom", meth_dgram_receivefrom),
    (c"send", datagram::meth_send::<D>),
    (c"sendto", meth_dgram_sendto),
    (c"setfd", methods::meth_setfd::<datagram::DgramObject<D>>),
    (
        c"setoption",
        methods::meth_setoption::<datagram::DgramObject<D>>,
    ),
    (c"setpeername", meth_dgram_connect),
    (c"setsockname", meth_dgram_bind),
    (
        c"settimeout",
        methods::meth_settimeout::<datagram::DgramObject<D>>,
    ),
];

/// Opens `socket.unix` and leaves its (callable) table on the stack.
pub(crate) fn open(s: &State) -> Ret {
    stream::register::<S>();
    datagram::register::<D>();
    for name in [S::MASTER, S::CLIENT, S::SERVER] {
        class::new_class(s, name, STREAM_METHODS);
        class::add_to_group(s, name, S::ANY);
    }
    for name in [D::CONNECTED, D::UNCONNECTED] {
        class::new_class(s, name, DGRAM_METHODS);
        class::add_to_group(s, name, D::ANY);
        class::add_to_group(s, name, c"select{able}");
    }
    s.new_table(0, 5);
    let funcs: &[Method] = &[
        (c"stream", global_stream),
        (c"dgram", global_dgram),
        // The names older LuaSocket releases used.
        (c"tcp", global_stream),
        (c"udp", global_dgram),
        (c"__call", global_call),
    ];
    s.set_functions(funcs);
    s.push_value(-1);
    s.set_metatable(-2);
    Ok(1)
}

lua_fn!(global_stream, stream_create);
fn stream_create(s: &State) -> Ret {
    match crate::state::with_descriptor(s, || Sock::new(Kind::Stream, Family::Unix))? {
        Ok(sock) => {
            stream::push::<S>(s, sock, S::MASTER);
            Ok(1)
        }
        Err(e) => Ok(crate::results::fail(s, &e)),
    }
}

lua_fn!(global_call, call_impl);
/// `socket.unix()`: the table called as a function makes a stream socket.
fn call_impl(s: &State) -> Ret {
    s.set_top(0);
    stream_create(s)
}

lua_fn!(global_dgram, dgram_create);
fn dgram_create(s: &State) -> Ret {
    match crate::state::with_descriptor(s, || Sock::new(Kind::Datagram, Family::Unix))? {
        Ok(sock) => {
            datagram::push::<D>(s, sock);
            Ok(1)
        }
        Err(e) => Ok(crate::results::fail(s, &e)),
    }
}

/// Pushes a path, or `nil, message`.
fn push_path(s: &State, r: Result<Vec<u8>, luasocket_io::Error>) -> Ret {
    match r {
        Ok(p) => {
            s.push_bytes(&p);
            Ok(1)
        }
        Err(e) => Ok(crate::results::fail(s, &e)),
    }
}

lua_fn!(meth_stream_bind, stream_bind_impl);
fn stream_bind_impl(s: &State) -> Ret {
    let t = stream::of_class::<S>(s, S::MASTER)?;
    let path = s.check_bytes(2)?;
    let r = t.io.bind_path(path);
    done(s, r)
}

lua_fn!(meth_stream_connect, stream_connect_impl);
fn stream_connect_impl(s: &State) -> Ret {
    let t = stream::of_class::<S>(s, S::MASTER)?;
    let path = s.check_bytes(2)?;
    t.tm.mark_start();
    match t.io.connect_path(path, &t.tm) {
        Ok(()) => {
            class::set_class::<crate::stream::StreamObject<S>>(s, 1, S::CLIENT);
            crate::results::ok(s)
        }
        Err(e) => Ok(crate::results::fail(s, &e)),
    }
}

lua_fn!(meth_stream_getsockname, stream_getsockname_impl);
fn stream_getsockname_impl(s: &State) -> Ret {
    let t = stream::any::<S>(s)?;
    push_path(s, t.io.local_path())
}

lua_fn!(meth_stream_getpeername, stream_getpeername_impl);
fn stream_getpeername_impl(s: &State) -> Ret {
    let t = stream::any::<S>(s)?;
    push_path(s, t.io.peer_path())
}

lua_fn!(meth_dgram_bind, dgram_bind_impl);
fn dgram_bind_impl(s: &State) -> Ret {
    let t = datagram::of_class::<D>(s, D::UNCONNECTED)?;
    let path = s.check_bytes(2)?;
    let r = t.sock.bind_path(path);
    done(s, r)
}

lua_fn!(meth_dgram_connect, dgram_connect_impl);
fn dgram_connect_impl(s: &State) -> Ret {
    let t = datagram::any::<D>(s)?;
    let path = s.check_bytes(2)?;
    t.tm.mark_start();
    match t.sock.connect_path(path, &t.tm) {
        Ok(()) => {
            class::set_class::<crate::datagram::DgramObject<D>>(s, 1, D::CONNECTED);
            crate::results::ok(s)
        }
        Err(e) => Ok(crate::results::fail(s, &e)),
    }
}

lua_fn!(meth_dgram_getsockname, dgram_getsockname_impl);
fn dgram_getsockname_impl(s: &State) -> Ret {
    let t = datagram::any::<D>(s)?;
    push_path(s, t.sock.local_path())
}

lua_fn!(meth_dgram_getpeername, dgram_getpeername_impl);
fn dgram_getpeername_impl(s: &State) -> Ret {
    let t = datagram::of_class::<D>(s, D::CONNECTED)?;
    push_path(s, t.sock.peer_path())
}

lua_fn!(meth_dgram_sendto, dgram_sendto_impl);
/// `sendto(datagram, path)`.
fn dgram_sendto_impl(s: &State) -> Ret {
    let t = datagram::of_class::<D>(s, D::UNCONNECTED)?;
    let data = s.check_bytes(2)?;
    let path = s.check_bytes(3)?;
    t.tm.mark_start();
    let r = t.sock.send_to_path(data, path, &t.tm);
    crate::results::sent(s, r)
}

lua_fn!(meth_dgram_receivefrom, dgram_receivefrom_impl);
/// `receivefrom([size])`: `datagram, path` (empty for an unbound sender).
fn dgram_receivefrom_impl(s: &State) -> Ret {
    let t = datagram::of_class::<D>(s, D::UNCONNECTED)?;
    receive_with(s, t, true, |s, data, peer| {
        s.push_bytes(data);
        match peer {
            Some(Peer::Path(p)) => s.push_bytes(&p),
            _ => s.push_bytes(b""),
        }
        2
    })
}
