-- socket.select beyond FD_SETSIZE and over every kind of object.

local socket = require("socket")
local h = require("helpers")

describe("select at scale", function()
  it("watches 2,000 live sockets and reports exactly the ready ones", function()
    if socket._SETSIZE < 2100 then
      return pending("descriptor limit " .. socket._SETSIZE .. " is below 2,100")
    end
    local clients, peers, srv = h.pairs(1000)
    local all = {}
    for i = 1, 1000 do
      all[#all + 1] = clients[i]
      all[#all + 1] = peers[i]
    end
    assert.equal(2000, #all)
    local highest = 0
    for _, s in ipairs(all) do highest = math.max(highest, s:getfd()) end
    assert.truthy(highest >= 1024)
    local r, w, e = socket.select(all, nil, 0)
    assert.equal("timeout", e)
    assert.equal(0, #r)
    assert.same({}, w)
    local chosen = { 1, 500, 999, 1000 }
    for _, i in ipairs(chosen) do clients[i]:send("x") end
    r = socket.select(all, nil, 2)
    -- Every chosen peer is ready; give the last data a moment if the first wake was early.
    local tries = 0
    while #r < #chosen and tries < 10 do
      socket.sleep(0.05)
      r = socket.select(all, nil, 1)
      tries = tries + 1
    end
    assert.equal(#chosen, #r)
    for _, i in ipairs(chosen) do
      assert.truthy(r[peers[i]], "peer " .. i)
    end
    local _, wr = socket.select(nil, all, 1)
    assert.equal(2000, #wr)
    h.close_pairs(clients, peers, srv)
  end)
end)

describe("select over other objects", function()
  it("takes UDP sockets", function()
    local a = socket.udp()
    assert(a:setsockname("127.0.0.1", 0))
    local _, port = a:getsockname()
    local fresh = socket.udp() -- no descriptor yet: skipped
    local r, _, e = socket.select({ a, fresh }, nil, 0)
    assert.equal("timeout", e)
    assert.equal(0, #r)
    local b = socket.udp()
    b:sendto("x", "127.0.0.1", port)
    r = socket.select({ a, fresh }, nil, 2)
    assert.equal(a, r[1])
    assert.equal(1, r[a])
    h.close(a, b, fresh)
  end)

  it("skips closed sockets and returns ready ones in the order passed", function()
    local c, a, srv = h.pair()
    local closed = socket.tcp()
    closed:close()
    c:send("x")
    local r = socket.select({ closed, a }, nil, 2)
    assert.equal(a, r[1])
    assert.is_nil(r[2])
    h.close(c, a, srv)
  end)

  it("counts a socket listed twice once per table", function()
    local c, a, srv = h.pair()
    c:send("x")
    local r, w = socket.select({ a, a }, { c, c }, 2)
    assert.equal(a, r[1])
    assert.equal(c, w[1])
    assert.equal(1, #r)
    assert.equal(1, #w)
    assert.equal(1, r[a])
    -- Dirty (buffered) readers too.
    c:send("yz\n")
    assert.equal("x", a:receive(1))
    assert.truthy(a:dirty())
    r = socket.select({ a, a, a }, nil, 2)
    assert.equal(1, #r)
    -- In both tables: once in each.
    r, w = socket.select({ a }, { a }, 2)
    assert.same({ 1, 1 }, { #r, #w })
    h.close(c, a, srv)
  end)

  it("takes a NaN timeout as zero", function()
    local t0 = socket.gettime()
    local r, w, e = socket.select(nil, nil, 0 / 0)
    assert.same({ {}, {}, "timeout" }, { r, w, e })
    local c, a, srv = h.pair()
    assert.equal("timeout", select(3, socket.select({ a }, nil, 0 / 0)))
    assert.truthy(socket.gettime() - t0 < 1)
    h.close(c, a, srv)
  end)

  it("reports a listening socket with a pending connection as readable", function()
    local srv, port = h.server()
    local none, _, e = socket.select({ srv }, nil, 0)
    assert.equal(0, #none)
    assert.equal("timeout", e)
    local c = socket.connect("127.0.0.1", port)
    local r = socket.select({ srv }, nil, 2)
    assert.equal(srv, r[1])
    h.close(srv, c)
  end)
end)
