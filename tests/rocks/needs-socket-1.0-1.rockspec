-- A rock that depends on LuaSocket by its usual name: installed against our release
-- server, its dependency must resolve to luasocket-rs (through the `luasocket` rock
-- there), never to C LuaSocket fetched from elsewhere.
rockspec_format = "3.0"
package = "needs-socket"
version = "1.0-1"
source = { url = "file://." }
description = { summary = "Test rock: depends on luasocket", license = "MIT" }
dependencies = { "lua >= 5.1", "luasocket >= 3.0" }
build = {
  type = "builtin",
  modules = { needs_socket = "tests/rocks/needs_socket.lua" },
}
