package cjson

import (
	"strings"
	"testing"

	lua "github.com/yuin/gopher-lua"
)

func TestDecodeValues(t *testing.T) {
	tests := []struct {
		name  string
		input string
		want  string // dump of the decoded value
	}{
		{"null", `null`, `null`},
		{"true", `true`, `true`},
		{"false", `false`, `false`},
		{"integer", `42`, `42`},
		{"negative fraction exponent", `-1.5e2`, `-150`},
		{"exponent upper case", `1E+2`, `100`},
		{"negative zero", `-0`, `-0`},
		{"string", `"abc"`, `"abc"`},
		{"empty array", `[]`, `{}`},
		{"empty object", `{}`, `{}`},
		{"array", `[1,"a",null,true]`, `{[1]=1,[2]="a",[3]=null,[4]=true}`},
		{"object", `{"a":1,"b":[2],"c":{"d":null}}`, `{["a"]=1,["b"]={[1]=2},["c"]={["d"]=null}}`},
		{"numeric keys stay strings", `{"1":"x"}`, `{["1"]="x"}`},
		{"duplicate key keeps last", `{"a":1,"a":2}`, `{["a"]=2}`},
		{"white space", " \t\r\n[ 1 ,\n2 ] \n", `{[1]=1,[2]=2}`},
		{"escapes", `"\"\\\/\b\f\n\r\t"`, `"\"\\/\b\f\n\r\t"`},
		{"unicode escapes", `"\u0041\u00e9\u20AC"`, `"Aé€"`},
		{"surrogate pair", `"\ud83d\ude00"`, `"😀"`},
		{"escaped nul", `"a\u0000b"`, `"a\x00b"`},
		{"raw control character", "\"a\tb\x01\"", `"a\tb\x01"`},
		{"invalid utf-8 passes", "\"\xff\"", `"\xff"`},
		{"nul ends input", "[1]\x00garbage", `{[1]=1}`},
		{"big integer is a double", `12345678901234567890`, `1.2345678901234567e+19`},
		{"overflow", `1e400`, `+Inf`},
		{"underflow", `1e-400`, `0`},
		{"leading plus", `+1`, `1`},
		{"leading zeros", `010`, `10`},
		{"hex", `0x10`, `16`},
		{"negative hex", `-0X1f`, `-31`},
		{"hex fraction", `0x1.8`, `1.5`},
		{"hex exponent", `0x1p4`, `16`},
		{"hex point first", `0x.8p1`, `1`},
		{"Infinity", `Infinity`, `+Inf`},
		{"-Infinity", `-Infinity`, `-Inf`},
		{"inf", `[inf,-INF]`, `{[1]=+Inf,[2]=-Inf}`},
		{"NaN", `NaN`, `NaN`},
		{"nan payload", `nan(123)`, `NaN`},
		{"trailing point", `1.`, `1`},
		{"fraction without integer", `-.5`, `-0.5`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			L := newVM(t)
			L.SetGlobal("input", lua.LString(tt.input))
			if err := L.DoString(prelude + `return dump(cjson.decode(input))`); err != nil {
				t.Fatal(err)
			}
			if got := L.Get(-1).String(); got != tt.want {
				t.Errorf("decode(%q) = %s, want %s", tt.input, got, tt.want)
			}
		})
	}
}

