package gateway

import (
	"bufio"
	"net"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync/atomic"
	"testing"
	"time"
)

// rawRequest sends raw bytes on a new connection and returns the status
// code of the answer (0 if the connection closed without one).
func (tg *testGateway) rawRequest(raw string) int {
	tg.t.Helper()
	c, err := net.Dial("tcp", tg.Addr().String())
	if err != nil {
		tg.t.Fatal(err)
	}
	defer c.Close()
	c.SetDeadline(time.Now().Add(5 * time.Second))
	if _, err := c.Write([]byte(raw)); err != nil {
		tg.t.Fatal(err)
	}
	resp, err := http.ReadResponse(bufio.NewReader(c), nil)
	if err != nil {
		return 0
	}
	resp.Body.Close()
	return resp.StatusCode
}

func TestMalformedRequestsNeverReachHooksOrUpstream(t *testing.T) {
	var upstreamHits atomic.Int64
	up := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		upstreamHits.Add(1)
	}))
	defer up.Close()
	tg := startGateway(t, `
client_max_body_size: 1k
client_max_header_size: 4k
routes:
  - location: /
    access: {lua: "ngx.log(ngx.ERR, 'HOOK RAN')"}
    proxy_pass: `+up.URL+`
`, nil)
	big := strings.Repeat("x", 2048)
	tests := []struct {
		name   string
		raw    string
		status int
	}{
		{"bad request line", "GARBAGE\r\n\r\n", 400},
		{"bad protocol", "GET / HTTX/1.1\r\nHost: a\r\n\r\n", 400},
		{"oversized headers", "GET / HTTP/1.1\r\nHost: a\r\nX-Big: " + strings.Repeat("h", 8192) + "\r\n\r\n", 431},
		{"bad chunked encoding", "POST / HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: chunked\r\n\r\nzz\r\nhello\r\n0\r\n\r\n", 400},
		{"content-length and transfer-encoding", "POST / HTTP/1.1\r\nHost: a\r\nContent-Length: 5\r\nTransfer-Encoding: chunked\r\n\r\n5\r\nhello\r\n0\r\n\r\n", 400},
		{"conflicting content-lengths", "POST / HTTP/1.1\r\nHost: a\r\nContent-Length: 5\r\nContent-Length: 6\r\n\r\nhello!", 400},
		{"body over client_max_body_size", "POST / HTTP/1.1\r\nHost: a\r\nContent-Length: 2048\r\n\r\n" + big, 413},
		{"chunked body over client_max_body_size", "POST / HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: chunked\r\n\r\n800\r\n" + big + "\r\n0\r\n\r\n", 413},
		{"path escaping the root", "GET /../etc/passwd HTTP/1.1\r\nHost: a\r\n\r\n", 400},
		{"malformed escape", "GET /a%zz HTTP/1.1\r\nHost: a\r\n\r\n", 400},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := tg.rawRequest(tt.raw); got != tt.status {
				t.Errorf("status %d, want %d", got, tt.status)
			}
		})
	}
	if strings.Contains(tg.errorLog(), "HOOK RAN") || upstreamHits.Load() != 0 {
		t.Errorf("a malformed request reached a hook or the upstream (%d upstream hits):\n%s", upstreamHits.Load(), tg.errorLog())
	}
	if got := tg.rawRequest("GET / HTTP/1.1\r\nHost: a\r\n\r\n"); got != 200 || upstreamHits.Load() != 1 {
		t.Errorf("a good request after them: status %d, %d upstream hits", got, upstreamHits.Load())
	}
}

func TestRunawayHookIsStoppedWhileOthersAreServed(t *testing.T) {
	tg := startGateway(t, `
lua: {cpu_limit: 200ms, vms: 2}
routes:
  - location: = /loop
    content: {lua: "while true do end"}
  - location: = /pcall-loop
    content: {lua: "while true do pcall(function() while true do end end) end"}
  - location: = /ok
    content: {lua: "ngx.say('ok')"}
`, nil)
	done := make(chan response, 2)
	go func() { done <- tg.get("/loop") }()
	go func() { done <- tg.get("/pcall-loop") }()
	for i := 0; i < 20; i++ {
		if got := tg.get("/ok"); got.status != 200 || got.body != "ok\n" {
			t.Fatalf("/ok while a hook runs away: %d %q", got.status, got.body)
		}
	}
	for i := 0; i < 2; i++ {
		if got := <-done; got.status != 500 {
			t.Errorf("runaway hook answered %d, want 500", got.status)
		}
	}
	if log := tg.errorLog(); strings.Count(log, "CPU time limit exceeded (200ms)") != 2 {
		t.Errorf("error log should name the CPU limit twice:\n%s", log)
	}
}
