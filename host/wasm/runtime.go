package wasm

import (
	"context"
	"crypto/sha256"
	"fmt"
	"io"
	"sync"
	"sync/atomic"

	"github.com/moongate/moongate/abi"
	"github.com/moongate/moongate/errlog"
	"github.com/tetratelabs/wazero"
	"github.com/tetratelabs/wazero/api"
	"github.com/tetratelabs/wazero/imports/wasi_snapshot_preview1"
)

// Options configure a Runtime.
type Options struct {
	// CacheDir is the directory of the on-disk compilation cache, created
	// if needed; "" keeps compiled code in memory only.
	CacheDir string
	// Log is where guest stdout and stderr lines, and the log host
	// function, write; nil discards them.
	Log *errlog.Logger
}

// Runtime compiles and instantiates guest modules. One per gateway;
// compiled modules are cached by content hash so reloading an unchanged
// module costs no compile. It is safe for concurrent use.
//
// wazero bounds linear memory per runtime, so a Runtime keeps one wazero
// runtime per distinct memory limit; they share one compilation cache.
type Runtime struct {
	log     *errlog.Logger
	cache   wazero.CompilationCache
	funcs   []*hostFunc          // the moongate host functions, in abi.Funcs order
	byName  map[string]*hostFunc // the same, by name
	exiting atomic.Bool

	mu       sync.Mutex
	closed   bool
	engines  map[uint32]*engine // by memory limit in pages
	compiled map[codeKey]*code

	compiles atomic.Int64 // compilations done, for tests
	watchdog *watchdog    // stops calls past their time limit
}

// engine is one wazero runtime: the memory limit, WASI and the moongate
// host module.
type engine struct {
	wr   wazero.Runtime
	wasi map[string]api.FunctionDefinition // WASI's functions, to check imports
}

// codeKey identifies compiled code: the module's content, compiled for
// one engine.
type codeKey struct {
	pages uint32
	sum   [sha256.Size]byte
}

// code is a compiled module shared by the Modules loaded from the same
// bytes; it is closed when the last of them is.
type code struct {
	cm   wazero.CompiledModule
	refs int
}

// NewRuntime returns a Runtime. With opts.CacheDir, compiled code persists
// in that directory across restarts.
func NewRuntime(opts Options) (*Runtime, error) {
	funcs, err := newHostFuncs()
	if err != nil {
		return nil, err
	}
	rt := &Runtime{
		log:      opts.Log,
		funcs:    funcs,
		byName:   make(map[string]*hostFunc, len(funcs)),
		engines:  make(map[uint32]*engine),
		compiled: make(map[codeKey]*code),
		watchdog: newWatchdog(),
	}
	for _, f := range funcs {
		rt.byName[f.def.Name] = f
	}
	if rt.log == nil {
		rt.log = errlog.New(io.Discard, errlog.Stderr)
	}
	if opts.CacheDir == "" {
		rt.cache = wazero.NewCompilationCache()
	} else if rt.cache, err = wazero.NewCompilationCacheWithDir(opts.CacheDir); err != nil {
		return nil, fmt.Errorf("wasm compilation cache: %w", err)
	}
	return rt, nil
}

// Close closes every module and instance of the runtime, and the
// compilation cache (the on-disk cache stays).
func (rt *Runtime) Close() error {
	rt.mu.Lock()
	defer rt.mu.Unlock()
	if rt.closed {
		return nil
	}
	rt.closed = true
	rt.watchdog.close()
	ctx := context.Background()
	var first error
	for _, e := range rt.engines {
		if err := e.wr.Close(ctx); err != nil && first == nil {
			first = err
		}
	}
	if err := rt.cache.Close(ctx); err != nil && first == nil {
		first = err
	}
	return first
}

// SetExiting sets what worker_exiting reports: true while the gateway
// shuts down.
func (rt *Runtime) SetExiting(v bool) { rt.exiting.Store(v) }

// engine returns the engine for a memory limit of pages, creating it on
// first use. rt.mu must be held.
func (rt *Runtime) engine(pages uint32) (*engine, error) {
	if e, ok := rt.engines[pages]; ok {
		return e, nil
	}
	ctx := context.Background()
	cfg := wazero.NewRuntimeConfigCompiler().
		WithCloseOnContextDone(true).
		WithMemoryLimitPages(pages).
		WithCompilationCache(rt.cache)
	wr := wazero.NewRuntimeWithConfig(ctx, cfg)
	_, err := wasi_snapshot_preview1.Instantiate(ctx, wr)
	if err == nil {
		err = rt.instantiateHost(ctx, wr)
	}
	if err != nil {
		wr.Close(ctx)
		return nil, fmt.Errorf("wasm runtime: %w", err)
	}
	e := &engine{wr: wr, wasi: wr.Module(wasi_snapshot_preview1.ModuleName).ExportedFunctionDefinitions()}
	rt.engines[pages] = e
	return e, nil
}

// instantiateHost builds the moongate host module in wr from rt.funcs.
func (rt *Runtime) instantiateHost(ctx context.Context, wr wazero.Runtime) error {
	b := wr.NewHostModuleBuilder(abi.Module)
	for _, f := range rt.funcs {
		b.NewFunctionBuilder().
			WithGoModuleFunction(f, f.sig.params, f.sig.results).
			Export(f.def.Name)
	}
	_, err := b.Instantiate(ctx)
	return err
}

// compile returns the engine for pages and the module compiled from bin
// for it, compiling only what the runtime does not hold already. The
// caller must release the code with release.
func (rt *Runtime) compile(bin []byte, pages uint32) (*engine, codeKey, wazero.CompiledModule, error) {
	key := codeKey{pages: pages, sum: sha256.Sum256(bin)}
	rt.mu.Lock()
	defer rt.mu.Unlock()
	if rt.closed {
		return nil, key, nil, errRuntimeClosed
	}
	e, err := rt.engine(pages)
	if err != nil {
		return nil, key, nil, err
	}
	if c, ok := rt.compiled[key]; ok {
		c.refs++
		return e, key, c.cm, nil
	}
	cm, err := e.wr.CompileModule(context.Background(), bin)
	if err != nil {
		return nil, key, nil, fmt.Errorf("compile: %w", err)
	}
	rt.compiles.Add(1)
	rt.compiled[key] = &code{cm: cm, refs: 1}
	return e, key, cm, nil
}

// release drops one reference to the code for key, closing it with the
// last.
func (rt *Runtime) release(key codeKey) {
	rt.mu.Lock()
	defer rt.mu.Unlock()
	c, ok := rt.compiled[key]
	if !ok {
		return
	}
	if c.refs--; c.refs == 0 {
		delete(rt.compiled, key)
		if !rt.closed {
			c.cm.Close(context.Background())
		}
	}
}

// valueTypes converts ABI value types to wazero's: both are the types'
// Wasm binary encodings.
func valueTypes(ts []abi.ValType) []api.ValueType {
	out := make([]api.ValueType, len(ts))
	for i, t := range ts {
		out[i] = api.ValueType(t)
	}
	return out
}
