//! HTTP pieces for `socket.http`: response header blocks parsed by httparse, with the
//! leniency LuaSocket has always had (folded continuation lines, spaces after a field
//! name), and the chunked transfer coding: a sans-IO decoder that says what it needs
//! next (a line, or so many bytes), so a caller can read exactly the body from a socket,
//! and the framing of chunks for sending.

/// A header block's fields in order: lower-case name and value.
pub type Fields = Vec<(Vec<u8>, Vec<u8>)>;

/// Parses a header block: the header lines of a response, joined with CRLF, without the
/// status line or the empty line that ends them.
///
/// Continuation lines are appended to the field above them without their line break (as
/// LuaSocket does). A line that is not a field is an error (`"malformed response
/// headers"`).
pub fn parse_header_block(block: &[u8]) -> Result<Fields, &'static str> {
    const MALFORMED: &str = "malformed response headers";
    if block.is_empty() {
        return Ok(Vec::new());
    }
    // httparse parses whole responses: put a status line before the block and the empty
    // line after it.
    let mut buf = Vec::with_capacity(block.len() + 24);
    buf.extend_from_slice(b"HTTP/1.1 200 OK\r\n");
    buf.extend_from_slice(block);
    buf.extend_from_slice(b"\r\n\r\n");
    let lines = block.iter().filter(|&&c| c == b'\n').count() + 1;
    let mut headers = vec![httparse::EMPTY_HEADER; lines];
    let mut response = httparse::Response::new(&mut headers);
    let mut config = httparse::ParserConfig::default();
    config
        .allow_obsolete_multiline_headers_in_responses(true)
        .allow_spaces_after_header_name_in_responses(true);
    match config.parse_response(&mut response, &buf) {
        Ok(httparse::Status::Complete(_)) => {}
        _ => return Err(MALFORMED),
    }
    Ok(response
        .headers
        .iter()
        .map(|h| {
            let name = h.name.to_ascii_lowercase().into_bytes();
            let value = h
                .value
                .iter()
                .copied()
                .filter(|&c| c != b'\r' && c != b'\n')
                .collect();
            (name, value)
        })
        .collect())
}

/// The longest line (chunk size or trailer field) the decoder accepts.
pub const MAX_CHUNK_LINE: usize = 64 * 1024;

/// The last chunk of a chunked body, with no trailer fields.
pub const LAST_CHUNK: &[u8] = b"0\r\n\r\n";

/// Appends `data` framed as one chunk (`<hex size> CRLF data CRLF`); nothing for empty
/// data, which would read as the last chunk.
pub fn frame_chunk(data: &[u8], out: &mut Vec<u8>) {
    if data.is_empty() {
        return;
    }
    out.extend_from_slice(format!("{:X}\r\n", data.len()).as_bytes());
    out.extend_from_slice(data);
    out.extend_from_slice(b"\r\n");
}

/// What the chunked decoder needs next.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Need {
    /// A line (a chunk size, the CRLF after a chunk, or a trailer field).
    Line,
    /// Up to this many bytes of chunk data.
    Bytes(u64),
    /// Nothing: the body has ended.
    Done,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Part {
    Size,
    Data,
    DataEnd,
    Trailer,
    Done,
}

/// Decodes the chunked transfer coding, fed in pieces of any size.
#[derive(Debug, Clone)]
pub struct Dechunker {
    part: Part,
    remaining: u64,
    line: Vec<u8>,
    trailers: Vec<u8>,
}

impl Default for Dechunker {
    fn default() -> Self {
        Dechunker {
            part: Part::Size,
            remaining: 0,
            line: Vec::new(),
            trailers: Vec::new(),
        }
    }
}

impl Dechunker {
    /// What to read next for an exact read of the body.
    pub fn need(&self) -> Need {
        match self.part {
            Part::Data => Need::Bytes(self.remaining),
            Part::Done => Need::Done,
            _ => Need::Line,
        }
    }

    /// The trailer fields seen after the last chunk, as a header block (CRLF between
    /// lines), for [`parse_header_block`].
    pub fn trailers(&self) -> &[u8] {
        &self.trailers
    }

