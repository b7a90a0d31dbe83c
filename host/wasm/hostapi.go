package wasm

import (
	"bytes"
	"errors"
	"os"
	"strings"

	"github.com/moongate/moongate/abi"
	"github.com/moongate/moongate/errlog"
	"github.com/moongate/moongate/host"
	"github.com/moongate/moongate/shdict"
)

// hostImpls returns the implementation of each host function by name.
// Each carries out its ngx API over host.Request as the Lua binding does;
// ABI.md gives their contracts.
func hostImpls() map[string]impl {
	return map[string]impl{
		// Errors, phase, logging, config.
		"last_error":    {i32: lastError, keepErr: true},
		"get_phase":     status(func(c call) (int32, error) { return int32(c.r.Phase()), nil }),
		"log":           status(logLine),
		"plugin_config": status(pluginConfig),

		// Request.
		"req_get_method":   status(func(c call) (int32, error) { return result(c, 0, c.r.Method()) }),
		"req_set_method":   status(setMethod),
		"req_get_uri":      status(func(c call) (int32, error) { return result(c, 0, c.r.URI()) }),
		"req_set_uri":      status(setURI),
		"req_get_uri_args": status(uriArgs),
		"req_set_uri_args": status(setURIArgs),
		"req_get_headers":  status(reqHeaders),
		"req_get_header":   status(reqHeader),
		"req_set_header":   status(setReqHeader),
		"req_add_header":   status(addReqHeader),
		"req_clear_header": status(clearReqHeader),
		"req_http_version": status(httpVersion),
		"req_raw_header": status(func(c call) (int32, error) {
			return result(c, 1, c.r.RawHeader(c.i32(0) != 0))
		}),
		"req_start_time":  {f64: func(c call) (float64, error) { return c.r.StartSeconds(), nil }},
		"req_is_internal": status(func(c call) (int32, error) { return boolean(c.r.IsInternal()), nil }),
		"req_read_body": status(func(c call) (int32, error) {
			c.r.ReadBody()
			return 0, nil
		}),
		"req_discard_body": status(func(c call) (int32, error) {
			c.r.DiscardBody()
			return 0, nil
		}),
		"req_get_body_data": status(bodyData),
		"req_set_body_data": status(setBodyData),
		"req_get_post_args": status(postArgs),

		// Body files and bodies built in parts (body.go).
		"req_get_body_file": status(bodyFile),
		"req_set_body_file": status(setBodyFile),
		"req_init_body":     status(initBody),
		"req_append_body":   status(appendBody),
		"req_finish_body":   status(finishBody),

		// Response.
		"resp_get_status": status(func(c call) (int32, error) { return int32(c.r.Status()), nil }),
		"resp_set_status": status(func(c call) (int32, error) {
			c.r.SetStatus(int(c.i32(0)))
			return 0, nil
		}),
		"resp_get_header":   status(respHeader),
		"resp_get_headers":  status(respHeaders),
		"resp_set_header":   status(setRespHeader),
		"resp_add_header":   status(addRespHeader),
		"resp_clear_header": status(clearRespHeader),
		"say":               status(func(c call) (int32, error) { return output(c, true) }),
		"print":             status(func(c call) (int32, error) { return output(c, false) }),
		"flush":             status(func(c call) (int32, error) { return 0, c.r.Flush() }),
		"eof":               status(eof),
		"send_headers":      status(func(c call) (int32, error) { return 0, c.r.SendHeaders() }),
		"headers_sent":      status(func(c call) (int32, error) { return boolean(c.r.HeadersSent()), nil }),
		"redirect":          status(redirect),
		"exec":              status(execURI),

		// Variables and per-request storage.
		"var_get": status(varGet),
		"var_set": status(varSet),
		"ctx_get": status(ctxGet),
		"ctx_set": status(ctxSet),

		// body_filter's ngx.arg.
		"arg_get_chunk": status(argChunk),
		"arg_set_chunk": status(setArgChunk),
		"arg_get_eof":   status(argEOF),
		"arg_set_eof":   status(setArgEOF),

		// Workers.
		"worker_id":      status(func(c call) (int32, error) { return int32(c.in.id), nil }),
		"worker_count":   status(func(c call) (int32, error) { return int32(c.in.m.lim.Pool), nil }),
		"worker_pid":     status(func(c call) (int32, error) { return int32(os.Getpid()), nil }),
		"worker_exiting": status(func(c call) (int32, error) { return boolean(c.in.m.rt.exiting.Load()), nil }),

		// Shared dicts (shdict.go).
		"shdict_open":          status(shdictOpen),
		"shdict_get":           status(func(c call) (int32, error) { return shdictGet(c, false) }),
		"shdict_get_stale":     status(func(c call) (int32, error) { return shdictGet(c, true) }),
		"shdict_set":           shdictStore((*shdict.Dict).Set),
		"shdict_safe_set":      shdictStore((*shdict.Dict).SafeSet),
		"shdict_add":           shdictStore((*shdict.Dict).Add),
		"shdict_safe_add":      shdictStore((*shdict.Dict).SafeAdd),
		"shdict_replace":       shdictStore((*shdict.Dict).Replace),
		"shdict_delete":        status(shdictDelete),
		"shdict_incr":          status(shdictIncr),
		"shdict_lpush":         shdictPush((*shdict.Dict).LPush),
		"shdict_rpush":         shdictPush((*shdict.Dict).RPush),
		"shdict_lpop":          shdictPop(true),
		"shdict_rpop":          shdictPop(false),
		"shdict_llen":          status(shdictLLen),
		"shdict_ttl":           status(shdictTTL),
		"shdict_expire":        status(shdictExpire),
		"shdict_flush_all":     status(shdictFlushAll),
		"shdict_flush_expired": status(shdictFlushExpired),
		"shdict_get_keys":      status(shdictGetKeys),
		"shdict_capacity":      shdictSize((*shdict.Dict).Capacity),
		"shdict_free_space":    shdictSize((*shdict.Dict).FreeSpace),

		// Waiting (socket.go).
		"sleep":              status(sleep),
		"tcp_connect":        status(tcpConnect),
		"tcp_sslhandshake":   status(tcpSSLHandshake),
		"tcp_send":           status(tcpSend),
		"tcp_receive":        status(tcpReceive),
		"tcp_receiveany":     status(tcpReceiveAny),
		"tcp_received":       status(tcpReceived),
		"tcp_receiveuntil":   status(tcpReceiveUntil),
		"tcp_until_read":     status(tcpUntilRead),
		"tcp_setoption":      status(tcpSetOption),
		"tcp_settimeouts":    status(tcpSetTimeouts),
		"tcp_setkeepalive":   status(tcpSetKeepalive),
		"tcp_getreusedtimes": status(tcpGetReusedTimes),
		"tcp_close":          status(tcpClose),
		"udp_setpeername":    status(udpSetPeerName),
		"udp_send":           status(udpSend),
		"udp_receive":        status(udpReceive),
		"udp_settimeout":     status(udpSetTimeout),
		"udp_close":          status(udpClose),

		// Subrequests (capture.go).
		"capture_add":       status(captureAdd),
		"capture_set_var":   status(captureSetVar),
		"capture_multi":     status(captureMulti),
		"capture_status":    status(captureStatus),
		"capture_headers":   status(captureHeaders),
		"capture_body":      status(captureBody),
		"capture_truncated": status(captureTruncated),

		// Regular expressions (regex.go).
		"re_match":       status(reMatch),
		"re_group_names": status(reGroupNames),
		"re_sub":         reSub(false),
		"re_gsub":        reSub(true),

		// Timers (timer.go).
		"timer_at":            status(timerAt),
		"timer_every":         status(timerEvery),
		"timer_arg":           status(timerArg),
		"timer_running_count": status(timerRunningCount),
		"timer_pending_count": status(timerPendingCount),
	}
}

