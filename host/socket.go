package host

import (
	"bufio"
	"context"
	"crypto/tls"
	"crypto/x509"
	"errors"
	"fmt"
	"io"
	"math"
	"net"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"time"
)

// Cosocket defaults: lua-nginx-module's lua_socket_* directives.
const (
	DefaultSocketTimeout    = 60 * time.Second // connect, send and read
	DefaultSocketPoolSize   = 30
	DefaultKeepaliveTimeout = 60 * time.Second
	DefaultSocketBufferSize = 4096
)

// SocketOptions are a config's cosocket settings (lua_socket_* and
// lua_ssl_trusted_certificate). Zero fields take the defaults above.
type SocketOptions struct {
	ConnectTimeout, SendTimeout, ReadTimeout time.Duration
	// PoolSize is the size of a connection pool created by setkeepalive
	// without a size.
	PoolSize int
	// KeepaliveTimeout is how long a pooled connection may stay idle when
	// setkeepalive gives no timeout.
	KeepaliveTimeout time.Duration
	// BufferSize is the receive buffer of a connection: receiveany reads
	// at most this much at once.
	BufferSize int
	// RootCAs verify servers' certificates in sslhandshake; nil means the
	// system's roots.
	RootCAs *x509.CertPool
}

// orDefault returns d, or def when d is not positive.
func orDefault[T int | time.Duration](d, def T) T {
	if d > 0 {
		return d
	}
	return def
}

// Errors of socket operations, as OpenResty words them.
var (
	ErrClosed          = errors.New("closed")
	ErrTimeout         = errors.New("timeout")
	ErrBusyConnecting  = errors.New("socket busy connecting")
	ErrBusyReading     = errors.New("socket busy reading")
	ErrBusyWriting     = errors.New("socket busy writing")
	ErrTooManyWaiting  = errors.New("too many waiting connect operations")
	ErrMissingPort     = errors.New("missing the port number")
	ErrUnreadData      = errors.New("unread data in buffer")
	ErrDubious         = errors.New("connection in dubious state")
	ErrPatternEmpty    = errors.New("pattern is empty")
	errHandshakeFailed = errors.New("handshake failed")
	errHostMismatch    = errors.New("certificate host mismatch")
)

// BadArgError is an argument the binding must reject by raising an error
// (OpenResty's luaL_argerror) rather than returning it.
type BadArgError struct{ Msg string }

// Error returns the message.
func (e *BadArgError) Error() string { return e.Msg }

// NoPort is the port of Connect and SetPeerName when the script gave none
// (it must then name a unix socket, "unix:/path").
const NoPort = math.MinInt

// socketError turns an I/O error into OpenResty's message: "closed",
// "timeout", or the lower-cased strerror text of an errno, as
// lua-nginx-module reports them.
func socketError(err error) error {
	var errno syscall.Errno
	switch {
	case errors.Is(err, io.EOF), errors.Is(err, net.ErrClosed), errors.Is(err, context.Canceled):
		return ErrClosed
	case isTimeout(err):
		return ErrTimeout
	case errors.As(err, &errno):
		return errors.New(errno.Error())
	}
	return errors.New("error")
}

// isTimeout reports whether err is a deadline or timeout error.
func isTimeout(err error) bool {
	var t interface{ Timeout() bool }
	return errors.Is(err, context.DeadlineExceeded) || errors.As(err, &t) && t.Timeout()
}

// dialError is socketError for a failed connect to host (or setpeername):
// a name that does not resolve is reported as nginx's resolver does.
func dialError(err error, host string) error {
	var dns *net.DNSError
	switch {
	case isTimeout(err):
		return ErrTimeout
	case errors.As(err, &dns) && dns.IsNotFound:
		return fmt.Errorf("%s could not be resolved (3: Host not found)", host)
	case errors.As(err, &dns):
		return fmt.Errorf("%s could not be resolved (2: Server failure)", host)
	}
	return socketError(err)
}

// peer is a parsed connect or setpeername address.
type peer struct {
	network string // "tcp", "udp" or "unix"/"unixgram"
	addr    string // for Dial
	host    string // the name to resolve, for errors
	key     string // the default pool name: "host:port" or "unix:/path"
}

