package proxy_test

import (
	"fmt"
	"io"
	"log"

	"github.com/valyala/fasthttp"

	"github.com/moongate/moongate/gateway/proxy"
)

// The proxy_pass URI rule for "location /api/ { proxy_pass http://127.0.0.1:9000/v2/; }".
func ExampleUpstream_RequestURI() {
	u, err := proxy.New("http://127.0.0.1:9000/v2/", proxy.Options{})
	if err != nil {
		log.Fatal(err)
	}
	defer u.Close()

	// The location prefix is replaced by the proxy_pass URI.
	fmt.Println(u.RequestURI("/api/users%2042?x=1", "/api/users 42", "x=1", "/api/", false))
	// After ngx.req.set_uri("/other") the changed URI is sent whole.
	fmt.Println(u.RequestURI("/api/users%2042?x=1", "/other", "x=1", "/api/", true))
	// Output:
	// /v2/users%2042?x=1
	// /other?x=1
}

// Forwarding a request and passing the response on, closing a streamed body.
func ExampleUpstream_Forward() {
	u, err := proxy.New("http://127.0.0.1:9000", proxy.Options{ForwardedHeaders: true})
	if err != nil {
		log.Fatal(err)
	}
	defer u.Close()

	req := fasthttp.AcquireRequest()
	defer fasthttp.ReleaseRequest(req)
	req.Header.SetMethod(fasthttp.MethodGet)
	req.SetRequestURI("/hello")
	resp := fasthttp.AcquireResponse()
	defer fasthttp.ReleaseResponse(resp)

	res, err := u.Forward(req, u.RequestURI("/hello", "/hello", "", "/", false), "192.0.2.1", "http", resp)
	if err != nil {
		log.Printf("%v", err) // an *proxy.Error: err.(*proxy.Error).Status is 502 or 504
		return
	}
	if body := resp.BodyStream(); body != nil {
		n, _ := io.Copy(io.Discard, body)
		resp.CloseBodyStream()
		fmt.Println(res.Status, n, "bytes streamed")
		return
	}
	fmt.Println(res.Status, len(resp.Body()), "bytes")
}
