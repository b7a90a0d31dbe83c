// Command waiting measures how moongate holds many requests that wait at
// once: it starts the moongate binary on a route whose hook sleeps (Lua,
// or the Go or C guest guests/{go,c}/sleep, which sleep 1s), sends N
// concurrent requests from this process, and reports how long they all
// took (about the sleep, if none was serialised by a VM or a pool) and the
// gateway's memory per waiting request (the growth of its resident set
// while they wait, divided by N). A Wasm request holds an instance while
// it waits, so -pool bounds how many wait at once.
//
//	go build -o /tmp/moongate ./cmd/moongate && bash guests/build.sh
//	go run ./bench/waiting -moongate /tmp/moongate -n 10000 -hook lua
package main

import (
	"bufio"
	"flag"
	"fmt"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"time"
)

func main() {
	bin := flag.String("moongate", "bin/moongate", "the moongate binary")
	n := flag.Int("n", 10000, "concurrent requests")
	sleep := flag.Duration("sleep", time.Second, "how long each request waits")
	addr := flag.String("listen", "127.0.0.1:18181", "where moongate listens")
	hook := flag.String("hook", "lua", "lua, go or c: the hook that sleeps (the guests sleep 1s)")
	pool := flag.Int("pool", 0, "the Wasm instance pool (0: n)")
	flag.Parse()
	if *pool == 0 {
		*pool = *n
	}
	if err := run(*bin, *n, *sleep, *addr, contentHook(*hook, *sleep, *pool)); err != nil {
		fmt.Fprintln(os.Stderr, "waiting:", err)
		os.Exit(1)
	}
}

// contentHook returns the YAML of the route's content hook.
func contentHook(kind string, sleep time.Duration, pool int) string {
	if kind == "lua" {
		return fmt.Sprintf(`{lua: "ngx.sleep(%g) ngx.say('ok')"}`, sleep.Seconds())
	}
	guest, _ := filepath.Abs(filepath.Join("guests", "build", kind, "sleep.wasm"))
	return fmt.Sprintf(`{wasm: %s, pool: %d, config: {seconds: %g}}`, guest, pool, sleep.Seconds())
}

func run(bin string, n int, sleep time.Duration, addr, hook string) error {
	dir, err := os.MkdirTemp("", "moongate-waiting")
	if err != nil {
		return err
	}
	defer os.RemoveAll(dir)
	cfg := fmt.Sprintf(`listen: %s
admin: {listen: off}
error_log: {path: %s, level: error}
client_header_timeout: 60s
routes:
  - location: = /wait
    content: %s
`, addr, filepath.Join(dir, "error.log"), hook)
	path := filepath.Join(dir, "moongate.yaml")
	if err := os.WriteFile(path, []byte(cfg), 0o644); err != nil {
		return err
	}
	cmd := exec.Command(bin, "-c", path)
	cmd.Stderr = os.Stderr
	if err := cmd.Start(); err != nil {
		return err
	}
	defer cmd.Process.Kill()
	if err := waitReady(addr); err != nil {
		return err
	}
	before, err := rss(cmd.Process.Pid)
	if err != nil {
		return err
	}
	var peak atomic.Int64
	stop := make(chan struct{})
	go func() {
		for {
			select {
			case <-stop:
				return
			case <-time.After(20 * time.Millisecond):
				if v, err := rss(cmd.Process.Pid); err == nil && v > peak.Load() {
					peak.Store(v)
				}
			}
		}
	}()
	var ok, failed atomic.Int64
	var wg sync.WaitGroup
	start := time.Now()
	for i := 0; i < n; i++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			if get(addr, sleep) {
				ok.Add(1)
			} else {
				failed.Add(1)
			}
		}()
	}
	wg.Wait()
	elapsed := time.Since(start)
	close(stop)
	perReq := float64(peak.Load()-before) / float64(n) / 1024
	fmt.Printf("| %d | %v | %d | %d | %.1f MiB | %.1f MiB | %.1f KiB |\n", n, sleep, ok.Load(), failed.Load(),
		float64(before)/(1<<20), float64(peak.Load())/(1<<20), perReq)
	fmt.Printf("all %d requests answered in %v\n", n, elapsed.Round(time.Millisecond))
	return nil
}

// get sends one request on its own connection and reports a 200.
func get(addr string, sleep time.Duration) bool {
	c, err := net.DialTimeout("tcp", addr, 30*time.Second)
	if err != nil {
		return false
	}
	defer c.Close()
	c.SetDeadline(time.Now().Add(sleep + 60*time.Second))
	if _, err := c.Write([]byte("GET /wait HTTP/1.1\r\nHost: x\r\n\r\n")); err != nil {
		return false
	}
	line, err := bufio.NewReader(c).ReadString('\n')
	return err == nil && strings.HasPrefix(line, "HTTP/1.1 200")
}

func waitReady(addr string) error {
	for i := 0; i < 200; i++ {
		if c, err := net.Dial("tcp", addr); err == nil {
			c.Close()
			return nil
		}
		time.Sleep(25 * time.Millisecond)
	}
	return fmt.Errorf("moongate did not listen on %s", addr)
}

// rss returns the resident set of process pid, in bytes.
func rss(pid int) (int64, error) {
	b, err := os.ReadFile(fmt.Sprintf("/proc/%d/status", pid))
	if err != nil {
		return 0, err
	}
	for _, line := range strings.Split(string(b), "\n") {
		if rest, ok := strings.CutPrefix(line, "VmRSS:"); ok {
			kb, err := strconv.ParseInt(strings.TrimSuffix(strings.TrimSpace(rest), " kB"), 10, 64)
			return kb * 1024, err
		}
	}
	return 0, fmt.Errorf("no VmRSS for pid %d", pid)
}
