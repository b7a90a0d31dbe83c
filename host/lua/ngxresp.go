package lua

import (
	"errors"

	"github.com/moongate/moongate/abi"
	"github.com/moongate/moongate/host"
	glua "github.com/yuin/gopher-lua"
)

var errBadArgKey = errors.New("bad argument: table key must be a string or number")

// respTable builds ngx.resp (also require "ngx.resp").
func (vm *VM) respTable() *glua.LTable {
	t := vm.L.NewTable()
	vm.set(t, "ngx.resp", map[string]hostFunc{
		"get_headers": func(L *glua.LState, r *host.Request) int {
			hs, truncated := r.RespHeaders(L.OptInt(1, host.DefaultMaxArgs))
			return vm.pushHeaders(L, hs, L.OptBool(2, false), truncated)
		},
		"add_header": func(L *glua.LState, r *host.Request) int {
			name := L.CheckString(1)
			for _, v := range headerValues(L, 2) {
				r.AddRespHeader(name, v)
			}
			return 0
		},
	})
	return t
}

// headerTable builds ngx.header: reads and writes of response headers,
// with "_" in names read as "-".
func (vm *VM) headerTable() *glua.LTable {
	L := vm.L
	allowed := abi.Contexts("ngx.header")
	t := L.NewTable()
	mt := L.NewTable()
	mt.RawSetString("__index", L.NewFunction(func(L *glua.LState) int {
		r := vm.guard(L, allowed)
		vals := r.RespHeader(headerName(L.CheckString(2)))
		switch len(vals) {
		case 0:
			L.Push(glua.LNil)
		case 1:
			L.Push(glua.LString(vals[0]))
		default:
			arr := L.CreateTable(len(vals), 0)
			for _, v := range vals {
				arr.Append(glua.LString(v))
			}
			L.Push(arr)
		}
		return 1
	}))
	mt.RawSetString("__newindex", L.NewFunction(func(L *glua.LState) int {
		r := vm.guard(L, allowed)
		r.SetRespHeader(headerName(L.CheckString(2)), headerValues(L, 3)...)
		return 0
	}))
	L.SetMetatable(t, mt)
	return t
}

// headerName turns a Lua field name into a header name: "_" becomes "-".
func headerName(s string) string {
	for i := 0; i < len(s); i++ {
		if s[i] == '_' {
			b := []byte(s)
			for j := i; j < len(b); j++ {
				if b[j] == '_' {
					b[j] = '-'
				}
			}
			return string(b)
		}
	}
	return s
}

// argTable builds ngx.arg: in body_filter, ngx.arg[1] is the chunk and
// ngx.arg[2] the eof flag, both writable.
func (vm *VM) argTable() *glua.LTable {
	L := vm.L
	allowed := abi.Contexts("ngx.arg")
	t := L.NewTable()
	mt := L.NewTable()
	mt.RawSetString("__index", L.NewFunction(func(L *glua.LState) int {
		vm.guard(L, allowed)
		if vm.arg == nil {
			L.Push(glua.LNil)
			return 1
		}
		L.Push(vm.arg.RawGet(L.Get(2)))
		return 1
	}))
	mt.RawSetString("__newindex", L.NewFunction(func(L *glua.LState) int {
		vm.guard(L, allowed)
		if vm.arg == nil {
			L.RaiseError("ngx.arg is only writable in body_filter")
		}
		switch L.CheckInt(2) {
		case 1:
			v := L.Get(3)
			if _, isNil := v.(*glua.LNilType); !isNil {
				b, err := appendValue(nil, v, 0)
				if err != nil {
					L.RaiseError("bad chunk: %s", err.Error())
				}
				v = glua.LString(b)
			}
			vm.arg.RawSetInt(1, v)
		case 2:
			vm.arg.RawSetInt(2, glua.LBool(glua.LVAsBool(L.Get(3))))
		default:
			L.RaiseError("only ngx.arg[1] and ngx.arg[2] are writable")
		}
		return 0
	}))
	L.SetMetatable(t, mt)
	return t
}
