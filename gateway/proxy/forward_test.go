package proxy

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"slices"
	"strings"
	"testing"
	"testing/iotest"
	"time"

	"github.com/valyala/fasthttp"
)

func TestForwardRequest(t *testing.T) {
	tests := []struct {
		name       string
		opts       Options
		client     string        // raw client request
		bodyStream func() string // if set, req's body becomes a stream of this text
		streamSize int           // its size for SetBodyStream (-1: unknown)
		uri        string        // request URI to send
		want       map[string]string
		absent     []string
		wantHost   string // "" means the upstream's address
		wantMethod string
		wantURI    string
		wantBody   string
		wantTE     []string
		wantClose  bool
	}{
		{
			name: "headers passed, hop-by-hop stripped",
			client: "GET /a HTTP/1.1\r\nHost: client.example\r\nConnection: keep-alive, X-Listed\r\nX-Listed: 1\r\n" +
				"Keep-Alive: 300\r\nTE: trailers\r\nProxy-Authorization: Basic eA==\r\nUpgrade: websocket\r\n" +
				"Proxy-Authenticate: x\r\nTrailer: X-T\r\nExpect: 100-continue\r\nX-Custom: v\r\nUser-Agent: ua/1\r\n" +
				"Cookie: a=b; c=d\r\nX-Forwarded-For: 9.9.9.9\r\n\r\n",
			uri: "/a",
			want: map[string]string{
				"X-Custom": "v", "User-Agent": "ua/1", "Cookie": "a=b; c=d", "X-Forwarded-For": "9.9.9.9",
			},
			absent: []string{"Connection", "X-Listed", "Keep-Alive", "Te", "Proxy-Authorization", "Upgrade",
				"Proxy-Authenticate", "Trailer", "Expect", "X-Real-Ip", "Content-Length"},
			wantMethod: "GET", wantURI: "/a",
		},
		{
			name:     "preserve host",
			opts:     Options{PreserveHost: true},
			client:   "GET / HTTP/1.1\r\nHost: client.example:8443\r\n\r\n",
			uri:      "/",
			wantHost: "client.example:8443", wantMethod: "GET", wantURI: "/",
		},
		{
			name: "forwarded headers appended and replaced",
			opts: Options{ForwardedHeaders: true},
			client: "GET / HTTP/1.1\r\nHost: client.example\r\nX-Forwarded-For: 1.1.1.1\r\nX-Forwarded-For: 2.2.2.2\r\n" +
				"X-Real-IP: 6.6.6.6\r\nX-Forwarded-Proto: gopher\r\nX-Forwarded-Host: evil\r\n\r\n",
			uri: "/",
			want: map[string]string{
				"X-Forwarded-For": "1.1.1.1, 2.2.2.2, 10.0.0.7", "X-Real-Ip": "10.0.0.7",
				"X-Forwarded-Proto": "https", "X-Forwarded-Host": "client.example",
			},
			wantMethod: "GET", wantURI: "/",
		},
		{
			name:       "forwarded headers without a client X-Forwarded-For",
			opts:       Options{ForwardedHeaders: true},
			client:     "GET / HTTP/1.1\r\nHost: h\r\n\r\n",
			uri:        "/",
			want:       map[string]string{"X-Forwarded-For": "10.0.0.7"},
			wantMethod: "GET", wantURI: "/",
		},
		{
			name:       "post body and verbatim uri",
			client:     "POST /x HTTP/1.1\r\nHost: h\r\nContent-Type: text/plain\r\nContent-Length: 11\r\n\r\nhello world",
			uri:        "/a%2Fb/../c?x=1&y",
			want:       map[string]string{"Content-Type": "text/plain", "Content-Length": "11"},
			wantMethod: "POST", wantURI: "/a%2Fb/../c?x=1&y", wantBody: "hello world",
		},
		{
			name:       "empty body with Content-Length 0",
			client:     "PUT /x HTTP/1.1\r\nHost: h\r\nContent-Length: 0\r\n\r\n",
			uri:        "/x",
			want:       map[string]string{"Content-Length": "0"},
			wantMethod: "PUT", wantURI: "/x",
		},
		{
			name:       "chunked client body is sent with a length",
			client:     "POST /x HTTP/1.1\r\nHost: h\r\nTransfer-Encoding: chunked\r\n\r\n5\r\nhello\r\n0\r\n\r\n",
			uri:        "/x",
			want:       map[string]string{"Content-Length": "5"},
			wantMethod: "POST", wantURI: "/x", wantBody: "hello",
		},
		{
			name:       "body stream of known size",
			client:     "POST /x HTTP/1.1\r\nHost: h\r\n\r\n",
			bodyStream: func() string { return strings.Repeat("s", 100000) },
			streamSize: 100000,
			uri:        "/x",
			want:       map[string]string{"Content-Length": "100000"},
			wantMethod: "POST", wantURI: "/x", wantBody: strings.Repeat("s", 100000),
		},
		{
			name:       "body stream of unknown size goes chunked",
			client:     "POST /x HTTP/1.1\r\nHost: h\r\n\r\n",
			bodyStream: func() string { return strings.Repeat("c", 40000) },
			streamSize: -1,
			uri:        "/x",
			wantMethod: "POST", wantURI: "/x", wantBody: strings.Repeat("c", 40000), wantTE: []string{"chunked"},
		},
		{
			name:       "request uri with a space cannot split the request line",
			client:     "GET / HTTP/1.1\r\nHost: h\r\n\r\n",
			uri:        "/a b\r\nX: y",
			wantMethod: "GET", wantURI: "/a%20b%0D%0AX:%20y",
		},
		{
			name:       "keep-alive disabled",
			opts:       Options{KeepaliveConns: -1},
			client:     "GET / HTTP/1.1\r\nHost: h\r\n\r\n",
			uri:        "/",
			wantMethod: "GET", wantURI: "/", wantClose: true,
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			up := newRawUpstream(t, func(*http.Request) reply { return reply{raw: ok} })
			u := newTestUpstream(t, "http://"+up.addr, tt.opts)
			req := parseRequest(t, tt.client)
			if tt.bodyStream != nil {
				req.SetBodyStream(strings.NewReader(tt.bodyStream()), tt.streamSize)
			}
			before := snapshot(req)
			var resp fasthttp.Response
			if _, err := u.Forward(req, tt.uri, "10.0.0.7", "https", &resp); err != nil {
				t.Fatalf("Forward: %v", err)
			}
			if after := snapshot(req); after != before {
				t.Errorf("Forward changed the request:\n%s\nbecame\n%s", before, after)
			}
			got := up.last(t)
			r := got.req
			wantHost := tt.wantHost
			if wantHost == "" {
				wantHost = up.addr
			}
			if r.Host != wantHost || r.Method != tt.wantMethod || r.RequestURI != tt.wantURI || r.Proto != "HTTP/1.1" {
				t.Errorf("upstream got %s %s %s Host %q, want %s %s HTTP/1.1 Host %q",
					r.Method, r.RequestURI, r.Proto, r.Host, tt.wantMethod, tt.wantURI, wantHost)
			}
			for k, v := range tt.want {
				if vs := r.Header.Values(k); len(vs) != 1 || vs[0] != v {
					t.Errorf("upstream header %s = %q, want [%q]", k, vs, v)
				}
			}
			for _, k := range tt.absent {
				if vs, found := r.Header[k]; found {
					t.Errorf("upstream got header %s: %q, want none", k, vs)
				}
			}
			if string(got.body) != tt.wantBody {
				t.Errorf("upstream body = %.40q (%d bytes), want %.40q (%d bytes)", got.body, len(got.body), tt.wantBody, len(tt.wantBody))
			}
			if fmt.Sprint(r.TransferEncoding) != fmt.Sprint(tt.wantTE) {
				t.Errorf("upstream Transfer-Encoding = %q, want %q", r.TransferEncoding, tt.wantTE)
			}
			if r.Close != tt.wantClose {
				t.Errorf("upstream request Close = %v, want %v", r.Close, tt.wantClose)
			}
		})
	}
}

