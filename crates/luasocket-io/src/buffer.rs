//! The receive buffer and LuaSocket's receive patterns.
//!
//! Like C LuaSocket, each stream socket owns an 8 KiB buffer that line reads go through
//! and that `dirty()` reports on. Unlike it, large byte-count and `"*a"` reads bypass the
//! buffer once it is drained and read straight into the result, in big steps.

use crate::{wall_clock, Error, Timeout, Transport};

/// Size of the per-socket receive buffer, as in C LuaSocket.
pub const BUFFER_SIZE: usize = 8192;

/// Largest single read straight into a result; also bounds how much memory a huge
/// byte count (`receive(1e12)`) reserves ahead of the data actually arriving.
const DIRECT_STEP: usize = 1 << 20;

/// Largest single `send` system call: C LuaSocket's 8 KiB step, so both make the same
/// system calls for the same data (checked with `strace -c`).
const SEND_STEP: usize = 8192;

/// What `receive` collects.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Pattern {
    /// `"*l"`: up to the next LF; the LF and every CR are dropped.
    Line,
    /// `"*a"`: until the peer closes.
    All,
    /// A number: exactly that many bytes.
    Bytes(usize),
}

/// Byte counters and age, as `getstats()`/`setstats()` see them.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Stats {
    /// Bytes handed to Lua by `receive`.
    pub received: f64,
    /// Bytes accepted by the peer in `send`.
    pub sent: f64,
    /// Wall-clock time (epoch seconds) the counters started.
    pub birthday: f64,
}

impl Default for Stats {
    fn default() -> Self {
        Stats {
            received: 0.0,
            sent: 0.0,
            birthday: wall_clock(),
        }
    }
}

/// The receive buffer of one stream socket, with its statistics.
#[derive(Debug)]
pub struct Buffer {
    /// Inline, not boxed: a Lua userdata holding the buffer then weighs what C
    /// LuaSocket's does, so the collector runs as often for dropped sockets.
    data: [u8; BUFFER_SIZE],
    first: usize,
    last: usize,
    /// Transfer statistics (`getstats`/`setstats`).
    pub stats: Stats,
    /// The longest line `"*l"` returns before failing with `"line too long"` (`None`:
    /// no limit, as in LuaSocket). Set through the `max-line-length` option.
    pub max_line: Option<usize>,
}

impl Default for Buffer {
    fn default() -> Self {
        Buffer::new()
    }
}

impl Buffer {
    /// An empty buffer whose statistics start now.
    pub fn new() -> Self {
        Buffer {
            data: [0; BUFFER_SIZE],
            first: 0,
            last: 0,
            stats: Stats::default(),
            max_line: None,
        }
    }

    /// True when no unread bytes are buffered (`dirty()` is its negation).
    pub fn is_empty(&self) -> bool {
        self.first >= self.last
    }

    /// Forgets buffered bytes (used when the socket is closed or replaced).
    pub fn clear(&mut self) {
        self.first = 0;
        self.last = 0;
    }

    /// Backs `client:receive(pattern)`: appends what the pattern asks for to `out`.
    ///
    /// On error `out` still holds everything received so far (the `partial` result). As in
    /// LuaSocket, `"*a"` succeeds on an orderly close when it got at least one byte; a
    /// reset is a failure however much arrived. `Bytes(0)` still consults the buffer or,
    /// when it is empty, the transport once, so it reports a closed socket or a timeout.
    pub fn receive<T: Transport + ?Sized>(
        &mut self,
        io: &mut T,
        tm: &Timeout,
        pattern: Pattern,
        out: &mut Vec<u8>,
    ) -> Result<(), Error> {
        match pattern {
            Pattern::Line => self.receive_line(io, tm, out),
            Pattern::All => self.receive_all(io, tm, out),
            Pattern::Bytes(n) => self.receive_bytes(io, tm, n, out),
        }
    }

    /// Backs `client:send(data)`: writes all of `data` unbuffered and returns how many
    /// bytes went out, with the error that stopped it, if any.
    pub fn send<T: Transport + ?Sized>(
        &mut self,
        io: &mut T,
        tm: &Timeout,
        data: &[u8],
    ) -> (usize, Option<Error>) {
        let mut total = 0;
        let mut failure = None;
        while total < data.len() {
            let step = (data.len() - total).min(SEND_STEP);
            match io.send(&data[total..total + step], tm) {
                Ok(n) => total += n,
                Err(e) => {
                    failure = Some(e);
                    break;
                }
            }
        }
        self.stats.sent += total as f64;
        (total, failure)
    }

