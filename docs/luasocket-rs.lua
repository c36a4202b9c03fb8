---@meta
-- luacheck: no unused args
-- LuaLS (lua-language-server) stubs for what luasocket-rs adds to LuaSocket's API. Add
-- this folder to `workspace.library`; LuaSocket's own API has its stubs elsewhere.

---@class socket.http
local http = {}

---An LTN12 filter that frames its input in the chunked transfer coding and ends with the
---last chunk.
---@return fun(chunk: string?): string?
function http.encodechunked() end

---An LTN12 filter that decodes the chunked transfer coding; it raises on a malformed body
---and drops what follows the body.
---@return fun(chunk: string?): string?
function http.decodechunked() end

---Reads header fields up to the empty line from `sock` into `headers` (a new table if
---none): the table, or nil and an error.
---@param sock { receive: fun(self, pattern: string): string?, string? }
---@param headers? table<string, string>
---@return table<string, string>? headers
---@return string? err
function http.receiveheaders(sock, headers) end

---Keep-alive for requests that do not set `keepalive` (off by default).
---@type boolean
http.KEEPALIVE = false

---How many idle connections are kept per destination.
---@type integer
http.KEEPALIVE_IDLE = 4

---Closes every idle kept-alive connection.
---@return 1
function http.closeidle() end

---@class socket
---@field _DEBUG boolean? true when LUASOCKET_DEBUG is set: send/receive add their duration
local socket = {}

---@class socket.ssl
---@field FIELDS string[] the TLS field names a request or mail table may carry
local ssl = {}

---A `create` function whose sockets turn TLS at `connect`, or with `later` when
---`sock:starttls()` is called; `before(sock)` runs on the TCP connection first and
---returns true, the host name to check instead, or nil and why.
---@param params table LuaSec's parameters (the names in `ssl.FIELDS`)
---@param later? boolean
---@param before? fun(sock: any): (true|string|nil), string?
---@return fun(): table
function ssl.tcp(params, later, before) end

---The opt-in: `require "ssl"` then gives this module with LuaSec's defaults, and
---`require "ssl.https"` gives `socket.ssl.https`. Returns what `require "ssl"` gives.
---@return table
function ssl.luasec() end

---@class socket.poll
local poll = {}

---@class socket.poller
local poller = {}

---A poller: epoll where the system has it, else poll(2); `backend` picks one.
---@param backend? "epoll"|"poll"
---@return socket.poller|nil
---@return string? err
function poll.new(backend) end

---Watches `obj` (a socket, anything with getfd, or a descriptor number).
---@param obj any
---@param read? boolean
---@param write? boolean
---@return true|nil
---@return string? err
function poller:add(obj, read, write) end

---Changes what `obj` is watched for.
---@param obj any
---@param read? boolean
---@param write? boolean
---@return true|nil
---@return string? err
function poller:set(obj, read, write) end

---Stops watching `obj`.
---@param obj any
---@return true|nil
---@return string? err
function poller:del(obj) end

---One ready object per call, exactly as added, or nil and "timeout", "signal" or why.
---@param timeout? number seconds; none or negative: no limit
---@return any obj
---@return boolean|string readable_or_err
---@return boolean? writable
function poller:wait(timeout) end

---The epoll descriptor, or -1 on poll(2).
---@return integer
function poller:getfd() end

---"epoll" or "poll".
---@return string
function poller:backend() end

---Releases the system's poller and forgets every object.
---@return 1
function poller:close() end

---@alias luasocket-rs.option
---| "max-line-length" # the longest line receive("*l") accepts; nil or negative: no limit

return { http = http, socket = socket, ssl = ssl, poll = poll, poller = poller }
