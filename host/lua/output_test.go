package lua

import (
	"math"
	"testing"

	"github.com/moongate/moongate/host/lua/cjson"
	glua "github.com/yuin/gopher-lua"
)

func TestFormatNumber(t *testing.T) {
	tests := []struct {
		in   float64
		want string
	}{
		{0, "0"},
		{math.Copysign(0, -1), "0"},
		{-5, "-5"},
		{1.5, "1.5"},
		{0.1, "0.1"},
		{1.0 / 3, "0.33333333333333"},
		{2147483648, "2147483648"},
		{123456789012, "123456789012"},
		{1e14, "1e+14"},
		{1e20, "1e+20"},
		{math.Pow(2, 53), "9.007199254741e+15"},
		{1e-5, "1e-05"},
		{3.14159265358979, "3.1415926535898"},
		{math.Inf(1), "inf"},
		{math.Inf(-1), "-inf"},
		{math.Copysign(math.NaN(), -1), "-nan"},
		{math.Copysign(math.NaN(), 1), "nan"},
	}
	for _, tt := range tests {
		t.Run(tt.want, func(t *testing.T) {
			if got := formatNumber(glua.LNumber(tt.in)); got != tt.want {
				t.Errorf("formatNumber(%v) = %q, want %q", tt.in, got, tt.want)
			}
		})
	}
}

func TestAppendValue(t *testing.T) {
	L := glua.NewState()
	defer L.Close()
	table := func(kv ...glua.LValue) *glua.LTable {
		t := L.NewTable()
		for i := 0; i < len(kv); i += 2 {
			t.RawSet(kv[i], kv[i+1])
		}
		return t
	}
	self := L.NewTable()
	self.RawSetInt(1, self)
	n := func(f float64) glua.LValue { return glua.LNumber(f) }
	s := func(v string) glua.LValue { return glua.LString(v) }
	tests := []struct {
		name    string
		in      glua.LValue
		want    string
		wantErr string
	}{
		{name: "string", in: s("a"), want: "a"},
		{name: "number", in: n(2.5), want: "2.5"},
		{name: "booleans", in: table(n(1), glua.LTrue, n(2), glua.LFalse), want: "truefalse"},
		{name: "nil", in: glua.LNil, want: "nil"},
		{name: "null", in: cjson.Null, want: "null"},
		{name: "nested", in: table(n(1), s("a"), n(2), table(n(1), s("b"))), want: "ab"},
		{name: "holes", in: table(n(1), s("a"), n(3), s("c")), want: "anilc"},
		{name: "empty", in: table(), want: ""},
		{name: "hash key", in: table(s("k"), s("v")), wantErr: "non-array table found"},
		{name: "zero key", in: table(n(0), s("v")), wantErr: "non-array table found"},
		{name: "fraction key", in: table(n(1.5), s("v")), wantErr: "non-array table found"},
		{name: "function", in: L.NewFunction(func(*glua.LState) int { return 0 }),
			wantErr: "string, number, boolean, nil, ngx.null, or array table expected, but got function"},
		{name: "nested function", in: table(n(1), L.NewFunction(func(*glua.LState) int { return 0 })),
			wantErr: "bad data type function found"},
		{name: "self nested", in: self, wantErr: "nested tables deeper than 100"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := appendValue(nil, tt.in, 0)
			switch {
			case tt.wantErr != "":
				if err == nil || err.Error() != tt.wantErr {
					t.Errorf("error %v, want %q", err, tt.wantErr)
				}
			case err != nil:
				t.Errorf("unexpected error %v", err)
			case string(got) != tt.want:
				t.Errorf("got %q, want %q", got, tt.want)
			}
		})
	}
}
