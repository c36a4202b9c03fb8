-- socket.ssl: TLS connections in LuaSec's shape, on rustls, against nginx with a
-- throwaway CA.

local socket = require("socket")
local ssl = require("socket.ssl")
local servers = require("servers")
local helpers = require("helpers")

local function connect(port)
  local sock = socket.tcp()
  sock:settimeout(5)
  assert(sock:connect("127.0.0.1", port))
  return sock
end

local function get(conn)
  assert(conn:send("GET /small.txt HTTP/1.0\r\nHost: localhost\r\n\r\n"))
  local reply = conn:receive("*a")
  conn:close()
  return reply
end

describe("socket.ssl", function()
  local web
  before_each(function() web = servers.nginx() end)
  after_each(function() if web then web.stop() end end)

  it("verifies the peer against cafile, takes the TCP descriptor, receives with patterns", function()
    if not web then return pending("nginx or openssl is not installed") end
    local sock = connect(web.ssl_port)
    local fd = sock:getfd()
    local conn = assert(ssl.wrap(sock, { mode = "client", cafile = web.ca, alpn = "http/1.1" }))
    assert.equal(socket._SOCKETINVALID, sock:getfd())
    assert.equal(fd, conn:getfd())
    -- Our own class names: LuaSec's ("SSL:Connection") may share the state.
    assert.equal("ssl{connection}", getmetatable(conn).__index.class)
    assert(conn:sni("localhost"))
    assert.same({ true }, { conn:dohandshake() })
    assert.equal("http/1.1", conn:getalpn())
    assert.equal("TLSv1.3", conn:info("protocol"))
    assert(conn:send("GET /small.txt HTTP/1.0\r\nHost: localhost\r\n\r\n"))
    assert.equal("HTTP/1.1 200 OK", conn:receive("*l"))
    local rest = conn:receive("*a")
    assert.truthy(rest:find(servers.files["small.txt"], 1, true))
    conn:close()
  end)

  it("checks the name and refuses what it cannot trust", function()
    if not web then return pending("nginx or openssl is not installed") end
    -- The address is the name checked when no sni() was given; the certificate has it.
    local ok = ssl.wrap(connect(web.ssl_port), { mode = "client", cafile = web.ca })
    assert.same({ true }, { ok:dohandshake() })
    ok:close()
    local wrong = ssl.wrap(connect(web.ssl_port), { mode = "client", cafile = web.ca })
    wrong:sni("example.org")
    assert.same({ false, "certificate verify failed: hostname mismatch" }, { wrong:dohandshake() })
    wrong:close()
    -- Without cafile the system's store is used, which does not know our CA.
    local untrusted = ssl.wrap(connect(web.ssl_port), { mode = "client" })
    assert.same({ false, "certificate verify failed: unable to get local issuer certificate" },
      { untrusted:dohandshake() })
    untrusted:close()
    -- verify = "none" takes anything.
    local blind = ssl.wrap(connect(web.ssl_port), { mode = "client", verify = "none" })
    assert.truthy(get(blind):find("^HTTP/1.1 200"))
  end)

  it("handshakes without blocking under socket.select, as copas drives it", function()
    if not web then return pending("nginx or openssl is not installed") end
    local ctx = assert(ssl.newcontext({ mode = "client", cafile = web.ca, protocol = "tlsv1_2" }))
    local conn = ssl.wrap(connect(web.ssl_port), ctx)
    conn:settimeout(0)
    local rounds = 0
    while true do
      local ok, err = conn:dohandshake()
      if ok then break end
      assert.truthy(err == "wantread" or err == "wantwrite", err)
      rounds = rounds + 1
      assert.truthy(rounds < 1000)
      if err == "wantread" then socket.select({ conn }, nil, 2) else socket.select(nil, { conn }, 2) end
    end
    assert.equal("TLSv1.2", conn:info().protocol)
    conn:settimeout(5)
    assert.truthy(get(conn):find("^HTTP/1.1 200"))
  end)

  it("takes ciphers (OpenSSL's names) and ciphersuites (TLS 1.3), and says when none match", function()
    if not web then return pending("nginx or openssl is not installed") end
    local conn = ssl.wrap(connect(web.ssl_port), { mode = "client", cafile = web.ca,
      protocol = "tlsv1_2", ciphers = "ECDHE-RSA-AES128-GCM-SHA256:AES128-SHA" })
    assert(conn:dohandshake())
    assert.equal("TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256", conn:info("cipher"))
    conn:close()
    conn = ssl.wrap(connect(web.ssl_port), { mode = "client", cafile = web.ca,
      ciphersuites = "TLS_CHACHA20_POLY1305_SHA256" })
    assert(conn:dohandshake())
    assert.equal("TLS_CHACHA20_POLY1305_SHA256", conn:info("cipher"))
    assert.equal("TLSv1.3", conn:info("protocol"))
    conn:close()
    -- Keywords keep every suite (all of ours are ECDHE with AEAD).
    assert(ssl.newcontext({ mode = "client", ciphers = "HIGH:!aNULL:!MD5" }))
    assert.same({ nil, "error setting cipher list (no cipher match)" },
      { ssl.newcontext({ mode = "client", ciphers = "AES128-SHA:DES-CBC3-SHA" }) })
    assert.same({ nil, "error setting cipher suites (no cipher match)" },
      { ssl.newcontext({ mode = "client", ciphersuites = "TLS_AES_128_CCM_SHA256" }) })
    -- An encrypted key is refused with what to do about it.
    local dir = servers.tmpdir()
    assert(servers.run("cd '" .. dir .. "' && openssl genpkey -algorithm RSA -aes256" ..
      " -pass pass:secret -out enc.pem >/dev/null 2>&1"))
    local ctx, err = ssl.newcontext({ mode = "server", certificate = web.dir .. "/cert.pem",
      key = dir .. "/enc.pem", password = "secret" })
    servers.run("rm -rf '" .. dir .. "'")
    assert.is_nil(ctx)
    assert.truthy(err:find("encrypted keys are not supported", 1, true), err)
  end)

  it("refuses protocols older than TLS 1.2 with a clear message", function()
    for _, old in ipairs({ "tlsv1", "tlsv1_1", "sslv3" }) do
      assert.same({ nil, "protocol '" .. old .. "' is not supported (TLS 1.2 and 1.3 only)" },
        { ssl.newcontext({ mode = "client", protocol = old }) })
    end
    assert.has_error(function() ssl.wrap(socket.tcp(), 42) end)
  end)
end)

