-- Helpers shared by the specs: loopback servers on ephemeral ports, interpreter facts.

local socket = require("socket")

local M = {}

M.lua_version = _VERSION
M.is_luajit = type(rawget(_G, "jit")) == "table"

-- A listening server on 127.0.0.1 and an ephemeral port: returns server, port.
function M.server()
  local srv = assert(socket.tcp())
  assert(srv:setoption("reuseaddr", true))
  assert(srv:bind("127.0.0.1", 0))
  assert(srv:listen(32))
  local _, port = srv:getsockname()
  return srv, port
end

-- A connected pair over loopback: returns client, accepted peer, server.
function M.pair()
  local srv, port = M.server()
  local c = assert(socket.connect("127.0.0.1", port))
  srv:settimeout(5)
  local a = assert(srv:accept())
  c:settimeout(5)
  a:settimeout(5)
  return c, a, srv
end

-- A port nobody listens on (bound, then closed).
function M.dead_port()
  local srv, port = M.server()
  srv:close()
  return port
end

-- Closes every socket passed.
function M.close(...)
  for i = 1, select("#", ...) do
    local s = select(i, ...)
    if s then s:close() end
  end
end

return M
