//! `socket.poll.core`: the native half of `socket.poll` (`luasocket_net::Poller`), an
//! interest set of descriptors named by integer tokens. `socket.poll` keeps the objects
//! behind the tokens, their buffered data (`dirty`) and the reports not yet handed out.

use std::ffi::CStr;
use std::time::Duration;

use luasocket_net::{Event, Poller};

use crate::class::{self, Class, Method};
use crate::methods;
use crate::results::ok;
use crate::state::{lua_fn, Raise, Ret, State};

/// The class of pollers.
const POLLER: &CStr = c"poll{core}";

struct PollerObject {
    poller: Poller,
    /// Reports of the last wait, reused between waits.
    events: Vec<Event>,
}

impl Class for PollerObject {
    const TAG: u64 = 0x4c53_5f50_4f4c_0001;
}

/// Opens `socket.poll.core` and leaves its table on the stack.
pub(crate) fn open(s: &State) -> Ret {
    let methods: &[Method] = &[
        (c"__gc", class::meth_gc::<PollerObject>),
        (c"__tostring", methods::meth_tostring),
        (c"add", meth_add),
        (c"backend", meth_backend),
        (c"close", meth_close),
        (c"del", meth_del),
        (c"getfd", meth_getfd),
        (c"set", meth_set),
        (c"wait", meth_wait),
    ];
    class::new_class(s, POLLER, methods);
    s.new_table(0, 4);
    s.set_functions(&[(c"new", global_new)]);
    for (name, value) in [
        (c"EEXIST", Poller::EEXIST),
        (c"ENOENT", Poller::ENOENT),
        (c"EBADF", Poller::EBADF),
    ] {
        s.push_integer(i64::from(value));
        s.set_field(-2, name);
    }
    Ok(1)
}

lua_fn!(global_new, new);
/// `new([backend])`: a poller on epoll where the system has it (or `"poll"`: on
/// `poll(2)`), or `nil, message`.
fn new(s: &State) -> Ret {
    let poller = match s.check_option(1, b"default", &["default", "epoll", "poll"])? {
        2 => Poller::with_poll(),
        which => match Poller::new() {
            Ok(p) if which == 1 && p.backend() != "epoll" => {
                return Ok(crate::results::fail_word(s, "epoll is not available here"))
            }
            Ok(p) => p,
            Err(e) => return Ok(crate::results::fail(s, &e)),
        },
    };
    class::push_new(
        s,
        PollerObject {
            poller,
            events: Vec::new(),
        },
        POLLER,
    );
    Ok(1)
}

/// Pushes `nil, message, errno` (errno when the system gave one), as Prosody's util.poll.
fn failure(s: &State, e: &luasocket_io::Error) -> Ret {
    crate::results::fail(s, e);
    match Poller::errno(e) {
        Some(n) => {
            s.push_integer(i64::from(n));
            Ok(3)
        }
        None => Ok(2),
    }
}

fn this(s: &State) -> Result<&mut PollerObject, Raise> {
    class::check_object::<PollerObject>(s, 1, POLLER)
}

/// The descriptor number at `idx` (-1, which the system refuses, for one out of range).
fn descriptor(s: &State, idx: i32) -> Result<i32, Raise> {
    Ok(i32::try_from(s.check_integer(idx)?).unwrap_or(-1))
}

/// The descriptor and token at 2 and 3, and the directions at 4 and 5.
fn registration(s: &State) -> Result<(i32, u64, bool, bool), Raise> {
    let fd = descriptor(s, 2)?;
    let token = s.check_integer(3)?;
    Ok((fd, token as u64, s.to_boolean(4), s.to_boolean(5)))
}

lua_fn!(meth_add, add_impl);
/// `p:add(fd, token, read, write)`: `true`, or `nil, message, errno`.
fn add_impl(s: &State) -> Ret {
    register(s, Poller::add)
}

lua_fn!(meth_set, set_impl);
/// `p:set(fd, token, read, write)`: `true`, or `nil, message, errno`.
fn set_impl(s: &State) -> Ret {
    register(s, Poller::modify)
}

/// `add` and `set`: `op` with the registration at 2 to 5.
fn register(
    s: &State,
    op: fn(&mut Poller, i32, u64, bool, bool) -> Result<(), luasocket_io::Error>,
) -> Ret {
    let p = this(s)?;
    let (fd, token, read, write) = registration(s)?;
    match op(&mut p.poller, fd, token, read, write) {
        Ok(()) => ok(s),
        Err(e) => failure(s, &e),
    }
}

lua_fn!(meth_del, del_impl);
/// `p:del(fd, token)`: `true`, or `nil, message, errno`; `fd` is `nil` for a descriptor closed
/// since it was added.
fn del_impl(s: &State) -> Ret {
    let p = this(s)?;
    let fd = if s.is_none_or_nil(2) {
        None
    } else {
        Some(descriptor(s, 2)?)
    };
    let token = s.check_integer(3)? as u64;
    match p.poller.delete(fd, token) {
        Ok(()) => ok(s),
        Err(e) => failure(s, &e),
    }
}

lua_fn!(meth_wait, wait_impl);
/// `p:wait(timeout, list)`: waits at most `timeout` seconds (`nil` or negative: no
/// limit), stores each report as three entries of `list` (token, readable, writable)
/// from index 1, and returns how many reports; or `nil, "timeout"`, `nil, "signal"`
/// (a signal ended the wait) or `nil, message`.
fn wait_impl(s: &State) -> Ret {
    let p = this(s)?;
    let t = s.opt_number(2, -1.0)?;
    if s.type_of(3) != mlua::ffi::LUA_TTABLE {
        return Err(s.type_error(3, "table"));
    }
    let timeout = (t >= 0.0).then(|| Duration::try_from_secs_f64(t).unwrap_or(Duration::MAX));
    p.events.clear();
    match p.poller.wait(timeout, &mut p.events) {
        Ok(0) => Ok(crate::results::fail_word(s, "timeout")),
        Ok(n) => {
            let mut i = 0;
            for e in &p.events {
                s.push_integer(e.token as i64);
                s.raw_set_i(3, i + 1);
                s.push_bool(e.readable);
                s.raw_set_i(3, i + 2);
                s.push_bool(e.writable);
                s.raw_set_i(3, i + 3);
                i += 3;
            }
            s.push_integer(n as i64);
            Ok(1)
        }
        Err(e) if Poller::interrupted(&e) => Ok(crate::results::fail_word(s, "signal")),
        Err(e) => Ok(crate::results::fail(s, &e)),
    }
}

lua_fn!(meth_getfd, getfd_impl);
/// `p:getfd()`: the epoll descriptor, or -1.
fn getfd_impl(s: &State) -> Ret {
    let p = this(s)?;
    s.push_integer(i64::from(p.poller.fd()));
    Ok(1)
}

lua_fn!(meth_backend, backend_impl);
/// `p:backend()`: `"epoll"` or `"poll"`.
fn backend_impl(s: &State) -> Ret {
    let p = this(s)?;
    s.push_bytes(p.poller.backend().as_bytes());
    Ok(1)
}

lua_fn!(meth_close, close_impl);
/// `p:close()`: releases the epoll descriptor; `1`.
fn close_impl(s: &State) -> Ret {
    this(s)?.poller.close();
    s.push_integer(1);
    Ok(1)
}
