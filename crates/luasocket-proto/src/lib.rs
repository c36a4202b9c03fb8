//! Sans-IO pieces of LuaSocket's protocol modules, for the Lua state machines in
//! `lua-modules/socket/` to call: URL parsing and escaping, the `mime` codecs, HTTP status
//! lines, header blocks and chunked framing, SMTP and FTP replies.
//!
//! The protocol state machines themselves stay in Lua, because callers such as copas pass
//! their own sockets (`create`) that must be able to yield, and a Rust function cannot let
//! Lua code yield through it.
//!
//! **In scope**: pure functions over bytes, incremental where LuaSocket's API is.
//! Today: [`mime`] (the codecs behind `mime.core`) and [`url`] (the splitter behind
//! `socket.url.parse`).
//!
//! **Out of scope**: sockets and waiting (`luasocket-net`), Lua values (`luasocket-lua`).
//!
#![forbid(unsafe_code)]

pub mod http;
pub mod mime;
pub mod url;
