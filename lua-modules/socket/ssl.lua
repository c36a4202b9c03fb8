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

local type = type

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

-- newcontext(params) -> context | nil, message
_M.newcontext = core.newcontext

-- wrap(sock, params_or_context) -> connection | nil, message. The connection owns the
-- descriptor from then on and keeps the socket's timeout; `sock` is left with none.
function _M.wrap(sock, cfg)
  local ctx = cfg
  if type(cfg) == "table" then
    local err
    ctx, err = core.newcontext(cfg)
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

-- luasec(): from now on `require "ssl"` gives this module and `require "ssl.https"`
-- socket.ssl.https, whether LuaSec is installed or not. Returns this module.
function _M.luasec()
  package.loaded["ssl"] = _M
  package.loaded["ssl.https"] = require("socket.ssl.https")
  return _M
end

return _M
