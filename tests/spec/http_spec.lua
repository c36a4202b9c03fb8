-- socket.http against a real nginx (started here on ephemeral loopback ports).

local socket = require("socket")
local http = require("socket.http")
local ltn12 = require("ltn12")
local servers = require("servers")
local helpers = require("helpers")

local srv, why = servers.nginx()

local function need_server()
  if not srv then
    pending("nginx: " .. tostring(why))
    return false
  end
  return true
end

describe("socket.http against nginx", function()
  it("has LuaSocket's fields", function()
    assert.equal(60, http.TIMEOUT)
    assert.equal(socket._VERSION, http.USERAGENT)
    assert.equal(80, http.SCHEMES.http.port)
    assert.equal(443, http.SCHEMES.https.port)
    assert.equal(http.SCHEMES, http.schemes)
    assert.equal("function", type(http.open))
    assert.equal("function", type(http.genericform))
    assert.equal(socket.http, http)
  end)

  it("gets small and large bodies with the simple form", function()
    if not need_server() then return end
    local body, code, headers, status = http.request(srv.url .. "/small.txt")
    assert.equal(servers.files["small.txt"], body)
    assert.equal(200, code)
    assert.equal(tostring(#body), headers["content-length"])
    assert.equal("HTTP/1.1 200 OK", status)
    local big = http.request(srv.url .. "/big.bin")
    assert.equal(#servers.files["big.bin"], #big)
    assert.equal(servers.files["big.bin"], big)
  end)

  it("uses the table form with a sink, and HEAD has no body", function()
    if not need_server() then return end
    local t = {}
    local r, code, headers = http.request({ url = srv.url .. "/small.txt", sink = ltn12.sink.table(t) })
    assert.equal(1, r)
    assert.equal(200, code)
    assert.equal(servers.files["small.txt"], table.concat(t))
    assert.equal("application/octet-stream", headers["content-type"])
    t = {}
    r, code, headers = http.request({ url = srv.url .. "/small.txt", method = "HEAD",
      sink = ltn12.sink.table(t) })
    assert.equal(200, code)
    assert.equal(1, r)
    assert.equal("", table.concat(t))
    assert.equal(tostring(#servers.files["small.txt"]), headers["content-length"])
  end)

  it("reads chunked responses", function()
    if not need_server() then return end
    local body, code, headers = http.request(srv.url .. "/chunked/text.txt")
    assert.equal(200, code)
    assert.equal("chunked", headers["transfer-encoding"])
    assert.equal((servers.files["text.txt"]:gsub("XYZ", "xyz")), body)
  end)

  it("reports errors and 404s", function()
    if not need_server() then return end
    local body, code = http.request(srv.url .. "/missing")
    assert.equal(404, code)
    assert.equal("string", type(body))
    local none, err = http.request("http://127.0.0.1:" .. servers.free_port() .. "/")
    assert.is_nil(none)
    assert.equal("connection refused", err)
    assert.same({ nil, "invalid host 'nil'" }, { http.request("http:///x") })
  end)

  it("follows redirects with LuaSocket's method rules", function()
    if not need_server() then return end
    for _, code in ipairs({ 301, 302, 303, 307, 308 }) do
      local body, c, headers = http.request(srv.url .. "/r" .. code)
      assert.equal(servers.files["small.txt"], body, code)
      assert.equal(200, c)
      assert.truthy(headers.location:find("/small.txt$"), headers.location)
    end
    -- 303 turns POST into GET; 307 keeps POST and is not followed (as C LuaSocket).
    local body, c = http.request(srv.url .. "/r303", "a=1")
    assert.equal(200, c)
    assert.equal(servers.files["small.txt"], body)
    local _, c307, h307 = http.request(srv.url .. "/r307", "a=1")
    assert.equal(307, c307)
    assert.truthy(h307.location:find("/small.txt$"))
    local r, c2, h2 = http.request({ url = srv.url .. "/r301", redirect = false })
    assert.equal(1, r)
    assert.equal(301, c2)
    assert.truthy(h2.location:find("/small.txt", 1, true))
    local _, c3 = http.request(srv.url .. "/loop")
    assert.equal(302, c3)
    local _, c4 = http.request({ url = srv.url .. "/loop", maxredirects = 2 })
    assert.equal(302, c4)
    assert.equal(servers.files["small.txt"], (http.request(srv.url .. "/absolute")))
  end)

  it("sends Authorization from the URL's userinfo (escapes decoded)", function()
    if not need_server() then return end
    local _, code = http.request(srv.url .. "/private/secret.txt")
    assert.equal(401, code)
    local u = srv.url:gsub("//", "//user:p%%40ss%%2Fw%%3Frd@") .. "/private/secret.txt"
    local body, code2 = http.request(u)
    assert.equal(200, code2)
    assert.equal("the secret\n", body)
  end)

  it("posts forms and sends bodies with a length or chunked", function()
    if not need_server() then return end
    local body, code = http.request(srv.url .. "/echo", "a=1&b=2")
    assert.equal(200, code)
    assert.equal("POST:a=1&b=2", body)
    local data = string.rep("payload ", 20000)
    local r, c = http.request({
      url = srv.url .. "/dav/sized.txt", method = "PUT",
      source = ltn12.source.string(data),
      headers = { ["content-length"] = #data },
    })
    assert.equal(1, r)
    assert.equal(201, c)
    assert.equal(data, (http.request(srv.url .. "/dav/sized.txt")))
    r, c = http.request({
      url = srv.url .. "/dav/chunked.txt", method = "PUT",
      source = ltn12.source.string(data), step = ltn12.pump.step,
    })
    assert.equal(1, r)
    assert.equal(201, c)
    assert.equal(data, (http.request(srv.url .. "/dav/chunked.txt")))
  end)

  it("sends custom headers and refuses CR or LF in them", function()
    if not need_server() then return end
    local t = {}
    local _, code = http.request({
      url = srv.url .. "/headers", sink = ltn12.sink.table(t),
      headers = { ["X-Custom"] = "yes", ["user-agent"] = "spec" },
    })
    assert.equal(200, code)
    assert.equal("spec|yes|", table.concat(t))
    local r, err = http.request({ url = srv.url .. "/headers",
      headers = { ["X-Evil"] = "a\r\nInjected: 1" } })
    assert.is_nil(r)
    assert.matches("CR or LF", err)
    r, err = http.request({ url = srv.url .. "/headers", method = "GET /x HTTP/1.0\r\n" })
    assert.is_nil(r)
    assert.matches("CR or LF", err)
  end)

  it("goes through a proxy", function()
    if not need_server() then return end
    local t = {}
    local _, code, headers = http.request({
      url = srv.url .. "/small.txt", sink = ltn12.sink.table(t),
      proxy = "http://127.0.0.1:" .. srv.proxy_port,
    })
    assert.equal(200, code)
    assert.equal("yes", headers["x-proxied"])
    assert.equal(servers.files["small.txt"], table.concat(t))
  end)

  it("takes a create function for its socket", function()
    if not need_server() then return end
    local made = 0
    local t = {}
    local _, code = http.request({
      url = srv.url .. "/small.txt", sink = ltn12.sink.table(t),
      create = function()
        made = made + 1
        return socket.tcp()
      end,
    })
    assert.equal(200, code)
    assert.equal(1, made)
  end)

  it("low-level http.open", function()
    if not need_server() then return end
    local h = http.open("127.0.0.1", srv.port)
    h:sendrequestline("GET", "/small.txt")
    h:sendheaders({ host = "127.0.0.1", connection = "close" })
    local code, status = h:receivestatusline()
    assert.equal(200, code)
    assert.equal("HTTP/1.1 200 OK", status)
    local headers = h:receiveheaders()
    local t = {}
    h:receivebody(headers, (ltn12.sink.table(t)))
    h:close()
    assert.equal(servers.files["small.txt"], table.concat(t))
  end)
end)

describe("chunked transfer coding filters", function()
  it("encode and decode through LTN12 at any chunking", function()
    local data = {}
    for i = 1, 50 do data[i] = string.rep(string.char(64 + i % 26), i * 7) end
    local whole = table.concat(data)
    local encoded = {}
    assert(ltn12.pump.all(ltn12.source.table(data),
      ltn12.sink.chain(http.encodechunked(), (ltn12.sink.table(encoded)))))
    local framed = table.concat(encoded)
    assert.equal("0\r\n\r\n", framed:sub(-5))
    for _, size in ipairs({ 1, 3, 7, 64, 1000 }) do
      local pieces = {}
      for i = 1, #framed, size do pieces[#pieces + 1] = framed:sub(i, i + size - 1) end
      local out = {}
      assert(ltn12.pump.all(ltn12.source.chain(ltn12.source.table(pieces), http.decodechunked()),
        (ltn12.sink.table(out))))
      assert.equal(whole, table.concat(out), size)
    end
    local bad = ltn12.source.chain(ltn12.source.string("zz\r\n"), http.decodechunked())
    assert.error_matches(function() bad() end, "invalid chunk size")
    local short = ltn12.source.chain(ltn12.source.string("5\r\nab"), http.decodechunked())
    assert.error_matches(function() ltn12.pump.all(short, ltn12.sink.null()) end, "ended early")
  end)
end)

describe("socket.http over https", function()
  it("uses LuaSec's ssl.https where socket.ssl is not installed, never back to http", function()
    if not need_server() then return end
    helpers.system_modules()
    local ok = pcall(require, "ssl.https")
    if not ok then return pending("LuaSec is not installed for " .. _VERSION) end
    -- An install without socket/ssl/core.so: socket.ssl.https cannot load.
    local saved = package.loaded["socket.ssl.https"]
    package.loaded["socket.ssl.https"] = nil
    package.preload["socket.ssl.https"] = function() error("no TLS in this install") end
    local body, code = http.request("https://127.0.0.1:" .. srv.ssl_port .. "/small.txt")
    package.preload["socket.ssl.https"] = nil
    package.loaded["socket.ssl.https"] = saved
    assert.equal(200, code, body)
    assert.equal(servers.files["small.txt"], body)
    -- It was LuaSec's: ours would have refused the throwaway CA without cafile.
    local _, c2, h2 = http.request({ url = "https://127.0.0.1:" .. srv.ssl_port .. "/to-http",
      cafile = srv.ca, sink = ltn12.sink.null() })
    assert.equal(302, c2)
    assert.truthy(h2.location:find("^http://"))
    local out = {}
    local _, c3 = http.request({ url = srv.url .. "/to-https", cafile = srv.ca,
      sink = ltn12.sink.table(out) })
    assert.equal(200, c3)
    assert.equal(servers.files["small.txt"], table.concat(out))
  end)
end)

if srv then srv.stop() end
