package gateway

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// tagPlugin is a Lua plugin with a schema: access appends its tag to
// ngx.ctx.order, header_filter sets X-Tag-<tag>.
const tagPlugin = `
local M = {}
M.schema = {
  tag   = { type = "string", required = true },
  times = { type = "integer", default = 1 },
}
function M.access(conf)
  ngx.ctx.order = (ngx.ctx.order or "") .. conf.tag .. "x" .. conf.times .. ";"
end
function M.header_filter(conf)
  ngx.header["X-Tag-" .. conf.tag] = "1"
end
return M
`

// firstPlugin has no schema and a higher priority than tag.
const firstPlugin = `
return {
  access = function(conf)
    ngx.ctx.order = (ngx.ctx.order or "") .. "first;"
  end,
}
`

func TestNamedPlugins(t *testing.T) {
	yaml := `
plugins:
  tag: {lua_file: plugins/tag.lua, priority: 10}
  first: {lua_file: plugins/first.lua, priority: 100}
  hdr: {wasm: ` + guest(t, "c/addheader") + `, priority: 5, config: {name: X-Default, value: d}}
  validated: {wasm: ` + testGuest(t, "validate") + `}
routes:
  - location: /a
    plugins: {tag: {tag: a}, first: ~, hdr: {name: X-Route, value: a}, validated: {value: yes}}
    access: {lua: "ngx.ctx.order = (ngx.ctx.order or '') .. 'own;'"}
    content: {lua: "ngx.say(ngx.ctx.order)"}
  - location: /b
    plugins: {tag: {tag: b, times: 3}, hdr: ~}
    content: {lua: "ngx.say(ngx.ctx.order)"}
  - location: /c
    content: {lua: "ngx.say(ngx.ctx.order or 'none')"}
  - location: /trap
    plugins: {validated: {value: trap}}
    content: {lua: "ngx.say('not sent')"}
`
	tg := startGateway(t, yaml, map[string]string{"plugins/tag.lua": tagPlugin, "plugins/first.lua": firstPlugin})
	tests := []struct {
		path    string
		body    string
		headers map[string]string
	}{
		{"/a", "first;ax1;own;\n", map[string]string{"X-Tag-A": "1", "X-Route": "a", "X-Validated": "yes", "X-Default": ""}},
		{"/b", "bx3;\n", map[string]string{"X-Tag-B": "1", "X-Default": "d", "X-Validated": ""}},
		{"/c", "none\n", map[string]string{"X-Default": "", "X-Tag-A": ""}},
	}
	t.Run("a failing Wasm plugin is named", func(t *testing.T) {
		if resp := tg.get("/trap"); resp.status != 500 {
			t.Errorf("got %d %q, want 500", resp.status, resp.body)
		}
		tg.waitLog("plugin validated: header_filter hook")
	})
	for _, tt := range tests {
		t.Run(tt.path, func(t *testing.T) {
			resp := tg.get(tt.path)
			if resp.status != 200 || resp.body != tt.body {
				t.Fatalf("got %d %q, want 200 %q", resp.status, resp.body, tt.body)
			}
			for name, want := range tt.headers {
				if got := resp.header.Get(name); got != want {
					t.Errorf("%s = %q, want %q", name, got, want)
				}
			}
		})
	}
}

func TestPluginConfigErrors(t *testing.T) {
	validate := testGuest(t, "validate")
	tests := []struct {
		name  string
		yaml  string
		files map[string]string
		want  []string // substrings of the error
	}{
		{"required field missing", "plugins: {tag: {lua_file: tag.lua}}\nroutes:\n  - location: /\n    plugins: {tag: {}}\n",
			map[string]string{"tag.lua": tagPlugin}, []string{"routes[0]", "plugins.tag", "config.tag: required field missing"}},
		{"wrong type", "plugins: {tag: {lua_file: tag.lua}}\nroutes:\n  - location: /x\n  - location: /\n    plugins: {tag: {tag: 5}}\n",
			map[string]string{"tag.lua": tagPlugin}, []string{"routes[1]", "plugins.tag", "config.tag: expected string, got integer"}},
		{"unknown field", "plugins: {tag: {lua_file: tag.lua}}\nroutes:\n  - location: /\n    plugins: {tag: {tag: a, color: red}}\n",
			map[string]string{"tag.lua": tagPlugin}, []string{"routes[0]", "config.color: unknown field"}},
		{"unknown plugin", "routes:\n  - location: /\n    plugins: {nope: {}}\n",
			nil, []string{"routes[0]", `unknown plugin "nope"`}},
		{"syntax error", "plugins: {bad: {lua: \"return {\"}}\nroutes:\n  - location: /\n    plugins: {bad: ~}\n",
			nil, []string{"plugins.bad", "plugins.bad:"}},
		{"not a table", "plugins: {bad: {lua: \"return 42\"}}\nroutes:\n  - location: /\n    plugins: {bad: ~}\n",
			nil, []string{"plugins.bad", "returned number, not a table"}},
		{"runtime error", "plugins: {bad: {lua: \"error('boom')\"}}\nroutes:\n  - location: /\n    plugins: {bad: ~}\n",
			nil, []string{"plugins.bad", "boom"}},
		{"phase not a function", "plugins: {bad: {lua: \"return {access = 1}\"}}\nroutes:\n  - location: /\n    plugins: {bad: ~}\n",
			nil, []string{"plugins.bad", "access is a number, not a function"}},
		{"wasm rejects config", "plugins: {v: {wasm: " + validate + "}}\nroutes:\n  - location: /\n  - location: /v\n    plugins: {v: {value: \"\"}}\n",
			nil, []string{"routes[1]", "plugins.v", "on_validate_config rejected the config"}},
		{"not wasm", "plugins: {w: {wasm: junk.wasm}}\nroutes:\n  - location: /\n    plugins: {w: ~}\n",
			map[string]string{"junk.wasm": "not wasm at all"}, []string{"plugins.w", "junk.wasm"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			dir := t.TempDir()
			for name, content := range tt.files {
				if err := os.WriteFile(filepath.Join(dir, name), []byte(content), 0o644); err != nil {
					t.Fatal(err)
				}
			}
			path := filepath.Join(dir, "moongate.yaml")
			if err := os.WriteFile(path, []byte("wasm: {cache_dir: "+testWasmCache+"}\n"+tt.yaml), 0o644); err != nil {
				t.Fatal(err)
			}
			err := Check(path)
			if err == nil {
				t.Fatal("config accepted")
			}
			for _, want := range tt.want {
				if !strings.Contains(err.Error(), want) {
					t.Errorf("error %q does not contain %q", err, want)
				}
			}
		})
	}
}

