package lua

import (
	"context"
	"errors"
	"fmt"
	"runtime"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/moongate/moongate/abi"
	"github.com/moongate/moongate/errlog"
	"github.com/moongate/moongate/host"
	"github.com/moongate/moongate/host/regex"
	"github.com/moongate/moongate/shdict"
	glua "github.com/yuin/gopher-lua"
)

// DefaultCPULimit is the Lua running time a hook call may use when the
// config sets none.
const DefaultCPULimit = time.Second

// Options configure an Engine.
type Options struct {
	// PackagePath is require's search path: ";"-separated templates with "?".
	PackagePath string
	// CPULimit bounds the time one hook call spends running Lua (waiting
	// does not count). 0 means DefaultCPULimit.
	CPULimit time.Duration
	// VMs is the number of VMs; 0 means two per CPU.
	VMs int
	// Log is the error log.
	Log *errlog.Logger
	// Hostname is $hostname.
	Hostname string
	// Prefix is ngx.config.prefix(): the config file's directory.
	Prefix string
	// MaxPendingTimers and MaxRunningTimers bound ngx.timer timers; 0
	// means host.DefaultMaxPendingTimers and host.DefaultMaxRunningTimers.
	MaxPendingTimers, MaxRunningTimers int
	// Dicts are the shared dictionaries, by name: ngx.shared.NAME. They
	// outlive the engine; every VM sees the same ones.
	Dicts map[string]*shdict.Dict
	// Sockets is the cosocket connection pool (setkeepalive), shared by
	// the engines of a gateway across reloads; nil pools nothing.
	Sockets *host.ConnPool
	// Socket holds the cosocket defaults.
	Socket host.SocketOptions
	// Regex is the engine's compiled-pattern cache for ngx.re, used when
	// no request carries one (timers, init_worker); nil compiles every time.
	Regex *regex.Cache
	// Plugins are the named Lua plugins; PluginHook gives their hooks.
	Plugins []Plugin
}

// Engine runs the Lua hooks of one config snapshot on a fixed set of VMs.
// It is safe for concurrent use.
type Engine struct {
	opts   Options
	chunks []*Chunk
	// hookNames names every hook for errors: the chunks', then the
	// plugins' (numbered on the first VM, see numberPluginHooks).
	hookNames   []string
	pluginHooks map[pluginHook]Hook
	pluginConfs [][][]byte // per plugin, per use: the checked config as JSON
	vms         []*VM
	next        atomic.Uint32
	exiting     atomic.Bool
	timers      host.TimerSet
	clock       atomic.Int64 // unix nanoseconds, advanced by the watchdog each tick
	stop        chan struct{}
	done        sync.WaitGroup
}

// Hook identifies a compiled chunk inside an Engine.
type Hook int

// NewEngine creates the VMs, loads the chunks into each and runs init, then
// init_worker, in each VM (a VM is a worker; each worker inherits what init
// did, as nginx workers inherit it from the master). It returns an error
// naming the chunk if init or init_worker fails.
func NewEngine(opts Options, chunks []*Chunk, init, initWorker *Chunk) (*Engine, error) {
	if opts.CPULimit <= 0 {
		opts.CPULimit = DefaultCPULimit
	}
	if opts.VMs <= 0 {
		opts.VMs = 2 * runtime.GOMAXPROCS(0)
	}
	e := &Engine{opts: opts, chunks: chunks, stop: make(chan struct{})}
	e.timers.MaxPending, e.timers.MaxRunning, e.timers.Log = opts.MaxPendingTimers, opts.MaxRunningTimers, opts.Log
	for _, c := range chunks {
		e.hookNames = append(e.hookNames, c.Name)
	}
	e.clock.Store(time.Now().UnixNano())
	for i := 0; i < opts.VMs; i++ {
		vm, err := newVM(e, i)
		if err != nil {
			e.closeVMs()
			return nil, err
		}
		e.vms = append(e.vms, vm)
		if err := vm.start(init, initWorker); err != nil {
			e.closeVMs()
			return nil, err
		}
	}
	e.done.Add(1)
	go e.watchdog()
	return e, nil
}

