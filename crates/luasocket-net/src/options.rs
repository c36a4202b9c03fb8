//! Socket options under LuaSocket's names (`getoption`/`setoption`).

/// A socket option LuaSocket knows by name.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub enum Opt {
    /// `"bindtodevice"`: `SO_BINDTODEVICE`, an interface name.
    BindToDevice,
    /// `"keepalive"`: `SO_KEEPALIVE`.
    KeepAlive,
    /// `"reuseaddr"`: `SO_REUSEADDR`.
    ReuseAddr,
    /// `"reuseport"`: `SO_REUSEPORT`.
    ReusePort,
    /// `"tcp-nodelay"`: `TCP_NODELAY`.
    TcpNoDelay,
    /// `"tcp-keepidle"`: `TCP_KEEPIDLE`, seconds.
    TcpKeepIdle,
    /// `"tcp-keepcnt"`: `TCP_KEEPCNT`.
    TcpKeepCnt,
    /// `"tcp-keepintvl"`: `TCP_KEEPINTVL`, seconds.
    TcpKeepIntvl,
    /// `"tcp-defer-accept"`: `TCP_DEFER_ACCEPT`, seconds.
    TcpDeferAccept,
    /// `"tcp-fastopen"`: `TCP_FASTOPEN`, queue length.
    TcpFastOpen,
    /// `"tcp-fastopen-connect"`: `TCP_FASTOPEN_CONNECT`.
    TcpFastOpenConnect,
    /// `"linger"`: `SO_LINGER` as `{on = boolean, timeout = seconds}`.
    Linger,
    /// `"error"`: `SO_ERROR`, read-only; the pending error's message or nil.
    Error,
    /// `"recv-buffer-size"`: `SO_RCVBUF`.
    RecvBufferSize,
    /// `"send-buffer-size"`: `SO_SNDBUF`.
    SendBufferSize,
    /// `"ipv6-v6only"`: `IPV6_V6ONLY`.
    Ipv6V6Only,
}

/// The shape of an option's value.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum OptKind {
    /// A boolean.
    Bool,
    /// A C `int`.
    Int,
    /// `{on = boolean, timeout = number}`.
    Linger,
    /// An interface name.
    Device,
    /// The pending socket error (read-only).
    Error,
}

/// An option's value.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub enum OptValue {
    /// For [`OptKind::Bool`].
    Bool(bool),
    /// For [`OptKind::Int`].
    Int(i32),
    /// For [`OptKind::Linger`].
    Linger {
        /// Whether lingering is on.
        on: bool,
        /// Seconds to linger.
        timeout: i32,
    },
    /// For [`OptKind::Device`].
    Bytes(Vec<u8>),
    /// For [`OptKind::Error`]: the pending error's message, if any.
    Error(Option<String>),
}

/// The options `tcp:getoption` accepts, by LuaSocket name (sorted by name).
pub const TCP_GET_OPTIONS: &[(&str, Opt)] = &[
    ("bindtodevice", Opt::BindToDevice),
    ("error", Opt::Error),
    ("keepalive", Opt::KeepAlive),
    ("linger", Opt::Linger),
    ("recv-buffer-size", Opt::RecvBufferSize),
    ("reuseaddr", Opt::ReuseAddr),
    ("reuseport", Opt::ReusePort),
    ("send-buffer-size", Opt::SendBufferSize),
    ("tcp-keepcnt", Opt::TcpKeepCnt),
    ("tcp-keepidle", Opt::TcpKeepIdle),
    ("tcp-keepintvl", Opt::TcpKeepIntvl),
    ("tcp-nodelay", Opt::TcpNoDelay),
];

/// The options `tcp:setoption` accepts, by LuaSocket name (sorted by name).
pub const TCP_SET_OPTIONS: &[(&str, Opt)] = &[
    ("bindtodevice", Opt::BindToDevice),
    ("ipv6-v6only", Opt::Ipv6V6Only),
    ("keepalive", Opt::KeepAlive),
    ("linger", Opt::Linger),
    ("recv-buffer-size", Opt::RecvBufferSize),
    ("reuseaddr", Opt::ReuseAddr),
    ("reuseport", Opt::ReusePort),
    ("send-buffer-size", Opt::SendBufferSize),
    ("tcp-defer-accept", Opt::TcpDeferAccept),
    ("tcp-fastopen", Opt::TcpFastOpen),
    ("tcp-fastopen-connect", Opt::TcpFastOpenConnect),
    ("tcp-keepcnt", Opt::TcpKeepCnt),
    ("tcp-keepidle", Opt::TcpKeepIdle),
    ("tcp-keepintvl", Opt::TcpKeepIntvl),
    ("tcp-nodelay", Opt::TcpNoDelay),
];

impl Opt {
    /// Finds `name` in one of the option tables.
    pub fn lookup(table: &[(&str, Opt)], name: &[u8]) -> Option<Opt> {
        table
            .binary_search_by(|(n, _)| n.as_bytes().cmp(name))
            .ok()
            .map(|i| table[i].1)
    }

    /// The shape of this option's value.
    pub fn kind(self) -> OptKind {
        match self {
            Opt::BindToDevice => OptKind::Device,
            Opt::KeepAlive
            | Opt::ReuseAddr
            | Opt::ReusePort
            | Opt::TcpNoDelay
            | Opt::Ipv6V6Only => OptKind::Bool,
            Opt::TcpKeepIdle
            | Opt::TcpKeepCnt
            | Opt::TcpKeepIntvl
            | Opt::TcpDeferAccept
            | Opt::TcpFastOpen
            | Opt::TcpFastOpenConnect
            | Opt::RecvBufferSize
            | Opt::SendBufferSize => OptKind::Int,
            Opt::Linger => OptKind::Linger,
            Opt::Error => OptKind::Error,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tables_are_sorted_and_found() {
        for table in [TCP_GET_OPTIONS, TCP_SET_OPTIONS] {
            assert!(table.windows(2).all(|w| w[0].0 < w[1].0));
            for (name, opt) in table {
                assert_eq!(Opt::lookup(table, name.as_bytes()), Some(*opt));
            }
        }
        assert_eq!(Opt::lookup(TCP_SET_OPTIONS, b"foo"), None);
        assert_eq!(Opt::lookup(TCP_GET_OPTIONS, b"ipv6-v6only"), None);
    }
}
