package host

import (
	"context"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/tls"
	"crypto/x509"
	"crypto/x509/pkix"
	"errors"
	"io"
	"math/big"
	"net"
	"os"
	"syscall"
	"testing"
	"time"
)

func TestParsePeer(t *testing.T) {
	tests := []struct {
		host    string
		port    int
		network string
		addr    string
		key     string
		err     string
	}{
		{host: "127.0.0.1", port: 80, network: "tcp", addr: "127.0.0.1:80", key: "127.0.0.1:80"},
		{host: "example.com", port: 6379, network: "tcp", addr: "example.com:6379", key: "example.com:6379"},
		{host: "[::1]", port: 80, network: "tcp", addr: "[::1]:80", key: "[::1]:80"},
		{host: "[::1]:81", port: 80, network: "tcp", addr: "[::1]:81", key: "[::1]:81:80"},
		{host: "127.0.0.1:81", port: 80, network: "tcp", addr: "127.0.0.1:81", key: "127.0.0.1:81:80"},
		{host: "unix:/tmp/s.sock", port: NoPort, network: "unix", addr: "/tmp/s.sock", key: "unix:/tmp/s.sock"},
		{host: "UNIX:/tmp/s.sock", port: 80, network: "unix", addr: "/tmp/s.sock", key: "UNIX:/tmp/s.sock:80"},
		{host: "unix:", port: NoPort, err: `failed to parse host name "unix:": no path in the unix domain socket`},
		{host: "127.0.0.1", port: NoPort, err: "missing the port number"},
		{host: "127.0.0.1", port: 65536, err: "bad port number: 65536"},
		{host: "127.0.0.1", port: -1, err: "bad port number: -1"},
		{host: "::1", port: 80, err: `failed to parse host name "::1": invalid port`},
		{host: "host:x", port: 80, err: `failed to parse host name "host:x": invalid port`},
		{host: "[::1", port: 80, err: `failed to parse host name "[::1": invalid IPv6 address`},
		{host: ":80", port: 80, err: `failed to parse host name ":80": no host`},
	}
	for _, tt := range tests {
		t.Run(tt.host, func(t *testing.T) {
			p, err := parsePeer(tt.host, tt.port, true)
			switch {
			case tt.err != "":
				if err == nil || err.Error() != tt.err {
					t.Fatalf("error %v, want %q", err, tt.err)
				}
			case err != nil:
				t.Fatal(err)
			case p.network != tt.network || p.addr != tt.addr || p.key != tt.key:
				t.Errorf("got %+v, want %s %s key %s", p, tt.network, tt.addr, tt.key)
			}
		})
	}
}

func TestSocketError(t *testing.T) {
	tests := []struct {
		err  error
		want string
	}{
		{io.EOF, "closed"},
		{net.ErrClosed, "closed"},
		{os.ErrDeadlineExceeded, "timeout"},
		{context.DeadlineExceeded, "timeout"},
		{&net.OpError{Op: "dial", Err: os.NewSyscallError("connect", syscall.ECONNREFUSED)}, "connection refused"},
		{&net.OpError{Op: "read", Err: os.NewSyscallError("read", syscall.ECONNRESET)}, "connection reset by peer"},
		{errors.New("odd"), "error"},
	}
	for _, tt := range tests {
		t.Run(tt.want, func(t *testing.T) {
			if got := socketError(tt.err).Error(); got != tt.want {
				t.Errorf("socketError(%v) = %q, want %q", tt.err, got, tt.want)
			}
		})
	}
}

// connected returns a socket connected to a server that writes data and
// closes its writing side, with a 2 s timeout.
func connected(t *testing.T, data string) *TCPSocket {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { ln.Close() })
	go func() {
		c, err := ln.Accept()
		if err != nil {
			return
		}
		c.Write([]byte(data))
		c.(*net.TCPConn).CloseWrite()
		io.Copy(io.Discard, c)
		c.Close()
	}()
	s := NewTCPSocket(nil, &SocketOptions{ReadTimeout: 2 * time.Second})
	job, err := s.Connect("127.0.0.1", ln.Addr().(*net.TCPAddr).Port, ConnectOptions{})
	if err != nil {
		t.Fatal(err)
	}
	if err := job(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(s.Abort)
	return s
}

// outcome runs a read job and returns its data and, after a "|", its
// error; nil data with no error is "<done>".
func outcome(job func() ([]byte, error), err error) string {
	if err != nil {
		return "|" + err.Error()
	}
	data, err := job()
	switch {
	case err != nil:
		return string(data) + "|" + err.Error()
	case data == nil:
		return "<done>"
	}
	return string(data)
}

func TestReceiveUntil(t *testing.T) {
	tests := []struct {
		name      string
		stream    string
		pattern   string
		inclusive bool
		size      int
		want      []string // data, or "data|error" for a failed read
	}{
		{name: "plain", stream: "a--b--", pattern: "--", want: []string{"a", "b", "|closed"}},
		{name: "partial prefix at the end", stream: "ab-", pattern: "--", want: []string{"ab|closed"}},
		{name: "self-overlapping", stream: "aaab", pattern: "aab", want: []string{"a", "|closed"}},
		{name: "prefix repeats", stream: "xabababcz", pattern: "ababc", want: []string{"xab", "z|closed"}},
		{name: "prefix falls back to a shorter one", stream: "abaabab", pattern: "abab", want: []string{"aba", "|closed"}},
		{name: "inclusive", stream: "a--b", pattern: "--", inclusive: true, want: []string{"a--", "b|closed"}},
		{name: "sized", stream: "abcdefg--h", pattern: "--", size: 3, want: []string{"abc", "def", "g", "<done>", "h|closed"}},
		{name: "sized at the pattern", stream: "abc--", pattern: "--", size: 3, want: []string{"abc", "", "<done>", "|closed"}},
		{name: "sized inclusive", stream: "ab--c", pattern: "--", size: 4, inclusive: true, want: []string{"ab--", "<done>", "c|closed"}},
		{name: "sized flushes a false prefix", stream: "a-b--", pattern: "--", size: 1, want: []string{"a", "-", "b", "", "<done>"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			s := connected(t, tt.stream)
			u, err := s.ReceiveUntil(tt.pattern, tt.inclusive)
			if err != nil {
				t.Fatal(err)
			}
			for i, want := range tt.want {
				if got := outcome(u.Read(tt.size)); got != want {
					t.Fatalf("read %d: %q, want %q", i, got, want)
				}
			}
		})
	}
}

