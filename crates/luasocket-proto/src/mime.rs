//! The codecs behind `mime.core`: base64, quoted-printable, line wrapping, end-of-line
//! normalisation and SMTP dot-stuffing, each incremental the way LuaSocket's C functions
//! are. A call takes the bytes carried over from the previous call (or a small state
//! number) and a new chunk, appends what can be produced now to `out`, and returns what
//! must be carried to the next call. A call without a chunk flushes.
//!
//! Output is byte-for-byte what C LuaSocket produces, including its leniency on bad
//! input (invalid base64 characters are skipped; a malformed quoted-printable escape is
//! copied through). Runs of bytes that need no change are copied in one go, which is
//! where the speed over the C original comes from; full base64 groups go through the
//! `base64` crate. The decoders stay our own: the crate rejects the input LuaSocket
//! tolerates.

use base64::engine::general_purpose::STANDARD;
use base64::Engine as _;

const CRLF: &[u8] = b"\r\n";
const EQCRLF: &[u8] = b"=\r\n";
const HEX: &[u8; 16] = b"0123456789ABCDEF";
const B64: &[u8; 64] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";

/// Not a base64 character (skipped by the decoder).
const SKIP: u8 = 255;

/// Each byte's base64 value; `=` counts as 0, anything else is [`SKIP`].
const B64_VALUE: [u8; 256] = {
    let mut t = [SKIP; 256];
    let mut i = 0;
    while i < 64 {
        t[B64[i] as usize] = i as u8;
        i += 1;
    }
    t[b'=' as usize] = 0;
    t
};

/// How the quoted-printable encoder treats a byte.
#[derive(Clone, Copy, PartialEq, Eq)]
enum QpClass {
    /// Copied as is.
    Plain,
    /// Always written as `=XX`.
    Quoted,
    /// CR: a line break if LF follows, else quoted.
    Cr,
    /// Space and tab: quoted only at the end of a line.
    IfLast,
}

const QP_CLASS: [QpClass; 256] = {
    let mut t = [QpClass::Quoted; 256];
    let mut i = 33;
    while i <= 126 {
        if i != b'=' as usize {
            t[i] = QpClass::Plain;
        }
        i += 1;
    }
    t[b'\t' as usize] = QpClass::IfLast;
    t[b' ' as usize] = QpClass::IfLast;
    t[b'\r' as usize] = QpClass::Cr;
    t
};

/// Bytes the quoted-printable decoder copies through unchanged (tab and printable ASCII
/// except `=`). The same set is what the encoder may copy within a run: its plain bytes,
/// space and tab.
const QP_LITERAL: [bool; 256] = {
    let mut t = [false; 256];
    let mut i = 32;
    while i < 127 {
        t[i] = i != b'=' as usize;
        i += 1;
    }
    t[b'\t' as usize] = true;
    t
};

/// The bytes among eight that the quoted-printable decoder does not copy as they are
/// (all but tab and printable ASCII other than `=`), as a mask with the high bit of each
/// such byte set (little-endian order). Exact per byte: no carries between bytes.
#[inline(always)]
fn non_literal8(bytes: &[u8]) -> u64 {
    const HIGH: u64 = 0x8080_8080_8080_8080;
    const LOW7: u64 = 0x7f7f_7f7f_7f7f_7f7f;
    const ONES: u64 = 0x0101_0101_0101_0101;
    let mut word = [0u8; 8];
    word.copy_from_slice(bytes);
    let w = u64::from_le_bytes(word);
    // The high bit of each byte whose low seven bits are all zero.
    let zero = |v: u64| !(((v & LOW7) + LOW7) | v) & HIGH;
    let at_least_space = ((w & LOW7) + ONES * 0x60) & HIGH;
    let control = !at_least_space & HIGH & !zero(w ^ (ONES * 0x09));
    (w & HIGH) | control | zero(w ^ (ONES * 0x7f)) | zero(w ^ (ONES * 0x3d))
}

