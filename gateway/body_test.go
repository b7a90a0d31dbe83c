package gateway

import (
	"bytes"
	"crypto/sha256"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
)

// TestReqBodyFiles checks the body-file APIs against OpenResty (see
// runReqCases): which bodies are spooled, the errors of calls in the wrong
// order, and bodies built by a hook then proxied.
func TestReqBodyFiles(t *testing.T) {
	file := filepath.Join(t.TempDir(), "body.txt")
	if err := os.WriteFile(file, []byte("from a file"), 0o644); err != nil {
		t.Fatal(err)
	}
	where := reqContent(luaOut(`
		ngx.req.read_body()
		local d = ngx.req.get_body_data()
		o(t.dump(ngx.req.get_body_file() ~= nil, d and #d, ngx.var.request_body and #ngx.var.request_body))
		o(t.dump(ngx.req.get_post_args()))`))
	chunked := func(n int) string {
		return fmt.Sprintf("POST {target} HTTP/1.1\r\nHost: h\r\nTransfer-Encoding: chunked\r\n\r\n%x\r\n%s\r\n0\r\n\r\n", n, strings.Repeat("a", n))
	}
	runReqCases(t, []reqCase{
		{name: "small body in memory", method: "POST", body: strings.Repeat("a", 1000), hooks: where,
			status: 200, want: "false 1000 1000\n{" + strings.Repeat("a", 1000) + "=true}"},
		{name: "large body in a file", method: "POST", body: strings.Repeat("a", 25000), hooks: where,
			status: 200, want: "true nil nil\nnil \"request body in temp file not supported\""},
		{name: "small chunked body in memory", raw: chunked(1000), hooks: where,
			status: 200, want: "false 1000 1000\n{" + strings.Repeat("a", 1000) + "=true}"},
		{name: "large chunked body in a file", raw: chunked(20000), hooks: where,
			status: 200, want: "true nil nil\nnil \"request body in temp file not supported\""},
		{name: "wrong order", method: "POST", body: "a=1", hooks: reqContent(luaOut(`
			o(t.try(ngx.req.append_body, "x"))
			o(t.try(ngx.req.finish_body))
			o(t.try(ngx.req.init_body))
			o(t.try(ngx.req.set_body_file, "` + file + `"))
			o(t.dump(ngx.req.get_body_file()))
			ngx.req.read_body()
			o(t.try(ngx.req.append_body, "x"))
			o(t.try(ngx.req.finish_body))
			o(t.dump(ngx.req.get_body_data(), ngx.req.get_body_file()))`)),
			status: 200, want: `error request_body not initialized
error request_body not initialized
error request body not read yet
error request body not read yet
nil
error request_body not initialized
error request_body not initialized
"a=1" nil`},
		{name: "bad arguments", method: "POST", body: "a=1", hooks: reqContent(luaOut(`
			ngx.req.read_body()
			o(t.try(ngx.req.get_body_file, 1))
			o(t.try(ngx.req.init_body, 1, 2))
			o(t.try(ngx.req.init_body, "abc"))
			o(t.try(ngx.req.init_body, -1))
			o(t.try(ngx.req.init_body, nil))
			o(t.try(ngx.req.append_body))
			o(t.try(ngx.req.append_body, {}))
			o(t.try(ngx.req.finish_body, 1))
			o(t.try(ngx.req.set_body_file))
			o(t.try(ngx.req.set_body_file, "` + file + `", true, 1))
			o(t.try(ngx.req.set_body_file, "` + file + `", 1))
			o(t.try(ngx.req.set_body_file, "/nonexistent/x"))
			o(t.dump(ngx.req.get_body_data()))`)),
			status: 200, want: `error expecting 0 arguments but seen 1
error expecting 0 or 1 argument but seen 2
error bad argument #1 to '?' (number expected, got string)
error bad size argument: -1
error bad argument #1 to '?' (number expected, got nil)
error expecting 1 arguments but seen 0
error bad argument #1 to '?' (string expected, got table)
error expecting 0 argument but seen 1
error expecting 1 or 2 arguments but seen 0
error expecting 1 or 2 arguments but seen 3
error bad argument #2 to '?' (boolean expected, got number)
error stat() "/nonexistent/x" failed
nil`},
		{name: "build a body", method: "POST", body: "a=1", hooks: reqContent(luaOut(`
			ngx.req.read_body()
			ngx.req.init_body(4)
			o(t.dump(ngx.req.get_body_data(), ngx.req.get_body_file()))
			ngx.req.append_body("hello")
			o(t.dump(ngx.req.get_body_data(), ngx.req.get_body_file() ~= nil))
			ngx.req.append_body(" world")
			ngx.req.finish_body()
			o(t.dump(ngx.req.get_body_data(), ngx.req.get_body_file() ~= nil, ngx.req.get_headers()["content-length"]))
			o(t.try(ngx.req.finish_body))
			ngx.req.init_body()
			ngx.req.append_body("abc")
			ngx.req.append_body(12)
			ngx.req.append_body("")
			ngx.req.finish_body()
			o(t.dump(ngx.req.get_body_data(), ngx.req.get_body_file(), ngx.req.get_headers()["content-length"]))
			ngx.req.init_body()
			ngx.req.finish_body()
			o(t.dump(ngx.req.get_body_data(), ngx.req.get_body_file(), ngx.req.get_headers()["content-length"]))
			ngx.req.set_body_file("` + file + `")
			o(t.dump(ngx.req.get_body_data(), ngx.req.get_body_file(), ngx.req.get_headers()["content-length"], ngx.var.request_body))
			ngx.req.set_body_data("x=1")
			o(t.dump(ngx.req.get_body_data(), ngx.req.get_body_file(), ngx.req.get_post_args()))`)),
			status: 200, want: `nil nil
nil true
nil true "11"
ok
"abc12" nil "5"
nil nil "0"
nil "` + file + `" "11" nil
"x=1" nil {x="1"}`},
		{name: "proxy a built body", method: "POST", body: "a=1", proxy: "http://{up}", hooks: map[string]string{"access": `
			ngx.req.read_body()
			ngx.req.init_body(4)
			ngx.req.append_body("hello")
			ngx.req.append_body(" world")
			ngx.req.finish_body()`},
			status: 200, want: "POST /proxy_a_built_body\nlen=11 body=hello world\n"},
		{name: "proxy a body in memory", method: "POST", body: "a=1", proxy: "http://{up}", hooks: map[string]string{"access": `
			ngx.req.read_body()
			ngx.req.init_body()
			ngx.req.append_body("in memory")
			ngx.req.finish_body()`},
			status: 200, want: "POST /proxy_a_body_in_memory\nlen=9 body=in memory\n"},
		{name: "proxy a body file", method: "POST", body: "a=1", proxy: "http://{up}", hooks: map[string]string{"access": `
			ngx.req.read_body()
			ngx.req.set_body_file("` + file + `")`},
			status: 200, want: "POST /proxy_a_body_file\nlen=11 body=from a file\n"},
		{name: "proxy a spooled body", method: "POST", body: strings.Repeat("b", 30000), proxy: "http://{up}", hooks: map[string]string{"access": `
			ngx.req.read_body()`},
			status: 200, want: "POST /proxy_a_spooled_body\nlen=30000 body=" + strings.Repeat("b", 30000) + "\n"},
		{name: "proxy a spooled chunked body", raw: chunked(20000), proxy: "http://{up}",
			status: 200, want: "POST /proxy_a_spooled_chunked_body\nlen=20000 body=" + strings.Repeat("a", 20000) + "\n"},
	})
	if _, err := os.Stat(file); err != nil {
		t.Errorf("set_body_file without auto_clean removed the file: %v", err)
	}
}

