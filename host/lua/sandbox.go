package lua

import (
	"path/filepath"
	"strings"

	glua "github.com/yuin/gopher-lua"
)

// openSandbox opens the standard libraries a plugin may use and removes
// what reaches outside the sandbox:
//   - kept: base (but dofile, loadfile), package (require over the
//     configured path; no C modules), table, string, math, coroutine,
//     os.time/clock/date/difftime, debug.traceback, and LuaJIT's bit module;
//   - removed: io, the rest of os (execute, exit, getenv, remove, rename,
//     tmpname, setlocale), the rest of debug, package.loadlib, and
//     gopher-lua's channel library.
func (vm *VM) openSandbox() error {
	L := vm.L
	for _, lib := range []struct {
		name string
		open glua.LGFunction
	}{
		{glua.LoadLibName, glua.OpenPackage},
		{glua.BaseLibName, glua.OpenBase},
		{glua.TabLibName, glua.OpenTable},
		{glua.StringLibName, glua.OpenString},
		{glua.MathLibName, glua.OpenMath},
		{glua.CoroutineLibName, glua.OpenCoroutine},
		{glua.OsLibName, glua.OpenOs},
		{glua.DebugLibName, glua.OpenDebug},
	} {
		L.Push(L.NewFunction(lib.open))
		L.Push(glua.LString(lib.name))
		if err := L.PCall(1, 0, nil); err != nil {
			return err
		}
	}
	g := L.G.Global
	for _, name := range []string{"dofile", "loadfile"} {
		g.RawSetString(name, glua.LNil)
	}
	keepOnly(L, "os", "time", "clock", "date", "difftime")
	keepOnly(L, "debug", "traceback")

	tbl := L.GetGlobal("table").(*glua.LTable)
	tbl.RawSetString("unpack", L.GetGlobal("unpack"))
	g.RawSetString("pcall", L.NewFunction(vm.pcall))
	g.RawSetString("xpcall", L.NewFunction(vm.xpcall))
	bit := newBitModule(L)
	g.RawSetString("bit", bit)

	pkg := L.GetGlobal("package").(*glua.LTable)
	pkg.RawSetString("path", glua.LString(packagePath(vm.e.opts.PackagePath)))
	pkg.RawSetString("cpath", glua.LString(""))
	pkg.RawSetString("loadlib", glua.LNil)
	loaded := pkg.RawGetString("loaded").(*glua.LTable)
	loaded.RawSetString("bit", bit)
	return nil
}

// keepOnly removes every field of the global table lib but names.
func keepOnly(L *glua.LState, lib string, names ...string) {
	t := L.GetGlobal(lib).(*glua.LTable)
	keep := make(map[string]bool, len(names))
	for _, n := range names {
		keep[n] = true
	}
	var drop []glua.LValue
	t.ForEach(func(k, _ glua.LValue) {
		if !keep[k.String()] {
			drop = append(drop, k)
		}
	})
	for _, k := range drop {
		t.RawSet(k, glua.LNil)
	}
}

// packagePath cleans the configured search path (relative entries are
// already resolved by the config loader).
func packagePath(p string) string {
	var parts []string
	for _, t := range strings.Split(p, ";") {
		if t = strings.TrimSpace(t); t != "" {
			parts = append(parts, filepath.Clean(t))
		}
	}
	return strings.Join(parts, ";")
}

// pcall is Lua's pcall, except that ngx.exit and the CPU limit pass
// through it, as they cannot be caught in OpenResty either.
func (vm *VM) pcall(L *glua.LState) int {
	L.CheckAny(1)
	return vm.protect(L, L.GetTop()-1, nil)
}

// xpcall is Lua's xpcall, with pcall's exceptions.
func (vm *VM) xpcall(L *glua.LState) int {
	fn := L.CheckFunction(1)
	handler := L.CheckFunction(2)
	L.SetTop(0)
	L.Push(fn)
	return vm.protect(L, 0, handler)
}

// protect calls the function below the top nargs values of L's stack.
func (vm *VM) protect(L *glua.LState, nargs int, handler *glua.LFunction) int {
	base := L.GetTop() - nargs - 1
	s := vm.cur
	s.enterPcall(L)
	err := L.PCall(nargs, glua.MultRet, handler)
	s.leavePcall(L)
	if err != nil {
		if isExit(err) || vm.timedOut() {
			if aerr, ok := err.(*glua.ApiError); ok {
				L.Error(aerr.Object, 0)
			}
			L.RaiseError("%s", err.Error())
		}
		L.Push(glua.LFalse)
		if aerr, ok := err.(*glua.ApiError); ok {
			L.Push(aerr.Object)
		} else {
			L.Push(glua.LString(err.Error()))
		}
		return 2
	}
	L.Insert(glua.LTrue, base+1)
	return L.GetTop() - base
}
