package lua

import (
	"io"
	"slices"
	"testing"

	"github.com/moongate/moongate/abi"
	"github.com/moongate/moongate/errlog"
	"github.com/moongate/moongate/host"
	"github.com/valyala/fasthttp"
	glua "github.com/yuin/gopher-lua"
)

// TestCapture runs ngx.location.capture_multi against a fake subrequest
// runner that serves each subrequest with a second hook, on a session
// Sub began on the parent's VM (one VM: the parent must release it).
func TestCapture(t *testing.T) {
	parentSrc := `
		local c = {k = "v"}
		local r1, r2 = ngx.location.capture_multi{
			{"/a?x=1", {args = {b = "c d"}, method = ngx.HTTP_PUT, body = "B", vars = {v = 1},
				copy_all_vars = true, always_forward_body = true, ctx = c}},
			{"/b"},
		}
		ngx.say(r1.status, " ", r1.body, " ", r1.header["X-A"][1], r1.header["X-A"][2], " ", r1.header["X-B"],
			" ", tostring(r1.truncated), " ", r2.status, " ", tostring(r2.truncated), " ", r2.body)
		ngx.say(c.set)
		local ok, err = pcall(ngx.location.capture, "/c")
		ngx.say(ok, " ", type(err), " ", err.body)`
	subSrc := `ngx.ctx.set = tostring(ngx.ctx.k) .. "!" ngx.print(ngx.var.uri, " ", tostring(ngx.is_subrequest))`
	var chunks []*Chunk
	for i, src := range []string{parentSrc, subSrc} {
		c, err := Compile([]string{"parent", "sub"}[i], src)
		if err != nil {
			t.Fatal(err)
		}
		chunks = append(chunks, c)
	}
	log := errlog.New(io.Discard, errlog.Error)
	e, err := NewEngine(Options{VMs: 1, Log: log}, chunks, nil, nil)
	if err != nil {
		t.Fatal(err)
	}
	defer e.Close()

	var got []host.SubRequest
	var sess *Session
	runner := func(parent *host.Request, subs []host.SubRequest) ([]host.SubResponse, error) {
		got = append(got, subs...)
		resps := make([]host.SubResponse, len(subs))
		for i := range subs {
			ctx := new(fasthttp.RequestCtx)
			ctx.Init(&parent.Ctx.Request, nil, nil)
			r := host.NewRequest(ctx, "", nil, log)
			r.InitSubrequest(parent, &subs[i])
			r.SetPhase(abi.PhaseContent)
			sub := sess.Sub(r, subs[i].Ctx)
			if err := sub.Run(Hook(1)); err != nil {
				t.Error(err)
			}
			resps[i] = host.SubResponse{Status: 200 + i, Body: append([]byte(nil), ctx.Response.Body()...), Truncated: i == 1,
				Header: []host.Header{{Name: []byte("X-A"), Value: []byte("1")}, {Name: []byte("X-B"), Value: []byte("3")}, {Name: []byte("X-A"), Value: []byte("2")}}}
			sub.End()
			r.Release()
		}
		return resps, nil
	}
	ctx := new(fasthttp.RequestCtx)
	r := host.NewRequest(ctx, "/p", host.Vars{"v": ""}, log)
	r.Subrequests = host.SubrequestFunc(runner)
	r.SetPhase(abi.PhaseContent)
	sess = e.Begin(r)
	defer sess.End()
	if err := sess.Run(Hook(0)); err != nil {
		t.Fatal(err)
	}
	want := "200 /a true 12 3 false 201 true /b true\nv!\ntrue table /c true\n"
	if body := string(ctx.Response.Body()); body != want {
		t.Errorf("got %q, want %q", body, want)
	}
	wantSubs := []host.SubRequest{
		{Method: "PUT", URI: "/a?x=1", Args: "b=c%20d", Body: []byte("B"), HasBody: true, AlwaysForwardBody: true,
			CopyAllVars: true, Vars: map[string]string{"v": "1"}},
		{Method: "GET", URI: "/b"},
		{Method: "GET", URI: "/c"},
	}
	if len(got) != len(wantSubs) {
		t.Fatalf("got %d subrequests, want %d", len(got), len(wantSubs))
	}
	for i, w := range wantSubs {
		g := got[i]
		if _, isTable := g.Ctx.(*glua.LTable); isTable != (i == 0) {
			t.Errorf("subrequest %d: ctx %v", i, g.Ctx)
		}
		if g.Method != w.Method || g.URI != w.URI || g.Args != w.Args || string(g.Body) != string(w.Body) || g.HasBody != w.HasBody ||
			g.AlwaysForwardBody != w.AlwaysForwardBody || g.CopyAllVars != w.CopyAllVars || g.ShareAllVars != w.ShareAllVars ||
			len(g.Vars) != len(w.Vars) || g.Vars["v"] != w.Vars["v"] {
			t.Errorf("subrequest %d: got %+v, want %+v", i, g, w)
		}
	}
	if !slices.Equal(got[0].Body, []byte("B")) {
		t.Errorf("body %q", got[0].Body)
	}
}
