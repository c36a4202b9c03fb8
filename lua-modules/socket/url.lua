-- socket.url: URL parsing, building, escaping and reference resolution, as C LuaSocket.
--
-- parse() splits a URL into the fields of LuaSocket's table (scheme, authority, path,
-- params, query, fragment, userinfo, user, password, host, port); build() is its inverse,
-- so build(parse(u)) == u. Field values are kept as written (escapes are not decoded).

local socket = require("socket")

local find, sub, gsub, format, byte, char =
  string.find, string.sub, string.gsub, string.format, string.byte, string.char
local pairs, tonumber, tostring, type = pairs, tonumber, tostring, type
local concat = table.concat

local _M = {}
socket.url = _M

_M._VERSION = "URL 1.0.3"

-- Escaping ----------------------------------------------------------------------------

local function hex_lower(c) return format("%%%02x", byte(c)) end
local function hex_upper(c) return format("%%%02X", byte(c)) end

-- Escapes every byte except letters, digits and "_" (as %xx, lower-case hex).
function _M.escape(s)
  return (gsub(s, "[^%w_]", hex_lower))
end

-- Decodes every %XX escape.
function _M.unescape(s)
  return (gsub(s, "%%(%x%x)", function(h) return char(tonumber(h, 16)) end))
end

-- Characters a path segment may hold unescaped (RFC 2396 pchar less "%" and "/").
local segment_safe = {}
for c in ("-_.!~*'():@&=+$,"):gmatch(".") do segment_safe[c] = true end

local function protect_segment(s)
  return (gsub(s, "[^%w_]", function(c)
    if segment_safe[c] then return c end
    return hex_upper(c)
  end))
end

-- Parsing and building ----------------------------------------------------------------

-- Splitting is native (socket.url.core, installed with this library): the userinfo ends
-- at the last "@" of the authority (so a raw "@" in a password survives) and the user at
-- the first ":"; see luasocket-proto's url module for every rule.
local split = require("socket.url.core").parse

-- Parses a URL into a table; fields of `default` fill in what the URL lacks.
-- Returns nil, "invalid url" for nil or "".
function _M.parse(url, default)
  if not url or url == "" then return nil, "invalid url" end
  local parsed = split(url)
  if default then
    for k, v in pairs(default) do
      if parsed[k] == nil then parsed[k] = v end
    end
  end
  return parsed
end

-- In user and password, the characters that would end the userinfo or the authority
-- early are escaped when a URL is built from them (":" only in the user).
local function protect_user(s)
  if not find(s, "[:/?#]") then return s end
  return (gsub(s, "[:/?#]", hex_upper))
end

local function protect_password(s)
  if not find(s, "[/?#]") then return s end
  return (gsub(s, "[/?#]", hex_upper))
end

-- Builds a URL from a table shaped like parse()'s result. host/port/user/password take
-- precedence over authority and userinfo.
function _M.build(parsed)
  local authority = parsed.authority
  local host = parsed.host
  if host then
    if find(host, ":", 1, true) then host = "[" .. host .. "]" end
    local port = parsed.port
    if port then host = host .. ":" .. tostring(port) end
    local userinfo = parsed.userinfo
    local user = parsed.user
    if user then
      userinfo = protect_user(user)
      local password = parsed.password
      if password then userinfo = userinfo .. ":" .. protect_password(password) end
    end
    authority = userinfo and (userinfo .. "@" .. host) or host
  end
  local scheme, path, params = parsed.scheme, parsed.path, parsed.params
  local query, fragment = parsed.query, parsed.fragment
  -- One concatenation of every piece and separator ("" where absent).
  return (scheme or "") .. (scheme and ":" or "")
    .. (authority and "//" or "") .. (authority or "")
    .. (path or "")
    .. (params and ";" or "") .. (params or "")
    .. (query and "?" or "") .. (query or "")
    .. (fragment and "#" or "") .. (fragment or "")
end

-- Reference resolution -----------------------------------------------------------------
--
-- LuaSocket's own rules, which upstream's test/urltest.lua pins (they are RFC 2396's
-- examples, not RFC 3986's): a relative reference with no path keeps the base's path, and
-- with no params either the base's params (so ";x" replaces only the params); and the dot
-- segments are removed from the whole resolved URL, query and fragment included.

-- Applies gsub(s, pattern, repl, 1) until s stops changing.
local function settle(s, pattern, repl)
  repeat
    local before = s
    s = gsub(s, pattern, repl, 1)
  until s == before
  return s
end

local EMPTY = "\1" -- stands for an empty segment while dots are removed

-- Removes "." and ".." segments. Empty segments ("//") are kept as they are.
local function remove_dots(s)
  if not find(s, ".", 1, true) then return s end
  s = settle(s, "//", "/" .. EMPTY .. "/")
  s = settle(s, "/%./", "/")
  s = settle(s, "[^/]+/%.%./([^/]+)", "%1")
  s = gsub(s, "[^/]+/%.%./*$", "")
  s = gsub(s, "/%.%.$", "/")
  s = gsub(s, "/%.$", "/")
  s = gsub(s, "^/%.%./", "/")
  return (gsub(s, EMPTY, ""))
end

-- A relative path resolved against the base's path: the base's last segment goes.
local function merge(base_path, rel_path)
  if sub(rel_path, 1, 1) == "/" then return remove_dots(rel_path) end
  local dir = gsub(base_path, "[^/]*$", "")
  if sub(dir, -1) ~= "/" then dir = dir .. "/" end
  return remove_dots(dir .. rel_path)
end

-- Resolves relative_url against base_url (a string or a parsed table).
function _M.absolute(base_url, relative_url)
  local base
  if type(base_url) == "table" then
    base = base_url
    base_url = _M.build(base)
  else
    base = _M.parse(base_url)
  end
  local rel = _M.parse(relative_url)
  local result
  if not base then
    result = relative_url
  elseif not rel then
    result = base_url
  elseif rel.scheme then
    result = relative_url
  else
    rel.scheme = base.scheme
    if not rel.authority then
      rel.authority = base.authority
      if rel.path then
        rel.path = merge(base.path or "", rel.path)
      else
        rel.path = base.path
        if not rel.params then
          rel.params = base.params
          if not rel.query then rel.query = base.query end
        end
      end
    end
    result = _M.build(rel)
  end
  return remove_dots(result)
end

-- Paths -------------------------------------------------------------------------------

-- Splits a path into unescaped segments; is_absolute/is_directory are set to 1 for a
-- leading/trailing "/".
function _M.parse_path(path)
  local parsed, n = {}, 0
  path = path or ""
  for segment in path:gmatch("[^/]+") do
    n = n + 1
    parsed[n] = _M.unescape(segment)
  end
  if sub(path, 1, 1) == "/" then parsed.is_absolute = 1 end
  if sub(path, -1) == "/" then parsed.is_directory = 1 end
  return parsed
end

-- Joins segments into a path, escaping what a segment may not hold unless `unsafe`.
function _M.build_path(parsed, unsafe)
  local n = #parsed
  local parts = {}
  for i = 1, n do
    parts[i] = unsafe and parsed[i] or protect_segment(parsed[i])
  end
  local path = concat(parts, "/")
  if n > 0 and parsed.is_directory then path = path .. "/" end
  if parsed.is_absolute then path = "/" .. path end
  return path
end

return _M
