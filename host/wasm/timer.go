package wasm

import (
	"errors"
	"fmt"
	"math"
	"sync"
	"sync/atomic"
	"time"

	"github.com/moongate/moongate/abi"
	"github.com/moongate/moongate/errlog"
	"github.com/moongate/moongate/host"
	"github.com/moongate/moongate/shdict"
	"github.com/tetratelabs/wazero/api"
)

// The timer functions of ABI.md ("Timers"): ngx.timer.at and
// ngx.timer.every for guests. A timer belongs to its module; when it is
// due the host takes a pooled instance and calls the guest's on_timer
// export in the timer phase, where sleep and sockets work. Closing the
// module runs its pending timers at once with premature set, as a reload
// or shutdown does in OpenResty.

// Default timer limits of a module (lua_max_pending_timers,
// lua_max_running_timers).
const (
	DefaultMaxPendingTimers = 1024
	DefaultMaxRunningTimers = 256
)

// timerDrain bounds how long Close waits for running timer callbacks.
const timerDrain = 5 * time.Second

// errNoOnTimer is timer_at in a module that does not export on_timer.
var errNoOnTimer = errors.New("no " + abi.TimerExport + " export")

// timerSignature is on_timer's: (id, premature) -> action.
var timerSignature = signature{
	params:  []api.ValueType{api.ValueTypeI32, api.ValueTypeI32},
	results: []api.ValueType{api.ValueTypeI32},
}

// timers are a module's timers.
type timers struct {
	mu      sync.Mutex
	pending map[*timer]struct{}
	closed  bool
	active  int // callbacks started, not yet ended (under mu)
	running atomic.Int64
	lastID  atomic.Int32
}

// timer is one timer_at or timer_every timer, with what its callback's
// call needs from the call that armed it.
type timer struct {
	id     int32
	delay  time.Duration
	every  bool
	arg    []byte
	config []byte
	dicts  []*shdict.Dict
	socks  *host.ConnPool
	opts   *host.SocketOptions
	t      *time.Timer
}

// timerRun is what timer_arg and on_timer's arguments read in a timer
// callback's call.
type timerRun struct {
	id        int32
	premature bool
	arg       []byte
}

// timerAt is timer_at(delay, arg): a timer's id.
func timerAt(c call) (int32, error) { return c.in.m.newTimer(c, false) }

// timerEvery is timer_every(delay, arg): a timer's id.
func timerEvery(c call) (int32, error) { return c.in.m.newTimer(c, true) }

// timerArg is timer_arg(buf): the running timer's arg.
func timerArg(c call) (int32, error) {
	run := c.in.state.timer
	if run == nil {
		return 0, notFound("not in a timer callback")
	}
	return result(c, 0, run.arg)
}

// timerRunningCount is timer_running_count().
func timerRunningCount(c call) (int32, error) {
	return int32(min(c.in.m.timers.running.Load(), math.MaxInt32)), nil
}

// timerPendingCount is timer_pending_count().
func timerPendingCount(c call) (int32, error) {
	ts := &c.in.m.timers
	ts.mu.Lock()
	defer ts.mu.Unlock()
	return int32(len(ts.pending)), nil
}

// newTimer arms a timer from the arguments (delay, arg) of c.
func (m *Module) newTimer(c call, every bool) (int32, error) {
	secs := c.f64(0)
	switch {
	case every && !(secs > 0):
		return 0, badArgument("delay must be greater than 0")
	case !(secs >= 0):
		return 0, badArgument("delay must not be negative")
	}
	arg, err := c.bytes(1)
	if err != nil {
		return 0, err
	}
	if !m.onTimer {
		return 0, errNoOnTimer
	}
	t := &timer{
		id:     m.timers.lastID.Add(1),
		delay:  time.Duration(min(secs*float64(time.Second), math.MaxInt64)),
		every:  every,
		arg:    append([]byte(nil), arg...),
		config: c.in.state.config,
		dicts:  c.r.Dicts,
		socks:  c.r.Sockets,
		opts:   c.r.SocketOptions,
	}
	ts := &m.timers
	ts.mu.Lock()
	defer ts.mu.Unlock()
	switch {
	case ts.closed:
		return 0, errors.New("process exiting")
	case len(ts.pending) >= m.lim.MaxPendingTimers:
		return 0, errors.New("too many pending timers")
	}
	m.arm(t)
	return t.id, nil
}

// arm makes t pending. m.timers.mu must be held.
func (m *Module) arm(t *timer) {
	ts := &m.timers
	if ts.pending == nil {
		ts.pending = make(map[*timer]struct{})
	}
	ts.pending[t] = struct{}{}
	t.t = time.AfterFunc(t.delay, func() { m.fire(t, false) })
}

// fire runs t's callback, with premature set when the module closes
// before t ran: Close calls it so, and a timer due while Close runs is
// premature too. An every-timer that is not is armed again first, in its
// own slot, so it never meets the pending limit.
func (m *Module) fire(t *timer, premature bool) {
	ts := &m.timers
	ts.mu.Lock()
	_, pending := ts.pending[t]
	delete(ts.pending, t)
	if !pending && !premature {
		ts.mu.Unlock()
		return // Close took it
	}
	premature = premature || ts.closed
	if t.every && !premature {
		m.arm(t)
	}
	ts.active++
	ts.mu.Unlock()
	defer func() {
		ts.mu.Lock()
		ts.active--
		ts.mu.Unlock()
	}()
	if ts.running.Add(1) > int64(m.lim.MaxRunningTimers) {
		ts.running.Add(-1)
		m.rt.log.Logf(errlog.Alert, "%s: %d max running timers are not enough", m.path, m.lim.MaxRunningTimers)
		return
	}
	defer ts.running.Add(-1)
	if err := m.runTimer(t, premature); err != nil {
		m.rt.log.Logf(errlog.Error, "timer %d: %v", t.id, err)
	}
}

// runTimer calls on_timer for t on a pooled instance, in the timer phase.
func (m *Module) runTimer(t *timer, premature bool) error {
	r := host.NewContext(abi.PhaseTimer, m.rt.log)
	r.Dicts, r.Sockets, r.SocketOptions = t.dicts, t.socks, t.opts
	in, _, err := m.acquire(r)
	if err != nil {
		return &HookError{Path: m.path, Phase: abi.PhaseTimer, Err: err}
	}
	run := &timerRun{id: t.id, premature: premature, arg: t.arg}
	action, err := in.run(abi.PhaseTimer, callState{r: r, config: t.config, timer: run}, false)
	m.release(r, in)
	switch {
	case err != nil:
		return &HookError{Path: m.path, Phase: abi.PhaseTimer, Err: err}
	case action != abi.ActionContinue:
		return &HookError{Path: m.path, Phase: abi.PhaseTimer, Err: fmt.Errorf("%s returned %d", abi.TimerExport, action)}
	}
	return nil
}

// closeTimers runs every pending timer with premature set and waits, up
// to timerDrain, for running callbacks.
func (m *Module) closeTimers() {
	ts := &m.timers
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
		go m.fire(t, true)
	}
	for deadline := time.Now().Add(timerDrain); ; time.Sleep(time.Millisecond) {
		ts.mu.Lock()
		left := ts.active + len(ts.pending)
		ts.mu.Unlock()
		switch {
		case left == 0:
			return
		case time.Now().After(deadline):
			m.rt.log.Logf(errlog.Warn, "%s: timer callbacks still running %v after the module was closed", m.path, timerDrain)
			return
		}
	}
}
