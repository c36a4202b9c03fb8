-- socket.smtp: sending mail (LuaSocket's socket.smtp API).
--
-- Two halves. The dialogue (greet, auth, envelope, data, quit) runs over socket.tp, so
-- a caller's `create` socket may yield; every step is one "say something, expect a code"
-- exchange. smtp.message turns a table of headers and (nested multipart) bodies into an
-- LTN12 source of the message text, produced by a coroutine that walks the table.

local socket = require("socket")
local tp = require("socket.tp")
local ltn12 = require("ltn12")
local mime = require("mime")
local canonic = require("socket.headers").canonic

local date, random = os.date, math.random
local find, format, gsub, lower = string.find, string.format, string.gsub, string.lower
local concat = table.concat
local ipairs, pairs, pcall, require, setmetatable, tonumber, tostring, type, error =
  ipairs, pairs, pcall, require, setmetatable, tonumber, tostring, type, error
local cocreate, coresume, coyield = coroutine.create, coroutine.resume, coroutine.yield

local _M = {}
socket.smtp = _M

_M.TIMEOUT = 60
_M.SERVER = "localhost"
_M.PORT = 25
_M.DOMAIN = os.getenv("SERVER_NAME") or "localhost"
_M.ZONE = "-0000"

-- The dialogue -------------------------------------------------------------------------

local session = {}
local session_mt = { __index = session, __name = "smtp{session}" }

-- One exchange: sends `verb arg` (nothing when verb is nil), then reads the reply, which
-- must match `expect`; anything else raises through the session's try.
local function exchange(s, expect, verb, arg)
  local conn = s.tp
  if verb then s.try(conn:command(verb, arg)) end
  return s.try(conn:check(expect))
end

-- As `exchange`, for a bare line (an AUTH LOGIN answer).
local function answer(s, expect, text)
  s.try(s.tp:send(text .. "\r\n"))
  return s.try(s.tp:check(expect))
end

-- Reads the greeting and introduces us: EHLO, or HELO where the server has no ESMTP.
-- Returns the server's last reply (its extension list after EHLO).
function session:greet(domain)
  exchange(self, "2..")
  return self:hello(domain)
end

-- EHLO (or HELO): after the greeting, and again after STARTTLS.
function session:hello(domain)
  local name = domain or _M.DOMAIN
  self.try(self.tp:command("EHLO", name))
  local code, extensions = self.tp:check("2..")
  if code then return extensions end
  local _, hello = exchange(self, "2..", "HELO", name)
  return hello
end

function session:mail(from)
  return exchange(self, "2..", "MAIL", "FROM:" .. from)
end

function session:rcpt(to)
  return exchange(self, "2..", "RCPT", "TO:" .. to)
end

-- Sends the text from `src` (dot-stuffed already) and the line that ends it.
function session:data(src, step)
  exchange(self, "3..", "DATA")
  local conn = self.tp
  self.try(conn:source(src, step))
  self.try(conn:send("\r\n.\r\n"))
  return exchange(self, "2..")
end

function session:quit()
  return exchange(self, "2..", "QUIT")
end

function session:close()
  local conn = self.tp
  return conn:close()
end

function session:login(user, password)
  exchange(self, "3..", "AUTH", "LOGIN")
  answer(self, "3..", mime.b64(user))
  return answer(self, "2..", mime.b64(password))
end

function session:plain(user, password)
  local token = mime.b64("\0" .. user .. "\0" .. password)
  return exchange(self, "2..", "AUTH", "PLAIN " .. token)
end

-- Logs in with the first mechanism the server lists that we know (LOGIN, then PLAIN);
-- nothing to do without both a user and a password.
function session:auth(user, password, extensions)
  if not (user and password) then return 1 end
  for _, mechanism in ipairs({ "LOGIN", "PLAIN" }) do
    if find(extensions, "AUTH[^\n]+" .. mechanism) then
      return self[lower(mechanism)](self, user, password)
    end
  end
  self.try(nil, "authentication not supported")
end

-- The envelope and the text of one mail; `rcpt` is an address or a list of them.
function session:send(mailt)
  self:mail(mailt.from)
  local recipients = mailt.rcpt
  if type(recipients) ~= "table" then recipients = { recipients } end
  for _, address in ipairs(recipients) do self:rcpt(address) end
  self:data(ltn12.source.chain(mailt.source, mime.stuff()), mailt.step)
end

-- STARTTLS: asks for TLS and turns the control socket TLS (a socket made by
-- socket.ssl.tcp with `later`), then introduces us again. Returns the new extensions.
function session:starttls(extensions, domain)
  if not find(extensions or "", "STARTTLS", 1, true) then
    self.try(nil, "STARTTLS not offered by the server")
  end
  local sock = self.tp:getcontrol()
  if type(sock.starttls) ~= "function" then
    self.try(nil, "STARTTLS needs a socket from socket.ssl.tcp (this create gives none)")
  end
  exchange(self, "2..", "STARTTLS")
  self.try(sock:starttls())
  return self:hello(domain)
end

-- Connects and returns a session; failures raise through socket.try.
function _M.open(server, port, create)
  local conn = socket.try(tp.connect(server or _M.SERVER, port or _M.PORT, _M.TIMEOUT, create))
  local s = setmetatable({ tp = conn }, session_mt)
  s.try = socket.newtry(function() s:close() end)
  return s
end

-- Message text -------------------------------------------------------------------------

-- The headers with lower-case names (a new table).
local function lowered(headers)
  local out = {}
  for name, value in pairs(headers or {}) do out[lower(tostring(name))] = value end
  return out
end

local boundaries = 0

local function boundary()
  boundaries = boundaries + 1
  return format("%s%05d==%05u", date("%d%m%Y%H%M%S"), random(0, 99999), boundaries)
end

-- Emits the header block and the empty line after it. A CR or LF inside a name or value
-- would forge more headers, so it is an error.
local function emit_headers(headers)
  local lines = {}
  for key, val in pairs(headers) do
    local name, value = tostring(key), tostring(val)
    if find(name, "[\r\n]") or find(value, "[\r\n]") then
      error("invalid header '" .. gsub(name, "[\r\n]", "?") .. "' (CR or LF in it)", 0)
    end
    lines[#lines + 1] = (canonic[name] or name) .. ": " .. value .. "\r\n"
  end
  lines[#lines + 1] = "\r\n"
  coyield(concat(lines))
end

local emit_part

-- Body kinds: a list of parts (multipart), an LTN12 source, or a string.
local emitters = {}

function emitters.table(part)
  local body = part.body
  local mark = boundary()
  local headers = lowered(part.headers)
  headers["content-type"] = (headers["content-type"] or "multipart/mixed") ..
    '; boundary="' .. mark .. '"'
  emit_headers(headers)
  if body.preamble then coyield(body.preamble .. "\r\n") end
  for _, sub in ipairs(body) do
    coyield("\r\n--" .. mark .. "\r\n")
    emit_part(sub)
  end
  coyield("\r\n--" .. mark .. "--\r\n\r\n")
  if body.epilogue then coyield(body.epilogue .. "\r\n") end
end

-- A single part gets a plain-text type unless it names one.
local function single_headers(part)
  local headers = lowered(part.headers)
  if not headers["content-type"] then
    headers["content-type"] = 'text/plain; charset="iso-8859-1"'
  end
  return headers
end

emitters["function"] = function(part)
  emit_headers(single_headers(part))
  local source = part.body
  repeat
    local data, err = source()
    if err then
      coyield(nil, err)
    elseif data then
      coyield(data)
    end
  until data == nil and err == nil
end

function emitters.string(part)
  emit_headers(single_headers(part))
  coyield(part.body)
end

function emit_part(part)
  local emit = emitters[type(part.body)] or emitters.string
  emit(part)
end

-- The top part also gets Date, X-Mailer and MIME-Version.
local function outer_headers(mesgt)
  local headers = lowered(mesgt.headers)
  if not headers["date"] then
    headers["date"] = date("!%a, %d %b %Y %H:%M:%S ") .. (mesgt.zone or _M.ZONE)
  end
  if not headers["x-mailer"] then headers["x-mailer"] = socket._VERSION end
  headers["mime-version"] = "1.0"
  return headers
end

-- An LTN12 source of the text of {headers = ..., body = ...}, where body is a string, a
-- source, or a list of such tables with optional preamble and epilogue.
function _M.message(mesgt)
  mesgt.headers = outer_headers(mesgt)
  local walker = cocreate(function() emit_part(mesgt) end)
  return function()
    local ok, data, err = coresume(walker)
    if not ok then return nil, data end
    return data, err
  end
end

-- send{from, rcpt, source, user, password, server, port, domain, step, create}: 1, or nil
-- and the error. Without a sender or a recipient nothing is sent ("missing sender",
-- "missing recipient"); C LuaSocket raises a concatenation error there instead, where
-- upstream's own smtptest expects nil and a message.
-- TLS, only when `tls` asks (without it, the dialogue is C LuaSocket's, in the clear):
-- "starttls" upgrades after EHLO and refuses a server that does not offer it;
-- "implicit" speaks TLS from the first byte (SMTPS); true picks "implicit" on port 465,
-- else "starttls". The server is verified (socket.ssl's defaults; the mail table's TLS
-- fields, socket.ssl.FIELDS, apply), and AUTH is only sent once TLS is up.
local function tls_mode(mailt)
  local mode = mailt.tls
  if mode == true then return tonumber(mailt.port) == 465 and "implicit" or "starttls" end
  if mode == nil or mode == false then return nil end
  if mode ~= "starttls" and mode ~= "implicit" then
    socket.try(nil, "invalid tls '" .. tostring(mode) .. "' (starttls, implicit or true)")
  end
  return mode
end

local function tls_create(mailt, mode)
  if mailt.create then return mailt.create end
  local found, ssl = pcall(require, "socket.ssl")
  if not found then socket.try(nil, ssl) end
  return ssl.tcp(mailt, mode == "starttls")
end

_M.send = socket.protect(function(mailt)
  if mailt.from == nil then socket.try(nil, "missing sender") end
  if mailt.rcpt == nil then socket.try(nil, "missing recipient") end
  local mode = tls_mode(mailt)
  local create = mode and tls_create(mailt, mode) or mailt.create
  local s = _M.open(mailt.server, mailt.port, create)
  local extensions = s:greet(mailt.domain)
  if mode == "starttls" then extensions = s:starttls(extensions, mailt.domain) end
  s:auth(mailt.user, mailt.password, extensions)
  s:send(mailt)
  s:quit()
  return s:close()
end)

return _M
