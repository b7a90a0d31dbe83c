package gateway

import (
	"context"
	"encoding/base64"
	"encoding/json"
	"errors"
	"io"
	"net"
	"net/http"
	"net/url"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"
)

// adminDo sends one admin API request; headers are "Name: value" strings.
func (tg *testGateway) adminDo(method, path, body string, headers ...string) response {
	tg.t.Helper()
	admin := *tg
	admin.base = "http://" + tg.AdminAddr().String()
	return admin.do(method, path, body, headers...)
}

// adminCheck sends one admin API request and checks its status, that the
// answer contains each of want and, for a GET or a refused change, that
// the disk was left alone.
func (tg *testGateway) adminCheck(t *testing.T, method, path, body string, headers []string, status int, want []string) {
	t.Helper()
	before := tg.diskState()
	resp := tg.adminDo(method, path, body, headers...)
	if resp.status != status {
		t.Errorf("status %d, want %d: %s", resp.status, status, resp.body)
	}
	for _, w := range want {
		if !strings.Contains(resp.body, w) {
			t.Errorf("answer lacks %q: %s", w, resp.body)
		}
	}
	if status >= 400 || method == "GET" {
		if after := tg.diskState(); after != before {
			t.Errorf("disk changed:\n%s\n=>\n%s", before, after)
		}
	}
}

// diskState is the config file and the plugin dir's listing, to check
// that a rejected change left the disk alone.
func (tg *testGateway) diskState() string {
	tg.t.Helper()
	b, err := os.ReadFile(filepath.Join(tg.dir, "moongate.yaml"))
	if err != nil {
		tg.t.Fatal(err)
	}
	entries, _ := os.ReadDir(filepath.Join(tg.dir, "plugins"))
	var names []string
	for _, e := range entries {
		names = append(names, e.Name())
	}
	return string(b) + "\n--- plugins: " + strings.Join(names, " ")
}

// writeAdminConfig writes moongate.yaml into dir: loopback listen, the
// admin section admin (YAML flow mapping content), an error log in dir and
// body; it returns the file's path.
func writeAdminConfig(t *testing.T, dir, admin, body string) string {
	t.Helper()
	path := filepath.Join(dir, "moongate.yaml")
	cfg := "listen: 127.0.0.1:0\nadmin: {" + admin + "}\nerror_log: {path: " + filepath.Join(dir, "error.log") + "}\n" + body
	if err := os.WriteFile(path, []byte(cfg), 0o644); err != nil {
		t.Fatal(err)
	}
	return path
}

// serveConfig serves the config file at path on a new Gateway.
func serveConfig(t *testing.T, path string) *testGateway {
	t.Helper()
	g, err := New(path)
	if err != nil {
		t.Fatalf("config rejected: %v", err)
	}
	if err := g.Listen(); err != nil {
		t.Fatal(err)
	}
	go g.Serve()
	t.Cleanup(func() {
		ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
		defer cancel()
		g.Shutdown(ctx)
	})
	dir := filepath.Dir(path)
	return &testGateway{Gateway: g, t: t, dir: dir, base: "http://" + g.Addr().String(), log: filepath.Join(dir, "error.log")}
}

// verPlugin is a Lua plugin whose header_filter sets X-Ver to its conf.v
// prefixed with tag.
func verPlugin(tag string) string {
	return `
local M = {schema = {v = {type = "string", required = true}}}
function M.header_filter(conf) ngx.header["X-Ver"] = "` + tag + `" .. conf.v end
return M
`
}

const adminTestConfig = `
# the test config: this comment must survive admin edits
plugins:
  ver: {lua_file: plugins/ver.lua, config: {v: "1"}}
routes:
  - id: r1
    location: = /r1
    plugins: {ver: ~}
    content: {lua: "ngx.say('r1')"}
  - location: = /anonymous   # a route without id
    content: {lua: "ngx.say('anon')"}
`

