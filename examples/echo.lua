-- An echo server and three clients in one process over loopback, driven by socket.select.
-- Run it with the embedded interpreter: cargo run --release -- examples/echo.lua
local socket = require("socket")

local server = assert(socket.bind("127.0.0.1", 0))
server:settimeout(0)
local _, port = server:getsockname()
print(("echo server on 127.0.0.1:%d"):format(port))

-- Clients connect and each sends a few lines.
local clients, expected = {}, {}
for i = 1, 3 do
  local c = assert(socket.connect("127.0.0.1", port))
  c:settimeout(0)
  local lines = {}
  for j = 1, 3 do lines[j] = ("client %d line %d"):format(i, j) end
  assert(c:send(table.concat(lines, "\n") .. "\n"))
  clients[#clients + 1] = c
  expected[c] = lines
end

-- Serve until every client got its lines back.
local peers = {}
local watch = { server }
local echoed = {}
local remaining = 9
local deadline = socket.gettime() + 10
while remaining > 0 do
  assert(socket.gettime() < deadline, "echo example timed out")
  local readable = socket.select(watch, nil, 1)
  for _, s in ipairs(readable) do
    if s == server then
      local peer = server:accept()
      if peer then
        peer:settimeout(0)
        peers[#peers + 1] = peer
        watch[#watch + 1] = peer
      end
    elseif expected[s] then
      -- a client: read back what the server echoed
      repeat
        local line = s:receive()
        if line then
          echoed[#echoed + 1] = line
          remaining = remaining - 1
        end
      until not line
    else
      -- a peer on the server side: echo every complete line
      repeat
        local line = s:receive()
        if line then s:send(line .. "\n") end
      until not line
    end
  end
  -- clients are watched too, once the server side exists
  if #watch == 1 + #peers then
    for _, c in ipairs(clients) do watch[#watch + 1] = c end
  end
end

table.sort(echoed)
for _, line in ipairs(echoed) do print("echoed: " .. line) end
for _, s in ipairs(peers) do s:close() end
for _, c in ipairs(clients) do c:close() end
server:close()
print(("%d lines echoed through %d connections"):format(#echoed, #peers))
