-- Access check: the X-API-Key header must name a known key.
local keys = require "keys"

local user = keys[ngx.var.http_x_api_key or ""]
if not user then
  ngx.header["WWW-Authenticate"] = 'ApiKey realm="moongate"'
  return ngx.exit(ngx.HTTP_UNAUTHORIZED)
end
ngx.var.api_user = user
ngx.req.set_header("X-User", user)
