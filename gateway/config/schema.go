package config

import (
	"crypto/x509"
	"encoding/pem"
	"errors"
	"fmt"
	"io"
	"net"
	"net/url"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"time"

	"gopkg.in/yaml.v3"
)

// config decodes the top-level mapping root into c, which holds the
// defaults.
func (d *decoder) config(root *yaml.Node, c *Config) {
	s, ok := d.section(root, "")
	if !ok {
		return
	}
	scalar(s, "listen", parseAddr, &c.Listen)
	d.admin(s.take("admin"), &c.Admin)
	d.errorLog(s.take("error_log"), &c.ErrorLog)
	d.lua(s.take("lua"), &c.Lua)
	d.wasm(s.take("wasm"), &c.Wasm)
	c.SharedDicts = d.sharedDicts(s.take("shared_dicts"))
	c.Variables = d.variables(s.take("variables"))
	client(s, &c.Client)
	// The defaults are decoded before the routes that copy them.
	d.proxy(s.take("proxy"), "proxy", &c.Proxy)
	d.watch(s.take("watch"), &c.Watch)
	c.Plugins = d.plugins(s.take("plugins"))
	c.Init = d.hook(s.take("init"), "init")
	c.InitWorker = d.hook(s.take("init_worker"), "init_worker")
	c.Routes = d.routes(s.take("routes"), c.Proxy, c.Plugins)
	s.close()
}

// admin decodes the admin section into a.
func (d *decoder) admin(n *yaml.Node, a *Admin) {
	s, _ := d.section(n, "admin")
	scalar(s, "listen", parseAdminAddr, &a.Listen)
	token, env := s.take("token"), s.take("token_env")
	switch {
	case token != nil && env != nil:
		d.errorf(n, "admin", "token and token_env are exclusive")
	case token != nil:
		value(d, token, "admin.token", nonEmpty, &a.Token)
	case env != nil:
		var name string
		if value(d, env, "admin.token_env", nonEmpty, &name) {
			if a.Token = os.Getenv(name); a.Token == "" {
				d.errorf(env, "admin.token_env", "environment variable %s is not set or empty", name)
			}
		}
	}
	var dir string
	if scalar(s, "plugin_dir", nonEmpty, &dir) {
		a.PluginDir = dir
	}
	if a.Listen != "" && a.Token == "" && !loopback(a.Listen) {
		d.errorf(n, "admin", "listen %s is not a loopback address: set token or token_env", a.Listen)
	}
	s.close()
}

// loopback reports whether the host of addr is a loopback address or
// "localhost".
func loopback(addr string) bool {
	host, _, _ := net.SplitHostPort(addr)
	if host == "localhost" {
		return true
	}
	ip := net.ParseIP(host)
	return ip != nil && ip.IsLoopback()
}

// watch decodes the watch section into w.
func (d *decoder) watch(n *yaml.Node, w *Watch) {
	s, _ := d.section(n, "watch")
	scalar(s, "enabled", parseBool, &w.Enabled)
	scalar(s, "debounce", ParseDuration, &w.Debounce)
	s.close()
}

// errorLog decodes the error_log section into e.
func (d *decoder) errorLog(n *yaml.Node, e *ErrorLog) {
	s, _ := d.section(n, "error_log")
	scalar(s, "path", nonEmpty, &e.Path)
	scalar(s, "level", oneOf("debug", "info", "notice", "warn", "error", "crit", "alert", "emerg"), &e.Level)
	s.close()
}

// lua decodes the lua section into l.
func (d *decoder) lua(n *yaml.Node, l *Lua) {
	s, _ := d.section(n, "lua")
	scalar(s, "package_path", parseString, &l.PackagePath)
	scalar(s, "max_pending_timers", nonNegative, &l.MaxPendingTimers)
	scalar(s, "max_running_timers", nonNegative, &l.MaxRunningTimers)
	scalar(s, "cpu_limit", positiveTime, &l.CPULimit)
	scalar(s, "regex_cache_max_entries", nonNegative, &l.RegexCacheMaxEntries)
	scalar(s, "regex_match_limit", positiveTime, &l.RegexMatchLimit)
	scalar(s, "vms", nonNegative, &l.VMs)
	d.luaSocket(s.take("socket"), &l.Socket)
	if n := s.take("ssl_trusted_certificate"); n != nil {
		var path string
		if value(d, n, "lua.ssl_trusted_certificate", nonEmpty, &path) {
			l.SSLTrustedCertificate = d.resolvePath(path)
			certs, err := loadCerts(l.SSLTrustedCertificate)
			if err != nil {
				d.errorf(n, "lua.ssl_trusted_certificate", "%v", err)
			}
			l.TrustedCerts = certs
		}
	}
	s.close()
}