// parsePeer parses the host and port given to connect or setpeername, as
// nginx's URL parser does: "unix:/path" (any port is ignored), an IPv6
// address in brackets, a name or IPv4 address, or "host:port", whose port
// wins over port.
func parsePeer(host string, port int, stream bool) (peer, error) {
	if isUnix(host) {
		path := host[5:]
		if path == "" {
			return peer{}, fmt.Errorf("failed to parse host name %q: no path in the unix domain socket", host)
		}
		key := host
		if port != NoPort {
			key += ":" + strconv.Itoa(port)
		}
		network := "unixgram"
		if stream {
			network = "unix"
		}
		return peer{network: network, addr: path, host: host, key: key}, nil
	}
	switch {
	case port == NoPort:
		return peer{}, ErrMissingPort
	case port < 0 || port > 65535:
		return peer{}, fmt.Errorf("bad port number: %d", port)
	}
	network := "udp"
	if stream {
		network = "tcp"
	}
	key := host + ":" + strconv.Itoa(port)
	name := host
	switch {
	case strings.HasPrefix(host, "["):
		end := strings.IndexByte(host, ']')
		if end < 0 || (end+1 < len(host) && host[end+1] != ':') {
			return peer{}, fmt.Errorf("failed to parse host name %q: invalid IPv6 address", host)
		}
		name = host[1:end]
		if end+1 < len(host) {
			if p, err := strconv.Atoi(host[end+2:]); err == nil && p >= 0 && p <= 65535 {
				port = p
			} else {
				return peer{}, fmt.Errorf("failed to parse host name %q: invalid port", host)
			}
		}
	case strings.Count(host, ":") > 1:
		return peer{}, fmt.Errorf("failed to parse host name %q: invalid port", host)
	case strings.Contains(host, ":"):
		h, p, _ := strings.Cut(host, ":")
		n, err := strconv.Atoi(p)
		if err != nil || n < 0 || n > 65535 {
			return peer{}, fmt.Errorf("failed to parse host name %q: invalid port", host)
		}
		name, port = h, n
	}
	if name == "" {
		return peer{}, fmt.Errorf("failed to parse host name %q: no host", host)
	}
	return peer{network: network, addr: net.JoinHostPort(name, strconv.Itoa(port)), host: name, key: key}, nil
}

// isUnix reports whether host names a unix socket: "unix:/path".
func isUnix(host string) bool { return len(host) >= 5 && strings.EqualFold(host[:5], "unix:") }

// ConnectOptions are the options table of tcpsock:connect.
type ConnectOptions struct {
	// Pool is the pool name; "" means "host:port" or "unix:/path".
	Pool string
	// PoolSize creates the pool with this size if it does not exist yet;
	// 0 creates none (unless HasBacklog).
	PoolSize int
	// With HasBacklog, at most the pool's size connections of the pool
	// are open at once (the pool is created if needed, by default of the
	// config's size): further connects wait, up to Backlog of them, for
	// one to close or go idle, and beyond that fail with "too many waiting
	// connect operations".
	HasBacklog bool
	Backlog    int
}

// TCPSocket is a cosocket (ngx.socket.tcp): a client stream connection,
// TCP or unix, optionally TLS, whose idle connection can go into the
// gateway's ConnPool for reuse.
//
// Every method that may wait is split in two: the method checks at once
// that the operation can start (OpenResty's "closed" and "socket busy"
// errors) and reserves the socket for it; the job it returns does the
// waiting part, blocking its goroutine, and may run on another goroutine.
// A read and a write may run at the same time (the socket is full-duplex);
// two reads, or two writes, may not. Methods are safe for concurrent use.
type TCPSocket struct {
	pool *ConnPool
	opts *SocketOptions

	mu         sync.Mutex
	timeouts   [3]time.Duration // connect, send, read set by settimeout(s); 0: opts'
	conn       net.Conn         // nil when closed
	br         *bufio.Reader    // reads conn
	key        string           // the pool name of conn
	counted    *keyPool         // the pool conn counts in, if any
	reused     int
	session    *SSLSession // of the TLS handshake on conn
	readClosed bool
	wrClosed   bool
	busy       op // operations under way
	cancel     context.CancelFunc
	aborted    bool
}

