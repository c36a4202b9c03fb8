//! The glue's own words: the argument and runtime errors that only the Lua binding can
//! raise (C LuaSocket raises the same texts), and the few fixed values it returns. The
//! failure words of sockets and decoders are in `luasocket_io::Error` and
//! `luasocket_proto::Error`; Lua's type names in type errors are Lua's own.

/// A fixed text Lua code may see from the glue.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Word {
    /// `settimeout` with a mode other than `b`, `t` or `r`.
    InvalidTimeoutMode,
    /// `setfd` with NaN or a number past `INT_MAX`.
    InvalidDescriptor,
    /// `setfd` with a descriptor that is not open.
    DescriptorNotOpen,
    /// `receive` with a pattern that is neither `*l`, `*a` nor a size.
    InvalidReceivePattern,
    /// A datagram `receive` size that is negative or NaN.
    InvalidSize,
    /// `getnameinfo(nil, nil)`.
    HostAndServNil,
    /// `__tostring` called on something that is not an object.
    InvalidTostringObject,
    /// `poll(2)` itself failed in `select`.
    SelectFailed,
    /// Lua could not give a C function the stack room it asked for (`State::room`).
    #[cfg_attr(not(test), allow(dead_code))]
    StackOverflow,
    /// The same object passed twice to one call that borrows both.
    AlreadyBorrowed,
    /// An integer argument given as a number with a fraction.
    NoIntegerRepresentation,
    /// `setoption` on an option that can only be read.
    OptionCannotBeSet,
    /// `linger` without a boolean `on`.
    OnFieldExpected,
    /// `linger` without a number `timeout`.
    TimeoutFieldExpected,
    /// An IPv4 option given something that is not an address.
    IpExpected,
    /// A membership option whose `multiaddr` is not an address.
    InvalidMultiaddr,
    /// A membership option whose `interface` is not an address.
    InvalidInterface,
    /// `ipv6-add-membership` with an `interface` that is not a number.
    InterfaceFieldExpected,
    /// What a decoder needs when it needs a line (`need()`).
    Line,
}

impl Word {
    /// The text Lua code sees.
    pub(crate) fn text(self) -> &'static str {
        match self {
            Word::InvalidTimeoutMode => "invalid timeout mode",
            Word::InvalidDescriptor => "invalid descriptor",
            Word::DescriptorNotOpen => "descriptor is not open",
            Word::InvalidReceivePattern => "invalid receive pattern",
            Word::InvalidSize => "invalid size",
            Word::HostAndServNil => "host and serv cannot be both nil",
            Word::InvalidTostringObject => "invalid object passed to '__tostring'",
            Word::SelectFailed => "select failed",
            Word::StackOverflow => "stack overflow",
            Word::AlreadyBorrowed => "object already in use by this call",
            Word::NoIntegerRepresentation => "number has no integer representation",
            Word::OptionCannotBeSet => "option cannot be set",
            Word::OnFieldExpected => "boolean 'on' field expected",
            Word::TimeoutFieldExpected => "number 'timeout' field expected",
            Word::IpExpected => "ip expected",
            Word::InvalidMultiaddr => "invalid 'multiaddr' ip address",
            Word::InvalidInterface => "invalid 'interface' ip address",
            Word::InterfaceFieldExpected => "number 'interface' field expected",
            Word::Line => "line",
        }
    }
}

/// `setoption`/`getoption` with a name the object does not know (at most 35 bytes of it
/// shown, as C LuaSocket does).
pub(crate) fn unsupported_option(name: &[u8]) -> String {
    format!("unsupported option `{}'", String::from_utf8_lossy(name))
}

/// A membership option whose field `name` is not a string.
pub(crate) fn string_field_expected(name: &[u8]) -> String {
    format!("string '{}' field expected", String::from_utf8_lossy(name))
}

impl From<Word> for String {
    fn from(word: Word) -> String {
        word.text().to_string()
    }
}

#[cfg(test)]
mod tests {
    use super::Word;

    /// Every word, pinned: callers and upstream tests compare against these strings.
    #[test]
    fn words() {
        let table = [
            (Word::InvalidTimeoutMode, "invalid timeout mode"),
            (Word::InvalidDescriptor, "invalid descriptor"),
            (Word::DescriptorNotOpen, "descriptor is not open"),
            (Word::InvalidReceivePattern, "invalid receive pattern"),
            (Word::InvalidSize, "invalid size"),
            (Word::HostAndServNil, "host and serv cannot be both nil"),
            (
                Word::InvalidTostringObject,
                "invalid object passed to '__tostring'",
            ),
            (Word::SelectFailed, "select failed"),
            (Word::StackOverflow, "stack overflow"),
            (Word::AlreadyBorrowed, "object already in use by this call"),
            (
                Word::NoIntegerRepresentation,
                "number has no integer representation",
            ),
            (Word::OptionCannotBeSet, "option cannot be set"),
            (Word::OnFieldExpected, "boolean 'on' field expected"),
            (
                Word::TimeoutFieldExpected,
                "number 'timeout' field expected",
            ),
            (Word::IpExpected, "ip expected"),
            (Word::InvalidMultiaddr, "invalid 'multiaddr' ip address"),
            (Word::InvalidInterface, "invalid 'interface' ip address"),
            (
                Word::InterfaceFieldExpected,
                "number 'interface' field expected",
            ),
            (Word::Line, "line"),
        ];
        for (word, text) in table {
            assert_eq!(word.text(), text);
            assert_eq!(String::from(word), text);
        }
        assert_eq!(
            super::unsupported_option(b"bogus"),
            "unsupported option `bogus'"
        );
        assert_eq!(
            super::string_field_expected(b"multiaddr"),
            "string 'multiaddr' field expected"
        );
    }
}
