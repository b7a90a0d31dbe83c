package wasm

import (
	"net"
	"path/filepath"
	"testing"
	"time"

	"github.com/moongate/moongate/abi"
	"github.com/moongate/moongate/host"
)

// echoFixture starts the line echo servers of the socket tests, on
// 127.0.0.1 and on a unix socket, and returns an instance, the servers'
// port and path, and the bind that gives a request a pool and a 5 s read
// timeout.
func echoFixture(t *testing.T) (in *instance, port int32, sockPath string, bind func(r *host.Request)) {
	t.Helper()
	rt, _ := newTestRuntime(t, Options{})
	in = borrow(t, load(t, rt, writeModule(t, guestModule()), Limits{}))
	l := listen(t, "tcp", "127.0.0.1:0")
	lineEcho(t, l)
	sockPath = filepath.Join(t.TempDir(), "echo.sock")
	lineEcho(t, listen(t, "unix", sockPath))
	pool := host.NewConnPool()
	t.Cleanup(pool.Close)
	bind = func(r *host.Request) {
		r.Sockets, r.SocketOptions = pool, &host.SocketOptions{ReadTimeout: 5 * time.Second}
	}
	return in, int32(l.Addr().(*net.TCPAddr).Port), sockPath, bind
}

// step is one host call of a case's setup and the status it must return.
type step struct {
	fn   string
	args []any
	want int32
}

// calls makes a case's setup: each step in turn. The sockets it connects
// are closed at the case's end.
func calls(steps ...step) func(h *harness) {
	return func(h *harness) {
		h.t.Helper()
		for _, s := range steps {
			if n := h.status(s.fn, s.args...); n != s.want {
				h.t.Fatalf("%s = %d, want %d (%s)", s.fn, n, s.want, h.in.lastErr)
			}
		}
		for _, s := range h.in.state.socks {
			h.t.Cleanup(s.sock.Abort)
		}
	}
}

// untilEnd stands for the end of a sized read (ERR_NOT_FOUND) in reads'
// wants.
const untilEnd = "<end>"

// reads checks a case's further tcp_until_read calls on iterator it: each
// want is a part, or untilEnd.
func reads(it, size int32, wants ...string) func(t *testing.T, h *harness) {
	return func(t *testing.T, h *harness) {
		t.Helper()
		for i, want := range wants {
			n := h.status("tcp_until_read", it, size, buf(64))
			switch {
			case want == untilEnd && n != int32(abi.ErrNotFound):
				t.Errorf("read %d = %d %q, want the end (-2)", i, n, h.out(max(n, 0)))
			case want != untilEnd && (n < 0 || h.out(n) != want):
				t.Errorf("read %d = %d %q (%s), want %q", i, n, h.out(max(n, 0)), h.in.lastErr, want)
			}
		}
	}
}

