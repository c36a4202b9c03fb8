/* Not Lua's header. LuaRocks 3.8 (Debian's) checks for lua.h and its LUA_VERSION_NUM
 * before any build, even a `command` build that compiles no C, like luasocket-rs's.
 * Point LUA_INCDIR here when the real headers (liblua5.3-dev) are not installed:
 *   luarocks --lua-version 5.3 make LUA_INCDIR=$PWD/rockspecs/lua-h/5.3
 */
#define LUA_VERSION_NUM 503
