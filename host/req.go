package host

import (
	"bytes"
	"errors"
	"strings"
	"time"
)

// Errors of the request API, with OpenResty's wording.
var (
	ErrBodyNotRead   = errors.New("request body not read yet")
	ErrNoRequestBody = errors.New("no request body found; maybe you should turn on lua_need_request_body?")
	ErrZeroLengthURI = errors.New("attempt to use zero-length uri")
)

// Method returns the request method (ngx.req.get_method).
func (r *Request) Method() []byte { return r.Ctx.Request.Header.Method() }

// SetMethod replaces the request method (ngx.req.set_method).
func (r *Request) SetMethod(m string) { r.Ctx.Request.Header.SetMethod(m) }

// URI returns $uri: the normalised request path, as changed by SetURI.
func (r *Request) URI() string { return r.uri }

// URIChanged reports whether a script changed the URI.
func (r *Request) URIChanged() bool { return r.uriSet }

// SetURI replaces $uri (ngx.req.set_uri); the jump, if any, is the
// gateway's to make.
func (r *Request) SetURI(uri string) error {
	if uri == "" {
		return ErrZeroLengthURI
	}
	r.uri = uri
	r.uriSet = true
	return nil
}

// RequestURI returns $request_uri: the path and query as the client sent them.
func (r *Request) RequestURI() []byte { return r.Ctx.Request.Header.RequestURI() }

// Args returns $args: the query string, as changed by SetArgs.
func (r *Request) Args() string {
	if r.argsSet {
		return r.args
	}
	uri := r.RequestURI()
	if i := bytes.IndexByte(uri, '?'); i >= 0 {
		q := uri[i+1:]
		if j := bytes.IndexByte(q, '#'); j >= 0 {
			q = q[:j]
		}
		r.args, r.argsSet = string(q), true
		return r.args
	}
	return ""
}

// SetArgs replaces the query string (ngx.req.set_uri_args, ngx.var.args).
func (r *Request) SetArgs(q string) {
	r.args, r.argsSet = q, true
}

// URIArgs parses the query string (ngx.req.get_uri_args).
func (r *Request) URIArgs(max int) ([]Arg, bool) { return ParseArgs(r.Args(), max) }

// Header is one header line.
type Header struct{ Name, Value []byte }

// Headers returns the request headers, at most max
// when max > 0, and whether more were present (ngx.req.get_headers).
// Names are as fasthttp normalised them ("X-Api-Key"); callers lower-case
// them unless raw names are asked for.
func (r *Request) Headers(max int) ([]Header, bool) {
	var hs []Header
	for k, v := range r.Ctx.Request.Header.All() {
		if max > 0 && len(hs) == max {
			return hs, true
		}
		hs = append(hs, Header{Name: k, Value: v})
	}
	return hs, false
}

// Header returns the first value of the request header name, or nil.
func (r *Request) Header(name string) []byte { return r.Ctx.Request.Header.Peek(name) }

// SetHeader replaces the request header name with values; no values
// clears it (ngx.req.set_header, ngx.req.clear_header).
func (r *Request) SetHeader(name string, values ...string) {
	h := &r.Ctx.Request.Header
	h.Del(name)
	for _, v := range values {
		h.Add(name, v)
	}
}

// HTTPVersion returns the request's HTTP version: 1.0 or 1.1.
func (r *Request) HTTPVersion() float64 {
	if r.Ctx.Request.Header.IsHTTP11() {
		return 1.1
	}
	return 1.0
}

// RawHeader returns the request header as received, with the request line
// unless noRequestLine (ngx.req.raw_header).
func (r *Request) RawHeader(noRequestLine bool) string {
	var b strings.Builder
	if !noRequestLine {
		b.Write(r.Method())
		b.WriteByte(' ')
		b.Write(r.RequestURI())
		b.WriteByte(' ')
		b.Write(r.Ctx.Request.Header.Protocol())
		b.WriteString("\r\n")
	}
	b.Write(r.Ctx.Request.Header.RawHeaders())
	return b.String()
}

// StartSeconds returns the start time in seconds since the epoch, with
// millisecond precision (ngx.req.start_time).
func (r *Request) StartSeconds() float64 {
	return float64(r.start.UnixMilli()) / 1000
}

// Elapsed returns the time since the request started.
func (r *Request) Elapsed() time.Duration { return time.Since(r.start) }

// ReadBody reads the request body (ngx.req.read_body). The gateway has it
// in memory already, so this only marks it read.
func (r *Request) ReadBody() { r.bodyRead = true }

// DiscardBody throws the request body away (ngx.req.discard_body).
func (r *Request) DiscardBody() {
	r.bodyDiscarded = true
	r.Ctx.Request.ResetBody()
	r.Ctx.Request.Header.SetContentLength(0)
}

// BodyData returns the request body, or nil if it was not read, was
// discarded or is empty (ngx.req.get_body_data). max > 0 caps the length.
func (r *Request) BodyData(max int) []byte {
	if !r.bodyRead || r.bodyDiscarded {
		return nil
	}
	b := r.Ctx.Request.Body()
	if len(b) == 0 {
		return nil
	}
	if max > 0 && len(b) > max {
		b = b[:max]
	}
	return b
}

// SetBodyData replaces the request body (ngx.req.set_body_data).
func (r *Request) SetBodyData(data []byte) error {
	if !r.bodyRead {
		return ErrBodyNotRead
	}
	r.Ctx.Request.SetBody(data)
	return nil
}

// PostArgs parses an x-www-form-urlencoded body (ngx.req.get_post_args).
func (r *Request) PostArgs(max int) ([]Arg, bool, error) {
	if !r.bodyRead {
		return nil, false, ErrNoRequestBody
	}
	args, truncated := ParseArgs(string(r.Ctx.Request.Body()), max)
	return args, truncated, nil
}
