-- app: what the /redis/ routes share. Each route connects to the Redis
-- named by the redis_host and redis_port variables, runs its command and
-- answers with app.reply, which puts the connection back into the pool.
local redis = require "redis"
local cjson = require "cjson"

local M = {}

-- exit ends the request with status and msg as the body.
function M.exit(status, msg)
  ngx.status = status
  ngx.say(msg)
  return ngx.exit(ngx.OK)
end

-- arg returns the query argument name (its first value when repeated),
-- or ends the request with 400 when it is missing or empty.
function M.arg(name)
  local v = ngx.req.get_uri_args()[name]
  if type(v) == "table" then
    v = v[1]
  end
  if type(v) ~= "string" or v == "" then
    M.exit(ngx.HTTP_BAD_REQUEST, "missing ?" .. name .. "=")
  end
  return v
end

-- connect returns a client connected to the configured Redis and says in
-- the X-Redis-Reused header how many times its connection came from the
-- keep-alive pool; when Redis cannot be reached the request ends with 502.
function M.connect()
  local red = redis.new()
  red:set_timeouts(1000, 1000, 1000)
  local ok, err = red:connect(ngx.var.redis_host, tonumber(ngx.var.redis_port))
  if not ok then
    M.exit(ngx.HTTP_BAD_GATEWAY, "redis: connect: " .. err)
  end
  ngx.header["X-Redis-Reused"] = red:get_reused_times()
  return red
end

-- reply answers with the result of a command (res, err as the client
-- returns them): 200 with the value (JSON for arrays), 404 for a nil
-- reply, 400 for an error reply from Redis and 502 when the connection
-- failed. A healthy connection goes back to the pool.
function M.reply(red, res, err)
  if res == nil then
    return M.exit(ngx.HTTP_BAD_GATEWAY, "redis: " .. err)
  end
  local ok, kerr = red:set_keepalive(10000, 100)
  if not ok then
    ngx.log(ngx.WARN, "redis: set_keepalive: ", kerr)
  end
  if res == false then
    return M.exit(ngx.HTTP_BAD_REQUEST, "redis: " .. err)
  end
  if res == ngx.null then
    return M.exit(ngx.HTTP_NOT_FOUND, "not found")
  end
  if type(res) == "table" then
    res = cjson.encode(res)
  end
  ngx.say(res)
end

return M
