package wasm

import (
	"strings"
	"testing"

	"github.com/moongate/moongate/abi"
)

func TestLoadErrors(t *testing.T) {
	rt, _ := newTestRuntime(t, Options{})
	ok := phaseFunc("on_access", i32Const(0)...)
	tests := []struct {
		name   string
		data   []byte
		phases []abi.Phase
		want   string
	}{
		{name: "not wasm", data: []byte("#!/bin/sh\necho hi\n"), want: "is not a WebAssembly module"},
		{name: "empty", data: nil, want: "is not a WebAssembly module"},
		{name: "component", data: []byte{0, 'a', 's', 'm', 0x0d, 0, 1, 0}, want: "is not a WebAssembly core module"},
		{name: "truncated", data: guestModule(ok).encode()[:20], want: "compile: "},
		{
			name:   "export signature",
			data:   guestModule(wfunc{export: "on_access", params: []byte{i32}, results: []byte{i32}, body: i32Const(0)}).encode(),
			phases: []abi.Phase{abi.PhaseAccess},
			want:   "guest export on_access should be () -> (i32)",
		},
		{
			name: "unused export signature",
			data: guestModule(ok, wfunc{export: "on_log", body: nil}).encode(),
			want: "guest export on_log should be () -> (i32)",
		},
		{
			name:   "missing phase export",
			data:   guestModule(ok).encode(),
			phases: []abi.Phase{abi.PhaseAccess, abi.PhaseContent},
			want:   "does not export on_content, the content hook",
		},
		{
			name:   "phase without export",
			data:   guestModule(ok).encode(),
			phases: []abi.Phase{abi.PhaseBalancer},
			want:   "the balancer phase has no guest export",
		},
		{
			name: "unknown import",
			data: guestModule(wfunc{module: abi.Module, name: "foo", results: []byte{i32}}, ok).encode(),
			want: "imports unknown function moongate.foo",
		},
		{
			name: "unknown module",
			data: guestModule(wfunc{module: "env", name: "abort"}, ok).encode(),
			want: "imports unknown function env.abort",
		},
		{
			name: "unknown WASI function",
			data: guestModule(wfunc{module: "wasi_snapshot_preview1", name: "sock_teleport"}, ok).encode(),
			want: "imports unknown function wasi_snapshot_preview1.sock_teleport",
		},
		{
			name: "import signature",
			data: guestModule(wfunc{module: abi.Module, name: "say", params: []byte{i32}, results: []byte{i32}}, ok).encode(),
			want: "imports moongate.say as (i32) -> (i32), should be (i32, i32) -> (i32)",
		},
		{
			name: "WASI import signature",
			data: guestModule(wfunc{module: "wasi_snapshot_preview1", name: "proc_exit"}, ok).encode(),
			want: "imports wasi_snapshot_preview1.proc_exit as () -> (), should be (i32) -> ()",
		},
		{
			name: "no version",
			data: wmodule{memPages: 1, funcs: []wfunc{ok}}.encode(),
			want: "does not export moongate_abi_version",
		},
		{
			name: "newer ABI",
			data: wmodule{memPages: 1, funcs: []wfunc{versionFunc(abi.Version + 1), ok}}.encode(),
			want: "was built for ABI version 2, this host speaks 1",
		},
		{
			name: "ABI version 0",
			data: wmodule{memPages: 1, funcs: []wfunc{versionFunc(0), ok}}.encode(),
			want: "was built for ABI version 0, this host speaks 1",
		},
		{
			name: "no memory export",
			data: wmodule{memPages: 1, noMemory: true, funcs: []wfunc{versionFunc(1), ok}}.encode(),
			want: `does not export its memory as "memory"`,
		},
		{
			name: "memory over the limit",
			data: wmodule{memPages: 2000, funcs: []wfunc{versionFunc(1), ok}}.encode(),
			want: "compile: section memory: min 2000 pages (125 Mi) over limit of 1024 pages (64 Mi)",
		},
		{
			name: "command",
			data: guestModule(ok, wfunc{export: "_start"}).encode(),
			want: "is a WASI command (it exports _start); build it as a reactor",
		},
		{
			name: "init_worker traps",
			data: guestModule(ok, phaseFunc("on_init_worker", opUnreachable)).encode(),
			want: "on_init_worker: trap: unreachable",
		},
		{
			name: "init_worker fails",
			data: guestModule(ok, phaseFunc("on_init_worker", i32Const(1)...)).encode(),
			want: "on_init_worker returned 1",
		},
		{
			name: "initialize traps",
			data: guestModule(ok, wfunc{export: "_initialize", body: []byte{opUnreachable}}).encode(),
			want: "instantiate: trap: unreachable",
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			path := writeFile(t, "x.wasm", tt.data)
			m, err := rt.Load(path, Limits{}, tt.phases, nil)
			if err == nil {
				m.Close()
				t.Fatalf("Load succeeded, want %q", tt.want)
			}
			if want := path + ": " + tt.want; !strings.HasPrefix(err.Error(), want) {
				t.Errorf("error = %q\nwant     %q", err, want)
			}
		})
	}
}

func TestLoadMissingFile(t *testing.T) {
	rt, _ := newTestRuntime(t, Options{})
	if _, err := rt.Load("testdata/none.wasm", Limits{}, nil, nil); err == nil || !strings.Contains(err.Error(), "testdata/none.wasm") {
		t.Errorf("error = %v, want one naming the file", err)
	}
}

func TestLimitsDefaults(t *testing.T) {
	tests := []struct {
		name string
		in   Limits
		want func(Limits) bool
		err  string
	}{
		{name: "zero", want: func(l Limits) bool {
			return l.Memory == 64<<20 && l.Timeout == defaultTimeout && l.Pool >= 4 && l.Prewarm == 1 && l.PoolWait == defaultPoolWait
		}},
		{name: "prewarm capped", in: Limits{Pool: 2, Prewarm: 5}, want: func(l Limits) bool { return l.Prewarm == 2 }},
		{name: "pages rounded up", in: Limits{Memory: pageSize + 1}, want: func(l Limits) bool { return l.pages() == 2 }},
		{name: "negative", in: Limits{Timeout: -1}, err: "limits: negative value"},
		{name: "too much memory", in: Limits{Memory: 5 << 30}, err: "limits: memory 5368709120 bytes is over 4 GiB"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := tt.in.withDefaults()
			if tt.err != "" {
				if err == nil || !strings.HasPrefix(err.Error(), tt.err) {
					t.Fatalf("error = %v, want %q", err, tt.err)
				}
				return
			}
			if err != nil || !tt.want(got) {
				t.Errorf("withDefaults() = %+v, %v", got, err)
			}
		})
	}
}
