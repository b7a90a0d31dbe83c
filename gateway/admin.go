package gateway

import (
	"encoding/json"
	"strings"

	"github.com/valyala/fasthttp"
	"github.com/valyala/fasthttp/pprofhandler"
)

// handleAdmin serves the admin API:
//
//	POST /reload        reload the config file (same path as SIGHUP)
//	GET  /status        the serving generation and config file
//	GET  /debug/pprof/  Go's profiler
func (g *Gateway) handleAdmin(ctx *fasthttp.RequestCtx) {
	path := string(ctx.Path())
	switch {
	case path == "/reload":
		if !ctx.IsPost() {
			adminError(ctx, fasthttp.StatusMethodNotAllowed, "use POST")
			return
		}
		if err := g.Reload(); err != nil {
			adminError(ctx, fasthttp.StatusBadRequest, err.Error())
			return
		}
		adminJSON(ctx, map[string]any{"reloaded": true, "generation": g.Generation()})
	case path == "/status":
		s := g.snap.Load()
		adminJSON(ctx, map[string]any{"generation": s.gen, "config": s.cfg.File, "routes": len(s.routes)})
	case strings.HasPrefix(path, "/debug/pprof/"):
		pprofhandler.PprofHandler(ctx)
	default:
		adminError(ctx, fasthttp.StatusNotFound, "no such admin endpoint")
	}
}

func adminJSON(ctx *fasthttp.RequestCtx, v any) {
	ctx.SetContentType("application/json")
	b, _ := json.Marshal(v)
	ctx.SetBody(append(b, '\n'))
}

func adminError(ctx *fasthttp.RequestCtx, status int, msg string) {
	ctx.SetStatusCode(status)
	adminJSON(ctx, map[string]string{"error": msg})
}
