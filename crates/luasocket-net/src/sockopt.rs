//! Setting and reading LuaSocket's options on a socket: socket2's setters and getters
//! where socket2 has them, the OS seam (`sys`) for the rest.

use luasocket_io::Error;
use socket2::Socket;

use crate::options::{Opt, OptValue};
use crate::sys;

/// Sets `opt` on `sock`, through socket2's setter where socket2 has one; the others go
/// through the OS seam (`sys::set_option`, which says why for each). Every failure is
/// LuaSocket's `"setsockopt failed"`.
///
/// Integers pass through bit for bit, as C LuaSocket passes its `int`: socket2 takes
/// sizes, TTLs and hop limits unsigned and casts them back to `int`, so `-1` (the
/// system default for hop limits) reaches the kernel as `-1`.
pub(crate) fn set(sock: &Socket, opt: Opt, value: &OptValue) -> Result<(), Error> {
    use OptValue as V;
    let done = match (opt, value) {
        (Opt::KeepAlive, V::Bool(on)) => sock.set_keepalive(*on),
        (Opt::ReuseAddr, V::Bool(on)) => sock.set_reuse_address(*on),
        (Opt::TcpNoDelay, V::Bool(on)) => sock.set_tcp_nodelay(*on),
        (Opt::Ipv6V6Only, V::Bool(on)) => sock.set_only_v6(*on),
        (Opt::Broadcast, V::Bool(on)) => sock.set_broadcast(*on),
        (Opt::IpMulticastLoop, V::Bool(on)) => sock.set_multicast_loop_v4(*on),
        (Opt::Ipv6MulticastLoop, V::Bool(on)) => sock.set_multicast_loop_v6(*on),
        (Opt::RecvBufferSize, V::Int(n)) => sock.set_recv_buffer_size(*n as usize),
        (Opt::SendBufferSize, V::Int(n)) => sock.set_send_buffer_size(*n as usize),
        (Opt::IpMulticastTtl, V::Int(n)) => sock.set_multicast_ttl_v4(*n as u32),
        (Opt::Ipv6UnicastHops, V::Int(n)) => sock.set_unicast_hops_v6(*n as u32),
        (Opt::Ipv6MulticastHops, V::Int(n)) => sock.set_multicast_hops_v6(*n as u32),
        (Opt::IpMulticastIf, V::Ipv4(ip)) => sock.set_multicast_if_v4(ip),
        (
            Opt::IpAddMembership,
            V::Membership {
                multiaddr,
                interface,
            },
        ) => sock.join_multicast_v4(multiaddr, interface),
        (
            Opt::IpDropMembership,
            V::Membership {
                multiaddr,
                interface,
            },
        ) => sock.leave_multicast_v4(multiaddr, interface),
        (
            Opt::Ipv6AddMembership,
            V::Membership6 {
                multiaddr,
                interface,
            },
        ) => sock.join_multicast_v6(multiaddr, *interface),
        (
            Opt::Ipv6DropMembership,
            V::Membership6 {
                multiaddr,
                interface,
            },
        ) => sock.leave_multicast_v6(multiaddr, *interface),
        _ => return sys::set_option(sock, opt, value),
    };
    done.map_err(|_| Error::SetOptionFailed)
}

/// Reads `opt` from `sock`, through socket2's getter where socket2 has one; the others go
/// through the OS seam. Every failure is LuaSocket's `"getsockopt failed"`.
pub(crate) fn get(sock: &Socket, opt: Opt) -> Result<OptValue, Error> {
    use OptValue as V;
    let value = match opt {
        Opt::KeepAlive => sock.keepalive().map(V::Bool),
        Opt::ReuseAddr => sock.reuse_address().map(V::Bool),
        Opt::TcpNoDelay => sock.tcp_nodelay().map(V::Bool),
        Opt::Ipv6V6Only => sock.only_v6().map(V::Bool),
        Opt::Broadcast => sock.broadcast().map(V::Bool),
        Opt::IpMulticastLoop => sock.multicast_loop_v4().map(V::Bool),
        Opt::Ipv6MulticastLoop => sock.multicast_loop_v6().map(V::Bool),
        Opt::RecvBufferSize => sock.recv_buffer_size().map(|n| V::Int(n as i32)),
        Opt::SendBufferSize => sock.send_buffer_size().map(|n| V::Int(n as i32)),
        Opt::IpMulticastTtl => sock.multicast_ttl_v4().map(|n| V::Int(n as i32)),
        Opt::Ipv6UnicastHops => sock.unicast_hops_v6().map(|n| V::Int(n as i32)),
        Opt::Ipv6MulticastHops => sock.multicast_hops_v6().map(|n| V::Int(n as i32)),
        Opt::IpMulticastIf => sock.multicast_if_v4().map(V::Ipv4),
        // Reading SO_ERROR clears it, as C LuaSocket's getoption("error") does.
        Opt::Error => sock
            .take_error()
            .map(|e| V::Error(e.map(|e| sys::error(e).to_string()))),
        // Group memberships can only be set.
        Opt::IpAddMembership
        | Opt::IpDropMembership
        | Opt::Ipv6AddMembership
        | Opt::Ipv6DropMembership => return Err(Error::GetOptionFailed),
        _ => return sys::get_option(sock, opt),
    };
    value.map_err(|_| Error::GetOptionFailed)
}
