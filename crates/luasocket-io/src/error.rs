//! The error words Lua code sees. Their text is API: callers compare against it.

use std::fmt;
use std::io;

/// A failure that LuaSocket reports as `nil, "<message>"`.
///
/// The [`Display`](fmt::Display) text of each variant is the exact string Lua code gets.
#[derive(Debug)]
#[non_exhaustive]
pub enum Error {
    /// The operation did not finish before its deadline: `"timeout"`.
    Timeout,
    /// The peer ended the stream, or the socket is closed: `"closed"`.
    Closed,
    /// The connection was reset or aborted (`ECONNRESET`, `ECONNABORTED`, `EPIPE`): also
    /// `"closed"`, as in LuaSocket, but not an end of stream, so `receive("*a")` reports
    /// it as a failure with the partial data instead of as a complete transfer.
    Reset,
    /// Nobody listens at the address: `"connection refused"`.
    ConnectionRefused,
    /// The local address is taken: `"address already in use"`.
    AddressInUse,
    /// The socket is connected already: `"already connected"`.
    AlreadyConnected,
    /// The system refused the operation: `"permission denied"`.
    PermissionDenied,
    /// A name lookup found nothing: `"host not found"`.
    HostNotFound,
    /// `getaddrinfo` failed; the words are those of LuaSocket's `pierror.h`.
    Resolver(ResolverError),
    /// The system refused to set a socket option: `"setsockopt failed"`.
    SetOptionFailed,
    /// The system refused to read a socket option: `"getsockopt failed"`.
    GetOptionFailed,
    /// A `"*l"` line grew past the socket's `max-line-length`: `"line too long"`.
    LineTooLong,
    /// A Unix-domain path does not fit `sun_path`: `"path too long"`.
    PathTooLong,
    /// Any other system error: its `strerror` text, without Rust's `" (os error N)"`.
    Io(io::Error),
}

/// The resolver failures LuaSocket names (the `EAI_*` codes of `getaddrinfo`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub enum ResolverError {
    /// `EAI_AGAIN`.
    Again,
    /// `EAI_BADFLAGS`.
    BadFlags,
    /// `EAI_BADHINTS` (where the platform has it).
    BadHints,
    /// `EAI_FAIL`.
    Fail,
    /// `EAI_FAMILY`.
    Family,
    /// `EAI_MEMORY`.
    Memory,
    /// `EAI_NONAME`.
    NoName,
    /// `EAI_OVERFLOW`.
    Overflow,
    /// `EAI_PROTOCOL`.
    Protocol,
    /// `EAI_SERVICE`.
    Service,
    /// `EAI_SOCKTYPE`.
    SockType,
}

impl Error {
    /// The message Lua code sees, for the variants whose text is fixed.
    pub fn word(&self) -> Option<&'static str> {
        Some(match self {
            Error::Timeout => "timeout",
            Error::Closed | Error::Reset => "closed",
            Error::ConnectionRefused => "connection refused",
            Error::AddressInUse => "address already in use",
            Error::AlreadyConnected => "already connected",
            Error::PermissionDenied => "permission denied",
            Error::HostNotFound => "host not found",
            Error::Resolver(r) => r.word(),
            Error::SetOptionFailed => "setsockopt failed",
            Error::GetOptionFailed => "getsockopt failed",
            Error::LineTooLong => "line too long",
            Error::PathTooLong => "path too long",
            Error::Io(_) => return None,
        })
    }
}

impl Error {
    /// The message of a failed datagram operation: LuaSocket words a `"closed"` failure
    /// there (a send the peer's port refused, reported on a later call) as `"refused"`.
    /// `None` where the message is the system's own text.
    pub fn datagram_word(&self) -> Option<&'static str> {
        match self {
            Error::Closed | Error::Reset => Some("refused"),
            other => other.word(),
        }
    }
}

impl ResolverError {
    /// The message Lua code sees.
    pub fn word(self) -> &'static str {
        match self {
            ResolverError::Again => "temporary failure in name resolution",
            ResolverError::BadFlags => "invalid value for ai_flags",
            ResolverError::BadHints => "invalid value for hints",
            ResolverError::Fail => "non-recoverable failure in name resolution",
            ResolverError::Family => "ai_family not supported",
            ResolverError::Memory => "memory allocation failure",
            ResolverError::NoName => "host or service not provided, or not known",
            ResolverError::Overflow => "argument buffer overflow",
            ResolverError::Protocol => "resolved protocol is unknown",
            ResolverError::Service => "service not supported for socket type",
            ResolverError::SockType => "ai_socktype not supported",
        }
    }
}

impl fmt::Display for Error {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Error::Io(e) => f.write_str(&strip_os_suffix(&e.to_string())),
            other => f.write_str(other.word().unwrap_or("unknown error")),
        }
    }
}

impl std::error::Error for Error {}

impl From<ResolverError> for Error {
    fn from(e: ResolverError) -> Self {
        Error::Resolver(e)
    }
}

/// Rust renders an OS error as `"<strerror text> (os error N)"`; Lua code must see only
/// the `strerror` text, as C LuaSocket gives it.
fn strip_os_suffix(text: &str) -> String {
    match text.rfind(" (os error ") {
        Some(at) if text.ends_with(')') => text[..at].to_string(),
        _ => text.to_string(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn words_are_luasockets() {
        let table: &[(Error, &str)] = &[
            (Error::Timeout, "timeout"),
            (Error::Closed, "closed"),
            (Error::Reset, "closed"),
            (Error::ConnectionRefused, "connection refused"),
            (Error::AddressInUse, "address already in use"),
            (Error::AlreadyConnected, "already connected"),
            (Error::PermissionDenied, "permission denied"),
            (Error::HostNotFound, "host not found"),
            (Error::SetOptionFailed, "setsockopt failed"),
            (Error::GetOptionFailed, "getsockopt failed"),
            (Error::LineTooLong, "line too long"),
            (Error::PathTooLong, "path too long"),
            (
                ResolverError::Again.into(),
                "temporary failure in name resolution",
            ),
            (ResolverError::BadFlags.into(), "invalid value for ai_flags"),
            (ResolverError::BadHints.into(), "invalid value for hints"),
            (
                ResolverError::Fail.into(),
                "non-recoverable failure in name resolution",
            ),
            (ResolverError::Family.into(), "ai_family not supported"),
            (ResolverError::Memory.into(), "memory allocation failure"),
            (
                ResolverError::NoName.into(),
                "host or service not provided, or not known",
            ),
            (ResolverError::Overflow.into(), "argument buffer overflow"),
            (
                ResolverError::Protocol.into(),
                "resolved protocol is unknown",
            ),
            (
                ResolverError::Service.into(),
                "service not supported for socket type",
            ),
            (ResolverError::SockType.into(), "ai_socktype not supported"),
        ];
        for (err, word) in table {
            assert_eq!(err.to_string(), *word);
        }
        assert_eq!(Error::Closed.datagram_word(), Some("refused"));
        assert_eq!(Error::Reset.datagram_word(), Some("refused"));
        assert_eq!(Error::Timeout.datagram_word(), Some("timeout"));
    }

    #[test]
    fn os_errors_lose_the_rust_suffix() {
        let e = Error::Io(io::Error::from_raw_os_error(9));
        let text = e.to_string();
        assert!(!text.contains("os error"), "{text}");
        assert!(!text.is_empty());
        assert_eq!(strip_os_suffix("plain"), "plain");
    }
}
