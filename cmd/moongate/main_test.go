package main

import (
	"bufio"
	"io"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"
)

// buildBinary builds moongate once for the tests of this package.
func buildBinary(t *testing.T) string {
	t.Helper()
	bin := filepath.Join(t.TempDir(), "moongate")
	out, err := exec.Command("go", "build", "-o", bin, ".").CombinedOutput()
	if err != nil {
		t.Fatalf("build: %v\n%s", err, out)
	}
	return bin
}

func writeFile(t *testing.T, path, content string) {
	t.Helper()
	if err := os.WriteFile(path, []byte(content), 0o644); err != nil {
		t.Fatal(err)
	}
}

func TestCheckFlag(t *testing.T) {
	bin := buildBinary(t)
	if _, err := os.Stat("../../guests/build/go/redis.wasm"); err != nil { // the examples' Wasm routes
		build := exec.Command("bash", "../../guests/build.sh")
		build.Env = append(os.Environ(), "GO_ONLY=1")
		if out, err := build.CombinedOutput(); err != nil {
			t.Fatalf("building the Go guests: %v\n%s", err, out)
		}
	}
	dir := t.TempDir()
	tests := []struct {
		name   string
		config string
		ok     bool
		output []string
	}{
		{name: "example", config: "../../examples/gateway/moongate.yaml", ok: true, output: []string{"test is successful"}},
		{name: "redis example", config: "../../examples/redis/moongate.yaml", ok: true, output: []string{"test is successful"}},
		{name: "lua syntax error", config: "routes:\n  - location: /x\n    access: {lua: \"if then\"}\n",
			output: []string{"bad.yaml:", `routes[0] (location "/x")`, "access:1: syntax error near 'then'"}},
		{name: "unknown key", config: "routes:\n  - location: /x\n    acess: {lua: \"x = 1\"}\n",
			output: []string{"bad.yaml:3", `routes[0] (location "/x")`, `unknown key "acess"`}},
		{name: "bad proxy_pass", config: "routes:\n  - location: /x\n    proxy_pass: ftp://a\n",
			output: []string{`routes[0] (location "/x")`, "proxy_pass"}},
		{name: "bad location", config: "routes:\n  - location: \"~ (\"\n    content: {lua: \"x = 1\"}\n",
			output: []string{`routes[0] (location "~ (")`, "location", "invalid regex"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			path := tt.config
			if !tt.ok {
				path = filepath.Join(dir, "bad.yaml")
				writeFile(t, path, tt.config)
			}
			out, err := exec.Command(bin, "-t", "-c", path).CombinedOutput()
			if (err == nil) != tt.ok {
				t.Fatalf("exit error %v, want ok=%v\n%s", err, tt.ok, out)
			}
			for _, want := range tt.output {
				if !strings.Contains(string(out), want) {
					t.Errorf("output lacks %q:\n%s", want, out)
				}
			}
		})
	}
}

// freePort returns a loopback address nobody listens on.
func freePort(t *testing.T) string {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer ln.Close()
	return ln.Addr().String()
}

func TestSignals(t *testing.T) {
	bin := buildBinary(t)
	dir := t.TempDir()
	addr := freePort(t)
	cfg := filepath.Join(dir, "moongate.yaml")
	config := func(body string) string {
		return "listen: " + addr + "\nadmin: {listen: off}\nroutes:\n  - location: /\n    content: {lua: \"" + body + "\"}\n"
	}
	writeFile(t, cfg, config("ngx.say('v1')"))
	cmd := exec.Command(bin, "-c", cfg)
	stderr, _ := cmd.StderrPipe()
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	defer cmd.Process.Kill()
	lines := bufio.NewScanner(stderr)
	if !lines.Scan() || !strings.Contains(lines.Text(), "serving") {
		t.Fatalf("no start line: %q", lines.Text())
	}
	logLines := make(chan string, 100)
	go func() {
		for lines.Scan() {
			logLines <- lines.Text()
		}
	}()
	waitLog := func(want string) {
		t.Helper()
		timeout := time.After(5 * time.Second)
		for {
			select {
			case l := <-logLines:
				if strings.Contains(l, want) {
					return
				}
			case <-timeout:
				t.Fatalf("no log line with %q", want)
			}
		}
	}
	get := func() string {
		resp, err := http.Get("http://" + addr + "/")
		if err != nil {
			t.Fatal(err)
		}
		defer resp.Body.Close()
		b, _ := io.ReadAll(resp.Body)
		return string(b)
	}
	waitFor := func(want string) {
		t.Helper()
		deadline := time.Now().Add(5 * time.Second)
		for got := get(); got != want; got = get() {
			if time.Now().After(deadline) {
				t.Fatalf("got %q, want %q", got, want)
			}
			time.Sleep(10 * time.Millisecond)
		}
	}
	waitFor("v1\n")

	writeFile(t, cfg, config("ngx.say('v2'")) // syntax error: rejected
	cmd.Process.Signal(syscall.SIGHUP)
	waitLog("reload rejected, keeping generation 1")
	if got := get(); got != "v1\n" {
		t.Fatalf("after a bad reload: %q, want v1", got)
	}
	writeFile(t, cfg, config("ngx.say('v3')"))
	cmd.Process.Signal(syscall.SIGHUP)
	waitFor("v3\n")

	cmd.Process.Signal(syscall.SIGTERM)
	done := make(chan error, 1)
	go func() { done <- cmd.Wait() }()
	select {
	case err := <-done:
		if err != nil {
			t.Fatalf("exit after SIGTERM: %v", err)
		}
	case <-time.After(10 * time.Second):
		t.Fatal("no exit after SIGTERM")
	}
}
