package proxy

import (
	"bufio"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"strconv"
	"time"

	"github.com/valyala/fasthttp"
)

// Result describes one upstream exchange, for $upstream_addr,
// $upstream_status and $upstream_response_time.
type Result struct {
	// Addr is the peer's ip:port actually connected (the address tried when
	// connecting failed, or host:port when even that is unknown).
	Addr string
	// Status is the upstream's status code, 0 if none was received.
	Status int
	// ResponseTime runs from the start of Forward (taking or opening a
	// connection) to the end of the response headers, or to the failure.
	// nginx measures to the end of the response; a streamed body is read after
	// Forward returns, so it is not included here, and neither is a buffered
	// one, for consistency.
	ResponseTime time.Duration
}

// maxInterim bounds the 1xx responses skipped before the final one.
const maxInterim = 8

// Forward sends req to the upstream with the given request URI and fills
// resp. It does not modify req (beyond consuming a request body stream), and
// keeps no reference to it after returning.
//
// The outgoing request has req's method, headers and body, with:
//   - hop-by-hop headers removed (Connection, Keep-Alive, Proxy-Authenticate,
//     Proxy-Authorization, TE, Trailer, Transfer-Encoding, Upgrade, and any
//     header the client's Connection header names), and Expect (the body has
//     been read already, as nginx does);
//   - Host per Options.PreserveHost; X-Forwarded-* per
//     Options.ForwardedHeaders, with clientIP and scheme;
//   - Content-Length set to the body's length (a streamed request body of
//     unknown length is sent chunked);
//   - HTTP/1.1, keep-alive unless Options.KeepaliveConns is negative.
//
// The response has its hop-by-hop headers removed, its protocol reset to
// the server's HTTP/1.1 (the status code and reason phrase are kept), and
// fasthttp's default Content-Type disabled. If its body is larger than
// Options.BufferSize or has no Content-Length, resp's body is a stream
// (resp.BodyStream() != nil) that the caller reads and then must close with
// resp.CloseBodyStream(), from the same goroutine; the connection returns to
// the pool only if the body was read to its end. Otherwise resp.Body() holds
// the body. A response to HEAD has resp.SkipBody set and keeps the upstream's
// Content-Length.
//
// A failure is an *Error: 502 for a refused or failed connection or a bad
// response, 504 for a connect, send or read timeout (499 if reading the
// client's request body stream fails). A request that fails on a
// kept-alive connection before any response byte arrives (the upstream closed
// it meanwhile) is retried on another connection if it is idempotent (not
// POST, LOCK or PATCH) and its body is not a stream, as nginx does.
func (u *Upstream) Forward(req *fasthttp.Request, requestURI, clientIP, scheme string, resp *fasthttp.Response) (Result, error) {
	start := time.Now()
	var res Result
	for {
		resp.Reset()
		cc, err := u.hc.AcquireConn(0, false)
		if err != nil {
			res.Addr = triedAddr(err, u.addr)
			res.ResponseTime = time.Since(start)
			return res, newError(connecting, err, res.Addr, requestURI)
		}
		c := cc.Conn().(*conn)
		res.Addr = c.peer
		reused := c.begin()
		br, s, err := u.roundTrip(c, req, requestURI, clientIP, scheme, resp)
		res.ResponseTime = time.Since(start)
		if err != nil {
			u.hc.CloseConn(cc)
			cause := c.cause(err)
			if reused && c.read == 0 && !isTimeout(cause) && replayable(req) {
				continue
			}
			return res, newError(s, cause, c.peer, requestURI)
		}
		res.Status = resp.StatusCode()

		keep := u.opts.KeepaliveConns > 0 && !resp.Header.ConnectionClose()
		stripHopByHop(&resp.Header)
		// The response goes to the client as HTTP/1.1 whatever the upstream
		// spoke, and without a Content-Type the upstream did not send.
		resp.Header.SetProtocol(nil)
		resp.Header.SetNoDefaultContentType(true)
		length := resp.Header.ContentLength()
		switch {
		case req.Header.IsHead() || res.Status == http.StatusNoContent || res.Status == http.StatusNotModified:
			resp.SkipBody = req.Header.IsHead()
			u.hc.ReleaseReader(br)
			putConn(u, u.hc, cc, keep)
		case length >= 0 && length <= u.opts.BufferSize:
			err := resp.ReadBody(br, 0)
			u.hc.ReleaseReader(br)
			putConn(u, u.hc, cc, keep && err == nil)
			if err != nil {
				return res, newError(readingBody, c.cause(err), c.peer, requestURI)
			}
		default:
			body := newBodyStream(br, c, length, requestURI)
			body.release = func(reuse bool) {
				u.hc.ReleaseReader(br)
				putConn(u, u.hc, cc, keep && reuse)
			}
			resp.SetBodyStream(body, max(length, -1))
		}
		return res, nil
	}
}

