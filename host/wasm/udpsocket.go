package wasm

import (
	"github.com/moongate/moongate/host"
)

// The datagram functions of ABI.md ("Waiting: sleep and TCP cosockets"):
// ngx.socket.udp over host.UDPSocket. A udp_setpeername gives a handle
// into the running call's datagram sockets, a list apart from the TCP
// sockets', closed with them when the export call returns.

// udpConn is a datagram socket of the running call.
type udpConn struct {
	sock *host.UDPSocket
	// held is a datagram the last udp_receive read but could not write
	// to the guest's buffer; the next udp_receive returns it.
	held []byte
}

// udp returns the datagram socket of the handle in argument i.
func (c *call) udp(i int) (*udpConn, error) {
	return handleOf(c, i, c.in.state.udps, "socket")
}

// udpSetPeerName is udp_setpeername(host, port): a new datagram socket
// whose peer is host and port, or the unix socket host with abi.NoPort.
func udpSetPeerName(c call) (int32, error) {
	addr, err := c.string(0)
	if err != nil {
		return 0, err
	}
	if c.r.SocketOptions == nil {
		return 0, errNoSockets
	}
	sock := host.NewUDPSocket(c.r.SocketOptions)
	if err := c.await(sock.SetPeerName(addr, c.port(2))); err != nil {
		return 0, err
	}
	st := &c.in.state
	st.udps = append(st.udps, &udpConn{sock: sock})
	return int32(len(st.udps) - 1), nil
}

// udpSend is udp_send(h, data): data as one datagram.
func udpSend(c call) (int32, error) {
	u, err := c.udp(0)
	if err != nil {
		return 0, err
	}
	data, err := c.bytes(1)
	if err != nil {
		return 0, err
	}
	return 0, socketErr(u.sock.Send(data))
}

// udpReceive is udp_receive(h, size, buf): one datagram, at most size
// bytes (0 or less: host.MaxDatagram). A datagram the buffer cannot hold
// is held, and the next call returns it without waiting: the buffer
// protocol's second call.
func udpReceive(c call) (int32, error) {
	u, err := c.udp(0)
	if err != nil {
		return 0, err
	}
	if _, err := c.buffer(2, 0); err != nil { // a bad buffer fails before reading
		return 0, err
	}
	data := u.held
	u.held = nil
	if data == nil {
		job, err := u.sock.Receive(int(c.i32(1)))
		if err != nil {
			return 0, socketErr(err)
		}
		c.in.waiting(func() { data, err = job() })
		if err != nil {
			return 0, err
		}
	}
	return deliver(c, 2, data, &u.held)
}

// udpSetTimeout is udp_settimeout(h, ms): the receive timeout; 0 goes back
// to the config's read timeout.
func udpSetTimeout(c call) (int32, error) {
	u, err := c.udp(0)
	if err != nil {
		return 0, err
	}
	d, err := c.msArg(1)
	if err != nil {
		return 0, err
	}
	u.sock.SetTimeout(d)
	return 0, nil
}

// udpClose is udp_close(h).
func udpClose(c call) (int32, error) {
	u, err := c.udp(0)
	if err != nil {
		return 0, err
	}
	u.held = nil
	return 0, u.sock.Close()
}