func TestAdminPlugins(t *testing.T) {
	tg := startGateway(t, adminTestConfig, map[string]string{"plugins/ver.lua": verPlugin("a")})
	wasmBin, err := os.ReadFile(guest(t, "c/addheader"))
	if err != nil {
		t.Fatal(err)
	}
	jsonBody := func(v map[string]any) string { b, _ := json.Marshal(v); return string(b) }
	const ctJSON = "Content-Type: application/json"
	tests := []struct {
		name         string
		method, path string
		body         string
		headers      []string
		status       int
		want         []string // in the answer
		r1           string   // X-Ver of GET /r1 afterwards
	}{
		{name: "list", method: "GET", path: "/plugins", status: 200,
			want: []string{`"name":"ver"`, `"kind":"lua"`, `"version":1`, `"routes":["r1"]`}, r1: "a1"},
		{name: "get", method: "GET", path: "/plugins/ver", status: 200,
			want: []string{`"config":{"v":"1"}`, `"sha256":"`, `plugins/ver.lua"`}, r1: "a1"},
		{name: "get unknown", method: "GET", path: "/plugins/nope", status: 404, want: []string{`"error":"no plugin \"nope\""`}, r1: "a1"},
		{name: "wrong method", method: "POST", path: "/plugins/ver", status: 405, want: []string{"use DELETE or GET or PUT"}, r1: "a1"},
		{name: "raw lua", method: "PUT", path: "/plugins/ver", body: verPlugin("b"), status: 200,
			want: []string{`"version":2`, `"file":"` + tg.dir + `/plugins/ver-`}, r1: "b1"},
		{name: "raw lua with config query", method: "PUT", path: "/plugins/ver?config=" + url.QueryEscape(`{"v":"2"}`), body: verPlugin("c"), status: 200,
			want: []string{`"version":3`}, r1: "c2"},
		{name: "json lua keeps config", method: "PUT", path: "/plugins/ver", headers: []string{ctJSON},
			body: jsonBody(map[string]any{"lua": verPlugin("d"), "priority": 7}), status: 200,
			want: []string{`"version":4`, `"priority":7`}, r1: "d2"},
		{name: "settings only", method: "PUT", path: "/plugins/ver", headers: []string{ctJSON},
			body: `{"config": {"v": "3"}}`, status: 200, want: []string{`"version":5`}, r1: "d3"},
		{name: "new wasm plugin, raw", method: "PUT", path: "/plugins/hdr?priority=3&config=" + url.QueryEscape(`{"name":"X-Hdr","value":"h"}`),
			body: string(wasmBin), status: 201, want: []string{`"kind":"wasm"`, `"version":1`, `"routes":[]`}, r1: "d3"},
		{name: "garbage declared as wasm", method: "PUT", path: "/plugins/ver", headers: []string{ctJSON},
			body: jsonBody(map[string]any{"wasm": base64.StdEncoding.EncodeToString([]byte("garbage"))}), status: 400,
			want: []string{`plugin \"ver\": wasm: not a WebAssembly module`}, r1: "d3"},
		{name: "bad base64", method: "PUT", path: "/plugins/ver", headers: []string{ctJSON},
			body: `{"wasm": "%%%"}`, status: 400, want: []string{`plugin \"ver\": wasm: illegal base64`}, r1: "d3"},
		{name: "lua syntax error", method: "PUT", path: "/plugins/ver", body: "return {", status: 400,
			want: []string{"moongate.yaml", "plugins.ver", "ver-"}, r1: "d3"},
		{name: "config failing the schema", method: "PUT", path: "/plugins/ver?config=" + url.QueryEscape(`{"v":5}`), status: 400,
			want: []string{"moongate.yaml", `routes[0] (location \"= /r1\"): plugins.ver`, `v`}, r1: "d3"},
		{name: "unknown key", method: "PUT", path: "/plugins/ver", headers: []string{ctJSON}, body: `{"luaa": "x"}`, status: 400,
			want: []string{`plugin \"ver\": luaa: unknown key`}, r1: "d3"},
		{name: "lua and wasm", method: "PUT", path: "/plugins/ver", headers: []string{ctJSON}, body: `{"lua": "x", "wasm": "AGFzbQ=="}`, status: 400,
			want: []string{"not both"}, r1: "d3"},
		{name: "new plugin without code", method: "PUT", path: "/plugins/empty?priority=1", status: 400,
			want: []string{`plugin \"empty\": a new plugin needs its code`}, r1: "d3"},
		{name: "invalid name", method: "PUT", path: "/plugins/a.b", body: verPlugin("x"), status: 400,
			want: []string{`invalid plugin name \"a.b\"`}, r1: "d3"},
		{name: "wasm limits on lua", method: "PUT", path: "/plugins/ver", headers: []string{ctJSON}, body: `{"pool": 2}`, status: 400,
			want: []string{"plugins.ver.pool: pool is only allowed with wasm"}, r1: "d3"},
		{name: "delete used", method: "DELETE", path: "/plugins/ver", status: 409, want: []string{`plugin \"ver\" is used by routes: r1`}, r1: "d3"},
		{name: "delete unknown", method: "DELETE", path: "/plugins/nope", status: 404, want: []string{`no plugin \"nope\"`}, r1: "d3"},
		{name: "delete", method: "DELETE", path: "/plugins/hdr", status: 200, want: []string{`"deleted":"hdr"`}, r1: "d3"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			tg.adminCheck(t, tt.method, tt.path, tt.body, tt.headers, tt.status, tt.want)
			if got := tg.get("/r1").header.Get("X-Ver"); got != tt.r1 {
				t.Errorf("GET /r1: X-Ver %q, want %q", got, tt.r1)
			}
		})
	}
	// Only the serving version's file is left of the uploads, and the
	// config kept its comments.
	entries, _ := os.ReadDir(filepath.Join(tg.dir, "plugins"))
	var uploads []string
	for _, e := range entries {
		if pluginFileName.MatchString(e.Name()) {
			uploads = append(uploads, e.Name())
		}
	}
	if len(uploads) != 1 || !strings.HasPrefix(uploads[0], "ver-") {
		t.Errorf("plugin dir holds uploads %v, want one ver-*.lua", uploads)
	}
	if state := tg.diskState(); !strings.Contains(state, "# the test config: this comment must survive") || !strings.Contains(state, "# a route without id") {
		t.Errorf("comments lost:\n%s", state)
	}
}

