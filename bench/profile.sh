#!/usr/bin/env bash
# profile.sh: CPU profile of moongate serving /hello under wrk load.
#
# moongate runs alone on CPU 0 (GOMAXPROCS=1) with its admin listener on
# 127.0.0.1:19180; wrk loads /hello from CPU 1 while the profile is fetched
# from the admin listener's /debug/pprof/profile. Prints the top 30 functions.
#
# Environment:
#   PROFILE_SECONDS=5   length of the profile
#   PROFILE_OUT=FILE    also keep the raw profile in FILE
#   MOONGATE_BIN=PATH   profile this binary instead of building ./cmd/moongate
#
# Usage: bash bench/profile.sh
set -euo pipefail

# shellcheck source=lib.sh source-path=SCRIPTDIR
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

PROFILE_SECONDS=${PROFILE_SECONDS:-5}
ADMIN_ADDR=127.0.0.1:19180
[[ $PROFILE_SECONDS =~ ^[1-9][0-9]*$ ]] || die "PROFILE_SECONDS must be a positive integer"

ensure_packages wrk curl
build_moongate
write_moongate_conf "$BENCH_TMP/moongate.yaml" "$ADMIN_ADDR" hello
port_free "$MOONGATE_ADDR"
port_free "$ADMIN_ADDR"
start_moongate "$BENCH_TMP/moongate.yaml"
pid=$STARTED_PID
wait_ready "http://$MOONGATE_ADDR/hello" "$pid" moongate
wait_ready "http://$ADMIN_ADDR/debug/pprof/" "$pid" moongate

# wrk outlasts the profile by two seconds so the whole profile is under load.
log "loading /hello, profiling for ${PROFILE_SECONDS}s"
start_bg wrk taskset -c 1 wrk -t2 -c64 -d"$((PROFILE_SECONDS + 2))s" "http://$MOONGATE_ADDR/hello"
wrk_pid=$STARTED_PID
curl -sf --max-time "$((PROFILE_SECONDS + 30))" -o "$BENCH_TMP/cpu.pprof" \
	"http://$ADMIN_ADDR/debug/pprof/profile?seconds=$PROFILE_SECONDS" ||
	die "fetching the profile from $ADMIN_ADDR failed"
wait "$wrk_pid" || die "wrk failed; see $BENCH_TMP/wrk.out"
cat "$BENCH_TMP/wrk.out" >&2

[[ -z ${PROFILE_OUT:-} ]] || cp "$BENCH_TMP/cpu.pprof" "$PROFILE_OUT"
go tool pprof -top -nodecount=30 "$MOONGATE" "$BENCH_TMP/cpu.pprof"
