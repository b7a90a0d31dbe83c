package gateway

import (
	"fmt"
	"runtime"
	"strings"
	"testing"
)

func TestSleepReleasesTheVM(t *testing.T) {
	tg := startGateway(t, `
lua: {vms: 1, cpu_limit: 100ms}
routes:
  - location: = /sleep
    content: {lua: "ngx.say('before') ngx.sleep(tonumber(ngx.var.arg_s)) ngx.say('after')"}
  - location: = /pcall-sleep
    content: {lua: "ngx.say(pcall(ngx.sleep, 0.01)) ngx.say(select('#', ngx.sleep(0)))"}
  - location: = /coroutine-sleep
    content: {lua: "local co = coroutine.wrap(function() ngx.sleep(0.01) return 'woke' end) ngx.say(co())"}
  - location: = /bad
    content: {lua: "ngx.sleep(-1)"}
  - location: = /filter
    header_filter: {lua: "ngx.sleep(0)"}
    content: {lua: "ngx.say('x')"}
  - location: = /ok
    content: {lua: "ngx.say('ok')"}
`, nil)
	// One VM: while /sleep waits, the VM serves /ok.
	slept := make(chan response, 1)
	go func() { slept <- tg.get("/sleep?s=2") }()
	for tg.snap.Load().refs.Load() == 0 {
		runtime.Gosched()
	}
	if got := tg.get("/ok"); got.body != "ok\n" {
		t.Fatalf("/ok while another request sleeps: %d %q", got.status, got.body)
	}
	select {
	case r := <-slept:
		t.Fatalf("/sleep answered before /ok was served: %q", r.body)
	default:
	}
	if r := <-slept; r.status != 200 || r.body != "before\nafter\n" {
		t.Errorf("/sleep: %d %q (sleeping must not count against cpu_limit)", r.status, r.body)
	}
	tests := []struct {
		path   string
		status int
		body   string
		log    string
	}{
		{"/pcall-sleep", 200, "true\n0\n", ""},
		{"/coroutine-sleep", 200, "woke\n", ""},
		{"/bad", 500, "", `invalid sleep duration "-1"`},
		{"/filter", 500, "", "API disabled in the context of header_filter_by_lua*"},
	}
	for _, tt := range tests {
		t.Run(tt.path, func(t *testing.T) {
			got := tg.get(tt.path)
			if got.status != tt.status || (tt.body != "" && got.body != tt.body) {
				t.Errorf("got %d %q, want %d %q", got.status, got.body, tt.status, tt.body)
			}
			if tt.log != "" && !strings.Contains(tg.errorLog(), tt.log) {
				t.Errorf("error log lacks %q:\n%s", tt.log, tg.errorLog())
			}
		})
	}
}

// TestWaitUnderGoCallers checks waits in Lua that gopher-lua runs from Go
// (a built-in's callback, a metamethod, a for-in iterator): they cannot
// yield through the Go frame, so they block with the VM released, and
// neither crash the process nor fail the request.
func TestWaitUnderGoCallers(t *testing.T) {
	tests := []struct{ name, lua, want string }{
		{"string.gsub callback", `ngx.say((string.gsub('abc', 'b', function() ngx.sleep(0.001) return 'X' end)))`, "aXc\n"},
		{"ngx.re.gsub callback", `ngx.say((ngx.re.gsub('abc', 'b', function() ngx.sleep(0.001) return 'X' end)))`, "aXc\n"},
		{"table.sort comparator", `local t = {3, 1, 2} table.sort(t, function(a, b) ngx.sleep(0.001) return a < b end) ngx.say(table.concat(t, ','))`, "1,2,3\n"},
		{"__index metamethod", `local t = setmetatable({}, {__index = function(_, k) ngx.sleep(0.001) return k .. '!' end}) ngx.say(t.x)`, "x!\n"},
		{"__tostring metamethod", `ngx.say(tostring(setmetatable({}, {__tostring = function() ngx.sleep(0.001) return 'T' end})))`, "T\n"},
		{"for-in iterator", `local n = 0 for i in function(_, i) ngx.sleep(0.001) if i < 3 then return i + 1 end end, nil, 0 do n = n + i end ngx.say(n)`, "6\n"},
		{"then a yielding wait", `string.gsub('a', 'a', function() ngx.sleep(0.001) end) ngx.sleep(0.001) ngx.say('ok')`, "ok\n"},
	}
	var routes strings.Builder
	for i, tt := range tests {
		fmt.Fprintf(&routes, "  - location: = /%d\n    content: {lua: %q}\n", i, tt.lua)
	}
	tg := startGateway(t, "lua: {vms: 1}\nroutes:\n"+routes.String(), nil)
	for i, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if resp := tg.get(fmt.Sprintf("/%d", i)); resp.status != 200 || resp.body != tt.want {
				t.Errorf("got %d %q, want 200 %q", resp.status, resp.body, tt.want)
			}
		})
	}
}