func TestReceiveUntil(t *testing.T) {
	in, port, _, bind := echoFixture(t)
	s0, it0 := int32(0), int32(0)
	connect := step{"tcp_connect", []any{"127.0.0.1", port, ""}, 0}
	send := func(data string) step { return step{"tcp_send", []any{s0, data}, int32(len(data))} }
	until := func(pattern string, inclusive int32) step {
		return step{"tcp_receiveuntil", []any{s0, pattern, inclusive}, it0}
	}
	shortRead := step{"tcp_settimeouts", []any{s0, int32(0), int32(0), int32(20)}, 0}
	// received checks what tcp_received gives for socket 0.
	received := func(want string) func(t *testing.T, h *harness) {
		return func(t *testing.T, h *harness) {
			t.Helper()
			if n := h.status("tcp_received", s0, buf(64)); n < 0 || h.out(n) != want {
				t.Errorf("tcp_received = %d %q, want %q", n, h.out(max(n, 0)), want)
			}
		}
	}
	tests := []hostCase{
		// tcp_receiveuntil.
		{name: "iterator", setup: calls(connect), fn: "tcp_receiveuntil", args: []any{s0, "--", int32(0)}, want: 0},
		{name: "second iterator", setup: calls(connect, until("--", 0)), fn: "tcp_receiveuntil",
			args: []any{s0, "\r\n", int32(1)}, want: 1},
		{name: "empty pattern", setup: calls(connect), fn: "tcp_receiveuntil", args: []any{s0, "", int32(0)},
			want: -4, lastErr: "pattern is empty"},
		{name: "bad socket", fn: "tcp_receiveuntil", args: []any{s0, "--", int32(0)}, want: -3, lastErr: "bad socket handle 0"},
		{name: "pattern outside memory", setup: calls(connect), fn: "tcp_receiveuntil", args: []any{s0, raw{70000, 2}, int32(0)},
			want: -3},
		{name: "receiveuntil in log", phase: abi.PhaseLog, fn: "tcp_receiveuntil", args: []any{s0, "--", int32(0)},
			want: -1, lastErr: "API disabled in the context of log_by_lua*"},

		// tcp_until_read up to the pattern.
		{name: "read", setup: calls(connect, send("abc--def--\n"), until("--", 0)), fn: "tcp_until_read",
			args: []any{it0, int32(0), buf(64)}, want: 3, out: "abc", check: reads(it0, 0, "def")},
		{name: "read inclusive", setup: calls(connect, send("abc--def--\n"), until("--", 1)), fn: "tcp_until_read",
			args: []any{it0, int32(0), buf(64)}, want: 5, out: "abc--", check: reads(it0, 0, "def--")},
		{name: "read a false start", setup: calls(connect, send("a-b---c--\n"), until("--", 0)), fn: "tcp_until_read",
			args: []any{it0, int32(0), buf(64)}, want: 3, out: "a-b", check: reads(it0, 0, "-c")},
		{name: "read empty part", setup: calls(connect, send("--x--\n"), until("--", 0)), fn: "tcp_until_read",
			args: []any{it0, int32(0), buf(64)}, want: 0, check: reads(it0, 0, "x")},
		{name: "read negative size", setup: calls(connect, send("abc--\n"), until("--", 0)), fn: "tcp_until_read",
			args: []any{it0, int32(-5), buf(64)}, want: 3, out: "abc"},
		{name: "two iterators share the stream", setup: calls(connect, send("a;b,c;\n"), until(";", 0),
			step{"tcp_receiveuntil", []any{s0, ",", int32(0)}, 1}), fn: "tcp_until_read",
			args: []any{it0, int32(0), buf(64)}, want: 1, out: "a", check: reads(1, 0, "b")},

		// Sized reads: parts, then the end, then on to the next pattern.
		{name: "sized read", setup: calls(connect, send("abcde--xy--\n"), until("--", 0)), fn: "tcp_until_read",
			args: []any{it0, int32(2), buf(64)}, want: 2, out: "ab", check: reads(it0, 2, "cd", "e", untilEnd, "xy", "", untilEnd)},
		{name: "sized read inclusive", setup: calls(connect, send("abc--\n"), until("--", 1)), fn: "tcp_until_read",
			args: []any{it0, int32(2), buf(64)}, want: 2, out: "ab", check: reads(it0, 2, "c--", untilEnd)},
		{name: "sized read end", setup: calls(connect, send("ab--\n"), until("--", 0),
			step{"tcp_until_read", []any{it0, int32(8), buf(64)}, 2}), fn: "tcp_until_read",
			args: []any{it0, int32(8), buf(64)}, want: -2, lastErr: "the pattern was reached", check: received("")},

		// The buffer protocol and partial data, as tcp_receive's.
		{name: "buffer too small keeps the part", setup: calls(connect, send("0123456789--\n"), until("--", 0)),
			fn: "tcp_until_read", args: []any{it0, int32(0), buf(4)}, want: 10, check: received("0123456789")},
		{name: "length only", setup: calls(connect, send("0123456789--\n"), until("--", 0)),
			fn: "tcp_until_read", args: []any{it0, int32(0), raw{0, 0}}, want: 10, check: received("0123456789")},
		{name: "timeout keeps the partial data", setup: calls(connect, shortRead, send("abc-\n"), until("--", 0)),
			fn: "tcp_until_read", args: []any{it0, int32(0), buf(64)}, want: -4, lastErr: "timeout", check: received("abc-\n")},
		{name: "closed keeps the partial data", setup: calls(connect, send("abc\nclose\n"), until("--", 0)),
			fn: "tcp_until_read", args: []any{it0, int32(0), buf(64)}, want: -4, lastErr: "closed", check: received("abc\n")},
		{name: "a read replaces the held data", setup: calls(connect, send("0123456789--ab--\n"), until("--", 0),
			step{"tcp_until_read", []any{it0, int32(0), buf(4)}, 10}), fn: "tcp_until_read",
			args: []any{it0, int32(0), buf(64)}, want: 2, out: "ab", check: received("")},
		{name: "buffer outside memory", setup: calls(connect, send("abc--\n"), until("--", 0)), fn: "tcp_until_read",
			args: []any{it0, int32(0), raw{65530, 64}}, want: -3, check: reads(it0, 0, "abc")}, // nothing was read

		// Handles, phases, a closed socket.
		{name: "bad iterator", setup: calls(connect), fn: "tcp_until_read", args: []any{it0, int32(0), buf(64)},
			want: -3, lastErr: "bad iterator handle 0"},
		{name: "negative iterator", setup: calls(connect, until("--", 0)), fn: "tcp_until_read",
			args: []any{int32(-1), int32(0), buf(64)}, want: -3, lastErr: "bad iterator handle -1"},
		{name: "read in header_filter", phase: abi.PhaseHeaderFilter, fn: "tcp_until_read", args: []any{it0, int32(0), buf(64)},
			want: -1, lastErr: "API disabled in the context of header_filter_by_lua*"},
		{name: "read after close", setup: calls(connect, until("--", 0), step{"tcp_close", []any{s0}, 0}),
			fn: "tcp_until_read", args: []any{it0, int32(0), buf(64)}, want: -4, lastErr: "closed"},
		{name: "iterators end with the call", setup: calls(connect, send("end--\n"), until("--", 0)), fn: "tcp_until_read",
			args: []any{it0, int32(0), buf(64)}, want: 3, out: "end",
			check: func(t *testing.T, h *harness) {
				h.in.state.closeSockets()
				if n := h.status("tcp_until_read", it0, int32(0), buf(64)); n != -3 {
					t.Errorf("tcp_until_read after the call = %d, want -3", n)
				}
			}},
	}
	runHostCases(t, in, tests, bind)
}