func TestDecodeErrors(t *testing.T) {
	tests := []struct {
		name  string
		input string
		want  string
	}{
		{"empty", ``, `Expected value but found T_END at character 1`},
		{"blank", `   `, `Expected value but found T_END at character 4`},
		{"invalid token", `x`, `Expected value but found invalid token at character 1`},
		{"bad literal", `tru`, `Expected value but found invalid token at character 1`},
		{"bad null", `[nul]`, `Expected value but found invalid token at character 2`},
		{"lone point", `.5`, `Expected value but found invalid token at character 1`},
		{"lone minus", `-`, `Expected value but found invalid number at character 1`},
		{"minus letter", `[-x]`, `Expected value but found invalid number at character 2`},
		{"missing comma", `[1 2]`, `Expected comma or array end but found T_INTEGER at character 4`},
		{"missing comma after bool", `[true false]`, `Expected comma or array end but found T_BOOLEAN at character 7`},
		{"missing comma after null", `[null null]`, `Expected comma or array end but found T_NULL at character 7`},
		{"trailing comma array", `[1,]`, `Expected value but found T_ARR_END at character 4`},
		{"unclosed array", `[1,`, `Expected value but found T_END at character 4`},
		{"open bracket", `[`, `Expected value but found T_END at character 2`},
		{"colon in array", `[:]`, `Expected value but found T_COLON at character 2`},
		{"comma in array", `[,]`, `Expected value but found T_COMMA at character 2`},
		{"open brace", `{`, `Expected object key string but found T_END at character 2`},
		{"integer key", `{1:2}`, `Expected object key string but found T_INTEGER at character 2`},
		{"number key", `{1.5:2}`, `Expected object key string but found T_NUMBER at character 2`},
		{"array key", `{[]:2}`, `Expected object key string but found T_ARR_BEGIN at character 2`},
		{"missing colon", `{"a" 1}`, `Expected colon but found T_INTEGER at character 6`},
		{"missing object comma", `{"a":1 "b":2}`, `Expected comma or object end but found T_STRING at character 8`},
		{"trailing comma object", `{"a":1,}`, `Expected object key string but found T_OBJ_END at character 8`},
		{"mismatched end", `[1}`, `Expected comma or array end but found T_OBJ_END at character 3`},
		{"trailing garbage", `[1] x`, `Expected the end but found invalid token at character 5`},
		{"second value", `[1] [2]`, `Expected the end but found T_ARR_BEGIN at character 5`},
		{"second number", `1.5 2`, `Expected the end but found T_INTEGER at character 5`},
		{"extra brace", `{"a":1}}`, `Expected the end but found T_OBJ_END at character 8`},
		{"exponent without digits", `1e`, `Expected the end but found invalid token at character 2`},
		{"unterminated string", `"abc`, `Expected value but found unexpected end of string at character 5`},
		{"nul in string", "\"ab\x00c\"", `Expected value but found unexpected end of string at character 4`},
		{"invalid escape", `"a\x"`, `Expected value but found invalid escape code at character 3`},
		{"escape at end", `"a\`, `Expected value but found invalid escape code at character 3`},
		{"invalid escape in key", `{"a\q":1}`, `Expected object key string but found invalid escape code at character 4`},
		{"short unicode escape", `"\u12"`, `Expected value but found invalid unicode escape code at character 2`},
		{"bad hex digit", `"\u12g4"`, `Expected value but found invalid unicode escape code at character 2`},
		{"lone high surrogate", `"\ud800"`, `Expected value but found invalid unicode escape code at character 2`},
		{"lone low surrogate", `"x\udc00"`, `Expected value but found invalid unicode escape code at character 3`},
		{"high then non-surrogate", `"\ud800\u0041"`, `Expected value but found invalid unicode escape code at character 2`},
		{"utf-16 first byte", "\x00[", `JSON parser does not support UTF-16 or UTF-32`},
		{"utf-16 second byte", "[\x00", `JSON parser does not support UTF-16 or UTF-32`},
		{"default depth", strings.Repeat("[", 1001), `Found too many nested data structures (1001) at character 1001`},
		{"depth in object", `{"a":` + strings.Repeat("[", 1000), `Found too many nested data structures (1001) at character 1005`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			L := newVM(t)
			L.SetGlobal("input", lua.LString(tt.input))
			if err := L.DoString(prelude + `return perr(cjson.decode, input)`); err != nil {
				t.Fatal(err)
			}
			if got := L.Get(-1).String(); got != tt.want {
				t.Errorf("decode(%q) error\ngot  %q\nwant %q", tt.input, got, tt.want)
			}
		})
	}
}

func TestDecodeSettings(t *testing.T) {
	runLuaCases(t, []luaCase{
		{"depth 1000 ok", `return #cjson.decode(string.rep("[", 1000) .. string.rep("]", 1000))`, "1"},
		{"max depth 2", `cjson.decode_max_depth(2) return perr(cjson.decode, "[[[1]]]")`, `Found too many nested data structures (3) at character 3`},
		{"max depth 2 ok", `cjson.decode_max_depth(2) return dump(cjson.decode("[[1]]"))`, `{[1]={[1]=1}}`},
		{"hard limit", `cjson.decode_max_depth(1e9) return perr(cjson.decode, string.rep("[", 10001))`, `Found too many nested data structures (10001) at character 10001`},
		{"strict hex", `cjson.decode_invalid_numbers(false) return perr(cjson.decode, "0x10")`, `Expected value but found invalid number at character 1`},
		{"strict leading zero", `cjson.decode_invalid_numbers(false) return perr(cjson.decode, "[01]")`, `Expected value but found invalid number at character 2`},
		{"strict negative leading zero", `cjson.decode_invalid_numbers(false) return perr(cjson.decode, "-01")`, `Expected value but found invalid number at character 1`},
		{"strict plus", `cjson.decode_invalid_numbers(false) return perr(cjson.decode, "+1")`, `Expected value but found invalid token at character 1`},
		{"strict Infinity", `cjson.decode_invalid_numbers(false) return perr(cjson.decode, "Infinity")`, `Expected value but found invalid token at character 1`},
		{"strict -Infinity", `cjson.decode_invalid_numbers(false) return perr(cjson.decode, "-Infinity")`, `Expected value but found invalid number at character 1`},
		{"strict NaN", `cjson.decode_invalid_numbers(false) return perr(cjson.decode, "NaN")`, `Expected value but found invalid token at character 1`},
		{"strict valid", `cjson.decode_invalid_numbers(false) return dump(cjson.decode("[0, -0.5, 1e3, 10]"))`, `{[1]=0,[2]=-0.5,[3]=1000,[4]=10}`},
		{"array_mt off", `return tostring(getmetatable(cjson.decode("[]")))`, `nil`},
		{"array_mt on", `cjson.decode_array_with_array_mt(true) local t = cjson.decode('{"a":[],"b":{}}')
			return tostring(getmetatable(t.a) == cjson.array_mt) .. tostring(getmetatable(t.b)) .. tostring(getmetatable(t))`, `truenilnil`},
		{"array_mt round trip", `cjson.decode_array_with_array_mt(true) return cjson.encode(cjson.decode('{"my_array":[]}'))`, `{"my_array":[]}`},
		{"default round trip", `return cjson.encode(cjson.decode('{"my_array":[]}'))`, `{"my_array":{}}`},
		{"number argument", `return cjson.decode(123) + 1`, `124`},
		{"no argument", `return perr(cjson.decode)`, `bad argument #1 to 'decode' (expected 1 argument)`},
		{"two arguments", `return perr(cjson.decode, "1", "2")`, `bad argument #1 to 'decode' (expected 1 argument)`},
		{"table argument", `return perr(cjson.decode, {})`, `bad argument #1 to 'decode' (string expected, got table)`},
		{"nil argument", `return perr(cjson.decode, nil)`, `bad argument #1 to 'decode' (string expected, got nil)`},
	})
}

func TestRoundTrip(t *testing.T) {
	tests := []struct {
		name string
		json string
	}{
		{"scalars", `[1,-2.5,"s",true,false,null]`},
		{"object order kept", `{"z":1,"a":{"y":[1,2,{"x":null}],"b":"c"},"m":[]}`},
		{"escapes", `"\"\\\/\b\f\n\r\t\u0001\u007f"`},
		{"utf-8", `"é€😀"`},
		{"exponents", `[1e+100,1e-05,1.2345678901234e+14]`},
		{"deep", strings.Repeat("[", 1000) + strings.Repeat("]", 1000)},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			L := newVM(t)
			L.SetGlobal("input", lua.LString(tt.json))
			if err := L.DoString(prelude + `cjson.decode_array_with_array_mt(true) return cjson.encode(cjson.decode(input))`); err != nil {
				t.Fatal(err)
			}
			if got := L.Get(-1).String(); got != tt.json {
				t.Errorf("round trip\ngot  %s\nwant %s", got, tt.json)
			}
		})
	}
}
