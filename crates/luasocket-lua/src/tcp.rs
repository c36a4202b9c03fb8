//! The `tcp{master}`, `tcp{client}` and `tcp{server}` classes and `socket.tcp*`,
//! `socket.connect`.

use luasocket_io::{send_range, Buffer, Pattern, Timeout};
use luasocket_net::{
    Family, Opt, OptKind, OptValue, Shutdown, Tcp, TCP_GET_OPTIONS, TCP_SET_OPTIONS,
};
use mlua::ffi;

use crate::class::{self, Class, Method};
use crate::state::{lua_fn, Raise, Ret, State};

const MASTER: &std::ffi::CStr = c"tcp{master}";
const CLIENT: &std::ffi::CStr = c"tcp{client}";
const SERVER: &std::ffi::CStr = c"tcp{server}";
const ANY: &std::ffi::CStr = c"tcp{any}";

/// Capacity kept in the receive scratch buffer between calls.
const SCRATCH_KEEP: usize = 64 * 1024;

/// What a `tcp{...}` userdata holds.
pub(crate) struct TcpObject {
    tcp: Tcp,
    buf: Buffer,
    tm: Timeout,
    /// Reused for receive results so the hot path does not allocate.
    scratch: Vec<u8>,
}

impl Class for TcpObject {
    const TAG: u64 = 0x4c53_5f54_4350_0001;
}

impl TcpObject {
    fn new(tcp: Tcp) -> Self {
        TcpObject {
            tcp,
            buf: Buffer::new(),
            tm: Timeout::default(),
            scratch: Vec::new(),
        }
    }
}

/// The methods of every TCP class (LuaSocket's `tcp_methods[]`), sorted by name.
const METHODS: &[Method] = &[
    (c"__close", close),
    (c"__gc", gc),
    (c"__tostring", tostring),
    (c"accept", accept),
    (c"bind", bind),
    (c"close", close),
    (c"connect", connect),
    (c"dirty", dirty),
    (c"getfamily", getfamily),
    (c"getfd", getfd),
    (c"getoption", getoption),
    (c"getpeername", getpeername),
    (c"getsockname", getsockname),
    (c"getstats", getstats),
    (c"gettimeout", gettimeout),
    (c"listen", listen),
    (c"receive", receive),
    (c"send", send),
    (c"setfd", setfd),
    (c"setoption", setoption),
    (c"setpeername", connect),
    (c"setsockname", bind),
    (c"setstats", setstats),
    (c"settimeout", settimeout),
    (c"shutdown", shutdown),
];

/// Registers the classes and puts `tcp`, `tcp4`, `tcp6`, `connect` in the table on top.
pub(crate) fn open(s: &State) {
    for name in [MASTER, CLIENT, SERVER] {
        class::new_class(s, name, METHODS);
        class::add_to_group(s, name, ANY);
        class::add_to_group(s, name, c"select{able}");
    }
    let funcs: &[Method] = &[
        (c"connect", global_connect),
        (c"tcp", global_tcp),
        (c"tcp4", global_tcp4),
        (c"tcp6", global_tcp6),
    ];
    for (name, f) in funcs {
        s.push_function(*f);
        s.set_field(-2, name);
    }
}

