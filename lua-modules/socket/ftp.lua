-- socket.ftp: FTP transfers (LuaSocket's socket.ftp API) over socket.tp.
--
-- Passive mode tries EPSV, then PASV (or the reverse with passive = "pasv"); the address
-- in a PASV reply is not trusted by default: data connections go to the control
-- connection's peer, as curl does (pasvaddress = true opts back in). Active mode
-- (active = true) uses PORT, or EPRT over IPv6. Data connections are made with the
-- caller's `create` too.

local socket = require("socket")
local url = require("socket.url")
local tp = require("socket.tp")
local ltn12 = require("ltn12")

local find, format, gsub, match = string.find, string.format, string.gsub, string.match
local concat = table.concat
local ipairs, pairs, setmetatable, tonumber, tostring, type =
  ipairs, pairs, setmetatable, tonumber, tostring, type
local fmod, floor = math.fmod, math.floor

local _M = {}
socket.ftp = _M

_M.TIMEOUT = 60
local PORT = 21
_M.USER = "ftp"
_M.PASSWORD = "anonymous@anonymous.org"

local methods = {}
local metat = { __index = methods }

-- Connects the control connection; failures raise through f.try.
function _M.open(server, port, create)
  local t = socket.try(tp.connect(server, port or PORT, _M.TIMEOUT, create))
  local f = setmetatable({ tp = t, create = create }, metat)
  f.try = socket.newtry(function() f:close() end)
  return f
end

function methods:portconnect()
  self.try(self.server:settimeout(_M.TIMEOUT))
  self.data = self.try(self.server:accept())
  self.try(self.data:settimeout(_M.TIMEOUT))
end

function methods:pasvconnect()
  self.data = self.try((self.create or socket.tcp)())
  self.try(self.data:settimeout(_M.TIMEOUT))
  self.try(self.data:connect(self.pasvt.address, self.pasvt.port))
end

function methods:login(user, password)
  self.try(self.tp:command("user", user or _M.USER))
  local code = self.try(self.tp:check({ "2..", 331 }))
  if code == 331 then
    self.try(self.tp:command("pass", password or _M.PASSWORD))
    self.try(self.tp:check("2.."))
  end
  return 1
end

local function drop_server(self)
  if self.server then
    self.server:close()
    self.server = nil
  end
end

-- The data address for a passive reply: the control connection's peer, unless the
-- caller trusts the address in the reply.
local function peer(self)
  return (self.try(self.tp:getpeername()))
end

-- The data address of a PASV reply ("h1,h2,h3,h4,p1,p2"): the port from the reply; the
-- host from it only if trusted, else the control connection's peer.
local function from_pasv(self, reply, trust_address)
  local a, b, c, d, p1, p2 = match(reply, "(%d+)%D(%d+)%D(%d+)%D(%d+)%D(%d+)%D(%d+)")
  self.try(a and p2, reply)
  local parts = { tonumber(a), tonumber(b), tonumber(c), tonumber(d) }
  for _, v in ipairs(parts) do
    if v > 255 then self.try(nil, "invalid pasv response") end
  end
  local port = tonumber(p1) * 256 + tonumber(p2)
  if tonumber(p1) > 255 or tonumber(p2) > 255 or port < 1 then
    self.try(nil, "invalid pasv response")
  end
  local address = format("%d.%d.%d.%d", parts[1], parts[2], parts[3], parts[4])
  if not trust_address then address = peer(self) end
  return address, port
end

-- The data address of an EPSV reply ("(|||port|)"): the control connection's peer.
local function from_epsv(self, reply)
  local _, digits = match(reply, "%((.)%1%1(%d+)%1%)")
  local port = tonumber(digits)
  if not port or port < 1 or port > 65535 then self.try(nil, "invalid epsv response") end
  return peer(self), port
end

local function use_passive(self, address, port)
  self.pasvt = { address = address, port = port }
  drop_server(self)
  return address, port
end

function methods:pasv(trust_address)
  self.try(self.tp:command("pasv"))
  local _, reply = self.try(self.tp:check("2.."))
  return use_passive(self, from_pasv(self, reply, trust_address))
end

function methods:epsv()
  self.try(self.tp:command("epsv"))
  local _, reply = self.try(self.tp:check("229"))
  return use_passive(self, from_epsv(self, reply))
end

-- Passive mode: EPSV then PASV, or PASV then EPSV when `first` is "pasv". A server that
-- refuses the first command gets the other one.
function methods:passive(first, trust_address)
  local order = first == "pasv" and { "pasv", "epsv" } or { "epsv", "pasv" }
  local reply
  for _, how in ipairs(order) do
    self.try(self.tp:command(how))
    local code
    code, reply = self.tp:check(how == "epsv" and "229" or "2..")
    if code then
      if how == "epsv" then return use_passive(self, from_epsv(self, reply)) end
      return use_passive(self, from_pasv(self, reply, trust_address))
    end
    -- Not a reply at all (closed, timeout): no point in asking again.
    if not find(tostring(reply), "^%d%d%d") then break end
  end
  self.try(nil, reply)
end

local function listen(self, address)
  if not address then address = self.try(self.tp:getsockname()) end
  self.server = self.try(socket.bind(address, 0))
  local port
  address, port = self.try(self.server:getsockname())
  self.try(self.server:settimeout(_M.TIMEOUT))
  return address, port
end

-- PORT: announces a listening socket (ours, on the control connection's address, when
-- no address is given).
function methods:port(address, port)
  self.pasvt = nil
  if not address then address, port = listen(self) end
  local low = fmod(port, 256)
  local high = floor(port / 256)
  local arg = gsub(format("%s,%d,%d", address, high, low), "%.", ",")
  self.try(self.tp:command("port", arg))
  self.try(self.tp:check("2.."))
  return 1
end

-- EPRT: as PORT, for any family (1 = IPv4, 2 = IPv6).
function methods:eprt(family, address, port)
  self.pasvt = nil
  if not address then address, port = listen(self) end
  self.try(self.tp:command("eprt", format("|%s|%s|%d|", family, address, port)))
  self.try(self.tp:check("2.."))
  return 1
end

local function argument_of(t)
  local arg = t.argument or url.unescape((gsub(t.path or "", "^[/\\]", "")))
  if arg == "" then return nil end
  return arg
end

-- Uploads sendt.source with STOR (or sendt.command); returns the bytes sent.
function methods:send(sendt)
  self.try(self.pasvt or self.server, "need port or pasv first")
  if self.pasvt then self:pasvconnect() end
  self.try(self.tp:command(sendt.command or "stor", argument_of(sendt)))
  local code = self.try(self.tp:check({ "2..", "1.." }))
  if not self.pasvt then self:portconnect() end
  local step = sendt.step or ltn12.pump.step
  -- The server may answer on the control connection before the upload ends.
  local control = { self.tp }
  local function checkstep(src, snk)
    local ready = socket.select(control, nil, 0)
    if ready[self.tp] then code = self.try(self.tp:check("2..")) end
    return step(src, snk)
  end
  local sink = socket.sink("close-when-done", self.data)
  self.try(ltn12.pump.all(sendt.source, sink, checkstep))
  if find(tostring(code), "^1") then self.try(self.tp:check("2..")) end
  self.data:close()
  local sent = socket.skip(1, self.data:getstats())
  self.data = nil
  return sent
end

-- Downloads into recvt.sink with RETR (or recvt.command).
function methods:receive(recvt)
  self.try(self.pasvt or self.server, "need port or pasv first")
  if self.pasvt then self:pasvconnect() end
  self.try(self.tp:command(recvt.command or "retr", argument_of(recvt)))
  local code, reply = self.try(self.tp:check({ "1..", "2.." }))
  if code >= 200 and code <= 299 then
    recvt.sink(reply)
    if self.data then
      self.data:close()
      self.data = nil
    end
    return 1
  end
  if not self.pasvt then self:portconnect() end
  local source = socket.source("until-closed", self.data)
  self.try(ltn12.pump.all(source, recvt.sink, recvt.step or ltn12.pump.step))
  self.try(self.tp:check("2.."))
  self.data:close()
  self.data = nil
  return 1
end

function methods:cwd(dir)
  self.try(self.tp:command("cwd", dir))
  self.try(self.tp:check(250))
  return 1
end

function methods:type(kind)
  self.try(self.tp:command("type", kind))
  self.try(self.tp:check(200))
  return 1
end

function methods:greet()
  local code = self.try(self.tp:check({ "1..", "2.." }))
  if code < 200 then self.try(self.tp:check("2..")) end
  return 1
end

function methods:quit()
  self.try(self.tp:command("quit"))
  self.try(self.tp:check("2.."))
  return 1
end

function methods:close()
  if self.data then self.data:close() end
  if self.server then self.server:close() end
  return self.tp:close()
end

-- Transfers ---------------------------------------------------------------------------

-- A request table with its url's fields filled in (the table's own fields win).
local function override(t)
  if not t.url then return t end
  local u = socket.try(url.parse(t.url))
  for k, v in pairs(t) do u[k] = v end
  return u
