//! `socket.core`: the module table, its constants and functions, and helpers shared by
//! the socket classes.

use std::net::SocketAddr;
use std::os::raw::c_int;
use std::time::Duration;

use luasocket_io::{Error, Timeout};
use luasocket_net::Family;

use crate::state::{lua_fn, Raise, Ret, State};

/// The version string callers check (`socket._VERSION`), as C LuaSocket 3.1 reports it.
pub(crate) const VERSION: &str = "LuaSocket 3.1.0";

/// `newtry` and `protect`, written in Lua so protected functions may yield.
const EXCEPT_LUA: &str = include_str!("lua/except.lua");

/// Opens `socket.core` on `s` and leaves its table on the stack.
pub(crate) fn open(s: &State) -> Ret {
    // A loadable module does what C's socket.core does on load; a Rust host that embeds
    // the library decides for itself (`crate::ignore_sigpipe`).
    #[cfg(feature = "module")]
    luasocket_net::ignore_sigpipe();
    s.new_table(0, 32);
    s.push_bytes(VERSION.as_bytes());
    s.set_field(-2, c"_VERSION");
    s.push_integer(i64::from(luasocket_net::descriptor_limit()));
    s.set_field(-2, c"_SETSIZE");
    s.push_integer(i64::from(luasocket_net::SOCKET_INVALID));
    s.set_field(-2, c"_SOCKETINVALID");
    s.push_integer(8192);
    s.set_field(-2, c"_DATAGRAMSIZE");
    if debug_timing() {
        s.push_bool(true);
        s.set_field(-2, c"_DEBUG");
    }
    let funcs: &[crate::class::Method] = &[
        (c"__unload", unload),
        (c"gettime", gettime),
        (c"select", crate::select::select),
        (c"skip", skip),
        (c"sleep", sleep),
    ];
    s.set_functions(funcs);
    crate::dns::open(s);
    crate::tcp::open(s);
    crate::udp::open(s);
    // except.lua returns a table with newtry and protect; copy them in.
    s.load(EXCEPT_LUA, c"=[socket.core] except")?;
    s.pcall(0, 1)?;
    for name in [c"newtry", c"protect"] {
        s.get_field(-1, name);
        s.set_field(-3, name);
    }
    s.pop(1);
    Ok(1)
}

/// Whether `send` and `receive` add the seconds they took as a last result, and
/// `socket._DEBUG` is true: C LuaSocket's `LUASOCKET_DEBUG` build, which upstream's
/// `test/testclnt.lua` needs. Ours reads it from the environment variable
/// `LUASOCKET_DEBUG` (any value but empty or `0`) once, so no rebuild is needed.
pub(crate) fn debug_timing() -> bool {
    static DEBUG: std::sync::OnceLock<bool> = std::sync::OnceLock::new();
    *DEBUG.get_or_init(|| {
        std::env::var_os("LUASOCKET_DEBUG").is_some_and(|v| !v.is_empty() && v != "0")
    })
}

/// Runs `f`, which may make a descriptor. If the process has none left and this is the
/// body's first run, asks the C function's shim ([`Raise::Collect`]) for a full garbage
/// collection, which closes the sockets Lua code dropped without `close`, and for one more
/// run of the whole body. C LuaSocket has no such retry; ours has it because a socket's
/// kernel side costs more than the collector can see. Use it with `?`, before anything
/// the body must not do twice.
pub(crate) fn with_descriptor<T>(
    s: &State,
    f: impl FnOnce() -> Result<T, Error>,
) -> Result<Result<T, Error>, Raise> {
    match f() {
        Err(e) if luasocket_net::out_of_descriptors(&e) && !s.retried() => Err(Raise::Collect),
        other => Ok(other),
    }
}

lua_fn!(unload, unload_impl);
fn unload_impl(_s: &State) -> Ret {
    Ok(0)
}

