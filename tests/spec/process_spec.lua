-- What loading the library does to the whole process, checked in a child process of the
-- same interpreter: SIGPIPE is ignored (as C LuaSocket's socket.core does on load), and
-- sockets dropped without close never exhaust the descriptor limit.

local lua = os.getenv("LUASOCKET_LUA")

-- Runs `code` in a new interpreter under `sh` (after `setup`, shell words); returns its
-- exit status and output.
local function child(code, setup)
  local cmd = (setup or "") .. " " .. lua .. " -e '" .. code .. "' 2>&1; echo \"rc=$?\""
  local p = assert(io.popen(cmd))
  local out = p:read("*a")
  p:close()
  local rc = tonumber(out:match("rc=(%d+)%s*$"))
  return rc, out
end

describe("the process", function()
  it("survives a write to a closed pipe after socket.core loads (SIGPIPE ignored)", function()
    if not lua then return pending("LUASOCKET_LUA is not set (run through cargo xtask)") end
    -- Without the process-wide ignore, the write below kills the child with SIGPIPE
    -- (exit status 141), as it killed copas's TLS tests.
    local rc, out = child([[
      local socket = require("socket")
      local f = io.popen("true", "w")
      socket.sleep(0.3)
      f:write(("x"):rep(1e6))
      f:flush()
      f:close()
      print("alive")
    ]])
    assert.equal(0, rc, out)
    assert.matches("alive", out)
  end)

  it("collects dropped sockets before the descriptor limit is reached", function()
    if not lua then return pending("LUASOCKET_LUA is not set (run through cargo xtask)") end
    -- 1 MB of live data makes the collector's cycles long; 8,000 sockets created and
    -- dropped without close under a limit of 256 descriptors.
    local rc, out = child([[
      local socket = require("socket")
      local live = {}
      for i = 1, 1000 do live[i] = ("x"):rep(1000) .. i end
      for i = 1, 8000 do
        local s, e = socket.tcp4()
        if not s then print("failed at " .. i .. ": " .. tostring(e)) os.exit(1) end
      end
      local srv = assert(socket.bind("127.0.0.1", 0))
      local _, port = srv:getsockname()
      for i = 1, 2000 do
        local c = assert(socket.connect("127.0.0.1", port))
        assert(srv:accept(), "accept " .. i)
        c = nil
      end
      print("done", #live)
    ]], "ulimit -n 256 &&")
    assert.equal(0, rc, out)
    assert.matches("done", out)
  end)

  it("collects and retries when the limit is reached before the collector runs", function()
    if not lua then return pending("LUASOCKET_LUA is not set (run through cargo xtask)") end
    -- 50 MB of live data: the collector's next cycle is far away, so sockets run out
    -- first; tcp4, connect, accept and setsockname then collect and retry (C fails here).
    local rc, out = child([[
      local socket = require("socket")
      local live = {}
      for i = 1, 50000 do live[i] = ("x"):rep(1000) .. i end
      collectgarbage()
      local srv = assert(socket.bind("127.0.0.1", 0))
      local _, port = srv:getsockname()
      for i = 1, 1000 do assert(socket.tcp4(), "tcp4 " .. i) end
      for i = 1, 300 do
        assert(socket.connect("127.0.0.1", port), "connect " .. i)
        assert(srv:accept(), "accept " .. i)
      end
      for i = 1, 300 do assert(socket.udp():setsockname("127.0.0.1", 0), "udp " .. i) end
      print("done", #live)
    ]], "ulimit -n 64 &&")
    assert.equal(0, rc, out)
    assert.matches("done", out)
  end)
end)