func TestAdminRoutes(t *testing.T) {
	tg := startGateway(t, adminTestConfig, map[string]string{"plugins/ver.lua": verPlugin("a")})
	tests := []struct {
		name         string
		method, path string
		body         string
		status       int
		want         []string
		get          string // a path served afterwards
		serves       string // its body; "" for a 404
	}{
		{name: "list", method: "GET", path: "/routes", status: 200,
			want: []string{`"id":"r1"`, `"location":"= /anonymous"`}, get: "/r1", serves: "r1\n"},
		{name: "get", method: "GET", path: "/routes/r1", status: 200,
			want: []string{`"plugins":{"ver":null}`, `"location":"= /r1"`}, get: "/r1", serves: "r1\n"},
		{name: "get unknown", method: "GET", path: "/routes/nope", status: 404, want: []string{`no route with id \"nope\"`}},
		{name: "put new, JSON", method: "PUT", path: "/routes/r2",
			body:   `{"location": "= /r2", "plugins": {"ver": {"v": "r2"}}, "content": {"lua": "ngx.say('r2')"}}`,
			status: 201, want: []string{`"id":"r2"`}, get: "/r2", serves: "r2\n"},
		{name: "replace, YAML", method: "PUT", path: "/routes/r2",
			body: "location: = /r2\ncontent: {lua: \"ngx.say('r2 again')\"}\n", status: 200, get: "/r2", serves: "r2 again\n"},
		{name: "id mismatch", method: "PUT", path: "/routes/r2", body: `{"id": "r3", "location": "/"}`, status: 400,
			want: []string{`route \"r2\": the body's id is \"r3\"`}, get: "/r2", serves: "r2 again\n"},
		{name: "not a mapping", method: "PUT", path: "/routes/r2", body: `[1, 2]`, status: 400,
			want: []string{`route \"r2\": not a mapping`}, get: "/r2", serves: "r2 again\n"},
		{name: "bad location", method: "PUT", path: "/routes/r2", body: `{"location": "~ (", "content": {"lua": "ngx.say(1)"}}`, status: 400,
			want: []string{`moongate.yaml`, `routes[2] (location \"~ (\"): location`}, get: "/r2", serves: "r2 again\n"},
		{name: "unknown plugin", method: "PUT", path: "/routes/r2", body: `{"location": "= /r2", "plugins": {"nope": null}}`, status: 400,
			want: []string{`routes[2] (location \"= /r2\"): plugins: unknown plugin \"nope\"`}, get: "/r2", serves: "r2 again\n"},
		{name: "wrong method", method: "POST", path: "/routes", status: 405, want: []string{"use GET"}},
		{name: "delete", method: "DELETE", path: "/routes/r2", status: 200, want: []string{`"deleted":"r2"`}, get: "/r2"},
		{name: "delete unknown", method: "DELETE", path: "/routes/r2", status: 404, want: []string{`no route with id \"r2\"`}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			tg.adminCheck(t, tt.method, tt.path, tt.body, nil, tt.status, tt.want)
			if tt.get == "" {
				return
			}
			got := tg.get(tt.get)
			if want := map[bool]int{true: 404, false: 200}[tt.serves == ""]; got.status != want || tt.serves != "" && got.body != tt.serves {
				t.Errorf("GET %s = %d %q, want %d %q", tt.get, got.status, got.body, want, tt.serves)
			}
		})
	}
}

