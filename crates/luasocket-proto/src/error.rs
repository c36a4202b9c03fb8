//! The words Lua code sees when a protocol decoder refuses its input.

use std::fmt;

/// Why a decoder refused its input. Incomplete input is never an error: decoders say
/// what they need next instead ([`crate::Need`]).
///
/// The [`Display`](fmt::Display) text of each variant is [`Error::word`], the exact
/// string Lua code gets.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub enum Error {
    /// A header line is neither a field nor a continuation: `"malformed response headers"`.
    MalformedHeaders,
    /// A response head (or a trailer) has more lines or bytes than the limits:
    /// `"response headers too large"`.
    HeadersTooLarge,
    /// A chunk-size line is not a size: `"invalid chunk size"`.
    InvalidChunkSize,
    /// Chunk data is not followed by a line break: `"invalid chunk end"`.
    InvalidChunkEnd,
    /// A chunk-size or trailer line is longer than the limit: `"chunk line too long"`.
    ChunkLineTooLong,
    /// An SMTP or FTP reply line does not start with a three-digit code:
    /// `"invalid server reply"`.
    InvalidReply,
    /// A multi-line SMTP or FTP reply grew past the limit: `"server reply too large"`.
    ReplyTooLarge,
    /// A PASV reply has no usable address: `"invalid pasv response"`.
    InvalidPasv,
    /// An EPSV reply has no usable port: `"invalid epsv response"`.
    InvalidEpsv,
}

impl Error {
    /// The message Lua code sees.
    pub fn word(self) -> &'static str {
        match self {
            Error::MalformedHeaders => "malformed response headers",
            Error::HeadersTooLarge => "response headers too large",
            Error::InvalidChunkSize => "invalid chunk size",
            Error::InvalidChunkEnd => "invalid chunk end",
            Error::ChunkLineTooLong => "chunk line too long",
            Error::InvalidReply => "invalid server reply",
            Error::ReplyTooLarge => "server reply too large",
            Error::InvalidPasv => "invalid pasv response",
            Error::InvalidEpsv => "invalid epsv response",
        }
    }
}

impl fmt::Display for Error {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.word())
    }
}

impl std::error::Error for Error {}

#[cfg(test)]
mod tests {
    use super::Error;

    /// Every word, pinned: Lua callers compare against these strings.
    #[test]
    fn words() {
        let table = [
            (Error::MalformedHeaders, "malformed response headers"),
            (Error::HeadersTooLarge, "response headers too large"),
            (Error::InvalidChunkSize, "invalid chunk size"),
            (Error::InvalidChunkEnd, "invalid chunk end"),
            (Error::ChunkLineTooLong, "chunk line too long"),
            (Error::InvalidReply, "invalid server reply"),
            (Error::ReplyTooLarge, "server reply too large"),
            (Error::InvalidPasv, "invalid pasv response"),
            (Error::InvalidEpsv, "invalid epsv response"),
        ];
        for (error, word) in table {
            assert_eq!(error.word(), word);
            assert_eq!(error.to_string(), word);
        }
    }
}
