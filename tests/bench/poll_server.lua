-- The server side of `cargo xtask bench`: one process that waits on N connections with
-- IMPL (select: socket.select over all of them; poll: socket.poll; luv: libuv's loop)
-- and echoes every byte it gets. The driver (xtask/src/bench.rs) connects the N
-- clients, keeps some of them busy and counts the round trips: each is one wakeup here.
--
-- usage: lua poll_server.lua DIST IMPL N
-- prints "PORT <n>", then "READY" once the N connections are accepted; ends on "q".
local dist, impl, n = arg[1], arg[2], tonumber(arg[3])
package.path = dist .. "/?.lua;" .. package.path
package.cpath = dist .. "/?.so;" .. package.cpath

local function say(...)
  io.stdout:write(table.concat({ ... }, " "), "\n")
  io.stdout:flush()
end

if impl == "luv" then
  local v = _VERSION:match("%d+%.%d+")
  if rawget(_G, "jit") then v = "5.1" end
  package.cpath = package.cpath .. ";/usr/lib/x86_64-linux-gnu/lua/" .. v .. "/?.so;/usr/local/lib/lua/"
    .. v .. "/?.so"
  local found, uv = pcall(require, "luv")
  if not found then
    say("UNSUPPORTED", "luv is not installed (apt-get install lua-luv)")
    os.exit(3)
  end
  local server = uv.new_tcp()
  assert(server:bind("127.0.0.1", 0))
  local accepted = 0
  assert(server:listen(4096, function()
    local c = uv.new_tcp()
    server:accept(c)
    c:read_start(function(err, data)
      if err or not data then
        c:close()
      elseif data:find("q", 1, true) then
        uv.stop()
      else
        c:write(data)
      end
    end)
    accepted = accepted + 1
    if accepted == n then say("READY") end
  end))
  say("PORT", server:getsockname().port)
  uv.run()
  os.exit(0)
end

local socket = require("socket")
local srv = assert(socket.bind("127.0.0.1", 0, 4096))
say("PORT", (select(2, srv:getsockname())))
srv:settimeout(30)
local conns = {}
for i = 1, n do
  local c = assert(srv:accept())
  c:settimeout(0)
  conns[i] = c
end
say("READY")

local function echo(c)
  local data = c:receive(1)
  if data == "q" then os.exit(0) end
  if data then c:send(data) end
end

if impl == "select" then
  while true do
    local ready = socket.select(conns, nil)
    for i = 1, #ready do echo(ready[i]) end
  end
elseif impl == "poll" then
  local p = assert(require("socket.poll").new())
  for i = 1, n do assert(p:add(conns[i], true, false)) end
  while true do echo((p:wait())) end
else
  error("unknown IMPL " .. tostring(impl))
end
