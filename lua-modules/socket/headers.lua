-- socket.headers: the canonical spelling of header field names, for programs that send
-- headers kept in lower case (as socket.http and socket.smtp return them).
--
--   headers.canonic["content-type"] --> "Content-Type"

local socket = require("socket")

local _M = {}
socket.headers = _M

-- Words whose canonical form is not just a capital first letter.
local special = {
  dsn = "DSN", etag = "ETag", id = "ID", md5 = "MD5", mime = "MIME", mta = "MTA",
  smtp = "SMTP", te = "TE", www = "WWW",
}

local function canonical(name)
  return (name:gsub("[^%-]+", function(word)
    return special[word] or (word:sub(1, 1):upper() .. word:sub(2))
  end))
end

-- The field names of HTTP (RFC 9110 and its predecessors), MIME, mail and delivery
-- status notifications that LuaSocket has always known, plus a few common newer ones.
local names = {
  "accept", "accept-charset", "accept-encoding", "accept-language", "accept-ranges",
  "action", "age", "allow", "alternate-recipient", "arrival-date", "authorization", "bcc",
  "cache-control", "cc", "comments", "connection", "content-description",
  "content-disposition", "content-encoding", "content-id", "content-language",
  "content-length", "content-location", "content-md5", "content-range",
  "content-transfer-encoding", "content-type", "cookie", "date", "diagnostic-code",
  "dsn-gateway", "etag", "expect", "expires", "final-log-id", "final-recipient", "from",
  "host", "if-match", "if-modified-since", "if-none-match", "if-range",
  "if-unmodified-since", "in-reply-to", "keywords", "last-attempt-date", "last-modified",
  "location", "max-forwards", "message-id", "mime-version", "original-envelope-id",
  "original-recipient", "pragma", "proxy-authenticate", "proxy-authorization", "range",
  "received", "received-from-mta", "references", "referer", "remote-mta", "reply-to",
  "reporting-mta", "resent-bcc", "resent-cc", "resent-date", "resent-from",
  "resent-message-id", "resent-reply-to", "resent-sender", "resent-to", "retry-after",
  "return-path", "sender", "server", "smtp-remote-recipient", "status", "subject", "te",
  "to", "trailer", "transfer-encoding", "upgrade", "user-agent", "vary", "via", "warning",
  "will-retry-until", "www-authenticate", "x-mailer",
  -- newer, not in C LuaSocket's table
  "content-security-policy", "set-cookie", "strict-transport-security", "x-forwarded-for",
}

local canonic = {}
for _, name in ipairs(names) do canonic[name] = canonical(name) end
_M.canonic = canonic

return _M
