-- socket: the Lua half of LuaSocket's socket module.
--
-- Extends the socket.core table in place (as C LuaSocket does) with the helpers that are
-- easier in Lua: connect4/connect6, bind, choose, try, and the LTN12 sources and sinks of
-- sockets. protect and newtry come from socket.core, written in Lua there too, so
-- protected functions may yield.

local socket = require("socket.core")

local ipairs, setmetatable, tostring, type, error, require =
  ipairs, setmetatable, tostring, type, error, require
local min = math.min

local _M = socket

function _M.connect4(address, port, laddress, lport)
  return socket.connect(address, port, laddress, lport, "inet")
end

function _M.connect6(address, port, laddress, lport)
  return socket.connect(address, port, laddress, lport, "inet6")
end

-- Creates a server socket listening on host:port, trying each address host resolves to.
function _M.bind(host, port, backlog)
  if host == "*" then host = "0.0.0.0" end
  local addrinfo, err = socket.dns.getaddrinfo(host)
  if not addrinfo then return nil, err end
  err = "no info on address"
  for _, alt in ipairs(addrinfo) do
    local sock, res
    if alt.family == "inet" then
      sock, err = socket.tcp4()
    else
      sock, err = socket.tcp6()
    end
    if not sock then return nil, err end
    sock:setoption("reuseaddr", true)
    res, err = sock:bind(alt.addr, port)
    if res then
      res, err = sock:listen(backlog)
      if res then return sock end
    end
    sock:close()
  end
  return nil, err
end

_M.try = _M.newtry()

-- Returns a function that dispatches on its first argument to an entry of `table`.
function _M.choose(table)
  return function(name, opt1, opt2)
    if type(name) ~= "string" then
      name, opt1, opt2 = "default", name, opt1
    end
    local f = table[name or "nil"]
    if not f then error("unknown key (" .. tostring(name) .. ")", 3) end
    return f(opt1, opt2)
  end
end

-- LTN12 sinks and sources over sockets. Each is callable and also answers getfd/dirty,
-- so it can be passed to socket.select.
local sourcet, sinkt = {}, {}
_M.sourcet = sourcet
_M.sinkt = sinkt

_M.BLOCKSIZE = 2048

-- How much the socket sources read per call. LTN12 promises no chunk size, and reading
-- more per call cuts the per-chunk cost of large bodies (C LuaSocket reads BLOCKSIZE).
local SOURCE_CHUNK = 64 * 1024

local function selectable(sock, call)
  return setmetatable({
    getfd = function() return sock:getfd() end,
    dirty = function() return sock:dirty() end,
  }, { __call = call })
end

sinkt["close-when-done"] = function(sock)
  return selectable(sock, function(_, chunk)
    if not chunk then
      sock:close()
      return 1
    end
    return sock:send(chunk)
  end)
end

sinkt["keep-open"] = function(sock)
  return selectable(sock, function(_, chunk)
    if chunk then return sock:send(chunk) end
    return 1
  end)
end

-- The chunked transfer coding comes from socket.http.core (native, installed with this
-- library), loaded on first use.
local http_core
local function chunked()
  http_core = http_core or require("socket.http.core")
  return http_core
end

-- HTTP/1.1 chunked transfer coding: each chunk with its size; nil sends the last chunk.
-- An empty chunk sends nothing (it would read as the end of the body).
sinkt["http-chunked"] = function(sock)
  local core = chunked()
  return selectable(sock, function(_, chunk)
    if chunk == "" then return 1 end
    return sock:send(core.chunk(chunk))
  end)
end

sinkt["default"] = sinkt["keep-open"]

_M.sink = _M.choose(sinkt)

sourcet["by-length"] = function(sock, length)
  return selectable(sock, function()
    if length <= 0 then return nil end
    local chunk, err = sock:receive(min(SOURCE_CHUNK, length))
    if err then return nil, err end
    length = length - #chunk
    return chunk
  end)
end

sourcet["until-closed"] = function(sock)
  local done
  return selectable(sock, function()
    if done then return nil end
    local chunk, err, partial = sock:receive(SOURCE_CHUNK)
    if not err then return chunk end
    if err == "closed" then
      sock:close()
      done = true
      return partial
    end
    return nil, err
  end)
end

-- HTTP/1.1 chunked transfer coding, read exactly: the decoder says whether it needs a
-- line or so many bytes of data, so nothing past the body is consumed. Data is passed on
-- in pieces of at most SOURCE_CHUNK bytes whatever size a chunk announces; after the
-- last chunk the trailer fields are added to `headers`.
sourcet["http-chunked"] = function(sock, headers)
  local core = chunked()
  local decoder = core.dechunker()
  local ended = false
  return selectable(sock, function()
    if ended then return nil end
    while true do
      local need = decoder:need()
      if not need then
        ended = true
        local block = decoder:trailers()
        if block ~= "" then
          local ok, err = core.parse_headers(block, headers or {})
          if not ok then return nil, err end
        end
        return nil
      end
      local input, err
      if need == "line" then
        input, err = sock:receive()
        if err then return nil, err end
        input = input .. "\n"
      else
        input, err = sock:receive(min(need, SOURCE_CHUNK))
        if not input then return nil, err end
      end
      local data, derr = decoder:feed(input)
      if not data then return nil, derr end
      if data ~= "" then return data end
    end
  end)
end

sourcet["default"] = sourcet["until-closed"]

_M.source = _M.choose(sourcet)

return _M
