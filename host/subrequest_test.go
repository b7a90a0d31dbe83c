package host

import (
	"errors"
	"io"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"testing"

	"github.com/moongate/moongate/abi"
	"github.com/valyala/fasthttp"
)

// subTestRequest returns a POST request for /p?q=1 with body "hello" and
// the user variable $v, in phase p.
func subTestRequest(p abi.Phase) *Request {
	ctx := new(fasthttp.RequestCtx)
	ctx.Request.Header.SetMethod("POST")
	ctx.Request.SetRequestURI("/p?q=1")
	ctx.Request.Header.Set("X-H", "hv")
	ctx.Request.SetBodyString("hello")
	r := NewRequest(ctx, "/p", Vars{"v": "def"}, nil)
	r.SetPhase(p)
	return r
}

func TestSplitURI(t *testing.T) {
	tests := []struct{ uri, args, path, query string }{
		{"/a", "", "/a", ""},
		{"/a?x=1", "", "/a", "x=1"},
		{"/a", "y=2", "/a", "y=2"},
		{"/a?x=1", "y=2", "/a", "x=1&y=2"},
		{"/a?", "y=2", "/a", "y=2"},
	}
	for _, tt := range tests {
		if path, query := SplitURI(tt.uri, tt.args); path != tt.path || query != tt.query {
			t.Errorf("SplitURI(%q, %q) = %q, %q; want %q, %q", tt.uri, tt.args, path, query, tt.path, tt.query)
		}
	}
}

func TestExec(t *testing.T) {
	tests := []struct {
		name       string
		phase      abi.Phase
		sent       bool
		uri, args  string
		err        string
		wantURI    string
		wantArgs   string
		wantNoArgs bool
	}{
		{name: "args joined", phase: abi.PhaseRewrite, uri: "/t?x=1", args: "y=2", wantURI: "/t", wantArgs: "x=1&y=2"},
		{name: "no args", phase: abi.PhaseContent, uri: "/t", wantURI: "/t", wantNoArgs: true},
		{name: "empty", phase: abi.PhaseAccess, err: "The uri argument is empty"},
		{name: "named", phase: abi.PhaseContent, uri: "@x", err: `named location "@x" is not supported`},
		{name: "after headers", phase: abi.PhaseContent, sent: true, uri: "/t", err: "attempt to call ngx.exec after sending out response headers"},
		{name: "phase", phase: abi.PhaseLog, uri: "/t", err: "API disabled in the context of log_by_lua*"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r := subTestRequest(tt.phase)
			r.headersSent = tt.sent
			err := r.Exec(tt.uri, tt.args)
			if tt.err != "" {
				if err == nil || err.Error() != tt.err {
					t.Fatalf("Exec: %v, want %q", err, tt.err)
				}
				if r.ExecPending() {
					t.Error("a failed Exec is pending")
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if _, exited := r.Exited(); !exited || !r.ExecPending() || !r.IsInternal() {
				t.Errorf("after Exec: exited %v, pending %v, internal %v", exited, r.ExecPending(), r.IsInternal())
			}
			args, set := r.argsVar()
			if r.URI() != tt.wantURI || args != tt.wantArgs || set == tt.wantNoArgs {
				t.Errorf("uri %q args %q (set %v), want %q %q", r.URI(), args, set, tt.wantURI, tt.wantArgs)
			}
			if !r.TakeExec() || r.ExecPending() || r.TakeExec() {
				t.Error("TakeExec does not take the redirect once")
			}
			if _, exited := r.Exited(); exited {
				t.Error("TakeExec leaves the exit")
			}
		})
	}
}

func TestCheckCapture(t *testing.T) {
	runner := func(*Request, []SubRequest) ([]SubResponse, error) { return nil, nil }
	tests := []struct {
		name   string
		phase  abi.Phase
		depth  int
		noRun  bool
		vars   map[string]string
		err    string
		errIs  error
		logged string
	}{
		{name: "ok", phase: abi.PhaseContent, vars: map[string]string{"V": "x", "args": "a=1"}},
		{name: "phase", phase: abi.PhaseHeaderFilter, err: "API disabled in the context of header_filter_by_lua*"},
		{name: "no runner", phase: abi.PhaseContent, noRun: true, errIs: ErrNoSubrequests},
		{name: "deepest may issue", phase: abi.PhaseContent, depth: MaxSubrequestDepth - 1},
		{name: "too deep", phase: abi.PhaseContent, depth: MaxSubrequestDepth, errIs: ErrSubrequestCycle},
		{name: "built-in var", phase: abi.PhaseRewrite, vars: map[string]string{"uri": "x"}, err: "failed to adjust the subrequest: 500"},
		{name: "unknown var", phase: abi.PhaseAccess, vars: map[string]string{"nosuch": "x"}, err: "failed to adjust the subrequest: -1"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r := subTestRequest(tt.phase)
			r.sub.depth = tt.depth
			if !tt.noRun {
				r.Subrequests = SubrequestFunc(runner)
			}
			err := r.CheckCapture([]SubRequest{{URI: "/s"}, {URI: "/s", Vars: tt.vars}})
			switch {
			case tt.errIs != nil:
				if !errors.Is(err, tt.errIs) {
					t.Errorf("got %v, want %v", err, tt.errIs)
				}
			case tt.err != "":
				if err == nil || err.Error() != tt.err {
					t.Errorf("got %v, want %q", err, tt.err)
				}
			case err != nil:
				t.Errorf("got %v", err)
			}
		})
	}
}

