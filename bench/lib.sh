# shellcheck shell=bash
# lib.sh: helpers shared by bench/compare.sh and bench/profile.sh. Source it
# after `set -euo pipefail`. It sets ROOT, BENCH_TMP, the fixed addresses and
# the Lua of the benchmark routes, and defines the helpers below.
#
# Every process started through start_bg is recorded and killed by the EXIT
# trap installed here, so a failing run leaves nothing behind. The temp dir is
# removed on success (unless KEEP_TMP=1) and kept, its path printed, on
# failure, for its logs.

ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
BENCH_TMP=$(mktemp -d "${TMPDIR:-/tmp}/moongate-bench.XXXXXX")
BENCH_PIDS=()

# Fixed loopback addresses of moongate and of the upstream behind /proxy.
MOONGATE_ADDR=127.0.0.1:18081
UPSTREAM_ADDR=127.0.0.1:18090

# The hooks of the benchmark routes; nginx and moongate run the same Lua.
LUA_STATIC='ngx.say("static")'
LUA_HELLO='ngx.say("hello")'
LUA_AUTH='if ngx.var.http_x_api_key ~= "secret" then return ngx.exit(401) end'
LUA_SET_USER='ngx.req.set_header("X-User", "alice")'
LUA_MARK='ngx.header["X-Gateway"] = "bench"'
LUA_ECHO_USER='ngx.say(ngx.req.get_headers()["x-user"])'
LUA_SHDICT='local n = ngx.shared.bench:incr("hits", 1, 0) ngx.say(n)'

# Where guests/build.sh writes the Wasm guests of the wasm-* routes.
GUEST_DIR=$ROOT/guests/build

# The Debian packages that build the C guests (as the Makefile's deps).
C_GUEST_PACKAGES=(clang lld wasi-libc libclang-rt-14-dev-wasm32)

# log prints a progress line on stderr, keeping stdout for results.
log() { printf '==> %s\n' "$*" >&2; }

# die prints an error on stderr and exits non-zero.
die() {
	printf 'error: %s\n' "$*" >&2
	exit 1
}

