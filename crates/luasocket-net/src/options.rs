//! Socket options under LuaSocket's names (`getoption`/`setoption`), and which of them
//! each kind of socket accepts.

use std::net::{Ipv4Addr, Ipv6Addr};

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
    /// `"dontroute"`: `SO_DONTROUTE`.
    DontRoute,
    /// `"broadcast"`: `SO_BROADCAST`.
    Broadcast,
    /// `"ip-multicast-if"`: `IP_MULTICAST_IF`, an IPv4 address (`"*"` for any).
    IpMulticastIf,
    /// `"ip-multicast-ttl"`: `IP_MULTICAST_TTL`.
    IpMulticastTtl,
    /// `"ip-multicast-loop"`: `IP_MULTICAST_LOOP`.
    IpMulticastLoop,
    /// `"ip-add-membership"`: `IP_ADD_MEMBERSHIP`, `{multiaddr = ip, interface = ip}`.
    IpAddMembership,
    /// `"ip-drop-membership"`: `IP_DROP_MEMBERSHIP`, as `IpAddMembership`.
    IpDropMembership,
    /// `"ipv6-unicast-hops"`: `IPV6_UNICAST_HOPS`.
    Ipv6UnicastHops,
    /// `"ipv6-multicast-hops"`: `IPV6_MULTICAST_HOPS` (C LuaSocket sets the unicast hops
    /// under this name by mistake).
    Ipv6MulticastHops,
    /// `"ipv6-multicast-loop"`: `IPV6_MULTICAST_LOOP`.
    Ipv6MulticastLoop,
    /// `"ipv6-add-membership"`: `IPV6_ADD_MEMBERSHIP`, `{multiaddr = ip6, interface = n}`.
    Ipv6AddMembership,
    /// `"ipv6-drop-membership"`: `IPV6_DROP_MEMBERSHIP`, as `Ipv6AddMembership`.
    Ipv6DropMembership,
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
    /// An IPv4 address.
    Ipv4,
    /// An IPv4 multicast group and interface.
    Membership,
    /// An IPv6 multicast group and interface index.
    Membership6,
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
    /// For [`OptKind::Ipv4`].
    Ipv4(Ipv4Addr),
    /// For [`OptKind::Membership`].
    Membership {
        /// The group.
        multiaddr: Ipv4Addr,
        /// The local interface's address (`0.0.0.0` for any).
        interface: Ipv4Addr,
    },
    /// For [`OptKind::Membership6`].
    Membership6 {
        /// The group.
        multiaddr: Ipv6Addr,
        /// The interface index (0 for the default).
        interface: u32,
    },
}

