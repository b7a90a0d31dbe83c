package cjson

import (
	"sort"
	"strconv"
	"strings"
	"testing"

	lua "github.com/yuin/gopher-lua"
)

// prelude starts every test snippet: both modules, and perr(f, ...) which
// returns the error f raises (or "no error").
const prelude = `local cjson = require "cjson"
local safe = require "cjson.safe"
local function perr(f, ...)
	local ok, err = pcall(f, ...)
	if ok then return "no error" end
	return err
end
`

// newVM returns a fresh VM with the modules preloaded, a global `dump`
// (see dump) and a global userdata `ud`.
func newVM(t testing.TB) *lua.LState {
	t.Helper()
	L := lua.NewState()
	t.Cleanup(L.Close)
	Preload(L)
	L.SetGlobal("dump", L.NewFunction(func(L *lua.LState) int {
		L.Push(lua.LString(dump(L.Get(1))))
		return 1
	}))
	L.SetGlobal("ud", L.NewUserData())
	return L
}

// runLua runs prelude+code in a fresh VM and returns the string form of the
// chunk's last result.
func runLua(t *testing.T, code string) string {
	t.Helper()
	L := newVM(t)
	if err := L.DoString(prelude + code); err != nil {
		t.Fatalf("lua error: %v", err)
	}
	v := L.Get(-1)
	if s, ok := v.(lua.LString); ok {
		return string(s)
	}
	return v.String()
}

// dump renders a Lua value deterministically: strings quoted, numbers in
// shortest form, Null as null, tables as sorted [key]=value lists prefixed
// with "mt" when they have a metatable.
func dump(v lua.LValue) string {
	return dumpWith(v, func(f float64) string { return strconv.FormatFloat(f, 'g', -1, 64) })
}

// dumpWith is dump writing numbers with number.
func dumpWith(v lua.LValue, number func(float64) string) string {
	switch x := v.(type) {
	case lua.LString:
		return strconv.Quote(string(x))
	case lua.LNumber:
		return number(float64(x))
	case *lua.LUserData:
		if x == Null {
			return "null"
		}
		return "userdata"
	case *lua.LTable:
		var parts []string
		x.ForEach(func(k, v lua.LValue) {
			parts = append(parts, "["+dumpWith(k, number)+"]="+dumpWith(v, number))
		})
		sort.Strings(parts)
		prefix := ""
		if x.Metatable != lua.LNil {
			prefix = "mt"
		}
		return prefix + "{" + strings.Join(parts, ",") + "}"
	}
	return v.String()
}

// luaCase is a Lua snippet (after prelude) and the string it must return.
type luaCase struct {
	name string
	code string
	want string
}

// runLuaCases runs each case as a subtest in its own VM.
func runLuaCases(t *testing.T, tests []luaCase) {
	t.Helper()
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := runLua(t, tt.code); got != tt.want {
				t.Errorf("got  %q\nwant %q", got, tt.want)
			}
		})
	}
}