# cleanup kills every process that start_bg started, then handles the temp dir.
cleanup() {
	local rc=$?
	local pid
	for pid in "${BENCH_PIDS[@]}"; do
		stop_pid "$pid"
	done
	if [[ $rc -eq 0 && ${KEEP_TMP:-} != 1 ]]; then
		rm -rf "$BENCH_TMP"
	else
		printf 'logs kept in %s\n' "$BENCH_TMP" >&2
	fi
	exit "$rc"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

# stop_pid PID: terminate one process we started and reap it.
stop_pid() {
	local pid=$1
	if kill -0 "$pid" 2>/dev/null; then
		kill "$pid" 2>/dev/null || true
		wait "$pid" 2>/dev/null || true
	fi
}

# start_bg NAME CMD...: run CMD in the background with output in
# $BENCH_TMP/NAME.out; sets STARTED_PID and records it for cleanup.
start_bg() {
	local name=$1
	shift
	"$@" >"$BENCH_TMP/$name.out" 2>&1 &
	STARTED_PID=$!
	BENCH_PIDS+=("$STARTED_PID")
}

# ensure_packages PKG...: apt-get install the packages not yet installed,
# running apt-get update only when something is missing. Assumes root.
ensure_packages() {
	local missing=() pkg
	for pkg in "$@"; do
		if ! dpkg-query -W -f='${Status}' "$pkg" 2>/dev/null | grep -q 'install ok installed'; then
			missing+=("$pkg")
		fi
	done
	[[ ${#missing[@]} -eq 0 ]] && return 0
	log "installing ${missing[*]}"
	apt-get update -qq
	DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${missing[@]}" >&2
}

# port_free ADDR: fail if something already answers on ADDR (host:port), so
# we never measure a stray server.
port_free() {
	if curl -s -o /dev/null --max-time 1 "http://$1/"; then
		die "$1 is already in use; stop whatever listens there"
	fi
}

# wait_ready URL PID NAME: poll URL until it answers (any status), failing
# early if PID exits. Bounded to about 10 s.
wait_ready() {
	local url=$1 pid=$2 name=$3 i
	for ((i = 0; i < 100; i++)); do
		kill -0 "$pid" 2>/dev/null || die "$name exited at startup; see $BENCH_TMP/$name.out"
		curl -s -o /dev/null --max-time 1 "$url" && return 0
		sleep 0.1
	done
	die "$name did not answer $url within 10s; see $BENCH_TMP/$name.out"
}

# build_moongate: set MOONGATE to the gateway binary: $MOONGATE_BIN when the
# caller gives one (say, a release build), else a fresh build of ./cmd/moongate.
build_moongate() {
	if [[ -n ${MOONGATE_BIN:-} ]]; then
		[[ -x $MOONGATE_BIN ]] || die "MOONGATE_BIN=$MOONGATE_BIN is not an executable"
		MOONGATE=$MOONGATE_BIN
		return
	fi
	log "building moongate"
	(cd "$ROOT" && go build -o "$BENCH_TMP/moongate" ./cmd/moongate)
	MOONGATE=$BENCH_TMP/moongate
}

# is_wasm ROUTE: true for the routes moongate serves with Wasm guests
# (wasm-go/..., wasm-c/...).
is_wasm() { [[ $1 == wasm-* ]]; }

# key_header ROUTE: the wrk/curl arguments for ROUTE (the API key where the
# route checks it).
key_header() {
	case $1 in
	headers | proxy | wasm-*/headers) printf '%s\n' -H 'X-API-Key: secret' ;;
	esac
}

# build_guests ROUTE...: build the Wasm guests (guests/build.sh: Go and C)
# when one of ROUTEs needs them, installing the C toolchain if missing.
build_guests() {
	local route
	for route in "$@"; do
		if is_wasm "$route"; then
			ensure_packages "${C_GUEST_PACKAGES[@]}"
			log "building the Wasm guests"
			bash "$ROOT/guests/build.sh"
			return
		fi
	done
}

# start_moongate CONFIG: start moongate on CPU 0 with GOMAXPROCS=1; sets
# STARTED_PID.
start_moongate() {
	start_bg moongate env GOMAXPROCS=1 taskset -c 0 "$MOONGATE" -c "$1"
}

# write_moongate_conf FILE ADMIN_LISTEN ROUTE...: the moongate side, with the
# named routes only ("off" disables the admin listener). Compiled Wasm is
# cached in $BENCH_TMP, so the `moongate -t` check compiles the guests once
# and the server starts from the cache.
write_moongate_conf() {
	local file=$1 admin=$2 route lang phase
	shift 2
	{
		cat <<EOF
listen: $MOONGATE_ADDR
admin: {listen: $admin}
error_log: {path: $BENCH_TMP/moongate-error.log, level: warn}
wasm: {cache_dir: $BENCH_TMP/wasm-cache}
shared_dicts: {bench: 10m}
routes:
EOF
		for route in "$@"; do
			printf '  - location: "= /%s"\n' "$route"
			case $route in
			# nginx answers /static with "return 200" and no Lua; moongate has
			# no static-return directive, so the closest it has is a content
			# hook with a constant.
			static) moongate_hook content lua "$LUA_STATIC" ;;
			hello) moongate_hook content lua "$LUA_HELLO" ;;
			headers)
				moongate_hook access lua "$LUA_AUTH $LUA_SET_USER"
				moongate_hook header_filter lua "$LUA_MARK"
				moongate_hook content lua "$LUA_ECHO_USER"
				;;
			proxy)
				moongate_hook access lua "$LUA_AUTH"
				printf '    proxy_pass: http://%s\n' "$UPSTREAM_ADDR"
				;;
			shdict) moongate_hook content lua "$LUA_SHDICT" ;;
			# The Wasm routes: guests/{go,c}/hello, and guests/{go,c}/bench,
			# whose three hooks do what the Lua hooks of /headers do.
			wasm-go/hello | wasm-c/hello)
				lang=${route%/*}
				moongate_hook content wasm "$GUEST_DIR/${lang#wasm-}/hello.wasm"
				;;
			wasm-go/headers | wasm-c/headers)
				lang=${route%/*}
				for phase in access header_filter content; do
					moongate_hook "$phase" wasm "$GUEST_DIR/${lang#wasm-}/bench.wasm"
				done
				;;
			*) die "no moongate config for route $route" ;;
			esac
		done
	} >"$file"
}

# moongate_hook PHASE KIND VALUE: one hook of a route, KIND lua (VALUE is
# inline code) or wasm (VALUE is a module path), VALUE as a single-quoted
# YAML scalar.
moongate_hook() {
	printf "    %s: {%s: '%s'}\n" "$1" "$2" "${3//\'/\'\'}"
}
