package host

import (
	"errors"
	"fmt"
	"os"
	"strconv"
	"strings"

	"github.com/moongate/moongate/abi"
)

// Internal redirects (ngx.exec) and subrequests (ngx.location.capture and
// capture_multi): the host records what a hook asks for, the gateway runs
// it through its pipeline.

// Errors of ngx.exec and ngx.location.capture, with OpenResty's wording.
var (
	ErrExecEmptyURI    = errors.New("The uri argument is empty")
	ErrExecAfterHeader = errors.New("attempt to call ngx.exec after sending out response headers")
	// ErrSubrequestCycle is the error of a subrequest nested deeper than
	// MaxSubrequestDepth.
	ErrSubrequestCycle = errors.New("failed to issue subrequest: -1")
	// ErrNoSubrequests is Capture's error where no runner is installed
	// (outside the gateway).
	ErrNoSubrequests = errors.New("subrequests are not available here")
)

// MaxSubrequestDepth is how deep subrequests nest: a request at this depth
// (the client's request is at 0) cannot issue one, as in nginx.
const MaxSubrequestDepth = 51

// SubRequest is one subrequest of ngx.location.capture or capture_multi.
type SubRequest struct {
	// Method is the request method ("" is GET).
	Method string
	// URI is the path to route; a "?" in it starts query arguments, to
	// which Args is appended.
	URI  string
	Args string
	// Body is the subrequest's body when HasBody (the body option);
	// otherwise a POST or PUT subrequest, or any with AlwaysForwardBody,
	// gets the parent's body if it was read, and the others none.
	Body              []byte
	HasBody           bool
	AlwaysForwardBody bool
	// CopyAllVars gives the subrequest a copy of the parent's user
	// variables; ShareAllVars makes it share them (its writes change the
	// parent's). Vars then sets variables of the subrequest.
	CopyAllVars, ShareAllVars bool
	Vars                      map[string]string
	// Ctx is the engine's value for the subrequest's request context: the
	// Lua binding passes the table of the ctx option, which the
	// subrequest's hooks see as ngx.ctx. nil gives a fresh context.
	Ctx any
}

// SubResponse is what a subrequest answered.
type SubResponse struct {
	Status int
	// Header lists the response headers in order, a header that has
	// several values once per value.
	Header []Header
	Body   []byte
	// Truncated reports a body cut short: the subrequest failed, or ended
	// with a special response, or its upstream broke off.
	Truncated bool
}

// subState is the request's place among internal redirects and
// subrequests.
type subState struct {
	depth int  // 0 for the client's request
	exec  bool // ngx.exec was called: the gateway routes uri again
}

// IsSubrequest reports whether r is a subrequest (ngx.is_subrequest).
func (r *Request) IsSubrequest() bool { return r.sub.depth > 0 }

// SplitURI splits the query string off uri and appends args to it with
// "&", as ngx.exec and ngx.location.capture do.
func SplitURI(uri, args string) (path, query string) {
	path, query, _ = strings.Cut(uri, "?")
	switch {
	case args == "":
	case query == "":
		query = args
	default:
		query += "&" + args
	}
	return path, query
}

// Exec records ngx.exec(uri, args): the running hook ends as with
// ngx.exit, then the gateway routes the request again to uri (from the
// rewrite phase, internal routes included) with query args, a fresh
// request context and the same method, headers and body. Named locations
// ("@name") are not supported.
func (r *Request) Exec(uri, args string) error {
	if err := r.Check(abi.Contexts("ngx.exec")); err != nil {
		return err
	}
	if uri == "" {
		return ErrExecEmptyURI
	}
	if strings.HasPrefix(uri, "@") {
		return fmt.Errorf("named location %q is not supported", uri)
	}
	if r.headersSent {
		return ErrExecAfterHeader
	}
	path, query := SplitURI(uri, args)
	r.uri, r.uriSet, r.internal, r.in.stale = path, false, true, true
	if query == "" {
		r.ClearArgs()
	} else {
		r.SetArgs(query)
	}
	r.sub.exec = true
	r.Exit(0)
	return nil
}

// ExecPending reports whether the hook that just ended called ngx.exec.
func (r *Request) ExecPending() bool { return r.sub.exec }

// TakeExec reports whether the hook that just ended called ngx.exec, and
// forgets it (with the ngx.exit it implies). The gateway then routes the
// request again.
func (r *Request) TakeExec() bool {
	if !r.sub.exec {
		return false
	}
	r.sub.exec = false
	r.ClearExit()
	return true
}

// Capture runs subs as subrequests of r (ngx.location.capture and
// capture_multi), at once, and waits for their responses, in the order
// of subs. It fails without running any when a subrequest cannot be
// issued: too deeply nested, or setting a variable that cannot be set.
func (r *Request) Capture(subs []SubRequest) ([]SubResponse, error) {
	if err := r.CheckCapture(subs); err != nil {
		return nil, err
	}
	return r.Subrequests.RunSubrequests(r, subs)
}

// SubrequestRunner runs the subrequests of Capture.
type SubrequestRunner interface {
	// RunSubrequests runs subs, subrequests of parent, concurrently, and
	// returns their responses in the order of subs.
	RunSubrequests(parent *Request, subs []SubRequest) ([]SubResponse, error)
}

// SubrequestFunc is a function as a SubrequestRunner.
type SubrequestFunc func(parent *Request, subs []SubRequest) ([]SubResponse, error)

// RunSubrequests calls f.
func (f SubrequestFunc) RunSubrequests(parent *Request, subs []SubRequest) ([]SubResponse, error) {
	return f(parent, subs)
}

