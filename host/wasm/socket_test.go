package wasm

import (
	"bufio"
	"crypto/x509"
	"encoding/binary"
	"io"
	"log"
	"math"
	"net"
	"net/http"
	"net/http/httptest"
	"path/filepath"
	"testing"
	"time"

	"github.com/moongate/moongate/abi"
	"github.com/moongate/moongate/host"
)

// lineEcho starts a server on l that sends back each line it reads, and
// closes the connection on the line "close".
func lineEcho(t *testing.T, l net.Listener) {
	t.Cleanup(func() { l.Close() })
	go func() {
		for {
			c, err := l.Accept()
			if err != nil {
				return
			}
			go func() {
				defer c.Close()
				br := bufio.NewReader(c)
				for {
					line, err := br.ReadString('\n')
					if err != nil || line == "close\n" {
						return
					}
					if _, err := c.Write([]byte(line)); err != nil {
						return
					}
				}
			}()
		}
	}()
}

// listen listens on network and address, or fails the test.
func listen(t *testing.T, network, address string) net.Listener {
	t.Helper()
	l, err := net.Listen(network, address)
	if err != nil {
		t.Fatal(err)
	}
	return l
}

func TestSocketFunctions(t *testing.T) {
	rt, _ := newTestRuntime(t, Options{})
	m := load(t, rt, writeModule(t, guestModule()), Limits{})
	in := borrow(t, m)

	echo := listen(t, "tcp", "127.0.0.1:0")
	lineEcho(t, echo)
	port := int32(echo.Addr().(*net.TCPAddr).Port)
	sockPath := filepath.Join(t.TempDir(), "echo.sock")
	lineEcho(t, listen(t, "unix", sockPath))
	closed := listen(t, "tcp", "127.0.0.1:0")
	closedPort := int32(closed.Addr().(*net.TCPAddr).Port)
	closed.Close()
	tlsSrv := httptest.NewUnstartedServer(http.NotFoundHandler())
	tlsSrv.Config.ErrorLog = log.New(io.Discard, "", 0)
	tlsSrv.StartTLS()
	t.Cleanup(tlsSrv.Close)
	tlsPort := int32(tlsSrv.Listener.Addr().(*net.TCPAddr).Port)
	roots := x509.NewCertPool()
	roots.AddCert(tlsSrv.Certificate())

	pool := host.NewConnPool()
	t.Cleanup(pool.Close)
	var opts host.SocketOptions
	bind := func(r *host.Request) {
		opts = host.SocketOptions{ReadTimeout: 5 * time.Second}
		r.Sockets, r.SocketOptions = pool, &opts
	}

	// connectTo connects socket 0 of the case's call to port, with the
	// connection closed at the case's end.
	connectTo := func(port int32) func(h *harness) {
		return func(h *harness) {
			if n := h.status("tcp_connect", "127.0.0.1", port, ""); n != 0 {
				h.t.Fatalf("tcp_connect = %d (%s)", n, h.in.lastErr)
			}
			h.t.Cleanup(h.in.state.socks[0].sock.Abort)
		}
	}
	connect := connectTo(port)
	// sent connects and sends data.
	sent := func(data string) func(h *harness) {
		return func(h *harness) {
			connect(h)
			if n := h.status("tcp_send", int32(0), data); n != int32(len(data)) {
				h.t.Fatalf("tcp_send = %d (%s)", n, h.in.lastErr)
			}
		}
	}
	// thenCall makes a setup run setup, then fn with args, which must
	// return want.
	thenCall := func(setup func(h *harness), want int32, fn string, args ...any) func(h *harness) {
		return func(h *harness) {
			setup(h)
			if n := h.status(fn, args...); n != want {
				h.t.Fatalf("%s = %d, want %d (%s)", fn, n, want, h.in.lastErr)
			}
		}
	}
	shortRead := func(h *harness) { h.r.SocketOptions.ReadTimeout = 20 * time.Millisecond }
	// received checks what tcp_received gives.
	received := func(want string) func(t *testing.T, h *harness) {
		return func(t *testing.T, h *harness) {
			t.Helper()
			if n := h.status("tcp_received", int32(0), buf(64)); n < 0 || h.out(n) != want {
				t.Errorf("tcp_received = %d %q, want %q", n, h.out(max(n, 0)), want)
			}
		}
	}
	s0 := int32(0)
	tests := []hostCase{
		// sleep.
		{name: "sleep", fn: "sleep", args: []any{0.001}, want: 0},
		{name: "sleep 0", fn: "sleep", args: []any{0.0}, want: 0},
		{name: "sleep negative", fn: "sleep", args: []any{-1.0}, want: -3, lastErr: `invalid sleep duration "-1"`},
		{name: "sleep NaN", fn: "sleep", args: []any{math.NaN()}, want: -3, lastErr: `invalid sleep duration "NaN"`},
		{name: "sleep in header_filter", phase: abi.PhaseHeaderFilter, fn: "sleep", args: []any{0.0}, want: -1,
			lastErr: "API disabled in the context of header_filter_by_lua*"},
		{name: "sleep in log", phase: abi.PhaseLog, fn: "sleep", args: []any{0.0}, want: -1},

		// connect.
		{name: "connect", fn: "tcp_connect", args: []any{"127.0.0.1", port, ""}, want: 0,
			check: func(t *testing.T, h *harness) { h.in.state.closeSockets() }},
		{name: "connect host:port", fn: "tcp_connect", args: []any{"127.0.0.1:" + sprintf("%d", port), closedPort, ""}, want: 0,
			check: func(t *testing.T, h *harness) { h.in.state.closeSockets() }},
		{name: "connect unix", fn: "tcp_connect", args: []any{"unix:" + sockPath, abi.NoPort, ""}, want: 0,
			check: func(t *testing.T, h *harness) {
				defer h.in.state.closeSockets()
				if n := h.status("tcp_send", s0, "over unix\n"); n != 10 {
					t.Fatalf("tcp_send = %d", n)
				}
				if n := h.status("tcp_receive", s0, abi.ReceiveLine, buf(64)); h.out(max(n, 0)) != "over unix" {
					t.Errorf("tcp_receive = %d %q (%s)", n, h.out(max(n, 0)), h.in.lastErr)
				}
			}},
		{name: "second handle", setup: connect, fn: "tcp_connect", args: []any{"127.0.0.1", port, ""}, want: 1,
			check: func(t *testing.T, h *harness) { h.in.state.closeSockets() }},
		{name: "connect refused", fn: "tcp_connect", args: []any{"127.0.0.1", closedPort, ""}, want: -4, lastErr: "connection refused"},
		{name: "connect without port", fn: "tcp_connect", args: []any{"127.0.0.1", abi.NoPort, ""}, want: -4,
			lastErr: "missing the port number"},
		{name: "connect bad port", fn: "tcp_connect", args: []any{"127.0.0.1", int32(70000), ""}, want: -4, lastErr: "bad port number: 70000"},
		{name: "connect unresolvable", fn: "tcp_connect", args: []any{"no-such-host.invalid", port, ""}, want: -4,
			lastErr: "no-such-host.invalid could not be resolved (3: Host not found)"},
		{name: "connect host outside memory", fn: "tcp_connect", args: []any{raw{70000, 9}, port, ""}, want: -3},
		{name: "connect in log", phase: abi.PhaseLog, fn: "tcp_connect", args: []any{"127.0.0.1", port, ""}, want: -1,
			lastErr: "API disabled in the context of log_by_lua*"},
		{name: "connect without a pool", setup: func(h *harness) { h.r.Sockets = nil }, fn: "tcp_connect",
			args: []any{"127.0.0.1", port, ""}, want: -4, lastErr: "cosockets are not available in this context"},
		{name: "bad handle", fn: "tcp_send", args: []any{int32(0), "x"}, want: -3, lastErr: "bad socket handle 0"},
		{name: "negative handle", setup: connect, fn: "tcp_close", args: []any{int32(-1)}, want: -3, lastErr: "bad socket handle -1"},

		// send and receive.
		{name: "send", setup: connect, fn: "tcp_send", args: []any{s0, "hello\n"}, want: 6},
		{name: "send empty", setup: connect, fn: "tcp_send", args: []any{s0, ""}, want: 0},
		{name: "send closed", setup: thenCall(connect, 0, "tcp_close", s0), fn: "tcp_send", args: []any{s0, "x"},
			want: -4, lastErr: "closed"},
		{name: "receive line", setup: sent("one\r\ntwo\n"), fn: "tcp_receive", args: []any{s0, abi.ReceiveLine, buf(64)},
			want: 3, out: "one"},
		{name: "receive second line", setup: thenCall(sent("one\r\ntwo\n"), 3, "tcp_receive", s0, abi.ReceiveLine, buf(64)),
			fn: "tcp_receive", args: []any{s0, abi.ReceiveLine, buf(64)}, want: 3, out: "two"},
		{name: "receive bytes", setup: sent("abcdef\n"), fn: "tcp_receive", args: []any{s0, int32(4), buf(64)}, want: 4, out: "abcd"},
		{name: "receive 0 bytes", setup: sent("abc\n"), fn: "tcp_receive", args: []any{s0, int32(0), buf(64)}, want: 0},
		{name: "receive all", setup: sent("abc\nclose\n"), fn: "tcp_receive", args: []any{s0, abi.ReceiveAll, buf(64)},
			want: 4, out: "abc\n"},
		{name: "receive too small keeps the data", setup: sent("0123456789\n"), fn: "tcp_receive",
			args: []any{s0, abi.ReceiveLine, buf(4)}, want: 10, check: received("0123456789")},
		{name: "receive length only", setup: sent("0123456789\n"), fn: "tcp_receive",
			args: []any{s0, abi.ReceiveLine, raw{0, 0}}, want: 10, check: received("0123456789")},
		{name: "receive timeout keeps the partial data", setup: thenCall(sent("abc\n"), 0, "tcp_settimeouts", s0, int32(0), int32(0), int32(20)),
			fn: "tcp_receive", args: []any{s0, int32(10), buf(64)}, want: -4, lastErr: "timeout", check: received("abc\n")},
		{name: "receive config timeout", setup: func(h *harness) { shortRead(h); sent("ab")(h) }, fn: "tcp_receive",
			args: []any{s0, abi.ReceiveLine, buf(64)}, want: -4, lastErr: "timeout"},
		{name: "receive closed keeps the partial data", setup: sent("abc\nclose\n"), fn: "tcp_receive",
			args: []any{s0, int32(10), buf(64)}, want: -4, lastErr: "closed", check: received("abc\n")},
		{name: "receive bad pattern", setup: connect, fn: "tcp_receive", args: []any{s0, int32(-3), buf(64)}, want: -3,
			lastErr: "bad pattern argument: -3"},
		{name: "receive buffer outside memory", setup: sent("abc\n"), fn: "tcp_receive",
			args: []any{s0, abi.ReceiveLine, raw{65530, 64}}, want: -3,
			check: func(t *testing.T, h *harness) { // nothing was read
				if n := h.status("tcp_receive", s0, abi.ReceiveLine, buf(64)); h.out(max(n, 0)) != "abc" {
					t.Errorf("tcp_receive = %d %q", n, h.out(max(n, 0)))
				}
			}},
		{name: "receiveany", setup: sent("hello\n"), fn: "tcp_receiveany", args: []any{s0, int32(3), buf(64)}, want: 3, out: "hel"},
		{name: "receiveany bad max", setup: connect, fn: "tcp_receiveany", args: []any{s0, int32(0), buf(64)}, want: -3,
			lastErr: "bad max argument"},
		{name: "received nothing", setup: connect, fn: "tcp_received", args: []any{s0, buf(64)}, want: 0},
		{name: "received after a success", setup: thenCall(sent("ab\n"), 2, "tcp_receive", s0, abi.ReceiveLine, buf(64)),
			fn: "tcp_received", args: []any{s0, buf(64)}, want: 0},

		// Timeouts, the pool, close.
		{name: "settimeouts", setup: connect, fn: "tcp_settimeouts", args: []any{s0, int32(100), int32(100), int32(100)}, want: 0},
		{name: "settimeouts negative", setup: connect, fn: "tcp_settimeouts", args: []any{s0, int32(0), int32(-1), int32(0)},
			want: -3, lastErr: "bad timeout value"},
		{name: "getreusedtimes", setup: connect, fn: "tcp_getreusedtimes", args: []any{s0}, want: 0},
		{name: "setkeepalive", setup: connect, fn: "tcp_setkeepalive", args: []any{s0, int32(-1), int32(0)}, want: 0,
			check: func(t *testing.T, h *harness) {
				if n := h.status("tcp_getreusedtimes", s0); n != -4 || h.in.lastErr != "closed" {
					t.Errorf("getreusedtimes after setkeepalive = %d (%s)", n, h.in.lastErr)
				}
				if n := h.status("tcp_connect", "127.0.0.1", port, ""); n != 1 {
					t.Fatalf("tcp_connect = %d (%s)", n, h.in.lastErr)
				}
				defer h.in.state.closeSockets()
				if n := h.status("tcp_getreusedtimes", int32(1)); n != 1 {
					t.Errorf("getreusedtimes of the pooled connection = %d (%s)", n, h.in.lastErr)
				}
			}},
		{name: "setkeepalive named pool", setup: connect, fn: "tcp_setkeepalive", args: []any{s0, int32(0), int32(5)}, want: 0,
			check: func(t *testing.T, h *harness) {
				if n := pool.Idle("127.0.0.1:" + sprintf("%d", port)); n != 1 {
					t.Errorf("%d idle connections in the pool, want 1", n)
				}
				h.status("tcp_connect", "127.0.0.1", port, "") // takes it back out
				h.in.state.closeSockets()
			}},
		{name: "setkeepalive unread data", setup: func(h *harness) {
			sent("abc\n")(h)
			h.status("tcp_receive", s0, int32(1), buf(64)) // the rest is buffered
		}, fn: "tcp_setkeepalive", args: []any{s0, int32(-1), int32(0)}, want: -4, lastErr: "unread data in buffer"},
		{name: "close", setup: connect, fn: "tcp_close", args: []any{s0}, want: 0},
		{name: "close twice", setup: thenCall(connect, 0, "tcp_close", s0), fn: "tcp_close", args: []any{s0}, want: -4, lastErr: "closed"},

		// TLS.
		{name: "sslhandshake without verify", setup: connectTo(tlsPort), fn: "tcp_sslhandshake", args: []any{s0, "", int32(0)}, want: 0},
		{name: "sslhandshake untrusted", setup: connectTo(tlsPort), fn: "tcp_sslhandshake", args: []any{s0, "example.com", int32(1)},
			want: -4, lastErr: "18: self-signed certificate"},
		{name: "sslhandshake trusted", setup: func(h *harness) { h.r.SocketOptions.RootCAs = roots; connectTo(tlsPort)(h) },
			fn: "tcp_sslhandshake", args: []any{s0, "example.com", int32(1)}, want: 0,
			check: func(t *testing.T, h *harness) {
				req := "GET / HTTP/1.0\r\n\r\n"
				if n := h.status("tcp_send", s0, req); n != int32(len(req)) {
					t.Fatalf("tcp_send = %d (%s)", n, h.in.lastErr)
				}
				if n := h.status("tcp_receive", s0, abi.ReceiveLine, buf(64)); h.out(max(n, 0)) != "HTTP/1.0 404 Not Found" {
					t.Errorf("tcp_receive = %d %q (%s)", n, h.out(max(n, 0)), h.in.lastErr)
				}
			}},
		{name: "sslhandshake wrong name", setup: func(h *harness) { h.r.SocketOptions.RootCAs = roots; connectTo(tlsPort)(h) },
			fn: "tcp_sslhandshake", args: []any{s0, "other.test", int32(1)}, want: -4, lastErr: "certificate host mismatch"},
	}
	runHostCases(t, in, tests, bind)
}

