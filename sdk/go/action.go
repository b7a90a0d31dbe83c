package moongate

import "github.com/moongate/moongate/abi"

// Action is what a handler returns: Continue goes on with the request; any
// other value finishes it as ngx.exit(value) would (a status of 200 or more
// is sent, 444 closes the connection).
type Action int32

// Continue goes on with the request, as a Lua hook that returns or calls
// ngx.exit(ngx.OK).
const Continue Action = abi.ActionContinue

// Handler handles one phase of a request.
type Handler func(r *Request) Action

// Request is the request being served. It is a handle: every method calls
// the host about the current request, so a handler needs no other state
// and nothing it returns refers to the Request.
type Request struct{ _ struct{} }

// Exit returns the action that finishes the request with status, as
// ngx.exit(status): return it from the handler.
func (r *Request) Exit(status int) Action { return Action(status) }

// Level is an error-log level, as ngx.STDERR ... ngx.DEBUG.
type Level int32

// The log levels, most severe first, with nginx's names.
const (
	STDERR Level = iota
	EMERG
	ALERT
	CRIT
	ERR
	WARN
	NOTICE
	INFO
	DEBUG
)

// handlers holds the handler of each phase, indexed by abi.Phase.
var handlers [abi.PhaseTimer + 1]Handler

// register makes h the handler of phase p, replacing any before it.
func register(p abi.Phase, h Handler) { handlers[p] = h }

// OnInit registers the handler run once per config load (init_by_lua*).
func OnInit(h Handler) { register(abi.PhaseInit, h) }

// OnInitWorker registers the handler run once per instance, when it is
// created (init_worker_by_lua*).
func OnInitWorker(h Handler) { register(abi.PhaseInitWorker, h) }

// OnRewrite registers the rewrite-phase handler (rewrite_by_lua*).
func OnRewrite(h Handler) { register(abi.PhaseRewrite, h) }

// OnAccess registers the access-phase handler (access_by_lua*).
func OnAccess(h Handler) { register(abi.PhaseAccess, h) }

// OnContent registers the content handler (content_by_lua*).
func OnContent(h Handler) { register(abi.PhaseContent, h) }

// OnHeaderFilter registers the header_filter handler
// (header_filter_by_lua*), run when the response headers are about to be
// sent.
func OnHeaderFilter(h Handler) { register(abi.PhaseHeaderFilter, h) }

// OnBodyFilter registers the body_filter handler (body_filter_by_lua*), run
// once per chunk of the response body: see Request.Chunk.
func OnBodyFilter(h Handler) { register(abi.PhaseBodyFilter, h) }

// OnLog registers the log-phase handler (log_by_lua*), run after the
// response is sent.
func OnLog(h Handler) { register(abi.PhaseLog, h) }
