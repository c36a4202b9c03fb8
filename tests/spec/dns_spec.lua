-- socket.dns and name resolution inside connect/bind.

local socket = require("socket")
local h = require("helpers")

local dns = socket.dns

describe("socket.dns", function()
  it("toip and tohostname return the address or name and a resolved table", function()
    local ip, info = dns.toip("localhost")
    assert.equal("127.0.0.1", ip)
    assert.equal("table", type(info))
    assert.equal("string", type(info.name))
    assert.equal("table", type(info.alias))
    assert.equal("127.0.0.1", info.ip[1])
    local name, rinfo = dns.tohostname("127.0.0.1")
    assert.equal("string", type(name))
    assert.equal(name, rinfo.name)
    assert.equal("127.0.0.1", rinfo.ip[1])
    assert.equal("127.0.0.1", (dns.toip("127.0.0.1")))
  end)

  it("toip and tohostname fail with 'host not found'", function()
    assert.same({ nil, "host not found" }, { dns.toip("no-such-host.invalid") })
    assert.same({ nil, "host not found" }, { dns.tohostname("no-such-host.invalid") })
    assert.error_matches(function() dns.toip() end, "string expected")
  end)

  it("getaddrinfo lists families and numeric addresses", function()
    local list = assert(dns.getaddrinfo("localhost"))
    assert.truthy(#list >= 1)
    local seen = false
    for _, a in ipairs(list) do
      assert.truthy(a.family == "inet" or a.family == "inet6")
      if a.addr == "127.0.0.1" then seen = true end
    end
    assert.is_true(seen)
    local none, err = dns.getaddrinfo("no-such-host.invalid")
    assert.is_nil(none)
    assert.equal("string", type(err))
  end)

  it("getnameinfo names hosts and services", function()
    local names, serv = dns.getnameinfo("127.0.0.1", "80")
    assert.equal("table", type(names))
    assert.equal("string", type(names[1]))
    -- The name where /etc/services has one (Debian's netbase), else the number.
    assert.truthy(serv == "http" or serv == "80", serv)
    local only = dns.getnameinfo("127.0.0.1")
    assert.equal("table", type(only))
    local empty, s2 = dns.getnameinfo(nil, "443")
    assert.same({}, empty)
    assert.truthy(s2 == "https" or s2 == "443", s2)
    assert.error_matches(function() dns.getnameinfo() end, "host and serv cannot be both nil")
    assert.same({ nil, "host or service not provided, or not known" },
      { dns.getnameinfo("no-such-host.invalid") })
  end)

  it("gethostname is a string", function()
    assert.equal("string", type(dns.gethostname()))
  end)
end)

describe("resolution inside connect and bind", function()
  it("resolves names under a timeout (on a helper thread)", function()
    local srv, port = h.server()
    local c = socket.tcp()
    c:settimeout(2)
    assert.equal(1, c:connect("localhost", port))
    local u = socket.udp()
    u:settimeout(2)
    assert.equal(1, u:setsockname("localhost", 0))
    assert.equal(1, u:setpeername("localhost", port))
    local ok, err = socket.tcp():connect("no-such-host.invalid", port)
    assert.is_nil(ok)
    assert.equal("string", type(err))
    h.close(srv, c, u)
  end)

  it("lets a non-blocking caller connect by name with select", function()
    local srv, port = h.server()
    local c = socket.tcp()
    c:settimeout(0)
    local ok, err = c:connect("localhost", port)
    local rounds = 0
    while not ok and err ~= "already connected" do
      assert.truthy(err == "timeout" or err == "Operation already in progress", err)
      local _, w = socket.select(nil, { c }, 5)
      assert.equal(c, w[1])
      ok, err = c:connect("localhost", port)
      rounds = rounds + 1
      assert.truthy(rounds < 20)
    end
    srv:settimeout(5)
    local a = assert(srv:accept())
    assert.equal("127.0.0.1", (c:getpeername()))
    h.close(srv, c, a)
  end)

  it("moves past a refusing address to the next one", function()
    local list = dns.getaddrinfo("localhost")
    if #list < 2 then
      return pending("localhost has a single address here")
    end
    -- Listen on the address the resolver gives last, so every earlier one refuses.
    local last = list[#list]
    local srv = last.family == "inet6" and socket.tcp6() or socket.tcp4()
    assert(srv:bind(last.addr, 0))
    assert(srv:listen())
    local _, port = srv:getsockname()
    for _, timeout in ipairs({ 2, 0 }) do
      local c = socket.tcp()
      c:settimeout(timeout)
      local ok, err = c:connect("localhost", port)
      local rounds = 0
      while not ok and err ~= "already connected" do
        socket.select(nil, { c }, 1)
        ok, err = c:connect("localhost", port)
        rounds = rounds + 1
        assert.truthy(rounds < 20, err)
      end
      assert.equal(last.addr, (c:getpeername()))
      c:close()
    end
    srv:close()
  end)
end)
