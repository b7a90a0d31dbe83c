package config

import (
	"crypto/x509"
	"os"
	"path/filepath"
	"slices"
	"time"
)

// Config is a parsed and validated moongate.yaml. It is immutable once
// returned by Load or Parse.
type Config struct {
	File        string             // the file it was loaded from (name passed to Parse)
	Listen      string             // yaml listen: host:port of the proxy server; default "127.0.0.1:8080"
	Admin       Admin              // yaml admin
	ErrorLog    ErrorLog           // yaml error_log
	Lua         Lua                // yaml lua
	Wasm        Wasm               // yaml wasm
	SharedDicts map[string]Size    // yaml shared_dicts: name -> memory budget in bytes, each at least 8k; nil if none
	Variables   map[string]string  // yaml variables: user variables for ngx.var (like nginx `set $name value`), name -> default value; names match [A-Za-z_][A-Za-z0-9_]*; nil if none
	Client      Client             // client_* and related keys, at the top level of the YAML
	Proxy       ProxyDefaults      // yaml proxy: defaults for every route's proxy options
	Watch       Watch              // yaml watch: reload when the config file or a file it names changes
	Plugins     map[string]*Plugin // yaml plugins: named plugins by name; nil if none
	Init        *Hook              // yaml init: runs once per config load; nil if absent
	InitWorker  *Hook              // yaml init_worker: runs once per Lua VM or Wasm instance; nil if absent
	Routes      []Route            // yaml routes, in file order
}

// Admin configures the admin API server.
type Admin struct {
	Listen string // yaml listen: host:port; default "127.0.0.1:9180"; "" (set as "" or "off") disables the admin API
	// Token is the bearer token the admin API requires: yaml token, or the
	// value of the environment variable named by yaml token_env. It is
	// required when Listen is not a loopback address; with a loopback
	// Listen and no token, requests need none.
	Token string
	// PluginDir is yaml plugin_dir: where plugins uploaded through the
	// admin API are stored, resolved against the config directory;
	// default "plugins".
	PluginDir string
}

// Watch configures file watching.
type Watch struct {
	Enabled  bool          // yaml enabled: default true
	Debounce time.Duration // yaml debounce: how long changes must settle before a reload; default 200ms, at least 0
}

// ErrorLog configures the error log.
type ErrorLog struct {
	Path  string // yaml path: "stderr" (default), "stdout", or a file path (resolved against the config directory)
	Level string // yaml level: one of debug, info, notice (default), warn, error, crit, alert, emerg
}

// Lua configures the Lua VMs.
type Lua struct {
	PackagePath          string        // yaml package_path: the Lua search path; default "lua/?.lua;lua/?/init.lua"; relative entries are resolved against the config directory, empty entries (";;") are kept
	MaxPendingTimers     int           // yaml max_pending_timers: default 1024, at least 0
	MaxRunningTimers     int           // yaml max_running_timers: default 256, at least 0
	RegexCacheMaxEntries int           // yaml regex_cache_max_entries: compiled ngx.re patterns kept; default 1024; 0 disables the cache
	RegexMatchLimit      time.Duration // yaml regex_match_limit: the longest a match may run on the backtracking engine (patterns RE2 cannot run); default 100ms, must be positive
	CPULimit             time.Duration // yaml cpu_limit: Lua running time allowed per hook call (not time spent waiting); default 1s, must be positive
	VMs                  int           // yaml vms: number of Lua VMs ("workers"); 0 (default) lets the gateway choose
	Socket               LuaSocket     // yaml socket: cosocket defaults (ngx.socket.tcp/udp)

	// SSLTrustedCertificate is yaml ssl_trusted_certificate: a PEM file of
	// the CA certificates that sslhandshake verifies servers against
	// (lua_ssl_trusted_certificate), resolved against the config
	// directory; "" (default) trusts the system's roots.
	SSLTrustedCertificate string
	// TrustedCerts holds the certificates of SSLTrustedCertificate; nil
	// when it is "".
	TrustedCerts *x509.CertPool
}

