package wasm

import (
	"math"
	"strings"
	"testing"
	"time"

	"github.com/moongate/moongate/abi"
	"github.com/tetratelabs/wazero/api"
)

// Wasm instructions of timerModule's on_timer.
const (
	opI32Add = 0x6a
	opI32Mul = 0x6c
)

// timerModule is a test module that may arm timers: its on_timer(id,
// premature) returns id*10 + premature, which the host logs as an error
// ("on_timer returned 21"), so the test sees which timer ran and how.
func timerModule() wmodule {
	onTimer := wfunc{
		export: abi.TimerExport, params: []byte{i32, i32}, results: []byte{i32},
		body: []byte{opLocalGet, 0, opI32Const, 10, opI32Mul, opLocalGet, 1, opI32Add},
	}
	funcs := []wfunc{onTimer}
	for _, f := range abi.Funcs {
		if strings.HasPrefix(f.Name, "timer_") {
			funcs = append(funcs, importFunc(f.Name))
		}
	}
	return guestModule(funcs...)
}

// waitLog waits until logs holds want n times; the test's own timeout
// bounds the wait.
func waitLog(t *testing.T, logs *syncBuffer, want string, n int) {
	t.Helper()
	for strings.Count(logs.String(), want) < n {
		time.Sleep(time.Millisecond)
	}
}

func TestTimerFunctions(t *testing.T) {
	tests := []struct {
		name    string
		module  wmodule
		phase   abi.Phase
		fn      string
		args    []uint64
		want    int32
		lastErr string
	}{
		{name: "at", module: timerModule(), phase: abi.PhaseContent, fn: "timer_at", args: []uint64{api.EncodeF64(60), 0, 0}, want: 1},
		{name: "every", module: timerModule(), phase: abi.PhaseTimer, fn: "timer_every", args: []uint64{api.EncodeF64(60), 0, 3}, want: 1},
		{name: "at negative", module: timerModule(), phase: abi.PhaseContent, fn: "timer_at", args: []uint64{api.EncodeF64(-1), 0, 0}, want: -3, lastErr: "delay must not be negative"},
		{name: "at NaN", module: timerModule(), phase: abi.PhaseContent, fn: "timer_at", args: []uint64{api.EncodeF64(math.NaN()), 0, 0}, want: -3, lastErr: "delay must not be negative"},
		{name: "every zero", module: timerModule(), phase: abi.PhaseContent, fn: "timer_every", args: []uint64{api.EncodeF64(0), 0, 0}, want: -3, lastErr: "delay must be greater than 0"},
		{name: "bad arg pointer", module: timerModule(), phase: abi.PhaseContent, fn: "timer_at", args: []uint64{api.EncodeF64(0), 1 << 20, 4}, want: -3, lastErr: "outside the guest's memory"},
		{name: "init phase", module: timerModule(), phase: abi.PhaseInit, fn: "timer_at", args: []uint64{api.EncodeF64(0), 0, 0}, want: -1, lastErr: "API disabled in the context of init_by_lua*"},
		{name: "no on_timer", module: guestModule(importFunc("timer_at")), phase: abi.PhaseContent, fn: "timer_at", args: []uint64{api.EncodeF64(0), 0, 0}, want: -4, lastErr: "no on_timer export"},
		{name: "arg outside a timer", module: timerModule(), phase: abi.PhaseContent, fn: "timer_arg", args: []uint64{0, 16}, want: -2, lastErr: "not in a timer callback"},
		{name: "running count", module: timerModule(), phase: abi.PhaseLog, fn: "timer_running_count", want: 0},
		{name: "pending count", module: timerModule(), phase: abi.PhaseLog, fn: "timer_pending_count", want: 0},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			rt, _ := newTestRuntime(t, Options{})
			m := load(t, rt, writeModule(t, tt.module), Limits{})
			in := borrow(t, m)
			r := newRequest(t, testRequest{}, tt.phase)
			got := api.DecodeI32(hostCall(in, r, tt.fn, tt.args...))
			if got != tt.want {
				t.Fatalf("%s = %d, want %d (%s)", tt.fn, got, tt.want, in.lastErr)
			}
			if !strings.Contains(in.lastErr, tt.lastErr) {
				t.Errorf("last error %q, want %q", in.lastErr, tt.lastErr)
			}
		})
	}
}

