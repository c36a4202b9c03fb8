-- mbox and socket.headers.

local mbox = require("mbox")
local headers = require("socket.headers")

describe("socket.headers", function()
  it("knows canonical field names", function()
    assert.equal("Content-Type", headers.canonic["content-type"])
    assert.equal("Content-MD5", headers.canonic["content-md5"])
    assert.equal("ETag", headers.canonic["etag"])
    assert.equal("WWW-Authenticate", headers.canonic["www-authenticate"])
    assert.equal("MIME-Version", headers.canonic["mime-version"])
    assert.equal("Message-ID", headers.canonic["message-id"])
    assert.equal("TE", headers.canonic["te"])
    assert.equal("SMTP-Remote-Recipient", headers.canonic["smtp-remote-recipient"])
    assert.is_nil(headers.canonic["x-unknown"])
    assert.equal(headers, require("socket").headers)
  end)
end)

describe("mbox", function()
  local box = "From a@b Mon Jan 1 00:00:00 2024\r\nFrom: \"Ann\" <ann@example.com>\r\n" ..
    "Subject: one\r\n  continued\r\nX: 1\r\nx: 2\r\n\r\nbody one\r\n\r\n" ..
    "From c@d Tue Jan 2 00:00:00 2024\nSubject: two\n\nbody two\n"

  it("splits a mailbox into messages", function()
    local msgs = mbox.split_mbox(box)
    assert.equal(2, #msgs)
    local parsed = mbox.parse(box)
    assert.equal("one continued", parsed[1].headers.subject)
    assert.equal("1, 2", parsed[1].headers.x)
    assert.equal("body one", parsed[1].body)
    assert.equal("two", parsed[2].headers.subject)
    assert.equal("body two\n", parsed[2].body)
  end)

  it("splits messages, headers and From fields", function()
    assert.same({ "A: 1\n", "body" }, { mbox.split_message("A: 1\r\n\r\nbody") })
    assert.same({ "", "only body" }, { mbox.split_message("\nonly body") })
    assert.same({ "A: 1", "" }, { mbox.split_message("A: 1") })
    assert.same({ "A: 1 2", "B: 3" }, mbox.split_headers("A: 1\n 2\nB: 3\n"))
    assert.same({ "Name", "value here" }, { mbox.parse_header("Name:   value here") })
    assert.same({ "Ann", "ann@example.com" }, { mbox.parse_from('"Ann" <ann@example.com>') })
    assert.same({ "bob@example.com", "bob@example.com" }, { mbox.parse_from("bob@example.com") })
  end)
end)
