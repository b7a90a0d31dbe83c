package cjson

import (
	"fmt"
	"math"
	"strconv"
	"strings"

	lua "github.com/yuin/gopher-lua"
)

// hardMaxDepth bounds nesting whatever encode_max_depth and decode_max_depth
// allow, as lua-cjson is bounded by its Lua C stack.
const hardMaxDepth = 10000

// Values of config.encodeInvalidNumbers, in the order of their option names.
const (
	invalidNumbersOff  = iota // error on NaN and Infinity
	invalidNumbersOn          // write NaN, Infinity, -Infinity
	invalidNumbersNull        // write null
)

// invalidNumbersOptions are encode_invalid_numbers' string options, indexed
// by setting.
var invalidNumbersOptions = [...]string{"off", "on", "null"}

// config holds one instance's settings; defaultConfig has lua-cjson's defaults.
type config struct {
	sparseConvert          bool
	sparseRatio            int
	sparseSafe             int
	encodeMaxDepth         int
	decodeMaxDepth         int
	encodeInvalidNumbers   int
	decodeInvalidNumbers   bool
	numberPrecision        int
	keepBuffer             bool
	emptyTableAsObject     bool
	escapeForwardSlash     bool
	decodeArrayWithArrayMT bool
	skipUnsupportedTypes   bool
}

func defaultConfig() config {
	return config{
		sparseRatio:          2,
		sparseSafe:           10,
		encodeMaxDepth:       1000,
		decodeMaxDepth:       1000,
		decodeInvalidNumbers: true,
		numberPrecision:      14,
		keepBuffer:           true,
		emptyTableAsObject:   true,
		escapeForwardSlash:   true,
	}
}

// optionFuncs returns the instance's setting functions by Lua name. Each
// takes optional new values (nil keeps the current one) and returns the
// values in force, as lua-cjson does.
func (in *instance) optionFuncs() map[string]lua.LGFunction {
	c := &in.cfg
	boolFn := func(name string, setting *bool) lua.LGFunction {
		return func(L *lua.LState) int {
			checkArgCount(L, name, 1)
			L.Push(boolOption(L, name, 1, setting))
			return 1
		}
	}
	intFn := func(name string, setting *int, lo, hi int) lua.LGFunction {
		return func(L *lua.LState) int {
			checkArgCount(L, name, 1)
			L.Push(intOption(L, name, 1, setting, lo, hi))
			return 1
		}
	}
	return map[string]lua.LGFunction{
		"encode_sparse_array": func(L *lua.LState) int {
			const name = "encode_sparse_array"
			checkArgCount(L, name, 3)
			convert := boolOption(L, name, 1, &c.sparseConvert)
			ratio := intOption(L, name, 2, &c.sparseRatio, 0, math.MaxInt32)
			safe := intOption(L, name, 3, &c.sparseSafe, 0, math.MaxInt32)
			L.Push(convert)
			L.Push(ratio)
			L.Push(safe)
			return 3
		},
		"encode_max_depth":                    intFn("encode_max_depth", &c.encodeMaxDepth, 1, math.MaxInt32),
		"decode_max_depth":                    intFn("decode_max_depth", &c.decodeMaxDepth, 1, math.MaxInt32),
		"encode_number_precision":             intFn("encode_number_precision", &c.numberPrecision, 1, 16),
		"decode_invalid_numbers":              boolFn("decode_invalid_numbers", &c.decodeInvalidNumbers),
		"encode_escape_forward_slash":         boolFn("encode_escape_forward_slash", &c.escapeForwardSlash),
		"encode_empty_table_as_object":        boolFn("encode_empty_table_as_object", &c.emptyTableAsObject),
		"decode_array_with_array_mt":          boolFn("decode_array_with_array_mt", &c.decodeArrayWithArrayMT),
		"encode_skip_unsupported_value_types": boolFn("encode_skip_unsupported_value_types", &c.skipUnsupportedTypes),
		"encode_keep_buffer": func(L *lua.LState) int {
			const name = "encode_keep_buffer"
			checkArgCount(L, name, 1)
			L.Push(boolOption(L, name, 1, &c.keepBuffer))
			if !c.keepBuffer {
				in.buf = nil
			}
			return 1
		},
		"encode_invalid_numbers": func(L *lua.LState) int {
			const name = "encode_invalid_numbers"
			checkArgCount(L, name, 1)
			switch v := L.Get(1).(type) {
			case *lua.LNilType:
			case lua.LBool:
				c.encodeInvalidNumbers = invalidNumbersOff
				if v {
					c.encodeInvalidNumbers = invalidNumbersOn
				}
			default:
				c.encodeInvalidNumbers = checkOption(L, name, 1, invalidNumbersOptions[:])
			}
			if c.encodeInvalidNumbers == invalidNumbersNull {
				L.Push(lua.LString(invalidNumbersOptions[invalidNumbersNull]))
			} else {
				L.Push(lua.LBool(c.encodeInvalidNumbers == invalidNumbersOn))
			}
			return 1
		},
	}
}

