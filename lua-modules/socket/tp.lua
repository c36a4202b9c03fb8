-- socket.tp: the command/reply line protocol under socket.smtp and socket.ftp.
--
-- Design: a tp object wraps one control connection, any object with LuaSocket's socket
-- methods, so a caller's `create` may hand in a socket that yields (copas) or speaks
-- TLS. Replies are decoded by socket.tp.core, fed one line per receive(): Rust owns the
-- reply grammar and its limits, Lua does the reading and matches the codes.

local socket = require("socket")
local ltn12 = require("ltn12")
local core = require("socket.tp.core")

local find, upper = string.find, string.upper
local ipairs, pcall, setmetatable, tonumber, type = ipairs, pcall, setmetatable, tonumber, type

local _M = {}
socket.tp = _M

_M.TIMEOUT = 60

-- The longest reply line our own sockets take; other sockets keep their own rules.
local LINE_LIMIT = 64 * 1024

local control = {}
local control_mt = { __index = control, __name = "tp{control}" }

-- One whole reply from `sock`: its code (three digits, a string) and its text (lines
-- joined with "\n"); nil and an error otherwise.
local function read_reply(sock)
  local decoder = core.reply()
  local more = true
  while more do
    local line, err = sock:receive()
    if not line then return nil, err end
    more, err = decoder:line(line)
    if more == nil then return nil, err end
  end
  return decoder:result()
end

-- Whether a code matches one pattern or any of a list of patterns.
local function matches(code, accepted)
  if type(accepted) ~= "table" then return find(code, accepted) ~= nil end
  for _, pattern in ipairs(accepted) do
    if find(code, pattern) then return true end
  end
  return false
end

-- Reads a reply and judges it: `accepted` is a pattern, a list of patterns, or a function
-- given (code, text) that decides. Returns the numeric code and the text, or nil and the
-- text (or the read error).
function control:check(accepted)
  local code, text = read_reply(self.c)
  if not code then return nil, text end
  if type(accepted) == "function" then return accepted(tonumber(code), text) end
  if not matches(code, accepted) then return nil, text end
  return tonumber(code), text
end

-- Sends `VERB [arg]` and a line break, the verb in capitals. A CR or LF inside would
-- smuggle a second command, so such a line is refused.
function control:command(verb, arg)
  local line = upper(verb)
  if arg then line = line .. " " .. arg end
  if find(line, "[\r\n]") then return nil, "invalid command (CR or LF in it)" end
  return self.c:send(line .. "\r\n")
end

-- Reads with `pattern` and hands the result to the LTN12 sink `snk`.
function control:sink(snk, pattern)
  local data, err = self.c:receive(pattern)
  return snk(data, err)
end

-- Pumps all of the LTN12 source `src` into the control connection.
function control:source(src, step)
  return ltn12.pump.all(src, socket.sink("keep-open", self.c), step or ltn12.pump.step)
end

function control:getcontrol()
  return self.c
end

function control:close()
  self.c:close()
  return 1
end

-- The rest is the control socket's own.
for _, name in ipairs({ "dirty", "getfd", "getpeername", "getsockname", "receive", "send" }) do
  control[name] = function(self, ...)
    local sock = self.c
    return sock[name](sock, ...)
  end
end

-- Opens a control connection to host:port with a socket from `create` (socket.tcp by
-- default), or returns nil and the error.
function _M.connect(host, port, timeout, create)
  local sock, err = (create or socket.tcp)()
  if not sock then return nil, err end
  if sock.setoption then pcall(sock.setoption, sock, "max-line-length", LINE_LIMIT) end
  sock:settimeout(timeout or _M.TIMEOUT)
  local ok, cerr = sock:connect(host, port)
  if not ok then
    sock:close()
    return nil, cerr
  end
  return setmetatable({ c = sock }, control_mt)
end

return _M
