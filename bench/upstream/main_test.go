package main

import (
	"net"
	"testing"

	"github.com/valyala/fasthttp"
	"github.com/valyala/fasthttp/fasthttputil"
)

func TestHandle(t *testing.T) {
	tests := []struct {
		name   string
		method string
		uri    string
		body   string
	}{
		{name: "get root", method: fasthttp.MethodGet, uri: "http://upstream/"},
		{name: "get proxy path", method: fasthttp.MethodGet, uri: "http://upstream/proxy?x=1"},
		{name: "post with body", method: fasthttp.MethodPost, uri: "http://upstream/any", body: "payload"},
		{name: "head", method: fasthttp.MethodHead, uri: "http://upstream/"},
	}

	ln := fasthttputil.NewInmemoryListener()
	srv := &fasthttp.Server{Handler: handle}
	done := make(chan error, 1)
	go func() { done <- srv.Serve(ln) }()
	t.Cleanup(func() {
		if err := srv.Shutdown(); err != nil {
			t.Errorf("shutdown: %v", err)
		}
		if err := <-done; err != nil {
			t.Errorf("serve: %v", err)
		}
	})
	client := &fasthttp.Client{Dial: func(string) (net.Conn, error) { return ln.Dial() }}

	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			req := fasthttp.AcquireRequest()
			defer fasthttp.ReleaseRequest(req)
			resp := fasthttp.AcquireResponse()
			defer fasthttp.ReleaseResponse(resp)
			req.Header.SetMethod(tt.method)
			req.SetRequestURI(tt.uri)
			req.SetBodyString(tt.body)
			if tt.method == fasthttp.MethodHead {
				resp.SkipBody = true
			}
			if err := client.Do(req, resp); err != nil {
				t.Fatalf("do: %v", err)
			}
			if got := resp.StatusCode(); got != fasthttp.StatusOK {
				t.Errorf("status = %d, want 200", got)
			}
			if got := string(resp.Header.ContentType()); got != "text/plain" {
				t.Errorf("content type = %q, want text/plain", got)
			}
			want := "upstream ok\n"
			if tt.method == fasthttp.MethodHead {
				want = ""
			}
			if got := string(resp.Body()); got != want {
				t.Errorf("body = %q, want %q", got, want)
			}
		})
	}
}
