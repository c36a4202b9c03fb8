-- Real consumers over our sockets: copas (Debian's lua-copas, a coroutine scheduler)
-- running socket.http, socket.smtp and socket.ftp, and LuaSec (Debian's lua-sec)
-- wrapping our sockets in TLS against nginx.

local helpers = require("helpers")
helpers.system_modules()

local socket = require("socket")
local servers = require("servers")

-- copas must be loaded before socket.http (it replaces socket.protect/newtry). This
-- file puts ours back at its end, and drops the protocol modules loaded with copas's,
-- so the specs after it see the library as it is.
local saved = { protect = socket.protect, newtry = socket.newtry }
local protocol_modules = { "socket.http", "socket.smtp", "socket.ftp", "socket.tp" }
for _, name in ipairs(protocol_modules) do package.loaded[name] = nil end
local has_copas, copas = pcall(require, "copas")
if not has_copas then copas = nil end

local ltn12 = require("ltn12")
local http = require("socket.http")
local smtp = require("socket.smtp")
local ftp = require("socket.ftp")

-- A socket for `create` that yields to copas instead of blocking: copas.wrap (send,
-- receive, settimeout) plus connect through copas.connect, the rest from the socket.
-- (Copas 1.x's wrapper returns nothing from settimeout and reports a finished
-- non-blocking connect as "already connected"; newer copas does what this adapter does.)
local function copas_tcp()
  local skt = socket.tcp()
  local wrapped = copas.wrap(skt)
  return setmetatable({}, {
    __index = function(_, name)
      if name == "connect" then
        return function(_, host, port)
          local ok, err = copas.connect(skt, host, port)
          if ok or err == "already connected" then return 1 end
          return nil, err
        end
      end
      if name == "settimeout" then
        return function(_, t)
          wrapped:settimeout(t)
          return 1
        end
      end
      if wrapped[name] then
        return function(_, ...) return wrapped[name](wrapped, ...) end
      end
      return function(_, ...) return skt[name](skt, ...) end
    end,
  })
end

describe("copas", function()
  local web, mail, files
  after_each(function()
    if web then web.stop() end
    if mail then mail.stop() end
    if files then files.stop() end
    web, mail, files = nil, nil, nil
  end)

  it("runs socket.http, socket.smtp and socket.ftp in its coroutines", function()
    if not copas then return pending("copas is not installed for " .. _VERSION) end
    local why
    web, why = servers.nginx()
    if not web then return pending(why) end
    mail = servers.smtp()
    files = servers.ftp()
    local results = {}
    local finished = 0
    for i = 1, 3 do
      copas.addthread(function()
        local t = {}
        local r, code = http.request({
          url = web.url .. "/big.bin", sink = ltn12.sink.table(t), create = copas_tcp,
        })
        results[i] = { r, code, #table.concat(t) }
        finished = finished + 1
      end)
    end
    if mail then
      copas.addthread(function()
        results.smtp = { smtp.send({
          from = "<c@example.com>", rcpt = "<d@example.com>",
          source = smtp.message({ headers = { subject = "copas" }, body = "via copas" }),
          server = "127.0.0.1", port = mail.port, create = copas_tcp,
        }) }
        finished = finished + 1
      end)
    end
    if files then
      copas.addthread(function()
        results.ftp = { ftp.put({
          host = "127.0.0.1", port = files.port, user = "user", password = "secret",
          path = "/copas.txt", source = ltn12.source.string("copas ftp"), create = copas_tcp,
        }) }
        finished = finished + 1
      end)
    end
    local deadline = socket.gettime() + 30
    while finished < 3 + (mail and 1 or 0) + (files and 1 or 0) and socket.gettime() < deadline do
      copas.step(0.1)
    end
    for i = 1, 3 do
      local r = results[i] or {}
      assert.same({ 1, 200, #servers.files["big.bin"] }, r, tostring(r[1]) .. " " .. tostring(r[2]))
    end
    if mail then assert.equal(1, results.smtp[1], results.smtp[2]) end
    if files then
      assert.equal(9, results.ftp[1], results.ftp[2])
      assert.equal("copas ftp", servers.read(files.root .. "/copas.txt"))
    end
  end)

end)

describe("LuaSec", function()
  it("wraps our sockets in TLS (ssl.wrap) and takes over their descriptor", function()
    local ok, ssl = pcall(require, "ssl")
    if not ok then return pending("LuaSec is not installed for " .. _VERSION) end
    local web, why = servers.nginx()
    if not web then return pending(why) end
    local sock = socket.tcp()
    sock:settimeout(5)
    assert(sock:connect("127.0.0.1", web.ssl_port))
    local fd = sock:getfd()
    local conn = assert(ssl.wrap(sock, { mode = "client", protocol = "any", verify = "none" }))
    assert.equal(socket._SOCKETINVALID, sock:getfd())
    assert.equal(fd, conn:getfd())
    conn:settimeout(5)
    assert(conn:dohandshake())
    assert(conn:send("GET /small.txt HTTP/1.0\r\nHost: localhost\r\n\r\n"))
    local reply = conn:receive("*a")
    conn:close()
    assert.truthy(reply:find("^HTTP/1.1 200"))
    assert.truthy(reply:find(servers.files["small.txt"], 1, true))
    local https = require("ssl.https")
    local body, code = https.request("https://127.0.0.1:" .. web.ssl_port .. "/small.txt")
    assert.equal(200, code)
    assert.equal(servers.files["small.txt"], body)
    web.stop()
  end)
end)

socket.protect, socket.newtry = saved.protect, saved.newtry
for _, name in ipairs(protocol_modules) do package.loaded[name] = nil end
