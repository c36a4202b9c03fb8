-- Runs spec files written in the busted style (describe/it) and prints one closing line
-- "N passed, N failed, N skipped" (a spec that called pending() is skipped).
-- Usage: lua tests/run.lua tests/spec/a_spec.lua ...
-- Expects LUA_PATH to reach tests/lib (xtask sets it up together with dist/).

local spec = require("spec")

local files = { ... }
for _, file in ipairs(files) do
  spec.run_file(file)
end
local passed, failed, skipped = spec.summary()
io.write(("%d passed, %d failed, %d skipped\n"):format(passed, failed, skipped))
os.exit(failed == 0 and 0 or 1)
