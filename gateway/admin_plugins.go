package gateway

import (
	"bytes"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"maps"
	"path/filepath"
	"slices"
	"strconv"
	"strings"

	"github.com/moongate/moongate/gateway/config"
	"github.com/valyala/fasthttp"
	"gopkg.in/yaml.v3"
)

// pluginInfo is a plugin as GET /plugins lists it.
type pluginInfo struct {
	Name string `json:"name"`
	*pluginState
	Priority int      `json:"priority"`
	Config   any      `json:"config,omitempty"` // only for GET /plugins/{name}
	Routes   []string `json:"routes"`           // the routes using it, by id or as routes[i]
}

// newPluginInfo describes snapshot s's plugin p.
func newPluginInfo(s *snapshot, p *config.Plugin) pluginInfo {
	info := pluginInfo{Name: p.Name, pluginState: s.src.plugin(p.Name), Priority: p.Priority, Routes: []string{}}
	for i, r := range s.cfg.Routes {
		if slices.ContainsFunc(r.Plugins, func(u config.PluginUse) bool { return u.Name == p.Name }) {
			info.Routes = append(info.Routes, routeLabel(r.ID, i))
		}
	}
	return info
}

// routeLabel names a route in messages: its id, or routes[i].
func routeLabel(id string, i int) string {
	if id != "" {
		return id
	}
	return fmt.Sprintf("routes[%d]", i)
}

func (g *Gateway) listPlugins(ctx *fasthttp.RequestCtx, _ string) {
	s := g.snap.Load()
	list := []pluginInfo{}
	for _, name := range slices.Sorted(maps.Keys(s.cfg.Plugins)) {
		list = append(list, newPluginInfo(s, s.cfg.Plugins[name]))
	}
	adminJSON(ctx, list)
}

func (g *Gateway) getPlugin(ctx *fasthttp.RequestCtx, name string) {
	s := g.snap.Load()
	p := s.cfg.Plugins[name]
	if p == nil {
		adminError(ctx, fasthttp.StatusNotFound, fmt.Sprintf("no plugin %q", name))
		return
	}
	info := newPluginInfo(s, p)
	info.Config = p.Config
	adminJSON(ctx, info)
}

// pluginSettings are the keys of a plugins entry that PUT /plugins/{name}
// may set besides the code.
var pluginSettings = []string{"priority", "config", "memory", "timeout", "pool"}

// wasmOnly are the settings a Lua plugin may not have.
var wasmOnly = []string{"memory", "timeout", "pool"}

// codeKeys are the keys of a plugins entry that hold its code.
var codeKeys = []string{"lua", "lua_file", "wasm"}

// pluginUpload is a decoded PUT /plugins/{name} request.
type pluginUpload struct {
	code     []byte         // the new code; nil keeps the plugin's
	ext      string         // "lua" or "wasm", with code
	settings map[string]any // the settings given, by key
}

// parsePluginUpload decodes the request: a JSON object with lua or wasm
// (base64) and settings, or the code as the raw body (a Wasm binary
// recognised by its magic, else Lua source) with priority and config
// (JSON) as query parameters.
func parsePluginUpload(ctx *fasthttp.RequestCtx, name string) (*pluginUpload, error) {
	u := &pluginUpload{settings: map[string]any{}}
	body := ctx.PostBody()
	if bytes.HasPrefix(ctx.Request.Header.ContentType(), []byte("application/json")) {
		var req map[string]json.RawMessage
		if err := json.Unmarshal(body, &req); err != nil {
			return nil, fmt.Errorf("plugin %q: the JSON body: %v", name, err)
		}
		if req["lua"] != nil && req["wasm"] != nil {
			return nil, fmt.Errorf("plugin %q: give lua or wasm, not both", name)
		}
		for _, key := range slices.Sorted(maps.Keys(req)) {
			var err error
			switch raw := req[key]; {
			case key == "lua":
				var src string
				err = json.Unmarshal(raw, &src)
				u.code, u.ext = []byte(src), "lua"
			case key == "wasm":
				var b64 string
				if err = json.Unmarshal(raw, &b64); err == nil {
					u.code, err = base64.StdEncoding.DecodeString(b64)
				}
				u.ext = "wasm"
			case slices.Contains(pluginSettings, key):
				var v any
				err = json.Unmarshal(raw, &v)
				u.settings[key] = v
			default:
				err = fmt.Errorf("unknown key (want lua, wasm, %s)", strings.Join(pluginSettings, ", "))
			}
			if err != nil {
				return nil, fmt.Errorf("plugin %q: %s: %v", name, key, err)
			}
		}
	} else {
		if len(body) > 0 {
			u.code, u.ext = bytes.Clone(body), "lua"
			if bytes.HasPrefix(body, wasmMagic) {
				u.ext = "wasm"
			}
		}
		args := ctx.QueryArgs()
		if v := args.Peek("priority"); v != nil {
			n, err := strconv.Atoi(string(v))
			if err != nil {
				return nil, fmt.Errorf("plugin %q: priority: invalid integer %q", name, v)
			}
			u.settings["priority"] = n
		}
		if v := args.Peek("config"); v != nil {
			var conf any
			if err := json.Unmarshal(v, &conf); err != nil {
				return nil, fmt.Errorf("plugin %q: config: invalid JSON: %v", name, err)
			}
			u.settings["config"] = conf
		}
	}
	if u.ext == "wasm" && !bytes.HasPrefix(u.code, wasmMagic) {
		return nil, fmt.Errorf(`plugin %q: wasm: not a WebAssembly module (it does not start with "\0asm")`, name)
	}
	return u, nil
}