// op is a kind of socket operation, for the busy checks.
type op uint8

const (
	opConnect op = 1 << iota // connect, sslhandshake
	opRead
	opWrite
)

// NewTCPSocket returns an unconnected socket using pool and the defaults
// opts.
func NewTCPSocket(pool *ConnPool, opts *SocketOptions) *TCPSocket {
	return &TCPSocket{pool: pool, opts: opts}
}

// checkBusy returns the error for starting an operation that conflicts
// with one in ops under way (mu held).
func (s *TCPSocket) checkBusy(ops op) error {
	switch {
	case ops&opConnect != 0 && s.busy&opConnect != 0:
		return ErrBusyConnecting
	case ops&opRead != 0 && s.busy&opRead != 0:
		return ErrBusyReading
	case ops&opWrite != 0 && s.busy&opWrite != 0:
		return ErrBusyWriting
	}
	return nil
}

// done ends an operation started by a method.
func (s *TCPSocket) done(o op) {
	s.mu.Lock()
	s.busy &^= o
	s.mu.Unlock()
}

// Closed reports whether the socket has no connection.
func (s *TCPSocket) Closed() bool {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.conn == nil
}

// SetTimeouts sets the connect, send and read timeouts (settimeouts); a
// zero or negative one goes back to the config's default.
func (s *TCPSocket) SetTimeouts(connect, send, read time.Duration) {
	s.mu.Lock()
	s.timeouts = [3]time.Duration{connect, send, read}
	s.mu.Unlock()
}

// connectTimeout, sendTimeout and readTimeout are the timeouts in force
// (mu held).
func (s *TCPSocket) connectTimeout() time.Duration {
	return orDefault(s.timeouts[0], orDefault(s.opts.ConnectTimeout, DefaultSocketTimeout))
}

func (s *TCPSocket) sendTimeout() time.Duration {
	return orDefault(s.timeouts[1], orDefault(s.opts.SendTimeout, DefaultSocketTimeout))
}

func (s *TCPSocket) readTimeout() time.Duration {
	return orDefault(s.timeouts[2], orDefault(s.opts.ReadTimeout, DefaultSocketTimeout))
}

// Connect starts connecting to host and port (or host "unix:/path" with
// NoPort): tcpsock:connect. A connection of the socket is closed first.
// The job takes an idle connection from the pool when there is one, else
// resolves host and connects, both under the connect timeout; with a pool
// size and backlog it may first wait for a free slot.
func (s *TCPSocket) Connect(host string, port int, o ConnectOptions) (func() error, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if err := s.checkBusy(opConnect | opRead | opWrite); err != nil {
		return nil, err
	}
	p, err := parsePeer(host, port, true)
	if err != nil {
		return nil, err
	}
	s.finalize()
	key := p.key
	if o.Pool != "" {
		key = o.Pool
	}
	if !o.HasBacklog {
		o.Backlog = -1
	} else if o.PoolSize == 0 {
		o.PoolSize = orDefault(s.opts.PoolSize, DefaultSocketPoolSize)
	}
	idle, kp, ticket, err := s.pool.reserve(key, o.PoolSize, o.Backlog)
	if err != nil {
		return nil, err
	}
	timeout := s.connectTimeout()
	s.busy |= opConnect
	s.aborted = false
	return func() error {
		defer s.done(opConnect)
		var (
			c       net.Conn
			br      *bufio.Reader
			session *SSLSession
			reused  int
			err     error
		)
		if idle == nil { // it waits: for a slot, then to connect
			ctx, cancel := s.waitContext(timeout)
			defer cancel()
			if ticket != nil {
				if idle, err = s.pool.wait(ctx, kp, ticket); err != nil {
					return err
				}
			}
			if idle == nil {
				d := net.Dialer{}
				if c, err = d.DialContext(ctx, p.network, p.addr); err != nil {
					s.pool.release(kp)
					return dialError(err, p.host)
				}
				br = bufio.NewReaderSize(c, orDefault(s.opts.BufferSize, DefaultSocketBufferSize))
			}
		}
		if idle != nil {
			c, br, reused, session = idle.conn, idle.br, idle.reused+1, idle.session
		}
		s.mu.Lock()
		defer s.mu.Unlock()
		if s.aborted {
			closeConn(c)
			s.pool.release(kp)
			return ErrClosed
		}
		s.conn, s.br, s.key, s.counted, s.reused, s.session = c, br, key, kp, reused, session
		s.readClosed, s.wrClosed = false, false
		return nil
	}, nil
}

