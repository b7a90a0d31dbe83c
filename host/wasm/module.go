package wasm

import (
	"errors"
	"fmt"
	"sync"
	"sync/atomic"
	"time"

	"github.com/moongate/moongate/abi"
	"github.com/moongate/moongate/host"
	"github.com/moongate/moongate/shdict"
	"github.com/tetratelabs/wazero"
)

// The causes of a failed call, for errors.Is on a *HookError.
var (
	// ErrTrap: the guest trapped (unreachable, out-of-bounds access...).
	ErrTrap = errors.New("trap")
	// ErrDeadline: the call ran past Limits.Timeout.
	ErrDeadline = errors.New("deadline exceeded")
	// ErrOutOfMemory: the guest failed with its memory at Limits.Memory.
	ErrOutOfMemory = errors.New("out of memory")
	// ErrPoolTimeout: no instance came free within Limits.PoolWait.
	ErrPoolTimeout = errors.New("no free instance")
	// ErrExit: the guest exited (WASI proc_exit), as a Go guest does when
	// it panics.
	ErrExit = errors.New("exited")
	// ErrClosed: the module was closed.
	ErrClosed = errors.New("module closed")
)

var errRuntimeClosed = errors.New("wasm runtime closed")

// HookError is a guest call that failed: its instance was thrown away.
type HookError struct {
	// Path is the module's file.
	Path string
	// Phase is the phase of the call.
	Phase abi.Phase
	// Err is the cause; errors.Is tells ErrTrap, ErrDeadline... apart.
	Err error
}

// Error returns "<phase> hook: <path>: <cause>", as Lua hook errors read.
func (e *HookError) Error() string {
	return fmt.Sprintf("%s hook: %s: %v", e.Phase, e.Path, e.Err)
}

// Unwrap returns the cause.
func (e *HookError) Unwrap() error { return e.Err }

// Module is a loaded guest with its instance pool. Safe for concurrent
// use.
type Module struct {
	rt   *Runtime
	path string
	lim  Limits
	eng  *engine
	key  codeKey
	cm   wazero.CompiledModule
	// dicts are the shared dicts of init and init_worker calls (a
	// request's come with it).
	dicts []*shdict.Dict
	// onTimer: the guest exports on_timer, so it may arm timers.
	onTimer  bool
	timers   host.TimerSet // timer.go
	timerIDs atomic.Int32  // the last timer id given

	ids  chan int       // the ids of instances that may be created
	idle chan *instance // instances ready for a call

	mu       sync.Mutex
	held     map[*host.Request]*instance // instances in a call, by request
	alive    int
	closed   bool
	released bool // the compiled code was released
}

func newModule(rt *Runtime, path string, lim Limits, eng *engine, key codeKey, cm wazero.CompiledModule) *Module {
	m := &Module{
		rt: rt, path: path, lim: lim, eng: eng, key: key, cm: cm,
		ids:  make(chan int, lim.Pool),
		idle: make(chan *instance, lim.Pool),
		held: make(map[*host.Request]*instance),
	}
	for id := range lim.Pool {
		m.ids <- id
	}
	m.timers = host.TimerSet{MaxPending: lim.MaxPendingTimers, MaxRunning: lim.MaxRunningTimers, Log: rt.log, Name: path}
	return m
}

// Path returns the module's file path.
func (m *Module) Path() string { return m.path }

// prewarm creates Limits.Prewarm instances.
func (m *Module) prewarm() error {
	for range m.lim.Prewarm {
		in, err := m.create(<-m.ids)
		if err != nil {
			return err
		}
		m.idle <- in
	}
	return nil
}

// Init calls on_init once (if exported) on one instance, in the config's
// init phase, with config as plugin_config. A failed call, or a non-zero
// return, is an error.
func (m *Module) Init(config []byte) error {
	if _, ok := m.cm.ExportedFunctions()[abi.PhaseExports[abi.PhaseInit]]; !ok {
		return nil
	}
	r := host.NewContext(abi.PhaseInit, m.rt.log)
	r.Dicts = m.dicts
	action, err := m.call(r, abi.PhaseInit, config, nil)
	if err == nil && action != abi.ActionContinue {
		err = &HookError{Path: m.path, Phase: abi.PhaseInit, Err: fmt.Errorf("%s returned %d", abi.PhaseExports[abi.PhaseInit], action)}
	}
	return err
}

// Run calls the phase export for r on a pooled instance: the guest's host
// calls operate on r (phase checks via r.Check(abi.Contexts(api)), in r's
// phase); config is the hook's config as JSON, for plugin_config. It
// returns the guest's action. A trap, the time limit, the memory limit or
// a pool-wait timeout returns a *HookError naming the module path, the
// phase and the cause, and a failed instance is discarded, never reused.
//
// A call made while r already holds an instance of m runs on that
// instance, nested in the running call: the module's header_filter
// export, run because its content export called say, does not wait for a
// second instance.
func (m *Module) Run(r *host.Request, phase abi.Phase, config []byte) (action int32, err error) {
	return m.call(r, phase, config, nil)
}

