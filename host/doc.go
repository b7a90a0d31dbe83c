// Package host is moongate's engine-neutral host API: one Go implementation
// of every ngx.* operation over a per-request context (Request), with the
// phase guard. The Lua binding (host/lua) and the Wasm binding are thin
// adapters over it, so both languages get the same semantics and the same
// errors.
//
// host knows nothing of Lua or Wasm. It imports abi (the phase-permission
// table), errlog, shdict and fasthttp, never the gateway or a binding.
package host