// waitContext returns the context of a connect that waits, done after
// timeout or when the socket is aborted.
func (s *TCPSocket) waitContext(timeout time.Duration) (context.Context, context.CancelFunc) {
	ctx, cancel := context.WithTimeout(context.Background(), timeout)
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.aborted {
		cancel()
	}
	s.cancel = cancel
	return ctx, cancel
}

// finalize closes the connection and releases its pool slot (mu held).
func (s *TCPSocket) finalize() {
	if s.conn == nil {
		return
	}
	closeConn(s.conn)
	s.pool.release(s.counted)
	s.conn, s.br, s.counted, s.session = nil, nil, nil, nil
}

// closeConn closes c without a TLS close_notify, as nginx's cosockets do.
func closeConn(c net.Conn) {
	if tc, ok := c.(*tls.Conn); ok {
		c = tc.NetConn()
	}
	c.Close()
}

// closeSide records that a fatal error ended one direction of the
// connection; with both ended the connection is closed (mu held).
func (s *TCPSocket) closeSide(o op) {
	if o == opRead {
		s.readClosed = true
	} else {
		s.wrClosed = true
	}
	if s.readClosed && s.wrClosed {
		s.finalize()
	}
}

// start checks that o (opRead or opWrite) can start and reserves the
// socket for it; it returns the connection to use and o's timeout.
func (s *TCPSocket) start(o op) (net.Conn, *bufio.Reader, time.Duration, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.conn == nil || (o == opRead && s.readClosed) || (o == opWrite && s.wrClosed) {
		return nil, nil, 0, ErrClosed
	}
	if err := s.checkBusy(opConnect | o); err != nil {
		return nil, nil, 0, err
	}
	s.busy |= o
	if o == opRead {
		return s.conn, s.br, s.readTimeout(), nil
	}
	return s.conn, s.br, s.sendTimeout(), nil
}

// finish ends operation o on c with err (a raw I/O error or nil) and
// returns OpenResty's error; errors other than a read timeout close that
// direction of the connection.
func (s *TCPSocket) finish(o op, c net.Conn, err error) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.busy &^= o
	if err == nil {
		return nil
	}
	err = socketError(err)
	if (err != ErrTimeout || o == opWrite) && s.conn == c {
		s.closeSide(o)
	}
	return err
}

// Send starts writing data (tcpsock:send); the job returns the number of
// bytes sent, all of data, or an error after which the socket can no
// longer send.
func (s *TCPSocket) Send(data []byte) (func() (int, error), error) {
	c, _, timeout, err := s.start(opWrite)
	if err != nil {
		return nil, err
	}
	return func() (int, error) {
		if len(data) == 0 {
			return 0, s.finish(opWrite, c, nil)
		}
		c.SetWriteDeadline(time.Now().Add(timeout))
		_, err := c.Write(data)
		return len(data), s.finish(opWrite, c, err)
	}, nil
}

// Close closes the connection (tcpsock:close).
func (s *TCPSocket) Close() error {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.conn == nil || (s.readClosed && s.wrClosed) {
		return ErrClosed
	}
	if err := s.checkBusy(opConnect | opRead | opWrite); err != nil {
		return err
	}
	s.finalize()
	return nil
}

// Abort closes the socket whatever it is doing, for the end of the
// request that owns it: operations under way fail, a connect under way
// gives up.
func (s *TCPSocket) Abort() {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.aborted = true
	if s.cancel != nil {
		s.cancel()
	}
	s.finalize()
}

