//go:build wasip1

package moongate

import (
	"time"

	"github.com/moongate/moongate/abi"
)

// Sleep waits for d (ngx.sleep), to the nanosecond; ErrBadArgument for a
// negative d. Allowed in rewrite, access and content.
func Sleep(d time.Duration) error {
	return check(hostSleep(d.Seconds()))
}

// Connect connects to host and port (tcpsock:connect): host is a name, an
// IPv4 address or "[IPv6]", optionally with a ":port" that wins over port,
// or "unix:/path" with port NoPort. It reuses an idle connection of the
// keep-alive pool when there is one, and otherwise resolves host and
// connects under the connect timeout (the config's lua.socket
// connect_timeout). opts may be nil.
func Connect(host string, port int, opts *ConnectOptions) (*Conn, error) {
	var pool string
	if opts != nil {
		pool = opts.Pool
	}
	h := hostTCPConnect(strPtr(host), size(host), i32(port), strPtr(pool), size(pool))
	if h < 0 {
		return nil, fail(h)
	}
	return &Conn{handle: h}, nil
}

// SSLHandshake does a TLS handshake on the connection (tcpsock:sslhandshake),
// sending serverName as SNI when not empty; with verify, the server's
// certificate must chain to the config's lua.ssl_trusted_certificate (or
// the system's roots) and name serverName.
func (c *Conn) SSLHandshake(serverName string, verify bool) error {
	return check(hostTCPSSLHandshake(c.handle, strPtr(serverName), size(serverName), boolArg(verify)))
}

// Send sends data (tcpsock:send) and returns how many bytes it sent: all
// of them, or 0 with an error.
func (c *Conn) Send(data []byte) (int, error) {
	return intResult(hostTCPSend(c.handle, bytesPtr(data), size(data)))
}

// receive runs a receive call: its result, or its error with the data read
// before it (Lua's partial result), both copied.
func (c *Conn) receive(call func(b []byte) int32) ([]byte, error) {
	first := true
	b, n := results.fetch(func(b []byte) int32 {
		if first { // the receive; a result too long for b is held by the host
			first = false
			return call(b)
		}
		return hostTCPReceived(c.handle, bytesPtr(b), size(b))
	})
	if n >= 0 {
		return append([]byte{}, b...), nil
	}
	err := fail(n)
	if abi.Status(n) != abi.ErrFailed {
		return nil, err
	}
	partial, perr := fetchBytes(func(b []byte) int32 { return hostTCPReceived(c.handle, bytesPtr(b), size(b)) })
	if perr != nil {
		return nil, err
	}
	return partial, err
}

// ReceiveLine receives a line (tcpsock:receive("*l")): the data up to the
// next LF, without it and without any CR. On an error ("timeout",
// "closed") it returns what it read before it.
func (c *Conn) ReceiveLine() ([]byte, error) {
	return c.receive(func(b []byte) int32 { return hostTCPReceive(c.handle, abi.ReceiveLine, bytesPtr(b), size(b)) })
}

// ReceiveAll receives everything up to the end of the stream
// (tcpsock:receive("*a")).
func (c *Conn) ReceiveAll() ([]byte, error) {
	return c.receive(func(b []byte) int32 { return hostTCPReceive(c.handle, abi.ReceiveAll, bytesPtr(b), size(b)) })
}

// Receive receives exactly n bytes (tcpsock:receive(n)); on an error it
// returns the bytes it read before it.
func (c *Conn) Receive(n int) ([]byte, error) {
	if n < 0 {
		return nil, &Error{Status: abi.ErrBadArgument, Message: "bad pattern argument"}
	}
	return c.receive(func(b []byte) int32 { return hostTCPReceive(c.handle, i32(n), bytesPtr(b), size(b)) })
}

// ReceiveAny receives what has arrived, waiting for something, at most max
// bytes (tcpsock:receiveany).
func (c *Conn) ReceiveAny(max int) ([]byte, error) {
	return c.receive(func(b []byte) int32 { return hostTCPReceiveAny(c.handle, i32(max), bytesPtr(b), size(b)) })
}

// SetTimeouts sets the connect (and TLS handshake), send and read timeouts
// (tcpsock:settimeouts), to the millisecond; 0 goes back to the config's.
func (c *Conn) SetTimeouts(connect, send, read time.Duration) error {
	return check(hostTCPSetTimeouts(c.handle, millis(connect), millis(send), millis(read)))
}

// SetKeepalive puts the connection into the keep-alive pool, shared with
// every request and the Lua hooks, and closes the Conn
// (tcpsock:setkeepalive). The pooled connection is closed after idling
// for timeout (0: never; negative: the config's keepalive_timeout);
// size (0 or less: the config's pool_size) sizes the pool if this
// creates it. It fails with "unread data in buffer" when data was left
// unreceived.
func (c *Conn) SetKeepalive(timeout time.Duration, size int) error {
	return check(hostTCPSetKeepalive(c.handle, millis(timeout), i32(max(size, 0))))
}

// ReusedTimes returns how many times the connection was taken from the
// keep-alive pool (tcpsock:getreusedtimes).
func (c *Conn) ReusedTimes() (int, error) {
	return intResult(hostTCPGetReusedTimes(c.handle))
}

// Close closes the connection (tcpsock:close); "closed" when it was.
func (c *Conn) Close() error {
	return check(hostTCPClose(c.handle))
}

// UDP opens a datagram socket whose peer is host and port
// (ngx.socket.udp + udpsock:setpeername): host is a name or an address,
// as for Connect, or "unix:/path" with port NoPort. It resolves host
// under the connect timeout.
func UDP(host string, port int) (*UDPConn, error) {
	h := hostUDPSetPeerName(strPtr(host), size(host), i32(port))
	if h < 0 {
		return nil, fail(h)
	}
	return &UDPConn{handle: h}, nil
}

// Send sends data as one datagram (udpsock:send).
func (u *UDPConn) Send(data []byte) error {
	return check(hostUDPSend(u.handle, bytesPtr(data), size(data)))
}

// Receive receives one datagram, of which it returns at most limit bytes
// (0 or less, or over 8192: 8192), waiting up to the receive timeout
// (udpsock:receive(size)); errors: "timeout", "closed", "connection
// refused".
func (u *UDPConn) Receive(limit int) ([]byte, error) {
	// A datagram too long for the buffer is held by the host, which
	// returns it at fetch's second call.
	return fetchBytes(func(b []byte) int32 { return hostUDPReceive(u.handle, i32(limit), bytesPtr(b), size(b)) })
}

// SetTimeout sets the receive timeout (udpsock:settimeout), to the
// millisecond; 0 goes back to the config's read_timeout.
func (u *UDPConn) SetTimeout(d time.Duration) error {
	return check(hostUDPSetTimeout(u.handle, millis(d)))
}

// Close closes the socket (udpsock:close); "closed" when it was.
func (u *UDPConn) Close() error {
	return check(hostUDPClose(u.handle))
}
