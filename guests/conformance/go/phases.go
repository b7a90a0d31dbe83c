//go:build wasip1

package main

import (
	"errors"
	"fmt"
	"reflect"
	"strings"
	"time"

	"github.com/moongate/moongate/abi"
	moongate "github.com/moongate/moongate/sdk/go"
)

// rewrite checks the request API, which rewrite allows almost all of.
func rewrite(r *moongate.Request) moongate.Action {
	if uri, _ := r.URI(); uri == execURI {
		return execCheck(r)
	}
	var c checks
	c.common(abi.PhaseRewrite)

	_, err := r.Chunk()
	c.denied("arg_get_chunk", err)
	c.denied("last_error", err)
	if err != nil {
		c.raw(err.Error())
	}

	checkMethod(&c, r)
	checkURI(&c, r)
	checkHeaders(&c, r)
	checkRequestInfo(&c, r)
	checkBody(&c, r)
	checkBodyFiles(&c, r)
	checkVars(&c, r)
	checkRegex(&c)

	status, err := r.Status()
	c.equal("resp_get_status", status, 0, err)
	sent, err := r.HeadersSent()
	c.equal("headers_sent", sent, false, err)
	act, err := r.Redirect("/elsewhere", 200)
	c.failsWith("redirect", err, moongate.ErrBadArgument, "")
	c.equal("redirect", act, 500, nil)

	c.workers()
	c.ok("log", moongate.Log(moongate.DEBUG, "conformance guest: log from rewrite"))

	const probeKey = "conformance_probe"
	_, err = r.Ctx(probeKey)
	c.failsWith("ctx_get", err, moongate.ErrNotFound, "")
	c.ok("ctx_set", r.SetCtx(probeKey, "a\nb"))
	v, err := r.Ctx(probeKey)
	c.equal("ctx_get", v, "a\nb", err)

	checkSharedDict(&c)
	c.keep(r, keyLines)
	return moongate.Continue
}

// checkMethod checks req_get_method and req_set_method.
func checkMethod(c *checks, r *moongate.Request) {
	m, err := r.Method()
	c.equal("req_get_method", m, wantMethod, err)
	if c.ok("req_set_method", r.SetMethod("GET")) {
		m, err = r.Method()
		c.equal("req_set_method", m, "GET", err)
		c.ok("req_set_method", r.SetMethod(wantMethod))
	}
	c.failsWith("req_set_method", r.SetMethod("NO SUCH METHOD"), moongate.ErrBadArgument, "")
}

// checkURI checks $uri and the query arguments.
func checkURI(c *checks, r *moongate.Request) {
	uri, err := r.URI()
	c.equal("req_get_uri", uri, wantURI, err)
	internal, err := r.IsInternal()
	c.equal("req_is_internal", internal, false, err)
	if c.ok("req_set_uri", r.SetURI(wantURI, false)) {
		uri, err = r.URI()
		c.equal("req_set_uri", uri, wantURI, err)
	}
	c.that("req_set_uri", r.SetURI("", false) != nil, nil, "an empty URI was accepted")

	args, err := r.URIArgs(0)
	c.that("req_get_uri_args", reflect.DeepEqual(args, wantArgs), err, "got %+v", args)
	args, err = r.URIArgs(2)
	c.that("req_get_uri_args", reflect.DeepEqual(args, wantArgs[:2]), err, "at most 2: got %+v", args)
	if c.ok("req_set_uri_args", r.SetURIArgs("x=9&y")) {
		args, err = r.URIArgs(0)
		want := moongate.Args{{Key: "x", Value: "9", HasValue: true}, {Key: "y"}}
		c.that("req_set_uri_args", reflect.DeepEqual(args, want), err, "after set: got %+v", args)
		c.ok("req_set_uri_args", r.SetURIArgs(wantArgs.Encode()))
		q, err := r.Var("args")
		c.equal("req_set_uri_args", q, wantQuery, err)
	}
}

