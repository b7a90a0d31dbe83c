#!/usr/bin/env bash
# profile.sh: CPU profile of moongate serving one route of compare.sh
# (/hello by default) under wrk load.
#
# moongate runs alone on CPU 0 (GOMAXPROCS=1) with its admin listener on
# 127.0.0.1:19180; wrk loads the route from CPU 1 while the profile is
# fetched from the admin listener's /debug/pprof/profile. Prints the top
# functions (pprof -top).
#
# Environment:
#   PROFILE_ROUTE=hello any route of compare.sh but proxy (no upstream
#                       here): headers, shdict, wasm-c/headers...
#   PROFILE_SECONDS=5   length of the profile
#   PROFILE_OUT=FILE    also keep the raw profile in FILE
#   PROFILE_NODES=30    how many functions the top lists
#   MOONGATE_BIN=PATH   profile this binary instead of building ./cmd/moongate
#
# Usage: bash bench/profile.sh
set -euo pipefail

# shellcheck source=lib.sh source-path=SCRIPTDIR
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

PROFILE_ROUTE=${PROFILE_ROUTE:-hello}
PROFILE_ROUTE=${PROFILE_ROUTE#/}
PROFILE_SECONDS=${PROFILE_SECONDS:-5}
ADMIN_ADDR=127.0.0.1:19180
[[ $PROFILE_SECONDS =~ ^[1-9][0-9]*$ ]] || die "PROFILE_SECONDS must be a positive integer"
[[ $PROFILE_ROUTE != proxy ]] || die "PROFILE_ROUTE=proxy needs an upstream; profile.sh starts none"

ensure_packages wrk curl
build_moongate
build_guests "$PROFILE_ROUTE"
write_moongate_conf "$BENCH_TMP/moongate.yaml" "$ADMIN_ADDR" "$PROFILE_ROUTE"
"$MOONGATE" -t -c "$BENCH_TMP/moongate.yaml" >/dev/null || die "moongate rejected $BENCH_TMP/moongate.yaml"
port_free "$MOONGATE_ADDR"
port_free "$ADMIN_ADDR"
start_moongate "$BENCH_TMP/moongate.yaml"
pid=$STARTED_PID
mapfile -t hdrs < <(key_header "$PROFILE_ROUTE")
wait_ready "http://$MOONGATE_ADDR/$PROFILE_ROUTE" "$pid" moongate
wait_ready "http://$ADMIN_ADDR/debug/pprof/" "$pid" moongate

# wrk outlasts the profile by two seconds so the whole profile is under load.
log "loading /$PROFILE_ROUTE, profiling for ${PROFILE_SECONDS}s"
start_bg wrk taskset -c 1 wrk -t2 -c64 -d"$((PROFILE_SECONDS + 2))s" "${hdrs[@]}" "http://$MOONGATE_ADDR/$PROFILE_ROUTE"
wrk_pid=$STARTED_PID
curl -sf --max-time "$((PROFILE_SECONDS + 30))" -o "$BENCH_TMP/cpu.pprof" \
	"http://$ADMIN_ADDR/debug/pprof/profile?seconds=$PROFILE_SECONDS" ||
	die "fetching the profile from $ADMIN_ADDR failed"
wait "$wrk_pid" || die "wrk failed; see $BENCH_TMP/wrk.out"
cat "$BENCH_TMP/wrk.out" >&2

[[ -z ${PROFILE_OUT:-} ]] || cp "$BENCH_TMP/cpu.pprof" "$PROFILE_OUT"
go tool pprof -top -nodecount="${PROFILE_NODES:-30}" "$MOONGATE" "$BENCH_TMP/cpu.pprof"
