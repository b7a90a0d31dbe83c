package wasm

import (
	"bytes"
	"fmt"
	"os"
	"runtime"
	"slices"
	"strings"
	"time"

	"github.com/moongate/moongate/abi"
	"github.com/moongate/moongate/host"
	"github.com/moongate/moongate/shdict"
	"github.com/tetratelabs/wazero"
	"github.com/tetratelabs/wazero/api"
	"github.com/tetratelabs/wazero/imports/wasi_snapshot_preview1"
)

// Limits bound one module's instances. Zero fields take the documented
// defaults.
type Limits struct {
	// Memory is the bytes of linear memory per instance, rounded up to
	// 64 KiB pages; default 64 MiB, at most 4 GiB.
	Memory int64
	// Timeout is the wall time one export call may run, not counting
	// the time it waits in sleep or on a socket; default 1s. An
	// instance's start (_initialize, the ABI version check,
	// on_init_worker) may take up to the larger of Timeout and 5s, so that
	// a tight limit on hooks does not starve a slow-starting guest.
	Timeout time.Duration
	// Pool is the most instances alive at once; default 2*GOMAXPROCS (at
	// least 4).
	Pool int
	// Prewarm is the number of instances created at load; default 1, at
	// most Pool.
	Prewarm int
	// PoolWait is how long a call waits for a free instance when all are
	// busy; default 5s, then the call fails.
	PoolWait time.Duration
	// MaxPendingTimers is the most timers (timer_at, timer_every) the
	// module may have waiting, as lua.max_pending_timers; default
	// host.DefaultMaxPendingTimers.
	MaxPendingTimers int
	// MaxRunningTimers is the most on_timer calls the module may run at
	// once, as lua.max_running_timers: a timer due past it is dropped with
	// an alert in the log; default host.DefaultMaxRunningTimers.
	MaxRunningTimers int
}

const (
	pageSize        = 1 << 16
	maxPages        = 1 << 16 // 4 GiB: Wasm 32-bit memory
	defaultMemory   = 64 << 20
	defaultTimeout  = time.Second
	defaultPrewarm  = 1
	defaultPoolWait = 5 * time.Second
	minStartTimeout = 5 * time.Second
	minDefaultPool  = 4
)

// withDefaults returns l with its zero fields set to the defaults, or an
// error for a negative or too large value.
func (l Limits) withDefaults() (Limits, error) {
	if l.Memory < 0 || l.Timeout < 0 || l.Pool < 0 || l.Prewarm < 0 || l.PoolWait < 0 || l.MaxPendingTimers < 0 || l.MaxRunningTimers < 0 {
		return l, fmt.Errorf("limits: negative value in %+v", l)
	}
	if l.Memory > maxPages*pageSize {
		return l, fmt.Errorf("limits: memory %d bytes is over 4 GiB", l.Memory)
	}
	if l.Memory == 0 {
		l.Memory = defaultMemory
	}
	if l.Timeout == 0 {
		l.Timeout = defaultTimeout
	}
	if l.Pool == 0 {
		l.Pool = max(2*runtime.GOMAXPROCS(0), minDefaultPool)
	}
	if l.Prewarm == 0 {
		l.Prewarm = defaultPrewarm
	}
	l.Prewarm = min(l.Prewarm, l.Pool)
	if l.PoolWait == 0 {
		l.PoolWait = defaultPoolWait
	}
	if l.MaxPendingTimers == 0 {
		l.MaxPendingTimers = host.DefaultMaxPendingTimers
	}
	if l.MaxRunningTimers == 0 {
		l.MaxRunningTimers = host.DefaultMaxRunningTimers
	}
	return l, nil
}

// startTimeout is the time limit of each step of an instance's start.
func (l Limits) startTimeout() time.Duration { return max(l.Timeout, minStartTimeout) }

// pages returns the memory limit in Wasm pages.
func (l Limits) pages() uint32 { return uint32((l.Memory + pageSize - 1) / pageSize) }

// wasmHeader starts every core Wasm module: the magic "\0asm" and the
// binary format version 1.
var wasmHeader = []byte{0, 'a', 's', 'm', 1, 0, 0, 0}

// Load reads the module at path, compiles it (or takes it from the
// cache), checks it — magic/format, every import is a known moongate
// function (abi.Funcs) with the right signature or WASI, the ABI version
// export, memory export, and the phase exports named by phases have the
// signature () -> (i32) — and pre-warms its pool (running _initialize,
// then on_init_worker if exported, on each new instance; either failing,
// or returning non-zero, fails the load). Errors name the file and the
// problem, such as "guests/x.wasm: guest export on_access should be
// () -> (i32)"; an on_timer export must be (i32, i32) -> (i32). dicts are the shared dicts init and init_worker see
// (shdict_open); a request's come with it (host.Request.Dicts).
func (rt *Runtime) Load(path string, lim Limits, phases []abi.Phase, dicts []*shdict.Dict) (*Module, error) {
	lim, err := lim.withDefaults()
	if err != nil {
		return nil, fmt.Errorf("%s: %w", path, err)
	}
	bin, err := os.ReadFile(path)
	if err != nil {
		return nil, err
	}
	if err := checkHeader(bin); err != nil {
		return nil, fmt.Errorf("%s: %w", path, err)
	}
	eng, key, cm, err := rt.compile(bin, lim.pages())
	if err != nil {
		return nil, fmt.Errorf("%s: %w", path, err)
	}
	if err := rt.check(cm, eng, phases); err != nil {
		rt.release(key)
		return nil, fmt.Errorf("%s: %w", path, err)
	}
	m := newModule(rt, path, lim, eng, key, cm)
	m.dicts = dicts
	_, m.onTimer = cm.ExportedFunctions()[abi.TimerExport]
	if err := m.prewarm(); err != nil {
		m.Close()
		return nil, fmt.Errorf("%s: %w", path, err)
	}
	return m, nil
}

