package moongate

import (
	"encoding/binary"
	"errors"
	"math"
	"strconv"

	"github.com/moongate/moongate/abi"
)

// Dict is a shared dictionary of the gateway's config, ngx.shared.NAME:
// the same dict its Lua hooks see, shared by every request and instance.
// SharedDict opens one; a Dict stays valid for the instance's life, so a
// plugin opens it once, in a package variable.
//
// Its methods are ngx.shared.DICT's: each is atomic, and each returns
// OpenResty's error text (`exists`, `no memory`, `not a number`, `value
// not a list`...). A missing or expired key is ErrNotFound; a bad key
// (empty, or over 65535 bytes) or value is ErrBadArgument; the other
// failures are ErrFailed. The writes that may evict least recently used
// entries to make room report it as forcible, as Lua's third result.
type Dict struct {
	name   string
	handle int32
}

// Name returns the dict's name.
func (d *Dict) Name() string { return d.name }

// Value is a shared dict value: nil (the zero Value), a boolean, a number
// or a string. Lists hold strings and numbers.
type Value struct {
	str  string
	num  float64 // the number; 1 or 0 for a boolean
	kind abi.ValueKind
}

// StringValue returns a string Value.
func StringValue(s string) Value { return Value{str: s, kind: abi.KindString} }

// NumberValue returns a number Value.
func NumberValue(n float64) Value { return Value{num: n, kind: abi.KindNumber} }

// BoolValue returns a boolean Value.
func BoolValue(b bool) Value {
	v := Value{kind: abi.KindBool}
	if b {
		v.num = 1
	}
	return v
}

// Kind returns v's kind: abi.KindNil, KindBool, KindNumber or KindString.
func (v Value) Kind() abi.ValueKind { return v.kind }

// Str returns a string value's string ("" for other kinds).
func (v Value) Str() string { return v.str }

// Num returns a number value's number (0 for other kinds).
func (v Value) Num() float64 {
	if v.kind != abi.KindNumber {
		return 0
	}
	return v.num
}

// Bool returns a boolean value's truth (false for other kinds).
func (v Value) Bool() bool { return v.kind == abi.KindBool && v.num != 0 }

// String returns v as Lua's tostring shows it: "nil", "true", "false", a
// number with up to 14 significant digits, or the string itself.
func (v Value) String() string {
	switch v.kind {
	case abi.KindBool:
		return strconv.FormatBool(v.Bool())
	case abi.KindNumber:
		return strconv.FormatFloat(v.num, 'g', 14, 64)
	case abi.KindString:
		return v.str
	}
	return "nil"
}

// appendValue appends v and flags in the ABI's value encoding: kind:u8,
// flags:u32, then the payload (a boolean's byte, a number's f64, a
// string's bytes), little-endian.
func appendValue(b []byte, v Value, flags uint32) []byte {
	b = append(b, byte(v.kind))
	b = binary.LittleEndian.AppendUint32(b, flags)
	switch v.kind {
	case abi.KindBool:
		return append(b, byte(v.num))
	case abi.KindNumber:
		return binary.LittleEndian.AppendUint64(b, math.Float64bits(v.num))
	case abi.KindString:
		return append(b, v.str...)
	}
	return b
}

var errMalformedValue = errors.New("moongate: malformed value from host")

// decodeValue decodes a value in the ABI's value encoding, copying a
// string out of b.
func decodeValue(b []byte) (Value, uint32, error) {
	if len(b) < abi.ValueHeader {
		return Value{}, 0, errMalformedValue
	}
	kind, flags, p := abi.ValueKind(b[0]), binary.LittleEndian.Uint32(b[1:]), b[abi.ValueHeader:]
	switch {
	case kind == abi.KindNil && len(p) == 0:
		return Value{}, flags, nil
	case kind == abi.KindBool && len(p) == 1 && p[0] <= 1:
		return BoolValue(p[0] == 1), flags, nil
	case kind == abi.KindNumber && len(p) == 8:
		return NumberValue(math.Float64frombits(binary.LittleEndian.Uint64(p))), flags, nil
	case kind == abi.KindString:
		return StringValue(string(p)), flags, nil
	}
	return Value{}, 0, errMalformedValue
}

// decodeKeys decodes shdict_get_keys' list of keys.
func decodeKeys(b []byte) ([]string, error) {
	return decodeList(b, func(k, _ string, _ bool) string { return k })
}