// luaSocket decodes the lua.socket section into l.
func (d *decoder) luaSocket(n *yaml.Node, l *LuaSocket) {
	s, _ := d.section(n, "lua.socket")
	scalar(s, "connect_timeout", positiveTime, &l.ConnectTimeout)
	scalar(s, "send_timeout", positiveTime, &l.SendTimeout)
	scalar(s, "read_timeout", positiveTime, &l.ReadTimeout)
	scalar(s, "pool_size", atLeast(parseInt, 1, "not positive"), &l.PoolSize)
	scalar(s, "keepalive_timeout", ParseDuration, &l.KeepaliveTimeout)
	scalar(s, "buffer_size", atLeast(ParseSize, 16, "below 16 bytes"), &l.BufferSize)
	s.close()
}

// loadCerts reads the PEM file at path, which must hold at least one
// certificate and nothing else that fails to parse.
func loadCerts(path string) (*x509.CertPool, error) {
	data, err := readSource(path)
	if err != nil {
		return nil, err
	}
	pool := x509.NewCertPool()
	n := 0
	rest := []byte(data)
	for {
		var block *pem.Block
		if block, rest = pem.Decode(rest); block == nil {
			break
		}
		if block.Type != "CERTIFICATE" {
			continue
		}
		cert, err := x509.ParseCertificate(block.Bytes)
		if err != nil {
			return nil, fmt.Errorf("%s: %w", path, err)
		}
		pool.AddCert(cert)
		n++
	}
	if n == 0 {
		return nil, fmt.Errorf("%s: no PEM certificate found", path)
	}
	return pool, nil
}

// wasm decodes the wasm section into w.
func (d *decoder) wasm(n *yaml.Node, w *Wasm) {
	s, _ := d.section(n, "wasm")
	var dir string
	if scalar(s, "cache_dir", nonEmpty, &dir) {
		w.CacheDir = d.resolvePath(dir)
	}
	s.close()
}

// client decodes the client options, which live in the top-level section s.
func client(s *section, c *Client) {
	scalar(s, "client_max_body_size", ParseSize, &c.MaxBodySize)
	scalar(s, "client_body_buffer_size", atLeast(ParseSize, 1, "not positive"), &c.BodyBufferSize)
	scalar(s, "client_body_temp_path", nonEmpty, &c.BodyTempPath)
	scalar(s, "client_max_header_size", atLeast(ParseSize, 1, "not positive"), &c.MaxHeaderSize)
	scalar(s, "client_header_timeout", positiveTime, &c.HeaderTimeout)
	scalar(s, "client_body_timeout", positiveTime, &c.BodyTimeout)
	scalar(s, "send_timeout", positiveTime, &c.SendTimeout)
	scalar(s, "keepalive_timeout", ParseDuration, &c.KeepaliveTimeout)
}

// proxy overrides the fields of p that the proxy map n sets.
func (d *decoder) proxy(n *yaml.Node, path string, p *ProxyDefaults) {
	s, _ := d.section(n, path)
	scalar(s, "connect_timeout", positiveTime, &p.ConnectTimeout)
	scalar(s, "send_timeout", positiveTime, &p.SendTimeout)
	scalar(s, "read_timeout", positiveTime, &p.ReadTimeout)
	scalar(s, "preserve_host", parseBool, &p.PreserveHost)
	scalar(s, "forwarded_headers", parseBool, &p.ForwardedHeaders)
	scalar(s, "keepalive", nonNegative, &p.KeepaliveConns)
	scalar(s, "buffer_size", ParseSize, &p.BufferSize)
	s.close()
}

// minDictSize is nginx's smallest lua_shared_dict.
const minDictSize = 8 << 10

// sharedDicts decodes shared_dicts; nil if absent.
func (d *decoder) sharedDicts(n *yaml.Node) map[string]Size {
	if n == nil {
		return nil
	}
	entries, ok := d.pairs(n, "shared_dicts")
	if !ok {
		return nil
	}
	dicts := make(map[string]Size, len(entries))
	for _, e := range entries {
		var size Size
		switch {
		case e.key == "":
			d.errorf(e.node, "shared_dicts", "dict name must not be empty")
		case value(d, e.value, join("shared_dicts", e.key), atLeast(ParseSize, minDictSize, "too small (minimum 8k)"), &size):
			dicts[e.key] = size
		}
	}
	return dicts
}

