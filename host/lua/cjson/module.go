package cjson

import (
	"errors"

	lua "github.com/yuin/gopher-lua"
)

// instance is one cjson module table's state: what lua-cjson keeps in the
// config userdata shared by the table's functions.
type instance struct {
	cfg  config
	vm   *vmValues
	safe bool   // cjson.safe: encode and decode return nil, err instead of raising
	buf  []byte // encode buffer kept between calls while encode_keep_buffer is on
}

// newModule builds a fresh cjson (or cjson.safe) module table with default
// settings.
func newModule(L *lua.LState, safe bool) *lua.LTable {
	in := &instance{cfg: defaultConfig(), vm: vmValuesOf(L), safe: safe}
	funcs := in.optionFuncs()
	funcs["encode"] = in.encode
	funcs["decode"] = in.decode
	funcs["new"] = func(L *lua.LState) int {
		L.Push(newModule(L, safe))
		return 1
	}

	mod := L.CreateTable(0, len(funcs)+6)
	for name, fn := range funcs {
		mod.RawSetString(name, L.NewFunction(fn))
	}
	mod.RawSetString("null", Null)
	mod.RawSetString("empty_array", in.vm.emptyArray)
	mod.RawSetString("array_mt", in.vm.arrayMT)
	mod.RawSetString("empty_array_mt", in.vm.emptyArrayMT)
	mod.RawSetString("_NAME", lua.LString(moduleName))
	mod.RawSetString("_VERSION", lua.LString(moduleVersion))
	return mod
}

// encode is cjson.encode(value).
func (in *instance) encode(L *lua.LState) int {
	if L.GetTop() != 1 {
		argError(L, 1, "encode", "expected 1 argument")
	}
	e := encoder{cfg: &in.cfg, vm: in.vm}
	if in.cfg.keepBuffer {
		e.buf = in.buf[:0]
	}
	err := e.encode(L.Get(1))
	if in.cfg.keepBuffer {
		in.buf = e.buf
	}
	return in.result(L, lua.LString(e.buf), err)
}

// decode is cjson.decode(text).
func (in *instance) decode(L *lua.LState) int {
	if L.GetTop() != 1 {
		argError(L, 1, "decode", "expected 1 argument")
	}
	arg := L.Get(1)
	if !lua.LVCanConvToString(arg) {
		msg := "bad argument #1 to 'decode' (string expected, got " + arg.Type().String() + ")"
		return in.result(L, lua.LNil, errors.New(msg))
	}
	d := decoder{cfg: &in.cfg, vm: in.vm, L: L, s: lua.LVAsString(arg)}
	v, err := d.decode()
	return in.result(L, v, err)
}

// result returns v to Lua, or reports err: as nil, message in cjson.safe, as
// a Lua error (without position, like lua-cjson's) otherwise.
func (in *instance) result(L *lua.LState, v lua.LValue, err error) int {
	if err == nil {
		L.Push(v)
		return 1
	}
	if in.safe {
		L.Push(lua.LNil)
		L.Push(lua.LString(err.Error()))
		return 2
	}
	L.Error(lua.LString(err.Error()), 0)
	return 0
}
