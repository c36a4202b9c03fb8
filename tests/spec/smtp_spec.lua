-- socket.smtp against a real SMTP server (aiosmtpd, started here).

local socket = require("socket")
local smtp = require("socket.smtp")
local ltn12 = require("ltn12")
local mime = require("mime")
local servers = require("servers")

local srv, why = servers.smtp()

local function need_server()
  if not srv then
    pending("SMTP server: " .. tostring(why))
    return false
  end
  return true
end

-- The n-th message the server stored, and its envelope lines.
local function stored(n)
  for _ = 1, 50 do
    local eml = servers.read(srv.dir .. "/" .. n .. ".eml")
    local env = servers.read(srv.dir .. "/" .. n .. ".env")
    if eml and env then return eml, env end
    socket.sleep(0.05)
  end
end

local count = 0

describe("socket.smtp", function()
  it("has LuaSocket's fields", function()
    assert.equal(60, smtp.TIMEOUT)
    assert.equal("localhost", smtp.SERVER)
    assert.equal(25, smtp.PORT)
    assert.equal("-0000", smtp.ZONE)
    assert.equal("string", type(smtp.DOMAIN))
    assert.equal(socket.smtp, smtp)
  end)

  it("sends a simple message, dot-stuffed, to several recipients", function()
    if not need_server() then return end
    local r, err = smtp.send({
      from = "<sender@example.com>",
      rcpt = { "<a@example.com>", "<b@example.com>" },
      source = smtp.message({
        headers = { subject = "hello", to = "a@example.com" },
        body = "line one\r\n.starts with a dot\r\nlast line",
      }),
      server = "127.0.0.1", port = srv.port,
    })
    assert.equal(1, r, err)
    count = count + 1
    local eml, env = stored(count)
    assert.truthy(eml:find("Subject: hello", 1, true))
    assert.truthy(eml:find("MIME-Version: 1.0", 1, true))
    assert.truthy(eml:find("\r\n.starts with a dot\r\n", 1, true) or
      eml:find("\n.starts with a dot\n", 1, true))
    assert.truthy(env:find("sender@example.com", 1, true))
    assert.truthy(env:find("a@example.com\nb@example.com", 1, true))
  end)

  it("authenticates with LOGIN or PLAIN, and reports a refused login", function()
    if not need_server() then return end
    local r, err = smtp.send({
      from = "<u@example.com>", rcpt = "<x@example.com>",
      source = smtp.message({ headers = { subject = "auth" }, body = "x" }),
      server = "127.0.0.1", port = srv.port, user = "user", password = "secret",
    })
    assert.equal(1, r, err)
    count = count + 1
    local _, env = stored(count)
    assert.truthy(env:find("auth=True", 1, true))
    local s = smtp.open("127.0.0.1", srv.port)
    s:greet("spec")
    assert.equal(235, (s:plain("user", "secret")))
    s:quit()
    s:close()
    local bad, berr = smtp.send({
      from = "<u@example.com>", rcpt = "<x@example.com>",
      source = ltn12.source.string("x"),
      server = "127.0.0.1", port = srv.port, user = "user", password = "wrong",
    })
    assert.is_nil(bad)
    assert.matches("^535", berr)
  end)

  it("builds nested multipart messages with a source body", function()
    if not need_server() then return end
    local src = smtp.message({
      headers = { subject = "multi", from = "me" },
      body = {
        preamble = "preamble text",
        [1] = { body = "plain part" },
        [2] = {
          headers = { ["content-type"] = "multipart/alternative" },
          body = {
            { headers = { ["content-type"] = "text/html" }, body = "<b>html</b>" },
            { body = ltn12.source.chain(ltn12.source.string("encoded"), mime.encode("base64")),
              headers = { ["content-transfer-encoding"] = "BASE64" } },
          },
        },
        epilogue = "the end",
      },
    })
    local t = {}
    assert(ltn12.pump.all(src, (ltn12.sink.table(t))))
    local text = table.concat(t)
    assert.truthy(text:find("Content-Type: multipart/mixed; boundary=", 1, true))
    assert.truthy(text:find("Content-Type: multipart/alternative; boundary=", 1, true))
    assert.truthy(text:find("<b>html</b>", 1, true))
    assert.truthy(text:find(mime.b64("encoded"), 1, true))
    assert.truthy(text:find("preamble text", 1, true))
    assert.truthy(text:find("the end", 1, true))
    local r, err = smtp.send({ from = "<m@example.com>", rcpt = "<n@example.com>",
      source = ltn12.source.string(text), server = "127.0.0.1", port = srv.port })
    assert.equal(1, r, err)
    count = count + 1
    assert.truthy(stored(count))
  end)

  it("refuses CR or LF in headers and envelope addresses", function()
    if not need_server() then return end
    local src = smtp.message({ headers = { subject = "x\r\nBcc: victim@example.com" }, body = "x" })
    local chunk, err = src()
    assert.is_nil(chunk)
    assert.matches("CR or LF", err)
    local r, serr = smtp.send({
      from = "<a@example.com>\r\nRCPT TO:<victim@example.com>", rcpt = "<b@example.com>",
      source = ltn12.source.string("x"), server = "127.0.0.1", port = srv.port,
    })
    assert.is_nil(r)
    assert.matches("CR or LF", serr)
  end)

  it("returns nil and a message for a mail without recipient or sender", function()
    -- upstream's test/smtptest.lua "no rcpt" (C LuaSocket raises a concatenation error);
    -- refused before connecting, so no server is needed.
    local port = servers.free_port()
    assert.same({ nil, "missing recipient" }, { smtp.send({ from = "<a@b>",
      source = ltn12.source.string("x"), server = "127.0.0.1", port = port }) })
    assert.same({ nil, "missing sender" }, { smtp.send({ rcpt = "<c@d>",
      source = ltn12.source.string("x"), server = "127.0.0.1", port = port }) })
  end)

  it("reports a server that is not there", function()
    local r, err = smtp.send({ from = "<a@b>", rcpt = "<c@d>", source = ltn12.source.string(""),
      server = "127.0.0.1", port = servers.free_port() })
    assert.is_nil(r)
    assert.equal("connection refused", err)
  end)
end)