/// True when `table` holds for all of the (eight) bytes: one lookup each and no branch
/// per byte.
#[inline(always)]
fn all8(table: &[bool; 256], bytes: &[u8]) -> bool {
    bytes
        .iter()
        .take(8)
        .fold(true, |all, &c| all & table[usize::from(c)])
}

/// Bytes `qp_wrap` copies without a second look (all but CR, LF and `=`).
const QPWRAP_PLAIN: [bool; 256] = {
    let mut t = [true; 256];
    t[b'\r' as usize] = false;
    t[b'\n' as usize] = false;
    t[b'=' as usize] = false;
    t
};

/// Each byte's value as a hex digit, or 0xFF.
const HEX_VALUE: [u8; 256] = {
    let mut t = [0xFF; 256];
    let mut i = 0;
    while i < 256 {
        let c = i as u8;
        t[i] = match c {
            b'0'..=b'9' => c - b'0',
            b'A'..=b'F' => c - b'A' + 10,
            b'a'..=b'f' => c - b'a' + 10,
            _ => 0xFF,
        };
        i += 1;
    }
    t
};

/// An incremental codec, as `mime.b64`, `mime.unb64`, `mime.qp` and `mime.unqp` drive
/// one: feed pieces, then either finish or carry the rest to the next call.
pub trait Codec {
    /// Processes `input`, appending what can be produced now.
    fn feed(&mut self, input: &[u8], out: &mut Vec<u8>);
    /// Ends the input (padding, soft line break); decoders drop what is left.
    fn finish(&mut self, out: &mut Vec<u8>);
    /// What is carried to the next call.
    fn rest(&self) -> &[u8];
}

/// The quoted-printable encoder together with the line-break marker it writes.
pub struct MarkedQp<'a>(pub QpEncoder, pub &'a [u8]);

impl Codec for B64Encoder {
    fn feed(&mut self, input: &[u8], out: &mut Vec<u8>) {
        B64Encoder::feed(self, input, out);
    }
    fn finish(&mut self, out: &mut Vec<u8>) {
        B64Encoder::finish(self, out);
    }
    fn rest(&self) -> &[u8] {
        B64Encoder::rest(self)
    }
}

impl Codec for B64Decoder {
    fn feed(&mut self, input: &[u8], out: &mut Vec<u8>) {
        B64Decoder::feed(self, input, out);
    }
    fn finish(&mut self, _: &mut Vec<u8>) {}
    fn rest(&self) -> &[u8] {
        B64Decoder::rest(self)
    }
}

impl Codec for MarkedQp<'_> {
    fn feed(&mut self, input: &[u8], out: &mut Vec<u8>) {
        self.0.feed(input, self.1, out);
    }
    fn finish(&mut self, out: &mut Vec<u8>) {
        self.0.finish(out);
    }
    fn rest(&self) -> &[u8] {
        self.0.rest()
    }
}

impl Codec for QpDecoder {
    fn feed(&mut self, input: &[u8], out: &mut Vec<u8>) {
        QpDecoder::feed(self, input, out);
    }
    fn finish(&mut self, _: &mut Vec<u8>) {}
    fn rest(&self) -> &[u8] {
        QpDecoder::rest(self)
    }
}

/// Base64 encoder state: up to two bytes waiting for a full group of three.
#[derive(Debug, Default, Clone)]
pub struct B64Encoder {
    atom: [u8; 3],
    len: usize,
}

impl B64Encoder {
    /// Encodes `input`, appending every full group to `out`.
    pub fn feed(&mut self, mut input: &[u8], out: &mut Vec<u8>) {
        while self.len > 0 && self.len < 3 && !input.is_empty() {
            self.atom[self.len] = input[0];
            self.len += 1;
            input = &input[1..];
        }
        if self.len == 3 {
            encode_groups(&self.atom, out);
            self.len = 0;
        }
        let bulk = input.len() / 3 * 3;
        encode_groups(&input[..bulk], out);
        for &c in &input[bulk..] {
            self.atom[self.len] = c;
            self.len += 1;
        }
    }

