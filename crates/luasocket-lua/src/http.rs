//! `socket.http.core`: the native half of `socket.http` (`luasocket_proto::head` and
//! `luasocket_proto::chunked`): a response-head decoder, a chunked-body decoder, and
//! chunk framing. Lua reads; these objects say what to read next.

use std::ffi::CStr;

use luasocket_proto::chunked::{frame_chunk, Dechunker, LAST_CHUNK};
use luasocket_proto::head::{Fields, ResponseHead, Status};
use luasocket_proto::Need;
use mlua::ffi;

use crate::class::{self, Class, Method};
use crate::state::{lua_fn, Ret, State};
use crate::stream::{StreamKind, StreamObject};
use crate::tcp::Tcp;
use crate::words::Word;

/// The class of response-head decoders.
const HEAD: &CStr = c"http{head}";
/// The class of chunked-body decoders.
const DECHUNKER: &CStr = c"http{dechunker}";

struct HeadObject(ResponseHead);
struct DechunkerObject(Dechunker);

impl Class for HeadObject {
    const TAG: u64 = 0x4c53_5f48_4844_0001;
}
impl Class for DechunkerObject {
    const TAG: u64 = 0x4c53_5f48_4443_0001;
}

/// Opens `socket.http.core` and leaves its table on the stack.
pub(crate) fn open(s: &State) -> Ret {
    let head: &[Method] = &[
        (c"__gc", class::meth_gc::<HeadObject>),
        (c"feed", meth_head_feed),
        (c"fields", meth_head_fields),
        (c"need", meth_head_need),
        (c"status", meth_head_status),
        (c"take", meth_head_take),
    ];
    class::new_class(s, HEAD, head);
    let dechunker: &[Method] = &[
        (c"__gc", class::meth_gc::<DechunkerObject>),
        (c"feed", meth_dechunker_feed),
        (c"fields", meth_dechunker_fields),
        (c"line", meth_dechunker_line),
        (c"need", meth_dechunker_need),
    ];
    class::new_class(s, DECHUNKER, dechunker);
    s.new_table(0, 4);
    let funcs: &[Method] = &[
        (c"chunk", global_chunk),
        (c"dechunker", global_dechunker),
        (c"fields", global_fields),
        (c"head", global_head),
    ];
    s.set_functions(funcs);
    Ok(1)
}

/// Pushes what a decoder needs: `"line"`, a byte count, or nil when it is done.
fn push_need(s: &State, need: Need) {
    match need {
        Need::Line => s.push_bytes(Word::Line.text().as_bytes()),
        Need::Bytes(n) => s.push_number(n as f64),
        Need::Done => s.push_nil(),
    }
}

/// Adds `fields` to the table at `idx` (repeated names joined with `", "`, as LuaSocket
/// does) and leaves the table on the stack.
fn push_fields_into(s: &State, fields: &Fields, idx: i32) -> Ret {
    if s.type_of(idx) != ffi::LUA_TTABLE {
        return Err(s.type_error(idx, "table"));
    }
    for (name, value) in fields.iter() {
        s.push_bytes(name);
        s.push_value(-1);
        s.raw_get(idx);
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
        s.raw_set(idx);
    }
    s.push_value(idx);
    Ok(1)
}

lua_fn!(global_chunk, chunk);
/// `chunk(data)`: `data` framed as one chunk ("" for empty data); `chunk(nil)`: the last
/// chunk.
fn chunk(s: &State) -> Ret {
    if s.is_none_or_nil(1) {
        s.push_bytes(LAST_CHUNK);
        return Ok(1);
    }
    let data = s.check_bytes(1)?;
    let mut out = Vec::with_capacity(data.len() + 20);
    frame_chunk(data, &mut out);
    s.push_bytes(&out);
    Ok(1)
}

lua_fn!(global_head, head);
/// `head()`: a decoder of a response head, from its status line, and what it needs
/// first (the five bytes that tell HTTP/1.x from HTTP/0.9).
fn head(s: &State) -> Ret {
    let decoder = ResponseHead::new();
    let need = decoder.need();
    class::push_new(s, HeadObject(decoder), HEAD);
    push_need(s, need);
    Ok(2)
}

lua_fn!(global_fields, fields);
/// `fields()`: a decoder of header fields alone (the status line read already).
fn fields(s: &State) -> Ret {
    class::push_new(s, HeadObject(ResponseHead::fields_only()), HEAD);
    Ok(1)
}

lua_fn!(meth_head_need, head_need_impl);
/// `h:need()`: 5 (the bytes that tell HTTP/1.x from 0.9), `"line"`, or nil when done.
fn head_need_impl(s: &State) -> Ret {
    let h = class::check_object::<HeadObject>(s, 1, HEAD)?;
    push_need(s, h.0.need());
    Ok(1)
}

