-- LuaSocket's exception helpers, socket.newtry and socket.protect.
--
-- Written in Lua rather than C so that a protected function may yield: copas runs
-- socket.http inside coroutines through them. Lua 5.2+ and LuaJIT can yield across
-- pcall; on Lua 5.1 the protected function runs in its own coroutine whose yields are
-- passed on to the caller's coroutine.
--
-- An exception raised by a try function is a table {message}; protect turns it back into
-- `nil, message` and lets any other error through untouched.

local coroutine, error, pcall, select, setmetatable = coroutine, error, pcall, select, setmetatable

-- Exception objects, recognised by identity. Their metatable hides itself, as C
-- LuaSocket's does.
local raised = setmetatable({}, { __mode = "k" })
local exception_mt = { __metatable = false }

local function pcall_can_yield()
  local co = coroutine.create(function() return pcall(coroutine.yield) end)
  local ok = coroutine.resume(co)
  return ok and coroutine.status(co) == "suspended"
end

local ypcall = pcall
if not pcall_can_yield() then
  ypcall = function(f, ...)
    local co = coroutine.create(f)
    local function step(ok, ...)
      if not ok then return false, (...) end
      if coroutine.status(co) == "dead" then return true, ... end
      return step(coroutine.resume(co, coroutine.yield(...)))
    end
    return step(coroutine.resume(co, ...))
  end
end

local function newtry(finalizer)
  return function(...)
    if (...) then return ... end
    if finalizer ~= nil then finalizer() end
    local exception = setmetatable({ (select(2, ...)) }, exception_mt)
    raised[exception] = true
    error(exception, 0)
  end
end

local function finish(ok, ...)
  if ok then return ... end
  local err = ...
  if raised[err] then return nil, err[1] end
  error(err, 0)
end

local function protect(f)
  return function(...)
    return finish(ypcall(f, ...))
  end
end

return { newtry = newtry, protect = protect }
