//! The `tcp{master}`, `tcp{client}` and `tcp{server}` classes and `socket.tcp*`,
//! `socket.connect`. The stream methods they share with other kinds are in `stream.rs`.

use std::ffi::CStr;

use luasocket_io::Timeout;
use luasocket_net::{Family, Kind, Opt, Sock, TCP_GET_OPTIONS, TCP_SET_OPTIONS};

use crate::class::{self, Method};
use crate::methods;
use crate::results::done;
use crate::state::{lua_fn, Ret, State};
use crate::stream::{self, StreamKind};

/// TCP sockets.
pub(crate) struct Tcp;

impl StreamKind for Tcp {
    const TAG: u64 = 0x4c53_5f54_4350_0001;
    const MASTER: &'static CStr = c"tcp{master}";
    const CLIENT: &'static CStr = c"tcp{client}";
    const SERVER: &'static CStr = c"tcp{server}";
    const ANY: &'static CStr = c"tcp{any}";
    const GET_OPTIONS: &'static [(&'static str, Opt)] = TCP_GET_OPTIONS;
    const SET_OPTIONS: &'static [(&'static str, Opt)] = TCP_SET_OPTIONS;
    type Io = Sock;
}

/// The methods of every TCP class (LuaSocket's `tcp_methods[]`), sorted by name.
const METHODS: &[Method] = &[
    (c"__close", methods::meth_close::<stream::StreamObject<Tcp>>),
    (c"__gc", class::meth_gc::<stream::StreamObject<Tcp>>),
    (c"__tostring", methods::meth_tostring),
    (c"accept", stream::meth_accept::<Tcp>),
    (c"bind", meth_bind),
    (c"close", methods::meth_close::<stream::StreamObject<Tcp>>),
    (c"connect", meth_connect),
    (c"dirty", methods::meth_dirty::<stream::StreamObject<Tcp>>),
    (c"getfamily", meth_getfamily),
    (c"getfd", methods::meth_getfd::<stream::StreamObject<Tcp>>),
    (
        c"getoption",
        methods::meth_getoption::<stream::StreamObject<Tcp>>,
    ),
    (c"getpeername", meth_getpeername),
    (c"getsockname", meth_getsockname),
    (c"getstats", stream::meth_getstats::<Tcp>),
    (
        c"gettimeout",
        methods::meth_gettimeout::<stream::StreamObject<Tcp>>,
    ),
    (c"listen", stream::meth_listen::<Tcp>),
    (c"receive", stream::meth_receive::<Tcp>),
    (c"send", stream::meth_send::<Tcp>),
    (c"setfd", methods::meth_setfd::<stream::StreamObject<Tcp>>),
    (
        c"setoption",
        methods::meth_setoption::<stream::StreamObject<Tcp>>,
    ),
    (c"setpeername", meth_connect),
    (c"setsockname", meth_bind),
    (c"setstats", stream::meth_setstats::<Tcp>),
    (
        c"settimeout",
        methods::meth_settimeout::<stream::StreamObject<Tcp>>,
    ),
    (c"shutdown", stream::meth_shutdown::<Tcp>),
];

/// Registers the classes and puts `tcp`, `tcp4`, `tcp6`, `connect` in the table on top.
pub(crate) fn open(s: &State) {
    stream::register::<Tcp>();
    for name in [Tcp::MASTER, Tcp::CLIENT, Tcp::SERVER] {
        class::new_class(s, name, METHODS);
        class::add_to_group(s, name, Tcp::ANY);
        class::add_to_group(s, name, c"select{able}");
    }
    let funcs: &[Method] = &[
        (c"connect", global_connect),
        (c"tcp", global_tcp),
        (c"tcp4", global_tcp4),
        (c"tcp6", global_tcp6),
    ];
    s.set_functions(funcs);
}

fn create(s: &State, family: Family) -> Ret {
    match crate::state::with_descriptor(s, || Sock::new(Kind::Stream, family))? {
        Ok(sock) => {
            stream::push::<Tcp>(s, sock, Tcp::MASTER);
            Ok(1)
        }
        Err(e) => Ok(crate::results::fail(s, &e)),
    }
}

lua_fn!(global_tcp, tcp_unspec);
fn tcp_unspec(s: &State) -> Ret {
    create(s, Family::Unspec)
}

lua_fn!(global_tcp4, tcp_inet);
fn tcp_inet(s: &State) -> Ret {
    create(s, Family::Inet)
}

lua_fn!(global_tcp6, tcp_inet6);
fn tcp_inet6(s: &State) -> Ret {
    create(s, Family::Inet6)
}

lua_fn!(global_connect, connect_impl);
/// `socket.connect(address, port [, laddress [, lport [, family]]])`.
fn connect_impl(s: &State) -> Ret {
    let host = s.check_bytes(1)?;
    let port = s.check_bytes(2)?;
    let local = if s.is_none_or_nil(3) {
        None
    } else {
        Some(s.check_bytes(3)?)
    };
    let lport = s.opt_bytes(4, b"0")?;
    let family = crate::args::family_arg(s, 5)?;
    // The family argument narrows both the local and the remote lookup (C LuaSocket
    // applies it to the local one only, so `connect4` could still pick IPv6).
    let mut sock = match crate::state::with_descriptor(s, || Sock::new(Kind::Stream, family))? {
        Ok(t) => t,
        Err(e) => return Ok(crate::results::fail(s, &e)),
    };
    let mut tm = Timeout::default();
    if let Some(local) = local {
        if let Err(e) = crate::state::with_descriptor(s, || sock.bind(local, lport, &tm))? {
            return Ok(crate::results::fail(s, &e));
        }
    }
    if let Err(e) = crate::state::with_descriptor(s, || sock.connect(host, port, &mut tm))? {
        return Ok(crate::results::fail(s, &e));
    }
    stream::push::<Tcp>(s, sock, Tcp::CLIENT);
    Ok(1)
}

lua_fn!(meth_bind, bind_impl);
fn bind_impl(s: &State) -> Ret {
    let t = stream::of_class::<Tcp>(s, Tcp::MASTER)?;
    let host = s.check_bytes(2)?;
    let port = s.check_bytes(3)?;
    t.tm.mark_start();
    let r = crate::state::with_descriptor(s, || t.io.bind(host, port, &t.tm))?;
    done(s, r)
}

lua_fn!(meth_connect, connect_method);
fn connect_method(s: &State) -> Ret {
    let t = stream::any::<Tcp>(s)?;
    let host = s.check_bytes(2)?;
    let port = s.check_bytes(3)?;
    t.tm.mark_start();
    let result = crate::state::with_descriptor(s, || t.io.connect(host, port, &mut t.tm))?;
    // The class changes even on failure: a non-blocking connect is under way.
    class::set_class::<crate::stream::StreamObject<Tcp>>(s, 1, Tcp::CLIENT);
    done(s, result)
}

lua_fn!(meth_getfamily, getfamily_impl);
fn getfamily_impl(s: &State) -> Ret {
    let t = stream::any::<Tcp>(s)?;
    Ok(crate::results::push_family(s, t.io.family()))
}

lua_fn!(meth_getpeername, getpeername_impl);
fn getpeername_impl(s: &State) -> Ret {
    let t = stream::any::<Tcp>(s)?;
    let r = t.io.peer_addr();
    Ok(crate::results::push_address(s, r, t.io.family()))
}

lua_fn!(meth_getsockname, getsockname_impl);
fn getsockname_impl(s: &State) -> Ret {
    let t = stream::any::<Tcp>(s)?;
    let r = t.io.local_addr();
    Ok(crate::results::push_address(s, r, t.io.family()))
}