// snapshot describes req's method, URI, headers (sorted) and body, unless
// that is a stream.
func snapshot(req *fasthttp.Request) string {
	body := []byte("(stream)")
	if !req.IsBodyStream() {
		body = req.Body()
	}
	var lines []string
	for k, v := range req.Header.All() {
		lines = append(lines, string(k)+": "+string(v))
	}
	slices.Sort(lines)
	return fmt.Sprintf("%s %s\n%s\n%q", req.Header.Method(), req.RequestURI(), strings.Join(lines, "\n"), body)
}

func TestForwardResponse(t *testing.T) {
	big := strings.Repeat("0123456789abcdef", 5<<16) // 5 MiB
	tests := []struct {
		name       string
		raw        string
		method     string
		bufferSize int
		wantStatus int
		wantBody   string
		wantStream bool
		wantLength int // resp.Header.ContentLength()
		want       map[string]string
		absent     []string
	}{
		{
			name: "small body buffered, hop-by-hop stripped",
			raw: "HTTP/1.1 201 Created\r\nContent-Length: 5\r\nConnection: X-Secret, keep-alive\r\nX-Secret: s\r\n" +
				"Keep-Alive: timeout=5\r\nProxy-Authenticate: Basic\r\nUpgrade: h2c\r\nTrailer: X-T\r\nX-Kept: k\r\n" +
				"Set-Cookie: a=1\r\nContent-Type: text/plain\r\n\r\nhello",
			wantStatus: 201, wantBody: "hello", wantLength: 5,
			want:   map[string]string{"X-Kept": "k", "Set-Cookie": "a=1", "Content-Type": "text/plain"},
			absent: []string{"Connection", "X-Secret", "Keep-Alive", "Proxy-Authenticate", "Upgrade", "Trailer"},
		},
		{
			name:       "body larger than BufferSize streams byte-identical",
			raw:        fmt.Sprintf("HTTP/1.1 200 OK\r\nContent-Length: %d\r\n\r\n%s", len(big), big),
			wantStatus: 200, wantBody: big, wantStream: true, wantLength: len(big),
		},
		{
			name:       "BufferSize decides",
			raw:        "HTTP/1.1 200 OK\r\nContent-Length: 10\r\n\r\n0123456789",
			bufferSize: 9,
			wantStatus: 200, wantBody: "0123456789", wantStream: true, wantLength: 10,
		},
		{
			name: "chunked streams, trailer dropped",
			raw: "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\nTrailer: X-T\r\nX-Kept: k\r\n\r\n" +
				"5\r\nhello\r\n1;ext=1\r\n \r\n5\r\nworld\r\n0\r\nX-T: t\r\n\r\n",
			wantStatus: 200, wantBody: "hello world", wantStream: true, wantLength: -1,
			want:   map[string]string{"X-Kept": "k"},
			absent: []string{"Trailer", "X-T"},
		},
		{
			name:       "no length, body to the connection's end",
			raw:        "HTTP/1.0 200 OK\r\n\r\nuntil close",
			wantStatus: 200, wantBody: "until close", wantStream: true, wantLength: -1,
		},
		{
			name:       "interim responses skipped",
			raw:        "HTTP/1.1 100 Continue\r\n\r\nHTTP/1.1 103 Early Hints\r\nLink: </a>\r\n\r\n" + ok,
			wantStatus: 200, wantBody: "ok", wantLength: 2,
			absent: []string{"Link"},
		},
		{
			name:       "head keeps the length, no body",
			method:     "HEAD",
			raw:        "HTTP/1.1 200 OK\r\nContent-Length: 1234\r\n\r\n",
			wantStatus: 200, wantLength: 1234,
		},
		{
			name:       "204 has no body",
			raw:        "HTTP/1.1 204 No Content\r\n\r\n",
			wantStatus: 204, wantLength: -2,
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			up := newRawUpstream(t, func(*http.Request) reply { return reply{raw: tt.raw, close: true} })
			u := newTestUpstream(t, "http://"+up.addr, Options{BufferSize: tt.bufferSize})
			method := tt.method
			if method == "" {
				method = "GET"
			}
			req := parseRequest(t, method+" / HTTP/1.1\r\nHost: h\r\n\r\n")
			var resp fasthttp.Response
			res, err := u.Forward(req, "/", "10.0.0.7", "http", &resp)
			if err != nil {
				t.Fatalf("Forward: %v", err)
			}
			if res.Status != tt.wantStatus || resp.StatusCode() != tt.wantStatus || res.Addr != up.addr {
				t.Errorf("Forward = status %d (resp %d) addr %q, want %d %q", res.Status, resp.StatusCode(), res.Addr, tt.wantStatus, up.addr)
			}
			if got := resp.Header.ContentLength(); got != tt.wantLength {
				t.Errorf("response Content-Length = %d, want %d", got, tt.wantLength)
			}
			for k, v := range tt.want {
				if got := string(resp.Header.Peek(k)); got != v {
					t.Errorf("response header %s = %q, want %q", k, got, v)
				}
			}
			for _, k := range tt.absent {
				if got := resp.Header.Peek(k); got != nil {
					t.Errorf("response header %s = %q, want none", k, got)
				}
			}
			if method == "HEAD" && !resp.SkipBody {
				t.Error("response to HEAD: SkipBody not set")
			}
			body, streamed := readBody(t, &resp)
			if streamed != tt.wantStream {
				t.Errorf("body streamed = %v, want %v", streamed, tt.wantStream)
			}
			if !bytes.Equal(body, []byte(tt.wantBody)) {
				t.Errorf("body = %.40q (%d bytes), want %.40q (%d bytes)", body, len(body), tt.wantBody, len(tt.wantBody))
			}
		})
	}
}

