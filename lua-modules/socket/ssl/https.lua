-- socket.ssl.https: https for socket.http on socket.ssl, in the shape of LuaSec's
-- `ssl.https` (`request`, `tcp`), and the socket factory socket.http uses for https URLs.
--
-- Unlike LuaSec's, connections verify the server by default (the system's CA store, or
-- `cafile`/`capath`), checking the name from the URL (or `sni`); `verify = "none"` turns
-- that off. A request table may carry these TLS fields, which apply to that request and
-- its redirects: see `_M.FIELDS`. Through a proxy, the TLS connection goes through an
-- HTTP CONNECT tunnel.

local ssl = require("socket.ssl")
local http = require("socket.http")
local url = require("socket.url")
local ltn12 = require("ltn12")

local concat = table.concat
local find, match = string.find, string.match
local tonumber, tostring, type = tonumber, tostring, type

local _M = {
  _VERSION = ssl._VERSION,
  PORT = 443,
  TIMEOUT = 60,
}

-- The TLS fields a request table may carry (LuaSec's context parameters and `sni`).
_M.FIELDS = ssl.FIELDS

-- host:port as a CONNECT target and Host field, IPv6 literals in brackets.
local function authority(host, port)
  host = tostring(host)
  if find(host, ":", 1, true) then host = "[" .. host .. "]" end
  return host .. ":" .. tostring(port)
end

-- Asks the proxy at the other end of `sock` for a tunnel to t.host:t.port.
local function tunnel(sock, t)
  local target = authority(t.host, t.port)
  local head = { "CONNECT ", target, " HTTP/1.1\r\nHost: ", target, "\r\n" }
  if t.auth then head[#head + 1] = "Proxy-Authorization: " .. t.auth .. "\r\n" end
  head[#head + 1] = "\r\n"
  local ok, err = sock:send(concat(head))
  if not ok then return nil, err end
  local line
  line, err = sock:receive("*l")
  if not line then return nil, err end
  local code = tonumber(match(line, "^HTTP/%d%.%d (%d%d%d)"))
  if not code then return nil, "invalid proxy reply: " .. line end
  ok, err = http.receiveheaders(sock, {})
  if not ok then return nil, err end
  if code < 200 or code > 299 then return nil, "proxy refused the tunnel: " .. line end
  return true
end

-- tcp(params) -> create: a socket factory for socket.http whose sockets speak TLS with
-- the TLS fields of `params` (a request table). `params.tunnel = {host, port, auth}`
-- makes connect go through a proxy's CONNECT first.
function _M.tcp(params)
  params = params or {}
  local t = params.tunnel
  local before = t and function(sock)
    local ok, err = tunnel(sock, t)
    if not ok then return nil, err end
    return tostring(t.host)
  end
  return ssl.tcp(params, false, before)
end

-- request(url [, body]) or request{...}: socket.http.request for https URLs only.
function _M.request(reqt, body)
  local target = type(reqt) == "string" and reqt or (type(reqt) == "table" and reqt.url)
  local parsed = target and url.parse(target)
  if not parsed or parsed.scheme ~= "https" then return nil, "wrong scheme" end
  if type(reqt) == "string" then
    local collected = {}
    local t = http.genericform(reqt, body)
    t.sink = ltn12.sink.table(collected)
    local ok, code, fields, line = http.request(t)
    if not ok then return nil, code end
    return concat(collected), code, fields, line
  end
  return http.request(reqt)
end

return _M
