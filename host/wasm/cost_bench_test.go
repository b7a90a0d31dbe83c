package wasm

import (
	"context"
	"os/exec"
	"path/filepath"
	"runtime"
	"testing"

	"github.com/tetratelabs/wazero"
)

// cGuest builds guests/c/name with the C SDK (clang, wasm32-wasi reactor,
// as guests/build.sh does), once per test run, and returns the module's
// path. It skips the benchmark when clang is missing.
func cGuest(tb testing.TB, name string) string {
	tb.Helper()
	clang, err := exec.LookPath("clang")
	if err != nil {
		tb.Skip("clang not found: C guests need it (make deps)")
	}
	v, _ := guestBuilds.LoadOrStore("c/"+name, new(guestBuild))
	b := v.(*guestBuild)
	b.once.Do(func() {
		b.path = filepath.Join(guestDir, "c-"+name+".wasm")
		srcs, _ := filepath.Glob(filepath.Join("..", "..", "guests", "c", name, "*.c"))
		args := append([]string{"--target=wasm32-wasi", "-mexec-model=reactor", "-O2", "-I", "../../sdk/c",
			"-o", b.path, "../../sdk/c/moongate.c"}, srcs...)
		b.out, b.err = exec.Command(clang, args...).CombinedOutput()
	})
	if b.err != nil {
		tb.Fatalf("building C guest %s: %v\n%s", name, b.err, b.out)
	}
	return b.path
}

// benchGuests are the modules whose instances the benchmarks compare: the
// smallest possible guest, and the C and Go guests of the benchmark routes.
var benchGuests = []struct {
	name string
	path func(b *testing.B) string
}{
	{name: "tiny", path: func(b *testing.B) string { return writeModule(b, guestModule()) }},
	{name: "c", path: func(b *testing.B) string { return cGuest(b, "bench") }},
	{name: "go", path: func(b *testing.B) string { return goGuest(b, "basic") }},
}

// instancesPerRound is how many instances BenchmarkInstanceMemory keeps
// alive at once.
const instancesPerRound = 16

// BenchmarkInstanceMemory measures what one pooled instance costs: each
// round creates instancesPerRound instances of a loaded module and keeps
// them alive. It reports heap-bytes/instance (the growth of the live Go
// heap, see liveHeap: it holds the linear memory and wazero's per-instance
// state; the compiled code is shared by all instances and not counted),
// linear-bytes/instance (the guest's memory alone) and ns/instance.
func BenchmarkInstanceMemory(b *testing.B) {
	for _, g := range benchGuests {
		b.Run(g.name, func(b *testing.B) {
			rt, _ := newTestRuntime(b, Options{})
			m := load(b, rt, g.path(b), Limits{})
			var heap, linear uint64
			ins := make([]*instance, 0, instancesPerRound)
			for b.Loop() {
				b.StopTimer()
				before := liveHeap()
				b.StartTimer()
				for i := range instancesPerRound {
					in, err := newInstance(m, i)
					if err != nil {
						b.Fatal(err)
					}
					ins = append(ins, in)
				}
				b.StopTimer()
				heap += max(liveHeap(), before) - before
				for _, in := range ins {
					linear += uint64(in.mod.Memory().Size())
					in.close()
				}
				clear(ins) // drop the closed instances before the next round's GC
				ins = ins[:0]
				b.StartTimer()
			}
			n := float64(b.N * instancesPerRound)
			b.ReportMetric(float64(b.Elapsed().Nanoseconds())/n, "ns/instance")
			b.ReportMetric(float64(heap)/n, "heap-bytes/instance")
			b.ReportMetric(float64(linear)/n, "linear-bytes/instance")
		})
	}
}

// liveHeap returns the bytes of live Go heap objects. Two collections
// empty the sync.Pools too, so that what a new instance allocates is not
// taken from them.
func liveHeap() uint64 {
	var ms runtime.MemStats
	runtime.GC()
	runtime.GC()
	runtime.ReadMemStats(&ms)
	return ms.HeapAlloc
}

// Wasm instructions of spinModule, beside those of helpers_test.go.
const (
	opLocalGet = 0x20
	opLocalTee = 0x22
	opI32Sub   = 0x6b
)

// spinIterations is how many times BenchmarkCloseOnContextDone's loop runs
// per call.
const spinIterations = 10_000_000

// spinModule exports spin(n) -> 0, a loop that counts n down to zero: the
// tightest loop a guest can run, and empty() -> 0.
func spinModule() wmodule {
	loop := concat(
		[]byte{opLoop, blockVoid},
		[]byte{opLocalGet, 0}, i32Const(1), []byte{opI32Sub, opLocalTee, 0, opBrIf, 0},
		[]byte{opEnd, opLocalGet, 0},
	)
	return wmodule{memPages: 1, funcs: []wfunc{
		{export: "spin", params: []byte{i32}, results: []byte{i32}, body: loop},
		{export: "empty", results: []byte{i32}, body: i32Const(0)},
	}}
}

// BenchmarkCloseOnContextDone measures what wazero's
// WithCloseOnContextDone costs, on two runtimes that differ only in it
// (the compiler, as the host uses), called directly through wazero:
//
//   - loop: spin(10^7), a tight guest loop; wazero then calls a check at
//     every loop header. Reports ns/iteration.
//   - call: empty(), an export that returns at once; wazero then starts a
//     goroutine per call to watch the context. Run with
//     context.Background() and with a cancellable context, as the host's
//     calls are.
func BenchmarkCloseOnContextDone(b *testing.B) {
	bin := spinModule().encode()
	cancelled, cancel := context.WithCancel(context.Background())
	defer cancel()
	for _, closeOnDone := range []bool{false, true} {
		ctx := context.Background()
		cfg := wazero.NewRuntimeConfigCompiler().WithCloseOnContextDone(closeOnDone)
		wr := wazero.NewRuntimeWithConfig(ctx, cfg)
		defer wr.Close(ctx)
		mod, err := wr.Instantiate(ctx, bin)
		if err != nil {
			b.Fatal(err)
		}
		mode := "off"
		if closeOnDone {
			mode = "on"
		}
		spin, empty := mod.ExportedFunction("spin"), mod.ExportedFunction("empty")
		b.Run("loop/close-on-done-"+mode, func(b *testing.B) {
			stack := make([]uint64, 1)
			for b.Loop() {
				stack[0] = spinIterations
				if err := spin.CallWithStack(ctx, stack); err != nil {
					b.Fatal(err)
				}
			}
			b.ReportMetric(float64(b.Elapsed().Nanoseconds())/float64(b.N*spinIterations), "ns/iteration")
		})
		for _, c := range []struct {
			name string
			ctx  context.Context
		}{{"background", ctx}, {"cancellable", cancelled}} {
			b.Run("call/close-on-done-"+mode+"/"+c.name, func(b *testing.B) {
				stack := make([]uint64, 1)
				b.ReportAllocs()
				for b.Loop() {
					if err := empty.CallWithStack(c.ctx, stack); err != nil {
						b.Fatal(err)
					}
				}
			})
		}
	}
}