// status makes an impl of a function returning a status.
func status(f func(c call) (int32, error)) impl { return impl{i32: f} }

func boolean(b bool) int32 {
	if b {
		return 1
	}
	return 0
}

// lastError is last_error(buf).
func lastError(c call) (int32, error) {
	if c.in.lastErr == "" {
		return 0, notFound("no error yet")
	}
	return result(c, 0, c.in.lastErr)
}

// logLine is log(level, s): one line in the runtime's error log, as
// ngx.log writes it, with the module in place of Lua's source position.
func logLine(c call) (int32, error) {
	lv := errlog.Level(c.i32(0))
	if lv < errlog.Stderr || lv > errlog.Debug {
		return 0, badArgument("bad log level: %d", lv)
	}
	msg, err := c.bytes(1)
	if err != nil {
		return 0, err
	}
	if log := c.in.m.rt.log; log.Enabled(lv) {
		log.Log(lv, "[wasm] "+c.in.m.path+": "+string(msg)+c.r.LogContext())
	}
	return 0, nil
}

// pluginConfig is plugin_config(buf): the hook's config as JSON.
func pluginConfig(c call) (int32, error) {
	if len(c.in.state.config) == 0 {
		return result(c, 0, "null")
	}
	return result(c, 0, c.in.state.config)
}

