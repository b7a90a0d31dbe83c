package cjson

import (
	"strings"
	"testing"
)

func TestEncodeScalars(t *testing.T) {
	runLuaCases(t, []luaCase{
		{"nil", `return cjson.encode(nil)`, `null`},
		{"null", `return cjson.encode(cjson.null)`, `null`},
		{"true", `return cjson.encode(true)`, `true`},
		{"false", `return cjson.encode(false)`, `false`},
		{"integer", `return cjson.encode(42)`, `42`},
		{"negative integer", `return cjson.encode(-7)`, `-7`},
		{"zero", `return cjson.encode(0)`, `0`},
		{"negative zero", `return cjson.encode(0 / -1)`, `-0`},
		{"fraction", `return cjson.encode(0.1)`, `0.1`},
		{"14 significant digits", `return cjson.encode(1 / 3)`, `0.33333333333333`},
		{"pi", `return cjson.encode(math.pi)`, `3.1415926535898`},
		{"largest whole 14 digits", `return cjson.encode(99999999999999)`, `99999999999999`},
		{"15 digits round half even", `return cjson.encode(123456789012345)`, `1.2345678901234e+14`},
		{"1e14", `return cjson.encode(1e14)`, `1e+14`},
		{"2^53", `return cjson.encode(2^53)`, `9.007199254741e+15`},
		{"large exponent", `return cjson.encode(1e100)`, `1e+100`},
		{"small exponent", `return cjson.encode(1e-5)`, `1e-05`},
		{"small plain", `return cjson.encode(0.0001)`, `0.0001`},
		{"precision 3", `cjson.encode_number_precision(3) return cjson.encode(math.pi)`, `3.14`},
		{"precision 16", `cjson.encode_number_precision(16) return cjson.encode(2^53)`, `9007199254740992`},
		{"precision 1 integer", `cjson.encode_number_precision(1) return cjson.encode(15)`, `2e+01`},
		{"string", `return cjson.encode("hello")`, `"hello"`},
		{"empty string", `return cjson.encode("")`, `""`},
		{"slash escaped", `return cjson.encode("a/b")`, `"a\/b"`},
		{"slash kept", `cjson.encode_escape_forward_slash(false) return cjson.encode("a/b")`, `"a/b"`},
		{"quote and backslash", `return cjson.encode("\"\\")`, `"\"\\"`},
		{"control characters", `return cjson.encode("\0\1\8\9\10\11\12\13\31 ")`, `"\u0000\u0001\b\t\n\u000b\f\r\u001f "`},
		{"delete", `return cjson.encode("\127")`, `"\u007f"`},
		{"utf-8 passes", `return cjson.encode("é€😀")`, `"é€😀"`},
		{"invalid utf-8 passes", `return cjson.encode("\255\128")`, "\"\xff\x80\""},
		{"numeric string", `return cjson.encode("12")`, `"12"`},
	})
}

func TestEncodeInvalidNumbers(t *testing.T) {
	const values = `{0/0, (1/0), -(1/0)}`
	runLuaCases(t, []luaCase{
		{"nan", `return perr(cjson.encode, 0/0)`, `Cannot serialise number: must not be NaN or Infinity`},
		{"inf", `return perr(cjson.encode, (1/0))`, `Cannot serialise number: must not be NaN or Infinity`},
		{"nested -inf", `return perr(cjson.encode, {a = -(1/0)})`, `Cannot serialise number: must not be NaN or Infinity`},
		{"inf key", `return perr(cjson.encode, {[(1/0)] = 1, x = 1})`, `Cannot serialise number: must not be NaN or Infinity`},
		{"on", `cjson.encode_invalid_numbers(true) return cjson.encode(` + values + `)`, `[NaN,Infinity,-Infinity]`},
		{"on string", `cjson.encode_invalid_numbers("on") return cjson.encode(` + values + `)`, `[NaN,Infinity,-Infinity]`},
		{"null", `cjson.encode_invalid_numbers("null") return cjson.encode(` + values + `)`, `[null,null,null]`},
		{"off again", `cjson.encode_invalid_numbers("null") cjson.encode_invalid_numbers(false) return perr(cjson.encode, 0/0)`,
			`Cannot serialise number: must not be NaN or Infinity`},
	})
}