// Filter calls on_body_filter with chunk/eof as ngx.arg (arg_get_chunk
// etc.) and returns the (possibly replaced) chunk and eof. A non-zero
// action is recorded as r.Exit(action), as ngx.exit would.
func (m *Module) Filter(r *host.Request, config []byte, chunk []byte, eof bool) ([]byte, bool, error) {
	arg := &filterArg{chunk: chunk, eof: eof}
	action, err := m.call(r, abi.PhaseBodyFilter, config, arg)
	if err != nil {
		return chunk, eof, err
	}
	if action != abi.ActionContinue {
		r.Exit(int(action))
	}
	return arg.chunk, arg.eof, nil
}

// call runs phase's export for r on an instance.
func (m *Module) call(r *host.Request, phase abi.Phase, config []byte, arg *filterArg) (int32, error) {
	in, nested, err := m.acquire(r)
	if err != nil {
		return 0, &HookError{Path: m.path, Phase: phase, Err: err}
	}
	action, err := in.run(phase, callState{r: r, config: config, arg: arg}, nested)
	if !nested {
		m.release(r, in)
	}
	var filterErr *HookError
	switch {
	case errors.As(err, &filterErr): // a filter hook failed under a host call: passed on as it is
		return 0, err
	case err != nil:
		return 0, &HookError{Path: m.path, Phase: phase, Err: err}
	}
	return action, nil
}

// acquire returns the instance r holds already (nested is true), or a
// free one, creating it if the pool has room, waiting up to
// Limits.PoolWait when it has none.
func (m *Module) acquire(r *host.Request) (in *instance, nested bool, err error) {
	m.mu.Lock()
	closed := m.closed
	in = m.held[r]
	m.mu.Unlock()
	switch {
	case closed:
		return nil, false, ErrClosed
	case in != nil:
		return in, true, nil
	}
	if in, err = m.take(); err != nil {
		return nil, false, err
	}
	m.mu.Lock()
	m.held[r] = in
	m.mu.Unlock()
	return in, false, nil
}

// take returns an idle instance, or a new one.
func (m *Module) take() (*instance, error) {
	select {
	case in := <-m.idle:
		return in, nil
	default:
	}
	select {
	case id := <-m.ids:
		return m.create(id)
	default:
	}
	wait := time.NewTimer(m.lim.PoolWait)
	defer wait.Stop()
	select {
	case in := <-m.idle:
		return in, nil
	case id := <-m.ids:
		return m.create(id)
	case <-wait.C:
		return nil, fmt.Errorf("%w after %v (pool of %d)", ErrPoolTimeout, m.lim.PoolWait, m.lim.Pool)
	}
}

// create instantiates instance id, giving the id back on failure.
func (m *Module) create(id int) (*instance, error) {
	in, err := newInstance(m, id)
	if err != nil {
		m.ids <- id
		return nil, err
	}
	m.mu.Lock()
	m.alive++
	m.mu.Unlock()
	return in, nil
}

// release ends r's hold on in: back to the idle instances, or closed
// when it failed or the module is closed.
func (m *Module) release(r *host.Request, in *instance) {
	m.mu.Lock()
	delete(m.held, r)
	keep := !in.failed && !m.closed
	if keep {
		m.idle <- in
	}
	m.mu.Unlock()
	if !keep {
		m.discard(in)
	}
}

// discard closes in and frees its id; the last instance of a closed
// module releases the compiled code.
func (m *Module) discard(in *instance) {
	in.close()
	m.mu.Lock()
	m.alive--
	last := m.lastOut()
	m.mu.Unlock()
	m.ids <- in.id
	if last {
		m.rt.release(m.key)
	}
}

// lastOut reports, once, that the module is closed with no instance
// left, so its compiled code may go. m.mu must be held.
func (m *Module) lastOut() bool {
	if m.closed && m.alive == 0 && !m.released {
		m.released = true
		return true
	}
	return false
}

// Close runs the module's pending timers with premature set and waits
// (up to 5s) for its running timer callbacks, then closes its instances
// (after requests are done: an instance still in a call is closed when
// the call ends) and releases its compiled code.
func (m *Module) Close() {
	m.mu.Lock()
	closed := m.closed
	m.mu.Unlock()
	if closed {
		return
	}
	m.timers.Close(timerDrain)
	m.mu.Lock()
	if m.closed {
		m.mu.Unlock()
		return
	}
	m.closed = true
	last := m.lastOut()
	m.mu.Unlock()
	if last {
		m.rt.release(m.key)
		return
	}
	for {
		select {
		case in := <-m.idle:
			m.discard(in)
		default:
			return
		}
	}
}
