package proxy

import (
	"errors"
	"fmt"
	"math"
	"net"
	"strconv"
	"strings"
	"sync/atomic"
	"time"

	"github.com/valyala/fasthttp"
)

// Defaults used for zero Options fields.
const (
	// DefaultTimeout is the connect, send and read timeout when none is set
	// (nginx's proxy_connect_timeout, proxy_send_timeout and
	// proxy_read_timeout all default to 60s).
	DefaultTimeout = 60 * time.Second
	// DefaultKeepaliveConns is the idle connection cap when none is set.
	DefaultKeepaliveConns = 32
	// DefaultBufferSize is the largest body read whole when none is set.
	DefaultBufferSize = 64 << 10
	// IdleTimeout is how long an idle keep-alive connection is kept
	// (nginx's upstream keepalive_timeout default).
	IdleTimeout = 60 * time.Second
)

// headerBufferSize is the per-connection read buffer, which bounds the size
// of the upstream's response header (nginx: proxy_buffer_size).
const headerBufferSize = 16 << 10

// Options configure one upstream. Zero fields take the defaults above.
type Options struct {
	// ConnectTimeout bounds establishing a connection; SendTimeout and
	// ReadTimeout bound each write and each read, that is the gap between two
	// successive operations, as in nginx (not the whole request or response).
	ConnectTimeout, SendTimeout, ReadTimeout time.Duration
	// PreserveHost sends the client's Host header instead of the upstream's
	// host[:port] (nginx's default is $proxy_host).
	PreserveHost bool
	// ForwardedHeaders adds X-Forwarded-For (the client IP appended to the
	// client's own X-Forwarded-For), X-Real-IP, X-Forwarded-Proto and
	// X-Forwarded-Host, replacing any the client sent.
	ForwardedHeaders bool
	// KeepaliveConns is the maximum number of idle connections kept per
	// upstream; 0 means DefaultKeepaliveConns and a negative value disables
	// keep-alive (every request gets a new connection and "Connection: close").
	// Busy connections are not limited, as in nginx.
	KeepaliveConns int
	// BufferSize: responses whose body is at most BufferSize bytes, with a
	// known Content-Length, are read whole; others stream.
	BufferSize int
}

// withDefaults returns o with zero fields replaced by the defaults.
func (o Options) withDefaults() Options {
	for _, d := range []*time.Duration{&o.ConnectTimeout, &o.SendTimeout, &o.ReadTimeout} {
		if *d <= 0 {
			*d = DefaultTimeout
		}
	}
	if o.KeepaliveConns == 0 {
		o.KeepaliveConns = DefaultKeepaliveConns
	}
	if o.BufferSize <= 0 {
		o.BufferSize = DefaultBufferSize
	}
	return o
}

// Upstream is one parsed proxy_pass target; safe for concurrent use; owns its
// connection pool.
type Upstream struct {
	opts       Options
	addr       string // host:port to dial
	hostHeader string // $proxy_host: host, with ":port" unless the port is 80
	uri        string // the proxy_pass URI part, "" if none
	hasURI     bool
	dialer     net.Dialer
	hc         *fasthttp.HostClient
	closed     atomic.Bool
}

// New parses proxy_pass: "http://host[:port][/uri]". The port defaults to 80;
// an https URL is refused ("https upstreams are not supported yet").
func New(proxyPass string, opts Options) (*Upstream, error) {
	host, port, uri, err := parseProxyPass(proxyPass)
	if err != nil {
		return nil, fmt.Errorf("proxy_pass %q: %w", proxyPass, err)
	}
	u := &Upstream{
		opts:       opts.withDefaults(),
		addr:       net.JoinHostPort(host, port),
		hostHeader: net.JoinHostPort(host, port),
		uri:        uri,
		hasURI:     uri != "",
	}
	if port == "80" {
		u.hostHeader = host
		if strings.IndexByte(host, ':') >= 0 {
			u.hostHeader = "[" + host + "]"
		}
	}
	u.dialer.Timeout = u.opts.ConnectTimeout
	u.hc = &fasthttp.HostClient{
		Addr:                u.addr,
		Dial:                u.dial,
		MaxConns:            math.MaxInt32, // nginx does not limit busy connections by default
		MaxIdleConnDuration: IdleTimeout,
		ConnPoolStrategy:    fasthttp.LIFO, // spare idle connections age out
		ReadBufferSize:      headerBufferSize,
	}
	return u, nil
}

