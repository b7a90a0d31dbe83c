package lua

import (
	"encoding/json"
	"fmt"

	"github.com/moongate/moongate/abi"
	"github.com/moongate/moongate/host"
	"github.com/moongate/moongate/host/lua/cjson"
	glua "github.com/yuin/gopher-lua"
)

// Plugin is a named Lua plugin for NewEngine: a chunk that returns a table
// of phase functions, used by routes each with its own config.
//
// Its lifecycle, in each VM: after the config's init hook, the chunk runs
// once (in the init context) and returns the module table; the table's
// schema, if any, validates every use's config and fills in its defaults
// (on the first VM); the module's init_worker function, if any, runs; then
// each request of a route that uses the plugin calls the module's rewrite,
// access, header_filter, body_filter and log functions with that route's
// config as their one argument. The module is dropped with its VM when the
// engine closes.
type Plugin struct {
	Name  string
	Chunk *Chunk
	// Uses are the configs of the routes that use the plugin (decoded
	// YAML: maps, lists, strings, numbers, booleans, nil).
	Uses []any
}

// PluginError is a plugin that failed to load or whose config its schema
// rejects; Use is the index in Plugin.Uses, or -1 for the plugin itself.
type PluginError struct {
	Plugin string
	Use    int
	Err    error
}

// Error returns the plugin's name and the cause.
func (e *PluginError) Error() string { return fmt.Sprintf("plugin %q: %v", e.Plugin, e.Err) }

// Unwrap returns the cause.
func (e *PluginError) Unwrap() error { return e.Err }

// pluginHook is one (plugin, use, phase) hook of an engine.
type pluginHook struct {
	plugin, use int
	phase       abi.Phase
}

// PluginHook returns the hook that runs phase p of use of plugin (indexes
// into Options.Plugins and its Uses), or false when the module has no
// function for p.
func (e *Engine) PluginHook(plugin, use int, p abi.Phase) (Hook, bool) {
	h, ok := e.pluginHooks[pluginHook{plugin, use, p}]
	return h, ok
}

// loadPlugins runs every plugin chunk on vm and binds its hooks: on the
// first VM it also reads the schemas, checks the configs and numbers the
// hooks.
func (vm *VM) loadPlugins() error {
	e := vm.e
	mods := make([]*glua.LTable, len(e.opts.Plugins))
	for i, p := range e.opts.Plugins {
		mod, err := vm.loadModule(p.Chunk)
		if err != nil {
			return &PluginError{Plugin: p.Name, Use: -1, Err: err}
		}
		mods[i] = mod
	}
	if e.pluginHooks == nil {
		if err := e.numberPluginHooks(vm.L, mods); err != nil {
			return err
		}
	}
	for len(vm.hooks) < len(e.hookNames) {
		vm.hooks = append(vm.hooks, nil)
		vm.args = append(vm.args, nil)
	}
	// A use's phases share one conf table, as in APISIX: what access
	// stores in it, log sees.
	args := make([][][]glua.LValue, len(mods))
	for key, h := range e.pluginHooks {
		fn, ok := mods[key.plugin].RawGetString(key.phase.String()).(*glua.LFunction)
		if !ok {
			return &PluginError{Plugin: e.opts.Plugins[key.plugin].Name, Use: -1, Err: fmt.Errorf("%s is not a function on every VM", key.phase)}
		}
		if args[key.plugin] == nil {
			args[key.plugin] = make([][]glua.LValue, len(e.pluginConfs[key.plugin]))
		}
		if args[key.plugin][key.use] == nil {
			conf, err := cjson.Decode(vm.L, e.pluginConfs[key.plugin][key.use])
			if err != nil {
				return &PluginError{Plugin: e.opts.Plugins[key.plugin].Name, Use: key.use, Err: err}
			}
			args[key.plugin][key.use] = []glua.LValue{conf}
		}
		vm.hooks[h], vm.args[h] = fn, args[key.plugin][key.use]
	}
	for i, mod := range mods {
		if fn, ok := mod.RawGetString("init_worker").(*glua.LFunction); ok {
			if err := vm.runFunction(abi.PhaseInitWorker, e.opts.Plugins[i].Chunk.Name, fn); err != nil {
				return &PluginError{Plugin: e.opts.Plugins[i].Name, Use: -1, Err: err}
			}
		}
	}
	return nil
}