// start runs init, loads the plugins, then runs init_worker on vm.
func (vm *VM) start(init, initWorker *Chunk) error {
	if init != nil {
		if err := vm.runContext(abi.PhaseInit, init); err != nil {
			return err
		}
	}
	if len(vm.e.opts.Plugins) > 0 {
		if err := vm.loadPlugins(); err != nil {
			return err
		}
	}
	if initWorker != nil {
		return vm.runContext(abi.PhaseInitWorker, initWorker)
	}
	return nil
}

// Close retires the engine: ngx.worker.exiting() turns true, pending
// timers fire with premature = true, and once the running callbacks end
// (up to a bound) the VMs are closed. Requests must have ended.
func (e *Engine) Close() {
	e.exiting.Store(true)
	ended := e.timers.Close(timerDrain)
	close(e.stop)
	e.done.Wait()
	if ended { // else a callback may still run Lua: leave the VMs to it
		e.closeVMs()
	}
}

func (e *Engine) closeVMs() {
	for _, vm := range e.vms {
		vm.L.Close()
	}
}

// watchdog stops a VM whose running hook is past its CPU deadline.
func (e *Engine) watchdog() {
	defer e.done.Done()
	tick := time.NewTicker(max(e.opts.CPULimit/20, time.Millisecond))
	defer tick.Stop()
	for {
		select {
		case <-e.stop:
			return
		case now := <-tick.C:
			e.clock.Store(now.UnixNano())
			for _, vm := range e.vms {
				vm.checkDeadline(now.UnixNano())
			}
		}
	}
}

// Session binds a request to one VM for the request's life.
type Session struct {
	vm      *VM
	r       *host.Request
	ctx     *glua.LTable // ngx.ctx, created on first use
	arg     *glua.LTable // ngx.arg in body_filter
	locked  bool
	entry   *glua.LState         // the coroutine running the request's hook
	chunk   string               // the chunk entry runs, for errors
	op      waitOp               // the operation a coroutine yielded to wait for
	pcalls  map[*glua.LState]int // pcall/xpcall depth per coroutine, when not 0
	sched   *sched               // light threads, once the hook spawns one
	sockets *socketSet           // the cosockets the request connected

	entryDone bool  // the entry coroutine finished
	entryErr  error // and failed
}

var sessionPool = sync.Pool{New: func() any { return new(Session) }}

// Begin binds r to a VM, preferring one that no request is running Lua
// on, so that a slow or runaway hook holds up as few requests as possible.
// The caller must call End.
func (e *Engine) Begin(r *host.Request) *Session {
	s := sessionPool.Get().(*Session)
	n := uint32(len(e.vms))
	start := e.next.Add(1)
	s.vm = e.vms[start%n]
	for i := uint32(0); i < n; i++ {
		if vm := e.vms[(start+i)%n]; !vm.busy.Load() {
			s.vm = vm
			break
		}
	}
	s.r = r
	return s
}

// ResetCtx drops the request's ngx.ctx, as nginx's internal redirects
// (ngx.req.set_uri with jump) do.
func (s *Session) ResetCtx() { s.ctx = nil }

// End releases the session.
func (s *Session) End() {
	s.closeSockets()
	*s = Session{}
	sessionPool.Put(s)
}

// ErrCPULimit is the cause of a hook stopped by the CPU limit.
var ErrCPULimit = errors.New("CPU time limit exceeded")

// HookError is a hook that failed: a Lua error, or the CPU limit.
type HookError struct {
	Chunk string
	Phase abi.Phase
	Err   error
}

