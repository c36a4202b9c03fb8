//! The head of an HTTP response, decoded line by line as `socket.http` reads it: the
//! status line (after the five bytes that tell HTTP/1.x from HTTP/0.9) and the header
//! fields up to the empty line. The same field decoder reads the trailer of a chunked
//! body (the `chunked` module).
//!
//! Lua does every read (so a caller's socket may yield) and feeds each piece exactly as
//! `receive()` returned it; the decoder owns the grammar and the limits and says what it
//! needs next.

use crate::{Error, Need};

/// The most lines one field block may have.
pub const MAX_FIELD_LINES: usize = 1000;

/// The most bytes the lines of one field block may add up to.
pub const MAX_FIELD_BYTES: usize = 1024 * 1024;

/// The five bytes every HTTP/1.x status line starts with. A reply that starts otherwise
/// is an HTTP/0.9 body.
pub const VERSION_PREFIX: &[u8] = b"HTTP/";

/// A block of header fields (a response head's, or a chunked body's trailer), fed one line
/// at a time until the empty line.
#[derive(Debug, Clone, Default)]
pub struct Fields {
    /// Every name and value, back to back (names already in lower case), so a head costs
    /// one growing buffer rather than two allocations per field.
    text: Vec<u8>,
    /// Where each field lies in `text`: name start, value start, value end (the name
    /// ends where its value starts).
    spans: Vec<[usize; 3]>,
    lines: usize,
    bytes: usize,
    done: bool,
}

impl Fields {
    /// [`Need::Line`] until the empty line has been fed, then [`Need::Done`].
    pub fn need(&self) -> Need {
        if self.done {
            Need::Done
        } else {
            Need::Line
        }
    }

    /// Takes one line (a trailing CR is ignored). A line that starts with a space or a
    /// tab continues the field above it, as LuaSocket has always allowed; its text is
    /// appended as it is. A name may be followed by spaces before its colon.
    pub fn line(&mut self, line: &[u8]) -> Result<Need, Error> {
        if self.done {
            return Ok(Need::Done);
        }
        let line = line.strip_suffix(b"\r").unwrap_or(line);
        if line.is_empty() {
            self.done = true;
            return Ok(Need::Done);
        }
        self.lines += 1;
        self.bytes += line.len();
        if self.lines > MAX_FIELD_LINES || self.bytes > MAX_FIELD_BYTES {
            return Err(Error::HeadersTooLarge);
        }
        if line[0] == b' ' || line[0] == b'\t' {
            // The field above is the last one in `text`, so its value grows in place.
            let span = self.spans.last_mut().ok_or(Error::MalformedHeaders)?;
            check_value(line)?;
            self.text.extend_from_slice(line);
            let kept = self.text[span[1]..].trim_ascii_end().len();
            self.text.truncate(span[1] + kept);
            span[2] = self.text.len();
            return Ok(Need::Line);
        }
        let colon = memchr::memchr(b':', line).ok_or(Error::MalformedHeaders)?;
        let name = line[..colon].trim_ascii_end();
        if name.is_empty() || !name.iter().all(|&c| is_token(c)) {
            return Err(Error::MalformedHeaders);
        }
        let value = line[colon + 1..].trim_ascii();
        check_value(value)?;
        if self.spans.is_empty() {
            // A typical head's fields fit at once.
            self.text.reserve(512);
            self.spans.reserve(16);
        }
        let start = self.text.len();
        self.text.extend(name.iter().map(u8::to_ascii_lowercase));
        let value_start = self.text.len();
        self.text.extend_from_slice(value);
        self.spans.push([start, value_start, self.text.len()]);
        Ok(Need::Line)
    }

    /// The fields in the order they came: lower-case name and value.
    pub fn iter(&self) -> impl Iterator<Item = (&[u8], &[u8])> + '_ {
        self.spans
            .iter()
            .map(|&[name, value, end]| (&self.text[name..value], &self.text[value..end]))
    }
}

/// A field name's characters (RFC 9110 `tchar`).
fn is_token(c: u8) -> bool {
    c.is_ascii_alphanumeric() || b"!#$%&'*+-.^_`|~".contains(&c)
}