func TestAdminConfig(t *testing.T) {
	tg := startGateway(t, adminTestConfig, map[string]string{"plugins/ver.lua": verPlugin("a")})
	file := filepath.Join(tg.dir, "moongate.yaml")
	original, err := os.ReadFile(file)
	if err != nil {
		t.Fatal(err)
	}
	head, _, _ := strings.Cut(string(original), "\n# the test config")
	tests := []struct {
		name    string
		method  string
		body    string
		headers []string
		status  int
		want    []string // in the answer
		r1      string   // body of GET /r1 afterwards
	}{
		{name: "get YAML", method: "GET", status: 200, want: []string{string(original)}, r1: "r1\n"},
		{name: "get JSON", method: "GET", headers: []string{"Accept: application/json"}, status: 200,
			want: []string{`"plugins":{"ver":{"config":{"v":"1"},"lua_file":"plugins/ver.lua"}}`}, r1: "r1\n"},
		{name: "put YAML", method: "PUT", status: 200, want: []string{`"generation":2`},
			body: head + "\nroutes:\n  - {id: r1, location: = /r1, content: {lua: \"ngx.say('yaml')\"}}\n", r1: "yaml\n"},
		{name: "put invalid", method: "PUT", status: 400, want: []string{`moongate.yaml:`, `unknown key \"contnet\"`},
			body: head + "\nroutes:\n  - {id: r1, location: = /r1, contnet: {lua: \"ngx.say('yaml')\"}}\n", r1: "yaml\n"},
		{name: "put YAML syntax error", method: "PUT", status: 400, want: []string{`moongate.yaml:`},
			body: head + "\nroutes: [\n", r1: "yaml\n"},
		{name: "put empty", method: "PUT", status: 400, want: []string{`config: empty body`}, body: " \n", r1: "yaml\n"},
		{name: "wrong method", method: "POST", status: 405, want: []string{"use GET or PUT"}, r1: "yaml\n"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			tg.adminCheck(t, tt.method, "/config", tt.body, tt.headers, tt.status, tt.want)
			if got := tg.get("/r1"); got.body != tt.r1 {
				t.Errorf("GET /r1 = %q, want %q", got.body, tt.r1)
			}
		})
	}
	t.Run("put JSON", func(t *testing.T) {
		var cfg map[string]any
		resp := tg.adminDo("GET", "/config", "", "Accept: application/json")
		if err := json.Unmarshal([]byte(resp.body), &cfg); err != nil {
			t.Fatal(err)
		}
		cfg["routes"] = []any{map[string]any{"id": "r1", "location": "= /r1", "content": map[string]any{"lua": "ngx.say('json')"}}}
		body, _ := json.Marshal(cfg)
		if resp := tg.adminDo("PUT", "/config", string(body), "Content-Type: application/json"); resp.status != 200 {
			t.Fatalf("PUT /config = %d %s", resp.status, resp.body)
		}
		if got := tg.get("/r1"); got.body != "json\n" {
			t.Errorf("GET /r1 = %q, want json", got.body)
		}
		if b, _ := os.ReadFile(file); strings.Contains(string(b), "{") {
			t.Errorf("the JSON config was not written as block YAML:\n%s", b)
		}
	})
}