    /// The bytes waiting for a full group.
    pub fn rest(&self) -> &[u8] {
        &self.atom[..self.len]
    }

    /// Encodes the waiting bytes with `=` padding.
    pub fn finish(&mut self, out: &mut Vec<u8>) {
        let a = self.atom;
        match self.len {
            1 => out.extend_from_slice(&[
                B64[usize::from(a[0] >> 2)],
                B64[usize::from((a[0] & 3) << 4)],
                b'=',
                b'=',
            ]),
            2 => out.extend_from_slice(&[
                B64[usize::from(a[0] >> 2)],
                B64[usize::from((a[0] & 3) << 4 | a[1] >> 4)],
                B64[usize::from((a[1] & 15) << 2)],
                b'=',
            ]),
            _ => {}
        }
        self.len = 0;
    }
}

/// Appends the base64 of `groups` (a multiple of three bytes, so no padding).
fn encode_groups(groups: &[u8], out: &mut Vec<u8>) {
    if groups.is_empty() {
        return;
    }
    let start = out.len();
    out.resize(start + groups.len() / 3 * 4, 0);
    // The output is sized exactly, so this cannot fail; no panic path either way (this
    // runs inside a Lua C function).
    let written = STANDARD
        .encode_slice(groups, &mut out[start..])
        .unwrap_or(0);
    debug_assert_eq!(written, groups.len() / 3 * 4);
    out.truncate(start + written);
}

/// Base64 decoder state: up to three characters waiting for a group of four.
#[derive(Debug, Default, Clone)]
pub struct B64Decoder {
    atom: [u8; 4],
    len: usize,
}

impl B64Decoder {
    /// Decodes `input`, appending every full group to `out`. Characters outside the
    /// base64 alphabet are skipped. A group's `=` in third place yields one byte, in
    /// fourth place two; `=` elsewhere counts as zero bits, as in LuaSocket.
    pub fn feed(&mut self, input: &[u8], out: &mut Vec<u8>) {
        let mut i = 0;
        while i < input.len() {
            if self.len == 0 {
                // Fast path: whole groups of four plain alphabet characters.
                while i + 4 <= input.len() {
                    let g = &input[i..i + 4];
                    let v = [
                        B64_VALUE[usize::from(g[0])],
                        B64_VALUE[usize::from(g[1])],
                        B64_VALUE[usize::from(g[2])],
                        B64_VALUE[usize::from(g[3])],
                    ];
                    if v.contains(&SKIP) || g[2] == b'=' || g[3] == b'=' {
                        break;
                    }
                    let n = u32::from(v[0]) << 18
                        | u32::from(v[1]) << 12
                        | u32::from(v[2]) << 6
                        | u32::from(v[3]);
                    out.extend_from_slice(&[(n >> 16) as u8, (n >> 8) as u8, n as u8]);
                    i += 4;
                }
                if i >= input.len() {
                    break;
                }
            }
            let c = input[i];
            i += 1;
            if B64_VALUE[usize::from(c)] == SKIP {
                continue;
            }
            self.atom[self.len] = c;
            self.len += 1;
            if self.len == 4 {
                self.flush_group(out);
            }
        }
    }

    fn flush_group(&mut self, out: &mut Vec<u8>) {
        let a = self.atom;
        let n = a
            .iter()
            .fold(0u32, |n, &c| n << 6 | u32::from(B64_VALUE[usize::from(c)]));
        let bytes = [(n >> 16) as u8, (n >> 8) as u8, n as u8];
        let valid = if a[2] == b'=' {
            1
        } else if a[3] == b'=' {
            2
        } else {
            3
        };
        out.extend_from_slice(&bytes[..valid]);
        self.len = 0;
    }

