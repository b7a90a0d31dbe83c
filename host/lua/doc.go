// Package lua is moongate's Lua binding: gopher-lua VMs (Lua 5.1, the
// dialect of LuaJIT and OpenResty scripts) with the ngx table, cjson,
// require over the configured package path, a sandboxed standard library,
// and the per-request scheduler that runs every hook as a coroutine.
//
// An Engine owns a fixed set of VMs, moongate's equivalent of nginx
// workers. A request is bound to one VM for its whole life (so ngx.ctx and
// module state behave as in OpenResty), and holds that VM's lock only while
// its Lua code runs; many requests share a VM. Every operation is carried
// out by package host, so Lua and Wasm share semantics and errors.
//
// This package imports host, abi, errlog and gopher-lua; never the gateway.
package lua
