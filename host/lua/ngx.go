package lua

import (
	"os"
	"strings"

	"github.com/moongate/moongate/abi"
	"github.com/moongate/moongate/errlog"
	"github.com/moongate/moongate/host"
	"github.com/moongate/moongate/host/lua/cjson"
	glua "github.com/yuin/gopher-lua"
)

// hostFunc is the body of an ngx.* function: r is the current request,
// already checked against the API's phases.
type hostFunc func(L *glua.LState, r *host.Request) int

// guard returns the current request after checking that its phase is in
// allowed; otherwise it raises OpenResty's "API disabled" error.
func (vm *VM) guard(L *glua.LState, allowed abi.Phases) *host.Request {
	vm.running = L
	r := vm.cur.r
	if err := r.Check(allowed); err != nil {
		L.RaiseError("%s", err.Error())
	}
	return r
}

// fn wraps f as a Lua function guarded by api's phases from abi.
func (vm *VM) fn(api string, f hostFunc) *glua.LFunction {
	allowed := abi.Contexts(api)
	return vm.L.NewFunction(func(L *glua.LState) int { return f(L, vm.guard(L, allowed)) })
}

// set registers functions in t, each guarded by the API "<prefix>.<name>".
func (vm *VM) set(t *glua.LTable, prefix string, fns map[string]hostFunc) {
	for name, f := range fns {
		t.RawSetString(name, vm.fn(prefix+"."+name, f))
	}
}

// virtualTable returns an empty table whose reads and writes run index and
// newindex (its __index and __newindex), guarded by api's phases: ngx.var,
// ngx.header and ngx.arg.
func (vm *VM) virtualTable(api string, index, newindex hostFunc) *glua.LTable {
	L := vm.L
	allowed := abi.Contexts(api)
	mt := L.NewTable()
	mt.RawSetString("__index", L.NewFunction(func(L *glua.LState) int { return index(L, vm.guard(L, allowed)) }))
	mt.RawSetString("__newindex", L.NewFunction(func(L *glua.LState) int { return newindex(L, vm.guard(L, allowed)) }))
	t := L.NewTable()
	L.SetMetatable(t, mt)
	return t
}

// openNgx builds the ngx table and the modules OpenResty code requires.
func (vm *VM) openNgx() {
	L := vm.L
	ngx := L.NewTable()
	L.SetGlobal("ngx", ngx)
	setConstants(ngx)
	ngx.RawSetString("null", cjson.Null)
	vm.set(ngx, "ngx", map[string]hostFunc{
		"say":          vm.say,
		"print":        vm.print,
		"flush":        vm.flush,
		"eof":          vm.eof,
		"send_headers": vm.sendHeaders,
		"exit":         vm.exit,
		"redirect":     vm.redirect,
		"log":          vm.log,
		"sleep":        vm.sleep,
		"get_phase":    func(L *glua.LState, r *host.Request) int { L.Push(glua.LString(r.Phase().String())); return 1 },
	})
	L.SetGlobal("print", vm.fn("print", func(L *glua.LState, r *host.Request) int {
		return vm.logAt(L, r, errlog.Notice, 1)
	}))
	ngx.RawSetString("req", vm.reqTable())
	ngx.RawSetString("resp", vm.respTable())
	ngx.RawSetString("header", vm.headerTable())
	ngx.RawSetString("var", vm.varTable())
	ngx.RawSetString("arg", vm.argTable())
	ngx.RawSetString("config", vm.configTable())
	ngx.RawSetString("thread", vm.threadTable())
	ngx.RawSetString("timer", vm.timerTable())
	ngx.RawSetString("worker", vm.workerTable())
	ngx.RawSetString("shared", vm.openShared())
	ngx.RawSetString("socket", vm.socketTable())
	vm.openLocation(ngx)
	L.SetMetatable(ngx, vm.ngxFields())

	cjson.Preload(L)
	preload := L.GetField(L.GetGlobal("package"), "preload").(*glua.LTable)
	resp := ngx.RawGetString("resp")
	preload.RawSetString("ngx.resp", L.NewFunction(func(L *glua.LState) int { L.Push(resp); return 1 }))
	vm.openSemaphore(preload)
	vm.openRegex(ngx, preload)
	vm.openCodec(ngx, preload)
	vm.openTime(ngx)
}

