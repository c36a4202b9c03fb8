//! `getoption`/`setoption` arguments and results, shared by every socket class.

use std::net::{Ipv4Addr, Ipv6Addr};

use luasocket_net::{Opt, OptKind, OptValue};
use mlua::ffi;

use crate::state::{Raise, State};
use crate::words::Word;

/// The option named by argument 2, from `table`.
pub(crate) fn option_arg(s: &State, table: &[(&str, Opt)]) -> Result<Opt, Raise> {
    let name = s.check_bytes(2)?;
    Opt::lookup(table, name).ok_or_else(|| {
        let shown: Vec<u8> = name.iter().copied().take(35).collect();
        Raise::Arg(2, crate::words::unsupported_option(&shown))
    })
}

/// Argument 3 of `setoption`, in the shape `opt` takes, checked as LuaSocket does.
pub(crate) fn option_value(s: &State, opt: Opt) -> Result<OptValue, Raise> {
    Ok(match opt.kind() {
        OptKind::Bool => OptValue::Bool(s.check_boolean(3)?),
        // LuaSocket reads integers with a bare lua_tonumber: nil and junk are 0.
        OptKind::Int => OptValue::Int(s.to_number(3).unwrap_or(0.0) as i32),
        OptKind::Device => OptValue::Bytes(s.check_bytes(3)?.to_vec()),
        OptKind::Linger => {
            table_arg(s)?;
            s.field(3, c"on")?;
            if s.type_of(-1) != ffi::LUA_TBOOLEAN {
                return Err(Raise::Arg(3, Word::OnFieldExpected.into()));
            }
            let on = s.to_boolean(-1);
            s.field(3, c"timeout")?;
            let Some(timeout) = s.to_number(-1) else {
                return Err(Raise::Arg(3, Word::TimeoutFieldExpected.into()));
            };
            s.pop(2);
            OptValue::Linger {
                on,
                timeout: timeout as i32,
            }
        }
        OptKind::Ipv4 => {
            let ip = s.check_bytes(3)?;
            OptValue::Ipv4(ipv4_or_any(ip).ok_or_else(|| Raise::Arg(3, Word::IpExpected.into()))?)
        }
        OptKind::Membership => {
            table_arg(s)?;
            let multiaddr = string_field(s, c"multiaddr")?;
            let multiaddr = parse_ip::<Ipv4Addr>(&multiaddr)
                .ok_or_else(|| Raise::Arg(3, Word::InvalidMultiaddr.into()))?;
            let interface = string_field(s, c"interface")?;
            let interface = ipv4_or_any(&interface)
                .ok_or_else(|| Raise::Arg(3, Word::InvalidInterface.into()))?;
            OptValue::Membership {
                multiaddr,
                interface,
            }
        }
        OptKind::Membership6 => {
            table_arg(s)?;
            let multiaddr = string_field(s, c"multiaddr")?;
            let multiaddr = parse_ip::<Ipv6Addr>(&multiaddr)
                .ok_or_else(|| Raise::Arg(3, Word::InvalidMultiaddr.into()))?;
            s.field(3, c"interface")?;
            let interface = if s.is_none_or_nil(-1) {
                0
            } else if s.is_number(-1) {
                s.to_number(-1).unwrap_or(0.0) as u32
            } else {
                return Err(Raise::Arg(3, Word::InterfaceFieldExpected.into()));
            };
            s.pop(1);
            OptValue::Membership6 {
                multiaddr,
                interface,
            }
        }
        _ => return Err(Raise::Arg(2, Word::OptionCannotBeSet.into())),
    })
}

fn table_arg(s: &State) -> Result<(), Raise> {
    if s.type_of(3) != ffi::LUA_TTABLE {
        return Err(s.type_error(3, "table"));
    }
    Ok(())
}

/// Field `name` of the table at argument 3, which must be a string (or number).
fn string_field(s: &State, name: &std::ffi::CStr) -> Result<Vec<u8>, Raise> {
    s.field(3, name)?;
    let value = match s.type_of(-1) {
        ffi::LUA_TSTRING | ffi::LUA_TNUMBER => s.to_bytes(-1).map(<[u8]>::to_vec),
        _ => None,
    };
    s.pop(1);
    value.ok_or_else(|| Raise::Arg(3, crate::words::string_field_expected(name.to_bytes())))
}

fn parse_ip<T: std::str::FromStr>(b: &[u8]) -> Option<T> {
    std::str::from_utf8(b).ok()?.parse().ok()
}

/// An IPv4 address, `"*"` meaning any.
fn ipv4_or_any(b: &[u8]) -> Option<Ipv4Addr> {
    if b == b"*" {
        Some(Ipv4Addr::UNSPECIFIED)
    } else {
        parse_ip(b)
    }
}

/// Pushes an option's value as LuaSocket does.
pub(crate) fn push_option(s: &State, v: &OptValue) {
    match v {
        OptValue::Bool(b) => s.push_bool(*b),
        OptValue::Int(i) => s.push_number(f64::from(*i)),
        OptValue::Linger { on, timeout } => {
            s.new_table(0, 2);
            s.push_bool(*on);
            s.set_field(-2, c"on");
            s.push_integer(i64::from(*timeout));
            s.set_field(-2, c"timeout");
        }
        OptValue::Bytes(b) => s.push_bytes(b),
        OptValue::Error(Some(msg)) => s.push_bytes(msg.as_bytes()),
        OptValue::Ipv4(ip) => s.push_bytes(ip.to_string().as_bytes()),
        _ => s.push_nil(),
    }
}
