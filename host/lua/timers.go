package lua

import (
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/moongate/moongate/abi"
	"github.com/moongate/moongate/errlog"
	"github.com/moongate/moongate/host"
	glua "github.com/yuin/gopher-lua"
)

// Default timer limits (lua_max_pending_timers, lua_max_running_timers).
const (
	DefaultMaxPendingTimers = 1024
	DefaultMaxRunningTimers = 256
)

// timerDrain bounds how long Close waits for running timer callbacks.
const timerDrain = 5 * time.Second

// timers are an engine's ngx.timer timers.
type timers struct {
	mu      sync.Mutex
	pending map[*timer]struct{}
	closed  bool
	active  int // callbacks started, not yet ended (under mu)
	running atomic.Int64
}

// timer is one ngx.timer.at or ngx.timer.every callback.
type timer struct {
	vm     *VM
	fn     *glua.LFunction
	args   []glua.LValue
	delay  time.Duration
	every  bool
	source string // where it was created, for errors
	t      *time.Timer
}

// timerTable builds ngx.timer.
func (vm *VM) timerTable() *glua.LTable {
	t := vm.L.NewTable()
	vm.set(t, "ngx.timer", map[string]hostFunc{
		"at":    func(L *glua.LState, _ *host.Request) int { return vm.newTimer(L, false) },
		"every": func(L *glua.LState, _ *host.Request) int { return vm.newTimer(L, true) },
		"running_count": func(L *glua.LState, _ *host.Request) int {
			L.Push(glua.LNumber(vm.e.timers.running.Load()))
			return 1
		},
		"pending_count": func(L *glua.LState, _ *host.Request) int {
			vm.e.timers.mu.Lock()
			n := len(vm.e.timers.pending)
			vm.e.timers.mu.Unlock()
			L.Push(glua.LNumber(n))
			return 1
		},
	})
	return t
}

// newTimer is ngx.timer.at(delay, fn, ...) and ngx.timer.every(delay, fn,
// ...): true, or nil and "too many pending timers" / "process exiting".
func (vm *VM) newTimer(L *glua.LState, every bool) int {
	secs := float64(L.CheckNumber(1))
	switch {
	case every && secs <= 0:
		L.ArgError(1, "delay must be greater than 0")
	case secs < 0:
		L.ArgError(1, "delay must not be negative")
	}
	t := &timer{
		vm:     vm,
		fn:     L.CheckFunction(2),
		delay:  time.Duration(secs * float64(time.Second)),
		every:  every,
		source: strings.TrimSuffix(L.Where(1), ":"),
	}
	for i := 3; i <= L.GetTop(); i++ {
		t.args = append(t.args, L.Get(i))
	}
	if err := vm.e.timers.add(t, vm.e.maxPendingTimers()); err != "" {
		L.Push(glua.LNil)
		L.Push(glua.LString(err))
		return 2
	}
	L.Push(glua.LTrue)
	return 1
}

// add arms t, or says why it cannot.
func (ts *timers) add(t *timer, maxPending int) string {
	ts.mu.Lock()
	defer ts.mu.Unlock()
	switch {
	case ts.closed:
		return "process exiting"
	case len(ts.pending) >= maxPending:
		return "too many pending timers"
	}
	if ts.pending == nil {
		ts.pending = make(map[*timer]struct{})
	}
	ts.pending[t] = struct{}{}
	t.t = time.AfterFunc(t.delay, func() { t.vm.e.fire(t, false) })
	return ""
}

// fire runs t's callback in the timer context, with premature set when
// the engine closes before t was due. An every-timer is armed again first.
func (e *Engine) fire(t *timer, premature bool) {
	ts := &e.timers
	ts.mu.Lock()
	_, pending := ts.pending[t]
	delete(ts.pending, t)
	if !pending && !premature {
		ts.mu.Unlock()
		return // Close took it
	}
	ts.active++
	ts.mu.Unlock()
	defer func() {
		ts.mu.Lock()
		ts.active--
		ts.mu.Unlock()
	}()
	if t.every && !premature {
		ts.add(t, e.maxPendingTimers()+1) // its own slot, freed above
	}
	if ts.running.Add(1) > int64(e.maxRunningTimers()) {
		ts.running.Add(-1)
		e.opts.Log.Logf(errlog.Alert, "%d lua_max_running_timers are not enough", e.maxRunningTimers())
		return
	}
	defer ts.running.Add(-1)
	s := &Session{vm: t.vm, r: host.NewContext(abi.PhaseTimer, e.opts.Log)}
	s.lock()
	err := t.vm.resume(s, t.source, t.fn, append([]glua.LValue{glua.LBool(premature)}, t.args...))
	s.unlock()
	s.closeSockets()
	if err != nil {
		e.opts.Log.Log(errlog.Error, oneLine(err.Error()))
	}
}

// closeTimers fires every pending timer with premature = true and waits,
// up to timerDrain, for running callbacks. It reports whether they all
// ended.
func (e *Engine) closeTimers() bool {
	ts := &e.timers
	ts.mu.Lock()
	ts.closed = true
	var due []*timer
	for t := range ts.pending {
		if t.t.Stop() {
			due = append(due, t)
		}
	}
	ts.mu.Unlock()
	for _, t := range due {
		go e.fire(t, true)
	}
	for deadline := time.Now().Add(timerDrain); ; time.Sleep(time.Millisecond) {
		ts.mu.Lock()
		left := ts.active + len(ts.pending)
		ts.mu.Unlock()
		switch {
		case left == 0:
			return true
		case time.Now().After(deadline):
			e.opts.Log.Logf(errlog.Warn, "timer callbacks still running %v after their config was retired", timerDrain)
			return false
		}
	}
}

func (e *Engine) maxPendingTimers() int {
	if e.opts.MaxPendingTimers > 0 {
		return e.opts.MaxPendingTimers
	}
	return DefaultMaxPendingTimers
}

func (e *Engine) maxRunningTimers() int {
	if e.opts.MaxRunningTimers > 0 {
		return e.opts.MaxRunningTimers
	}
	return DefaultMaxRunningTimers
}

// oneLine drops what follows the first line (a Lua traceback).
func oneLine(s string) string {
	if i := strings.IndexByte(s, '\n'); i >= 0 {
		return s[:i]
	}
	return s
}