func TestAdminStatusAndReload(t *testing.T) {
	// No watching: only POST /reload reloads the edited file.
	tg := startGateway(t, "watch: {enabled: false}\n"+adminTestConfig, map[string]string{"plugins/ver.lua": verPlugin("a")})
	cfg := filepath.Join(tg.dir, "moongate.yaml")
	b, _ := os.ReadFile(cfg)
	withHdr := strings.Replace(string(b), "plugins:\n", "plugins:\n  hdr: {wasm: "+guest(t, "c/addheader")+", pool: 3}\n", 1)
	tests := []struct {
		name   string
		do     func() response
		status int
		want   []string
	}{
		{name: "status", do: func() response { return tg.adminDo("GET", "/status", "") }, status: 200,
			want: []string{`"generation":1`, `"routes":2`, `"ver":{"kind":"lua"`, `"version":1`, `"lua_vms":`, `"wasm":[]`}},
		{name: "reload", do: func() response {
			os.WriteFile(cfg, []byte(withHdr), 0o644)
			return tg.adminDo("POST", "/reload", "")
		}, status: 200, want: []string{`"generation":2`}},
		{name: "status after", do: func() response { return tg.adminDo("GET", "/status", "") }, status: 200,
			want: []string{`"generation":2`, `"hdr":{"kind":"wasm"`, `"size":3`, `addheader.wasm"`}},
		{name: "reload GET", do: func() response { return tg.adminDo("GET", "/reload", "") }, status: 405, want: []string{"use POST"}},
		{name: "unknown endpoint", do: func() response { return tg.adminDo("GET", "/nope", "") }, status: 404, want: []string{"no such admin endpoint"}},
		{name: "unknown sub-path", do: func() response { return tg.adminDo("GET", "/plugins/a/b", "") }, status: 404, want: []string{"no such admin endpoint"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			resp := tt.do()
			if resp.status != tt.status {
				t.Errorf("status %d, want %d: %s", resp.status, tt.status, resp.body)
			}
			for _, w := range tt.want {
				if !strings.Contains(resp.body, w) {
					t.Errorf("answer lacks %q: %s", w, resp.body)
				}
			}
		})
	}
}

func TestAdminToken(t *testing.T) {
	dir := t.TempDir()
	path := writeAdminConfig(t, dir, "listen: 0.0.0.0:0, token: s3cret", "routes: []\n")
	open := serveConfig(t, path)
	_, port, err := net.SplitHostPort(open.AdminAddr().String())
	if err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		name   string
		path   string
		auth   []string
		status int
	}{
		{"no token", "/status", nil, 401},
		{"wrong token", "/status", []string{"Authorization: Bearer nope"}, 401},
		{"token prefix", "/status", []string{"Authorization: Bearer s3cre"}, 401},
		{"basic", "/status", []string{"Authorization: Basic czNjcmV0"}, 401},
		{"right token", "/status", []string{"Authorization: Bearer s3cret"}, 200},
		{"scheme in lower case", "/status", []string{"Authorization: bearer s3cret"}, 200},
		{"pprof without token", "/debug/pprof/", nil, 401},
		{"pprof with token", "/debug/pprof/", []string{"Authorization: Bearer s3cret"}, 200},
		{"unknown endpoint without token", "/nope", nil, 401},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			req, _ := http.NewRequest("GET", "http://127.0.0.1:"+port+tt.path, nil)
			for _, h := range tt.auth {
				k, v, _ := strings.Cut(h, ":")
				req.Header.Set(k, strings.TrimSpace(v))
			}
			resp, err := testClient.Do(req)
			if err != nil {
				t.Fatal(err)
			}
			body, _ := io.ReadAll(resp.Body)
			resp.Body.Close()
			if resp.StatusCode != tt.status {
				t.Errorf("status %d, want %d: %s", resp.StatusCode, tt.status, body)
			}
			if tt.status == 401 && (!strings.Contains(string(body), `{"error":"missing or wrong bearer token"}`) || resp.Header.Get("WWW-Authenticate") == "") {
				t.Errorf("401 answer %q (WWW-Authenticate %q), want the JSON error", body, resp.Header.Get("WWW-Authenticate"))
			}
		})
	}
}

