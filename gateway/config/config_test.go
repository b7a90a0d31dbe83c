package config

import (
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/pem"
	"errors"
	"fmt"
	"io/fs"
	"math/big"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"
	"time"
)

// testDir holds the fixtures hello.lua and auth-module.bin; the tables parse
// with it as the config directory.
const testDir = "testdata"

// wantDefaults is the Config an empty file gives, written out
// independently of the code under test.
func wantDefaults() *Config {
	return &Config{
		File:     "moongate.yaml",
		Listen:   "127.0.0.1:8080",
		Admin:    Admin{Listen: "127.0.0.1:9180", PluginDir: "testdata/plugins"},
		Watch:    Watch{Enabled: true, Debounce: 200 * time.Millisecond},
		ErrorLog: ErrorLog{Path: "stderr", Level: "notice"},
		Lua: Lua{
			PackagePath:          "testdata/lua/?.lua;testdata/lua/?/init.lua",
			MaxPendingTimers:     1024,
			MaxRunningTimers:     256,
			CPULimit:             time.Second,
			RegexCacheMaxEntries: 1024,
			RegexMatchLimit:      100 * time.Millisecond,
			Socket: LuaSocket{
				ConnectTimeout:   time.Minute,
				SendTimeout:      time.Minute,
				ReadTimeout:      time.Minute,
				PoolSize:         30,
				KeepaliveTimeout: time.Minute,
				BufferSize:       4 << 10,
			},
		},
		Client: Client{
			MaxBodySize:      1 << 20,
			BodyBufferSize:   16 << 10,
			MaxHeaderSize:    8 << 10,
			HeaderTimeout:    time.Minute,
			BodyTimeout:      time.Minute,
			SendTimeout:      time.Minute,
			KeepaliveTimeout: 75 * time.Second,
		},
		Proxy: ProxyDefaults{
			ConnectTimeout: time.Minute,
			SendTimeout:    time.Minute,
			ReadTimeout:    time.Minute,
			KeepaliveConns: 64,
			BufferSize:     1 << 20,
		},
	}
}

// route returns a route at index i with the default proxy options.
func route(i, line int, location string) Route {
	return Route{Index: i, Line: line, Location: location, Proxy: wantDefaults().Proxy}
}

