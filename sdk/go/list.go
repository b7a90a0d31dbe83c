package moongate

import (
	"encoding/binary"
	"errors"
	"strconv"
	"strings"
)

// Arg is one query or form argument. An argument without "=" (Lua's true)
// has HasValue false.
type Arg struct {
	Key, Value string
	HasValue   bool
}

// Args are query or form arguments in the order they came, repeated keys
// repeated.
type Args []Arg

// Get returns the value of the first argument named key, and whether there
// is one ("" for an argument without a value).
func (a Args) Get(key string) (string, bool) {
	for _, arg := range a {
		if arg.Key == key {
			return arg.Value, true
		}
	}
	return "", false
}

// Values returns the values of every argument named key, in order.
func (a Args) Values(key string) []string {
	var vals []string
	for _, arg := range a {
		if arg.Key == key {
			vals = append(vals, arg.Value)
		}
	}
	return vals
}

// Encode returns the arguments as a query string, in order, as
// ngx.encode_args escapes them: every byte but letters, digits and
// "-._~!'()*" as %XX. An argument without a value is its bare key.
// Request.SetURIArgs takes the result.
func (a Args) Encode() string {
	var b []byte
	for i, arg := range a {
		if i > 0 {
			b = append(b, '&')
		}
		b = appendEscaped(b, arg.Key)
		if arg.HasValue {
			b = append(b, '=')
			b = appendEscaped(b, arg.Value)
		}
	}
	return string(b)
}

// appendEscaped appends s to b, escaped for a query string.
func appendEscaped(b []byte, s string) []byte {
	const hex = "0123456789ABCDEF"
	for i := 0; i < len(s); i++ {
		c := s[i]
		if 'a' <= c && c <= 'z' || 'A' <= c && c <= 'Z' || '0' <= c && c <= '9' || strings.IndexByte("-._~!'()*", c) >= 0 {
			b = append(b, c)
		} else {
			b = append(b, '%', hex[c>>4], hex[c&15])
		}
	}
	return b
}

// Header is one header line.
type Header struct{ Name, Value string }

// Headers are header lines in the order the host has them, a name set
// several times on several lines.
type Headers []Header

// Get returns the value of the first line named name (any case), and
// whether there is one.
func (h Headers) Get(name string) (string, bool) {
	for _, hd := range h {
		if strings.EqualFold(hd.Name, name) {
			return hd.Value, true
		}
	}
	return "", false
}

// Values returns the values of every line named name (any case), in order.
func (h Headers) Values(name string) []string {
	var vals []string
	for _, hd := range h {
		if strings.EqualFold(hd.Name, name) {
			vals = append(vals, hd.Value)
		}
	}
	return vals
}

// noValue is the value length that marks an argument without "=".
const noValue = 0xFFFFFFFF

var errShortList = malformedList("truncated")

// malformedList returns the error of a list the host encoded wrongly.
func malformedList(why string) error {
	return errors.New("moongate: malformed list from host: " + why)
}

// decodeList decodes a list in the ABI's encoding: count:u32, count pairs
// of key_len:u32 and value_len:u32, then each pair's key and value back to
// back, all little-endian. item builds one element from each pair. The
// strings share one copy of b.
func decodeList[T any](b []byte, item func(key, value string, hasValue bool) T) ([]T, error) {
	if len(b) < 4 {
		return nil, errShortList
	}
	count := uint64(binary.LittleEndian.Uint32(b))
	if count*8 > uint64(len(b)-4) {
		return nil, malformedList(strconv.FormatUint(count, 10) + " pairs in " + strconv.Itoa(len(b)) + " bytes")
	}
	end := 4 + 8*int(count)
	lens, data := b[4:end], string(b[end:])
	out := make([]T, 0, count)
	for i := 0; i < len(lens); i += 8 {
		kl, vl := binary.LittleEndian.Uint32(lens[i:]), binary.LittleEndian.Uint32(lens[i+4:])
		if uint64(kl) > uint64(len(data)) {
			return nil, errShortList
		}
		key, value, has := data[:kl], "", vl != noValue
		data = data[kl:]
		if has {
			if uint64(vl) > uint64(len(data)) {
				return nil, errShortList
			}
			value, data = data[:vl], data[vl:]
		}
		out = append(out, item(key, value, has))
	}
	if len(data) != 0 {
		return nil, malformedList(strconv.Itoa(len(data)) + " bytes left over")
	}
	return out, nil
}

// decodeArgs decodes a list of query or form arguments.
func decodeArgs(b []byte) (Args, error) {
	return decodeList(b, func(k, v string, has bool) Arg { return Arg{Key: k, Value: v, HasValue: has} })
}

// decodeHeaders decodes a list of headers.
func decodeHeaders(b []byte) (Headers, error) {
	return decodeList(b, func(k, v string, _ bool) Header { return Header{Name: k, Value: v} })
}