lua_fn!(meth_head_feed, head_feed_impl);
/// `h:feed(piece)`: true while the head needs more, false once it has ended; or `nil,
/// message` for a malformed head.
fn head_feed_impl(s: &State) -> Ret {
    let h = class::check_object::<HeadObject>(s, 1, HEAD)?;
    let piece = s.check_bytes(2)?;
    match h.0.feed(piece) {
        Ok(need) => {
            s.push_bool(need != Need::Done);
            Ok(1)
        }
        Err(e) => Ok(crate::results::fail_word(s, e.word())),
    }
}

lua_fn!(meth_head_take, head_take_impl);
/// `h:take(sock)`: feeds the head the whole lines already waiting in `sock`'s receive
/// buffer, while it needs lines, when `sock` is one of our TCP clients (for anything else,
/// nothing); as `feed`, true while the head needs more, false once it has ended, `nil,
/// message` for a malformed head. The lines are consumed as `receive()` would.
fn head_take_impl(s: &State) -> Ret {
    let h = class::check_object::<HeadObject>(s, 1, HEAD)?;
    let sock = class::probe_class::<StreamObject<Tcp>>(s, 2, Tcp::CLIENT);
    let mut need = h.0.need();
    if let Some(sock) = sock {
        while need == Need::Line {
            let Some(line) = sock.buf.take_line() else {
                break;
            };
            match h.0.feed(line) {
                Ok(next) => need = next,
                Err(e) => return Ok(crate::results::fail_word(s, e.word())),
            }
        }
    }
    s.push_bool(need != Need::Done);
    Ok(1)
}

lua_fn!(meth_head_status, head_status_impl);
/// `h:status()`: the code and the status line; `nil` and the line when it has no code;
/// `false` and the bytes read when the reply is HTTP/0.9; nothing before the line.
fn head_status_impl(s: &State) -> Ret {
    let h = class::check_object::<HeadObject>(s, 1, HEAD)?;
    let (first, line) = match h.0.status() {
        Status::Pending => return Ok(0),
        Status::Code(code, line) => (Some(code), line),
        Status::Invalid(line) => {
            s.push_nil();
            s.push_bytes(line);
            return Ok(2);
        }
        Status::Http09(bytes) => (None, bytes),
    };
    match first {
        Some(code) => s.push_integer(i64::from(code)),
        None => s.push_bool(false),
    }
    s.push_bytes(line);
    Ok(2)
}

lua_fn!(meth_head_fields, head_fields_impl);
/// `h:fields(t)`: adds the head's fields to `t` and returns it.
fn head_fields_impl(s: &State) -> Ret {
    let h = class::check_object::<HeadObject>(s, 1, HEAD)?;
    push_fields_into(s, h.0.fields(), 2)
}

lua_fn!(global_dechunker, dechunker);
/// `dechunker()`: a new decoder of a chunked body.
fn dechunker(s: &State) -> Ret {
    class::push_new(s, DechunkerObject(Dechunker::default()), DECHUNKER);
    Ok(1)
}

lua_fn!(meth_dechunker_need, dechunker_need_impl);
/// `d:need()`: `"line"`, a number of data bytes, or nil once the body has ended.
fn dechunker_need_impl(s: &State) -> Ret {
    let d = class::check_object::<DechunkerObject>(s, 1, DECHUNKER)?;
    push_need(s, d.0.need());
    Ok(1)
}

lua_fn!(meth_dechunker_line, dechunker_line_impl);
/// `d:line(line)`: takes a line as `receive()` returned it; returns the chunk data it
/// held (usually ""), or `nil, message`.
fn dechunker_line_impl(s: &State) -> Ret {
    let d = class::check_object::<DechunkerObject>(s, 1, DECHUNKER)?;
    let line = s.check_bytes(2)?;
    let mut out = Vec::new();
    match d.0.line(line, &mut out) {
        Ok(_) => {
            s.push_bytes(&out);
            Ok(1)
        }
        Err(e) => Ok(crate::results::fail_word(s, e.word())),
    }
}

lua_fn!(meth_dechunker_feed, dechunker_feed_impl);
/// `d:feed(bytes)`: the chunk data in `bytes`, and how many bytes were used; or `nil,
/// message` for a malformed body.
fn dechunker_feed_impl(s: &State) -> Ret {
    let d = class::check_object::<DechunkerObject>(s, 1, DECHUNKER)?;
    let input = s.check_bytes(2)?;
    let mut out = Vec::new();
    match d.0.feed(input, &mut out) {
        Ok(used) => {
            s.push_bytes(&out);
            s.push_integer(used as i64);
            Ok(2)
        }
        Err(e) => Ok(crate::results::fail_word(s, e.word())),
    }
}

lua_fn!(meth_dechunker_fields, dechunker_fields_impl);
/// `d:fields(t)`: adds the trailer fields to `t` and returns it.
fn dechunker_fields_impl(s: &State) -> Ret {
    let d = class::check_object::<DechunkerObject>(s, 1, DECHUNKER)?;
    push_fields_into(s, d.0.trailer(), 2)
}
