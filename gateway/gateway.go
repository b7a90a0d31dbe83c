package gateway

import (
	"context"
	"errors"
	"fmt"
	"net"
	"os"
	"path/filepath"
	"sync"
	"sync/atomic"
	"time"

	"github.com/moongate/moongate/errlog"
	"github.com/moongate/moongate/gateway/config"
	"github.com/moongate/moongate/host"
	"github.com/moongate/moongate/host/wasm"
	"github.com/moongate/moongate/shdict"
	"github.com/valyala/fasthttp"
)

// Gateway serves HTTP with the current config snapshot and reloads it on
// demand. It is safe for concurrent use.
type Gateway struct {
	path     string
	hostname string

	reloadMu sync.Mutex // one Reload at a time
	snap     atomic.Pointer[snapshot]
	gen      uint64
	wasm     *wasm.Runtime  // compiles and caches guests across reloads
	baseLog  *errlog.Logger // the first config's error log, which the Wasm runtime writes to
	// dicts are the serving config's shared dicts, carried into the next
	// one by shdict.Carry.
	dicts map[string]*shdict.Dict
	// sockets pools the cosockets' idle connections for every snapshot.
	sockets *host.ConnPool
	// watch reloads on file changes (watch.go); nil when off.
	watch *watcher
	// stopped is set by Shutdown; reloadMu guards it. Serve and apply
	// refuse to start anything afterwards.
	stopped bool

	server   *fasthttp.Server
	ln       net.Listener
	admin    *fasthttp.Server
	adminLn  net.Listener
	draining sync.WaitGroup
}

// Check loads and fully compiles the config at path without serving it, as
// `moongate -t` does (like `nginx -t`).
func Check(path string) error {
	cfg, err := config.Load(path)
	if err != nil {
		return err
	}
	log := errlog.New(os.Stderr, errlog.Error)
	runtime, err := wasm.NewRuntime(wasm.Options{CacheDir: cfg.Wasm.CacheDir, Log: log})
	if err != nil {
		return fmt.Errorf("%s: wasm: %w", cfg.File, err)
	}
	defer runtime.Close()
	dicts, _ := shdict.Carry(nil, cfg.SharedDicts, shdict.Options{})
	s, err := buildSnapshot(cfg, 0, log, runtime, dicts, nil)
	if err != nil {
		return err
	}
	s.close()
	return nil
}

// New loads the config at path and builds its first snapshot; it does not
// listen yet.
func New(path string) (*Gateway, error) {
	g := &Gateway{path: path, sockets: host.NewConnPool()}
	g.hostname, _ = os.Hostname()
	data, err := os.ReadFile(path)
	if err != nil {
		return nil, err
	}
	c, err := g.load(data)
	if err != nil {
		return nil, err
	}
	g.commit(c)
	return g, nil
}

// candidate is a fully built snapshot that does not serve yet, with what
// serving it changes.
type candidate struct {
	s       *snapshot
	dicts   map[string]*shdict.Dict
	resized []string
}

// load parses config data (the config file's content) and compiles it into
// a candidate snapshot; nothing serving changes until commit.
func (g *Gateway) load(data []byte) (*candidate, error) {
	cfg, err := config.Parse(g.path, data, filepath.Dir(g.path))
	if err != nil {
		return nil, err
	}
	level, err := errlog.ParseLevel(cfg.ErrorLog.Level)
	if err != nil {
		return nil, err
	}
	log, err := g.errorLog(cfg, level)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", cfg.File, err)
	}
	if g.wasm == nil {
		g.wasm, err = wasm.NewRuntime(wasm.Options{CacheDir: cfg.Wasm.CacheDir, Log: log})
		if err != nil {
			return nil, fmt.Errorf("%s: wasm: %w", cfg.File, err)
		}
		g.baseLog = log
	}
	dicts, resized := shdict.Carry(g.dicts, cfg.SharedDicts, shdict.Options{})
	s, err := buildSnapshot(cfg, g.gen+1, log, g.wasm, dicts, g.sockets)
	if err != nil {
		g.closeLog(log)
		return nil, err
	}
	var prev *sources
	if cur := g.snap.Load(); cur != nil {
		prev = cur.src
	}
	if s.src, err = readSources(cfg, data, prev); err != nil {
		g.discard(&candidate{s: s})
		return nil, err
	}
	return &candidate{s: s, dicts: dicts, resized: resized}, nil
}

