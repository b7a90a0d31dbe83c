package lua

import (
	"runtime"
	"testing"
)

// vmsPerRound is how many VMs BenchmarkVMMemory creates at once.
const vmsPerRound = 16

// benchHooks are the three hooks of the benchmark route /headers
// (bench/compare.sh), loaded into every VM as the gateway loads a route's.
var benchHooks = []string{
	`if ngx.var.http_x_api_key ~= "secret" then return ngx.exit(401) end ngx.req.set_header("X-User", "alice")`,
	`ngx.header["X-Gateway"] = "bench"`,
	`ngx.say(ngx.req.get_headers()["x-user"])`,
}

// BenchmarkVMMemory measures what one Lua VM costs, for comparison with a
// pooled Wasm instance (host/wasm's BenchmarkInstanceMemory): each round
// creates an Engine of vmsPerRound VMs, each with the ngx API, the sandboxed
// libraries and the /headers hooks loaded. It reports heap-bytes/vm (the
// growth of the live Go heap; see liveHeap) and ns/vm.
func BenchmarkVMMemory(b *testing.B) {
	chunks := make([]*Chunk, len(benchHooks))
	for i, src := range benchHooks {
		c, err := Compile("=bench", src)
		if err != nil {
			b.Fatal(err)
		}
		chunks[i] = c
	}
	var heap uint64
	for b.Loop() {
		b.StopTimer()
		before := liveHeap()
		b.StartTimer()
		e, err := NewEngine(Options{VMs: vmsPerRound}, chunks, nil, nil)
		if err != nil {
			b.Fatal(err)
		}
		b.StopTimer()
		heap += max(liveHeap(), before) - before
		e.Close()
		b.StartTimer()
	}
	n := float64(b.N * vmsPerRound)
	b.ReportMetric(float64(b.Elapsed().Nanoseconds())/n, "ns/vm")
	b.ReportMetric(float64(heap)/n, "heap-bytes/vm")
}

// liveHeap returns the bytes of live Go heap objects. Two collections
// empty the sync.Pools too (gopher-lua keeps the stack segments of closed
// states in one), so that what a new VM allocates is not taken from them.
func liveHeap() uint64 {
	var ms runtime.MemStats
	runtime.GC()
	runtime.GC()
	runtime.ReadMemStats(&ms)
	return ms.HeapAlloc
}
