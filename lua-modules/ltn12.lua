-- ltn12: sources, sinks, filters and pumps (LTN12, "Lua Technical Note 12").
--
-- The vocabulary, in one place:
--   source()          -> next piece of data; nil at the end; nil, err on failure
--   sink(piece, err)  -> a true value, or nil, err; sink(nil) marks the end of the data
--   filter(piece)     -> the transformed piece; filter("") asks for output held back,
--                        filter(nil) says the input has ended (and drains the filter)
--   pump.step/all     -> move data from a source to a sink
-- Everything here is a closure over plain locals; nothing keeps global state.

local assert, error, select, type = assert, error, select, type
local tremove = table.remove
local unpack = rawget(table, "unpack") or rawget(_G, "unpack")

local filter, source, sink, pump = {}, {}, {}, {}

local ltn12 = {
  filter = filter,
  source = source,
  sink = sink,
  pump = pump,
  -- How much the file and string sources hand out at a time.
  BLOCKSIZE = 2048,
  _VERSION = "LTN12 1.0.3",
}

-- Filters -----------------------------------------------------------------------------

-- A filter made from low(ctx, piece, extra) -> out, ctx; the context is carried from one
-- call to the next.
function filter.cycle(low, ctx, extra)
  assert(low)
  local function stage(piece)
    local out
    out, ctx = low(ctx, piece, extra)
    return out
  end
  return stage
end

-- Several filters in a row, as one. New input goes to the first filter that has not
-- finished; each output moves down the row. A filter further down that answers "" has
-- nothing more for now, so the one above it is asked again; once the first filter has
-- finished, the next one becomes the head of the row.
function filter.chain(...)
  local stages, last = { ... }, select("#", ...)
  local head, at = 1, 1
  local function chained(piece)
    local refill = piece and ""
    repeat
      local out
      if at == head then
        out = stages[at](piece)
        if out == "" or head == last then return out end
        if out == nil then
          head = head + 1
          at = head
        else
          at = at + 1
        end
      else
        out = stages[at](piece or "")
        if out == nil then error("filter returned inappropriate nil") end
        if out == "" then
          at = at - 1
          out = refill
        elseif at == last then
          return out
        else
          at = at + 1
        end
      end
      piece = out
    until false
  end
  return chained
end

-- Sources -----------------------------------------------------------------------------

local function exhausted() return nil end

function source.empty()
  return exhausted
end

function source.error(err)
  local function failing() return nil, err end
  return failing
end

-- BLOCKSIZE pieces of an open file, which is closed at its end.
function source.file(handle, io_err)
  if not handle then return source.error(io_err or "unable to open file") end
  local function reader()
    local piece = handle:read(ltn12.BLOCKSIZE)
    if piece == nil then handle:close() end
    return piece
  end
  return reader
end

-- A plain source from one that may hand back its replacement as its second result.
function source.simplify(src)
  assert(src)
  local function simple()
    local piece, other = src()
    src = other or src
    if piece == nil then return nil, other end
    return piece
  end
  return simple
end

-- BLOCKSIZE pieces of a string.
function source.string(s)
  if not s then return source.empty() end
  local from = 1
  local function slicer()
    if from > #s then return nil end
    local to = from + ltn12.BLOCKSIZE - 1
    local piece = s:sub(from, to)
    from = to + 1
    return piece
  end
  return slicer
end

-- The items of a list, in order.
function source.table(t)
  assert(type(t) == "table")
  local index = 0
  local function walker()
    index = index + 1
    return t[index]
  end
  return walker
end

-- A source that takes pieces back: rewound(piece) keeps a piece, and the kept pieces
-- come out again (last kept first) before anything new.
function source.rewind(src)
  assert(src)
  local kept = {}
  local function rewound(piece)
    if piece then
      kept[#kept + 1] = piece
      return
    end
    local back = tremove(kept)
    if back then return back end
    return src()
  end
  return rewound
end

-- The output of `src` through a filter (or a chain of filters given in order).
function source.chain(src, f, ...)
  if ... then f = filter.chain(f, ...) end
  assert(src and f)
  local input, output = "", ""
  local draining = false
  local function filtered()
    if not output then error("source is empty!", 2) end
    repeat
      if draining then
        output = f(input)
        if output == nil then
          if input then error("filter returned inappropriate nil") end
          return nil
        end
        if output ~= "" then return output end
        if input ~= "" then error('filter returned ""') end
        draining = false
      else
        local failure
        input, failure = src()
        if failure then return nil, failure end
        output = f(input)
        if output == nil then
          if input then error("filter returned inappropriate nil") end
          return nil
        end
        if output ~= "" then
          draining = true
          if input then input = "" end
          return output
        end
      end
    until false
  end
  return filtered
end

-- The given sources one after the other.
function source.cat(...)
  local queue = { ... }
  local current = tremove(queue, 1)
  local function joined()
    while current do
      local piece, failure = current()
      if piece ~= nil then return piece end
      if failure then return nil, failure end
      current = tremove(queue, 1)
    end
  end
  return joined
end

-- Sinks -------------------------------------------------------------------------------

-- Appends each piece to `t` (a new table if none); returns the sink and the table.
function sink.table(t)
  local store = t or {}
  local function collector(piece)
    if piece then store[#store + 1] = piece end
    return 1
  end
  return collector, store
end

-- A plain sink from one that may hand back its replacement as its second result.
function sink.simplify(snk)
  assert(snk)
  local function simple(piece, err)
    local ok, other = snk(piece, err)
    if not ok then return nil, other end
    snk = other or snk
    return 1
  end
  return simple
end

-- Writes to an open file, which is closed at the end of the data.
function sink.file(handle, io_err)
  if not handle then return sink.error(io_err or "unable to open file") end
  local function writer(piece)
    if piece ~= nil then return handle:write(piece) end
    handle:close()
    return 1
  end
  return writer
end

local function swallow() return 1 end

function sink.null()
  return swallow
end

function sink.error(err)
  local function failing() return nil, err end
  return failing
end

-- A sink that filters before it passes on: chain(f, snk), or chain(f1, f2, ..., snk).
function sink.chain(f, snk, ...)
  if ... then
    local all = { f, snk, ... }
    snk = tremove(all)
    f = filter.chain(unpack(all))
  end
  assert(f and snk)
  local function filtering(piece, err)
    if piece == "" then return 1 end
    local out = f(piece)
    local final = piece and ""
    repeat
      local ok, failure = snk(out, err)
      if not ok then return nil, failure end
      if out == final then return 1 end
      out = f(final)
    until false
  end
  return filtering
end

-- Pumps -------------------------------------------------------------------------------

-- Moves one piece; a true value while there is more to move.
function pump.step(src, snk)
  local piece, src_failure = src()
  local ok, snk_failure = snk(piece, src_failure)
  if piece and ok then return 1 end
  return nil, src_failure or snk_failure
end

-- Moves everything: 1 at the end, or nil and the error.
function pump.all(src, snk, step)
  assert(src and snk)
  local move = step or pump.step
  repeat
    local more, failure = move(src, snk)
    if not more and failure then return nil, failure end
  until not more
  return 1
end

-- Programs written for Lua 5.1's `module` find the table as a global too.
if rawget(_G, "module") then
  rawset(_G, "ltn12", ltn12)
end

return ltn12
