//! `socket.http.core`: the native half of `socket.http`, parsing response header blocks
//! with httparse (`luasocket_proto::http`). `socket/http.lua` uses it when installed.

use luasocket_proto::http::parse_header_block;
use mlua::ffi;

use crate::class::Method;
use crate::state::{lua_fn, Ret, State};

/// Opens `socket.http.core` and leaves its table on the stack.
pub(crate) fn open(s: &State) -> Ret {
    s.new_table(0, 1);
    let funcs: &[Method] = &[(c"parse_headers", parse_headers)];
    for (name, f) in funcs {
        s.push_function(*f);
        s.set_field(-2, name);
    }
    Ok(1)
}

lua_fn!(parse_headers, parse_headers_impl);
/// `parse_headers(block, t)`: adds the fields of `block` to `t` (lower-case names;
/// repeated fields joined with ", "). Returns `t`, or `nil, message`.
fn parse_headers_impl(s: &State) -> Ret {
    let block = s.check_bytes(1)?;
    if s.type_of(2) != ffi::LUA_TTABLE {
        return Err(s.type_error(2, "table"));
    }
    let fields = match parse_header_block(block) {
        Ok(f) => f,
        Err(msg) => {
            s.push_nil();
            s.push_bytes(msg.as_bytes());
            return Ok(2);
        }
    };
    for (name, value) in &fields {
        s.push_bytes(name);
        s.push_value(-1);
        s.raw_get(2);
        if s.is_none_or_nil(-1) {
            s.pop(1);
            s.push_bytes(value);
        } else {
            let mut joined = s.to_bytes(-1).map(<[u8]>::to_vec).unwrap_or_default();
            s.pop(1);
            joined.extend_from_slice(b", ");
            joined.extend_from_slice(value);
            s.push_bytes(&joined);
        }
        s.raw_set(2);
    }
    s.push_value(2);
    Ok(1)
}