// GetReusedTimes returns how many times the connection was taken from the
// pool (tcpsock:getreusedtimes).
func (s *TCPSocket) GetReusedTimes() (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.conn == nil || (s.readClosed && s.wrClosed) {
		return 0, ErrClosed
	}
	return s.reused, nil
}

// SetKeepalive puts the connection into the pool for reuse and closes the
// socket (tcpsock:setkeepalive). An idle connection is closed after
// timeout (0 or less: never) and when the pool needs room for a more
// recent one. If the pool does not exist, it is created with size, which
// must then be positive (else a *BadArgError). It fails with "unread data in buffer" when
// the socket holds data not yet received, and with "connection in dubious
// state" when the peer sent more.
func (s *TCPSocket) SetKeepalive(timeout time.Duration, size int) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.conn == nil || s.readClosed || s.wrClosed {
		return ErrClosed
	}
	if err := s.checkBusy(opConnect | opRead | opWrite); err != nil {
		return err
	}
	if s.br.Buffered() > 0 {
		return ErrUnreadData
	}
	switch pending(s.conn) {
	case peerClosed:
		s.finalize()
		return ErrClosed
	case peerSent:
		s.finalize()
		return ErrDubious
	}
	idle := &idleConn{conn: s.conn, br: s.br, reused: s.reused, session: s.session}
	if err := s.pool.put(s.key, size, timeout, idle, s.counted); err != nil {
		return err
	}
	s.conn, s.br, s.counted, s.session = nil, nil, nil, nil
	return nil
}

// SetOption sets a socket option (tcpsock:setoption): "keepalive",
// "reuseaddr", "tcp-nodelay", "sndbuf" or "rcvbuf".
func (s *TCPSocket) SetOption(name string, value int) error {
	s.mu.Lock()
	c := s.conn
	s.mu.Unlock()
	if c == nil {
		return ErrClosed
	}
	if tc, ok := c.(*tls.Conn); ok {
		c = tc.NetConn()
	}
	tcp, _ := c.(*net.TCPConn)
	var err error
	switch name {
	case "keepalive", "tcp-nodelay", "reuseaddr":
		if tcp == nil {
			return fmt.Errorf("option %s needs a TCP connection", name)
		}
		switch name {
		case "keepalive":
			err = tcp.SetKeepAlive(value != 0)
		case "tcp-nodelay":
			err = tcp.SetNoDelay(value != 0)
		default:
			err = setReuseAddr(tcp, value != 0)
		}
	case "sndbuf", "rcvbuf":
		buf, ok := c.(interface {
			SetWriteBuffer(int) error
			SetReadBuffer(int) error
		})
		switch {
		case !ok:
			return fmt.Errorf("option %s is not supported on this connection", name)
		case name == "sndbuf":
			err = buf.SetWriteBuffer(value)
		default:
			err = buf.SetReadBuffer(value)
		}
	default:
		return fmt.Errorf("unsupported option %s", name)
	}
	if err != nil {
		return socketError(err)
	}
	return nil
}

// setReuseAddr sets SO_REUSEADDR on c.
func setReuseAddr(c *net.TCPConn, on bool) error {
	rc, err := c.SyscallConn()
	if err != nil {
		return err
	}
	v := 0
	if on {
		v = 1
	}
	var serr error
	if err := rc.Control(func(fd uintptr) { serr = setsockoptInt(fd, syscall.SOL_SOCKET, syscall.SO_REUSEADDR, v) }); err != nil {
		return err
	}
	return serr
}

// SSLSession is a TLS session returned by SSLHandshake, to resume with a
// later handshake to the same server.
type SSLSession struct{ cache *oneSession }

// oneSession is a tls.ClientSessionCache holding one session.
type oneSession struct {
	mu sync.Mutex
	st *tls.ClientSessionState
}

// Get returns the session, whatever the key.
func (c *oneSession) Get(string) (*tls.ClientSessionState, bool) {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.st, c.st != nil
}

// Put stores the session.
func (c *oneSession) Put(_ string, st *tls.ClientSessionState) {
	c.mu.Lock()
	c.st = st
	c.mu.Unlock()
}

