-- socket.ssl: TLS connections in LuaSec's shape, on rustls, against nginx with a
-- throwaway CA.

local socket = require("socket")
local ssl = require("socket.ssl")
local servers = require("servers")

local function connect(port)
  local sock = socket.tcp()
  sock:settimeout(5)
  assert(sock:connect("127.0.0.1", port))
  return sock
end

local function get(conn)
  assert(conn:send("GET /small.txt HTTP/1.0\r\nHost: localhost\r\n\r\n"))
  local reply = conn:receive("*a")
  conn:close()
  return reply
end

describe("socket.ssl", function()
  local web
  before_each(function() web = servers.nginx() end)
  after_each(function() if web then web.stop() end end)

  it("verifies the peer against cafile, takes the TCP descriptor, receives with patterns", function()
    if not web then return pending("nginx or openssl is not installed") end
    local sock = connect(web.ssl_port)
    local fd = sock:getfd()
    local conn = assert(ssl.wrap(sock, { mode = "client", cafile = web.ca, alpn = "http/1.1" }))
    assert.equal(socket._SOCKETINVALID, sock:getfd())
    assert.equal(fd, conn:getfd())
    -- Our own class names: LuaSec's ("SSL:Connection") may share the state.
    assert.equal("ssl{connection}", getmetatable(conn).__index.class)
    assert(conn:sni("localhost"))
    assert.same({ true }, { conn:dohandshake() })
    assert.equal("http/1.1", conn:getalpn())
    assert.equal("TLSv1.3", conn:info("protocol"))
    assert(conn:send("GET /small.txt HTTP/1.0\r\nHost: localhost\r\n\r\n"))
    assert.equal("HTTP/1.1 200 OK", conn:receive("*l"))
    local rest = conn:receive("*a")
    assert.truthy(rest:find(servers.files["small.txt"], 1, true))
    conn:close()
  end)

  it("checks the name and refuses what it cannot trust", function()
    if not web then return pending("nginx or openssl is not installed") end
    -- The address is the name checked when no sni() was given; the certificate has it.
    local ok = ssl.wrap(connect(web.ssl_port), { mode = "client", cafile = web.ca })
    assert.same({ true }, { ok:dohandshake() })
    ok:close()
    local wrong = ssl.wrap(connect(web.ssl_port), { mode = "client", cafile = web.ca })
    wrong:sni("example.org")
    assert.same({ false, "certificate verify failed: hostname mismatch" }, { wrong:dohandshake() })
    wrong:close()
    -- Without cafile the system's store is used, which does not know our CA.
    local untrusted = ssl.wrap(connect(web.ssl_port), { mode = "client" })
    assert.same({ false, "certificate verify failed: unable to get local issuer certificate" },
      { untrusted:dohandshake() })
    untrusted:close()
    -- verify = "none" takes anything.
    local blind = ssl.wrap(connect(web.ssl_port), { mode = "client", verify = "none" })
    assert.truthy(get(blind):find("^HTTP/1.1 200"))
  end)

  it("handshakes without blocking under socket.select, as copas drives it", function()
    if not web then return pending("nginx or openssl is not installed") end
    local ctx = assert(ssl.newcontext({ mode = "client", cafile = web.ca, protocol = "tlsv1_2" }))
    local conn = ssl.wrap(connect(web.ssl_port), ctx)
    conn:settimeout(0)
    local rounds = 0
    while true do
      local ok, err = conn:dohandshake()
      if ok then break end
      assert.truthy(err == "wantread" or err == "wantwrite", err)
      rounds = rounds + 1
      assert.truthy(rounds < 1000)
      if err == "wantread" then socket.select({ conn }, nil, 2) else socket.select(nil, { conn }, 2) end
    end
    assert.equal("TLSv1.2", conn:info().protocol)
    conn:settimeout(5)
    assert.truthy(get(conn):find("^HTTP/1.1 200"))
  end)

  it("refuses protocols older than TLS 1.2 with a clear message", function()
    for _, old in ipairs({ "tlsv1", "tlsv1_1", "sslv3" }) do
      assert.same({ nil, "protocol '" .. old .. "' is not supported (TLS 1.2 and 1.3 only)" },
        { ssl.newcontext({ mode = "client", protocol = old }) })
    end
    assert.has_error(function() ssl.wrap(socket.tcp(), 42) end)
  end)
end)
