#!/usr/bin/env bash
# compare.sh: whole-system throughput and latency of moongate against Debian's
# nginx + libnginx-mod-http-lua, on the same routes with the same Lua, one
# gateway at a time; plus moongate's Wasm routes (Go and C guests doing the
# job of a Lua route), each compared with nginx's Lua route of the same job.
#
# The gateway under test runs alone on CPU 0 (nginx: one worker, no master;
# moongate: GOMAXPROCS=1); wrk and the upstream share CPU 1. All traffic stays
# on 127.0.0.1. The Markdown result table goes to stdout, progress to stderr.
#
# Environment:
#   ONLY=nginx|moongate  run one half only (default: both)
#   ROUTES="hello shdict"  measure these routes only (default: all of
#                        ALL_ROUTES below); a Wasm route brings in the nginx
#                        route it is compared with
#   DURATION=10s         wrk duration of each run
#   RUNS=3               wrk runs per route; the table shows medians
#   WARMUP=1s            unrecorded wrk run before each route's runs (0: none)
#   MOONGATE_BIN=PATH    measure this binary instead of building ./cmd/moongate
#   KEEP_TMP=1           keep the temp dir (configs, logs) after a good run
#
# Usage: bash bench/compare.sh   (or: make bench)
set -euo pipefail

# shellcheck source=lib.sh source-path=SCRIPTDIR
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

ONLY=${ONLY:-}
ROUTES=${ROUTES:-}
DURATION=${DURATION:-10s}
RUNS=${RUNS:-3}
WARMUP=${WARMUP:-1s}
NGINX_ADDR=127.0.0.1:18080

# ALL_ROUTES are the routes of the comparison, in table order. nginx serves
# the first five; the wasm-* routes are moongate's alone (nginx has no Wasm)
# and are compared with the nginx route of the same job (nginx_route).
ALL_ROUTES=(static hello headers proxy shdict wasm-go/hello wasm-c/hello wasm-go/headers wasm-c/headers)

# nginx_route ROUTE: the nginx route ROUTE is compared with.
nginx_route() {
	case $1 in
	wasm-*/*) printf '%s\n' "${1#*/}" ;;
	*) printf '%s\n' "$1" ;;
	esac
}