// numberPluginHooks checks every use's config against its module's schema
// and gives a hook number to each (plugin, use, phase) whose function the
// module defines.
func (e *Engine) numberPluginHooks(L *glua.LState, mods []*glua.LTable) error {
	e.pluginHooks = map[pluginHook]Hook{}
	e.pluginConfs = make([][][]byte, len(mods))
	for i, mod := range mods {
		p := e.opts.Plugins[i]
		schema, err := readSchema(L, mod.RawGetString("schema"))
		if err != nil {
			return &PluginError{Plugin: p.Name, Use: -1, Err: err}
		}
		for _, v := range []string{"init_worker", "rewrite", "access", "header_filter", "body_filter", "log"} {
			if f := mod.RawGetString(v); f != glua.LNil && f.Type() != glua.LTFunction {
				return &PluginError{Plugin: p.Name, Use: -1, Err: fmt.Errorf("%s is a %s, not a function", v, f.Type())}
			}
		}
		e.pluginConfs[i] = make([][]byte, len(p.Uses))
		for j, conf := range p.Uses {
			checked, err := schema.check(conf)
			if err != nil {
				return &PluginError{Plugin: p.Name, Use: j, Err: err}
			}
			if e.pluginConfs[i][j], err = json.Marshal(checked); err != nil {
				return &PluginError{Plugin: p.Name, Use: j, Err: err}
			}
			for _, phase := range abi.PluginPhases {
				if _, ok := mod.RawGetString(phase.String()).(*glua.LFunction); ok {
					e.pluginHooks[pluginHook{i, j, phase}] = Hook(len(e.hookNames))
					e.hookNames = append(e.hookNames, fmt.Sprintf("%s (plugin %s)", p.Chunk.Name, p.Name))
				}
			}
		}
	}
	return nil
}

// loadModule runs a plugin chunk in the init context and returns the table
// it returns.
func (vm *VM) loadModule(chunk *Chunk) (*glua.LTable, error) {
	var mod glua.LValue
	err := vm.inContext(abi.PhaseInit, func(L *glua.LState) error {
		L.Push(L.NewFunctionFromProto(chunk.proto))
		if err := L.PCall(0, 1, nil); err != nil {
			return err
		}
		mod = L.Get(-1)
		L.Pop(1)
		return nil
	})
	if err != nil {
		return nil, &HookError{Chunk: chunk.Name, Phase: abi.PhaseInit, Err: err}
	}
	t, ok := mod.(*glua.LTable)
	if !ok {
		return nil, fmt.Errorf("%s: the chunk returned %s, not a table of phase functions", chunk.Name, mod.Type())
	}
	return t, nil
}

// runFunction calls fn with no arguments in a context outside any request.
func (vm *VM) runFunction(phase abi.Phase, chunk string, fn *glua.LFunction) error {
	err := vm.inContext(phase, func(L *glua.LState) error {
		L.Push(fn)
		return L.PCall(0, 0, nil)
	})
	if err != nil {
		return &HookError{Chunk: chunk, Phase: phase, Err: err}
	}
	return nil
}

// inContext runs f on the VM's main thread in phase, outside any request,
// holding the VM; ngx.exit ends f without an error.
func (vm *VM) inContext(phase abi.Phase, f func(L *glua.LState) error) error {
	s := &Session{vm: vm, r: host.NewContext(phase, vm.e.opts.Log)}
	s.lock()
	defer s.unlock()
	L := vm.L
	L.SetContext(vm.ctx)
	defer L.RemoveContext()
	if err := f(L); err != nil && !isExit(err) {
		return err
	}
	return nil
}
