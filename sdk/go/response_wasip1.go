//go:build wasip1

package moongate

// Status returns the response status, 0 until one is set (ngx.status).
func (r *Request) Status() (int, error) { return intResult(hostRespGetStatus()) }

// SetStatus sets the response status (ngx.status = status).
func (r *Request) SetStatus(status int) error { return check(hostRespSetStatus(int32(status))) }

// RespHeader returns the first value of the response header name, in any
// case, "_" read as "-"; ErrNotFound when the response has none
// (ngx.header[name]).
func (r *Request) RespHeader(name string) (string, error) {
	return fetchString(func(b []byte) int32 {
		return hostRespGetHeader(strPtr(name), size(name), bytesPtr(b), size(b))
	})
}

// RespHeaders returns the response headers, at most max of them (0: all),
// names lower-cased unless raw (ngx.resp.get_headers).
func (r *Request) RespHeaders(max int, raw bool) (Headers, error) {
	return fetchList(decodeHeaders, func(b []byte) int32 {
		return hostRespGetHeaders(int32(max), boolArg(raw), bytesPtr(b), size(b))
	})
}

// SetRespHeader replaces the response header name with value
// (ngx.header[name] = value).
func (r *Request) SetRespHeader(name, value string) error {
	return check(hostRespSetHeader(strPtr(name), size(name), strPtr(value), size(value)))
}

// AddRespHeader adds a line with value to the response header name
// (ngx.resp.add_header).
func (r *Request) AddRespHeader(name, value string) error {
	return check(hostRespAddHeader(strPtr(name), size(name), strPtr(value), size(value)))
}

// ClearRespHeader removes the response header name (ngx.header[name] = nil).
func (r *Request) ClearRespHeader(name string) error {
	return check(hostRespClearHeader(strPtr(name), size(name)))
}

// Say writes s and a newline to the response body (ngx.say), sending the
// headers first if needed; ErrFailed ("seen eof") after EOF.
func (r *Request) Say(s string) error { return check(hostSay(strPtr(s), size(s))) }

// Print writes s to the response body (ngx.print).
func (r *Request) Print(s string) error { return check(hostPrint(strPtr(s), size(s))) }

// Write writes p to the response body, as Print: a Request is an
// io.Writer, so fmt.Fprintf(r, ...) formats into the body.
func (r *Request) Write(p []byte) (int, error) {
	if err := check(hostPrint(bytesPtr(p), size(p))); err != nil {
		return 0, err
	}
	return len(p), nil
}

// Flush sends what was written so far to the client (ngx.flush); from then
// on the response streams.
func (r *Request) Flush() error { return check(hostFlush()) }

// EOF ends the response body (ngx.eof); the handler may go on working
// while the client has the response.
func (r *Request) EOF() error { return check(hostEOF()) }

// SendHeaders sends the response headers (ngx.send_headers), running the
// header_filter hook.
func (r *Request) SendHeaders() error { return check(hostSendHeaders()) }

// HeadersSent reports whether the response headers were sent
// (ngx.headers_sent).
func (r *Request) HeadersSent() (bool, error) { return boolResult(hostHeadersSent()) }

// Redirect sets the Location header to uri and returns the action that
// answers with status, which must be 301, 302, 303, 307 or 308
// (ngx.redirect): return it from the handler. When the host refuses, the
// action is 500, as a Lua hook whose ngx.redirect raised an error.
func (r *Request) Redirect(uri string, status int) (Action, error) {
	if err := check(hostRedirect(strPtr(uri), size(uri), int32(status))); err != nil {
		return Action(500), err
	}
	return Action(status), nil
}

// Chunk returns the body chunk the body_filter handler is called for
// (ngx.arg[1]).
func (r *Request) Chunk() ([]byte, error) {
	return fetchBytes(func(b []byte) int32 { return hostArgGetChunk(bytesPtr(b), size(b)) })
}

// SetChunk replaces the body chunk passed on to the client (ngx.arg[1] =
// chunk).
func (r *Request) SetChunk(chunk []byte) error {
	return check(hostArgSetChunk(bytesPtr(chunk), size(chunk)))
}

// IsLastChunk reports whether the chunk is the body's last (ngx.arg[2]).
func (r *Request) IsLastChunk() (bool, error) { return boolResult(hostArgGetEOF()) }

// SetLastChunk marks the chunk as the body's last, or not (ngx.arg[2] =
// last); marking it last ends the body after it.
func (r *Request) SetLastChunk(last bool) error { return check(hostArgSetEOF(boolArg(last))) }
