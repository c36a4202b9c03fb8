//! `socket.select(recvt, sendt [, timeout])` on `poll(2)`: LuaSocket's calling shape with
//! no descriptor limit, at a cost linear in the number of sockets passed.

use std::collections::HashSet;
use std::os::raw::c_int;
use std::time::Duration;

use luasocket_net::{PollFd, RawFd};
use mlua::ffi;

use crate::state::{lua_fn, Raise, Ret, State};
use crate::words::Word;

const RECVT: c_int = 1;
const SENDT: c_int = 2;
const OBJS: c_int = 4;
const RTAB: c_int = 5;
const WTAB: c_int = 6;

/// Where an object passed to select sits: its table and position, and, when that table
/// has an `__index` metamethod (so reading it again could differ), its slot in `OBJS`.
#[derive(Clone, Copy)]
struct Origin {
    tab: c_int,
    index: i64,
    slot: Option<i64>,
    /// The object's identity, to check a re-read (a foreign `getfd` may have edited the
    /// table meanwhile; then the object is left out rather than mistaken).
    id: *const std::ffi::c_void,
    /// Its descriptor: a result table holds each descriptor once, as C LuaSocket's does.
    fd: RawFd,
}

lua_fn!(global_select, select_impl);
fn select_impl(s: &State) -> Ret {
    let probes = crate::class::probes();
    let t = s.opt_number(3, -1.0)?;
    s.set_top(3);
    for tab in [RECVT, SENDT] {
        if !s.is_none_or_nil(tab) && s.type_of(tab) != ffi::LUA_TTABLE {
            return Err(s.type_error(tab, "table"));
        }
    }
    s.new_table(0, 0); // OBJS: objects read through __index, by slot
                       // One poll entry per object and direction: poll(2) takes repeated descriptors, so a
                       // socket in both tables (or twice in one) needs no merging.
    let mut fds: Vec<PollFd> = Vec::new();
    let mut origins: Vec<Origin> = Vec::new();
    let mut dirty: Vec<Origin> = Vec::new();
    let mut slots = 0i64;
    for tab in [RECVT, SENDT] {
        if s.is_none_or_nil(tab) {
            continue;
        }
        let plain = !s.has_metatable(tab);
        let mut i = 1i64;
        loop {
            // Element i, honouring an __index metamethod of the table (as LuaSocket does)
            // under pcall, so that a failing one is an ordinary Lua error.
            if plain {
                s.raw_get_i(tab, i);
            } else {
                s.index_protected(tab, |s| s.push_integer(i))?;
            }
            if s.is_none_or_nil(-1) {
                s.pop(1);
                break;
            }
            let info = match probes.readiness(s, -1) {
                Some(info) => info,
                None => foreign_info(s, tab == RECVT)?,
            };
            if let Some((fd, is_dirty)) = info {
                let mut origin = Origin {
                    tab,
                    index: i,
                    slot: None,
                    id: s.to_pointer(-1),
                    fd,
                };
                if !plain {
                    slots += 1;
                    s.push_value(-1);
                    s.raw_set_i(OBJS, slots);
                    origin.slot = Some(slots);
                }
                if is_dirty && tab == RECVT {
                    dirty.push(origin);
                } else {
                    fds.push(PollFd::new(fd, tab == RECVT, tab == SENDT));
                    origins.push(origin);
                }
            }
            s.pop(1);
            i += 1;
        }
    }
    // A NaN timeout is no wait at all, as in C LuaSocket.
    let timeout = if !dirty.is_empty() || t.is_nan() {
        Some(Duration::ZERO)
    } else if t < 0.0 {
        None
    } else {
        Duration::try_from_secs_f64(t).ok()
    };
    let ready = match luasocket_net::poll(&mut fds, timeout) {
        Ok(n) => n,
        Err(_) => return Err(Raise::Msg(Word::SelectFailed.into())),
    };
    s.new_table(dirty.len() as c_int, 0); // RTAB
    s.new_table(0, 0); // WTAB
    let (mut nr, mut nw) = (0i64, 0i64);
    // The descriptors already in each result table. A set, not a bitmap: a foreign
    // object's getfd may name any descriptor up to INT_MAX.
    let (mut seen_r, mut seen_w) = (HashSet::new(), HashSet::new());
    for origin in &dirty {
        if seen_r.insert(origin.fd) && add_result(s, RTAB, nr + 1, origin) {
            nr += 1;
        }
    }
    if ready > 0 {
        for (p, origin) in fds.iter().zip(&origins) {
            if p.readable() {
                if seen_r.insert(origin.fd) && add_result(s, RTAB, nr + 1, origin) {
                    nr += 1;
                }
            } else if p.writable()
                && seen_w.insert(origin.fd)
                && add_result(s, WTAB, nw + 1, origin)
            {
                nw += 1;
            }
        }
    }
    if ready == 0 && dirty.is_empty() {
        crate::results::error(s, &luasocket_io::Error::Timeout);
        return Ok(3);
    }
    Ok(2)
}

/// `getfd()` and (for readers) `dirty()` of an object that is not one of ours (a LuaSec
/// or copas wrapper, a table with methods), called under pcall. `None` when `getfd` is
/// missing or returns no valid descriptor.
fn foreign_info(s: &State, reader: bool) -> Result<Option<(RawFd, bool)>, Raise> {
    s.method_protected(-1, b"getfd")?;
    let Some(fd) = fd_result(s) else {
        return Ok(None);
    };
    let mut is_dirty = false;
    if reader {
        s.method_protected(-1, b"dirty")?;
        is_dirty = s.to_boolean(-1);
        s.pop(1);
    }
    Ok(Some((fd, is_dirty)))
}

/// Pops `getfd()`'s result: a descriptor, or `None` for invalid ones (negative, huge, NaN,
/// not a number).
fn fd_result(s: &State) -> Option<RawFd> {
    let fd = s.to_number(-1);
    s.pop(1);
    let fd = fd?;
    (fd >= 0.0 && fd <= f64::from(i32::MAX)).then_some(fd as RawFd)
}

/// `t[n] = obj; t[obj] = n` for the object that came from `origin`; false if it is gone.
fn add_result(s: &State, tab: c_int, n: i64, origin: &Origin) -> bool {
    match origin.slot {
        Some(slot) => s.raw_get_i(OBJS, slot),
        None => s.raw_get_i(origin.tab, origin.index),
    };
    if s.is_none_or_nil(-1) || s.to_pointer(-1) != origin.id {
        s.pop(1);
        return false;
    }
    s.push_value(-1);
    s.raw_set_i(tab, n);
    s.push_integer(n);
    s.raw_set(tab);
    true
}
