package moongate

// TimerHandler runs a timer armed by TimerAt or TimerEvery: id is the
// timer's (as TimerAt returned it), premature is true when the gateway is
// reloading its config or shutting down before the timer was due, and arg
// is the argument the timer was armed with. It runs in the timer phase
// (ngx.get_phase() == "timer"), outside any request: Sleep, Connect and
// shared dicts work there, the request and response functions do not.
type TimerHandler func(id int, premature bool, arg string)

// timerHandler is the handler OnTimer registered.
var timerHandler TimerHandler

// OnTimer registers the handler of every timer of the plugin (the guest
// export on_timer), replacing any before it. A timer that fires with no
// handler registered does nothing.
func OnTimer(h TimerHandler) { timerHandler = h }
