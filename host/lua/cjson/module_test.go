package cjson

import (
	"testing"

	lua "github.com/yuin/gopher-lua"
)

func TestModule(t *testing.T) {
	runLuaCases(t, []luaCase{
		{"name", `return cjson._NAME .. " " .. safe._NAME`, "cjson cjson"},
		{"version", `return cjson._VERSION`, "2.1.0.14"},
		{"require caches", `return tostring(require("cjson") == cjson and require("cjson.safe") == safe)`, "true"},
		{"null equals itself", `return tostring(cjson.null == cjson.null)`, "true"},
		{"null is userdata", `return type(cjson.null)`, "userdata"},
		{"null is not nil", `return tostring(cjson.null ~= nil)`, "true"},
		{"decoded null", `return tostring(cjson.decode("null") == cjson.null and cjson.decode("[null]")[1] == cjson.null)`, "true"},
		{"null shared by instances", `return tostring(safe.null == cjson.null and cjson.new().null == cjson.null)`, "true"},
		{"sentinels shared in a VM", `local c = cjson.new()
			return tostring(c.array_mt == cjson.array_mt and c.empty_array_mt == safe.empty_array_mt and c.empty_array == cjson.empty_array)`, "true"},
		{"empty_array is userdata", `return type(cjson.empty_array)`, "userdata"},
		{"empty_array is not null", `return tostring(cjson.empty_array ~= cjson.null)`, "true"},
		{"new has defaults", `cjson.encode_escape_forward_slash(false) local c = cjson.new()
			return cjson.encode("/") .. c.encode("/")`, `"/""\/"`},
		{"new is independent", `local c = cjson.new() c.encode_escape_forward_slash(false)
			return cjson.encode("/") .. c.encode("/")`, `"\/""/"`},
		{"safe settings are separate", `safe.encode_escape_forward_slash(false) return cjson.encode("/") .. safe.encode("/")`, `"\/""/"`},
		{"new raises", `return perr(cjson.new().decode, "x")`, `Expected value but found invalid token at character 1`},
	})
}

func TestSafe(t *testing.T) {
	runLuaCases(t, []luaCase{
		{"decode ok", `return dump(safe.decode('[1,{"a":null}]'))`, `{[1]=1,[2]={["a"]=null}}`},
		{"encode ok", `return safe.encode({1, "a"})`, `[1,"a"]`},
		{"decode error", `local v, err = safe.decode("x") return tostring(v) .. "|" .. err`,
			`nil|Expected value but found invalid token at character 1`},
		{"encode error", `local v, err = safe.encode(print) return tostring(v) .. "|" .. err`,
			`nil|Cannot serialise function: type not supported`},
		{"encode depth error", `local t = {} t[1] = t local v, err = safe.encode(t) return tostring(v) .. "|" .. err`,
			`nil|Cannot serialise, excessive nesting (1001)`},
		{"decode type error", `local v, err = safe.decode({}) return tostring(v) .. "|" .. err`,
			`nil|bad argument #1 to 'decode' (string expected, got table)`},
		{"argument count still raises", `return perr(safe.encode)`, `bad argument #1 to 'encode' (expected 1 argument)`},
		{"new is safe", `local v, err = safe.new().decode("[") return tostring(v) .. "|" .. err`,
			`nil|Expected value but found T_END at character 2`},
		{"cjson still raises", `return perr(cjson.decode, "x")`, `Expected value but found invalid token at character 1`},
	})
}