// setMethod is req_set_method(s): one of the methods of ngx.HTTP_GET ...
// ngx.HTTP_TRACE.
func setMethod(c call) (int32, error) {
	m, err := c.string(0)
	if err != nil {
		return 0, err
	}
	switch m {
	case "GET", "HEAD", "POST", "PUT", "DELETE", "MKCOL", "COPY", "MOVE",
		"OPTIONS", "PROPFIND", "PROPPATCH", "LOCK", "UNLOCK", "PATCH", "TRACE":
		c.r.SetMethod(m)
		return 0, nil
	}
	return 0, badArgument("unsupported HTTP method: %q", m)
}

// setURI is req_set_uri(s, jump): a jump only in rewrite, as
// ngx.req.set_uri(uri, true).
func setURI(c call) (int32, error) {
	uri, err := c.string(0)
	if err != nil {
		return 0, err
	}
	if uri == "" {
		return 0, badArgument("%v", host.ErrZeroLengthURI)
	}
	if i := unsafeByte(uri); i >= 0 {
		return 0, badArgument("unsafe byte \"0x%02x\" in uri %q", uri[i], uri)
	}
	jump := c.i32(2) != 0
	if jump && c.r.Phase() != abi.PhaseRewrite {
		return 0, &host.PhaseError{Phase: c.r.Phase()}
	}
	return 0, c.r.SetURI(uri, jump)
}

// unsafeByte returns the index of the first byte of uri that set_uri and
// redirect refuse, a control byte other than tab, or -1.
func unsafeByte(uri string) int {
	return strings.IndexFunc(uri, func(r rune) bool { return r < ' ' && r != '\t' || r == 0x7f })
}

// setURIArgs is req_set_uri_args(s): a query string, escaped as the
// string form of ngx.req.set_uri_args escapes it.
func setURIArgs(c call) (int32, error) {
	q, err := c.string(0)
	if err != nil {
		return 0, err
	}
	c.r.SetArgs(host.EscapeQuery(q))
	return 0, nil
}

// limit maps a guest's $max to host.Limit's: 0 no limit, a negative value
// OpenResty's default of 100.
func limit(max int32) int { return host.Limit(int(max)) }

// uriArgs is req_get_uri_args(max, buf).
func uriArgs(c call) (int32, error) {
	args, _ := c.r.URIArgs(limit(c.i32(0)))
	return result(c, 1, c.argList(args))
}

// postArgs is req_get_post_args(max, buf).
func postArgs(c call) (int32, error) {
	args, _, err := c.r.PostArgs(limit(c.i32(0)))
	if err != nil {
		return 0, err
	}
	return result(c, 1, c.argList(args))
}

// reqHeaders is req_get_headers(max, raw, buf).
func reqHeaders(c call) (int32, error) {
	hs, _ := c.r.Headers(limit(c.i32(0)))
	return result(c, 2, c.headerList(hs, c.i32(1) == 0))
}