// variables decodes variables; a null value is the empty string; nil if
// absent.
func (d *decoder) variables(n *yaml.Node) map[string]string {
	if n == nil {
		return nil
	}
	entries, ok := d.pairs(n, "variables")
	if !ok {
		return nil
	}
	vars := make(map[string]string, len(entries))
	for _, e := range entries {
		var v string
		switch {
		case !validName(e.key):
			d.errorf(e.node, "variables", "invalid variable name %q (want [A-Za-z_][A-Za-z0-9_]*)", e.key)
		case isNull(e.value):
			vars[e.key] = ""
		case value(d, e.value, join("variables", e.key), parseString, &v):
			vars[e.key] = v
		}
	}
	return vars
}

// validName reports whether s matches [A-Za-z_][A-Za-z0-9_]*.
func validName(s string) bool {
	for i := 0; i < len(s); i++ {
		c := s[i]
		if c != '_' && !('a' <= c && c <= 'z') && !('A' <= c && c <= 'Z') && (i == 0 || !isDigit(c)) {
			return false
		}
	}
	return s != ""
}

// routes decodes the routes list; each route's proxy options start from
// proxy.
func (d *decoder) routes(n *yaml.Node, proxy ProxyDefaults, plugins map[string]*Plugin) []Route {
	if n == nil {
		return nil
	}
	if n.Kind != yaml.SequenceNode {
		d.errorf(n, "routes", "expected a list, got %s", describe(n))
		return nil
	}
	routes := make([]Route, len(n.Content))
	for i, rn := range n.Content {
		routes[i] = d.route(resolve(rn), i, proxy, plugins)
	}
	ids := map[string]int{}
	for i, r := range routes {
		if r.ID == "" {
			continue
		}
		if first, dup := ids[r.ID]; dup {
			d.errs = append(d.errs, &Error{File: d.file, Line: r.Line, Route: i, Location: r.Location, Key: join(routeKey(i), "id"), Reason: fmt.Sprintf("duplicate route id %q (first in routes[%d])", r.ID, first)})
			continue
		}
		ids[r.ID] = i
	}
	return routes
}

// route decodes routes[i] and marks every error found in it with the
// route's index and location; its proxy options start from proxy.
func (d *decoder) route(n *yaml.Node, i int, proxy ProxyDefaults, plugins map[string]*Plugin) Route {
	start := len(d.errs)
	path := routeKey(i)
	r := Route{Index: i, Line: n.Line, Proxy: proxy}
	if s, ok := d.section(n, path); ok {
		scalar(s, "id", parseRouteID, &r.ID)
		r.Plugins = d.routePlugins(s.take("plugins"), join(path, "plugins"), plugins)
		if loc := s.take("location"); loc != nil {
			value(d, loc, join(path, "location"), nonEmpty, &r.Location)
		} else {
			d.errorf(n, path, "location is required")
		}
		for _, p := range routePhases {
			*p.hook(&r) = d.hook(s.take(p.name), join(path, p.name))
		}
		if scalar(s, "proxy_pass", parseProxyPass, &r.ProxyPass) && r.Content != nil {
			d.errorf(n, path, "content and proxy_pass are exclusive")
		}
		d.proxy(s.take("proxy"), join(path, "proxy"), &r.Proxy)
		scalar(s, "internal", parseBool, &r.Internal)
		s.close()
	}
	for _, e := range d.errs[start:] {
		e.Route, e.Location = i, r.Location
	}
	return r
}

// hook decodes the hook at key; it returns nil if n is nil or not a
// mapping.
func (d *decoder) hook(n *yaml.Node, key string) *Hook {
	if n == nil {
		return nil
	}
	s, ok := d.section(n, key)
	if !ok {
		return nil
	}
	h := d.code(s, n, key, false)
	s.close()
	return h
}