    fn available(&self) -> &[u8] {
        &self.data[self.first..self.last]
    }

    fn skip(&mut self, count: usize) {
        self.stats.received += count as f64;
        self.first += count;
        if self.is_empty() {
            self.clear();
        }
    }

    /// Refills the (empty) buffer with one read.
    fn fill<T: Transport + ?Sized>(&mut self, io: &mut T, tm: &Timeout) -> Result<(), Error> {
        debug_assert!(self.is_empty());
        let got = io.recv(&mut self.data, tm)?;
        self.first = 0;
        self.last = got.min(self.data.len());
        Ok(())
    }

    fn receive_line<T: Transport + ?Sized>(
        &mut self,
        io: &mut T,
        tm: &Timeout,
        out: &mut Vec<u8>,
    ) -> Result<(), Error> {
        loop {
            if self.is_empty() {
                self.fill(io, tm)?;
            }
            let avail = self.available();
            let (segment, found) = match memchr::memchr(b'\n', avail) {
                Some(pos) => (&avail[..pos], Some(pos)),
                None => (avail, None),
            };
            append_without_cr(out, segment);
            match found {
                Some(pos) => {
                    self.skip(pos + 1);
                    return Ok(());
                }
                None => {
                    let n = segment.len();
                    self.skip(n);
                }
            }
            if self.max_line.is_some_and(|max| out.len() > max) {
                return Err(Error::LineTooLong);
            }
        }
    }

    /// The `"*l"` fast path: fills the buffer if it is empty, then [`Buffer::take_line`].
    /// `None` leaves the buffer as it was, for [`Buffer::receive`] with [`Pattern::Line`].
    /// An error here is what that call would report with nothing received.
    pub fn buffered_line<T: Transport + ?Sized>(
        &mut self,
        io: &mut T,
        tm: &Timeout,
    ) -> Result<Option<&[u8]>, Error> {
        if self.is_empty() {
            self.fill(io, tm)?;
        }
        Ok(self.take_line())
    }

    /// Without reading: when a whole line lies in the buffer with no CR other than one
    /// just before the LF, consumes it and returns it in place, as the line reader would
    /// return it (a line found whole is never "too long"). `None` leaves the buffer as it
    /// was.
    pub fn take_line(&mut self) -> Option<&[u8]> {
        // One scan for the first CR or LF: an LF ends a line without CR, a CR must be
        // followed by the LF; anything else is the line reader's work.
        let avail = self.available();
        let pos = memchr::memchr2(b'\n', b'\r', avail)?;
        let consumed = match (avail[pos], avail.get(pos + 1)) {
            (b'\n', _) => pos + 1,
            (_, Some(b'\n')) => pos + 2,
            _ => return None,
        };
        let (start, len) = (self.first, pos);
        self.skip(consumed);
        Some(&self.data[start..start + len])
    }

    fn receive_all<T: Transport + ?Sized>(
        &mut self,
        io: &mut T,
        tm: &Timeout,
        out: &mut Vec<u8>,
    ) -> Result<(), Error> {
        let mut total = self.drain_into(out, usize::MAX);
        let mut step = BUFFER_SIZE * 8;
        loop {
            match self.read_direct(io, tm, out, step) {
                Ok(n) => total += n,
                Err(Error::Closed) if total > 0 => return Ok(()),
                Err(e) => return Err(e),
            }
            step = (step * 2).min(DIRECT_STEP);
        }
    }

    fn receive_bytes<T: Transport + ?Sized>(
        &mut self,
        io: &mut T,
        tm: &Timeout,
        wanted: usize,
        out: &mut Vec<u8>,
    ) -> Result<(), Error> {
        if wanted == 0 {
            if self.is_empty() {
                self.fill(io, tm)?;
            }
            return Ok(());
        }
        let mut total = self.drain_into(out, wanted);
        while total < wanted {
            let need = wanted - total;
            if need >= BUFFER_SIZE {
                total += self.read_direct(io, tm, out, need.min(DIRECT_STEP))?;
            } else {
                self.fill(io, tm)?;
                total += self.drain_into(out, need);
            }
        }
        Ok(())
    }

    /// Moves up to `limit` buffered bytes into `out`.
    fn drain_into(&mut self, out: &mut Vec<u8>, limit: usize) -> usize {
        let n = self.available().len().min(limit);
        out.extend_from_slice(&self.available()[..n]);
        self.skip(n);
        n
    }