/// A field value has no control characters but the tab.
fn check_value(value: &[u8]) -> Result<(), Error> {
    if value.iter().all(|&c| c == b'\t' || c >= b' ' && c != 0x7f) {
        Ok(())
    } else {
        Err(Error::MalformedHeaders)
    }
}

/// What a status line said.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Status<'a> {
    /// Not read yet.
    Pending,
    /// The reply did not start with `HTTP/`: these bytes begin an HTTP/0.9 body.
    Http09(&'a [u8]),
    /// An `HTTP/x.y ddd text` line: its code and the whole line.
    Code(u16, &'a [u8]),
    /// An `HTTP/` line without a code: the whole line.
    Invalid(&'a [u8]),
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Part {
    Prefix,
    StatusLine,
    Fields,
    Done,
}

/// The head of one response: status line, then fields.
#[derive(Debug, Clone)]
pub struct ResponseHead {
    part: Part,
    status: Vec<u8>,
    code: Option<u16>,
    fields: Fields,
}

impl ResponseHead {
    /// A decoder that starts at the status line.
    pub fn new() -> Self {
        ResponseHead {
            part: Part::Prefix,
            status: Vec::new(),
            code: None,
            fields: Fields::default(),
        }
    }

    /// A decoder that starts at the fields (for a caller that has read the status line).
    pub fn fields_only() -> Self {
        ResponseHead {
            part: Part::Fields,
            ..ResponseHead::new()
        }
    }

    /// What to read next: five bytes, then lines, then nothing.
    pub fn need(&self) -> Need {
        match self.part {
            Part::Prefix => Need::Bytes(VERSION_PREFIX.len() as u64),
            Part::StatusLine => Need::Line,
            Part::Fields => self.fields.need(),
            Part::Done => Need::Done,
        }
    }

    /// Takes the piece [`ResponseHead::need`] asked for. An HTTP/0.9 reply and a status
    /// line without a code end the head ([`ResponseHead::status`] tells which).
    pub fn feed(&mut self, piece: &[u8]) -> Result<Need, Error> {
        match self.part {
            Part::Prefix => {
                self.status = piece.to_vec();
                self.part = if piece == VERSION_PREFIX {
                    Part::StatusLine
                } else {
                    Part::Done
                };
            }
            Part::StatusLine => {
                self.status
                    .extend_from_slice(piece.strip_suffix(b"\r").unwrap_or(piece));
                self.code = status_code(&self.status);
                self.part = if self.code.is_some() {
                    Part::Fields
                } else {
                    Part::Done
                };
            }
            Part::Fields => {
                if self.fields.line(piece)? == Need::Done {
                    self.part = Part::Done;
                }
            }
            Part::Done => {}
        }
        Ok(self.need())
    }

    /// What the status line said.
    pub fn status(&self) -> Status<'_> {
        if let Some(code) = self.code {
            return Status::Code(code, &self.status);
        }
        match self.part {
            Part::Prefix | Part::StatusLine => Status::Pending,
            _ if self.status.is_empty() => Status::Pending,
            _ if self.status.starts_with(VERSION_PREFIX) => Status::Invalid(&self.status),
            _ => Status::Http09(&self.status),
        }
    }

    /// The fields read so far.
    pub fn fields(&self) -> &Fields {
        &self.fields
    }
}

impl Default for ResponseHead {
    fn default() -> Self {
        ResponseHead::new()
    }
}

/// The code of `HTTP/<digits>[.<digits>] <spaces> ddd ...`, LuaSocket's status-line
/// pattern.
fn status_code(line: &[u8]) -> Option<u16> {
    let rest = line.strip_prefix(VERSION_PREFIX)?;
    let digits = |s: &[u8]| s.iter().take_while(|c| c.is_ascii_digit()).count();
    let mut rest = &rest[digits(rest)..];
    if let Some(minor) = rest.strip_prefix(b".") {
        rest = &minor[digits(minor)..];
    }
    let spaces = rest.iter().take_while(|&&c| c == b' ').count();
    if spaces == 0 {
        return None;
    }
    let code = rest.get(spaces..spaces + 3)?;
    if !code.iter().all(u8::is_ascii_digit) {
        return None;
    }
    code.iter()
        .try_fold(0u16, |n, &d| Some(n * 10 + u16::from(d - b'0')))
}

#[cfg(test)]
mod tests {
    use super::*;

    type List = Vec<(Vec<u8>, Vec<u8>)>;

    fn fields_of(lines: &[&[u8]]) -> Result<List, Error> {
        let mut f = Fields::default();
        for line in lines {
            f.line(line)?;
        }
        Ok(f.iter().map(|(n, v)| (n.to_vec(), v.to_vec())).collect())
    }

    #[test]
    fn fields_folding_and_errors() {
        let f = fields_of(&[
            b"Content-Type: text/plain",
            b"X-Long: a",
            b"  b",
            b"Set-Cookie:x",
            b"",
        ])
        .unwrap();
        assert_eq!(
            f,
            vec![
                (b"content-type".to_vec(), b"text/plain".to_vec()),
                (b"x-long".to_vec(), b"a  b".to_vec()),
                (b"set-cookie".to_vec(), b"x".to_vec()),
            ]
        );
        assert_eq!(fields_of(&[b"Name : v "]).unwrap()[0].1, b"v");
        assert_eq!(fields_of(&[b"no colon here"]), Err(Error::MalformedHeaders));
        assert_eq!(fields_of(&[b"Bad\0Name: x"]), Err(Error::MalformedHeaders));
        assert_eq!(fields_of(&[b"A: b\0c"]), Err(Error::MalformedHeaders));
        assert_eq!(
            fields_of(&[b" starts folded"]),
            Err(Error::MalformedHeaders)
        );
        assert_eq!(fields_of(&[b": no name"]), Err(Error::MalformedHeaders));
        assert!(fields_of(&[b""]).unwrap().is_empty());
    }

    #[test]
    fn field_limits() {
        let mut f = Fields::default();
        for _ in 0..MAX_FIELD_LINES {
            assert_eq!(f.line(b"A: b"), Ok(Need::Line));
        }
        assert_eq!(f.line(b"A: b"), Err(Error::HeadersTooLarge));
        let mut f = Fields::default();
        let big = vec![b'x'; MAX_FIELD_BYTES + 1];
        assert_eq!(f.line(&big), Err(Error::HeadersTooLarge));
    }

    #[test]
    fn response_heads() {
        let mut h = ResponseHead::new();
        assert_eq!(h.need(), Need::Bytes(5));
        assert_eq!(h.status(), Status::Pending);
        assert_eq!(h.feed(b"HTTP/"), Ok(Need::Line));
        assert_eq!(h.status(), Status::Pending);
        assert_eq!(h.feed(b"1.1 404 Not Found"), Ok(Need::Line));
        assert_eq!(h.status(), Status::Code(404, b"HTTP/1.1 404 Not Found"));
        assert_eq!(h.feed(b"Server: x"), Ok(Need::Line));
        assert_eq!(h.feed(b""), Ok(Need::Done));
        assert_eq!(h.fields().iter().count(), 1);

        let mut h = ResponseHead::new();
        assert_eq!(h.feed(b"<html"), Ok(Need::Done));
        assert_eq!(h.status(), Status::Http09(b"<html"));

        let mut h = ResponseHead::new();
        h.feed(b"HTTP/").unwrap();
        assert_eq!(h.feed(b"1.1 OK"), Ok(Need::Done));
        assert_eq!(h.status(), Status::Invalid(b"HTTP/1.1 OK"));

        for (line, code) in [
            (&b"HTTP/1.0 200 OK"[..], Some(200)),
            (b"HTTP/2 301", Some(301)),
            (b"HTTP/  100 Continue", Some(100)),
            (b"HTTP/1.1 20", None),
            (b"HTTP/1.1200 OK", None),
            (b"HTTP/x 200", None),
        ] {
            assert_eq!(status_code(line), code, "{line:?}");
        }

        let mut h = ResponseHead::fields_only();
        assert_eq!(h.need(), Need::Line);
        assert_eq!(h.feed(b""), Ok(Need::Done));
    }
}
