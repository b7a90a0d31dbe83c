package lua

import (
	"fmt"
	"math"
	"path"
	"strconv"
	"strings"

	"github.com/moongate/moongate/abi"
	"github.com/moongate/moongate/errlog"
	"github.com/moongate/moongate/host"
	"github.com/moongate/moongate/host/lua/cjson"
	glua "github.com/yuin/gopher-lua"
)

// maxTableDepth bounds the nesting of the tables ngx.print writes.
const maxTableDepth = 100

// say is ngx.say: ngx.print plus a newline.
func (vm *VM) say(L *glua.LState, r *host.Request) int { return vm.output(L, r, true) }

// print is ngx.print.
func (vm *VM) print(L *glua.LState, r *host.Request) int { return vm.output(L, r, false) }

// output writes its arguments as ngx.print does and returns 1, or nil and
// an error ("seen eof", "nginx output filter error").
func (vm *VM) output(L *glua.LState, r *host.Request, newline bool) int {
	buf := vm.scratch[:0]
	for i := 1; i <= L.GetTop(); i++ {
		var err error
		if buf, err = appendValue(buf, L.Get(i), 0); err != nil {
			argError(L, i, err.Error())
		}
	}
	if newline {
		buf = append(buf, '\n')
	}
	vm.scratch = buf[:0]
	return pushResult(L, r.Print(buf))
}

// appendValue appends v as ngx.print writes it: strings as they are,
// numbers as formatNumber formats them, booleans as true/false, nil as
// nil, ngx.null as null, and array tables element by element (a missing
// element as nil). depth is the table nesting of v.
func appendValue(buf []byte, v glua.LValue, depth int) ([]byte, error) {
	switch v := v.(type) {
	case glua.LString:
		return append(buf, v...), nil
	case glua.LNumber:
		return append(buf, formatNumber(v)...), nil
	case glua.LBool:
		return strconv.AppendBool(buf, bool(v)), nil
	case *glua.LNilType:
		return append(buf, "nil"...), nil
	case *glua.LUserData:
		if v == cjson.Null {
			return append(buf, "null"...), nil
		}
	case *glua.LTable:
		if depth >= maxTableDepth {
			return buf, fmt.Errorf("nested tables deeper than %d", maxTableDepth)
		}
		n, ok := arrayLen(v)
		if !ok {
			return buf, fmt.Errorf("non-array table found")
		}
		var err error
		for i := 1; i <= n && err == nil; i++ {
			buf, err = appendValue(buf, v.RawGetInt(i), depth+1)
		}
		return buf, err
	}
	if depth > 0 {
		return buf, fmt.Errorf("bad data type %s found", v.Type())
	}
	return buf, fmt.Errorf("string, number, boolean, nil, ngx.null, or array table expected, but got %s", v.Type())
}

// arrayLen returns the largest key of t, and false unless every key is a
// positive integer, as ngx.print requires.
func arrayLen(t *glua.LTable) (int, bool) {
	n, ok := 0, true
	t.ForEach(func(k, _ glua.LValue) {
		f, isNum := k.(glua.LNumber)
		if !isNum || f < 1 || float64(f) != math.Trunc(float64(f)) {
			ok = false
			return
		}
		n = max(n, int(f))
	})
	return n, ok
}

// formatNumber formats n as LuaJIT does ("%.14g"), integers in the int32
// range as integers, so -0 prints as 0 as in ngx.print.
func formatNumber(n glua.LNumber) string {
	f := float64(n)
	switch {
	case f == math.Trunc(f) && math.Abs(f) <= math.MaxInt32:
		return strconv.Itoa(int(f))
	case math.IsInf(f, 1):
		return "inf"
	case math.IsInf(f, -1):
		return "-inf"
	case math.IsNaN(f) && math.Signbit(f):
		return "-nan"
	case math.IsNaN(f):
		return "nan"
	}
	return strconv.FormatFloat(f, 'g', 14, 64)
}

