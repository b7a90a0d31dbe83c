-- redis: a small Redis client on ngx.socket.tcp, speaking RESP2.
--
--   local redis = require "redis"
--   local red = redis.new()
--   red:set_timeouts(1000, 1000, 1000)          -- connect, send, read (ms)
--   local ok, err = red:connect("127.0.0.1", 6379)
--   local res, err = red:get("key")             -- a missing key gives ngx.null
--   red:set_keepalive(10000, 100)               -- back into the shared pool
--
-- Replies map to Lua values: simple strings and bulk strings to strings,
-- integers to numbers, arrays to tables, nil bulk strings and nil arrays
-- to ngx.null. Failures come back as two values, like lua-resty-redis:
-- nil, err when the connection failed (the socket is then closed, so a
-- broken connection never goes back to the pool), and false, msg when
-- Redis answered with an error reply ("WRONGTYPE ...", "ERR ..."). Inside
-- arrays and pipeline results an error reply is the table {false, msg}.

local M = {}
local mt = {__index = M}

-- new returns a client with its own socket, not yet connected.
function M.new()
  local sock, err = ngx.socket.tcp()
  if not sock then
    return nil, err
  end
  return setmetatable({sock = sock}, mt)
end

-- set_timeouts sets the connect, send and read timeouts in milliseconds.
function M:set_timeouts(connect, send, read)
  self.sock:settimeouts(connect, send, read)
end

-- set_timeout sets one timeout, in milliseconds, for every operation.
function M:set_timeout(ms)
  self.sock:settimeout(ms)
end

-- connect connects to host:port, or to a unix socket when host is
-- "unix:/path" and port is nil; opts are ngx.socket's ({pool = ...}).
function M:connect(host, port, opts)
  if port == nil then
    return self.sock:connect(host)
  end
  return self.sock:connect(host, port, opts)
end

-- set_keepalive puts the connection into the pool shared by all requests
-- (idle timeout in ms, pool size) instead of closing it.
function M:set_keepalive(idle, size)
  if self.pipeline then
    return nil, "pipeline not committed"
  end
  return self.sock:setkeepalive(idle, size)
end

-- get_reused_times is how many times the connection was taken from the
-- pool (0 for a new one).
function M:get_reused_times()
  return self.sock:getreusedtimes()
end

-- close closes the connection.
function M:close()
  return self.sock:close()
end

-- fail closes the connection after a transport error and returns nil, err.
local function fail(self, err)
  self.sock:close()
  return nil, err
end

-- encode returns the command made of the n values in args as RESP, a
-- nested array of strings that sock:send writes without concatenating;
-- or nil and an error for a nil argument.
local function encode(n, args)
  local req = {{"*", n, "\r\n"}}
  for i = 1, n do
    local arg = args[i]
    if arg == nil then
      return nil, "bad argument #" .. i .. ": nil"
    end
    arg = tostring(arg)
    req[i + 1] = {"$", #arg, "\r\n", arg, "\r\n"}
  end
  return req
end

-- read_reply reads one reply.
local function read_reply(self)
  local line, err = self.sock:receive()
  if not line then
    return fail(self, err)
  end
  local kind, rest = line:sub(1, 1), line:sub(2)
  if kind == "+" then
    return rest
  elseif kind == "-" then
    return false, rest
  elseif kind == ":" then
    local n = tonumber(rest)
    if not n then
      return fail(self, "bad integer reply: " .. rest)
    end
    return n
  elseif kind == "$" then
    local size = tonumber(rest)
    if not size then
      return fail(self, "bad bulk string length: " .. rest)
    end
    if size < 0 then
      return ngx.null
    end
    local data, err = self.sock:receive(size + 2)
    if not data then
      return fail(self, err)
    end
    return data:sub(1, size)
  elseif kind == "*" then
    local count = tonumber(rest)
    if not count then
      return fail(self, "bad array length: " .. rest)
    end
    if count < 0 then
      return ngx.null
    end
    local items = {}
    for i = 1, count do
      local item, err = read_reply(self)
      if item == nil then
        return nil, err
      end
      if item == false then
        item = {false, err}
      end
      items[i] = item
    end
    return items
  end
  return fail(self, "bad reply: " .. line)
end

-- command sends one command (its name then its arguments) and returns its
-- reply; inside a pipeline it only queues the command and returns true.
function M:command(...)
  local req, err = encode(select("#", ...), {...})
  if not req then
    return nil, err
  end
  if self.pipeline then
    self.pipeline[#self.pipeline + 1] = req
    return true
  end
  local ok, err = self.sock:send(req)
  if not ok then
    return fail(self, err)
  end
  return read_reply(self)
end

-- Shortcuts for common commands: red:get(key), red:set(key, value, ...),
-- red:incr(key), red:del(key, ...), red:ping(), ...
for _, name in ipairs({"ping", "get", "set", "incr", "incrby", "decr", "del",
                       "exists", "expire", "ttl", "mget", "mset"}) do
  M[name] = function(self, ...)
    return self:command(name, ...)
  end
end

-- init_pipeline starts queueing commands instead of sending them.
function M:init_pipeline()
  self.pipeline = {}
end

-- cancel_pipeline drops the queued commands.
function M:cancel_pipeline()
  self.pipeline = nil
end

-- commit_pipeline sends the queued commands in one write and returns
-- their replies in order; an error reply is {false, msg} in its slot.
function M:commit_pipeline()
  local reqs = self.pipeline
  if not reqs then
    return nil, "no pipeline"
  end
  self.pipeline = nil
  if #reqs == 0 then
    return {}
  end
  local ok, err = self.sock:send(reqs)
  if not ok then
    return fail(self, err)
  end
  local replies = {}
  for i = 1, #reqs do
    local res, err = read_reply(self)
    if res == nil then
      return nil, err
    end
    if res == false then
      res = {false, err}
    end
    replies[i] = res
  end
  return replies
end

return M
