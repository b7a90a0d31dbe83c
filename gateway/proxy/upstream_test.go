package proxy

import (
	"bufio"
	"io"
	"net"
	"net/http"
	"strings"
	"sync"
	"sync/atomic"
	"testing"

	"github.com/valyala/fasthttp"
)

// reply is what a rawUpstream answers to one request.
type reply struct {
	raw   string // written as is
	close bool   // close the connection after writing raw
	hang  bool   // write nothing and hold the connection until the test ends
}

// seen is a request as a rawUpstream received it.
type seen struct {
	req  *http.Request
	body []byte
}

// rawUpstream is an HTTP/1.1 server on 127.0.0.1 that answers each request
// with raw bytes, so that tests control the response exactly. It counts the
// connections it accepts and sends every request it receives on reqs.
type rawUpstream struct {
	addr  string
	conns atomic.Int32
	reqs  chan seen
}

// newRawUpstream starts a rawUpstream answering with respond; it stops when
// the test ends.
func newRawUpstream(t testing.TB, respond func(r *http.Request) reply) *rawUpstream {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	s := &rawUpstream{addr: ln.Addr().String(), reqs: make(chan seen, 64)}
	done := make(chan struct{})
	var (
		wg   sync.WaitGroup
		mu   sync.Mutex
		open = map[net.Conn]bool{}
	)
	serve := func(c net.Conn) {
		defer wg.Done()
		defer c.Close()
		br := bufio.NewReader(c)
		for {
			r, err := http.ReadRequest(br)
			if err != nil {
				return
			}
			body, err := io.ReadAll(r.Body)
			if err != nil {
				return
			}
			select {
			case s.reqs <- seen{req: r, body: body}:
			default:
			}
			rep := respond(r)
			if rep.hang {
				<-done
				return
			}
			if _, err := io.WriteString(c, rep.raw); err != nil || rep.close {
				return
			}
		}
	}
	wg.Add(1)
	go func() {
		defer wg.Done()
		for {
			c, err := ln.Accept()
			if err != nil {
				return
			}
			s.conns.Add(1)
			mu.Lock()
			open[c] = true
			mu.Unlock()
			wg.Add(1)
			go serve(c)
		}
	}()
	t.Cleanup(func() {
		ln.Close()
		close(done)
		mu.Lock()
		for c := range open {
			c.Close()
		}
		mu.Unlock()
		wg.Wait()
	})
	return s
}

// last returns the request the upstream received most recently.
func (s *rawUpstream) last(t *testing.T) seen {
	t.Helper()
	select {
	case r := <-s.reqs:
		return r
	default:
		t.Fatal("the upstream received no request")
		return seen{}
	}
}

// ok is a small 200 response.
const ok = "HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nok"

// newTestUpstream returns an Upstream for proxyPass, closed when the test ends.
func newTestUpstream(t testing.TB, proxyPass string, opts Options) *Upstream {
	t.Helper()
	u, err := New(proxyPass, opts)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(u.Close)
	return u
}

// parseRequest parses a raw client request as the gateway's server would.
func parseRequest(t testing.TB, raw string) *fasthttp.Request {
	t.Helper()
	req := &fasthttp.Request{}
	if err := req.Read(bufio.NewReader(strings.NewReader(raw))); err != nil {
		t.Fatalf("parse client request: %v", err)
	}
	return req
}

// readBody returns resp's body, reading and closing its stream if it has one.
func readBody(t *testing.T, resp *fasthttp.Response) (body []byte, streamed bool) {
	t.Helper()
	s := resp.BodyStream()
	if s == nil {
		return resp.Body(), false
	}
	body, err := io.ReadAll(s)
	if err != nil {
		t.Fatalf("read body stream: %v", err)
	}
	if err := resp.CloseBodyStream(); err != nil {
		t.Fatalf("close body stream: %v", err)
	}
	return body, true
}

func TestNew(t *testing.T) {
	tests := []struct {
		name, proxyPass       string
		addr, hostHeader, uri string
		hasURI                bool
		wantErr               string
	}{
		{name: "host and port", proxyPass: "http://127.0.0.1:8080", addr: "127.0.0.1:8080", hostHeader: "127.0.0.1:8080"},
		{name: "default port", proxyPass: "http://example.com", addr: "example.com:80", hostHeader: "example.com"},
		{name: "explicit port 80", proxyPass: "http://example.com:80/", addr: "example.com:80", hostHeader: "example.com", uri: "/", hasURI: true},
		{name: "uri part", proxyPass: "http://b:81/v1/api", addr: "b:81", hostHeader: "b:81", uri: "/v1/api", hasURI: true},
		{name: "scheme case", proxyPass: "HTTP://b:81", addr: "b:81", hostHeader: "b:81"},
		{name: "ipv6", proxyPass: "http://[::1]:81/x", addr: "[::1]:81", hostHeader: "[::1]:81", uri: "/x", hasURI: true},
		{name: "ipv6 default port", proxyPass: "http://[::1]", addr: "[::1]:80", hostHeader: "[::1]"},
		{name: "https", proxyPass: "https://b", wantErr: `proxy_pass "https://b": https upstreams are not supported yet`},
		{name: "other scheme", proxyPass: "ftp://b", wantErr: "invalid URL prefix"},
		{name: "no host", proxyPass: "http:///x", wantErr: "no host"},
		{name: "empty port", proxyPass: "http://b:/x", wantErr: "invalid port"},
		{name: "bad port", proxyPass: "http://b:99999", wantErr: "invalid port"},
		{name: "user info", proxyPass: "http://u:p@b", wantErr: "user info"},
		{name: "space", proxyPass: "http://b/a b", wantErr: "invalid character"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			u, err := New(tt.proxyPass, Options{})
			if tt.wantErr != "" {
				if err == nil || !strings.Contains(err.Error(), tt.wantErr) {
					t.Fatalf("New(%q) error = %v, want it to contain %q", tt.proxyPass, err, tt.wantErr)
				}
				return
			}
			if err != nil {
				t.Fatalf("New(%q): %v", tt.proxyPass, err)
			}
			defer u.Close()
			if u.Addr() != tt.addr || u.hostHeader != tt.hostHeader || u.uri != tt.uri || u.HasURI() != tt.hasURI {
				t.Errorf("New(%q) = addr %q host %q uri %q hasURI %v, want %q %q %q %v", tt.proxyPass,
					u.Addr(), u.hostHeader, u.uri, u.HasURI(), tt.addr, tt.hostHeader, tt.uri, tt.hasURI)
			}
		})
	}
}
