package wasm

import (
	"encoding/binary"

	"github.com/moongate/moongate/host"
)

// noValue is the value length of an argument without "=" in the list
// encoding.
const noValue = 0xFFFFFFFF

// listEncoder writes the list encoding of ABI.md: count:u32, then each
// pair's key_len:u32 and value_len:u32, then the keys and values back to
// back, little-endian.
type listEncoder struct {
	b    []byte
	pair int // offset of the next pair's lengths
}

// newList starts a list of n pairs, reusing buf's space.
func newList(buf []byte, n int) listEncoder {
	b := append(buf[:0], make([]byte, 4+8*n)...)
	binary.LittleEndian.PutUint32(b, uint32(n))
	return listEncoder{b: b, pair: 4}
}

// lengths writes the next pair's lengths.
func (l *listEncoder) lengths(key int, value uint32) {
	binary.LittleEndian.PutUint32(l.b[l.pair:], uint32(key))
	binary.LittleEndian.PutUint32(l.b[l.pair+4:], value)
	l.pair += 8
}

// addArg appends an argument; one without "=" has no value.
func (l *listEncoder) addArg(a host.Arg) {
	if !a.HasValue {
		l.lengths(len(a.Key), noValue)
		l.b = append(l.b, a.Key...)
		return
	}
	l.lengths(len(a.Key), uint32(len(a.Value)))
	l.b = append(l.b, a.Key...)
	l.b = append(l.b, a.Value...)
}

// addHeader appends a header, its name in lower case if lower.
func (l *listEncoder) addHeader(h host.Header, lower bool) {
	l.lengths(len(h.Name), uint32(len(h.Value)))
	start := len(l.b)
	l.b = append(l.b, h.Name...)
	if lower {
		for i := start; i < len(l.b); i++ {
			if c := l.b[i]; 'A' <= c && c <= 'Z' {
				l.b[i] = c + 'a' - 'A'
			}
		}
	}
	l.b = append(l.b, h.Value...)
}

// argList encodes query or form arguments in the call's scratch space.
func (c *call) argList(args []host.Arg) []byte {
	l := newList(c.in.state.scratch, len(args))
	for _, a := range args {
		l.addArg(a)
	}
	c.in.state.scratch = l.b
	return l.b
}

// headerList encodes headers in the call's scratch space, names in lower
// case if lower.
func (c *call) headerList(hs []host.Header, lower bool) []byte {
	l := newList(c.in.state.scratch, len(hs))
	for _, h := range hs {
		l.addHeader(h, lower)
	}
	c.in.state.scratch = l.b
	return l.b
}