func TestForwardKeepalive(t *testing.T) {
	big := strings.Repeat("x", 100000)
	answers := map[string]string{
		"/small":   ok,
		"/large":   fmt.Sprintf("HTTP/1.1 200 OK\r\nContent-Length: %d\r\n\r\n%s", len(big), big),
		"/chunked": "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n2\r\nok\r\n0\r\n\r\n",
		"/head":    "HTTP/1.1 200 OK\r\nContent-Length: 100\r\n\r\n",
		"/post":    ok,
	}
	tests := []struct {
		name      string
		opts      Options
		paths     []string
		abandon   bool // close each streamed body before reading it
		wantConns int32
	}{
		{name: "one connection for all", paths: []string{"/small", "/large", "/chunked", "/head", "/post", "/small"}, wantConns: 1},
		{name: "abandoned stream is not reused", paths: []string{"/large", "/large", "/large"}, abandon: true, wantConns: 3},
		{name: "keep-alive disabled", opts: Options{KeepaliveConns: -1}, paths: []string{"/small", "/small"}, wantConns: 2},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			up := newRawUpstream(t, func(r *http.Request) reply {
				return reply{raw: answers[r.URL.Path], close: r.Close}
			})
			u := newTestUpstream(t, "http://"+up.addr, tt.opts)
			for _, p := range tt.paths {
				method := "GET"
				switch p {
				case "/head":
					method = "HEAD"
				case "/post":
					method = "POST"
				}
				req := parseRequest(t, method+" "+p+" HTTP/1.1\r\nHost: h\r\nContent-Length: 3\r\n\r\nabc")
				var resp fasthttp.Response
				if _, err := u.Forward(req, p, "10.0.0.7", "http", &resp); err != nil {
					t.Fatalf("Forward %s: %v", p, err)
				}
				if tt.abandon {
					resp.CloseBodyStream()
					continue
				}
				readBody(t, &resp)
			}
			if got := up.conns.Load(); got != tt.wantConns {
				t.Errorf("upstream saw %d connections, want %d", got, tt.wantConns)
			}
		})
	}
}