// parseProxyPass splits "http://host[:port][/uri]" into its parts; the
// host has no brackets and port is "80" when absent.
func parseProxyPass(s string) (host, port, uri string, err error) {
	for i := 0; i < len(s); i++ {
		if s[i] <= ' ' || s[i] == 0x7f {
			return "", "", "", fmt.Errorf("invalid character %q at offset %d", s[i], i)
		}
	}
	const scheme = "http://"
	switch {
	case len(s) >= len("https://") && strings.EqualFold(s[:len("https://")], "https://"):
		return "", "", "", errors.New("https upstreams are not supported yet")
	case len(s) < len(scheme) || !strings.EqualFold(s[:len(scheme)], scheme):
		return "", "", "", errors.New(`invalid URL prefix: want "http://"`)
	}
	authority := s[len(scheme):]
	if i := strings.IndexByte(authority, '/'); i >= 0 {
		authority, uri = authority[:i], authority[i:]
	}
	if strings.IndexByte(authority, '@') >= 0 {
		return "", "", "", errors.New("user info in proxy_pass is not supported")
	}
	host, port = authority, "80"
	if i := strings.LastIndexByte(authority, ':'); i > strings.LastIndexByte(authority, ']') {
		if host, port, err = net.SplitHostPort(authority); err != nil {
			return "", "", "", err
		}
		if n, err := strconv.Atoi(port); err != nil || n < 1 || n > 65535 {
			return "", "", "", fmt.Errorf("invalid port %q", port)
		}
	} else if strings.HasPrefix(host, "[") && strings.HasSuffix(host, "]") {
		host = host[1 : len(host)-1]
	}
	if host == "" {
		return "", "", "", errors.New("no host")
	}
	return host, port, uri, nil
}

// HasURI reports whether proxy_pass had a URI part (even just "/").
func (u *Upstream) HasURI() bool { return u.hasURI }

// Addr is "host:port" (for $upstream_addr when no resolution detail is
// known; after a request use Result.Addr).
func (u *Upstream) Addr() string { return u.addr }

// Close releases idle connections. Connections busy at that moment are closed
// when their exchange ends instead of returning to the pool.
func (u *Upstream) Close() {
	u.closed.Store(true)
	u.hc.CloseIdleConnections()
}

// dial opens a connection to addr (the HostClient's Addr) within the connect
// timeout.
func (u *Upstream) dial(addr string) (net.Conn, error) {
	c, err := u.dialer.Dial("tcp", addr)
	if err != nil {
		return nil, err
	}
	return &conn{
		Conn:         c,
		readTimeout:  u.opts.ReadTimeout,
		writeTimeout: u.opts.SendTimeout,
		peer:         c.RemoteAddr().String(),
	}, nil
}

// idlePool is the part of *fasthttp.HostClient that takes a connection back.
// C is fasthttp's unexported connection type, which Go infers from the value
// AcquireConn returned.
type idlePool[C any] interface {
	ReleaseConn(cc C)
	CloseConn(cc C)
	IdleConnsCount() int
}

// putConn returns cc to p, u's pool, when reuse is true, u is open and fewer
// than KeepaliveConns connections are idle; otherwise it closes cc.
func putConn[C any](u *Upstream, p idlePool[C], cc C, reuse bool) {
	if reuse && !u.closed.Load() && p.IdleConnsCount() < u.opts.KeepaliveConns {
		p.ReleaseConn(cc)
		return
	}
	p.CloseConn(cc)
}
