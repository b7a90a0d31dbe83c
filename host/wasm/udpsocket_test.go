package wasm

import (
	"net"
	"testing"
	"time"

	"github.com/moongate/moongate/abi"
	"github.com/moongate/moongate/host"
)

// udpEcho starts a server on a loopback port that sends each datagram
// back, and returns the port.
func udpEcho(t *testing.T) int32 {
	t.Helper()
	pc := listenUDP(t)
	t.Cleanup(func() { pc.Close() })
	go func() {
		b := make([]byte, host.MaxDatagram)
		for {
			n, addr, err := pc.ReadFrom(b)
			if err != nil {
				return
			}
			pc.WriteTo(b[:n], addr)
		}
	}()
	return int32(pc.LocalAddr().(*net.UDPAddr).Port)
}

// listenUDP listens on a loopback UDP port, or fails the test.
func listenUDP(t *testing.T) net.PacketConn {
	t.Helper()
	pc, err := net.ListenPacket("udp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	return pc
}

func TestUDPSocketFunctions(t *testing.T) {
	rt, _ := newTestRuntime(t, Options{})
	m := load(t, rt, writeModule(t, guestModule()), Limits{})
	in := borrow(t, m)

	port := udpEcho(t)
	closed := listenUDP(t)
	closedPort := int32(closed.LocalAddr().(*net.UDPAddr).Port)
	closed.Close()

	var opts host.SocketOptions
	bind := func(r *host.Request) {
		opts = host.SocketOptions{ReadTimeout: 5 * time.Second}
		r.SocketOptions = &opts
	}
	// peerAt opens socket 0 of the case's call with port as its peer,
	// closed at the case's end.
	peerAt := func(port int32) func(h *harness) {
		return func(h *harness) {
			if n := h.status("udp_setpeername", "127.0.0.1", port); n != 0 {
				h.t.Fatalf("udp_setpeername = %d (%s)", n, h.in.lastErr)
			}
			h.t.Cleanup(h.in.state.udps[0].sock.Abort)
		}
	}
	peer := peerAt(port)
	// then makes a setup run setup, then fn with args, which must return
	// want.
	then := func(setup func(h *harness), want int32, fn string, args ...any) func(h *harness) {
		return func(h *harness) {
			setup(h)
			if n := h.status(fn, args...); n != want {
				h.t.Fatalf("%s = %d, want %d (%s)", fn, n, want, h.in.lastErr)
			}
		}
	}
	s0 := int32(0)
	sent := func(data string) func(h *harness) { return then(peer, 0, "udp_send", s0, data) }
	// receives checks that the next udp_receive gives want.
	receives := func(want string) func(t *testing.T, h *harness) {
		return func(t *testing.T, h *harness) {
			t.Helper()
			if n := h.status("udp_receive", s0, int32(0), buf(64)); n < 0 || h.out(n) != want {
				t.Errorf("udp_receive = %d %q (%s), want %q", n, h.out(max(n, 0)), h.in.lastErr, want)
			}
		}
	}
	closeAll := func(t *testing.T, h *harness) { h.in.state.closeSockets() }
	tests := []hostCase{
		// setpeername.
		{name: "setpeername", fn: "udp_setpeername", args: []any{"127.0.0.1", port}, want: 0, check: closeAll},
		{name: "setpeername host:port", fn: "udp_setpeername", args: []any{"127.0.0.1:" + sprintf("%d", port), closedPort},
			want: 0, check: closeAll},
		{name: "second handle", setup: peer, fn: "udp_setpeername", args: []any{"127.0.0.1", port}, want: 1, check: closeAll},
		{name: "handles apart from tcp's", setup: peer, fn: "tcp_close", args: []any{s0}, want: -3, lastErr: "bad socket handle 0"},
		{name: "setpeername bad port", fn: "udp_setpeername", args: []any{"127.0.0.1", int32(70000)}, want: -4,
			lastErr: "bad port number: 70000"},
		{name: "setpeername unresolvable", fn: "udp_setpeername", args: []any{"no-such-host.invalid", port}, want: -4,
			lastErr: "no-such-host.invalid could not be resolved (3: Host not found)"},
		{name: "setpeername bad unix path", fn: "udp_setpeername", args: []any{"unix:", abi.NoPort}, want: -4,
			lastErr: `failed to parse host name "unix:": no path in the unix domain socket`},
		{name: "setpeername host outside memory", fn: "udp_setpeername", args: []any{raw{70000, 9}, port}, want: -3},
		{name: "setpeername in log", phase: abi.PhaseLog, fn: "udp_setpeername", args: []any{"127.0.0.1", port}, want: -1,
			lastErr: "API disabled in the context of log_by_lua*"},
		{name: "setpeername without socket options", setup: func(h *harness) { h.r.SocketOptions = nil },
			fn: "udp_setpeername", args: []any{"127.0.0.1", port}, want: -4, lastErr: "cosockets are not available in this context"},
		{name: "bad handle", fn: "udp_send", args: []any{s0, "x"}, want: -3, lastErr: "bad socket handle 0"},
		{name: "negative handle", setup: peer, fn: "udp_close", args: []any{int32(-1)}, want: -3, lastErr: "bad socket handle -1"},

		// send and receive.
		{name: "send", setup: peer, fn: "udp_send", args: []any{s0, "ping"}, want: 0, check: receives("ping")},
		{name: "send data outside memory", setup: peer, fn: "udp_send", args: []any{s0, raw{70000, 4}}, want: -3},
		{name: "send closed", setup: then(peer, 0, "udp_close", s0), fn: "udp_send", args: []any{s0, "x"}, want: -4, lastErr: "closed"},
		{name: "receive", setup: sent("ping"), fn: "udp_receive", args: []any{s0, int32(0), buf(64)}, want: 4, out: "ping"},
		{name: "receive size", setup: sent("abcdef"), fn: "udp_receive", args: []any{s0, int32(3), buf(64)}, want: 3, out: "abc"},
		{name: "receive one datagram", setup: then(sent("one"), 0, "udp_send", s0, "two"), fn: "udp_receive",
			args: []any{s0, int32(0), buf(64)}, want: 3, out: "one", check: receives("two")},
		{name: "receive too small holds the datagram", setup: then(sent("0123456789"), 0, "udp_send", s0, "next"),
			fn: "udp_receive", args: []any{s0, int32(0), buf(4)}, want: 10,
			check: func(t *testing.T, h *harness) { receives("0123456789")(t, h); receives("next")(t, h) }},
		{name: "receive length only", setup: sent("0123456789"), fn: "udp_receive", args: []any{s0, int32(0), raw{0, 0}},
			want: 10, check: receives("0123456789")},
		{name: "receive buffer outside memory", setup: sent("abc"), fn: "udp_receive", args: []any{s0, int32(0), raw{65530, 64}},
			want: -3, check: receives("abc")},
		{name: "receive timeout", setup: then(peer, 0, "udp_settimeout", s0, int32(20)), fn: "udp_receive",
			args: []any{s0, int32(0), buf(64)}, want: -4, lastErr: "timeout"},
		{name: "receive config timeout", setup: func(h *harness) { h.r.SocketOptions.ReadTimeout = 20 * time.Millisecond; peer(h) },
			fn: "udp_receive", args: []any{s0, int32(0), buf(64)}, want: -4, lastErr: "timeout"},
		{name: "receive refused", setup: then(peerAt(closedPort), 0, "udp_send", s0, "x"), fn: "udp_receive",
			args: []any{s0, int32(0), buf(64)}, want: -4, lastErr: "connection refused"},
		{name: "receive closed", setup: then(peer, 0, "udp_close", s0), fn: "udp_receive", args: []any{s0, int32(0), buf(64)},
			want: -4, lastErr: "closed"},
		{name: "receive in header_filter", phase: abi.PhaseHeaderFilter, fn: "udp_receive", args: []any{s0, int32(0), buf(64)},
			want: -1, lastErr: "API disabled in the context of header_filter_by_lua*"},

		// settimeout, close.
		{name: "settimeout", setup: peer, fn: "udp_settimeout", args: []any{s0, int32(100)}, want: 0},
		{name: "settimeout negative", setup: peer, fn: "udp_settimeout", args: []any{s0, int32(-1)}, want: -3,
			lastErr: "bad timeout value"},
		{name: "close", setup: peer, fn: "udp_close", args: []any{s0}, want: 0},
		{name: "close drops a held datagram", setup: then(sent("0123456789"), 10, "udp_receive", s0, int32(0), buf(4)),
			fn: "udp_close", args: []any{s0}, want: 0, check: func(t *testing.T, h *harness) {
				if n := h.status("udp_receive", s0, int32(0), buf(64)); n != -4 || h.in.lastErr != "closed" {
					t.Errorf("udp_receive after close = %d (%s), want -4 (closed)", n, h.in.lastErr)
				}
			}},
		{name: "close twice", setup: then(peer, 0, "udp_close", s0), fn: "udp_close", args: []any{s0}, want: -4, lastErr: "closed"},
	}
	runHostCases(t, in, tests, bind)
}