func TestParseValid(t *testing.T) {
	tests := []struct {
		name string
		yaml string
		want func(c *Config) // edits wantDefaults() into the expected Config
	}{
		{name: "empty", yaml: "", want: func(*Config) {}},
		{name: "comments only", yaml: "# nothing\n", want: func(*Config) {}},
		{name: "empty mapping", yaml: "{}", want: func(*Config) {}},
		{name: "null document", yaml: "---\n~\n", want: func(*Config) {}},
		{name: "null values keep defaults", yaml: "listen:\nadmin:\nlua: {vms: ~}\nroutes:\n", want: func(*Config) {}},
		{
			name: "top level",
			yaml: `
listen: 0.0.0.0:80
admin: {listen: "[::1]:9000"}
error_log: {path: logs/error.log, level: warn}
lua: {package_path: "/usr/lib/?.lua;;x/?.lua", max_pending_timers: 10, max_running_timers: 0, cpu_limit: 0.5, vms: 4}
shared_dicts: {cache: 10m, locks: 8k, big: 1g}
variables: {backend: api, count: 0, flag: true, empty: }
client_max_body_size: 0
client_max_header_size: 16k
client_header_timeout: 30
client_body_timeout: 1m30s
send_timeout: 500ms
keepalive_timeout: 0
proxy: {connect_timeout: 5s, send_timeout: 6s, read_timeout: 7s, preserve_host: true, forwarded_headers: true, keepalive: 0, buffer_size: 64k}
`,
			want: func(c *Config) {
				c.Listen = "0.0.0.0:80"
				c.Admin.Listen = "[::1]:9000"
				c.ErrorLog = ErrorLog{Path: "testdata/logs/error.log", Level: "warn"}
				c.Lua = Lua{PackagePath: "/usr/lib/?.lua;;testdata/x/?.lua", MaxPendingTimers: 10, CPULimit: 500 * time.Millisecond, VMs: 4, Socket: c.Lua.Socket, RegexCacheMaxEntries: 1024, RegexMatchLimit: 100 * time.Millisecond}
				c.SharedDicts = map[string]Size{"cache": 10 << 20, "locks": 8 << 10, "big": 1 << 30}
				c.Variables = map[string]string{"backend": "api", "count": "0", "flag": "true", "empty": ""}
				c.Client = Client{BodyBufferSize: 16 << 10, MaxHeaderSize: 16 << 10, HeaderTimeout: 30 * time.Second, BodyTimeout: 90 * time.Second, SendTimeout: 500 * time.Millisecond}
				c.Proxy = ProxyDefaults{ConnectTimeout: 5 * time.Second, SendTimeout: 6 * time.Second, ReadTimeout: 7 * time.Second,
					PreserveHost: true, ForwardedHeaders: true, BufferSize: 64 << 10}
			},
		},
		{
			name: "lua socket",
			yaml: "lua: {socket: {connect_timeout: 1s, send_timeout: 2s, read_timeout: 500ms, pool_size: 5, keepalive_timeout: 0, buffer_size: 16k}}",
			want: func(c *Config) {
				c.Lua.Socket = LuaSocket{ConnectTimeout: time.Second, SendTimeout: 2 * time.Second, ReadTimeout: 500 * time.Millisecond,
					PoolSize: 5, BufferSize: 16 << 10}
			},
		},
		{name: "lua socket partial", yaml: "lua: {socket: {pool_size: 1}}", want: func(c *Config) { c.Lua.Socket.PoolSize = 1 }},
		{name: "admin off", yaml: "admin: {listen: off}", want: func(c *Config) { c.Admin.Listen = "" }},
		{name: "admin empty", yaml: `admin: {listen: ""}`, want: func(c *Config) { c.Admin.Listen = "" }},
		{name: "admin empty map", yaml: "admin: {}", want: func(*Config) {}},
		{name: "listen any host", yaml: "listen: :8080", want: func(c *Config) { c.Listen = ":8080" }},
		{name: "error log stdout", yaml: "error_log: {path: stdout}", want: func(c *Config) { c.ErrorLog.Path = "stdout" }},
		{name: "error log absolute", yaml: "error_log: {path: /var/log/m.log}", want: func(c *Config) { c.ErrorLog.Path = "/var/log/m.log" }},
		{name: "empty shared dicts", yaml: "shared_dicts: {}", want: func(c *Config) { c.SharedDicts = map[string]Size{} }},
		{
			name: "hooks",
			yaml: `
init: {lua: "local x = 1"}
init_worker: {lua_file: hello.lua}
routes:
  - location: = /exact
    rewrite: {lua: "ngx.var.x = 1"}
    access:
      wasm: auth-module.bin
      config: {header: x-token, codes: {404: gone}, list: [1, two]}
    content:
      lua: |
        ngx.say("hi")
    header_filter: {lua: a}
    body_filter: {lua: b}
    log: {lua: c}
    internal: true
`,
			want: func(c *Config) {
				c.Init = &Hook{Lua: "local x = 1", ChunkName: "=moongate.yaml:2:init", Line: 2}
				c.InitWorker = &Hook{Lua: "ngx.say('hello')\n", ChunkName: "testdata/hello.lua", File: "testdata/hello.lua", Line: 3}
				r := route(0, 5, "= /exact")
				r.Rewrite = &Hook{Lua: "ngx.var.x = 1", ChunkName: "=moongate.yaml:6:routes[0].rewrite", Line: 6}
				r.Access = &Hook{Wasm: "testdata/auth-module.bin", Line: 8, Config: map[string]any{
					"header": "x-token", "codes": map[string]any{"404": "gone"}, "list": []any{1, "two"},
				}}
				r.Content = &Hook{Lua: "ngx.say(\"hi\")\n", ChunkName: "=moongate.yaml:11:routes[0].content", Line: 11}
				r.HeaderFilter = &Hook{Lua: "a", ChunkName: "=moongate.yaml:13:routes[0].header_filter", Line: 13}
				r.BodyFilter = &Hook{Lua: "b", ChunkName: "=moongate.yaml:14:routes[0].body_filter", Line: 14}
				r.Log = &Hook{Lua: "c", ChunkName: "=moongate.yaml:15:routes[0].log", Line: 15}
				r.Internal = true
				c.Routes = []Route{r}
			},
		},
		{
			name: "wasm limits and cache",
			yaml: "wasm: {cache_dir: cache}\ninit: {wasm: auth-module.bin, memory: 16m, timeout: 250ms, pool: 3}",
			want: func(c *Config) {
				c.Wasm.CacheDir = "testdata/cache"
				c.Init = &Hook{Wasm: "testdata/auth-module.bin", Line: 2,
					Limits: WasmLimits{Memory: 16 << 20, Timeout: 250 * time.Millisecond, Pool: 3}}
			},
		},
		{
			name: "wasm with scalar config",
			yaml: "init: {wasm: auth-module.bin, config: 42}",
			want: func(c *Config) { c.Init = &Hook{Wasm: "testdata/auth-module.bin", Config: 42, Line: 1} },
		},
		{
			name: "proxy options merge field by field",
			yaml: `
proxy: {connect_timeout: 1s, keepalive: 8}
routes:
  - location: /api/
    proxy_pass: http://127.0.0.1:9000/v1/
    proxy: {read_timeout: 2m, keepalive: 0}
  - location: /other/
    proxy_pass: http://backend
`,
			want: func(c *Config) {
				c.Proxy.ConnectTimeout, c.Proxy.KeepaliveConns = time.Second, 8
				r0 := route(0, 4, "/api/")
				r0.ProxyPass = "http://127.0.0.1:9000/v1/"
				r0.Proxy = c.Proxy
				r0.Proxy.ReadTimeout, r0.Proxy.KeepaliveConns = 2*time.Minute, 0
				r1 := route(1, 7, "/other/")
				r1.ProxyPass = "http://backend"
				r1.Proxy = c.Proxy
				c.Routes = []Route{r0, r1}
			},
		},
		{
			name: "proxy defaults after routes in the file",
			yaml: "routes:\n  - {location: /}\nproxy: {read_timeout: 3s}\n",
			want: func(c *Config) {
				c.Proxy.ReadTimeout = 3 * time.Second
				r := route(0, 2, "/")
				r.Proxy = c.Proxy
				c.Routes = []Route{r}
			},
		},
		{
			name: "route with access only",
			yaml: "routes:\n  - location: /static/\n    access: {lua: deny()}\n",
			want: func(c *Config) {
				r := route(0, 2, "/static/")
				r.Access = &Hook{Lua: "deny()", ChunkName: "=moongate.yaml:3:routes[0].access", Line: 3}
				c.Routes = []Route{r}
			},
		},
		{
			name: "anchors, aliases and merge keys",
			yaml: `
routes:
  - location: /a
    proxy: &p {read_timeout: 5s, keepalive: 1}
  - location: /b
    proxy: {<<: *p, keepalive: 2}
  - &r {location: /c, log: {lua: x}}
  - *r
  - <<: [*r, {location: /ignored, internal: true}]
    location: /e
`,
			want: func(c *Config) {
				p := c.Proxy
				p.ReadTimeout = 5 * time.Second
				a := route(0, 3, "/a")
				a.Proxy, a.Proxy.KeepaliveConns = p, 1
				b := route(1, 5, "/b")
				b.Proxy, b.Proxy.KeepaliveConns = p, 2
				log := func(i int) *Hook {
					return &Hook{Lua: "x", ChunkName: fmt.Sprintf("=moongate.yaml:7:routes[%d].log", i), Line: 7}
				}
				r2, r3, r4 := route(2, 7, "/c"), route(3, 7, "/c"), route(4, 9, "/e")
				r2.Log, r3.Log, r4.Log = log(2), log(3), log(4)
				r4.Internal = true
				c.Routes = []Route{a, b, r2, r3, r4}
			},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := Parse("moongate.yaml", []byte(tt.yaml), testDir)
			if err != nil {
				t.Fatalf("Parse: %v", err)
			}
			want := wantDefaults()
			tt.want(want)
			if !reflect.DeepEqual(got, want) {
				t.Errorf("Parse:\n got %+v\nwant %+v", got, want)
				for i := range min(len(got.Routes), len(want.Routes)) {
					if !reflect.DeepEqual(got.Routes[i], want.Routes[i]) {
						t.Errorf("routes[%d]:\n got %+v\nwant %+v", i, got.Routes[i], want.Routes[i])
					}
				}
			}
		})
	}
}