// Error returns "<phase> hook: <chunk>:<line>: <reason>" (a Lua error
// names its chunk and line itself) without the Lua traceback.
func (e *HookError) Error() string {
	var aerr *glua.ApiError
	if errors.As(e.Err, &aerr) {
		if msg, ok := aerr.Object.(glua.LString); ok && strings.HasPrefix(string(msg), e.Chunk) {
			return fmt.Sprintf("%s hook: %s", e.Phase, msg)
		}
		return fmt.Sprintf("%s hook: %s: %s", e.Phase, e.Chunk, aerr.Object.String())
	}
	return fmt.Sprintf("%s hook: %s: %v", e.Phase, e.Chunk, e.Err)
}

// Unwrap returns the cause.
func (e *HookError) Unwrap() error { return e.Err }

// Run runs hook h in the request's current phase, as a coroutine. It
// returns nil when the hook returns or calls ngx.exit (r.Exited tells);
// a *HookError when it fails.
func (s *Session) Run(h Hook) error {
	if s.locked {
		return s.call(h, nil)
	}
	s.lock()
	defer s.unlock()
	return s.vm.resume(s, s.vm.e.hookNames[h], s.vm.hooks[h], s.vm.args[h])
}

// lock takes the VM for this request and starts the CPU clock.
func (s *Session) lock() {
	s.vm.mu.Lock()
	s.vm.busy.Store(true)
	s.locked = true
	s.vm.cur = s
	s.vm.startClock()
	s.vm.clock.reset()
}

func (s *Session) unlock() {
	s.vm.stopClock()
	s.vm.cur = nil
	s.locked = false
	s.vm.busy.Store(false)
	s.vm.mu.Unlock()
}

// Filter runs a header_filter or body_filter hook, which cannot wait, as a
// plain call. For body_filter, ngx.arg[1] and ngx.arg[2] carry chunk and
// eof in and out.
func (s *Session) Filter(h Hook, chunk []byte, eof bool) ([]byte, bool, error) {
	if !s.locked {
		s.lock()
		defer s.unlock()
	}
	var arg *glua.LTable
	if s.r.Phase() == abi.PhaseBodyFilter {
		if s.arg == nil {
			s.arg = s.vm.L.CreateTable(2, 0)
		}
		arg = s.arg
		arg.RawSetInt(1, glua.LString(chunk))
		arg.RawSetInt(2, glua.LBool(eof))
	}
	if err := s.call(h, arg); err != nil {
		return chunk, eof, err
	}
	if arg != nil {
		switch v := arg.RawGetInt(1).(type) {
		case glua.LString:
			chunk = []byte(v)
		case *glua.LNilType:
			chunk = nil
		}
		eof = glua.LVAsBool(arg.RawGetInt(2))
	}
	return chunk, eof, nil
}

// call runs hook h as a plain (protected) call on the running thread.
func (s *Session) call(h Hook, arg *glua.LTable) error {
	vm := s.vm
	L := vm.running
	if L == nil {
		L = vm.L
	}
	saved := vm.arg
	vm.arg = arg
	L.Push(vm.hooks[h])
	for _, a := range vm.args[h] {
		L.Push(a)
	}
	err := L.PCall(len(vm.args[h]), 0, nil)
	vm.arg = saved
	return s.hookError(s.vm.e.hookNames[h], err)
}

// hookError turns a failed call of chunk into a *HookError, or nil when
// the hook left through ngx.exit.
func (s *Session) hookError(chunk string, err error) error {
	if err == nil {
		return nil
	}
	if isExit(err) {
		return nil
	}
	if s.vm.timedOut() {
		err = fmt.Errorf("%w (%v)", ErrCPULimit, s.vm.e.opts.CPULimit)
	}
	return &HookError{Chunk: chunk, Phase: s.r.Phase(), Err: err}
}

// ensureCtx gives the VM a live context after a CPU-limit cancellation.
func (vm *VM) ensureCtx() {
	if vm.ctx.Err() != nil {
		ctx, cancel := context.WithCancel(context.Background())
		vm.ctx = ctx
		vm.cancel.Store(&cancel)
	}
}
