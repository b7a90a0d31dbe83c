package gateway

import (
	"bytes"
	"errors"
	"io"
	"net"
	"sync"

	"github.com/moongate/moongate/abi"
	"github.com/moongate/moongate/errlog"
	"github.com/moongate/moongate/gateway/location"
	"github.com/moongate/moongate/gateway/proxy"
	"github.com/moongate/moongate/host"
	"github.com/moongate/moongate/host/lua"
	"github.com/moongate/moongate/host/wasm"
	"github.com/valyala/fasthttp"
)

// maxJumps bounds internal redirections (ngx.req.set_uri with jump,
// ngx.exec), as nginx's "rewrite or internal redirection cycle" does.
const maxJumps = 10

// OpenResty's ngx.exit codes below 200.
const (
	exitOK        = 0
	exitError     = -1
	exitHTTPClose = 444
)

// exchange is one request going through the phase pipeline.
type exchange struct {
	s    *snapshot
	r    *host.Request
	sess *lua.Session
	rt   *route
}

var exchangePool = sync.Pool{New: func() any { return new(exchange) }}

// handle is the fasthttp handler: it runs the phases for one request.
func (g *Gateway) handle(ctx *fasthttp.RequestCtx) {
	s := g.acquire()
	if ambiguousLength(&ctx.Request.Header) {
		s.log.Logf(errlog.Info, "client sent both \"Content-Length\" and \"Transfer-Encoding\" headers, client: %s", ctx.RemoteAddr())
		writeErrorPage(ctx, fasthttp.StatusBadRequest)
		ctx.SetConnectionClose()
		s.release()
		return
	}
	raw := ctx.Request.Header.RequestURI()
	path := raw
	if i := bytes.IndexByte(raw, '?'); i >= 0 {
		path = raw[:i]
	}
	uri, err := location.NormalizeURI(path)
	if err != nil {
		s.log.Logf(errlog.Info, "client sent invalid request URI %q: %v, client: %s", raw, err, ctx.RemoteAddr())
		writeErrorPage(ctx, fasthttp.StatusBadRequest)
		s.release()
		return
	}
	x := exchangePool.Get().(*exchange)
	x.s = s
	x.r = host.NewRequest(ctx, uri, s.vars, s.log)
	x.r.Hostname = g.hostname
	x.r.Dicts = s.dicts
	x.r.Regex = s.regex
	x.r.Sockets, x.r.SocketOptions = s.sockets, &s.socket
	x.r.Subrequests = x
	x.sess = s.lua.Begin(x.r)
	if !x.readBody() {
		x.finish()
		return
	}
	if x.serve() {
		return // a streamed upstream body finishes the exchange
	}
	x.finish()
}

// ambiguousLength reports a request that carries both Content-Length and
// Transfer-Encoding, which nginx rejects (request smuggling); fasthttp lets
// the chunked encoding win, so the raw header is checked.
func ambiguousLength(h *fasthttp.RequestHeader) bool {
	if h.ContentLength() != -1 { // not chunked
		return false
	}
	for _, line := range bytes.Split(h.RawHeaders(), []byte("\n")) {
		name, _, ok := bytes.Cut(line, []byte(":"))
		if ok && bytes.EqualFold(bytes.TrimSpace(name), []byte("Content-Length")) {
			return true
		}
	}
	return false
}

// serve runs rewrite, access and content (or the proxy) for the matched
// route, and again for the route an internal redirect leads to. It reports whether the response body streams on after the
// handler returns, in which case the stream finishes the exchange.
func (x *exchange) serve() (streaming bool) {
	r := x.r
	for jumps := 0; ; jumps++ {
		idx, ok := x.s.router.Match(r.URI())
		if !ok || (x.s.routes[idx].cfg.Internal && !r.IsInternal()) {
			x.special(fasthttp.StatusNotFound)
			return false
		}
		x.enter(idx)
		if x.runPhase(abi.PhaseRewrite) {
			if x.execed(jumps) {
				continue
			}
			return false
		}
		if r.TakeJump() {
			x.sess.ResetCtx()
			r.ClearCtxValues()
			if jumps == maxJumps {
				x.s.log.Logf(errlog.Error, "rewrite or internal redirection cycle while processing %q", r.URI())
				x.special(fasthttp.StatusInternalServerError)
				return false
			}
			continue
		}
		if x.runPhase(abi.PhaseAccess) {
			if x.execed(jumps) {
				continue
			}
			return false
		}
		switch {
		case x.rt.has(abi.PhaseContent):
			if !x.runPhase(abi.PhaseContent) {
				x.endBody()
			} else if x.execed(jumps) {
				continue
			}
		case x.rt.upstream != nil:
			return x.proxy()
		default:
			x.special(fasthttp.StatusNotFound)
		}
		return false
	}
}

// enter binds the request to route idx and its filter hooks.
func (x *exchange) enter(idx int) {
	x.rt = &x.s.routes[idx]
	x.r.Route = idx
	x.r.HeaderFilter, x.r.BodyFilter = nil, nil
	if x.rt.has(abi.PhaseHeaderFilter) {
		x.r.HeaderFilter = x
	}
	if x.rt.has(abi.PhaseBodyFilter) {
		x.r.BodyFilter = x
	}
}

