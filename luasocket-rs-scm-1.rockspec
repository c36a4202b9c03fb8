-- luasocket-rs: LuaSocket rebuilt in Rust, as a rock. The build needs only cargo: a
-- `command` build runs `cargo xtask rock-build` with the interpreter LuaRocks runs, which
-- picks the Lua ABI (5.1-5.5, LuaJIT) and leaves the one native library in target/rock/.
-- Files go where LuaSocket's own rock puts them. Debian's LuaRocks 3.8 looks for lua.h
-- even for a command build: see the README ("Installing as a rock").
rockspec_format = "3.0"
package = "luasocket-rs"
version = "scm-1"
source = {
  url = "git+https://github.com/luasocket-rs/luasocket-rs",
}
description = {
  summary = "LuaSocket, rebuilt in Rust: same API, no C toolchain",
  detailed = [[
socket, socket.http, socket.ftp, socket.smtp, socket.url, mime, ltn12 and mbox with
LuaSocket's API on Lua 5.1 to 5.5 and LuaJIT; select without the 1024-descriptor
limit, resolver timeouts; socket.ssl, TLS on rustls with LuaSec's API, and https in
socket.http, with no OpenSSL.]],
  homepage = "https://github.com/luasocket-rs/luasocket-rs",
  license = "MIT",
}
dependencies = {
  "lua >= 5.1, < 5.6",
}
build = {
  type = "command",
  build_command = [[cargo xtask rock-build "$(LUA)"]],
  install = {
    lib = {
      ["socket.core"] = "target/rock/socket/core.so",
      ["socket.ssl.core"] = "target/rock/socket/ssl/core.so",
    },
    lua = {
      ["ltn12"] = "lua-modules/ltn12.lua",
      ["mbox"] = "lua-modules/mbox.lua",
      ["mime"] = "lua-modules/mime.lua",
      ["mime.core"] = "lua-modules/mime/core.lua",
      ["socket"] = "lua-modules/socket.lua",
      ["socket.ftp"] = "lua-modules/socket/ftp.lua",
      ["socket.headers"] = "lua-modules/socket/headers.lua",
      ["socket.http"] = "lua-modules/socket/http.lua",
      ["socket.http.core"] = "lua-modules/socket/http/core.lua",
      ["socket.serial"] = "lua-modules/socket/serial.lua",
      ["socket.poll"] = "lua-modules/socket/poll.lua",
      ["socket.poll.core"] = "lua-modules/socket/poll/core.lua",
      ["socket.smtp"] = "lua-modules/socket/smtp.lua",
      ["socket.ssl"] = "lua-modules/socket/ssl.lua",
      ["socket.ssl.https"] = "lua-modules/socket/ssl/https.lua",
      ["socket.tp"] = "lua-modules/socket/tp.lua",
      ["socket.tp.core"] = "lua-modules/socket/tp/core.lua",
      ["socket.unix"] = "lua-modules/socket/unix.lua",
      ["socket.url"] = "lua-modules/socket/url.lua",
      ["socket.url.core"] = "lua-modules/socket/url/core.lua",
    },
  },
}
