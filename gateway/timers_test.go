package gateway

import (
	"strings"
	"testing"
	"time"
)

func TestTimers(t *testing.T) {
	tg := startGateway(t, `
lua: {vms: 1, max_pending_timers: 4}
shared_dicts: {t: 64k}
routes:
  - location: = /at
    content:
      lua: |
        local ok, err = ngx.timer.at(0, function(premature, a, b)
          ngx.sleep(0.01) -- the timer context may wait
          ngx.shared.t:set("at", a .. b .. tostring(premature) .. ngx.get_phase())
        end, "x", "y")
        ngx.say(ok, err)
  - location: = /read
    content: {lua: "ngx.say(ngx.shared.t:get(ngx.var.arg_k))"}
  - location: = /every
    content:
      lua: |
        ngx.timer.every(0.01, function(premature)
          local n = ngx.shared.t:incr("every", 1, 0)
          if n == 3 then ngx.shared.t:set("every_done", "yes") end
        end)
        ngx.say("armed")
  - location: = /limit
    content:
      lua: |
        local out = {}
        for i = 1, 4 do
          local ok, err = ngx.timer.at(60, function() end)
          out[#out+1] = tostring(ok) .. ":" .. tostring(err)
        end
        ngx.say(table.concat(out, " "), " pending=", ngx.timer.pending_count())
  - location: = /bad
    content: {lua: "ngx.timer.at(-1, function() end)"}
  - location: = /fails
    content: {lua: "ngx.timer.at(0, function() error('timer boom') end) ngx.say('ok')"}
  - location: = /premature
    content:
      lua: |
        ngx.timer.at(3600, function(premature)
          ngx.log(ngx.NOTICE, "premature timer ran: ", tostring(premature), " exiting: ", tostring(ngx.worker.exiting()))
        end)
        ngx.say("armed")
`, nil)
	waitDict := func(key, want string) {
		t.Helper()
		for i := 0; i < 500; i++ {
			if got := tg.get("/read?k=" + key); got.body == want+"\n" {
				return
			}
			time.Sleep(10 * time.Millisecond)
		}
		t.Fatalf("dict key %s never became %q", key, want)
	}
	if got := tg.get("/at"); got.body != "truenil\n" {
		t.Fatalf("/at: %q", got.body)
	}
	waitDict("at", "xyfalsetimer")
	tg.get("/every")
	waitDict("every_done", "yes")
	if got := tg.get("/bad"); got.status != 500 || !strings.Contains(tg.errorLog(), "delay must not be negative") {
		t.Errorf("/bad: %d\n%s", got.status, tg.errorLog())
	}
	tg.get("/fails")
	if log := tg.waitLog("timer boom"); !strings.Contains(log, "timer hook: ") {
		t.Errorf("a failing timer's error is not logged with its source:\n%s", log)
	}

	// Pending now: the every-timer and /premature's: 2 of 4.
	tg.get("/premature")
	if got := tg.get("/limit"); !strings.HasPrefix(got.body, "true:nil true:nil nil:too many pending timers nil:too many pending timers pending=4") {
		t.Errorf("/limit: %q", got.body)
	}

	// A reload retires the snapshot: its pending timers fire prematurely.
	if err := tg.Reload(); err != nil {
		t.Fatal(err)
	}
	if log := tg.waitLog("premature timer ran"); !strings.Contains(log, "premature timer ran: true exiting: true") {
		t.Errorf("pending timer did not fire prematurely on reload:\n%s", log)
	}
}
