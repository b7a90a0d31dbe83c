package host

import (
	"context"
	"net"
	"testing"
	"time"
)

// poolServer accepts connections and keeps them open until the test ends;
// it returns its port.
func poolServer(t *testing.T) int {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { ln.Close() })
	go func() {
		for {
			c, err := ln.Accept()
			if err != nil {
				return
			}
			t.Cleanup(func() { c.Close() })
		}
	}()
	return ln.Addr().(*net.TCPAddr).Port
}

// dial connects a new socket of pool to port with o.
func dial(t *testing.T, pool *ConnPool, port int, o ConnectOptions) (*TCPSocket, error) {
	t.Helper()
	s := NewTCPSocket(pool, &SocketOptions{ConnectTimeout: 5 * time.Second})
	job, err := s.Connect("127.0.0.1", port, o)
	if err == nil {
		err = job()
	}
	return s, err
}

func TestConnPoolReuse(t *testing.T) {
	port := poolServer(t)
	pool := NewConnPool()
	defer pool.Close()
	o := ConnectOptions{Pool: "p"}
	var socks []*TCPSocket
	var locals []string
	for range 3 {
		s, err := dial(t, pool, port, o)
		if err != nil {
			t.Fatal(err)
		}
		socks = append(socks, s)
		locals = append(locals, s.conn.LocalAddr().String())
	}
	for _, s := range socks {
		if err := s.SetKeepalive(0, 2); err != nil {
			t.Fatal(err)
		}
	}
	if n := pool.Idle("p"); n != 2 {
		t.Fatalf("%d idle connections in a pool of 2", n)
	}
	tests := []struct {
		local  string // the connection expected, "" for a new one
		reused int
	}{
		{locals[2], 1}, // most recently used first
		{locals[1], 1},
		{"", 0}, // the first was dropped for the third
	}
	for i, tt := range tests {
		s, err := dial(t, pool, port, o)
		if err != nil {
			t.Fatal(err)
		}
		local := s.conn.LocalAddr().String()
		if n, _ := s.GetReusedTimes(); n != tt.reused || (tt.local != "" && local != tt.local) || (tt.local == "" && local == locals[0]) {
			t.Errorf("connect %d: %s reused %d, want %q reused %d", i, local, n, tt.local, tt.reused)
		}
		s.Close()
	}
}

func TestConnPoolIdleTimeout(t *testing.T) {
	port := poolServer(t)
	pool := NewConnPool()
	defer pool.Close()
	s, err := dial(t, pool, port, ConnectOptions{Pool: "idle"})
	if err != nil {
		t.Fatal(err)
	}
	if err := s.SetKeepalive(time.Millisecond, 1); err != nil {
		t.Fatal(err)
	}
	for pool.Idle("idle") > 0 {
		time.Sleep(time.Millisecond) // polls; the test's deadline bounds it
	}
	s, err = dial(t, pool, port, ConnectOptions{Pool: "idle"})
	if err != nil {
		t.Fatal(err)
	}
	if n, _ := s.GetReusedTimes(); n != 0 {
		t.Errorf("an expired connection was reused")
	}
	s.Close()
}

func TestConnPoolBacklog(t *testing.T) {
	port := poolServer(t)
	pool := NewConnPool()
	defer pool.Close()
	o := ConnectOptions{Pool: "b", PoolSize: 1, HasBacklog: true, Backlog: 1}
	a, err := dial(t, pool, port, o)
	if err != nil {
		t.Fatal(err)
	}
	queued := NewTCPSocket(pool, &SocketOptions{ConnectTimeout: 5 * time.Second})
	job, err := queued.Connect("127.0.0.1", port, o)
	if err != nil {
		t.Fatalf("second connect: %v", err)
	}
	if _, err := dial(t, pool, port, o); err != ErrTooManyWaiting {
		t.Fatalf("third connect: %v, want %v", err, ErrTooManyWaiting)
	}
	done := make(chan error, 1)
	go func() { done <- job() }()
	if err := a.SetKeepalive(0, 1); err != nil {
		t.Fatal(err)
	}
	if err := <-done; err != nil {
		t.Fatalf("queued connect: %v", err)
	}
	if n, _ := queued.GetReusedTimes(); n != 1 {
		t.Errorf("the queued connect did not take the idle connection")
	}

	// A queued connect given up by the end of its request.
	waiting := NewTCPSocket(pool, &SocketOptions{})
	job, err = waiting.Connect("127.0.0.1", port, o)
	if err != nil {
		t.Fatal(err)
	}
	go func() { done <- job() }()
	waiting.Abort()
	if err := <-done; err != ErrClosed {
		t.Errorf("aborted connect: %v, want %v", err, ErrClosed)
	}
	queued.Close()
	if _, err := dial(t, pool, port, o); err != nil {
		t.Errorf("connect after the slots freed: %v", err)
	}
}

func TestConnPoolReserveCanceled(t *testing.T) {
	pool := NewConnPool()
	_, kp, _, err := pool.reserve("c", 1, 0)
	if err != nil || kp == nil {
		t.Fatalf("reserve: %v", err)
	}
	kp.backlog = 1
	_, _, ticket, err := pool.reserve("c", 1, 0)
	if err != nil || ticket == nil {
		t.Fatalf("no ticket: %v", err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	if _, err := pool.wait(ctx, kp, ticket); err != ErrClosed {
		t.Errorf("wait: %v, want %v", err, ErrClosed)
	}
	pool.release(kp)
	if pool.pools["c"] != nil {
		t.Errorf("the pool outlived its last connection")
	}
}

func TestConnPoolNilAndClosed(t *testing.T) {
	port := poolServer(t)
	tests := []struct {
		name string
		pool *ConnPool
	}{
		{"nil", nil},
		{"closed", func() *ConnPool { p := NewConnPool(); p.Close(); return p }()},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			s, err := dial(t, tt.pool, port, ConnectOptions{Pool: "x"})
			if err != nil {
				t.Fatal(err)
			}
			if err := s.SetKeepalive(0, 1); err != nil {
				t.Fatal(err)
			}
			if n := tt.pool.Idle("x"); n != 0 {
				t.Errorf("%d idle connections", n)
			}
			if !s.Closed() {
				t.Errorf("the socket is still connected")
			}
		})
	}
}
