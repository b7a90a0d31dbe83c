package gateway

import (
	"encoding/json"
	"errors"
	"fmt"
	"maps"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"sync/atomic"
	"time"

	"github.com/moongate/moongate/abi"
	"github.com/moongate/moongate/errlog"
	"github.com/moongate/moongate/gateway/config"
	"github.com/moongate/moongate/gateway/location"
	"github.com/moongate/moongate/gateway/proxy"
	"github.com/moongate/moongate/host"
	"github.com/moongate/moongate/host/lua"
	"github.com/moongate/moongate/host/regex"
	"github.com/moongate/moongate/host/wasm"
	"github.com/moongate/moongate/shdict"
)

// noLua marks a hook that is not Lua.
const noLua lua.Hook = -1

// hook is one phase handler of a route: a Lua chunk in the snapshot's
// engine, or a Wasm module with the hook's config.
type hook struct {
	lua    lua.Hook     // noLua unless a Lua hook
	wasm   *wasm.Module // nil unless a Wasm hook
	config []byte       // the hook's config as JSON, for plugin_config
	plugin string       // the named plugin a Wasm hook runs, for errors; "" for a route's own
}

// named adds the name of h's plugin to err, an error of h's Wasm guest
// (a Lua plugin's chunk name says it already).
func (h *hook) named(err error) error {
	if err == nil || h.plugin == "" {
		return err
	}
	return fmt.Errorf("plugin %s: %w", h.plugin, err)
}

// set reports whether the phase has a handler.
func (h *hook) set() bool { return h.lua != noLua || h.wasm != nil }

// unset is a phase without a handler.
var unset = hook{lua: noLua}

// snapshot is one loaded config: everything a request needs, immutable
// once built. Requests hold a reference while they run; a replaced
// snapshot is closed when the last one ends.
type snapshot struct {
	gen    uint64
	cfg    *config.Config
	log    *errlog.Logger
	router *location.Router
	routes []route
	lua    *lua.Engine
	wasm   map[wasmKey]*wasm.Module
	// wasmPhases are the phases each Wasm plugin's module handles.
	wasmPhases map[wasmKey]abi.Phases
	vars       host.Vars
	dicts      []*shdict.Dict // the shared dicts, sorted by name, for host.Request.Dicts
	regex      *regex.Cache   // ngx.re's compiled patterns, for host.Request.Regex
	// sockets and socket are the cosocket pool and defaults, for
	// host.Request.Sockets and SocketOptions.
	sockets *host.ConnPool
	socket  host.SocketOptions
	// src is what the snapshot was built from, for the admin API and the
	// watcher (admin_state.go); nil for Check's.
	src *sources

	refs    atomic.Int64
	retired atomic.Bool
}

// route is a config route with its compiled parts.
type route struct {
	cfg    *config.Route
	prefix string // literal location prefix, for proxy_pass URI rewriting
	// hooks are each phase's handlers in run order: the plugins' (by
	// priority), then the route's own.
	hooks    [abi.PhaseTimer][]hook
	own      [abi.PhaseTimer]hook // the route's own hooks, while building
	upstream *proxy.Upstream
}

// has reports whether the route has a handler for phase p.
func (rt *route) has(p abi.Phase) bool { return len(rt.hooks[p]) > 0 }

// wasmKey identifies one loaded module: hooks with the same file and
// limits share its instance pool.
type wasmKey struct {
	path   string
	limits config.WasmLimits
}

