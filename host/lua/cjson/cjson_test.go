package cjson

import (
	"math"
	"testing"

	lua "github.com/yuin/gopher-lua"
)

func TestEncodeGo(t *testing.T) {
	tests := []struct {
		name    string
		setup   string // Lua run first (with prelude); sets global v when value is nil
		value   lua.LValue
		want    string
		wantErr string
	}{
		{name: "nil", value: lua.LNil, want: `null`},
		{name: "null", value: Null, want: `null`},
		{name: "number", value: lua.LNumber(1.5), want: `1.5`},
		{name: "string", value: lua.LString("a/b"), want: `"a\/b"`},
		{name: "table", setup: `v = {1, {a = "x"}}`, want: `[1,{"a":"x"}]`},
		{name: "array_mt", setup: `v = setmetatable({}, cjson.array_mt)`, want: `[]`},
		{name: "empty_array", setup: `v = {cjson.empty_array}`, want: `[[]]`},
		{name: "settings ignored", setup: `cjson.encode_escape_forward_slash(false) v = "/"`, want: `"\/"`},
		{name: "function", setup: `v = print`, wantErr: `Cannot serialise function: type not supported`},
		{name: "nan", value: lua.LNumber(math.NaN()), wantErr: `Cannot serialise number: must not be NaN or Infinity`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			L := newVM(t)
			v := tt.value
			if tt.setup != "" {
				if err := L.DoString(prelude + tt.setup); err != nil {
					t.Fatal(err)
				}
				v = L.GetGlobal("v")
			}
			got, err := Encode(L, v)
			if tt.wantErr != "" {
				if err == nil || err.Error() != tt.wantErr {
					t.Fatalf("Encode error = %v, want %q", err, tt.wantErr)
				}
				return
			}
			if err != nil || string(got) != tt.want {
				t.Errorf("Encode = %s, %v; want %s", got, err, tt.want)
			}
		})
	}
}

func TestDecodeGo(t *testing.T) {
	tests := []struct {
		name    string
		input   string
		want    string // dump of the value
		wantErr string
	}{
		{name: "object", input: `{"a":[1,null]}`, want: `{["a"]={[1]=1,[2]=null}}`},
		{name: "empty array has no metatable", input: `[]`, want: `{}`},
		{name: "error", input: `[1 2]`, wantErr: `Expected comma or array end but found T_INTEGER at character 4`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			L := lua.NewState(lua.Options{SkipOpenLibs: true})
			defer L.Close()
			got, err := Decode(L, []byte(tt.input))
			if tt.wantErr != "" {
				if err == nil || err.Error() != tt.wantErr {
					t.Fatalf("Decode error = %v, want %q", err, tt.wantErr)
				}
				return
			}
			if err != nil || dump(got) != tt.want {
				t.Errorf("Decode = %s, %v; want %s", dump(got), err, tt.want)
			}
		})
	}
}

func TestDecodeGoNullIsNull(t *testing.T) {
	L := lua.NewState(lua.Options{SkipOpenLibs: true})
	defer L.Close()
	v, err := Decode(L, []byte(`null`))
	if err != nil || v != Null {
		t.Fatalf("Decode(null) = %v, %v; want Null", v, err)
	}
}
