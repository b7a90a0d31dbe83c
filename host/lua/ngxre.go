package lua

import (
	"errors"
	"strings"

	"github.com/moongate/moongate/host"
	"github.com/moongate/moongate/host/regex"
	glua "github.com/yuin/gopher-lua"
)

// openRegex registers ngx.re.match, find, gmatch, sub and gsub, and
// `require "ngx.re"` with split and opt (lua-resty-core's ngx.re). Each
// takes its phases from abi ("ngx.re.<name>"). The functions check and
// return as lua-resty-core's FFI versions do: the subject goes through
// tostring, a pattern or options of the wrong type raise LuaJIT's error
// for the operation lua-resty-core applies to them, an unknown option
// letter raises, and a bad pattern or a failed match returns nil and the
// error. Patterns come from the request's regex cache, or the engine's
// outside requests (see host/regex for the engines and their limits).
func (vm *VM) openRegex(ngx, preload *glua.LTable) {
	L := vm.L
	re := L.NewTable()
	vm.set(re, "ngx.re", map[string]hostFunc{
		"match":  vm.reMatch,
		"find":   vm.reFind,
		"gmatch": vm.reGmatch,
		"sub":    func(L *glua.LState, r *host.Request) int { return vm.reSub(L, r, false) },
		"gsub":   func(L *glua.LState, r *host.Request) int { return vm.reSub(L, r, true) },
	})
	ngx.RawSetString("re", re)
	module := L.NewTable()
	vm.set(module, "ngx.re", map[string]hostFunc{"split": vm.reSplit, "opt": reOpt})
	preload.RawSetString("ngx.re", L.NewFunction(func(L *glua.LState) int { L.Push(module); return 1 }))
}

// compileArg compiles the pattern in argument i with the options in
// argument i+1 from the request's or the engine's cache. A bad option
// letter or an argument of the wrong type raises; a bad pattern returns
// its error.
func (vm *VM) compileArg(L *glua.LState, r *host.Request, i int) (*regex.Regexp, string, error) {
	pattern, ok := L.Get(i).(glua.LString)
	if !ok {
		L.RaiseError("attempt to get length of local 'regex' (a %s value)", L.Get(i).Type())
	}
	var flags string
	switch v := L.Get(i + 1).(type) {
	case *glua.LNilType:
	case glua.LString:
		flags = string(v)
	default:
		L.RaiseError("attempt to get length of local 'opts' (a %s value)", v.Type())
	}
	cache := r.Regex
	if cache == nil {
		cache = vm.e.opts.Regex
	}
	re, err := cache.Compile(string(pattern), flags)
	var ferr *regex.FlagError
	if errors.As(err, &ferr) {
		L.RaiseError("%s", ferr.Error())
	}
	return re, flags, err
}

// luaToString converts v as Lua's tostring does.
func luaToString(L *glua.LState, v glua.LValue) string {
	if s, ok := toString(v); ok {
		return s
	}
	return L.ToStringMeta(v).String()
}

// optTable returns argument i, a table or nil, or raises LuaJIT's error for
// indexing the local name.
func optTable(L *glua.LState, i int, name string) *glua.LTable {
	switch v := L.Get(i).(type) {
	case *glua.LNilType:
		return nil
	case *glua.LTable:
		return v
	default:
		L.RaiseError("attempt to index local '%s' (a %s value)", name, v.Type())
		return nil
	}
}

// ctxStart returns the 0-based offset ctx.pos (1-based) asks a match to
// start at.
func ctxStart(L *glua.LState, ctx *glua.LTable) int {
	if ctx == nil {
		return 0
	}
	switch v := L.GetField(ctx, "pos").(type) {
	case *glua.LNilType:
		return 0
	case glua.LNumber:
		if v <= 0 {
			return 0
		}
		return int(v) - 1
	default:
		L.RaiseError("attempt to compare %s with number", v.Type())
		return 0
	}
}

