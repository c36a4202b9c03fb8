//! The one place results and failures are pushed: LuaSocket's `nil, message` convention
//! (its `pierror.h`, luv's documented fail tuple). Every message comes from a word table
//! (`luasocket_io::Error::word`, `luasocket_proto::Error::word`) or from the system's own
//! `strerror` text; none is spelt here.

use std::net::SocketAddr;
use std::os::raw::c_int;

use luasocket_io::{Error, Timeout};
use luasocket_net::Family;

use crate::state::{Ret, State};

/// Pushes `nil, message` for `err` and returns 2.
pub(crate) fn fail(s: &State, err: &Error) -> c_int {
    s.push_nil();
    error(s, err);
    2
}

/// Pushes `nil, word` and returns 2, for a word from a word table.
pub(crate) fn fail_word(s: &State, word: &str) -> c_int {
    s.push_nil();
    s.push_bytes(word.as_bytes());
    2
}

/// Pushes the message of `err` alone.
pub(crate) fn error(s: &State, err: &Error) {
    match err.word() {
        Some(w) => s.push_bytes(w.as_bytes()),
        None => s.push_bytes(err.to_string().as_bytes()),
    }
}

/// Pushes `1`, LuaSocket's success value.
pub(crate) fn ok(s: &State) -> Ret {
    s.push_number(1.0);
    Ok(1)
}

/// Pushes `1`, or `nil, message`.
pub(crate) fn done(s: &State, r: Result<(), Error>) -> Ret {
    match r {
        Ok(()) => ok(s),
        Err(e) => Ok(fail(s, &e)),
    }
}

/// Pushes `nil, message` for a datagram operation, in LuaSocket's datagram wording
/// ([`Error::datagram_word`]: a refused send reads `"refused"`).
pub(crate) fn fail_datagram(s: &State, err: &Error) -> c_int {
    match err.datagram_word() {
        Some(word) => fail_word(s, word),
        None => fail(s, err),
    }
}

/// Pushes the count of bytes a datagram send sent, or `nil, message`.
pub(crate) fn sent(s: &State, r: Result<usize, Error>) -> Ret {
    match r {
        Ok(n) => {
            s.push_number(n as f64);
            Ok(1)
        }
        Err(e) => Ok(fail_datagram(s, &e)),
    }
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
        Err(e) => fail(s, &e),
    }
}

/// `gettimeout()`: the block and total timeouts.
pub(crate) fn push_timeout(s: &State, tm: &Timeout) -> c_int {
    s.push_number(tm.block());
    s.push_number(tm.total());
    2
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
