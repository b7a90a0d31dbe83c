package lua

import (
	"github.com/moongate/moongate/errlog"
	"github.com/moongate/moongate/host"
	glua "github.com/yuin/gopher-lua"
)

// openLocation sets ngx.exec and ngx.location: internal redirects and
// subrequests (lua-nginx-module's ngx.exec, ngx.location.capture and
// ngx.location.capture_multi, allowed in rewrite, access and content).
func (vm *VM) openLocation(ngx *glua.LTable) {
	ngx.RawSetString("exec", vm.fn("ngx.exec", vm.exec))
	t := vm.L.NewTable()
	t.RawSetString("capture", vm.fn("ngx.location.capture", vm.capture))
	t.RawSetString("capture_multi", vm.fn("ngx.location.capture_multi", vm.captureMulti))
	ngx.RawSetString("location", t)
}

// exec is ngx.exec(uri, args?): the hook ends and the request is routed
// again to uri (host.Request.Exec). args is a string, a number or a table
// encoded as ngx.encode_args does.
func (vm *VM) exec(L *glua.LState, r *host.Request) int {
	n := L.GetTop()
	if n != 1 && n != 2 {
		L.RaiseError("expecting one or two arguments, but got %d", n)
	}
	uri := L.CheckString(1)
	if uri == "" {
		L.RaiseError("%s", host.ErrExecEmptyURI.Error())
	}
	var args string
	switch v := L.Get(2).(type) {
	case glua.LString, glua.LNumber:
		args = v.String()
	case *glua.LTable:
		var err error
		if args, err = encodeArgs(v); err != nil {
			L.RaiseError("%s", err.Error())
		}
	case *glua.LNilType:
	default:
		L.RaiseError("bad argument #2 to '?' (string, number, or table expected, but got %s)", v.Type()) // as LuaJIT names it
	}
	if err := r.Exec(uri, args); err != nil {
		L.RaiseError("%s", err.Error())
	}
	L.Error(exitSignal, 0)
	return 0
}

// capture is ngx.location.capture(uri, options?): one subrequest, whose
// response table it returns once it has run.
func (vm *VM) capture(L *glua.LState, r *host.Request) int {
	n := L.GetTop()
	if n != 1 && n != 2 {
		L.RaiseError("expecting one or two arguments")
	}
	return vm.runCaptures(L, r, []host.SubRequest{subRequest(L, r, 0, L.Get(1), L.Get(2))})
}

// captureMulti is ngx.location.capture_multi({{uri, options?}, ...}): the
// subrequests run at once; it returns their response tables in order.
func (vm *VM) captureMulti(L *glua.LState, r *host.Request) int {
	t := L.CheckTable(1)
	n := t.Len()
	if n == 0 {
		L.RaiseError("at least one subrequest should be specified")
	}
	subs := make([]host.SubRequest, n)
	for i := range subs {
		q, ok := t.RawGetInt(i + 1).(*glua.LTable)
		if !ok {
			L.RaiseError("the query argument %d is not a table, but a %s", i, t.RawGetInt(i+1).Type())
		}
		if m := q.Len(); m != 1 && m != 2 {
			L.RaiseError("query argument %d expecting one or two arguments", i)
		}
		subs[i] = subRequest(L, r, i, q.RawGetInt(1), q.RawGetInt(2))
	}
	return vm.runCaptures(L, r, subs)
}

// runCaptures checks subs, raising the error OpenResty raises, then waits
// for them to run and returns their response tables.
func (vm *VM) runCaptures(L *glua.LState, r *host.Request, subs []host.SubRequest) int {
	if err := r.CheckCapture(subs); err != nil {
		L.RaiseError("%s", err.Error())
	}
	return vm.wait(L, func() []glua.LValue {
		resps, err := r.Capture(subs)
		vals := make([]glua.LValue, len(subs))
		for i := range vals {
			if err != nil {
				vals[i] = responseTable(L, &host.SubResponse{Status: 500, Truncated: true})
				continue
			}
			vals[i] = responseTable(L, &resps[i])
		}
		return vals
	})
}