func TestParseErrors(t *testing.T) {
	tests := []struct {
		name string
		yaml string
		want string // every error, one per line, without the "moongate.yaml:" prefix
	}{
		// YAML itself
		{name: "syntax", yaml: "listen: [", want: "1: did not find expected node content"},
		{name: "tab indent", yaml: "lua:\n\tvms: 1\n", want: "2: found character that cannot start any token"},
		{name: "two documents", yaml: "listen: :1\n---\nlisten: :2\n", want: "2: only one YAML document is allowed"},
		{name: "root list", yaml: "- a\n", want: "1: expected a mapping, got a list"},
		{name: "broken second document", yaml: "listen: :1\n---\n[\n", want: "3: did not find expected node content"},
		{name: "root string", yaml: "hello", want: "1: expected a mapping, got a string"},
		{name: "duplicate key", yaml: "listen: :1\nlisten: :2\n", want: `2: duplicate key "listen" (first at line 1)`},
		{name: "list key", yaml: "[a]: 1", want: "1: keys must be strings, got a list"},
		{name: "bad merge", yaml: "lua: {<<: 1}", want: "1: lua: merge (<<) needs a mapping or a list of mappings, got an integer"},

		// unknown keys
		{name: "unknown top key", yaml: "lisen: :1", want: `1: unknown key "lisen"`},
		{name: "unknown lua key", yaml: "lua:\n  max_timers: 1\n", want: `2: lua: unknown key "max_timers"`},
		{name: "unknown admin key", yaml: "admin: {port: 1}", want: `1: admin: unknown key "port"`},
		{name: "unknown route key", yaml: "routes:\n  - location: /\n    contnet: {lua: x}\n", want: `3: routes[0] (location "/"): unknown key "contnet"`},
		{name: "unknown hook key", yaml: "init: {lua: x, lau: y}", want: `1: init: unknown key "lau"`},
		{name: "unknown route proxy key", yaml: "routes:\n  - location: /\n    proxy: {timeout: 1s}\n", want: `3: routes[0] (location "/"): proxy: unknown key "timeout"`},
		{name: "unknown merged key", yaml: "lua: {<<: {vm: 1}}", want: `1: lua: unknown key "vm"`},

		// type mismatches
		{name: "section string", yaml: "lua: fast", want: "1: lua: expected a mapping, got a string"},
		{name: "section boolean", yaml: "lua: true", want: "1: lua: expected a mapping, got a boolean"},
		{name: "section number", yaml: "admin: 1.5", want: "1: admin: expected a mapping, got a number"},
		{name: "variables string", yaml: "variables: x", want: "1: variables: expected a mapping, got a string"},
		{name: "routes mapping", yaml: "routes: {location: /}", want: "1: routes: expected a list, got a mapping"},
		{name: "route string", yaml: "routes:\n  - /x\n", want: "2: routes[0]: expected a mapping, got a string"},
		{name: "route null", yaml: "routes:\n  -\n", want: "2: routes[0]: expected a mapping, got null"},
		{name: "listen list", yaml: "listen: [a]", want: "1: listen: expected a string, got a list"},
		{name: "integer word", yaml: "lua: {vms: many}", want: `1: lua.vms: invalid integer "many"`},
		{name: "integer float", yaml: "lua: {vms: 1.5}", want: `1: lua.vms: invalid integer "1.5"`},
		{name: "integer map", yaml: "lua: {vms: {a: 1}}", want: "1: lua.vms: expected an integer, got a mapping"},
		{name: "boolean yes", yaml: "proxy: {preserve_host: yes}", want: `1: proxy.preserve_host: invalid boolean "yes"`},
		{name: "boolean list", yaml: "proxy: {preserve_host: []}", want: "1: proxy.preserve_host: expected a boolean, got a list"},
		{name: "size mapping", yaml: "client_max_body_size: {a: 1}", want: "1: client_max_body_size: expected a size, got a mapping"},
		{name: "time list", yaml: "client_header_timeout: [1]", want: "1: client_header_timeout: expected a time, got a list"},
		{name: "hook string", yaml: "init: x", want: "1: init: expected a mapping, got a string"},
		{name: "hook lua list", yaml: "init: {lua: [1]}", want: "1: init.lua: expected a string, got a list"},

		// values
		{name: "bad size", yaml: "client_max_body_size: 10x", want: `1: client_max_body_size: invalid size "10x"`},
		{name: "bad route time", yaml: "routes:\n  - location: = /x\n    proxy:\n      read_timeout: 5x\n",
			want: `4: routes[0] (location "= /x"): proxy.read_timeout: invalid time "5x"`},
		{name: "negative pending timers", yaml: "lua: {max_pending_timers: -1}", want: `1: lua.max_pending_timers: "-1" is negative`},
		{name: "negative running timers", yaml: "lua: {max_running_timers: -1}", want: `1: lua.max_running_timers: "-1" is negative`},
		{name: "negative vms", yaml: "lua: {vms: -2}", want: `1: lua.vms: "-2" is negative`},
		{name: "zero cpu limit", yaml: "lua: {cpu_limit: 0}", want: `1: lua.cpu_limit: "0" is not positive`},
		{name: "zero socket timeout", yaml: "lua: {socket: {read_timeout: 0}}", want: `1: lua.socket.read_timeout: "0" is not positive`},
		{name: "zero socket pool", yaml: "lua: {socket: {pool_size: 0}}", want: `1: lua.socket.pool_size: "0" is not positive`},
		{name: "tiny socket buffer", yaml: "lua: {socket: {buffer_size: 8}}", want: `1: lua.socket.buffer_size: "8" is below 16 bytes`},
		{name: "bad keepalive timeout", yaml: "lua: {socket: {keepalive_timeout: x}}", want: `1: lua.socket.keepalive_timeout: invalid time "x"`},
		{name: "unknown socket key", yaml: "lua: {socket: {pool: 1}}", want: `1: lua.socket: unknown key "pool"`},
		{name: "socket not a map", yaml: "lua: {socket: 5}", want: `1: lua.socket: expected a mapping, got an integer`},
		{name: "empty trusted certificate", yaml: `lua: {ssl_trusted_certificate: ""}`, want: `1: lua.ssl_trusted_certificate: must not be empty`},
		{name: "missing trusted certificate", yaml: "lua: {ssl_trusted_certificate: none.pem}",
			want: `1: lua.ssl_trusted_certificate: open testdata/none.pem: no such file or directory`},
		{name: "trusted certificate not PEM", yaml: "lua: {ssl_trusted_certificate: hello.lua}",
			want: `1: lua.ssl_trusted_certificate: testdata/hello.lua: no PEM certificate found`},
		{name: "zero header size", yaml: "client_max_header_size: 0", want: `1: client_max_header_size: "0" is not positive`},
		{name: "zero body timeout", yaml: "client_body_timeout: 0s", want: `1: client_body_timeout: "0s" is not positive`},
		{name: "negative keepalive", yaml: "proxy: {keepalive: -1}", want: `1: proxy.keepalive: "-1" is negative`},
		{name: "zero proxy timeout", yaml: "proxy: {connect_timeout: 0}", want: `1: proxy.connect_timeout: "0" is not positive`},
		{name: "dict too small", yaml: "shared_dicts: {tiny: 4k}", want: `1: shared_dicts.tiny: "4k" is too small (minimum 8k)`},
		{name: "dict bad size", yaml: "shared_dicts: {c: 10x}", want: `1: shared_dicts.c: invalid size "10x"`},
		{name: "dict null size", yaml: "shared_dicts: {c: }", want: "1: shared_dicts.c: expected a size, got null"},
		{name: "dict empty name", yaml: `shared_dicts: {"": 10m}`, want: "1: shared_dicts: dict name must not be empty"},
		{name: "dicts list", yaml: "shared_dicts: [a]", want: "1: shared_dicts: expected a mapping, got a list"},
		{name: "variable name digit", yaml: "variables: {1x: a}", want: `1: variables: invalid variable name "1x" (want [A-Za-z_][A-Za-z0-9_]*)`},
		{name: "variable name dash", yaml: "variables: {a-b: a}", want: `1: variables: invalid variable name "a-b" (want [A-Za-z_][A-Za-z0-9_]*)`},
		{name: "variable list", yaml: "variables: {v: [1]}", want: "1: variables.v: expected a string, got a list"},
		{name: "listen port only", yaml: "listen: 8080", want: `1: listen: invalid address "8080": want host:port`},
		{name: "listen named port", yaml: "listen: host:http", want: `1: listen: invalid port "http" in address "host:http"`},
		{name: "listen big port", yaml: "listen: :99999", want: `1: listen: invalid port "99999" in address ":99999"`},
		{name: "admin bad", yaml: "admin: {listen: localhost}", want: `1: admin.listen: invalid address "localhost": want host:port`},
		{name: "log level", yaml: "error_log: {level: verbose}",
			want: `1: error_log.level: invalid value "verbose" (want one of debug, info, notice, warn, error, crit, alert, emerg)`},
		{name: "log path empty", yaml: `error_log: {path: ""}`, want: "1: error_log.path: must not be empty"},

		// hooks
		{name: "hook empty", yaml: "init: {}", want: "1: init: hook needs exactly one of lua, lua_file, wasm"},
		{name: "hook two", yaml: "init: {lua: x, wasm: auth-module.bin}", want: "1: init: hook needs exactly one of lua, lua_file, wasm"},
		{name: "hook three", yaml: "init: {lua: x, lua_file: hello.lua, wasm: auth-module.bin}", want: "1: init: hook needs exactly one of lua, lua_file, wasm"},
		{name: "lua file missing", yaml: "init_worker: {lua_file: nope.lua}", want: "1: init_worker.lua_file: open testdata/nope.lua: no such file or directory"},
		{name: "lua file directory", yaml: "init: {lua_file: fuzz}", want: "1: init.lua_file: open testdata/fuzz: not a regular file"},
		{name: "lua file empty", yaml: `init: {lua_file: ""}`, want: "1: init.lua_file: must not be empty"},
		{name: "wasm missing", yaml: "init: {wasm: nope.wasm}", want: "1: init.wasm: open testdata/nope.wasm: no such file or directory"},
		{name: "config without wasm", yaml: "init: {lua: x, config: {a: 1}}", want: "1: init.config: config is only allowed with wasm"},
		{name: "memory without wasm", yaml: "init: {lua: x, memory: 1m}", want: "1: init.memory: memory is only allowed with wasm"},
		{name: "memory too small", yaml: "init: {wasm: auth-module.bin, memory: 1k}", want: `1: init.memory: "1k" is below 64k, one page`},
		{name: "pool zero", yaml: "init: {wasm: auth-module.bin, pool: 0}", want: `1: init.pool: "0" is below 1`},
		{name: "wasm unknown key", yaml: "wasm: {cache: x}", want: `1: wasm: unknown key "cache"`},
		{name: "config duplicate key", yaml: `init: {wasm: auth-module.bin, config: {1: a, "1": b}}`,
			want: `1: init.config: line 1: mapping key "1" already defined at line 1`},
		{name: "config keys same text in list", yaml: `init: {wasm: auth-module.bin, config: [{1: a, 1.0: b}]}`, want: `1: init.config: duplicate key "1"`},
		{name: "config keys same text", yaml: `init: {wasm: auth-module.bin, config: {x: {1: a, 1.0: b}}}`, want: `1: init.config: duplicate key "1"`},
		{name: "config list key", yaml: `init: {wasm: auth-module.bin, config: {[1]: a}}`, want: `1: init.config: invalid map key: []interface {}{1}`},

		// routes
		{name: "location missing", yaml: "routes:\n  - content: {lua: x}\n", want: "2: routes[0]: location is required"},
		{name: "location empty", yaml: "routes:\n  - location: ''\n", want: "2: routes[0]: location: must not be empty"},
		{name: "content and proxy_pass", yaml: "routes:\n  - location: /\n    content: {lua: x}\n    proxy_pass: http://a\n",
			want: `2: routes[0] (location "/"): content and proxy_pass are exclusive`},
		{name: "https", yaml: "routes:\n  - {location: /, proxy_pass: 'https://a'}\n", want: `2: routes[0] (location "/"): proxy_pass: https upstreams are not supported yet`},
		{name: "no scheme", yaml: "routes:\n  - {location: /, proxy_pass: '127.0.0.1:9000'}\n",
			want: `2: routes[0] (location "/"): proxy_pass: invalid URL "127.0.0.1:9000": want http://host[:port][/path]`},
		{name: "other scheme", yaml: "routes:\n  - {location: /, proxy_pass: 'ftp://a'}\n",
			want: `2: routes[0] (location "/"): proxy_pass: unsupported scheme "ftp" in "ftp://a" (want http)`},
		{name: "no host", yaml: "routes:\n  - {location: /, proxy_pass: 'http://:80/'}\n", want: `2: routes[0] (location "/"): proxy_pass: missing host in "http://:80/"`},
		{name: "bad url", yaml: "routes:\n  - {location: /, proxy_pass: 'http://[::1'}\n",
			want: `2: routes[0] (location "/"): proxy_pass: invalid URL: parse "http://[::1": missing ']' in host`},
		{name: "internal yes", yaml: "routes:\n  - {location: /, internal: yes}\n", want: `2: routes[0] (location "/"): internal: invalid boolean "yes"`},
		{name: "route hook error", yaml: "routes:\n  - location: /x\n    access: {lua_file: nope.lua}\n",
			want: `3: routes[0] (location "/x"): access.lua_file: open testdata/nope.lua: no such file or directory`},
		{name: "aliased route reported per route", yaml: "routes:\n  - &r {location: /, proxy: {keepalive: -1}}\n  - *r\n",
			want: "2: routes[0] (location \"/\"): proxy.keepalive: \"-1\" is negative\n" +
				"2: routes[1] (location \"/\"): proxy.keepalive: \"-1\" is negative"},
		{
			name: "all errors in file order",
			yaml: `
routes:
  - location: /a
    contnet: {lua: x}
lua:
  vms: -1
listen: nope
`,
			want: `4: routes[0] (location "/a"): unknown key "contnet"` + "\n" +
				`6: lua.vms: "-1" is negative` + "\n" +
				`7: listen: invalid address "nope": want host:port`,
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c, err := Parse("moongate.yaml", []byte(tt.yaml), testDir)
			if err == nil {
				t.Fatalf("Parse succeeded with %+v; want errors", c)
			}
			var errs Errors
			if !errors.As(err, &errs) {
				t.Fatalf("Parse error %T is not an Errors", err)
			}
			want := "moongate.yaml:" + strings.ReplaceAll(tt.want, "\n", "\nmoongate.yaml:")
			if got := err.Error(); got != want {
				t.Errorf("Parse errors:\n got %s\nwant %s", got, want)
			}
		})
	}
}

