//! Sans-IO pieces of LuaSocket's protocol modules, for the Lua state machines in
//! `lua-modules/socket/` to drive: URL parsing and escaping, the `mime` codecs, the HTTP
//! response head and the chunked coding, SMTP and FTP replies.
//!
//! The protocol exchanges themselves stay in Lua, because callers such as copas pass
//! their own sockets (`create`) that must be able to yield, and a Rust function cannot
//! let Lua code yield through it. So every decoder here is fed what Lua read, exactly as
//! `receive()` returned it, and says what it [`Need`]s next; Rust owns the grammar and
//! the limits.
//!
//! ```
//! use luasocket_proto::head::{ResponseHead, Status};
//! use luasocket_proto::Need;
//!
//! // What socket.http reads, in the pieces receive() returns.
//! let mut head = ResponseHead::new();
//! assert_eq!(head.need(), Need::Bytes(5));
//! head.feed(b"HTTP/").unwrap();
//! head.feed(b"1.1 200 OK").unwrap();
//! head.feed(b"Content-Type: text/plain").unwrap();
//! assert_eq!(head.feed(b"").unwrap(), Need::Done);
//! assert_eq!(head.status(), Status::Code(200, b"HTTP/1.1 200 OK"));
//! let fields: Vec<_> = head.fields().iter().collect();
//! assert_eq!(fields, [(&b"content-type"[..], &b"text/plain"[..])]);
//! ```
//!
//! **In scope**: pure functions and decoders over bytes.
//! - [`head`]: the HTTP response head (status line, fields) and field blocks;
//! - [`chunked`]: the chunked transfer coding, decoding and framing;
//! - [`reply`]: SMTP and FTP replies, FTP's PASV and EPSV addresses;
//! - [`mime`]: the codecs behind `mime.core`;
//! - [`url`]: the splitter behind `socket.url.parse`;
//! - [`Error`]: every word a decoder may answer with.
//!
//! **Out of scope**: sockets and waiting (`luasocket-net`), Lua values (`luasocket-lua`).
//!
//! **The design card's crates, and why they are not used here.**
//! - *httparse* parses a head held whole in one buffer, line breaks included. Here the
//!   lines arrive one by one, already split by the socket's line reader (which is what
//!   lets a caller's socket yield between them); feeding httparse would mean joining
//!   them again around a made-up status line. [`head::Fields`] reads a line at a time
//!   instead, with the same strictness (token names, no control bytes in values) plus
//!   LuaSocket's leniency (folded lines, spaces before the colon).
//! - *lettre* keeps its SMTP reply parser private to its transport, and its codes are
//!   SMTP's only (no `1yz`), while `socket.tp` serves FTP too (`150` opens a transfer).
//!   Its address types check more than LuaSocket ever did, and `smtp.send` passes
//!   addresses through unchanged, so they are not used either.
//! - *suppaftp* reads replies only from a connection it owns; its PASV and EPSV
//!   expressions are public but pull in a regex engine and require the parenthesised
//!   form, where LuaSocket accepts any separator (servers that omit the parentheses
//!   exist). [`reply`] does both in a few lines.
#![forbid(unsafe_code)]

pub mod chunked;
mod error;
pub mod head;
pub mod mime;
pub mod reply;
pub mod url;

pub use error::Error;

/// What a decoder needs next.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Need {
    /// A line, as a socket's `receive()` returns it (without its line break).
    Line,
    /// Up to this many bytes.
    Bytes(u64),
    /// Nothing more: the item has ended.
    Done,
}
