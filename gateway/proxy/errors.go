package proxy

import (
	"errors"
	"fmt"
	"io"
	"net/http"
	"syscall"

	"github.com/valyala/fasthttp"
)

// Error is a failed upstream exchange: the status the client should get
// (502, or 504 for a timeout) and nginx's error log text, for example
//
//	connect() failed (111: Connection refused) while connecting to upstream, upstream: "http://127.0.0.1:9/x"
//	upstream timed out (110: Connection timed out) while reading response header from upstream, upstream: "http://127.0.0.1:8080/x"
//
// Errors returned by a streamed response body's Read are *Error too, with the
// step "while reading upstream" (their Status no longer matters: the headers
// have gone to the client). A failure to read the client's streamed request
// body has Status 499, nginx's code for a client that went away.
type Error struct {
	Status int
	Msg    string
	err    error
}

// Error returns Msg.
func (e *Error) Error() string { return e.Msg }

// Unwrap returns the underlying cause, for errors.Is and errors.As.
func (e *Error) Unwrap() error { return e.err }

// step is where an exchange failed, named as nginx's error log names it.
type step uint8

const (
	connecting step = iota
	sending
	readingHeader
	readingBody
)

// String is nginx's phrase for s, as in "... while reading upstream".
func (s step) String() string {
	switch s {
	case connecting:
		return "connecting to upstream"
	case sending:
		return "sending request to upstream"
	case readingHeader:
		return "reading response header from upstream"
	default:
		return "reading upstream"
	}
}

// call is the system call nginx names when s fails with an errno.
func (s step) call() string {
	switch s {
	case connecting:
		return "connect()"
	case sending:
		return "writev()"
	default:
		return "recv()"
	}
}

// errClientBody marks a failure to read the client's request body stream.
var errClientBody = errors.New("client prematurely closed connection")

// errUpgrade is an upstream switching protocols, which nobody asked it to.
var errUpgrade = errors.New("upstream sent unexpected 101 Switching Protocols")

// newError describes cause, the failure of step s of an exchange with the
// upstream peer (ip:port or host:port) for requestURI.
func newError(s step, cause error, peer, requestURI string) *Error {
	status := http.StatusBadGateway
	var (
		what  string
		errno syscall.Errno
		small *fasthttp.ErrSmallBuffer
	)
	switch {
	case errors.Is(cause, errClientBody):
		status, what = 499, errClientBody.Error()
	case isTimeout(cause):
		status, what = http.StatusGatewayTimeout, "upstream timed out (110: Connection timed out)"
	case errors.As(cause, &errno):
		what = fmt.Sprintf("%s failed (%d: %s)", s.call(), int(errno), capitalize(errno.Error()))
	case errors.Is(cause, io.EOF), errors.Is(cause, io.ErrUnexpectedEOF),
		errors.Is(cause, fasthttp.ErrConnectionClosed):
		what = "upstream prematurely closed connection"
	case errors.As(cause, &small):
		what = "upstream sent too big header"
	case s == connecting || s == sending:
		what = fmt.Sprintf("%s failed (%v)", s.call(), cause)
	default:
		what = fmt.Sprintf("upstream sent invalid response (%v)", cause)
	}
	return &Error{
		Status: status,
		Msg:    fmt.Sprintf("%s while %s, upstream: %q", what, s, "http://"+peer+requestURI),
		err:    cause,
	}
}

// isTimeout reports whether err is a deadline or timeout error.
func isTimeout(err error) bool {
	var t interface{ Timeout() bool }
	return errors.As(err, &t) && t.Timeout()
}

// capitalize upper-cases the first byte of an ASCII message, turning Go's
// errno texts into strerror's ("connection refused" -> "Connection refused").
func capitalize(s string) string {
	if s == "" || s[0] < 'a' || s[0] > 'z' {
		return s
	}
	return string(s[0]-'a'+'A') + s[1:]
}
