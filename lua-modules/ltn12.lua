-- ltn12: sources, sinks, filters and pumps (LTN12, "Lua Technical Note 12").
--
-- A source is a function returning the next chunk, nil at the end, or nil, err.
-- A sink is a function taking (chunk, err); it returns a true value, or nil, err.
-- A filter takes a chunk and returns the transformed chunk; "" asks it for more output
-- without new input, and nil tells it the input has ended.

local assert, error, select, type = assert, error, select, type
local tremove = table.remove
local unpack = rawget(table, "unpack") or rawget(_G, "unpack")

local _M = {}

local filter, source, sink, pump = {}, {}, {}, {}
_M.filter, _M.source, _M.sink, _M.pump = filter, source, sink, pump

-- Chunk size of the file and string sources.
_M.BLOCKSIZE = 2048
_M._VERSION = "LTN12 1.0.3"

-- Filters -----------------------------------------------------------------------------

-- A filter around a low-level function low(ctx, chunk, extra) -> out, ctx that keeps the
-- context between calls.
function filter.cycle(low, ctx, extra)
  assert(low)
  return function(chunk)
    local out
    out, ctx = low(ctx, chunk, extra)
    return out
  end
end

-- One filter made of several in a row. Input goes to the first filter that has not ended;
-- each output goes down the row. When a filter further down gives "" (it has nothing more
-- for now), the one above it is asked for more; once the first filter has ended, its
-- successor becomes the head of the row.
function filter.chain(...)
  local filters, n = { ... }, select("#", ...)
  local head, at = 1, 1
  return function(chunk)
    local more = chunk and ""
    while true do
      if at == head then
        chunk = filters[at](chunk)
        if chunk == "" or head == n then return chunk end
        if chunk then
          at = at + 1
        else
          head = head + 1
          at = head
        end
      else
        chunk = filters[at](chunk or "")
        if chunk == "" then
          at = at - 1
          chunk = more
        elseif chunk then
          if at == n then return chunk end
          at = at + 1
        else
          error("filter returned inappropriate nil")
        end
      end
    end
  end
end

-- Sources -----------------------------------------------------------------------------

local function nothing() return nil end

function source.empty()
  return nothing
end

function source.error(err)
  return function() return nil, err end
end

-- Reads a file handle in BLOCKSIZE chunks and closes it at the end.
function source.file(handle, io_err)
  if not handle then return source.error(io_err or "unable to open file") end
  return function()
    local chunk = handle:read(_M.BLOCKSIZE)
    if not chunk then handle:close() end
    return chunk
  end
end

-- A source that may return a replacement of itself as its second value.
function source.simplify(src)
  assert(src)
  return function()
    local chunk, err_or_next = src()
    src = err_or_next or src
    if chunk then return chunk end
    return nil, err_or_next
  end
end

function source.string(s)
  if not s then return source.empty() end
  local at, size = 1, #s
  return function()
    if at > size then return nil end
    local chunk = s:sub(at, at + _M.BLOCKSIZE - 1)
    at = at + _M.BLOCKSIZE
    return chunk
  end
end

function source.table(t)
  assert(type(t) == "table")
  local i = 0
  return function()
    i = i + 1
    return t[i]
  end
end

-- A source that can take chunks back: called with a chunk, it keeps it to give it out
-- again before anything new.
function source.rewind(src)
  assert(src)
  local stack = {}
  return function(chunk)
    if chunk then
      stack[#stack + 1] = chunk
      return
    end
    chunk = tremove(stack)
    if chunk then return chunk end
    return src()
  end
end

-- The output of src passed through a filter (or a chain of them).
function source.chain(src, f, ...)
  if ... then f = filter.chain(f, ...) end
  assert(src and f)
  local input, output = "", ""
  local draining = false
  return function()
    if not output then error("source is empty!", 2) end
    while true do
      if not draining then
        local err
        input, err = src()
        if err then return nil, err end
        output = f(input)
        if not output then
          if input then error("filter returned inappropriate nil") end
          return nil
        end
        if output ~= "" then
          draining = true
          if input then input = "" end
          return output
        end
      else
        output = f(input)
        if output == "" then
          if input ~= "" then error('filter returned ""') end
          draining = false
        elseif not output then
          if input then error("filter returned inappropriate nil") end
          return nil
        else
          return output
        end
      end
    end
  end
end

-- The sources one after another.
function source.cat(...)
  local rest = { ... }
  local src = tremove(rest, 1)
  return function()
    while src do
      local chunk, err = src()
      if chunk then return chunk end
      if err then return nil, err end
      src = tremove(rest, 1)
    end
  end
end

-- Sinks -------------------------------------------------------------------------------

-- Collects chunks into t (a new table if none); returns the sink and the table.
function sink.table(t)
  t = t or {}
  return function(chunk)
    if chunk then t[#t + 1] = chunk end
    return 1
  end, t
end

-- A sink that may return a replacement of itself as its second value.
function sink.simplify(snk)
  assert(snk)
  return function(chunk, err)
    local ok, err_or_next = snk(chunk, err)
    if not ok then return nil, err_or_next end
    snk = err_or_next or snk
    return 1
  end
end

-- Writes to a file handle and closes it at the end.
function sink.file(handle, io_err)
  if not handle then return sink.error(io_err or "unable to open file") end
  return function(chunk)
    if chunk then return handle:write(chunk) end
    handle:close()
    return 1
  end
end

local function accept() return 1 end

function sink.null()
  return accept
end

function sink.error(err)
  return function() return nil, err end
end

-- A sink that filters what it is given before passing it on: chain(f, snk) or
-- chain(f1, f2, ..., snk).
function sink.chain(f, snk, ...)
  if ... then
    local all = { f, snk, ... }
    snk = tremove(all)
    f = filter.chain(unpack(all))
  end
  assert(f and snk)
  return function(chunk, err)
    if chunk == "" then return 1 end
    local out = f(chunk)
    local last = chunk and ""
    while true do
      local ok, snk_err = snk(out, err)
      if not ok then return nil, snk_err end
      if out == last then return 1 end
      out = f(last)
    end
  end
end

-- Pumps -------------------------------------------------------------------------------

-- Moves one chunk; true while there is more to move.
function pump.step(src, snk)
  local chunk, src_err = src()
  local ok, snk_err = snk(chunk, src_err)
  if chunk and ok then return 1 end
  return nil, src_err or snk_err
end

-- Moves everything; 1 at the end, or nil, err.
function pump.all(src, snk, step)
  assert(src and snk)
  step = step or pump.step
  while true do
    local ok, err = step(src, snk)
    if not ok then
      if err then return nil, err end
      return 1
    end
  end
end

-- Some programs expect a global table (Lua 5.1 "module" style).
if rawget(_G, "module") then
  rawset(_G, "ltn12", _M)
end

return _M