func TestOptions(t *testing.T) {
	const show = `local function show(...) local t = {...} for i = 1, select("#", ...) do t[i] = tostring(t[i]) end return table.concat(t, " ") end
`
	runLuaCases(t, []luaCase{
		{"sparse defaults", show + `return show(cjson.encode_sparse_array())`, "false 2 10"},
		{"sparse set", show + `return show(cjson.encode_sparse_array(true, 3, 20))`, "true 3 20"},
		{"sparse partial", show + `cjson.encode_sparse_array(true, 3, 20) return show(cjson.encode_sparse_array("off", nil, 5))`, "false 3 5"},
		{"encode_max_depth", show + `return show(cjson.encode_max_depth(), cjson.encode_max_depth(5), cjson.encode_max_depth())`, "1000 5 5"},
		{"decode_max_depth", show + `return show(cjson.decode_max_depth(), cjson.decode_max_depth(7))`, "1000 7"},
		{"precision", show + `return show(cjson.encode_number_precision(), cjson.encode_number_precision(16))`, "14 16"},
		{"numeric string", show + `return show(cjson.encode_number_precision("5"))`, "5"},
		{"fraction truncated", show + `return show(cjson.encode_number_precision(5.9))`, "5"},
		{"keep_buffer", show + `return show(cjson.encode_keep_buffer(), cjson.encode_keep_buffer(false), cjson.encode_keep_buffer("on"))`, "true false true"},
		{"invalid numbers", show + `return show(cjson.encode_invalid_numbers(), cjson.encode_invalid_numbers("null"), cjson.encode_invalid_numbers(true), cjson.encode_invalid_numbers("off"))`,
			"false null true false"},
		{"decode invalid numbers", show + `return show(cjson.decode_invalid_numbers(), cjson.decode_invalid_numbers(false))`, "true false"},
		{"forward slash", show + `return show(cjson.encode_escape_forward_slash(), cjson.encode_escape_forward_slash(false))`, "true false"},
		{"empty table", show + `return show(cjson.encode_empty_table_as_object(), cjson.encode_empty_table_as_object("off"))`, "true false"},
		{"array mt", show + `return show(cjson.decode_array_with_array_mt(), cjson.decode_array_with_array_mt(true))`, "false true"},
		{"skip unsupported", show + `return show(cjson.encode_skip_unsupported_value_types(), cjson.encode_skip_unsupported_value_types(true))`, "false true"},
		{"precision too small", `return perr(cjson.encode_number_precision, 0)`,
			`bad argument #1 to 'encode_number_precision' (expected integer between 1 and 16)`},
		{"precision too large", `return perr(cjson.encode_number_precision, 17)`,
			`bad argument #1 to 'encode_number_precision' (expected integer between 1 and 16)`},
		{"depth zero", `return perr(cjson.decode_max_depth, 0)`,
			`bad argument #1 to 'decode_max_depth' (expected integer between 1 and 2147483647)`},
		{"range error names argument 1", `return perr(cjson.encode_sparse_array, nil, -1)`,
			`bad argument #1 to 'encode_sparse_array' (expected integer between 0 and 2147483647)`},
		{"not a number", `return perr(cjson.encode_max_depth, "x")`, `bad argument #1 to 'encode_max_depth' (number expected, got string)`},
		{"not a number 3rd", `return perr(cjson.encode_sparse_array, nil, nil, {})`, `bad argument #3 to 'encode_sparse_array' (number expected, got table)`},
		{"bad option", `return perr(cjson.encode_keep_buffer, "maybe")`, `bad argument #1 to 'encode_keep_buffer' (invalid option 'maybe')`},
		{"bad enum option", `return perr(cjson.encode_invalid_numbers, "bogus")`, `bad argument #1 to 'encode_invalid_numbers' (invalid option 'bogus')`},
		{"number is no option", `return perr(cjson.encode_escape_forward_slash, 1)`, `bad argument #1 to 'encode_escape_forward_slash' (invalid option '1')`},
		{"table is no option", `return perr(cjson.decode_array_with_array_mt, {})`, `bad argument #1 to 'decode_array_with_array_mt' (string expected, got table)`},
		{"too many arguments", `return perr(cjson.encode_max_depth, 1, 2)`, `bad argument #2 to 'encode_max_depth' (found too many arguments)`},
		{"too many sparse arguments", `return perr(cjson.encode_sparse_array, 1, 2, 3, 4)`, `bad argument #4 to 'encode_sparse_array' (found too many arguments)`},
		{"failed option keeps value", show + `perr(cjson.encode_number_precision, 99) return show(cjson.encode_number_precision())`, "14"},
	})
}

func TestVMsAreIndependent(t *testing.T) {
	a, b := newVM(t), newVM(t)
	if err := a.DoString(prelude + `cjson.encode_escape_forward_slash(false) x = cjson.decode("null")`); err != nil {
		t.Fatal(err)
	}
	if err := b.DoString(prelude + `x = cjson.decode("null") return cjson.encode("/")`); err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		name      string
		got, want lua.LValue
	}{
		{"settings are per VM", b.Get(-1), lua.LString(`"\/"`)},
		{"null in VM a", a.GetGlobal("x"), Null},
		{"null in VM b", b.GetGlobal("x"), Null},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if tt.got != tt.want {
				t.Errorf("got %v, want %v", tt.got, tt.want)
			}
		})
	}
	if vmValuesOf(a).arrayMT == vmValuesOf(b).arrayMT {
		t.Error("array_mt shared between VMs")
	}
}