func TestAdminChangesSurviveARestart(t *testing.T) {
	tg := startGateway(t, adminTestConfig, map[string]string{"plugins/ver.lua": verPlugin("a")})
	changes := []struct {
		method, path, body string
		headers            []string
	}{
		{"PUT", "/plugins/ver", verPlugin("persisted"), nil},
		{"PUT", "/routes/r2", `{"location": "= /r2", "plugins": {"ver": {"v": "2"}}, "content": {"lua": "ngx.say('r2')"}}`, nil},
		{"DELETE", "/routes/r1", "", nil},
	}
	for _, c := range changes {
		if resp := tg.adminDo(c.method, c.path, c.body, c.headers...); resp.status >= 300 {
			t.Fatalf("%s %s = %d %s", c.method, c.path, resp.status, resp.body)
		}
	}
	restarted := serveConfig(t, filepath.Join(tg.dir, "moongate.yaml"))
	tests := []struct {
		path   string
		status int
		ver    string
	}{
		{"/r2", 200, "persisted2"},
		{"/r1", 404, ""},
	}
	for _, tt := range tests {
		t.Run(tt.path, func(t *testing.T) {
			got := restarted.get(tt.path)
			if got.status != tt.status || got.header.Get("X-Ver") != tt.ver {
				t.Errorf("GET %s after a restart = %d X-Ver %q, want %d %q", tt.path, got.status, got.header.Get("X-Ver"), tt.status, tt.ver)
			}
		})
	}
	if st := restarted.adminDo("GET", "/plugins/ver", ""); !strings.Contains(st.body, `"file":"`+tg.dir+"/plugins/ver-") {
		t.Errorf("restarted gateway's plugin: %s", st.body)
	}
}

// TestWriteFileAtomic checks the permissions are kept and no temp file is
// left behind.
func TestWriteFileAtomic(t *testing.T) {
	dir := t.TempDir()
	path := filepath.Join(dir, "f.yaml")
	if err := os.WriteFile(path, []byte("old"), 0o600); err != nil {
		t.Fatal(err)
	}
	if err := writeFileAtomic(path, []byte("new")); err != nil {
		t.Fatal(err)
	}
	b, _ := os.ReadFile(path)
	fi, _ := os.Stat(path)
	entries, _ := os.ReadDir(dir)
	names := []string{}
	for _, e := range entries {
		names = append(names, e.Name())
	}
	if string(b) != "new" || fi.Mode().Perm() != 0o600 || !slices.Equal(names, []string{"f.yaml"}) {
		t.Errorf("got %q mode %v files %v, want \"new\" 0600 [f.yaml]", b, fi.Mode().Perm(), names)
	}
}

// TestAdminPathTraversal checks that a plugin name or route id in the path
// cannot reach outside the plugin dir or the config: fasthttp resolves
// dot segments (also percent-encoded ones) before the admin API sees the
// path, and a name must be [A-Za-z0-9_-]+.
func TestAdminPathTraversal(t *testing.T) {
	tg := startGateway(t, adminTestConfig, map[string]string{"plugins/ver.lua": verPlugin("a")})
	outside := filepath.Dir(tg.dir)
	before := tg.diskState()
	tests := []struct {
		method, path string
		status       int
	}{
		{"PUT", "/plugins/../x", 404},
		{"PUT", "/plugins/..%2fx", 404},
		{"PUT", "/plugins/%2e%2e", 404},
		{"PUT", "/plugins/a%2Fb", 404},
		{"PUT", "/plugins/..%5cx", 400},
		{"PUT", "/plugins/x%00", 400},
		{"DELETE", "/plugins/..%2f..%2fmoongate", 404},
		{"PUT", "/routes/..%2f..%2fx", 404},
	}
	for _, tt := range tests {
		t.Run(tt.method+" "+tt.path, func(t *testing.T) {
			resp := tg.adminDo(tt.method, tt.path, verPlugin("evil"))
			if resp.status != tt.status {
				t.Errorf("status %d, want %d: %s", resp.status, tt.status, resp.body)
			}
			if after := tg.diskState(); after != before {
				t.Errorf("disk changed:\n%s\n=>\n%s", before, after)
			}
			for _, dir := range []string{outside, tg.dir} {
				entries, _ := os.ReadDir(dir)
				for _, e := range entries {
					if strings.HasPrefix(e.Name(), "x") || strings.HasSuffix(e.Name(), ".lua") {
						t.Errorf("%s holds %s", dir, e.Name())
					}
				}
			}
		})
	}
}

