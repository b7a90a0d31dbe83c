-- key-auth: a named Lua plugin. Routes list it under `plugins:` with their
-- own config; the schema below checks that config when the gateway loads.
-- The access function lets a request through only when its API key header
-- names a known key (lua/keys.lua), and records the user.
local keys = require "keys"

local M = {}

M.schema = {
  header = { type = "string", default = "X-API-Key" },
  realm  = { type = "string", default = "moongate" },
}

function M.access(conf)
  local user = keys[ngx.req.get_headers()[conf.header] or ""]
  if not user then
    ngx.header["WWW-Authenticate"] = 'ApiKey realm="' .. conf.realm .. '"'
    return ngx.exit(ngx.HTTP_UNAUTHORIZED)
  end
  ngx.var.api_user = user
  ngx.req.set_header("X-User", user)
end

function M.header_filter(conf)
  local user = ngx.var.api_user
  if user ~= "" then
    ngx.header["X-User"] = user
  end
end

return M