// respHeaders is resp_get_headers(max, raw, buf).
func respHeaders(c call) (int32, error) {
	hs, _ := c.r.RespHeaders(limit(c.i32(0)))
	return result(c, 2, c.headerList(hs, c.i32(1) == 0))
}

// reqHeader is req_get_header(s, buf): the first value of a request
// header, an empty one included.
func reqHeader(c call) (int32, error) {
	name, err := c.bytes(0)
	if err != nil {
		return 0, err
	}
	hs, _ := c.r.Headers(0)
	for _, h := range hs {
		if bytes.EqualFold(h.Name, name) {
			return result(c, 2, h.Value)
		}
	}
	return 0, notFound("no request header %q", name)
}

// stringPair returns the two guest strings at arguments 0-1 and 2-3.
func stringPair(c call) (string, string, error) {
	a, err := c.string(0)
	if err != nil {
		return "", "", err
	}
	b, err := c.string(2)
	return a, b, err
}

// setReqHeader is req_set_header(name, value); an empty value removes
// the header, as in ngx.req.set_header.
func setReqHeader(c call) (int32, error) {
	name, value, err := stringPair(c)
	if err != nil {
		return 0, err
	}
	c.r.SetHeader(name, value)
	return 0, nil
}

// addReqHeader is req_add_header(name, value): the header keeps its
// values and gets one more.
func addReqHeader(c call) (int32, error) {
	name, value, err := stringPair(c)
	if err != nil {
		return 0, err
	}
	var values []string
	hs, _ := c.r.Headers(0)
	for _, h := range hs {
		if strings.EqualFold(string(h.Name), name) {
			values = append(values, string(h.Value))
		}
	}
	c.r.SetHeader(name, append(values, value)...)
	return 0, nil
}

// clearReqHeader is req_clear_header(s).
func clearReqHeader(c call) (int32, error) {
	name, err := c.string(0)
	if err != nil {
		return 0, err
	}
	c.r.SetHeader(name)
	return 0, nil
}

// httpVersion is req_http_version: 10 or 11.
func httpVersion(c call) (int32, error) {
	v, ok := c.r.HTTPVersion()
	if !ok {
		return 0, notFound("not HTTP/1.0 or HTTP/1.1")
	}
	return int32(v*10 + 0.5), nil
}

// bodyData is req_get_body_data(buf).
func bodyData(c call) (int32, error) {
	b := c.r.BodyData(0)
	if b == nil {
		return 0, notFound("no request body data (not read, or empty)")
	}
	return result(c, 0, b)
}

// setBodyData is req_set_body_data(s).
func setBodyData(c call) (int32, error) {
	b, err := c.bytes(0)
	if err != nil {
		return 0, err
	}
	return 0, c.r.SetBodyData(b)
}

// respHeaderName reads a response header name as ngx.header does: "_"
// as "-".
func respHeaderName(c call) (string, error) {
	name, err := c.string(0)
	return strings.ReplaceAll(name, "_", "-"), err
}

// respHeader is resp_get_header(s, buf).
func respHeader(c call) (int32, error) {
	name, err := respHeaderName(c)
	if err != nil {
		return 0, err
	}
	vals := c.r.RespHeader(name)
	if len(vals) == 0 {
		return 0, notFound("no response header %q", name)
	}
	return result(c, 2, vals[0])
}

// respHeaderPair reads the (name, value) arguments of resp_set_header
// and resp_add_header.
func respHeaderPair(c call) (string, string, error) {
	name, err := respHeaderName(c)
	if err != nil {
		return "", "", err
	}
	value, err := c.string(2)
	return name, value, err
}

// setRespHeader is resp_set_header(name, value).
func setRespHeader(c call) (int32, error) {
	name, value, err := respHeaderPair(c)
	if err != nil {
		return 0, err
	}
	c.r.SetRespHeader(name, value)
	return 0, nil
}

// addRespHeader is resp_add_header(name, value).
func addRespHeader(c call) (int32, error) {
	name, value, err := respHeaderPair(c)
	if err != nil {
		return 0, err
	}
	c.r.AddRespHeader(name, value)
	return 0, nil
}

