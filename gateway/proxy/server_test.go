package proxy

import (
	"io"
	"net"
	"net/http"
	"net/http/httptrace"
	"strings"
	"testing"
	"time"

	"github.com/valyala/fasthttp"
)

// TestForwardThroughServer proxies through a fasthttp server that forwards
// into its own ctx.Response, as the gateway does, and checks what an HTTP
// client gets: status, body, headers, and that its connection is kept alive.
func TestForwardThroughServer(t *testing.T) {
	big := strings.Repeat("z", 300000)
	answers := map[string]string{
		"/small":   "HTTP/1.1 200 OK\r\nContent-Length: 2\r\nConnection: keep-alive\r\nKeep-Alive: timeout=5\r\n\r\nok",
		"/large":   "HTTP/1.1 200 OK\r\nContent-Length: 300000\r\n\r\n" + big,
		"/chunked": "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n3\r\nabc\r\n3\r\ndef\r\n0\r\n\r\n",
		"/204":     "HTTP/1.1 204 No Content\r\nX-A: a\r\n\r\n",
		"/304":     "HTTP/1.1 304 Not Modified\r\nETag: \"e\"\r\n\r\n",
		"/http10":  "HTTP/1.0 200 OK\r\n\r\nto the end",
	}
	up := newRawUpstream(t, func(r *http.Request) reply {
		return reply{raw: answers[r.URL.Path], close: r.URL.Path == "/http10"}
	})
	u := newTestUpstream(t, "http://"+up.addr, Options{BufferSize: 1024})

	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	srv := &fasthttp.Server{Handler: func(ctx *fasthttp.RequestCtx) {
		uri := string(ctx.Request.Header.RequestURI())
		if _, err := u.Forward(&ctx.Request, uri, ctx.RemoteIP().String(), "http", &ctx.Response); err != nil {
			ctx.Error(err.Error(), err.(*Error).Status)
		}
	}}
	done := make(chan error, 1)
	go func() { done <- srv.Serve(ln) }()
	t.Cleanup(func() {
		srv.Shutdown()
		<-done
	})

	client := &http.Client{Transport: &http.Transport{MaxIdleConnsPerHost: 1}, Timeout: 10 * time.Second}
	t.Cleanup(client.CloseIdleConnections)
	tests := []struct {
		path       string
		wantStatus int
		wantBody   string
		wantHeader map[string]string
	}{
		{path: "/small", wantStatus: 200, wantBody: "ok", wantHeader: map[string]string{"Keep-Alive": "", "Content-Type": ""}},
		{path: "/large", wantStatus: 200, wantBody: big},
		{path: "/chunked", wantStatus: 200, wantBody: "abcdef"},
		{path: "/204", wantStatus: 204, wantHeader: map[string]string{"X-A": "a"}},
		{path: "/304", wantStatus: 304, wantHeader: map[string]string{"Etag": `"e"`}},
		{path: "/http10", wantStatus: 200, wantBody: "to the end"},
		{path: "/small", wantStatus: 200, wantBody: "ok"},
	}
	for i, tt := range tests {
		t.Run(tt.path, func(t *testing.T) {
			reused := false
			trace := &httptrace.ClientTrace{GotConn: func(info httptrace.GotConnInfo) { reused = info.Reused }}
			req, err := http.NewRequestWithContext(httptrace.WithClientTrace(t.Context(), trace),
				http.MethodGet, "http://"+ln.Addr().String()+tt.path, nil)
			if err != nil {
				t.Fatal(err)
			}
			resp, err := client.Do(req)
			if err != nil {
				t.Fatal(err)
			}
			body, err := io.ReadAll(resp.Body)
			resp.Body.Close()
			if err != nil {
				t.Fatal(err)
			}
			if resp.StatusCode != tt.wantStatus || resp.Proto != "HTTP/1.1" || string(body) != tt.wantBody {
				t.Errorf("GET %s = %s %d %.40q, want HTTP/1.1 %d %.40q", tt.path, resp.Proto, resp.StatusCode, body, tt.wantStatus, tt.wantBody)
			}
			for k, v := range tt.wantHeader {
				if got := resp.Header.Get(k); got != v {
					t.Errorf("header %s = %q, want %q", k, got, v)
				}
			}
			if i > 0 && !reused {
				t.Errorf("GET %s: the client's connection was not kept alive", tt.path)
			}
		})
	}
}