    /// The characters waiting for a full group (dropped at the end, as in LuaSocket).
    pub fn rest(&self) -> &[u8] {
        &self.atom[..self.len]
    }
}

/// Quoted-printable encoder state: up to two bytes whose encoding depends on what
/// follows (CR before LF, space or tab before a line break).
#[derive(Debug, Default, Clone)]
pub struct QpEncoder {
    atom: [u8; 3],
    len: usize,
}

fn quote(c: u8, out: &mut Vec<u8>) {
    out.extend_from_slice(&[b'=', HEX[usize::from(c >> 4)], HEX[usize::from(c & 15)]]);
}

impl QpEncoder {
    /// Encodes `input`; line breaks (CRLF) become `marker`.
    pub fn feed(&mut self, input: &[u8], marker: &[u8], out: &mut Vec<u8>) {
        let mut i = 0;
        let len = input.len();
        while i < len {
            if self.len > 0 {
                self.push(input[i], marker, out);
                i += 1;
                continue;
            }
            // Nothing held back: decide from the bytes ahead, as `push` would once they
            // arrived; only a chunk's last bytes may need holding.
            let end = Self::run_end(input, i);
            if end > i {
                out.extend_from_slice(&input[i..end]);
                i = end;
                continue;
            }
            let c = input[i];
            match QP_CLASS[usize::from(c)] {
                QpClass::Quoted => {
                    quote(c, out);
                    i += 1;
                }
                QpClass::Cr if i + 1 < len => {
                    if input[i + 1] == b'\n' {
                        out.extend_from_slice(marker);
                        i += 2;
                    } else {
                        quote(c, out);
                        i += 1;
                    }
                }
                QpClass::IfLast if i + 2 < len => {
                    if input[i + 1] == b'\r' && input[i + 2] == b'\n' {
                        quote(c, out);
                        out.extend_from_slice(marker);
                        i += 3;
                    } else {
                        out.push(c);
                        i += 1;
                    }
                }
                _ => {
                    self.push(c, marker, out);
                    i += 1;
                }
            }
        }
    }

    /// Where the run of bytes copied as they are, starting at `start`, ends: plain bytes,
    /// and spaces and tabs that are known not to end a line. A space or tab right before
    /// CRLF, or too close to the end of `input` to tell, ends the run.
    fn run_end(input: &[u8], start: usize) -> usize {
        let len = input.len();
        let mut i = start;
        // Eight bytes at a time with the decoder's literal test (the same set).
        while i + 8 <= len {
            let other = non_literal8(&input[i..i + 8]);
            if other != 0 {
                i += other.trailing_zeros() as usize / 8;
                break;
            }
            i += 8;
        }
        while i < len && QP_LITERAL[usize::from(input[i])] {
            i += 1;
        }
        let mut end = i;
        if i + 1 < len
            && input[i] == b'\r'
            && input[i + 1] == b'\n'
            && end > start
            && QP_CLASS[usize::from(input[end - 1])] == QpClass::IfLast
        {
            end -= 1;
        }
        // A space or tab among the last two bytes cannot be decided yet.
        let tail = len.saturating_sub(2).max(start);
        if let Some(p) = (tail..end).find(|&p| QP_CLASS[usize::from(input[p])] == QpClass::IfLast) {
            end = p;
        }
        end
    }

    fn push(&mut self, c: u8, marker: &[u8], out: &mut Vec<u8>) {
        self.atom[self.len] = c;
        self.len += 1;
        while self.len > 0 {
            let first = self.atom[0];
            match QP_CLASS[usize::from(first)] {
                QpClass::Cr => {
                    if self.len < 2 {
                        return;
                    }
                    if self.atom[1] == b'\n' {
                        out.extend_from_slice(marker);
                        self.len = 0;
                        return;
                    }
                    quote(first, out);
                }
                QpClass::IfLast => {
                    if self.len < 3 {
                        return;
                    }
                    if self.atom[1] == b'\r' && self.atom[2] == b'\n' {
                        quote(first, out);
                        out.extend_from_slice(marker);
                        self.len = 0;
                        return;
                    }
                    out.push(first);
                }
                QpClass::Quoted => quote(first, out),
                QpClass::Plain => out.push(first),
            }
            self.atom = [self.atom[1], self.atom[2], 0];
            self.len -= 1;
        }
    }

