-- The socket module table: constants, time functions, skip, protect/newtry/try, choose,
-- the connect/bind helpers, dns.getaddrinfo and select.

local socket = require("socket")
local h = require("helpers")

describe("socket module", function()
  it("is our build, not a system LuaSocket", function()
    -- package.searchpath exists on 5.2+ and LuaJIT; on 5.1 the cpath itself tells.
    local searchpath = rawget(package, "searchpath")
    local found = searchpath and searchpath("socket.core", package.cpath) or package.cpath
    assert.truthy(found:find("dist/", 1, true), found)
    assert.falsy(found:find("^/usr/"), found)
    assert.equal(socket, require("socket.core"))
  end)

  it("has LuaSocket's constants", function()
    assert.equal("LuaSocket 3.1.0", socket._VERSION)
    assert.equal(-1, socket._SOCKETINVALID)
    assert.equal(8192, socket._DATAGRAMSIZE)
    assert.equal("number", type(socket._SETSIZE))
    assert.truthy(socket._SETSIZE >= 1024)
    assert.equal(2048, socket.BLOCKSIZE)
  end)

  it("gettime is epoch seconds with sub-second precision", function()
    local t = socket.gettime()
    assert.truthy(t > 1.6e9 and t < 4e9)
    assert.truthy(math.abs(t - os.time()) < 2)
  end)

  it("sleep waits and tolerates odd values", function()
    local t0 = socket.gettime()
    socket.sleep(0.05)
    assert.truthy(socket.gettime() - t0 >= 0.045)
    socket.sleep(-1)
    socket.sleep(0 / 0)
    socket.sleep(0)
    assert.error_matches(function() socket.sleep("x") end, "number expected")
    assert.error_matches(function() socket.sleep() end, "number expected")
  end)

  it("skip drops leading values", function()
    assert.same({ "b", "c" }, { socket.skip(1, "a", "b", "c") })
    assert.same({ "c" }, { socket.skip(2, "a", "b", "c") })
    assert.equal(0, select("#", socket.skip(5, "a")))
    assert.equal(0, select("#", socket.skip(0)))
    assert.same({ -1, "a" }, { socket.skip(-1, "a") })
    assert.same({ -1000, "a" }, { socket.skip(-1000, "a") })
    assert.error_matches(function() socket.skip("x") end, "number expected")
  end)

  describe("protect, newtry, try", function()
    it("turn try failures into nil, message", function()
      local f = socket.protect(function(x)
        local v = socket.try(x, "failed here")
        return v * 2, "more"
      end)
      assert.same({ 42, "more" }, { f(21) })
      local a, b = f(nil)
      assert.is_nil(a)
      assert.equal("failed here", b)
    end)

    it("run the finalizer before raising", function()
      local finalized = false
      local try = socket.newtry(function() finalized = true end)
      local f = socket.protect(function() try(false, "oops") end)
      assert.same({ nil, "oops" }, { f() })
      assert.truthy(finalized)
    end)

    it("let other errors through untouched", function()
      local f = socket.protect(function() error("real error", 0) end)
      assert.error_matches(f, "^real error$")
      local tbl = {}
      local g = socket.protect(function() error(tbl) end)
      local ok, e = pcall(g)
      assert.is_false(ok)
      assert.equal(tbl, e)
    end)

    it("pass every value through when the first is true", function()
      assert.same({ 1, 2, 3 }, { socket.try(1, 2, 3) })
    end)

    it("let the protected function yield", function()
      local f = socket.protect(function(a)
        local b = coroutine.yield(a + 1)
        local v = socket.try(b > 0 and b, "negative")
        return v * 10
      end)
      local co = coroutine.wrap(f)
      assert.equal(2, co(1))
      assert.equal(50, co(5))
      local co2 = coroutine.wrap(f)
      co2(1)
      assert.same({ nil, "negative" }, { co2(-1) })
    end)

    it("are plain fields callers may replace", function()
      local saved = socket.protect
      socket.protect = function(f) return f end
      assert.equal("function", type(socket.protect))
      socket.protect = saved
    end)
  end)

  it("choose dispatches on a name", function()
    local f = socket.choose({
      a = function(x) return "a" .. x end,
      default = function(x) return "d" .. tostring(x) end,
    })
    assert.equal("a1", f("a", 1))
    assert.equal("d5", f(5))
    assert.error_matches(function() f("nope") end, "unknown key %(nope%)")
  end)

  it("bind and connect helpers", function()
    local srv = assert(socket.bind("127.0.0.1", 0))
    assert.equal("tcp{server}", srv.class)
    local _, port = srv:getsockname()
    local c = assert(socket.connect4("127.0.0.1", port))
    assert.equal("inet4", c:getfamily())
    local a = assert(srv:accept())
    h.close(c, a, srv)
    local c2, err = socket.connect6("127.0.0.1", port)
    assert.is_nil(c2)
    assert.equal("string", type(err))
  end)

  it("connect takes a local address and reports failures", function()
    local srv, port = h.server()
    local c = assert(socket.connect("127.0.0.1", port, "127.0.0.1", 0))
    assert.equal("127.0.0.1", (c:getsockname()))
    h.close(c, srv)
    local none, err = socket.connect("127.0.0.1", h.dead_port())
    assert.is_nil(none)
    assert.equal("connection refused", err)
    assert.error_matches(function() socket.connect("127.0.0.1", 80, nil, nil, "bogus") end, "invalid option 'bogus'")
    assert.error_matches(function() socket.connect() end, "string expected, got no value")
  end)

  it("dns.getaddrinfo and gethostname", function()
    local r = assert(socket.dns.getaddrinfo("127.0.0.1"))
    assert.same({ family = "inet", addr = "127.0.0.1" }, r[1])
    local hn = assert(socket.dns.gethostname())
    assert.equal("string", type(hn))
    local none, err = socket.dns.getaddrinfo("no-such-host.invalid")
    assert.is_nil(none)
    assert.equal("string", type(err))
  end)

  describe("select", function()
    it("reports readable sockets in both index and key form", function()
      local c, a, srv = h.pair()
      local r, w, e = socket.select({ a, c }, nil, 0)
      assert.equal(0, #r)
      assert.equal("timeout", e)
      assert.same({}, w)
      c:send("x\n")
      r, w, e = socket.select({ a, c }, { c }, 1)
      assert.is_nil(e)
      assert.equal(a, r[1])
      assert.equal(1, r[a])
      assert.equal(c, w[1])
      assert.equal(1, w[c])
      h.close(c, a, srv)
    end)

    it("returns dirty readers at once", function()
      local c, a, srv = h.pair()
      c:send("one\ntwo\n")
      assert.equal("one", a:receive())
      assert.is_true(a:dirty())
      local t0 = socket.gettime()
      local r = socket.select({ a }, nil, 5)
      assert.equal(a, r[1])
      assert.truthy(socket.gettime() - t0 < 1)
      h.close(c, a, srv)
    end)

    it("accepts wrappers with getfd and dirty, and skips invalid ones", function()
      local c, a, srv = h.pair()
      c:send("x")
      local wrapper = {
        getfd = function() return a:getfd() end,
        dirty = function() return false end,
      }
      local closed = socket.tcp()
      local weird = { getfd = function() return -5 end }
      local nofd = {}
      local r = socket.select({ wrapper, closed, weird, nofd }, nil, 1)
      assert.equal(wrapper, r[1])
      assert.is_nil(r[2])
      h.close(c, a, srv, closed)
    end)

    it("walks integer keys 1..n only", function()
      local c, a, srv = h.pair()
      c:send("x")
      local r = socket.select({ [2] = a, x = a }, nil, 0)
      assert.same({}, r)
      h.close(c, a, srv)
    end)

    it("sleeps with no sockets and times out", function()
      local t0 = socket.gettime()
      local r, w, e = socket.select(nil, nil, 0.05)
      assert.truthy(socket.gettime() - t0 >= 0.04)
      assert.same({}, r)
      assert.same({}, w)
      assert.equal("timeout", e)
    end)

    it("rejects bad arguments clearly", function()
      assert.error_matches(function() socket.select(5) end, "table expected, got number")
      assert.error_matches(function() socket.select({}, {}, "x") end, "number expected")
      local broken = { getfd = function() error("broken getfd") end }
      assert.error_matches(function() socket.select({ broken }, nil, 0) end, "broken getfd")
      local odd = setmetatable({}, { __index = function() error("no index") end })
      assert.error_matches(function() socket.select(odd, nil, 0) end, "no index")
      local nan = { getfd = function() return 0 / 0 end }
      local huge = { getfd = function() return 1e300 end }
      local _, _, e = socket.select({ nan, huge }, nil, 0)
      assert.equal("timeout", e)
    end)
  end)

  describe("sources and sinks", function()
    it("sink sends and source reads by length", function()
      local c, a, srv = h.pair()
      local sink = socket.sink("keep-open", c)
      assert.truthy(sink("hello "))
      assert.truthy(sink("world"))
      assert.equal(1, sink(nil))
      local src = socket.source("by-length", a, 11)
      local parts = {}
      for chunk in src do parts[#parts + 1] = chunk end
      assert.equal("hello world", table.concat(parts))
      assert.equal(c:getfd(), sink.getfd())
      local close_sink = socket.sink("close-when-done", c)
      close_sink("bye")
      close_sink(nil)
      assert.equal(-1, c:getfd())
      local all = socket.source("until-closed", a)
      local got = {}
      for chunk in all do got[#got + 1] = chunk end
      assert.equal("bye", table.concat(got))
      h.close(a, srv)
    end)
  end)
end)