// setConstants sets ngx.OK..., ngx.HTTP_* and the log levels.
func setConstants(ngx *glua.LTable) {
	for name, v := range map[string]int{
		"OK": 0, "ERROR": -1, "AGAIN": -2, "DONE": -4, "DECLINED": -5,
		"STDERR": int(errlog.Stderr), "EMERG": int(errlog.Emerg), "ALERT": int(errlog.Alert),
		"CRIT": int(errlog.Crit), "ERR": int(errlog.Error), "WARN": int(errlog.Warn),
		"NOTICE": int(errlog.Notice), "INFO": int(errlog.Info), "DEBUG": int(errlog.Debug),
	} {
		ngx.RawSetString(name, glua.LNumber(v))
	}
	for name, v := range httpStatuses {
		ngx.RawSetString(name, glua.LNumber(v))
	}
	for i, m := range httpMethods {
		ngx.RawSetString("HTTP_"+m, glua.LNumber(methodCode(i)))
	}
}

// httpMethods are the methods of ngx.HTTP_GET ... in the order of their
// bit values (ngx.HTTP_GET is 2, HTTP_HEAD 4, ...).
var httpMethods = []string{"GET", "HEAD", "POST", "PUT", "DELETE", "MKCOL", "COPY", "MOVE",
	"OPTIONS", "PROPFIND", "PROPPATCH", "LOCK", "UNLOCK", "PATCH", "TRACE"}

func methodCode(i int) int { return 2 << i }

// methodName returns the method for an ngx.HTTP_* method constant.
func methodName(code int) (string, bool) {
	for i, m := range httpMethods {
		if methodCode(i) == code {
			return m, true
		}
	}
	return "", false
}

var httpStatuses = map[string]int{
	"HTTP_CONTINUE": 100, "HTTP_SWITCHING_PROTOCOLS": 101, "HTTP_OK": 200, "HTTP_CREATED": 201,
	"HTTP_ACCEPTED": 202, "HTTP_NO_CONTENT": 204, "HTTP_PARTIAL_CONTENT": 206,
	"HTTP_SPECIAL_RESPONSE": 300, "HTTP_MOVED_PERMANENTLY": 301, "HTTP_MOVED_TEMPORARILY": 302,
	"HTTP_SEE_OTHER": 303, "HTTP_NOT_MODIFIED": 304, "HTTP_TEMPORARY_REDIRECT": 307,
	"HTTP_PERMANENT_REDIRECT": 308, "HTTP_BAD_REQUEST": 400, "HTTP_UNAUTHORIZED": 401,
	"HTTP_PAYMENT_REQUIRED": 402, "HTTP_FORBIDDEN": 403, "HTTP_NOT_FOUND": 404,
	"HTTP_NOT_ALLOWED": 405, "HTTP_NOT_ACCEPTABLE": 406, "HTTP_REQUEST_TIMEOUT": 408,
	"HTTP_CONFLICT": 409, "HTTP_GONE": 410, "HTTP_UPGRADE_REQUIRED": 426,
	"HTTP_TOO_MANY_REQUESTS": 429, "HTTP_CLOSE": 444, "HTTP_ILLEGAL": 451,
	"HTTP_INTERNAL_SERVER_ERROR": 500, "HTTP_METHOD_NOT_IMPLEMENTED": 501, "HTTP_NOT_IMPLEMENTED": 501,
	"HTTP_BAD_GATEWAY": 502, "HTTP_SERVICE_UNAVAILABLE": 503, "HTTP_GATEWAY_TIMEOUT": 504,
	"HTTP_VERSION_NOT_SUPPORTED": 505, "HTTP_INSUFFICIENT_STORAGE": 507,
}