func TestForwardRetriesDeadKeepaliveConnection(t *testing.T) {
	tests := []struct {
		method     string
		wantStatus int // of the second request's error, 0 for success
	}{
		{method: "GET"},
		{method: "DELETE"},
		{method: "POST", wantStatus: 502},
		{method: "PATCH", wantStatus: 502},
	}
	for _, tt := range tests {
		t.Run(tt.method, func(t *testing.T) {
			// Every connection serves one request, then the upstream closes it
			// without saying so: the pooled connection is dead.
			up := newRawUpstream(t, func(*http.Request) reply { return reply{raw: ok, close: true} })
			u := newTestUpstream(t, "http://"+up.addr, Options{})
			var resp fasthttp.Response
			if _, err := u.Forward(parseRequest(t, "GET / HTTP/1.1\r\nHost: h\r\n\r\n"), "/", "", "http", &resp); err != nil {
				t.Fatalf("first Forward: %v", err)
			}
			<-up.reqs
			req := parseRequest(t, tt.method+" / HTTP/1.1\r\nHost: h\r\nContent-Length: 1\r\n\r\nx")
			res, err := u.Forward(req, "/", "", "http", &resp)
			var perr *Error
			switch {
			case tt.wantStatus == 0 && err != nil:
				t.Fatalf("second Forward: %v", err)
			case tt.wantStatus == 0 && res.Status != 200:
				t.Fatalf("second Forward status = %d, want 200", res.Status)
			case tt.wantStatus != 0 && (!errors.As(err, &perr) || perr.Status != tt.wantStatus):
				t.Fatalf("second Forward error = %v, want *Error with status %d", err, tt.wantStatus)
			}
		})
	}
}