// LuaSocket holds the cosocket defaults, OpenResty's lua_socket_*
// directives.
type LuaSocket struct {
	ConnectTimeout   time.Duration // yaml connect_timeout: default 60s, must be positive
	SendTimeout      time.Duration // yaml send_timeout: default 60s, must be positive
	ReadTimeout      time.Duration // yaml read_timeout: default 60s, must be positive
	PoolSize         int           // yaml pool_size: the size of a connection pool that setkeepalive creates without one; default 30, at least 1
	KeepaliveTimeout time.Duration // yaml keepalive_timeout: how long a pooled connection may stay idle when setkeepalive gives no timeout; default 60s; 0 means no limit
	BufferSize       Size          // yaml buffer_size: a connection's receive buffer, the most receiveany returns at once; default 4k, at least 16
}

// Wasm configures the WebAssembly runtime.
type Wasm struct {
	CacheDir string // yaml cache_dir: compiled modules are cached there across restarts; "" keeps them in memory only
}

// WasmLimits bound a Wasm hook's instances; zero fields take the runtime's
// defaults (documented in host/wasm).
type WasmLimits struct {
	Memory  Size          // yaml memory: linear memory per instance, at least 64k
	Timeout time.Duration // yaml timeout: wall time per call
	Pool    int           // yaml pool: most instances at once, at least 1
}

// Client holds the limits and timeouts for client connections. Its keys
// live at the top level of the YAML, like nginx directives.
type Client struct {
	MaxBodySize      Size          // yaml client_max_body_size: default 1m; 0 means unlimited, as in nginx
	BodyBufferSize   Size          // yaml client_body_buffer_size: request bodies larger than this are spooled to a temp file; default 16k, at least 1
	BodyTempPath     string        // yaml client_body_temp_path: the directory of spooled request bodies, resolved against the config directory; default "" (the system's temp directory)
	MaxHeaderSize    Size          // yaml client_max_header_size: the whole request line and headers; default 8k, must be positive
	HeaderTimeout    time.Duration // yaml client_header_timeout: default 60s, must be positive
	BodyTimeout      time.Duration // yaml client_body_timeout: default 60s, must be positive
	SendTimeout      time.Duration // yaml send_timeout: default 60s, must be positive
	KeepaliveTimeout time.Duration // yaml keepalive_timeout: default 75s; 0 disables keep-alive, as in nginx
}

// ProxyDefaults are the options for proxying to an upstream. The
// top-level yaml key "proxy" sets the defaults; a route's own "proxy" map
// overrides them field by field.
type ProxyDefaults struct {
	ConnectTimeout   time.Duration // yaml connect_timeout: default 60s, must be positive
	SendTimeout      time.Duration // yaml send_timeout: default 60s, must be positive
	ReadTimeout      time.Duration // yaml read_timeout: default 60s, must be positive
	PreserveHost     bool          // yaml preserve_host: send the client's Host; default false (Host is the proxy_pass host, as nginx's $proxy_host)
	ForwardedHeaders bool          // yaml forwarded_headers: add X-Forwarded-For (appended), X-Real-IP, X-Forwarded-Proto and X-Forwarded-Host; default false
	KeepaliveConns   int           // yaml keepalive: idle keep-alive connections kept per upstream host; default 64, at least 0
	BufferSize       Size          // yaml buffer_size: responses up to this size are buffered whole, larger ones stream; default 1m
}

// Route is one entry of routes.
type Route struct {
	ID       string // yaml id: the route's name in the admin API (/routes/{id}); [A-Za-z0-9_.-]+, unique; "" if absent
	Index    int    // position in routes (0-based)
	Line     int    // line of the route in the config file
	Location string // yaml location: nginx location syntax, checked by the gateway's router (here only that it is not empty)

	Rewrite      *Hook // yaml rewrite; nil if absent, like every hook
	Access       *Hook // yaml access
	Content      *Hook // yaml content; excludes ProxyPass
	HeaderFilter *Hook // yaml header_filter
	BodyFilter   *Hook // yaml body_filter
	Log          *Hook // yaml log

	ProxyPass string        // yaml proxy_pass: "http://host[:port][/path]"; "" if absent
	Proxy     ProxyDefaults // the effective proxy options: the defaults merged with the route's own yaml proxy map
	Internal  bool          // yaml internal: only reachable by internal redirects and subrequests
	// Plugins is yaml plugins: a map from a plugin name (a key of
	// Config.Plugins) to the route's config for it. It holds the uses in
	// run order: by descending priority, then by name.
	Plugins []PluginUse
}