func TestInitSubrequest(t *testing.T) {
	tests := []struct {
		name     string
		read     bool // the parent read its body
		sub      SubRequest
		method   string
		uri      string
		args     string
		body     string
		length   string // the Content-Length header, "" for none
		myvar    string
		shared   bool
		internal bool
	}{
		{name: "GET takes no body", read: true, sub: SubRequest{URI: "/s?a=1", Args: "b=2"}, method: "GET", uri: "/s", args: "a=1&b=2", myvar: "def"},
		{name: "POST takes the read body", read: true, sub: SubRequest{Method: "POST", URI: "/s"}, method: "POST", uri: "/s", body: "hello", length: "5", myvar: "def"},
		{name: "POST without a read body", sub: SubRequest{Method: "POST", URI: "/s"}, method: "POST", uri: "/s", myvar: "def"},
		{name: "always_forward_body", read: true, sub: SubRequest{Method: "DELETE", URI: "/s", AlwaysForwardBody: true}, method: "DELETE", uri: "/s", body: "hello", length: "5", myvar: "def"},
		{name: "body option", sub: SubRequest{Method: "PUT", URI: "/s", Body: []byte("xy"), HasBody: true}, method: "PUT", uri: "/s", body: "xy", length: "2", myvar: "def"},
		{name: "empty body option", read: true, sub: SubRequest{Method: "POST", URI: "/s", HasBody: true}, method: "POST", uri: "/s", length: "0", myvar: "def"},
		{name: "vars", sub: SubRequest{URI: "/s", Vars: map[string]string{"v": "given", "args": "z=1"}}, method: "GET", uri: "/s", args: "z=1", myvar: "given"},
		{name: "copy_all_vars", sub: SubRequest{URI: "/s", CopyAllVars: true}, method: "GET", uri: "/s", myvar: "parent"},
		{name: "share_all_vars", sub: SubRequest{URI: "/s", ShareAllVars: true}, method: "GET", uri: "/s", myvar: "parent", shared: true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			parent := subTestRequest(abi.PhaseContent)
			parent.SetVar("v", "parent")
			if tt.read {
				parent.ReadBody()
			}
			ctx := new(fasthttp.RequestCtx)
			ctx.Init(&parent.Ctx.Request, nil, nil)
			r := NewRequest(ctx, "", parent.declared, nil)
			r.InitSubrequest(parent, &tt.sub)
			if !r.IsSubrequest() || !r.IsInternal() || parent.IsSubrequest() {
				t.Errorf("sub %v internal %v, parent sub %v", r.IsSubrequest(), r.IsInternal(), parent.IsSubrequest())
			}
			if m := string(r.Method()); m != tt.method {
				t.Errorf("method %q, want %q", m, tt.method)
			}
			if req, _ := r.Var("request"); !strings.HasPrefix(req, "POST /p?q=1 ") {
				t.Errorf("$request %q: not the parent's", req)
			}
			if r.URI() != tt.uri || r.Args() != tt.args {
				t.Errorf("uri %q args %q, want %q %q", r.URI(), r.Args(), tt.uri, tt.args)
			}
			if b := string(r.Ctx.Request.Body()); b != tt.body {
				t.Errorf("body %q, want %q", b, tt.body)
			}
			if cl := string(r.Header("Content-Length")); cl != tt.length {
				t.Errorf("Content-Length %q, want %q", cl, tt.length)
			}
			if h := string(r.Header("X-H")); h != "hv" {
				t.Errorf("X-H %q: the parent's headers are not inherited", h)
			}
			if v, _ := r.Var("v"); v != tt.myvar {
				t.Errorf("$v %q, want %q", v, tt.myvar)
			}
			r.SetVar("v", "child")
			if v, _ := parent.Var("v"); (v == "child") != tt.shared {
				t.Errorf("parent's $v %q after the subrequest set it (shared: %v)", v, tt.shared)
			}
		})
	}
}

