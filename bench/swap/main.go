// Command swap measures plugin swaps through the admin API on a running
// moongate binary.
//
// -mode load (the full run of gateway/swap_test.go): while -conns
// keep-alive connections send requests to a route using a Lua plugin and a
// Wasm plugin, it replaces them in turn through PUT /plugins/{name}, -swaps
// times: the Lua plugin's code alternates between two sources, the Wasm
// plugin's between the C and the Go guest guests/{c,go}/addheader, each
// swap stamping its number into the plugin's config. Every response must
// be a 200 whose two stamps come from one generation, in order on each
// connection. It reports the counts and the gateway's heap in use (after a
// GC, read through /debug/pprof/heap) and resident set before and after.
//
// -mode latency: the time from sending PUT /plugins/{name} to the first
// response served by the new version (and the PUT's own round trip), for
// a Lua plugin (new source each time), and for the C and the Go guest
// cold (bytes never compiled: a fresh custom section makes each upload
// new) and warm (same code, new config: the compiled module is reused).
//
//	go build -o bin/moongate ./cmd/moongate && bash guests/build.sh
//	go run ./bench/swap -moongate bin/moongate -mode load -swaps 100 -conns 64
//	go run ./bench/swap -moongate bin/moongate -mode latency -n 20
package main

import (
	"bytes"
	"encoding/base64"
	"encoding/json"
	"flag"
	"fmt"
	"io"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/moongate/moongate/internal/swapload"
)

func main() {
	bin := flag.String("moongate", "bin/moongate", "the moongate binary")
	mode := flag.String("mode", "load", "load or latency")
	swaps := flag.Int("swaps", 100, "load: swaps")
	conns := flag.Int("conns", 64, "load: connections")
	n := flag.Int("n", 20, "latency: swaps measured per case")
	listen := flag.String("listen", "127.0.0.1:18281", "where moongate listens")
	admin := flag.String("admin", "127.0.0.1:18282", "its admin API")
	flag.Parse()
	run := map[string]func() error{
		"load":    func() error { return runLoad(*bin, *listen, *admin, *swaps, *conns) },
		"latency": func() error { return runLatency(*bin, *listen, *admin, *n) },
	}[*mode]
	err := fmt.Errorf("unknown -mode %q", *mode)
	if run != nil {
		err = run()
	}
	if err != nil {
		fmt.Fprintln(os.Stderr, "swap:", err)
		os.Exit(1)
	}
}

// gateway is the moongate process under test.
type gateway struct {
	cmd         *exec.Cmd
	dir         string
	base, admin string // "http://host:port"
}

// loadConfig is the config of -mode load: a route using a Lua and a Wasm
// plugin.
const loadConfig = `plugins:
  lua-ver: {lua: "return {header_filter = function(conf) ngx.header['X-Lua-Version'] = 'v1:' .. conf.n end}", config: {n: "0"}}
  wasm-ver: {wasm: %s, pool: 8, config: {name: X-Wasm-Version, value: "0"}}
routes:
  - {id: swap, location: = /swap, plugins: {lua-ver: ~, wasm-ver: ~}, content: {lua: "ngx.say('ok')"}}
`

// latencyConfig is the config of -mode latency for one plugin: a route
// using it.
const latencyConfig = `plugins:
  stamp: %s
routes:
  - {id: stamp, location: = /stamp, plugins: {stamp: ~}, content: {lua: "ngx.say('ok')"}}
`

// guests reads the C and Go addheader guests built by guests/build.sh.
func guests() (c, goGuest []byte, err error) {
	if c, err = os.ReadFile("guests/build/c/addheader.wasm"); err == nil {
		goGuest, err = os.ReadFile("guests/build/go/addheader.wasm")
	}
	if err != nil {
		err = fmt.Errorf("%v (build the guests: bash guests/build.sh)", err)
	}
	return c, goGuest, err
}

