-- IPv6: tcp6 and the family-agnostic helpers, on ::1 where the host has it.

local socket = require("socket")
local h = require("helpers")

-- A TCP server on ::1, or nil where the host has no IPv6 loopback.
local function server6()
  local srv = socket.tcp6()
  if not srv or not srv:bind("::1", 0) then
    if srv then srv:close() end
    return nil
  end
  assert(srv:listen())
  local _, port = srv:getsockname()
  srv:settimeout(5)
  return srv, port
end

describe("IPv6", function()
  it("tcp6 listens, connects and reports inet6 addresses", function()
    local srv, port = server6()
    if not srv then return pending("no ::1 on this host") end
    assert.is_true(srv:getoption("ipv6-v6only"))
    local c = assert(socket.connect("::1", port))
    local a = assert(srv:accept())
    assert.equal("inet6", c:getfamily())
    local ip, p, family = c:getpeername()
    assert.same({ "::1", port, "inet6" }, { ip, p, family })
    assert.equal("inet6", select(3, a:getsockname()))
    c:settimeout(5)
    a:settimeout(5)
    assert(c:send("six\n"))
    assert.equal("six", a:receive())
    h.close(c, a, srv)
  end)

  it("connect6 and connect4 pick their family; connect tries every address", function()
    local srv, port = server6()
    if not srv then return pending("no ::1 on this host") end
    local c6 = assert(socket.connect6("::1", port))
    assert.equal("inet6", c6:getfamily())
    local none, err = socket.connect4("::1", port)
    assert.is_nil(none)
    assert.equal("string", type(err))
    local a = assert(srv:accept())
    h.close(c6, a, srv)
  end)

  it("socket.bind serves IPv6 and a v6-only socket refuses IPv4", function()
    local srv = socket.bind("::1", 0)
    if not srv then return pending("no ::1 on this host") end
    local _, port = srv:getsockname()
    local c = assert(socket.connect("::1", port))
    srv:settimeout(5)
    local a = assert(srv:accept())
    h.close(c, a)
    local none = socket.connect("127.0.0.1", port)
    assert.is_nil(none)
    srv:close()
  end)
end)
