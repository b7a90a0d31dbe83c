package lua

import (
	"errors"
	"fmt"
	"sort"
	"strings"

	"github.com/moongate/moongate/abi"
	"github.com/moongate/moongate/host"
	glua "github.com/yuin/gopher-lua"
)

// reqTable builds ngx.req: the request APIs of lua-nginx-module, each
// allowed in the phases abi gives it. Arguments, return values and error
// messages are OpenResty's (lua-nginx-module 0.10.23 with lua-resty-core).
func (vm *VM) reqTable() *glua.LTable {
	t := vm.L.NewTable()
	vm.headersMeta = vm.newHeadersMeta()
	vm.set(t, "ngx.req", map[string]hostFunc{
		"get_method": func(L *glua.LState, r *host.Request) int {
			L.Push(glua.LString(r.Method()))
			return 1
		},
		"set_method": setMethod,
		"get_uri_args": func(L *glua.LState, r *host.Request) int {
			args, truncated := r.URIArgs(L.OptInt(1, -1))
			return pushArgs(L, args, truncated, L.Get(2))
		},
		"get_post_args": func(L *glua.LState, r *host.Request) int {
			checkArgCount(L, 0, 1, "0 or 1 arguments")
			args, truncated, err := r.PostArgs(L.OptInt(1, -1))
			if errors.Is(err, host.ErrBodyInFile) {
				L.Push(glua.LNil)
				L.Push(glua.LString(err.Error()))
				return 2
			}
			if err != nil {
				L.RaiseError("%s", err.Error())
			}
			return pushArgs(L, args, truncated, glua.LNil)
		},
		"set_uri_args": setURIArgs,
		"set_uri":      setURI,
		"get_headers": func(L *glua.LState, r *host.Request) int {
			hs, truncated := r.Headers(L.OptInt(1, -1))
			return vm.pushHeaders(L, hs, glua.LVAsBool(L.Get(2)), truncated)
		},
		"set_header": func(L *glua.LState, r *host.Request) int {
			if L.Get(1) == glua.LNil {
				L.RaiseError("bad 'name' argument: string expected, got nil")
			}
			r.SetHeader(L.ToStringMeta(L.Get(1)).String(), headerValues(L, 2)...)
			return 0
		},
		"clear_header": func(L *glua.LState, r *host.Request) int {
			r.SetHeader(L.ToStringMeta(L.Get(1)).String())
			return 0
		},
		"http_version": func(L *glua.LState, r *host.Request) int {
			if v, ok := r.HTTPVersion(); ok {
				L.Push(glua.LNumber(v))
			} else {
				L.Push(glua.LNil)
			}
			return 1
		},
		"raw_header": func(L *glua.LState, r *host.Request) int {
			L.Push(glua.LString(r.RawHeader(glua.LVAsBool(L.Get(1)))))
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
		"read_body": func(L *glua.LState, r *host.Request) int {
			checkArgCount(L, 0, 0, "0 arguments")
			r.ReadBody()
			return 0
		},
		"discard_body": func(L *glua.LState, r *host.Request) int {
			checkArgCount(L, 0, 0, "0 arguments")
			r.DiscardBody()
			return 0
		},
		"get_body_data": func(L *glua.LState, r *host.Request) int {
			if b := r.BodyData(L.OptInt(1, 0)); b != nil {
				L.Push(glua.LString(b))
			} else {
				L.Push(glua.LNil)
			}
			return 1
		},
		"get_body_file": func(L *glua.LState, r *host.Request) int {
			checkArgCount(L, 0, 0, "0 arguments")
			if f := r.BodyFile(); f != "" {
				L.Push(glua.LString(f))
			} else {
				L.Push(glua.LNil)
			}
			return 1
		},
		"set_body_data": func(L *glua.LState, r *host.Request) int {
			checkArgCount(L, 1, 1, "1 arguments")
			data := checkString(L, 1)
			raiseIf(L, r.SetBodyData([]byte(data)))
			return 0
		},
		"set_body_file": func(L *glua.LState, r *host.Request) int {
			checkArgCount(L, 1, 2, "1 or 2 arguments")
			path := checkString(L, 1)
			clean := L.GetTop() == 2 && bool(checkBool(L, 2))
			raiseIf(L, r.SetBodyFile(path, clean))
			return 0
		},
		"init_body": initBody,
		"append_body": func(L *glua.LState, r *host.Request) int {
			checkArgCount(L, 1, 1, "1 arguments")
			raiseIf(L, r.AppendBody([]byte(checkString(L, 1))))
			return 0
		},
		"finish_body": func(L *glua.LState, r *host.Request) int {
			checkArgCount(L, 0, 0, "0 argument")
			raiseIf(L, r.FinishBody())
			return 0
		},
	})
	return t
}

// initBody is ngx.req.init_body(buffer_size?): without a size, the
// body's buffer is client_body_buffer_size.
func initBody(L *glua.LState, r *host.Request) int {
	checkArgCount(L, 0, 1, "0 or 1 argument")
	size := -1
	if L.GetTop() == 1 {
		if size = checkInteger(L, 1); size < 0 {
			L.RaiseError("bad size argument: %d", size)
		}
	}
	raiseIf(L, r.InitBody(size))
	return 0
}

// raiseIf raises err's message as a Lua error, if err is not nil.
func raiseIf(L *glua.LState, err error) {
	if err != nil {
		L.RaiseError("%s", err.Error())
	}
}

// checkArgCount raises OpenResty's "expecting <want> but seen n" unless
// the call has from min to max arguments.
func checkArgCount(L *glua.LState, min, max int, want string) {
	if n := L.GetTop(); n < min || n > max {
		L.RaiseError("expecting %s but seen %d", want, n)
	}
}

// checkString returns argument i, a string or a number, or raises the
// error of a C function expecting a string.
func checkString(L *glua.LState, i int) string {
	switch v := L.Get(i).(type) {
	case glua.LString:
		return string(v)
	case glua.LNumber:
		return v.String()
	default:
		argError(L, i, "string expected, got "+v.Type().String())
		return ""
	}
}

// setMethod is ngx.req.set_method(ngx.HTTP_*).
func setMethod(L *glua.LState, r *host.Request) int {
	code, ok := L.Get(1).(glua.LNumber)
	if !ok {
		L.RaiseError("bad method number")
	}
	m, ok := methodName(int(code))
	if !ok {
		L.RaiseError("unsupported HTTP method: %s", code.String())
	}
	r.SetMethod(m)
	return 0
}

// setURI is ngx.req.set_uri(uri, jump?, binary?). A jump, allowed only in
// rewrite, unwinds the hook; the gateway then matches the new URI.
func setURI(L *glua.LState, r *host.Request) int {
	n := L.GetTop()
	if n < 1 || n > 3 {
		L.RaiseError("expecting 1, 2 or 3 arguments but seen %d", n)
	}
	uri := checkString(L, 1)
	if uri == "" {
		L.RaiseError("%s", host.ErrZeroLengthURI.Error())
	}
	if binary := n == 3 && bool(checkBool(L, 3)); !binary {
		if err := checkURIBytes(uri); err != nil {
			L.RaiseError("%s", err.Error())
		}
	}
	jump := n >= 2 && bool(checkBool(L, 2))
	if jump && r.Phase() != abi.PhaseRewrite {
		L.RaiseError("%s", (&host.PhaseError{Phase: r.Phase()}).Error())
	}
	if err := r.SetURI(uri, jump); err != nil {
		L.RaiseError("%s", err.Error())
	}
	if jump {
		L.Error(exitSignal, 0)
	}
	return 0
}

// checkBool returns argument i, which must be a boolean.
func checkBool(L *glua.LState, i int) glua.LBool {
	b, ok := L.Get(i).(glua.LBool)
	if !ok {
		argError(L, i, "boolean expected, got "+L.Get(i).Type().String())
	}
	return b
}

// checkURIBytes refuses a URI with a control byte (but tab) or DEL, which
// set_uri accepts only with its binary argument.
func checkURIBytes(uri string) error {
	for i := 0; i < len(uri); i++ {
		if c := uri[i]; c < ' ' && c != '\t' || c == 0x7f {
			var b strings.Builder
			for j := 0; j < len(uri); j++ {
				if c := uri[j]; c < ' ' || c == 0x7f {
					fmt.Fprintf(&b, `\x%02X`, c)
				} else {
					b.WriteByte(c)
				}
			}
			return fmt.Errorf("unsafe byte \"0x%02x\" in uri \"%s\" (maybe you want to set the 'binary' argument?)", c, b.String())
		}
	}
	return nil
}

// setURIArgs is ngx.req.set_uri_args(args): a query string, escaped as
// nginx escapes it, a number, or a table encoded as ngx.encode_args does.
func setURIArgs(L *glua.LState, r *host.Request) int {
	if n := L.GetTop(); n != 1 {
		L.RaiseError("expecting 1 argument but seen %d", n)
	}
	switch v := L.Get(1).(type) {
	case glua.LString:
		r.SetArgs(host.EscapeQuery(string(v)))
	case glua.LNumber:
		r.SetArgs(v.String())
	case *glua.LTable:
		q, err := encodeArgs(v)
		if err != nil {
			L.RaiseError("%s", err.Error())
		}
		r.SetArgs(q)
	default:
		argError(L, 1, "string, number, or table expected, but got "+v.Type().String())
	}
	return 0
}

// pushArgs pushes parsed arguments as OpenResty's table: a key seen once
// maps to its value (true for a key without "="), a repeated key to an
// array of its values; "truncated" follows when the limit was hit. When
// reuse is a table, it is cleared and filled instead of a new one.
func pushArgs(L *glua.LState, args []host.Arg, truncated bool, reuse glua.LValue) int {
	t, ok := reuse.(*glua.LTable)
	if ok {
		clearTable(t)
	} else {
		t = L.CreateTable(0, len(args))
	}
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

// clearTable removes every key of t.
func clearTable(t *glua.LTable) {
	var keys []glua.LValue
	t.ForEach(func(k, _ glua.LValue) { keys = append(keys, k) })
	for _, k := range keys {
		t.RawSet(k, glua.LNil)
	}
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

// pushHeaders pushes headers as ngx.req.get_headers returns them: names
// lower-cased, with a metatable that finds any spelling, unless raw.
func (vm *VM) pushHeaders(L *glua.LState, hs []host.Header, raw, truncated bool) int {
	t := L.CreateTable(0, len(hs))
	for _, h := range hs {
		var name glua.LValue
		if raw {
			name = glua.LString(h.Name)
		} else {
			name = vm.lowerName(h.Name)
		}
		appendField(L, t, name, glua.LString(h.Value))
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

// maxLowerNames bounds the VM's cache of lower-cased header names.
const maxLowerNames = 256

// lowerName returns name lower-cased as a Lua string, from a per-VM cache
// of the names seen so far: the same few header names come with every
// request, and each would otherwise cost two allocations.
func (vm *VM) lowerName(name []byte) glua.LValue {
	if v, ok := vm.lowerNames[string(name)]; ok {
		return v
	}
	v := glua.LValue(glua.LString(strings.ToLower(string(name))))
	if len(vm.lowerNames) < maxLowerNames {
		if vm.lowerNames == nil {
			vm.lowerNames = make(map[string]glua.LValue)
		}
		vm.lowerNames[string(name)] = v
	}
	return v
}

// headerValues reads a header value argument: nil (none), an array of
// values, or any other value, each turned into a string as tostring does.
func headerValues(L *glua.LState, i int) []string {
	switch v := L.Get(i).(type) {
	case *glua.LNilType:
		return nil
	case *glua.LTable:
		vs := make([]string, 0, v.Len())
		for j := 1; j <= v.Len(); j++ {
			vs = append(vs, L.ToStringMeta(v.RawGetInt(j)).String())
		}
		return vs
	default:
		return []string{L.ToStringMeta(v).String()}
	}
}

// encodeArgs encodes a table as a query string, as ngx.encode_args does:
// k=v, a bare k for true, nothing for false, k=v1&k=v2 for a table of
// values. Keys must be strings; they are sorted, so the result is
// deterministic.
func encodeArgs(t *glua.LTable) (string, error) {
	var keys []string
	var err error
	t.ForEach(func(k, _ glua.LValue) {
		if ks, ok := k.(glua.LString); ok {
			keys = append(keys, string(ks))
		} else {
			err = errArgKey
		}
	})
	if err != nil {
		return "", err
	}
	sort.Strings(keys)
	var b strings.Builder
	for _, k := range keys {
		v := t.RawGetString(k)
		vals, ok := v.(*glua.LTable)
		if !ok {
			if err := appendArg(&b, k, v); err != nil {
				return "", err
			}
			continue
		}
		vals.ForEach(func(_, v glua.LValue) {
			if err == nil {
				if _, nested := v.(*glua.LTable); nested {
					err = argValueError(v)
				} else {
					err = appendArg(&b, k, v)
				}
			}
		})
		if err != nil {
			return "", err
		}
	}
	return b.String(), nil
}

var errArgKey = fmt.Errorf(`attempt to use a non-string key in the "args" option table`)

// appendArg appends "&k=v" (without the "&" first) for one value.
func appendArg(b *strings.Builder, k string, v glua.LValue) error {
	var val string
	switch v := v.(type) {
	case glua.LBool:
		if !v {
			return nil
		}
	case glua.LString:
		val = "=" + host.EscapeArg(string(v))
	case glua.LNumber:
		val = "=" + host.EscapeArg(v.String())
	default:
		return argValueError(v)
	}
	if b.Len() > 0 {
		b.WriteByte('&')
	}
	b.WriteString(host.EscapeArg(k))
	b.WriteString(val)
	return nil
}

func argValueError(v glua.LValue) error {
	return fmt.Errorf("attempt to use %s as query arg value", v.Type())
}