func TestErrorString(t *testing.T) {
	tests := []struct {
		name string
		err  Error
		want string
	}{
		{
			name: "everything",
			err:  Error{File: "moongate.yaml", Line: 14, Route: 2, Location: "= /x", Key: "routes[2].proxy.read_timeout", Reason: `invalid time "5x"`},
			want: `moongate.yaml:14: routes[2] (location "= /x"): proxy.read_timeout: invalid time "5x"`,
		},
		{
			name: "route without location",
			err:  Error{File: "m.yaml", Line: 3, Route: 0, Key: "routes[0]", Reason: "location is required"},
			want: "m.yaml:3: routes[0]: location is required",
		},
		{
			name: "top level",
			err:  Error{File: "m.yaml", Line: 1, Route: -1, Key: "lua.vms", Reason: "bad"},
			want: "m.yaml:1: lua.vms: bad",
		},
		{name: "no line", err: Error{File: "m.yaml", Route: -1, Reason: "bad"}, want: "m.yaml: bad"},
		{name: "no file", err: Error{Line: 2, Route: -1, Reason: "bad"}, want: "line 2: bad"},
		{name: "reason only", err: Error{Route: -1, Reason: "bad"}, want: "bad"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := tt.err.Error(); got != tt.want {
				t.Errorf("Error() = %q, want %q", got, tt.want)
			}
		})
	}
}

