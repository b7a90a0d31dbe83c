package wasm

import (
	"errors"
	"math"
	"time"

	"github.com/moongate/moongate/abi"
	"github.com/moongate/moongate/host"
)

// The waiting functions of ABI.md ("Waiting: sleep and TCP cosockets"):
// ngx.sleep and ngx.socket.tcp over host.TCPSocket (udpsocket.go has
// ngx.socket.udp). Each runs the job the host operation returns on the
// request's goroutine, which blocks (DESIGN §4), with the call's time
// limit paused (instance.waiting). A socket is a handle: an index into the
// running call's sockets, which are closed when the export call returns,
// as a cosocket lives as long as the handler that created it.

// tcpConn is a socket of the running call.
type tcpConn struct {
	sock *host.TCPSocket
	// held is what the last receive left for tcp_received: its result
	// when the guest's buffer could not hold it, or the data read before
	// its error.
	held []byte
}

// untilIter is an iterator of tcp_receiveuntil: host.Until on a socket
// of the running call, whose held data its reads replace.
type untilIter struct {
	conn  *tcpConn
	until *host.Until
}

// errUntilDone is tcp_until_read when a sized read reached the pattern:
// Lua's nil, nil.
var errUntilDone = notFound("the pattern was reached")

// errNoSockets is tcp_connect where the gateway gave the request no
// connection pool.
var errNoSockets = errors.New("cosockets are not available in this context")

// waiting runs job, the waiting part of a host call, with the call's time
// limit paused: the limit bounds the guest's running time, not the time it
// waits for a timer or a peer.
func (in *instance) waiting(job func()) {
	d := in.clock.deadline.Swap(0)
	start := time.Now()
	job()
	if d != 0 {
		in.clock.deadline.Store(d + int64(time.Since(start)))
	}
}

// closeSockets closes the connections of the running call's sockets,
// stream and datagram, and drops their iterators.
func (st *callState) closeSockets() {
	for _, s := range st.socks {
		s.sock.Abort()
	}
	for _, u := range st.udps {
		u.sock.Abort()
	}
	st.socks, st.udps, st.untils = nil, nil, nil
}

// socketErr gives an error of a socket operation its status: the
// arguments host rejects are ERR_BAD_ARGUMENT, the rest ERR_FAILED with
// OpenResty's text.
func socketErr(err error) error {
	var bad *host.BadArgError
	if errors.As(err, &bad) {
		return badArgument("%s", bad.Msg)
	}
	return err
}

// sleep is sleep(seconds): ngx.sleep.
func sleep(c call) (int32, error) {
	secs := c.f64(0)
	if !(secs >= 0) { // NaN too
		return 0, badArgument(`invalid sleep duration "%v"`, secs)
	}
	d := time.Duration(min(secs*float64(time.Second), math.MaxInt64))
	c.in.waiting(func() { time.Sleep(d) })
	return 0, nil
}

// tcpConnect is tcp_connect(host, port, pool): a new socket, connected.
func tcpConnect(c call) (int32, error) {
	addr, err := c.string(0)
	if err != nil {
		return 0, err
	}
	pool, err := c.string(3)
	if err != nil {
		return 0, err
	}
	if c.r.Sockets == nil || c.r.SocketOptions == nil {
		return 0, errNoSockets
	}
	sock := host.NewTCPSocket(c.r.Sockets, c.r.SocketOptions)
	if err := c.await(sock.Connect(addr, c.port(2), host.ConnectOptions{Pool: pool})); err != nil {
		return 0, err
	}
	st := &c.in.state
	st.socks = append(st.socks, &tcpConn{sock: sock})
	return int32(len(st.socks) - 1), nil
}

// await waits, as host calls wait (see waiting), for the job a socket
// operation started and returns its error; err is the operation's refusal
// to start.
func (c *call) await(job func() error, err error) error {
	if err != nil {
		return socketErr(err)
	}
	c.in.waiting(func() { err = job() })
	return err
}

// conn returns the socket of the handle in argument i.
func (c *call) conn(i int) (*tcpConn, error) {
	return handleOf(c, i, c.in.state.socks, "socket")
}

