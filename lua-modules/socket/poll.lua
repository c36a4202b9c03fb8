-----------------------------------------------------------------------------
-- socket.poll: a lasting set of objects to wait on, for servers with thousands of
-- connections. The shape is Prosody's util.poll (new, add, set, del, wait), over
-- objects: our sockets, anything with a getfd method (LuaSec's and copas's wrappers), or
-- plain descriptor numbers; wait hands back exactly what was added.
--
-- On epoll (poll(2) where there is none), a wait costs in the number of ready objects,
-- not in the number registered. Readiness is level-triggered. An object watched for
-- reading whose dirty() is true (bytes already in its receive buffer, which the system
-- cannot see) is reported at once, without a system call: objects are checked when added
-- or set, and after each time they were reported readable.
-----------------------------------------------------------------------------

local core = require("socket.poll.core")

local type, pairs, next, error, setmetatable = type, pairs, next, error, setmetatable

-- EEXIST, ENOENT, EBADF: the error numbers failures carry as a third value, as Prosody's
-- util.poll gives them (server_epoll adds after a set that says ENOENT).
local _M = { _VERSION = "socket.poll 1.0", EEXIST = core.EEXIST, ENOENT = core.ENOENT,
  EBADF = core.EBADF }

-- The system's words, for refusals decided here.
local EXISTS = "File exists"
local MISSING = "No such file or directory"
local BADF = "Bad file descriptor"

local poller = {}
poller.__index = poller

local function check(obj, fname)
  local kind = type(obj)
  if kind == "number" then return end
  if (kind ~= "table" and kind ~= "userdata") or obj.getfd == nil then
    error(("bad argument #1 to '%s' (socket or descriptor expected, got %s)"):format(fname, kind), 3)
  end
end

-- The object's descriptor now: itself for a number, else its getfd(); -1 for anything
-- that is not a number.
local function descriptor(obj)
  if type(obj) == "number" then return obj end
  local fd = obj:getfd()
  return type(fd) == "number" and fd or -1
end

local function is_dirty(obj)
  if type(obj) == "number" then return false end
  local dirty = obj.dirty
  return dirty ~= nil and dirty(obj) and true or false
end

-- Empties the poller's bookkeeping (a new poller, or one closed).
local function reset(self)
  self.tokens = {} -- object -> token
  self.objects = {} -- token -> object
  self.fds = {} -- token -> the descriptor it was added with
  self.reads = {} -- token -> true while watched for reading
  self.writes = {} -- token -> true while watched for writing
  self.suspects = {} -- token -> true: may hold buffered bytes
  self.first, self.last = 1, 0 -- the next report to hand out, and the last one's end
end

-- new([backend]): a poller (backend "epoll" or "poll" to choose one), or nil, message.
function _M.new(backend)
  local native, err = core.new(backend)
  if not native then return nil, err end
  local self = setmetatable({
    native = native,
    reports = {}, -- the last wait's reports: token, readable, writable, ...
    serial = 0, -- the last token given
  }, poller)
  reset(self)
  return self
end

-- Records what `token` (object `obj`) is watched for; one watched for reading that holds
-- buffered bytes becomes a suspect, reported by the next wait.
local function watch(self, token, obj, r, w)
  self.reads[token], self.writes[token] = r and true or nil, w and true or nil
  if r and is_dirty(obj) then self.suspects[token] = true end
end

-- p:add(obj, read, write): true, or nil, message, errno.
function poller:add(obj, r, w)
  check(obj, "add")
  if self.tokens[obj] ~= nil then return nil, EXISTS, _M.EEXIST end
  local fd = descriptor(obj)
  local token = self.serial + 1
  local ok, err, errno = self.native:add(fd, token, r, w)
  if not ok then return nil, err, errno end
  self.serial = token
  self.tokens[obj], self.objects[token], self.fds[token] = token, obj, fd
  watch(self, token, obj, r, w)
  return true
end

-- p:set(obj, read, write): true, or nil, message, errno.
function poller:set(obj, r, w)
  check(obj, "set")
  local token = self.tokens[obj]
  if token == nil then return nil, MISSING, _M.ENOENT end
  local fd = self.fds[token]
  -- Closed since it was added: its number may name another registration by now.
  if descriptor(obj) ~= fd then return nil, BADF, _M.EBADF end
  local ok, err, errno = self.native:set(fd, token, r, w)
  if not ok then return nil, err, errno end
  watch(self, token, obj, r, w)
  return true
end

-- p:del(obj): true, or nil, message, errno. An object closed since it was added is forgotten
-- (the system has dropped its descriptor already).
function poller:del(obj)
  check(obj, "del")
  local token = self.tokens[obj]
  if token == nil then return nil, MISSING, _M.ENOENT end
  local fd = self.fds[token]
  local open = descriptor(obj) == fd
  self.tokens[obj], self.objects[token], self.fds[token] = nil, nil, nil
  self.reads[token], self.writes[token], self.suspects[token] = nil, nil, nil
  local ok, err, errno = self.native:del(open and fd or nil, token)
  if not ok and open then return nil, err, errno end
  return true
end

-- The next report still wanted: an object added and watched for what it is ready for.
local function next_report(self)
  local reports, objects = self.reports, self.objects
  local i, last = self.first, self.last
  while i <= last do
    local token, r, w = reports[i], reports[i + 1], reports[i + 2]
    i = i + 3
    local obj = objects[token]
    if obj ~= nil then
      r, w = r and self.reads[token] or false, w and self.writes[token] or false
      if r or w then
        self.first = i
        if r then self.suspects[token] = true end
        return obj, r, w
      end
    end
  end
  self.first = i
end

-- Queues a report for every object that holds buffered bytes and is watched for
-- reading; forgets the suspects that hold none.
local function collect_dirty(self)
  local reports, objects, suspects, n = self.reports, self.objects, self.suspects, 0
  for token in pairs(suspects) do
    local obj = objects[token]
    if obj ~= nil and self.reads[token] and is_dirty(obj) then
      reports[n + 1], reports[n + 2], reports[n + 3] = token, true, false
      n = n + 3
    else
      suspects[token] = nil
    end
  end
  self.first, self.last = 1, n
end

-- p:wait([timeout]): obj, readable, writable for one ready object; or nil, "timeout"
-- (timeout in seconds; none or negative: no limit), nil, "signal" when a signal ended the
-- wait, or nil, message.
function poller:wait(timeout)
  local obj, r, w = next_report(self)
  if obj ~= nil then return obj, r, w end
  if next(self.suspects) ~= nil then
    collect_dirty(self)
    obj, r, w = next_report(self)
    if obj ~= nil then return obj, r, w end
  end
  while true do
    local n, err = self.native:wait(timeout, self.reports)
    if not n then return nil, err end
    self.first, self.last = 1, 3 * n
    obj, r, w = next_report(self)
    if obj ~= nil then return obj, r, w end
    -- Every report was for a direction no longer watched: wait again, without blocking
    -- longer than asked only when no limit was given.
    if timeout and timeout >= 0 then return nil, "timeout" end
  end
end

-- p:getfd(): the epoll descriptor (-1 on poll(2)).
function poller:getfd()
  return self.native:getfd()
end

-- p:backend(): "epoll" or "poll".
function poller:backend()
  return self.native:backend()
end

-- p:close(): releases the system's poller and forgets every object; 1.
function poller:close()
  reset(self)
  return self.native:close()
end

function poller:__tostring()
  return "poll: " .. tostring(self.native):match("0x%x+$")
end

return _M