// buildSnapshot compiles cfg: the router, every Lua chunk, the VMs (running
// init and init_worker) and the upstreams. Errors name the file, route, key
// and reason; on error nothing of the new snapshot is left running.
func buildSnapshot(cfg *config.Config, gen uint64, log *errlog.Logger, runtime *wasm.Runtime, dicts map[string]*shdict.Dict, sockets *host.ConnPool) (*snapshot, error) {
	s := &snapshot{gen: gen, cfg: cfg, log: log, vars: host.Vars(cfg.Variables), dicts: sortedDicts(dicts)}
	s.regex = regex.NewCache(regex.Options{CacheSize: cfg.Lua.RegexCacheMaxEntries, MatchLimit: cfg.Lua.RegexMatchLimit})
	s.sockets = sockets
	s.socket = host.SocketOptions{
		ConnectTimeout:   cfg.Lua.Socket.ConnectTimeout,
		SendTimeout:      cfg.Lua.Socket.SendTimeout,
		ReadTimeout:      cfg.Lua.Socket.ReadTimeout,
		PoolSize:         cfg.Lua.Socket.PoolSize,
		KeepaliveTimeout: cfg.Lua.Socket.KeepaliveTimeout,
		BufferSize:       int(cfg.Lua.Socket.BufferSize),
		RootCAs:          cfg.Lua.TrustedCerts,
	}
	var errs config.Errors
	locs := make([]string, len(cfg.Routes))
	for i, r := range cfg.Routes {
		locs[i] = r.Location
		if _, err := location.Parse(r.Location); err != nil {
			errs = append(errs, cfg.RouteError(i, "location", err))
		}
	}
	if len(errs) == 0 {
		router, err := location.New(locs)
		if err != nil {
			errs = append(errs, &config.Error{File: cfg.File, Route: -1, Key: "routes", Reason: err.Error()})
		}
		s.router = router
	}

	s.routes = make([]route, len(cfg.Routes))
	for i := range cfg.Routes {
		rt := &s.routes[i]
		rt.cfg = &cfg.Routes[i]
		for p := range rt.own {
			rt.own[p] = unset
		}
		if s.router != nil {
			rt.prefix = s.router.Prefix(i)
		}
		if rt.cfg.ProxyPass != "" {
			up, err := proxy.New(rt.cfg.ProxyPass, proxyOptions(rt.cfg.Proxy))
			if err != nil {
				errs = append(errs, cfg.RouteError(i, "proxy_pass", err))
				continue
			}
			if up.HasURI() && rt.prefix == "" && s.router != nil {
				errs = append(errs, cfg.RouteError(i, "proxy_pass", errors.New(
					"proxy_pass cannot have a URI part in a location given by a regular expression")))
			}
			rt.upstream = up
		}
	}

	var chunks []*lua.Chunk
	var initChunk, initWorker *lua.Chunk
	wasmRefs := map[wasmKey][]config.HookRef{}
	for _, ref := range cfg.Hooks() {
		phase, _ := abi.ParsePhase(ref.Phase)
		if ref.Hook.Wasm != "" {
			key := wasmKey{ref.Hook.Wasm, ref.Hook.Limits}
			wasmRefs[key] = append(wasmRefs[key], ref)
			continue
		}
		chunk, err := lua.Compile(strings.TrimPrefix(ref.Hook.ChunkName, "="), ref.Hook.Lua)
		if err != nil {
			errs = append(errs, cfg.HookError(ref, err))
			continue
		}
		switch phase {
		case abi.PhaseInit:
			initChunk = chunk
		case abi.PhaseInitWorker:
			initWorker = chunk
		default:
			s.routes[ref.Route].own[phase].lua = lua.Hook(len(chunks))
			chunks = append(chunks, chunk)
		}
	}
	luaPlugins, pluginErrs := compilePlugins(cfg)
	errs = append(errs, pluginErrs...)
	if len(errs) == 0 {
		errs = s.loadWasm(cfg, runtime, wasmRefs)
	}
	if len(errs) == 0 {
		errs = s.loadWasmPlugins(cfg, runtime)
	}
	if len(errs) > 0 {
		s.close()
		return nil, errs
	}
	hostname, _ := os.Hostname()
	engine, err := lua.NewEngine(lua.Options{
		PackagePath: cfg.Lua.PackagePath,
		CPULimit:    cfg.Lua.CPULimit,
		VMs:         cfg.Lua.VMs,
		Log:         log,
		Hostname:    hostname,
		Prefix:      filepath.Dir(cfg.File),
		Dicts:       dicts,
		Sockets:     sockets,
		Socket:      s.socket,

		MaxPendingTimers: cfg.Lua.MaxPendingTimers,
		MaxRunningTimers: cfg.Lua.MaxRunningTimers,
		Plugins:          luaPlugins.plugins,
		Regex:            s.regex,
	}, chunks, initChunk, initWorker)
	if err != nil {
		s.close()
		return nil, luaPlugins.engineError(cfg, err)
	}
	s.lua = engine
	s.bindHooks(luaPlugins)
	return s, nil
}