// triedAddr is the address a failed dial tried, or fallback.
func triedAddr(err error, fallback string) string {
	var op *net.OpError
	if errors.As(err, &op) && op.Addr != nil {
		return op.Addr.String()
	}
	return fallback
}

// replayable reports whether req may be sent again after a failure: nginx
// does not resend POST, LOCK or PATCH, and a body stream cannot be re-read.
func replayable(req *fasthttp.Request) bool {
	if req.IsBodyStream() {
		return false
	}
	switch string(req.Header.Method()) {
	case fasthttp.MethodPost, fasthttp.MethodPatch, "LOCK":
		return false
	}
	return true
}

// roundTrip sends req on c and reads the response header into resp. On
// success it returns the reader positioned at the body; on failure, the step
// that failed.
func (u *Upstream) roundTrip(c *conn, req *fasthttp.Request, requestURI, clientIP, scheme string, resp *fasthttp.Response) (*bufio.Reader, step, error) {
	w := u.hc.AcquireWriter(c)
	err := u.writeRequest(w, req, requestURI, clientIP, scheme)
	u.hc.ReleaseWriter(w)
	if err != nil {
		return nil, sending, err
	}
	r := u.hc.AcquireReader(c)
	if err := readHeader(r, resp); err != nil {
		u.hc.ReleaseReader(r)
		return nil, readingHeader, err
	}
	return r, 0, nil
}

// readHeader reads the final response header into resp, skipping interim
// (1xx) responses.
func readHeader(r *bufio.Reader, resp *fasthttp.Response) error {
	for range maxInterim {
		if err := resp.Header.Read(r); err != nil {
			return err
		}
		switch st := resp.StatusCode(); {
		case st == http.StatusSwitchingProtocols:
			return errUpgrade
		case st < 100 || st > 199:
			return nil
		}
	}
	return fmt.Errorf("more than %d interim responses", maxInterim)
}

// writeRequest writes the request line, headers and body of the outgoing
// request to w and flushes it.
func (u *Upstream) writeRequest(w *bufio.Writer, req *fasthttp.Request, requestURI, clientIP, scheme string) error {
	h := &req.Header
	// First pass: what the second needs to know. The slices stay valid: only
	// the first All on a header rearranges it (collecting cookies), and the
	// Connection and X-Forwarded-For values are not the cookie buffer.
	var connBuf, xffBuf [4][]byte
	connValues, xff := connBuf[:0], xffBuf[:0]
	hasLength := false
	for k, v := range h.All() {
		switch classify(k) {
		case kindHopByHop:
			if foldEqual(k, "connection") {
				connValues = append(connValues, v)
			}
		case kindForwardedFor:
			xff = append(xff, v)
		case kindContentLength:
			hasLength = true
		}
	}

	w.Write(h.Method())
	w.WriteByte(' ')
	writeRequestTarget(w, requestURI)
	w.WriteString(" HTTP/1.1\r\nHost: ")
	if host := h.Host(); u.opts.PreserveHost && len(host) > 0 {
		w.Write(host)
	} else {
		w.WriteString(u.hostHeader)
	}
	w.WriteString("\r\n")

	fwd := u.opts.ForwardedHeaders
	for k, v := range h.All() {
		kind := classify(k)
		if kind == kindOther || !fwd && (kind == kindForwardedFor || kind == kindForwarded) {
			if !listed(connValues, k) {
				writeField(w, k, v)
			}
		}
	}
	if fwd {
		w.WriteString(hdrXForwardedFor + ": ")
		for _, v := range xff {
			w.Write(v)
			w.WriteString(", ")
		}
		w.WriteString(clientIP)
		w.WriteString("\r\n" + hdrXRealIP + ": ")
		w.WriteString(clientIP)
		w.WriteString("\r\n" + hdrXForwardedProto + ": ")
		w.WriteString(scheme)
		w.WriteString("\r\n")
		if host := h.Host(); len(host) > 0 {
			w.WriteString(hdrXForwardedHost + ": ")
			w.Write(host)
			w.WriteString("\r\n")
		}
	}
	if u.opts.KeepaliveConns < 0 {
		w.WriteString(hdrConnection + ": close\r\n")
	}

	if req.IsBodyStream() {
		if err := writeBodyStream(w, req.BodyStream(), h.ContentLength()); err != nil {
			return err
		}
		return w.Flush()
	}
	body := req.Body()
	if len(body) > 0 || hasLength {
		writeContentLength(w, int64(len(body)))
	}
	w.WriteString("\r\n")
	w.Write(body)
	return w.Flush()
}