    /// The bytes whose encoding is still open.
    pub fn rest(&self) -> &[u8] {
        &self.atom[..self.len]
    }

    /// Encodes the open bytes as they stand and ends with a soft line break.
    pub fn finish(&mut self, out: &mut Vec<u8>) {
        for &c in &self.atom[..self.len] {
            if QP_CLASS[usize::from(c)] == QpClass::Plain {
                out.push(c);
            } else {
                quote(c, out);
            }
        }
        if self.len > 0 {
            out.extend_from_slice(EQCRLF);
        }
        self.len = 0;
    }
}

/// Quoted-printable decoder state: an escape or CR not yet complete.
#[derive(Debug, Default, Clone)]
pub struct QpDecoder {
    atom: [u8; 3],
    len: usize,
}

impl QpDecoder {
    /// Decodes `input`. `=XX` becomes a byte, `=CRLF` (a soft break) disappears, CRLF
    /// stays; a malformed escape is copied as is; CR not followed by LF is dropped with
    /// the byte after it, and so are bytes outside tab and printable ASCII (as LuaSocket).
    pub fn feed(&mut self, input: &[u8], out: &mut Vec<u8>) {
        let len = input.len();
        let mut i = 0;
        // Complete an escape held back from the last call.
        while self.len > 0 && i < len {
            self.push(input[i], out);
            i += 1;
        }
        // Decoding never makes data longer, so the output fits in `len - i` bytes.
        let start = out.len();
        out.resize(start + (len - i), 0);
        let buf = &mut out[start..];
        let mut o = 0;
        while i < len {
            let c = input[i];
            if QP_LITERAL[usize::from(c)] {
                // The run of literal bytes: eight at a time, then one by one; one copy.
                let start = i;
                while i + 8 <= len {
                    let bad = non_literal8(&input[i..i + 8]);
                    if bad != 0 {
                        i += bad.trailing_zeros() as usize / 8;
                        break;
                    }
                    i += 8;
                }
                while i < len && QP_LITERAL[usize::from(input[i])] {
                    i += 1;
                }
                buf[o..o + (i - start)].copy_from_slice(&input[start..i]);
                o += i - start;
            } else if c == b'=' && i + 2 < len {
                let (x, y) = (input[i + 1], input[i + 2]);
                if x == b'\r' && y == b'\n' {
                    // soft line break
                } else if HEX_VALUE[usize::from(x)] | HEX_VALUE[usize::from(y)] < 16 {
                    buf[o] = HEX_VALUE[usize::from(x)] << 4 | HEX_VALUE[usize::from(y)];
                    o += 1;
                } else {
                    buf[o..o + 3].copy_from_slice(&input[i..i + 3]);
                    o += 3;
                }
                i += 3;
            } else if c == b'\r' && i + 1 < len {
                if input[i + 1] == b'\n' {
                    buf[o..o + 2].copy_from_slice(CRLF);
                    o += 2;
                }
                i += 2;
            } else if c == b'=' || c == b'\r' {
                // Too close to the end to decide: hold it (and what follows) back.
                break;
            } else {
                i += 1; // dropped, as LuaSocket does
            }
        }
        out.truncate(start + o);
        for &c in &input[i..] {
            self.push(c, out);
        }
    }

