//! Argument checks shared by the socket classes: descriptors, address families,
//! timeouts. Each returns LuaSocket's words in a `Raise::Arg` (`bad argument #n ...`).

use std::os::raw::c_int;

use luasocket_io::Timeout;
use luasocket_net::Family;

use crate::state::{Raise, Ret, State};
use crate::words::Word;

/// Checks the argument of `setfd` at `idx`: a negative number detaches; anything else
/// must name an open descriptor.
pub(crate) fn descriptor_arg(s: &State, idx: c_int) -> Result<luasocket_net::RawFd, Raise> {
    let n = s.check_number(idx)?;
    let bad = |word: Word| Raise::Arg(idx, word.into());
    if n.is_nan() {
        return Err(bad(Word::InvalidDescriptor));
    }
    if n < 0.0 {
        return Ok(luasocket_net::SOCKET_INVALID);
    }
    if n > f64::from(i32::MAX) {
        return Err(bad(Word::InvalidDescriptor));
    }
    let fd = n as luasocket_net::RawFd;
    if luasocket_net::is_open(fd) {
        Ok(fd)
    } else {
        Err(bad(Word::DescriptorNotOpen))
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

/// `settimeout([t [, mode]])`.
pub(crate) fn set_timeout(s: &State, tm: &mut Timeout) -> Ret {
    let t = s.opt_number(2, -1.0)?;
    let mode = s.opt_bytes(3, b"b")?;
    match mode.first() {
        Some(b'b') => tm.set_block(t),
        Some(b'r' | b't') => tm.set_total(t),
        _ => return Err(Raise::Arg(3, Word::InvalidTimeoutMode.into())),
    }
    s.push_number(1.0);
    Ok(1)
}
