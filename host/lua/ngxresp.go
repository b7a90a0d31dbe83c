package lua

import (
	"github.com/moongate/moongate/host"
	glua "github.com/yuin/gopher-lua"
)

// respTable builds ngx.resp (also require "ngx.resp"): get_headers(max?,
// raw?) and add_header(name, value), in the contexts of ngx.header.
func (vm *VM) respTable() *glua.LTable {
	t := vm.L.NewTable()
	vm.set(t, "ngx.resp", map[string]hostFunc{
		"get_headers": func(L *glua.LState, r *host.Request) int {
			max := host.DefaultMaxArgs
			if v := L.Get(1); v != glua.LNil {
				var ok bool
				if max, ok = toInt(v); !ok {
					argError(L, 1, "number expected, got "+v.Type().String())
				}
			}
			hs, truncated := r.RespHeaders(max)
			return vm.pushHeaders(L, hs, L.OptBool(2, false), truncated)
		},
		"add_header": func(L *glua.LState, r *host.Request) int {
			name := headerName(L.CheckString(1))
			if L.Get(2) == glua.LNil {
				L.RaiseError("invalid header value")
			}
			for _, v := range respHeaderValues(L, L.Get(2)) {
				r.AddRespHeader(name, v)
			}
			return 0
		},
	})
	return t
}

// headerTable builds ngx.header: reads and writes of response headers by
// case-insensitive name, with "_" in names read as "-". A header set more
// than once reads as an array of its values.
func (vm *VM) headerTable() *glua.LTable {
	return vm.virtualTable("ngx.header", func(L *glua.LState, r *host.Request) int {
		vals := r.RespHeader(headerName(L.ToStringMeta(L.Get(2)).String()))
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
	}, func(L *glua.LState, r *host.Request) int {
		r.SetRespHeader(headerName(L.ToStringMeta(L.Get(2)).String()), respHeaderValues(L, L.Get(3))...)
		return 0
	})
}

// respHeaderValues converts the value assigned to a response header as
// OpenResty does: nil is no value, an array table each of its elements,
// anything else its string form (numbers as LuaJIT prints them).
func respHeaderValues(L *glua.LState, v glua.LValue) []string {
	switch v := v.(type) {
	case *glua.LNilType:
		return nil
	case *glua.LTable:
		vs := make([]string, 0, v.Len())
		for i := 1; i <= v.Len(); i++ {
			vs = append(vs, luaString(L, v.RawGetInt(i)))
		}
		return vs
	}
	return []string{luaString(L, v)}
}

// luaString is tostring(v), with numbers as LuaJIT formats them.
func luaString(L *glua.LState, v glua.LValue) string {
	if n, ok := v.(glua.LNumber); ok {
		return formatNumber(n)
	}
	return L.ToStringMeta(v).String()
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
	return vm.virtualTable("ngx.arg", func(L *glua.LState, r *host.Request) int {
		if vm.arg == nil {
			L.Push(glua.LNil)
			return 1
		}
		L.Push(vm.arg.RawGet(L.Get(2)))
		return 1
	}, func(L *glua.LState, r *host.Request) int {
		if vm.arg == nil {
			L.RaiseError("ngx.arg is only writable in body_filter")
		}
		switch idx, _ := L.Get(2).(glua.LNumber); idx {
		case 1:
			vm.arg.RawSetInt(1, chunkValue(L, L.Get(3)))
		case 2:
			vm.arg.RawSetInt(2, glua.LBool(glua.LVAsBool(L.Get(3))))
		default:
			L.RaiseError("bad index: %s", L.ToStringMeta(L.Get(2)))
		}
		return 0
	})
}

// chunkValue converts the value assigned to ngx.arg[1]: nil, a string, a
// number or an array table (written as ngx.print writes it).
func chunkValue(L *glua.LState, v glua.LValue) glua.LValue {
	switch v := v.(type) {
	case *glua.LNilType, glua.LString:
		return v
	case glua.LNumber:
		return glua.LString(formatNumber(v))
	case *glua.LTable:
		b, err := appendValue(nil, v, 0)
		if err != nil {
			L.RaiseError("bad argument #3 to '__newindex' (%s)", err.Error())
		}
		return glua.LString(b)
	}
	L.RaiseError("bad chunk data type: %s", v.Type())
	return nil
}