// bodyUpstream is an upstream that answers with what it got: the body's
// length and SHA-256, its Content-Length and Transfer-Encoding, the
// SHA-256 of the file the X-Body-File header names (read while the gateway
// still has it), and the X-Data and X-In-Dir headers.
func bodyUpstream(t *testing.T) string {
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		body, err := io.ReadAll(r.Body)
		if err != nil {
			http.Error(w, err.Error(), 500)
			return
		}
		var file string
		if name := r.Header.Get("X-Body-File"); name != "" {
			b, err := os.ReadFile(name)
			if err != nil {
				file = err.Error()
			} else {
				file = fmt.Sprintf("%x", sha256.Sum256(b))
			}
		}
		fmt.Fprintf(w, "len=%d cl=%d te=%v sha=%x file=%s data=%s in_dir=%s", len(body), r.ContentLength, r.TransferEncoding,
			sha256.Sum256(body), file, r.Header.Get("X-Data"), r.Header.Get("X-In-Dir"))
	}))
	t.Cleanup(srv.Close)
	return srv.Listener.Addr().String()
}

// onlyReader hides a reader's type, so that net/http sends it chunked.
type onlyReader struct{ io.Reader }

// TestBodySpooling sends large bodies through a gateway spooling to its
// own temp dir, and checks that every temp file is gone once the request
// is over, however it ended.
func TestBodySpooling(t *testing.T) {
	tmp := t.TempDir()
	up := bodyUpstream(t)
	const big = 10 << 20
	payload := make([]byte, big)
	for i := range payload {
		payload[i] = byte(i*7 + i>>10)
	}
	sum := fmt.Sprintf("%x", sha256.Sum256(payload))
	spooled := `ngx.req.read_body()
        local f = ngx.req.get_body_file()
        ngx.req.set_header("X-Body-File", f)
        ngx.req.set_header("X-In-Dir", tostring(f:sub(1, #"` + tmp + `/") == "` + tmp + `/"))
        ngx.req.set_header("X-Data", tostring(ngx.req.get_body_data()))`
	tg := startGateway(t, `client_max_body_size: 11m
client_body_temp_path: `+tmp+`
routes:
  - location: = /upload
    access:
      lua: |
        `+spooled+`
    proxy_pass: http://`+up+`
  - location: = /fail
    access: {lua: "ngx.req.read_body() error('boom')"}
    content: {lua: "ngx.say('unreachable')"}
  - location: = /exit
    rewrite: {lua: "ngx.req.read_body() return ngx.exit(403)"}
  - location: = /build-fail
    content: {lua: "ngx.req.read_body() ngx.req.init_body(0) ngx.req.append_body('x') error('boom')"}
  - location: = /keep
    content: {lua: "ngx.req.read_body() ngx.say(ngx.req.get_body_file())"}
  - location: = /where
    content: {lua: "ngx.req.read_body() local d = ngx.req.get_body_data() ngx.say(ngx.req.get_body_file() ~= nil, ' ', d and #d)"}
  - location: = /sub-build
    content: {lua: "ngx.req.read_body() ngx.req.init_body(0) ngx.req.append_body('x') ngx.say(ngx.req.get_body_file())"}
  - location: = /sub-len
    content: {lua: "ngx.req.read_body() ngx.say(ngx.req.get_body_file() ~= nil, ' ', ngx.var.http_content_length)"}
  - location: = /captures
    content: {lua: "ngx.req.read_body() ngx.print(ngx.location.capture('/sub-build').body)"}
  - location: = /forward
    content: {lua: "ngx.req.read_body() ngx.print(ngx.location.capture('/sub-len', {method = ngx.HTTP_POST}).body)"}
  - location: = /autoclean
    content:
      lua: |
        ngx.req.read_body()
        local first, second = ngx.req.get_headers()["x-first"], ngx.req.get_headers()["x-second"]
        ngx.req.set_body_file(first, true)
        ngx.req.set_body_file(second, true)
        ngx.say(ngx.req.get_body_file() == second)
`, nil)
	post := func(t *testing.T, path string, body io.Reader, headers ...string) response {
		t.Helper()
		req, err := http.NewRequest("POST", tg.base+path, body)
		if err != nil {
			t.Fatal(err)
		}
		for _, h := range headers {
			k, v, _ := strings.Cut(h, ":")
			req.Header.Set(k, strings.TrimSpace(v))
		}
		resp, err := testClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		defer resp.Body.Close()
		b, _ := io.ReadAll(resp.Body)
		return response{status: resp.StatusCode, header: resp.Header, body: string(b)}
	}
	tests := []struct {
		name   string
		path   string
		body   func() io.Reader
		status int
		want   string // the start of the body
	}{
		{"10 MiB", "/upload", func() io.Reader { return bytes.NewReader(payload) },
			200, fmt.Sprintf("len=%d cl=%d te=[] sha=%s file=%s data=nil in_dir=true", big, big, sum, sum)},
		{"10 MiB chunked", "/upload", func() io.Reader { return onlyReader{bytes.NewReader(payload)} },
			200, fmt.Sprintf("len=%d cl=%d te=[] sha=%s file=%s data=nil in_dir=true", big, big, sum, sum)},
		{"buffer size in memory", "/where", func() io.Reader { return bytes.NewReader(payload[:16<<10]) }, 200, "false 16384\n"},
		{"a byte more in a file", "/where", func() io.Reader { return bytes.NewReader(payload[:16<<10+1]) }, 200, "true nil\n"},
		{"chunked buffer size in memory", "/where", func() io.Reader { return onlyReader{bytes.NewReader(payload[:16<<10])} }, 200, "false 16384\n"},
		{"chunked byte more in a file", "/where", func() io.Reader { return onlyReader{bytes.NewReader(payload[:16<<10+1])} }, 200, "true nil\n"},
		{"hook error", "/fail", func() io.Reader { return bytes.NewReader(payload[:100000]) }, 500, "<html>"},
		{"exit early", "/exit", func() io.Reader { return bytes.NewReader(payload[:100000]) }, 403, "<html>"},
		{"built body and hook error", "/build-fail", func() io.Reader { return strings.NewReader("a") }, 500, "<html>"},
		{"spooled body", "/keep", func() io.Reader { return bytes.NewReader(payload[:100000]) }, 200, tmp + "/"},
		// A subrequest's temp files go where the config says too.
		{"body built in a subrequest", "/captures", func() io.Reader { return bytes.NewReader(payload[:100000]) }, 200, tmp + "/"},
		{"spooled body forwarded to a subrequest", "/forward", func() io.Reader { return bytes.NewReader(payload[:100000]) }, 200, "true 100000\n"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := post(t, tt.path, tt.body())
			if got.status != tt.status || !strings.HasPrefix(got.body, tt.want) {
				t.Errorf("got %d %q, want %d %q", got.status, truncate(got.body), tt.status, truncate(tt.want))
			}
			checkEmptyDir(t, tmp)
		})
	}
	if want := "a client request body is buffered to a temporary file " + tmp + "/"; !strings.Contains(tg.errorLog(), want) {
		t.Errorf("error log lacks %q", want)
	}

	t.Run("auto_clean", func(t *testing.T) {
		dir := t.TempDir()
		first, second := filepath.Join(dir, "first"), filepath.Join(dir, "second")
		for _, p := range []string{first, second} {
			if err := os.WriteFile(p, []byte(p), 0o600); err != nil {
				t.Fatal(err)
			}
		}
		got := post(t, "/autoclean", strings.NewReader("a"), "X-First: "+first, "X-Second: "+second)
		if got.status != 200 || got.body != "true\n" {
			t.Errorf("got %d %q", got.status, got.body)
		}
		checkEmptyDir(t, dir)
	})

	t.Run("client disconnects", func(t *testing.T) {
		c, err := net.Dial("tcp", tg.Addr().String())
		if err != nil {
			t.Fatal(err)
		}
		fmt.Fprintf(c, "POST /keep HTTP/1.1\r\nHost: h\r\nContent-Length: 100000\r\n\r\n%s", payload[:50000])
		c.Close()
		// The body's temp file goes before the failure is logged.
		if log := tg.waitLog("reading client request body: unexpected EOF"); !strings.Contains(log, "reading client request body: unexpected EOF") {
			t.Fatalf("error log lacks the failed read:\n%s", log)
		}
		checkEmptyDir(t, tmp)
	})
}

