package gateway

import (
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"sync"
	"testing"

	"github.com/moongate/moongate/abi"
)

var buildGuests = sync.OnceValue(func() error {
	cmd := exec.Command("bash", "../guests/build.sh")
	out, err := cmd.CombinedOutput()
	if err != nil {
		return &buildError{err, string(out)}
	}
	return nil
})

type buildError struct {
	err error
	out string
}

func (e *buildError) Error() string { return e.err.Error() + "\n" + e.out }

// guest returns the absolute path of a guest built by guests/build.sh
// ("go/hello", "c/upper", "conformance-go"), building them once if needed.
func guest(t testing.TB, name string) string {
	t.Helper()
	path, err := filepath.Abs(filepath.Join("..", "guests", "build", name+".wasm"))
	if err != nil {
		t.Fatal(err)
	}
	if _, err := os.Stat(path); err != nil {
		if err := buildGuests(); err != nil {
			t.Fatalf("building guests: %v", err)
		}
		if _, err := os.Stat(path); err != nil {
			t.Fatalf("guest %s was not built (C guests need clang: make deps): %v", name, err)
		}
	}
	return path
}

var testGuestDir = sync.OnceValues(func() (string, error) { return os.MkdirTemp("", "moongate-test-guests") })

// testGuest builds gateway/testdata/guests/NAME with the Go SDK.
func testGuest(t testing.TB, name string) string {
	t.Helper()
	dir, err := testGuestDir()
	if err != nil {
		t.Fatal(err)
	}
	out := filepath.Join(dir, name+".wasm")
	if _, err := os.Stat(out); err == nil {
		return out
	}
	cmd := exec.Command("go", "build", "-buildmode=c-shared", "-o", out, "./testdata/guests/"+name)
	cmd.Env = append(os.Environ(), "GOOS=wasip1", "GOARCH=wasm")
	if b, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("building test guest %s: %v\n%s", name, err, b)
	}
	return out
}

func TestWasmGuests(t *testing.T) {
	for _, lang := range []string{"go", "c"} {
		t.Run(lang, func(t *testing.T) {
			g := func(name string) string { return guest(t, lang+"/"+name) }
			tg := startGateway(t, `
routes:
  - location: = /hello
    content: {wasm: `+g("hello")+`}
  - location: = /private
    access: {wasm: `+g("apikey")+`, config: {key: sesame, user: alice}}
    content: {lua: "ngx.say('user ', ngx.var.http_x_user)"}
  - location: = /stamped
    header_filter: {wasm: `+g("addheader")+`, config: {name: X-Stamp, value: `+lang+`}}
    content: {lua: "ngx.say('stamped')"}
  - location: = /upper
    body_filter: {wasm: `+g("upper")+`}
    content: {lua: "ngx.say('shout') ngx.say('louder')"}
  - location: = /counted
    log: {wasm: `+g("logcount")+`, pool: 1}
    content: {lua: "ngx.say('counted')"}
`, nil)
			tests := []struct {
				name, path string
				headers    []string
				status     int
				body       string
				header     [2]string
			}{
				{"hello", "/hello", nil, 200, "hello from a " + map[string]string{"go": "Go", "c": "C"}[lang] + " guest\n", [2]string{}},
				{"apikey refused", "/private", nil, 401, "401 Authorization Required", [2]string{}},
				{"apikey wrong", "/private", []string{"X-API-Key: nope"}, 401, "401 Authorization Required", [2]string{}},
				{"apikey accepted", "/private", []string{"X-API-Key: sesame"}, 200, "user alice\n", [2]string{}},
				{"header_filter", "/stamped", nil, 200, "stamped\n", [2]string{"X-Stamp", lang}},
				{"body_filter", "/upper", nil, 200, "SHOUT\nLOUDER\n", [2]string{}},
				{"log 1", "/counted", nil, 200, "counted\n", [2]string{}},
				{"log 2", "/counted", nil, 200, "counted\n", [2]string{}},
			}
			for _, tt := range tests {
				t.Run(tt.name, func(t *testing.T) {
					got := tg.get(tt.path, tt.headers...)
					if got.status != tt.status || !strings.Contains(got.body, tt.body) {
						t.Errorf("got %d %q, want %d %q", got.status, got.body, tt.status, tt.body)
					}
					if tt.header[0] != "" && got.header.Get(tt.header[0]) != tt.header[1] {
						t.Errorf("header %s = %q, want %q", tt.header[0], got.header.Get(tt.header[0]), tt.header[1])
					}
				})
			}
			if log := tg.errorLog(); !strings.Contains(log, "requests served: 2") {
				t.Errorf("logcount did not count two requests:\n%s", log)
			}
		})
	}
}

// passLine matches a conformance guest's report of one function.
var passLine = regexp.MustCompile(`(?m)PASS ([a-z_]+)`)

