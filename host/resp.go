package host

import (
	"bufio"
	"errors"
	"iter"
	"net"
	"strconv"
	"strings"

	"github.com/moongate/moongate/abi"
	"github.com/moongate/moongate/errlog"
)

// Errors of the response API, with OpenResty's wording.
var (
	ErrSeenEOF          = errors.New("seen eof")
	ErrHeaderAlreadySet = errors.New("header already sent")
	// ErrNothingToFlush is ngx.flush's error before the headers are sent.
	ErrNothingToFlush = errors.New("nothing to flush")
	// ErrOutputFilter is the error of the output call whose headers made
	// the header_filter hook call ngx.exit: the response was replaced.
	ErrOutputFilter = errors.New("nginx output filter error")
)

// DefaultContentType is the Content-Type of a response that sets none
// (nginx's default_type).
const DefaultContentType = "text/plain"

// Status returns the response status (ngx.status); 0 until one is set.
func (r *Request) Status() int { return r.status }

// SetStatus sets the response status (ngx.status = code). Once the headers
// are sent it only logs an error, as OpenResty does.
func (r *Request) SetStatus(code int) {
	if r.headersSent {
		r.logError("attempt to set ngx.status after sending out response headers")
		return
	}
	r.status = code
}

// HeadersSent reports whether the response headers were sent
// (ngx.headers_sent).
func (r *Request) HeadersSent() bool { return r.headersSent }

// LogContext returns the tail nginx appends to the error-log lines of a
// request: " while logging request" in the log phase, then
// ", client: ..., server: , request: \"...\", host: \"...\"" (and
// referrer when there is one). It is empty outside a request.
func (r *Request) LogContext() string {
	if r.Ctx == nil {
		return ""
	}
	var b strings.Builder
	if r.phase == abi.PhaseLog {
		b.WriteString(" while logging request")
	}
	ip, _ := r.Var("remote_addr")
	req, _ := r.Var("request")
	b.WriteString(", client: ")
	b.WriteString(ip)
	b.WriteString(", server: , request: ")
	b.WriteString(strconv.Quote(req))
	if host := r.Ctx.Request.Header.Host(); len(host) > 0 {
		b.WriteString(", host: ")
		b.WriteString(strconv.Quote(string(host)))
	}
	if ref := r.Ctx.Request.Header.Referer(); len(ref) > 0 {
		b.WriteString(", referrer: ")
		b.WriteString(strconv.Quote(string(ref)))
	}
	return b.String()
}

// logError writes msg to the error log at level error, with the request's
// context.
func (r *Request) logError(msg string) {
	if r.Log != nil {
		r.Log.Log(errlog.Error, msg+r.LogContext())
	}
}

// RespHeader returns the values of the response header name, matched
// case-insensitively (reading ngx.header.NAME).
func (r *Request) RespHeader(name string) [][]byte {
	var vals [][]byte
	for k, v := range r.respHeaders() {
		if strings.EqualFold(string(k), name) {
			vals = append(vals, v)
		}
	}
	return vals
}

// respHeaders iterates over the response headers a script sees: those set
// so far, without the default Server header the HTTP server adds (nginx
// adds its own when it writes the response, unseen by scripts).
func (r *Request) respHeaders() iter.Seq2[[]byte, []byte] {
	return func(yield func([]byte, []byte) bool) {
		for k, v := range r.Ctx.Response.Header.All() {
			if string(v) == ServerName && strings.EqualFold(string(k), "Server") {
				continue
			}
			if !yield(k, v) {
				return
			}
		}
	}
}

// SetRespHeader replaces the response header name with values; no values
// removes it (ngx.header.NAME = ...). Bytes that cannot appear in a header
// name or value are %XX-escaped, as OpenResty does. Once the headers are
// sent it only logs an error, as OpenResty does.
func (r *Request) SetRespHeader(name string, values ...string) {
	if r.headersSent {
		r.logError("attempt to set ngx.header.HEADER after sending out response headers")
		return
	}
	if name = escapeHeaderName(name); name == "" {
		return
	}
	h := &r.Ctx.Response.Header
	h.Del(name)
	for _, v := range values {
		h.Add(name, escapeHeaderValue(v))
	}
}

