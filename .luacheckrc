-- luacheck configuration: plain Lua for the modules, busted globals for the specs.
std = "min"
max_line_length = 120

files["tests"] = { std = "+busted" }
files["tests/lib/spec.lua"] = { globals = { "describe", "it", "before_each", "after_each", "pending", "assert" } }
files["tests/spec"] = { read_globals = { "debug", "jit" } }
files["tests/lib/helpers.lua"] = { read_globals = { "jit" } }