// CheckCapture returns the error Capture fails with before it runs any
// subrequest, or nil: a binding that must raise errors before it waits
// calls it first.
func (r *Request) CheckCapture(subs []SubRequest) error {
	if err := r.Check(abi.Contexts("ngx.location.capture")); err != nil {
		return err
	}
	if r.Subrequests == nil {
		return ErrNoSubrequests
	}
	if r.sub.depth >= MaxSubrequestDepth {
		r.logError(fmt.Sprintf("lua subrequests cycle while processing %q", r.uri))
		return ErrSubrequestCycle
	}
	for i := range subs {
		for name := range subs[i].Vars {
			if err := r.checkSettable(name); err != nil {
				return err
			}
		}
	}
	return nil
}

// checkSettable fails, as OpenResty's vars option does, for a variable a
// subrequest cannot be given: a built-in one other than $args, or one the
// config does not declare.
func (r *Request) checkSettable(name string) error {
	lower := strings.ToLower(name)
	if _, _, ok := r.declaredVar(lower); ok || lower == "args" {
		return nil
	}
	if _, builtin := builtins[lower]; builtin {
		r.logError(fmt.Sprintf("variable %q not changeable", name))
		return errors.New("failed to adjust the subrequest: 500")
	}
	r.logError(fmt.Sprintf("variable %q cannot be assigned a value (maybe you forgot to define it first?) ", name))
	return errors.New("failed to adjust the subrequest: -1")
}

// InitSubrequest makes r, a new request for a copy of parent's fasthttp
// request, the subrequest sub of parent: internal, one level deeper, with
// sub's method, URI, query string, body and variables, and parent's
// shared resources and subrequest runner. The gateway calls it on the
// parent's goroutine, before the subrequests start.
func (r *Request) InitSubrequest(parent *Request, sub *SubRequest) {
	r.sub.depth = parent.sub.depth + 1
	r.internal = true
	r.Hostname, r.Dicts = parent.Hostname, parent.Dicts
	r.Sockets, r.SocketOptions = parent.Sockets, parent.SocketOptions
	r.Subrequests = parent.Subrequests
	r.body.opts = parent.body.opts // where init_body spools, and how much
	r.in.method = append([]byte{}, parent.clientMethod()...)
	method := sub.Method
	if method == "" {
		method = "GET"
	}
	r.Ctx.Request.Header.SetMethod(method)
	path, query := SplitURI(sub.URI, sub.Args)
	r.uri = path
	if query == "" {
		r.ClearArgs()
	} else {
		r.SetArgs(query)
	}
	req := &r.Ctx.Request
	switch {
	case sub.HasBody:
		req.SetBody(sub.Body)
		r.SetHeader("Content-Length", strconv.Itoa(len(sub.Body)))
	case parent.bodyRead && (sub.AlwaysForwardBody || method == "POST" || method == "PUT"):
		r.forwardBody(parent)
	default:
		req.ResetBody()
		r.SetHeader("Content-Length")
	}
	r.SetHeader("Transfer-Encoding")
	switch {
	case sub.ShareAllVars:
		if parent.userVars == nil {
			parent.userVars = new(varStore)
		}
		r.userVars = parent.userVars
	case sub.CopyAllVars:
		r.userVars = parent.userVars.clone()
	}
	for name, v := range sub.Vars {
		r.SetVar(name, v) // checked by Capture
	}
}

// forwardBody gives r, a subrequest, its parent's body: the copy of the
// parent's request has it when it is in memory; a body in a file is read
// from the file again, which the parent keeps.
func (r *Request) forwardBody(parent *Request) {
	size := int64(len(r.Ctx.Request.Body()))
	if b := parent.body.file; b != nil {
		size = 0
		if f, err := os.Open(b.path); err != nil {
			r.logError(fmt.Sprintf("subrequest: reopening the request body file: %v", err))
		} else {
			size = parent.body.received
			r.body.received = size
			r.useBodyFile(&bodyFile{path: b.path, f: f}, size)
		}
	}
	r.SetHeader("Content-Length", strconv.FormatInt(size, 10))
}

// subSpecial is SendSpecial in a subrequest: nginx sends no error page
// there and leaves the body unfinished, so the capture is truncated, with
// the status and headers.
func (r *Request) subSpecial(status int) error {
	if r.headersSent {
		return r.special(status, true)
	}
	r.status = status
	r.Ctx.Response.ResetBody()
	r.Ctx.Response.Header.SetNoDefaultContentType(true) // lost if the response was reset
	if err := r.sendHeaders(true, true); err != nil && !errors.Is(err, ErrOutputFilter) {
		return err
	}
	return nil
}

// SubResponse returns the subrequest's response once it has run: status,
// headers, the body captured (body, when the gateway read it from an
// upstream stream, else the response's own) and whether it ended.
func (r *Request) SubResponse(body []byte, streamed bool) SubResponse {
	resp := &r.Ctx.Response
	if !streamed {
		body = append([]byte(nil), resp.Body()...)
	}
	status := r.status
	if status == 0 {
		status = 200
	}
	var hs []Header
	for k, v := range r.respHeaders() {
		if strings.EqualFold(string(k), "Connection") {
			continue
		}
		hs = append(hs, Header{Name: append([]byte(nil), k...), Value: append([]byte(nil), v...)})
	}
	if !hasHeader(hs, "Content-Length") && r.Upstream.Addr != "" && resp.Header.ContentLength() >= 0 {
		hs = append(hs, Header{Name: []byte("Content-Length"), Value: strconv.AppendInt(nil, int64(resp.Header.ContentLength()), 10)})
	}
	return SubResponse{Status: status, Header: hs, Body: body, Truncated: !r.eof}
}
