-- ltn12: sources, sinks, filters, pumps.

local ltn12 = require("ltn12")

local function collect(src)
  local t = {}
  assert(ltn12.pump.all(src, (ltn12.sink.table(t))))
  return table.concat(t)
end

-- A filter that upper-cases and, on end of input, emits "!" once.
local function shout()
  local ended = false
  return function(chunk)
    if chunk then return chunk:upper() end
    if ended then return nil end
    ended = true
    return "!"
  end
end

describe("ltn12", function()
  it("has its version and block size", function()
    assert.equal("LTN12 1.0.3", ltn12._VERSION)
    assert.equal(2048, ltn12.BLOCKSIZE)
  end)

  describe("sources", function()
    it("string, table, empty, error, cat", function()
      local big = string.rep("x", 5000)
      local src = ltn12.source.string(big)
      assert.equal(2048, #src())
      assert.equal(2048, #src())
      assert.equal(904, #src())
      assert.is_nil(src())
      assert.is_nil(ltn12.source.string("")())
      assert.is_nil(ltn12.source.string(nil)())
      assert.equal("ab", collect(ltn12.source.table({ "a", "b" })))
      assert.is_nil(ltn12.source.empty()())
      assert.same({ nil, "boom" }, { ltn12.source.error("boom")() })
      local cat = ltn12.source.cat(ltn12.source.string("a"), ltn12.source.empty(),
        ltn12.source.string("b"))
      assert.equal("ab", collect(cat))
      local failing = ltn12.source.cat(ltn12.source.string("a"), ltn12.source.error("e"))
      assert.equal("a", failing())
      assert.same({ nil, "e" }, { failing() })
    end)

    it("file reads blocks and closes the handle", function()
      local name = os.tmpname()
      local f = assert(io.open(name, "wb"))
      f:write(string.rep("z", 3000))
      f:close()
      local handle = assert(io.open(name, "rb"))
      assert.equal(string.rep("z", 3000), collect(ltn12.source.file(handle)))
      assert.equal("closed file", io.type(handle))
      os.remove(name)
      assert.same({ nil, "no file" }, { ltn12.source.file(nil, "no file")() })
      assert.same({ nil, "unable to open file" }, { ltn12.source.file(nil)() })
    end)

    it("simplify follows replacement sources", function()
      local second = ltn12.source.string("two")
      local first_called = false
      local src = ltn12.source.simplify(function()
        if not first_called then
          first_called = true
          return "one", second
        end
        return nil
      end)
      assert.equal("onetwo", collect(src))
    end)

    it("rewind gives chunks back first, last in first out", function()
      local src = ltn12.source.rewind(ltn12.source.table({ "a", "b" }))
      assert.equal("a", src())
      src("x")
      src("y")
      assert.equal("y", src())
      assert.equal("x", src())
      assert.equal("b", src())
      assert.is_nil(src())
    end)

    it("chain filters a source, draining what the filter holds", function()
      local src = ltn12.source.chain(ltn12.source.table({ "ab", "cd" }), shout())
      assert.equal("ABCD!", collect(src))
      local twice = ltn12.source.chain(ltn12.source.string("x"), shout(), shout())
      assert.equal("X!!", collect(twice))
      local err = ltn12.source.chain(ltn12.source.error("bad"), shout())
      assert.same({ nil, "bad" }, { err() })
      local bad = ltn12.source.chain(ltn12.source.string("x"), function() return nil end)
      assert.error_matches(function() bad() end, "filter returned inappropriate nil")
    end)
  end)

  describe("filters", function()
    it("cycle keeps a context", function()
      local count = ltn12.filter.cycle(function(ctx, chunk, extra)
        if not chunk then return nil, ctx end
        return chunk .. extra .. ctx, ctx + 1
      end, 1, ":")
      assert.equal("a:1", count("a"))
      assert.equal("b:2", count("b"))
      assert.error_matches(function() ltn12.filter.cycle() end, "assertion failed")
    end)

    it("chain passes each output down and flushes in order", function()
      local f = ltn12.filter.chain(shout(), function(c)
        if c == "" then return "" end -- nothing held back
        return c and ("<" .. c .. ">")
      end)
      assert.equal("<AB>", f("ab"))
      assert.equal("<!>", f(nil))
    end)
  end)

  describe("sinks", function()
    it("table, null, error, file, simplify", function()
      local snk, t = ltn12.sink.table()
      assert.equal(1, snk("a"))
      assert.equal(1, snk(nil))
      assert.same({ "a" }, t)
      assert.equal(1, ltn12.sink.null()("x"))
      assert.same({ nil, "nope" }, { ltn12.sink.error("nope")("x") })
      local name = os.tmpname()
      local fsnk = ltn12.sink.file(assert(io.open(name, "wb")))
      assert(ltn12.pump.all(ltn12.source.string("data"), fsnk))
      local f = assert(io.open(name, "rb"))
      assert.equal("data", f:read("*a"))
      f:close()
      os.remove(name)
      local other, got = ltn12.sink.table()
      local simple = ltn12.sink.simplify(function() return 1, other end)
      simple("ignored")
      simple("kept")
      assert.same({ "kept" }, got)
    end)

    it("chain filters into a sink, several filters too", function()
      local t = {}
      local snk = ltn12.sink.chain(shout(), (ltn12.sink.table(t)))
      assert(ltn12.pump.all(ltn12.source.string("hi"), snk))
      assert.equal("HI!", table.concat(t))
      local t2 = {}
      local snk2 = ltn12.sink.chain(shout(), shout(), (ltn12.sink.table(t2)))
      assert(ltn12.pump.all(ltn12.source.string("hi"), snk2))
      assert.equal("HI!!", table.concat(t2))
    end)
  end)

  describe("pumps", function()
    it("step and all report source and sink errors", function()
      assert.equal(1, ltn12.pump.step(ltn12.source.string("a"), ltn12.sink.null()))
      assert.same({ nil, "src" }, { ltn12.pump.all(ltn12.source.error("src"), ltn12.sink.null()) })
      assert.same({ nil, "snk" }, { ltn12.pump.all(ltn12.source.string("a"), ltn12.sink.error("snk")) })
      local steps = 0
      assert.equal(1, ltn12.pump.all(ltn12.source.table({ "a", "b" }), ltn12.sink.null(),
        function(src, snk)
          steps = steps + 1
          return ltn12.pump.step(src, snk)
        end))
      assert.equal(3, steps)
    end)
  end)
end)
