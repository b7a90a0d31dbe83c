package gateway

import (
	"encoding/json"
	"errors"
	"slices"
	"strings"

	"github.com/moongate/moongate/abi"
	"github.com/moongate/moongate/gateway/config"
	"github.com/moongate/moongate/host/lua"
	"github.com/moongate/moongate/host/wasm"
)

// Named plugins, the lifecycle of one in a snapshot:
//
//  1. load: the config names its code (plugins.NAME: lua, lua_file or
//     wasm) and each route that uses it gives a config;
//  2. compile: Lua source is compiled, a Wasm module compiled (or taken
//     from the runtime's cache by content hash);
//  3. validate: every route's config is checked, a Lua plugin's by the
//     schema table its module returns, a Wasm plugin's by its
//     on_validate_config export; a rejected config rejects the snapshot;
//  4. init: a Wasm plugin's on_init runs once with the plugin's default
//     config; a Lua module's chunk runs once per VM after the config's
//     init hook;
//  5. init_worker: once per Lua VM (the module's init_worker) or Wasm
//     instance (on_init_worker);
//  6. per request: in each phase, the plugins a route uses run by
//     descending priority (then name), before the route's own hook, each
//     with that route's config;
//  7. drain: a replaced snapshot serves its in-flight requests, then
//  8. close: its VMs and instances are closed, pending timers fire with
//     premature set.

// luaPlugins are a config's Lua plugins as the Lua engine takes them, with
// where each use comes from.
type luaPlugins struct {
	plugins []lua.Plugin
	index   map[string]int // plugin name -> index in plugins
	routes  [][]int        // per plugin: the route of each use
	use     map[[2]int]int // (route, plugin index) -> index in Uses
}

// compilePlugins compiles the Lua plugins of cfg and lists their uses.
func compilePlugins(cfg *config.Config) (*luaPlugins, config.Errors) {
	lp := &luaPlugins{index: map[string]int{}, use: map[[2]int]int{}}
	var errs config.Errors
	for _, name := range pluginNames(cfg) {
		p := cfg.Plugins[name]
		if p.Wasm != "" {
			continue
		}
		chunk, err := lua.Compile(strings.TrimPrefix(p.ChunkName, "="), p.Lua)
		if err != nil {
			errs = append(errs, pluginError(cfg, p, err))
			continue
		}
		lp.index[name] = len(lp.plugins)
		lp.plugins = append(lp.plugins, lua.Plugin{Name: name, Chunk: chunk})
		lp.routes = append(lp.routes, nil)
	}
	for i, rt := range cfg.Routes {
		for _, u := range rt.Plugins {
			pi, ok := lp.index[u.Name]
			if !ok {
				continue
			}
			lp.use[[2]int{i, pi}] = len(lp.plugins[pi].Uses)
			lp.plugins[pi].Uses = append(lp.plugins[pi].Uses, u.Config)
			lp.routes[pi] = append(lp.routes[pi], i)
		}
	}
	return lp, errs
}

// engineError turns a failure of the Lua engine into a config error naming
// the plugin and route, or the init hook.
func (lp *luaPlugins) engineError(cfg *config.Config, err error) error {
	var perr *lua.PluginError
	if !errors.As(err, &perr) {
		return &config.Error{File: cfg.File, Route: -1, Key: hookKey(err), Reason: err.Error()}
	}
	pi := lp.index[perr.Plugin]
	if perr.Use >= 0 {
		return cfg.RouteError(lp.routes[pi][perr.Use], "plugins."+perr.Plugin, perr.Err)
	}
	return pluginError(cfg, cfg.Plugins[perr.Plugin], perr.Err)
}

// pluginError reports err for plugin p as a whole.
func pluginError(cfg *config.Config, p *config.Plugin, err error) *config.Error {
	return &config.Error{File: cfg.File, Line: p.Line, Route: -1, Key: "plugins." + p.Name, Reason: err.Error()}
}

// pluginNames returns the plugin names of cfg in order.
func pluginNames(cfg *config.Config) []string {
	names := make([]string, 0, len(cfg.Plugins))
	for name := range cfg.Plugins {
		names = append(names, name)
	}
	slices.Sort(names)
	return names
}

// loadWasmPlugins loads the Wasm plugins of cfg (sharing a module with
// hooks of the same file and limits), runs their on_init and validates
// every route's config for them.
func (s *snapshot) loadWasmPlugins(cfg *config.Config, runtime *wasm.Runtime) config.Errors {
	var errs config.Errors
	s.wasmPhases = map[wasmKey]abi.Phases{}
	for _, name := range pluginNames(cfg) {
		p := cfg.Plugins[name]
		if p.Wasm == "" {
			continue
		}
		mod, err := s.wasmModule(runtime, cfg, p)
		if err != nil {
			errs = append(errs, pluginError(cfg, p, err))
			continue
		}
		conf, err := json.Marshal(p.Config)
		if err == nil {
			err = mod.Init(conf)
		}
		if err == nil {
			s.wasmPhases[pluginKey(p)], err = mod.PluginPhases()
		}
		if err != nil {
			errs = append(errs, pluginError(cfg, p, err))
		}
	}
	for i, rt := range cfg.Routes {
		for _, u := range rt.Plugins {
			if u.Plugin.Wasm == "" || s.wasm[pluginKey(u.Plugin)] == nil {
				continue
			}
			conf, err := json.Marshal(u.Config)
			if err == nil {
				err = s.wasm[pluginKey(u.Plugin)].ValidateConfig(conf)
			}
			if err != nil {
				errs = append(errs, cfg.RouteError(i, "plugins."+u.Name, err))
			}
		}
	}
	return errs
}

// wasmModule returns the snapshot's module for plugin p, loading it if no
// hook loaded it already.
func (s *snapshot) wasmModule(runtime *wasm.Runtime, cfg *config.Config, p *config.Plugin) (*wasm.Module, error) {
	key := pluginKey(p)
	if mod := s.wasm[key]; mod != nil {
		return mod, nil
	}
	mod, err := runtime.Load(p.Wasm, wasmLimits(p.Limits, cfg.Lua), nil, s.dicts)
	if err != nil {
		return nil, err
	}
	s.wasm[key] = mod
	return mod, nil
}

func pluginKey(p *config.Plugin) wasmKey { return wasmKey{p.Wasm, p.Limits} }

// bindHooks gives each route its hooks in run order: per phase, the hooks
// of the plugins it uses (in priority order), then its own.
func (s *snapshot) bindHooks(lp *luaPlugins) {
	for i := range s.routes {
		rt := &s.routes[i]
		for _, u := range rt.cfg.Plugins {
			conf, _ := json.Marshal(u.Config) // checked by loadWasmPlugins
			for _, p := range abi.PluginPhases {
				if u.Plugin.Wasm != "" {
					if s.wasmPhases[pluginKey(u.Plugin)].Has(p) {
						rt.hooks[p] = append(rt.hooks[p], hook{lua: noLua, wasm: s.wasm[pluginKey(u.Plugin)], config: conf, plugin: u.Name})
					}
					continue
				}
				pi := lp.index[u.Name]
				if h, ok := s.lua.PluginHook(pi, lp.use[[2]int{i, pi}], p); ok {
					rt.hooks[p] = append(rt.hooks[p], hook{lua: h})
				}
			}
		}
		for p, h := range rt.own {
			if h.set() {
				rt.hooks[p] = append(rt.hooks[p], h)
			}
		}
	}
}
