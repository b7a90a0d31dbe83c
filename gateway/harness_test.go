package gateway

import (
	"context"
	"io"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

// testGateway is a real gateway serving a test config on an ephemeral
// loopback port.
type testGateway struct {
	*Gateway
	t    testing.TB
	dir  string
	base string // "http://127.0.0.1:port"
	log  string // error log path
}

// startGateway writes body (YAML, without listen/admin/error_log, which
// it adds) and files (name -> content) into a temp dir and serves it.
func startGateway(t testing.TB, body string, files map[string]string) *testGateway {
	t.Helper()
	dir := t.TempDir()
	for name, content := range files {
		p := filepath.Join(dir, name)
		if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(p, []byte(content), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	logPath := filepath.Join(dir, "error.log")
	cfg := "listen: 127.0.0.1:0\nadmin: {listen: 127.0.0.1:0}\nerror_log: {path: " + logPath + ", level: info}\n" +
		"wasm: {cache_dir: " + testWasmCache + "}\n" + body
	path := filepath.Join(dir, "moongate.yaml")
	if err := os.WriteFile(path, []byte(cfg), 0o644); err != nil {
		t.Fatal(err)
	}
	g, err := New(path)
	if err != nil {
		t.Fatalf("config rejected: %v", err)
	}
	if err := g.Listen(); err != nil {
		t.Fatal(err)
	}
	go g.Serve()
	tg := &testGateway{Gateway: g, t: t, dir: dir, base: "http://" + g.Addr().String(), log: logPath}
	t.Cleanup(func() {
		ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
		defer cancel()
		g.Shutdown(ctx)
	})
	return tg
}

// response is what a test request got back.
type response struct {
	status int
	header http.Header
	body   string
}

// do sends one request; headers are "Name: value" strings.
func (tg *testGateway) do(method, path, body string, headers ...string) response {
	tg.t.Helper()
	req, err := http.NewRequest(method, tg.base+path, strings.NewReader(body))
	if err != nil {
		tg.t.Fatal(err)
	}
	for _, h := range headers {
		k, v, _ := strings.Cut(h, ":")
		req.Header.Add(k, strings.TrimSpace(v))
	}
	resp, err := testClient.Do(req)
	if err != nil {
		tg.t.Fatalf("%s %s: %v", method, path, err)
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	if err != nil {
		tg.t.Fatalf("%s %s: reading body: %v", method, path, err)
	}
	return response{status: resp.StatusCode, header: resp.Header, body: string(b)}
}

// get is do("GET", path, "", headers...).
func (tg *testGateway) get(path string, headers ...string) response {
	tg.t.Helper()
	return tg.do("GET", path, "", headers...)
}

// errorLog returns the error log's content so far.
func (tg *testGateway) errorLog() string {
	b, _ := os.ReadFile(tg.log)
	return string(b)
}

var testClient = &http.Client{Timeout: 10 * time.Second}

// testWasmCache is the compilation cache every test gateway shares, so a
// guest is compiled once, not once per test (slow under -race).
var testWasmCache = filepath.Join(os.TempDir(), "moongate-test-wasm-cache")

// waitLog returns the error log once it contains want, or after 5 seconds.
func (tg *testGateway) waitLog(want string) string {
	deadline := time.Now().Add(5 * time.Second)
	for {
		log := tg.errorLog()
		if strings.Contains(log, want) || time.Now().After(deadline) {
			return log
		}
		time.Sleep(5 * time.Millisecond)
	}
}