// argError raises Lua's "bad argument" error, without a position prefix as
// a C function's luaL_argerror has none.
func argError(L *lua.LState, n int, fname, msg string) {
	L.Error(lua.LString(fmt.Sprintf("bad argument #%d to '%s' (%s)", n, fname, msg)), 0)
}

// typeError raises Lua's "bad argument ... (X expected, got Y)" error.
func typeError(L *lua.LState, n int, fname, want string) {
	argError(L, n, fname, want+" expected, got "+L.Get(n).Type().String())
}

// checkArgCount rejects calls with more than max arguments.
func checkArgCount(L *lua.LState, fname string, max int) {
	if L.GetTop() > max {
		argError(L, max+1, fname, "found too many arguments")
	}
}

// boolOption updates setting from argument n (a boolean, "on" or "off";
// nil keeps it) and returns the value in force.
func boolOption(L *lua.LState, fname string, n int, setting *bool) lua.LValue {
	switch v := L.Get(n).(type) {
	case *lua.LNilType:
	case lua.LBool:
		*setting = bool(v)
	default:
		*setting = checkOption(L, fname, n, []string{"off", "on"}) == 1
	}
	return lua.LBool(*setting)
}

// checkOption returns the index of argument n in options, like luaL_checkoption.
func checkOption(L *lua.LState, fname string, n int, options []string) int {
	v := L.Get(n)
	if !lua.LVCanConvToString(v) {
		typeError(L, n, fname, "string")
	}
	s := lua.LVAsString(v)
	for i, o := range options {
		if s == o {
			return i
		}
	}
	argError(L, n, fname, "invalid option '"+s+"'")
	return 0
}

// intOption updates setting from argument n (an integer in [lo, hi]; nil
// keeps it) and returns the value in force. Like lua-cjson, a range error
// always names argument #1.
func intOption(L *lua.LState, fname string, n int, setting *int, lo, hi int) lua.LValue {
	v := L.Get(n)
	if v == lua.LNil {
		return lua.LNumber(*setting)
	}
	f, ok := toNumber(v)
	if !ok {
		typeError(L, n, fname, "number")
	}
	f = math.Trunc(f)
	if !(float64(lo) <= f && f <= float64(hi)) {
		argError(L, 1, fname, fmt.Sprintf("expected integer between %d and %d", lo, hi))
	}
	*setting = int(f)
	return lua.LNumber(*setting)
}

// toNumber converts a number or numeric string as lua_tonumber does.
func toNumber(v lua.LValue) (float64, bool) {
	switch x := v.(type) {
	case lua.LNumber:
		return float64(x), true
	case lua.LString:
		s := strings.TrimSpace(string(x))
		if hex, ok := strings.CutPrefix(strings.ToLower(s), "0x"); ok {
			u, err := strconv.ParseUint(hex, 16, 64)
			return float64(u), err == nil
		}
		f, err := strconv.ParseFloat(s, 64)
		return f, err == nil
	}
	return 0, false
}
