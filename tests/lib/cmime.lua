-- C LuaSocket's mime.core (Debian's lua-socket), loaded beside ours for differential
-- specs. Returns { core = <module> } or { reason = <why it is not available> }.

local version = _VERSION:match("%d+%.%d+")
local dirs = {
  "/usr/lib/x86_64-linux-gnu/lua/" .. version .. "/mime/core.so",
  "/usr/lib/aarch64-linux-gnu/lua/" .. version .. "/mime/core.so",
  "/usr/local/lib/lua/" .. version .. "/mime/core.so",
}
for _, path in ipairs(dirs) do
  local f = io.open(path, "rb")
  if f then
    f:close()
    local open, err = package.loadlib(path, "luaopen_mime_core")
    if not open then return { reason = err } end
    return { core = open() }
  end
end
return { reason = "no C mime.core for Lua " .. version .. " installed" }
