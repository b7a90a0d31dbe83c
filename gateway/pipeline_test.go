package gateway

import (
	"strings"
	"testing"
)

func TestPipelineBasics(t *testing.T) {
	tg := startGateway(t, `
routes:
  - location: = /hello
    content: {lua: "ngx.say('hello')"}
  - location: /h
    access: {lua: "if ngx.var.http_x_api_key ~= 'secret' then return ngx.exit(401) end ngx.req.set_header('X-User','alice')"}
    header_filter: {lua: "ngx.header['X-Gateway'] = 'yes'"}
    content: {lua: "ngx.say(ngx.req.get_headers()['x-user'])"}
  - location: /err
    content: {lua: "error('boom')"}
`, nil)
	tests := []struct {
		name    string
		path    string
		headers []string
		status  int
		body    string
		header  map[string]string
		log     string
	}{
		{name: "content", path: "/hello", status: 200, body: "hello\n"},
		{name: "access ok", path: "/h", headers: []string{"X-API-Key: secret"}, status: 200, body: "alice\n",
			header: map[string]string{"X-Gateway": "yes"}},
		{name: "access denied", path: "/h", status: 401, body: "401 Authorization Required",
			header: map[string]string{"X-Gateway": "yes"}},
		{name: "lua error", path: "/err", status: 500, body: "500 Internal Server Error",
			log: `route 2 (location "/err"): content hook: `},
		{name: "no route", path: "/nope", status: 404, body: "404 Not Found"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := tg.get(tt.path, tt.headers...)
			if got.status != tt.status || !strings.Contains(got.body, tt.body) {
				t.Errorf("got %d %q, want %d %q", got.status, got.body, tt.status, tt.body)
			}
			for k, v := range tt.header {
				if got.header.Get(k) != v {
					t.Errorf("header %s = %q, want %q", k, got.header.Get(k), v)
				}
			}
			if tt.log != "" && !strings.Contains(tg.errorLog(), tt.log) {
				t.Errorf("error log lacks %q:\n%s", tt.log, tg.errorLog())
			}
		})
	}
}
