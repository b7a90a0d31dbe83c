#!/usr/bin/env bash
# redis.sh: the /redis route — a cosocket PING to a local Redis, the
# connection kept alive in the pool — on moongate and on Debian's nginx +
# lua (lua-resty-redis as nginx.redis), pinned as compare.sh pins: the
# gateway alone on CPU 0 (nginx: 1 worker; moongate: GOMAXPROCS=1), wrk and
# redis-server on CPU 1. Prints a Markdown row per gateway and the ratio.
#
#   DURATION=10s RUNS=3 bash bench/redis.sh
set -euo pipefail
cd "$(dirname "$0")/.."
DURATION=${DURATION:-10s}
RUNS=${RUNS:-3}
REDIS_PORT=18379 NGINX_ADDR=127.0.0.1:18080 MOONGATE_ADDR=127.0.0.1:18081

need=()
for p in nginx libnginx-mod-http-lua lua-resty-core lua-nginx-redis wrk redis-server; do
	dpkg -s "$p" >/dev/null 2>&1 || need+=("$p")
done
if ((${#need[@]})); then
	apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${need[@]}" >/dev/null
fi

tmp=$(mktemp -d)
pids=()
cleanup() {
	for p in "${pids[@]}"; do kill "$p" 2>/dev/null || true; done
	wait 2>/dev/null || true
	rm -rf "$tmp"
}
trap cleanup EXIT

go build -o "$tmp/moongate" ./cmd/moongate
taskset -c 1 redis-server --port "$REDIS_PORT" --bind 127.0.0.1 --save "" --appendonly no --dir "$tmp" >/dev/null &
pids+=($!)

# The same Lua on both sides; only the client module differs.
route='
local red = redis.new()
red:set_timeouts(1000, 1000, 1000)
local ok, err = red:connect("127.0.0.1", '"$REDIS_PORT"')
if not ok then ngx.status = 502 ngx.say(err) return end
local res, err = red:ping()
if not res then ngx.status = 502 ngx.say(err) return end
red:set_keepalive(10000, 100)
ngx.say(res)'

lua_so=$(dpkg -L libnginx-mod-http-lua | grep '/ngx_http_lua_module\.so$')
ndk_so=$(dpkg -L libnginx-mod-http-ndk | grep '/ndk_http_module\.so$')
mkdir -p "$tmp/nginx"
cat >"$tmp/nginx.conf" <<CONF
load_module $ndk_so;
load_module $lua_so;
worker_processes 1;
master_process off;
daemon off;
pid $tmp/nginx.pid;
error_log $tmp/nginx-error.log warn;
events { worker_connections 4096; }
http {
    access_log off;
    client_body_temp_path $tmp/nginx; proxy_temp_path $tmp/nginx; fastcgi_temp_path $tmp/nginx;
    uwsgi_temp_path $tmp/nginx; scgi_temp_path $tmp/nginx;
    lua_package_path "/usr/share/lua/5.1/?.lua;;";
    server {
        listen $NGINX_ADDR;
        location = /redis { content_by_lua_block { local redis = require "nginx.redis" $route } }
    }
}
CONF
cat >"$tmp/moongate.yaml" <<CONF
listen: $MOONGATE_ADDR
admin: {listen: off}
error_log: {path: $tmp/moongate-error.log, level: warn}
lua: {package_path: "$PWD/examples/redis/lua/?.lua"}
routes:
  - location: = /redis
    content:
      lua: |
        local redis = require "redis"
$(sed 's/^/        /' <<<"$route")
CONF

# measure NAME URL: the median req/s and p99 of RUNS wrk runs.
measure() {
	local name=$1 url=$2 rps=() p99=()
	for ((i = 0; i < RUNS; i++)); do
		out=$(taskset -c 1 wrk -t2 -c64 -d"$DURATION" --latency "$url")
		if grep -q "Non-2xx" <<<"$out"; then echo "$name: non-2xx answers" >&2; exit 1; fi
		rps+=("$(awk '/Requests\/sec/ {print $2}' <<<"$out")")
		p99+=("$(awk '$1 == "99%" {print $2}' <<<"$out")")
		echo "$name run $((i + 1)): ${rps[-1]} req/s, p99 ${p99[-1]}" >&2
	done
	printf '%s %s\n' "$(printf '%s\n' "${rps[@]}" | sort -n | sed -n "$(((RUNS + 1) / 2))p")" \
		"$(printf '%s\n' "${p99[@]}" | sort -V | sed -n "$(((RUNS + 1) / 2))p")"
}

ready() {
	for _ in $(seq 100); do
		[[ $(curl -s "$1") == PONG ]] && return
		sleep 0.1
	done
	echo "no PONG from $1" >&2
	exit 1
}

taskset -c 0 nginx -c "$tmp/nginx.conf" -p "$tmp" &
pids+=($!)
ready "http://$NGINX_ADDR/redis"
read -r nginx_rps nginx_p99 < <(measure nginx "http://$NGINX_ADDR/redis")
kill "${pids[-1]}"; wait "${pids[-1]}" 2>/dev/null || true

GOMAXPROCS=1 taskset -c 0 "$tmp/moongate" -c "$tmp/moongate.yaml" 2>/dev/null &
pids+=($!)
ready "http://$MOONGATE_ADDR/redis"
read -r mg_rps mg_p99 < <(measure moongate "http://$MOONGATE_ADDR/redis")

echo "| route | nginx req/s | moongate req/s | ratio (moongate/nginx) | nginx p99 | moongate p99 |"
echo "| --- | ---: | ---: | ---: | ---: | ---: |"
printf '| /redis | %.0f | %.0f | %.2f | %s | %s |\n' "$nginx_rps" "$mg_rps" \
	"$(echo "$mg_rps / $nginx_rps" | bc -l)" "$nginx_p99" "$mg_p99"
