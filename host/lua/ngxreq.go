package lua

import (
	"sort"
	"strings"

	"github.com/moongate/moongate/host"
	glua "github.com/yuin/gopher-lua"
)

// reqTable builds ngx.req.
func (vm *VM) reqTable() *glua.LTable {
	t := vm.L.NewTable()
	vm.headersMeta = vm.newHeadersMeta()
	vm.set(t, "ngx.req", map[string]hostFunc{
		"get_method": func(L *glua.LState, r *host.Request) int {
			L.Push(glua.LString(r.Method()))
			return 1
		},
		"set_method": func(L *glua.LState, r *host.Request) int {
			code := L.CheckInt(1)
			m, ok := methodName(code)
			if !ok {
				L.RaiseError("unsupported HTTP method: %d", code)
			}
			r.SetMethod(m)
			return 0
		},
		"get_uri_args": func(L *glua.LState, r *host.Request) int {
			args, truncated := r.URIArgs(L.OptInt(1, host.DefaultMaxArgs))
			return pushArgs(L, args, truncated)
		},
		"get_post_args": func(L *glua.LState, r *host.Request) int {
			args, truncated, err := r.PostArgs(L.OptInt(1, host.DefaultMaxArgs))
			if err != nil {
				L.RaiseError("%s", err.Error())
			}
			return pushArgs(L, args, truncated)
		},
		"set_uri_args": func(L *glua.LState, r *host.Request) int {
			switch v := L.Get(1).(type) {
			case glua.LString:
				r.SetArgs(string(v))
			case glua.LNumber:
				r.SetArgs(v.String())
			case *glua.LTable:
				q, err := encodeArgs(v)
				if err != nil {
					L.ArgError(1, err.Error())
				}
				r.SetArgs(q)
			default:
				L.ArgError(1, "string or table expected, got "+v.Type().String())
			}
			return 0
		},
		"set_uri": func(L *glua.LState, r *host.Request) int {
			uri := L.CheckString(1)
			jump := L.OptBool(2, false)
			if jump && r.Phase().String() != "rewrite" {
				L.RaiseError("API disabled in the context of %s", r.Phase().ContextName())
			}
			if err := r.SetURI(uri); err != nil {
				L.RaiseError("%s", err.Error())
			}
			if jump {
				r.Jump()
				L.Error(exitSignal, 0)
			}
			return 0
		},
		"get_headers": func(L *glua.LState, r *host.Request) int {
			hs, truncated := r.Headers(L.OptInt(1, host.DefaultMaxArgs))
			return vm.pushHeaders(L, hs, L.OptBool(2, false), truncated)
		},
		"set_header": func(L *glua.LState, r *host.Request) int {
			name := L.CheckString(1)
			r.SetHeader(name, headerValues(L, 2)...)
			return 0
		},
		"clear_header": func(L *glua.LState, r *host.Request) int {
			r.SetHeader(L.CheckString(1))
			return 0
		},
		"http_version": func(L *glua.LState, r *host.Request) int {
			L.Push(glua.LNumber(r.HTTPVersion()))
			return 1
		},
		"raw_header": func(L *glua.LState, r *host.Request) int {
			L.Push(glua.LString(r.RawHeader(L.OptBool(1, false))))
			return 1
		},
		"start_time": func(L *glua.LState, r *host.Request) int {
			L.Push(glua.LNumber(r.StartSeconds()))
			return 1
		},
		"is_internal": func(L *glua.LState, r *host.Request) int {
			L.Push(glua.LBool(r.IsInternal()))
			return 1
		},
		"read_body":    func(L *glua.LState, r *host.Request) int { r.ReadBody(); return 0 },
		"discard_body": func(L *glua.LState, r *host.Request) int { r.DiscardBody(); return 0 },
		"get_body_data": func(L *glua.LState, r *host.Request) int {
			b := r.BodyData(L.OptInt(1, 0))
			if b == nil {
				L.Push(glua.LNil)
			} else {
				L.Push(glua.LString(b))
			}
			return 1
		},
		"set_body_data": func(L *glua.LState, r *host.Request) int {
			if err := r.SetBodyData([]byte(L.CheckString(1))); err != nil {
				L.RaiseError("%s", err.Error())
			}
			return 0
		},
	})
	return t
}

