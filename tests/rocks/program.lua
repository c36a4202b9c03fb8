-- A user's program over loopback, run against an installed rock: an echo server and a
-- client driven by socket.select, mime and socket.url on the side. It checks that the
-- modules it loaded are luasocket-rs's (C LuaSocket has no socket.tp.core).
local socket = require("socket")
local mime = require("mime")
local url = require("socket.url")
require("socket.http")
assert(package.preload["socket.tp.core"], "these modules are not luasocket-rs's")

local server = assert(socket.bind("127.0.0.1", 0))
local _, port = server:getsockname()
local client = assert(socket.connect("127.0.0.1", port))
local peer = assert(server:accept())
assert(client:send("hello " .. mime.b64("rock") .. "\n"))
local ready = socket.select({ peer }, nil, 2)
assert(ready[1] == peer, "select did not report the line")
local line = assert(peer:receive("*l"))
assert(peer:send(line .. "\n"))
assert(client:receive("*l") == "hello cm9jaw==")
assert(url.parse("http://example.org:8080/a?b").port == "8080")
for _, s in ipairs({ client, peer, server }) do s:close() end
local searchpath = rawget(package, "searchpath") -- Lua 5.2+ and LuaJIT
print(("ok: %s, %s, from %s"):format(socket._VERSION, _VERSION,
  searchpath and searchpath("socket.core", package.cpath) or package.cpath))