// code decodes the code keys of a hook or plugin from its open section s
// at key: one of lua, lua_file, wasm, with the Wasm limits and config.
// config is allowed with Lua too when anyConfig is set (plugins).
func (d *decoder) code(s *section, n *yaml.Node, key string, anyConfig bool) *Hook {
	h := &Hook{Line: n.Line}
	lua, file, wasm := s.take("lua"), s.take("lua_file"), s.take("wasm")
	if countSet(lua, file, wasm) != 1 {
		d.errorf(n, key, "hook needs exactly one of lua, lua_file, wasm")
	}
	if lua != nil && value(d, lua, join(key, "lua"), parseString, &h.Lua) {
		h.ChunkName = fmt.Sprintf("=%s:%d:%s", d.file, lua.Line, key)
	}
	var path string
	if file != nil && value(d, file, join(key, "lua_file"), nonEmpty, &path) {
		h.File = d.resolvePath(path)
		if src, err := readSource(h.File); err != nil {
			d.errorf(file, join(key, "lua_file"), "%v", err)
		} else {
			h.Lua, h.ChunkName = src, h.File
		}
	}
	if wasm != nil && value(d, wasm, join(key, "wasm"), nonEmpty, &path) {
		h.Wasm = d.resolvePath(path)
		if f, err := openRegular(h.Wasm); err != nil {
			d.errorf(wasm, join(key, "wasm"), "%v", err)
		} else {
			f.Close()
		}
	}
	for _, limit := range []struct {
		key   string
		apply func(n *yaml.Node, key string)
	}{
		{"memory", func(n *yaml.Node, key string) {
			value(d, n, key, atLeast(ParseSize, 64<<10, "below 64k, one page"), &h.Limits.Memory)
		}},
		{"timeout", func(n *yaml.Node, key string) { value(d, n, key, positiveTime, &h.Limits.Timeout) }},
		{"pool", func(n *yaml.Node, key string) { value(d, n, key, atLeast(parseInt, 1, "below 1"), &h.Limits.Pool) }},
	} {
		if n := s.take(limit.key); n != nil {
			if wasm == nil {
				d.errorf(n, join(key, limit.key), "%s is only allowed with wasm", limit.key)
			} else {
				limit.apply(n, join(key, limit.key))
			}
		}
	}
	if cfg := s.take("config"); cfg != nil {
		if wasm == nil && !anyConfig {
			d.errorf(cfg, join(key, "config"), "config is only allowed with wasm")
		} else if v, err := decodeAny(cfg); err != nil {
			d.errorf(cfg, join(key, "config"), "%v", err)
		} else {
			h.Config = v
		}
	}
	return h
}

// plugins decodes the plugins section; nil if absent.
func (d *decoder) plugins(n *yaml.Node) map[string]*Plugin {
	if n == nil {
		return nil
	}
	entries, ok := d.pairs(n, "plugins")
	if !ok {
		return nil
	}
	plugins := make(map[string]*Plugin, len(entries))
	for _, e := range entries {
		key := join("plugins", e.key)
		if !validPluginName(e.key) {
			d.errorf(e.node, "plugins", "invalid plugin name %q (want [A-Za-z0-9_-]+)", e.key)
			continue
		}
		s, ok := d.section(e.value, key)
		if !ok {
			continue
		}
		p := &Plugin{Name: e.key}
		scalar(s, "priority", parseInt, &p.Priority)
		p.Hook = *d.code(s, e.value, key, true)
		s.close()
		plugins[e.key] = p
	}
	return plugins
}

// validPluginName reports whether s matches [A-Za-z0-9_-]+; route ids
// may have dots too.
func validPluginName(s string) bool {
	return s != "" && strings.Trim(s, "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789_-") == ""
}

// parseRouteID checks a route id: [A-Za-z0-9_.-]+.
func parseRouteID(s string) (string, error) {
	if !validPluginName(strings.ReplaceAll(s, ".", "_")) {
		return "", fmt.Errorf("invalid route id %q (want [A-Za-z0-9_.-]+)", s)
	}
	return s, nil
}

// routePlugins decodes a route's plugins map at path against the declared
// plugins, in run order.
func (d *decoder) routePlugins(n *yaml.Node, path string, plugins map[string]*Plugin) []PluginUse {
	if n == nil {
		return nil
	}
	entries, ok := d.pairs(n, path)
	if !ok {
		return nil
	}
	var uses []PluginUse
	for _, e := range entries {
		p := plugins[e.key]
		if p == nil {
			d.errorf(e.node, path, "unknown plugin %q (not in plugins)", e.key)
			continue
		}
		use := PluginUse{Name: e.key, Plugin: p, Config: p.Config, Line: e.node.Line}
		if !isNull(e.value) {
			v, err := decodeAny(e.value)
			if err != nil {
				d.errorf(e.value, join(path, e.key), "%v", err)
				continue
			}
			use.Config = v
		}
		uses = append(uses, use)
	}
	slices.SortFunc(uses, func(a, b PluginUse) int {
		if a.Plugin.Priority != b.Plugin.Priority {
			return b.Plugin.Priority - a.Plugin.Priority
		}
		return strings.Compare(a.Name, b.Name)
	})
	return uses
}

