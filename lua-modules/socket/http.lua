-- socket.http: HTTP/1.1 client requests (LuaSocket's socket.http API).
--
-- Design: the exchange is Lua, so a caller's `create` may hand in a socket that yields
-- (copas) or speaks TLS (LuaSec); every byte is read here, with that socket. What is read
-- goes to decoders from socket.http.core, which own the grammar and the limits and say
-- what to read next: the response head (status line and fields) and the chunked coding.
-- A request runs as prepare -> connect -> send -> read the head -> redirect or body.

local socket = require("socket")
local url = require("socket.url")
local ltn12 = require("ltn12")
local mime = require("mime")
local canonic = require("socket.headers").canonic
local core = require("socket.http.core")

local find, gsub, lower = string.find, string.gsub, string.lower
local concat = table.concat
local ipairs, pairs, pcall, require, select, setmetatable, tonumber, tostring, type =
  ipairs, pairs, pcall, require, select, setmetatable, tonumber, tostring, type

local _M = {}
socket.http = _M

_M.TIMEOUT = 60
_M.USERAGENT = socket._VERSION
-- Keep-alive, off by default (each request closes its connection, as C LuaSocket's):
-- with KEEPALIVE true, or `keepalive = true` in a request table, connections this module
-- makes itself are kept open after a complete response and reused by later requests to
-- the same scheme, host, port, proxy and TLS fields. Never with a caller's `create`.
_M.KEEPALIVE = false
-- How many idle connections are kept for one destination.
_M.KEEPALIVE_IDLE = 4
-- _M.PROXY: a proxy URL for requests that name none.

-- The longest line our own sockets take (status, field and chunk-size lines); other
-- sockets keep their own rules.
local LINE_LIMIT = 64 * 1024

-- How to reach each scheme: its default port and the socket factory.
local schemes = {}
_M.SCHEMES = schemes
_M.schemes = schemes

schemes.http = { port = 80, create = function() return socket.tcp end }

-- The module serving https: our own TLS (socket.ssl.https) where it is installed, else
-- LuaSec's ssl.https as in C LuaSocket; the second result says whether it is ours.
local function https_module()
  local found, https = pcall(require, "socket.ssl.https")
  if found then return https, true end
  found, https = pcall(require, "ssl.https")
  if found and type(https) == "table" then return https, false end
  return nil
end

schemes.https = {
  port = 443,
  create = function(reqt)
    local https = https_module()
    if not https then
      socket.try(nil, "LuaSocket: https needs socket.ssl (socket/ssl/core.so), and LuaSec not found")
    end
    if not https.tcp then
      socket.try(nil, "LuaSocket: Function tcp() not available from LuaSec")
    end
    return https.tcp(reqt)
  end,
}

-- Reading a head ---------------------------------------------------------------------

-- Reads header fields up to the empty line into `headers` (a new table if none), with
-- `decoder` (a fields decoder, or a head decoder past its status line).
function _M.receiveheaders(sock, headers, decoder)
  decoder = decoder or core.fields()
  local more = decoder:need() ~= nil
  local err
  while more do
    -- The lines already in one of our sockets' buffer, in one call.
    more, err = decoder:take(sock)
    if more == nil then return nil, err end
    if more then
      local line
      line, err = sock:receive("*l")
      if not line then return nil, err end
      more, err = decoder:feed(line)
      if more == nil then return nil, err end
    end
  end
  return decoder:fields(headers or {})
end

-- The connection object -------------------------------------------------------------

local conn = {}
local conn_mt = { __index = conn, __name = "http{connection}" }

-- Connects to host:port with a socket from `create`; failures raise through h.try.
function _M.open(host, port, create)
  local sock = socket.try((create or socket.tcp)())
  if sock.setoption then pcall(sock.setoption, sock, "max-line-length", LINE_LIMIT) end
  local h = setmetatable({ c = sock }, conn_mt)
  h.try = socket.newtry(function() h:close() end)
  h.try(sock:settimeout(_M.TIMEOUT))
  h.try(sock:connect(host, port))
  return h
end

-- The request line, refused (through h.try) if a CR or LF would split it.
function conn:requestline(method, uri)
  local line = (method or "GET") .. " " .. uri
  if find(line, "[\r\n]") then self.try(nil, "invalid request line (CR or LF in it)") end
  return line .. " HTTP/1.1\r\n"
end

-- The fields (canonical names) and the empty line after them. A CR or LF in a name or
-- value would split the request, so it is refused.
function conn:headerblock(fields)
  local lines, n = {}, 0
  for name, value in pairs(fields) do
    local line = (canonic[name] or name) .. ": " .. tostring(value)
    if find(line, "[\r\n]") then
      self.try(nil, "invalid header '" .. gsub(name, "[\r\n]", "?") .. "' (CR or LF in it)")
    end
    lines[n + 1], lines[n + 2] = line, "\r\n"
    n = n + 2
  end
  lines[n + 1] = "\r\n"
  return concat(lines)
end

function conn:sendrequestline(method, uri)
  return self.try(self.c:send(self:requestline(method, uri)))
end

function conn:sendheaders(fields)
  self.try(self.c:send(self:headerblock(fields)))
  return 1
end

-- Sends the request line and the fields in one write: as two, the second would wait for
-- the peer's delayed ACK (Nagle), ~40 ms per request over TLS.
function conn:sendhead(method, uri, fields)
  self.try(self.c:send(self:requestline(method, uri) .. self:headerblock(fields)))
  return 1
end

-- Sends the body: as it is when the length was announced, else chunked.
function conn:sendbody(fields, source, step)
  local framing = fields["content-length"] and "keep-open" or "http-chunked"
  local sink = socket.sink(framing, self.c)
  local ok, err = ltn12.pump.all(source or ltn12.source.empty(), sink, step or ltn12.pump.step)
  return self.try(ok, err)
end

-- Reads the status line: its code and the whole line. When the reply does not start with
-- "HTTP/", it is an HTTP/0.9 body: nil and the bytes read. As in C LuaSocket, a timeout
-- or a close before those five bytes is an error, never a reply.
function conn:receivestatusline()
  local decoder, need = core.head()
  local prefix = self.try(self.c:receive(need))
  if not decoder:feed(prefix) then return nil, prefix end
  decoder:feed(self.try(self.c:receive("*l")))
  local code, line = decoder:status()
  self.pending = decoder
  return self.try(code, line)
end

-- Reads the fields after the status line just read.
function conn:receiveheaders()
  local decoder = self.pending
  self.pending = nil
  return self.try(_M.receiveheaders(self.c, nil, decoder))
end

-- How a body is framed: chunked, by length, or up to the close.
local function framing(fields)
  local coding = fields["transfer-encoding"]
  if coding and lower(coding) ~= "identity" then return "http-chunked", fields end
  local length = tonumber(fields["content-length"])
  if length then return "by-length", length end
  return "default"
end

-- `whole` (request(url)'s own list of pieces, given only for that form) takes a body of
-- known length in one receive: that form returns the body as one string anyway, so
-- nothing can watch the pieces, and one piece needs no concatenation.
function conn:receivebody(fields, sink, step, whole)
  local mode, arg = framing(fields)
  if mode == "by-length" and arg < 0 then self.try(nil, "invalid content-length") end
  if whole and mode == "by-length" then
    if arg > 0 then whole[#whole + 1] = self.try(self.c:receive(arg)) end
    return 1
  end
  local source = socket.source(mode, self.c, arg)
  local ok, err = ltn12.pump.all(source, sink or ltn12.sink.null(), step or ltn12.pump.step)
  return self.try(ok, err)
end

-- An HTTP/0.9 body: the bytes already read, then everything up to the close.
function conn:receive09body(first, sink, step)
  local rest = socket.source("until-closed", self.c)
  local source = ltn12.source.cat(ltn12.source.string(first), rest)
  local ok, err = ltn12.pump.all(source, sink or ltn12.sink.null(), step)
  return self.try(ok, err)
end

function conn:close()
  local sock = self.c
  return sock:close()
end

-- LTN12 filters for the chunked coding: the encoder frames each piece and ends with the
-- last chunk; the decoder raises on a malformed body and drops what follows it.
function _M.encodechunked()
  local finished = false
  return function(piece)
    if piece == nil then
      if finished then return nil end
      finished = true
      return core.chunk(nil)
    end
    if piece == "" then return "" end
    return core.chunk(piece)
  end
end

function _M.decodechunked()
  local decoder = core.dechunker()
  return function(piece)
    if piece ~= nil then
      local data, err = decoder:feed(piece)
      if not data then error(err, 2) end
      return data
    end
    if decoder:need() then error("chunked body ended early", 2) end
    return nil
  end
end

-- Preparing a request ---------------------------------------------------------------

local function basic_auth(user, password)
  return "Basic " .. mime.b64(url.unescape(user) .. ":" .. url.unescape(password))
end

-- What is sent after the method: the whole URL to a proxy, else path?query.
local function target_of(r)
  if (r.proxy or _M.PROXY) and not r.tunnel then return url.build(r) end
  local path = socket.try(r.path, "invalid path 'nil'")
  return url.build({ path = path, params = r.params, query = r.query })
end

-- The Host field: IPv6 literals in brackets, the port when it is not the default.
local function host_field(r)
  local name = tostring(r.host)
  if find(name, ":", 1, true) then name = "[" .. name .. "]" end
  local port = tostring(r.port)
  if port == tostring(schemes[r.scheme].port) then return name end
  return name .. ":" .. port
end

local function fields_of(r)
  local fields = {
    ["user-agent"] = _M.USERAGENT,
    ["host"] = host_field(r),
    ["connection"] = r.keepalive and "TE" or "close, TE",
    ["te"] = "trailers",
  }
  if r.user and r.password then fields["authorization"] = basic_auth(r.user, r.password) end
  local via = r.proxy or _M.PROXY
  local p = via and url.parse(via)
  if p and p.user and p.password and not r.tunnel then
    fields["proxy-authorization"] = basic_auth(p.user, p.password)
  end
  for name, value in pairs(r.headers or {}) do fields[lower(tostring(name))] = value end
  return fields
end

local url_defaults = { path = "/", scheme = "http" }

-- The request with everything filled in: URL parts, port, method, target, fields, and
-- where to connect (the proxy, if any).
local function prepare(reqt)
  local r = reqt.url and url.parse(reqt.url, url_defaults) or {}
  for k, v in pairs(reqt) do r[k] = v end
  r.scheme = r.scheme or "http"
  local scheme = schemes[r.scheme]
  if not scheme then socket.try(nil, "unknown scheme '" .. tostring(r.scheme) .. "'") end
  if r.port == nil or r.port == "" then r.port = scheme.port end
  if r.method == nil or r.method == "" then r.method = "GET" end
  if r.host == nil or r.host == "" then
    socket.try(nil, "invalid host '" .. tostring(r.host) .. "'")
  end
  if reqt.keepalive ~= nil then r.keepalive = reqt.keepalive else r.keepalive = _M.KEEPALIVE end
  r.keepalive = r.keepalive and not reqt.create
  local via = r.proxy or _M.PROXY
  local p = via and url.parse(via)
  if p and r.scheme == "https" and not reqt.create and select(2, https_module()) then
    -- Our https goes through the proxy in a CONNECT tunnel; the request inside is the
    -- origin's, and the proxy's credentials go with the CONNECT only.
    local auth = p.user and p.password and basic_auth(p.user, p.password)
    r.tunnel = { host = r.host, port = r.port, auth = auth }
  end
  r.uri = reqt.uri or target_of(r)
  r.headers = fields_of(r)
  local f = r.headers
  if r.source and not f["content-length"] and not f["transfer-encoding"] then
    f["transfer-encoding"] = "chunked"
  end
  if p then
    r.connect_host, r.connect_port = p.host, p.port or 3128
    local through = r.tunnel and scheme or schemes[p.scheme or "http"]
    r.connect_create = reqt.create or through.create(r)
  else
    r.connect_host, r.connect_port = r.host, r.port
    r.connect_create = reqt.create or scheme.create(r)
  end
  return r
end

-- Redirects ---------------------------------------------------------------------------

local keeps_method = { [301] = true, [302] = true, [307] = true, [308] = true }

-- The method to follow a redirect with, or nil to stay. 303 turns any method into GET;
-- 301, 302, 307 and 308 are followed for GET and HEAD only; https never goes to http.
local function redirect_method(r, code, fields)
  local target = fields.location and gsub(fields.location, "%s", "")
  if not target or target == "" or r.redirect == false then return nil end
  local parsed = url.parse(url.absolute(r.url or "", target))
  local scheme = parsed and parsed.scheme
  if scheme and not schemes[scheme] then return nil end
  if r.scheme == "https" and scheme ~= "https" then return nil end
  local hops, limit = r.nredirects or 0, r.maxredirects or 5
  if r.maxredirects ~= false and hops >= limit then return nil end
  local method = r.method
  if code == 303 then return method == "HEAD" and "HEAD" or "GET" end
  local idempotent = method == "GET" or method == "HEAD"
  if keeps_method[code] and idempotent and not r.source then return method end
  return nil
end

-- Fields that describe a body stay behind when the method changes; credentials stay
-- with the host they were meant for.
local body_fields = { ["content-length"] = true, ["content-type"] = true,
  ["transfer-encoding"] = true }
local secret_fields = { authorization = true, cookie = true }

local perform

-- request(url)'s request tables, each with the list its body goes into (weak keys).
local whole_bodies = setmetatable({}, { __mode = "k" })

local function follow(reqt, r, method, location)
  local target = url.absolute(r.url or "", gsub(location, "%s", ""))
  local same_host = url.parse(target).host == r.host
  local changed = method ~= r.method
  local carried = {}
  for k, v in pairs(reqt.headers or {}) do
    local name = lower(tostring(k))
    local drop = (secret_fields[name] and not same_host) or (changed and body_fields[name])
    if not drop then carried[k] = v end
  end
  local nreqt = {
    url = target,
    method = method,
    source = not changed and reqt.source or nil,
    sink = reqt.sink,
    step = reqt.step,
    headers = carried,
    proxy = reqt.proxy,
    redirect = reqt.redirect,
    maxredirects = reqt.maxredirects,
    nredirects = (r.nredirects or 0) + 1,
    create = reqt.create,
  }
  -- Into https, the request's TLS fields (socket.ssl.FIELDS) come along.
  local found, ssl = false, nil
  if url.parse(target).scheme == "https" then found, ssl = pcall(require, "socket.ssl") end
  if found then
    for _, name in ipairs(ssl.FIELDS) do nreqt[name] = reqt[name] end
  end
  local ok, code, fields, line = perform(nreqt)
  fields = fields or {}
  fields.location = fields.location or location
  return ok, code, fields, line
end

-- Keep-alive ---------------------------------------------------------------------------

-- Responses that never have a body.
local function bodiless(r, code)
  return r.method == "HEAD" or code == 204 or code == 304 or (code >= 100 and code < 200)
end


-- Idle connections by destination: key -> list of connection objects.
local idle = {}

-- The destination of a request, as a pool key: where it connects and how (scheme,
-- proxy, tunnel target, TLS fields).
local function pool_key(r)
  local parts = { r.scheme, tostring(r.connect_host), tostring(r.connect_port),
    tostring(r.tunnel and r.tunnel.host), tostring(r.tunnel and r.tunnel.port) }
  if r.scheme == "https" then
    local found, ssl = pcall(require, "socket.ssl")
    for _, name in ipairs(found and ssl.FIELDS or {}) do
      local v = r[name]
      if type(v) == "table" then v = concat(v, ",") end
      parts[#parts + 1] = name .. "=" .. tostring(v)
    end
  end
  return concat(parts, "|")
end

-- An idle connection for `key` that the server has not closed meanwhile (one it has
-- is readable: end of stream), or nil.
local function take(key)
  local list = idle[key]
  while list and #list > 0 do
    local h = table.remove(list)
    local readable = socket.select({ h.c }, nil, 0)
    if not readable[h.c] then return h end
    h.c:close()
  end
end

local function put_back(key, h)
  local list = idle[key] or {}
  idle[key] = list
  if #list >= _M.KEEPALIVE_IDLE then
    h:close()
  else
    list[#list + 1] = h
  end
end

-- closeidle(): closes every idle kept-alive connection.
function _M.closeidle()
  for key, list in pairs(idle) do
    for _, h in ipairs(list) do h.c:close() end
    idle[key] = nil
  end
  return 1
end

-- Whether the connection can carry another request once this response's body is read:
-- HTTP/1.1, no "Connection: close", and a body whose end is known without a close.
local function reusable(r, code, fields, line)
  if not r.keepalive or not find(line or "", "^HTTP/1%.1 ") then return false end
  if code == 101 or find(lower(fields.connection or ""), "close", 1, true) then return false end
  if bodiless(r, code) then return true end
  return framing(fields) ~= "default"
end

-- One request ------------------------------------------------------------------------

-- Sends the request and reads the status line, on a kept-alive connection when there
-- is one. A kept connection the server dropped meanwhile fails before any reply: then
-- the request goes again on a new one (only when it has no body, which a source cannot
-- send twice).
local function start(r)
  local key = r.keepalive and pool_key(r)
  local h = key and not r.source and take(key)
  if h then
    local ok, code, line = pcall(function()
      h:sendhead(r.method, r.uri, r.headers)
      return h:receivestatusline()
    end)
    if ok then return h, key, code, line end
    h.c:close()
    h = nil
  end
  h = _M.open(r.connect_host, r.connect_port, r.connect_create)
  h:sendhead(r.method, r.uri, r.headers)
  if r.source then h:sendbody(r.headers, r.source, r.step) end
  return h, key, h:receivestatusline()
end

function perform(reqt)
  local r = prepare(reqt)
  local h, key, code, line = start(r)
  if code == nil then
    -- HTTP/0.9: no head at all; `line` holds the first bytes of the body.
    h:receive09body(line, r.sink, r.step)
    h:close()
    return 1, 200
  end
  if code == 408 then
    -- "408 Request Timeout" ends the request here with its head unread, as in C.
    h:close()
    return 1, code
  end
  -- Interim replies (100 Continue and the like) come before the final one.
  while code >= 100 and code < 200 and code ~= 101 do
    h:receiveheaders()
    code, line = h:receivestatusline()
    if not code then h.try(nil, line) end
  end
  local fields = h:receiveheaders()
  local method = redirect_method(r, code, fields)
  if method then
    h:close()
    return follow(reqt, r, method, fields.location)
  end
  if not bodiless(r, code) then h:receivebody(fields, r.sink, r.step, whole_bodies[reqt]) end
  if key and reusable(r, code, fields, line) then
    put_back(key, h)
  else
    h:close()
  end
  return 1, code, fields, line
end

-- The request table request(url [, body]) makes: GET, or POST with a form body.
function _M.genericform(u, b)
  local collected = {}
  local reqt = { url = u, sink = ltn12.sink.table(collected), target = collected }
  if b then
    reqt.method = "POST"
    reqt.source = ltn12.source.string(b)
    reqt.headers = {
      ["content-length"] = #b,
      ["content-type"] = "application/x-www-form-urlencoded",
    }
  end
  return reqt
end

-- request(url [, body]) -> body, code, headers, status
-- request{url = ..., sink = ..., ...} -> 1, code, headers, status
_M.request = socket.protect(function(reqt, body)
  if type(reqt) ~= "string" then return perform(reqt) end
  local t = _M.genericform(reqt, body)
  local pieces = t.target
  whole_bodies[t] = pieces
  local _, code, fields, line = perform(t)
  return pieces[2] and concat(pieces) or pieces[1] or "", code, fields, line
end)

return _M
