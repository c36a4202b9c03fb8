-- Real servers for the protocol specs, each started on ephemeral loopback ports in a
-- private directory and stopped by the caller: nginx (HTTP, HTTPS, a forward proxy),
-- an SMTP server (aiosmtpd), an FTP server (pyftpdlib) and tinyproxy (CONNECT). Each
-- start function returns a table with the ports and a stop function, or nil and why the
-- server is unavailable.

local socket = require("socket")

local M = {}

-- os.execute's success, the same on Lua 5.1 (a number) and later (true).
local function run(cmd)
  local ok = os.execute(cmd)
  return ok == true or ok == 0
end
M.run = run

local function have(cmd)
  return run("command -v " .. cmd .. " >/dev/null 2>&1")
end

local function write(path, data)
  local f = assert(io.open(path, "wb"))
  f:write(data)
  f:close()
end
M.write = write

function M.read(path)
  local f = io.open(path, "rb")
  if not f then return nil end
  local data = f:read("*a")
  f:close()
  return data
end

-- A fresh private directory.
function M.tmpdir()
  local dir = os.tmpname()
  os.remove(dir)
  assert(run("mkdir -p '" .. dir .. "' && chmod 777 '" .. dir .. "'"))
  return dir
end

-- `n` (default 1) distinct ports nobody listens on right now. They are held bound
-- together while chosen: ports picked one at a time may repeat.
function M.free_port(n)
  local held, ports = {}, {}
  for i = 1, n or 1 do
    held[i] = assert(socket.tcp())
    assert(held[i]:bind("127.0.0.1", 0))
    local _, port = held[i]:getsockname()
    ports[i] = port
  end
  for _, s in ipairs(held) do s:close() end
  return (rawget(table, "unpack") or rawget(_G, "unpack"))(ports)
end

-- Waits until something accepts connections on port.
local function wait_port(port, seconds)
  local deadline = socket.gettime() + (seconds or 10)
  while socket.gettime() < deadline do
    local c = socket.tcp()
    c:settimeout(0.2)
    if c:connect("127.0.0.1", port) then
      c:close()
      return true
    end
    c:close()
    socket.sleep(0.05)
  end
  return false
end