// Plugin is a named plugin: a Lua module or a Wasm module that routes use
// by name, each with its own config.
//
// A Lua plugin's source (yaml lua, or lua_file) is a chunk returning a
// table of phase functions (init_worker, rewrite, access, header_filter,
// body_filter, log), each called as f(conf) with the route's config; the
// table may hold a schema the config is validated against. A Wasm plugin
// (yaml wasm) is a guest exporting phase functions, reading the route's
// config with plugin_config.
type Plugin struct {
	Name     string // the key in plugins
	Priority int    // yaml priority: plugins with a higher priority run first in each phase; default 0; ties run in name order
	Hook            // the code: yaml lua, lua_file or wasm with memory, timeout, pool; Hook.Config is yaml config, the default config for routes that give none
}

// PluginUse is one plugin a route uses.
type PluginUse struct {
	Name   string  // the plugin name
	Plugin *Plugin // the plugin, from Config.Plugins
	Config any     // the route's config for it: the yaml value, or the plugin's default config when the route gives null
	Line   int     // line of the use in the config file
}

// Hook is one phase handler: exactly one of lua, lua_file, wasm.
type Hook struct {
	Lua       string     // the Lua source: inline (yaml lua) or the content of lua_file
	ChunkName string     // the Lua chunk name for error messages: "=moongate.yaml:14:routes[2].access" for inline code (file, line of the code, key), the resolved path for lua_file
	File      string     // yaml lua_file, resolved against the config directory; "" for inline Lua
	Wasm      string     // yaml wasm: the module path, resolved against the config directory
	Config    any        // yaml config: any YAML value (maps as map[string]any), passed to the plugin; only allowed with wasm
	Limits    WasmLimits // yaml memory, timeout, pool: only allowed with wasm
	Line      int        // line of the hook in the config file
}

// HookRef is a hook with its owner, as listed by [Config.Hooks].
type HookRef struct {
	Route int    // index in Routes, or -1 for init and init_worker
	Phase string // the yaml key: init, init_worker, rewrite, access, content, header_filter, body_filter or log
	Hook  *Hook
}

// routePhases lists the per-request phases in lifecycle order with their
// Route fields. It is never modified.
var routePhases = []struct {
	name string
	hook func(*Route) **Hook
}{
	{"rewrite", func(r *Route) **Hook { return &r.Rewrite }},
	{"access", func(r *Route) **Hook { return &r.Access }},
	{"content", func(r *Route) **Hook { return &r.Content }},
	{"header_filter", func(r *Route) **Hook { return &r.HeaderFilter }},
	{"body_filter", func(r *Route) **Hook { return &r.BodyFilter }},
	{"log", func(r *Route) **Hook { return &r.Log }},
}

// Load reads, decodes and validates the config file at path. Relative
// paths inside (lua_file, wasm, error_log.path, lua.package_path) are
// resolved against the config file's directory. A file that cannot be read
// gives its *fs.PathError; invalid contents give an [Errors].
func Load(path string) (*Config, error) {
	data, err := os.ReadFile(path)
	if err != nil {
		return nil, err
	}
	return Parse(path, data, filepath.Dir(path))
}

