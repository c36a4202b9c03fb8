//! The chunked transfer coding of HTTP/1.1: a sans-IO decoder that says what it needs
//! next (a line, or so many bytes of data), so a caller reads exactly the body from a
//! socket, and the framing of chunks for sending.
//!
//! The decoder takes input two ways: [`Dechunker::line`] for a line as a socket's
//! `receive()` returns it (no line break), and [`Dechunker::feed`] for a stream of
//! bytes in pieces of any size (the `decodechunked` filter).

use crate::head::Fields;
use crate::{Error, Need};

/// The longest chunk-size line the decoder accepts.
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

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Part {
    Size,
    Data,
    DataEnd,
    Trailer,
    Done,
}

/// Decodes one chunked body.
#[derive(Debug, Clone)]
pub struct Dechunker {
    part: Part,
    remaining: u64,
    /// A line begun by [`Dechunker::feed`] and not ended yet.
    partial: Vec<u8>,
    trailer: Fields,
}

impl Default for Dechunker {
    fn default() -> Self {
        Dechunker {
            part: Part::Size,
            remaining: 0,
            partial: Vec::new(),
            trailer: Fields::default(),
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

    /// The trailer fields seen after the last chunk.
    pub fn trailer(&self) -> &Fields {
        &self.trailer
    }

    /// Takes one line, without its line break (a trailing CR is ignored). Where chunk
    /// data is due, the line's bytes are data.
    pub fn line(&mut self, line: &[u8], out: &mut Vec<u8>) -> Result<Need, Error> {
        match self.part {
            Part::Data => {
                self.data(line, out);
            }
            Part::Done => {}
            _ => self.end_of_line(line)?,
        }
        Ok(self.need())
    }

    /// Takes a piece of the byte stream, appending chunk data to `out`; returns how many
    /// bytes it used (fewer than given only once the body has ended).
    pub fn feed(&mut self, input: &[u8], out: &mut Vec<u8>) -> Result<usize, Error> {
        let mut used = 0;
        while used < input.len() {
            let rest = &input[used..];
            match self.part {
                Part::Done => break,
                Part::Data => used += self.data(rest, out),
                _ => match memchr::memchr(b'\n', rest) {
                    None => {
                        self.grow_partial(rest)?;
                        used = input.len();
                    }
                    Some(n) => {
                        self.grow_partial(&rest[..n])?;
                        used += n + 1;
                        let line = std::mem::take(&mut self.partial);
                        self.end_of_line(&line)?;
                    }
                },
            }
        }
        Ok(used)
    }

    /// Passes on as much of `input` as the current chunk has left; returns how much.
    fn data(&mut self, input: &[u8], out: &mut Vec<u8>) -> usize {
        let take = input
            .len()
            .min(usize::try_from(self.remaining).unwrap_or(usize::MAX));
        out.extend_from_slice(&input[..take]);
        self.remaining -= take as u64;
        if self.remaining == 0 {
            self.part = Part::DataEnd;
        }
        take
    }

    fn grow_partial(&mut self, piece: &[u8]) -> Result<(), Error> {
        if self.partial.len() + piece.len() > MAX_CHUNK_LINE && self.part != Part::Trailer {
            return Err(Error::ChunkLineTooLong);
        }
        if self.partial.len() + piece.len() > crate::head::MAX_FIELD_BYTES {
            return Err(Error::HeadersTooLarge);
        }
        self.partial.extend_from_slice(piece);
        Ok(())
    }

    fn end_of_line(&mut self, line: &[u8]) -> Result<(), Error> {
        let line = line.strip_suffix(b"\r").unwrap_or(line);
        match self.part {
            Part::Size => {
                if line.len() > MAX_CHUNK_LINE {
                    return Err(Error::ChunkLineTooLong);
                }
                match chunk_size(line).ok_or(Error::InvalidChunkSize)? {
                    0 => self.part = Part::Trailer,
                    size => {
                        self.remaining = size;
                        self.part = Part::Data;
                    }
                }
            }
            Part::DataEnd => {
                if !line.is_empty() {
                    return Err(Error::InvalidChunkEnd);
                }
                self.part = Part::Size;
            }
            Part::Trailer => {
                if self.trailer.line(line)? == Need::Done {
                    self.part = Part::Done;
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
    let line = match memchr::memchr(b';', line) {
        Some(p) => &line[..p],
        None => line,
    };
    let hex = line.trim_ascii();
    if hex.is_empty() || hex.len() > 15 {
        return None;
    }
    hex.iter().try_fold(0u64, |n, &c| {
        let digit = (c as char).to_digit(16)?;
        Some(n << 4 | u64::from(digit))
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn dechunk_all(input: &[u8], cut: usize) -> (Result<usize, Error>, Vec<u8>, Dechunker) {
        let mut d = Dechunker::default();
        let mut out = Vec::new();
        let cut = cut.min(input.len());
        let first = d.feed(&input[..cut], &mut out);
        let r = first.and_then(|n| d.feed(&input[cut..], &mut out).map(|m| n + m));
        (r, out, d)
    }

    fn trailer_names(d: &Dechunker) -> Vec<&[u8]> {
        d.trailer().iter().map(|(n, _)| n).collect()
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
            assert_eq!(trailer_names(&d), [&b"x-trailer"[..], b"y"]);
        }
        let mut framed = Vec::new();
        frame_chunk(b"abc", &mut framed);
        assert_eq!(framed, b"3\r\nabc\r\n");
    }

    #[test]
    fn line_by_line() {
        let mut d = Dechunker::default();
        let mut out = Vec::new();
        assert_eq!(d.line(b"5", &mut out), Ok(Need::Bytes(5)));
        assert_eq!(d.feed(b"hel", &mut out), Ok(3));
        assert_eq!(d.need(), Need::Bytes(2));
        assert_eq!(d.feed(b"lo", &mut out), Ok(2));
        assert_eq!(d.line(b"", &mut out), Ok(Need::Line));
        assert_eq!(d.line(b"0", &mut out), Ok(Need::Line));
        assert_eq!(d.line(b"Expires: never", &mut out), Ok(Need::Line));
        assert_eq!(d.line(b"", &mut out), Ok(Need::Done));
        assert_eq!(out, b"hello");
        assert_eq!(trailer_names(&d), [&b"expires"[..]]);
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
        for bad in [
            &b"zz\r\n"[..],
            b"-5\r\n",
            b"\r\n",
            b"ffffffffffffffff\r\n",
            b"+1\r\n",
        ] {
            let r = Dechunker::default().feed(bad, &mut out);
            assert_eq!(r, Err(Error::InvalidChunkSize), "{bad:?}");
        }
        let r = Dechunker::default().feed(b"3\r\nabcX\r\n", &mut out);
        assert_eq!(r, Err(Error::InvalidChunkEnd));
        let long = vec![b'1'; MAX_CHUNK_LINE + 10];
        assert_eq!(
            Dechunker::default().feed(&long, &mut out),
            Err(Error::ChunkLineTooLong)
        );
        assert_eq!(
            Dechunker::default().line(&long, &mut out),
            Err(Error::ChunkLineTooLong)
        );
        assert_eq!(chunk_size(b" 1A ; name=value"), Some(26));
        assert_eq!(chunk_size(b"fffffffffffffff"), Some(0xfff_ffff_ffff_ffff));
    }
}
