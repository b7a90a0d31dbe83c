package gateway

import (
	"io"
	"sync"

	"github.com/moongate/moongate/errlog"
	"github.com/moongate/moongate/host"
	"github.com/valyala/fasthttp"
)

// Subrequests (ngx.location.capture, capture_multi) run in-process: each
// is an exchange of its own, on a fasthttp request built from the
// parent's, through the same pipeline as a client request (rewrite,
// access, content or the proxy, header_filter, body_filter; not log, as
// in nginx), with its response captured instead of sent. Their Lua runs
// on the parent's VM, which the parent releases while it waits.

// RunSubrequests makes x the parent request's host.Request.Subrequests:
// it runs subs at once, each on its own goroutine, and returns their
// responses in order. The subrequests are prepared on the caller's goroutine, where
// the parent's request may be read.
func (x *exchange) RunSubrequests(parent *host.Request, subs []host.SubRequest) ([]host.SubResponse, error) {
	xs := make([]*exchange, len(subs))
	for i := range subs {
		xs[i] = x.subExchange(parent, &subs[i])
	}
	resps := make([]host.SubResponse, len(subs))
	if len(xs) == 1 {
		resps[0] = xs[0].runSub()
		return resps, nil
	}
	var wg sync.WaitGroup
	for i, sx := range xs {
		wg.Go(func() { resps[i] = sx.runSub() })
	}
	wg.Wait()
	return resps, nil
}

// subExchange builds the exchange of subrequest sub of parent, x's
// request: a copy of the parent's fasthttp request (headers, and the body
// when sub takes it), with sub's method, URI and variables.
func (x *exchange) subExchange(parent *host.Request, sub *host.SubRequest) *exchange {
	ctx := new(fasthttp.RequestCtx)
	ctx.Init(&parent.Ctx.Request, parent.Ctx.RemoteAddr(), quietLogger{})
	ctx.Response.Header.SetNoDefaultContentType(true)
	path, _ := host.SplitURI(sub.URI, "")
	x.s.acquire()
	sx := exchangePool.Get().(*exchange)
	sx.s = x.s
	sx.r = host.NewRequest(ctx, path, x.s.vars, x.s.log)
	sx.r.InitSubrequest(parent, sub)
	sx.r.Subrequests = sx
	sx.sess = x.sess.Sub(sx.r, sub.Ctx)
	return sx
}

// runSub serves the subrequest and returns its captured response; the
// exchange is finished (without the log phase) and released.
func (x *exchange) runSub() host.SubResponse {
	if !x.serve() {
		resp := x.r.SubResponse(nil, false)
		x.finish()
		return resp
	}
	stream := x.r.Ctx.Response.BodyStream() // the upstream body, through body_filter
	body, err := io.ReadAll(stream)
	if err != nil {
		x.s.log.Logf(errlog.Info, "subrequest %q: reading the upstream body: %v", x.r.URI(), err)
	}
	resp := x.r.SubResponse(body, true)
	if c, ok := stream.(io.Closer); ok {
		c.Close() // finishes the exchange
	}
	return resp
}

// execed reports whether the hook that finished the phase called ngx.exec,
// after the jumps redirections before it: the request is then routed
// again with a fresh ngx.ctx. Past maxJumps it answers 500, as nginx's
// "rewrite or internal redirection cycle" does, and reports false.
func (x *exchange) execed(jumps int) bool {
	r := x.r
	if !r.TakeExec() {
		return false
	}
	x.sess.ResetCtx()
	r.ClearCtxValues()
	if jumps == maxJumps {
		x.s.log.Logf(errlog.Error, "rewrite or internal redirection cycle while internally redirecting to %q%s", r.URI(), r.LogContext())
		x.special(fasthttp.StatusInternalServerError)
		return false
	}
	return true
}
