package gateway

import (
	"encoding/json"
	"os"
	"runtime"
	"strconv"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/moongate/moongate/internal/swapload"
)

// swapLua is version code ("v1" or "v2") of a Lua plugin stamping
// X-Lua-Version with the code and its config's n. The two versions differ
// in their source, so each swap compiles new code.
func swapLua(code string) string {
	if code == "v1" {
		return `return {header_filter = function(conf) ngx.header["X-Lua-Version"] = "v1:" .. conf.n end}`
	}
	return `local M = {}
function M.header_filter(conf) ngx.header["X-Lua-Version"] = "v2:" .. conf.n end
return M`
}

// TestPluginSwapUnderLoad replaces a Lua and a Wasm plugin through the
// admin API, alternately, while connections send requests: no request
// fails, each response's two stamps come from one generation (never a mix
// of two), each connection sees the generations in order, and once the
// old snapshots are drained the heap is back to where it started (no VM
// or instance leaked). bench/swap runs the same with 100 swaps and 64
// connections; MOONGATE_SWAPS and MOONGATE_SWAP_CONNS scale this one.
func TestPluginSwapUnderLoad(t *testing.T) {
	swaps, conns := envInt(t, "MOONGATE_SWAPS", 20), envInt(t, "MOONGATE_SWAP_CONNS", 16)
	if testing.Short() {
		swaps, conns = 6, 4
	}
	// The Wasm plugin's code alternates between the C and the Go guest;
	// the unused plugin go-warm keeps the Go guest compiled, so a swap to
	// it is as fast as to the C guest, as with a warm wasm.cache_dir.
	var wasmBins [2][]byte
	for i, name := range []string{"c/addheader", "go/addheader"} {
		bin, err := os.ReadFile(guest(t, name))
		if err != nil {
			t.Fatal(err)
		}
		wasmBins[i] = bin
	}
	tg := startGateway(t, `
lua: {vms: 2}
plugins:
  lua-ver: {lua_file: plugins/lua-ver.lua, config: {n: "0"}}
  wasm-ver: {wasm: `+guest(t, "c/addheader")+`, pool: 8, config: {name: X-Wasm-Version, value: "0"}}
  go-warm: {wasm: `+guest(t, "go/addheader")+`, pool: 1}
routes:
  - id: swap
    location: = /swap
    plugins: {lua-ver: ~, wasm-ver: ~}
    content: {lua: "ngx.say('ok')"}
`, map[string]string{"plugins/lua-ver.lua": swapLua("v1")})

	// The swaps and the state after each: odd swaps replace the Lua
	// plugin, even ones the Wasm plugin, each stamping the swap's number.
	plan, states := swapload.Plan(swaps, swapLua, wasmBins)

	load := func(stop <-chan struct{}, served *atomic.Int64) {
		var wg sync.WaitGroup
		errs := make(chan error, conns)
		for range conns {
			wg.Add(1)
			go func() {
				defer wg.Done()
				errs <- swapload.Client(tg.base+"/swap", states, stop, served)
			}()
		}
		wg.Wait()
		close(errs)
		for err := range errs {
			if err != nil {
				t.Error(err)
			}
		}
	}

	// The first swaps (a full cycle of both codes) warm up what stays
	// for good, like the compile cache; the heap baseline is taken after
	// them, the final figure after the others, each once the load has
	// stopped and its connections are closed.
	warm := min(4, swaps/2)
	run := func(plan []swapload.Swap, first int) {
		stop := make(chan struct{})
		var served atomic.Int64
		done := make(chan struct{})
		go func() { load(stop, &served); close(done) }()
		// stopLoad runs on every way out, t.Fatalf's too, so that the
		// load's goroutines end (and report) before the test does.
		stopped := false
		stopLoad := func() {
			if !stopped {
				stopped = true
				close(stop)
				<-done
			}
		}
		defer stopLoad()
		for i, s := range plan {
			waitServed(t, &served, int64((i+1)*conns)) // some load on every generation
			body, _ := json.Marshal(s.Body)
			resp := tg.adminDo("PUT", "/plugins/"+s.Plugin, string(body), "Content-Type: application/json")
			if resp.status != 200 {
				t.Fatalf("swap %d: PUT /plugins/%s = %d %s", first+i, s.Plugin, resp.status, resp.body)
			}
		}
		waitServed(t, &served, int64((len(plan)+1)*conns))
		stopLoad()
		t.Logf("swaps %d to %d, %d connections: %d requests", first, first+len(plan)-1, conns, served.Load())
		tg.draining.Wait() // every retired snapshot is closed
		for deadline := time.Now().Add(5 * time.Second); tg.server.GetOpenConnectionsCount() > 0 && time.Now().Before(deadline); {
			time.Sleep(time.Millisecond)
		}
	}
	run(plan[:warm], 1)
	before := heapInuse()
	run(plan[warm:], warm+1)
	after := heapInuse()
	runtime.KeepAlive(plan) // in both figures alike: the bodies of the swaps are megabytes
	t.Logf("heap in use: %d KiB before, %d KiB after", before>>10, after>>10)
	// A leaked snapshot keeps its Lua VMs (100 KiB or more each) and Wasm
	// instances: leaking them would pass this bound within a few swaps.
	if after > before+before/20+256<<10 {
		t.Errorf("heap in use grew from %d to %d KiB over %d swaps: snapshots leak", before>>10, after>>10, swaps-warm)
	}
}

// waitServed polls until n requests were served, failing t after 30
// seconds (a client stopped on an error, or the gateway hangs).
func waitServed(t *testing.T, served *atomic.Int64, n int64) {
	t.Helper()
	deadline := time.Now().Add(30 * time.Second)
	for served.Load() < n {
		if time.Now().After(deadline) {
			t.Fatalf("served %d requests, waited for %d", served.Load(), n)
		}
		time.Sleep(time.Millisecond)
	}
}

// heapInuse returns the heap in use after collecting garbage.
func heapInuse() uint64 {
	var m runtime.MemStats
	for range 3 {
		runtime.GC()
	}
	runtime.ReadMemStats(&m)
	return m.HeapInuse
}

// envInt returns the integer environment variable name, or def.
func envInt(t *testing.T, name string, def int) int {
	v := os.Getenv(name)
	if v == "" {
		return def
	}
	n, err := strconv.Atoi(v)
	if err != nil || n < 1 {
		t.Fatalf("%s=%q: want a positive integer", name, v)
	}
	return n
}