func TestSubResponse(t *testing.T) {
	tests := []struct {
		name      string
		run       func(r *Request)
		status    int
		body      string
		truncated bool
		headers   string
	}{
		{name: "output", run: func(r *Request) {
			r.AddRespHeader("X-A", "1")
			r.AddRespHeader("X-A", "2")
			r.Print([]byte("a"))
			r.Flush()
			r.Print([]byte("b"))
			r.EOF()
			r.Deliver()
		}, status: 200, body: "ab", headers: "Content-Type: text/plain|X-A: 1|X-A: 2"},
		{name: "special", run: func(r *Request) { r.SendSpecial(404) }, status: 404, truncated: true, headers: "Content-Type: text/plain"},
		{name: "special after output", run: func(r *Request) {
			r.Print([]byte("pre"))
			r.SendSpecial(403)
		}, status: 200, body: "pre", headers: "Content-Type: text/plain"},
		{name: "unfinished", run: func(r *Request) {
			r.Print([]byte("part"))
			if r.ResetResponse() {
				t.Error("ResetResponse undid a subrequest's sent output")
			}
		}, status: 200, body: "part", truncated: true, headers: "Content-Type: text/plain"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			parent := subTestRequest(abi.PhaseContent)
			ctx := new(fasthttp.RequestCtx)
			ctx.Init(&parent.Ctx.Request, nil, nil)
			ctx.Response.Header.SetNoDefaultContentType(true)
			r := NewRequest(ctx, "", nil, nil)
			r.InitSubrequest(parent, &SubRequest{URI: "/s"})
			r.SetPhase(abi.PhaseContent)
			tt.run(r)
			if r.Streaming() {
				t.Error("a subrequest streams")
			}
			resp := r.SubResponse(nil, false)
			var hs []string
			for _, h := range resp.Header {
				hs = append(hs, string(h.Name)+": "+string(h.Value))
			}
			if resp.Status != tt.status || string(resp.Body) != tt.body || resp.Truncated != tt.truncated || strings.Join(hs, "|") != tt.headers {
				t.Errorf("got %d %q truncated %v headers %q; want %d %q %v %q",
					resp.Status, resp.Body, resp.Truncated, strings.Join(hs, "|"), tt.status, tt.body, tt.truncated, tt.headers)
			}
		})
	}
}

func TestInitSubrequestBodyFile(t *testing.T) {
	path := filepath.Join(t.TempDir(), "body")
	if err := os.WriteFile(path, []byte("from file"), 0o600); err != nil {
		t.Fatal(err)
	}
	f, err := os.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	parent := subTestRequest(abi.PhaseContent)
	parent.Ctx.Request.ResetBody()
	parent.useBodyFile(&bodyFile{path: path, f: f}, 9)
	parent.body.received = 9
	parent.ReadBody()
	defer parent.Release()
	for range 2 { // each subrequest reads the file anew; the parent keeps it
		ctx := new(fasthttp.RequestCtx)
		ctx.Init(&parent.Ctx.Request, nil, nil)
		r := NewRequest(ctx, "", nil, nil)
		r.InitSubrequest(parent, &SubRequest{Method: "POST", URI: "/s"})
		r.ReadBody()
		if got := r.BodyFile(); got != path {
			t.Errorf("BodyFile %q, want %q", got, path)
		}
		body, err := io.ReadAll(r.Ctx.Request.BodyStream())
		if string(body) != "from file" || err != nil {
			t.Errorf("body %q, %v", body, err)
		}
		if cl := string(r.Header("Content-Length")); cl != "9" {
			t.Errorf("Content-Length %q", cl)
		}
		r.Release()
	}
	if _, err := os.Stat(path); err != nil {
		t.Errorf("the parent's body file: %v", err)
	}
}

// TestSharedVarsConcurrently sets shared variables from subrequests on
// several goroutines at once, as Wasm subrequests of one capture_multi
// do; the race detector checks the store's locking.
func TestSharedVarsConcurrently(t *testing.T) {
	parent := subTestRequest(abi.PhaseContent)
	var wg sync.WaitGroup
	for i := range 4 {
		ctx := new(fasthttp.RequestCtx)
		ctx.Init(&parent.Ctx.Request, nil, nil)
		r := NewRequest(ctx, "", parent.declared, nil)
		r.InitSubrequest(parent, &SubRequest{URI: "/s", ShareAllVars: true})
		wg.Go(func() {
			for j := range 100 {
				r.SetVar("v", strconv.Itoa(i*100+j))
				r.Var("v")
			}
		})
	}
	wg.Wait()
	if v, _ := parent.Var("v"); v == "def" {
		t.Error("the parent does not see the subrequests' writes")
	}
}