// writeFiles creates files (path -> content) under dir.
func writeFiles(t *testing.T, dir string, files map[string]string) {
	t.Helper()
	for name, content := range files {
		path := filepath.Join(dir, name)
		if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(path, []byte(content), 0o644); err != nil {
			t.Fatal(err)
		}
	}
}

func TestLoadResolvesPaths(t *testing.T) {
	dir := t.TempDir()
	abs := filepath.Join(t.TempDir(), "abs.lua")
	writeFiles(t, dir, map[string]string{
		"moongate.yaml": "error_log: {path: logs/error.log}\n" +
			"init: {lua_file: lua/init.lua}\n" +
			"init_worker: {lua_file: " + abs + "}\n" +
			"routes:\n  - location: /\n    access: {wasm: guests/auth-module.bin}\n",
		"lua/init.lua":           "return 1",
		"guests/auth-module.bin": "",
	})
	writeFiles(t, filepath.Dir(abs), map[string]string{"abs.lua": "return 2"})
	path := filepath.Join(dir, "moongate.yaml")

	c, err := Load(path)
	if err != nil {
		t.Fatalf("Load: %v", err)
	}
	tests := []struct {
		name      string
		got, want string
	}{
		{"File", c.File, path},
		{"ErrorLog.Path", c.ErrorLog.Path, filepath.Join(dir, "logs/error.log")},
		{"Lua.PackagePath", c.Lua.PackagePath, filepath.Join(dir, "lua/?.lua") + ";" + filepath.Join(dir, "lua/?/init.lua")},
		{"Init.File", c.Init.File, filepath.Join(dir, "lua/init.lua")},
		{"Init.ChunkName", c.Init.ChunkName, filepath.Join(dir, "lua/init.lua")},
		{"Init.Lua", c.Init.Lua, "return 1"},
		{"InitWorker.File", c.InitWorker.File, abs},
		{"InitWorker.Lua", c.InitWorker.Lua, "return 2"},
		{"Access.Wasm", c.Routes[0].Access.Wasm, filepath.Join(dir, "guests/auth-module.bin")},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if tt.got != tt.want {
				t.Errorf("got %q, want %q", tt.got, tt.want)
			}
		})
	}
}