// start writes a config (the common head, then body) into a temp dir and
// starts moongate on it.
func start(bin, listen, admin, body string) (*gateway, error) {
	dir, err := os.MkdirTemp("", "moongate-swap")
	if err != nil {
		return nil, err
	}
	g := &gateway{dir: dir, base: "http://" + listen, admin: "http://" + admin}
	cfg := fmt.Sprintf("listen: %s\nadmin: {listen: %s}\nerror_log: {path: %s, level: warn}\nwatch: {enabled: false}\nwasm: {cache_dir: %s}\n%s",
		listen, admin, filepath.Join(dir, "error.log"), filepath.Join(dir, "wasm-cache"), body)
	path := filepath.Join(dir, "moongate.yaml")
	if err := os.WriteFile(path, []byte(cfg), 0o644); err != nil {
		return nil, err
	}
	g.cmd = exec.Command(bin, "-c", path)
	if err := g.cmd.Start(); err != nil {
		return nil, err
	}
	for range 400 {
		if c, err := net.Dial("tcp", admin); err == nil {
			c.Close()
			return g, nil
		}
		time.Sleep(25 * time.Millisecond)
	}
	g.stop()
	return nil, fmt.Errorf("moongate did not listen on %s", admin)
}

func (g *gateway) stop() {
	g.cmd.Process.Kill()
	g.cmd.Wait()
	os.RemoveAll(g.dir)
}

// put sends PUT /plugins/name with a JSON body.
func (g *gateway) put(name string, body map[string]any) error {
	b, _ := json.Marshal(body)
	resp, err := http.DefaultClient.Do(mustRequest("PUT", g.admin+"/plugins/"+name, b))
	if err != nil {
		return err
	}
	defer resp.Body.Close()
	answer, _ := io.ReadAll(resp.Body)
	if resp.StatusCode != 200 {
		return fmt.Errorf("PUT /plugins/%s = %d %s", name, resp.StatusCode, answer)
	}
	return nil
}

func mustRequest(method, url string, body []byte) *http.Request {
	req, err := http.NewRequest(method, url, bytes.NewReader(body))
	if err != nil {
		panic(err)
	}
	req.Header.Set("Content-Type", "application/json")
	return req
}

func runLoad(bin, listen, admin string, swaps, conns int) error {
	cGuest, goGuest, err := guests()
	if err != nil {
		return err
	}
	cPath, _ := filepath.Abs("guests/build/c/addheader.wasm")
	g, err := start(bin, listen, admin, fmt.Sprintf(loadConfig, cPath))
	if err != nil {
		return err
	}
	defer g.stop()
	luaSource := func(code string) string {
		return "local M = {}\nfunction M.header_filter(conf) ngx.header['X-Lua-Version'] = '" + code + ":' .. conf.n end\nreturn M"
	}
	plan, states := swapload.Plan(swaps, luaSource, [2][]byte{cGuest, goGuest})
	var served, failed atomic.Int64
	var errMsg string
	// phase runs load while applying plan (swaps first...), then stops
	// the load and waits for the retired snapshots to drain.
	phase := func(plan []swapload.Swap, first int) error {
		stop := make(chan struct{})
		var wg sync.WaitGroup
		var once sync.Once
		for range conns {
			wg.Add(1)
			go func() {
				defer wg.Done()
				if err := swapload.Client(g.base+"/swap", states, stop, &served); err != nil {
					failed.Add(1)
					once.Do(func() { errMsg = err.Error() })
				}
			}()
		}
		waitServed := func(n int64) {
			for deadline := time.Now().Add(30 * time.Second); served.Load() < n && failed.Load() == 0 && time.Now().Before(deadline); {
				time.Sleep(time.Millisecond)
			}
		}
		base := served.Load()
		for i, s := range plan {
			waitServed(base + int64((i+1)*conns)) // some load on every generation
			if err := g.put(s.Plugin, s.Body); err != nil {
				close(stop)
				wg.Wait()
				return fmt.Errorf("swap %d: %w", first+i, err)
			}
		}
		waitServed(base + int64((len(plan)+1)*conns))
		close(stop)
		wg.Wait()
		time.Sleep(time.Second) // the last retired snapshot drains
		return nil
	}
	// The first swaps (a full cycle of both codes) warm up what stays for
	// good, like the compile cache; the baseline is taken after them, with
	// the load stopped, and the final figures after the others.
	warm := min(4, swaps)
	start := time.Now()
	if err := phase(plan[:warm], 1); err != nil {
		return err
	}
	heapBefore, rssBefore := g.heapInuse(), rss(g.cmd.Process.Pid)
	if err := phase(plan[warm:], warm+1); err != nil {
		return err
	}
	elapsed := time.Since(start)
	heapAfter, rssAfter := g.heapInuse(), rss(g.cmd.Process.Pid)
	fmt.Printf("| swaps | connections | requests | failed connections | time | heap in use after swap %d → end | RSS after swap %d → end |\n", warm, warm)
	fmt.Printf("| ---: | ---: | ---: | ---: | ---: | ---: | ---: |\n")
	fmt.Printf("| %d | %d | %d | %d | %.1f s | %.1f → %.1f MiB | %.1f → %.1f MiB |\n", swaps, conns, served.Load(), failed.Load(),
		elapsed.Seconds(), mib(heapBefore), mib(heapAfter), mib(rssBefore), mib(rssAfter))
	if errMsg != "" {
		return fmt.Errorf("first failure: %s", errMsg)
	}
	return nil
}

