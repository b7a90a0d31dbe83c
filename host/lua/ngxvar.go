package lua

import (
	"github.com/moongate/moongate/host"
	glua "github.com/yuin/gopher-lua"
)

// varTable builds ngx.var: reads and writes of nginx variables, allowed in
// the request phases. Reading a variable that has no value gives nil;
// ngx.var[n] reads the regex capture $n, which moongate's routes never
// set, so it is nil. Writing nil unsets a user variable, any other value
// is written as tostring makes it.
func (vm *VM) varTable() *glua.LTable {
	return vm.virtualTable("ngx.var", func(L *glua.LState, r *host.Request) int {
		switch name := L.Get(2).(type) {
		case glua.LString:
			if v, found := r.Var(string(name)); found {
				L.Push(glua.LString(v))
				return 1
			}
		case glua.LNumber:
		default:
			L.RaiseError("bad variable name")
		}
		L.Push(glua.LNil)
		return 1
	}, func(L *glua.LState, r *host.Request) int {
		name, ok := L.Get(2).(glua.LString)
		if !ok {
			L.RaiseError("bad variable name")
		}
		var err error
		if v := L.Get(3); v == glua.LNil {
			err = r.UnsetVar(string(name))
		} else {
			err = r.SetVar(string(name), L.ToStringMeta(v).String())
		}
		if err != nil {
			L.RaiseError("%s", err.Error())
		}
		return 0
	})
}
