-- https in socket.http on our own TLS (socket.ssl.https), against nginx with a throwaway
-- CA, and through tinyproxy's CONNECT tunnel.

local socket = require("socket")
local http = require("socket.http")
local https = require("socket.ssl.https")
local ltn12 = require("ltn12")
local servers = require("servers")

local small = servers.files["small.txt"]

-- A table-form request; the body as a string.
local function get(t)
  local out = {}
  t.sink = ltn12.sink.table(out)
  local ok, code, fields, line = http.request(t)
  return ok and table.concat(out), code, fields, line
end

describe("socket.http over https", function()
  local web
  before_each(function() web = servers.nginx() end)
  after_each(function() if web then web.stop() end end)

  it("verifies the server by default and takes per-request TLS fields", function()
    if not web then return pending("nginx or openssl is not installed") end
    local base = "https://127.0.0.1:" .. web.ssl_port
    -- The system's store does not know the throwaway CA: refused, as LuaSec would not.
    assert.same({ nil, "certificate verify failed: unable to get local issuer certificate" },
      { http.request(base .. "/small.txt") })
    local body, code, fields = get({ url = base .. "/small.txt", cafile = web.ca })
    assert.equal(small, body)
    assert.equal(200, code)
    assert.equal(tostring(#small), fields["content-length"])
    -- The name checked is the URL's host; sni overrides it.
    body = get({ url = "https://localhost:" .. web.ssl_port .. "/small.txt", cafile = web.ca })
    assert.equal(small, body)
    assert.same({ nil, "certificate verify failed: hostname mismatch" },
      { get({ url = base .. "/small.txt", cafile = web.ca, sni = "example.org" }) })
    -- verify = "none" takes anything; protocol and alpn are passed on.
    body = get({ url = base .. "/small.txt", verify = "none", protocol = "tlsv1_2" })
    assert.equal(small, body)
    assert.same({ nil, "protocol 'tlsv1_1' is not supported (TLS 1.2 and 1.3 only)" },
      { get({ url = base .. "/small.txt", cafile = web.ca, protocol = "tlsv1_1" }) })
    -- A 1 MiB body arrives whole.
    body = get({ url = base .. "/big.bin", cafile = web.ca })
    assert.equal(servers.files["big.bin"], body)
  end)

  it("follows redirects into https with the TLS fields, never from https to http", function()
    if not web then return pending("nginx or openssl is not installed") end
    local body, code = get({ url = web.url .. "/to-https", cafile = web.ca })
    assert.equal(200, code)
    assert.equal(small, body)
    local _, down, fields = get({ url = "https://127.0.0.1:" .. web.ssl_port .. "/to-http",
      cafile = web.ca })
    assert.equal(302, down)
    assert.truthy(fields.location:find("^http://"))
  end)

  it("sends the request line and the fields in one write", function()
    if not web then return pending("nginx or openssl is not installed") end
    local sends = {}
    local function counting()
      local sock = socket.tcp()
      return setmetatable({}, { __index = function(_, k)
        return function(_, ...)
          if k == "send" then sends[#sends + 1] = (...) end
          return sock[k](sock, ...)
        end
      end })
    end
    local out = {}
    assert(http.request({ url = web.url .. "/small.txt", create = counting,
      sink = ltn12.sink.table(out) }))
    assert.equal(1, #sends)
    assert.truthy(sends[1]:find("^GET /small.txt HTTP/1.1\r\n.*\r\n\r\n$"))
  end)

  it("has LuaSec's ssl.https shape: request and tcp", function()
    if not web then return pending("nginx or openssl is not installed") end
    assert.same({ nil, "wrong scheme" }, { https.request(web.url .. "/small.txt") })
    local ok, code = https.request({ url = "https://127.0.0.1:" .. web.ssl_port .. "/small.txt",
      cafile = web.ca, sink = ltn12.sink.null() })
    assert.same({ 1, 200 }, { ok, code })
    local out = {}
    assert(http.request({ url = "https://127.0.0.1:" .. web.ssl_port .. "/small.txt",
      create = https.tcp({ cafile = web.ca }), sink = ltn12.sink.table(out) }))
    assert.equal(small, table.concat(out))
  end)
end)

describe("keep-alive (opt-in)", function()
  local web
  before_each(function() web = servers.nginx() end)
  after_each(function()
    http.closeidle()
    if web then web.stop() end
  end)

  -- The connection number nginx served `url` on.
  local function conn(t)
    local body, code = get(t)
    assert.equal(200, code, body)
    return body
  end

  it("is off by default: each request has its own connection, as in C", function()
    if not web then return pending("nginx or openssl is not installed") end
    assert.is_false(http.KEEPALIVE)
    local a = conn({ url = web.url .. "/conn" })
    local b = conn({ url = web.url .. "/conn" })
    assert.truthy(a ~= b, "the same connection twice")
  end)

  it("reuses a connection per destination, http and https, and after a chunked body", function()
    if not web then return pending("nginx or openssl is not installed") end
    local a = conn({ url = web.url .. "/conn", keepalive = true })
    local body = get({ url = web.url .. "/chunked/text.txt", keepalive = true })
    assert.equal(servers.files["text.txt"]:gsub("XYZ", "xyz"), body)
    local b = conn({ url = web.url .. "/conn", keepalive = true })
    assert.equal(a, b)
    local tls = "https://127.0.0.1:" .. web.ssl_port .. "/conn"
    local c = conn({ url = tls, keepalive = true, cafile = web.ca })
    local d = conn({ url = tls, keepalive = true, cafile = web.ca })
    assert.equal(c, d)
    -- Other TLS fields are another destination.
    local e = conn({ url = tls, keepalive = true, verify = "none" })
    assert.truthy(d ~= e, "the same connection twice")
    -- A request without keepalive neither takes nor leaves one.
    local f = conn({ url = web.url .. "/conn" })
    assert.truthy(b ~= f, "the same connection twice")
    assert.equal(b, conn({ url = web.url .. "/conn", keepalive = true }))
  end)

  it("opens a new connection when the server closed the kept one", function()
    if not web then return pending("nginx or openssl is not installed") end
    local a = conn({ url = web.url .. "/conn-short", keepalive = true })
    socket.sleep(1.5)
    local b = conn({ url = web.url .. "/conn-short", keepalive = true })
    assert.truthy(a ~= b, "the same connection twice")
    -- HTTP.KEEPALIVE turns it on for every request.
    http.KEEPALIVE = true
    local ok, c, d = pcall(function()
      return conn({ url = web.url .. "/conn" }), conn({ url = web.url .. "/conn" })
    end)
    http.KEEPALIVE = false
    assert(ok, c)
    assert.equal(c, d)
  end)
end)

describe("https through a proxy", function()
  local web, proxy
  before_each(function()
    web = servers.nginx()
    proxy = servers.tinyproxy(true)
  end)
  after_each(function()
    if web then web.stop() end
    if proxy then proxy.stop() end
  end)

  it("tunnels with CONNECT and gives the proxy its credentials only there", function()
    if not web then return pending("nginx or openssl is not installed") end
    if not proxy then return pending("tinyproxy is not installed") end
    local target = "https://localhost:" .. web.ssl_port .. "/small.txt"
    local authed = "http://user:secret@127.0.0.1:" .. proxy.port
    local body, code = get({ url = target, proxy = authed, cafile = web.ca })
    assert.equal(200, code)
    assert.equal(small, body)
    assert.truthy(proxy.log():find("CONNECT localhost:" .. web.ssl_port, 1, true))
    -- Without credentials the proxy refuses the tunnel.
    local none, err = get({ url = target, proxy = proxy.url, cafile = web.ca })
    assert.is_nil(none)
    assert.truthy(tostring(err):find("^proxy refused the tunnel: HTTP/1.%d 407"), err)
  end)
end)