// AddRespHeader adds a value to the response header name
// (ngx.resp.add_header); single-valued headers such as Content-Type are
// replaced instead.
func (r *Request) AddRespHeader(name, value string) {
	if r.headersSent {
		r.logError("attempt to set ngx.header.HEADER after sending out response headers")
		return
	}
	if name = escapeHeaderName(name); name != "" {
		r.Ctx.Response.Header.Add(name, escapeHeaderValue(value))
	}
}

// escapeHeaderName %XX-escapes the bytes of a header name that are not
// RFC 7230 token characters.
func escapeHeaderName(s string) string {
	return escapeBytes(s, func(c byte) bool { return !isTokenChar(c) && c != '%' })
}

// escapeHeaderValue %XX-escapes the control characters of a header value
// but tab, so that a value cannot inject header lines.
func escapeHeaderValue(s string) string {
	return escapeBytes(s, func(c byte) bool { return c < ' ' && c != '\t' || c == 0x7f })
}

func escapeBytes(s string, escape func(byte) bool) string {
	n := 0
	for i := 0; i < len(s); i++ {
		if escape(s[i]) {
			n++
		}
	}
	if n == 0 {
		return s
	}
	const hex = "0123456789ABCDEF"
	b := make([]byte, 0, len(s)+2*n)
	for i := 0; i < len(s); i++ {
		if c := s[i]; escape(c) {
			b = append(b, '%', hex[c>>4], hex[c&15])
		} else {
			b = append(b, c)
		}
	}
	return string(b)
}

func isTokenChar(c byte) bool {
	return 'a' <= c && c <= 'z' || 'A' <= c && c <= 'Z' || '0' <= c && c <= '9' ||
		strings.IndexByte("!#$%&'*+-.^_`|~", c) >= 0
}

// RespHeaders returns the response headers, at most max when max > 0, and
// whether more were present (ngx.resp.get_headers). As in OpenResty, the
// list starts with the Connection header the response will have.
func (r *Request) RespHeaders(max int) ([]Header, bool) {
	conn := "keep-alive"
	if r.Ctx.Response.ConnectionClose() || r.Ctx.Request.Header.ConnectionClose() {
		conn = "close"
	}
	hs := []Header{{Name: []byte("connection"), Value: []byte(conn)}}
	for k, v := range r.respHeaders() {
		if strings.EqualFold(string(k), "Connection") {
			continue
		}
		if max > 0 && len(hs) == max {
			return hs, true
		}
		hs = append(hs, Header{Name: k, Value: v})
	}
	return hs, false
}

// SendHeaders sends the response headers if they were not sent yet
// (ngx.send_headers), running the header_filter hook first. Content output
// calls it implicitly. When the header_filter hook calls ngx.exit with a
// status of 200 or more, the response is replaced by the special response
// for that status and ErrOutputFilter is returned.
func (r *Request) SendHeaders() error { return r.sendHeaders(true, true) }

// sendHeaders is SendHeaders; defaultType gives a response without
// Content-Type nginx's default one, and honourExit lets the header_filter
// hook replace the response with ngx.exit (false while it is already
// being replaced).
func (r *Request) sendHeaders(defaultType, honourExit bool) error {
	if r.headersSent || r.sendingHeaders {
		return nil
	}
	if r.status == 0 {
		r.status = 200
	}
	resp := &r.Ctx.Response
	if defaultType && len(resp.Header.ContentType()) == 0 && r.status != 204 && r.status != 304 {
		resp.Header.SetContentType(DefaultContentType)
	}
	if r.HeaderFilter != nil {
		r.sendingHeaders = true
		err := r.inPhase(abi.PhaseHeaderFilter, func() error { return r.HeaderFilter.FilterHeader(r) })
		r.sendingHeaders = false
		if err != nil {
			return err
		}
		if code, exited := r.Exited(); exited {
			r.ClearExit()
			if honourExit && code >= 200 {
				return r.replace(code)
			}
		}
	}
	r.headersSent = true
	resp.SetStatusCode(r.status)
	return nil
}

