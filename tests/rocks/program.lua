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
-- TLS, from the rock's socket/ssl/core.so: a server and a client over loopback.
local ssl = require("socket.ssl")
local dir = os.tmpname()
os.remove(dir)
assert(os.execute("mkdir -p " .. dir .. " && cd " .. dir .. " && openssl req -x509" ..
  " -newkey rsa:2048 -nodes -days 1 -subj /CN=localhost -addext subjectAltName=DNS:localhost" ..
  " -keyout key.pem -out cert.pem >/dev/null 2>&1"))
local tls_server = assert(socket.bind("127.0.0.1", 0))
local _, tls_port = tls_server:getsockname()
local c = assert(socket.connect("127.0.0.1", tls_port))
local sa = assert(tls_server:accept())
local sc = assert(ssl.wrap(sa, { mode = "server", certificate = dir .. "/cert.pem",
  key = dir .. "/key.pem" }))
local cc = assert(ssl.wrap(c, { mode = "client", cafile = dir .. "/cert.pem" }))
cc:sni("localhost")
sc:settimeout(0)
cc:settimeout(0)
local done = {}
for _ = 1, 1000 do
  for _, conn in ipairs({ sc, cc }) do
    if not done[conn] then
      local ok, err = conn:dohandshake()
      if ok then done[conn] = true else assert(err == "wantread" or err == "wantwrite", err) end
    end
  end
  if done[sc] and done[cc] then break end
  socket.select({ sc, cc }, nil, 0.05)
end
assert(done[sc] and done[cc], "the TLS handshake did not finish")
sc:settimeout(2)
cc:settimeout(2)
assert(cc:send("over tls\n"))
assert(sc:receive("*l") == "over tls")
sc:close()
cc:close()
tls_server:close()
os.execute("rm -rf " .. dir)
for _, s in ipairs({ client, peer, server }) do s:close() end
local searchpath = rawget(package, "searchpath") -- Lua 5.2+ and LuaJIT
print(("ok: %s, %s, from %s"):format(socket._VERSION, _VERSION,
  searchpath and searchpath("socket.core", package.cpath) or package.cpath))
