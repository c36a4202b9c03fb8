-- socket.tp: the line protocol shared by FTP and SMTP: commands, numbered replies
-- (multi-line ones too), and moving data through the control connection.

local socket = require("socket")
local ltn12 = require("ltn12")

local find, upper, ipairs, setmetatable, tonumber, type =
  string.find, string.upper, ipairs, setmetatable, tonumber, type

local _M = {}
socket.tp = _M

_M.TIMEOUT = 60

-- Reads one reply: its three-digit code (as a string) and its full text, lines joined
-- with "\n". A "ddd-" first line starts a multi-line reply that ends at "ddd ".
local function get_reply(c)
  local line, err = c:receive()
  if err then return nil, err end
  local _, _, code, sep = find(line, "^(%d%d%d)(.?)")
  if not code then return nil, "invalid server reply" end
  local reply = line
  if sep == "-" then
    local current
    repeat
      line, err = c:receive()
      if err then return nil, err end
      _, _, current, sep = find(line, "^(%d%d%d)(.?)")
      reply = reply .. "\n" .. line
    until current == code and sep == " "
  end
  return code, reply
end

local methods = {}
local metat = { __index = methods }

function methods:getpeername()
  return self.c:getpeername()
end

function methods:getsockname()
  return self.c:getsockname()
end

-- Reads a reply and checks its code against `ok`: a pattern, a list of patterns, or a
-- function called with (code, reply). Returns the numeric code and the reply, or
-- nil and the reply (or the error).
function methods:check(ok)
  local code, reply = get_reply(self.c)
  if not code then return nil, reply end
  if type(ok) == "function" then return ok(tonumber(code), reply) end
  if type(ok) == "table" then
    for _, pattern in ipairs(ok) do
      if find(code, pattern) then return tonumber(code), reply end
    end
    return nil, reply
  end
  if find(code, ok) then return tonumber(code), reply end
  return nil, reply
end

-- Sends "CMD [arg]\r\n" (the command in upper case). Arguments with CR or LF would
-- smuggle extra commands and are refused.
function methods:command(cmd, arg)
  cmd = upper(cmd)
  if find(cmd, "[\r\n]") or (arg and find(arg, "[\r\n]")) then
    return nil, "invalid command (CR or LF in it)"
  end
  if arg then return self.c:send(cmd .. " " .. arg .. "\r\n") end
  return self.c:send(cmd .. "\r\n")
end

function methods:sink(snk, pat)
  local chunk, err = self.c:receive(pat)
  return snk(chunk, err)
end

function methods:send(data)
  return self.c:send(data)
end

function methods:receive(pat)
  return self.c:receive(pat)
end

function methods:getfd()
  return self.c:getfd()
end

function methods:dirty()
  return self.c:dirty()
end

function methods:getcontrol()
  return self.c
end

-- Sends everything `source` gives through the control connection.
function methods:source(source, step)
  local sink = socket.sink("keep-open", self.c)
  return ltn12.pump.all(source, sink, step or ltn12.pump.step)
end

function methods:close()
  self.c:close()
  return 1
end

-- Connects to host:port with a socket from `create` (socket.tcp by default).
function _M.connect(host, port, timeout, create)
  local c, err = (create or socket.tcp)()
  if not c then return nil, err end
  -- Our sockets bound reply lines; other sockets are left as they are.
  if c.setoption then pcall(c.setoption, c, "max-line-length", 64 * 1024) end
  c:settimeout(timeout or _M.TIMEOUT)
  local ok, cerr = c:connect(host, port)
  if not ok then
    c:close()
    return nil, cerr
  end
  return setmetatable({ c = c }, metat)
end

return _M
