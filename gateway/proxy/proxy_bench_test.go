package proxy

import (
	"net"
	"testing"

	"github.com/valyala/fasthttp"
)

// newBenchUpstream starts a fasthttp server on 127.0.0.1 answering every
// request with a small 200, and returns its address.
func newBenchUpstream(b *testing.B) string {
	b.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		b.Fatal(err)
	}
	srv := &fasthttp.Server{
		Handler: func(ctx *fasthttp.RequestCtx) {
			ctx.SetContentType("text/plain")
			ctx.SetBodyString("upstream ok\n")
		},
		NoDefaultDate: true,
	}
	done := make(chan error, 1)
	go func() { done <- srv.Serve(ln) }()
	b.Cleanup(func() {
		srv.Shutdown()
		<-done
	})
	return ln.Addr().String()
}

// BenchmarkForward measures one proxied GET with a small response over a
// kept-alive connection, client and upstream on 127.0.0.1.
func BenchmarkForward(b *testing.B) {
	for _, bc := range []struct {
		name string
		opts Options
	}{
		{name: "plain"},
		{name: "forwarded-headers", opts: Options{ForwardedHeaders: true}},
	} {
		b.Run(bc.name, func(b *testing.B) {
			u := newTestUpstream(b, "http://"+newBenchUpstream(b), bc.opts)
			req := parseRequest(b, "GET /bench?x=1 HTTP/1.1\r\nHost: gw.example\r\nUser-Agent: bench\r\n"+
				"Accept: */*\r\nX-Forwarded-For: 1.2.3.4\r\nCookie: a=b\r\n\r\n")
			var resp fasthttp.Response
			b.ReportAllocs()
			for b.Loop() {
				res, err := u.Forward(req, "/bench?x=1", "10.0.0.7", "http", &resp)
				if err != nil || res.Status != fasthttp.StatusOK || len(resp.Body()) != len("upstream ok\n") {
					b.Fatalf("Forward = %+v, %v", res, err)
				}
			}
		})
	}
}

// BenchmarkRequestURI measures the proxy_pass URI rule with a URI part.
func BenchmarkRequestURI(b *testing.B) {
	u := newTestUpstream(b, "http://b/v2/", Options{})
	b.ReportAllocs()
	for b.Loop() {
		if u.RequestURI("/api/users/42?x=1", "/api/users/42", "x=1", "/api/", false) != "/v2/users/42?x=1" {
			b.Fatal("wrong uri")
		}
	}
}
