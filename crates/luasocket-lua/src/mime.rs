//! `mime.core`: LuaSocket's incremental codecs (`b64`, `unb64`, `qp`, `unqp`, `wrp`,
//! `qpwrp`, `eol`, `dot`) over the Rust implementations in `luasocket_proto::mime`, with
//! C LuaSocket's argument rules and return shapes.

use std::cell::RefCell;
use std::os::raw::c_int;

use luasocket_proto::mime::{self, B64Decoder, B64Encoder, Codec, MarkedQp, QpDecoder, QpEncoder};

use crate::class::Method;
use crate::state::{lua_fn, Raise, Ret, State};

/// `mime._VERSION`, as C LuaSocket 3.1 reports it.
const VERSION: &[u8] = b"MIME 1.0.3";

/// Output capacity kept between calls.
const KEEP: usize = 256 * 1024;

thread_local! {
    /// Reused output buffer: results are copied into Lua strings, so one suffices.
    static OUT: RefCell<Vec<u8>> = const { RefCell::new(Vec::new()) };
}

/// Runs `f` with the cleared output buffer.
fn with_out<R>(f: impl FnOnce(&mut Vec<u8>) -> R) -> R {
    OUT.with(|cell| {
        let mut out = cell.take();
        out.clear();
        let r = f(&mut out);
        if out.capacity() > KEEP {
            out = Vec::new();
        }
        cell.replace(out);
        r
    })
}

/// Opens `mime.core` and leaves its table on the stack.
pub(crate) fn open(s: &State) -> Ret {
    s.new_table(0, 9);
    let funcs: &[Method] = &[
        (c"b64", global_b64),
        (c"dot", global_dot),
        (c"eol", global_eol),
        (c"qp", global_qp),
        (c"qpwrp", global_qpwrp),
        (c"unb64", global_unb64),
        (c"unqp", global_unqp),
        (c"wrp", global_wrp),
    ];
    s.set_functions(funcs);
    s.push_bytes(VERSION);
    s.set_field(-2, c"_VERSION");
    Ok(1)
}

/// An optional string argument (`luaL_optlstring` with a NULL default).
fn opt_string(s: &State, idx: c_int) -> Result<Option<&[u8]>, Raise> {
    if s.is_none_or_nil(idx) {
        Ok(None)
    } else {
        s.check_bytes(idx).map(Some)
    }
}

/// A C `int` argument read from a number, saturating as Rust casts do.
fn int_arg(s: &State, idx: c_int, default: Option<f64>) -> Result<i64, Raise> {
    let n = match default {
        Some(d) => s.opt_number(idx, d)?,
        None => s.check_number(idx)?,
    };
    Ok(i64::from(n as i32))
}

/// Pushes `out`, or nil when it is empty (the flushing calls' convention).
fn push_or_nil(s: &State, out: &[u8]) {
    if out.is_empty() {
        s.push_nil();
    } else {
        s.push_bytes(out);
    }
}

/// The shared shape of `b64`, `unb64`, `qp`, `unqp`: `A, B = f(C, D)`: what `C..D`
/// gives and what is carried over; with no `D`, everything (nil when empty) and nil.
fn codec(s: &State, mut codec: impl Codec) -> Ret {
    let Some(c) = opt_string(s, 1)? else {
        s.push_nil();
        s.push_nil();
        return Ok(2);
    };
    let d = opt_string(s, 2)?;
    with_out(|out| {
        codec.feed(c, out);
        match d {
            None => {
                codec.finish(out);
                push_or_nil(s, out);
                s.push_nil();
            }
            Some(d) => {
                codec.feed(d, out);
                s.push_bytes(out);
                s.push_bytes(codec.rest());
            }
        }
    });
    Ok(2)
}

lua_fn!(global_b64, b64_impl);
/// `mime.b64(C [, D])`: base64 in whole groups; with no `D`, padded.
fn b64_impl(s: &State) -> Ret {
    codec(s, B64Encoder::default())
}

lua_fn!(global_unb64, unb64_impl);
/// `mime.unb64(C [, D])`: the decoding of whole groups.
fn unb64_impl(s: &State) -> Ret {
    codec(s, B64Decoder::default())
}

lua_fn!(global_qp, qp_impl);
/// `mime.qp(C [, D [, marker]])`: quoted-printable, line breaks as `marker`.
fn qp_impl(s: &State) -> Ret {
    let marker = s.opt_bytes(3, b"\r\n")?;
    codec(s, MarkedQp(QpEncoder::default(), marker))
}

lua_fn!(global_unqp, unqp_impl);
/// `mime.unqp(C [, D])`: the decoding, and an unfinished escape.
fn unqp_impl(s: &State) -> Ret {
    codec(s, QpDecoder::default())
}

/// The shared shape of `wrp` and `qpwrp`: `A, left = f(left, C [, length])`.
fn wrapper(s: &State, flush: &[u8], f: fn(i64, &[u8], i64, &mut Vec<u8>) -> i64) -> Ret {
    let left = int_arg(s, 1, None)?;
    let input = opt_string(s, 2)?;
    let length = int_arg(s, 3, Some(76.0))?;
    let Some(input) = input else {
        if left < length {
            s.push_bytes(flush);
        } else {
            s.push_nil();
        }
        s.push_number(length as f64);
        return Ok(2);
    };
    let left = with_out(|out| {
        let left = f(left, input, length, out);
        s.push_bytes(out);
        left
    });
    s.push_number(left as f64);
    Ok(2)
}

lua_fn!(global_wrp, wrp_impl);
/// `mime.wrp(left, C [, length])`: line wrapping for base64 and text.
fn wrp_impl(s: &State) -> Ret {
    wrapper(s, b"\r\n", mime::wrap)
}

lua_fn!(global_qpwrp, qpwrp_impl);
/// `mime.qpwrp(left, C [, length])`: line wrapping with quoted-printable soft breaks.
fn qpwrp_impl(s: &State) -> Ret {
    wrapper(s, b"=\r\n", mime::qp_wrap)
}

lua_fn!(global_eol, eol_impl);
/// `mime.eol(context, C [, marker])`: end-of-line normalisation.
fn eol_impl(s: &State) -> Ret {
    let ctx = match s.check_integer(1)? {
        10 => b'\n',
        13 => b'\r',
        _ => 0,
    };
    let input = opt_string(s, 2)?;
    let marker = s.opt_bytes(3, b"\r\n")?;
    let Some(input) = input else {
        s.push_nil();
        s.push_number(0.0);
        return Ok(2);
    };
    let ctx = with_out(|out| {
        let ctx = mime::eol(ctx, input, marker, out);
        s.push_bytes(out);
        ctx
    });
    s.push_number(f64::from(ctx));
    Ok(2)
}

lua_fn!(global_dot, dot_impl);
/// `mime.dot(state, C)`: SMTP dot-stuffing.
fn dot_impl(s: &State) -> Ret {
    let state = s.check_number(1)?;
    let state = if state == 1.0 || state == 2.0 {
        state as u32
    } else {
        0
    };
    let Some(input) = opt_string(s, 2)? else {
        s.push_nil();
        s.push_number(2.0);
        return Ok(2);
    };
    let state = with_out(|out| {
        let state = mime::dot(state, input, out);
        s.push_bytes(out);
        state
    });
    s.push_number(f64::from(state));
    Ok(2)
}
