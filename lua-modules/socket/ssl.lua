-- socket.ssl: TLS on rustls, with LuaSec's API (`newcontext`, `wrap` and the connection
-- methods), so LuaSec users and copas run on it with no OpenSSL.
--
-- The native half, socket.ssl.core (its own library file, socket/ssl/core.so), holds the
-- contexts and the connections. This half moves the descriptor from a socket object into
-- a connection the way LuaSec's `wrap` does (`getfd`, then `setfd(-1)` on the old object),
-- so it wraps our sockets and any other object with those two methods. `luasec()` is the
-- opt-in that makes `require "ssl"` and `require "ssl.https"` give these modules.

local found, core = pcall(require, "socket.ssl.core")
if not found then
  error("socket.ssl: this install has no TLS (socket/ssl/core.so): " .. tostring(core), 2)
end
local socket = require("socket")
local mime = require("mime")

local concat = table.concat
local ipairs, pairs, rawget, rawset, setmetatable, tostring, type =
  ipairs, pairs, rawget, rawset, setmetatable, tostring, type

local _M = {
  -- The LuaSec API level this module follows.
  _VERSION = "1.3.2",
  _COPYRIGHT = "luasocket-rs (rustls)",
  -- What LuaSec's `ssl.config` describes, for code that reads it.
  config = {
    protocols = { tlsv1_2 = true, tlsv1_3 = true },
    algorithms = { ec = true },
    capabilities = { alpn = true, curves_list = true },
    options = {},
  },
}

