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

-- `n` connected pairs over loopback: returns the clients, their accepted peers (lists in
-- the same order) and the server.
function M.pairs(n)
  local srv, port = M.server()
  srv:settimeout(5)
  local clients, peers = {}, {}
  for i = 1, n do
    clients[i] = assert(socket.connect("127.0.0.1", port))
    peers[i] = assert(srv:accept())
  end
  return clients, peers, srv
end

-- Closes the clients, peers and server `M.pairs` gave.
function M.close_pairs(clients, peers, srv)
  for i = 1, #clients do
    clients[i]:close()
    peers[i]:close()
  end
  srv:close()
end

-- A port nobody listens on (bound, then closed).
function M.dead_port()
  local srv, port = M.server()
  srv:close()
  return port
end

-- Lets require find modules installed by the system (Debian's LuaSec, copas) after
-- ours: the system directories go at the end of package.path and package.cpath.
function M.system_modules()
  local v = _VERSION:match("%d+%.%d+")
  if rawget(_G, "jit") then v = "5.1" end
  local lua_dirs = { "/usr/local/share/lua/" .. v, "/usr/share/lua/" .. v }
  local c_dirs = { "/usr/local/lib/lua/" .. v, "/usr/lib/x86_64-linux-gnu/lua/" .. v,
    "/usr/lib/aarch64-linux-gnu/lua/" .. v, "/usr/lib/lua/" .. v }
  for _, d in ipairs(lua_dirs) do
    if not package.path:find(d, 1, true) then
      package.path = package.path .. ";" .. d .. "/?.lua;" .. d .. "/?/init.lua"
    end
  end
  for _, d in ipairs(c_dirs) do
    if not package.cpath:find(d, 1, true) then
      package.cpath = package.cpath .. ";" .. d .. "/?.so"
    end
  end
end

-- Closes every socket passed.
function M.close(...)
  for i = 1, select("#", ...) do
    local s = select(i, ...)
    if s then s:close() end
  end
end

return M
