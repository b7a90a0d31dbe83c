package gateway

import (
	"net"
	"strings"
	"testing"

	"github.com/valyala/fasthttp"
)

// benchConfig has the four routes of bench/compare.sh.
const benchConfig = `
routes:
  - location: = /static
    content: {lua: "ngx.say('static')"}
  - location: = /hello
    content: {lua: "ngx.say('hello')"}
  - location: = /headers
    access: {lua: "if ngx.var.http_x_api_key ~= 'secret' then return ngx.exit(401) end ngx.req.set_header('X-User', 'alice')"}
    header_filter: {lua: "ngx.header['X-Gateway'] = 'bench'"}
    content: {lua: "ngx.say(ngx.req.get_headers()['x-user'])"}
  - location: = /proxy
    access: {lua: "if ngx.var.http_x_api_key ~= 'secret' then return ngx.exit(401) end"}
    proxy_pass: http://UPSTREAM
`

// BenchmarkPipeline measures the handler alone (no sockets on the client
// side): routing, the Lua hooks and building the response.
func BenchmarkPipeline(b *testing.B) {
	up := &fasthttp.Server{Handler: func(ctx *fasthttp.RequestCtx) { ctx.WriteString("upstream ok\n") }}
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		b.Fatal(err)
	}
	go up.Serve(ln)
	defer up.Shutdown()
	tg := startGateway(b, strings.ReplaceAll(benchConfig, "UPSTREAM", ln.Addr().String()), nil)
	remote := &net.TCPAddr{IP: net.IPv4(127, 0, 0, 1), Port: 40000}
	for _, path := range []string{"/static", "/hello", "/headers", "/proxy"} {
		b.Run(path[1:], func(b *testing.B) {
			var req fasthttp.Request
			req.SetRequestURI(path)
			req.Header.Set("X-API-Key", "secret")
			var ctx fasthttp.RequestCtx
			b.ReportAllocs()
			for b.Loop() {
				ctx.Init(&req, remote, nil)
				tg.handle(&ctx)
				if ctx.Response.StatusCode() != 200 {
					b.Fatalf("status %d: %s", ctx.Response.StatusCode(), ctx.Response.Body())
				}
			}
		})
	}
}