    fn push(&mut self, c: u8, out: &mut Vec<u8>) {
        self.atom[self.len] = c;
        self.len += 1;
        let a = self.atom;
        match a[0] {
            b'=' => {
                if self.len < 3 {
                    return;
                }
                if a[1] == b'\r' && a[2] == b'\n' {
                    // soft line break
                } else if HEX_VALUE[usize::from(a[1])] | HEX_VALUE[usize::from(a[2])] < 16 {
                    out.push(HEX_VALUE[usize::from(a[1])] << 4 | HEX_VALUE[usize::from(a[2])]);
                } else {
                    out.extend_from_slice(&a);
                }
            }
            b'\r' => {
                if self.len < 2 {
                    return;
                }
                if a[1] == b'\n' {
                    out.extend_from_slice(CRLF);
                }
            }
            c if QP_LITERAL[usize::from(c)] => out.push(c),
            _ => {}
        }
        self.len = 0;
    }

    /// The bytes of an unfinished escape (dropped at the end, as in LuaSocket).
    pub fn rest(&self) -> &[u8] {
        &self.atom[..self.len]
    }
}

/// Backs `mime.wrp(left, chunk, length)`: breaks lines so none exceeds `length`
/// characters; CR is dropped and LF written as CRLF. Returns the new `left`.
pub fn wrap(mut left: i64, input: &[u8], length: i64, out: &mut Vec<u8>) -> i64 {
    let mut i = 0;
    while i < input.len() {
        if left > 0 {
            // Copy what fits on this line, up to the next CR or LF.
            let room = usize::try_from(left).unwrap_or(usize::MAX);
            let end = input.len().min(i.saturating_add(room));
            let n = memchr::memchr2(b'\r', b'\n', &input[i..end]).unwrap_or(end - i);
            if n > 0 {
                out.extend_from_slice(&input[i..i + n]);
                i += n;
                left -= n as i64;
                continue;
            }
        }
        match input[i] {
            b'\r' => {}
            b'\n' => {
                out.extend_from_slice(CRLF);
                left = length;
            }
            c => {
                // left <= 0 here
                out.extend_from_slice(CRLF);
                left = length;
                out.push(c);
                left -= 1;
            }
        }
        i += 1;
    }
    left
}

/// Backs `mime.qpwrp(left, chunk, length)`: breaks quoted-printable lines with soft
/// breaks (`=CRLF`) so none exceeds `length`, never inside an `=XX` escape. Returns the
/// new `left`.
pub fn qp_wrap(mut left: i64, input: &[u8], length: i64, out: &mut Vec<u8>) -> i64 {
    out.reserve(input.len() + input.len() / 8 + 8);
    let mut i = 0;
    while i < input.len() {
        if left > 1 {
            // Copy what fits on this line up to the next CR, LF or `=`.
            let room = usize::try_from(left - 1).unwrap_or(usize::MAX);
            let end = input.len().min(i.saturating_add(room));
            let mut j = i;
            while j + 8 <= end && all8(&QPWRAP_PLAIN, &input[j..j + 8]) {
                j += 8;
            }
            while j < end && QPWRAP_PLAIN[usize::from(input[j])] {
                j += 1;
            }
            let n = j - i;
            if n > 0 {
                out.extend_from_slice(&input[i..i + n]);
                i += n;
                left -= n as i64;
                continue;
            }
        }
        match input[i] {
            b'\r' => {}
            b'\n' => {
                left = length;
                out.extend_from_slice(CRLF);
            }
            b'=' => {
                if left <= 3 {
                    left = length;
                    out.extend_from_slice(EQCRLF);
                }
                out.push(b'=');
                left -= 1;
            }
            c => {
                if left <= 1 {
                    left = length;
                    out.extend_from_slice(EQCRLF);
                }
                out.push(c);
                left -= 1;
            }
        }
        i += 1;
    }
    left
}

