//go:build wasip1

package main

import moongate "github.com/moongate/moongate/sdk/go"

// checkReceiveUntil checks tcp_receiveuntil, tcp_until_read and
// tcp_setoption against the scripted server at port.
func checkReceiveUntil(c *checks, port int) {
	conn := c.connect(port)
	if conn == nil {
		return
	}
	c.ok("tcp_setoption", conn.SetOption("tcp-nodelay", 1))
	c.ok("tcp_setoption", conn.SetOption("sndbuf", 65536))
	c.failsWith("tcp_setoption", conn.SetOption("nagle", 1), moongate.ErrFailed, "unsupported option nagle")
	_, err := conn.ReceiveUntil("", false)
	c.failsWith("tcp_receiveuntil", err, moongate.ErrFailed, "pattern is empty")

	c.send(conn, "w:ab--cd--efg--tail c\n")
	it, err := conn.ReceiveUntil("--", false)
	if !c.ok("tcp_receiveuntil", err) {
		conn.Close()
		return
	}
	b, err := it.Read(0)
	c.equal("tcp_until_read", string(b), "ab", err)
	inclusive, err := conn.ReceiveUntil("--", true)
	if c.ok("tcp_receiveuntil", err) {
		b, err = inclusive.Read(0)
		c.equal("tcp_until_read", string(b), "cd--", err)
	}
	// Sized reads: the parts, then the end of this occurrence.
	b, err = it.Read(2)
	c.equal("tcp_until_read", string(b), "ef", err)
	b, err = it.Read(2)
	c.equal("tcp_until_read", string(b), "g", err)
	_, err = it.Read(2)
	c.failsWith("tcp_until_read", err, moongate.ErrNotFound, "the pattern was reached")
	// The stream ends before the next occurrence: the partial data.
	b, err = it.Read(0)
	c.failsWith("tcp_until_read", err, moongate.ErrFailed, "closed")
	c.equal("tcp_received", string(b), "tail", nil)
	conn.Close()
	c.failsWith("tcp_setoption", conn.SetOption("keepalive", 1), moongate.ErrFailed, "closed")
}
