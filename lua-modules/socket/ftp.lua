-- socket.ftp: FTP transfers (LuaSocket's socket.ftp API) over socket.tp.
--
-- A transfer is: control connection, greeting, login, optional TYPE, a data channel
-- (passive or active), the transfer command, then QUIT. Passive mode asks EPSV first,
-- then PASV (or the reverse with passive = "pasv"). The address inside a PASV reply is
-- not trusted unless pasvaddress = true: data goes to the control connection's peer, as
-- curl does. Active mode (active = true) listens and announces it with PORT, or EPRT on
-- IPv6. Data connections come from the caller's `create` too, so they may yield.
-- Replies, PASV and EPSV are decoded by socket.tp.core.

local socket = require("socket")
local url = require("socket.url")
local tp = require("socket.tp")
local ltn12 = require("ltn12")
local core = require("socket.tp.core")

local find, format, gsub, match = string.find, string.format, string.gsub, string.match
local concat = table.concat
local floor = math.floor
local ipairs, pairs, pcall, require, setmetatable, tostring, type =
  ipairs, pairs, pcall, require, setmetatable, tostring, type

local _M = {}
socket.ftp = _M

_M.TIMEOUT = 60
_M.USER = "ftp"
_M.PASSWORD = "anonymous@anonymous.org"
local DEFAULT_PORT = 21

local session = {}
local session_mt = { __index = session, __name = "ftp{session}" }

-- Sends `verb arg` (nothing when verb is nil) and reads a reply that must match
-- `expect`; returns its code and text, or raises through the session's try.
local function exchange(f, expect, verb, arg)
  local conn = f.tp
  if verb then f.try(conn:command(verb, arg)) end
  return f.try(conn:check(expect))
end

-- Opens the control connection; failures raise through socket.try.
function _M.open(server, port, create)
  local conn = socket.try(tp.connect(server, port or DEFAULT_PORT, _M.TIMEOUT, create))
  local f = setmetatable({ tp = conn, create = create }, session_mt)
  f.try = socket.newtry(function() f:close() end)
  return f
end

function session:greet()
  local code = exchange(self, { "1..", "2.." })
  if code < 200 then exchange(self, "2..") end
  return 1
end

-- Explicit FTPS (RFC 4217): AUTH TLS turns the control connection TLS (a socket made by
-- socket.ssl.tcp with `later`); after login, prot() asks for TLS data connections too.
function session:authtls()
  exchange(self, 234, "auth", "TLS")
  local sock = self.tp:getcontrol()
  if type(sock.starttls) ~= "function" then
    self.try(nil, "AUTH TLS needs a socket from socket.ssl.tcp (this create gives none)")
  end
  self.try(sock:starttls())
  self.tls = true
  return 1
end

function session:prot()
  exchange(self, "2..", "pbsz", "0")
  exchange(self, "2..", "prot", "P")
  return 1
end

function session:login(user, password)
  if exchange(self, { "2..", 331 }, "user", user or _M.USER) == 331 then
    exchange(self, "2..", "pass", password or _M.PASSWORD)
  end
  return 1
end

function session:cwd(dir)
  exchange(self, 250, "cwd", dir)
  return 1
end

function session:type(kind)
  exchange(self, 200, "type", kind)
  return 1
end

function session:quit()
  exchange(self, "2..", "quit")
  return 1
end

function session:close()
  for _, field in ipairs({ "data", "server" }) do
    if self[field] then self[field]:close() end
  end
  return self.tp:close()
end

-- Data channels ------------------------------------------------------------------------

-- Forgets a listening socket of an earlier PORT.
local function stop_listening(f)
  local listener = f.server
  f.server = nil
  if listener then listener:close() end
end

-- Remembers where a passive data connection goes.
local function go_passive(f, address, port)
  f.pasvt = { address = address, port = port }
  stop_listening(f)
  return address, port
end

-- The peer of the control connection: where passive data connections go by default.
local function control_peer(f)
  local address = f.try(f.tp:getpeername())
  return address
end

local decoders = {}

-- A reply with no address in it is itself the error, as in C LuaSocket.
function decoders.pasv(f, text, trust)
  local address, port = core.pasv(text)
  f.try(address, port or text)
  if not trust then address = control_peer(f) end
  return address, port
end

function decoders.epsv(f, text)
  return control_peer(f), f.try(core.epsv(text))
end

local expected = { pasv = "2..", epsv = "229" }

function session:pasv(trust)
  local _, text = exchange(self, expected.pasv, "pasv")
  return go_passive(self, decoders.pasv(self, text, trust))
end

function session:epsv()
  local _, text = exchange(self, expected.epsv, "epsv")
  return go_passive(self, decoders.epsv(self, text))
end

-- Passive mode with a fallback: EPSV then PASV, or PASV first when `first` is "pasv".
function session:passive(first, trust)
  local order = first == "pasv" and { "pasv", "epsv" } or { "epsv", "pasv" }
  local failure
  for _, verb in ipairs(order) do
    self.try(self.tp:command(verb))
    local code, text = self.tp:check(expected[verb])
    if code then return go_passive(self, decoders[verb](self, text, trust)) end
    failure = text
    -- A refusal has a code; a closed or silent connection will not answer the other one.
    if not find(tostring(text), "^%d%d%d") then break end
  end
  self.try(nil, failure)
end

-- Listens for the server's data connection, on the control connection's own address
-- unless one is given; returns the address and port to announce.
local function listen(f, address)
  local here = address or f.try(f.tp:getsockname())
  local listener = f.try(socket.bind(here, 0))
  f.server = listener
  f.try(listener:settimeout(_M.TIMEOUT))
  return f.try(listener:getsockname())
end

-- PORT h1,h2,h3,h4,p1,p2 for an IPv4 listener.
function session:port(address, port)
  self.pasvt = nil
  if not address then address, port = listen(self) end
  local hi, lo = floor(port / 256), port % 256
  exchange(self, "2..", "port", gsub(address, "%.", ",") .. format(",%d,%d", hi, lo))
  return 1
end

-- EPRT |family|address|port| (family 1 is IPv4, 2 is IPv6).
function session:eprt(family, address, port)
  self.pasvt = nil
  if not address then address, port = listen(self) end
  exchange(self, "2..", "eprt", format("|%s|%s|%d|", family, address, port))
  return 1
end

-- Opens the data connection: to the passive address, or by accepting the server's.
local function connect_data(f)
  local data
  local passive = f.pasvt
  if passive then
    data = f.try((f.create or socket.tcp)())
    f.try(data:settimeout(_M.TIMEOUT))
    f.try(data:connect(passive.address, passive.port))
  else
    data = f.try(f.server:accept())
    f.try(data:settimeout(_M.TIMEOUT))
    -- Under FTPS the server is the TLS server here too: wrap what it opened.
    if f.tls then data = f.tp:getcontrol():adopt(data) end
  end
  f.data = data
  return data
end

-- Under FTPS, the data connection's handshake, once the transfer command is answered
-- (servers start their side then).
local function secure_data(f)
  if f.tls then f.try(f.data:starttls()) end
end

function session:pasvconnect()
  return connect_data(self)
end

function session:portconnect()
  return connect_data(self)
end

-- The file argument of a transfer: `argument`, else the URL path without its leading
-- slash, unescaped.
local function target(t)
  local arg = t.argument or url.unescape((gsub(t.path or "", "^[/\\]", "")))
  if arg ~= "" then return arg end
end

local function need_channel(f)
  f.try(f.pasvt or f.server, "need port or pasv first")
end

local function drop_data(f)
  local data = f.data
  f.data = nil
  if data then data:close() end
  return data
end

-- Uploads sendt.source (STOR, or sendt.command); returns the number of bytes sent.
function session:send(sendt)
  need_channel(self)
  if self.pasvt then connect_data(self) end
  local code = exchange(self, { "2..", "1.." }, sendt.command or "stor", target(sendt))
  if not self.pasvt then connect_data(self) end
  secure_data(self)
  local step = sendt.step or ltn12.pump.step
  -- The server may report on the control connection while the upload runs.
  local watched = { self.tp }
  local function watching(src, snk)
    if socket.select(watched, nil, 0)[self.tp] then code = exchange(self, "2..") end
    return step(src, snk)
  end
  self.try(ltn12.pump.all(sendt.source, socket.sink("close-when-done", self.data), watching))
  if code < 200 then exchange(self, "2..") end
  local _, sent = drop_data(self):getstats()
  return sent
end

-- Downloads into recvt.sink (RETR, or recvt.command). A 2xx reply instead of a
-- transfer (a command with no data) is itself passed to the sink.
function session:receive(recvt)
  need_channel(self)
  if self.pasvt then connect_data(self) end
  local code, text = exchange(self, { "1..", "2.." }, recvt.command or "retr", target(recvt))
  if code >= 200 then
    recvt.sink(text)
    drop_data(self)
    return 1
  end
  if not self.pasvt then connect_data(self) end
  secure_data(self)
  local source = socket.source("until-closed", self.data)
  self.try(ltn12.pump.all(source, recvt.sink, recvt.step or ltn12.pump.step))
  exchange(self, "2..")
  drop_data(self)
  return 1
end

-- Whole transfers ----------------------------------------------------------------------

-- The request with its URL's parts filled in; the request's own fields win.
local function with_url(t)
  if not t.url then return t end
  local merged = socket.try(url.parse(t.url))
  for k, v in pairs(t) do merged[k] = v end
  return merged
end

-- Whether the request asks for FTPS: `tls = true` or "explicit" (AUTH TLS on the usual
-- port; the server, and every data connection, verified with the request's TLS fields,
-- socket.ssl.FIELDS, against the host's name). Without it, the session is C's.
local function wants_tls(t)
  local tls = t.tls
  if tls == nil or tls == false then return false end
  if tls ~= true and tls ~= "explicit" then
    socket.try(nil, "invalid tls '" .. tostring(tls) .. "' (explicit or true)")
  end
  return true
end

-- A socket factory whose sockets turn TLS on request, all with one context (servers
-- may ask data connections to resume the control connection's session).
local function tls_create(t)
  local found, ssl = pcall(require, "socket.ssl")
  if not found then socket.try(nil, ssl) end
  local params = {}
  for _, name in ipairs(ssl.FIELDS) do params[name] = t[name] end
  params.sni = t.sni or t.host
  return ssl.tcp(params, true)
end

-- Control connection, greeting, (TLS,) login, (PROT P,) and TYPE for request `t`.
local function start(t)
  socket.try(t.host, "missing hostname")
  local tls = wants_tls(t)
  local f = _M.open(t.host, t.port, tls and (t.create or tls_create(t)) or t.create)
  f:greet()
  if tls then f:authtls() end
  local user, password = t.user, t.password
  f:login(user and url.unescape(user), password and url.unescape(password))
  if tls then f:prot() end
  if t.type then f:type(t.type) end
  return f
end

-- Sets up the data channel the request asks for.
local function channel(f, t)
  if not t.active then return f:passive(t.passive, t.pasvaddress) end
  local here = f.try(f.tp:getsockname())
  if find(here, ":", 1, true) then return f:eprt(2) end
  return f:port()
end

local function put_table(putt)
  putt = with_url(putt)
  local f = start(putt)
  channel(f, putt)
  local sent = f:send(putt)
  f:quit()
  f:close()
  return sent
end

local function get_table(gett)
  gett = with_url(gett)
  local f = start(gett)
  channel(f, gett)
  f:receive(gett)
  f:quit()
  return f:close()
end

local default_url = { path = "/", scheme = "ftp" }

-- The request get(url) and put(url, body) build; ";type=a" or ";type=i" picks the type.
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

-- put(url, body) or put{...}: the number of bytes sent, or nil and the error.
_M.put = socket.protect(function(putt, body)
  if type(putt) ~= "string" then return put_table(putt) end
  local t = _M.genericform(putt)
  t.source = ltn12.source.string(body)
  return put_table(t)
end)

-- get(url): the file; get{...}: 1; or nil and the error.
_M.get = socket.protect(function(gett)
  if type(gett) ~= "string" then return get_table(gett) end
  local t = _M.genericform(gett)
  local pieces = {}
  t.sink = ltn12.sink.table(pieces)
  get_table(t)
  return concat(pieces)
end)

-- command{command = ..., argument = ..., check = ...}: control commands only; each of
-- the three may be a list, taken in step.
_M.command = socket.protect(function(cmdt)
  cmdt = with_url(cmdt)
  socket.try(cmdt.command, "missing command")
  local f = start(cmdt)
  local verbs, args, checks = cmdt.command, cmdt.argument, cmdt.check
  if type(verbs) ~= "table" then verbs, args, checks = { verbs }, { args }, { checks } end
  args, checks = args or {}, checks or {}
  for i, verb in ipairs(verbs) do
    f.try(f.tp:command(verb, args[i]))
    if checks[i] then f.try(f.tp:check(checks[i])) end
  end
  f:quit()
  return f:close()
end)

return _M