// countSet returns how many of nodes are not nil.
func countSet(nodes ...*yaml.Node) int {
	n := 0
	for _, node := range nodes {
		if node != nil {
			n++
		}
	}
	return n
}

// resolvePath resolves a relative path against the config directory.
func (d *decoder) resolvePath(p string) string {
	if d.dir == "" || filepath.IsAbs(p) {
		return p
	}
	return filepath.Join(d.dir, p)
}

// resolvePackagePath resolves each relative entry of a Lua search path;
// empty entries (";;", the default path in OpenResty) are kept.
func (d *decoder) resolvePackagePath(p string) string {
	entries := strings.Split(p, ";")
	for i, e := range entries {
		if e != "" {
			entries[i] = d.resolvePath(e)
		}
	}
	return strings.Join(entries, ";")
}

// openRegular opens the regular file at path.
func openRegular(path string) (*os.File, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, err
	}
	fi, err := f.Stat()
	if err == nil && !fi.Mode().IsRegular() {
		err = fmt.Errorf("open %s: not a regular file", path)
	}
	if err != nil {
		f.Close()
		return nil, err
	}
	return f, nil
}

// readSource returns the content of the regular file at path.
func readSource(path string) (string, error) {
	f, err := openRegular(path)
	if err != nil {
		return "", err
	}
	defer f.Close()
	src, err := io.ReadAll(f)
	if err != nil {
		return "", fmt.Errorf("read %s: %w", path, err)
	}
	return string(src), nil
}

// decodeAny decodes any YAML value, with every mapping as a map[string]any
// (non-string keys are converted to their text).
func decodeAny(n *yaml.Node) (any, error) {
	var v any
	if err := n.Decode(&v); err != nil {
		var te *yaml.TypeError
		if errors.As(err, &te) {
			return nil, errors.New(strings.Join(te.Errors, "; "))
		}
		return nil, errors.New(strings.TrimPrefix(err.Error(), "yaml: "))
	}
	return stringKeys(v)
}

// stringKeys converts the map[any]any values inside v to map[string]any.
func stringKeys(v any) (any, error) {
	var err error
	switch v := v.(type) {
	case map[string]any:
		for k, e := range v {
			if v[k], err = stringKeys(e); err != nil {
				return nil, err
			}
		}
	case []any:
		for i, e := range v {
			if v[i], err = stringKeys(e); err != nil {
				return nil, err
			}
		}
	case map[any]any:
		m := make(map[string]any, len(v))
		for k, e := range v {
			ks := fmt.Sprint(k)
			if _, dup := m[ks]; dup {
				return nil, fmt.Errorf("duplicate key %q", ks)
			}
			if m[ks], err = stringKeys(e); err != nil {
				return nil, err
			}
		}
		return m, nil
	}
	return v, nil
}

// nonEmpty accepts any string but "".
func nonEmpty(s string) (string, error) {
	if s == "" {
		return "", errors.New("must not be empty")
	}
	return s, nil
}

// nonNegative parses an integer >= 0.
func nonNegative(s string) (int, error) { return atLeast(parseInt, 0, "negative")(s) }

// positiveTime parses a time > 0.
func positiveTime(s string) (time.Duration, error) {
	return atLeast(ParseDuration, 1, "not positive")(s)
}

// parseAddr checks a listen address: host:port with a numeric port.
func parseAddr(s string) (string, error) {
	_, port, err := net.SplitHostPort(s)
	if err != nil {
		return "", fmt.Errorf("invalid address %q: want host:port", s)
	}
	if _, err := strconv.ParseUint(port, 10, 16); err != nil {
		return "", fmt.Errorf("invalid port %q in address %q", port, s)
	}
	return s, nil
}

// parseAdminAddr is parseAddr, where "" and "off" disable the admin API
// and give "".
func parseAdminAddr(s string) (string, error) {
	if s == "" || s == "off" {
		return "", nil
	}
	return parseAddr(s)
}

// parseProxyPass checks a proxy_pass URL.
func parseProxyPass(s string) (string, error) {
	if !strings.Contains(s, "://") {
		return "", fmt.Errorf("invalid URL %q: want http://host[:port][/path]", s)
	}
	u, err := url.Parse(s)
	switch {
	case err != nil:
		return "", fmt.Errorf("invalid URL: %w", err)
	case u.Scheme == "https":
		return "", errors.New("https upstreams are not supported yet")
	case u.Scheme != "http":
		return "", fmt.Errorf("unsupported scheme %q in %q (want http)", u.Scheme, s)
	case u.Hostname() == "":
		return "", fmt.Errorf("missing host in %q", s)
	}
	return s, nil
}
