// Package wasm is moongate's WebAssembly binding: it runs guest modules
// that import the host ABI of package abi (module "moongate", documented in
// abi/ABI.md) on wazero, over the engine-neutral host API of package host.
//
// A plugin module's life:
//
//  1. Load reads the file, compiles it (or takes the compiled code from the
//     cache: by content hash in memory, and on disk when Options.CacheDir
//     is set) and checks it: Wasm format, every import a moongate or WASI
//     function with the right signature, the ABI version export, the memory
//     export and the phase exports the config names.
//  2. Load then pre-warms the module's instance pool: each new instance
//     runs _initialize, then on_init_worker.
//  3. Init runs on_init once, in the config's init phase.
//  4. Run (and Filter for body_filter) calls a phase export on a pooled
//     instance, bound to the request for the call's length. A call that
//     traps, passes its time limit or its memory limit fails with a
//     *HookError and its instance is thrown away.
//  5. Timers the guest arms (timer_at, timer_every) call its on_timer
//     export on a pooled instance when due, in the timer phase.
//  6. Close, once the config's requests are done, runs the pending timers
//     with premature set, waits (bounded) for running ones, closes the
//     instances and releases the compiled code.
//
// Every host function is built from the table abi.Funcs and checks the
// request's phase with abi.Contexts before it acts, so a guest gets the
// same phase errors as a Lua hook.
//
// Guests reach the shared dicts of the request (host.Request.Dicts) through
// handles (shdict.go). sleep and the TCP cosockets (socket.go) block the
// request's goroutine while they wait, holding the instance, with the
// call's time limit paused; a guest's sockets are handles closed when the
// export call that connected them returns. Sockets use the request's
// connection pool and defaults (host.Request.Sockets and SocketOptions).
// Subrequests (capture.go) run through host.Request.Capture, blocking like
// sockets, and their responses are handles valid for the export call;
// exec records ngx.exec for the gateway. The regex functions (regex.go)
// compile with the request's cache (host.Request.Regex). body.go has the
// body file and built-body functions.
// A timer (timer.go) keeps the dicts, pool and plugin config of the call
// that armed it for its on_timer call; Limits bounds the module's pending
// and running timers.
//
// wasm imports abi, errlog, host, shdict and wazero; never the gateway or
// the Lua binding.
package wasm
