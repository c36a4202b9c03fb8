-- A module of a rock that depends on `luasocket >= 3.0`, as many do.
local socket = require("socket")
return { now = socket.gettime }
