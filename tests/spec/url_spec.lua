-- socket.url: parse/build, reference resolution, escaping, paths.

local url = require("socket.url")
local socket = require("socket")

describe("socket.url", function()
  it("is socket.url with a version", function()
    assert.equal(url, socket.url)
    assert.equal("URL 1.0.3", url._VERSION)
  end)

  it("parses every part", function()
    local p = url.parse("http://user:pass@www.example.com:8080/a/b;type=i?x=1&y=2#frag")
    assert.equal("http", p.scheme)
    assert.equal("user:pass@www.example.com:8080", p.authority)
    assert.equal("user:pass", p.userinfo)
    assert.equal("user", p.user)
    assert.equal("pass", p.password)
    assert.equal("www.example.com", p.host)
    assert.equal("8080", p.port)
    assert.equal("/a/b", p.path)
    assert.equal("type=i", p.params)
    assert.equal("x=1&y=2", p.query)
    assert.equal("frag", p.fragment)
    local v6 = url.parse("http://[2001:db8::1]:8443/x")
    assert.equal("2001:db8::1", v6.host)
    assert.equal("8443", v6.port)
    local m = url.parse("mailto:someone@example.com")
    assert.equal("mailto", m.scheme)
    assert.equal("someone@example.com", m.path)
    local rel = url.parse("../x?y")
    assert.is_nil(rel.scheme)
    assert.equal("../x", rel.path)
    assert.same({ nil, "invalid url" }, { url.parse("") })
    assert.same({ nil, "invalid url" }, { url.parse(nil) })
  end)

  it("fills in defaults", function()
    local p = url.parse("//host/x", { scheme = "ftp", port = 21, path = "/" })
    assert.equal("ftp", p.scheme)
    assert.equal(21, p.port)
    assert.equal("/x", p.path)
  end)

  it("keeps userinfo whole: the last @ ends it, the first : splits it", function()
    local p = url.parse("http://me@example.com:p@ss:w@host/")
    assert.equal("me@example.com", p.user)
    assert.equal("p@ss:w", p.password)
    assert.equal("host", p.host)
    assert.equal("http://me@example.com:p@ss:w@host/", url.build(p))
    local e = url.parse("http://u:p%40ss@h/")
    assert.equal("p%40ss", e.password)
    assert.equal("p@ss", url.unescape(e.password))
    -- Characters that would end the authority are escaped when built from fields.
    local built = url.build({ scheme = "http", host = "h", user = "a:b/c", password = "x/y?z" })
    assert.equal("http://a%3Ab%2Fc:x%2Fy%3Fz@h", built)
    local back = url.parse(built)
    assert.equal("a:b/c", url.unescape(back.user))
    assert.equal("x/y?z", url.unescape(back.password))
  end)

  it("round trips build(parse(u))", function()
    for _, u in ipairs({
      "http://www.example.com/path/to/file1.html",
      "http://www.example.com:8080/a/b/c/d1?x=1&y=two&z=three#sec1",
      "https://user1:secret@secure.example.org/login;jsessionid=1?next=/home",
      "ftp://anonymous@ftp.example.net:2121/pub/dir1/file.tar.gz;type=i",
      "http://[2001:db8::1]:8443/ipv6/resource?q=1",
      "//cdn1.example.com/static/js/app.js?v=1",
      "../relative/path/1/index.html?a=1#top",
      "mailto:someone1@example.com",
      "http://host:/empty-port",
      "file:///etc/hosts",
      "x?#",
    }) do
      assert.equal(u, url.build(url.parse(u)))
    end
  end)

  -- Upstream's test/urltest.lua pins C LuaSocket's splitting and resolution, so they are
  -- the contract (issue 9): the authority runs to the first "/", a reference with no path
  -- keeps the base's path (";x" replaces only the params) and dot segments go from the
  -- whole resolved URL, query and fragment included.
  it("takes the authority up to the first slash, as C LuaSocket", function()
    local p = url.parse("scheme://user:pass$%?#wd@host:port/path;params?query#fragment")
    assert.equal("user:pass$%?#wd@host:port", p.authority)
    assert.equal("user:pass$%?#wd", p.userinfo)
    assert.equal("user", p.user)
    assert.equal("pass$%?#wd", p.password)
    assert.equal("host", p.host)
    assert.equal("port", p.port)
    assert.equal("/path", p.path)
    assert.equal("params", p.params)
    assert.equal("query", p.query)
    assert.equal("fragment", p.fragment)
    local q = url.parse("http://h?x#y")
    assert.equal("h?x#y", q.authority)
    assert.is_nil(q.query)
    assert.is_nil(q.fragment)
    assert.equal("http://h?x#y", url.build(q))
  end)

  it("resolves references as C LuaSocket does", function()
    local base = "http://a/b/c/d;p?q"
    local cases = {
      { "g:h", "g:h" }, { "g", "http://a/b/c/g" }, { "./g", "http://a/b/c/g" },
      { "g/", "http://a/b/c/g/" }, { "/g", "http://a/g" }, { "//g", "http://g" },
      { "?y", "http://a/b/c/d;p?y" }, { "g?y", "http://a/b/c/g?y" },
      { "#s", "http://a/b/c/d;p?q#s" }, { "g#s", "http://a/b/c/g#s" },
      { "g?y#s", "http://a/b/c/g?y#s" }, { ";x", "http://a/b/c/d;x" },
      { "g;x", "http://a/b/c/g;x" }, { "g;x?y#s", "http://a/b/c/g;x?y#s" },
      { "", "http://a/b/c/d;p?q" }, { ".", "http://a/b/c/" }, { "./", "http://a/b/c/" },
      { "..", "http://a/b/" }, { "../", "http://a/b/" }, { "../g", "http://a/b/g" },
      { "../..", "http://a/" }, { "../../", "http://a/" }, { "../../g", "http://a/g" },
      { "../../../g", "http://a/g" }, { "../../../../g", "http://a/g" },
      { "/./g", "http://a/g" }, { "/../g", "http://a/g" }, { "g.", "http://a/b/c/g." },
      { ".g", "http://a/b/c/.g" }, { "g..", "http://a/b/c/g.." }, { "..g", "http://a/b/c/..g" },
      { "./../g", "http://a/b/g" }, { "./g/.", "http://a/b/c/g/" },
      { "g/./h", "http://a/b/c/g/h" }, { "g/../h", "http://a/b/c/h" },
      { "g;x=1/./y", "http://a/b/c/g;x=1/y" }, { "g;x=1/../y", "http://a/b/c/y" },
      { "g?y/./x", "http://a/b/c/g?y/x" }, { "g?y/../x", "http://a/b/c/x" },
      { "g#s/./x", "http://a/b/c/g#s/x" }, { "g#s/../x", "http://a/b/c/x" },
      { "http:g", "http:g" },
    }
    for _, c in ipairs(cases) do
      assert.equal(c[2], url.absolute(base, c[1]), c[1])
    end
    assert.equal("http://a/b/c/g", url.absolute(url.parse(base), "g"))
    assert.equal("http://x/y", url.absolute(base, "http://x/a/../y"))
    assert.equal("g", url.absolute("", "g"))
    assert.equal("http://h/", url.absolute("http://h", "/"))
    assert.equal("http://h/g", url.absolute("http://h", "g"))
  end)

  it("escapes and unescapes", function()
    assert.equal("a%20b%2fc%00%ff_9", url.escape("a b/c\0\255_9"))
    assert.equal("a b/c\0\255_9", url.unescape("a%20b%2fc%00%ff_9"))
    assert.equal("%zz%4", url.unescape("%zz%4"))
    assert.error_matches(function() url.escape(nil) end, "string expected")
  end)

  it("parses and builds paths", function()
    local p = url.parse_path("/a%20b/c/")
    assert.same({ "a b", "c", is_absolute = 1, is_directory = 1 }, p)
    assert.equal("/a%20b/c/", url.build_path(p))
    assert.equal("/a b/c/", url.build_path(p, true))
    assert.same({}, url.parse_path(nil))
    assert.equal("x:@&=+$,-_.!~*'()/%3F%23", url.build_path({ "x:@&=+$,-_.!~*'()", "?#" }))
  end)

  it("never fails on malformed URLs", function()
    for _, u in ipairs({ "://", "http://", "http://[::1", "http://@", "?", "#", ";", "//",
      "http://host:99999999999", "%%%", string.rep("/..", 100), "a:b:c:d" }) do
      local p = url.parse(u)
      assert.equal("table", type(p))
      assert.equal("string", type(url.build(p)))
      assert.equal("string", type(url.absolute("http://a/b/c", u)))
    end
  end)
end)