func TestForwardErrors(t *testing.T) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	closedAddr := ln.Addr().String()
	ln.Close()

	tests := []struct {
		name       string
		reply      reply
		addr       string // instead of the test upstream's
		opts       Options
		wantStatus int
		wantMsg    string // %s is the upstream's address
		stream     bool   // the error comes from reading the body stream
		clientBody io.Reader
	}{
		{
			name: "client body stream fails", reply: reply{raw: ok}, clientBody: iotest.ErrReader(errors.New("reset")), wantStatus: 499,
			wantMsg: `client prematurely closed connection while sending request to upstream, upstream: "http://%s/x"`,
		},
		{
			name: "connection refused", addr: closedAddr, wantStatus: 502,
			wantMsg: `connect() failed (111: Connection refused) while connecting to upstream, upstream: "http://%s/x"`,
		},
		{
			name: "read timeout", reply: reply{hang: true}, opts: Options{ReadTimeout: 100 * time.Millisecond}, wantStatus: 504,
			wantMsg: `upstream timed out (110: Connection timed out) while reading response header from upstream, upstream: "http://%s/x"`,
		},
		{
			name: "closed before the header", reply: reply{close: true}, wantStatus: 502,
			wantMsg: `upstream prematurely closed connection while reading response header from upstream, upstream: "http://%s/x"`,
		},
		{
			name: "invalid header", reply: reply{raw: "SPDY/9 what\r\n\r\n", close: true}, wantStatus: 502,
			wantMsg: `upstream sent invalid response (`,
		},
		{
			name: "switching protocols", reply: reply{raw: "HTTP/1.1 101 Switching Protocols\r\n\r\n", close: true}, wantStatus: 502,
			wantMsg: `upstream sent invalid response (upstream sent unexpected 101 Switching Protocols) while reading response header from upstream`,
		},
		{
			name: "buffered body cut short", reply: reply{raw: "HTTP/1.1 200 OK\r\nContent-Length: 10\r\n\r\nabc", close: true}, wantStatus: 502,
			wantMsg: `upstream prematurely closed connection while reading upstream, upstream: "http://%s/x"`,
		},
		{
			name: "streamed body cut short", reply: reply{raw: "HTTP/1.1 200 OK\r\nContent-Length: 10\r\n\r\nabc", close: true},
			opts: Options{BufferSize: 5}, wantStatus: 502, stream: true,
			wantMsg: `upstream prematurely closed connection while reading upstream, upstream: "http://%s/x"`,
		},
		{
			name: "chunked body cut short", reply: reply{raw: "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n5\r\nab", close: true},
			wantStatus: 502, stream: true,
			wantMsg: `upstream prematurely closed connection while reading upstream, upstream: "http://%s/x"`,
		},
		{
			name: "streamed body read timeout", reply: reply{raw: "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n"},
			opts: Options{ReadTimeout: 100 * time.Millisecond}, wantStatus: 504, stream: true,
			wantMsg: `upstream timed out (110: Connection timed out) while reading upstream, upstream: "http://%s/x"`,
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			addr := tt.addr
			if addr == "" {
				addr = newRawUpstream(t, func(*http.Request) reply { return tt.reply }).addr
			}
			u := newTestUpstream(t, "http://"+addr, tt.opts)
			req := parseRequest(t, "GET /x HTTP/1.1\r\nHost: h\r\n\r\n")
			if tt.clientBody != nil {
				req.SetBodyStream(tt.clientBody, 10)
			}
			var resp fasthttp.Response
			res, err := u.Forward(req, "/x", "10.0.0.7", "http", &resp)
			if tt.stream {
				if err != nil {
					t.Fatalf("Forward: %v", err)
				}
				if resp.BodyStream() == nil {
					t.Fatal("no body stream")
				}
				_, err = io.ReadAll(resp.BodyStream())
				resp.CloseBodyStream()
			}
			var perr *Error
			if !errors.As(err, &perr) {
				t.Fatalf("error = %v (%T), want *Error", err, err)
			}
			want := strings.ReplaceAll(tt.wantMsg, "%s", addr)
			if perr.Status != tt.wantStatus || !strings.HasPrefix(perr.Error(), want) {
				t.Errorf("error = %d %q,\nwant  %d %q", perr.Status, perr.Error(), tt.wantStatus, want)
			}
			if res.Addr != addr {
				t.Errorf("Result.Addr = %q, want %q", res.Addr, addr)
			}
		})
	}
}