// captures fills res (a new table when nil) with a match: res[0] the
// whole match, res[1]... the groups (false when a group did not take
// part), res[name] the named ones; with the D option, res[name] is the
// array of the matched groups of that name.
func captures(L *glua.LState, re *regex.Regexp, flags, subject string, caps []int, res *glua.LTable) *glua.LTable {
	names := re.GroupNames()
	if res == nil {
		res = L.CreateTable(len(names)-1, 0)
	}
	dup := strings.IndexByte(flags, 'D') >= 0
	for i, name := range names {
		var v glua.LValue = glua.LFalse
		if caps[2*i] >= 0 {
			v = glua.LString(subject[caps[2*i]:caps[2*i+1]])
		}
		res.RawSetInt(i, v)
		switch {
		case name == "":
		case !dup:
			res.RawSetString(name, v)
		case v != glua.LFalse:
			list, ok := res.RawGetString(name).(*glua.LTable)
			if !ok {
				list = L.NewTable()
				res.RawSetString(name, list)
			}
			list.Append(v)
		}
	}
	return res
}

// reFail returns n values: n-1 nils, then err's message.
func reFail(L *glua.LState, n int, err error) int {
	for i := 1; i < n; i++ {
		L.Push(glua.LNil)
	}
	L.Push(glua.LString(err.Error()))
	return n
}

// reMatch is ngx.re.match(subject, regex, options?, ctx?, res_table?):
// the captures table, nil when nothing matches, or nil and an error.
// ctx.pos (1-based) is where the search starts and is set past the match;
// res_table, when given, is filled (its other keys kept) and returned.
func (vm *VM) reMatch(L *glua.LState, r *host.Request) int {
	m, n := vm.firstMatch(L, r, 2)
	if n > 0 {
		return n
	}
	L.Push(captures(L, m.re, m.flags, m.subject, m.caps, optTable(L, 5, "res")))
	return 1
}

// reMatched is a match of ngx.re.match or find: the pattern, its options,
// the subject and the match's offsets.
type reMatched struct {
	re      *regex.Regexp
	flags   string
	subject string
	caps    []int
}

// firstMatch runs the search of ngx.re.match and find on their arguments
// (subject, regex, options?, ctx?) and moves ctx.pos past the match. When
// there is no match to return it pushes the results (nil; or nret-1 nils
// and the error) and returns their count, else 0.
func (vm *VM) firstMatch(L *glua.LState, r *host.Request, nret int) (reMatched, int) {
	subject := luaToString(L, L.Get(1))
	re, flags, err := vm.compileArg(L, r, 2)
	if err != nil {
		return reMatched{}, reFail(L, nret, err)
	}
	ctx := optTable(L, 4, "ctx")
	caps, err := re.MatchStringAt(subject, ctxStart(L, ctx))
	if err != nil {
		return reMatched{}, reFail(L, nret, err)
	}
	if caps == nil {
		L.Push(glua.LNil)
		return reMatched{}, 1
	}
	if ctx != nil {
		L.SetField(ctx, "pos", glua.LNumber(caps[1]+1))
	}
	return reMatched{re: re, flags: flags, subject: subject, caps: caps}, 0
}

// reFind is ngx.re.find(subject, regex, options?, ctx?, nth?): the 1-based
// inclusive positions of the match, or of its group nth; nil when nothing
// matches (or group nth did not take part); nil, nil and an error.
func (vm *VM) reFind(L *glua.LState, r *host.Request) int {
	m, n := vm.firstMatch(L, r, 3)
	if n > 0 {
		return n
	}
	re, caps := m.re, m.caps
	nth := 0
	switch v := L.Get(5).(type) {
	case *glua.LNilType:
	case glua.LNumber:
		// Compared as a number, as lua-resty-core does: 0.5 is out of
		// bound for a pattern without groups, and 1e300 never wraps.
		if float64(v) > float64(re.NumGroups()) {
			return reFail(L, 3, errors.New("nth out of bound"))
		}
		if v > 0 {
			nth = int(v)
		}
	default:
		L.RaiseError("attempt to compare %s with number", v.Type())
	}
	if caps[2*nth] < 0 {
		L.Push(glua.LNil)
		L.Push(glua.LNil)
		return 2
	}
	L.Push(glua.LNumber(caps[2*nth] + 1))
	L.Push(glua.LNumber(caps[2*nth+1]))
	return 2
}

// reGmatch is ngx.re.gmatch(subject, regex, options?): an iterator that
// returns the captures table of each successive match, then nil (nil and
// an error when a match fails), or nil and an error for a bad pattern.
func (vm *VM) reGmatch(L *glua.LState, r *host.Request) int {
	subject := luaToString(L, L.Get(1))
	re, flags, err := vm.compileArg(L, r, 2)
	if err != nil {
		return reFail(L, 2, err)
	}
	it := re.Iter(subject)
	L.Push(vm.fn("ngx.re.gmatch", func(L *glua.LState, _ *host.Request) int {
		caps, err := it.Next()
		if err != nil {
			return reFail(L, 2, err)
		}
		if caps == nil {
			L.Push(glua.LNil)
			return 1
		}
		L.Push(captures(L, re, flags, subject, caps, nil))
		return 1
	}))
	return 1
}

