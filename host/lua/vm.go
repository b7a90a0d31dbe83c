package lua

import (
	"context"
	"errors"
	"sync"
	"sync/atomic"

	"github.com/moongate/moongate/abi"
	glua "github.com/yuin/gopher-lua"
)

// VM is one Lua state with its loaded hooks: moongate's worker. Only the
// request holding mu runs Lua on it.
type VM struct {
	e     *Engine
	id    int
	L     *glua.LState
	hooks []*glua.LFunction
	args  [][]glua.LValue // per hook: the arguments it is called with (a plugin's config)

	mu          sync.Mutex
	busy        atomic.Bool  // mu is held
	cur         *Session     // the session holding mu
	running     *glua.LState // the thread that last called into the host
	arg         *glua.LTable // ngx.arg of the running body_filter
	threads     []*glua.LState
	scratch     []byte // ngx.print's buffer
	headersMeta *glua.LTable
	lowerNames  map[string]glua.LValue // see lowerName
	clock       hookClock              // the time ngx.now and friends report (ngxtime.go)

	ctx      context.Context
	cancel   atomic.Pointer[context.CancelFunc]
	deadline atomic.Int64 // unix nanoseconds; 0 while no Lua runs
	expired  atomic.Bool
}

// vmOptions keep a coroutine small: a few KiB that grow on demand, instead
// of gopher-lua's default fixed stacks.
var vmOptions = glua.Options{
	CallStackSize:       200,
	RegistrySize:        256,
	RegistryMaxSize:     256 * 1024,
	RegistryGrowStep:    256,
	SkipOpenLibs:        true,
	MinimizeStackMemory: true,
}

func newVM(e *Engine, id int) (*VM, error) {
	vm := &VM{e: e, id: id, L: glua.NewState(vmOptions)}
	ctx, cancel := context.WithCancel(context.Background())
	vm.ctx = ctx
	vm.cancel.Store(&cancel)
	if err := vm.openSandbox(); err != nil {
		vm.L.Close()
		return nil, err
	}
	vm.openNgx()
	vm.hooks = make([]*glua.LFunction, len(e.chunks))
	vm.args = make([][]glua.LValue, len(e.chunks))
	for i, c := range e.chunks {
		vm.hooks[i] = vm.L.NewFunctionFromProto(c.proto)
	}
	return vm, nil
}

// exitSignal is raised by ngx.exit to unwind the running hook; our pcall
// and xpcall let it through, as OpenResty's ngx.exit is not catchable.
var exitSignal = &glua.LUserData{Metatable: glua.LNil}

func isExit(err error) bool {
	var aerr *glua.ApiError
	return errors.As(err, &aerr) && aerr.Object == exitSignal
}

// maxIdleThreads bounds the coroutines a VM keeps for reuse: a burst of
// waiting requests needs one each, and should not pin them all after.
const maxIdleThreads = 256

// thread returns a coroutine from the VM's pool.
func (vm *VM) thread() *glua.LState {
	if n := len(vm.threads); n > 0 {
		th := vm.threads[n-1]
		vm.threads = vm.threads[:n-1]
		return th
	}
	th, _ := vm.L.NewThread()
	return th
}

// resume runs fn (of chunk) with args on a pooled coroutine, then, if it
// spawned light threads, schedules them and it until the entry coroutine
// and every thread are done (or one called ngx.exit). Waits run with the
// VM released (see wait). A coroutine that finished cleanly goes back to the
// pool; one that failed or exited, whose stack may not be clean, is
// dropped.
func (vm *VM) resume(s *Session, chunk string, fn *glua.LFunction, args []glua.LValue) error {
	s.entry, s.chunk, s.entryDone, s.entryErr = vm.thread(), chunk, false, nil
	defer func() { s.entry, s.sched = nil, nil }()
	s.step(vm.L, s.entry, fn, args)
	for sc := s.sched; sc != nil && s.entryErr == nil && !s.exitCalled() && (!s.entryDone || sc.live()); {
		if sc.pending == 0 {
			if !s.entryDone {
				s.entryErr = s.hookError(chunk, errDeadlock)
			}
			break
		}
		rem := s.release()
		c := sc.next()
		s.reacquire(rem)
		if t := sc.threads[c.co]; t != nil && t.done { // killed while it waited
			continue
		}
		if c.final {
			s.ended(c.co, glua.ResumeOK, nil, c.vals)
		} else {
			s.step(vm.L, c.co, nil, c.vals)
		}
	}
	return s.entryErr
}

// errDeadlock ends a hook whose coroutines all wait on each other.
var errDeadlock = errors.New("light threads wait on each other: nothing left to run")

// exitCalled reports whether the request called ngx.exit.
func (s *Session) exitCalled() bool {
	_, exited := s.r.Exited()
	return exited
}

// runContext runs chunk in a context outside any request (init,
// init_worker).
func (vm *VM) runContext(phase abi.Phase, chunk *Chunk) error {
	return vm.runFunction(phase, chunk.Name, vm.L.NewFunctionFromProto(chunk.proto))
}

// startClock gives the VM a live context and starts the CPU deadline. It
// reads the watchdog's coarse clock, not the system clock: the limit is
// enforced to within one watchdog tick either way.
func (vm *VM) startClock() {
	vm.ensureCtx()
	vm.expired.Store(false)
	vm.deadline.Store(vm.e.clock.Load() + int64(vm.e.opts.CPULimit))
}

func (vm *VM) stopClock() { vm.deadline.Store(0) }

// checkDeadline cancels the VM's context when its running hook is past the
// CPU limit; gopher-lua then raises an error in the running code.
func (vm *VM) checkDeadline(now int64) {
	if d := vm.deadline.Load(); d != 0 && now > d {
		vm.expired.Store(true)
		if c := vm.cancel.Load(); c != nil {
			(*c)()
		}
	}
}

func (vm *VM) timedOut() bool { return vm.expired.Load() }
