//go:build wasip1

package moongate

// ReceiveUntil returns an iterator reading the stream up to each
// occurrence of pattern, which the parts it reads include when inclusive
// is set (tcpsock:receiveuntil(pattern, {inclusive = inclusive})). It
// reads nothing yet; an empty pattern fails with "pattern is empty".
func (c *Conn) ReceiveUntil(pattern string, inclusive bool) (*Until, error) {
	h := hostTCPReceiveUntil(c.handle, strPtr(pattern), size(pattern), boolArg(inclusive))
	if h < 0 {
		return nil, fail(h)
	}
	return &Until{conn: c, handle: h}, nil
}

// Read reads the next part of the stream, under the read timeout (Lua's
// iter(n)). With n 0 (or less) it returns the data up to the next
// occurrence of the pattern and consumes the pattern. With an n it
// returns at most about n bytes at a time, the last ones before the
// pattern, then an error matching ErrNotFound (Lua's nil, nil: this
// occurrence is reached), after which it reads on to the next one. On an
// error ("timeout", "closed") it returns the data it read before it, as
// Conn's receives do.
func (u *Until) Read(n int) ([]byte, error) {
	return u.conn.receive(func(b []byte) int32 { return hostTCPUntilRead(u.handle, i32(n), bytesPtr(b), size(b)) })
}

// SetOption sets a socket option (tcpsock:setoption): "keepalive",
// "reuseaddr" and "tcp-nodelay" are flags (0 clears, any other value
// sets), "sndbuf" and "rcvbuf" the kernel's buffer sizes in bytes.
func (c *Conn) SetOption(name string, value int) error {
	return check(hostTCPSetOption(c.handle, strPtr(name), size(name), i32(value)))
}
