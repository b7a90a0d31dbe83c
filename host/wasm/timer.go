package wasm

import (
	"errors"
	"fmt"
	"math"
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

// timerDrain bounds how long Close waits for running timer callbacks.
const timerDrain = 5 * time.Second

// errNoOnTimer is timer_at in a module that does not export on_timer.
var errNoOnTimer = errors.New("no " + abi.TimerExport + " export")

// timerSignature is on_timer's: (id, premature) -> action.
var timerSignature = signature{
	params:  []api.ValueType{api.ValueTypeI32, api.ValueTypeI32},
	results: []api.ValueType{api.ValueTypeI32},
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
	return int32(min(c.in.m.timers.Running(), math.MaxInt32)), nil
}

// timerPendingCount is timer_pending_count().
func timerPendingCount(c call) (int32, error) {
	return int32(c.in.m.timers.Pending()), nil
}

// newTimer arms a timer from the arguments (delay, arg) of c, for a
// callback with what it needs of the call that armed it.
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
	run := &timerRun{id: m.timerIDs.Add(1), arg: append([]byte(nil), arg...)}
	ctx := timerContext{config: c.in.state.config, dicts: c.r.Dicts, socks: c.r.Sockets, opts: c.r.SocketOptions}
	t := &host.Timer{
		Delay: time.Duration(min(secs*float64(time.Second), math.MaxInt64)),
		Every: every,
		Run: func(premature bool) {
			if err := m.runTimer(ctx, timerRun{id: run.id, premature: premature, arg: run.arg}); err != nil {
				m.rt.log.Logf(errlog.Error, "timer %d: %v", run.id, err)
			}
		},
	}
	if err := m.timers.Add(t); err != nil {
		return 0, err
	}
	return run.id, nil
}

// timerContext is what a timer's callback needs from the call that armed
// it.
type timerContext struct {
	config []byte
	dicts  []*shdict.Dict
	socks  *host.ConnPool
	opts   *host.SocketOptions
}

// runTimer calls on_timer for run on a pooled instance, in the timer
// phase.
func (m *Module) runTimer(ctx timerContext, run timerRun) error {
	r := host.NewContext(abi.PhaseTimer, m.rt.log)
	r.Dicts, r.Sockets, r.SocketOptions = ctx.dicts, ctx.socks, ctx.opts
	in, _, err := m.acquire(r)
	if err != nil {
		return &HookError{Path: m.path, Phase: abi.PhaseTimer, Err: err}
	}
	action, err := in.run(abi.PhaseTimer, callState{r: r, config: ctx.config, timer: &run}, false)
	m.release(r, in)
	switch {
	case err != nil:
		return &HookError{Path: m.path, Phase: abi.PhaseTimer, Err: err}
	case action != abi.ActionContinue:
		return &HookError{Path: m.path, Phase: abi.PhaseTimer, Err: fmt.Errorf("%s returned %d", abi.TimerExport, action)}
	}
	return nil
}