func TestLoadErrors(t *testing.T) {
	dir := t.TempDir()
	writeFiles(t, dir, map[string]string{"bad.yaml": "init: {lua_file: nope.lua}\n"})
	tests := []struct {
		name   string
		path   string
		check  func(error) bool
		wantRe string
	}{
		{
			name:   "missing config file",
			path:   filepath.Join(dir, "none.yaml"),
			check:  func(err error) bool { return errors.Is(err, fs.ErrNotExist) },
			wantRe: "open " + filepath.Join(dir, "none.yaml") + ": no such file or directory",
		},
		{
			name:   "missing lua file",
			path:   filepath.Join(dir, "bad.yaml"),
			check:  func(err error) bool { var errs Errors; return errors.As(err, &errs) && len(errs) == 1 },
			wantRe: filepath.Join(dir, "bad.yaml") + ":1: init.lua_file: open " + filepath.Join(dir, "nope.lua") + ": no such file or directory",
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c, err := Load(tt.path)
			if err == nil {
				t.Fatalf("Load succeeded with %+v", c)
			}
			if !tt.check(err) || err.Error() != tt.wantRe {
				t.Errorf("Load error %T %q, want %q", err, err, tt.wantRe)
			}
		})
	}
}

func TestTrustedCertificate(t *testing.T) {
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	tmpl := &x509.Certificate{SerialNumber: big.NewInt(1), Subject: pkix.Name{CommonName: "test CA"},
		NotAfter: time.Now().Add(time.Hour), IsCA: true, BasicConstraintsValid: true}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, tmpl, &key.PublicKey, key)
	if err != nil {
		t.Fatal(err)
	}
	cert, err := x509.ParseCertificate(der)
	if err != nil {
		t.Fatal(err)
	}
	want := x509.NewCertPool()
	want.AddCert(cert)
	certPEM := string(pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: der}))
	keyPEM := "-----BEGIN EC PRIVATE KEY-----\nAAAA\n-----END EC PRIVATE KEY-----\n"
	dir := t.TempDir()
	writeFiles(t, dir, map[string]string{
		"ca.pem":     certPEM,
		"bundle.pem": keyPEM + certPEM,
		"bad.pem":    "-----BEGIN CERTIFICATE-----\nAAAA\n-----END CERTIFICATE-----\n",
	})
	tests := []struct {
		file string
		err  string // the error's end; "" for success
	}{
		{file: "ca.pem"},
		{file: "bundle.pem"},
		{file: "bad.pem", err: "bad.pem: x509: malformed certificate"},
	}
	for _, tt := range tests {
		t.Run(tt.file, func(t *testing.T) {
			c, err := Parse("moongate.yaml", []byte("lua: {ssl_trusted_certificate: "+tt.file+"}"), dir)
			switch {
			case tt.err != "":
				if err == nil || !strings.HasSuffix(err.Error(), tt.err) {
					t.Fatalf("Parse error %v, want one ending in %q", err, tt.err)
				}
			case err != nil:
				t.Fatalf("Parse: %v", err)
			case c.Lua.SSLTrustedCertificate != filepath.Join(dir, tt.file):
				t.Errorf("SSLTrustedCertificate = %q", c.Lua.SSLTrustedCertificate)
			case !c.Lua.TrustedCerts.Equal(want):
				t.Errorf("TrustedCerts do not hold the CA certificate")
			}
		})
	}
}