end

local function data_mode(f, t)
  if t.active then
    local ip = f.try(f.tp:getsockname())
    if find(ip, ":", 1, true) then return f:eprt(2) end
    return f:port()
  end
  return f:passive(t.passive, t.pasvaddress)
end

local function session(t)
  socket.try(t.host, "missing hostname")
  local f = _M.open(t.host, t.port, t.create)
  f:greet()
  f:login(t.user and url.unescape(t.user), t.password and url.unescape(t.password))
  if t.type then f:type(t.type) end
  return f
end

local function tput(putt)
  putt = override(putt)
  local f = session(putt)
  data_mode(f, putt)
  local sent = f:send(putt)
  f:quit()
  f:close()
  return sent
end

local default_url = { path = "/", scheme = "ftp" }

-- The request table get(url)/put(url, body) use; ";type=a" or ";type=i" picks the type.
function _M.genericform(u)
  local t = socket.try(url.parse(u, default_url))
  socket.try(t.scheme == "ftp", "wrong scheme '" .. tostring(t.scheme) .. "'")
  socket.try(t.host, "missing hostname")
  if t.params then
    t.type = match(t.params, "^type=(.)$")
    socket.try(t.type == "a" or t.type == "i", "invalid type '" .. tostring(t.type) .. "'")
  end
  return t