// checkHeaders checks the request header functions.
func checkHeaders(c *checks, r *moongate.Request) {
	hs, err := r.Headers(0, false)
	test, _ := hs.Get("x-test")
	multi := hs.Values("x-multi")
	c.that("req_get_headers", lowerNames(hs) && test == "yes" && reflect.DeepEqual(multi, []string{"1", "2"}), err,
		"got %+v", hs)
	raw, err := r.Headers(0, true)
	test, _ = raw.Get("X-Test")
	c.that("req_get_headers", test == "yes" && len(raw) == len(hs), err, "raw: got %+v", raw)
	one, err := r.Headers(1, false)
	c.that("req_get_headers", len(one) == 1, err, "at most 1: got %+v", one)

	v, err := r.Header("X-TEST")
	c.equal("req_get_header", v, "yes", err)
	v, err = r.Header("x-multi")
	c.equal("req_get_header", v, "1", err)
	_, err = r.Header("x-absent")
	c.failsWith("req_get_header", err, moongate.ErrNotFound, "")

	const name = "X-Conformance-Added"
	if c.ok("req_set_header", r.SetHeader(name, "1")) {
		v, err = r.Header(name)
		c.equal("req_set_header", v, "1", err)
	}
	if c.ok("req_add_header", r.AddHeader(name, "2")) {
		hs, err = r.Headers(0, false)
		c.equal("req_add_header", hs.Values(name), []string{"1", "2"}, err)
	}
	if c.ok("req_clear_header", r.ClearHeader(name)) {
		_, err = r.Header(name)
		c.failsWith("req_clear_header", err, moongate.ErrNotFound, "")
	}
}

// lowerNames reports whether every name in hs is lower-case.
func lowerNames(hs moongate.Headers) bool {
	for _, h := range hs {
		if h.Name != strings.ToLower(h.Name) {
			return false
		}
	}
	return true
}

// checkRequestInfo checks the version, raw header and start time.
func checkRequestInfo(c *checks, r *moongate.Request) {
	v, err := r.HTTPVersion()
	c.that("req_http_version", v == 10 || v == 11, err, "got %d", v)

	line := fmt.Sprintf("%s %s?%s HTTP/1.", wantMethod, wantURI, wantQuery)
	h, err := r.RawHeader(false)
	c.that("req_raw_header", strings.HasPrefix(h, line) && strings.Contains(strings.ToLower(h), "\r\nx-test: yes\r\n"), err,
		"got %q", h)
	h, err = r.RawHeader(true)
	c.that("req_raw_header", !strings.HasPrefix(h, wantMethod) && strings.Contains(strings.ToLower(h), "x-test: yes\r\n"), err,
		"without the request line: got %q", h)

	start, err := r.StartTime()
	now := time.Now()
	c.that("req_start_time", start.After(now.Add(-time.Minute)) && !start.After(now.Add(time.Second)), err,
		"%v, now %v", start, now)
}

// checkBody checks the request body functions, before and after reading.
func checkBody(c *checks, r *moongate.Request) {
	_, err := r.Body()
	c.failsWith("req_get_body_data", err, moongate.ErrNotFound, "")
	_, err = r.PostArgs(0)
	c.failsWith("req_get_post_args", err, moongate.ErrFailed, "")
	c.failsWith("req_set_body_data", r.SetBody([]byte("x")), moongate.ErrFailed, "request body not read yet")

	if !c.ok("req_read_body", r.ReadBody()) {
		return
	}
	body, err := r.Body()
	c.equal("req_get_body_data", string(body), wantBody, err)
	args, err := r.PostArgs(0)
	want := moongate.Args{{Key: "k", Value: "v", HasValue: true}, {Key: "k2", Value: "v2", HasValue: true}}
	c.that("req_get_post_args", reflect.DeepEqual(args, want), err, "got %+v", args)
	if c.ok("req_set_body_data", r.SetBody([]byte("replaced"))) {
		body, err = r.Body()
		c.equal("req_set_body_data", string(body), "replaced", err)
		c.ok("req_set_body_data", r.SetBody([]byte(wantBody)))
	}
	// The body is read and kept: discarding it now changes nothing.
	if c.ok("req_discard_body", r.DiscardBody()) {
		body, err = r.Body()
		c.equal("req_discard_body", string(body), wantBody, err)
	}
}

// checkVars checks var_get and var_set.
func checkVars(c *checks, r *moongate.Request) {
	for name, want := range map[string]string{
		"request_method": wantMethod,
		"uri":            wantURI,
		"args":           wantQuery,
		"arg_a":          "1",
		"http_x_test":    "yes",
	} {
		v, err := r.Var(name)
		c.equal("var_get", name+"="+v, name+"="+want, err)
	}
	_, err := r.Var("no_such_variable")
	c.failsWith("var_get", err, moongate.ErrNotFound, "")
	if c.ok("var_set", r.SetVar("args", "z=1")) {
		v, err := r.Var("arg_z")
		c.equal("var_set", v, "1", err)
		c.ok("var_set", r.SetVar("args", wantQuery))
	}
	c.failsWith("var_set", r.SetVar("request_method", "GET"), moongate.ErrFailed, "")
}