func TestTimersFire(t *testing.T) {
	tests := []struct {
		name  string
		fn    string
		delay float64
		// waitFor is what the log shows, how many times, before Close;
		// afterClose what it shows then.
		waitFor    string
		times      int
		afterClose string
	}{
		{name: "at", fn: "timer_at", delay: 0, waitFor: "timer 1: timer hook: ", times: 1, afterClose: "on_timer returned 10"},
		{name: "every re-arms", fn: "timer_every", delay: 0.001, waitFor: "on_timer returned 10", times: 3, afterClose: "on_timer returned 11"},
		{name: "premature on close", fn: "timer_at", delay: 3600, afterClose: "on_timer returned 11"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			rt, logs := newTestRuntime(t, Options{})
			m := load(t, rt, writeModule(t, timerModule()), Limits{})
			in := borrow(t, m)
			r := newRequest(t, testRequest{}, abi.PhaseContent)
			if id := api.DecodeI32(hostCall(in, r, tt.fn, api.EncodeF64(tt.delay), 0, 0)); id != 1 {
				t.Fatalf("%s = %d (%s)", tt.fn, id, in.lastErr)
			}
			waitLog(t, logs, tt.waitFor, tt.times)
			m.Close()
			if !strings.Contains(logs.String(), tt.afterClose) {
				t.Errorf("log after Close:\n%s\nwant %q", logs, tt.afterClose)
			}
			if id := api.DecodeI32(hostCall(in, r, tt.fn, api.EncodeF64(tt.delay), 0, 0)); id != -4 || in.lastErr != "process exiting" {
				t.Errorf("%s after Close = %d (%s), want -4 (process exiting)", tt.fn, id, in.lastErr)
			}
		})
	}
}

func TestTimerLimits(t *testing.T) {
	rt, logs := newTestRuntime(t, Options{})
	m := load(t, rt, writeModule(t, timerModule()), Limits{MaxPendingTimers: 2})
	in := borrow(t, m)
	r := newRequest(t, testRequest{}, abi.PhaseContent)
	steps := []struct {
		fn      string
		want    int32
		lastErr string
	}{
		{fn: "timer_at", want: 1},
		{fn: "timer_every", want: 2},
		{fn: "timer_pending_count", want: 2},
		{fn: "timer_at", want: -4, lastErr: "too many pending timers"},
		{fn: "timer_every", want: -4, lastErr: "too many pending timers"},
	}
	for _, s := range steps {
		got := api.DecodeI32(hostCall(in, r, s.fn, api.EncodeF64(3600), 0, 0))
		if got != s.want || (s.lastErr != "" && in.lastErr != s.lastErr) {
			t.Errorf("%s = %d (%s), want %d (%s)", s.fn, got, in.lastErr, s.want, s.lastErr)
		}
	}
	m.Close()
	for _, want := range []string{"on_timer returned 11", "on_timer returned 21"} {
		if !strings.Contains(logs.String(), want) {
			t.Errorf("log after Close:\n%s\nwant %q", logs, want)
		}
	}
}

func TestTimerExportChecked(t *testing.T) {
	rt, _ := newTestRuntime(t, Options{})
	bad := guestModule(wfunc{export: abi.TimerExport, results: []byte{i32}, body: i32Const(0)})
	_, err := rt.Load(writeModule(t, bad), Limits{}, nil, nil)
	if want := "guest export on_timer should be (i32, i32) -> (i32)"; err == nil || !strings.Contains(err.Error(), want) {
		t.Fatalf("Load = %v, want %q", err, want)
	}
}
