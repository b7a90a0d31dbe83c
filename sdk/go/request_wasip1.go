//go:build wasip1

package moongate

import (
	"math"
	"time"
)

// Method returns the request method (ngx.req.get_method).
func (r *Request) Method() (string, error) {
	return fetchString(func(b []byte) int32 { return hostReqGetMethod(bytesPtr(b), size(b)) })
}

// SetMethod replaces the request method: "GET", "POST", ...
// (ngx.req.set_method). An unknown method is ErrBadArgument.
func (r *Request) SetMethod(method string) error {
	return check(hostReqSetMethod(strPtr(method), size(method)))
}

// URI returns the normalised request path, $uri.
func (r *Request) URI() (string, error) {
	return fetchString(func(b []byte) int32 { return hostReqGetURI(bytesPtr(b), size(b)) })
}

// SetURI replaces $uri (ngx.req.set_uri). With jump, allowed only in
// rewrite, the gateway matches the new URI against the routes again once
// the handler returns; the handler should then return Continue.
func (r *Request) SetURI(uri string, jump bool) error {
	return check(hostReqSetURI(strPtr(uri), size(uri), boolArg(jump)))
}

// URIArgs returns the query arguments, at most max of them (0: all)
// (ngx.req.get_uri_args).
func (r *Request) URIArgs(max int) (Args, error) {
	return fetchList(decodeArgs, func(b []byte) int32 { return hostReqGetURIArgs(int32(max), bytesPtr(b), size(b)) })
}

// SetURIArgs replaces the query string (ngx.req.set_uri_args); Args.Encode
// builds one.
func (r *Request) SetURIArgs(query string) error {
	return check(hostReqSetURIArgs(strPtr(query), size(query)))
}

// Headers returns the request headers, at most max of them (0: all),
// names lower-cased unless raw (ngx.req.get_headers).
func (r *Request) Headers(max int, raw bool) (Headers, error) {
	return fetchList(decodeHeaders, func(b []byte) int32 {
		return hostReqGetHeaders(int32(max), boolArg(raw), bytesPtr(b), size(b))
	})
}

// Header returns the first value of the request header name, in any case;
// ErrNotFound when the request has none (ngx.req.get_headers()[name]).
func (r *Request) Header(name string) (string, error) {
	return fetchString(func(b []byte) int32 {
		return hostReqGetHeader(strPtr(name), size(name), bytesPtr(b), size(b))
	})
}

// SetHeader replaces the request header name with value
// (ngx.req.set_header).
func (r *Request) SetHeader(name, value string) error {
	return check(hostReqSetHeader(strPtr(name), size(name), strPtr(value), size(value)))
}

// AddHeader adds a line with value to the request header name.
func (r *Request) AddHeader(name, value string) error {
	return check(hostReqAddHeader(strPtr(name), size(name), strPtr(value), size(value)))
}

// ClearHeader removes the request header name (ngx.req.clear_header).
func (r *Request) ClearHeader(name string) error {
	return check(hostReqClearHeader(strPtr(name), size(name)))
}

// HTTPVersion returns the request's HTTP version times ten: 10 for
// HTTP/1.0, 11 for HTTP/1.1 (ngx.req.http_version).
func (r *Request) HTTPVersion() (int, error) { return intResult(hostReqHTTPVersion()) }

// RawHeader returns the request header as the client sent it, request line
// first unless noRequestLine (ngx.req.raw_header).
func (r *Request) RawHeader(noRequestLine bool) (string, error) {
	return fetchString(func(b []byte) int32 {
		return hostReqRawHeader(boolArg(noRequestLine), bytesPtr(b), size(b))
	})
}

// StartTime returns the time the request started (ngx.req.start_time), to
// the millisecond.
func (r *Request) StartTime() (time.Time, error) {
	secs := hostReqStartTime()
	if secs < 0 {
		return time.Time{}, fail(int32(secs))
	}
	return time.UnixMicro(int64(math.Round(secs * 1e6))), nil
}

// IsInternal reports whether the request is internal: an internal
// redirect, or one whose URI SetURI changed (ngx.req.is_internal).
func (r *Request) IsInternal() (bool, error) { return boolResult(hostReqIsInternal()) }

// ReadBody reads the request body (ngx.req.read_body); Body, SetBody and
// PostArgs need it.
func (r *Request) ReadBody() error { return check(hostReqReadBody()) }

// DiscardBody throws the request body away unless it was read
// (ngx.req.discard_body).
func (r *Request) DiscardBody() error { return check(hostReqDiscardBody()) }

// Body returns the request body once read; ErrNotFound when it was not
// read or is empty (ngx.req.get_body_data).
func (r *Request) Body() ([]byte, error) {
	return fetchBytes(func(b []byte) int32 { return hostReqGetBodyData(bytesPtr(b), size(b)) })
}

// SetBody replaces the request body (ngx.req.set_body_data); ErrFailed
// ("request body not read yet") before ReadBody.
func (r *Request) SetBody(body []byte) error {
	return check(hostReqSetBodyData(bytesPtr(body), size(body)))
}

// PostArgs returns the arguments of an x-www-form-urlencoded body, at most
// max of them (0: all); ErrFailed before ReadBody
// (ngx.req.get_post_args).
func (r *Request) PostArgs(max int) (Args, error) {
	return fetchList(decodeArgs, func(b []byte) int32 { return hostReqGetPostArgs(int32(max), bytesPtr(b), size(b)) })
}

// Var returns the nginx variable name ($name, ngx.var[name]); ErrNotFound
// when it has no value.
func (r *Request) Var(name string) (string, error) {
	return fetchString(func(b []byte) int32 { return hostVarGet(strPtr(name), size(name), bytesPtr(b), size(b)) })
}

// SetVar sets the nginx variable name (ngx.var[name] = value); ErrFailed
// for a variable that cannot be written.
func (r *Request) SetVar(name, value string) error {
	return check(hostVarSet(strPtr(name), size(name), strPtr(value), size(value)))
}

// Ctx returns the request's value for key, shared by every Wasm hook of
// the request (ngx.ctx for guests); ErrNotFound when unset.
func (r *Request) Ctx(key string) (string, error) {
	return fetchString(func(b []byte) int32 { return hostCtxGet(strPtr(key), size(key), bytesPtr(b), size(b)) })
}

// SetCtx sets the request's value for key (ngx.ctx[key] = value).
func (r *Request) SetCtx(key, value string) error {
	return check(hostCtxSet(strPtr(key), size(key), strPtr(value), size(value)))
}