// responseTable builds a capture's result: {status, header, body,
// truncated}, a header with several values as a list. It runs while the
// request waits, without the VM: it only allocates values.
func responseTable(L *glua.LState, resp *host.SubResponse) *glua.LTable {
	hs := L.CreateTable(0, len(resp.Header))
	for _, h := range resp.Header {
		name, val := glua.LString(h.Name), glua.LString(h.Value)
		switch prev := hs.RawGetString(string(name)).(type) {
		case *glua.LNilType:
			hs.RawSetString(string(name), val)
		case *glua.LTable:
			prev.Append(val)
		default:
			list := L.CreateTable(2, 0)
			list.Append(prev)
			list.Append(val)
			hs.RawSetString(string(name), list)
		}
	}
	t := L.CreateTable(0, 4)
	t.RawSetString("status", glua.LNumber(resp.Status))
	t.RawSetString("header", hs)
	t.RawSetString("body", glua.LString(resp.Body))
	t.RawSetString("truncated", glua.LBool(resp.Truncated))
	return t
}

// subRequest reads subrequest i from its uri and options, raising
// OpenResty's errors for bad ones.
func subRequest(L *glua.LState, r *host.Request, i int, uri, options glua.LValue) host.SubRequest {
	var sub host.SubRequest
	s, ok := toString(uri)
	if !ok {
		L.RaiseError("bad argument #1 to 'capture' (string expected, got %s)", uri.Type())
	}
	if s == "" {
		L.RaiseError("unsafe uri in argument #1: %s", s)
	}
	sub.URI, sub.Method = s, "GET"
	if options == glua.LNil {
		return sub
	}
	opts, ok := options.(*glua.LTable)
	if !ok {
		L.RaiseError("expecting table as the 2nd argument for subrequest %d, but got %s", i, options.Type())
	}
	switch v := opts.RawGetString("args").(type) {
	case glua.LString, glua.LNumber:
		sub.Args = v.String()
	case *glua.LTable:
		var err error
		if sub.Args, err = encodeArgs(v); err != nil {
			L.RaiseError("%s", err.Error())
		}
	case *glua.LNilType:
	default:
		L.RaiseError("Bad args option value")
	}
	switch v := opts.RawGetString("vars").(type) {
	case *glua.LTable:
		sub.Vars = make(map[string]string)
		v.ForEach(func(k, val glua.LValue) {
			name, ok1 := toString(k)
			s, ok2 := toString(val)
			if !ok1 || !ok2 {
				L.RaiseError("Bad vars option value")
			}
			sub.Vars[name] = s
		})
	case *glua.LNilType:
	default:
		L.RaiseError("Bad vars option value")
	}
	switch v := opts.RawGetString("method").(type) {
	case glua.LNumber:
		m, ok := methodName(int(v))
		if !ok {
			r.Log.Logf(errlog.Error, "unsupported HTTP method: %d%s", int(v), r.LogContext())
			L.RaiseError("failed to adjust the subrequest: -1")
		}
		sub.Method = m
	case *glua.LNilType:
	default:
		L.RaiseError("Bad http request method")
	}
	switch v := opts.RawGetString("body").(type) {
	case glua.LString, glua.LNumber:
		sub.Body, sub.HasBody = []byte(v.String()), true
	case *glua.LNilType:
	default:
		L.RaiseError("Bad http request body")
	}
	switch v := opts.RawGetString("ctx").(type) {
	case *glua.LTable:
		sub.Ctx = v
	case *glua.LNilType:
	default:
		L.RaiseError("Bad ctx option value type %s, expected a Lua table", v.Type())
	}
	sub.CopyAllVars = glua.LVAsBool(opts.RawGetString("copy_all_vars"))
	sub.ShareAllVars = glua.LVAsBool(opts.RawGetString("share_all_vars"))
	sub.AlwaysForwardBody = glua.LVAsBool(opts.RawGetString("always_forward_body"))
	return sub
}

// Sub begins a session for r, a subrequest of s's request, on s's VM:
// the subrequest's Lua runs there, while s's request waits with the VM
// released, so that it can share Lua values with its parent. ctx, a
// table of that VM (the ctx option), is its ngx.ctx; nil gives it a fresh
// one. The caller must call End.
func (s *Session) Sub(r *host.Request, ctx any) *Session {
	sub := sessionPool.Get().(*Session)
	sub.vm, sub.r = s.vm, r
	sub.ctx, _ = ctx.(*glua.LTable)
	return sub
}
