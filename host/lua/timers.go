package lua

import (
	"strings"
	"time"

	"github.com/moongate/moongate/abi"
	"github.com/moongate/moongate/errlog"
	"github.com/moongate/moongate/host"
	glua "github.com/yuin/gopher-lua"
)

// timerDrain bounds how long Close waits for running timer callbacks.
const timerDrain = 5 * time.Second

// timerTable builds ngx.timer.
func (vm *VM) timerTable() *glua.LTable {
	t := vm.L.NewTable()
	vm.set(t, "ngx.timer", map[string]hostFunc{
		"at":    func(L *glua.LState, _ *host.Request) int { return vm.newTimer(L, false) },
		"every": func(L *glua.LState, _ *host.Request) int { return vm.newTimer(L, true) },
		"running_count": func(L *glua.LState, _ *host.Request) int {
			L.Push(glua.LNumber(vm.e.timers.Running()))
			return 1
		},
		"pending_count": func(L *glua.LState, _ *host.Request) int {
			L.Push(glua.LNumber(vm.e.timers.Pending()))
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
	fn := L.CheckFunction(2)
	source := strings.TrimSuffix(L.Where(1), ":")
	var args []glua.LValue
	for i := 3; i <= L.GetTop(); i++ {
		args = append(args, L.Get(i))
	}
	t := &host.Timer{
		Delay: time.Duration(secs * float64(time.Second)),
		Every: every,
		Run:   func(premature bool) { vm.runTimer(source, fn, args, premature) },
	}
	if err := vm.e.timers.Add(t); err != nil {
		L.Push(glua.LNil)
		L.Push(glua.LString(err.Error()))
		return 2
	}
	L.Push(glua.LTrue)
	return 1
}

// runTimer runs a timer's callback fn (created at source) on vm in the
// timer context: fn(premature, args...).
func (vm *VM) runTimer(source string, fn *glua.LFunction, args []glua.LValue, premature bool) {
	e := vm.e
	s := &Session{vm: vm, r: host.NewContext(abi.PhaseTimer, e.opts.Log)}
	s.lock()
	call := append([]glua.LValue{glua.LBool(premature)}, args...)
	err := vm.resume(s, source, fn, call)
	s.unlock()
	s.closeSockets()
	if err != nil {
		e.opts.Log.Log(errlog.Error, oneLine(err.Error()))
	}
}

// oneLine drops what follows the first line (a Lua traceback).
func oneLine(s string) string {
	if i := strings.IndexByte(s, '\n'); i >= 0 {
		return s[:i]
	}
	return s
}