func TestEncodeTables(t *testing.T) {
	runLuaCases(t, []luaCase{
		{"empty", `return cjson.encode({})`, `{}`},
		{"array", `return cjson.encode({1, "a", true})`, `[1,"a",true]`},
		{"object", `return cjson.encode({a = 1})`, `{"a":1}`},
		{"insertion order", `return cjson.encode({b = 1, a = 2, c = 3})`, `{"b":1,"a":2,"c":3}`},
		{"mixed becomes object", `return cjson.encode({1, 2, a = 3})`, `{"1":1,"2":2,"a":3}`},
		{"nested", `return cjson.encode({a = {b = {1, {}}}})`, `{"a":{"b":[1,{}]}}`},
		{"null element", `return cjson.encode({1, cjson.null, 3})`, `[1,null,3]`},
		{"hole", `return cjson.encode({[1] = 1, [3] = 3})`, `[1,null,3]`},
		{"holes within ratio", `return cjson.encode({[1] = 1, [2] = 2, [5] = 5})`, `[1,2,null,null,5]`},
		{"sparse but safe", `return cjson.encode({[10] = 1})`, `[` + strings.Repeat("null,", 9) + `1]`},
		{"excessively sparse", `return perr(cjson.encode, {[11] = 1})`, `Cannot serialise table: excessively sparse array`},
		{"sparse nested", `return perr(cjson.encode, {a = {[1] = 1, [20] = 2}})`, `Cannot serialise table: excessively sparse array`},
		{"sparse converted", `cjson.encode_sparse_array(true) return cjson.encode({[11] = "x"})`, `{"11":"x"}`},
		{"sparse ratio 0 allows all", `cjson.encode_sparse_array(false, 0) return cjson.encode({[12] = 1})`, `[` + strings.Repeat("null,", 11) + `1]`},
		{"sparse safe raised", `cjson.encode_sparse_array(false, 2, 20) return cjson.encode({[12] = 1})`, `[` + strings.Repeat("null,", 11) + `1]`},
		{"zero key", `return cjson.encode({[0] = "a"})`, `{"0":"a"}`},
		{"negative key", `return cjson.encode({[-1] = 1})`, `{"-1":1}`},
		{"fraction key", `return cjson.encode({[1.5] = "a"})`, `{"1.5":"a"}`},
		{"key escaped", `return cjson.encode({["a/\"b"] = 1})`, `{"a\/\"b":1}`},
		{"boolean key", `return perr(cjson.encode, {[true] = 1})`, `Cannot serialise boolean: table key must be a number or string`},
		{"table key", `return perr(cjson.encode, {[{}] = 1})`, `Cannot serialise table: table key must be a number or string`},
		{"empty as array", `cjson.encode_empty_table_as_object(false) return cjson.encode({a = {}})`, `{"a":[]}`},
		{"empty as array top", `cjson.encode_empty_table_as_object("off") return cjson.encode({})`, `[]`},
		{"empty_array", `return cjson.encode({a = cjson.empty_array, b = {}})`, `{"a":[],"b":{}}`},
		{"empty_array top", `return cjson.encode(cjson.empty_array)`, `[]`},
		{"array_mt empty", `return cjson.encode(setmetatable({}, cjson.array_mt))`, `[]`},
		{"array_mt holes and fields", `local t = {} t[1] = "one" t[2] = "two" t[4] = "three" t.foo = "bar"
			return cjson.encode(setmetatable(t, cjson.array_mt))`, `["one","two",null,"three"]`},
		{"empty_array_mt empty", `return cjson.encode({a = setmetatable({}, cjson.empty_array_mt)})`, `{"a":[]}`},
		{"empty_array_mt array", `return cjson.encode(setmetatable({1, 2}, cjson.empty_array_mt))`, `[1,2]`},
		{"empty_array_mt object", `return cjson.encode(setmetatable({a = 1}, cjson.empty_array_mt))`, `{"a":1}`},
		{"other metatable", `return cjson.encode(setmetatable({}, {}))`, `{}`},
		{"__len metatable is array", `return cjson.encode(setmetatable({1, 2, x = 1}, {__len = function() return 9 end}))`, `[1,2]`},
	})
}

func TestEncodeDepth(t *testing.T) {
	const nest = `local function nest(n) local t = {} local cur = t for i = 2, n do cur[1] = {} cur = cur[1] end return t end
`
	runLuaCases(t, []luaCase{
		{"1000 levels", nest + `return #cjson.encode(nest(1000))`, "2000"},
		{"1001 levels", nest + `return perr(cjson.encode, nest(1001))`, `Cannot serialise, excessive nesting (1001)`},
		{"max depth 5", nest + `cjson.encode_max_depth(5) return perr(cjson.encode, nest(6))`, `Cannot serialise, excessive nesting (6)`},
		{"max depth 5 ok", nest + `cjson.encode_max_depth(5) return cjson.encode(nest(5))`, `[[[[{}]]]]`},
		{"cycle", `local t = {} t.t = t return perr(cjson.encode, t)`, `Cannot serialise, excessive nesting (1001)`},
		{"hard limit", nest + `cjson.encode_max_depth(1e9) return perr(cjson.encode, nest(10001))`, `Cannot serialise, excessive nesting (10001)`},
	})
}

func TestEncodeUnsupported(t *testing.T) {
	runLuaCases(t, []luaCase{
		{"function", `return perr(cjson.encode, print)`, `Cannot serialise function: type not supported`},
		{"nested function", `return perr(cjson.encode, {a = {print}})`, `Cannot serialise function: type not supported`},
		{"thread", `return perr(cjson.encode, coroutine.create(print))`, `Cannot serialise thread: type not supported`},
		{"userdata", `return perr(cjson.encode, ud)`, `Cannot serialise userdata: type not supported`},
		{"no argument", `return perr(cjson.encode)`, `bad argument #1 to 'encode' (expected 1 argument)`},
		{"two arguments", `return perr(cjson.encode, 1, 2)`, `bad argument #1 to 'encode' (expected 1 argument)`},
		{"skip in array", `cjson.encode_skip_unsupported_value_types(true) return cjson.encode({print, 1, ud, 2, print})`, `[1,2]`},
		{"skip in object", `cjson.encode_skip_unsupported_value_types(true) return cjson.encode({a = print, b = 1, c = ud})`, `{"b":1}`},
		{"skip all", `cjson.encode_skip_unsupported_value_types(true) return cjson.encode({a = print})`, `{}`},
		{"skip top", `cjson.encode_skip_unsupported_value_types(true) return "<" .. cjson.encode(print) .. ">"`, `<>`},
	})
}

func TestEncodeKeepBuffer(t *testing.T) {
	runLuaCases(t, []luaCase{
		{"results independent", `local a = cjson.encode({1}) local b = cjson.encode("xyz") return a .. b`, `[1]"xyz"`},
		{"after error", `perr(cjson.encode, {1, print}) return cjson.encode({2})`, `[2]`},
		{"off", `cjson.encode_keep_buffer(false) local a = cjson.encode({1}) return a .. cjson.encode({2})`, `[1][2]`},
	})
}
