package host

import (
	"bufio"
	"errors"
	"net"
	"strconv"

	"github.com/moongate/moongate/abi"
	"github.com/moongate/moongate/errlog"
)

// Errors of the response API, with OpenResty's wording.
var (
	ErrSeenEOF          = errors.New("seen eof")
	ErrHeaderAlreadySet = errors.New("header already sent")
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
		r.Log.Log(errlog.Error, "attempt to set ngx.status after sending out response headers")
		return
	}
	r.status = code
}

// HeadersSent reports whether the response headers were sent
// (ngx.headers_sent).
func (r *Request) HeadersSent() bool { return r.headersSent }

// RespHeader returns the values of the response header name.
func (r *Request) RespHeader(name string) [][]byte {
	return r.Ctx.Response.Header.PeekAll(name)
}

// SetRespHeader replaces the response header name with values; no values
// removes it (ngx.header.NAME = ...). Once the headers are sent it only
// logs an error, as OpenResty does.
func (r *Request) SetRespHeader(name string, values ...string) {
	if r.headersSent {
		r.Log.Log(errlog.Error, "attempt to set ngx.header."+name+" after sending out response headers")
		return
	}
	h := &r.Ctx.Response.Header
	h.Del(name)
	for _, v := range values {
		h.Add(name, v)
	}
}

// AddRespHeader adds a value to the response header name
// (ngx.resp.add_header).
func (r *Request) AddRespHeader(name, value string) {
	if r.headersSent {
		r.Log.Log(errlog.Error, "attempt to set ngx.header."+name+" after sending out response headers")
		return
	}
	r.Ctx.Response.Header.Add(name, value)
}

// RespHeaders returns the response headers, at most max when max > 0, and
// whether more were present (ngx.resp.get_headers).
func (r *Request) RespHeaders(max int) ([]Header, bool) {
	var hs []Header
	for k, v := range r.Ctx.Response.Header.All() {
		if max > 0 && len(hs) == max {
			return hs, true
		}
		hs = append(hs, Header{Name: k, Value: v})
	}
	return hs, false
}

// SendHeaders sends the response headers if they were not sent yet
// (ngx.send_headers), running the header_filter hook first. Content output
// calls it implicitly.
func (r *Request) SendHeaders() error {
	if r.headersSent || r.sendingHeaders {
		return nil
	}
	if r.status == 0 {
		r.status = 200
	}
	resp := &r.Ctx.Response
	if r.HeaderFilter != nil {
		r.sendingHeaders = true
		err := r.inPhase(abi.PhaseHeaderFilter, func() error { return r.HeaderFilter(r) })
		r.sendingHeaders = false
		if err != nil {
			return err
		}
	}
	r.headersSent = true
	resp.SetStatusCode(r.status)
	if len(resp.Header.ContentType()) == 0 && r.status != 204 && r.status != 304 {
		resp.Header.SetContentType(DefaultContentType)
	}
	return nil
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
// eof; the gateway uses it for proxied bodies.
func (r *Request) WriteBody(data []byte, eof bool) error {
	if r.eof {
		return ErrSeenEOF
	}
	if err := r.SendHeaders(); err != nil {
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
			data, eof, err = r.BodyFilter(r, data, eof)
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
	if r.stream != nil {
		return false
	}
	r.Ctx.Response.Reset()
	r.status, r.headersSent, r.eof, r.bodyBytes = 0, false, false, 0
	return true
}

// Flush sends what the response has so far to the client now (ngx.flush).
// From the first flush on, the response streams (chunked) and its
// connection closes when it ends.
func (r *Request) Flush() error {
	if r.eof {
		return ErrSeenEOF
	}
	if err := r.SendHeaders(); err != nil {
		return err
	}
	if r.stream == nil {
		if err := r.startStream(); err != nil {
			return err
		}
	}
	return r.stream.Flush()
}

// EOF ends the response body (ngx.eof): the body filter sees the last
// chunk, and a streaming response is finished.
func (r *Request) EOF() error {
	if r.eof {
		return nil
	}
	return r.WriteBody(nil, true)
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