// writeRequestTarget writes the request URI, escaping bytes that cannot
// appear in a request line (controls, space, DEL) so that a URI set by a
// script cannot split it.
func writeRequestTarget(w *bufio.Writer, uri string) {
	for i := 0; i < len(uri); i++ {
		if c := uri[i]; c <= ' ' || c == 0x7f {
			w.WriteString(uri[:i])
			for ; i < len(uri); i++ {
				if c := uri[i]; c <= ' ' || c == 0x7f {
					w.WriteByte('%')
					w.WriteByte(upperHex[c>>4])
					w.WriteByte(upperHex[c&0xf])
				} else {
					w.WriteByte(c)
				}
			}
			return
		}
	}
	w.WriteString(uri)
}

// writeField writes one "name: value" header line.
func writeField(w *bufio.Writer, name, value []byte) {
	w.Write(name)
	w.WriteString(": ")
	w.Write(value)
	w.WriteString("\r\n")
}

// writeContentLength writes the Content-Length header line.
func writeContentLength(w *bufio.Writer, n int64) {
	var buf [20]byte
	w.WriteString("Content-Length: ")
	w.Write(strconv.AppendInt(buf[:0], n, 10))
	w.WriteString("\r\n")
}

// writeBodyStream ends the header and writes the client's body stream r:
// size bytes with a Content-Length if size >= 0, otherwise chunked. A failure
// to read r wraps errClientBody.
func writeBodyStream(w *bufio.Writer, r io.Reader, size int) error {
	body := clientBody{r}
	if size >= 0 {
		writeContentLength(w, int64(size))
		w.WriteString("\r\n")
		n, err := w.ReadFrom(io.LimitReader(body, int64(size)))
		if err == nil && n < int64(size) {
			err = fmt.Errorf("%w: body shorter than Content-Length", errClientBody)
		}
		return err
	}
	w.WriteString("Transfer-Encoding: chunked\r\n\r\n")
	buf := make([]byte, 16<<10)
	var hex [16]byte
	for {
		n, err := body.Read(buf)
		if n > 0 {
			w.Write(strconv.AppendInt(hex[:0], int64(n), 16))
			w.WriteString("\r\n")
			w.Write(buf[:n])
			w.WriteString("\r\n")
		}
		switch {
		case err == io.EOF:
			_, err = w.WriteString("0\r\n\r\n")
			return err
		case err != nil:
			return err
		}
	}
}

// clientBody marks the errors of reading the client's body stream.
type clientBody struct{ r io.Reader }

// Read reads from the client's body, wrapping a failure in errClientBody.
func (b clientBody) Read(p []byte) (int, error) {
	n, err := b.r.Read(p)
	if err != nil && err != io.EOF {
		err = fmt.Errorf("%w: %w", errClientBody, err)
	}
	return n, err
}

// stripHopByHop deletes the response's hop-by-hop headers and those its
// Connection header names.
func stripHopByHop(h *fasthttp.ResponseHeader) {
	var names []string // allocated only when there is something to delete
	for k, v := range h.All() {
		if classify(k) != kindHopByHop {
			continue
		}
		names = append(names, string(k))
		if foldEqual(k, "connection") {
			for tok := range tokens(v) {
				names = append(names, string(tok))
			}
		}
	}
	for _, name := range names {
		h.Del(name)
	}
}