// access checks that a jump is refused outside rewrite, and that rewrite's
// changes were undone.
func access(r *moongate.Request) moongate.Action {
	var c checks
	c.common(abi.PhaseAccess)
	err := r.SetURI(wantURI, true)
	c.denied("req_set_uri", err)
	m, err := r.Method()
	c.equal("req_get_method", m, wantMethod, err)
	args, err := r.URIArgs(0)
	c.that("req_get_uri_args", reflect.DeepEqual(args, wantArgs), err, "got %+v", args)
	body, err := r.Body()
	c.equal("req_get_body_data", string(body), wantBody, err)
	prior, err := ctxLines(r, keyLines)
	c.that("ctx_get", len(prior) > 0, err, "rewrite's lines are missing")
	checkSockets(&c)
	c.keep(r, keyLines)
	return moongate.Continue
}

// content checks the response functions and says every line so far; the
// checks of eof and of output after it go to the log phase.
func content(r *moongate.Request) moongate.Action {
	prior, err := ctxLines(r, keyLines)
	var c checks
	c.that("ctx_get", len(prior) > 0, err, "rewrite's and access's lines are missing")
	c.common(abi.PhaseContent)

	c.ok("resp_set_status", r.SetStatus(200))
	status, err := r.Status()
	c.equal("resp_get_status", status, 200, err)

	if c.ok("resp_set_header", r.SetRespHeader("X-Conformance", "content")) {
		v, err := r.RespHeader("x_conformance")
		c.equal("resp_get_header", v, "content", err)
	}
	c.ok("resp_add_header", r.AddRespHeader("X-Conformance-Multi", "1"))
	c.ok("resp_add_header", r.AddRespHeader("X-Conformance-Multi", "2"))
	hs, err := r.RespHeaders(0, false)
	c.equal("resp_add_header", hs.Values("x-conformance-multi"), []string{"1", "2"}, err)
	conf, _ := hs.Get("x-conformance")
	c.that("resp_get_headers", conf == "content" && lowerNames(hs), err, "got %+v", hs)
	raw, err := r.RespHeaders(0, true)
	c.that("resp_get_headers", len(raw) == len(hs), err, "raw: got %+v", raw)
	if c.ok("resp_clear_header", r.SetRespHeader("X-Conformance-Temp", "t")) {
		c.ok("resp_clear_header", r.ClearRespHeader("X-Conformance-Temp"))
		_, err = r.RespHeader("X-Conformance-Temp")
		c.failsWith("resp_clear_header", err, moongate.ErrNotFound, "")
	}
	_, err = r.RespHeader("X-Absent")
	c.failsWith("resp_get_header", err, moongate.ErrNotFound, "")

	sent, err := r.HeadersSent()
	c.equal("headers_sent", sent, false, err)
	c.ok("log", moongate.Log(moongate.INFO, "conformance guest: log from content"))
	checkTimers(&c)
	checkCaptures(&c, r)
	c.ok("send_headers", r.SendHeaders())
	sent, err = r.HeadersSent()
	c.equal("headers_sent", sent, true, err)

	lines := append(prior, c.lines...)
	var out checks
	out.ok("say", r.Say(lines[0]))
	_, err = fmt.Fprintln(r, lines[1])
	out.ok("print", err)
	out.ok("flush", r.Flush())
	if err := r.Say(strings.Join(append(lines[2:], out.lines...), "\n")); err != nil {
		c.lines = append(lines, out.lines...)
		c.fail("say", "saying the results: %v", err)
		c.log()
	}

	var after checks
	after.ok("eof", r.EOF())
	after.failsWith("say", r.Say("too late"), moongate.ErrFailed, "seen eof")
	after.keep(r, keyLog)
	return moongate.Continue
}

