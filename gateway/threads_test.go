package gateway

import (
	"strings"
	"testing"
)

func TestLightThreads(t *testing.T) {
	tg := startGateway(t, `
lua: {vms: 1}
routes:
  - location: = /results
    content: {lua: "local t = ngx.thread.spawn(function(a) return a * 2, 'x' end, 21) ngx.say(ngx.thread.wait(t))"}
  - location: = /concurrent
    content:
      lua: |
        local order = {}
        local a = ngx.thread.spawn(function() ngx.sleep(0.3) order[#order+1] = 'a' end)
        local b = ngx.thread.spawn(function() ngx.sleep(0.1) order[#order+1] = 'b' end)
        order[#order+1] = 'spawned'
        ngx.thread.wait(a)
        ngx.thread.wait(b)
        ngx.say(table.concat(order, ','))
  - location: = /first
    content:
      lua: |
        local slow = ngx.thread.spawn(function() ngx.sleep(0.3) return 'slow' end)
        local fast = ngx.thread.spawn(function() ngx.sleep(0.05) return 'fast' end)
        ngx.say(ngx.thread.wait(slow, fast))
        ngx.say(ngx.thread.wait(slow))
  - location: = /padded
    content:
      lua: |
        local t = ngx.thread.spawn(function() ngx.sleep(0.01) return 'one' end)
        local ok, a, b, c = ngx.thread.wait(t)
        ngx.say(tostring(ok), ' ', a, ' ', tostring(b), ' ', tostring(c))
        local u = ngx.thread.spawn(function() ngx.sleep(0.01) return 1, 2, 3 end)
        local only = ngx.thread.wait(u)
        ngx.say(tostring(only), ' ', select('#', ngx.thread.wait(ngx.thread.spawn(function() ngx.sleep(0.01) return 1, 2 end))))
  - location: = /error
    content: {lua: "local t = ngx.thread.spawn(function() error('oops', 0) end) ngx.say(ngx.thread.wait(t))"}
  - location: = /kill
    content:
      lua: |
        local t = ngx.thread.spawn(function() ngx.sleep(5) ngx.say('never') end)
        ngx.say(ngx.thread.kill(t))
        ngx.say(ngx.thread.wait(t))
        ngx.say(ngx.thread.kill(t))
  - location: = /outlive
    content: {lua: "ngx.thread.spawn(function() ngx.sleep(0.05) ngx.say('late') end) ngx.say('entry done')"}
  - location: = /exit
    content: {lua: "ngx.thread.spawn(function() ngx.sleep(5) ngx.say('never') end) ngx.say('bye') ngx.exit(200)"}
  - location: = /pcall
    content: {lua: "local ok, t = pcall(ngx.thread.spawn, function() ngx.sleep(0.01) return 'in pcall' end) ngx.say(ngx.thread.wait(t))"}
  - location: = /log
    log: {lua: "ngx.thread.spawn(function() end)"}
    content: {lua: "ngx.say('x')"}
`, nil)
	tests := []struct {
		path   string
		status int
		body   string
		log    string
	}{
		{"/results", 200, "true42x\n", ""},
		{"/concurrent", 200, "spawned,b,a\n", ""},
		{"/first", 200, "truefast\ntrueslow\n", ""},
		{"/padded", 200, "true one nil nil\ntrue 3\n", ""},
		{"/error", 200, "falseoops\n", ""},
		{"/kill", 200, "1\nnilalready waited or killed\nnilalready waited or killed\n", ""},
		{"/outlive", 200, "entry done\nlate\n", ""},
		{"/exit", 200, "bye\n", ""},
		{"/pcall", 200, "truein pcall\n", ""},
		{"/log", 200, "x\n", "API disabled in the context of log_by_lua*"},
	}
	for _, tt := range tests {
		t.Run(tt.path, func(t *testing.T) {
			got := tg.get(tt.path)
			if got.status != tt.status || got.body != tt.body {
				t.Errorf("got %d %q, want %d %q", got.status, got.body, tt.status, tt.body)
			}
			if tt.log != "" && !strings.Contains(tg.errorLog(), tt.log) {
				t.Errorf("error log lacks %q:\n%s", tt.log, tg.errorLog())
			}
		})
	}
}

func TestSemaphore(t *testing.T) {
	tg := startGateway(t, `
lua: {vms: 1}
routes:
  - location: = /handoff
    content:
      lua: |
        local semaphore = require "ngx.semaphore"
        local sema = semaphore.new()
        local got = {}
        local waiter = ngx.thread.spawn(function()
          local ok, err = sema:wait(5)
          got[#got+1] = tostring(ok)
        end)
        got[#got+1] = tostring(sema:count())
        sema:post()
        ngx.thread.wait(waiter)
        got[#got+1] = tostring(sema:count())
        ngx.say(table.concat(got, ","))
  - location: = /timeout
    content:
      lua: |
        local sema = require("ngx.semaphore").new(1)
        ngx.say(sema:wait(0))
        ngx.say(sema:wait(0))
        ngx.say(sema:wait(0.01))
        sema:post(2)
        ngx.say(sema:count())
  - location: = /header-filter
    header_filter: {lua: "require('ngx.semaphore').new(1):wait(1)"}
    content: {lua: "ngx.say('x')"}
`, nil)
	tests := []struct {
		path   string
		status int
		body   string
	}{
		{"/handoff", 200, "-1,true,0\n"},
		{"/timeout", 200, "true\nniltimeout\nniltimeout\n2\n"},
		{"/header-filter", 500, ""},
	}
	for _, tt := range tests {
		got := tg.get(tt.path)
		if got.status != tt.status || (tt.body != "" && got.body != tt.body) {
			t.Errorf("%s: got %d %q, want %d %q", tt.path, got.status, got.body, tt.status, tt.body)
		}
	}
	if !strings.Contains(tg.errorLog(), "API disabled in the context of header_filter_by_lua*") {
		t.Errorf("sema:wait in header_filter was not refused:\n%s", tg.errorLog())
	}
}