func TestParseNoDir(t *testing.T) {
	c, err := Parse("m.yaml", []byte("lua: {package_path: 'a/?.lua;;'}\nerror_log: {path: e.log}\n"), "")
	if err != nil {
		t.Fatal(err)
	}
	tests := []struct{ name, got, want string }{
		{"package path", c.Lua.PackagePath, "a/?.lua;;"},
		{"error log", c.ErrorLog.Path, "e.log"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if tt.got != tt.want {
				t.Errorf("got %q, want %q", tt.got, tt.want)
			}
		})
	}
}

func TestHooks(t *testing.T) {
	src := `
routes:
  - location: /a
    log: {lua: a_log}
    access: {lua: a_access}
  - location: /b
    content: {lua: b_content}
init_worker: {lua: iw}
init: {lua: i}
`
	c, err := Parse("moongate.yaml", []byte(src), "")
	if err != nil {
		t.Fatal(err)
	}
	built := &Config{
		Init:   &Hook{Lua: "i"},
		Routes: []Route{{Rewrite: &Hook{Lua: "r"}, Log: &Hook{Lua: "l"}}, {}, {Content: &Hook{Lua: "c"}}},
	}
	tests := []struct {
		name string
		c    *Config
		want []string // route/phase/lua of each ref
	}{
		{name: "file order", c: c, want: []string{"0/log/a_log", "0/access/a_access", "1/content/b_content", "-1/init_worker/iw", "-1/init/i"}},
		{name: "built without lines", c: built, want: []string{"-1/init/i", "0/rewrite/r", "0/log/l", "2/content/c"}},
		{name: "none", c: &Config{}, want: nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var got []string
			for _, ref := range tt.c.Hooks() {
				got = append(got, fmt.Sprintf("%d/%s/%s", ref.Route, ref.Phase, ref.Hook.Lua))
			}
			if !reflect.DeepEqual(got, tt.want) {
				t.Errorf("Hooks() = %q, want %q", got, tt.want)
			}
		})
	}
}

