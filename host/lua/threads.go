package lua

import (
	"slices"
	"sync"

	"github.com/moongate/moongate/errlog"
	"github.com/moongate/moongate/host"
	glua "github.com/yuin/gopher-lua"
)

// sched runs a request's light threads (ngx.thread.spawn) beside its entry
// coroutine. It exists only once a hook spawns a thread; until then the
// entry coroutine's waits run inline (see VM.resume). Waits then run on
// goroutines of their own, whose results come back through done; the
// scheduler resumes each coroutine, under the VM lock, when its wait ends.
type sched struct {
	mu      sync.Mutex
	done    []completion  // finished waits, not yet resumed
	wake    chan struct{} // signalled when done gains one
	threads map[*glua.LState]*lthread
	pending int // waits running on goroutines
}

// completion is a finished wait: the coroutine to resume, with values,
// or, when final, to end with them as its results.
type completion struct {
	co    *glua.LState
	vals  []glua.LValue
	final bool
}

// lthread is a light thread.
type lthread struct {
	co      *glua.LState
	parent  *glua.LState
	handle  *glua.LUserData
	done    bool
	ok      bool
	results []glua.LValue // its return values, or its error
	reaped  bool          // returned by ngx.thread.wait or killed
	waiters []waiter
}

// waiter is a coroutine in ngx.thread.wait, with the number of results its
// call site takes (see fitResults).
type waiter struct {
	co   *glua.LState
	nret int
}

// threadWaitSignal is yielded by ngx.thread.wait while none of the threads
// it waits for has finished.
var threadWaitSignal = &glua.LUserData{Metatable: glua.LNil}

func newSched() *sched {
	return &sched{wake: make(chan struct{}, 1), threads: make(map[*glua.LState]*lthread)}
}

// start runs op on a goroutine; co is resumed with its results, or ends
// with them when final.
func (sc *sched) start(co *glua.LState, op waitOp, final bool) {
	sc.pending++
	go func() {
		vals := op()
		sc.mu.Lock()
		sc.done = append(sc.done, completion{co, vals, final})
		sc.mu.Unlock()
		select {
		case sc.wake <- struct{}{}:
		default:
		}
	}()
}

// next waits for a finished wait; the VM must not be held.
func (sc *sched) next() completion {
	for {
		sc.mu.Lock()
		if len(sc.done) > 0 {
			c := sc.done[0]
			sc.done = sc.done[1:]
			sc.mu.Unlock()
			sc.pending--
			return c
		}
		sc.mu.Unlock()
		<-sc.wake
	}
}

// live reports whether a light thread is still running or waiting.
func (sc *sched) live() bool {
	for _, t := range sc.threads {
		if !t.done {
			return true
		}
	}
	return false
}

// canYield reports whether co may yield to wait: it is a coroutine the
// session schedules (the entry coroutine or a light thread) and is not
// inside pcall.
func (s *Session) canYield(co *glua.LState) bool {
	if s.pcalls[co] > 0 || goCaller(co) {
		return false
	}
	if co == s.entry {
		return true
	}
	if s.sched == nil {
		return false
	}
	_, ok := s.sched.threads[co]
	return ok
}

// enterPcall and leavePcall count co's pcall depth.
func (s *Session) enterPcall(co *glua.LState) {
	if s.pcalls == nil {
		s.pcalls = make(map[*glua.LState]int)
	}
	s.pcalls[co]++
}

func (s *Session) leavePcall(co *glua.LState) {
	if s.pcalls[co]--; s.pcalls[co] == 0 {
		delete(s.pcalls, co)
	}
}

// step resumes co (from the coroutine from, which gets it back when co
// stops) with args and acts on how co stops: it waits, it finished or it
// failed. The entry coroutine's end is recorded in s.entryDone and
// s.entryErr; a light thread's in its lthread.
func (s *Session) step(from, co *glua.LState, fn *glua.LFunction, args []glua.LValue) {
	vm := s.vm
	for {
		co.SetContext(vm.ctx)
		vm.running = co
		st, rerr, vals := from.Resume(co, fn, args...)
		vm.running = from
		switch {
		case st != glua.ResumeError && len(vals) == 1 && vals[0] == waitSignal:
			// A coroutine that waits in a tail call of its own function
			// (`return sock:receive()`) is unwound by gopher-lua as it
			// yields, which reports it finished: it ends with what it
			// waited for.
			op, final := s.op, st == glua.ResumeOK
			s.op = nil
			if s.sched != nil {
				s.sched.start(co, op, final)
				return
			}
			rem := s.release() // only the entry coroutine: wait inline
			args = op()
			s.reacquire(rem)
			if !final {
				continue
			}
			s.ended(co, glua.ResumeOK, nil, args)
		case st == glua.ResumeYield && len(vals) == 1 && vals[0] == threadWaitSignal:
			// resumed by the thread it waits for
		default:
			s.ended(co, st, rerr, vals)
		}
		return
	}
}