// loadWasm loads each Wasm module once, for all the phases its hooks use,
// binds the route hooks to it and runs init hooks.
func (s *snapshot) loadWasm(cfg *config.Config, runtime *wasm.Runtime, refs map[wasmKey][]config.HookRef) config.Errors {
	var errs config.Errors
	s.wasm = make(map[wasmKey]*wasm.Module, len(refs))
	for key, hooks := range refs {
		var phases []abi.Phase
		for _, ref := range hooks {
			p, _ := abi.ParsePhase(ref.Phase)
			phases = append(phases, p)
		}
		mod, err := runtime.Load(key.path, wasmLimits(key.limits, cfg.Lua), phases, s.dicts)
		if err != nil {
			errs = append(errs, cfg.HookError(hooks[0], err))
			continue
		}
		s.wasm[key] = mod
		for _, ref := range hooks {
			conf, err := json.Marshal(ref.Hook.Config)
			if err != nil {
				errs = append(errs, cfg.HookError(ref, err))
				continue
			}
			p, _ := abi.ParsePhase(ref.Phase)
			switch p {
			case abi.PhaseInit:
				if err := mod.Init(conf); err != nil {
					errs = append(errs, cfg.HookError(ref, err))
				}
			case abi.PhaseInitWorker: // run by Load on each instance
			default:
				s.routes[ref.Route].own[p] = hook{lua: noLua, wasm: mod, config: conf}
			}
		}
	}
	return errs
}

// sortedDicts returns the dicts sorted by name.
func sortedDicts(dicts map[string]*shdict.Dict) []*shdict.Dict {
	sorted := slices.Collect(maps.Values(dicts))
	slices.SortFunc(sorted, func(a, b *shdict.Dict) int { return strings.Compare(a.Name(), b.Name()) })
	return sorted
}

// wasmLimits are a Wasm hook's limits; its timers share the lua.* limits.
func wasmLimits(l config.WasmLimits, lua config.Lua) wasm.Limits {
	return wasm.Limits{Memory: int64(l.Memory), Timeout: l.Timeout, Pool: l.Pool,
		MaxPendingTimers: lua.MaxPendingTimers, MaxRunningTimers: lua.MaxRunningTimers}
}

// hookKey names the config key of a failed init or init_worker hook.
func hookKey(err error) string {
	var herr *lua.HookError
	if errors.As(err, &herr) {
		return herr.Phase.String()
	}
	return "lua"
}

func proxyOptions(p config.ProxyDefaults) proxy.Options {
	return proxy.Options{
		ConnectTimeout:   p.ConnectTimeout,
		SendTimeout:      p.SendTimeout,
		ReadTimeout:      p.ReadTimeout,
		PreserveHost:     p.PreserveHost,
		ForwardedHeaders: p.ForwardedHeaders,
		KeepaliveConns:   p.KeepaliveConns,
		BufferSize:       int(p.BufferSize),
	}
}

// acquire takes a reference for one request.
func (s *snapshot) acquire() { s.refs.Add(1) }

// release drops a request's reference.
func (s *snapshot) release() { s.refs.Add(-1) }

// drain waits until no request uses the retired snapshot, then closes it.
func (s *snapshot) drain() {
	s.retired.Store(true)
	for s.refs.Load() > 0 {
		time.Sleep(10 * time.Millisecond)
	}
	s.close()
}

// close stops the snapshot's VMs, Wasm instances and upstream connection
// pools.
func (s *snapshot) close() {
	if s.lua != nil {
		s.lua.Close()
	}
	for _, m := range s.wasm {
		m.Close()
	}
	s.closeUpstreams()
}

func (s *snapshot) closeUpstreams() {
	for i := range s.routes {
		if up := s.routes[i].upstream; up != nil {
			up.Close()
		}
	}
}
