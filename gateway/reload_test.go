package gateway

import (
	"io"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"runtime"
	"strings"
	"testing"
)

// rewriteConfig replaces the served config file's routes.
func (tg *testGateway) rewriteConfig(routes string) {
	tg.t.Helper()
	path := filepath.Join(tg.dir, "moongate.yaml")
	b, err := os.ReadFile(path)
	if err != nil {
		tg.t.Fatal(err)
	}
	head, _, _ := strings.Cut(string(b), "routes:")
	if err := os.WriteFile(path, []byte(head+routes), 0o644); err != nil {
		tg.t.Fatal(err)
	}
}

func (tg *testGateway) adminPost(path string) (int, string) {
	tg.t.Helper()
	resp, err := testClient.Post("http://"+tg.AdminAddr().String()+path, "", nil)
	if err != nil {
		tg.t.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	return resp.StatusCode, string(b)
}

func TestReload(t *testing.T) {
	tg := startGateway(t, "routes:\n  - location: /\n    content: {lua: \"ngx.say('v1')\"}\n",
		map[string]string{"bad.wasm": "this is not wasm"})
	tests := []struct {
		name    string
		routes  string
		admin   int    // POST /reload status
		errText string // in the admin answer and the error log
		serves  string // body of GET / afterwards
	}{
		{name: "good", routes: "routes:\n  - location: /\n    content: {lua: \"ngx.say('v2')\"}\n",
			admin: 200, serves: "v2\n"},
		{name: "lua syntax error", routes: "routes:\n  - location: /\n    content: {lua: \"ngx.say('v3'\"}\n",
			admin: 400, errText: `routes[0] (location \"/\"): content:`, serves: "v2\n"},
		{name: "unknown key", routes: "routes:\n  - location: /\n    contnet: {lua: \"ngx.say('v3')\"}\n",
			admin: 400, errText: `unknown key \"contnet\"`, serves: "v2\n"},
		{name: "bad location", routes: "routes:\n  - location: \"~ (\"\n    content: {lua: \"ngx.say('v3')\"}\n",
			admin: 400, errText: "location", serves: "v2\n"},
		{name: "init fails", routes: "routes:\n  - location: /\n    content: {lua: \"ngx.say('v3')\"}\ninit: {lua: \"error('no')\"}\n",
			admin: 400, errText: "init", serves: "v2\n"},
		{name: "not a wasm module", routes: "routes:\n  - location: /\n    content: {wasm: bad.wasm}\n",
			admin: 400, errText: `bad.wasm: is not a WebAssembly module`, serves: "v2\n"},
		{name: "wasm module without the phase's export", routes: "routes:\n  - location: /\n    access: {wasm: " + guest(t, "c/hello") + "}\n",
			admin: 400, errText: "on_access", serves: "v2\n"},
		{name: "good again", routes: "routes:\n  - location: /\n    content: {lua: \"ngx.say('v4')\"}\n",
			admin: 200, serves: "v4\n"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			tg.rewriteConfig(tt.routes)
			status, body := tg.adminPost("/reload")
			if status != tt.admin || !strings.Contains(body, tt.errText) {
				t.Errorf("POST /reload = %d %s, want %d containing %q", status, body, tt.admin, tt.errText)
			}
			if tt.errText != "" && !strings.Contains(tg.errorLog(), "reload rejected") {
				t.Errorf("error log lacks the rejection:\n%s", tg.errorLog())
			}
			if got := tg.get("/"); got.body != tt.serves {
				t.Errorf("GET / = %q, want %q", got.body, tt.serves)
			}
		})
	}
}

func TestReloadKeepsInFlightRequestsOnTheirSnapshot(t *testing.T) {
	release := make(chan struct{})
	up := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Write([]byte(strings.Repeat("a", 4096)))
		w.(http.Flusher).Flush()
		<-release
		w.Write([]byte("z"))
	}))
	defer up.Close()
	routes := func(gen string) string {
		return "routes:\n  - location: /\n    proxy_pass: " + up.URL + "\n    proxy: {buffer_size: 1k}\n" +
			"    body_filter: {lua: \"if ngx.arg[2] then ngx.arg[1] = (ngx.arg[1] or '') .. '" + gen + "' end\"}\n"
	}
	tg := startGateway(t, routes("gen1"), nil)
	got := make(chan response, 1)
	go func() { got <- tg.get("/") }()
	for tg.snap.Load().refs.Load() == 0 { // wait until the request is in flight
		runtime.Gosched()
	}
	old := tg.snap.Load()
	tg.rewriteConfig(routes("gen2"))
	if err := tg.Reload(); err != nil {
		t.Fatal(err)
	}
	close(release)
	if r := <-got; !strings.HasSuffix(r.body, "zgen1") || len(r.body) != 4096+1+4 {
		t.Errorf("in-flight request got %d bytes ending %q, want the old snapshot's filter", len(r.body), r.body[max(0, len(r.body)-8):])
	}
	if r := tg.get("/"); !strings.HasSuffix(r.body, "zgen2") {
		t.Errorf("new request got body ending %q, want gen2", r.body[max(0, len(r.body)-8):])
	}
	tg.draining.Wait()
	if old.refs.Load() != 0 || !old.retired.Load() {
		t.Errorf("old snapshot not drained: refs %d retired %v", old.refs.Load(), old.retired.Load())
	}
}

func TestAdminEndpoints(t *testing.T) {
	tg := startGateway(t, "routes: []\n", nil)
	tests := []struct {
		method, path string
		status       int
		body         string
	}{
		{"GET", "/status", 200, `"generation":1`},
		{"GET", "/reload", 405, "use POST"},
		{"GET", "/nope", 404, "no such admin endpoint"},
	}
	for _, tt := range tests {
		req, _ := http.NewRequest(tt.method, "http://"+tg.AdminAddr().String()+tt.path, nil)
		resp, err := testClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		b, _ := io.ReadAll(resp.Body)
		resp.Body.Close()
		if resp.StatusCode != tt.status || !strings.Contains(string(b), tt.body) {
			t.Errorf("%s %s = %d %s, want %d %q", tt.method, tt.path, resp.StatusCode, b, tt.status, tt.body)
		}
	}
}