// FilterHeader runs the route's header_filter hooks in order: x is the
// request's host.HeaderFilter.
func (x *exchange) FilterHeader(*host.Request) error {
	hooks := x.rt.hooks[abi.PhaseHeaderFilter]
	for i := range hooks {
		h := &hooks[i]
		var err error
		if h.wasm != nil {
			err = x.runWasm(h, abi.PhaseHeaderFilter)
		} else {
			_, _, err = x.sess.Filter(h.lua, nil, false)
		}
		if err != nil {
			return err
		}
	}
	return nil
}

// FilterBody passes a chunk through the route's body_filter hooks in
// order: x is the request's host.BodyFilter.
func (x *exchange) FilterBody(r *host.Request, chunk []byte, eof bool) ([]byte, bool, error) {
	hooks := x.rt.hooks[abi.PhaseBodyFilter]
	var err error
	for i := range hooks {
		h := &hooks[i]
		if h.wasm != nil {
			chunk, eof, err = h.wasm.Filter(r, h.config, chunk, eof)
			err = h.named(err)
		} else {
			chunk, eof, err = x.sess.Filter(h.lua, chunk, eof)
		}
		if err != nil {
			return chunk, eof, err
		}
	}
	return chunk, eof, nil
}

// runPhase runs the route's hooks for phase p in order (the plugins',
// then the route's own), each acting on ngx.exit. It reports whether the
// request is finished.
func (x *exchange) runPhase(p abi.Phase) (finished bool) {
	hooks := x.rt.hooks[p]
	for i := range hooks {
		if x.runHook(&hooks[i], p) {
			return true
		}
	}
	return false
}

// runHook runs hook h of phase p and acts on ngx.exit. It reports whether
// the request is finished.
func (x *exchange) runHook(h *hook, p abi.Phase) (finished bool) {
	r := x.r
	r.SetPhase(p)
	if err := x.run(h, p); err != nil {
		x.fail(err)
		return true
	}
	if r.ExecPending() { // ngx.exec: serve routes the request again
		return true
	}
	code, exited := r.Exited()
	if !exited {
		return false
	}
	r.ClearExit()
	switch {
	case code == exitHTTPClose || code == exitError: // nginx aborts the request on NGX_ERROR
		x.closeConnection()
	case code >= 200 && code < 300 && code != fasthttp.StatusNoContent:
		if r.Status() == 0 && !r.HeadersSent() {
			r.SetStatus(code)
		}
		x.endBody()
	case code >= 300 || code == fasthttp.StatusNoContent:
		x.special(code)
	default: // ngx.OK, ngx.DECLINED, ...: leave the phase, go on
		if p == abi.PhaseContent {
			x.endBody()
			return true
		}
		return false
	}
	return true
}

// run runs hook h for phase p; a Wasm guest's action becomes ngx.exit.
func (x *exchange) run(h *hook, p abi.Phase) error {
	if h.wasm != nil {
		return x.runWasm(h, p)
	}
	return x.sess.Run(h.lua)
}

// runWasm calls the guest's export for phase p; an action other than
// continue is the guest's ngx.exit.
func (x *exchange) runWasm(h *hook, p abi.Phase) error {
	action, err := h.wasm.Run(x.r, p, h.config)
	if err != nil {
		return h.named(err)
	}
	if action != abi.ActionContinue {
		x.r.Exit(int(action))
	}
	return nil
}

// fail answers a failed hook with a 500 and logs one line naming the
// route, phase, chunk and line.
func (x *exchange) fail(err error) {
	x.s.log.Logf(errlog.Error, "route %d (location %q): %s", x.r.Route, x.rt.cfg.Location, oneLine(err))
	x.r.HeaderFilter, x.r.BodyFilter = nil, nil
	if x.r.ResetResponse() {
		x.special(fasthttp.StatusInternalServerError)
		return
	}
	x.r.Ctx.SetConnectionClose()
}

// oneLine drops the Lua traceback from a hook error.
func oneLine(err error) string {
	msg := err.Error()
	if i := bytes.IndexByte([]byte(msg), '\n'); i >= 0 {
		return msg[:i]
	}
	return msg
}

// special finishes the request with nginx's response for status.
func (x *exchange) special(status int) {
	if err := x.r.SendSpecial(status); err != nil {
		x.filterFailed(err)
	}
}

// endBody ends the response body (sending headers if none were).
func (x *exchange) endBody() {
	if err := x.r.EOF(); err != nil {
		x.filterFailed(err)
	}
}

// filterFailed handles an error from a filter hook while finishing.
func (x *exchange) filterFailed(err error) {
	var luaErr *lua.HookError
	var wasmErr *wasm.HookError
	if errors.As(err, &luaErr) || errors.As(err, &wasmErr) {
		x.fail(err)
		return
	}
	x.s.log.Logf(errlog.Info, "writing response: %v", err)
	x.r.Ctx.SetConnectionClose()
}