// Parse decodes and validates config data as Load does; name is used in
// error messages and chunk names, and relative paths are resolved against
// dir (left as they are if dir is ""). It reads lua_file sources and checks
// that wasm files exist. On failure it returns an [Errors] listing every
// problem found.
func Parse(name string, data []byte, dir string) (*Config, error) {
	d := &decoder{file: name, dir: dir}
	c := defaults(name)
	if root := d.parseYAML(data); root != nil && !isNull(resolve(root)) {
		d.config(root, c)
	}
	c.Lua.PackagePath = d.resolvePackagePath(c.Lua.PackagePath)
	c.Admin.PluginDir = d.resolvePath(c.Admin.PluginDir)
	if c.Client.BodyTempPath != "" {
		c.Client.BodyTempPath = d.resolvePath(c.Client.BodyTempPath)
	}
	if c.ErrorLog.Path != "stderr" && c.ErrorLog.Path != "stdout" {
		c.ErrorLog.Path = d.resolvePath(c.ErrorLog.Path)
	}
	if err := d.finish(); err != nil {
		return nil, err
	}
	return c, nil
}

// defaults returns a Config for file holding every default value.
func defaults(file string) *Config {
	return &Config{
		File:     file,
		Listen:   "127.0.0.1:8080",
		Admin:    Admin{Listen: "127.0.0.1:9180", PluginDir: "plugins"},
		Watch:    Watch{Enabled: true, Debounce: 200 * time.Millisecond},
		ErrorLog: ErrorLog{Path: "stderr", Level: "notice"},
		Lua: Lua{
			PackagePath:          "lua/?.lua;lua/?/init.lua",
			MaxPendingTimers:     1024,
			MaxRunningTimers:     256,
			CPULimit:             time.Second,
			RegexCacheMaxEntries: 1024,
			RegexMatchLimit:      100 * time.Millisecond,
			Socket: LuaSocket{
				ConnectTimeout:   60 * time.Second,
				SendTimeout:      60 * time.Second,
				ReadTimeout:      60 * time.Second,
				PoolSize:         30,
				KeepaliveTimeout: 60 * time.Second,
				BufferSize:       4 << 10,
			},
		},
		Client: Client{
			MaxBodySize:      1 << 20,
			BodyBufferSize:   16 << 10,
			MaxHeaderSize:    8 << 10,
			HeaderTimeout:    60 * time.Second,
			BodyTimeout:      60 * time.Second,
			SendTimeout:      60 * time.Second,
			KeepaliveTimeout: 75 * time.Second,
		},
		Proxy: ProxyDefaults{
			ConnectTimeout: 60 * time.Second,
			SendTimeout:    60 * time.Second,
			ReadTimeout:    60 * time.Second,
			KeepaliveConns: 64,
			BufferSize:     1 << 20,
		},
	}
}

// Hooks lists every hook with its owner in file order (by line; hooks on
// one line, or built without lines, in the order init, init_worker, then
// each route's hooks in phase order). The gateway compiles them in this
// order.
func (c *Config) Hooks() []HookRef {
	var refs []HookRef
	add := func(route int, phase string, h *Hook) {
		if h != nil {
			refs = append(refs, HookRef{Route: route, Phase: phase, Hook: h})
		}
	}
	add(-1, "init", c.Init)
	add(-1, "init_worker", c.InitWorker)
	for i := range c.Routes {
		for _, p := range routePhases {
			add(i, p.name, *p.hook(&c.Routes[i]))
		}
	}
	slices.SortStableFunc(refs, func(a, b HookRef) int { return a.Hook.Line - b.Hook.Line })
	return refs
}

// HookError returns an Error reporting err for the hook ref, in the same
// form as Parse's errors; the gateway uses it for Lua and Wasm compile
// errors.
func (c *Config) HookError(ref HookRef, err error) *Error {
	if ref.Route < 0 {
		return &Error{File: c.File, Line: ref.Hook.Line, Route: -1, Key: ref.Phase, Reason: err.Error()}
	}
	e := c.RouteError(ref.Route, ref.Phase, err)
	e.Line = ref.Hook.Line
	return e
}

// RouteError returns an Error reporting err for key (relative to the route,
// like "location"; "" for the route as a whole) of c.Routes[i], in the same
// form as Parse's errors; the gateway uses it for problems it finds in a
// route, such as a bad location pattern.
func (c *Config) RouteError(i int, key string, err error) *Error {
	r := c.Routes[i]
	return &Error{File: c.File, Line: r.Line, Route: i, Location: r.Location, Key: join(routeKey(i), key), Reason: err.Error()}
}