fn create(s: &State, family: Family) -> Ret {
    match Tcp::new(family) {
        Ok(tcp) => {
            class::push_new(s, TcpObject::new(tcp), MASTER);
            Ok(1)
        }
        Err(e) => Ok(s.push_fail(&e)),
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
    let family = match s.check_option(5, b"unspec", &["unspec", "inet", "inet6"])? {
        1 => Family::Inet,
        2 => Family::Inet6,
        _ => Family::Unspec,
    };
    // The family argument narrows both the local and the remote lookup (C LuaSocket
    // applies it to the local one only, so `connect4` could still pick IPv6).
    let mut tcp = match Tcp::new(family) {
        Ok(t) => t,
        Err(e) => return Ok(s.push_fail(&e)),
    };
    if let Some(local) = local {
        if let Err(e) = tcp.bind(local, lport) {
            return Ok(s.push_fail(&e));
        }
    }
    let mut tm = Timeout::default();
    if let Err(e) = tcp.connect(host, port, &mut tm) {
        return Ok(s.push_fail(&e));
    }
    class::push_new(s, TcpObject::new(tcp), CLIENT);
    Ok(1)
}

lua_fn!(gc, gc_impl);
fn gc_impl(s: &State) -> Ret {
    class::collect::<TcpObject>(s, 1);
    Ok(0)
}

lua_fn!(tostring, class::tostring);

lua_fn!(close, close_impl);
fn close_impl(s: &State) -> Ret {
    let t = class::check_group::<TcpObject>(s, 1, ANY)?;
    t.tcp.close();
    t.scratch = Vec::new();
    s.push_number(1.0);
    Ok(1)
}

lua_fn!(accept, accept_impl);
fn accept_impl(s: &State) -> Ret {
    let server = class::check_class::<TcpObject>(s, 1, SERVER)?;
    server.tm.mark_start();
    match server.tcp.accept(&server.tm) {
        Ok(client) => {
            class::push_new(s, TcpObject::new(client), CLIENT);
            Ok(1)
        }
        Err(e) => Ok(s.push_fail(&e)),
    }
}

lua_fn!(bind, bind_impl);
fn bind_impl(s: &State) -> Ret {
    let t = class::check_class::<TcpObject>(s, 1, MASTER)?;
    let host = s.check_bytes(2)?;
    let port = s.check_bytes(3)?;
    match t.tcp.bind(host, port) {
        Ok(()) => {
            s.push_number(1.0);
            Ok(1)
        }
        Err(e) => Ok(s.push_fail(&e)),
    }
}

lua_fn!(connect, connect_method);
fn connect_method(s: &State) -> Ret {
    let t = class::check_group::<TcpObject>(s, 1, ANY)?;
    let host = s.check_bytes(2)?;
    let port = s.check_bytes(3)?;
    t.tm.mark_start();
    let result = t.tcp.connect(host, port, &mut t.tm);
    // The class changes even on failure: a non-blocking connect is under way.
    class::set_class(s, 1, CLIENT);
    match result {
        Ok(()) => {
            s.push_number(1.0);
            Ok(1)
        }
        Err(e) => Ok(s.push_fail(&e)),
    }
}

lua_fn!(dirty, dirty_impl);
fn dirty_impl(s: &State) -> Ret {
    let t = class::check_group::<TcpObject>(s, 1, ANY)?;
    s.push_bool(!t.buf.is_empty());
    Ok(1)
}

lua_fn!(getfamily, getfamily_impl);
fn getfamily_impl(s: &State) -> Ret {
    let t = class::check_group::<TcpObject>(s, 1, ANY)?;
    let name: &[u8] = if t.tcp.family() == Family::Inet6 {
        b"inet6"
    } else {
        b"inet4"
    };
    s.push_bytes(name);
    Ok(1)
}

lua_fn!(getfd, getfd_impl);
fn getfd_impl(s: &State) -> Ret {
    let t = class::check_group::<TcpObject>(s, 1, ANY)?;
    s.push_number(f64::from(t.tcp.fd()));
    Ok(1)
}

lua_fn!(setfd, setfd_impl);
fn setfd_impl(s: &State) -> Ret {
    let t = class::check_group::<TcpObject>(s, 1, ANY)?;
    let n = s.check_number(2)?;
    let fd = crate::core::descriptor_arg(n).map_err(|msg| Raise::Arg(2, msg.into()))?;
    // SAFETY: LuaSocket's contract for setfd: the caller hands the descriptor over (or
    // passes -1 to detach); `descriptor_arg` checked that it is open.
    #[allow(unsafe_code)]
    unsafe {
        t.tcp.set_fd(fd)
    };
    Ok(0)
}

lua_fn!(getoption, getoption_impl);
fn getoption_impl(s: &State) -> Ret {
    let t = class::check_group::<TcpObject>(s, 1, ANY)?;
    let opt = option_arg(s, TCP_GET_OPTIONS)?;
    match t.tcp.option(opt) {
        Ok(v) => {
            push_option(s, &v);
            Ok(1)
        }
        Err(e) => Ok(s.push_fail(&e)),
    }
}

lua_fn!(setoption, setoption_impl);
fn setoption_impl(s: &State) -> Ret {
    let t = class::check_group::<TcpObject>(s, 1, ANY)?;
    let opt = option_arg(s, TCP_SET_OPTIONS)?;
    let value = option_value(s, opt)?;
    match t.tcp.set_option(opt, value) {
        Ok(()) => {
            s.push_number(1.0);
            Ok(1)
        }
        Err(e) => Ok(s.push_fail(&e)),
    }
}

/// The option named by argument 2, from `table`.
pub(crate) fn option_arg(s: &State, table: &[(&str, Opt)]) -> Result<Opt, Raise> {
    let name = s.check_bytes(2)?;
    Opt::lookup(table, name).ok_or_else(|| {
        let shown: Vec<u8> = name.iter().copied().take(35).collect();
        Raise::Arg(
            2,
            format!("unsupported option `{}'", String::from_utf8_lossy(&shown)),
        )
    })
}

/// Argument 3 of `setoption`, in the shape `opt` takes.
pub(crate) fn option_value(s: &State, opt: Opt) -> Result<OptValue, Raise> {
    Ok(match opt.kind() {
        OptKind::Bool => OptValue::Bool(s.check_boolean(3)?),
        // LuaSocket reads integers with a bare lua_tonumber: nil and junk are 0.
        OptKind::Int => OptValue::Int(s.to_number(3).unwrap_or(0.0) as i32),
        OptKind::Device => OptValue::Bytes(s.check_bytes(3)?.to_vec()),
        OptKind::Linger => {
            if s.type_of(3) != ffi::LUA_TTABLE {
                return Err(s.type_error(3, "table"));
            }
            s.get_field(3, c"on");
            if s.type_of(-1) != ffi::LUA_TBOOLEAN {
                return Err(Raise::Arg(3, "boolean 'on' field expected".into()));
            }
            let on = s.to_boolean(-1);
            s.get_field(3, c"timeout");
            let Some(timeout) = s.to_number(-1) else {
                return Err(Raise::Arg(3, "number 'timeout' field expected".into()));
            };
            s.pop(2);
            OptValue::Linger {
                on,
                timeout: timeout as i32,
            }
        }
        _ => return Err(Raise::Arg(2, "option cannot be set".into())),
    })
}

/// Pushes an option's value as LuaSocket does.
pub(crate) fn push_option(s: &State, v: &OptValue) {
    match v {
        OptValue::Bool(b) => s.push_bool(*b),
        OptValue::Int(i) => s.push_number(f64::from(*i)),
        OptValue::Linger { on, timeout } => {
            s.new_table(0, 2);
            s.push_bool(*on);
            s.set_field(-2, c"on");
            s.push_integer(i64::from(*timeout));
            s.set_field(-2, c"timeout");
        }
        OptValue::Bytes(b) => s.push_bytes(b),
        OptValue::Error(Some(msg)) => s.push_bytes(msg.as_bytes()),
        _ => s.push_nil(),
    }
}

lua_fn!(getpeername, getpeername_impl);
fn getpeername_impl(s: &State) -> Ret {
    let t = class::check_group::<TcpObject>(s, 1, ANY)?;
    let r = t.tcp.peer_addr();
    Ok(crate::core::push_address(s, r, t.tcp.family()))
}

lua_fn!(getsockname, getsockname_impl);
fn getsockname_impl(s: &State) -> Ret {
    let t = class::check_group::<TcpObject>(s, 1, ANY)?;
    let r = t.tcp.local_addr();
    Ok(crate::core::push_address(s, r, t.tcp.family()))
}

lua_fn!(getstats, getstats_impl);
fn getstats_impl(s: &State) -> Ret {
    let t = class::check_class::<TcpObject>(s, 1, CLIENT)?;
    let st = t.buf.stats;
    s.push_number(st.received);
    s.push_number(st.sent);
    s.push_number(luasocket_io::wall_clock() - st.birthday);
    Ok(3)
}

lua_fn!(setstats, setstats_impl);
fn setstats_impl(s: &State) -> Ret {
    let t = class::check_class::<TcpObject>(s, 1, CLIENT)?;
    let st = &mut t.buf.stats;
    st.received = s.opt_number(2, st.received)?.trunc();
    st.sent = s.opt_number(3, st.sent)?.trunc();
    if let Some(age) = s.to_number(4) {
        st.birthday = luasocket_io::wall_clock() - age;
    }
    s.push_number(1.0);
    Ok(1)
}

lua_fn!(gettimeout, gettimeout_impl);
fn gettimeout_impl(s: &State) -> Ret {
    let t = class::check_group::<TcpObject>(s, 1, ANY)?;
    Ok(crate::core::push_timeout(s, &t.tm))
}

lua_fn!(settimeout, settimeout_impl);
fn settimeout_impl(s: &State) -> Ret {
    let t = class::check_group::<TcpObject>(s, 1, ANY)?;
    crate::core::set_timeout(s, &mut t.tm)
}

lua_fn!(listen, listen_impl);
fn listen_impl(s: &State) -> Ret {
    let t = class::check_class::<TcpObject>(s, 1, MASTER)?;
    // A saturating float-to-int cast: defined for NaN and huge values, unlike C's.
    let backlog = s.opt_number(2, 32.0)? as i32;
    match t.tcp.listen(backlog) {
        Ok(()) => {
            class::set_class(s, 1, SERVER);
            s.push_number(1.0);
            Ok(1)
        }
        Err(e) => Ok(s.push_fail(&e)),
    }
}

lua_fn!(receive, receive_impl);
/// `client:receive([pattern [, prefix]])`.
fn receive_impl(s: &State) -> Ret {
    let t = class::check_class::<TcpObject>(s, 1, CLIENT)?;
    let prefix = s.opt_bytes(3, b"")?;
    t.tm.mark_start();
    let pattern = if s.is_number(2) {
        let n = s.to_number(2).unwrap_or(-1.0);
        if n.is_nan() || n < 0.0 {
            return Err(Raise::Arg(2, "invalid receive pattern".into()));
        }
        // A float-to-int cast saturates: 1e300 asks for "everything", lazily allocated.
        let wanted = n as usize;
        if !prefix.is_empty() && wanted <= prefix.len() {
            s.push_bytes(prefix);
            s.push_nil();
            s.push_nil();
            return Ok(3);
        }
        Pattern::Bytes(wanted - prefix.len())
    } else {
        match s.opt_bytes(2, b"*l")? {
            [b'*', b'l', ..] => Pattern::Line,
            [b'*', b'a', ..] => Pattern::All,
            _ => return Err(Raise::Arg(2, "invalid receive pattern".into())),
        }
    };
    let mut out = std::mem::take(&mut t.scratch);
    out.clear();
    out.extend_from_slice(prefix);
    let result = t.buf.receive(&mut t.tcp, &t.tm, pattern, &mut out);
    let n = match result {
        Ok(()) => {
            s.push_bytes(&out);
            s.push_nil();
            s.push_nil();
            3
        }
        Err(e) => {
            s.push_nil();
            s.push_error(&e);
            s.push_bytes(&out);
            3
        }
    };
    if out.capacity() > SCRATCH_KEEP {
        out = Vec::new();
    }
    t.scratch = out;
    Ok(n)
}

lua_fn!(send, send_impl);
/// `client:send(data [, i [, j]])`.
fn send_impl(s: &State) -> Ret {
    let t = class::check_class::<TcpObject>(s, 1, CLIENT)?;
    let data = s.check_bytes(2)?;
    let i = s.opt_number(3, 1.0)? as i64;
    let j = s.opt_number(4, -1.0)? as i64;
    t.tm.mark_start();
    let (range, base) = send_range(data.len(), i, j);
    let (sent, err) = t.buf.send(&mut t.tcp, &t.tm, &data[range]);
    let last = (base + sent as i64) as f64;
    match err {
        None => {
            s.push_number(last);
            s.push_nil();
            s.push_nil();
        }
        Some(e) => {
            s.push_nil();
            s.push_error(&e);
            s.push_number(last);
        }
    }
    Ok(3)
}

lua_fn!(shutdown, shutdown_impl);
fn shutdown_impl(s: &State) -> Ret {
    let t = class::check_class::<TcpObject>(s, 1, CLIENT)?;
    let how = match s.check_option(2, b"both", &["receive", "send", "both"])? {
        0 => Shutdown::Receive,
        1 => Shutdown::Send,
        _ => Shutdown::Both,
    };
    t.tcp.shutdown(how);
    s.push_number(1.0);
    Ok(1)
}

/// For `socket.select`: the descriptor and dirtiness of one of our TCP objects at `idx`,
/// read directly instead of through Lua method calls. `None` when the object is not ours;
/// `Some(None)` when it is but has no descriptor.
#[allow(clippy::option_option)]
pub(crate) fn select_info(
    s: &State,
    idx: std::os::raw::c_int,
) -> Option<Option<(luasocket_net::RawFd, bool)>> {
    let t = class::peek::<TcpObject>(s, idx)?;
    let fd = t.tcp.fd();
    Some((fd >= 0).then_some((fd, !t.buf.is_empty())))
}