-- A connected pair over loopback: the server's accepted socket, the client's, the port.
local function pair()
  local listener = assert(socket.bind("127.0.0.1", 0))
  local _, port = listener:getsockname()
  local c = socket.tcp()
  c:settimeout(2)
  assert(c:connect("127.0.0.1", port))
  listener:settimeout(2)
  local s = assert(listener:accept())
  listener:close()
  return s, c
end

-- Drives two handshakes without blocking, as a select loop does: true, or nil and the
-- first failure.
local function handshake_both(a, b)
  a:settimeout(0)
  b:settimeout(0)
  local done = {}
  for _ = 1, 2000 do
    for _, conn in ipairs({ a, b }) do
      if not done[conn] then
        local ok, err = conn:dohandshake()
        if ok then
          done[conn] = true
        elseif err ~= "wantread" and err ~= "wantwrite" then
          return nil, err
        end
      end
    end
    if done[a] and done[b] then return true end
    socket.select({ a, b }, nil, 0.05)
  end
  return nil, "the handshakes never finished"
end

-- What openssl says of a certificate file (`-serial`, `-fingerprint -sha256`).
local function openssl_x509(file, what)
  local p = io.popen("openssl x509 -noout " .. what .. " -in '" .. file .. "' 2>/dev/null")
  local out = p:read("*a")
  p:close()
  return (out:gsub("%s+$", ""))
end