// TestBodyTooLarge checks client_max_body_size: 413 before any hook runs
// for a Content-Length over it, 413 once a chunked body grows past it,
// with nginx's log lines.
func TestBodyTooLarge(t *testing.T) {
	tmp := t.TempDir()
	tg := startGateway(t, `client_max_body_size: 1k
client_body_buffer_size: 100
client_body_temp_path: `+tmp+`
routes:
  - location: /
    rewrite: {lua: "ngx.log(ngx.ERR, 'hook ran')"}
    content: {lua: "ngx.req.read_body() ngx.say(ngx.req.get_body_file() ~= nil)"}
`, nil)
	chunked := func(n int) string {
		return fmt.Sprintf("POST /c HTTP/1.1\r\nHost: h\r\nTransfer-Encoding: chunked\r\n\r\n%x\r\n%s\r\n0\r\n\r\n", n, strings.Repeat("a", n))
	}
	tests := []struct {
		name   string
		raw    string
		status int
		log    string
	}{
		{"length over the limit", "POST /l HTTP/1.1\r\nHost: h\r\nContent-Length: 2000\r\n\r\n" + strings.Repeat("a", 2000), 413,
			"client intended to send too large body: 2000 bytes, client: 127.0.0.1"},
		{"chunked over the limit", chunked(2000), 413, "client intended to send too large chunked body: "},
		// Answered before the body is sent: the request carries none.
		{"expect 100-continue over the limit", "POST /l HTTP/1.1\r\nHost: h\r\nContent-Length: 3000\r\nExpect: 100-continue\r\n\r\n", 413,
			"client intended to send too large body: 3000 bytes, client: 127.0.0.1"},
		{"length at the limit", "POST /l HTTP/1.1\r\nHost: h\r\nContent-Length: 1024\r\n\r\n" + strings.Repeat("a", 1024), 200, ""},
		{"chunked at the limit", chunked(1024), 200, ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := rawExchange(tg.Addr().String(), tt.raw)
			if err != nil {
				t.Fatal(err)
			}
			if got.status != tt.status {
				t.Errorf("status %d, want %d: %q", got.status, tt.status, got.body)
			}
			if tt.status == 200 && got.body != "true\n" {
				t.Errorf("body %q, want a spooled body", got.body)
			}
			if tt.log != "" {
				if log := tg.waitLog(tt.log); !strings.Contains(log, tt.log) || strings.Contains(log, "hook ran") {
					t.Errorf("error log lacks %q or a hook ran:\n%s", tt.log, log)
				}
			}
			checkEmptyDir(t, tmp)
		})
	}
}

// checkEmptyDir fails unless dir has no entries.
func checkEmptyDir(t *testing.T, dir string) {
	t.Helper()
	entries, err := os.ReadDir(dir)
	if err != nil {
		t.Fatal(err)
	}
	for _, e := range entries {
		t.Errorf("%s left in %s", e.Name(), dir)
	}
}

// truncate shortens s for a failure message.
func truncate(s string) string {
	if len(s) > 200 {
		return s[:200] + "…(" + strconv.Itoa(len(s)) + " bytes)"
	}
	return s
}
