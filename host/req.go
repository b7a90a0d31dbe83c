package host

import (
	"bytes"
	"errors"
	"strings"
	"time"
)

// ErrZeroLengthURI is OpenResty's error for set_uri("").
var ErrZeroLengthURI = errors.New("attempt to use zero-length uri")

// inbound is the request-side state that scripts change, beside the
// fasthttp request it mirrors.
type inbound struct {
	headers  []Header // the request headers in nginx's order, once parsed
	parsed   bool     // headers holds them
	method   []byte   // the method the client sent, once set_method changed it
	noArgs   bool     // $args is unset (nil), not empty
	stale    bool     // $request_uri no longer gives the URI and args
	bodyWire int      // body bytes counted in $request_length
}

// Method returns the request method (ngx.req.get_method).
func (r *Request) Method() []byte { return r.Ctx.Request.Header.Method() }

// SetMethod replaces the request method (ngx.req.set_method); $request
// and ngx.req.raw_header keep the method the client sent.
func (r *Request) SetMethod(m string) {
	if r.in.method == nil {
		r.in.method = append([]byte{}, r.Method()...)
	}
	r.Ctx.Request.Header.SetMethod(m)
}

// clientMethod returns the method the client sent.
func (r *Request) clientMethod() []byte {
	if r.in.method != nil {
		return r.in.method
	}
	return r.Method()
}

// URI returns $uri: the normalised request path, as changed by SetURI.
func (r *Request) URI() string { return r.uri }

// URIChanged reports whether a script changed $uri since the route was
// matched (ngx.req.set_uri without jump): nginx then proxies the whole URI
// instead of replacing the location's prefix.
func (r *Request) URIChanged() bool { return r.uriSet }

// RequestURIValid reports whether $request_uri still gives the URI and
// args the request has: no set_uri (with or without jump), set_uri_args or
// ngx.var.args write happened. When it is false, a proxy_pass without a
// URI part sends $uri escaped and $args instead of the client's URI.
func (r *Request) RequestURIValid() bool { return !r.in.stale }

// SetURI replaces $uri (ngx.req.set_uri) and marks the request internal,
// as nginx does. With jump, the gateway matches the new URI against the
// routes again once the rewrite hook is left.
func (r *Request) SetURI(uri string, jump bool) error {
	if uri == "" {
		return ErrZeroLengthURI
	}
	r.uri = uri
	r.internal = true
	r.in.stale = true
	r.uriSet = !jump
	if jump {
		r.Jump()
	}
	return nil
}

// RequestURI returns $request_uri: the path and query as the client sent
// them, without the scheme and host of an absolute request URI.
func (r *Request) RequestURI() []byte {
	uri := r.Ctx.Request.Header.RequestURI()
	if len(uri) == 0 || uri[0] == '/' {
		return uri
	}
	if _, rest, ok := bytes.Cut(uri, []byte("://")); ok {
		if i := bytes.IndexByte(rest, '/'); i >= 0 {
			return rest[i:]
		}
		return []byte("/")
	}
	return uri
}

// Args returns $args: the query string, as changed by SetArgs; "" when
// there is none.
func (r *Request) Args() string {
	q, _ := r.argsVar()
	return q
}

// argsVar returns $args and whether it is set: a request without a query
// string, or whose args were cleared, has none.
func (r *Request) argsVar() (string, bool) {
	if !r.argsSet {
		uri := r.RequestURI()
		if i := bytes.IndexByte(uri, '#'); i >= 0 {
			uri = uri[:i]
		}
		_, q, _ := bytes.Cut(uri, []byte("?"))
		r.args, r.argsSet, r.in.noArgs = string(q), true, len(q) == 0
	}
	return r.args, !r.in.noArgs
}

// SetArgs replaces the query string with q as it is (ngx.var.args, and
// ngx.req.set_uri_args once it has escaped its argument).
func (r *Request) SetArgs(q string) {
	r.args, r.argsSet, r.in.noArgs, r.in.stale = q, true, false, true
}

// ClearArgs removes the query string (ngx.var.args = nil).
func (r *Request) ClearArgs() {
	r.args, r.argsSet, r.in.noArgs, r.in.stale = "", true, true, true
}

// URIArgs parses the query string (ngx.req.get_uri_args); max is as
// for Limit.
func (r *Request) URIArgs(max int) ([]Arg, bool) { return ParseArgs(r.Args(), Limit(max)) }

// Header is one header line.
type Header struct{ Name, Value []byte }

// headers returns the request headers as nginx keeps them: in the order
// received, names as sent, each line its own entry. They are parsed from
// the raw header on first use.
func (r *Request) headers() []Header {
	if r.in.parsed {
		return r.in.headers
	}
	r.in.parsed = true
	h := &r.Ctx.Request.Header
	raw := h.RawHeaders()
	if len(raw) == 0 { // not read from a connection: take fasthttp's view
		for k, v := range h.All() {
			r.in.headers = append(r.in.headers, Header{Name: bytes.Clone(k), Value: bytes.Clone(v)})
		}
		return r.in.headers
	}
	for len(raw) > 0 {
		var line []byte
		line, raw, _ = bytes.Cut(raw, []byte("\n"))
		line = bytes.TrimSuffix(line, []byte("\r"))
		name, value, ok := bytes.Cut(line, []byte(":"))
		if !ok {
			continue
		}
		r.in.headers = append(r.in.headers, Header{Name: name, Value: bytes.Trim(value, " \t")})
	}
	return r.in.headers
}

