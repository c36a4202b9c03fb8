//! `socket.dns`: the resolver functions.

use luasocket_net::HostEntry;

use crate::state::{lua_fn, Raise, Ret, State};
use crate::words::Word;

/// Adds the `dns` table to the module table on top of the stack.
pub(crate) fn open(s: &State) {
    s.new_table(0, 4);
    let funcs: &[crate::class::Method] = &[
        (c"getaddrinfo", global_getaddrinfo),
        (c"gethostname", global_gethostname),
        (c"getnameinfo", global_getnameinfo),
        (c"tohostname", global_tohostname),
        (c"toip", global_toip),
    ];
    s.set_functions(funcs);
    s.set_field(-2, c"dns");
}

lua_fn!(global_getaddrinfo, getaddrinfo_impl);
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
        Err(e) => Ok(crate::results::fail(s, &e)),
    }
}

lua_fn!(global_gethostname, gethostname_impl);
/// `socket.dns.gethostname()`.
fn gethostname_impl(s: &State) -> Ret {
    match luasocket_net::hostname() {
        Ok(name) => {
            s.push_bytes(&name);
            Ok(1)
        }
        Err(e) => Ok(crate::results::fail(s, &e)),
    }
}

/// Pushes LuaSocket's resolved-host table: `{name = , alias = {...}, ip = {...}}`.
fn push_entry(s: &State, e: &HostEntry) {
    s.new_table(0, 3);
    s.push_bytes(&e.name);
    s.set_field(-2, c"name");
    s.new_table(e.aliases.len() as i32, 0);
    for (i, a) in e.aliases.iter().enumerate() {
        s.push_bytes(a);
        s.raw_set_i(-2, i as i64 + 1);
    }
    s.set_field(-2, c"alias");
    s.new_table(e.ips.len() as i32, 0);
    for (i, ip) in e.ips.iter().enumerate() {
        s.push_bytes(ip.to_string().as_bytes());
        s.raw_set_i(-2, i as i64 + 1);
    }
    s.set_field(-2, c"ip");
}

/// Looks `address` up as `toip`/`tohostname` do; an entry without IPv4 addresses is
/// "host not found", as `gethostbyname` reports it.
fn lookup(s: &State) -> Result<Result<HostEntry, luasocket_io::Error>, Raise> {
    let address = s.check_bytes(1)?;
    Ok(luasocket_net::host_entry(address).and_then(|e| {
        if e.ips.is_empty() {
            Err(luasocket_io::Error::HostNotFound)
        } else {
            Ok(e)
        }
    }))
}

lua_fn!(global_toip, toip_impl);
/// `socket.dns.toip(address)`: the first IPv4 address and the resolved-host table.
fn toip_impl(s: &State) -> Ret {
    match lookup(s)? {
        Ok(e) => {
            s.push_bytes(e.ips[0].to_string().as_bytes());
            push_entry(s, &e);
            Ok(2)
        }
        Err(e) => Ok(crate::results::fail(s, &e)),
    }
}

lua_fn!(global_tohostname, tohostname_impl);
/// `socket.dns.tohostname(address)`: the official name and the resolved-host table.
fn tohostname_impl(s: &State) -> Ret {
    match lookup(s)? {
        Ok(e) => {
            s.push_bytes(&e.name);
            push_entry(s, &e);
            Ok(2)
        }
        Err(e) => Ok(crate::results::fail(s, &e)),
    }
}

lua_fn!(global_getnameinfo, getnameinfo_impl);
/// `socket.dns.getnameinfo(host, service)`: `{names...}` and, if a service was given,
/// its name.
fn getnameinfo_impl(s: &State) -> Ret {
    let host = if s.is_none_or_nil(1) {
        None
    } else {
        Some(s.check_bytes(1)?)
    };
    let serv = if s.is_none_or_nil(2) {
        None
    } else {
        Some(s.check_bytes(2)?)
    };
    if host.is_none() && serv.is_none() {
        return Err(Raise::Msg(Word::HostAndServNil.into()));
    }
    match luasocket_net::getnameinfo(host, serv) {
        Ok((names, service)) => {
            s.new_table(names.len() as i32, 0);
            for (i, n) in names.iter().enumerate() {
                s.push_bytes(n);
                s.raw_set_i(-2, i as i64 + 1);
            }
            match (serv, service) {
                (Some(_), Some(name)) => {
                    s.push_bytes(&name);
                    Ok(2)
                }
                (Some(_), None) => {
                    s.push_nil();
                    Ok(2)
                }
                _ => Ok(1),
            }
        }
        Err(e) => Ok(crate::results::fail(s, &e)),
    }
}