// checkHeader refuses what is not a core Wasm module of binary version 1.
func checkHeader(bin []byte) error {
	if len(bin) < len(wasmHeader) || !bytes.Equal(bin[:4], wasmHeader[:4]) {
		return fmt.Errorf("is not a WebAssembly module")
	}
	if !bytes.Equal(bin[4:8], wasmHeader[4:]) {
		return fmt.Errorf("is not a WebAssembly core module of binary version 1 (a component?)")
	}
	return nil
}

// signature is a function type, written "(i32, i32) -> (i32)".
type signature struct{ params, results []api.ValueType }

func (s signature) String() string {
	return "(" + typeNames(s.params) + ") -> (" + typeNames(s.results) + ")"
}

func (s signature) equal(o signature) bool {
	return slices.Equal(s.params, o.params) && slices.Equal(s.results, o.results)
}

func typeNames(ts []api.ValueType) string {
	names := make([]string, len(ts))
	for i, t := range ts {
		names[i] = api.ValueTypeName(t)
	}
	return strings.Join(names, ", ")
}

func signatureOf(d api.FunctionDefinition) signature {
	return signature{d.ParamTypes(), d.ResultTypes()}
}

var (
	actionSignature = signature{results: []api.ValueType{api.ValueTypeI32}}
	startSignature  = signature{}
)

// The WASI entry points: a reactor's initialiser, a command's main.
const (
	initializeExport = "_initialize"
	commandExport    = "_start"
)

// check refuses a module whose imports or exports do not fit the ABI, or
// that lacks the export of one of phases.
func (rt *Runtime) check(cm wazero.CompiledModule, eng *engine, phases []abi.Phase) error {
	for _, d := range cm.ImportedFunctions() {
		if err := rt.checkImport(d, eng); err != nil {
			return err
		}
	}
	if len(cm.ImportedMemories()) > 0 {
		return fmt.Errorf("imports a memory; a guest must define and export its own")
	}
	if _, ok := cm.ExportedMemories()["memory"]; !ok {
		return fmt.Errorf(`does not export its memory as "memory"`)
	}
	exports := cm.ExportedFunctions()
	_, command := exports[commandExport]
	if _, reactor := exports[initializeExport]; command && !reactor {
		return fmt.Errorf("is a WASI command (it exports %s); build it as a reactor: Go with -buildmode=c-shared, C with -mexec-model=reactor", commandExport)
	}
	if _, ok := exports[abi.VersionExport]; !ok {
		return fmt.Errorf("does not export %s", abi.VersionExport)
	}
	want := map[string]signature{abi.VersionExport: actionSignature, initializeExport: startSignature, abi.TimerExport: timerSignature}
	for _, name := range abi.PhaseExports {
		want[name] = actionSignature
	}
	for _, name := range sortedKeys(want) {
		if d, ok := exports[name]; ok && !signatureOf(d).equal(want[name]) {
			return fmt.Errorf("guest export %s should be %s", name, want[name])
		}
	}
	for _, p := range phases {
		name, ok := abi.PhaseExports[p]
		if !ok {
			return fmt.Errorf("the %s phase has no guest export", p)
		}
		if _, ok := exports[name]; !ok {
			return fmt.Errorf("does not export %s, the %s hook", name, p)
		}
	}
	return nil
}

// checkImport accepts a moongate function of abi.Funcs or a WASI function,
// with its signature.
func (rt *Runtime) checkImport(d api.FunctionDefinition, eng *engine) error {
	module, name, _ := d.Import()
	var want signature
	found := false
	switch module {
	case abi.Module:
		var f *hostFunc
		if f, found = rt.byName[name]; found {
			want = f.sig
		}
	case wasi_snapshot_preview1.ModuleName:
		var w api.FunctionDefinition
		if w, found = eng.wasi[name]; found {
			want = signatureOf(w)
		}
	}
	if !found {
		return fmt.Errorf("imports unknown function %s.%s", module, name)
	}
	if got := signatureOf(d); !got.equal(want) {
		return fmt.Errorf("imports %s.%s as %s, should be %s", module, name, got, want)
	}
	return nil
}

func sortedKeys[V any](m map[string]V) []string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	slices.Sort(keys)
	return keys
}
