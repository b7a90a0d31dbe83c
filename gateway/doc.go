// Package gateway is moongate's server: it loads a config into an
// immutable snapshot (router, compiled hooks, VMs, upstreams), serves HTTP
// on fasthttp through the phase pipeline in OpenResty's order, proxies to
// upstreams, and swaps snapshots atomically on reload (SIGHUP, the admin
// API's POST /reload) while in-flight requests finish on the snapshot they
// started with.
//
// Its subpackages each do one job: config (the YAML schema), location
// (nginx location matching) and proxy (the upstream side of proxy_pass).
// gateway imports host and its bindings; nothing imports gateway but the
// command.
package gateway
