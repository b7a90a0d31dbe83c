package lua

import (
	"github.com/moongate/moongate/abi"
	glua "github.com/yuin/gopher-lua"
)

// varTable builds ngx.var.
func (vm *VM) varTable() *glua.LTable {
	L := vm.L
	allowed := abi.Contexts("ngx.var")
	t := L.NewTable()
	mt := L.NewTable()
	mt.RawSetString("__index", L.NewFunction(func(L *glua.LState) int {
		r := vm.guard(L, allowed)
		name, ok := L.Get(2).(glua.LString)
		if !ok {
			L.Push(glua.LNil)
			return 1
		}
		if v, found := r.Var(string(name)); found {
			L.Push(glua.LString(v))
		} else {
			L.Push(glua.LNil)
		}
		return 1
	}))
	mt.RawSetString("__newindex", L.NewFunction(func(L *glua.LState) int {
		r := vm.guard(L, allowed)
		name := L.CheckString(2)
		var val string
		switch v := L.Get(3).(type) {
		case glua.LString:
			val = string(v)
		case glua.LNumber:
			val = v.String()
		case *glua.LNilType:
		default:
			L.RaiseError("bad variable value type: %s", v.Type())
		}
		if err := r.SetVar(name, val); err != nil {
			L.RaiseError("%s", err.Error())
		}
		return 0
	}))
	L.SetMetatable(t, mt)
	return t
}