// replace answers ngx.exit(code) in header_filter: the response built so
// far (headers and body) is dropped for the special response for code,
// whose headers pass through header_filter again.
func (r *Request) replace(code int) error {
	h := &r.Ctx.Response.Header
	var names []string
	for k := range r.respHeaders() {
		names = append(names, string(k))
	}
	for _, k := range names {
		h.Del(k)
	}
	r.Ctx.Response.ResetBody()
	if err := r.special(code, false); err != nil {
		return err
	}
	return ErrOutputFilter
}

// inPhase runs f with r in phase p, then restores r's phase.
func (r *Request) inPhase(p abi.Phase, f func() error) error {
	saved := r.phase
	r.phase = p
	err := f()
	r.phase = saved
	return err
}

// Print sends data as part of the response body (ngx.print, ngx.say),
// sending the headers first if needed and passing it through the
// body_filter hook.
func (r *Request) Print(data []byte) error { return r.WriteBody(data, false) }

// WriteBody sends data as (part of) the response body, the last part when
// eof; the gateway uses it for proxied bodies. When header_filter replaced
// the response, a last part is dropped silently; otherwise ErrOutputFilter
// is returned.
func (r *Request) WriteBody(data []byte, eof bool) error {
	if r.eof {
		return ErrSeenEOF
	}
	if err := r.SendHeaders(); err != nil {
		if eof && errors.Is(err, ErrOutputFilter) {
			return nil
		}
		return err
	}
	return r.emit(data, eof)
}

// FilterChunk passes one chunk of the response body through the
// body_filter hook and counts it as sent; it returns what to send and
// whether it is the last chunk. The gateway calls it for bodies it streams
// itself.
func (r *Request) FilterChunk(data []byte, eof bool) ([]byte, bool, error) {
	if r.BodyFilter != nil {
		var err error
		err = r.inPhase(abi.PhaseBodyFilter, func() error {
			data, eof, err = r.BodyFilter.FilterBody(r, data, eof)
			return err
		})
		if err != nil {
			return nil, true, err
		}
	}
	r.bodyBytes += len(data)
	if eof {
		r.eof = true
	}
	return data, eof, nil
}

// emit passes one chunk through the body filter to the client.
func (r *Request) emit(data []byte, eof bool) error {
	data, eof, err := r.FilterChunk(data, eof)
	if err != nil {
		return err
	}
	if r.stream != nil {
		if err := r.writeChunk(data); err != nil {
			return err
		}
		if eof {
			return r.finishStream()
		}
		return nil
	}
	r.Ctx.Response.AppendBody(data)
	return nil
}

// ResetResponse forgets the response built so far (status, headers, body),
// unless it already streams to the client; it reports whether it could.
// The gateway uses it to replace a failed response with an error page.
func (r *Request) ResetResponse() bool {
	if r.stream != nil || r.IsSubrequest() && r.headersSent { // a subrequest's output is captured as it goes
		return false
	}
	r.Ctx.Response.Reset()
	r.status, r.headersSent, r.eof, r.bodyBytes = 0, false, false, 0
	return true
}

// Flush sends what the response has so far to the client now (ngx.flush).
// Before the headers are sent there is nothing to flush
// (ErrNothingToFlush). From the first flush on, the response streams
// (chunked) and its connection closes when it ends.
func (r *Request) Flush() error {
	if r.eof {
		return ErrSeenEOF
	}
	if !r.headersSent {
		return ErrNothingToFlush
	}
	if r.IsSubrequest() { // captured, never streamed
		return nil
	}
	if r.stream == nil {
		if err := r.startStream(); err != nil {
			return err
		}
	}
	return r.stream.Flush()
}

// EOF ends the response body (ngx.eof): the body filter sees the last
// chunk, and a streaming response is finished. Ending an ended body does
// nothing.
func (r *Request) EOF() error {
	if r.eof {
		return nil
	}
	return r.WriteBody(nil, true)
}