// closeConnection is ngx.exit(444): close without a response.
func (x *exchange) closeConnection() {
	ctx := x.r.Ctx
	ctx.HijackSetNoResponse(true)
	ctx.Hijack(func(net.Conn) {})
}

// finish runs the log phase and releases the request.
func (x *exchange) finish() {
	r := x.r
	if r.Streaming() && !r.Finished() {
		x.endBody()
	}
	if x.rt != nil && !r.IsSubrequest() { // nginx runs no log phase for subrequests
		hooks := x.rt.hooks[abi.PhaseLog]
		for i := range hooks {
			r.SetPhase(abi.PhaseLog)
			if err := x.run(&hooks[i], abi.PhaseLog); err != nil {
				x.s.log.Logf(errlog.Error, "route %d (location %q): %s", r.Route, x.rt.cfg.Location, oneLine(err))
			}
		}
	}
	x.sess.End()
	r.Release()
	x.s.release()
	*x = exchange{}
	exchangePool.Put(x)
}

// proxy forwards the request to the route's upstream and sends back its
// response through header_filter and body_filter. It reports whether the
// body streams on after the handler returns.
func (x *exchange) proxy() (streaming bool) {
	r, up := x.r, x.rt.upstream
	ctx := r.Ctx
	args := r.Args()
	uri := up.RequestURI(string(r.RequestURI()), r.URI(), args, x.rt.prefix, r.URIChanged() || !up.HasURI() && !r.RequestURIValid())
	resp := fasthttp.AcquireResponse()
	res, err := up.Forward(&ctx.Request, uri, remoteIP(ctx), "http", resp)
	r.Upstream = host.UpstreamInfo{Addr: res.Addr, Status: res.Status, ResponseTime: res.ResponseTime}
	if err != nil {
		fasthttp.ReleaseResponse(resp)
		status := fasthttp.StatusBadGateway
		var perr *proxy.Error
		if errors.As(err, &perr) {
			status = perr.Status
		}
		r.Upstream.Status = status
		x.s.log.Logf(errlog.Error, "%v, client: %s, request: %q", err, ctx.RemoteAddr(), r.RequestURI())
		x.special(status)
		return false
	}
	resp.Header.CopyTo(&ctx.Response.Header)
	r.SetStatus(resp.StatusCode())
	stream := resp.BodyStream()
	if stream == nil {
		err = r.WriteBody(resp.Body(), true)
		fasthttp.ReleaseResponse(resp)
		if err != nil {
			x.filterFailed(err)
		}
		return false
	}
	if err := r.SendHeaders(); err != nil {
		resp.CloseBodyStream()
		fasthttp.ReleaseResponse(resp)
		x.filterFailed(err)
		return false
	}
	size := resp.Header.ContentLength()
	if r.BodyFilter != nil || ctx.IsHead() {
		size = -1
	}
	ctx.Response.SetBodyStream(&upstreamBody{x: x, resp: resp, stream: stream}, size)
	return true
}

func remoteIP(ctx *fasthttp.RequestCtx) string {
	if a, ok := ctx.RemoteAddr().(*net.TCPAddr); ok {
		return a.IP.String()
	}
	host, _, _ := net.SplitHostPort(ctx.RemoteAddr().String())
	return host
}

// upstreamBody streams a large upstream body to the client through the
// body_filter hook; closing it finishes the exchange (log phase).
type upstreamBody struct {
	x       *exchange
	resp    *fasthttp.Response
	stream  io.Reader
	buf     []byte
	pending []byte
	done    bool
}

// Read returns filtered body bytes.
func (b *upstreamBody) Read(p []byte) (int, error) {
	for len(b.pending) == 0 {
		if b.done {
			return 0, io.EOF
		}
		if b.buf == nil {
			b.buf = make([]byte, 32*1024)
		}
		n, err := b.stream.Read(b.buf)
		eof := err == io.EOF // a *proxy.Error wrapping io.EOF is a body cut short
		if err != nil && !eof {
			b.x.s.log.Logf(errlog.Error, "reading upstream body: %v", err)
			b.done = true
			return 0, err
		}
		chunk, last, ferr := b.x.r.FilterChunk(b.buf[:n], eof)
		if ferr != nil {
			b.x.s.log.Logf(errlog.Error, "route %d: %s", b.x.r.Route, oneLine(ferr))
			b.done = true
			return 0, ferr
		}
		b.done = last
		b.pending = chunk
	}
	n := copy(p, b.pending)
	b.pending = b.pending[n:]
	return n, nil
}

// Close releases the upstream response and finishes the exchange.
func (b *upstreamBody) Close() error {
	b.resp.CloseBodyStream()
	fasthttp.ReleaseResponse(b.resp)
	b.x.finish()
	return nil
}

// writeErrorPage answers a request that never reached the pipeline.
func writeErrorPage(ctx *fasthttp.RequestCtx, status int) {
	ctx.Response.Reset()
	ctx.SetStatusCode(status)
	if page := host.ErrorPage(status); page != nil {
		ctx.SetContentType("text/html")
		ctx.SetBody(page)
	}
}
