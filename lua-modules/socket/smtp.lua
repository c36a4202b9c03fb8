-- socket.smtp: sending mail (LuaSocket's socket.smtp API): the SMTP dialogue over
-- socket.tp, and smtp.message, which turns a table of headers and (nested multipart)
-- bodies into an LTN12 source of the message text.

local socket = require("socket")
local tp = require("socket.tp")
local ltn12 = require("ltn12")
local mime = require("mime")
local canonic = require("socket.headers").canonic

local find, format, lower = string.find, string.format, string.lower
local concat = table.concat
local ipairs, pairs, setmetatable, tostring, type, error =
  ipairs, pairs, setmetatable, tostring, type, error
local create_co, resume, yield = coroutine.create, coroutine.resume, coroutine.yield

local _M = {}
socket.smtp = _M

_M.TIMEOUT = 60
_M.SERVER = "localhost"
_M.PORT = 25
_M.DOMAIN = os.getenv("SERVER_NAME") or "localhost"
_M.ZONE = "-0000"

-- The SMTP dialogue -------------------------------------------------------------------

local methods = {}
local metat = { __index = methods }

-- Reads the greeting and introduces us (EHLO, or HELO for servers without ESMTP);
-- returns the server's reply to it (its extensions).
function methods:greet(domain)
  self.try(self.tp:check("2.."))
  self.try(self.tp:command("EHLO", domain or _M.DOMAIN))
  local code, reply = self.tp:check("2..")
  if code then return reply end
  self.try(self.tp:command("HELO", domain or _M.DOMAIN))
  return socket.skip(1, self.try(self.tp:check("2..")))
end

function methods:mail(from)
  self.try(self.tp:command("MAIL", "FROM:" .. from))
  return self.try(self.tp:check("2.."))
end

function methods:rcpt(to)
  self.try(self.tp:command("RCPT", "TO:" .. to))
  return self.try(self.tp:check("2.."))
end

-- Sends the message text from `src` (already dot-stuffed) and ends it.
function methods:data(src, step)
  self.try(self.tp:command("DATA"))
  self.try(self.tp:check("3.."))
  self.try(self.tp:source(src, step))
  self.try(self.tp:send("\r\n.\r\n"))
  return self.try(self.tp:check("2.."))
end

function methods:quit()
  self.try(self.tp:command("QUIT"))
  return self.try(self.tp:check("2.."))
end

function methods:close()
  return self.tp:close()
end

function methods:login(user, password)
  self.try(self.tp:command("AUTH", "LOGIN"))
  self.try(self.tp:check("3.."))
  self.try(self.tp:send(mime.b64(user) .. "\r\n"))
  self.try(self.tp:check("3.."))
  self.try(self.tp:send(mime.b64(password) .. "\r\n"))
  return self.try(self.tp:check("2.."))
end

function methods:plain(user, password)
  self.try(self.tp:command("AUTH", "PLAIN " .. mime.b64("\0" .. user .. "\0" .. password)))
  return self.try(self.tp:check("2.."))
end

-- Authenticates with what the server offers (LOGIN first, then PLAIN), if a user and a
-- password are given.
function methods:auth(user, password, ext)
  if not user or not password then return 1 end
  if find(ext, "AUTH[^\n]+LOGIN") then
    return self:login(user, password)
  elseif find(ext, "AUTH[^\n]+PLAIN") then
    return self:plain(user, password)
  end
  self.try(nil, "authentication not supported")
end

-- Sends one mail: envelope sender, recipients (a string or a list), and the text.
function methods:send(mailt)
  self:mail(mailt.from)
  if type(mailt.rcpt) == "table" then
    for _, to in ipairs(mailt.rcpt) do self:rcpt(to) end
  else
    self:rcpt(mailt.rcpt)
  end
  self:data(ltn12.source.chain(mailt.source, mime.stuff()), mailt.step)
end

-- Connects to the server; failures raise through s.try.
function _M.open(server, port, create)
  local t = socket.try(tp.connect(server or _M.SERVER, port or _M.PORT, _M.TIMEOUT, create))
  local s = setmetatable({ tp = t }, metat)
  s.try = socket.newtry(function() s:close() end)
  return s
end

-- Messages ----------------------------------------------------------------------------

local function lower_headers(headers)
  local out = {}
  for name, value in pairs(headers or {}) do out[lower(tostring(name))] = value end
  return out
end

local seqno = 0

local function new_boundary()
  seqno = seqno + 1
  return format("%s%05d==%05u", os.date("%d%m%Y%H%M%S"), math.random(0, 99999), seqno)
end

-- Yields the header block. A name or value with CR or LF in it would forge headers and
-- is refused.
local function send_headers(headers)
  local out = {}
  for key, val in pairs(headers) do
    local name, value = tostring(key), tostring(val)
    if find(name, "[\r\n]") or find(value, "[\r\n]") then
      error("invalid header '" .. name:gsub("[\r\n]", "?") .. "' (CR or LF in it)", 0)
    end
    out[#out + 1] = (canonic[name] or name) .. ": " .. value .. "\r\n"
  end
  out[#out + 1] = "\r\n"
  yield(concat(out))
end

local send_message

local function send_multipart(mesgt)
  local boundary = new_boundary()
  local headers = lower_headers(mesgt.headers)
  headers["content-type"] = (headers["content-type"] or "multipart/mixed") ..
    '; boundary="' .. boundary .. '"'
  send_headers(headers)
  local body = mesgt.body
  if body.preamble then
    yield(body.preamble)
    yield("\r\n")
  end
  for _, part in ipairs(body) do
    yield("\r\n--" .. boundary .. "\r\n")
    send_message(part)
  end
  yield("\r\n--" .. boundary .. "--\r\n\r\n")
  if body.epilogue then
    yield(body.epilogue)
    yield("\r\n")
  end
end

local function text_headers(mesgt)
  local headers = lower_headers(mesgt.headers)
  headers["content-type"] = headers["content-type"] or 'text/plain; charset="iso-8859-1"'
  return headers
end

local function send_source(mesgt)
  send_headers(text_headers(mesgt))
  while true do
    local chunk, err = mesgt.body()
    if err then
      yield(nil, err)
    elseif chunk then
      yield(chunk)
    else
      break
    end
  end
end

local function send_string(mesgt)
  send_headers(text_headers(mesgt))
  yield(mesgt.body)
end

function send_message(mesgt)
  local body = mesgt.body
  if type(body) == "table" then
    send_multipart(mesgt)
  elseif type(body) == "function" then
    send_source(mesgt)
  else
    send_string(mesgt)
  end
end

local function top_headers(mesgt)
  local headers = lower_headers(mesgt.headers)
  headers["date"] = headers["date"] or
    (os.date("!%a, %d %b %Y %H:%M:%S ") .. (mesgt.zone or _M.ZONE))
  headers["x-mailer"] = headers["x-mailer"] or socket._VERSION
  headers["mime-version"] = "1.0"
  return headers
end

-- An LTN12 source of the message text for {headers = ..., body = ...}; body is a
-- string, a source, or a list of parts (each such a table) with optional preamble and
-- epilogue.
function _M.message(mesgt)
  mesgt.headers = top_headers(mesgt)
  local co = create_co(function() send_message(mesgt) end)
  return function()
    local ok, chunk, err = resume(co)
    if ok then return chunk, err end
    return nil, chunk
  end
end

-- Sends one mail: send{from, rcpt, source, user, password, server, port, domain, step,
-- create} -> 1, or nil and the error. A mail without sender or recipient is refused
-- before connecting ("missing sender", "missing recipient"); C LuaSocket raises a
-- concatenation error instead, where upstream's own smtptest expects nil and a message.
_M.send = socket.protect(function(mailt)
  if mailt.from == nil then socket.try(nil, "missing sender") end
  if mailt.rcpt == nil then socket.try(nil, "missing recipient") end
  local s = _M.open(mailt.server, mailt.port, mailt.create)
  local ext = s:greet(mailt.domain)
  s:auth(mailt.user, mailt.password, ext)
  s:send(mailt)
  s:quit()
  return s:close()
end)

return _M