func TestSetOption(t *testing.T) {
	in, port, sockPath, bind := echoFixture(t)
	s0 := int32(0)
	connect := step{"tcp_connect", []any{"127.0.0.1", port, ""}, 0}
	connectUnix := step{"tcp_connect", []any{"unix:" + sockPath, abi.NoPort, ""}, 0}
	tests := []hostCase{
		{name: "keepalive", setup: calls(connect), fn: "tcp_setoption", args: []any{s0, "keepalive", int32(1)}, want: 0},
		{name: "keepalive off", setup: calls(connect), fn: "tcp_setoption", args: []any{s0, "keepalive", int32(0)}, want: 0},
		{name: "reuseaddr", setup: calls(connect), fn: "tcp_setoption", args: []any{s0, "reuseaddr", int32(1)}, want: 0},
		{name: "tcp-nodelay", setup: calls(connect), fn: "tcp_setoption", args: []any{s0, "tcp-nodelay", int32(1)}, want: 0},
		{name: "sndbuf", setup: calls(connect), fn: "tcp_setoption", args: []any{s0, "sndbuf", int32(65536)}, want: 0},
		{name: "rcvbuf", setup: calls(connect), fn: "tcp_setoption", args: []any{s0, "rcvbuf", int32(65536)}, want: 0},
		{name: "rcvbuf over unix", setup: calls(connectUnix), fn: "tcp_setoption", args: []any{s0, "rcvbuf", int32(65536)}, want: 0},
		{name: "keepalive over unix", setup: calls(connectUnix), fn: "tcp_setoption", args: []any{s0, "keepalive", int32(1)},
			want: -4, lastErr: "option keepalive needs a TCP connection"},
		{name: "unsupported", setup: calls(connect), fn: "tcp_setoption", args: []any{s0, "nagle", int32(1)},
			want: -4, lastErr: "unsupported option nagle"},
		{name: "after close", setup: calls(connect, step{"tcp_close", []any{s0}, 0}), fn: "tcp_setoption",
			args: []any{s0, "keepalive", int32(1)}, want: -4, lastErr: "closed"},
		{name: "the socket still works", setup: calls(connect, step{"tcp_setoption", []any{s0, "tcp-nodelay", int32(1)}, 0},
			step{"tcp_send", []any{s0, "after\n"}, 6}), fn: "tcp_receive", args: []any{s0, abi.ReceiveLine, buf(64)},
			want: 5, out: "after"},
		{name: "bad socket", fn: "tcp_setoption", args: []any{s0, "keepalive", int32(1)}, want: -3, lastErr: "bad socket handle 0"},
		{name: "name outside memory", setup: calls(connect), fn: "tcp_setoption", args: []any{s0, raw{70000, 4}, int32(1)}, want: -3},
		{name: "in log", phase: abi.PhaseLog, fn: "tcp_setoption", args: []any{s0, "keepalive", int32(1)}, want: -1,
			lastErr: "API disabled in the context of log_by_lua*"},
	}
	runHostCases(t, in, tests, bind)
}