lua_fn!(gettime, gettime_impl);
/// `socket.gettime()`: seconds since the epoch, as a float.
fn gettime_impl(s: &State) -> Ret {
    s.push_number(luasocket_io::wall_clock());
    Ok(1)
}

lua_fn!(sleep, sleep_impl);
/// `socket.sleep(seconds)`: negative and NaN sleep not at all; capped at `INT_MAX`.
fn sleep_impl(s: &State) -> Ret {
    let n = s.check_number(1)?;
    let n = if n.is_nan() || n < 0.0 {
        0.0
    } else {
        n.min(f64::from(i32::MAX))
    };
    std::thread::sleep(Duration::from_secs_f64(n));
    Ok(0)
}

lua_fn!(skip, skip_impl);
/// `socket.skip(n, ...)`: returns the arguments after the first `n` of `...`.
fn skip_impl(s: &State) -> Ret {
    let amount = s.check_integer(1)?;
    let top = i64::from(s.top());
    // Never more values than were passed (C LuaSocket reads past the stack for n < 0).
    let ret = (top - 1).saturating_sub(amount).clamp(0, top);
    Ok(ret as c_int)
}

/// Checks the argument of `setfd` at `idx`: a negative number detaches; anything else
/// must name an open descriptor.
pub(crate) fn descriptor_arg(s: &State, idx: c_int) -> Result<luasocket_net::RawFd, Raise> {
    let n = s.check_number(idx)?;
    let bad = |msg: &str| Raise::Arg(idx, msg.into());
    if n.is_nan() {
        return Err(bad("invalid descriptor"));
    }
    if n < 0.0 {
        return Ok(luasocket_net::SOCKET_INVALID);
    }
    if n > f64::from(i32::MAX) {
        return Err(bad("invalid descriptor"));
    }
    let fd = n as luasocket_net::RawFd;
    if luasocket_net::is_open(fd) {
        Ok(fd)
    } else {
        Err(bad("descriptor is not open"))
    }
}

/// The optional family argument at `idx` (`"unspec"`, `"inet"`, `"inet6"`).
pub(crate) fn family_arg(s: &State, idx: c_int) -> Result<Family, Raise> {
    Ok(
        match s.check_option(idx, b"unspec", &["unspec", "inet", "inet6"])? {
            1 => Family::Inet,
            2 => Family::Inet6,
            _ => Family::Unspec,
        },
    )
}

/// `getfamily()`: `"inet6"` for IPv6 sockets, else `"inet4"` (LuaSocket's words).
pub(crate) fn push_family(s: &State, family: Family) -> c_int {
    let name: &[u8] = if family == Family::Inet6 {
        b"inet6"
    } else {
        b"inet4"
    };
    s.push_bytes(name);
    1
}

/// Pushes `ip, port, family` for `getsockname`/`getpeername`, or `nil, message`.
pub(crate) fn push_address(s: &State, r: Result<SocketAddr, Error>, family: Family) -> c_int {
    match r {
        Ok(addr) => {
            s.push_bytes(addr.ip().to_string().as_bytes());
            s.push_integer(i64::from(addr.port()));
            let family = if family == Family::Unspec {
                Family::of(&addr)
            } else {
                family
            };
            s.push_bytes(family.name().as_bytes());
            3
        }
        Err(e) => s.push_fail(&e),
    }
}

/// `gettimeout()`: the block and total timeouts.
pub(crate) fn push_timeout(s: &State, tm: &Timeout) -> c_int {
    s.push_number(tm.block());
    s.push_number(tm.total());
    2
}

/// `settimeout([t [, mode]])`.
pub(crate) fn set_timeout(s: &State, tm: &mut Timeout) -> Ret {
    let t = s.opt_number(2, -1.0)?;
    let mode = s.opt_bytes(3, b"b")?;
    match mode.first() {
        Some(b'b') => tm.set_block(t),
        Some(b'r' | b't') => tm.set_total(t),
        _ => return Err(Raise::Arg(3, "invalid timeout mode".into())),
    }
    s.push_number(1.0);
    Ok(1)
}
