-- A misbehaving server for the robustness specs: serves one connection on 127.0.0.1 as
-- the scenario named on the command line says, after writing its port to a file.
--   lua scripted.lua <portfile> <scenario>

local socket = require("socket")

local portfile, scenario = arg[1], arg[2]
local srv = assert(socket.bind("127.0.0.1", 0))
local _, port = srv:getsockname()
local f = assert(io.open(portfile .. ".tmp", "w"))
f:write(port)
f:close()
assert(os.rename(portfile .. ".tmp", portfile))
srv:settimeout(20)
local c = srv:accept()
if not c then return end
c:settimeout(20)

local function read_head()
  repeat
    local line = c:receive()
  until not line or line == ""
end

local function forever(chunk)
  while c:send(chunk) do end
end

local http = {
  ["bad-status"] = function()
    read_head()
    c:send("HTTP/1.1 abc OK\r\n\r\n")
  end,
  -- A head in two pieces, the cut inside a field name, with a CR inside a value.
  ["split-head"] = function()
    read_head()
    c:send("HTTP/1.1 200 OK\r\nX-One: 1\r\nX-Tw")
    socket.sleep(0.1)
    c:send("o: 2\r\nX-Three: a\rb\r\nContent-Length: 2\r\n\r\nok")
  end,
  ["huge-headers"] = function()
    read_head()
    c:send("HTTP/1.1 200 OK\r\n")
    for i = 1, 5000 do
      if not c:send("X-Header-" .. i .. ": value\r\n") then return end
    end
    c:send("\r\n")
  end,
  ["bad-chunk"] = function()
    read_head()
    c:send("HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n5\r\nhello\r\nzz\r\n")
  end,
  ["huge-chunk"] = function()
    read_head()
    c:send("HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\nffffffffffffffffffff\r\nabc")
  end,
  ["truncated"] = function()
    read_head()
    c:send("HTTP/1.1 200 OK\r\nContent-Length: 100\r\n\r\n0123456789")
  end,
  ["endless-line"] = function()
    read_head()
    c:send("HTTP/1.1 200 OK\r\nX-Endless: ")
    forever(string.rep("a", 65536))
  end,
  ["silent"] = function()
    read_head()
    socket.sleep(5)
  end,
  ["http10"] = function()
    read_head()
    c:send("HTTP/1.0 200 OK\r\nContent-Type: text/plain\r\n\r\nold-style body, ends at close")
  end,
  ["continue"] = function()
    read_head()
    c:send("HTTP/1.1 100 Continue\r\n\r\nHTTP/1.1 200 OK\r\nContent-Length: 5\r\n\r\nfinal")
  end,
  ["short"] = function()
    read_head()
    c:send("hi\n")
  end,
  ["http09"] = function()
    read_head()
    c:send("just bytes, no status line")
  end,
  ["smtp-hangup"] = function()
    c:send("220 hello\r\n")
    c:receive()
  end,
  ["smtp-endless-reply"] = function()
    local line = "220-" .. ("x"):rep(1000) .. "\r\n"
    for _ = 1, 2000 do
      if not c:send(line) then return end
    end
  end,
  ["fields"] = function()
    read_head()
    c:send("HTTP/1.1 200 OK\r\nX-A: 1\r\nX-A: 2\r\nX-Long: a\r\n  b\r\n" ..
      "Transfer-Encoding: chunked\r\nTrailer: X-T\r\n\r\n" ..
      "3\r\nabc\r\n0\r\nX-T: t\r\n\r\n")
  end,
  ["smtp-garbage"] = function()
    c:send("hello, I am not an SMTP server\r\n")
    c:receive()
  end,
}

-- An FTP server whose PASV reply names a host that is not this one (and whose data
-- port is real), or an impossible address.
local function ftp(bogus)
  c:send("220 hi\r\n")
  local data = assert(socket.bind("127.0.0.1", 0))
  local _, dport = data:getsockname()
  while true do
    local line = c:receive()
    if not line then return end
    local cmd = line:match("^(%a+)"):upper()
    if cmd == "USER" then c:send("331 password\r\n")
    elseif cmd == "PASS" then c:send("230 ok\r\n")
    elseif cmd == "TYPE" then c:send("200 ok\r\n")
    elseif cmd == "EPSV" then c:send("500 not here\r\n")
    elseif cmd == "PASV" then
      if bogus == "impossible" then
        c:send("227 Entering Passive Mode (999,1,2,3,4,5)\r\n")
      elseif bogus == "none" then
        c:send("227 Entering Passive Mode, somewhere\r\n")
      else
        c:send(("227 Entering Passive Mode (10,255,0,1,%d,%d)\r\n"):format(
          math.floor(dport / 256), dport % 256))
      end
    elseif cmd == "RETR" then
      c:send("150 here it comes\r\n")
      data:settimeout(10)
      local d = data:accept()
      if d then
        d:send("file from the real host")
        d:close()
      end
      c:send("226 done\r\n")
    elseif cmd == "QUIT" then
      c:send("221 bye\r\n")
      return
    else
      c:send("502 no\r\n")
    end
  end
end

if http[scenario] then
  http[scenario]()
elseif scenario == "ftp-bogus-pasv" then
  ftp("elsewhere")
elseif scenario == "ftp-impossible-pasv" then
  ftp("impossible")
elseif scenario == "ftp-no-pasv-address" then
  ftp("none")
end
c:close()
srv:close()