    /// Decodes `input`, appending chunk data to `out`; returns how many bytes it used
    /// (fewer than given only once the body has ended). Errors: `"invalid chunk size"`,
    /// `"invalid chunk end"`, `"chunk line too long"`.
    pub fn feed(&mut self, input: &[u8], out: &mut Vec<u8>) -> Result<usize, &'static str> {
        let mut i = 0;
        while i < input.len() {
            match self.part {
                Part::Done => break,
                Part::Data => {
                    let take = (input.len() - i)
                        .min(usize::try_from(self.remaining).unwrap_or(usize::MAX));
                    out.extend_from_slice(&input[i..i + take]);
                    i += take;
                    self.remaining -= take as u64;
                    if self.remaining == 0 {
                        self.part = Part::DataEnd;
                    }
                }
                _ => {
                    let rest = &input[i..];
                    match memchr::memchr(b'\n', rest) {
                        None => {
                            self.line.extend_from_slice(rest);
                            i = input.len();
                            if self.line.len() > MAX_CHUNK_LINE {
                                return Err("chunk line too long");
                            }
                        }
                        Some(n) => {
                            self.line.extend_from_slice(&rest[..n]);
                            i += n + 1;
                            if self.line.len() > MAX_CHUNK_LINE {
                                return Err("chunk line too long");
                            }
                            if self.line.last() == Some(&b'\r') {
                                self.line.pop();
                            }
                            let line = std::mem::take(&mut self.line);
                            self.end_of_line(&line)?;
                        }
                    }
                }
            }
        }
        Ok(i)
    }

    fn end_of_line(&mut self, line: &[u8]) -> Result<(), &'static str> {
        match self.part {
            Part::Size => {
                let size = chunk_size(line).ok_or("invalid chunk size")?;
                if size == 0 {
                    self.part = Part::Trailer;
                } else {
                    self.remaining = size;
                    self.part = Part::Data;
                }
            }
            Part::DataEnd => {
                if !line.is_empty() {
                    return Err("invalid chunk end");
                }
                self.part = Part::Size;
            }
            Part::Trailer => {
                if line.is_empty() {
                    self.part = Part::Done;
                } else {
                    if self.trailers.len() + line.len() > MAX_CHUNK_LINE {
                        return Err("chunk line too long");
                    }
                    if !self.trailers.is_empty() {
                        self.trailers.extend_from_slice(b"\r\n");
                    }
                    self.trailers.extend_from_slice(line);
                }
            }
            Part::Data | Part::Done => {}
        }
        Ok(())
    }
}

/// The size on a chunk-size line: hex digits (at most 15), optional white space, and
/// optional `;extensions`.
fn chunk_size(line: &[u8]) -> Option<u64> {
    let line = match line.iter().position(|&c| c == b';') {
        Some(p) => &line[..p],
        None => line,
    };
    let hex = line.trim_ascii();
    if hex.is_empty() || hex.len() > 15 || !hex.iter().all(u8::is_ascii_hexdigit) {
        return None;
    }
    u64::from_str_radix(std::str::from_utf8(hex).ok()?, 16).ok()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn fields_folding_and_errors() {
        let f = parse_header_block(b"Content-Type: text/plain\r\nX-Long: a\r\n  b\r\nSet-Cookie:x")
            .unwrap();
        assert_eq!(
            f,
            vec![
                (b"content-type".to_vec(), b"text/plain".to_vec()),
                (b"x-long".to_vec(), b"a  b".to_vec()),
                (b"set-cookie".to_vec(), b"x".to_vec()),
            ]
        );
        assert_eq!(parse_header_block(b"Name : v").unwrap()[0].1, b"v");
        assert!(parse_header_block(b"no colon here").is_err());
        assert!(parse_header_block(b"").unwrap().is_empty());
        assert!(parse_header_block(b"Bad\0Name: x").is_err());
    }

    fn dechunk_all(input: &[u8], cut: usize) -> (Result<usize, &'static str>, Vec<u8>, Dechunker) {
        let mut d = Dechunker::default();
        let mut out = Vec::new();
        let cut = cut.min(input.len());
        let first = d.feed(&input[..cut], &mut out);
        let r = first.and_then(|n| d.feed(&input[cut..], &mut out).map(|m| n + m));
        (r, out, d)
    }

    #[test]
    fn chunked_round_trip_at_every_split() {
        let mut body = Vec::new();
        frame_chunk(b"hello ", &mut body);
        frame_chunk(b"", &mut body);
        frame_chunk(&[b'x'; 300], &mut body);
        body.extend_from_slice(b"0;ext=1\r\nX-Trailer: yes\r\nY: 2\r\n\r\nafter the body");
        let end = body.len() - b"after the body".len();
        for cut in 0..=body.len() {
            let (r, out, d) = dechunk_all(&body, cut);
            assert_eq!(r, Ok(end), "cut {cut}");
            assert_eq!(&out[..6], b"hello ");
            assert_eq!(out.len(), 306);
            assert_eq!(d.need(), Need::Done);
            assert_eq!(d.trailers(), b"X-Trailer: yes\r\nY: 2");
        }
        let mut framed = Vec::new();
        frame_chunk(b"abc", &mut framed);
        assert_eq!(framed, b"3\r\nabc\r\n");
    }

    #[test]
    fn chunked_errors_and_needs() {
        let mut d = Dechunker::default();
        let mut out = Vec::new();
        assert_eq!(d.need(), Need::Line);
        d.feed(b"a\r\n", &mut out).unwrap();
        assert_eq!(d.need(), Need::Bytes(10));
        d.feed(b"0123", &mut out).unwrap();
        assert_eq!(d.need(), Need::Bytes(6));
        for bad in [&b"zz\r\n"[..], b"-5\r\n", b"\r\n", b"ffffffffffffffff\r\n"] {
            let r = Dechunker::default().feed(bad, &mut out);
            assert_eq!(r, Err("invalid chunk size"), "{bad:?}");
        }
        let r = Dechunker::default().feed(b"3\r\nabcX\r\n", &mut out);
        assert_eq!(r, Err("invalid chunk end"));
        let long = vec![b'1'; MAX_CHUNK_LINE + 10];
        assert_eq!(
            Dechunker::default().feed(&long, &mut out),
            Err("chunk line too long")
        );
        assert_eq!(chunk_size(b" 1A ; name=value"), Some(26));
    }
}