// clearRespHeader is resp_clear_header(s).
func clearRespHeader(c call) (int32, error) {
	name, err := respHeaderName(c)
	if err != nil {
		return 0, err
	}
	c.r.SetRespHeader(name)
	return 0, nil
}

// output is say (newline) and print: the guest's bytes are copied first,
// as the body filter may run guest code, this instance's included.
func output(c call, newline bool) (int32, error) {
	s, err := c.bytes(0)
	if err != nil {
		return 0, err
	}
	buf := append(c.in.state.scratch[:0], s...)
	if newline {
		buf = append(buf, '\n')
	}
	c.in.state.scratch = buf
	return 0, c.r.Print(buf)
}

// eof is eof: it ends the response and sends it to the client at once;
// then ERR_FAILED "seen eof", as ngx.eof.
func eof(c call) (int32, error) {
	if c.r.Finished() {
		return 0, host.ErrSeenEOF
	}
	if err := c.r.EOF(); err != nil {
		return 0, err
	}
	return 0, c.r.Deliver()
}

// redirect is redirect(s, status): it sets Location; the guest returns
// status as its action.
func redirect(c call) (int32, error) {
	uri, err := c.string(0)
	if err != nil {
		return 0, err
	}
	switch st := c.i32(2); st {
	case 301, 302, 303, 307, 308:
	default:
		return 0, badArgument("redirect status %d is not 301, 302, 303, 307 or 308", st)
	}
	if i := unsafeByte(uri); i >= 0 {
		return 0, badArgument("unsafe byte \"0x%02x\" in redirect uri %q", uri[i], uri)
	}
	if c.r.HeadersSent() {
		return 0, errors.New("attempt to call ngx.redirect after sending out the headers")
	}
	c.r.SetRespHeader("Location", uri)
	return 0, nil
}

// varGet is var_get(s, buf).
func varGet(c call) (int32, error) {
	name, err := c.string(0)
	if err != nil {
		return 0, err
	}
	v, ok := c.r.Var(name)
	if !ok {
		return 0, notFound("variable %q has no value", name)
	}
	return result(c, 2, v)
}

// varSet is var_set(name, value).
func varSet(c call) (int32, error) {
	name, value, err := stringPair(c)
	if err != nil {
		return 0, err
	}
	return 0, c.r.SetVar(name, value)
}

// ctxGet is ctx_get(s, buf).
func ctxGet(c call) (int32, error) {
	key, err := c.string(0)
	if err != nil {
		return 0, err
	}
	v, ok := c.r.CtxValue(key)
	if !ok {
		return 0, notFound("no ctx value for %q", key)
	}
	return result(c, 2, v)
}

// ctxSet is ctx_set(key, value).
func ctxSet(c call) (int32, error) {
	key, value, err := stringPair(c)
	if err != nil {
		return 0, err
	}
	c.r.SetCtxValue(key, value)
	return 0, nil
}

// errNoChunk is the error of ngx.arg outside a body_filter call.
var errNoChunk = errors.New("ngx.arg has no body chunk outside body_filter")

// argChunk is arg_get_chunk(buf).
func argChunk(c call) (int32, error) {
	a := c.in.state.arg
	if a == nil {
		return 0, errNoChunk
	}
	return result(c, 0, a.chunk)
}

// setArgChunk is arg_set_chunk(s).
func setArgChunk(c call) (int32, error) {
	a := c.in.state.arg
	if a == nil {
		return 0, errNoChunk
	}
	b, err := c.bytes(0)
	if err != nil {
		return 0, err
	}
	a.chunk = append([]byte(nil), b...)
	return 0, nil
}

// argEOF is arg_get_eof.
func argEOF(c call) (int32, error) {
	a := c.in.state.arg
	if a == nil {
		return 0, errNoChunk
	}
	return boolean(a.eof), nil
}

// setArgEOF is arg_set_eof(eof).
func setArgEOF(c call) (int32, error) {
	a := c.in.state.arg
	if a == nil {
		return 0, errNoChunk
	}
	a.eof = c.i32(0) != 0
	return 0, nil
}