func TestReceive(t *testing.T) {
	tests := []struct {
		name    string
		stream  string
		pattern ReadPattern
		want    []string // data, or "data|error"
	}{
		{name: "lines", stream: "a\r\nb\r\r\nc\rd\n\nlast", pattern: ReadLine, want: []string{"a", "b", "cd", "", "last|closed", "|closed"}},
		{name: "all", stream: "abc", pattern: ReadAll, want: []string{"abc", "", ""}},
		{name: "sizes", stream: "abcdefg", pattern: 3, want: []string{"abc", "def", "g|closed"}},
		{name: "zero", stream: "", pattern: 0, want: []string{"", ""}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			s := connected(t, tt.stream)
			for i, want := range tt.want {
				if got := outcome(s.Receive(tt.pattern)); got != want && !(got == "<done>" && want == "") {
					t.Fatalf("read %d: %q, want %q", i, got, want)
				}
			}
		})
	}
}

func TestLongLine(t *testing.T) {
	long := string(make([]byte, 3*DefaultSocketBufferSize))
	s := connected(t, long+"\n")
	if got := outcome(s.Receive(ReadLine)); got != long {
		t.Errorf("got %d bytes, want %d", len(got), len(long))
	}
}

func TestBusy(t *testing.T) {
	s := connected(t, "")
	job, err := s.Receive(ReadAll)
	if err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		name string
		err  error
	}{
		{"receive", second(s.Receive(ReadLine))},
		{"receiveany", second(s.ReceiveAny(1))},
		{"close", s.Close()},
		{"setkeepalive", s.SetKeepalive(0, 1)},
		{"sslhandshake", second(s.SSLHandshake(nil, "", false))},
		{"connect", second(s.Connect("127.0.0.1", 1, ConnectOptions{}))},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if tt.err != ErrBusyReading {
				t.Errorf("got %v, want %v", tt.err, ErrBusyReading)
			}
		})
	}
	if _, err := s.Send([]byte("x")); err != nil {
		t.Errorf("send while reading: %v", err)
	}
	job()
}

// second returns the error of a method that returns a job.
func second[T any](_ T, err error) error { return err }

func TestVerifyPeer(t *testing.T) {
	ca, caKey := testCert(t, nil, nil, "ca", time.Hour)
	leaf, _ := testCert(t, ca, caKey, "localhost", time.Hour)
	expired, _ := testCert(t, ca, caKey, "localhost", -time.Hour)
	self, _ := testCert(t, nil, nil, "localhost", time.Hour)
	roots := x509.NewCertPool()
	roots.AddCert(ca)
	tests := []struct {
		name  string
		chain []*x509.Certificate
		host  string
		want  string
	}{
		{"trusted", []*x509.Certificate{leaf}, "localhost", ""},
		{"trusted without a name", []*x509.Certificate{leaf}, "", ""},
		{"host mismatch", []*x509.Certificate{leaf}, "example.com", "certificate host mismatch"},
		{"expired", []*x509.Certificate{expired}, "localhost", "10: certificate has expired"},
		{"self-signed", []*x509.Certificate{self}, "localhost", "18: self-signed certificate"},
		{"unknown issuer", []*x509.Certificate{leaf}, "localhost", "21: unable to verify the first certificate"},
		{"unknown root", []*x509.Certificate{leaf, ca}, "localhost", "20: unable to get local issuer certificate"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			pool := roots
			if tt.name == "unknown issuer" || tt.name == "unknown root" {
				pool = x509.NewCertPool()
			}
			err := verifyPeer(tls.ConnectionState{PeerCertificates: tt.chain}, pool, tt.host)
			got := ""
			if err != nil {
				got = err.Error()
			}
			if got != tt.want {
				t.Errorf("got %q, want %q", got, tt.want)
			}
		})
	}
}

// testCert returns a certificate for name signed by parent (nil: itself,
// as a CA), valid for validity from now (negative: expired).
func testCert(t *testing.T, parent *x509.Certificate, parentKey *ecdsa.PrivateKey, name string, validity time.Duration) (*x509.Certificate, *ecdsa.PrivateKey) {
	t.Helper()
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	tmpl := &x509.Certificate{
		SerialNumber: big.NewInt(time.Now().UnixNano()), Subject: pkix.Name{CommonName: name},
		NotBefore: time.Now().Add(-2 * time.Hour), NotAfter: time.Now().Add(validity),
		DNSNames: []string{name},
	}
	if parent == nil {
		tmpl.IsCA, tmpl.BasicConstraintsValid, tmpl.KeyUsage = true, true, x509.KeyUsageCertSign
		parent, parentKey = tmpl, key
	}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, parent, &key.PublicKey, parentKey)
	if err != nil {
		t.Fatal(err)
	}
	cert, err := x509.ParseCertificate(der)
	if err != nil {
		t.Fatal(err)
	}
	return cert, key
}
