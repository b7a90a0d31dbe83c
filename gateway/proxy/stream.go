package proxy

import (
	"bufio"
	"errors"
	"io"
	"net/http/httputil"
)

// maxTrailer bounds the trailer section of a chunked response, which is read
// and dropped (nginx does not pass upstream trailers either).
const maxTrailer = 16 << 10

// bodyStream is a response body read from the upstream as the caller asks for
// it: a known length, chunked, or up to the connection's end. Its Close hands
// the connection back to the pool if the body was read to its end.
type bodyStream struct {
	r          *bufio.Reader
	chunked    io.Reader // decodes r when the body is chunked
	left       int       // bytes still to read when the length is known
	toClose    bool      // the body runs to the connection's end
	c          *conn
	requestURI string // for error messages

	done, failed bool
	release      func(reuse bool) // nil once closed
}

// newBodyStream returns the stream for a body with the given fasthttp
// content length: >= 0 known, -1 chunked, -2 up to the connection's end.
func newBodyStream(r *bufio.Reader, c *conn, length int, requestURI string) *bodyStream {
	s := &bodyStream{r: r, c: c, left: length, requestURI: requestURI}
	switch length {
	case -1:
		s.chunked = httputil.NewChunkedReader(r)
	case -2:
		s.toClose = true
	}
	return s
}

// Read reads the body. A failure to read it from the upstream is an *Error;
// reading again after a failure or after Close is an error too.
func (s *bodyStream) Read(p []byte) (int, error) {
	if s.done {
		return 0, io.EOF
	}
	if s.failed || s.release == nil {
		return 0, errors.New("read from a failed or closed upstream body stream")
	}
	n, err := s.read(p)
	switch {
	case err == io.EOF:
		s.done = true
	case err != nil:
		s.failed = true
		err = newError(readingBody, s.c.cause(err), s.c.peer, s.requestURI)
	}
	return n, err
}

// read reads the body according to its framing.
func (s *bodyStream) read(p []byte) (int, error) {
	switch {
	case s.chunked != nil:
		n, err := s.chunked.Read(p)
		if err == io.EOF {
			if err := skipTrailer(s.r); err != nil {
				return n, err
			}
			return n, io.EOF
		}
		return n, err
	case s.toClose:
		return s.r.Read(p)
	}
	if s.left == 0 {
		return 0, io.EOF
	}
	if len(p) > s.left {
		p = p[:s.left]
	}
	n, err := s.r.Read(p)
	s.left -= n
	switch {
	case s.left == 0:
		return n, io.EOF
	case err == io.EOF:
		return n, io.ErrUnexpectedEOF
	}
	return n, err
}

// skipTrailer reads the trailer section and the empty line that ends a
// chunked body.
func skipTrailer(r *bufio.Reader) error {
	for total := 0; ; {
		line, err := r.ReadSlice('\n')
		if err != nil {
			if err == io.EOF {
				err = io.ErrUnexpectedEOF
			}
			return err
		}
		if len(line) <= 2 && (len(line) == 1 || line[0] == '\r') {
			return nil
		}
		if total += len(line); total > maxTrailer {
			return errors.New("chunked response trailer too large")
		}
	}
}

// Close releases the connection: back to the pool if the body was read to its
// end and the connection can be reused, closed otherwise. It is idempotent.
func (s *bodyStream) Close() error {
	if s.release != nil {
		s.release(s.done && !s.failed && !s.toClose)
		s.release = nil
	}
	return nil
}