// pushArgs pushes parsed arguments as OpenResty's table: a key seen once
// maps to its value (true for a key without "="), a repeated key to an
// array of its values; "truncated" follows when the limit was hit.
func pushArgs(L *glua.LState, args []host.Arg, truncated bool) int {
	t := L.CreateTable(0, len(args))
	for _, a := range args {
		var v glua.LValue = glua.LTrue
		if a.HasValue {
			v = glua.LString(a.Value)
		}
		appendField(L, t, glua.LString(a.Key), v)
	}
	L.Push(t)
	if truncated {
		L.Push(glua.LString("truncated"))
		return 2
	}
	return 1
}

// appendField sets t[k] = v, or turns t[k] into an array of values when k
// is already set.
func appendField(L *glua.LState, t *glua.LTable, k, v glua.LValue) {
	switch old := t.RawGet(k).(type) {
	case *glua.LNilType:
		t.RawSet(k, v)
	case *glua.LTable:
		old.Append(v)
	default:
		arr := L.CreateTable(2, 0)
		arr.Append(old)
		arr.Append(v)
		t.RawSet(k, arr)
	}
}

// newHeadersMeta is the metatable of header tables: a missing key is looked
// up again lower-cased with "_" as "-", as OpenResty does.
func (vm *VM) newHeadersMeta() *glua.LTable {
	mt := vm.L.NewTable()
	mt.RawSetString("__index", vm.L.NewFunction(func(L *glua.LState) int {
		t := L.CheckTable(1)
		k, ok := L.Get(2).(glua.LString)
		if !ok {
			L.Push(glua.LNil)
			return 1
		}
		L.Push(t.RawGetString(lowerDash(string(k))))
		return 1
	}))
	return mt
}

// pushHeaders pushes headers as ngx.req.get_headers returns them.
func (vm *VM) pushHeaders(L *glua.LState, hs []host.Header, raw, truncated bool) int {
	t := L.CreateTable(0, len(hs))
	for _, h := range hs {
		name := string(h.Name)
		if !raw {
			name = strings.ToLower(name)
		}
		appendField(L, t, glua.LString(name), glua.LString(h.Value))
	}
	if !raw {
		L.SetMetatable(t, vm.headersMeta)
	}
	L.Push(t)
	if truncated {
		L.Push(glua.LString("truncated"))
		return 2
	}
	return 1
}

// headerValues reads a header value argument: a string, a number, an
// array of them, or nil (none).
func headerValues(L *glua.LState, i int) []string {
	switch v := L.Get(i).(type) {
	case *glua.LNilType:
		return nil
	case glua.LString:
		return []string{string(v)}
	case glua.LNumber:
		return []string{v.String()}
	case *glua.LTable:
		var vs []string
		for j := 1; j <= v.Len(); j++ {
			vs = append(vs, v.RawGetInt(j).String())
		}
		return vs
	default:
		L.ArgError(i, "string, number, table or nil expected, got "+v.Type().String())
		return nil
	}
}

// encodeArgs encodes a table as a query string, as ngx.encode_args does:
// k=v, a bare k for true, nothing for false, k=v1&k=v2 for arrays. Keys
// are sorted, so the result is deterministic.
func encodeArgs(t *glua.LTable) (string, error) {
	var keys []string
	vals := map[string]glua.LValue{}
	var bad error
	t.ForEach(func(k, v glua.LValue) {
		ks, ok := k.(glua.LString)
		if !ok {
			if n, isNum := k.(glua.LNumber); isNum {
				ks = glua.LString(n.String())
			} else {
				bad = errBadArgKey
				return
			}
		}
		keys = append(keys, string(ks))
		vals[string(ks)] = v
	})
	if bad != nil {
		return "", bad
	}
	sort.Strings(keys)
	var b strings.Builder
	add := func(k string, v glua.LValue) {
		switch v := v.(type) {
		case glua.LBool:
			if !v {
				return
			}
			sep(&b)
			b.WriteString(host.EscapeArg(k))
		default:
			sep(&b)
			b.WriteString(host.EscapeArg(k))
			b.WriteByte('=')
			b.WriteString(host.EscapeArg(v.String()))
		}
	}
	for _, k := range keys {
		if arr, ok := vals[k].(*glua.LTable); ok {
			for i := 1; i <= arr.Len(); i++ {
				add(k, arr.RawGetInt(i))
			}
			continue
		}
		add(k, vals[k])
	}
	return b.String(), nil
}

func sep(b *strings.Builder) {
	if b.Len() > 0 {
		b.WriteByte('&')
	}
}
