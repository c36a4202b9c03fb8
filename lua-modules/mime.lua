-- mime: MIME filters (base64, quoted-printable, line wrapping, end-of-line normalisation,
-- dot-stuffing) as LTN12 filters over the incremental codecs of mime.core.

local assert, type, tostring, error = assert, type, tostring, error
-- Loaded as C LuaSocket's mime.lua does (some programs count on ltn12 being there).
require("ltn12")
local mime = require("mime.core")

-- ltn12.filter.cycle, except that "" (asked for more output, no new input) is answered
-- at once: none of the mime.core functions has anything to give then, so the call into
-- the native code is skipped.
local function cycle(low, ctx, extra)
  assert(low)
  return function(chunk)
    if chunk == "" then return "" end
    local out
    out, ctx = low(ctx, chunk, extra)
    return out
  end
end

local encodet, decodet, wrapt = {}, {}, {}
mime.encodet, mime.decodet, mime.wrapt = encodet, decodet, wrapt

-- A factory that picks an entry of `t` by name ("default" when the first argument is not
-- a string) and calls it with the remaining arguments.
local function choose(t)
  return function(name, opt1, opt2)
    if type(name) ~= "string" then
      name, opt1, opt2 = "default", name, opt1
    end
    local f = t[name or "nil"]
    if not f then error("unknown key (" .. tostring(name) .. ")", 3) end
    return f(opt1, opt2)
  end
end

encodet["base64"] = function()
  return cycle(mime.b64, "")
end

-- mode "binary" encodes line breaks too (as =0D=0A); text mode keeps them as CRLF.
encodet["quoted-printable"] = function(mode)
  return cycle(mime.qp, "", mode == "binary" and "=0D=0A" or "\r\n")
end

decodet["base64"] = function()
  return cycle(mime.unb64, "")
end

decodet["quoted-printable"] = function()
  return cycle(mime.unqp, "")
end

wrapt["text"] = function(length)
  length = length or 76
  return cycle(mime.wrp, length, length)
end
wrapt["base64"] = wrapt["text"]
wrapt["default"] = wrapt["text"]

wrapt["quoted-printable"] = function()
  return cycle(mime.qpwrp, 76, 76)
end

mime.encode = choose(encodet)
mime.decode = choose(decodet)
mime.wrap = choose(wrapt)

-- Turns every end-of-line convention into `marker` (CRLF by default).
function mime.normalize(marker)
  return cycle(mime.eol, 0, marker)
end

-- SMTP dot-stuffing of a message body.
function mime.stuff()
  return cycle(mime.dot, 2)
end

return mime
