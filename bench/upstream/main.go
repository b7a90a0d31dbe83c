// Command upstream is the backend behind the /proxy route of the gateway
// comparison in bench/compare.sh. Both nginx and moongate proxy to it, so it
// does as little as possible: every request, whatever its method or path, gets
// 200 with Content-Type text/plain and the body "upstream ok\n".
//
// Usage:
//
//	upstream -listen 127.0.0.1:18090
package main

import (
	"flag"
	"fmt"
	"log"

	"github.com/valyala/fasthttp"
)

// body is the constant response body.
var body = []byte("upstream ok\n")

func main() {
	listen := flag.String("listen", "127.0.0.1:18090", "address to listen on (host:port)")
	flag.Parse()

	srv := &fasthttp.Server{
		Handler:              handle,
		Name:                 "bench-upstream",
		NoDefaultDate:        true,
		NoDefaultContentType: true,
	}
	if err := srv.ListenAndServe(*listen); err != nil {
		log.Fatal(fmt.Errorf("upstream: serve %s: %w", *listen, err))
	}
}

// handle answers every request with the constant body.
func handle(ctx *fasthttp.RequestCtx) {
	ctx.SetStatusCode(fasthttp.StatusOK)
	ctx.SetContentType("text/plain")
	ctx.SetBody(body)
}
