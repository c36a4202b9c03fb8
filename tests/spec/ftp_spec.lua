-- socket.ftp against a real FTP server (pyftpdlib, started here).

local socket = require("socket")
local ftp = require("socket.ftp")
local ltn12 = require("ltn12")
local servers = require("servers")

local srv, why = servers.ftp()

local function need_server()
  if not srv then
    pending("FTP server: " .. tostring(why))
    return false
  end
  return true
end

local function base()
  return "ftp://user:secret@127.0.0.1:" .. srv.port
end

describe("socket.ftp", function()
  it("has LuaSocket's fields", function()
    assert.equal(60, ftp.TIMEOUT)
    assert.equal("ftp", ftp.USER)
    assert.equal("function", type(ftp.open))
    assert.equal(socket.ftp, ftp)
  end)

  it("puts and gets with the string forms", function()
    if not need_server() then return end
    local data = string.rep("ftp data\r\n", 5000)
    local sent, err = ftp.put(base() .. "/file.txt;type=i", data)
    assert.equal(#data, sent, err)
    assert.equal(data, servers.read(srv.root .. "/file.txt"))
    local got, gerr = ftp.get(base() .. "/file.txt;type=i")
    assert.equal(data, got, gerr)
  end)

  it("uses the table forms, create for both connections, and PASV fallback", function()
    if not need_server() then return end
    local made = 0
    local function create()
      made = made + 1
      return socket.tcp()
    end
    local r, err = ftp.put({
      host = "127.0.0.1", port = srv.port, user = "user", password = "secret",
      path = "/table.bin", type = "i", create = create,
      source = ltn12.source.string("\0\1\2binary\255"),
    })
    assert.equal(10, r, err)
    assert.equal(2, made) -- control and data
    local t = {}
    r, err = ftp.get({
      host = "127.0.0.1", port = srv.port, user = "user", password = "secret",
      path = "/table.bin", type = "i", sink = ltn12.sink.table(t), passive = "pasv",
    })
    assert.equal(1, r, err)
    assert.equal("\0\1\2binary\255", table.concat(t))
  end)

  it("works in active mode (PORT)", function()
    if not need_server() then return end
    local t = {}
    local r, err = ftp.get({
      url = base() .. "/file.txt", type = "a", sink = ltn12.sink.table(t), active = true,
    })
    assert.equal(1, r, err)
    assert.equal(#servers.read(srv.root .. "/file.txt"), #table.concat(t))
  end)

  it("runs commands and lists directories", function()
    if not need_server() then return end
    local r, err = ftp.command({ url = base(), command = "mkd", argument = "newdir", check = 257 })
    assert.equal(1, r, err)
    local listing = ftp.get({ url = base() .. "/", command = "nlst", sink = ltn12.sink.null() })
    assert.equal(1, listing)
    local t = {}
    assert.equal(1, ftp.get({ url = base() .. "/", command = "nlst", sink = ltn12.sink.table(t) }))
    assert.truthy(table.concat(t):find("newdir", 1, true))
    r = ftp.command({ url = base(), command = { "cwd", "rmd" }, argument = { "/", "newdir" },
      check = { 250, 250 } })
    assert.equal(1, r)
  end)

  it("reports failures", function()
    if not need_server() then return end
    local none, err = ftp.get(base() .. "/missing.txt")
    assert.is_nil(none)
    assert.matches("^550", err)
    none, err = ftp.get("ftp://user:wrong@127.0.0.1:" .. srv.port .. "/file.txt")
    assert.is_nil(none)
    assert.matches("^530", err)
    assert.same({ nil, "wrong scheme 'http'" }, { ftp.get("http://127.0.0.1/") })
    assert.same({ nil, "invalid type 'x'" }, { ftp.get(base() .. "/f;type=x") })
    none, err = ftp.get("ftp://127.0.0.1:" .. servers.free_port() .. "/x")
    assert.is_nil(none)
    assert.equal("connection refused", err)
  end)
end)

if srv then srv.stop() end

describe("socket.ftp over TLS (explicit FTPS)", function()
  local ftps
  after_each(function()
    if ftps then ftps.stop() end
    ftps = nil
  end)

  it("puts and gets through AUTH TLS with TLS data connections, passive and active", function()
    local why_not
    ftps, why_not = servers.ftps()
    if not ftps then return pending(why_not) end
    local url = "ftp://user:secret@127.0.0.1:" .. ftps.port
    local body = string.rep("0123456789abcdef", 40000) -- 640 KB
    assert.equal(#body, (ftp.put({ url = url .. "/up.bin", tls = true, cafile = ftps.ca,
      sni = "localhost", source = ltn12.source.string(body) })))
    local stored = servers.read(ftps.root .. "/up.bin")
    assert.equal(#body, #stored)
    assert.truthy(stored == body)
    local out = {}
    assert.equal(1, (ftp.get({ url = url .. "/up.bin", tls = "explicit", cafile = ftps.ca,
      sink = ltn12.sink.table(out) })))
    assert.equal(#body, #table.concat(out))
    assert.truthy(table.concat(out) == body)
    -- Active mode: the server opens the data connection and is its TLS server.
    out = {}
    assert.equal(1, (ftp.get({ url = url .. "/up.bin", tls = true, cafile = ftps.ca,
      active = true, sink = ltn12.sink.table(out) })))
    assert.equal(#body, #table.concat(out))
    assert.truthy(table.concat(out) == body)
  end)

  it("verifies the server, and without tls is refused by a server that requires it", function()
    local why_not
    ftps, why_not = servers.ftps()
    if not ftps then return pending(why_not) end
    local url = "ftp://user:secret@127.0.0.1:" .. ftps.port
    assert.same({ nil, "certificate verify failed: unable to get local issuer certificate" },
      { ftp.get({ url = url .. "/x", tls = true, sink = ltn12.sink.null() }) })
    local r, err = ftp.get({ url = url .. "/x", sink = ltn12.sink.null() })
    assert.is_nil(r)
    assert.truthy(tostring(err):find("SSL/TLS required", 1, true), err)
    assert.same({ nil, "invalid tls 'implicit' (explicit or true)" },
      { ftp.get({ url = url .. "/x", tls = "implicit", sink = ltn12.sink.null() }) })
  end)
end)