// commit makes c the serving snapshot and returns the one it replaces
// (nil for the first).
func (g *Gateway) commit(c *candidate) *snapshot {
	g.gen = c.s.gen
	g.dicts = c.dicts
	for _, name := range c.resized {
		c.s.log.Logf(errlog.Notice, "shared dict %q changed size to %d bytes: it starts empty", name, c.s.cfg.SharedDicts[name])
	}
	return g.snap.Swap(c.s)
}

// discard closes a candidate that will not serve.
func (g *Gateway) discard(c *candidate) {
	c.s.close()
	g.closeLog(c.s.log)
}

// errorLog returns the serving snapshot's error log when cfg keeps its path
// and level, else opens a new one.
func (g *Gateway) errorLog(cfg *config.Config, level errlog.Level) (*errlog.Logger, error) {
	if cur := g.snap.Load(); cur != nil && cur.cfg.ErrorLog == cfg.ErrorLog {
		return cur.log, nil
	}
	return errlog.Open(cfg.ErrorLog.Path, level)
}

// closeLog closes log unless a snapshot or the Wasm runtime still writes
// to it.
func (g *Gateway) closeLog(log *errlog.Logger) {
	if cur := g.snap.Load(); log != g.baseLog && (cur == nil || cur.log != log) {
		log.Close()
	}
}

// Reload loads the config file again and, if it is valid, swaps it in:
// new requests use it, in-flight ones finish on the old snapshot, which is
// closed once drained. An invalid config is logged and returned, and the
// old one keeps serving. SIGHUP and POST /reload come here; they, the file
// watcher and the admin API's changes all go through apply.
func (g *Gateway) Reload() error {
	_, err := g.apply(change{source: "reload"})
	return err
}

// acquire returns the current snapshot with a reference held for one
// request; the caller releases it.
func (g *Gateway) acquire() *snapshot {
	for {
		s := g.snap.Load()
		s.acquire()
		if g.snap.Load() == s {
			return s
		}
		s.release()
	}
}

// Generation returns the generation number of the serving snapshot.
func (g *Gateway) Generation() uint64 { return g.snap.Load().gen }

// Listen opens the proxy and admin listeners from the config.
func (g *Gateway) Listen() error {
	cfg := g.snap.Load().cfg
	ln, err := net.Listen("tcp", cfg.Listen)
	if err != nil {
		return fmt.Errorf("%s: listen: %w", cfg.File, err)
	}
	g.ln = ln
	if cfg.Admin.Listen != "" {
		aln, err := net.Listen("tcp", cfg.Admin.Listen)
		if err != nil {
			ln.Close()
			return fmt.Errorf("%s: admin.listen: %w", cfg.File, err)
		}
		g.adminLn = aln
	}
	return nil
}

// Addr returns the proxy listener's address (after Listen).
func (g *Gateway) Addr() net.Addr { return g.ln.Addr() }

// AdminAddr returns the admin listener's address, or nil when it is off.
func (g *Gateway) AdminAddr() net.Addr {
	if g.adminLn == nil {
		return nil
	}
	return g.adminLn.Addr()
}

// Serve serves on the listeners opened by Listen until Shutdown; after
// Shutdown it returns at once.
func (g *Gateway) Serve() error {
	// Shutdown takes reloadMu to read the servers and the watcher, so it
	// sees either none of them (and Serve then stops at once) or all.
	g.reloadMu.Lock()
	if g.stopped {
		g.reloadMu.Unlock()
		return errStopped
	}
	s := g.snap.Load()
	c := s.cfg.Client
	g.server = &fasthttp.Server{
		Handler:                       g.handle,
		Name:                          host.ServerName,
		ReadBufferSize:                int(c.MaxHeaderSize),
		MaxRequestBodySize:            bodyLimit(c.MaxBodySize),
		StreamRequestBody:             true, // the pipeline reads or spools the body (readBody)
		ReadTimeout:                   c.HeaderTimeout + c.BodyTimeout,
		WriteTimeout:                  c.SendTimeout,
		IdleTimeout:                   c.KeepaliveTimeout,
		DisableKeepalive:              c.KeepaliveTimeout == 0,
		NoDefaultContentType:          true,
		DisablePreParseMultipartForm:  true,
		DisableHeaderNamesNormalizing: false,
		ErrorHandler:                  g.badRequest,
		ExpectHandler:                 g.expect,
		Logger:                        quietLogger{},
	}
	if g.adminLn != nil {
		g.admin = &fasthttp.Server{Handler: g.handleAdmin, Name: "moongate-admin", Logger: quietLogger{}, MaxRequestBodySize: adminMaxBody,
			ReadTimeout: adminTimeout, WriteTimeout: adminTimeout, IdleTimeout: adminTimeout}
	}
	if s.cfg.Watch.Enabled {
		g.startWatch(s.cfg.Watch.Debounce)
	}
	g.reloadMu.Unlock()
	errc := make(chan error, 2)
	if g.admin != nil {
		go func() { errc <- g.admin.Serve(g.adminLn) }()
	}
	go func() { errc <- g.server.Serve(g.ln) }()
	return <-errc
}