// ngxFields is the metatable of ngx for its computed fields: ngx.status,
// ngx.headers_sent, ngx.ctx, ngx.is_subrequest.
func (vm *VM) ngxFields() *glua.LTable {
	L := vm.L
	status := abi.Contexts("ngx.status")
	sent := abi.Contexts("ngx.headers_sent")
	ctx := abi.Contexts("ngx.ctx")
	sub := abi.Contexts("ngx.is_subrequest")
	mt := L.NewTable()
	mt.RawSetString("__index", L.NewFunction(func(L *glua.LState) int {
		switch L.CheckString(2) {
		case "status":
			L.Push(glua.LNumber(vm.guard(L, status).Status()))
		case "headers_sent":
			L.Push(glua.LBool(vm.guard(L, sent).HeadersSent()))
		case "ctx":
			vm.guard(L, ctx)
			L.Push(vm.cur.ngxCtx())
		case "is_subrequest":
			L.Push(glua.LBool(vm.guard(L, sub).IsSubrequest()))
		default:
			L.Push(glua.LNil)
		}
		return 1
	}))
	mt.RawSetString("__newindex", L.NewFunction(func(L *glua.LState) int {
		switch key := L.CheckString(2); key {
		case "status":
			r := vm.guard(L, status)
			code, ok := toInt(L.Get(3))
			if !ok {
				L.RaiseError("bad value for ngx.status: number expected, got %s", L.Get(3).Type())
			}
			r.SetStatus(code)
		case "ctx":
			vm.guard(L, ctx)
			t, ok := L.Get(3).(*glua.LTable)
			if !ok {
				L.RaiseError("ctx should be a table while getting a %s", L.Get(3).Type())
			}
			vm.cur.ctx = t
		default:
			L.RawSet(L.CheckTable(1), L.Get(2), L.Get(3))
		}
		return 0
	}))
	return mt
}

// ngxCtx returns the request's ngx.ctx table, creating it on first use.
func (s *Session) ngxCtx() *glua.LTable {
	if s.ctx == nil {
		s.ctx = s.vm.L.NewTable()
	}
	return s.ctx
}

func (vm *VM) configTable() *glua.LTable {
	L := vm.L
	t := L.NewTable()
	t.RawSetString("subsystem", glua.LString("http"))
	t.RawSetString("debug", glua.LFalse)
	t.RawSetString("nginx_version", glua.LNumber(1027001))
	t.RawSetString("ngx_lua_version", glua.LNumber(10026))
	vm.set(t, "ngx.config", map[string]hostFunc{
		"prefix":          func(L *glua.LState, _ *host.Request) int { L.Push(glua.LString(prefixDir(vm.e.opts.Prefix))); return 1 },
		"nginx_configure": func(L *glua.LState, _ *host.Request) int { L.Push(glua.LString("")); return 1 },
	})
	return t
}

func (vm *VM) workerTable() *glua.LTable {
	t := vm.L.NewTable()
	vm.set(t, "ngx.worker", map[string]hostFunc{
		"id":      func(L *glua.LState, _ *host.Request) int { L.Push(glua.LNumber(vm.id)); return 1 },
		"count":   func(L *glua.LState, _ *host.Request) int { L.Push(glua.LNumber(len(vm.e.vms))); return 1 },
		"pid":     func(L *glua.LState, _ *host.Request) int { L.Push(glua.LNumber(os.Getpid())); return 1 },
		"exiting": func(L *glua.LState, _ *host.Request) int { L.Push(glua.LBool(vm.e.exiting.Load())); return 1 },
		"pids": func(L *glua.LState, _ *host.Request) int {
			t := L.NewTable()
			t.Append(glua.LNumber(os.Getpid()))
			L.Push(t)
			return 1
		},
	})
	return t
}

// prefixDir returns the prefix directory as nginx's ngx.config.prefix()
// does: with a trailing slash.
func prefixDir(dir string) string {
	if strings.HasSuffix(dir, "/") {
		return dir
	}
	return dir + "/"
}

// lowerDash is the key normalisation of header lookups: lower case, "_"
// as "-".
func lowerDash(s string) string {
	return strings.ToLower(strings.ReplaceAll(s, "_", "-"))
}
