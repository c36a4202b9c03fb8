-- The name rocks depend on, satisfied by luasocket-rs. LuaRocks has no "provides", so
-- our release server carries this rock: it installs nothing itself and depends on
-- luasocket-rs, so `dependencies = {"luasocket >= 3.0"}` resolves to ours instead of
-- fetching C LuaSocket. See the README ("Rocks that depend on luasocket").
rockspec_format = "3.0"
package = "luasocket"
version = "3.1.0-1"
source = {
  url = "git+https://github.com/luasocket-rs/luasocket-rs",
  tag = "v0.1.0",
}
description = {
  summary = "LuaSocket's rock name, provided by luasocket-rs",
  homepage = "https://github.com/luasocket-rs/luasocket-rs",
  license = "MIT",
}
dependencies = {
  "lua >= 5.1, < 5.6",
  "luasocket-rs",
}
build = {
  type = "builtin",
  modules = {},
}