// bodyLimit maps client_max_body_size (0: unlimited) to fasthttp's limit.
func bodyLimit(n config.Size) int {
	if n == 0 {
		return 1<<31 - 1
	}
	return int(n)
}

// Shutdown stops accepting, waits (up to ctx's deadline) for in-flight
// requests, then closes the snapshots. A change being applied finishes
// first; later ones, and Serve, are refused. Calls after the first do
// nothing.
func (g *Gateway) Shutdown(ctx context.Context) error {
	var err error
	g.reloadMu.Lock()
	if g.stopped {
		g.reloadMu.Unlock()
		return nil
	}
	g.stopped = true
	server, admin, w := g.server, g.admin, g.watch
	g.watch = nil
	g.reloadMu.Unlock()
	w.stop()
	if admin != nil {
		admin.ShutdownWithContext(ctx)
	}
	if server != nil {
		err = server.ShutdownWithContext(ctx)
	}
	// fasthttp's Shutdown ignores a listener its Serve has not taken yet:
	// closing them ends such a Serve at once.
	for _, ln := range []net.Listener{g.ln, g.adminLn} {
		if ln != nil {
			ln.Close()
		}
	}
	g.draining.Wait()
	defer g.sockets.Close()
	s := g.snap.Load()
	if s.refs.Load() == 0 {
		s.close()
		g.wasm.Close()
		s.log.Close()
		if g.baseLog != s.log {
			g.baseLog.Close()
		}
	}
	if errors.Is(err, context.DeadlineExceeded) {
		return fmt.Errorf("shutdown: requests still running after the grace period")
	}
	return err
}

// expect answers a request's "Expect: 100-continue": 413 at once when its
// Content-Length is over client_max_body_size, as nginx does, so the
// client does not send a body that would be refused; 100 otherwise.
// fasthttp sends the 413 without a body and closes the connection.
func (g *Gateway) expect(ctx *fasthttp.RequestCtx) int {
	limit := g.snap.Load().cfg.Client.MaxBodySize
	if n := ctx.Request.Header.ContentLength(); limit > 0 && n > int(limit) {
		g.snap.Load().log.Logf(errlog.Error, "client intended to send too large body: %d bytes, client: %s", n, ctx.RemoteAddr())
		return fasthttp.StatusRequestEntityTooLarge
	}
	return fasthttp.StatusContinue
}

// badRequest answers requests fasthttp could not parse: 413 for a body over
// client_max_body_size, 431 for oversized headers, 400 otherwise. They
// never reach a hook or an upstream.
func (g *Gateway) badRequest(ctx *fasthttp.RequestCtx, err error) {
	status := fasthttp.StatusBadRequest
	var small *fasthttp.ErrSmallBuffer
	switch {
	case errors.Is(err, fasthttp.ErrBodyTooLarge):
		status = fasthttp.StatusRequestEntityTooLarge
	case errors.As(err, &small):
		status = fasthttp.StatusRequestHeaderFieldsTooLarge
	case isTimeout(err):
		status = fasthttp.StatusRequestTimeout
	}
	s := g.snap.Load()
	s.log.Logf(errlog.Info, "client sent invalid request: %v, client: %s", err, ctx.RemoteAddr())
	writeErrorPage(ctx, status)
	ctx.SetConnectionClose()
}

func isTimeout(err error) bool {
	var ne net.Error
	return errors.As(err, &ne) && ne.Timeout()
}

// quietLogger drops fasthttp's own log lines; moongate logs what matters
// to its error log.
type quietLogger struct{}

func (quietLogger) Printf(string, ...any) {}

// drainTimeout bounds how long Shutdown waits for requests by default.
const drainTimeout = 30 * time.Second