// reSub is ngx.re.sub and ngx.re.gsub(subject, regex, replace, options?):
// the new string and the number of replacements, or nil, nil and an
// error. replace is a template ($0, $1, ${1}, $$) or a function called
// with each match's captures table, whose first result goes through
// tostring (no result at all raises, as tostring() does);
// any other value goes through tostring and is a template.
func (vm *VM) reSub(L *glua.LState, r *host.Request, global bool) int {
	subject := luaToString(L, L.Get(1))
	replace := L.Get(3)
	L.Remove(3) // the pattern's options follow it, as compileArg expects
	re, flags, err := vm.compileArg(L, r, 2)
	if err != nil {
		return reFail(L, 3, err)
	}
	var out string
	var n int
	if fn, ok := replace.(*glua.LFunction); ok {
		out, n, err = re.ReplaceFunc(subject, global, func(caps []int) (string, error) {
			top := L.GetTop()
			L.Push(fn)
			L.Push(captures(L, re, flags, subject, caps, nil))
			L.Call(1, glua.MultRet) // a wait in fn blocks: see goCaller
			if L.GetTop() == top {  // lua-resty-core calls tostring() on nothing
				L.RaiseError("bad argument #1 to 'tostring' (value expected)")
			}
			v := L.Get(top + 1)
			L.SetTop(top)
			return luaToString(L, v), nil
		})
	} else {
		out, n, err = re.ReplaceString(subject, luaToString(L, replace), global)
	}
	if err != nil {
		return reFail(L, 3, err)
	}
	L.Push(glua.LString(out))
	L.Push(glua.LNumber(n))
	return 2
}

// reSplit is split(subject, regex, options?, ctx?, max?, res?) of
// `require "ngx.re"`: the array of pieces (res, when given, is filled and
// ended with nil), or nil and an error. ctx.pos (1-based) is where
// splitting starts; split leaves in it where its last search ended.
func (vm *VM) reSplit(L *glua.LState, r *host.Request) int {
	subject := luaToString(L, L.Get(1))
	ctx := optTable(L, 4, "ctx")
	pos := 1
	if ctx != nil {
		switch v := L.GetField(ctx, "pos").(type) {
		case *glua.LNilType:
			L.SetField(ctx, "pos", glua.LNumber(1))
		case glua.LNumber:
			pos = int(v)
		default:
			L.RaiseError("attempt to compare number with %s", v.Type())
		}
	}
	limit := 0
	switch v := L.Get(5).(type) {
	case *glua.LNilType:
	case glua.LNumber:
		limit = int(v)
	default:
		L.RaiseError("attempt to compare number with %s", v.Type())
	}
	var res *glua.LTable
	switch v := L.Get(6).(type) {
	case *glua.LNilType:
		res = L.NewTable()
	case *glua.LTable:
		res = v
	default:
		L.RaiseError("res is not a table")
	}
	if pos > len(subject) {
		res.RawSetInt(1, glua.LNil)
		L.Push(res)
		return 1
	}
	re, _, err := vm.compileArg(L, r, 2)
	if err != nil {
		return reFail(L, 2, err)
	}
	pieces, next, err := re.Split(subject, pos, limit)
	if ctx != nil {
		L.SetField(ctx, "pos", glua.LNumber(next))
	}
	if err != nil {
		return reFail(L, 2, err)
	}
	for i, p := range pieces {
		res.RawSetInt(i+1, glua.LString(p))
	}
	res.RawSetInt(len(pieces)+1, glua.LNil)
	L.Push(res)
	return 1
}

// reOpt is opt(option, value) of `require "ngx.re"`: "jit_stack_size" is
// accepted and ignored (neither engine has a JIT stack); any other option
// raises OpenResty's error.
func reOpt(L *glua.LState, _ *host.Request) int {
	if name, ok := L.Get(1).(glua.LString); !ok || name != "jit_stack_size" {
		L.RaiseError("unrecognized option name")
	}
	return 0
}
