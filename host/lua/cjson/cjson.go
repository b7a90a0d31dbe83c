package cjson

import (
	lua "github.com/yuin/gopher-lua"
)

// moduleName is the _NAME field of both cjson and cjson.safe.
const moduleName = "cjson"

// moduleVersion is the _VERSION field: the lua-cjson release whose behaviour
// this package follows.
const moduleVersion = "2.1.0.14"

// Null is the sentinel light-userdata value shared by cjson.null and ngx.null
// (in OpenResty both are the same NULL light userdata, so
// `cjson.null == ngx.null`). JSON null decodes to it and it encodes as null.
//
// Null is an immutable sentinel, the one package-level value: it is shared by
// every VM, so it must never be mutated (no Value, no metatable; a sandbox
// should not expose debug.setmetatable, which could change it).
var Null = &lua.LUserData{Metatable: lua.LNil}

// registryKey names this package's per-VM values in the Lua registry.
const registryKey = "github.com/moongate/moongate/host/lua/cjson"

// vmValues are the values every cjson instance of one VM shares, as
// lua-cjson keeps them in the Lua registry.
type vmValues struct {
	arrayMT      *lua.LTable    // cjson.array_mt
	emptyArrayMT *lua.LTable    // cjson.empty_array_mt
	emptyArray   *lua.LUserData // cjson.empty_array
}

// vmValuesOf returns L's shared cjson values, creating them on first use.
func vmValuesOf(L *lua.LState) *vmValues {
	reg := L.G.Registry
	if ud, ok := reg.RawGetString(registryKey).(*lua.LUserData); ok {
		if vm, ok := ud.Value.(*vmValues); ok {
			return vm
		}
	}
	vm := &vmValues{
		arrayMT:      L.CreateTable(0, 0),
		emptyArrayMT: L.CreateTable(0, 0),
		emptyArray:   &lua.LUserData{Metatable: lua.LNil},
	}
	reg.RawSetString(registryKey, &lua.LUserData{Value: vm, Metatable: lua.LNil})
	return vm
}

// Preload registers "cjson" and "cjson.safe" in L's package.preload so
// `require` finds them. Each require of a name returns the same table;
// cjson.new() makes an independent instance with default settings.
func Preload(L *lua.LState) {
	L.PreloadModule("cjson", func(L *lua.LState) int {
		L.Push(newModule(L, false))
		return 1
	})
	L.PreloadModule("cjson.safe", func(L *lua.LState) int {
		L.Push(newModule(L, true))
		return 1
	})
}

// Encode serialises v to JSON with lua-cjson's default settings, exactly as
// cjson.encode would. The error message is lua-cjson's, e.g.
// "Cannot serialise function: type not supported".
func Encode(L *lua.LState, v lua.LValue) ([]byte, error) {
	cfg := defaultConfig()
	e := encoder{cfg: &cfg, vm: vmValuesOf(L)}
	if err := e.encode(v); err != nil {
		return nil, err
	}
	return e.buf, nil
}

// Decode parses JSON text into a Lua value with lua-cjson's default settings,
// exactly as cjson.decode would: objects and arrays become tables, null
// becomes Null. The error message is lua-cjson's, e.g.
// "Expected value but found invalid token at character 1".
func Decode(L *lua.LState, data []byte) (lua.LValue, error) {
	cfg := defaultConfig()
	d := decoder{cfg: &cfg, vm: vmValuesOf(L), L: L, s: string(data)}
	return d.decode()
}
