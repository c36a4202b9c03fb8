//! LuaSocket for Lua 5.1 to 5.5 and LuaJIT, in Rust: the native `socket.core` module with
//! LuaSocket's object model, and a one-call preload for programs that embed Lua with mlua.
//!
//! Built with the `module` feature (and one Lua-version feature) this crate is the
//! `socket/core.so` that `require "socket"` loads from a LuaSocket install tree; built with
//! `vendored` it links its own Lua and [`preload`] makes every module of the library,
//! native and Lua, available to `require` without touching the file system.
//!
//! **In scope**: Lua classes (`tcp{...}`, `udp{...}`, `unixstream{...}`, `unixdgram{...}`,
//! `serial{client}`) exactly as C LuaSocket shapes them (registry metatables, `__index` tables with `class`, group tags,
//! metatable swaps), argument checking with LuaSocket's error words, module entry points.
//!
//! **Out of scope**: socket mechanics (`luasocket-net`), buffering and timeouts
//! (`luasocket-io`).
//!
//! The Lua C API is used directly through `mlua::ffi` (see `state` and `class`); every
//! unsafe block lives in those two modules or carries its own `SAFETY` note.
#![deny(unsafe_code)]

mod args;
#[allow(unsafe_code)]
mod class;
mod core;
mod datagram;
mod dns;
mod http;
mod methods;
mod mime;
mod options;
mod poll;
mod results;
mod select;
mod serial;
#[cfg(feature = "tls")]
mod ssl;
#[allow(unsafe_code)]
mod state;
mod stream;
mod tcp;
mod tp;
mod udp;
mod unix;
mod url;
mod words;

use std::os::raw::c_int;

use mlua::{ffi, Lua, Table};

/// The Lua half of the library, as `(require name, source)`, laid out as installed.
pub const LUA_MODULES: &[(&str, &str)] = &[
    ("socket", include_str!("../lua-modules/socket.lua")),
    ("ltn12", include_str!("../lua-modules/ltn12.lua")),
    ("mime", include_str!("../lua-modules/mime.lua")),
    ("mbox", include_str!("../lua-modules/mbox.lua")),
    ("socket.url", include_str!("../lua-modules/socket/url.lua")),
    (
        "socket.headers",
        include_str!("../lua-modules/socket/headers.lua"),
    ),
    ("socket.tp", include_str!("../lua-modules/socket/tp.lua")),
    (
        "socket.poll",
        include_str!("../lua-modules/socket/poll.lua"),
    ),
    (
        "socket.http",
        include_str!("../lua-modules/socket/http.lua"),
    ),
    (
        "socket.smtp",
        include_str!("../lua-modules/socket/smtp.lua"),
    ),
    ("socket.ftp", include_str!("../lua-modules/socket/ftp.lua")),
    ("socket.ssl", include_str!("../lua-modules/socket/ssl.lua")),
    (
        "socket.ssl.https",
        include_str!("../lua-modules/socket/ssl/https.lua"),
    ),
];

/// Defines every native module once: its exported `luaopen_*` entry point (whose body is
/// `$module::open`) and its entry in [`NATIVE_MODULES`]. The list exists in this one
/// place: `socket.core` registers the others in `package.preload` when it loads (so one
/// library file serves them all), and the tidy test reads the names here to check that
/// each has its two-line Lua file in `lua-modules/`.
macro_rules! native_modules {
    ($($(#[doc = $doc:expr])* $(#[cfg($cfg:meta)])? $require:literal => $name:ident => $module:ident,)*) => {
        $(
            $(#[doc = $doc])*
            $(#[cfg($cfg)])?
            ///
            /// # Safety
            ///
            /// Called by Lua with a valid state, like any `lua_CFunction`.
            #[allow(unsafe_code)]
            #[no_mangle]
            pub unsafe extern "C-unwind" fn $name(l: *mut ffi::lua_State) -> c_int {
                let result = {
                    // SAFETY: Lua passes a valid state.
                    let s = unsafe { state::State::from_raw(l) };
                    $module::open(&s)
                };
                // SAFETY: `l` is the running state and nothing is borrowed.
                unsafe { state::finish(l, result) }
            }
        )*

        /// The native modules: require name and entry point.
        pub const NATIVE_MODULES: &[(&str, ffi::lua_CFunction)] = &[$(
            $(#[cfg($cfg)])?
            ($require, $name),
        )*];
    };
}

native_modules! {
    /// Entry point of `socket.core`.
    "socket.core" => luaopen_socket_core => core,
    /// Entry point of `mime.core`.
    "mime.core" => luaopen_mime_core => mime,
    /// Entry point of `socket.url.core`, the URL splitter of `socket.url`.
    "socket.url.core" => luaopen_socket_url_core => url,
    /// Entry point of `socket.http.core`: the response-head decoder and the chunked
    /// transfer coding of `socket.http` and `socket.lua`.
    "socket.http.core" => luaopen_socket_http_core => http,
    /// Entry point of `socket.tp.core`: the reply decoder of `socket.tp` and the
    /// passive-mode addresses of `socket.ftp`.
    "socket.tp.core" => luaopen_socket_tp_core => tp,
    /// Entry point of `socket.poll.core`: the epoll (or `poll(2)`) interest set under
    /// `socket.poll`.
    "socket.poll.core" => luaopen_socket_poll_core => poll,
    /// Entry point of `socket.unix`.
    "socket.unix" => luaopen_socket_unix => unix,
    /// Entry point of `socket.serial`.
    "socket.serial" => luaopen_socket_serial => serial,
    /// Entry point of `socket.ssl.core`: contexts and TLS connections (rustls) under
    /// `socket.ssl`; in builds with the `tls` feature, which ship it as its own file,
    /// `socket/ssl/core.so`.
    #[cfg(feature = "tls")]
    "socket.ssl.core" => luaopen_socket_ssl_core => ssl,
}

/// Sets `SIGPIPE` to ignored for the whole process, as C LuaSocket's `socket.core` does
/// when it loads (and as ours does when it is loaded as a module by an interpreter).
///
/// [`preload`] leaves the signal disposition to the host program: our own writes never
/// raise `SIGPIPE`, but other code in the process may need this (a closed `io.popen` pipe
/// or a C TLS library would otherwise kill the process). The `luasocket` interpreter calls
/// it at start.
pub fn ignore_sigpipe() {
    luasocket_net::ignore_sigpipe();
}

/// Makes every module of the library loadable with `require` in `lua`, without files:
/// `socket.core` (native) and the Lua modules are put in `package.preload`.
///
/// ```
/// let lua = mlua::Lua::new();
/// luasocket_lua::preload(&lua).unwrap();
/// lua.load(r#"local socket = require "socket"; print(socket.gettime())"#).exec().unwrap();
/// ```
pub fn preload(lua: &Lua) -> mlua::Result<()> {
    let package: Table = lua.globals().get("package")?;
    let preload: Table = package.get("preload")?;
    for &(name, open) in NATIVE_MODULES {
        // SAFETY: each entry point is a lua_CFunction that follows the C API rules.
        #[allow(unsafe_code)]
        let f = unsafe { lua.create_c_function(open)? };
        preload.set(name, f)?;
    }
    for (name, source) in LUA_MODULES {
        let chunk = lua
            .load(*source)
            .set_name(format!("@{}.lua", name.replace('.', "/")))
            .into_function()?;
        preload.set(*name, chunk)?;
    }
    Ok(())
}