func TestWasmConformance(t *testing.T) {
	// The guests check their sockets against the Lua cosocket tests'
	// servers (cosocket_test.go).
	pki := newCosockPKI(t, t.TempDir())
	for _, lang := range []string{"go", "c"} {
		t.Run(lang, func(t *testing.T) {
			mod := guest(t, "conformance-"+lang)
			srv := startCosockServers(t, pki)
			// The body file checks make this file the request body.
			bodyFile := filepath.Join(t.TempDir(), "body")
			if err := os.WriteFile(bodyFile, []byte("from a file"), 0o600); err != nil {
				t.Fatal(err)
			}
			hook := fmt.Sprintf(`{wasm: %s, config: {"greeting": "hi", "n": 3, "tcp_port": %d, "tls_port": %d, "refused_port": %d, "udp_port": %d, "body_file": %q}}`,
				mod, srv.tcp, srv.tls, srv.refused, srv.udp, bodyFile)
			tg := startGateway(t, `
lua: {ssl_trusted_certificate: `+pki.caFile+`}
shared_dicts: {conformance: 64k}
variables: {conformance_who: "-"}
routes:
  - location: /conformance
    rewrite: `+hook+`
    access: `+hook+`
    content: `+hook+`
    header_filter: `+hook+`
    body_filter: `+hook+`
    log: `+hook+`
  - location: = /from_wasm
    content: {lua: "ngx.say(ngx.shared.conformance:get('from_wasm'))"}
  - location: = /from_timer
    content: {lua: "ngx.say(ngx.shared.conformance:get('on_timer'))"}
  - location: = /conformance_exec
    rewrite: `+hook+`
  - location: = /conformance_exec_target
    internal: true
    content: {lua: "ngx.say('exec ', ngx.var.uri, ' ', ngx.var.args, ' ', tostring(ngx.req.is_internal()))"}
  - location: = /conformance_sub
    internal: true
    content:
      lua: |
        ngx.req.read_body()
        ngx.header['X-Sub'] = 'yes'
        ngx.say(ngx.req.get_method(), ' ', ngx.var.args, ' ', ngx.req.get_body_data() or '-', ' ',
          ngx.var.conformance_who, ' ', tostring(ngx.req.is_internal()))
`, nil)
			// ngx.exec: the guest's rewrite redirects to the target, and
			// logs its lines.
			if ex := tg.get("/conformance_exec"); ex.body != "exec /conformance_exec_target x=1 true\n" {
				t.Errorf("/conformance_exec answered %d %q", ex.status, ex.body)
			}
			got := tg.do("POST", "/conformance?a=1&b=2&b=3&flag", "k=v&k2=v2",
				"X-Test: yes", "X-Multi: 1", "X-Multi: 2", "Content-Type: application/x-www-form-urlencoded")
			// ngx.eof sent the answer before content and log finished: wait
			// for the log phase's last line, and for the last line of the
			// timer content armed.
			tg.waitLog("conformance: done")
			report := got.body + "\n" + tg.waitLog("conformance: PASS on_timer")
			for _, line := range strings.Split(report, "\n") {
				if strings.Contains(line, "FAIL") {
					t.Errorf("%s", line)
				}
			}
			passed := map[string]bool{}
			for _, m := range passLine.FindAllStringSubmatch(report, -1) {
				passed[m[1]] = true
			}
			for _, f := range abi.Funcs {
				if !passed[f.Name] {
					t.Errorf("no PASS line for %s", f.Name)
				}
			}
			if t.Failed() {
				t.Logf("status %d, report:\n%s", got.status, report)
			}
			// The guest's log phase left a value in the dict the Lua hooks see.
			if lua := tg.get("/from_wasm"); lua.body != "conformance-"+lang+"42\n" {
				t.Errorf("Lua read %q from the dict the guest wrote", lua.body)
			}
			if !strings.Contains(report, "conformance: PASS on_timer") {
				t.Errorf("the guest's timer did not run")
			}
			if lua := tg.get("/from_timer"); lua.body != "ran\n" {
				t.Errorf("Lua read %q from the dict the guest's timer wrote", lua.body)
			}
		})
	}
}

func TestWasmFaultsFailOneRequest(t *testing.T) {
	tg := startGateway(t, `
routes:
  - location: = /trap
    content: {wasm: `+testGuest(t, "trap")+`}
  - location: = /spin
    content: {wasm: `+testGuest(t, "spin")+`, timeout: 200ms}
  - location: = /hog
    content: {wasm: `+testGuest(t, "hog")+`, memory: 32m}
  - location: = /ok
    content: {wasm: `+guest(t, "go/hello")+`}
`, nil)
	tests := []struct {
		path string
		log  string
	}{
		{"/trap", "trap guest: boom"},
		{"/spin", "200ms"},
		{"/hog", "memory"},
	}
	for _, tt := range tests {
		t.Run(tt.path, func(t *testing.T) {
			for i := 0; i < 2; i++ { // the failed instance is replaced, not reused
				if got := tg.get(tt.path); got.status != 500 {
					t.Errorf("%s answered %d, want 500", tt.path, got.status)
				}
				if got := tg.get("/ok"); got.status != 200 {
					t.Errorf("/ok after %s answered %d", tt.path, got.status)
				}
			}
			if log := tg.errorLog(); !strings.Contains(log, tt.log) {
				t.Errorf("error log lacks %q:\n%s", tt.log, log)
			}
		})
	}
}
