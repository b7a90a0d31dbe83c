package gateway

import (
	"errors"
	"os"
	"path/filepath"
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
)

// noHook marks a phase without a hook.
const noHook lua.Hook = -1

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
	vars   host.Vars

	refs    atomic.Int64
	retired atomic.Bool
}

// route is a config route with its compiled parts.
type route struct {
	cfg      *config.Route
	prefix   string // literal location prefix, for proxy_pass URI rewriting
	hooks    [abi.PhaseTimer]lua.Hook
	upstream *proxy.Upstream
}

func (rt *route) hook(p abi.Phase) lua.Hook { return rt.hooks[p] }

// buildSnapshot compiles cfg: the router, every Lua chunk, the VMs (running
// init and init_worker) and the upstreams. Errors name the file, route, key
// and reason; on error nothing of the new snapshot is left running.
func buildSnapshot(cfg *config.Config, gen uint64, log *errlog.Logger) (*snapshot, error) {
	s := &snapshot{gen: gen, cfg: cfg, log: log, vars: host.Vars(cfg.Variables)}
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
		for p := range rt.hooks {
			rt.hooks[p] = noHook
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
	for _, ref := range cfg.Hooks() {
		if ref.Hook.Wasm != "" {
			errs = append(errs, cfg.HookError(ref, errors.New("wasm hooks are not supported yet")))
			continue
		}
		chunk, err := lua.Compile(strings.TrimPrefix(ref.Hook.ChunkName, "="), ref.Hook.Lua)
		if err != nil {
			errs = append(errs, cfg.HookError(ref, err))
			continue
		}
		phase, _ := abi.ParsePhase(ref.Phase)
		switch {
		case phase == abi.PhaseInit:
			initChunk = chunk
		case phase == abi.PhaseInitWorker:
			initWorker = chunk
		default:
			s.routes[ref.Route].hooks[phase] = lua.Hook(len(chunks))
			chunks = append(chunks, chunk)
		}
	}
	if len(errs) > 0 {
		s.closeUpstreams()
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
	}, chunks, initChunk, initWorker)
	if err != nil {
		s.closeUpstreams()
		return nil, &config.Error{File: cfg.File, Route: -1, Key: hookKey(err), Reason: err.Error()}
	}
	s.lua = engine
	return s, nil
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

// close stops the snapshot's VMs and upstream connection pools.
func (s *snapshot) close() {
	if s.lua != nil {
		s.lua.Close()
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
