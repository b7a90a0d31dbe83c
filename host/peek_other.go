//go:build !unix

package host

import (
	"errors"
	"net"
)

// pending cannot look at a connection without reading it on this system:
// an idle connection is taken for sound, and a dead one shows at its
// first use.
func pending(net.Conn) peerState { return peerQuiet }

// setsockoptInt is not supported on this system.
func setsockoptInt(uintptr, int, int, int) error {
	return errors.New("socket options are not supported on this system")
}