// handleOf returns the element of the call's objects (sockets, responses)
// the handle in argument i names; kind names them in the error.
func handleOf[S any](c *call, i int, objs []*S, kind string) (*S, error) {
	h := c.i32(i)
	if h < 0 || int(h) >= len(objs) {
		return nil, badArgument("bad %s handle %d", kind, h)
	}
	return objs[h], nil
}

// connAndBytes reads the socket of argument 0 and the bytes of arguments
// 1 and 2.
func connAndBytes(c call) (*tcpConn, []byte, error) {
	s, err := c.conn(0)
	if err != nil {
		return nil, nil, err
	}
	b, err := c.bytes(1)
	return s, b, err
}

// connAndString is connAndBytes with the bytes as a string.
func connAndString(c call) (*tcpConn, string, error) {
	s, b, err := connAndBytes(c)
	return s, string(b), err
}

// port returns the port in argument i, host.NoPort for abi.NoPort.
func (c *call) port(i int) int {
	if c.i32(i) == abi.NoPort {
		return host.NoPort
	}
	return int(c.i32(i))
}

// tcpSSLHandshake is tcp_sslhandshake(h, server_name, verify).
func tcpSSLHandshake(c call) (int32, error) {
	s, name, err := connAndString(c)
	if err != nil {
		return 0, err
	}
	job, err := s.sock.SSLHandshake(nil, name, c.i32(3) != 0)
	if err != nil {
		return 0, socketErr(err)
	}
	c.in.waiting(func() { _, err = job() })
	return 0, err
}

// tcpSend is tcp_send(h, data): the bytes sent.
func tcpSend(c call) (int32, error) {
	s, data, err := connAndBytes(c)
	if err != nil {
		return 0, err
	}
	job, err := s.sock.Send(data) // the job writes data before the guest runs again
	if err != nil {
		return 0, socketErr(err)
	}
	var n int
	c.in.waiting(func() { n, err = job() })
	return int32(n), err
}

// receive runs the receive that start begins on socket s and writes its
// result to the buffer at arguments bufArg and bufArg+1. What the buffer
// cannot hold, and the data read before an error, are held for
// tcp_received.
func receive(c call, s *tcpConn, bufArg int, start func() (func() ([]byte, error), error)) (int32, error) {
	if _, err := c.buffer(bufArg, 0); err != nil { // a bad buffer fails before reading
		return 0, err
	}
	s.held = nil
	job, err := start()
	if err != nil {
		return 0, socketErr(err)
	}
	var data []byte
	c.in.waiting(func() { data, err = job() })
	if err != nil {
		s.held = data
		return 0, err
	}
	return deliver(c, bufArg, data, &s.held)
}

// deliver writes data to the guest's buffer at arguments bufArg and
// bufArg+1 and returns its length; when the buffer cannot hold it, data
// is kept in *held for the buffer protocol's second call.
func deliver(c call, bufArg int, data []byte, held *[]byte) (int32, error) {
	dst, err := c.buffer(bufArg, len(data))
	if err != nil {
		return 0, err
	}
	if dst == nil && len(data) > 0 {
		*held = data
	}
	copy(dst, data)
	return int32(len(data)), nil
}

// tcpReceive is tcp_receive(h, pattern, buf): a line (abi.ReceiveLine),
// everything (abi.ReceiveAll) or pattern bytes.
func tcpReceive(c call) (int32, error) {
	s, err := c.conn(0)
	if err != nil {
		return 0, err
	}
	p := c.i32(1)
	pattern := host.ReadPattern(p)
	switch {
	case p == abi.ReceiveLine:
		pattern = host.ReadLine
	case p == abi.ReceiveAll:
		pattern = host.ReadAll
	case p < 0:
		return 0, badArgument("bad pattern argument: %d", p)
	}
	return receive(c, s, 2, func() (func() ([]byte, error), error) { return s.sock.Receive(pattern) })
}

// tcpReceiveAny is tcp_receiveany(h, max, buf): what arrives, at most max
// bytes.
func tcpReceiveAny(c call) (int32, error) {
	s, err := c.conn(0)
	if err != nil {
		return 0, err
	}
	max := int(c.i32(1))
	if max <= 0 {
		return 0, badArgument("bad max argument")
	}
	return receive(c, s, 2, func() (func() ([]byte, error), error) { return s.sock.ReceiveAny(max) })
}