// TestCallClosesSockets checks that the sockets of an export call are
// closed when it returns, and that its time limit does not count the time
// it waits.
func TestCallClosesSockets(t *testing.T) {
	l := listen(t, "tcp", "127.0.0.1:0")
	t.Cleanup(func() { l.Close() })
	conns := make(chan net.Conn, 1)
	go func() {
		for {
			c, err := l.Accept()
			if err != nil {
				return
			}
			conns <- c
		}
	}()
	const hostOff = 16
	f64 := func(v float64) []byte { return binary.LittleEndian.AppendUint64([]byte{0x44}, math.Float64bits(v)) }
	body := append(f64(0.1), 0x10, 0, 0x1a) // sleep(0.1); drop
	for _, v := range []int32{hostOff, 9, int32(l.Addr().(*net.TCPAddr).Port), 0, 0} {
		body = append(body, i32Const(v)...)
	}
	body = append(body, 0x10, 1) // return tcp_connect("127.0.0.1", port, "")
	rt, _ := newTestRuntime(t, Options{})
	m := load(t, rt, writeModule(t, guestModule(importFunc("sleep"), importFunc("tcp_connect"),
		phaseFunc("on_content", body...))), Limits{Timeout: 20 * time.Millisecond, Pool: 1}, abi.PhaseContent)
	in, err := m.take()
	if err != nil {
		t.Fatal(err)
	}
	in.mod.Memory().WriteString(hostOff, "127.0.0.1")
	m.release(nil, in)

	pool := host.NewConnPool()
	t.Cleanup(pool.Close)
	for _, name := range []string{"first call", "second call"} {
		t.Run(name, func(t *testing.T) {
			r := newRequest(t, testRequest{}, abi.PhaseContent)
			defer r.Release()
			r.Sockets, r.SocketOptions = pool, &host.SocketOptions{}
			if action, err := m.Run(r, abi.PhaseContent, nil); err != nil || action != 0 {
				t.Fatalf("Run = %d, %v; want handle 0", action, err)
			}
			c := <-conns
			defer c.Close()
			c.SetReadDeadline(time.Now().Add(5 * time.Second)) // a bound, should the test fail
			if n, err := c.Read(make([]byte, 1)); n != 0 || err == nil || isTimeout(err) {
				t.Errorf("the server read %d bytes, %v; want EOF: the call's socket was left open", n, err)
			}
		})
	}
}

// isTimeout reports whether err is a deadline error.
func isTimeout(err error) bool {
	ne, ok := err.(net.Error)
	return ok && ne.Timeout()
}
