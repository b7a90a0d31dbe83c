package lua

import (
	"time"

	"github.com/moongate/moongate/host"
	glua "github.com/yuin/gopher-lua"
)

// openSemaphore registers `require "ngx.semaphore"`: semaphore.new(n)
// returns a semaphore with post(n), wait(timeout) and count(), shared by
// whatever requests and timers of the VM hold it (lua-resty-core's
// ngx.semaphore).
func (vm *VM) openSemaphore(preload *glua.LTable) {
	L := vm.L
	methods := L.NewTable()
	for name, f := range map[string]hostFunc{
		"post": func(L *glua.LState, _ *host.Request) int {
			n := L.OptInt(2, 1)
			if n < 1 {
				L.ArgError(2, "n must be positive")
			}
			semaphoreOf(L).Post(n)
			L.Push(glua.LTrue)
			return 1
		},
		"count": func(L *glua.LState, _ *host.Request) int {
			L.Push(glua.LNumber(semaphoreOf(L).Count()))
			return 1
		},
	} {
		methods.RawSetString(name, vm.fn("ngx.semaphore", f))
	}
	methods.RawSetString("wait", vm.fn("ngx.semaphore.wait", func(L *glua.LState, _ *host.Request) int {
		sem := semaphoreOf(L)
		secs := float64(L.CheckNumber(2))
		if secs < 0 {
			L.ArgError(2, "timeout must not be negative")
		}
		if sem.TryWait() {
			L.Push(glua.LTrue)
			return 1
		}
		if secs == 0 {
			L.Push(glua.LNil)
			L.Push(glua.LString("timeout"))
			return 2
		}
		timeout := time.Duration(secs * float64(time.Second))
		ticket := sem.Queue()
		return vm.wait(L, func() []glua.LValue {
			if sem.Await(ticket, timeout) {
				return []glua.LValue{glua.LTrue}
			}
			return []glua.LValue{glua.LNil, glua.LString("timeout")}
		})
	}))
	mt := L.NewTable()
	mt.RawSetString("__index", methods)
	module := L.NewTable()
	module.RawSetString("new", vm.fn("ngx.semaphore", func(L *glua.LState, _ *host.Request) int {
		n := L.OptInt(1, 0)
		if n < 0 {
			L.ArgError(1, "n must not be negative")
		}
		ud := L.NewUserData()
		ud.Value = host.NewSemaphore(n)
		L.SetMetatable(ud, mt)
		L.Push(ud)
		return 1
	}))
	preload.RawSetString("ngx.semaphore", L.NewFunction(func(L *glua.LState) int { L.Push(module); return 1 }))
}

// semaphoreOf returns the semaphore a method was called on.
func semaphoreOf(L *glua.LState) *host.Semaphore {
	if ud, ok := L.Get(1).(*glua.LUserData); ok {
		if s, ok := ud.Value.(*host.Semaphore); ok {
			return s
		}
	}
	L.ArgError(1, "semaphore expected (call it as sema:method())")
	return nil
}