// tcpReceiveUntil is tcp_receiveuntil(h, pattern, inclusive): the handle
// of an iterator reading the socket up to each occurrence of pattern.
func tcpReceiveUntil(c call) (int32, error) {
	s, pattern, err := connAndString(c)
	if err != nil {
		return 0, err
	}
	until, err := s.sock.ReceiveUntil(pattern, c.i32(3) != 0)
	if err != nil {
		return 0, socketErr(err)
	}
	st := &c.in.state
	st.untils = append(st.untils, &untilIter{conn: s, until: until})
	return int32(len(st.untils) - 1), nil
}

// tcpUntilRead is tcp_until_read(it, size, buf): the iterator's next
// part, up to the pattern (size <= 0) or at most about size bytes of it,
// then, after a sized read's last part, errUntilDone. The socket's held
// data is the iterator's, as for tcp_receive.
func tcpUntilRead(c call) (int32, error) {
	it, err := handleOf(&c, 0, c.in.state.untils, "iterator")
	if err != nil {
		return 0, err
	}
	size := int(c.i32(1))
	return receive(c, it.conn, 2, func() (func() ([]byte, error), error) {
		job, err := it.until.Read(size)
		if err != nil {
			return nil, err
		}
		return func() ([]byte, error) {
			data, err := job()
			if data == nil && err == nil {
				return nil, errUntilDone
			}
			return data, err
		}, nil
	})
}

// tcpReceived is tcp_received(h, buf): what the socket's last receive
// held.
func tcpReceived(c call) (int32, error) {
	s, err := c.conn(0)
	if err != nil {
		return 0, err
	}
	return result(c, 1, s.held)
}

// msArg converts the milliseconds of argument i, raising OpenResty's
// "bad timeout value" for a negative one.
func (c *call) msArg(i int) (time.Duration, error) {
	ms := c.i32(i)
	if ms < 0 {
		return 0, badArgument("bad timeout value")
	}
	return time.Duration(ms) * time.Millisecond, nil
}

// tcpSetTimeouts is tcp_settimeouts(h, connect_ms, send_ms, read_ms); 0
// goes back to the config's.
func tcpSetTimeouts(c call) (int32, error) {
	s, err := c.conn(0)
	if err != nil {
		return 0, err
	}
	var d [3]time.Duration
	for i := range d {
		if d[i], err = c.msArg(1 + i); err != nil {
			return 0, err
		}
	}
	s.sock.SetTimeouts(d[0], d[1], d[2])
	return 0, nil
}

// tcpSetKeepalive is tcp_setkeepalive(h, timeout_ms, size): a negative
// timeout or a size of 0 or less takes the config's, a timeout of 0 none.
func tcpSetKeepalive(c call) (int32, error) {
	s, err := c.conn(0)
	if err != nil {
		return 0, err
	}
	opts := c.r.SocketOptions
	timeout := time.Duration(c.i32(1)) * time.Millisecond
	if timeout < 0 {
		timeout = opts.KeepaliveTimeout
		if timeout == 0 {
			timeout = host.DefaultKeepaliveTimeout
		}
	}
	size := int(c.i32(2))
	if size <= 0 {
		size = opts.PoolSize
		if size == 0 {
			size = host.DefaultSocketPoolSize
		}
	}
	return 0, socketErr(s.sock.SetKeepalive(timeout, size))
}

// tcpSetOption is tcp_setoption(h, name, value): tcpsock:setoption with
// OpenResty's option names, a flag's value 0 or not.
func tcpSetOption(c call) (int32, error) {
	s, name, err := connAndString(c)
	if err != nil {
		return 0, err
	}
	return 0, socketErr(s.sock.SetOption(name, int(c.i32(3))))
}

// tcpGetReusedTimes is tcp_getreusedtimes(h).
func tcpGetReusedTimes(c call) (int32, error) {
	s, err := c.conn(0)
	if err != nil {
		return 0, err
	}
	n, err := s.sock.GetReusedTimes()
	return int32(min(n, math.MaxInt32)), err
}

// tcpClose is tcp_close(h).
func tcpClose(c call) (int32, error) {
	s, err := c.conn(0)
	if err != nil {
		return 0, err
	}
	return 0, s.sock.Close()
}