# SELECTED: the routes measured on moongate, from ROUTES ("/hello" or
# "hello", space- or comma-separated); NGINX_ROUTES: the nginx routes they
# are compared with.
SELECTED=() NGINX_ROUTES=()
for route in ${ROUTES//,/ }; do
	route=${route#/}
	[[ " ${ALL_ROUTES[*]} " == *" $route "* ]] || die "ROUTES: unknown route \"$route\"; known: ${ALL_ROUTES[*]}"
	SELECTED+=("$route")
done
[[ ${#SELECTED[@]} -gt 0 ]] || SELECTED=("${ALL_ROUTES[@]}")
for route in "${SELECTED[@]}"; do
	route=$(nginx_route "$route")
	[[ " ${NGINX_ROUTES[*]} " == *" $route "* ]] || NGINX_ROUTES+=("$route")
done

case $ONLY in
"" | nginx | moongate) ;;
*) die "ONLY must be nginx, moongate or empty, not \"$ONLY\"" ;;
esac
[[ $RUNS =~ ^[1-9][0-9]*$ ]] || die "RUNS must be a positive integer, not \"$RUNS\""

# wants GATEWAY: true when this run measures GATEWAY.
wants() { [[ -z $ONLY || $ONLY == "$1" ]]; }

# write_nginx_conf: the nginx side, in $BENCH_TMP (nothing under /etc).
write_nginx_conf() {
	local lua_so ndk_so
	lua_so=$(dpkg -L libnginx-mod-http-lua | grep '/ngx_http_lua_module\.so$') ||
		die "ngx_http_lua_module.so not found in libnginx-mod-http-lua"
	ndk_so=$(dpkg -L libnginx-mod-http-ndk | grep '/ndk_http_module\.so$') ||
		die "ndk_http_module.so not found in libnginx-mod-http-ndk"
	mkdir -p "$BENCH_TMP/nginx"
	cat >"$BENCH_TMP/nginx.conf" <<EOF
load_module $ndk_so;
load_module $lua_so;

worker_processes 1;
master_process off;
daemon off;
error_log $BENCH_TMP/nginx-error.log warn;
pid $BENCH_TMP/nginx.pid;

events {
    worker_connections 1024;
}

http {
    access_log off;
    default_type text/plain;
    lua_shared_dict bench 10m;
    client_body_temp_path $BENCH_TMP/nginx/client_body;
    proxy_temp_path $BENCH_TMP/nginx/proxy;
    fastcgi_temp_path $BENCH_TMP/nginx/fastcgi;
    uwsgi_temp_path $BENCH_TMP/nginx/uwsgi;
    scgi_temp_path $BENCH_TMP/nginx/scgi;

    # A named upstream is what lets nginx keep idle connections to it.
    upstream bench_upstream {
        server $UPSTREAM_ADDR;
        keepalive 64;
    }

    server {
        listen $NGINX_ADDR;

        # No hook at all: nginx's cheapest answer. moongate has no
        # static-return directive, so its /static is a content hook that
        # prints a constant (see write_moongate_conf).
        location = /static {
            return 200 "static\n";
        }

        location = /hello {
            content_by_lua_block { $LUA_HELLO }
        }

        location = /headers {
            access_by_lua_block { $LUA_AUTH $LUA_SET_USER }
            header_filter_by_lua_block { $LUA_MARK }
            content_by_lua_block { $LUA_ECHO_USER }
        }

        location = /proxy {
            access_by_lua_block { $LUA_AUTH }
            proxy_http_version 1.1;
            proxy_set_header Connection "";
            proxy_pass http://bench_upstream;
        }

        location = /shdict {
            content_by_lua_block { $LUA_SHDICT }
        }
    }
}
EOF
}

# check_routes ADDR NAME ROUTE...: every route answers 200 with the expected
# body (and header), and the guarded routes refuse a request without the key.
check_routes() {
	local addr=$1 name=$2 route want got code hdrs
	shift 2
	# Expected bodies, without the final newline, as extended regexps.
	local -A bodies=([static]=static [hello]=hello [headers]=alice [proxy]="upstream ok" [shdict]='[0-9]+'
		[wasm-go/hello]="hello from a Go guest" [wasm-c/hello]="hello from a C guest"
		[wasm-go/headers]=alice [wasm-c/headers]=alice)
	for route in "$@"; do
		mapfile -t hdrs < <(key_header "$route")
		got=$(curl -s --max-time 5 -D "$BENCH_TMP/headers.txt" "${hdrs[@]}" -w '\n%{http_code}' "http://$addr/$route") ||
			die "$name /$route: curl failed"
		code=${got##*$'\n'}
		got=${got%$'\n'*}
		want=${bodies[$route]}
		[[ $code == 200 && $got =~ ^($want)$'\n'$ ]] ||
			die "$name /$route: got $code ${got@Q}, want 200 and a body matching ${want@Q} and a newline"
		if [[ $route == *headers ]]; then
			grep -qi '^X-Gateway: bench' "$BENCH_TMP/headers.txt" || die "$name /$route: no X-Gateway header"
		fi
		if [[ ${#hdrs[@]} -gt 0 ]]; then
			code=$(curl -s -o /dev/null --max-time 5 -w '%{http_code}' "http://$addr/$route")
			[[ $code == 401 ]] || die "$name /$route without key: got $code, want 401"
		fi
	done
}

# run_wrk DURATION URL [ARGS...]: one wrk run; prints "REQ_PER_SEC P99_MS".
run_wrk() {
	local duration=$1 url=$2 out
	shift 2
	out=$(taskset -c 1 wrk -t2 -c64 -d"$duration" --latency "$@" "$url") || die "wrk $url failed: $out"
	if grep -q 'Non-2xx or 3xx responses' <<<"$out"; then
		die "wrk $url: some responses were not 2xx/3xx:"$'\n'"$out"
	fi
	awk '
		/^Requests\/sec:/ { rps = $2 }
		$1 == "99%" {
			v = $2; unit = v; sub(/^[0-9.]+/, "", unit); v += 0
			if (unit == "us") v /= 1000; else if (unit == "s") v *= 1000; else if (unit == "m") v *= 60000
			p99 = v
		}
		END {
			if (rps == "" || p99 == "" || rps == 0) exit 1
			printf "%s %.3f\n", rps, p99
		}' <<<"$out" || die "wrk $url: no requests completed or output not understood:"$'\n'"$out"
}

# median: the median of the numbers on stdin, one a line.
median() {
	sort -g | awk '{ v[NR] = $1 } END { if (NR % 2) print v[(NR + 1) / 2]; else print (v[NR / 2] + v[NR / 2 + 1]) / 2 }'
}

declare -A RPS P99
NOTES=()

# check_idle GATEWAY: sample CPU use for a second before measuring GATEWAY and
# record a note when other processes keep the machine busy (the figures would
# then say more about them than about the gateway).
check_idle() {
	local busy
	busy=$(
		{
			head -1 /proc/stat
			sleep 1
			head -1 /proc/stat
		} | awk '{ idle = $5 + $6; total = 0; for (i = 2; i <= NF; i++) total += $i }
			NR == 1 { i0 = idle; t0 = total }
			NR == 2 { printf "%.0f", 100 * (1 - (idle - i0) / (total - t0)) }'
	)
	if ((busy > 10)); then
		log "warning: the machine was ${busy}% busy just before measuring $1; its figures will be noisy"
		NOTES+=("the machine was ${busy}% busy (all CPUs) just before measuring $1: its figures are noisy")
	fi
}

# measure GATEWAY ADDR ROUTE...: per route, an unrecorded warm-up run of
# WARMUP (fills pools and caches), then RUNS wrk runs; medians into RPS and
# P99.
measure() {
	local gw=$1 addr=$2 route i hdrs res rps_runs p99_runs
	shift 2
	for route in "$@"; do
		mapfile -t hdrs < <(key_header "$route")
		if [[ $WARMUP != 0 ]]; then
			log "$gw /$route warm-up ($WARMUP)"
			run_wrk "$WARMUP" "http://$addr/$route" "${hdrs[@]}" >/dev/null
		fi
		rps_runs="" p99_runs=""
		for ((i = 1; i <= RUNS; i++)); do
			res=$(run_wrk "$DURATION" "http://$addr/$route" "${hdrs[@]}")
			log "$gw /$route run $i/$RUNS ($DURATION): ${res% *} req/s, p99 ${res#* } ms"
			rps_runs+="${res% *}"$'\n'
			p99_runs+="${res#* }"$'\n'
		done
		RPS[$gw/$route]=$(printf '%s' "$rps_runs" | median)
		P99[$gw/$route]=$(printf '%s' "$p99_runs" | median)
	done
}

# bench_nginx: start nginx on CPU 0, check, measure, stop.
bench_nginx() {
	write_nginx_conf
	port_free "$NGINX_ADDR"
	/usr/sbin/nginx -t -q -p "$BENCH_TMP" -e "$BENCH_TMP/nginx-error.log" -c "$BENCH_TMP/nginx.conf" ||
		die "nginx rejected $BENCH_TMP/nginx.conf"
	start_bg nginx taskset -c 0 /usr/sbin/nginx -p "$BENCH_TMP" -e "$BENCH_TMP/nginx-error.log" -c "$BENCH_TMP/nginx.conf"
	local pid=$STARTED_PID
	wait_ready "http://$NGINX_ADDR/" "$pid" nginx
	check_routes "$NGINX_ADDR" nginx "${NGINX_ROUTES[@]}"
	check_idle nginx
	measure nginx "$NGINX_ADDR" "${NGINX_ROUTES[@]}"
	stop_pid "$pid"
}

# bench_moongate: start moongate on CPU 0, check, measure, stop.
bench_moongate() {
	write_moongate_conf "$BENCH_TMP/moongate.yaml" off "${SELECTED[@]}"
	"$MOONGATE" -t -c "$BENCH_TMP/moongate.yaml" >/dev/null || die "moongate rejected $BENCH_TMP/moongate.yaml"
	port_free "$MOONGATE_ADDR"
	start_moongate "$BENCH_TMP/moongate.yaml"
	local pid=$STARTED_PID
	wait_ready "http://$MOONGATE_ADDR/" "$pid" moongate
	check_routes "$MOONGATE_ADDR" moongate "${SELECTED[@]}"
	check_idle moongate
	measure moongate "$MOONGATE_ADDR" "${SELECTED[@]}"
	stop_pid "$pid"
}

# cell VALUE FORMAT: VALUE formatted for the table, or "—" when empty.
cell() {
	# shellcheck disable=SC2059 # FORMAT is always one of report's literals
	if [[ -n $1 ]]; then printf "$2" "$1"; else printf '—'; fi
}

# report: the Markdown result table with what it was measured on.
report() {
	local route ng ratio cpu nginx_ver="not installed" rev
	cpu=$(awk -F': ' '/^model name/ { print $2; exit }' /proc/cpuinfo)
	if [[ -x /usr/sbin/nginx ]]; then
		nginx_ver="$(/usr/sbin/nginx -v 2>&1 | sed 's/^nginx version: //'), libnginx-mod-http-lua"
		nginx_ver+=" $(dpkg-query -W -f='${Version}' libnginx-mod-http-lua 2>/dev/null || echo unknown)"
	fi
	rev=$(git -C "$ROOT" describe --always --dirty 2>/dev/null || echo unknown)
	echo "## moongate vs nginx + lua, $(date -u +%Y-%m-%d)"
	echo
	echo "- machine: $(nproc) CPUs, ${cpu:-unknown CPU}, $(uname -sr)"
	echo "- nginx: $nginx_ver"
	echo "- moongate: commit $rev, $(go version | awk '{ print $3 }')"
	local warm="a $WARMUP warm-up"
	[[ $WARMUP != 0 ]] || warm="no warm-up"
	echo "- load: \`wrk -t2 -c64 -d$DURATION --latency\`, median of $RUNS run(s) after $warm; gateway alone on CPU 0" \
		"(nginx: 1 worker, no master; moongate: GOMAXPROCS=1), wrk and upstream on CPU 1"
	local note
	for note in "${NOTES[@]}"; do
		echo "- **note**: $note"
	done
	echo
	echo "| moongate route | moongate hooks | compared with nginx route | nginx req/s | moongate req/s | ratio (moongate/nginx) | nginx p99 | moongate p99 |"
	echo "| --- | --- | --- | ---: | ---: | ---: | ---: | ---: |"
	for route in "${SELECTED[@]}"; do
		ng=$(nginx_route "$route")
		ratio='—'
		if [[ -n ${RPS[nginx/$ng]:-} && -n ${RPS[moongate/$route]:-} ]]; then
			ratio=$(awk -v m="${RPS[moongate/$route]}" -v n="${RPS[nginx/$ng]}" 'BEGIN { printf "%.2f", m / n }')
		fi
		printf '| /%s | %s | /%s (%s) | %s | %s | %s | %s | %s |\n' "$route" "$(hooks moongate "$route")" "$ng" "$(hooks nginx "$ng")" \
			"$(cell "${RPS[nginx/$ng]:-}" '%.0f')" "$(cell "${RPS[moongate/$route]:-}" '%.0f')" "$ratio" \
			"$(cell "${P99[nginx/$ng]:-}" '%.2f ms')" "$(cell "${P99[moongate/$route]:-}" '%.2f ms')"
	done
}

# hooks GATEWAY ROUTE: what runs ROUTE's hooks on GATEWAY, for the table.
hooks() {
	case $1/$2 in
	nginx/static)
		# shellcheck disable=SC2016 # Markdown backquotes, not a command
		printf '`return`, no Lua'
		;;
	*/wasm-go/*) printf 'Go guest' ;;
	*/wasm-c/*) printf 'C guest' ;;
	*) printf 'Lua' ;;
	esac
}

main() {
	local pkgs=(wrk curl)
	wants nginx && pkgs+=(nginx libnginx-mod-http-lua lua-resty-core)
	ensure_packages "${pkgs[@]}"

	log "building upstream"
	(cd "$ROOT" && go build -o "$BENCH_TMP/upstream" ./bench/upstream)
	if wants moongate; then
		build_moongate
		build_guests "${SELECTED[@]}"
	fi

	port_free "$UPSTREAM_ADDR"
	start_bg upstream env GOMAXPROCS=1 taskset -c 1 "$BENCH_TMP/upstream" -listen "$UPSTREAM_ADDR"
	wait_ready "http://$UPSTREAM_ADDR/" "$STARTED_PID" upstream

	if wants nginx; then bench_nginx; fi
	if wants moongate; then bench_moongate; fi
	report
}

main "$@"
