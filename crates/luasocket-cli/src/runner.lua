-- The steps of a `lua` command line, run inside the interpreter: what lua.c does in C.
-- Each step returns true, or prints "<progname>: <message>" (with a traceback for
-- runtime errors) to standard error and returns false.
local progname = ...

local stderr, stdin, stdout = io.stderr, io.stdin, io.stdout
local traceback = debug.traceback
local loadfile, require, select, tostring, type, xpcall, getmetatable, print, pcall =
  loadfile, require, select, tostring, type, xpcall, getmetatable, print, pcall
local unpack = rawget(table, "unpack") or rawget(_G, "unpack")
-- Lua 5.1's load takes a function; its loadstring takes the code.
local loadcode = rawget(_G, "loadstring") or load

local function report(msg)
  stderr:write(progname, ": ", tostring(msg), "\n")
  stderr:flush()
  return false
end

-- lua.c's msghandler: a non-string error object uses its __tostring, if any.
local function handler(msg)
  if type(msg) ~= "string" then
    local mt = getmetatable(msg)
    if mt and mt.__tostring then
      msg = tostring(msg)
    else
      msg = ("(error object is a %s value)"):format(type(msg))
    end
  end
  -- The frames below the program's own are this runner's: cut them, and end as lua.c's
  -- traceback ends.
  local tb = traceback(msg, 2)
  local cut = tb:find("\n\t%[C%]: in [%w ]*'?xpcall'?")
  if cut then
    tb = tb:sub(1, cut - 1):gsub("\n\t%(%.%.%.tail calls%.%.%.%)$", "")
      :gsub("\n\t%(tail call%): %?$", "") .. "\n\t[C]: in ?"
  end
  return tb
end

-- Runs f(...) with the handler; Lua 5.1's xpcall takes no arguments, hence the closure.
local function docall(f, ...)
  local n, args = select("#", ...), { ... }
  return xpcall(function() return f(unpack(args, 1, n)) end, handler)
end

local function dochunk(f, err)
  if not f then return report(err) end
  local ok, msg = docall(f)
  if not ok then return report(msg) end
  return true
end

local steps = {}

function steps.string(code, name)
  return dochunk(loadcode(code, name))
end

function steps.file(name)
  return dochunk(loadfile(name))
end

-- `-l mod` or `-l g=mod`: require mod into global g (mod by default).
function steps.library(spec)
  local global, mod = spec:match("^([^=]+)=(.+)$")
  if not global then global, mod = spec, spec end
  local ok, result = docall(require, mod)
  if not ok then return report(result) end
  _G[global] = result
  return true
end

-- The script: a file name, or nil for standard input; its arguments follow.
function steps.script(name, ...)
  local f, err = loadfile(name)
  if not f then return report(err) end
  local ok, msg = docall(f, ...)
  if not ok then return report(msg) end
  return true
end

-- The read-eval-print loop: an expression prints its values; an incomplete statement
-- asks for more lines (">> ").
local function pack(...)
  return select("#", ...), { ... }
end

local function incomplete(err)
  return type(err) == "string" and err:find("<eof>.?$") ~= nil
end

function steps.repl()
  local prompt = rawget(_G, "_PROMPT")
  local prompt2 = rawget(_G, "_PROMPT2")
  while true do
    stdout:write(tostring(prompt or "> "))
    stdout:flush()
    local line = stdin:read("*l")
    if not line then break end
    line = line:gsub("^=", "return ")
    local f, err = loadcode("return " .. line, "=stdin")
    if not f then
      f, err = loadcode(line, "=stdin")
      while not f and incomplete(err) do
        stdout:write(tostring(prompt2 or ">> "))
        stdout:flush()
        local more = stdin:read("*l")
        if not more then break end
        line = line .. "\n" .. more
        f, err = loadcode(line, "=stdin")
      end
    end
    if not f then
      report(err)
    else
      local n, results = pack(docall(f))
      if not results[1] then
        report(results[2])
      elseif n > 1 then
        local ok, perr = pcall(print, unpack(results, 2, n))
        if not ok then report("error calling 'print' (" .. tostring(perr) .. ")") end
      end
    end
  end
  stdout:write("\n")
  stdout:flush()
  return true
end

return steps