/// The options `tcp:getoption` accepts, by LuaSocket name (sorted by name).
pub const TCP_GET_OPTIONS: &[(&str, Opt)] = &[
    ("bindtodevice", Opt::BindToDevice),
    ("error", Opt::Error),
    ("ipv6-v6only", Opt::Ipv6V6Only),
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

/// The options `udp:getoption` accepts, by LuaSocket name (sorted by name).
pub const UDP_GET_OPTIONS: &[(&str, Opt)] = &[
    ("broadcast", Opt::Broadcast),
    ("dontroute", Opt::DontRoute),
    ("error", Opt::Error),
    ("ip-multicast-if", Opt::IpMulticastIf),
    ("ip-multicast-loop", Opt::IpMulticastLoop),
    ("ip-multicast-ttl", Opt::IpMulticastTtl),
    ("ipv6-multicast-hops", Opt::Ipv6MulticastHops),
    ("ipv6-multicast-loop", Opt::Ipv6MulticastLoop),
    ("ipv6-unicast-hops", Opt::Ipv6UnicastHops),
    ("ipv6-v6only", Opt::Ipv6V6Only),
    ("recv-buffer-size", Opt::RecvBufferSize),
    ("reuseaddr", Opt::ReuseAddr),
    ("reuseport", Opt::ReusePort),
    ("send-buffer-size", Opt::SendBufferSize),
];

/// The options `udp:setoption` accepts, by LuaSocket name (sorted by name).
pub const UDP_SET_OPTIONS: &[(&str, Opt)] = &[
    ("broadcast", Opt::Broadcast),
    ("dontroute", Opt::DontRoute),
    ("ip-add-membership", Opt::IpAddMembership),
    ("ip-drop-membership", Opt::IpDropMembership),
    ("ip-multicast-if", Opt::IpMulticastIf),
    ("ip-multicast-loop", Opt::IpMulticastLoop),
    ("ip-multicast-ttl", Opt::IpMulticastTtl),
    ("ipv6-add-membership", Opt::Ipv6AddMembership),
    ("ipv6-drop-membership", Opt::Ipv6DropMembership),
    ("ipv6-multicast-hops", Opt::Ipv6MulticastHops),
    ("ipv6-multicast-loop", Opt::Ipv6MulticastLoop),
    ("ipv6-unicast-hops", Opt::Ipv6UnicastHops),
    ("ipv6-v6only", Opt::Ipv6V6Only),
    ("recv-buffer-size", Opt::RecvBufferSize),
    ("reuseaddr", Opt::ReuseAddr),
    ("reuseport", Opt::ReusePort),
    ("send-buffer-size", Opt::SendBufferSize),
];

/// The options a Unix stream socket's `getoption` accepts (C LuaSocket has none; these
/// are the ones its `setoption` takes).
pub const UNIX_STREAM_GET_OPTIONS: &[(&str, Opt)] = &[
    ("error", Opt::Error),
    ("keepalive", Opt::KeepAlive),
    ("linger", Opt::Linger),
    ("recv-buffer-size", Opt::RecvBufferSize),
    ("reuseaddr", Opt::ReuseAddr),
    ("send-buffer-size", Opt::SendBufferSize),
];

/// The options a Unix stream socket's `setoption` accepts.
pub const UNIX_STREAM_SET_OPTIONS: &[(&str, Opt)] = &[
    ("keepalive", Opt::KeepAlive),
    ("linger", Opt::Linger),
    ("recv-buffer-size", Opt::RecvBufferSize),
    ("reuseaddr", Opt::ReuseAddr),
    ("send-buffer-size", Opt::SendBufferSize),
];

/// The options a Unix datagram socket's `getoption` accepts.
pub const UNIX_DGRAM_GET_OPTIONS: &[(&str, Opt)] = &[
    ("error", Opt::Error),
    ("recv-buffer-size", Opt::RecvBufferSize),
    ("reuseaddr", Opt::ReuseAddr),
    ("send-buffer-size", Opt::SendBufferSize),
];

/// The options a Unix datagram socket's `setoption` accepts.
pub const UNIX_DGRAM_SET_OPTIONS: &[(&str, Opt)] = &[
    ("recv-buffer-size", Opt::RecvBufferSize),
    ("reuseaddr", Opt::ReuseAddr),
    ("send-buffer-size", Opt::SendBufferSize),
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
            | Opt::Ipv6V6Only
            | Opt::DontRoute
            | Opt::Broadcast
            | Opt::IpMulticastLoop
            | Opt::Ipv6MulticastLoop => OptKind::Bool,
            Opt::TcpKeepIdle
            | Opt::TcpKeepCnt
            | Opt::TcpKeepIntvl
            | Opt::TcpDeferAccept
            | Opt::TcpFastOpen
            | Opt::TcpFastOpenConnect
            | Opt::RecvBufferSize
            | Opt::SendBufferSize
            | Opt::IpMulticastTtl
            | Opt::Ipv6UnicastHops
            | Opt::Ipv6MulticastHops => OptKind::Int,
            Opt::IpMulticastIf => OptKind::Ipv4,
            Opt::IpAddMembership | Opt::IpDropMembership => OptKind::Membership,
            Opt::Ipv6AddMembership | Opt::Ipv6DropMembership => OptKind::Membership6,
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
        for table in [
            TCP_GET_OPTIONS,
            TCP_SET_OPTIONS,
            UDP_GET_OPTIONS,
            UDP_SET_OPTIONS,
            UNIX_STREAM_GET_OPTIONS,
            UNIX_STREAM_SET_OPTIONS,
            UNIX_DGRAM_GET_OPTIONS,
            UNIX_DGRAM_SET_OPTIONS,
        ] {
            assert!(table.windows(2).all(|w| w[0].0 < w[1].0));
            for (name, opt) in table {
                assert_eq!(Opt::lookup(table, name.as_bytes()), Some(*opt));
            }
        }
        assert_eq!(Opt::lookup(TCP_SET_OPTIONS, b"foo"), None);
        assert_eq!(Opt::lookup(TCP_GET_OPTIONS, b"tcp-fastopen"), None);
    }
}
