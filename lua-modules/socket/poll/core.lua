-- socket.poll.core: native. Every native module of this library is in the one file socket/core.so,
-- which registers the others in package.preload when it loads.
require("socket.core")
return package.preload["socket.poll.core"]("socket.poll.core")