if srv then srv.stop() end

-- What a TLS server stored: its n-th message and envelope, waiting a little for them.
local function stored_in(server, n)
  for _ = 1, 50 do
    local eml = servers.read(server.dir .. "/" .. n .. ".eml")
    local env = servers.read(server.dir .. "/" .. n .. ".env")
    if eml and env then return eml, env end
    socket.sleep(0.05)
  end
end

describe("socket.smtp over TLS", function()
  local mail
  after_each(function()
    if mail then mail.stop() end
    mail = nil
  end)

  local function message(subject)
    return smtp.message({ headers = { subject = subject }, body = "sent over TLS" })
  end

  it("upgrades with STARTTLS, verifying the server, and logs in over TLS only", function()
    local why_not
    mail, why_not = servers.smtp("starttls")
    if not mail then return pending("SMTP server: " .. tostring(why_not)) end
    local r, err = smtp.send({ from = "<u@example.com>", rcpt = "<x@example.com>",
      source = message("starttls"), server = "127.0.0.1", port = mail.port,
      user = "user", password = "secret", tls = "starttls", cafile = mail.ca })
    assert.equal(1, r, err)
    local eml, env = stored_in(mail, 1)
    assert.truthy(eml:find("sent over TLS", 1, true))
    assert.truthy(env:find("auth=True\ntls=True", 1, true), env)
    -- tls = true is STARTTLS away from port 465.
    assert.equal(1, (smtp.send({ from = "<u@example.com>", rcpt = "<x@example.com>",
      source = message("true"), server = "127.0.0.1", port = mail.port, tls = true,
      cafile = mail.ca })))
    -- The server is verified: our throwaway CA is not the system's.
    assert.same({ nil, "certificate verify failed: unable to get local issuer certificate" },
      { smtp.send({ from = "<u@example.com>", rcpt = "<x@example.com>",
        source = message("refused"), server = "127.0.0.1", port = mail.port, tls = "starttls",
        user = "user", password = "secret" }) })
    -- Without tls, the dialogue is C LuaSocket's: in the clear.
    assert.equal(1, (smtp.send({ from = "<u@example.com>", rcpt = "<x@example.com>",
      source = message("clear"), server = "127.0.0.1", port = mail.port })))
    local _, clear = stored_in(mail, 3)
    assert.truthy(clear:find("tls=False", 1, true), clear)
    assert.same({ nil, "invalid tls 'yes' (starttls, implicit or true)" },
      { smtp.send({ from = "<a@b>", rcpt = "<c@d>", source = message("x"),
        server = "127.0.0.1", port = mail.port, tls = "yes" }) })
  end)

  it("refuses to go on in the clear when STARTTLS is asked for and not offered", function()
    local why_not
    mail, why_not = servers.smtp()
    if not mail then return pending("SMTP server: " .. tostring(why_not)) end
    assert.same({ nil, "STARTTLS not offered by the server" },
      { smtp.send({ from = "<u@example.com>", rcpt = "<x@example.com>",
        source = message("plain"), server = "127.0.0.1", port = mail.port,
        user = "user", password = "secret", tls = "starttls" }) })
    assert.is_nil(servers.read(mail.dir .. "/1.env"))
  end)

  it("speaks TLS from the first byte with tls = implicit (SMTPS)", function()
    local why_not
    mail, why_not = servers.smtp("implicit")
    if not mail then return pending("SMTP server: " .. tostring(why_not)) end
    local r, err = smtp.send({ from = "<u@example.com>", rcpt = "<x@example.com>",
      source = message("implicit"), server = "127.0.0.1", port = mail.port,
      user = "user", password = "secret", tls = "implicit", cafile = mail.ca,
      sni = "localhost" })
    assert.equal(1, r, err)
    local _, env = stored_in(mail, 1)
    assert.truthy(env:find("auth=True\ntls=True", 1, true), env)
  end)
end)
