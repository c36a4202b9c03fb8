//! Sans-IO pieces of LuaSocket's protocol modules, for the Lua state machines in
//! `lua-modules/socket/` to call: URL parsing and escaping, the `mime` codecs, HTTP status
//! lines, header blocks and chunked framing, SMTP and FTP replies.
//!
//! The protocol state machines themselves stay in Lua, because callers such as copas pass
//! their own sockets (`create`) that must be able to yield, and a Rust function cannot let
//! Lua code yield through it.
//!
//! **In scope**: pure functions over bytes, incremental where LuaSocket's API is.
//! Today: [`mime`] (the codecs behind `mime.core`), [`url`] (the splitter behind
//! `socket.url.parse`) and [`http`] (response header blocks on httparse; the chunked
//! transfer coding as a sans-IO decoder, and chunk framing).
//!
//! Where the design card's crates went: httparse parses HTTP header blocks. lettre and
//! suppaftp are not used: both own their connections, and LuaSocket's SMTP and FTP
//! replies are simple enough (`ddd text`, `ddd-` continuation, a PASV tuple) that
//! `socket.tp` reads them in a few lines of Lua with the caller's socket.
//!
//! **Out of scope**: sockets and waiting (`luasocket-net`), Lua values (`luasocket-lua`).
//!
#![forbid(unsafe_code)]

pub mod http;
pub mod mime;
pub mod url;
