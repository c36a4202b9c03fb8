//! The `udp{unconnected}` and `udp{connected}` classes and `socket.udp*`. The datagram
//! methods they share with Unix datagram sockets are in `datagram.rs`.

use std::ffi::CStr;

use luasocket_net::{Family, Kind, Opt, Peer, Sock, UDP_GET_OPTIONS, UDP_SET_OPTIONS};

use crate::class::{self, Method};
use crate::datagram::{self, receive_with, DgramKind};
use crate::methods;
use crate::results::{done, ok};
use crate::state::{lua_fn, Ret, State};

/// UDP sockets.
pub(crate) struct Udp;

impl DgramKind for Udp {
    const TAG: u64 = 0x4c53_5f55_4450_0001;
    const CONNECTED: &'static CStr = c"udp{connected}";
    const UNCONNECTED: &'static CStr = c"udp{unconnected}";
    const ANY: &'static CStr = c"udp{any}";
    const GET_OPTIONS: &'static [(&'static str, Opt)] = UDP_GET_OPTIONS;
    const SET_OPTIONS: &'static [(&'static str, Opt)] = UDP_SET_OPTIONS;
}

/// The methods of both UDP classes (LuaSocket's `udp_methods[]`), sorted by name.
const METHODS: &[Method] = &[
    (
        c"__close",
        methods::meth_close::<datagram::DgramObject<Udp>>,
    ),
    (c"__gc", class::meth_gc::<datagram::DgramObject<Udp>>),
    (c"__tostring", methods::meth_tostring),
    (c"close", methods::meth_close::<datagram::DgramObject<Udp>>),
    (c"dirty", methods::meth_dirty::<datagram::DgramObject<Udp>>),
    (c"getfamily", meth_getfamily),
    (c"getfd", methods::meth_getfd::<datagram::DgramObject<Udp>>),
    (
        c"getoption",
        methods::meth_getoption::<datagram::DgramObject<Udp>>,
    ),
    (c"getpeername", meth_getpeername),
    (c"getsockname", meth_getsockname),
    (
        c"gettimeout",
        methods::meth_gettimeout::<datagram::DgramObject<Udp>>,
    ),
    (c"receive", datagram::meth_receive::<Udp>),
    (c"receivefrom", meth_receivefrom),
    (c"send", datagram::meth_send::<Udp>),
    (c"sendto", meth_sendto),
    (c"setfd", methods::meth_setfd::<datagram::DgramObject<Udp>>),
    (
        c"setoption",
        methods::meth_setoption::<datagram::DgramObject<Udp>>,
    ),
    (c"setpeername", meth_setpeername),
    (c"setsockname", meth_setsockname),
    (
        c"settimeout",
        methods::meth_settimeout::<datagram::DgramObject<Udp>>,
    ),
];

/// Registers the classes and puts `udp`, `udp4`, `udp6` in the table on top.
pub(crate) fn open(s: &State) {
    datagram::register::<Udp>();
    for name in [Udp::CONNECTED, Udp::UNCONNECTED] {
        class::new_class(s, name, METHODS);
        class::add_to_group(s, name, Udp::ANY);
        class::add_to_group(s, name, c"select{able}");
    }
    let funcs: &[Method] = &[
        (c"udp", global_udp),
        (c"udp4", global_udp4),
        (c"udp6", global_udp6),
    ];
    s.set_functions(funcs);
}

fn create(s: &State, family: Family) -> Ret {
    match crate::state::with_descriptor(s, || Sock::new(Kind::Datagram, family))? {
        Ok(sock) => {
            datagram::push::<Udp>(s, sock);
            Ok(1)
        }
        Err(e) => Ok(crate::results::fail(s, &e)),
    }
}

lua_fn!(global_udp, udp_unspec);
fn udp_unspec(s: &State) -> Ret {
    create(s, Family::Unspec)
}

lua_fn!(global_udp4, udp_inet);
fn udp_inet(s: &State) -> Ret {
    create(s, Family::Inet)
}

lua_fn!(global_udp6, udp_inet6);
fn udp_inet6(s: &State) -> Ret {
    create(s, Family::Inet6)
}

lua_fn!(meth_getfamily, getfamily_impl);
fn getfamily_impl(s: &State) -> Ret {
    let t = datagram::any::<Udp>(s)?;
    Ok(crate::results::push_family(s, t.sock.family()))
}

lua_fn!(meth_getpeername, getpeername_impl);
fn getpeername_impl(s: &State) -> Ret {
    let t = datagram::of_class::<Udp>(s, Udp::CONNECTED)?;
    let r = t.sock.peer_addr();
    Ok(crate::results::push_address(s, r, t.sock.family()))
}

lua_fn!(meth_getsockname, getsockname_impl);
fn getsockname_impl(s: &State) -> Ret {
    let t = datagram::any::<Udp>(s)?;
    let r = t.sock.local_addr();
    Ok(crate::results::push_address(s, r, t.sock.family()))
}

lua_fn!(meth_receivefrom, receivefrom_impl);
/// `receivefrom([size])`: `datagram, ip, port`.
fn receivefrom_impl(s: &State) -> Ret {
    let t = datagram::of_class::<Udp>(s, Udp::UNCONNECTED)?;
    receive_with(s, t, true, |s, data, peer| {
        s.push_bytes(data);
        match peer {
            Some(Peer::Inet(addr)) => {
                s.push_bytes(addr.ip().to_string().as_bytes());
                s.push_integer(i64::from(addr.port()));
            }
            _ => {
                s.push_nil();
                s.push_nil();
            }
        }
        3
    })
}

lua_fn!(meth_sendto, sendto_impl);
/// `sendto(datagram, ip, port)`: numeric addresses only.
fn sendto_impl(s: &State) -> Ret {
    let t = datagram::of_class::<Udp>(s, Udp::UNCONNECTED)?;
    let data = s.check_bytes(2)?;
    let ip = s.check_bytes(3)?;
    let port = s.check_bytes(4)?;
    t.tm.mark_start();
    let r = crate::state::with_descriptor(s, || t.sock.send_to(data, ip, port, &t.tm))?;
    crate::results::sent(s, r)
}

lua_fn!(meth_setpeername, setpeername_impl);
/// `setpeername(address, port)` connects; `setpeername("*")` disconnects.
fn setpeername_impl(s: &State) -> Ret {
    let t = datagram::any::<Udp>(s)?;
    let host = s.check_bytes(2)?;
    if host == b"*" {
        t.sock.disconnect();
        class::set_class::<crate::datagram::DgramObject<Udp>>(s, 1, Udp::UNCONNECTED);
        return ok(s);
    }
    let port = s.check_bytes(3)?;
    t.tm.mark_start();
    match crate::state::with_descriptor(s, || t.sock.connect(host, port, &mut t.tm))? {
        Ok(()) => {
            class::set_class::<crate::datagram::DgramObject<Udp>>(s, 1, Udp::CONNECTED);
            ok(s)
        }
        Err(e) => Ok(crate::results::fail(s, &e)),
    }
}

lua_fn!(meth_setsockname, setsockname_impl);
/// `setsockname(address, port)`; `"*"` is the wildcard address.
fn setsockname_impl(s: &State) -> Ret {
    let t = datagram::of_class::<Udp>(s, Udp::UNCONNECTED)?;
    let host = s.check_bytes(2)?;
    let port = s.check_bytes(3)?;
    t.tm.mark_start();
    let r = crate::state::with_descriptor(s, || t.sock.bind(host, port, &t.tm))?;
    done(s, r)
}
