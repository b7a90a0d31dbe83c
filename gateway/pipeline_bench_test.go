package gateway

import (
	"net"
	"slices"
	"strings"
	"testing"

	"github.com/valyala/fasthttp"
)

// benchConfig has the routes of bench/compare.sh: the Lua routes, /shdict,
// and the same jobs done by the Go and C guests (GUESTS is the directory
// guests/build.sh writes to).
const benchConfig = `
shared_dicts: {bench: 10m}
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
  - location: = /shdict
    content: {lua: "local n = ngx.shared.bench:incr('hits', 1, 0) ngx.say(n)"}
  - location: = /wasm-go/hello
    content: {wasm: GUESTS/go/hello.wasm}
  - location: = /wasm-c/hello
    content: {wasm: GUESTS/c/hello.wasm}
  - location: = /wasm-go/headers
    access: {wasm: GUESTS/go/bench.wasm}
    header_filter: {wasm: GUESTS/go/bench.wasm}
    content: {wasm: GUESTS/go/bench.wasm}
  - location: = /wasm-c/headers
    access: {wasm: GUESTS/c/bench.wasm}
    header_filter: {wasm: GUESTS/c/bench.wasm}
    content: {wasm: GUESTS/c/bench.wasm}
`

// guestDir returns the absolute directory of the guests built by
// guests/build.sh, building them if needed.
func guestDir(b *testing.B) string {
	return strings.TrimSuffix(guest(b, "c/bench"), "/c/bench.wasm")
}

// benchRequest runs path through tg's handler (no sockets on the client
// side) once per iteration, with X-API-Key: secret, failing on any status
// but 200. It returns the nanoseconds per request.
func benchRequest(b *testing.B, tg *testGateway, path string) float64 {
	b.Helper()
	remote := &net.TCPAddr{IP: net.IPv4(127, 0, 0, 1), Port: 40000}
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
	return float64(b.Elapsed().Nanoseconds()) / float64(b.N)
}

// BenchmarkPipeline measures the handler alone (no sockets on the client
// side): routing, the hooks and building the response, on the routes of
// bench/compare.sh.
func BenchmarkPipeline(b *testing.B) {
	up := &fasthttp.Server{Handler: func(ctx *fasthttp.RequestCtx) { ctx.WriteString("upstream ok\n") }}
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		b.Fatal(err)
	}
	go up.Serve(ln)
	defer up.Shutdown()
	cfg := strings.NewReplacer("UPSTREAM", ln.Addr().String(), "GUESTS", guestDir(b)).Replace(benchConfig)
	tg := startGateway(b, cfg, nil)
	for _, path := range []string{
		"/static", "/hello", "/headers", "/proxy", "/shdict",
		"/wasm-go/hello", "/wasm-c/hello", "/wasm-go/headers", "/wasm-c/headers",
	} {
		b.Run(path[1:], func(b *testing.B) { benchRequest(b, tg, path) })
	}
}

// accessConfig has one route per kind of access hook, all with the same
// constant Lua content; /none has no access hook.
const accessConfig = `
plugins:
  auth-lua:
    lua: |
      return {access = function(conf)
        if ngx.var.http_x_api_key ~= conf.key then return ngx.exit(401) end
        ngx.req.set_header('X-User', 'alice')
      end}
  auth-c: {wasm: GUESTS/c/bench.wasm}
routes:
  - location: = /lua-plugin
    plugins: {auth-lua: {key: secret}}
    content: {lua: "ngx.say('ok')"}
  - location: = /c-plugin
    plugins: {auth-c: ~}
    content: {lua: "ngx.say('ok')"}
  - location: = /none
    content: {lua: "ngx.say('ok')"}
  - location: = /lua-read
    access: {lua: "local k = ngx.var.http_x_api_key"}
    content: {lua: "ngx.say('ok')"}
  - location: = /lua-auth
    access: {lua: "if ngx.var.http_x_api_key ~= 'secret' then return ngx.exit(401) end ngx.req.set_header('X-User', 'alice')"}
    content: {lua: "ngx.say('ok')"}
  - location: = /go
    access: {wasm: GUESTS/go/bench.wasm}
    content: {lua: "ngx.say('ok')"}
  - location: = /c
    access: {wasm: GUESTS/c/bench.wasm}
    content: {lua: "ngx.say('ok')"}
`

// BenchmarkAccessHook measures the per-request cost of an access hook:
// no hook, Lua reading one header (lua-read), Lua doing what the guests do
// (lua-auth: check x-api-key, set X-User), the Go and C bench guests'
// on_access, and the same as named plugins (lua-plugin, with the key in
// its config, and c-plugin). Each hooked route also reports over-none-ns/op: its ns/op
// less the median ns/op of the "none" runs made so far in this process
// (with -count N, go test runs all N of them first); absent when "none"
// did not run.
func BenchmarkAccessHook(b *testing.B) {
	tg := startGateway(b, strings.ReplaceAll(accessConfig, "GUESTS", guestDir(b)), nil)
	var none []float64
	for _, route := range []string{"none", "lua-read", "lua-auth", "go", "c", "lua-plugin", "c-plugin"} {
		b.Run(route, func(b *testing.B) {
			ns := benchRequest(b, tg, "/"+route)
			switch {
			case route == "none":
				none = append(none, ns)
			case len(none) > 0:
				b.ReportMetric(ns-median(none), "over-none-ns/op")
			}
		})
	}
}

// median returns the median of xs, which it sorts.
func median(xs []float64) float64 {
	slices.Sort(xs)
	n := len(xs)
	return (xs[(n-1)/2] + xs[n/2]) / 2
}
