-- socket.url: URL parsing, building, escaping and RFC 3986 reference resolution.
--
-- parse() splits a URL into the fields of LuaSocket's table (scheme, authority, path,
-- params, query, fragment, userinfo, user, password, host, port); build() is its inverse,
-- so build(parse(u)) == u. Field values are kept as written (escapes are not decoded).

local socket = require("socket")

local find, sub, match, gsub, format, byte, char =
  string.find, string.sub, string.match, string.gsub, string.format, string.byte, string.char
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

-- Reference resolution (RFC 3986 section 5.2) -------------------------------------------

-- Removes "." and ".." segments (RFC 3986 section 5.2.4).
local function remove_dot_segments(path)
  if not find(path, ".", 1, true) then return path end
  local input, out, n = path, {}, 0
  while input ~= "" do
    if sub(input, 1, 3) == "../" then
      input = sub(input, 4)
    elseif sub(input, 1, 2) == "./" then
      input = sub(input, 3)
    elseif sub(input, 1, 3) == "/./" then
      input = sub(input, 3)
    elseif input == "/." then
      input = "/"
    elseif sub(input, 1, 4) == "/../" or input == "/.." then
      input = input == "/.." and "/" or sub(input, 4)
      if n > 0 then
        out[n] = nil
        n = n - 1
      end
    elseif input == "." or input == ".." then
      input = ""
    else
      local slash = find(input, "/", 2, true)
      n = n + 1
      if slash then
        out[n] = sub(input, 1, slash - 1)
        input = sub(input, slash)
      else
        out[n] = input
        input = ""
      end
    end
  end
  return concat(out, "", 1, n)
end

-- The path of a parsed URL with its params (RFC 3986 has no separate params).
local function full_path(p)
  local path = p.path or ""
  if p.params then path = path .. ";" .. p.params end
  return path
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
  if not base then return relative_url end
  if not rel then return base_url end
  local t = { fragment = rel.fragment }
  if rel.scheme then
    t.scheme, t.authority = rel.scheme, rel.authority
    t.path, t.query = remove_dot_segments(full_path(rel)), rel.query
  else
    t.scheme = base.scheme
    if rel.authority then
      t.authority = rel.authority
      t.path, t.query = remove_dot_segments(full_path(rel)), rel.query
    else
      t.authority = base.authority
      local rpath = full_path(rel)
      if rpath == "" then
        t.path = full_path(base)
        t.query = rel.query or base.query
      else
        if sub(rpath, 1, 1) == "/" then
          t.path = remove_dot_segments(rpath)
        else
          local bpath = full_path(base)
          local merged
          if base.authority and bpath == "" then
            merged = "/" .. rpath
          else
            merged = (match(bpath, "^(.*/)") or "") .. rpath
          end
          t.path = remove_dot_segments(merged)
        end
        t.query = rel.query
      end
    end
  end
  if t.path == "" then t.path = nil end
  return _M.build(t)
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
