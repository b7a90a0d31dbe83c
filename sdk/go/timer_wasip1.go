//go:build wasip1

package moongate

import (
	"time"

	"github.com/moongate/moongate/abi"
)

// TimerAt arms a timer that runs the OnTimer handler once, delay from now,
// with arg (ngx.timer.at), and returns its id. A delay of 0 runs it as
// soon as the gateway can. It fails with ErrFailed "too many pending
// timers" past the plugin's pending limit (lua.max_pending_timers) and
// "process exiting" while the plugin is being closed; ErrBadArgument for
// a negative delay. Allowed in every phase but init.
func TimerAt(delay time.Duration, arg string) (int, error) {
	return intResult(hostTimerAt(delay.Seconds(), strPtr(arg), size(arg)))
}

// TimerEvery arms a timer that runs the OnTimer handler every delay, with
// arg (ngx.timer.every), until the plugin is closed, when it runs once
// more with premature set; it returns the timer's id, the same at every
// run. The delay must be positive (ErrBadArgument); the errors are
// TimerAt's.
func TimerEvery(delay time.Duration, arg string) (int, error) {
	return intResult(hostTimerEvery(delay.Seconds(), strPtr(arg), size(arg)))
}

// TimerRunningCount returns how many of the plugin's timer handlers are
// running (ngx.timer.running_count).
func TimerRunningCount() (int, error) { return intResult(hostTimerRunningCount()) }

// TimerPendingCount returns how many of the plugin's timers are waiting
// to run (ngx.timer.pending_count).
func TimerPendingCount() (int, error) { return intResult(hostTimerPendingCount()) }

//go:wasmexport on_timer
func onTimerExport(id, premature int32) int32 {
	if timerHandler == nil {
		return abi.ActionContinue
	}
	arg, err := TimerArg()
	if err != nil {
		panic("moongate: timer_arg: " + err.Error())
	}
	timerHandler(int(id), premature != 0, arg)
	return abi.ActionContinue
}

// TimerArg returns the arg of the running timer, the one its handler
// gets; ErrNotFound outside a timer handler. Any phase.
func TimerArg() (string, error) {
	return fetchString(func(b []byte) int32 { return hostTimerArg(bytesPtr(b), size(b)) })
}
