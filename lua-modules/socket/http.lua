-- socket.http: HTTP/1.1 client requests (LuaSocket's socket.http API).
--
-- The exchange is written in Lua so that a caller's `create` may hand in a socket that
-- yields (copas) or speaks TLS (LuaSec). Response heads (httparse) and the chunked
-- coding come from socket.http.core, installed with this library.

local socket = require("socket")
local url = require("socket.url")
local ltn12 = require("ltn12")
local mime = require("mime")
local canonic = require("socket.headers").canonic

local find, format, gsub, lower, match =
  string.find, string.format, string.gsub, string.lower, string.match
local concat = table.concat
local pairs, setmetatable, tonumber, tostring, type, pcall, require =
  pairs, setmetatable, tonumber, tostring, type, pcall, require

local core = require("socket.http.core")

local _M = {}
socket.http = _M

_M.TIMEOUT = 60
_M.USERAGENT = socket._VERSION
-- _M.PROXY: a proxy URL used when a request names none.

-- At most this many header lines, and this many bytes of them, per response head; and
-- the longest line our sockets accept (status, header, chunk-size lines).
local MAX_HEADER_LINES = 1000
local MAX_HEADER_BYTES = 1024 * 1024
local MAX_LINE = 64 * 1024

local SCHEMES = {
  http = {
    port = 80,
    create = function() return socket.tcp end,
  },
  https = {
    port = 443,
    create = function(reqt)
      local ok, https = pcall(require, "ssl.https")
      if not ok or type(https) ~= "table" then
        socket.try(nil, "LuaSocket: LuaSec not found")
      end
      if not https.tcp then
        socket.try(nil, "LuaSocket: Function tcp() not available from LuaSec")
      end
      return https.tcp(reqt)
    end,
  },
}
_M.SCHEMES = SCHEMES
_M.schemes = SCHEMES

-- Response heads ---------------------------------------------------------------------


-- Reads header lines up to the empty one and parses them into `headers` (a new table if
-- none). Too many lines or bytes are an error rather than unbounded memory.
local function receiveheaders(sock, headers)
  headers = headers or {}
  local lines, n, size = {}, 0, 0
  while true do
    local line, err = sock:receive()
    if err then return nil, err end
    if line == "" then break end
    n = n + 1
    size = size + #line
    if n > MAX_HEADER_LINES or size > MAX_HEADER_BYTES then
      return nil, "response headers too large"
    end
    lines[n] = line
  end
  local ok, err = core.parse_headers(concat(lines, "\r\n", 1, n), headers)
  if not ok then return nil, err end
  return headers
end
_M.receiveheaders = receiveheaders

-- Connections ------------------------------------------------------------------------

local methods = {}
local metat = { __index = methods }

-- Connects to host:port with a socket made by `create()`; errors raise through h.try.
function _M.open(host, port, create)
  local c = socket.try((create or socket.tcp)())
  -- Our sockets bound line lengths (an endless line fails instead of filling memory);
  -- other sockets (C LuaSocket's, wrappers) are left as they are.
  if c.setoption then pcall(c.setoption, c, "max-line-length", MAX_LINE) end
  local h = setmetatable({ c = c }, metat)
  h.try = socket.newtry(function() h:close() end)
  h.try(c:settimeout(_M.TIMEOUT))
  h.try(c:connect(host, port))
  return h
end

local function has_crlf(s)
  return find(s, "[\r\n]") ~= nil
end

function methods:sendrequestline(method, uri)
  method = method or "GET"
  if has_crlf(method) or has_crlf(uri) then
    self.try(nil, "invalid request line (CR or LF in it)")
  end
  return self.try(self.c:send(format("%s %s HTTP/1.1\r\n", method, uri)))
end

-- Sends the header fields (canonical names) and the empty line that ends them. A name or
-- value with CR or LF in it would split the request and is refused.
function methods:sendheaders(tosend)
  local out, n = {}, 0
  for key, val in pairs(tosend) do
    local name, value = tostring(key), tostring(val)
    if has_crlf(name) or has_crlf(value) then
      self.try(nil, "invalid header '" .. gsub(name, "[\r\n]", "?") .. "' (CR or LF in it)")
    end
    n = n + 1
    out[n] = (canonic[name] or name) .. ": " .. value .. "\r\n"
  end
  n = n + 1
  out[n] = "\r\n"
  self.try(self.c:send(concat(out, "", 1, n)))
  return 1
end

function methods:sendbody(headers, source, step)
  source = source or ltn12.source.empty()
  step = step or ltn12.pump.step
  local mode = headers["content-length"] and "keep-open" or "http-chunked"
  return self.try(ltn12.pump.all(source, socket.sink(mode, self.c), step))
end

-- LTN12 filters for the chunked transfer coding (socket.http.core): an encoder (each
-- chunk framed; the end of input gives the last chunk) and a decoder (which raises on a
-- malformed body and keeps what follows the body out of its output).
function _M.encodechunked()
  local ended = false
  return function(chunk)
    if chunk then return chunk == "" and "" or core.chunk(chunk) end
    if ended then return nil end
    ended = true
    return core.chunk(nil)
  end
end

function _M.decodechunked()
  local decoder = core.dechunker()
  return function(chunk)
    if chunk == nil then
      if decoder:need() then error("chunked body ended early", 2) end
      return nil
    end
    local data, err = decoder:feed(chunk)
    if not data then error(err, 2) end
    return data
  end
end

-- Reads the status line: its code and text. A reply whose first five bytes are not
-- "HTTP/" is an HTTP/0.9 body: nil and those bytes. As in C LuaSocket, a timeout or a
-- close before five bytes is an error ("timeout", "closed"), never a reply.
function methods:receivestatusline()
  local status = self.try(self.c:receive(5))
  if status ~= "HTTP/" then return nil, status end
  -- Joined here rather than with receive's prefix argument, which some socket wrappers
  -- (copas 1.x) do not take.
  status = status .. self.try(self.c:receive("*l"))
  local code = match(status, "^HTTP/%d*%.?%d* +(%d%d%d)")
  return self.try(tonumber(code), status)
end

function methods:receiveheaders()
  return self.try(receiveheaders(self.c))
end

function methods:receivebody(headers, sink, step)
  sink = sink or ltn12.sink.null()
  step = step or ltn12.pump.step
  local length = tonumber(headers["content-length"])
  local te = headers["transfer-encoding"]
  local mode = "default" -- until the server closes
  if te and lower(te) ~= "identity" then
    mode = "http-chunked"
  elseif length then
    if length < 0 then self.try(nil, "invalid content-length") end
    mode = "by-length"
  end
  return self.try(ltn12.pump.all(socket.source(mode, self.c, mode == "http-chunked"
    and headers or length), sink, step))
end

function methods:receive09body(status, sink, step)
  local source = ltn12.source.rewind(socket.source("until-closed", self.c))
  source(status)
  return self.try(ltn12.pump.all(source, sink or ltn12.sink.null(), step))
end

function methods:close()
  return self.c:close()
end

-- Requests ---------------------------------------------------------------------------

local function request_uri(reqt)
  if reqt.proxy or _M.PROXY then return url.build(reqt) end
  return url.build({
    path = socket.try(reqt.path, "invalid path 'nil'"),
    params = reqt.params,
    query = reqt.query,
    fragment = nil, -- never sent
  })
end

local function basic(user, password)
  return "Basic " .. mime.b64(url.unescape(user) .. ":" .. url.unescape(password))
end

local function host_header(reqt)
  local host = tostring(reqt.host)
  if find(host, ":", 1, true) then host = "[" .. host .. "]" end
  local port = tostring(reqt.port)
  if port ~= tostring(SCHEMES[reqt.scheme].port) then host = host .. ":" .. port end
  return host
end

local function request_headers(reqt)
  local out = {
    ["user-agent"] = _M.USERAGENT,
    ["host"] = host_header(reqt),
    ["connection"] = "close, TE",
    ["te"] = "trailers",
  }
  if reqt.user and reqt.password then
    out["authorization"] = basic(reqt.user, reqt.password)
  end
  local proxy = reqt.proxy or _M.PROXY
  if proxy then
    local p = url.parse(proxy)
    if p and p.user and p.password then
      out["proxy-authorization"] = basic(p.user, p.password)
    end
  end
  for name, value in pairs(reqt.headers or {}) do
    out[lower(tostring(name))] = value
  end
  return out
end

local default_url = { path = "/", scheme = "http" }

-- The request table with everything filled in: parsed URL, port, method, URI, headers,
-- and where to connect (the proxy, if any).
local function prepare(reqt)
  local r = reqt.url and url.parse(reqt.url, default_url) or {}
  for k, v in pairs(reqt) do r[k] = v end
  r.scheme = r.scheme or "http"
  local scheme = SCHEMES[r.scheme]
  if not scheme then socket.try(nil, "unknown scheme '" .. tostring(r.scheme) .. "'") end
  if not (r.port and r.port ~= "") then r.port = scheme.port end
  if not (r.method and r.method ~= "") then r.method = "GET" end
  if not (r.host and r.host ~= "") then
    socket.try(nil, "invalid host '" .. tostring(r.host) .. "'")
  end
  r.uri = reqt.uri or request_uri(r)
  r.headers = request_headers(r)
  if r.source and not r.headers["content-length"] and not r.headers["transfer-encoding"] then
    r.headers["transfer-encoding"] = "chunked"
  end
  local proxy = r.proxy or _M.PROXY
  if proxy then
    local p = url.parse(proxy)
    r.connect_host, r.connect_port = p.host, p.port or 3128
    r.connect_create = reqt.create or SCHEMES[p.scheme or "http"].create(r)
  else
    r.connect_host, r.connect_port = r.host, r.port
    r.connect_create = reqt.create or scheme.create(r)
  end
  return r
end

-- Whether to follow a redirect, and with which method. 303 turns any method into GET;
-- 301, 302, 307 and 308 are followed for GET and HEAD only. A redirect from https to
-- anything else is never followed.
local function redirect_method(r, code, headers)
  local location = headers.location
  if not location or r.redirect == false then return nil end
  location = gsub(location, "%s", "")
  if location == "" then return nil end
  local target = url.parse(url.absolute(r.url or "", location))
  local scheme = target and target.scheme
  if scheme and not SCHEMES[scheme] then return nil end
  if r.scheme == "https" and scheme ~= "https" then return nil end
  if r.maxredirects ~= false and (r.nredirects or 0) >= (r.maxredirects or 5) then return nil end
  local method = r.method
  if code == 303 then
    return method == "HEAD" and "HEAD" or "GET"
  end
  if (code == 301 or code == 302 or code == 307 or code == 308)
    and (method == "GET" or method == "HEAD") and not r.source then
    return method
  end
  return nil
end

local function should_receive_body(r, code)
  if r.method == "HEAD" then return false end
  if code == 204 or code == 304 then return false end
  if code >= 100 and code < 200 then return false end
  return true
end

local trequest

local function follow(reqt, r, method, location)
  local target = url.absolute(r.url or "", gsub(location, "%s", ""))
  local same_host = url.parse(target).host == r.host
  local headers = {}
  for k, v in pairs(reqt.headers or {}) do
    local name = lower(tostring(k))
    -- Credentials stay with the host they were meant for; a body does not follow a 303.
    if (same_host or (name ~= "authorization" and name ~= "cookie"))
      and not (method ~= r.method and (name == "content-length" or name == "content-type"
        or name == "transfer-encoding")) then
      headers[k] = v
    end
  end
  local result, code, rheaders, status = trequest({
    url = target,
    method = method,
    source = method == r.method and reqt.source or nil,
    sink = reqt.sink,
    step = reqt.step,
    headers = headers,
    proxy = reqt.proxy,
    redirect = reqt.redirect,
    maxredirects = reqt.maxredirects,
    nredirects = (r.nredirects or 0) + 1,
    create = reqt.create,
  })
  rheaders = rheaders or {}
  rheaders.location = rheaders.location or location
  return result, code, rheaders, status
end

function trequest(reqt)
  local r = prepare(reqt)
  local h = _M.open(r.connect_host, r.connect_port, r.connect_create)
  h:sendrequestline(r.method, r.uri)
  h:sendheaders(r.headers)
  if r.source then h:sendbody(r.headers, r.source, r.step) end
  local code, status = h:receivestatusline()
  if not code then
    h:receive09body(status, r.sink, r.step)
    h:close()
    return 1, 200
  elseif code == 408 then
    -- A "408 Request Timeout" reply ends the request here, headers unread, as in C.
    h:close()
    return 1, code
  end
  -- Interim replies (100 Continue and the like) come before the real one.
  while code >= 100 and code < 200 and code ~= 101 do
    h:receiveheaders()
    code, status = h:receivestatusline()
    if not code then h.try(nil, status) end
  end
  local headers = h:receiveheaders()
  local method = redirect_method(r, code, headers)
  if method then
    h:close()
    return follow(reqt, r, method, headers.location)
  end
  if should_receive_body(r, code) then h:receivebody(headers, r.sink, r.step) end
  h:close()
  return 1, code, headers, status
end

-- The request table request(url [, body]) uses: GET, or POST with a form body.
function _M.genericform(u, b)
  local t = {}
  local reqt = { url = u, sink = ltn12.sink.table(t), target = t }
  if b then
    reqt.source = ltn12.source.string(b)
    reqt.headers = {
      ["content-length"] = #b,
      ["content-type"] = "application/x-www-form-urlencoded",
    }
    reqt.method = "POST"
  end
  return reqt
end

local function srequest(u, b)
  local reqt = _M.genericform(u, b)
  local _, code, headers, status = trequest(reqt)
  return concat(reqt.target), code, headers, status
end

-- request(url [, body]) -> body, code, headers, status
-- request{url = ..., sink = ..., ...} -> 1, code, headers, status
_M.request = socket.protect(function(reqt, body)
  if type(reqt) == "string" then return srequest(reqt, body) end
  return trequest(reqt)
end)

return _M
