-- mbox: splits Unix mailbox files and mail messages into headers and bodies.

local find, sub, gsub, lower, match = string.find, string.sub, string.gsub, string.lower, string.match

local _M = {}

-- Splits a message into its header block (with its final newline) and its body. CRLF is
-- read as LF. A message with no blank line is all headers.
function _M.split_message(message_s)
  local s = gsub(message_s, "\r\n", "\n")
  local headers, body = match(s, "^(.-\n)\n(.*)$")
  if not headers then
    body = match(s, "^\n(.*)$")
    if not body then headers = s end
  end
  return headers or "", body or ""
end

-- Splits a header block into one string per field, unfolding continuation lines.
function _M.split_headers(headers_s)
  local s = gsub(gsub(headers_s, "\r\n", "\n"), "\n +", " ")
  local headers = {}
  for line in s:gmatch("[^\n]+") do headers[#headers + 1] = line end
  return headers
end

-- Splits one header field into its name and value.
function _M.parse_header(header_s)
  local s = gsub(gsub(header_s, "\n +", " "), "\n+", "")
  return match(s, "([^%s:]-):%s*(.*)")
end

-- Parses a header block into a table keyed by lower-case name; repeated fields are
-- joined with ", ".
function _M.parse_headers(headers_s)
  local headers = {}
  for _, field in ipairs(_M.split_headers(headers_s)) do
    local name, value = _M.parse_header(field)
    if name then
      name = lower(name)
      local old = headers[name]
      headers[name] = old and (old .. ", " .. value) or value
    end
  end
  return headers
end

-- Splits a From field into a display name (quotes removed; the address if there is
-- none) and an address.
function _M.parse_from(from)
  local name, address = match(from, "^%s*(.-)%s*<(.-)>")
  if not address then address = match(from, "%s*(.+)%s*") end
  name, address = name or "", address or ""
  if name == "" then name = address end
  return (gsub(name, '"', "")), address
end

-- Splits a mailbox into its messages (each starting with a "From " line).
function _M.split_mbox(mbox_s)
  local s = gsub(mbox_s, "\r\n", "\n") .. "\n\nFrom \n"
  local messages = {}
  local at = 1
  while true do
    local i, j = find(s, "\n\nFrom .-\n", at)
    if not i then break end
    messages[#messages + 1] = sub(s, at, i - 1)
    at = j + 1
  end
  return messages
end

-- Parses one message into {headers = {...}, body = "..."}.
function _M.parse_message(message_s)
  local headers, body = _M.split_message(message_s)
  return { headers = _M.parse_headers(headers), body = body }
end

-- Parses a whole mailbox into a list of messages.
function _M.parse(mbox_s)
  local messages = _M.split_mbox(mbox_s)
  for i = 1, #messages do messages[i] = _M.parse_message(messages[i]) end
  return messages
end

if rawget(_G, "module") then
  rawset(_G, "mbox", _M)
end

return _M
