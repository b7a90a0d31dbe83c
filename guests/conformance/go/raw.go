//go:build wasip1

package main

import "unsafe"

// Raw imports, to check the buffer and pointer rules the SDK hides. They
// take plain numbers so that a pointer outside memory can be passed.

//go:wasmimport moongate req_get_method
func rawReqGetMethod(bufPtr, bufCap uint32) int32

//go:wasmimport moongate req_get_header
func rawReqGetHeader(namePtr, nameLen, bufPtr, bufCap uint32) int32

//go:wasmimport moongate last_error
func rawLastError(bufPtr, bufCap uint32) int32

//go:wasmimport moongate shdict_open
func rawShdictOpen(namePtr, nameLen uint32) int32

//go:wasmimport moongate shdict_get
func rawShdictGet(h int32, keyPtr, keyLen, bufPtr, bufCap uint32) int32

//go:wasmimport moongate shdict_set
func rawShdictSet(h int32, keyPtr, keyLen, valuePtr, valueLen uint32, ttl float64) int32

//go:wasmimport moongate shdict_incr
func rawShdictIncr(h int32, keyPtr, keyLen uint32, delta float64, hasInit int32, init, initTTL float64, outPtr uint32) int32

// outside is an address past the end of any memory the module has.
const outside = 0xFFFFFF00

// probe is a buffer the raw checks write to; a global, so it never moves.
var probe [64]byte

// probeAddr returns the address of probe.
func probeAddr() uint32 { return uint32(uintptr(unsafe.Pointer(&probe[0]))) }

// strAddr returns the address of a constant string's bytes.
func strAddr(s string) uint32 { return uint32(uintptr(unsafe.Pointer(unsafe.StringData(s)))) }

// resetProbe fills probe with '#'.
func resetProbe() {
	for i := range probe {
		probe[i] = '#'
	}
}

// probeUntouched reports whether probe still holds only '#'.
func probeUntouched() bool {
	for _, b := range probe {
		if b != '#' {
			return false
		}
	}
	return true
}

// raw checks the buffer-retry and bad-pointer rules, right after a call
// that failed with message lastMsg.
func (c *checks) raw(lastMsg string) {
	resetProbe()
	n := rawLastError(probeAddr(), 3)
	c.that("last_error", int(n) == len(lastMsg) && probeUntouched(), nil,
		"with a 3-byte buffer: returned %d (want %d), buffer touched: %v", n, len(lastMsg), !probeUntouched())

	resetProbe()
	n = rawReqGetMethod(probeAddr(), 2)
	c.that("req_get_method", n == int32(len(wantMethod)) && probeUntouched(), nil,
		"with a 2-byte buffer: returned %d, buffer touched: %v", n, !probeUntouched())

	n = rawReqGetMethod(outside, 0)
	c.that("req_get_method", n == int32(len(wantMethod)), nil, "length only (cap 0): returned %d", n)

	n = rawReqGetMethod(probeAddr(), uint32(len(probe)))
	c.that("req_get_method", n == int32(len(wantMethod)) && string(probe[:n]) == wantMethod, nil,
		"returned %d, wrote %q", n, probe[:min(max(int(n), 0), len(probe))])

	n = rawReqGetMethod(outside, 64)
	c.that("req_get_method", n == -3, nil, "buffer outside memory: returned %d, want -3", n)

	name := "x-test"
	n = rawReqGetHeader(outside, uint32(len(name)), probeAddr(), uint32(len(probe)))
	c.that("req_get_header", n == -3, nil, "name outside memory: returned %d, want -3", n)
}
