-- A copas-style server on socket.poll: one coroutine per connection, each reading with
-- timeout 0 and yielding to the loop until its socket is ready; the loop asks the poller
-- which socket is ready and resumes the coroutine waiting on it. Here it serves a line
-- upper-casing echo to clients that a second coroutine set runs in the same process.
-- Run it: cargo run --release -- examples/poll_echo.lua
local socket = require("socket")
local poll = require("socket.poll")

local poller = assert(poll.new())
local waiting = {} -- socket -> the coroutine waiting on it

-- Inside a coroutine: sleep until `sock` is ready to read (r) or write (w).
local function await(sock, r, w)
  if not poller:set(sock, r, w) then assert(poller:add(sock, r, w)) end
  waiting[sock] = coroutine.running()
  coroutine.yield()
end

-- receive/send that yield instead of blocking (the sockets have timeout 0).
local function receive(sock, pattern)
  local got = ""
  while true do
    local data, err, partial = sock:receive(pattern, got)
    if data then return data end
    if err ~= "timeout" then return nil, err end
    got = partial
    await(sock, true, false)
  end
end

local function send(sock, data)
  local i = 1
  while i <= #data do
    local last, err, partial = sock:send(data, i)
    if not last and err ~= "timeout" then return nil, err end
    i = (last or partial) + 1
    if i <= #data then await(sock, false, true) end
  end
  return #data
end

local function spawn(f, ...)
  local co = coroutine.create(f)
  assert(coroutine.resume(co, ...))
end

-- The server: an acceptor and one handler per connection.
local server = assert(socket.bind("127.0.0.1", 0))
server:settimeout(0)
local _, port = server:getsockname()
print(("poll echo server on 127.0.0.1:%d (%s)"):format(port, poller:backend()))

local function handler(sock)
  sock:settimeout(0)
  while true do
    local line = receive(sock, "*l")
    if not line then break end
    send(sock, line:upper() .. "\n")
  end
  poller:del(sock)
  sock:close()
end

spawn(function()
  while true do
    local sock = server:accept()
    if sock then spawn(handler, sock) else await(server, true, false) end
  end
end)

-- The clients: coroutines on the same loop.
local answers, done = {}, 0
for i = 1, 3 do
  spawn(function()
    local c = assert(socket.tcp())
    c:settimeout(0)
    c:connect("127.0.0.1", port) -- "timeout" while connecting
    await(c, false, true)
    for j = 1, 3 do
      send(c, ("client %d line %d\n"):format(i, j))
      local answer = receive(c, "*l") -- yields: the index is taken after
      answers[#answers + 1] = answer
    end
    poller:del(c)
    c:close()
    done = done + 1
  end)
end

-- The loop: resume whoever waits on the socket the poller reports.
local deadline = socket.gettime() + 10
while done < 3 do
  assert(socket.gettime() < deadline, "poll echo example timed out")
  local sock = poller:wait(1)
  local co = sock and waiting[sock]
  if co then
    waiting[sock] = nil
    assert(coroutine.resume(co))
  end
end

table.sort(answers)
for _, line in ipairs(answers) do print("answer: " .. line) end
print(("%d lines echoed through socket.poll"):format(#answers))
server:close()
poller:close()
