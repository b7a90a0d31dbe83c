//go:build wasip1

package main

import (
	"time"

	moongate "github.com/moongate/moongate/sdk/go"
)

// The servers of the socket checks, whose ports the hook config gives:
// tcp_port and tls_port serve the gateway tests' scripted protocol (a line
// of tokens: "w:DATA" sends DATA, URL-unescaped; "c" closes), tls_port
// over TLS with a certificate for localhost from the config's
// lua.ssl_trusted_certificate; nothing listens on refused_port; udp_port
// sends each datagram back.
type socketConfig struct {
	TCP     int `json:"tcp_port"`
	TLS     int `json:"tls_port"`
	Refused int `json:"refused_port"`
	UDP     int `json:"udp_port"`
}

// connect connects to port on the loopback, recording tcp_connect's check;
// nil when it failed.
func (c *checks) connect(port int) *moongate.Conn {
	conn, err := moongate.Connect("127.0.0.1", port, nil)
	if !c.ok("tcp_connect", err) {
		return nil
	}
	return conn
}

// send sends the server a command line, recording tcp_send's check.
func (c *checks) send(conn *moongate.Conn, cmd string) {
	n, err := conn.Send([]byte(cmd))
	c.equal("tcp_send", n, len(cmd), err)
}

// checkSockets checks sleep and every tcp_* and udp_* function against
// the servers of the config (until.go has receiveuntil's and setoption's).
func checkSockets(c *checks) {
	var cfg socketConfig
	if err := moongate.Config(&cfg); err != nil || cfg.TCP == 0 || cfg.TLS == 0 || cfg.Refused == 0 || cfg.UDP == 0 {
		c.fail("tcp_connect", "no server ports in the config: %+v, %v", cfg, err)
		return
	}
	c.ok("sleep", moongate.Sleep(time.Millisecond))
	c.failsWith("sleep", moongate.Sleep(-time.Second), moongate.ErrBadArgument, `invalid sleep duration "-1"`)
	_, err := moongate.Connect("127.0.0.1", cfg.Refused, nil)
	c.failsWith("tcp_connect", err, moongate.ErrFailed, "connection refused")
	_, err = moongate.Connect("127.0.0.1", moongate.NoPort, nil)
	c.failsWith("tcp_connect", err, moongate.ErrFailed, "missing the port number")
	checkUDP(c, cfg.UDP)
	checkReceiveUntil(c, cfg.TCP)

	conn := c.connect(cfg.TCP)
	if conn == nil {
		return
	}
	c.ok("tcp_settimeouts", conn.SetTimeouts(2*time.Second, 2*time.Second, 2*time.Second))
	c.failsWith("tcp_settimeouts", conn.SetTimeouts(0, -time.Second, 0), moongate.ErrBadArgument, "bad timeout value")
	c.send(conn, "w:hello%0D%0Aworld%0A\n")
	line, err := conn.ReceiveLine()
	c.equal("tcp_receive", string(line), "hello", err)
	b, err := conn.Receive(3)
	c.equal("tcp_receive", string(b), "wor", err)
	b, err = conn.ReceiveAny(1)
	c.equal("tcp_receiveany", string(b), "l", err)
	_, err = conn.ReceiveAny(0)
	c.failsWith("tcp_receiveany", err, moongate.ErrBadArgument, "bad max argument")
	line, err = conn.ReceiveLine()
	c.equal("tcp_receive", string(line), "d", err)
	reused, err := conn.ReusedTimes()
	c.equal("tcp_getreusedtimes", reused, 0, err)
	c.ok("tcp_setkeepalive", conn.SetKeepalive(-1, 0))
	c.failsWith("tcp_setkeepalive", conn.SetKeepalive(-1, 0), moongate.ErrFailed, "closed")

	if conn = c.connect(cfg.TCP); conn == nil {
		return
	}
	reused, err = conn.ReusedTimes()
	c.equal("tcp_getreusedtimes", reused, 1, err)
	c.send(conn, "w:all%0A c\n")
	b, err = conn.ReceiveAll()
	c.equal("tcp_receive", string(b), "all\n", err)
	c.ok("tcp_close", conn.Close())
	c.failsWith("tcp_close", conn.Close(), moongate.ErrFailed, "closed")

	if conn = c.connect(cfg.TCP); conn == nil {
		return
	}
	c.send(conn, "w:part%0A c\n")
	b, err = conn.Receive(100)
	c.failsWith("tcp_receive", err, moongate.ErrFailed, "closed")
	c.equal("tcp_received", string(b), "part\n", nil)
	conn.Close()

	if conn = c.connect(cfg.TLS); conn == nil {
		return
	}
	c.ok("tcp_sslhandshake", conn.SSLHandshake("localhost", true))
	c.send(conn, "w:secret%0A\n")
	line, err = conn.ReceiveLine()
	c.equal("tcp_receive", string(line), "secret", err)
	conn.Close()
	if conn = c.connect(cfg.TLS); conn == nil {
		return
	}
	c.failsWith("tcp_sslhandshake", conn.SSLHandshake("example.com", true), moongate.ErrFailed, "certificate host mismatch")
}

// checkUDP checks every udp_* function against the UDP echo server at
// port.
func checkUDP(c *checks, port int) {
	_, err := moongate.UDP("127.0.0.1", 70000)
	c.failsWith("udp_setpeername", err, moongate.ErrFailed, "bad port number: 70000")
	u, err := moongate.UDP("127.0.0.1", port)
	if !c.ok("udp_setpeername", err) {
		return
	}
	c.ok("udp_settimeout", u.SetTimeout(2*time.Second))
	c.failsWith("udp_settimeout", u.SetTimeout(-time.Second), moongate.ErrBadArgument, "bad timeout value")
	c.ok("udp_send", u.Send([]byte("ping")))
	b, err := u.Receive(0)
	c.equal("udp_receive", string(b), "ping", err)
	c.ok("udp_send", u.Send([]byte("abcdef")))
	b, err = u.Receive(3)
	c.equal("udp_receive", string(b), "abc", err)
	c.ok("udp_settimeout", u.SetTimeout(10*time.Millisecond))
	_, err = u.Receive(0)
	c.failsWith("udp_receive", err, moongate.ErrFailed, "timeout")
	c.ok("udp_close", u.Close())
	c.failsWith("udp_close", u.Close(), moongate.ErrFailed, "closed")
	c.failsWith("udp_send", u.Send([]byte("x")), moongate.ErrFailed, "closed")
}

// checkSocketsDenied checks that sleep, tcp_connect and udp_setpeername
// are refused in the current phase.
func checkSocketsDenied(c *checks) {
	c.denied("sleep", moongate.Sleep(0))
	_, err := moongate.Connect("127.0.0.1", 1, nil)
	c.denied("tcp_connect", err)
	_, err = moongate.UDP("127.0.0.1", 1)
	c.denied("udp_setpeername", err)
}