describe("socket.ssl servers and certificates", function()
  local dir, certs
  before_each(function()
    dir = servers.tmpdir()
    certs = servers.certs(dir)
  end)
  after_each(function() servers.run("rm -rf '" .. dir .. "'") end)

  it("serves TLS to our client, neither side blocking, and shows the certificate", function()
    if not certs then return pending("openssl is not installed") end
    local s, c = pair()
    local server = assert(ssl.wrap(s, { mode = "server", certificate = certs.cert,
      key = certs.key, alpn = { "h2", "http/1.1" } }))
    local client = assert(ssl.wrap(c, { mode = "client", cafile = certs.ca, alpn = "http/1.1" }))
    client:sni("localhost")
    assert(handshake_both(server, client))
    server:settimeout(2)
    client:settimeout(2)
    assert.equal("http/1.1", client:getalpn())
    assert.equal("http/1.1", server:getalpn())
    assert(client:send("ping\n"))
    assert.equal("ping", server:receive("*l"))
    assert(server:send("pong\n"))
    assert.equal("pong", client:receive("*l"))
    -- The certificate, as LuaSec shows it, against openssl's own reading of the file.
    local cert = client:getpeercertificate()
    assert.same({ { oid = "2.5.4.3", name = "CN", value = "localhost" },
      { oid = "2.5.4.10", name = "O", value = "luasocket-rs" } }, cert:subject())
    assert.same({ { oid = "2.5.4.3", name = "CN", value = "luasocket-test-ca" } }, cert:issuer())
    local san = cert:extensions()["2.5.29.17"]
    assert.same({ "localhost" }, san.dNSName)
    assert.same({ "127.0.0.1" }, san.iPAddress)
    assert.equal("X509v3 Subject Alternative Name", san.name)
    assert.equal(servers.read(certs.cert), cert:pem())
    assert.equal(openssl_x509(certs.cert, "-serial"), "serial=" .. cert:serial())
    local fp = openssl_x509(certs.cert, "-fingerprint -sha256"):match("=(.*)$")
    assert.equal(fp:gsub(":", ""):lower(), cert:digest("sha256"))
    assert.equal(openssl_x509(certs.cert, "-enddate"), "notAfter=" .. cert:notafter())
    assert.equal(openssl_x509(certs.cert, "-startdate"), "notBefore=" .. cert:notbefore())
    assert.is_true(cert:validat(os.time() + 3600))
    assert.is_false(cert:validat(os.time() + 3 * 86400))
    assert.equal("RSA-SHA256", cert:getsignaturename())
    assert.equal(cert:digest(), ssl.loadcertificate(servers.read(certs.cert)):digest())
    assert.is_nil(ssl.loadcertificate("not a certificate"))
    assert.equal(1, #client:getpeerchain())
    assert.is_true(client:getpeerverification())
    assert.is_nil(client:getpeercertificate(1))
    assert.is_nil(server:getpeercertificate())
    server:close()
    client:close()
  end)

  it("refuses a self-signed server by default; verify = none says what it skipped", function()
    if not certs then return pending("openssl is not installed") end
    local self_signed = { mode = "server", certificate = certs.ca, key = dir .. "/ca.key" }
    local s, c = pair()
    local server = assert(ssl.wrap(s, self_signed))
    local client = assert(ssl.wrap(c, { mode = "client" }))
    client:sni("localhost")
    assert.same({ nil, "certificate verify failed: self-signed certificate" },
      { handshake_both(server, client) })
    server:close()
    client:close()
    s, c = pair()
    server = assert(ssl.wrap(s, self_signed))
    client = assert(ssl.wrap(c, { mode = "client", verify = "none" }))
    assert(handshake_both(server, client))
    assert.same({ false, { [0] = { "self-signed certificate" } } },
      { client:getpeerverification() })
    server:close()
    client:close()
    -- Listed in cafile itself, it is trusted as it is (as OpenSSL's store does), and its
    -- name still checked (here its common name: it has no alternative names).
    for name, want in pairs({ ["luasocket-test-ca"] = true, localhost = false }) do
      s, c = pair()
      server = assert(ssl.wrap(s, self_signed))
      client = assert(ssl.wrap(c, { mode = "client", cafile = certs.ca }))
      client:sni(name)
      local ok, err = handshake_both(server, client)
      if want then
        assert.is_true(ok, err)
      else
        assert.equal("certificate verify failed: hostname mismatch", err)
      end
      server:close()
      client:close()
    end
  end)

  it("goes on past a failed check with verifyext lsec_continue, and reports it", function()
    if not certs then return pending("openssl is not installed") end
    -- Each side trusts a CA that did not sign the other's certificate (the client's is
    -- self-signed).
    assert(servers.run("cd '" .. dir .. "' && openssl req -x509 -newkey rsa:2048 -nodes" ..
      " -days 1 -subj /CN=a-client -keyout client.key -out client.pem >/dev/null 2>&1"))
    local s, c = pair()
    local server = assert(ssl.wrap(s, { mode = "server", certificate = certs.cert,
      key = certs.key, cafile = certs.ca, verify = { "peer", "fail_if_no_peer_cert" },
      verifyext = { "lsec_continue", "lsec_ignore_purpose" } }))
    local client = assert(ssl.wrap(c, { mode = "client", certificate = dir .. "/client.pem",
      key = dir .. "/client.key", cafile = dir .. "/client.pem", verify = "peer",
      verifyext = { "lsec_continue" } }))
    client:sni("localhost")
    assert(handshake_both(server, client))
    assert.same({ false, { [0] = { "unable to get local issuer certificate" } } },
      { client:getpeerverification() })
    local ok, errs = server:getpeerverification()
    assert.is_false(ok)
    assert.equal(1, #errs[0])
    assert.equal("a-client", server:getpeercertificate():subject()[1].value)
    server:settimeout(2)
    client:settimeout(2)
    assert(server:send("still talking\n"))
    assert.equal("still talking", client:receive("*l"))
    server:close()
    client:close()
    -- Without it, the same check ends the handshake.
    s, c = pair()
    server = assert(ssl.wrap(s, { mode = "server", certificate = certs.cert, key = certs.key }))
    client = assert(ssl.wrap(c, { mode = "client", cafile = dir .. "/client.pem" }))
    client:sni("localhost")
    assert.same({ nil, "certificate verify failed: unable to get local issuer certificate" },
      { handshake_both(server, client) })
    server:close()
    client:close()
  end)

  it("answers openssl s_client", function()
    if not certs then return pending("openssl is not installed") end
    local listener = assert(socket.bind("127.0.0.1", 0))
    local _, port = listener:getsockname()
    local out = dir .. "/s_client.out"
    assert(servers.run("(printf 'hello\\n'; sleep 3) | openssl s_client -connect 127.0.0.1:" ..
      port .. " -CAfile '" .. certs.ca .. "' -servername localhost -verify_return_error" ..
      " -quiet >'" .. out .. "' 2>'" .. dir .. "/s_client.err' &"))
    listener:settimeout(5)
    local s = assert(listener:accept())
    listener:close()
    local server = assert(ssl.wrap(s, { mode = "server", certificate = certs.cert, key = certs.key }))
    server:settimeout(5)
    assert.same({ true }, { server:dohandshake() })
    assert.equal("hello", server:receive("*l"))
    assert(server:send("hello back\n"))
    server:close()
    local deadline = socket.gettime() + 5
    while not (servers.read(out) or ""):find("hello back", 1, true) and socket.gettime() < deadline do
      socket.sleep(0.05)
    end
    assert.equal("hello back\n", servers.read(out))
  end)

  it("answers LuaSec's client", function()
    if not certs then return pending("openssl is not installed") end
    helpers.system_modules()
    local found, luasec = pcall(require, "ssl")
    if not found or luasec == ssl or not luasec.wrap then
      return pending("LuaSec is not installed for " .. _VERSION)
    end
    local s, c = pair()
    local server = assert(ssl.wrap(s, { mode = "server", certificate = certs.cert, key = certs.key }))
    local client = assert(luasec.wrap(c, { mode = "client", protocol = "any", verify = "peer",
      cafile = certs.ca }))
    client:sni("localhost")
    assert(handshake_both(server, client))
    assert.is_true(client:getpeerverification())
    server:settimeout(2)
    client:settimeout(2)
    assert(client:send("from luasec\n"))
    assert.equal("from luasec", server:receive("*l"))
    assert(server:send(string.rep("x", 100000) .. "\n"))
    assert.equal(100000, #client:receive("*l"))
    client:close()
    server:close()
  end)

  it("luasec() makes require 'ssl' ours with LuaSec's defaults, and 'ssl.https' ours", function()
    if not certs then return pending("openssl is not installed") end
    local saved, saved_https = package.loaded["ssl"], package.loaded["ssl.https"]
    local saved_preload = package.preload["ssl.https"]
    local compat = ssl.luasec()
    -- socket.http is not loaded by the opt-in itself (copas on 5.1 wants to come first).
    assert.is_nil(package.loaded["ssl.https"])
    local ok_ssl, ok_https = require("ssl"), require("ssl.https")
    package.loaded["ssl"], package.loaded["ssl.https"] = saved, saved_https
    package.preload["ssl.https"] = saved_preload
    assert.equal(compat, ok_ssl)
    assert.equal(require("socket.ssl.https"), ok_https)
    assert.equal(ssl.loadcertificate, compat.loadcertificate)
    local server_params = { mode = "server", certificate = certs.cert, key = certs.key }
    -- As LuaSec: the chain is checked when asked, the name never (unless checkhost).
    local s, c = pair()
    local server = assert(ssl.wrap(s, server_params))
    local client = assert(compat.wrap(c, { mode = "client", verify = "peer", cafile = certs.ca }))
    client:sni("not-the-name.example")
    assert(handshake_both(server, client))
    assert.is_true(client:getpeerverification())
    server:close()
    client:close()
    -- As LuaSec: no verify, no check (but getpeerverification tells).
    s, c = pair()
    server = assert(ssl.wrap(s, server_params))
    client = assert(compat.wrap(c, { mode = "client" }))
    assert(handshake_both(server, client))
    assert.equal(false, (client:getpeerverification()))
    server:close()
    client:close()
    -- checkhost = true asks for the name check.
    s, c = pair()
    server = assert(ssl.wrap(s, server_params))
    client = assert(compat.wrap(c, { mode = "client", verify = "peer", cafile = certs.ca,
      checkhost = true }))
    client:sni("not-the-name.example")
    assert.same({ nil, "certificate verify failed: hostname mismatch" },
      { handshake_both(server, client) })
    server:close()
    client:close()
  end)

  it("answers each SNI name with its own certificate, strictly if asked", function()
    if not certs then return pending("openssl is not installed") end
    -- A second certificate from the same CA, for other.example by its CN only (no SAN).
    assert(servers.run("cd '" .. dir .. "' && openssl req -newkey rsa:2048 -nodes" ..
      " -subj /CN=other.example -keyout other.key -out other.csr >/dev/null 2>&1 &&" ..
      " printf 'basicConstraints=CA:FALSE\\n' > other.cnf &&" ..
      " openssl x509 -req -in other.csr -CA ca.pem -CAkey ca.key -CAcreateserial -days 1" ..
      " -extfile other.cnf -out other.pem >/dev/null 2>&1"))
    local other = assert(ssl.newcontext({ mode = "server", certificate = dir .. "/other.pem",
      key = dir .. "/other.key" }))
    local function connect_as(name, strict)
      local s, c = pair()
      local server = assert(ssl.wrap(s, { mode = "server", certificate = certs.cert,
        key = certs.key }))
      assert(server:sni({ ["other.example"] = other }, strict))
      local client = assert(ssl.wrap(c, { mode = "client", verify = "none" }))
      client:sni(name)
      local ok, err = handshake_both(server, client)
      local cert = ok and client:getpeercertificate()
      server:close()
      client:close()
      return cert and cert:subject()[1].value, err
    end
    assert.equal("other.example", connect_as("other.example"))
    assert.equal("localhost", connect_as("localhost"))
    assert.equal("other.example", connect_as("OTHER.example", true))
    local cn, err = connect_as("elsewhere.example", true)
    assert.is_nil(cn)
    assert.truthy(err, "a strict server refuses a name it does not know")
    -- A common name is checked when a certificate has no alternative names.
    local s, c = pair()
    local server = assert(ssl.wrap(s, { mode = "server", certificate = dir .. "/other.pem",
      key = dir .. "/other.key" }))
    local client = assert(ssl.wrap(c, { mode = "client", cafile = certs.ca }))
    client:sni("other.example")
    assert(handshake_both(server, client))
    server:close()
    client:close()
    s, c = pair()
    server = assert(ssl.wrap(s, { mode = "server", certificate = dir .. "/other.pem",
      key = dir .. "/other.key" }))
    client = assert(ssl.wrap(c, { mode = "client", cafile = certs.ca }))
    client:sni("another.example")
    assert.same({ nil, "certificate verify failed: hostname mismatch" },
      { handshake_both(server, client) })
    server:close()
    client:close()
  end)
end)

describe("socket.ssl against hostile peers", function()
  -- A client wrapped over a connection to a plain TCP server we drive by hand.
  local function client_to(serve)
    local listener = assert(socket.bind("127.0.0.1", 0))
    local _, port = listener:getsockname()
    local c = socket.tcp()
    c:settimeout(2)
    assert(c:connect("127.0.0.1", port))
    listener:settimeout(2)
    local s = assert(listener:accept())
    listener:close()
    s:settimeout(2)
    local conn = assert(ssl.wrap(c, { mode = "client", verify = "none" }))
    conn:settimeout(0.5)
    return conn, s, serve
  end

  it("gives nil, msg within the timeout: garbage, silence, a close mid-handshake", function()
    -- Garbage instead of a ServerHello.
    local conn, s = client_to()
    assert(s:send(string.rep("\0\255garbage", 100)))
    local t0 = socket.gettime()
    local ok, err = conn:dohandshake()
    assert.is_false(ok)
    assert.truthy(err ~= "wantread" and err ~= "wantwrite" and #err > 0, err)
    assert.truthy(socket.gettime() - t0 < 1.5)
    conn:close()
    s:close()
    -- Silence: the handshake waits as long as the timeout, then says what it waits for.
    conn, s = client_to()
    t0 = socket.gettime()
    assert.same({ false, "wantread" }, { conn:dohandshake() })
    local waited = socket.gettime() - t0
    assert.truthy(waited >= 0.4 and waited < 1.5, waited)
    conn:close()
    s:close()
    -- The server reads the ClientHello and hangs up.
    conn, s = client_to()
    conn:settimeout(0)
    assert.same({ false, "wantread" }, { conn:dohandshake() })
    assert(s:receive(5))
    s:close()
    conn:settimeout(1)
    assert.same({ false, "closed" }, { conn:dohandshake() })
    conn:close()
  end)

  it("reports a peer that closes without close_notify after the handshake", function()
    local dir = servers.tmpdir()
    local certs = servers.certs(dir)
    if not certs then return pending("openssl is not installed") end
    local s, c = pair()
    local server = assert(ssl.wrap(s, { mode = "server", certificate = certs.cert, key = certs.key }))
    local client = assert(ssl.wrap(c, { mode = "client", verify = "none" }))
    assert(handshake_both(server, client))
    server:settimeout(2)
    assert(server:send("partial line"))
    -- Drop the TCP connection under the TLS one: no close_notify.
    local fd = server:getfd()
    server:setfd(-1)
    local raw = socket.tcp()
    raw:setfd(fd)
    raw:close()
    client:settimeout(2)
    local data, err, partial = client:receive("*l")
    assert.is_nil(data)
    assert.equal("closed", err)
    assert.equal("partial line", partial)
    client:close()
    servers.run("rm -rf '" .. dir .. "'")
  end)
end)
