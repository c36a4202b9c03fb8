//! `socket.core`: the module opener. It makes the module table with its constants and
//! functions (`gettime`, `sleep`, `skip`, `select`, `newtry`, `protect`) and opens the
//! classes and `socket.dns` into it. Nothing imports this module; what the classes share
//! lives in `args.rs`, `results.rs` and `methods.rs`.

use std::os::raw::c_int;
use std::time::Duration;

use mlua::ffi;

use crate::state::{lua_fn, Ret, State};

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
    preload_siblings(s);
    s.new_table(0, 32);
    s.push_bytes(VERSION.as_bytes());
    s.set_field(-2, c"_VERSION");
    s.push_integer(i64::from(luasocket_net::descriptor_limit()));
    s.set_field(-2, c"_SETSIZE");
    s.push_integer(i64::from(luasocket_net::SOCKET_INVALID));
    s.set_field(-2, c"_SOCKETINVALID");
    s.push_integer(8192);
    s.set_field(-2, c"_DATAGRAMSIZE");
    if crate::results::debug_timing() {
        s.push_bool(true);
        s.set_field(-2, c"_DEBUG");
    }
    let funcs: &[crate::class::Method] = &[
        (c"__unload", global_unload),
        (c"gettime", global_gettime),
        (c"select", crate::select::global_select),
        (c"skip", global_skip),
        (c"sleep", global_sleep),
    ];
    s.set_functions(funcs);
    crate::dns::open(s);
    crate::tcp::open(s);
    crate::udp::open(s);
    // except.lua returns a table with newtry and protect; copy them in.
    s.load(EXCEPT_LUA, c"=[socket.core] except")?;
    s.pcall(0, 1)?;
    for name in [c"newtry", c"protect"] {
        s.raw_field(-1, name);
        s.set_field(-3, name);
    }
    s.pop(1);
    Ok(1)
}

/// Puts the loaders of this library's other native modules (`mime.core`, `socket.unix`,
/// ...) in `package.preload`, where that has none of that name yet. So one file,
/// `socket/core.so`, serves every native module: an install tree ships the other names
/// as two-line Lua files that load `socket.core` and call these loaders, instead of a
/// copy of the library per name.
fn preload_siblings(s: &State) {
    let top = s.top();
    s.push_globals();
    if s.raw_field(-1, c"package") == ffi::LUA_TTABLE
        && s.raw_field(-1, c"preload") == ffi::LUA_TTABLE
    {
        for &(name, open) in crate::NATIVE_MODULES {
            if name == "socket.core" {
                continue;
            }
            s.push_bytes(name.as_bytes());
            s.raw_get(-2);
            let taken = !s.is_none_or_nil(-1);
            s.pop(1);
            if !taken {
                s.push_bytes(name.as_bytes());
                s.push_function(open);
                s.raw_set(-3);
            }
        }
    }
    s.set_top(top);
}

lua_fn!(global_unload, unload_impl);
fn unload_impl(_s: &State) -> Ret {
    Ok(0)
}

lua_fn!(global_gettime, gettime_impl);
/// `socket.gettime()`: seconds since the epoch, as a float.
fn gettime_impl(s: &State) -> Ret {
    s.push_number(luasocket_io::wall_clock());
    Ok(1)
}

lua_fn!(global_sleep, sleep_impl);
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

lua_fn!(global_skip, skip_impl);
/// `socket.skip(n, ...)`: returns the arguments after the first `n` of `...`.
fn skip_impl(s: &State) -> Ret {
    let amount = s.check_integer(1)?;
    let top = i64::from(s.top());
    // Never more values than were passed (C LuaSocket reads past the stack for n < 0).
    let ret = (top - 1).saturating_sub(amount).clamp(0, top);
    Ok(ret as c_int)
}
