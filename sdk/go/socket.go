package moongate

import (
	"math"
	"time"

	"github.com/moongate/moongate/abi"
)

// NoPort is the port of Connect and UDP for a host naming a unix socket,
// "unix:/path".
const NoPort = int(abi.NoPort)

// ConnectOptions are the options of Connect (tcpsock:connect's options
// table).
type ConnectOptions struct {
	// Pool names the keep-alive pool to take an idle connection from, and
	// to put this one back into (SetKeepalive); "" means "host:port" or
	// "unix:/path".
	Pool string
}

// Conn is a TCP or unix stream connection, a cosocket (ngx.socket.tcp),
// open from Connect until Close or SetKeepalive, or until the handler
// that connected it returns, when the host closes it: a Conn must not be
// kept across calls.
//
// Its methods wait without blocking the gateway: the request waits on
// its instance while other requests go on, and the wait does not count
// against the hook's time limit. They return OpenResty's errors, of class
// ErrFailed: "timeout", "closed", "connection refused"...
type Conn struct {
	handle int32
}

// UDPConn is a datagram socket with a peer, a UDP cosocket
// (ngx.socket.udp), open from UDP until Close, or until the handler that
// opened it returns, when the host closes it: a UDPConn must not be kept
// across calls. Its Receive waits as Conn's methods do.
type UDPConn struct {
	handle int32
}

// millis converts a duration to the whole milliseconds of an ABI argument,
// within an i32; negative stays negative (-1 for any negative), so that
// callers can pass a "default" marker through.
func millis(d time.Duration) int32 {
	if d < 0 {
		return -1
	}
	return int32(min(d.Milliseconds(), math.MaxInt32))
}

// i32 converts a count or size to an ABI argument, clamped to the i32
// range, so that a value out of it stays out of the host's range too.
func i32(n int) int32 {
	return int32(min(max(n, math.MinInt32), math.MaxInt32))
}
