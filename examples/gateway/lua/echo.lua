-- The built-in echo upstream: the request it got, as JSON.
local cjson = require "cjson"

ngx.req.read_body()
ngx.header["Content-Type"] = "application/json"
ngx.say(cjson.encode({
  method = ngx.req.get_method(),
  uri = ngx.var.uri,
  args = ngx.req.get_uri_args(),
  headers = ngx.req.get_headers(),
  body = ngx.req.get_body_data(),
}))
