package lua

import (
	"fmt"
	"strings"

	"github.com/moongate/moongate/errlog"
	"github.com/moongate/moongate/host"
	"github.com/moongate/moongate/host/lua/cjson"
	glua "github.com/yuin/gopher-lua"
)

// say is ngx.say: ngx.print plus a newline.
func (vm *VM) say(L *glua.LState, r *host.Request) int { return vm.output(L, r, "say", true) }

// print is ngx.print.
func (vm *VM) print(L *glua.LState, r *host.Request) int { return vm.output(L, r, "print", false) }

// output writes its arguments as ngx.print does and returns 1, or nil and
// an error ("seen eof").
func (vm *VM) output(L *glua.LState, r *host.Request, fname string, newline bool) int {
	buf := vm.scratch[:0]
	for i := 1; i <= L.GetTop(); i++ {
		var err error
		if buf, err = appendValue(buf, L.Get(i), 0); err != nil {
			L.ArgError(i, err.Error())
		}
	}
	if newline {
		buf = append(buf, '\n')
	}
	vm.scratch = buf[:0]
	return pushResult(L, r.Print(buf))
}

// appendValue appends v as ngx.print writes it: strings and numbers as
// they are, booleans as true/false, nil as nil, ngx.null as null, and
// array tables element by element.
func appendValue(buf []byte, v glua.LValue, depth int) ([]byte, error) {
	switch v := v.(type) {
	case glua.LString:
		return append(buf, v...), nil
	case glua.LNumber:
		return append(buf, v.String()...), nil
	case glua.LBool:
		if v {
			return append(buf, "true"...), nil
		}
		return append(buf, "false"...), nil
	case *glua.LNilType:
		return append(buf, "nil"...), nil
	case *glua.LUserData:
		if v == cjson.Null {
			return append(buf, "null"...), nil
		}
	case *glua.LTable:
		if depth > 100 {
			return buf, fmt.Errorf("nested table too deep")
		}
		n := v.MaxN()
		count := 0
		v.ForEach(func(glua.LValue, glua.LValue) { count++ })
		if count != n {
			return buf, fmt.Errorf("non-array table found")
		}
		var err error
		for i := 1; i <= n && err == nil; i++ {
			buf, err = appendValue(buf, v.RawGetInt(i), depth+1)
		}
		return buf, err
	}
	return buf, fmt.Errorf("string, number, boolean, nil, ngx.null, or array table expected, got %s", v.Type())
}

// pushResult returns 1 to Lua, or nil and err's message.
func pushResult(L *glua.LState, err error) int {
	if err != nil {
		if isHookFailure(err) {
			L.RaiseError("%s", err.Error())
		}
		L.Push(glua.LNil)
		L.Push(glua.LString(err.Error()))
		return 2
	}
	L.Push(glua.LNumber(1))
	return 1
}

// isHookFailure reports whether err is a filter hook's failure, which must
// fail the calling hook too.
func isHookFailure(err error) bool {
	_, ok := err.(*HookError)
	return ok
}

// flush is ngx.flush.
func (vm *VM) flush(L *glua.LState, r *host.Request) int { return pushResult(L, r.Flush()) }

// eof is ngx.eof.
func (vm *VM) eof(L *glua.LState, r *host.Request) int { return pushResult(L, r.EOF()) }

// sendHeaders is ngx.send_headers.
func (vm *VM) sendHeaders(L *glua.LState, r *host.Request) int {
	return pushResult(L, r.SendHeaders())
}

// exit is ngx.exit(status): it records the status and unwinds the hook.
func (vm *VM) exit(L *glua.LState, r *host.Request) int {
	code := L.CheckInt(1)
	r.Exit(code)
	L.Error(exitSignal, 0)
	return 0
}

// redirect is ngx.redirect(uri, status?).
func (vm *VM) redirect(L *glua.LState, r *host.Request) int {
	uri := L.CheckString(1)
	status := L.OptInt(2, 302)
	switch status {
	case 301, 302, 303, 307, 308:
	default:
		L.RaiseError("only ngx.HTTP_MOVED_TEMPORARILY, ngx.HTTP_MOVED_PERMANENTLY, ngx.HTTP_PERMANENT_REDIRECT, ngx.HTTP_SEE_OTHER, and ngx.HTTP_TEMPORARY_REDIRECT are allowed")
	}
	if r.HeadersSent() {
		L.RaiseError("attempt to call ngx.redirect after sending out the headers")
	}
	r.SetRespHeader("Location", uri)
	r.Exit(status)
	L.Error(exitSignal, 0)
	return 0
}

// log is ngx.log(level, ...).
func (vm *VM) log(L *glua.LState, r *host.Request) int {
	lv := L.CheckInt(1)
	if lv < int(errlog.Stderr) || lv > int(errlog.Debug) {
		L.ArgError(1, fmt.Sprintf("bad log level: %d", lv))
	}
	return vm.logAt(L, r, errlog.Level(lv), 2)
}

// logAt writes the arguments from index first on as one error-log line at
// level lv, with the Lua source position and the request, as nginx does.
func (vm *VM) logAt(L *glua.LState, r *host.Request, lv errlog.Level, first int) int {
	log := vm.e.opts.Log
	if !log.Enabled(lv) {
		return 0
	}
	var b strings.Builder
	b.WriteString("[lua] ")
	b.WriteString(L.Where(1))
	b.WriteByte(' ')
	for i := first; i <= L.GetTop(); i++ {
		switch v := L.Get(i).(type) {
		case *glua.LUserData:
			if v == cjson.Null {
				b.WriteString("null")
				continue
			}
			b.WriteString(L.ToStringMeta(v).String())
		case *glua.LTable:
			if L.GetMetaField(v, "__tostring") == glua.LNil {
				L.ArgError(i, "expected table to have __tostring metamethod")
			}
			b.WriteString(L.ToStringMeta(v).String())
		default:
			b.WriteString(L.ToStringMeta(v).String())
		}
	}
	writeRequestContext(&b, r)
	log.Log(lv, b.String())
	return 0
}

// writeRequestContext appends nginx's ", client: ..., request: ..." tail.
func writeRequestContext(b *strings.Builder, r *host.Request) {
	if r.Ctx == nil {
		return
	}
	ip, _ := r.Var("remote_addr")
	req, _ := r.Var("request")
	host, _ := r.Var("http_host")
	fmt.Fprintf(b, ", client: %s, server: , request: %q, host: %q", ip, req, host)
}