// argError raises OpenResty's "bad argument #n to 'name' (msg)", naming
// the called function as its caller does, or '?'.
func argError(L *glua.LState, n int, msg string) {
	name := "?"
	if dbg, ok := L.GetStack(0); ok {
		if _, err := L.GetInfo("n", dbg, glua.LNil); err == nil && isIdent(dbg.Name) {
			name = dbg.Name
		}
	}
	L.RaiseError("bad argument #%d to '%s' (%s)", n, name, msg)
}

// isIdent reports whether s is a Lua identifier, not one of gopher-lua's
// placeholders such as "(anonymous)" or "<chunk:1>".
func isIdent(s string) bool {
	for i := 0; i < len(s); i++ {
		c := s[i]
		if c != '_' && !('a' <= c && c <= 'z') && !('A' <= c && c <= 'Z') && (i == 0 || !('0' <= c && c <= '9')) {
			return false
		}
	}
	return s != "" && s != "main"
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

// flush is ngx.flush([wait]): the output so far is written to the client
// before it returns, so wait changes nothing.
func (vm *VM) flush(L *glua.LState, r *host.Request) int { return pushResult(L, r.Flush()) }

// eof is ngx.eof: it ends the response and sends it to the client at
// once, returning 1; then nil and "seen eof".
func (vm *VM) eof(L *glua.LState, r *host.Request) int {
	if r.Finished() {
		return pushResult(L, host.ErrSeenEOF)
	}
	err := r.EOF()
	if err == nil {
		err = r.Deliver()
	}
	return pushResult(L, err)
}

// sendHeaders is ngx.send_headers.
func (vm *VM) sendHeaders(L *glua.LState, r *host.Request) int {
	return pushResult(L, r.SendHeaders())
}

// exit is ngx.exit(status): it records the status and unwinds the hook.
// In header_filter the hook goes on, as in OpenResty; the status takes
// effect when it returns.
func (vm *VM) exit(L *glua.LState, r *host.Request) int {
	code := L.CheckInt(1)
	r.Exit(code)
	if r.Phase() == abi.PhaseHeaderFilter {
		return 0
	}
	L.Error(exitSignal, 0)
	return 0
}

// redirect is ngx.redirect(uri, status?): it sets Location and exits with
// status (302 by default).
func (vm *VM) redirect(L *glua.LState, r *host.Request) int {
	if n := L.GetTop(); n < 1 || n > 2 {
		L.RaiseError("expecting one or two arguments")
	}
	uri, ok := toString(L.Get(1))
	if !ok {
		argError(L, 1, "string expected, got "+L.Get(1).Type().String())
	}
	status := 302
	if L.GetTop() == 2 {
		if status, ok = toInt(L.Get(2)); !ok {
			argError(L, 2, "number expected, got "+L.Get(2).Type().String())
		}
	}
	switch status {
	case 301, 302, 303, 307, 308:
	default:
		L.RaiseError("only ngx.HTTP_MOVED_TEMPORARILY, ngx.HTTP_MOVED_PERMANENTLY, ngx.HTTP_PERMANENT_REDIRECT, ngx.HTTP_SEE_OTHER, and ngx.HTTP_TEMPORARY_REDIRECT are allowed")
	}
	for i := 0; i < len(uri); i++ {
		if c := uri[i]; unsafeURIByte(c) {
			L.RaiseError("unsafe byte \"0x%02x\" in redirect uri \"%s\"", c, quoteUnsafe(uri))
		}
	}
	if r.HeadersSent() {
		L.RaiseError("attempt to call ngx.redirect after sending out the headers")
	}
	r.SetRespHeader("Location", uri)
	r.Exit(status)
	L.Error(exitSignal, 0)
	return 0
}

// unsafeURIByte reports whether c may not appear in a redirect URI: the
// control characters but tab.
func unsafeURIByte(c byte) bool { return c < ' ' && c != '\t' || c == 0x7f }

// quoteUnsafe writes the unsafe bytes of s as \xHH.
func quoteUnsafe(s string) string {
	var b strings.Builder
	for i := 0; i < len(s); i++ {
		if c := s[i]; unsafeURIByte(c) {
			fmt.Fprintf(&b, "\\x%02X", c)
		} else {
			b.WriteByte(c)
		}
	}
	return b.String()
}

// toString converts a string or number argument as Lua does.
func toString(v glua.LValue) (string, bool) {
	switch v := v.(type) {
	case glua.LString:
		return string(v), true
	case glua.LNumber:
		return formatNumber(v), true
	}
	return "", false
}

// toInt converts a number, or a string holding one, to an int, truncating
// as OpenResty does.
func toInt(v glua.LValue) (int, bool) {
	switch v := v.(type) {
	case glua.LNumber:
		return int(v), true
	case glua.LString:
		s := strings.TrimSpace(string(v))
		if n, err := strconv.ParseInt(s, 0, 64); err == nil {
			return int(n), true
		}
		if f, err := strconv.ParseFloat(s, 64); err == nil && !math.IsNaN(f) && !math.IsInf(f, 0) {
			return int(f), true
		}
	}
	return 0, false
}

// log is ngx.log(level, ...).
func (vm *VM) log(L *glua.LState, r *host.Request) int {
	lv, ok := L.Get(1).(glua.LNumber)
	if !ok {
		argError(L, 1, "number expected, got "+typeName(L, 1))
	}
	if lv < glua.LNumber(errlog.Stderr) || lv > glua.LNumber(errlog.Debug) {
		argError(L, 1, fmt.Sprintf("bad log level: %s", formatNumber(lv)))
	}
	return vm.logAt(L, r, errlog.Level(lv), 2)
}

// typeName names the type of argument i, "no value" when it is absent.
func typeName(L *glua.LState, i int) string {
	if i > L.GetTop() {
		return "no value"
	}
	return L.Get(i).Type().String()
}

// logAt writes the arguments from index first on as one error-log line at
// level lv, as nginx does: "[lua] <source>:<line>: [<function>(): ]<message>"
// and the request's context.
func (vm *VM) logAt(L *glua.LState, r *host.Request, lv errlog.Level, first int) int {
	log := vm.e.opts.Log
	if !log.Enabled(lv) {
		return 0
	}
	var b strings.Builder
	b.WriteString("[lua] ")
	writeWhere(&b, L)
	for i := first; i <= L.GetTop(); i++ {
		switch v := L.Get(i).(type) {
		case glua.LString:
			b.WriteString(string(v))
		case glua.LNumber:
			b.WriteString(formatNumber(v))
		case glua.LBool:
			b.WriteString(strconv.FormatBool(bool(v)))
		case *glua.LNilType:
			b.WriteString("nil")
		case *glua.LTable:
			if L.GetMetaField(v, "__tostring") == glua.LNil {
				argError(L, i-first+1, "expected table to have __tostring metamethod")
			}
			b.WriteString(L.ToStringMeta(v).String())
		default:
			if v != cjson.Null {
				argError(L, i-first+1, "string, number, boolean, or nil expected, got "+v.Type().String())
			}
			b.WriteString("null")
		}
	}
	b.WriteString(r.LogContext())
	log.Log(lv, b.String())
	return 0
}

// writeWhere writes the position of the code calling the running Go
// function as ngx.log does: the base name of the chunk, the line, and the
// name of the calling function when it has one; "[C]:-1: " when the caller
// is not Lua code (pcall(ngx.log, ...)).
func writeWhere(b *strings.Builder, L *glua.LState) {
	dbg, ok := L.GetStack(1)
	if !ok {
		b.WriteString("[C]:-1: ")
		return
	}
	if _, err := L.GetInfo("Sln", dbg, glua.LNil); err != nil || dbg.What == "G" {
		b.WriteString("[C]:-1: ")
		return
	}
	fmt.Fprintf(b, "%s:%d: ", path.Base(dbg.Source), dbg.CurrentLine)
	if dbg.What != "main" && isIdent(dbg.Name) {
		b.WriteString(dbg.Name)
		b.WriteString("(): ")
	}
}
