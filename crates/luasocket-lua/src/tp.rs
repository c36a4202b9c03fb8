//! `socket.tp.core`: the native half of `socket.tp` and `socket.ftp`
//! (`luasocket_proto::reply`): a decoder of SMTP/FTP replies fed line by line, and the
//! data addresses of FTP's PASV and EPSV replies.

use std::ffi::CStr;

use luasocket_proto::reply::{epsv_port, pasv_address, Reply};
use luasocket_proto::Need;

use crate::class::{self, Class, Method};
use crate::state::{lua_fn, Ret, State};

/// The class of reply decoders.
const REPLY: &CStr = c"tp{reply}";

struct ReplyObject(Reply);

impl Class for ReplyObject {
    const TAG: u64 = 0x4c53_5f54_5052_0001;
}

/// Opens `socket.tp.core` and leaves its table on the stack.
pub(crate) fn open(s: &State) -> Ret {
    let methods: &[Method] = &[
        (c"__gc", class::meth_gc::<ReplyObject>),
        (c"line", meth_reply_line),
        (c"result", meth_reply_result),
    ];
    class::new_class(s, REPLY, methods);
    s.new_table(0, 3);
    let funcs: &[Method] = &[
        (c"epsv", global_epsv),
        (c"pasv", global_pasv),
        (c"reply", global_reply),
    ];
    s.set_functions(funcs);
    Ok(1)
}

lua_fn!(global_reply, reply);
/// `reply()`: a decoder of one reply.
fn reply(s: &State) -> Ret {
    class::push_new(s, ReplyObject(Reply::default()), REPLY);
    Ok(1)
}

lua_fn!(meth_reply_line, reply_line_impl);
/// `r:line(line)`: true while the reply needs more lines, false once it has ended; or
/// `nil, message`.
fn reply_line_impl(s: &State) -> Ret {
    let r = class::check_object::<ReplyObject>(s, 1, REPLY)?;
    let line = s.check_bytes(2)?;
    match r.0.line(line) {
        Ok(need) => {
            s.push_bool(need != Need::Done);
            Ok(1)
        }
        Err(e) => Ok(crate::results::fail_word(s, e.word())),
    }
}

lua_fn!(meth_reply_result, reply_result_impl);
/// `r:result()`: the code (three digits, a string) and the whole reply text.
fn reply_result_impl(s: &State) -> Ret {
    let r = class::check_object::<ReplyObject>(s, 1, REPLY)?;
    match r.0.code() {
        Some(code) => s.push_bytes(code),
        None => s.push_nil(),
    }
    s.push_bytes(r.0.text());
    Ok(2)
}

lua_fn!(global_pasv, pasv);
/// `pasv(reply)`: the address (dotted) and port in a PASV reply; `nil` alone when the
/// reply has no address; `nil, message` when the address is out of range.
fn pasv(s: &State) -> Ret {
    let text = s.check_bytes(1)?;
    match pasv_address(text) {
        Ok(None) => {
            s.push_nil();
            Ok(1)
        }
        Ok(Some((ip, port))) => {
            let [a, b, c, d] = ip;
            s.push_bytes(format!("{a}.{b}.{c}.{d}").as_bytes());
            s.push_integer(i64::from(port));
            Ok(2)
        }
        Err(e) => Ok(crate::results::fail_word(s, e.word())),
    }
}

lua_fn!(global_epsv, epsv);
/// `epsv(reply)`: the port in an EPSV reply, or `nil, message`.
fn epsv(s: &State) -> Ret {
    let text = s.check_bytes(1)?;
    match epsv_port(text) {
        Ok(port) => {
            s.push_integer(i64::from(port));
            Ok(1)
        }
        Err(e) => Ok(crate::results::fail_word(s, e.word())),
    }
}
