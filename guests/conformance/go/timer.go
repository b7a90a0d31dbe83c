//go:build wasip1

package main

import (
	"time"

	"github.com/moongate/moongate/abi"
	moongate "github.com/moongate/moongate/sdk/go"
)

// The args of the timers content arms: the one due at once, whose
// handler runs the timer checks, and an every-timer due in an hour, which
// only runs, prematurely, when the gateway closes the module.
const (
	timerArgAt    = "conformance-at"
	timerArgEvery = "conformance-every"
)

func init() { moongate.OnTimer(onTimer) }

// checkTimers checks the timer_* functions in a request phase, arming the
// timers onTimer checks.
func checkTimers(c *checks) {
	id, err := moongate.TimerAt(0, timerArgAt)
	c.that("timer_at", id > 0, err, "id %d", id)
	_, err = moongate.TimerAt(-time.Second, "")
	c.failsWith("timer_at", err, moongate.ErrBadArgument, "delay must not be negative")
	every, err := moongate.TimerEvery(time.Hour, timerArgEvery)
	c.that("timer_every", every > 0 && every != id, err, "id %d after %d", every, id)
	_, err = moongate.TimerEvery(0, "")
	c.failsWith("timer_every", err, moongate.ErrBadArgument, "delay must be greater than 0")
	pending, err := moongate.TimerPendingCount()
	c.that("timer_pending_count", pending >= 1, err, "%d pending with an every-timer armed", pending)
	running, err := moongate.TimerRunningCount()
	c.that("timer_running_count", running >= 0, err, "%d running", running)
	_, err = moongate.TimerArg()
	c.failsWith("timer_arg", err, moongate.ErrNotFound, "not in a timer callback")
}

// onTimer runs the timer checks in the timer the content phase armed,
// logs their lines and then "conformance: PASS on_timer".
func onTimer(id int, premature bool, arg string) {
	if arg != timerArgAt {
		return // the every-timer, run when the module closes
	}
	var c checks
	c.that("timer_arg", !premature && id > 0, nil, "on_timer(%d, %v)", id, premature)
	c.equal("get_phase", moongate.Phase(), abi.PhaseTimer, nil)
	got, err := moongate.TimerArg()
	c.equal("timer_arg", got, timerArgAt, err)
	running, err := moongate.TimerRunningCount()
	c.that("timer_running_count", running >= 1, err, "%d running in a timer", running)
	c.ok("sleep", moongate.Sleep(time.Millisecond))
	if d, err := moongate.SharedDict(dictName); c.ok("shdict_open", err) {
		_, err = d.Set("on_timer", str("ran"), 0, 0)
		c.ok("shdict_set", err)
	}
	c.log()
	moongate.Log(moongate.NOTICE, "conformance: PASS on_timer")
}
