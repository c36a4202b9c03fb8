-- socket.poll: a lasting interest set (epoll, or poll(2)) in Prosody's util.poll shape,
-- over our sockets, getfd wrappers and descriptor numbers.

local socket = require("socket")
local poll = require("socket.poll")
local h = require("helpers")

-- Every backend this system has: epoll first where there is one.
local backends = { "poll" }
if poll.new("epoll") then table.insert(backends, 1, "epoll") end

-- A wrapper object as LuaSec and copas make them: a table with getfd and dirty.
local function wrap(sock)
  return {
    sock = sock,
    getfd = function(self) return self.sock:getfd() end,
    dirty = function(self) return self.sock:dirty() end,
  }
end

-- Waits and returns the reports for `want` distinct objects (or what came before a
-- timeout), as a set object -> {readable, writable}.
local function gather(p, want, timeout)
  local got, n = {}, 0
  local deadline = socket.gettime() + (timeout or 5)
  while n < want do
    local left = deadline - socket.gettime()
    if left <= 0 then break end
    local obj, r, w = p:wait(left)
    if obj == nil then break end
    if not got[obj] then n = n + 1 end
    got[obj] = { r, w }
  end
  return got, n
end

for _, backend in ipairs(backends) do
  describe("socket.poll on " .. backend, function()
    it("reports a listening socket, then its client, and hands back what was added", function()
      local p = assert(poll.new(backend))
      assert.equal(backend, p:backend())
      assert.matches("^poll: 0x%x+$", tostring(p))
      local srv, port = h.server()
      assert.equal(true, p:add(srv, true, false))
      local obj, err = p:wait(0)
      assert.is_nil(obj)
      assert.equal("timeout", err)
      local c = assert(socket.connect("127.0.0.1", port))
      local r, w
      obj, r, w = p:wait(5)
      assert.equal(srv, obj)
      assert.equal(true, r)
      assert.equal(false, w)
      local a = assert(srv:accept())
      assert.equal(true, p:add(a, true, false))
      assert(c:send("ping\n"))
      obj, r = p:wait(5)
      assert.equal(a, obj)
      assert.equal(true, r)
      assert.equal("ping", a:receive())
      assert.equal("timeout", select(2, p:wait(0.01)))
      h.close(c, a, srv)
      p:close()
    end)

    it("refuses an object twice, and set or del of one it does not hold", function()
      local p = assert(poll.new(backend))
      local c, a, srv = h.pair()
      assert(p:add(a, true, false))
      local ok, err, errno = p:add(a, true, true)
      assert.is_nil(ok)
      assert.equal("File exists", err)
      assert.equal(poll.EEXIST, errno)
      -- Another object on the same descriptor: the system refuses it the same way.
      ok, err, errno = p:add(a:getfd(), true, false)
      assert.is_nil(ok)
      assert.equal("File exists", err)
      assert.equal(poll.EEXIST, errno)
      ok, err, errno = p:set(c, true, false)
      assert.is_nil(ok)
      assert.equal("No such file or directory", err)
      assert.equal(poll.ENOENT, errno)
      ok, err = p:del(c)
      assert.is_nil(ok)
      assert.equal("No such file or directory", err)
      assert.equal(true, p:del(a))
      assert.equal(true, p:add(a, true, false))
      h.close(c, a, srv)
    end)

    it("switches directions with set and stops reporting after del", function()
      local p = assert(poll.new(backend))
      local c, a, srv = h.pair()
      assert(p:add(c, false, false))
      assert.equal("timeout", select(2, p:wait(0.01)))
      assert(p:set(c, false, true))
      local obj, r, w = p:wait(5)
      assert.equal(c, obj)
      assert.equal(false, r)
      assert.equal(true, w)
      assert(a:send("x"))
      assert(p:set(c, true, false))
      obj, r, w = p:wait(5)
      assert.equal(c, obj)
      assert.equal(true, r)
      assert.equal(false, w)
      assert(p:del(c))
      assert.equal("timeout", select(2, p:wait(0.01)))
      h.close(c, a, srv)
    end)

    it("reports buffered bytes at once, without waiting on the system", function()
      local p = assert(poll.new(backend))
      local c, a, srv = h.pair()
      assert(c:send("one\ntwo\nthree\n"))
      assert(p:add(a, true, false))
      assert.equal(a, (p:wait(5)))
      assert.equal("one", a:receive())
      assert.truthy(a:dirty())
      -- The system has nothing more to report: only the buffer can make these ready.
      assert.equal(a, (p:wait(0.2)))
      assert.equal("two", a:receive())
      assert.equal(a, (p:wait(0.2)))
      assert.equal("three", a:receive())
      assert.falsy(a:dirty())
      assert.equal("timeout", select(2, p:wait(0.01)))
      -- Bytes left in the buffer before the object was added count too.
      assert(c:send("four\nfive\n"))
      assert(p:del(a))
      assert.equal(true, socket.select({ a }, nil, 5)[a] ~= nil)
      assert.equal("four", a:receive())
      assert(p:add(a, true, false))
      assert.equal(a, (p:wait(0.2)))
      assert.equal("five", a:receive())
      -- Not for an object watched for writing only.
      assert(c:send("six\nseven\n"))
      assert.equal(a, (p:wait(5)))
      assert.equal("six", a:receive())
      assert(p:set(a, false, false))
      assert.equal("timeout", select(2, p:wait(0.01)))
      h.close(c, a, srv)
    end)

    it("takes getfd wrappers and descriptor numbers, and returns each as given", function()
      local p = assert(poll.new(backend))
      local c1, a1, s1 = h.pair()
      local c2, a2, s2 = h.pair()
      local wrapped = wrap(a1)
      local fd = a2:getfd()
      assert(p:add(wrapped, true, false))
      assert(p:add(fd, true, false))
      assert(c1:send("a\nb\n"))
      assert(c2:send("z"))
      local got = gather(p, 2)
      assert.same({ true, false }, got[wrapped])
      assert.same({ true, false }, got[fd])
      assert.equal("a", a1:receive())
      assert.equal("z", a2:receive(1))
      -- The wrapper's dirty() is honoured.
      assert.equal(wrapped, (p:wait(0.2)))
      assert.equal("b", a1:receive())
      assert(p:del(fd))
      assert(p:del(wrapped))
      h.close(c1, a1, s1, c2, a2, s2)
    end)

    it("reports a peer's close as readable", function()
      local p = assert(poll.new(backend))
      local c, a, srv = h.pair()
      assert(p:add(a, true, false))
      c:close()
      local obj, r = p:wait(5)
      assert.equal(a, obj)
      assert.equal(true, r)
      assert.equal("closed", select(2, a:receive()))
      h.close(a, srv)
    end)

    it("survives objects closed while added, and a descriptor number reused", function()
      local p = assert(poll.new(backend))
      local c, a, srv = h.pair()
      assert(p:add(a, true, false))
      local old = a:getfd()
      a:close()
      c:send("late")
      -- epoll forgets a closed descriptor; poll(2) reports it (POLLNVAL) until del.
      local obj, why = p:wait(0.05)
      assert.truthy(obj == a or why == "timeout")
      -- The number comes back for the next socket; it can be added, and only it reports.
      local c2 = assert(socket.connect("127.0.0.1", (select(2, srv:getsockname()))))
      local a2 = assert(srv:accept())
      local ok, err = p:set(a, true, true)
      assert.is_nil(ok)
      assert.equal("Bad file descriptor", err)
      assert.equal(true, p:del(a))
      assert(p:add(a2, true, false))
      if a2:getfd() == old then
        -- del of the closed object must not have dropped the new registration
        assert(c2:send("x"))
        assert.equal(a2, (p:wait(5)))
      end
      assert(c2:send("y"))
      assert.equal(a2, (p:wait(5)))
      h.close(c, c2, a2, srv)
      p:close()
    end)

    it("refuses what is neither socket nor descriptor, and closed descriptors", function()
      local p = assert(poll.new(backend))
      assert.error_matches(function() p:add("x", true) end, "socket or descriptor expected")
      assert.error_matches(function() p:add(nil, true) end, "socket or descriptor expected")
      assert.error_matches(function() p:add({}, true) end, "socket or descriptor expected")
      local ok, err = p:add(socket.tcp(), true, false) -- no descriptor until used
      if ok == nil then assert.equal("Bad file descriptor", err) end
      local c, a, srv = h.pair()
      a:close()
      ok, err = p:add(a, true, false)
      assert.is_nil(ok)
      assert.equal("Bad file descriptor", err)
      h.close(c, srv)
    end)

    it("is collected, with objects added, without closing them", function()
      local c, a, srv = h.pair()
      do
        local p = assert(poll.new(backend))
        assert(p:add(a, true, true))
      end
      collectgarbage()
      collectgarbage()
      assert(c:send("still\n"))
      assert.equal("still", a:receive())
      h.close(c, a, srv)
    end)
  end)