// ended records the end of co, which stopped with st.
func (s *Session) ended(co *glua.LState, st glua.ResumeState, rerr error, vals []glua.LValue) {
	vm := s.vm
	switch {
	case co == s.entry:
		s.entryDone = true
		if st == glua.ResumeOK {
			co.Dead = false
			co.RemoveContext()
			if len(vm.threads) < maxIdleThreads {
				vm.threads = append(vm.threads, co)
			}
		} else {
			s.entryErr = s.hookError(s.chunk, rerr)
		}
	default:
		s.threadEnded(co, st, rerr, vals)
	}
}

// threadEnded records a light thread's end and resumes a waiter. A thread
// that called ngx.exit ends the request's hook, as the entry would.
func (s *Session) threadEnded(co *glua.LState, st glua.ResumeState, rerr error, vals []glua.LValue) {
	t := s.sched.threads[co]
	t.done = true
	switch {
	case st != glua.ResumeError:
		t.ok, t.results = true, vals
	case isExit(rerr):
		s.entryDone = true
		return
	default:
		t.results = []glua.LValue{errorValue(rerr)}
		if len(t.waiters) == 0 {
			s.vm.e.opts.Log.Log(errlog.Error, "lua user thread aborted: "+errorValue(rerr).String())
		}
	}
	if len(t.waiters) > 0 && !t.reaped {
		w := t.waiters[0]
		t.reaped = true
		for _, other := range s.sched.threads { // w waits no more
			other.waiters = slices.DeleteFunc(other.waiters, func(o waiter) bool { return o.co == w.co })
		}
		s.step(s.vm.L, w.co, nil, fitResults(t.waitResults(), w.nret))
	}
}

// waitResults is what ngx.thread.wait returns for a finished thread.
func (t *lthread) waitResults() []glua.LValue {
	return append([]glua.LValue{glua.LBool(t.ok)}, t.results...)
}

// errorValue is the Lua value of a failed coroutine's error.
func errorValue(err error) glua.LValue {
	if aerr, ok := err.(*glua.ApiError); ok {
		return aerr.Object
	}
	return glua.LString(err.Error())
}

// threadTable builds ngx.thread.
func (vm *VM) threadTable() *glua.LTable {
	t := vm.L.NewTable()
	vm.set(t, "ngx.thread", map[string]hostFunc{
		"spawn": vm.spawn,
		"wait":  vm.threadWait,
		"kill":  vm.threadKill,
	})
	return t
}

// spawn is ngx.thread.spawn(func, ...): the new light thread runs until it
// first waits or ends, then spawn returns its handle.
func (vm *VM) spawn(L *glua.LState, _ *host.Request) int {
	fn := L.CheckFunction(1)
	args := make([]glua.LValue, 0, L.GetTop()-1)
	for i := 2; i <= L.GetTop(); i++ {
		args = append(args, L.Get(i))
	}
	s := vm.cur
	if s.sched == nil {
		s.sched = newSched()
	}
	co, _ := vm.L.NewThread()
	t := &lthread{co: co, parent: L, handle: vm.L.NewUserData()}
	t.handle.Value = t
	s.sched.threads[co] = t
	s.step(L, co, fn, args)
	L.Push(t.handle)
	return 1
}

// threadOf returns the light thread behind argument i.
func threadOf(L *glua.LState, i int) *lthread {
	ud, ok := L.Get(i).(*glua.LUserData)
	if t, isThread := ud.Value.(*lthread); ok && isThread {
		return t
	}
	L.ArgError(i, "not a thread")
	return nil
}

// threadWait is ngx.thread.wait(t1, t2, ...): the results of the first of
// them to finish, as true and its return values, or false and its error.
func (vm *VM) threadWait(L *glua.LState, _ *host.Request) int {
	s := vm.cur
	if L.GetTop() == 0 {
		L.RaiseError("at least one coroutine should be specified")
	}
	ts := make([]*lthread, L.GetTop())
	for i := range ts {
		t := threadOf(L, i+1)
		if t.parent != L {
			L.RaiseError("only the parent coroutine can wait on the thread")
		}
		if t.reaped {
			L.Push(glua.LNil)
			L.Push(glua.LString("already waited or killed"))
			return 2
		}
		ts[i] = t
	}
	for _, t := range ts {
		if t.done {
			t.reaped = true
			for _, v := range t.waitResults() {
				L.Push(v)
			}
			return len(t.results) + 1
		}
	}
	if !s.canYield(L) {
		L.RaiseError("ngx.thread.wait cannot wait here (inside pcall or a coroutine of the script's own)")
	}
	w := waiter{co: L, nret: wantedResults(L)}
	for _, t := range ts {
		t.waiters = append(t.waiters, w)
	}
	return L.Yield(threadWaitSignal)
}

// threadKill is ngx.thread.kill(t).
func (vm *VM) threadKill(L *glua.LState, _ *host.Request) int {
	t := threadOf(L, 1)
	switch {
	case t.parent != L:
		L.Push(glua.LNil)
		L.Push(glua.LString("not user thread's parent"))
		return 2
	case t.reaped:
		L.Push(glua.LNil)
		L.Push(glua.LString("already waited or killed"))
		return 2
	case t.done:
		L.Push(glua.LNil)
		L.Push(glua.LString("already terminated"))
		return 2
	}
	t.done, t.reaped = true, true
	L.Push(glua.LNumber(1))
	return 1
}
