-- socket: LuaSocket's `socket` module, its Lua half.
--
-- Design: socket.core (native) makes the table; this file adds, in place, what reads
-- better in Lua: connect4/connect6, bind over every resolved address, choose, try, and
-- the LTN12 sources and sinks of sockets. newtry and protect come from socket.core,
-- written in Lua there, so protected functions may yield. Socket sources and sinks answer
-- getfd and dirty too, so they can be given to socket.select.

-- A library built for another Lua ABI fails to load with a bare linker message
-- ("undefined symbol: lua_newuserdatauv"); say what it means.
local loaded, socket = pcall(require, "socket.core")
if not loaded then
  local symbol = tostring(socket):match("undefined symbol: (lua%w*_[%w_]+)")
  if symbol then
    error(("socket.core was built for another Lua than this %s%s (it needs %s): " ..
      "install the build for this interpreter (dist/<abi> or the rock for its version)\n%s")
      :format(_VERSION, rawget(_G, "jit") and " (LuaJIT)" or "", symbol, tostring(socket)), 2)
  end
  error(socket, 2)
end

local error, ipairs, pairs, setmetatable, tostring, type =
  error, ipairs, pairs, setmetatable, tostring, type
local min = math.min

-- Connecting and listening -------------------------------------------------------------

for suffix, family in pairs({ ["4"] = "inet", ["6"] = "inet6" }) do
  socket["connect" .. suffix] = function(host, port, lhost, lport)
    return socket.connect(host, port, lhost, lport, family)
  end
end

-- A socket listening on one resolved address; a third result `true` means no socket could
-- be made at all (no point in trying the other addresses).
local function listen_on(entry, port, backlog)
  local make = entry.family == "inet" and socket.tcp4 or socket.tcp6
  local server, err = make()
  if not server then return nil, err, true end
  server:setoption("reuseaddr", true)
  local ok
  ok, err = server:bind(entry.addr, port)
  if ok then ok, err = server:listen(backlog) end
  if ok then return server end
  server:close()
  return nil, err
end

-- A server socket on host:port ("*" for any IPv4 address): the first address host
-- resolves to that takes a listening socket.
function socket.bind(host, port, backlog)
  local entries, err = socket.dns.getaddrinfo(host == "*" and "0.0.0.0" or host)
  if not entries then return nil, err end
  err = "no info on address"
  for _, entry in ipairs(entries) do
    local server, fatal
    server, err, fatal = listen_on(entry, port, backlog)
    if server or fatal then return server, err end
  end
  return nil, err
end

socket.try = socket.newtry()

-- A function that runs the entry of `options` its first argument names ("default" when
-- the first argument is not a string), with the next two arguments.
function socket.choose(options)
  return function(key, a, b)
    if type(key) ~= "string" then key, a, b = "default", key, a end
    local chosen = options[key or "nil"]
    if not chosen then error("unknown key (" .. tostring(key) .. ")", 3) end
    return chosen(a, b)
  end
end

-- LTN12 over sockets -------------------------------------------------------------------

local sinkt, sourcet = {}, {}
socket.sinkt, socket.sourcet = sinkt, sourcet

socket.BLOCKSIZE = 2048

-- How much a socket source asks for per call. LTN12 promises no chunk size, and bigger
-- reads cut the per-chunk cost of large bodies (C LuaSocket reads BLOCKSIZE).
local READ_SIZE = 64 * 1024

-- Makes `call` (called as call(self, chunk, err)) an object that select can watch too.
local function selectable(sock, call)
  local object = {}
  function object.getfd() return sock:getfd() end
  function object.dirty() return sock:dirty() end
  return setmetatable(object, { __call = call })
end

-- socket.http.core holds the chunked coding; it is loaded on first use.
local http_core
local function chunked_coding()
  if not http_core then http_core = require("socket.http.core") end
  return http_core
end

sinkt["keep-open"] = function(sock)
  return selectable(sock, function(_, data)
    if data == nil then return 1 end
    return sock:send(data)
  end)
end

sinkt["close-when-done"] = function(sock)
  return selectable(sock, function(_, data)
    if data ~= nil then return sock:send(data) end
    sock:close()
    return 1
  end)
end

-- Each chunk framed with its size; the end of input sends the last chunk. An empty chunk
-- sends nothing, since it would read as the end.
sinkt["http-chunked"] = function(sock)
  local coding = chunked_coding()
  return selectable(sock, function(_, data)
    if data == "" then return 1 end
    return sock:send(coding.chunk(data))
  end)
end

sinkt.default = sinkt["keep-open"]

socket.sink = socket.choose(sinkt)

-- Exactly `length` bytes.
sourcet["by-length"] = function(sock, length)
  local left = length
  return selectable(sock, function()
    if left <= 0 then return nil end
    local data, err = sock:receive(min(READ_SIZE, left))
    if not data then return nil, err end
    left = left - #data
    return data
  end)
end

-- Everything up to the peer's close, which closes the socket and ends the source.
sourcet["until-closed"] = function(sock)
  local finished = false
  return selectable(sock, function()
    if finished then return nil end
    local data, err, partial = sock:receive(READ_SIZE)
    if data then return data end
    if err ~= "closed" then return nil, err end
    finished = true
    sock:close()
    return partial
  end)
end

-- A chunked body, read exactly: the decoder says whether it wants a line or so many data
-- bytes, so nothing past the body is consumed. Data comes out in pieces of at most
-- READ_SIZE bytes whatever a chunk announces; the trailer's fields go into `headers`.
sourcet["http-chunked"] = function(sock, headers)
  local decoder = chunked_coding().dechunker()
  local finished = false
  return selectable(sock, function()
    while not finished do
      local need = decoder:need()
      if not need then
        finished = true
        decoder:fields(headers or {})
        return nil
      end
      local data, err
      if need == "line" then
        local line
        line, err = sock:receive("*l")
        if not line then return nil, err end
        data, err = decoder:line(line)
      else
        local bytes
        bytes, err = sock:receive(min(need, READ_SIZE))
        if not bytes then return nil, err end
        data, err = decoder:feed(bytes)
      end
      if not data then return nil, err end
      if data ~= "" then return data end
    end
    return nil
  end)
end

sourcet.default = sourcet["until-closed"]

socket.source = socket.choose(sourcet)

return socket