// Deliver writes the ended response to the client now, for ngx.eof: the
// code after ngx.eof runs while the client already has the response. The
// gateway gives the connection up for it, so the connection closes after
// the response. A response that streams, or has not ended, is left alone.
func (r *Request) Deliver() error {
	if r.stream != nil || !r.eof || r.IsSubrequest() {
		return nil
	}
	ctx := r.Ctx
	resp := &ctx.Response
	resp.SetConnectionClose()
	resp.SkipBody = ctx.IsHead()
	w := bufio.NewWriterSize(ctx.Conn(), 4096)
	if err := resp.Write(w); err != nil {
		return err
	}
	r.stream = w
	ctx.HijackSetNoResponse(true)
	ctx.Hijack(func(net.Conn) {})
	return w.Flush()
}

// Finished reports whether the response body has ended.
func (r *Request) Finished() bool { return r.eof }

// Streaming reports whether the response is being written straight to
// the connection (after ngx.flush).
func (r *Request) Streaming() bool { return r.stream != nil }

// BodyBytesSent returns $body_bytes_sent.
func (r *Request) BodyBytesSent() int { return r.bodyBytes }

// startStream writes the response head to the connection and switches r to
// streaming: the gateway's fasthttp handler then takes the connection over
// and closes it at the end, as HTTP/1.1 keep-alive cannot be resumed.
func (r *Request) startStream() error {
	ctx := r.Ctx
	resp := &ctx.Response
	resp.Header.SetStatusCode(r.status)
	resp.SetConnectionClose()
	if ctx.Request.Header.IsHTTP11() {
		resp.Header.SetContentLength(-1) // chunked
	} else {
		resp.Header.SetContentLength(-2) // identity, ends with the connection
	}
	body := resp.Body()
	w := bufio.NewWriterSize(ctx.Conn(), 4096)
	if err := resp.Header.Write(w); err != nil {
		return err
	}
	r.stream = w
	ctx.HijackSetNoResponse(true)
	ctx.Hijack(func(net.Conn) {})
	if len(body) > 0 {
		err := r.writeChunk(body)
		resp.ResetBody()
		return err
	}
	return nil
}

func (r *Request) chunked() bool {
	return r.Ctx.Response.Header.ContentLength() == -1
}

func (r *Request) writeChunk(p []byte) error {
	if len(p) == 0 || r.Ctx.IsHead() {
		return nil
	}
	w := r.stream
	if r.chunked() {
		w.WriteString(strconv.FormatInt(int64(len(p)), 16))
		w.WriteString("\r\n")
		w.Write(p)
		_, err := w.WriteString("\r\n")
		return err
	}
	_, err := w.Write(p)
	return err
}

func (r *Request) finishStream() error {
	if r.chunked() && !r.Ctx.IsHead() {
		r.stream.WriteString("0\r\n\r\n")
	}
	return r.stream.Flush()
}

// HeaderFilter runs a request's header_filter hooks; the gateway installs
// it on the Request.
type HeaderFilter interface {
	// FilterHeader runs the hooks, in the header_filter phase.
	FilterHeader(r *Request) error
}

// BodyFilter runs a request's body_filter hooks; the gateway installs it
// on the Request.
type BodyFilter interface {
	// FilterBody passes one chunk through the hooks, in the body_filter
	// phase, and returns the chunk to send and whether it is the last.
	FilterBody(r *Request, chunk []byte, eof bool) ([]byte, bool, error)
}

// HeaderFilterFunc is a function as a HeaderFilter.
type HeaderFilterFunc func(r *Request) error

// FilterHeader calls f.
func (f HeaderFilterFunc) FilterHeader(r *Request) error { return f(r) }

// BodyFilterFunc is a function as a BodyFilter.
type BodyFilterFunc func(r *Request, chunk []byte, eof bool) ([]byte, bool, error)

// FilterBody calls f.
func (f BodyFilterFunc) FilterBody(r *Request, chunk []byte, eof bool) ([]byte, bool, error) {
	return f(r, chunk, eof)
}
