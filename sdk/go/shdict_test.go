package moongate

import (
	"errors"
	"math"
	"reflect"
	"testing"

	"github.com/moongate/moongate/abi"
)

func TestValueEncoding(t *testing.T) {
	tests := []struct {
		name    string
		v       Value
		flags   uint32
		encoded string
		str     string
	}{
		{"nil", Value{}, 0, "\x00\x00\x00\x00\x00", "nil"},
		{"true", BoolValue(true), 1, "\x01\x01\x00\x00\x00\x01", "true"},
		{"false", BoolValue(false), 0, "\x01\x00\x00\x00\x00\x00", "false"},
		{"number", NumberValue(42), 7, "\x02\x07\x00\x00\x00\x00\x00\x00\x00\x00\x00\x45\x40", "42"},
		{"fraction", NumberValue(0.1), 0, "\x02\x00\x00\x00\x00\x9a\x99\x99\x99\x99\x99\xb9\x3f", "0.1"},
		{"string", StringValue("héllo"), 0xFFFFFFFF, "\x03\xff\xff\xff\xffhéllo", "héllo"},
		{"empty string", StringValue(""), 0x01020304, "\x03\x04\x03\x02\x01", ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := string(appendValue(nil, tt.v, tt.flags)); got != tt.encoded {
				t.Errorf("encoded %q, want %q", got, tt.encoded)
			}
			v, flags, err := decodeValue([]byte(tt.encoded))
			if err != nil || v != tt.v || flags != tt.flags {
				t.Errorf("decoded %+v, %d, %v; want %+v, %d", v, flags, err, tt.v, tt.flags)
			}
			if s := tt.v.String(); s != tt.str {
				t.Errorf("String() = %q, want %q", s, tt.str)
			}
		})
	}
}

func TestValueDecodingErrors(t *testing.T) {
	for _, encoded := range []string{
		"",
		"\x03\x00\x00",
		"\x04\x00\x00\x00\x00",
		"\x00\x00\x00\x00\x00x",
		"\x01\x00\x00\x00\x00\x02",
		"\x01\x00\x00\x00\x00",
		"\x02\x00\x00\x00\x00\x00\x00\x00\x00",
	} {
		t.Run("", func(t *testing.T) {
			if _, _, err := decodeValue([]byte(encoded)); !errors.Is(err, errMalformedValue) {
				t.Errorf("decodeValue(%q) error = %v", encoded, err)
			}
		})
	}
}

func TestValueAccessors(t *testing.T) {
	tests := []struct {
		v    Value
		kind abi.ValueKind
		str  string
		num  float64
		b    bool
	}{
		{Value{}, abi.KindNil, "", 0, false},
		{BoolValue(true), abi.KindBool, "", 0, true},
		{NumberValue(math.Inf(-1)), abi.KindNumber, "", math.Inf(-1), false},
		{StringValue("s"), abi.KindString, "s", 0, false},
	}
	for _, tt := range tests {
		t.Run(tt.v.String(), func(t *testing.T) {
			if tt.v.Kind() != tt.kind || tt.v.Str() != tt.str || tt.v.Num() != tt.num || tt.v.Bool() != tt.b {
				t.Errorf("got %d %q %v %v, want %d %q %v %v", tt.v.Kind(), tt.v.Str(), tt.v.Num(), tt.v.Bool(),
					tt.kind, tt.str, tt.num, tt.b)
			}
		})
	}
}

func TestDecodeKeys(t *testing.T) {
	tests := []struct {
		name    string
		encoded string
		want    []string
	}{
		{"none", "\x00\x00\x00\x00", []string{}},
		{"two", "\x02\x00\x00\x00\x01\x00\x00\x00\xff\xff\xff\xff\x02\x00\x00\x00\xff\xff\xff\xffabc", []string{"a", "bc"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			keys, err := decodeKeys([]byte(tt.encoded))
			if err != nil || !reflect.DeepEqual(keys, tt.want) {
				t.Errorf("got %q, %v; want %q", keys, err, tt.want)
			}
		})
	}
}
