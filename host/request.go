package host

import (
	"bufio"
	"sync"
	"time"

	"github.com/moongate/moongate/abi"
	"github.com/moongate/moongate/errlog"
	"github.com/moongate/moongate/host/regex"
	"github.com/moongate/moongate/shdict"
	"github.com/valyala/fasthttp"
)

// PhaseError is OpenResty's error for an API called in a context that
// forbids it.
type PhaseError struct{ Phase abi.Phase }

// Error returns "API disabled in the context of <context>".
func (e *PhaseError) Error() string {
	return "API disabled in the context of " + e.Phase.ContextName()
}

// Vars declares the user variables of a config (nginx's `set $name value`)
// with their default values.
type Vars map[string]string

// Request is the state of one request (or of an init, init_worker or timer
// context, where Ctx is nil) that every host operation works on.
//
// A Request is owned by one goroutine at a time and must not be kept after
// Release; like fasthttp's RequestCtx, nothing that refers to it or its byte
// slices may outlive the request.
type Request struct {
	// Ctx is the fasthttp request being served; nil outside a request.
	Ctx *fasthttp.RequestCtx
	// Log is the error log.
	Log *errlog.Logger
	// HeaderFilter, when set, runs the header_filter hooks; it is called
	// once, when the response headers are about to be sent.
	HeaderFilter HeaderFilter
	// BodyFilter, when set, runs the body_filter hooks on each chunk of the
	// response body.
	BodyFilter BodyFilter
	// Route is the index of the matched route, -1 when none matched.
	Route int
	// Hostname is the machine's host name, for $hostname.
	Hostname string
	// Dicts are the config's shared dicts (ngx.shared). The Wasm binding's
	// dict handles are indexes into it, so it must be the same slice for
	// every call a Wasm instance serves; the gateway sorts it by name.
	Dicts []*shdict.Dict
	// Sockets is the cosocket connection pool shared by every request
	// (setkeepalive) and SocketOptions the config's cosocket defaults,
	// for the Wasm binding's sockets; without a pool a guest cannot
	// connect.
	Sockets       *ConnPool
	SocketOptions *SocketOptions
	// Regex is the compiled-pattern cache for ngx.re and the Wasm regex
	// calls; nil compiles every time.
	Regex *regex.Cache

	phase    abi.Phase
	start    time.Time
	uri      string // $uri: normalised, possibly changed by set_uri
	args     string // $args: possibly changed by set_uri_args or ngx.var.args
	argsSet  bool   // args replaced: Ctx's query string is stale
	uriSet   bool   // uri changed by set_uri
	internal bool
	userVars *varStore // nil until a user variable is set
	declared Vars
	in       inbound // request headers, method and URI state (req.go)

	bodyRead      bool
	bodyDiscarded bool
	body          bodyState // the body's file and the body being built (body.go)

	status         int
	headersSent    bool
	sendingHeaders bool // header_filter is running
	eof            bool
	exitCode       int
	exited         bool
	jump           bool
	stream         *bufio.Writer // set once the response streams to the client
	bodyBytes      int

	guestCtx map[string]string // ctx_get/ctx_set of Wasm guests (wasmctx.go)

	// Upstream records the proxy exchange for $upstream_* variables.
	Upstream UpstreamInfo

	// Subrequests runs the subrequests of Capture; the gateway installs
	// it.
	Subrequests SubrequestRunner
	sub         subState // ngx.exec and subrequest state (subrequest.go)
}

// UpstreamInfo is what the proxy learnt about the upstream exchange.
type UpstreamInfo struct {
	Addr         string
	Status       int
	ResponseTime time.Duration
}

var requestPool = sync.Pool{New: func() any { return new(Request) }}

// NewRequest returns a Request for ctx, whose normalised URI is uri, in the
// phase before rewrite. declared lists the config's user variables.
func NewRequest(ctx *fasthttp.RequestCtx, uri string, declared Vars, log *errlog.Logger) *Request {
	r := requestPool.Get().(*Request)
	r.Ctx = ctx
	r.Log = log
	r.uri = uri
	r.declared = declared
	r.Route = -1
	r.start = ctx.Time()
	return r
}

// NewContext returns a Request for a context outside any request (init,
// init_worker, timer).
func NewContext(phase abi.Phase, log *errlog.Logger) *Request {
	return &Request{phase: phase, Log: log, Route: -1, start: time.Now()}
}

// Release returns r to the pool; r must not be used afterwards.
func (r *Request) Release() {
	r.body.drop()
	*r = Request{}
	requestPool.Put(r)
}

// Phase returns the phase r is in.
func (r *Request) Phase() abi.Phase { return r.phase }

// SetPhase moves r to phase p; the gateway calls it between hooks.
func (r *Request) SetPhase(p abi.Phase) { r.phase = p }

// Check returns a *PhaseError unless r's phase is in allowed. Every host
// operation is guarded by it, with the set abi.Contexts gives for the API.
func (r *Request) Check(allowed abi.Phases) error {
	if allowed.Has(r.phase) {
		return nil
	}
	return &PhaseError{Phase: r.phase}
}

// StartTime returns the time the request started (ngx.req.start_time).
func (r *Request) StartTime() time.Time { return r.start }

// IsInternal reports whether the request is an internal redirect or
// subrequest (ngx.req.is_internal).
func (r *Request) IsInternal() bool { return r.internal }

// SetInternal marks the request as internal.
func (r *Request) SetInternal(v bool) { r.internal = v }

// Exit records ngx.exit(code): the engine then unwinds the running hook and
// the gateway acts on ExitCode.
func (r *Request) Exit(code int) {
	r.exitCode = code
	r.exited = true
}

// Exited reports whether ngx.exit was called in the current phase, and with
// which code.
func (r *Request) Exited() (code int, ok bool) { return r.exitCode, r.exited }

// ClearExit forgets an ngx.exit once the gateway has acted on it.
func (r *Request) ClearExit() { r.exitCode, r.exited = 0, false }

// Jump records ngx.req.set_uri(uri, true): once the rewrite hook is left,
// the gateway matches the new URI against the routes again.
func (r *Request) Jump() { r.jump = true }

// TakeJump reports whether a jump was asked for, and forgets it.
func (r *Request) TakeJump() bool {
	j := r.jump
	r.jump = false
	return j
}
