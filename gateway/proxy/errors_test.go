package proxy

import (
	"errors"
	"fmt"
	"io"
	"net"
	"os"
	"syscall"
	"testing"

	"github.com/valyala/fasthttp"
)

func TestNewError(t *testing.T) {
	const tail = `, upstream: "http://10.0.0.1:80/p?q"`
	tests := []struct {
		name       string
		step       step
		cause      error
		wantStatus int
		wantMsg    string
	}{
		{
			name: "refused", step: connecting, wantStatus: 502,
			cause:   &net.OpError{Op: "dial", Net: "tcp", Err: os.NewSyscallError("connect", syscall.ECONNREFUSED)},
			wantMsg: "connect() failed (111: Connection refused) while connecting to upstream",
		},
		{
			name: "connect timeout", step: connecting, wantStatus: 504,
			cause:   &net.OpError{Op: "dial", Net: "tcp", Err: os.ErrDeadlineExceeded},
			wantMsg: "upstream timed out (110: Connection timed out) while connecting to upstream",
		},
		{
			name: "resolver failure", step: connecting, wantStatus: 502,
			cause:   &net.DNSError{Err: "no such host", Name: "nx.invalid", IsNotFound: true},
			wantMsg: "connect() failed (lookup nx.invalid: no such host) while connecting to upstream",
		},
		{
			name: "broken pipe", step: sending, wantStatus: 502,
			cause:   &net.OpError{Op: "write", Err: os.NewSyscallError("write", syscall.EPIPE)},
			wantMsg: "writev() failed (32: Broken pipe) while sending request to upstream",
		},
		{
			name: "send timeout", step: sending, wantStatus: 504, cause: fasthttp.ErrTimeout,
			wantMsg: "upstream timed out (110: Connection timed out) while sending request to upstream",
		},
		{
			name: "reset", step: readingHeader, wantStatus: 502,
			cause:   &net.OpError{Op: "read", Err: os.NewSyscallError("read", syscall.ECONNRESET)},
			wantMsg: "recv() failed (104: Connection reset by peer) while reading response header from upstream",
		},
		{
			name: "header too big", step: readingHeader, wantStatus: 502,
			cause:   &fasthttp.ErrSmallBuffer{},
			wantMsg: "upstream sent too big header while reading response header from upstream",
		},
		{
			name: "cut short", step: readingBody, wantStatus: 502, cause: io.ErrUnexpectedEOF,
			wantMsg: "upstream prematurely closed connection while reading upstream",
		},
		{
			name: "bad chunk", step: readingBody, wantStatus: 502, cause: errors.New("malformed chunked encoding"),
			wantMsg: "upstream sent invalid response (malformed chunked encoding) while reading upstream",
		},
		{
			name: "client went away", step: sending, wantStatus: 499,
			cause:   fmt.Errorf("%w: %w", errClientBody, os.ErrDeadlineExceeded),
			wantMsg: "client prematurely closed connection while sending request to upstream",
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			err := newError(tt.step, tt.cause, "10.0.0.1:80", "/p?q")
			if err.Status != tt.wantStatus || err.Error() != tt.wantMsg+tail {
				t.Errorf("newError = %d %q,\nwant       %d %q", err.Status, err.Error(), tt.wantStatus, tt.wantMsg+tail)
			}
			if !errors.Is(err, tt.cause) {
				t.Errorf("newError(%v) does not wrap its cause", tt.cause)
			}
		})
	}
}