-- The files nginx serves, by name.
M.files = {
  ["small.txt"] = "hello from nginx\n",
  ["big.bin"] = (function()
    local t = {}
    for i = 0, 255 do t[#t + 1] = string.char(i) end
    return string.rep(table.concat(t), 4096) -- 1 MiB of every byte value
  end)(),
  ["text.txt"] = string.rep("line with XYZ in it\n", 200),
}

-- A throwaway CA (ca.pem, ca.key) and a certificate for localhost and 127.0.0.1 signed
-- by it (cert.pem, key.pem) in `dir`, so a verifying client can trust the CA and check
-- the name. Returns the paths, or nil when openssl is missing or fails.
function M.certs(dir)
  if not have("openssl") then return nil end
  local made = run("cd '" .. dir .. "' && " ..
    "openssl req -x509 -newkey rsa:2048 -nodes -days 1 -subj /CN=luasocket-test-ca" ..
    " -keyout ca.key -out ca.pem >/dev/null 2>&1 && " ..
    "openssl req -newkey rsa:2048 -nodes -subj /CN=localhost/O=luasocket-rs" ..
    " -keyout key.pem -out req.csr >/dev/null 2>&1 && " ..
    "printf 'subjectAltName=DNS:localhost,IP:127.0.0.1\\n' > ext.cnf && " ..
    "openssl x509 -req -in req.csr -CA ca.pem -CAkey ca.key -CAcreateserial -days 1" ..
    " -extfile ext.cnf -out cert.pem >/dev/null 2>&1")
  if not made then return nil end
  return { ca = dir .. "/ca.pem", cert = dir .. "/cert.pem", key = dir .. "/key.pem" }
end

function M.nginx()
  local nginx = have("nginx") and "nginx" or (have("/usr/sbin/nginx") and "/usr/sbin/nginx")
  if not nginx then return nil, "nginx is not installed" end
  if not have("openssl") then return nil, "openssl is not installed" end
  local dir = M.tmpdir()
  local port, ssl_port, proxy_port = M.free_port(3)
  assert(run("mkdir -p '" .. dir .. "/www/dav' '" .. dir .. "/www/private' '" .. dir ..
    "/tmp' && chmod -R 777 '" .. dir .. "'"))
  for name, data in pairs(M.files) do write(dir .. "/www/" .. name, data) end
  write(dir .. "/www/private/secret.txt", "the secret\n")
  write(dir .. "/htpasswd", "user:{PLAIN}p@ss/w?rd\n")
  if not M.certs(dir) then return nil, "openssl could not make a certificate" end
  local conf = ([[
pid DIR/nginx.pid;
error_log DIR/error.log;
worker_processes 1;
events { worker_connections 256; }
http {
  access_log off;
  client_body_temp_path DIR/tmp/body;
  proxy_temp_path DIR/tmp/proxy;
  fastcgi_temp_path DIR/tmp/fastcgi;
  uwsgi_temp_path DIR/tmp/uwsgi;
  scgi_temp_path DIR/tmp/scgi;
  default_type application/octet-stream;
  server {
    listen 127.0.0.1:PORT;
    root DIR/www;
    client_max_body_size 20m;
    location /dav/ { dav_methods PUT DELETE; create_full_put_path on; }
    location /chunked/ {
      alias DIR/www/;
      sub_filter_types *;
      sub_filter 'XYZ' 'xyz';
      sub_filter_once off;
    }
    location = /r301 { return 301 /small.txt; }
    location = /r302 { return 302 /small.txt; }
    location = /r303 { return 303 /small.txt; }
    location = /r307 { return 307 /small.txt; }
    location = /r308 { return 308 /small.txt; }
    location = /loop { return 302 /loop; }
    location = /absolute { return 302 http://127.0.0.1:PORT/small.txt; }
    location = /to-https { return 302 https://127.0.0.1:SSLPORT/small.txt; }
    location /private/ { auth_basic "test"; auth_basic_user_file DIR/htpasswd; }
    location = /echo {
      proxy_pass http://127.0.0.1:PORT/echo-inner;
      proxy_set_header X-Body $request_body;
      proxy_set_header X-Method $request_method;
    }
    location = /echo-inner { return 200 "$http_x_method:$http_x_body"; }
    location = /headers { return 200 "$http_user_agent|$http_x_custom|$http_authorization"; }
    location = /conn { return 200 "$connection"; }
    location = /conn-short { keepalive_timeout 1s; return 200 "$connection"; }
  }
  server {
    listen 127.0.0.1:SSLPORT ssl;
    ssl_certificate DIR/cert.pem;
    ssl_certificate_key DIR/key.pem;
    ssl_protocols TLSv1.2 TLSv1.3;
    root DIR/www;
    location = /to-http { return 302 http://127.0.0.1:PORT/small.txt; }
    location = /conn { return 200 "$connection"; }
  }
  server {
    listen 127.0.0.1:PROXYPORT;
    location / { proxy_pass http://127.0.0.1:PORT; add_header X-Proxied yes; }
  }
}
]]):gsub("DIR", dir):gsub("SSLPORT", ssl_port):gsub("PROXYPORT", proxy_port):gsub("PORT", port)
  write(dir .. "/nginx.conf", conf)
  local base = nginx .. " -p '" .. dir .. "' -c '" .. dir .. "/nginx.conf'"
  if not run(base .. " >'" .. dir .. "/start.log' 2>&1") then
    return nil, "nginx did not start: " .. tostring(M.read(dir .. "/start.log"))
  end
  if not (wait_port(port) and wait_port(ssl_port) and wait_port(proxy_port)) then
    run(base .. " -s stop >/dev/null 2>&1")
    return nil, "nginx is not answering"
  end
  return {
    port = port, ssl_port = ssl_port, proxy_port = proxy_port, dir = dir, ca = dir .. "/ca.pem",
    url = "http://127.0.0.1:" .. port,
    stop = function()
      run(base .. " -s stop >/dev/null 2>&1")
      run("rm -rf '" .. dir .. "'")
    end,
  }
end

-- Starts `cmd` in the background; returns a stop function.
local function background(cmd, dir)
  local pidfile = dir .. "/server.pid"
  assert(run("(" .. cmd .. ") >'" .. dir .. "/server.log' 2>&1 & echo $! >'" .. pidfile .. "'"))
  return function()
    run("kill $(cat '" .. pidfile .. "') 2>/dev/null; sleep 0.1; kill -9 $(cat '" .. pidfile ..
      "') 2>/dev/null")
    run("rm -rf '" .. dir .. "'")
  end
end

-- Debian's packages (python3-aiosmtpd, python3-pyftpdlib) live in the system Python,
-- which may not be the first python3 on PATH.
local PYTHON = io.open("/usr/bin/python3", "rb") and "/usr/bin/python3" or "python3"

local here = (debug.getinfo(1, "S").source:match("^@(.*)/lib/[^/]*$")) or "tests"

-- mode: "plain" (the default), "starttls" (offers STARTTLS) or "implicit" (TLS from
-- the first byte, as on port 465); with TLS, `ca` is the CA file to trust.
function M.smtp(mode)
  if not run(PYTHON .. " -c 'import aiosmtpd' >/dev/null 2>&1") then
    return nil, "python3-aiosmtpd is not installed"
  end
  local dir = M.tmpdir()
  local certs = (mode or "plain") ~= "plain" and M.certs(dir)
  if mode and mode ~= "plain" and not certs then
    run("rm -rf '" .. dir .. "'")
    return nil, "openssl could not make a certificate"
  end
  local port = M.free_port()
  local stop = background("exec " .. PYTHON .. " '" .. here .. "/servers/smtpd.py' " .. port ..
    " '" .. dir .. "' " .. (mode or "plain"), dir)
  if not wait_port(port) then
    local log = M.read(dir .. "/server.log")
    stop()
    return nil, "the SMTP server is not answering: " .. tostring(log)
  end
  return { port = port, dir = dir, stop = stop, ca = certs and certs.ca }
end

function M.ftp()
  if not run(PYTHON .. " -c 'import pyftpdlib' >/dev/null 2>&1") then
    return nil, "python3-pyftpdlib is not installed"
  end
  local dir = M.tmpdir()
  assert(run("mkdir -p '" .. dir .. "/root' && chmod 777 '" .. dir .. "/root'"))
  local port = M.free_port()
  local stop = background("exec " .. PYTHON .. " -m pyftpdlib -i 127.0.0.1 -p " .. port ..
    " -w -d '" .. dir .. "/root' -u user -P secret", dir)
  if not wait_port(port) then
    local log = M.read(dir .. "/server.log")
    stop()
    return nil, "the FTP server is not answering: " .. tostring(log)
  end
  return { port = port, dir = dir, root = dir .. "/root", stop = stop }
end

-- An FTPS server (pyftpdlib's TLS handler, which needs pyOpenSSL): explicit AUTH TLS,
-- TLS required on control and data, user/secret; `ca` is the CA file to trust.
function M.ftps()
  if not run(PYTHON .. " -c 'import pyftpdlib, OpenSSL' >/dev/null 2>&1") then
    return nil, "python3-pyftpdlib or python3-openssl is not installed"
  end
  local dir = M.tmpdir()
  local certs = M.certs(dir)
  if not certs then
    run("rm -rf '" .. dir .. "'")
    return nil, "openssl could not make a certificate"
  end
  assert(run("mkdir -p '" .. dir .. "/root' && chmod 777 '" .. dir .. "/root'"))
  local port = M.free_port()
  local stop = background("exec " .. PYTHON .. " '" .. here .. "/servers/ftpsd.py' " .. port ..
    " '" .. dir .. "'", dir)
  if not wait_port(port) then
    local log = M.read(dir .. "/server.log")
    stop()
    return nil, "the FTPS server is not answering: " .. tostring(log)
  end
  return { port = port, dir = dir, root = dir .. "/root", ca = certs.ca, stop = stop }
end

-- tinyproxy, a forward proxy that tunnels CONNECT (https through a proxy). With
-- `auth`, it asks for Basic credentials user:secret.
function M.tinyproxy(auth)
  local bin = have("tinyproxy") and "tinyproxy" or (have("/usr/bin/tinyproxy") and "/usr/bin/tinyproxy")
  if not bin then return nil, "tinyproxy is not installed" end
  local dir = M.tmpdir()
  local port = M.free_port()
  local conf = {
    "Port " .. port, "Listen 127.0.0.1", "Timeout 30", "MaxClients 20",
    "LogLevel Info", "LogFile \"" .. dir .. "/tinyproxy.log\"",
    "Allow 127.0.0.1",
  }
  if auth then conf[#conf + 1] = "BasicAuth user secret" end
  write(dir .. "/tinyproxy.conf", table.concat(conf, "\n") .. "\n")
  local stop = background("exec " .. bin .. " -d -c '" .. dir .. "/tinyproxy.conf'", dir)
  if not wait_port(port) then
    local log = M.read(dir .. "/server.log")
    stop()
    return nil, "tinyproxy is not answering: " .. tostring(log)
  end
  return { port = port, dir = dir, url = "http://127.0.0.1:" .. port, stop = stop,
    log = function() return M.read(dir .. "/tinyproxy.log") or "" end }
end

return M
