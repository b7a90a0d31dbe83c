package gateway

import (
	"bytes"
	"crypto/sha256"
	"crypto/subtle"
	"encoding/json"
	"errors"
	"maps"
	"runtime"
	"slices"
	"strings"
	"time"

	"github.com/moongate/moongate/host/wasm"
	"github.com/valyala/fasthttp"
	"github.com/valyala/fasthttp/pprofhandler"
)

// adminMaxBody bounds an admin request's body: a standard-Go guest is a
// few MiB, and a third more in base64.
const adminMaxBody = 64 << 20

// adminTimeout bounds reading an admin request, writing its answer and an
// idle admin connection. A change that compiles a large guest takes
// seconds; reading its upload should not.
const adminTimeout = time.Minute

// adminHandler serves one admin endpoint; arg is the path's {name} or
// {id}, "" for collections.
type adminHandler func(ctx *fasthttp.RequestCtx, arg string)

// handleAdmin serves the admin API (README.md, "Admin API"):
//
//	GET  /config              the config file (YAML, or JSON with Accept: application/json)
//	PUT  /config              replace the config (YAML or JSON)
//	GET  /plugins             the plugins
//	GET|PUT|DELETE /plugins/{name}
//	GET  /routes              the routes
//	GET|PUT|DELETE /routes/{id}
//	POST /reload              reload the config file (same path as SIGHUP)
//	GET  /status              the serving generation, plugins and pools
//	GET  /debug/pprof/        Go's profiler
//
// With admin.token set, every request needs "Authorization: Bearer
// <token>". Changes go through apply: they are built fully, then written
// to the config file and swapped in, or rejected with 400 and nothing
// changed.
func (g *Gateway) handleAdmin(ctx *fasthttp.RequestCtx) {
	if !g.authorized(ctx) {
		ctx.Response.Header.Set("WWW-Authenticate", `Bearer realm="moongate-admin"`)
		adminError(ctx, fasthttp.StatusUnauthorized, "missing or wrong bearer token")
		return
	}
	path := string(ctx.Path())
	if strings.HasPrefix(path, "/debug/pprof/") {
		pprofhandler.PprofHandler(ctx)
		return
	}
	endpoint, arg := g.adminEndpoint(path)
	if endpoint == nil {
		adminError(ctx, fasthttp.StatusNotFound, "no such admin endpoint")
		return
	}
	h := endpoint[string(ctx.Method())]
	if h == nil {
		allowed := slices.Sorted(maps.Keys(endpoint))
		ctx.Response.Header.Set("Allow", strings.Join(allowed, ", "))
		adminError(ctx, fasthttp.StatusMethodNotAllowed, "use "+strings.Join(allowed, " or "))
		return
	}
	h(ctx, arg)
}

// adminEndpoint returns the handlers of path by method, with the path's
// argument, or nil.
func (g *Gateway) adminEndpoint(path string) (map[string]adminHandler, string) {
	collection, arg, item := strings.Cut(strings.TrimPrefix(path, "/"), "/")
	if item && (arg == "" || strings.Contains(arg, "/")) {
		return nil, ""
	}
	switch {
	case collection == "config" && !item:
		return map[string]adminHandler{"GET": g.getConfig, "PUT": g.putConfig}, ""
	case collection == "plugins" && !item:
		return map[string]adminHandler{"GET": g.listPlugins}, ""
	case collection == "plugins":
		return map[string]adminHandler{"GET": g.getPlugin, "PUT": g.putPlugin, "DELETE": g.deletePlugin}, arg
	case collection == "routes" && !item:
		return map[string]adminHandler{"GET": g.listRoutes}, ""
	case collection == "routes":
		return map[string]adminHandler{"GET": g.getRoute, "PUT": g.putRoute, "DELETE": g.deleteRoute}, arg
	case collection == "reload" && !item:
		return map[string]adminHandler{"POST": g.postReload}, ""
	case collection == "status" && !item:
		return map[string]adminHandler{"GET": g.getStatus}, ""
	}
	return nil, ""
}

// authorized checks the bearer token, when the serving config sets one,
// in constant time: it compares digests, as ConstantTimeCompare returns
// at once on a length mismatch, which would tell the token's length.
func (g *Gateway) authorized(ctx *fasthttp.RequestCtx) bool {
	token := g.snap.Load().cfg.Admin.Token
	if token == "" {
		return true
	}
	scheme, got, _ := bytes.Cut(ctx.Request.Header.Peek(fasthttp.HeaderAuthorization), []byte(" "))
	gotSum, wantSum := sha256.Sum256(got), sha256.Sum256([]byte(token))
	return bytes.EqualFold(scheme, []byte("Bearer")) && subtle.ConstantTimeCompare(gotSum[:], wantSum[:]) == 1
}

func (g *Gateway) postReload(ctx *fasthttp.RequestCtx, _ string) {
	s, err := g.apply(change{source: "admin POST /reload"})
	if err != nil {
		adminApplyError(ctx, err)
		return
	}
	adminJSON(ctx, map[string]any{"reloaded": true, "generation": s.gen})
}

// status is the answer of GET /status.
type status struct {
	Generation uint64                  `json:"generation"`
	Config     string                  `json:"config"`
	Routes     int                     `json:"routes"`
	Plugins    map[string]*pluginState `json:"plugins"`
	LuaVMs     int                     `json:"lua_vms"`
	Wasm       []wasmStatus            `json:"wasm"`
}

// wasmStatus is one loaded Wasm module: a file with one set of limits.
type wasmStatus struct {
	Path   string `json:"path"`
	Memory int64  `json:"memory,omitempty"` // the configured limit; 0: the default
	wasm.PoolStats
}

func (g *Gateway) getStatus(ctx *fasthttp.RequestCtx, _ string) {
	s := g.acquire()
	defer s.release()
	st := status{
		Generation: s.gen,
		Config:     s.cfg.File,
		Routes:     len(s.routes),
		Plugins:    s.src.plugins,
		// lua.Options.VMs: 0 means two per CPU.
		LuaVMs: s.cfg.Lua.VMs,
		Wasm:   []wasmStatus{},
	}
	if st.LuaVMs <= 0 {
		st.LuaVMs = 2 * runtime.GOMAXPROCS(0)
	}
	for key, m := range s.wasm {
		st.Wasm = append(st.Wasm, wasmStatus{Path: key.path, Memory: int64(key.limits.Memory), PoolStats: m.Stats()})
	}
	slices.SortFunc(st.Wasm, func(a, b wasmStatus) int { return strings.Compare(a.Path, b.Path) })
	adminJSON(ctx, st)
}

// errPersist marks an apply that failed writing the config file or a
// plugin file.
var errPersist = errors.New("cannot write to disk")

// adminApplyError answers a rejected change: 400 for a config the gateway
// refused, 500 when a file could not be written.
func adminApplyError(ctx *fasthttp.RequestCtx, err error) {
	status := fasthttp.StatusBadRequest
	if errors.Is(err, errPersist) {
		status = fasthttp.StatusInternalServerError
	}
	adminError(ctx, status, err.Error())
}

func adminJSON(ctx *fasthttp.RequestCtx, v any) {
	ctx.SetContentType("application/json")
	b, err := json.Marshal(v)
	if err != nil {
		ctx.SetStatusCode(fasthttp.StatusInternalServerError)
		b, _ = json.Marshal(map[string]string{"error": err.Error()})
	}
	ctx.SetBody(append(b, '\n'))
}

func adminError(ctx *fasthttp.RequestCtx, status int, msg string) {
	ctx.SetStatusCode(status)
	adminJSON(ctx, map[string]string{"error": msg})
}
