package lua

import (
	"math"
	"time"

	"github.com/moongate/moongate/host"
	glua "github.com/yuin/gopher-lua"
)

// hookClock is the time of the ngx time API. nginx caches the time once
// per turn of its event loop, so ngx.now() does not move while a handler
// runs unless it calls ngx.update_time(). A VM does the same per hook call:
// Session.lock (at the start of a call and after every wait) resets the
// clock, and the first read after that takes the time, so a hook that
// never asks costs nothing.
type hookClock struct{ t time.Time }

// reset makes the next read take the time afresh.
func (c *hookClock) reset() { c.t = time.Time{} }

// now returns the cached time, taking it on the first read since reset.
func (c *hookClock) now() time.Time {
	if c.t.IsZero() {
		c.t = time.Now()
	}
	return c.t
}

// update is ngx.update_time(): it takes the time now.
func (c *hookClock) update() { c.t = time.Now() }

// openTime registers the time functions of ngx (every phase but init):
// now, time, today, localtime, utctime and update_time read the hook's
// cached clock; http_time, cookie_time and parse_http_time convert.
func (vm *VM) openTime(ngx *glua.LTable) {
	clock := &vm.clock
	str := func(f func(time.Time) string) hostFunc {
		return func(L *glua.LState, _ *host.Request) int { L.Push(glua.LString(f(clock.now()))); return 1 }
	}
	format := func(f func(int64) string) hostFunc {
		return func(L *glua.LState, _ *host.Request) int {
			sec, ok := L.Get(1).(glua.LNumber)
			if !ok {
				L.RaiseError("number argument only")
			}
			L.Push(glua.LString(f(cLong(float64(sec)))))
			return 1
		}
	}
	vm.set(ngx, "ngx", map[string]hostFunc{
		"now":         func(L *glua.LState, _ *host.Request) int { L.Push(glua.LNumber(host.Now(clock.now()))); return 1 },
		"time":        func(L *glua.LState, _ *host.Request) int { L.Push(glua.LNumber(clock.now().Unix())); return 1 },
		"update_time": func(*glua.LState, *host.Request) int { clock.update(); return 0 },
		"today":       str(host.Today),
		"localtime":   str(host.LocalTime),
		"utctime":     str(host.UTCTime),
		"http_time":   format(host.HTTPTime),
		"cookie_time": format(host.CookieTime),
		"parse_http_time": func(L *glua.LState, _ *host.Request) int {
			s, ok := L.Get(1).(glua.LString)
			if !ok {
				L.RaiseError("string argument only")
			}
			if sec, ok := host.ParseHTTPTime(string(s)); ok {
				L.Push(glua.LNumber(sec))
			} else {
				L.Push(glua.LNil)
			}
			return 1
		},
	})
}

// cLong converts f to an integer as OpenResty's FFI call does (a C
// double-to-long conversion on x86-64): truncated toward zero, and NaN or
// a value out of range becomes the smallest long.
func cLong(f float64) int64 {
	if math.IsNaN(f) || f >= math.MaxInt64 || f < math.MinInt64 {
		return math.MinInt64
	}
	return int64(f)
}
