-- A small busted-style harness: describe, it, before_each, after_each, pending, and
-- assertions (assert.equal, assert.same, assert.is_nil, assert.truthy, assert.falsy,
-- assert.matches, assert.has_error, assert.error_matches). Each spec runs under pcall;
-- a failure prints its name, message and traceback, and the run goes on.

local M = {}

local passed, failed, skipped = 0, 0, 0
-- While an `it` runs: false, or true once pending() was called in it (the spec is then
-- counted as skipped, not passed). nil outside any `it`.
local skipping = nil
local stack = {}
local traceback = debug.traceback

local function full_name(name)
  local parts = {}
  for _, frame in ipairs(stack) do parts[#parts + 1] = frame.name end
  parts[#parts + 1] = name
  return table.concat(parts, " ")
end

local function run_hooks(kind)
  for _, frame in ipairs(stack) do
    for _, hook in ipairs(frame[kind]) do hook() end
  end
end

function _G.describe(name, body)
  stack[#stack + 1] = { name = name, before_each = {}, after_each = {} }
  local ok, err = xpcall(body, traceback)
  if not ok then
    failed = failed + 1
    io.write("FAIL ", full_name("(setup)"), "\n  ", tostring(err), "\n")
  end
  stack[#stack] = nil
end

-- Each `it` runs where it is declared, so a hook applies only to the `it`s after it: a
-- hook declared after an `it` of the same describe is refused (it would silently not run
-- for that `it`, as once left servers running).
local function add_hook(kind, f)
  local frame = stack[#stack]
  if frame.ran_it then error(kind .. " must come before the first it of its describe", 3) end
  table.insert(frame[kind], f)
end
function _G.before_each(f) add_hook("before_each", f) end
function _G.after_each(f) add_hook("after_each", f) end

function _G.it(name, body)
  stack[#stack].ran_it = true
  skipping = false
  local ok, err = xpcall(function()
    run_hooks("before_each")
    body()
  end, traceback)
  local ok2, err2 = xpcall(function() run_hooks("after_each") end, traceback)
  local skip = skipping
  skipping = nil
  if ok and ok2 and skip then
    skipped = skipped + 1
  elseif ok and ok2 then
    passed = passed + 1
  else
    failed = failed + 1
    io.write("FAIL ", full_name(name), "\n  ", tostring(err or err2), "\n")
  end
end

-- Inside an `it`: the spec cannot run here (the reason is `name`); it is skipped.
-- Outside one: a spec not written yet, also counted as skipped.
function _G.pending(name)
  io.write("PENDING ", full_name(name), "\n")
  if skipping == nil then
    skipped = skipped + 1
  else
    skipping = true
  end
end

-- Assertions ----------------------------------------------------------------------------

local function show(v)
  if type(v) == "string" then return ("%q"):format(v) end
  return tostring(v)
end

local function deep_equal(a, b)
  if a == b then return true end
  if type(a) ~= "table" or type(b) ~= "table" then return false end
  for k, v in pairs(a) do
    if not deep_equal(v, b[k]) then return false end
  end
  for k in pairs(b) do
    if a[k] == nil then return false end
  end
  return true
end

local check = {}

function check.equal(expected, actual, msg)
  if expected ~= actual then
    error((msg and msg .. ": " or "") .. "expected " .. show(expected) .. ", got " .. show(actual), 2)
  end
end
check.equals = check.equal

function check.same(expected, actual, msg)
  if not deep_equal(expected, actual) then
    error((msg and msg .. ": " or "") .. "tables differ: expected " .. show(expected) .. ", got " .. show(actual), 2)
  end
end

function check.is_nil(v, msg)
  if v ~= nil then error((msg or "expected nil") .. ", got " .. show(v), 2) end
end

function check.not_nil(v, msg)
  if v == nil then error(msg or "expected a value, got nil", 2) end
end

function check.truthy(v, msg)
  if not v then error((msg or "expected a true value") .. ", got " .. show(v), 2) end
end
check.is_true = function(v, msg)
  if v ~= true then error((msg or "expected true") .. ", got " .. show(v), 2) end
end

function check.falsy(v, msg)
  if v then error((msg or "expected a false value") .. ", got " .. show(v), 2) end
end
check.is_false = function(v, msg)
  if v ~= false then error((msg or "expected false") .. ", got " .. show(v), 2) end
end

function check.matches(pattern, s, msg)
  if type(s) ~= "string" or not s:find(pattern) then
    error((msg and msg .. ": " or "") .. show(s) .. " does not match " .. show(pattern), 2)
  end
end

function check.has_error(f, msg)
  local ok = pcall(f)
  if ok then error(msg or "expected an error", 2) end
end

-- `plain`: `pattern` is a plain string, not a Lua pattern.
function check.error_matches(f, pattern, msg, plain)
  local ok, err = pcall(f)
  if ok then error((msg or "expected an error") .. " matching " .. show(pattern), 2) end
  if type(err) ~= "string" or not err:find(pattern, 1, plain) then
    error("error " .. show(err) .. " does not match " .. show(pattern), 2)
  end
end

_G.assert = setmetatable(check, {
  __call = function(_, v, msg, ...)
    if not v then error(msg or "assertion failed!", 2) end
    return v, msg, ...
  end,
})

function M.run_file(file)
  local chunk, err = loadfile(file)
  if not chunk then
    failed = failed + 1
    io.write("FAIL ", file, "\n  ", err, "\n")
    return
  end
  stack = { { name = file:match("([^/]+)_spec%.lua$") or file, before_each = {}, after_each = {} } }
  local ok, e = xpcall(chunk, traceback)
  if not ok then
    failed = failed + 1
    io.write("FAIL ", file, " (load)\n  ", tostring(e), "\n")
  end
end

function M.summary()
  return passed, failed, skipped
end

return M