var heapInuseLine = regexp.MustCompile(`# HeapInuse = (\d+)`)

// heapInuse collects the gateway's garbage and returns its heap in use,
// through the admin API's profiler; -1 if it cannot.
func (g *gateway) heapInuse() int64 {
	resp, err := http.Get(g.admin + "/debug/pprof/heap?gc=1&debug=1")
	if err != nil {
		return -1
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	m := heapInuseLine.FindSubmatch(b)
	if m == nil {
		return -1
	}
	n, _ := strconv.ParseInt(string(m[1]), 10, 64)
	return n
}

// rss returns the resident set of process pid in bytes; -1 if unknown.
func rss(pid int) int64 {
	b, err := os.ReadFile(fmt.Sprintf("/proc/%d/status", pid))
	if err != nil {
		return -1
	}
	for _, line := range strings.Split(string(b), "\n") {
		if rest, ok := strings.CutPrefix(line, "VmRSS:"); ok {
			kb, _ := strconv.ParseInt(strings.TrimSuffix(strings.TrimSpace(rest), " kB"), 10, 64)
			return kb << 10
		}
	}
	return -1
}

func mib(n int64) float64 { return float64(n) / (1 << 20) }

// latencyCase is one kind of swap measured by runLatency.
type latencyCase struct {
	name   string
	plugin string                     // the initial plugins entry
	body   func(i int) map[string]any // the PUT body of swap i, stamping "s<i>"
}

func runLatency(bin, listen, admin string, n int) error {
	cGuest, goGuest, err := guests()
	if err != nil {
		return err
	}
	stamp := func(i int) string { return "s" + strconv.Itoa(i) }
	wasmCase := func(name, guest string, code []byte, cold bool) latencyCase {
		path, _ := filepath.Abs("guests/build/" + guest + "/addheader.wasm")
		return latencyCase{name, "{wasm: " + path + ", config: {name: X-Stamp, value: s0}}", func(i int) map[string]any {
			body := map[string]any{"config": map[string]string{"name": "X-Stamp", "value": stamp(i)}}
			if cold {
				body["wasm"] = base64.StdEncoding.EncodeToString(withCustomSection(code, fmt.Sprintf("swap-%d-%d", time.Now().UnixNano(), i)))
			}
			return body
		}}
	}
	cases := []latencyCase{
		{"Lua (new source)", `{lua: "return {}"}`, func(i int) map[string]any {
			return map[string]any{"lua": "return {header_filter = function() ngx.header['X-Stamp'] = '" + stamp(i) + "' end}"}
		}},
		wasmCase("C guest, cold", "c", cGuest, true),
		wasmCase("C guest, warm", "c", cGuest, false),
		wasmCase("Go guest, cold", "go", goGuest, true),
		wasmCase("Go guest, warm", "go", goGuest, false),
	}
	fmt.Printf("| swap | n | PUT round trip, median (max) | PUT to first new response, median (max) |\n| --- | ---: | ---: | ---: |\n")
	for _, lc := range cases {
		puts, firsts, err := measure(bin, listen, admin, lc, n)
		if err != nil {
			return fmt.Errorf("%s: %w", lc.name, err)
		}
		fmt.Printf("| %s | %d | %s | %s |\n", lc.name, n, summary(puts), summary(firsts))
	}
	return nil
}

// measure starts a gateway with the case's plugin and swaps it n times,
// timing each PUT and the first response stamped by the new version.
func measure(bin, listen, admin string, lc latencyCase, n int) (puts, firsts []time.Duration, err error) {
	g, err := start(bin, listen, admin, fmt.Sprintf(latencyConfig, lc.plugin))
	if err != nil {
		return nil, nil, err
	}
	defer g.stop()
	c := &http.Client{Transport: &http.Transport{MaxIdleConnsPerHost: 1}, Timeout: 30 * time.Second}
	defer c.CloseIdleConnections()
	for i := 1; i <= n; i++ {
		want := "s" + strconv.Itoa(i)
		start := time.Now()
		putDone := make(chan error, 1)
		var putTime time.Duration
		go func() {
			err := g.put("stamp", lc.body(i))
			putTime = time.Since(start)
			putDone <- err
		}()
		first, err := waitStamp(c, g.base+"/stamp", want, start)
		if perr := <-putDone; perr != nil {
			return nil, nil, perr
		}
		if err != nil {
			return nil, nil, err
		}
		puts, firsts = append(puts, putTime), append(firsts, first)
	}
	return puts, firsts, nil
}

// waitStamp sends requests to url until one answers with X-Stamp want and
// returns when it arrived, counted from start.
func waitStamp(c *http.Client, url, want string, start time.Time) (time.Duration, error) {
	for deadline := start.Add(60 * time.Second); time.Now().Before(deadline); {
		resp, err := c.Get(url)
		if err != nil {
			return 0, err
		}
		io.Copy(io.Discard, resp.Body)
		resp.Body.Close()
		if resp.StatusCode != 200 {
			return 0, fmt.Errorf("GET %s = %d", url, resp.StatusCode)
		}
		if resp.Header.Get("X-Stamp") == want {
			return time.Since(start), nil
		}
	}
	return 0, fmt.Errorf("GET %s: no response with X-Stamp %s within 60s", url, want)
}

// withCustomSection returns a copy of the module bin with a custom
// section named name appended: the same code under a new content hash,
// so the gateway compiles it anew. The section has one byte of content:
// wazero v1.12 fails on an empty custom section at the end of a module.
func withCustomSection(bin []byte, name string) []byte {
	payload := append(append(uleb(len(name)), name...), 0)
	out := append(slices.Clone(bin), 0) // section id 0: custom
	out = append(out, uleb(len(payload))...)
	return append(out, payload...)
}

// uleb encodes n as unsigned LEB128.
func uleb(n int) []byte {
	var b []byte
	for {
		c := byte(n & 0x7f)
		n >>= 7
		if n == 0 {
			return append(b, c)
		}
		b = append(b, c|0x80)
	}
}

// summary formats the median and the maximum of ds in milliseconds.
func summary(ds []time.Duration) string {
	slices.Sort(ds)
	ms := func(d time.Duration) float64 { return float64(d.Microseconds()) / 1000 }
	return fmt.Sprintf("%.1f ms (%.1f ms)", ms(ds[len(ds)/2]), ms(ds[len(ds)-1]))
}
