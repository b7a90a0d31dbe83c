package wasm

import (
	"errors"
	"os"
	"strings"
	"testing"
	"time"

	"github.com/moongate/moongate/abi"
)

// Bodies of misbehaving phase exports.
var (
	trapBody = []byte{opUnreachable}
	// loopBody loops forever.
	loopBody = append([]byte{opLoop, blockVoid, opBr, 0, opEnd}, i32Const(0)...)
	// growBody grows memory a page at a time until it cannot, then traps.
	growBody = concat([]byte{opLoop, blockVoid}, i32Const(1), []byte{opMemoryGrow, 0},
		i32Const(-1), []byte{opI32Ne, opBrIf, 0, opEnd, opUnreachable})
)

func concat(parts ...[]byte) []byte {
	var b []byte
	for _, p := range parts {
		b = append(b, p...)
	}
	return b
}

func TestCallFailures(t *testing.T) {
	rt, logs := newTestRuntime(t, Options{})
	tiny := func(body []byte) string {
		return writeModule(t, guestModule(phaseFunc("on_rewrite", body...), phaseFunc("on_access", i32Const(0)...)))
	}
	tests := []struct {
		name   string
		path   string
		config string
		lim    Limits
		cause  error
		msg    string
		access int32  // on_access's action, once the failed instance is gone
		log    string // a line the failure logs (the guest's stderr)
	}{
		{name: "trap", path: tiny(trapBody), cause: ErrTrap, msg: "rewrite hook: %s: trap: unreachable"},
		{name: "loop", path: tiny(loopBody), lim: Limits{Timeout: 50 * time.Millisecond},
			cause: ErrDeadline, msg: "rewrite hook: %s: deadline exceeded (50ms)"},
		{name: "memory", path: tiny(growBody), lim: Limits{Memory: 1 << 20},
			cause: ErrOutOfMemory, msg: "rewrite hook: %s: out of memory (limit 1 MiB): trap: unreachable"},
		{name: "go panic", path: goGuest(t, "basic"), config: "panic", cause: ErrTrap,
			msg: "rewrite hook: %s: trap: unreachable", access: 401, log: "[notice] %d#0: %s: panic: guest panic"},
		{name: "go loop", path: goGuest(t, "basic"), config: "loop", lim: Limits{Timeout: 50 * time.Millisecond},
			cause: ErrDeadline, msg: "rewrite hook: %s: deadline exceeded (50ms)", access: 401},
		{name: "go alloc", path: goGuest(t, "basic"), config: "alloc", lim: Limits{Memory: 48 << 20, Timeout: time.Minute},
			cause: ErrOutOfMemory, msg: "rewrite hook: %s: out of memory (limit 48 MiB)", access: 401},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			tt.lim.Pool = 1
			m := load(t, rt, tt.path, tt.lim, abi.PhaseRewrite, abi.PhaseAccess)
			r := newRequest(t, testRequest{}, abi.PhaseRewrite)
			defer r.Release()
			_, err := m.Run(r, abi.PhaseRewrite, []byte(tt.config))
			var herr *HookError
			if !errors.As(err, &herr) || !errors.Is(err, tt.cause) {
				t.Fatalf("error = %v, want a *HookError for %v", err, tt.cause)
			}
			if want := strings.Replace(tt.msg, "%s", tt.path, 1); !strings.HasPrefix(err.Error(), want) {
				t.Errorf("error = %q, want it to start with %q", err, want)
			}
			if m.instances() != 0 {
				t.Errorf("%d instances alive after the failure, want 0", m.instances())
			}
			if want := sprintf(tt.log, os.Getpid(), tt.path); tt.log != "" && !strings.Contains(logs.String(), want) {
				t.Errorf("log lacks %q:\n%s", want, logs)
			}
			r.SetPhase(abi.PhaseAccess)
			if action, err := m.Run(r, abi.PhaseAccess, nil); err != nil || action != tt.access {
				t.Errorf("next call = %d, %v; want %d, nil", action, err, tt.access)
			}
		})
	}
}
