//go:build wasip1

// Command basic is the Go test guest of package wasm: an API-key access
// check, a content hook, both filters and a log counter; its rewrite hook
// misbehaves as its plugin config asks (panic, loop, alloc).
package main

import (
	"strconv"
	"strings"
)

//go:wasmimport moongate req_get_header
func reqGetHeader(name string, buf *byte, capacity int32) int32

//go:wasmimport moongate plugin_config
func pluginConfig(buf *byte, capacity int32) int32

//go:wasmimport moongate ctx_get
func ctxGet(key string, buf *byte, capacity int32) int32

//go:wasmimport moongate ctx_set
func ctxSet(key, value string) int32

//go:wasmimport moongate say
func say(s string) int32

//go:wasmimport moongate resp_set_header
func respSetHeader(name, value string) int32

//go:wasmimport moongate resp_add_header
func respAddHeader(name, value string) int32

//go:wasmimport moongate arg_get_chunk
func argGetChunk(buf *byte, capacity int32) int32

//go:wasmimport moongate arg_set_chunk
func argSetChunk(s string) int32

//go:wasmimport moongate log
func logLine(level int32, s string) int32

// get runs a getter with the buffer protocol, starting with a buffer too
// small for most results so that the retry path runs.
func get(f func(buf *byte, capacity int32) int32) (string, bool) {
	buf := make([]byte, 4)
	for {
		n := f(&buf[0], int32(len(buf)))
		if n < 0 {
			return "", false
		}
		if int(n) <= len(buf) {
			return string(buf[:n]), true
		}
		buf = make([]byte, n)
	}
}

//go:wasmexport moongate_abi_version
func abiVersion() int32 { return 1 }

var initConfig string

//go:wasmexport on_init
func onInit() int32 {
	initConfig, _ = get(pluginConfig)
	return 0
}

//go:wasmexport on_access
func onAccess() int32 {
	token, ok := get(func(b *byte, c int32) int32 { return reqGetHeader("x-token", b, c) })
	switch {
	case !ok:
		return 401
	case token != "secret":
		return 403
	}
	ctxSet("user", "alice")
	return 0
}

//go:wasmexport on_content
func onContent() int32 {
	user, _ := get(func(b *byte, c int32) int32 { return ctxGet("user", b, c) })
	respSetHeader("x-guest", "go")
	say("hello " + user + " " + initConfig)
	return 0
}

//go:wasmexport on_header_filter
func onHeaderFilter() int32 {
	respAddHeader("x-filtered", "1")
	return 0
}

//go:wasmexport on_body_filter
func onBodyFilter() int32 {
	chunk, _ := get(argGetChunk)
	argSetChunk(strings.ToUpper(chunk))
	return 0
}

var requests int

//go:wasmexport on_log
func onLog() int32 {
	requests++
	logLine(6, "requests="+strconv.Itoa(requests))
	return 0
}

var hold [][]byte

//go:wasmexport on_rewrite
func onRewrite() int32 {
	config, _ := get(pluginConfig)
	switch {
	case strings.Contains(config, "panic"):
		panic("guest panic")
	case strings.Contains(config, "loop"):
		for {
		}
	case strings.Contains(config, "alloc"):
		for {
			hold = append(hold, make([]byte, 1<<20))
		}
	}
	return 0
}

func main() {}
