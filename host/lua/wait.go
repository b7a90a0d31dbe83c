package lua

import (
	"math"
	"reflect"
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
		nret := wantedResults(L)
		s.op = func() []glua.LValue { return fitResults(op(), nret) }
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

// frameNRet locates, in a gopher-lua LState, the number of results the
// caller of the running function takes: currentFrame.NRet.
// It is read by reflection because gopher-lua does not export it; a
// gopher-lua without it fails here, at start-up, not in a request.
var frameNRet = func() [2]int {
	frame, ok := reflect.TypeFor[glua.LState]().FieldByName("currentFrame")
	if !ok {
		panic("host/lua: gopher-lua's LState has no currentFrame: pin the gopher-lua version this binding was written for")
	}
	nret, ok := frame.Type.Elem().FieldByName("NRet")
	if !ok {
		panic("host/lua: gopher-lua's callFrame has no NRet: pin the gopher-lua version this binding was written for")
	}
	return [2]int{frame.Index[0], nret.Index[0]}
}()

// callFrame locates the fields of gopher-lua's callFrame that goCaller
// reads: Fn, Parent and Pc.
var callFrame = func() (f struct{ fn, parent, pc int }) {
	frame, _ := reflect.TypeFor[glua.LState]().FieldByName("currentFrame")
	for name, dst := range map[string]*int{"Fn": &f.fn, "Parent": &f.parent, "Pc": &f.pc} {
		field, ok := frame.Type.Elem().FieldByName(name)
		if !ok {
			panic("host/lua: gopher-lua's callFrame has no " + name + ": pin the gopher-lua version this binding was written for")
		}
		*dst = field.Index[0]
	}
	return f
}()

// callOps are gopher-lua's opcodes of a Lua-to-Lua call (CALL and
// TAILCALL), read from compiled probes since gopher-lua does not export
// them.
var callOps = func() [2]uint32 {
	var ops [2]uint32
	for i, src := range []string{"f()", "return f()"} {
		chunk, err := Compile("probe", src)
		if err != nil {
			panic(err)
		}
		ops[i] = chunk.proto.Code[1] >> 26 // GETGLOBAL f, then the call
	}
	return ops
}()

// goCaller reports whether the Go function running on L was reached
// through a call gopher-lua made from Go: a built-in that calls Lua back
// (string.gsub with a function, table.sort with a comparator, tostring
// with __tostring, require, pcall) or the interpreter calling a metamethod
// or a for-in iterator. Such a call runs a nested interpreter loop on the
// Go stack, which a yield cannot unwind, so a wait there must block.
func goCaller(L *glua.LState) bool {
	f := reflect.ValueOf(L).Elem().Field(frameNRet[0])
	for !f.IsNil() {
		parent := f.Elem().Field(callFrame.parent)
		if parent.IsNil() {
			return false // the coroutine's first frame: resumed, not called
		}
		// Values reached through unexported fields can be read, not
		// converted back with Interface: fn is read field by field.
		fn := parent.Elem().Field(callFrame.fn)
		if fn.IsNil() || fn.Elem().FieldByName("IsG").Bool() {
			return true
		}
		code := fn.Elem().FieldByName("Proto").Elem().FieldByName("Code")
		pc := int(parent.Elem().Field(callFrame.pc).Int())
		if pc < 1 || pc > code.Len() {
			return true
		}
		if op := uint32(code.Index(pc-1).Uint()) >> 26; op != callOps[0] && op != callOps[1] {
			return true // called by the interpreter from Go, not by a call instruction
		}
		f = parent
	}
	return false
}

// wantedResults returns how many results the Lua code that called the
// running Go function on L takes, or glua.MultRet for all of them.
func wantedResults(L *glua.LState) int {
	frame := reflect.ValueOf(L).Elem().Field(frameNRet[0])
	if frame.IsNil() {
		return glua.MultRet
	}
	return int(frame.Elem().Field(frameNRet[1]).Int())
}

// fitResults makes vals the n results a resumed call site takes. When a
// Go function yields, gopher-lua resumes its caller with the values given
// to Resume as they are, leaving the registers of missing ones unset
// (`local a, b = coroutine.yield()` resumed with one value crashes), so a
// wait pads them with nils.
func fitResults(vals []glua.LValue, n int) []glua.LValue {
	if n == glua.MultRet {
		return vals
	}
	for len(vals) < n {
		vals = append(vals, glua.LNil)
	}
	return vals[:n]
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
