package proxy

import (
	"net"
	"time"
)

// conn is an upstream connection as the pool holds it. Each read and each
// write gets its own deadline, since nginx's proxy_read_timeout and
// proxy_send_timeout time the gap between two successive operations, and it
// keeps what an exchange needs to know about the connection.
//
// A conn is used by one exchange at a time; the pool hands it over under a
// lock, so its fields need no synchronisation.
type conn struct {
	net.Conn
	readTimeout, writeTimeout time.Duration

	peer     string // remote ip:port, for Result.Addr and error messages
	requests int    // exchanges started on this connection
	read     int    // bytes read during the current exchange
	err      error  // first read or write error: the cause behind what fasthttp reports
}

// begin starts an exchange on c and reports whether c was used before.
func (c *conn) begin() (reused bool) {
	reused = c.requests > 0
	c.requests++
	c.read = 0
	return reused
}

// Read reads with a fresh read deadline.
func (c *conn) Read(p []byte) (int, error) {
	if err := c.Conn.SetReadDeadline(time.Now().Add(c.readTimeout)); err != nil {
		return 0, c.fail(err)
	}
	n, err := c.Conn.Read(p)
	c.read += n
	if err != nil {
		c.fail(err)
	}
	return n, err
}

// Write writes with a fresh write deadline.
func (c *conn) Write(p []byte) (int, error) {
	if err := c.Conn.SetWriteDeadline(time.Now().Add(c.writeTimeout)); err != nil {
		return 0, c.fail(err)
	}
	n, err := c.Conn.Write(p)
	if err != nil {
		c.fail(err)
	}
	return n, err
}

// fail records err as c's error unless one is recorded, and returns it.
func (c *conn) fail(err error) error {
	if c.err == nil {
		c.err = err
	}
	return err
}

// cause returns the error that explains err, a failure seen through fasthttp
// or bufio on c: c's own I/O error when there is one, since fasthttp reports
// any failure on the first response byte as io.EOF and any timeout as its
// ErrTimeout.
func (c *conn) cause(err error) error {
	if c.err != nil {
		return c.err
	}
	return err
}