func TestHookAndRouteError(t *testing.T) {
	src := "init: {lua: x}\nroutes:\n  - location: = /x\n    access:\n      lua: y\n"
	c, err := Parse("moongate.yaml", []byte(src), "")
	if err != nil {
		t.Fatal(err)
	}
	refs := c.Hooks()
	boom := errors.New("boom")
	tests := []struct {
		name string
		err  *Error
		want string
	}{
		{"init hook", c.HookError(refs[0], boom), "moongate.yaml:1: init: boom"},
		{"route hook", c.HookError(refs[1], boom), `moongate.yaml:5: routes[0] (location "= /x"): access: boom`},
		{"route key", c.RouteError(0, "location", boom), `moongate.yaml:3: routes[0] (location "= /x"): location: boom`},
		{"whole route", c.RouteError(0, "", boom), `moongate.yaml:3: routes[0] (location "= /x"): boom`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := tt.err.Error(); got != tt.want {
				t.Errorf("got %q, want %q", got, tt.want)
			}
		})
	}
}

// TestAliasBombs checks that documents whose aliases expand exponentially
// are rejected or decoded without expanding them.
func TestAliasBombs(t *testing.T) {
	// bomb defines anchors name0..name9 under unknown keys, each referring
	// ten times to the previous one, in the form given by level.
	bomb := func(name string, level func(prev string) string) string {
		var b strings.Builder
		fmt.Fprintf(&b, "%s0: &%s0 {k: v}\n", name, name)
		for i := 1; i < 10; i++ {
			fmt.Fprintf(&b, "%s%d: &%s%d %s\n", name, i, name, i, level(fmt.Sprintf("*%s%d", name, i-1)))
		}
		return b.String()
	}
	ten := func(s string) string { return strings.TrimSuffix(strings.Repeat(s+", ", 10), ", ") }
	merges := bomb("m", func(prev string) string { return "{<<: [" + ten(prev) + "]}" })
	lists := bomb("l", func(prev string) string { return "[" + ten(prev) + "]" })
	tests := []struct {
		name string
		yaml string
		want string // one of the errors
	}{
		{name: "merge keys", yaml: merges + "lua: {<<: [" + ten("*m9") + "]}\n", want: `fuzz.yaml:1: lua: unknown key "k"`},
		{name: "hook config", yaml: lists + "init: {wasm: auth-module.bin, config: *l9}\n", want: "fuzz.yaml:10: init.config: document contains excessive aliasing"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := Parse("fuzz.yaml", []byte(tt.yaml), testDir)
			var errs Errors
			if !errors.As(err, &errs) {
				t.Fatalf("Parse error = %v, want Errors", err)
			}
			if got := errs.Error(); !strings.Contains(got, tt.want) {
				t.Errorf("errors:\n%s\nwant among them %q", got, tt.want)
			}
		})
	}
}
