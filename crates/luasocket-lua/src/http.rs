//! `socket.http.core`: the native half of `socket.http` (`luasocket_proto::http`):
//! response header blocks parsed with httparse, and the chunked transfer coding (a
//! decoder object that says what to read next, and chunk framing).

use std::ffi::CStr;

use luasocket_proto::http::{frame_chunk, parse_header_block, Dechunker, Need, LAST_CHUNK};
use mlua::ffi;

use crate::class::{self, Class, Method};
use crate::state::{lua_fn, Ret, State};

/// The class of chunked-body decoders.
const DECHUNKER: &CStr = c"http{dechunker}";

/// What a decoder userdata holds.
struct DechunkerObject(Dechunker);

impl Class for DechunkerObject {
    const TAG: u64 = 0x4c53_5f48_4443_0001;
}

const DECHUNKER_METHODS: &[Method] = &[
    (c"__gc", dechunker_gc),
    (c"feed", dechunker_feed),
    (c"need", dechunker_need),
    (c"trailers", dechunker_trailers),
];

/// Opens `socket.http.core` and leaves its table on the stack.
pub(crate) fn open(s: &State) -> Ret {
    class::new_class(s, DECHUNKER, DECHUNKER_METHODS);
    s.new_table(0, 3);
    let funcs: &[Method] = &[
        (c"chunk", chunk),
        (c"dechunker", dechunker),
        (c"parse_headers", parse_headers),
    ];
    s.set_functions(funcs);
    Ok(1)
}

lua_fn!(chunk, chunk_impl);
/// `chunk(data)`: `data` framed as one chunk ("" for empty data); `chunk(nil)`: the last
/// chunk.
fn chunk_impl(s: &State) -> Ret {
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

lua_fn!(dechunker, dechunker_impl);
/// `dechunker()`: a new decoder of a chunked body.
fn dechunker_impl(s: &State) -> Ret {
    class::push_new(s, DechunkerObject(Dechunker::default()), DECHUNKER);
    Ok(1)
}

lua_fn!(dechunker_gc, dechunker_gc_impl);
fn dechunker_gc_impl(s: &State) -> Ret {
    class::collect::<DechunkerObject>(s, 1);
    Ok(0)
}

lua_fn!(dechunker_feed, dechunker_feed_impl);
/// `d:feed(bytes)`: the chunk data in `bytes`, and how many bytes were used; or `nil,
/// message` for a malformed body.
fn dechunker_feed_impl(s: &State) -> Ret {
    let d = class::check_class::<DechunkerObject>(s, 1, DECHUNKER)?;
    let input = s.check_bytes(2)?;
    let mut out = Vec::new();
    match d.0.feed(input, &mut out) {
        Ok(used) => {
            s.push_bytes(&out);
            s.push_integer(used as i64);
            Ok(2)
        }
        Err(msg) => {
            s.push_nil();
            s.push_bytes(msg.as_bytes());
            Ok(2)
        }
    }
}

lua_fn!(dechunker_need, dechunker_need_impl);
/// `d:need()`: `"line"`, a number of data bytes, or nil once the body has ended.
fn dechunker_need_impl(s: &State) -> Ret {
    let d = class::check_class::<DechunkerObject>(s, 1, DECHUNKER)?;
    match d.0.need() {
        Need::Line => s.push_bytes(b"line"),
        Need::Bytes(n) => s.push_number(n as f64),
        Need::Done => s.push_nil(),
    }
    Ok(1)
}

lua_fn!(dechunker_trailers, dechunker_trailers_impl);
/// `d:trailers()`: the trailer fields' header block.
fn dechunker_trailers_impl(s: &State) -> Ret {
    let d = class::check_class::<DechunkerObject>(s, 1, DECHUNKER)?;
    s.push_bytes(d.0.trailers());
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