end

describe("socket.poll at scale", function()
  it("waits on 3,000 sockets and reports exactly the 4 that are ready", function()
    if socket._SETSIZE < 3100 then
      return pending("descriptor limit " .. socket._SETSIZE .. " is below 3,100")
    end
    local p = assert(poll.new())
    local clients, peers, srv = h.pairs(1500)
    for i = 1, 1500 do
      assert(p:add(clients[i], true, false))
      assert(p:add(peers[i], true, false))
    end
    assert.equal("timeout", select(2, p:wait(0)))
    local chosen = { 1, 700, 1499, 1500 }
    for _, i in ipairs(chosen) do clients[i]:send("x") end
    local got, n = gather(p, #chosen)
    assert.equal(#chosen, n)
    for _, i in ipairs(chosen) do
      assert.truthy(got[peers[i]], "peer " .. i)
      assert.equal("x", peers[i]:receive(1))
    end
    assert.equal("timeout", select(2, p:wait(0.01)))
    h.close_pairs(clients, peers, srv)
  end)
end)

-- The copas-style loop: coroutines that wait on the poller, resumed by the loop.
describe("examples/poll_echo.lua", function()
  it("runs its coroutine server and clients to the end", function()
    local out = {}
    local saved = print
    _G.print = function(...) out[#out + 1] = table.concat({ ... }, " ") end
    local ok, err = pcall(dofile, "examples/poll_echo.lua")
    _G.print = saved
    assert(ok, err)
    assert.equal("9 lines echoed through socket.poll", out[#out])
  end)
end)
