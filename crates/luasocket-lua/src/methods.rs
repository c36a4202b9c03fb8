//! The methods every socket object has, stream or datagram alike (`getfd`, `setfd`,
//! `dirty`, `gettimeout`, `settimeout`, `getoption`, `setoption`, `close`, `__gc`,
//! `__tostring`), written once over the [`Handle`] and [`Options`] traits that
//! `stream.rs` and `datagram.rs` implement.
//!
//! Names: `meth_*` are methods (LuaSocket's split); module functions are `global_*`.

use std::ffi::CStr;

use luasocket_io::{Error, Timeout};
use luasocket_net::{Opt, OptValue, RawFd};

use crate::class::{self, Selectable};
use crate::options::{option_arg, option_value, push_option};
use crate::results::{done, ok};
use crate::state::{lua_fn, Raise, Ret, State};

/// What every socket object holds: a descriptor and a timeout.
pub(crate) trait Handle: Selectable {
    /// The group all classes of this object belong to (`tcp{any}`).
    const ANY: &'static CStr;
    /// The descriptor, or -1 once closed.
    fn fd(&self) -> RawFd;
    /// Adopts `fd` without closing the current descriptor.
    ///
    /// # Safety
    ///
    /// As `luasocket_net::Sock::set_fd`: the caller hands `fd` over.
    #[allow(unsafe_code)]
    unsafe fn set_fd(&mut self, fd: RawFd);
    /// Closes the descriptor and lets go of buffers.
    fn close(&mut self);
    /// Whether received data waits in the object's buffer.
    fn dirty(&self) -> bool;
    /// The object's timeout.
    fn timeout(&mut self) -> &mut Timeout;
}

/// Objects with socket options.
pub(crate) trait Options: Handle {
    /// `getoption` names.
    const GET_OPTIONS: &'static [(&'static str, Opt)];
    /// `setoption` names.
    const SET_OPTIONS: &'static [(&'static str, Opt)];
    /// Reads an option from the system.
    fn option(&self, opt: Opt) -> Result<OptValue, Error>;
    /// Sets an option in the system.
    fn set_option(&mut self, opt: Opt, value: OptValue) -> Result<(), Error>;
    /// The object's `max-line-length` setting, for objects with a line reader.
    fn max_line(&mut self) -> Option<&mut Option<usize>> {
        None
    }
}

/// Our one option that is not the operating system's: the longest line `receive("*l")`
/// accepts (`nil` or a negative number: no limit, the default).
const MAX_LINE: &[u8] = b"max-line-length";

/// The object at argument 1, of any class of its group.
pub(crate) fn any<H: Handle>(s: &State) -> Result<&mut H, Raise> {
    class::check_group::<H>(s, 1, H::ANY)
}

lua_fn!(meth_tostring, class::tostring);

lua_fn!(meth_close<H: Handle>, close);
fn close<H: Handle>(s: &State) -> Ret {
    any::<H>(s)?.close();
    ok(s)
}

lua_fn!(meth_dirty<H: Handle>, dirty);
fn dirty<H: Handle>(s: &State) -> Ret {
    let dirty = any::<H>(s)?.dirty();
    s.push_bool(dirty);
    Ok(1)
}

lua_fn!(meth_getfd<H: Handle>, getfd);
fn getfd<H: Handle>(s: &State) -> Ret {
    let fd = any::<H>(s)?.fd();
    s.push_number(f64::from(fd));
    Ok(1)
}

lua_fn!(meth_setfd<H: Handle>, setfd);
fn setfd<H: Handle>(s: &State) -> Ret {
    let t = any::<H>(s)?;
    let fd = crate::args::descriptor_arg(s, 2)?;
    // SAFETY: LuaSocket's contract for setfd: the caller hands the descriptor over (or
    // passes -1 to detach); `descriptor_arg` checked that it is open.
    #[allow(unsafe_code)]
    unsafe {
        t.set_fd(fd)
    };
    Ok(0)
}

lua_fn!(meth_gettimeout<H: Handle>, gettimeout);
fn gettimeout<H: Handle>(s: &State) -> Ret {
    let t = any::<H>(s)?;
    Ok(crate::results::push_timeout(s, t.timeout()))
}

lua_fn!(meth_settimeout<H: Handle>, settimeout);
fn settimeout<H: Handle>(s: &State) -> Ret {
    let t = any::<H>(s)?;
    crate::args::set_timeout(s, t.timeout())
}

lua_fn!(meth_getoption<H: Options>, getoption);
fn getoption<H: Options>(s: &State) -> Ret {
    let t = any::<H>(s)?;
    if s.to_bytes(2) == Some(MAX_LINE) {
        if let Some(limit) = t.max_line() {
            match *limit {
                Some(n) => s.push_number(n as f64),
                None => s.push_nil(),
            }
            return Ok(1);
        }
    }
    let opt = option_arg(s, H::GET_OPTIONS)?;
    match t.option(opt) {
        Ok(v) => {
            push_option(s, &v);
            Ok(1)
        }
        Err(e) => Ok(crate::results::fail(s, &e)),
    }
}

lua_fn!(meth_setoption<H: Options>, setoption);
fn setoption<H: Options>(s: &State) -> Ret {
    let t = any::<H>(s)?;
    if s.to_bytes(2) == Some(MAX_LINE) {
        if let Some(limit) = t.max_line() {
            let n = s.to_number(3).unwrap_or(-1.0);
            *limit = (n >= 0.0).then_some(n as usize);
            return ok(s);
        }
    }
    let opt = option_arg(s, H::SET_OPTIONS)?;
    let value = option_value(s, opt)?;
    let r = t.set_option(opt, value);
    done(s, r)
}
