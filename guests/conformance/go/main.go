//go:build wasip1

// Command conformance is the Go SDK's conformance guest: hooked on every
// request phase of one route, it calls every host function of the moongate
// ABI through the SDK (and the buffer and pointer rules through raw
// imports), and reports one line per check, "PASS <function>" or
// "FAIL <function>: <detail>".
//
// Lines from rewrite and access are kept in the request's ctx and said by
// content with its own; header_filter's and body_filter's lines are
// appended to the last body chunk; log writes its own, and those content
// could not say after ngx.eof, to the error log at NOTICE as
// "conformance: <line>".
//
// The test request is
//
//	POST /conformance?a=1&b=2&b=3&flag
//	X-Test: yes
//	X-Multi: 1
//	X-Multi: 2
//
//	k=v&k2=v2
//
// with config {"greeting": "hi", "n": 3} on every hook, and the shared dict
// "conformance" of 64 KiB. The config also names the ports of the servers
// access checks the sockets against (socket.go) and a file for the body
// file checks ("body_file"). The subrequest and exec checks (internal.go)
// use routes of their own: exec's lines go to the error log.
package main

import (
	"errors"
	"fmt"
	"strings"

	"github.com/moongate/moongate/abi"
	moongate "github.com/moongate/moongate/sdk/go"
)

func main() {}

func init() {
	moongate.OnRewrite(rewrite)
	moongate.OnAccess(access)
	moongate.OnContent(content)
	moongate.OnHeaderFilter(headerFilter)
	moongate.OnBodyFilter(bodyFilter)
	moongate.OnLog(logPhase)
}

// The ctx keys the phases pass their lines on with.
const (
	keyLines        = "conformance"     // rewrite's and access's, said by content
	keyHeaderFilter = "conformance_hf"  // header_filter's, appended by body_filter
	keyBodyFilter   = "conformance_bf"  // the first body_filter call's
	keyLog          = "conformance_log" // content's after eof, logged by log
)

// The test request.
const (
	wantMethod = "POST"
	wantURI    = "/conformance"
	wantQuery  = "a=1&b=2&b=3&flag"
	wantBody   = "k=v&k2=v2"
)

var wantArgs = moongate.Args{
	{Key: "a", Value: "1", HasValue: true},
	{Key: "b", Value: "2", HasValue: true},
	{Key: "b", Value: "3", HasValue: true},
	{Key: "flag"},
}

// checks collects the result lines of one phase.
type checks struct{ lines []string }

func (c *checks) pass(fn string) { c.lines = append(c.lines, "PASS "+fn) }

func (c *checks) fail(fn, format string, args ...any) {
	c.lines = append(c.lines, "FAIL "+fn+": "+fmt.Sprintf(format, args...))
}

// ok records fn's check as passed when err is nil.
func (c *checks) ok(fn string, err error) bool {
	if err != nil {
		c.fail(fn, "unexpected error: %v", err)
		return false
	}
	c.pass(fn)
	return true
}

// equal records fn's check: no error, and got equal to want.
func (c *checks) equal(fn string, got, want any, err error) {
	switch {
	case err != nil:
		c.fail(fn, "unexpected error: %v", err)
	case fmt.Sprint(got) != fmt.Sprint(want):
		c.fail(fn, "got %q, want %q", fmt.Sprint(got), fmt.Sprint(want))
	default:
		c.pass(fn)
	}
}

// that records fn's check: no error, and cond true; detail says what failed.
func (c *checks) that(fn string, cond bool, err error, detail string, args ...any) {
	switch {
	case err != nil:
		c.fail(fn, "unexpected error: %v", err)
	case !cond:
		c.fail(fn, detail, args...)
	default:
		c.pass(fn)
	}
}

// failsWith records fn's check: err is of class, with message msg unless
// msg is "".
func (c *checks) failsWith(fn string, err, class error, msg string) {
	switch {
	case err == nil:
		c.fail(fn, "no error, want %v", class)
	case !errors.Is(err, class):
		c.fail(fn, "error %q (%v), want %v", err, statusOf(err), class)
	case msg != "" && err.Error() != msg:
		c.fail(fn, "message %q, want %q", err, msg)
	default:
		c.pass(fn)
	}
}

// denied records fn's check: err is the phase error of the current phase.
func (c *checks) denied(fn string, err error) {
	c.failsWith(fn, err, moongate.ErrPhase, "API disabled in the context of "+moongate.Phase().ContextName())
}

// statusOf returns the ABI status of err, for messages.
func statusOf(err error) abi.Status {
	var e *moongate.Error
	if errors.As(err, &e) {
		return e.Status
	}
	return 0
}

// common checks what every phase checks: get_phase and plugin_config.
func (c *checks) common(want abi.Phase) {
	c.equal("get_phase", moongate.Phase(), want, nil)
	var cfg struct {
		Greeting string `json:"greeting"`
		N        int    `json:"n"`
	}
	err := moongate.Config(&cfg)
	c.that("plugin_config", cfg.Greeting == "hi" && cfg.N == 3, err, "decoded %+v", cfg)
}

// workers checks the worker_* functions.
func (c *checks) workers() {
	id, err := moongate.WorkerID()
	c.that("worker_id", id >= 0, err, "id %d", id)
	n, err := moongate.WorkerCount()
	c.that("worker_count", n >= 1 && id < n, err, "count %d with id %d", n, id)
	pid, err := moongate.WorkerPID()
	c.that("worker_pid", pid > 0, err, "pid %d", pid)
	exiting, err := moongate.WorkerExiting()
	c.that("worker_exiting", !exiting, err, "exiting while serving")
}

// appendCtx adds lines to the ctx value key, one per line.
func appendCtx(r *moongate.Request, key string, lines []string) error {
	old, err := r.Ctx(key)
	if err != nil && !errors.Is(err, moongate.ErrNotFound) {
		return err
	}
	return r.SetCtx(key, joinLines(old, lines))
}

// ctxLines returns the lines kept under key, none when unset.
func ctxLines(r *moongate.Request, key string) ([]string, error) {
	v, err := r.Ctx(key)
	if errors.Is(err, moongate.ErrNotFound) || v == "" {
		return nil, nil
	}
	if err != nil {
		return nil, err
	}
	return strings.Split(v, "\n"), nil
}

// joinLines appends lines to text, one per line.
func joinLines(text string, lines []string) string {
	if len(lines) == 0 {
		return text
	}
	if text != "" {
		text += "\n"
	}
	return text + strings.Join(lines, "\n")
}

// keep stores the phase's lines under key, or logs them when that fails,
// so that no result is lost.
func (c *checks) keep(r *moongate.Request, key string) {
	if err := appendCtx(r, key, c.lines); err != nil {
		c.fail("ctx_set", "keeping the results: %v", err)
		c.log()
	}
}

// log writes the lines to the error log at NOTICE.
func (c *checks) log() {
	for _, l := range c.lines {
		moongate.Log(moongate.NOTICE, "conformance: "+l)
	}
}
