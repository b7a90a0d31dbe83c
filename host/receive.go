package host

import (
	"bufio"
	"bytes"
	"errors"
	"io"
	"time"
)

// ReadPattern says what TCPSocket.Receive reads: ReadLine, ReadAll, or a
// byte count (any value >= 0).
type ReadPattern int

// The patterns of tcpsock:receive.
const (
	ReadLine ReadPattern = -1 // "*l": a line, without its LF and any CR
	ReadAll  ReadPattern = -2 // "*a": everything up to the end of the stream
)

// maxPrealloc bounds what a read allocates before data arrives.
const maxPrealloc = 64 << 10

// read runs one read operation f on the reader of the socket, under the
// read timeout, and ends it. f returns the data and the raw error; the
// job returns the data, or, with OpenResty's error, the data read before
// it (the partial result).
func (s *TCPSocket) read(f func(br *bufio.Reader) ([]byte, error)) (func() ([]byte, error), error) {
	c, br, timeout, err := s.start(opRead)
	if err != nil {
		return nil, err
	}
	return func() ([]byte, error) {
		c.SetReadDeadline(time.Now().Add(timeout))
		data, err := f(br)
		return data, s.finish(opRead, c, err)
	}, nil
}

// Receive starts reading by pattern p (tcpsock:receive).
func (s *TCPSocket) Receive(p ReadPattern) (func() ([]byte, error), error) {
	switch p {
	case ReadLine:
		return s.read(readLine)
	case ReadAll:
		return s.read(readAll)
	}
	return s.read(func(br *bufio.Reader) ([]byte, error) { return readN(br, int(p)) })
}

// ReceiveAny starts reading what arrives, at most max bytes and at most a
// buffer's worth (tcpsock:receiveany).
func (s *TCPSocket) ReceiveAny(max int) (func() ([]byte, error), error) {
	return s.read(func(br *bufio.Reader) ([]byte, error) {
		if br.Buffered() == 0 {
			if _, err := br.Peek(1); err != nil {
				return nil, err
			}
		}
		return take(nil, br, min(max, br.Buffered())), nil
	})
}

// take appends n buffered bytes of br to out.
func take(out []byte, br *bufio.Reader, n int) []byte {
	b, _ := br.Peek(n)
	out = append(out, b...)
	br.Discard(n)
	return out
}

// fill waits until br has data.
func fill(br *bufio.Reader) error {
	if br.Buffered() > 0 {
		return nil
	}
	_, err := br.Peek(1)
	return err
}

func readN(br *bufio.Reader, n int) ([]byte, error) {
	out := make([]byte, 0, min(n, maxPrealloc))
	for len(out) < n {
		if err := fill(br); err != nil {
			return out, err
		}
		out = take(out, br, min(n-len(out), br.Buffered()))
	}
	return out, nil
}

func readAll(br *bufio.Reader) ([]byte, error) {
	var out []byte
	for {
		if err := fill(br); err != nil {
			if errors.Is(err, io.EOF) {
				return out, nil
			}
			return out, err
		}
		out = take(out, br, br.Buffered())
	}
}

func readLine(br *bufio.Reader) ([]byte, error) {
	var out []byte
	for {
		chunk, err := br.ReadSlice('\n')
		line := chunk
		if err == nil {
			line = chunk[:len(chunk)-1]
		}
		for len(line) > 0 {
			i := bytes.IndexByte(line, '\r')
			if i < 0 {
				out = append(out, line...)
				break
			}
			out = append(out, line[:i]...)
			line = line[i+1:]
		}
		switch {
		case err == nil:
			return out, nil
		case err != bufio.ErrBufferFull:
			return out, err
		}
	}
}

// Until is the iterator of tcpsock:receiveuntil: it reads the stream up to
// each occurrence of a pattern.
type Until struct {
	s         *TCPSocket
	pat       []byte
	fail      []int // KMP failure function of pat
	inclusive bool
	state     int  // bytes of pat matched at the end of what was read
	ended     bool // a sized read found the pattern: the next read says so
}

// ReceiveUntil returns an iterator reading up to pattern, which it
// includes in what it returns when inclusive is set
// (tcpsock:receiveuntil).
func (s *TCPSocket) ReceiveUntil(pattern string, inclusive bool) (*Until, error) {
	if pattern == "" {
		return nil, ErrPatternEmpty
	}
	pat := []byte(pattern)
	fail := make([]int, len(pat))
	for i, k := 1, 0; i < len(pat); i++ {
		for k > 0 && pat[i] != pat[k] {
			k = fail[k-1]
		}
		if pat[i] == pat[k] {
			k++
		}
		fail[i] = k
	}
	return &Until{s: s, pat: pat, fail: fail, inclusive: inclusive}, nil
}

// Read starts the next read of the iterator. With size 0 (or less) the
// job returns the data up to the next pattern. With a size it returns at
// most about size bytes at a time (more when bytes that looked like the
// start of the pattern turn out not to be), the last ones before the
// pattern, then done: a nil slice with a nil error, after which the
// iterator reads on to the next pattern. A pattern prefix pending at the
// end of the stream or at a timeout is not part of the partial result.
func (u *Until) Read(size int) (func() ([]byte, error), error) {
	return u.s.read(func(br *bufio.Reader) ([]byte, error) {
		if size > 0 && u.ended {
			u.ended = false
			return nil, nil
		}
		out := []byte{}
		for size <= 0 || len(out) < size {
			if err := fill(br); err != nil {
				return out, err
			}
			if u.state == 0 {
				buf, _ := br.Peek(br.Buffered())
				n := bytes.IndexByte(buf, u.pat[0])
				if n < 0 {
					n = len(buf)
				}
				if size > 0 {
					n = min(n, size-len(out))
				}
				if n > 0 {
					out = take(out, br, n)
					continue
				}
			}
			next, _ := br.Peek(1)
			c := next[0]
			for u.state > 0 && c != u.pat[u.state] {
				k := u.fail[u.state-1]
				out = append(out, u.pat[:u.state-k]...)
				u.state = k
			}
			if size > 0 && len(out) >= size {
				return out, nil // c is read next time
			}
			br.Discard(1)
			if c != u.pat[u.state] {
				out = append(out, c)
				continue
			}
			if u.state++; u.state == len(u.pat) {
				u.state = 0
				u.ended = size > 0
				if u.inclusive {
					out = append(out, u.pat...)
				}
				return out, nil
			}
		}
		return out, nil
	})
}