func TestForwardIdleConnections(t *testing.T) {
	large := fmt.Sprintf("HTTP/1.1 200 OK\r\nContent-Length: 2000\r\n\r\n%s", strings.Repeat("l", 2000))
	tests := []struct {
		name       string
		keepalive  int
		streams    int  // responses held open at the same time
		closeFirst bool // Close the Upstream before the bodies are read
		wantIdle   int
	}{
		{name: "capped", keepalive: 1, streams: 3, wantIdle: 1},
		{name: "under the cap", keepalive: 5, streams: 3, wantIdle: 3},
		{name: "closed upstream keeps none", keepalive: 5, streams: 3, closeFirst: true, wantIdle: 0},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			up := newRawUpstream(t, func(*http.Request) reply { return reply{raw: large} })
			u := newTestUpstream(t, "http://"+up.addr, Options{KeepaliveConns: tt.keepalive, BufferSize: 1000})
			resps := make([]fasthttp.Response, tt.streams)
			for i := range resps {
				if _, err := u.Forward(parseRequest(t, "GET / HTTP/1.1\r\nHost: h\r\n\r\n"), "/", "", "http", &resps[i]); err != nil {
					t.Fatalf("Forward: %v", err)
				}
			}
			if tt.closeFirst {
				u.Close()
			}
			for i := range resps {
				if body, streamed := readBody(t, &resps[i]); !streamed || len(body) != 2000 {
					t.Fatalf("body: streamed %v, %d bytes; want a 2000-byte stream", streamed, len(body))
				}
			}
			if got := u.hc.IdleConnsCount(); got != tt.wantIdle {
				t.Errorf("idle connections = %d, want %d", got, tt.wantIdle)
			}
			if got := up.conns.Load(); got != int32(tt.streams) {
				t.Errorf("upstream saw %d connections, want %d", got, tt.streams)
			}
		})
	}
}