-- The TLS fields a request or mail table may carry (LuaSec's context parameters, our
-- `checkhost`, and `sni`), which socket.http, socket.smtp and socket.ftp pass on. Not
-- `password` (a key's): in those tables it is the user's.
_M.FIELDS = { "protocol", "options", "verify", "verifyext", "cafile", "capath",
  "certificate", "key", "ciphers", "ciphersuites", "curve", "curveslist",
  "alpn", "depth", "dhparam", "checkhost", "sni" }

-- newcontext(params) -> context | nil, message. A client verifies the server's chain
-- and name unless `verify = "none"` (or `checkhost = false` for the name).
function _M.newcontext(cfg) return core.newcontext(cfg) end

-- wrap(sock, params_or_context) -> connection | nil, message. The connection owns the
-- descriptor from then on and keeps the socket's timeout; `sock` is left with none.
local function wrap(sock, cfg, luasec)
  local ctx = cfg
  if type(cfg) == "table" then
    local err
    ctx, err = core.newcontext(cfg, luasec)
    if not ctx then return nil, err end
  end
  local conn, err = core.adopt(ctx, sock:getfd())
  if not conn then return nil, err end
  if sock.gettimeout then
    local block, total = sock:gettimeout()
    if type(block) == "number" then conn:settimeout(block, "b") end
    if type(total) == "number" then conn:settimeout(total, "t") end
  end
  sock:setfd(socket._SOCKETINVALID)
  return conn
end

function _M.wrap(sock, cfg) return wrap(sock, cfg, false) end

-- Certificates: LuaSec's x509 objects, read on first use from the DER bytes. ---------

local x509 = {}
local x509_mt = {
  __index = x509,
  __name = "ssl{certificate}",
  __tostring = function(c) return "X509 certificate: " .. c.digest(c, "sha256") end,
}

local function certificate(der)
  return setmetatable({ der = der }, x509_mt)
end

local function info(c)
  local i = rawget(c, "info")
  if not i then
    i = assert(core.certinfo(c.der))
    c.info = i
  end
  return i
end

local function copy_names(list)
  local out = {}
  for n, e in ipairs(list) do out[n] = { oid = e.oid, name = e.name, value = e.value } end
  return out
end

-- subject(), issuer(): lists of {oid = "2.5.4.3", name = "CN", value = "..."}.
function x509:subject() return copy_names(info(self).subject) end
function x509:issuer() return copy_names(info(self).issuer) end
-- notbefore(), notafter(): OpenSSL's text, "Jan  2 03:04:05 2026 GMT".
function x509:notbefore() return info(self).notbefore end
function x509:notafter() return info(self).notafter end
-- serial(): upper-case hex.
function x509:serial() return info(self).serial end
function x509:getsignaturename() return info(self).signature end
-- validat(time): whether the certificate is valid at `time` (seconds since the epoch).
function x509:validat(t)
  local i = info(self)
  return i.notbefore_time < t and t <= i.notafter_time
end
-- digest([alg]): hex of "sha1" (the default), "sha256" or "sha512".
function x509:digest(alg) return core.digest(self.der, alg or "sha1") end
-- pem(): the certificate as PEM text.
function x509:pem()
  local b64, lines = mime.b64(self.der), {}
  for at = 1, #b64, 64 do lines[#lines + 1] = b64:sub(at, at + 63) end
  return "-----BEGIN CERTIFICATE-----\n" .. concat(lines, "\n") ..
    "\n-----END CERTIFICATE-----\n"
end
-- extensions(): the subject alternative names, keyed as LuaSec keys them.
function x509:extensions()
  local names = info(self).altnames
  if #names == 0 then return {} end
  local san = { name = "X509v3 Subject Alternative Name" }
  for _, n in ipairs(names) do
    local list = san[n[1]] or {}
    san[n[1]] = list
    list[#list + 1] = n[2]
  end
  return { ["2.5.29.17"] = san }
end
-- setencode(): LuaSec's choice of string encoding; values are given as they are.
function x509.setencode(_, enc) return enc == "ai5" or enc == "utf8" end

-- loadcertificate(pem) -> certificate | nil
function _M.loadcertificate(pem)
  local der = core.pemder(pem)
  return der and certificate(der) or nil
end

-- The connection's certificate methods.
local methods = core.connection

-- getpeercertificate([n]): the peer's certificate (n = 0, the default), or the n-th one
-- of the chain it sent after it; nil past the end.
function methods.getpeercertificate(conn, n)
  local der = core.peerchain(conn)[(n or 0) + 1]
  return der and certificate(der) or nil
end

-- getpeerchain(): the peer's certificates, its own first.
function methods.getpeerchain(conn)
  local out = {}
  for i, der in ipairs(core.peerchain(conn)) do out[i] = certificate(der) end
  return out
end

-- Sockets that become TLS: a factory for `create` arguments. ---------------------------

-- The object a factory makes: a TCP socket until it turns TLS (at connect, or when
-- asked with starttls()), then the TLS connection; methods it does not define are
-- those of whichever it holds.
local upgradable = {}
local upgradable_mt = {
  __index = function(self, key)
    local own = upgradable[key]
    if own then return own end
    if type(rawget(self, "sock")[key]) ~= "function" then return nil end
    local forward = function(w, ...)
      local s = rawget(w, "sock")
      return s[key](s, ...)
    end
    rawset(self, key, forward)
    return forward
  end,
}

-- Turns the connected TCP socket TLS: wrap, SNI name, handshake (within the socket's
-- timeout). Every socket of one factory shares one context, so a server that asks a
-- data connection to resume the control connection's session (FTPS) sees it do so.
-- Returns 1, or nil and why (the socket is closed then).
function upgradable:starttls()
  local shared = self.shared
  if not shared.context then
    local ctx, err = core.newcontext(self.cfg)
    if not ctx then
      self.sock:close()
      return nil, err
    end
    shared.context = ctx
  end
  local conn, err = wrap(self.sock, shared.context, false)
  if not conn then
    self.sock:close()
    return nil, err
  end
  conn:sni(tostring(self.cfg.sni or self.host))
  local ok
  ok, err = conn:dohandshake()
  if not ok then
    conn:close()
    return nil, err
  end
  self.sock = conn
  return 1
end

function upgradable:connect(host, port)
  local ok, err = self.sock:connect(host, port)
  if not ok then return nil, err end
  self.host = self.host or host
  if self.before then
    ok, err = self.before(self.sock)
    if not ok then
      self.sock:close()
      return nil, err
    end
    if ok ~= true then self.host = ok end
  end
  if self.later then return 1 end
  return self:starttls()
end

-- adopt(sock): another socket of the same factory (its context, its server name) around
-- a TCP socket connected some other way (an FTP data connection the server opened).
function upgradable:adopt(sock)
  return setmetatable({ sock = sock, cfg = self.cfg, shared = self.shared, later = true,
    host = self.host }, upgradable_mt)
end

-- tcp(params [, later [, before]]) -> create: makes sockets that speak TLS with the
-- fields of `params` named in FIELDS (a request or mail table will do; `sni` names the
-- server, else the host given to connect). The handshake happens at connect, or with
-- `later` only when starttls() is called (SMTP's STARTTLS, FTP's AUTH TLS). `before(sock)`
-- runs on the connected TCP socket first (an HTTP proxy's CONNECT) and returns true, or
-- the host name to check instead, or nil and why.
function _M.tcp(params, later, before)
  local cfg = { mode = "client" }
  for _, name in ipairs(_M.FIELDS) do cfg[name] = (params or {})[name] end
  local shared = {}
  return function()
    local sock, err = socket.tcp()
    if not sock then return nil, err end
    return setmetatable({ sock = sock, cfg = cfg, shared = shared, later = later,
      before = before }, upgradable_mt)
  end
end

-- luasec(): from now on `require "ssl"` gives this module with LuaSec's defaults (no
-- verification unless `verify` asks; the chain only, never the name, unless
-- `checkhost = true`), so LuaSec code runs unchanged, and `require "ssl.https"` gives
-- socket.ssl.https (which verifies), from when it is first required. Works whether LuaSec is installed or not; returns
-- the module `require "ssl"` now gives.
local as_luasec
function _M.luasec()
  if not as_luasec then
    as_luasec = {}
    for k, v in pairs(_M) do as_luasec[k] = v end
    as_luasec.newcontext = function(cfg) return core.newcontext(cfg, true) end
    as_luasec.wrap = function(sock, cfg) return wrap(sock, cfg, true) end
  end
  package.loaded["ssl"] = as_luasec
  -- Loaded when first required: it loads socket.http, which copas (on Lua 5.1) wants
  -- to come after itself.
  package.loaded["ssl.https"] = nil
  package.preload["ssl.https"] = function() return require("socket.ssl.https") end
  return as_luasec
end

return _M
