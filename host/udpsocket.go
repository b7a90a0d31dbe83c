package host

import (
	"context"
	"net"
	"sync"
	"time"
)

// MaxDatagram is the largest datagram UDPSocket.Receive returns, as in
// OpenResty.
const MaxDatagram = 8192

// UDPSocket is a datagram cosocket (ngx.socket.udp), UDP or unix. Like
// TCPSocket, methods that wait return a job that does the waiting. It is
// safe for concurrent use.
type UDPSocket struct {
	opts *SocketOptions

	mu      sync.Mutex
	timeout time.Duration // set by settimeout; 0: the read timeout of opts
	conn    net.Conn
}

// NewUDPSocket returns a socket with no peer, using the defaults opts.
func NewUDPSocket(opts *SocketOptions) *UDPSocket { return &UDPSocket{opts: opts} }

// SetTimeout sets the receive timeout (udpsock:settimeout); zero or less
// goes back to the config's read timeout.
func (s *UDPSocket) SetTimeout(d time.Duration) {
	s.mu.Lock()
	s.timeout = d
	s.mu.Unlock()
}

// SetPeerName starts setting the peer (udpsock:setpeername), host and
// port or "unix:/path" with NoPort; a previous peer is dropped first. The
// job resolves host, under the connect timeout.
func (s *UDPSocket) SetPeerName(host string, port int) (func() error, error) {
	if port == NoPort && !isUnix(host) {
		port = 0 // as nginx's URL parser: a datagram peer needs no port
	}
	p, err := parsePeer(host, port, false)
	if err != nil {
		return nil, err
	}
	s.Close()
	timeout := orDefault(s.opts.ConnectTimeout, DefaultSocketTimeout)
	return func() error {
		ctx, cancel := context.WithTimeout(context.Background(), timeout)
		defer cancel()
		var d net.Dialer
		c, err := d.DialContext(ctx, p.network, p.addr)
		if err != nil {
			return dialError(err, p.host)
		}
		s.mu.Lock()
		defer s.mu.Unlock()
		if s.conn != nil { // another setpeername won
			s.conn.Close()
		}
		s.conn = c
		return nil
	}, nil
}

// Send sends data as one datagram (udpsock:send).
func (s *UDPSocket) Send(data []byte) error {
	s.mu.Lock()
	c := s.conn
	s.mu.Unlock()
	if c == nil {
		return ErrClosed
	}
	if _, err := c.Write(data); err != nil {
		return socketError(err)
	}
	return nil
}

// Receive starts receiving one datagram (udpsock:receive), of which the
// job returns at most size bytes (at most MaxDatagram; 0 or less means
// MaxDatagram).
func (s *UDPSocket) Receive(size int) (func() ([]byte, error), error) {
	s.mu.Lock()
	c := s.conn
	timeout := orDefault(s.timeout, orDefault(s.opts.ReadTimeout, DefaultSocketTimeout))
	s.mu.Unlock()
	if c == nil {
		return nil, ErrClosed
	}
	if size <= 0 || size > MaxDatagram {
		size = MaxDatagram
	}
	return func() ([]byte, error) {
		buf := make([]byte, size)
		c.SetReadDeadline(time.Now().Add(timeout))
		n, err := c.Read(buf)
		if err != nil {
			return nil, socketError(err)
		}
		return buf[:n], nil
	}, nil
}

// Close drops the peer (udpsock:close).
func (s *UDPSocket) Close() error {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.conn == nil {
		return ErrClosed
	}
	s.conn.Close()
	s.conn = nil
	return nil
}

// Abort closes the socket for the end of the request that owns it.
func (s *UDPSocket) Abort() { s.Close() }
