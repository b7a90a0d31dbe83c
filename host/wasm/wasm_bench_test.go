package wasm

import (
	"bytes"
	"os"
	"testing"

	"github.com/moongate/moongate/abi"
)

// callsPerRun is how many host calls BenchmarkHostCall's export makes.
const callsPerRun = 1000

// BenchmarkHostCall measures one req_get_method round trip from a guest:
// the export calls it callsPerRun times.
func BenchmarkHostCall(b *testing.B) {
	call := concat(i32Const(inOff), i32Const(64), []byte{opCall, 0, opDrop})
	body := concat(bytes.Repeat(call, callsPerRun), i32Const(0))
	rt, _ := newTestRuntime(b, Options{})
	m := load(b, rt, writeModule(b, guestModule(importFunc("req_get_method"), phaseFunc("on_access", body...))), Limits{}, abi.PhaseAccess)
	r := newRequest(b, conformanceRequest, abi.PhaseAccess)
	defer r.Release()
	b.ReportAllocs()
	for b.Loop() {
		if _, err := m.Run(r, abi.PhaseAccess, nil); err != nil {
			b.Fatal(err)
		}
	}
	b.ReportMetric(float64(b.Elapsed().Nanoseconds())/float64(b.N*callsPerRun), "ns/call")
}

// BenchmarkRun measures Run of an access export: one that returns at
// once; the Go test guest's, which reads a header (with one retry of the
// buffer protocol) and sets a ctx value; and the C bench guest's
// (guests/c/bench), which reads x-api-key and sets the request header
// X-User.
func BenchmarkRun(b *testing.B) {
	tests := []struct {
		name    string
		path    func(b *testing.B) string
		headers []string
	}{
		{name: "empty", path: func(b *testing.B) string {
			return writeModule(b, guestModule(phaseFunc("on_access", i32Const(0)...)))
		}},
		{name: "go-access", path: func(b *testing.B) string { return goGuest(b, "basic") }, headers: []string{"X-Token", "secret"}},
		{name: "c-access", path: func(b *testing.B) string { return cGuest(b, "bench") }, headers: []string{"X-API-Key", "secret"}},
	}
	for _, tt := range tests {
		b.Run(tt.name, func(b *testing.B) {
			rt, _ := newTestRuntime(b, Options{})
			m := load(b, rt, tt.path(b), Limits{}, abi.PhaseAccess)
			r := newRequest(b, testRequest{headers: tt.headers}, abi.PhaseAccess)
			defer r.Release()
			b.ReportAllocs()
			for b.Loop() {
				if action, err := m.Run(r, abi.PhaseAccess, nil); err != nil || action != 0 {
					b.Fatal(action, err)
				}
			}
		})
	}
}

// BenchmarkLoad measures Load of the C and Go guests (compile or cache,
// checks, one instance), with no compilation cache (a fresh runtime and an
// empty cache directory: wazero's runtime set-up and a full compile), from
// the on-disk cache in a fresh runtime (what a restart costs), and in a
// runtime that holds the code compiled (what a reload of an unchanged
// module costs).
func BenchmarkLoad(b *testing.B) {
	for _, g := range benchGuests[1:] {
		path := g.path(b)
		warm := b.TempDir()
		warmRT, _ := newTestRuntime(b, Options{CacheDir: warm})
		load(b, warmRT, path, Limits{})
		tests := []struct {
			name    string
			runtime func(b *testing.B) *Runtime
		}{
			{name: "no-cache", runtime: func(b *testing.B) *Runtime {
				dir, err := os.MkdirTemp(b.TempDir(), "cache")
				if err != nil {
					b.Fatal(err)
				}
				rt, _ := newTestRuntime(b, Options{CacheDir: dir})
				return rt
			}},
			{name: "disk-cache", runtime: func(b *testing.B) *Runtime {
				rt, _ := newTestRuntime(b, Options{CacheDir: warm})
				return rt
			}},
			{name: "memory-cache", runtime: func(b *testing.B) *Runtime { return warmRT }},
		}
		for _, tt := range tests {
			b.Run(g.name+"/"+tt.name, func(b *testing.B) {
				for b.Loop() {
					b.StopTimer()
					rt := tt.runtime(b)
					b.StartTimer()
					m, err := rt.Load(path, Limits{}, nil, nil)
					if err != nil {
						b.Fatal(err)
					}
					b.StopTimer()
					m.Close()
					if rt != warmRT {
						rt.Close()
					}
					b.StartTimer()
				}
			})
		}
	}
}

// BenchmarkInstantiate measures one new instance from compiled code:
// instantiation, _initialize and the ABI version check.
func BenchmarkInstantiate(b *testing.B) {
	for _, g := range benchGuests {
		b.Run(g.name, func(b *testing.B) {
			rt, _ := newTestRuntime(b, Options{})
			m := load(b, rt, g.path(b), Limits{})
			b.ReportAllocs()
			for b.Loop() {
				in, err := newInstance(m, 0)
				if err != nil {
					b.Fatal(err)
				}
				in.close()
			}
		})
	}
}
