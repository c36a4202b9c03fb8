-- socket.ssl: native. Every native module of this library is in the one file socket/core.so,
-- which registers the others in package.preload when it loads.
require("socket.core")
local load = package.preload["socket.ssl"]
if not load then error("socket.ssl is not in this build (built without the tls feature)", 2) end
return load("socket.ssl")