// phasePlugin is a Lua plugin that records, in every phase, its conf.tag
// and the phase: in ngx.ctx.order, in X-Order, at the end of the body and
// in the error log. Its access stamps conf, which its log phase must see:
// a use's phases share one conf table.
const phasePlugin = `
local M = {schema = {tag = {type = "string", required = true}}}
local function note(conf, phase) ngx.ctx.order = (ngx.ctx.order or "") .. conf.tag .. ":" .. phase .. ";" end
function M.rewrite(conf) note(conf, "rewrite") end
function M.access(conf) note(conf, "access"); conf.stamp = conf.tag end
function M.header_filter(conf)
  local h = ngx.header["X-Order"]
  ngx.header["X-Order"] = (h and h .. "," or "") .. conf.tag
end
function M.body_filter(conf)
  if ngx.arg[2] then ngx.arg[1] = ngx.arg[1] .. conf.tag .. ";" end
end
function M.log(conf) ngx.log(ngx.ERR, "log ", conf.tag, " stamp=", tostring(conf.stamp)) end
return M
`

// TestPluginPhaseOrder checks that plugins run by priority, before the
// route's own hook, in every phase: the filter chains and log too.
func TestPluginPhaseOrder(t *testing.T) {
	yaml := `
plugins:
  lo: {lua_file: plugins/phase.lua, priority: 10}
  hi: {lua_file: plugins/phase.lua, priority: 20}
  boom: {lua: "return {access = function() error('kaboom') end}"}
routes:
  - location: = /order
    plugins: {lo: {tag: lo}, hi: {tag: hi}}
    rewrite: {lua: "ngx.ctx.order = (ngx.ctx.order or '') .. 'own:rewrite;'"}
    access: {lua: "ngx.ctx.order = (ngx.ctx.order or '') .. 'own:access;'"}
    content: {lua: "ngx.say(ngx.ctx.order)"}
    header_filter: {lua: "ngx.header['X-Order'] = ngx.header['X-Order'] .. ',own'"}
    body_filter: {lua: "if ngx.arg[2] then ngx.arg[1] = ngx.arg[1] .. 'own;' end"}
    log: {lua: "ngx.log(ngx.ERR, 'log own')"}
  - location: = /boom
    plugins: {boom: ~}
    content: {lua: "ngx.say('not reached')"}
`
	tg := startGateway(t, yaml, map[string]string{"plugins/phase.lua": phasePlugin})
	tests := []struct {
		path    string
		status  int
		body    string
		order   string
		inLog   []string
		notBody string
	}{
		{path: "/order", status: 200, body: "hi:rewrite;lo:rewrite;own:rewrite;hi:access;lo:access;own:access;\nhi;lo;own;",
			order: "hi,lo,own", inLog: []string{"log hi stamp=hi", "log lo stamp=lo", "log own"}},
		{path: "/boom", status: 500, inLog: []string{"(plugin boom)", "kaboom"}, notBody: "not reached"},
	}
	for _, tt := range tests {
		t.Run(tt.path, func(t *testing.T) {
			resp := tg.get(tt.path)
			if resp.status != tt.status || tt.body != "" && resp.body != tt.body || tt.notBody != "" && strings.Contains(resp.body, tt.notBody) {
				t.Fatalf("got %d %q, want %d %q", resp.status, resp.body, tt.status, tt.body)
			}
			if got := resp.header.Get("X-Order"); got != tt.order {
				t.Errorf("X-Order %q, want %q", got, tt.order)
			}
			last := tt.inLog[len(tt.inLog)-1]
			log := tg.waitLog(last)
			at := 0
			for _, want := range tt.inLog {
				i := strings.Index(log[at:], want)
				if i < 0 {
					t.Fatalf("error log lacks %q after offset %d (in order %q):\n%s", want, at, tt.inLog, log)
				}
				at += i + len(want)
			}
		})
	}
}