// wasmMagic starts every Wasm binary.
var wasmMagic = []byte("\x00asm")

// putPlugin adds or replaces a plugin. Its code goes into admin.plugin_dir
// under a content-addressed name, so the serving version's file is never
// overwritten, and the config's plugins entry points at it; settings not
// given are kept.
func (g *Gateway) putPlugin(ctx *fasthttp.RequestCtx, name string) {
	if !validName(name) {
		adminError(ctx, fasthttp.StatusBadRequest, fmt.Sprintf("invalid plugin name %q (want [A-Za-z0-9_-]+)", name))
		return
	}
	u, err := parsePluginUpload(ctx, name)
	if err != nil {
		adminError(ctx, fasthttp.StatusBadRequest, err.Error())
		return
	}
	created := false
	c := edit(func(d *document) (map[string][]byte, error) {
		plugins, err := mapping(d.top(), "plugins")
		if err != nil {
			return nil, errorf(fasthttp.StatusBadRequest, "%s: %v", g.path, err)
		}
		entry := mapGet(plugins, name)
		if entry == nil {
			if u.code == nil {
				return nil, errorf(fasthttp.StatusBadRequest, "plugin %q: a new plugin needs its code", name)
			}
			entry = &yaml.Node{Kind: yaml.MappingNode, Tag: "!!map"}
			mapSet(plugins, name, entry)
			created = true
		}
		if entry.Kind != yaml.MappingNode {
			return nil, errorf(fasthttp.StatusBadRequest, "%s: plugins.%s is not a mapping", g.path, name)
		}
		var files map[string][]byte
		if u.code != nil {
			path := pluginFile(g.snap.Load().cfg.Admin.PluginDir, name, sha256Hex(u.code), u.ext)
			files = map[string][]byte{path: u.code}
			key := "wasm"
			if u.ext == "lua" {
				key = "lua_file"
				for _, k := range wasmOnly {
					mapDelete(entry, k)
				}
			}
			g.setCode(entry, key, path)
		}
		for _, key := range slices.Sorted(maps.Keys(u.settings)) {
			v, err := valueNode(u.settings[key])
			if err != nil {
				return nil, errorf(fasthttp.StatusBadRequest, "plugin %q: %s: %v", name, key, err)
			}
			mapSet(entry, key, v)
		}
		return files, nil
	})
	s := g.adminChange(ctx, c)
	if s == nil {
		return
	}
	if created {
		ctx.SetStatusCode(fasthttp.StatusCreated)
	}
	adminJSON(ctx, newPluginInfo(s, s.cfg.Plugins[name]))
}

// setCode points a plugins entry at the code file path (under key
// lua_file or wasm), in the place of its previous code key.
func (g *Gateway) setCode(entry *yaml.Node, key, path string) {
	if rel, err := filepath.Rel(filepath.Dir(g.path), path); err == nil && !strings.HasPrefix(rel, "..") {
		path = rel
	}
	k := &yaml.Node{Kind: yaml.ScalarNode, Tag: "!!str", Value: key}
	v := &yaml.Node{Kind: yaml.ScalarNode, Tag: "!!str", Value: path}
	at := -1
	for _, old := range codeKeys {
		if i := mapIndex(entry, old); i >= 0 && (at < 0 || i < at) {
			at = i
		}
	}
	for _, old := range codeKeys {
		if i := mapIndex(entry, old); i >= 0 && i != at {
			entry.Content = append(entry.Content[:i], entry.Content[i+2:]...)
			if i < at {
				at -= 2
			}
		}
	}
	if at < 0 {
		entry.Content = append([]*yaml.Node{k, v}, entry.Content...)
		return
	}
	entry.Content[at], entry.Content[at+1] = k, v
}

// deletePlugin removes a plugin no route uses (409 naming the routes
// otherwise); its uploaded file is then removed.
func (g *Gateway) deletePlugin(ctx *fasthttp.RequestCtx, name string) {
	c := edit(func(d *document) (map[string][]byte, error) {
		plugins := mapGet(d.top(), "plugins")
		if plugins == nil || plugins.Kind != yaml.MappingNode || mapIndex(plugins, name) < 0 {
			return nil, errorf(fasthttp.StatusNotFound, "no plugin %q", name)
		}
		var users []string
		for i, r := range routeNodes(d.top()) {
			if uses := mapGet(resolveNode(r), "plugins"); uses != nil && uses.Kind == yaml.MappingNode && mapIndex(uses, name) >= 0 {
				users = append(users, routeLabel(routeID(r), i))
			}
		}
		if len(users) > 0 {
			return nil, errorf(fasthttp.StatusConflict, "plugin %q is used by routes: %s", name, strings.Join(users, ", "))
		}
		mapDelete(plugins, name)
		return nil, nil
	})
	if s := g.adminChange(ctx, c); s != nil {
		adminJSON(ctx, map[string]any{"deleted": name, "generation": s.gen})
	}
}

// validName reports whether s is a valid plugin name: [A-Za-z0-9_-]+.
func validName(s string) bool {
	return s != "" && strings.Trim(s, "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789_-") == ""
}