// SSLHandshake starts a TLS handshake on the connection
// (tcpsock:sslhandshake) under the connect timeout, resuming session when
// not nil. serverName is sent as SNI; with verify the server's chain must
// lead to a trusted root (SocketOptions.RootCAs) and, when serverName is
// set, name it. The job returns the session. On an established TLS
// connection it returns at once, with session if one was given.
func (s *TCPSocket) SSLHandshake(session *SSLSession, serverName string, verify bool) (func() (*SSLSession, error), error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.conn == nil || s.readClosed || s.wrClosed {
		return nil, ErrClosed
	}
	if err := s.checkBusy(opConnect | opRead | opWrite); err != nil {
		return nil, err
	}
	c := s.conn
	if _, ok := c.(*tls.Conn); ok {
		if session == nil {
			session = s.session
		}
		return func() (*SSLSession, error) { return session, nil }, nil
	}
	if session == nil {
		session = &SSLSession{cache: &oneSession{}}
	}
	cfg := &tls.Config{
		ServerName:         serverName,
		InsecureSkipVerify: true, // verified below, as OpenSSL does: the chain, then the name if given
		ClientSessionCache: session.cache,
	}
	if verify {
		roots := s.opts.RootCAs
		cfg.VerifyConnection = func(cs tls.ConnectionState) error { return verifyPeer(cs, roots, serverName) }
	}
	tc := tls.Client(c, cfg)
	timeout := s.connectTimeout()
	s.busy |= opConnect
	return func() (*SSLSession, error) {
		ctx, cancel := context.WithTimeout(context.Background(), timeout)
		err := tc.HandshakeContext(ctx)
		cancel()
		s.mu.Lock()
		defer s.mu.Unlock()
		s.busy &^= opConnect
		if err == nil && s.conn == c {
			s.conn, s.session = tc, session
			s.br.Reset(tc)
			return session, nil
		}
		if s.conn == c {
			s.finalize()
		}
		return nil, handshakeError(err)
	}, nil
}

// verifyError is a certificate verification failure, reported as
// OpenSSL's "code: reason".
type verifyError struct {
	code   int
	reason string
}

func (e *verifyError) Error() string { return strconv.Itoa(e.code) + ": " + e.reason }

// verifyPeer checks the server's chain against roots and, if name is not
// empty, that the certificate is for name.
func verifyPeer(cs tls.ConnectionState, roots *x509.CertPool, name string) error {
	certs := cs.PeerCertificates
	if len(certs) == 0 {
		return &verifyError{code: 20, reason: "unable to get local issuer certificate"}
	}
	inter := x509.NewCertPool()
	for _, c := range certs[1:] {
		inter.AddCert(c)
	}
	_, err := certs[0].Verify(x509.VerifyOptions{Roots: roots, Intermediates: inter})
	var unknown x509.UnknownAuthorityError
	var invalid x509.CertificateInvalidError
	switch {
	case err == nil:
	case errors.As(err, &unknown) && len(certs) == 1 && certs[0].CheckSignatureFrom(certs[0]) == nil:
		return &verifyError{code: 18, reason: "self-signed certificate"}
	case errors.As(err, &unknown) && len(certs) == 1:
		return &verifyError{code: 21, reason: "unable to verify the first certificate"}
	case errors.As(err, &unknown):
		return &verifyError{code: 20, reason: "unable to get local issuer certificate"}
	case errors.As(err, &invalid) && invalid.Reason == x509.Expired:
		return &verifyError{code: 10, reason: "certificate has expired"}
	default:
		return &verifyError{code: 79, reason: "invalid CA certificate"}
	}
	if name != "" && certs[0].VerifyHostname(name) != nil {
		return errHostMismatch
	}
	return nil
}

// handshakeError returns OpenResty's message for a failed handshake.
func handshakeError(err error) error {
	var v *verifyError
	switch {
	case err == nil:
		return ErrClosed // the request ended during the handshake
	case errors.As(err, &v):
		return v
	case errors.Is(err, errHostMismatch):
		return errHostMismatch
	case isTimeout(err):
		return ErrTimeout
	}
	return errHandshakeFailed
}
