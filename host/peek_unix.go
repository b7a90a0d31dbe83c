//go:build unix

package host

import (
	"crypto/tls"
	"net"
	"syscall"
)

// pending looks, without waiting or consuming anything, at what the peer
// of c did, as nginx does before keeping a connection alive.
func pending(c net.Conn) peerState {
	if tc, ok := c.(*tls.Conn); ok {
		c = tc.NetConn()
	}
	sc, ok := c.(syscall.Conn)
	if !ok {
		return peerQuiet
	}
	rc, err := sc.SyscallConn()
	if err != nil {
		return peerClosed
	}
	var (
		n    int
		rerr error
		buf  [1]byte
	)
	if err := rc.Read(func(fd uintptr) bool {
		n, _, rerr = syscall.Recvfrom(int(fd), buf[:], syscall.MSG_PEEK|syscall.MSG_DONTWAIT)
		return true
	}); err != nil {
		return peerClosed
	}
	switch {
	case rerr == syscall.EAGAIN || rerr == syscall.EWOULDBLOCK:
		return peerQuiet
	case rerr == nil && n > 0:
		return peerSent
	}
	return peerClosed
}

// setsockoptInt sets an integer socket option on fd.
func setsockoptInt(fd uintptr, level, opt, v int) error {
	return syscall.SetsockoptInt(int(fd), level, opt, v)
}
