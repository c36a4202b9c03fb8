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

---@class socket
---@field _DEBUG boolean? true when LUASOCKET_DEBUG is set: send/receive add their duration
local socket = {}

---@alias luasocket-rs.option
---| "max-line-length" # the longest line receive("*l") accepts; nil or negative: no limit

return { http = http, socket = socket }