/// Backs `mime.eol(context, chunk, marker)`: turns CR, LF, CRLF and LFCR into `marker`
/// (a doubled CR or LF is two line breaks). `context` is the last byte if it was a CR or
/// LF whose pair may follow, else 0; the new one is returned.
pub fn eol(mut ctx: u8, input: &[u8], marker: &[u8], out: &mut Vec<u8>) -> u8 {
    let is_eol = |c: u8| c == b'\r' || c == b'\n';
    let mut i = 0;
    while i < input.len() {
        let n = memchr::memchr2(b'\r', b'\n', &input[i..]).unwrap_or(input.len() - i);
        if n > 0 {
            out.extend_from_slice(&input[i..i + n]);
            i += n;
            ctx = 0;
            continue;
        }
        let c = input[i];
        if is_eol(ctx) {
            if c == ctx {
                out.extend_from_slice(marker);
            }
            ctx = 0;
        } else {
            out.extend_from_slice(marker);
            ctx = c;
        }
        i += 1;
    }
    ctx
}

/// Backs `mime.dot(state, chunk)`: SMTP dot-stuffing, a `.` at the start of a line
/// becomes `..`. `state` counts the CRLF seen (2: at a line start); the new one is
/// returned.
pub fn dot(mut state: u32, input: &[u8], out: &mut Vec<u8>) -> u32 {
    let mut i = 0;
    while i < input.len() {
        let n = memchr::memchr3(b'\r', b'\n', b'.', &input[i..]).unwrap_or(input.len() - i);
        if n > 0 {
            out.extend_from_slice(&input[i..i + n]);
            i += n;
            state = 0;
            continue;
        }
        let c = input[i];
        out.push(c);
        state = match c {
            b'\r' => 1,
            b'\n' if state == 1 => 2,
            b'.' if state == 2 => {
                out.push(b'.');
                0
            }
            _ => 0,
        };
        i += 1;
    }
    state
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    /// Runs a feed/finish codec over `input` cut at `cuts`, as LuaSocket's filters do.
    fn pieces(input: &[u8], cuts: &[usize]) -> Vec<Vec<u8>> {
        let mut points: Vec<usize> = cuts.iter().map(|c| c % (input.len() + 1)).collect();
        points.sort_unstable();
        let mut out = Vec::new();
        let mut at = 0;
        for p in points {
            out.push(input[at..p].to_vec());
            at = p;
        }
        out.push(input[at..].to_vec());
        out
    }

    fn b64_encode(input: &[u8], cuts: &[usize]) -> Vec<u8> {
        let mut e = B64Encoder::default();
        let mut out = Vec::new();
        for p in pieces(input, cuts) {
            e.feed(&p, &mut out);
        }
        e.finish(&mut out);
        out
    }

    fn b64_decode(input: &[u8], cuts: &[usize]) -> Vec<u8> {
        let mut d = B64Decoder::default();
        let mut out = Vec::new();
        for p in pieces(input, cuts) {
            d.feed(&p, &mut out);
        }
        out
    }

    fn qp_encode(input: &[u8], cuts: &[usize]) -> Vec<u8> {
        let mut e = QpEncoder::default();
        let mut out = Vec::new();
        for p in pieces(input, cuts) {
            e.feed(&p, CRLF, &mut out);
        }
        e.finish(&mut out);
        out
    }

    fn qp_decode(input: &[u8], cuts: &[usize]) -> Vec<u8> {
        let mut d = QpDecoder::default();
        let mut out = Vec::new();
        for p in pieces(input, cuts) {
            d.feed(&p, &mut out);
        }
        out
    }

    #[test]
    fn copy_and_literal_sets_agree_with_the_word_test() {
        for c in 0..=255u8 {
            let copied = matches!(QP_CLASS[usize::from(c)], QpClass::Plain | QpClass::IfLast);
            assert_eq!(copied, QP_LITERAL[usize::from(c)], "{c}");
            let word = [b'a', b'a', b'a', c, b'a', b'a', b'a', b'a'];
            assert_eq!(non_literal8(&word) == 0, QP_LITERAL[usize::from(c)], "{c}");
            if !QP_LITERAL[usize::from(c)] {
                assert_eq!(non_literal8(&word).trailing_zeros() / 8, 3);
            }
        }
    }

    #[test]
    fn rfc_vectors() {
        for (plain, coded) in [
            (&b""[..], &b""[..]),
            (b"f", b"Zg=="),
            (b"fo", b"Zm8="),
            (b"foo", b"Zm9v"),
            (b"foob", b"Zm9vYg=="),
            (b"fooba", b"Zm9vYmE="),
            (b"foobar", b"Zm9vYmFy"),
        ] {
            assert_eq!(b64_encode(plain, &[]), coded);
            assert_eq!(b64_decode(coded, &[]), plain);
        }
        assert_eq!(
            qp_encode(b"a \r\nb=c\xe9", &[]),
            b"a=20\r\nb=3Dc=E9".to_vec()
        );
        assert_eq!(qp_encode(b"end ", &[]), b"end=20=\r\n".to_vec());
        assert_eq!(
            qp_decode(b"a=20\r\nb=3Dc=E9=\r\n", &[]),
            b"a \r\nb=c\xe9".to_vec()
        );
    }

    proptest! {
        #[test]
        fn b64_matches_the_base64_crate_at_any_split(
            x in proptest::collection::vec(any::<u8>(), 0..300),
            cuts in proptest::collection::vec(any::<usize>(), 0..6),
        ) {
            prop_assert_eq!(b64_encode(&x, &cuts), STANDARD.encode(&x).into_bytes());
            prop_assert_eq!(b64_decode(&b64_encode(&x, &[]), &cuts), x);
        }

        #[test]
        fn qp_round_trips_any_bytes_through_wrapping(
            x in proptest::collection::vec(any::<u8>(), 0..300),
            cuts in proptest::collection::vec(any::<usize>(), 0..6),
            length in 4i64..100,
        ) {
            let encoded = qp_encode(&x, &cuts);
            prop_assert_eq!(&encoded, &qp_encode(&x, &[]));
            let mut wrapped = Vec::new();
            let left = qp_wrap(length, &encoded, length, &mut wrapped);
            if left < length {
                wrapped.extend_from_slice(EQCRLF);
            }
            for line in wrapped.split(|&c| c == b'\n') {
                prop_assert!(line.len() <= length as usize + 1, "{:?}", line);
            }
            prop_assert_eq!(qp_decode(&wrapped, &cuts), x);
        }

        #[test]
        fn decoders_never_panic_and_split_does_not_matter(
            x in proptest::collection::vec(
                prop_oneof![Just(b'='), Just(b'\r'), Just(b'\n'), Just(b'A'), Just(b'f'), any::<u8>()],
                0..200,
            ),
            cuts in proptest::collection::vec(any::<usize>(), 0..6),
        ) {
            prop_assert_eq!(qp_decode(&x, &cuts), qp_decode(&x, &[]));
            prop_assert_eq!(b64_decode(&x, &cuts), b64_decode(&x, &[]));
            prop_assert!(qp_decode(&x, &[]).len() <= x.len());
        }

        #[test]
        fn eol_and_dot_do_not_depend_on_chunking(
            x in proptest::collection::vec(
                prop_oneof![Just(b'\r'), Just(b'\n'), Just(b'.'), Just(b'x')],
                0..100,
            ),
            cut in any::<usize>(),
        ) {
            let cut = cut % (x.len() + 1);
            let mut whole = Vec::new();
            eol(0, &x, CRLF, &mut whole);
            let mut parts = Vec::new();
            let ctx = eol(0, &x[..cut], CRLF, &mut parts);
            eol(ctx, &x[cut..], CRLF, &mut parts);
            prop_assert_eq!(&whole, &parts);
            let mut whole = Vec::new();
            dot(2, &x, &mut whole);
            let mut parts = Vec::new();
            let st = dot(2, &x[..cut], &mut parts);
            dot(st, &x[cut..], &mut parts);
            prop_assert_eq!(whole, parts);
        }
    }
}