end

local function sput(u, body)
  local putt = _M.genericform(u)
  putt.source = ltn12.source.string(body)
  return tput(putt)
end

-- put(url, body) or put{...} -> bytes sent, or nil and the error.
_M.put = socket.protect(function(putt, body)
  if type(putt) == "string" then return sput(putt, body) end
  return tput(putt)
end)

local function tget(gett)
  gett = override(gett)
  local f = session(gett)
  data_mode(f, gett)
  f:receive(gett)
  f:quit()
  return f:close()
end

local function sget(u)
  local gett = _M.genericform(u)
  local t = {}
  gett.sink = ltn12.sink.table(t)
  tget(gett)
  return concat(t)
end

-- command{command = ..., argument = ..., check = ...}: control commands only (lists of
-- commands, arguments and checks allowed).
_M.command = socket.protect(function(cmdt)
  cmdt = override(cmdt)
  socket.try(cmdt.command, "missing command")
  local f = session(cmdt)
  if type(cmdt.command) == "table" then
    local argument = cmdt.argument or {}
    local check = cmdt.check or {}
    for i, cmd in ipairs(cmdt.command) do
      f.try(f.tp:command(cmd, argument[i]))
      if check[i] then f.try(f.tp:check(check[i])) end
    end
  else
    f.try(f.tp:command(cmdt.command, cmdt.argument))
    if cmdt.check then f.try(f.tp:check(cmdt.check)) end
  end
  f:quit()
  return f:close()
end)

-- get(url) -> the file, or get{...} -> 1; nil and the error on failure.
_M.get = socket.protect(function(gett)
  if type(gett) == "string" then return sget(gett) end
  return tget(gett)
end)

return _M
