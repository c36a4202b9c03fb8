-- Malformed and hostile servers (tests/servers/scripted.lua, run as a separate process
-- of the same interpreter): every call ends with nil and a message, in bounded time and
-- memory.

local socket = require("socket")
local http = require("socket.http")
local smtp = require("socket.smtp")
local ftp = require("socket.ftp")
local ltn12 = require("ltn12")
local servers = require("servers")

local lua = os.getenv("LUASOCKET_LUA")
local here = (debug.getinfo(1, "S").source:match("^@(.*)/spec/[^/]*$")) or "tests"

-- Starts a scripted server for `scenario`; returns its port.
local function scripted(scenario)
  local dir = servers.tmpdir()
  local portfile = dir .. "/port"
  assert(servers.run(lua .. " '" .. here .. "/servers/scripted.lua' '" .. portfile .. "' " ..
    scenario .. " >'" .. dir .. "/log' 2>&1 &"))
  for _ = 1, 200 do
    local port = servers.read(portfile)
    if port and port ~= "" then return tonumber(port) end
    socket.sleep(0.02)
  end
  error("scripted server did not start: " .. tostring(servers.read(dir .. "/log")))
end

local function get(scenario)
  return http.request("http://127.0.0.1:" .. scripted(scenario) .. "/")
end

describe("hostile HTTP servers", function()
  local old_timeout = http.TIMEOUT
  before_each(function() http.TIMEOUT = 2 end)
  after_each(function() http.TIMEOUT = old_timeout end)

  it("are reported, never a crash or a hang", function()
    if not lua then return pending("LUASOCKET_LUA is not set (run through cargo xtask)") end
    assert.same({ nil, "HTTP/1.1 abc OK" }, { get("bad-status") })
    assert.same({ nil, "response headers too large" }, { get("huge-headers") })
    assert.same({ nil, "invalid chunk size" }, { get("bad-chunk") })
    assert.same({ nil, "closed" }, { get("truncated") })
    local t0 = socket.gettime()
    assert.same({ nil, "line too long" }, { get("endless-line") })
    assert.truthy(socket.gettime() - t0 < 5)
    assert.same({ nil, "invalid chunk size" }, { get("huge-chunk") })
  end)

  it("a server that never answers is a timeout, in both forms (as C LuaSocket)", function()
    if not lua then return pending("LUASOCKET_LUA is not set (run through cargo xtask)") end
    http.TIMEOUT = 0.5
    local t0 = socket.gettime()
    assert.same({ nil, "timeout" }, { get("silent") })
    assert.same({ nil, "timeout" }, { http.request({
      url = "http://127.0.0.1:" .. scripted("silent") .. "/", sink = ltn12.sink.null() }) })
    assert.truthy(socket.gettime() - t0 < 4)
  end)

  it("a head in pieces reads as C LuaSocket reads it, line by line", function()
    if not lua then return pending("LUASOCKET_LUA is not set (run through cargo xtask)") end
    local body, code, headers = get("split-head")
    assert.equal("ok", body)
    assert.equal(200, code)
    assert.equal("1", headers["x-one"])
    assert.equal("2", headers["x-two"])
    assert.equal("ab", headers["x-three"]) -- receive("*l") drops every CR
  end)

  it("fewer than five bytes and a close is 'closed', not an HTTP/0.9 reply", function()
    if not lua then return pending("LUASOCKET_LUA is not set (run through cargo xtask)") end
    assert.same({ nil, "closed" }, { get("short") })
  end)
end)

describe("old and unusual HTTP servers", function()
  it("HTTP/1.0 bodies end at close, 1xx replies are skipped, HTTP/0.9 is a body", function()
    if not lua then return pending("LUASOCKET_LUA is not set (run through cargo xtask)") end
    local body, code, headers, status = get("http10")
    assert.equal("old-style body, ends at close", body)
    assert.equal(200, code)
    assert.equal("text/plain", headers["content-type"])
    assert.equal("HTTP/1.0 200 OK", status)
    local b2, c2 = get("continue")
    assert.same({ "final", 200 }, { b2, c2 })
    local b3, c3 = get("http09")
    assert.same({ "just bytes, no status line", 200 }, { b3, c3 })
  end)

  it("repeated fields are joined, folded ones continued, trailer fields added", function()
    if not lua then return pending("LUASOCKET_LUA is not set (run through cargo xtask)") end
    local body, code, headers = get("fields")
    assert.same({ "abc", 200 }, { body, code })
    assert.equal("1, 2", headers["x-a"])
    assert.equal("a  b", headers["x-long"])
    assert.equal("t", headers["x-t"])
  end)
end)

describe("hostile SMTP and FTP servers", function()
  it("are reported", function()
    if not lua then return pending("LUASOCKET_LUA is not set (run through cargo xtask)") end
    local old = smtp.TIMEOUT
    smtp.TIMEOUT = 2
    local r, err = smtp.send({ from = "<a@b>", rcpt = "<c@d>", source = ltn12.source.string("x"),
      server = "127.0.0.1", port = scripted("smtp-hangup") })
    assert.is_nil(r)
    assert.equal("closed", err)
    r, err = smtp.send({ from = "<a@b>", rcpt = "<c@d>", source = ltn12.source.string("x"),
      server = "127.0.0.1", port = scripted("smtp-garbage") })
    assert.is_nil(r)
    assert.equal("invalid server reply", err)
    local t0 = socket.gettime()
    r, err = smtp.send({ from = "<a@b>", rcpt = "<c@d>", source = ltn12.source.string("x"),
      server = "127.0.0.1", port = scripted("smtp-endless-reply") })
    assert.same({ nil, "server reply too large" }, { r, err })
    assert.truthy(socket.gettime() - t0 < 5)
    smtp.TIMEOUT = old
  end)

  it("does not trust the address in a PASV reply", function()
    if not lua then return pending("LUASOCKET_LUA is not set (run through cargo xtask)") end
    local old = ftp.TIMEOUT
    ftp.TIMEOUT = 5
    local body, err = ftp.get("ftp://127.0.0.1:" .. scripted("ftp-bogus-pasv") .. "/f")
    assert.equal("file from the real host", body, err)
    local none, perr = ftp.get("ftp://127.0.0.1:" .. scripted("ftp-impossible-pasv") .. "/f")
    assert.is_nil(none)
    assert.equal("invalid pasv response", perr)
    -- A reply with no address at all is itself the error, as in C LuaSocket.
    local nothing, nerr = ftp.get("ftp://127.0.0.1:" .. scripted("ftp-no-pasv-address") .. "/f")
    assert.is_nil(nothing)
    assert.equal("227 Entering Passive Mode, somewhere", nerr)
    ftp.TIMEOUT = old
  end)
end)