// headerFilter checks the response header functions while the headers are
// being sent.
func headerFilter(r *moongate.Request) moongate.Action {
	var c checks
	c.common(abi.PhaseHeaderFilter)
	status, err := r.Status()
	c.equal("resp_get_status", status, 200, err)
	v, err := r.RespHeader("X-Conformance")
	c.equal("resp_get_header", v, "content", err)
	if c.ok("resp_set_header", r.SetRespHeader("X-Header-Filter", "set")) {
		v, err = r.RespHeader("x-header-filter")
		c.equal("resp_set_header", v, "set", err)
	}
	c.ok("resp_add_header", r.AddRespHeader("X-Header-Filter-Multi", "a"))
	c.ok("resp_add_header", r.AddRespHeader("X-Header-Filter-Multi", "b"))
	hs, err := r.RespHeaders(0, false)
	c.equal("resp_get_headers", hs.Values("x-header-filter-multi"), []string{"a", "b"}, err)
	if c.ok("resp_clear_header", r.ClearRespHeader("X-Conformance-Multi")) {
		_, err = r.RespHeader("X-Conformance-Multi")
		c.failsWith("resp_clear_header", err, moongate.ErrNotFound, "")
	}
	sent, err := r.HeadersSent()
	c.equal("headers_sent", sent, false, err)
	m, err := r.Method()
	c.equal("req_get_method", m, wantMethod, err)
	c.denied("req_read_body", r.ReadBody())
	c.denied("say", r.Say("x"))
	c.keep(r, keyHeaderFilter)
	return moongate.Continue
}

// bodyFilter checks ngx.arg on the first chunk, and appends the filters'
// lines to the last.
func bodyFilter(r *moongate.Request) moongate.Action {
	var c checks
	_, err := r.Ctx(keyBodyFilter)
	first := errors.Is(err, moongate.ErrNotFound)
	last, lastErr := r.IsLastChunk()
	if lastErr != nil {
		c.fail("arg_get_eof", "unexpected error: %v", lastErr)
	}
	chunk, err := r.Chunk()
	c.ok("arg_get_chunk", err)
	if first {
		c.common(abi.PhaseBodyFilter)
		if c.ok("arg_set_chunk", r.SetChunk(chunk)) {
			again, err := r.Chunk()
			c.equal("arg_set_chunk", string(again), string(chunk), err)
		}
		if !last && lastErr == nil {
			c.pass("arg_get_eof")
			if c.ok("arg_set_eof", r.SetLastChunk(false)) {
				still, err := r.IsLastChunk()
				c.equal("arg_set_eof", still, false, err)
			}
		}
		status, err := r.Status()
		c.equal("resp_get_status", status, 200, err)
		c.denied("say", r.Say("x"))
		c.denied("req_read_body", r.ReadBody())
		if !last {
			c.keep(r, keyBodyFilter)
			return moongate.Continue
		}
	}
	if !last {
		return moongate.Continue
	}
	c.pass("arg_get_eof")
	c.ok("arg_set_eof", r.SetLastChunk(true))
	hf, err := ctxLines(r, keyHeaderFilter)
	c.that("ctx_get", len(hf) > 0, err, "header_filter's lines are missing")
	bf, err := ctxLines(r, keyBodyFilter)
	c.that("ctx_get", first || len(bf) > 0, err, "the first chunk's lines are missing")
	text := joinLines(joinLines("", hf), append(bf, c.lines...)) + "\n"
	if err := r.SetChunk(append(chunk, text...)); err != nil {
		c.fail("arg_set_chunk", "appending the results: %v", err)
		c.log()
	}
	return moongate.Continue
}

// logPhase checks what log may read, and writes its lines and content's
// last ones to the error log.
func logPhase(r *moongate.Request) moongate.Action {
	var c checks
	c.common(abi.PhaseLog)
	status, err := r.Status()
	c.equal("resp_get_status", status, 200, err)
	v, err := r.Var("status")
	c.equal("var_get", v, "200", err)
	m, err := r.Method()
	c.equal("req_get_method", m, wantMethod, err)
	body, err := r.Body()
	c.equal("req_get_body_data", string(body), wantBody, err)
	hs, err := r.RespHeaders(0, false)
	conf, _ := hs.Get("X-Conformance")
	c.equal("resp_get_headers", conf, "content", err)
	_, err = r.Chunk()
	c.denied("arg_get_chunk", err)
	checkSocketsDenied(&c)
	c.denied("req_read_body", r.ReadBody())
	c.denied("say", r.Say("x"))
	c.workers()
	checkDictLater(&c)
	late, err := ctxLines(r, keyLog)
	c.that("ctx_get", len(late) > 0, err, "content's lines after eof are missing")
	c.lines = append(late, c.lines...)
	if err := moongate.Log(moongate.NOTICE, "conformance: PASS log"); err != nil {
		c.fail("log", "unexpected error: %v", err)
	}
	c.log()
	moongate.Log(moongate.NOTICE, "conformance: done")
	return moongate.Continue
}