// TestAdminConcurrentChanges sends several PUTs at once: each edits the
// config file as the others left it, so all of them end up on disk and
// serving, each answering with its own generation.
func TestAdminConcurrentChanges(t *testing.T) {
	tg := startGateway(t, "watch: {enabled: false}\n"+adminTestConfig, map[string]string{"plugins/ver.lua": verPlugin("a")})
	const n = 4
	type answer struct {
		status int
		gen    uint64
		body   string
	}
	answers := make(chan answer, n)
	start := make(chan struct{})
	for i := range n {
		go func() {
			<-start
			id := "c" + strconv.Itoa(i)
			resp := tg.adminDo("PUT", "/routes/"+id, `{"location": "= /`+id+`", "content": {"lua": "ngx.say('`+id+`')"}}`)
			var v struct{ Generation uint64 }
			json.Unmarshal([]byte(resp.body), &v)
			answers <- answer{resp.status, v.Generation, resp.body}
		}()
	}
	close(start)
	gens := map[uint64]bool{}
	for range n {
		a := <-answers
		if a.status != 201 || gens[a.gen] {
			t.Errorf("PUT = %d %s (generations so far %v)", a.status, a.body, gens)
		}
		gens[a.gen] = true
	}
	restarted := serveConfig(t, filepath.Join(tg.dir, "moongate.yaml"))
	for i := range n {
		id := "c" + strconv.Itoa(i)
		for _, g := range []*testGateway{tg, restarted} {
			if got := g.get("/" + id); got.status != 200 || got.body != id+"\n" {
				t.Errorf("GET /%s = %d %q, want 200 %q", id, got.status, got.body, id+"\n")
			}
		}
	}
}

// TestShutdownBeforeServe checks that Serve after Shutdown returns at once
// instead of serving (and watching) for good.
func TestShutdownBeforeServe(t *testing.T) {
	dir := t.TempDir()
	path := writeAdminConfig(t, dir, "listen: 127.0.0.1:0", "routes: []\n")
	g, err := New(path)
	if err != nil {
		t.Fatal(err)
	}
	if err := g.Listen(); err != nil {
		t.Fatal(err)
	}
	if err := g.Shutdown(context.Background()); err != nil {
		t.Fatal(err)
	}
	if err := g.Serve(); !errors.Is(err, errStopped) {
		t.Errorf("Serve after Shutdown = %v, want %v", err, errStopped)
	}
	if err := g.Reload(); !errors.Is(err, errStopped) {
		t.Errorf("Reload after Shutdown = %v, want %v", err, errStopped)
	}
	if err := g.Shutdown(context.Background()); err != nil {
		t.Errorf("second Shutdown = %v", err)
	}
}

// TestAdminRejectedUploadLeavesNoDir checks that a rejected first upload
// removes the plugin dir it had to create, not only its file.
func TestAdminRejectedUploadLeavesNoDir(t *testing.T) {
	dir := t.TempDir()
	path := writeAdminConfig(t, dir, "listen: 127.0.0.1:0, plugin_dir: uploads", "watch: {enabled: false}\nroutes: []\n")
	tg := serveConfig(t, path)
	tests := []struct {
		name, body string
		status     int
		dirLeft    bool
	}{
		{"syntax error", "return {", 400, false},
		{"valid", "return {}", 201, true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if resp := tg.adminDo("PUT", "/plugins/p", tt.body); resp.status != tt.status {
				t.Errorf("PUT /plugins/p = %d %s, want %d", resp.status, resp.body, tt.status)
			}
			if _, err := os.Stat(filepath.Join(dir, "uploads")); (err == nil) != tt.dirLeft {
				t.Errorf("uploads dir: %v, want it there: %v", err, tt.dirLeft)
			}
		})
	}
}

// TestReloadKeepsUsedUploads checks that a reload does not remove an
// uploaded plugin file the config names by an unclean absolute path.
func TestReloadKeepsUsedUploads(t *testing.T) {
	dir := t.TempDir()
	upload := filepath.Join(dir, "uploads", "ver-0123456789abcdef.lua")
	if err := os.MkdirAll(filepath.Dir(upload), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(upload, []byte(verPlugin("u")), 0o644); err != nil {
		t.Fatal(err)
	}
	path := writeAdminConfig(t, dir, "listen: 127.0.0.1:0, plugin_dir: uploads", "watch: {enabled: false}\n"+
		"plugins: {ver: {lua_file: "+dir+"//uploads/./ver-0123456789abcdef.lua, config: {v: '1'}}}\n"+
		"routes: [{location: /, plugins: {ver: ~}, content: {lua: \"ngx.say('ok')\"}}]\n")
	tg := serveConfig(t, path)
	if resp := tg.adminDo("POST", "/reload", ""); resp.status != 200 {
		t.Fatalf("POST /reload = %d %s", resp.status, resp.body)
	}
	if _, err := os.Stat(upload); err != nil {
		t.Errorf("the used upload is gone: %v", err)
	}
	if got := tg.get("/").header.Get("X-Ver"); got != "u1" {
		t.Errorf("X-Ver %q, want u1", got)
	}
}
