package lua

import (
	"math"
	"time"

	"github.com/moongate/moongate/host"
	glua "github.com/yuin/gopher-lua"
)

// waitSignal is what a coroutine yields when a host call of its makes it
// wait: the session runs the pending operation without the VM, then
// resumes the coroutine with the operation's results.
var waitSignal = &glua.LUserData{Metatable: glua.LNil}

// waitOp is a waiting operation (a sleep, a socket read...). It runs
// without the VM, so other requests' Lua runs meanwhile, and returns the
// values the waiting Lua call returns.
type waitOp func() []glua.LValue

// wait makes the Lua code running on L wait for op (DESIGN §4). The
// request's own coroutine yields to its session, which runs op with the
// VM released and resumes it. Where it cannot yield — under pcall, whose
// coroutine gopher-lua cannot resume, or in a coroutine the script made
// itself — the call blocks its goroutine instead, still with the VM
// released.
func (vm *VM) wait(L *glua.LState, op waitOp) int {
	s := vm.cur
	if s.canYield(L) {
		s.op = op
		return L.Yield(waitSignal)
	}
	rem := s.release()
	vals := op()
	s.reacquire(rem)
	L.G.CurrentThread = L
	L.SetContext(vm.ctx)
	vm.running = L
	for _, v := range vals {
		L.Push(v)
	}
	return len(vals)
}

// release lets other requests run Lua on the VM while this one waits; it
// returns what is left of the hook call's CPU budget.
func (s *Session) release() int64 {
	rem := s.vm.deadline.Load() - s.vm.e.clock.Load()
	s.unlock()
	return rem
}

// reacquire takes the VM back after a wait, with the CPU budget rem.
func (s *Session) reacquire(rem int64) {
	s.lock()
	s.vm.deadline.Store(s.vm.e.clock.Load() + rem)
}

// sleep is ngx.sleep(seconds): the request waits without holding its VM.
func (vm *VM) sleep(L *glua.LState, _ *host.Request) int {
	secs := float64(L.CheckNumber(1))
	if secs < 0 || math.IsNaN(secs) {
		L.RaiseError("invalid sleep duration \"%v\"", L.Get(1))
	}
	d := time.Duration(secs * float64(time.Second))
	return vm.wait(L, func() []glua.LValue {
		time.Sleep(d)
		return nil
	})
}