    /// Reads once, at most `step` bytes, straight onto the end of `out` (the buffer must
    /// be empty), through [`Transport::recv_append`]: a socket reads into the result's
    /// spare room, with no zero-fill of the step first.
    fn read_direct<T: Transport + ?Sized>(
        &mut self,
        io: &mut T,
        tm: &Timeout,
        out: &mut Vec<u8>,
        step: usize,
    ) -> Result<usize, Error> {
        let got = io.recv_append(out, step, tm)?;
        self.stats.received += got as f64;
        Ok(got)
    }
}

/// Appends `segment` to `out` leaving out every CR, as LuaSocket's line reader does.
fn append_without_cr(out: &mut Vec<u8>, mut segment: &[u8]) {
    while let Some(pos) = memchr::memchr(b'\r', segment) {
        out.extend_from_slice(&segment[..pos]);
        segment = &segment[pos + 1..];
    }
    out.extend_from_slice(segment);
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::collections::VecDeque;

    /// What the scripted transport does on each `recv` call.
    enum Step {
        Data(&'static [u8]),
        Owned(Vec<u8>),
        WouldBlock,
        Closed,
        Reset,
    }

    /// A transport that plays a script: chunks, timeouts (would-block with no time left),
    /// and end of stream. Sends are accepted `send_chunk` bytes at a time.
    struct Script {
        steps: VecDeque<Step>,
        pending: Vec<u8>,
        sent: Vec<u8>,
        send_chunk: usize,
        send_fail_after: Option<usize>,
        recv_calls: usize,
    }

    impl Script {
        fn new(steps: Vec<Step>) -> Self {
            Script {
                steps: steps.into(),
                pending: Vec::new(),
                sent: Vec::new(),
                send_chunk: 3,
                send_fail_after: None,
                recv_calls: 0,
            }
        }
    }

    impl Transport for Script {
        fn recv(&mut self, buf: &mut [u8], _tm: &Timeout) -> Result<usize, Error> {
            self.recv_calls += 1;
            if self.pending.is_empty() {
                match self.steps.pop_front() {
                    Some(Step::Data(d)) => self.pending.extend_from_slice(d),
                    Some(Step::Owned(d)) => self.pending = d,
                    Some(Step::WouldBlock) => return Err(Error::Timeout),
                    Some(Step::Closed) | None => return Err(Error::Closed),
                    Some(Step::Reset) => return Err(Error::Reset),
                }
            }
            let n = self.pending.len().min(buf.len());
            buf[..n].copy_from_slice(&self.pending[..n]);
            self.pending.drain(..n);
            Ok(n)
        }

        fn send(&mut self, data: &[u8], _tm: &Timeout) -> Result<usize, Error> {
            if let Some(limit) = self.send_fail_after {
                if self.sent.len() >= limit {
                    return Err(Error::Closed);
                }
            }
            let n = data.len().min(self.send_chunk);
            self.sent.extend_from_slice(&data[..n]);
            Ok(n)
        }
    }

    fn recv(buf: &mut Buffer, io: &mut Script, p: Pattern) -> (Result<(), Error>, Vec<u8>) {
        let mut out = Vec::new();
        let r = buf.receive(io, &Timeout::default(), p, &mut out);
        (r, out)
    }

    #[test]
    fn a_line_limit_bounds_endless_lines() {
        static ENDLESS: [u8; 4096] = [b'x'; 4096];
        let mut io = Script::new((0..64).map(|_| Step::Data(&ENDLESS)).collect());
        let mut b = Buffer::new();
        b.max_line = Some(10_000);
        let (r, partial) = recv(&mut b, &mut io, Pattern::Line);
        assert_eq!(r.unwrap_err().to_string(), "line too long");
        assert!(partial.len() > 10_000 && partial.len() <= 10_000 + BUFFER_SIZE);
    }

    #[test]
    fn lines_drop_cr_and_lf_across_chunks() {
        let mut io = Script::new(vec![
            Step::Data(b"hel"),
            Step::Data(b"lo\r"),
            Step::Data(b"\nwo\rrld\nlast"),
            Step::Closed,
        ]);
        let mut b = Buffer::new();
        assert_eq!(recv(&mut b, &mut io, Pattern::Line).1, b"hello");
        assert_eq!(recv(&mut b, &mut io, Pattern::Line).1, b"world");
        assert!(!b.is_empty());
        let (r, partial) = recv(&mut b, &mut io, Pattern::Line);
        assert!(matches!(r, Err(Error::Closed)));
        assert_eq!(partial, b"last");
        assert!(b.is_empty());
    }

    #[test]
    fn empty_lines_and_binary() {
        let mut io = Script::new(vec![Step::Data(b"\n\0\xff\xfe\n")]);
        let mut b = Buffer::new();
        assert_eq!(recv(&mut b, &mut io, Pattern::Line).1, b"");
        assert_eq!(recv(&mut b, &mut io, Pattern::Line).1, b"\0\xff\xfe");
    }

    #[test]
    fn timeout_keeps_partial_and_buffer() {
        let mut io = Script::new(vec![
            Step::Data(b"abc"),
            Step::WouldBlock,
            Step::Data(b"def\n"),
        ]);
        let mut b = Buffer::new();
        let (r, partial) = recv(&mut b, &mut io, Pattern::Line);
        assert!(matches!(r, Err(Error::Timeout)));
        assert_eq!(partial, b"abc");
        // the caller resumes with the partial result as prefix
        let mut out = partial;
        b.receive(&mut io, &Timeout::default(), Pattern::Line, &mut out)
            .unwrap();
        assert_eq!(out, b"abcdef");
    }

    #[test]
    fn byte_counts_small_and_large() {
        let big: Vec<u8> = (0..100_000u32).map(|i| (i % 251) as u8).collect();
        let mut io = Script::new(vec![
            Step::Data(b"0123456789"),
            Step::Owned(big.clone()),
            Step::Closed,
        ]);
        let mut b = Buffer::new();
        assert_eq!(recv(&mut b, &mut io, Pattern::Bytes(4)).1, b"0123");
        assert_eq!(recv(&mut b, &mut io, Pattern::Bytes(0)).1, b"");
        let (r, got) = recv(&mut b, &mut io, Pattern::Bytes(6 + 100_000));
        r.unwrap();
        assert_eq!(&got[..6], b"456789");
        assert_eq!(&got[6..], &big[..]);
        assert_eq!(b.stats.received, 100_010.0);
        let (r, got) = recv(&mut b, &mut io, Pattern::Bytes(1));
        assert!(matches!(r, Err(Error::Closed)));
        assert!(got.is_empty());
    }

    #[test]
    fn huge_count_returns_partial_on_close() {
        let mut io = Script::new(vec![Step::Data(b"xyz"), Step::Closed]);
        let mut b = Buffer::new();
        let (r, got) = recv(&mut b, &mut io, Pattern::Bytes(usize::MAX));
        assert!(matches!(r, Err(Error::Closed)));
        assert_eq!(got, b"xyz");
    }

    #[test]
    fn all_until_closed() {
        let mut io = Script::new(vec![
            Step::Data(b"line\nrest"),
            Step::Owned(vec![7; 200_000]),
            Step::Closed,
        ]);
        let mut b = Buffer::new();
        assert_eq!(recv(&mut b, &mut io, Pattern::Line).1, b"line");
        let (r, got) = recv(&mut b, &mut io, Pattern::All);
        r.unwrap();
        assert_eq!(got.len(), 4 + 200_000);
        assert_eq!(&got[..4], b"rest");
        // nothing left: closed is an error now
        let (r, got) = recv(&mut b, &mut io, Pattern::All);
        assert!(matches!(r, Err(Error::Closed)));
        assert!(got.is_empty());
    }

    #[test]
    fn all_after_a_reset_is_a_failure_with_the_partial_data() {
        let mut io = Script::new(vec![Step::Data(b"abc"), Step::Reset]);
        let mut b = Buffer::new();
        let (r, got) = recv(&mut b, &mut io, Pattern::All);
        assert!(matches!(r, Err(Error::Reset)));
        assert_eq!(r.unwrap_err().to_string(), "closed");
        assert_eq!(got, b"abc");
    }

    #[test]
    fn zero_bytes_still_consult_the_buffer_or_the_transport() {
        // Empty buffer: one read, whose bytes stay buffered for the next call.
        let mut io = Script::new(vec![Step::Data(b"xy"), Step::Closed]);
        let mut b = Buffer::new();
        let (r, got) = recv(&mut b, &mut io, Pattern::Bytes(0));
        assert!(r.is_ok() && got.is_empty());
        assert!(!b.is_empty());
        // Buffered bytes: no read at all.
        let (r, _) = recv(&mut b, &mut io, Pattern::Bytes(0));
        assert!(r.is_ok());
        assert_eq!(io.recv_calls, 1);
        assert_eq!(recv(&mut b, &mut io, Pattern::Bytes(2)).1, b"xy");
        // At the end of the stream: "closed".
        let (r, _) = recv(&mut b, &mut io, Pattern::Bytes(0));
        assert!(matches!(r, Err(Error::Closed)));
        let mut io = Script::new(vec![Step::WouldBlock]);
        let (r, _) = recv(&mut Buffer::new(), &mut io, Pattern::Bytes(0));
        assert!(matches!(r, Err(Error::Timeout)));
    }

    #[test]
    fn all_with_timeout_reports_partial() {
        let mut io = Script::new(vec![Step::Data(b"abc"), Step::WouldBlock]);
        let mut b = Buffer::new();
        let (r, got) = recv(&mut b, &mut io, Pattern::All);
        assert!(matches!(r, Err(Error::Timeout)));
        assert_eq!(got, b"abc");
    }

    #[test]
    fn send_counts_and_stops_on_error() {
        let mut io = Script::new(vec![]);
        let mut b = Buffer::new();
        let (n, e) = b.send(&mut io, &Timeout::default(), b"hello world");
        assert_eq!((n, e.is_none()), (11, true));
        assert_eq!(io.sent, b"hello world");
        io.send_fail_after = Some(14);
        let (n, e) = b.send(&mut io, &Timeout::default(), b"0123456789");
        assert_eq!(n, 3);
        assert!(matches!(e, Some(Error::Closed)));
        assert_eq!(b.stats.sent, 14.0);
    }

    /// Reads every line of `chunks` the way the Lua method does (the fast path, else the
    /// line reader), or with the line reader alone, and returns lines, end and counters.
    fn all_lines(chunks: &[Vec<u8>], fast: bool) -> (Vec<Vec<u8>>, String, f64) {
        let mut io = Script::new(chunks.iter().cloned().map(Step::Owned).collect());
        let mut b = Buffer::new();
        let tm = Timeout::default();
        let mut lines = Vec::new();
        loop {
            if fast {
                match b.buffered_line(&mut io, &tm) {
                    Ok(Some(line)) => {
                        lines.push(line.to_vec());
                        continue;
                    }
                    Ok(None) => {}
                    Err(e) => {
                        lines.push(Vec::new()); // the partial result: nothing
                        return (lines, e.to_string(), b.stats.received);
                    }
                }
            }
            let mut out = Vec::new();
            match b.receive(&mut io, &tm, Pattern::Line, &mut out) {
                Ok(()) => lines.push(out),
                Err(e) => {
                    lines.push(out);
                    return (lines, e.to_string(), b.stats.received);
                }
            }
        }
    }

    #[test]
    fn buffered_lines_are_what_the_line_reader_returns() {
        let mut seed = 0x2545_f491_u32;
        let mut next = move || {
            seed ^= seed << 13;
            seed ^= seed >> 17;
            seed ^= seed << 5;
            seed
        };
        for _ in 0..300 {
            let chunks: Vec<Vec<u8>> = (0..next() % 6)
                .map(|_| {
                    (0..next() % 40)
                        .map(|_| match next() % 8 {
                            0 => b'\n',
                            1 => b'\r',
                            _ => b'x',
                        })
                        .collect::<Vec<u8>>()
                })
                .filter(|chunk| !chunk.is_empty())
                .collect();
            assert_eq!(
                all_lines(&chunks, true),
                all_lines(&chunks, false),
                "{chunks:?}"
            );
        }
        let chunks = [b"a\r\nb\nc\rd\n\r\r\n".to_vec()];
        let (lines, end, _) = all_lines(&chunks, true);
        assert_eq!(lines, [&b"a"[..], b"b", b"cd", b"", b""]);
        assert_eq!(end, "closed");
    }

    #[test]
    fn line_reads_use_one_recv_per_buffer() {
        let mut io = Script::new(vec![Step::Data(b"a\nb\nc\n")]);
        let mut b = Buffer::new();
        for want in [b"a", b"b", b"c"] {
            assert_eq!(recv(&mut b, &mut io, Pattern::Line).1, want);
        }
        assert_eq!(io.recv_calls, 1);
    }
}