// Headers returns the request headers (ngx.req.get_headers): at most max
// of them (as for Limit), and whether there were more. Names are as the
// client sent them.
func (r *Request) Headers(max int) ([]Header, bool) {
	hs := r.headers()
	if max = Limit(max); max > 0 && len(hs) > max {
		return hs[:max], true
	}
	return hs, false
}

// Header returns the first value of the request header name, matched
// case-insensitively, or nil.
func (r *Request) Header(name string) []byte {
	for _, h := range r.headers() {
		if strings.EqualFold(string(h.Name), name) {
			return h.Value
		}
	}
	return nil
}

// SetHeader sets the request header name to values, as
// ngx.req.set_header does: the first line of that name (matched
// case-insensitively) keeps its place and takes the first value, the other
// lines go, further values are appended. No values, or only empty ones,
// remove the header (ngx.req.clear_header). Control bytes in the value, and
// bytes that may not appear in a header name, are %XX-escaped.
func (r *Request) SetHeader(name string, values ...string) {
	name = escape(name, tokenByte)
	vals := make([]string, 0, len(values))
	for _, v := range values {
		if v != "" {
			vals = append(vals, escape(v, valueByte))
		}
	}
	hs := r.headers()
	if len(vals) == 1 && !ownField(name) && !hasHeader(hs, name) {
		// A new header goes last, in fasthttp's list too: no reordering.
		r.in.headers = append(hs, Header{Name: []byte(name), Value: []byte(vals[0])})
		r.Ctx.Request.Header.Add(name, vals[0])
		return
	}
	hs = hs[:0]
	placed := len(vals) == 0
	for _, h := range r.in.headers {
		if !strings.EqualFold(string(h.Name), name) {
			hs = append(hs, h)
		} else if !placed {
			hs = append(hs, Header{Name: h.Name, Value: []byte(vals[0])})
			vals, placed = vals[1:], true
		}
	}
	for _, v := range vals {
		hs = append(hs, Header{Name: []byte(name), Value: []byte(v)})
	}
	r.in.headers = hs
	r.mirrorHeaders(name)
}

// hasHeader reports whether hs has a header called name (any case).
func hasHeader(hs []Header, name string) bool {
	for _, h := range hs {
		if strings.EqualFold(string(h.Name), name) {
			return true
		}
	}
	return false
}

// mirrorHeaders copies the header list into the fasthttp request, which
// the proxy sends, after a change to the header changed. fasthttp keeps
// some headers in fields of their own and the others in a list whose Del
// reorders it, so the others are all put back in the list's order.
func (r *Request) mirrorHeaders(changed string) {
	fh := &r.Ctx.Request.Header
	if ownField(changed) {
		fh.Del(changed)
		for _, h := range r.in.headers {
			if strings.EqualFold(string(h.Name), changed) {
				fh.AddBytesKV(h.Name, h.Value)
			}
		}
		return
	}
	fh.Del(changed)
	for _, h := range r.in.headers {
		if !ownField(string(h.Name)) {
			fh.DelBytes(h.Name)
		}
	}
	for _, h := range r.in.headers {
		if !ownField(string(h.Name)) {
			fh.AddBytesKV(h.Name, h.Value)
		}
	}
}

// ownField reports whether fasthttp keeps the request header name in a
// field of its own rather than in its list of headers.
func ownField(name string) bool {
	for _, f := range [...]string{"Host", "Content-Type", "Content-Length", "User-Agent", "Cookie",
		"Connection", "Transfer-Encoding", "Trailer"} {
		if strings.EqualFold(name, f) {
			return true
		}
	}
	return false
}

// tokenByte reports whether c may appear in a header name (RFC 9110's
// tchar).
func tokenByte(c byte) bool {
	return 'a' <= c && c <= 'z' || 'A' <= c && c <= 'Z' || '0' <= c && c <= '9' ||
		strings.IndexByte("!#$%&'*+-.^_`|~", c) >= 0
}

// valueByte reports whether c is kept as it is in a header value: any
// byte but controls other than tab, and DEL.
func valueByte(c byte) bool { return c >= ' ' && c != 0x7f || c == '\t' }

// HTTPVersion returns the request's HTTP version (ngx.req.http_version):
// 1.0 or 1.1; false for another protocol.
func (r *Request) HTTPVersion() (float64, bool) {
	switch string(r.Ctx.Request.Header.Protocol()) {
	case "HTTP/1.1":
		return 1.1, true
	case "HTTP/1.0":
		return 1.0, true
	}
	return 0, false
}

// requestLine returns the request line as the client sent it, without
// its CRLF ($request).
func (r *Request) requestLine() string {
	h := &r.Ctx.Request.Header
	return string(r.clientMethod()) + " " + string(h.RequestURI()) + " " + string(h.Protocol())
}

// RawHeader returns the request header as received, ending with its empty
// line, with the request line first unless noRequestLine
// (ngx.req.raw_header). Changes made by scripts do not show.
func (r *Request) RawHeader(noRequestLine bool) string {
	raw := r.Ctx.Request.Header.RawHeaders()
	if noRequestLine {
		return string(raw)
	}
	return r.requestLine() + "\r\n" + string(raw)
}

// requestLength returns $request_length: the bytes of the request line and
// header, and of the body once read.
func (r *Request) requestLength() int {
	return len(r.requestLine()) + 2 + len(r.Ctx.Request.Header.RawHeaders()) + r.in.bodyWire
}

// StartSeconds returns the start time in seconds since the epoch, with
// millisecond precision (ngx.req.start_time).
func (r *Request) StartSeconds() float64 {
	return float64(r.start.UnixMilli()) / 1000
}

// Elapsed returns the time since the request started.
func (r *Request) Elapsed() time.Duration { return time.Since(r.start) }
