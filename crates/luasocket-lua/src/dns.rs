//! `socket.dns`: the resolver functions.

use crate::state::{lua_fn, Ret, State};

/// Adds the `dns` table to the module table on top of the stack.
pub(crate) fn open(s: &State) {
    s.new_table(0, 4);
    let funcs: &[crate::class::Method] =
        &[(c"getaddrinfo", getaddrinfo), (c"gethostname", gethostname)];
    for (name, f) in funcs {
        s.push_function(*f);
        s.set_field(-2, name);
    }
    s.set_field(-2, c"dns");
}

lua_fn!(getaddrinfo, getaddrinfo_impl);
/// `socket.dns.getaddrinfo(host)`: `{ {family = "inet"|"inet6", addr = ip}, ... }`.
fn getaddrinfo_impl(s: &State) -> Ret {
    let host = s.check_bytes(1)?;
    match luasocket_net::getaddrinfo(host) {
        Ok(list) => {
            s.new_table(list.len() as i32, 0);
            for (i, info) in list.iter().enumerate() {
                s.new_table(0, 2);
                s.push_bytes(info.family.name().as_bytes());
                s.set_field(-2, c"family");
                s.push_bytes(info.addr.to_string().as_bytes());
                s.set_field(-2, c"addr");
                s.raw_set_i(-2, i as i64 + 1);
            }
            Ok(1)
        }
        Err(e) => Ok(s.push_fail(&e)),
    }
}

lua_fn!(gethostname, gethostname_impl);
/// `socket.dns.gethostname()`.
fn gethostname_impl(s: &State) -> Ret {
    match luasocket_net::hostname() {
        Ok(name) => {
            s.push_bytes(&name);
            Ok(1)
        }
        Err(e) => Ok(s.push_fail(&e)),
    }
}
