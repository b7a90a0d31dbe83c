package shdict

import (
	"fmt"
	"strconv"
	"strings"
	"sync/atomic"
	"testing"
	"time"
)

// fakeClock is a clock tests move by hand.
type fakeClock struct{ ns atomic.Int64 }

func newFakeClock() *fakeClock {
	c := &fakeClock{}
	c.ns.Store(time.Date(2026, 1, 2, 3, 4, 5, 0, time.UTC).UnixNano())
	return c
}

func (c *fakeClock) Now() time.Time          { return time.Unix(0, c.ns.Load()) }
func (c *fakeClock) Advance(d time.Duration) { c.ns.Add(int64(d)) }

// runScript runs the lines of a test script on d, one operation each, and
// checks each line's results. A line is "op args => results" (see do).
func runScript(t *testing.T, d *Dict, clk *fakeClock, lines []string) {
	t.Helper()
	for i, line := range lines {
		call, want, _ := strings.Cut(line, "=>")
		got := do(t, d, clk, strings.Fields(call))
		if want = strings.TrimSpace(want); got != want {
			t.Errorf("line %d: %s\ngot  %s\nwant %s", i+1, call, got, want)
		}
	}
}

// do runs one script operation and formats its results, space-separated:
// values as `"str"`, numbers, true/false or nil; errors as their text or
// nil; durations in seconds. Arguments: a key is a word ("k*3" repeats
// "k" three times); a value is `"str"`, a number, true, false, nil or
// list (a list Value); TTLs are seconds.
func do(t *testing.T, d *Dict, clk *fakeClock, f []string) string {
	t.Helper()
	arg := func(i int) string {
		if i < len(f) {
			return f[i]
		}
		return ""
	}
	key := func() string {
		if arg(1) == `""` {
			return ""
		}
		if k, n, ok := strings.Cut(arg(1), "*"); ok {
			count, _ := strconv.Atoi(n)
			return strings.Repeat(k, count)
		}
		return arg(1)
	}
	num := func(i int) float64 {
		if arg(i) == "" {
			return 0
		}
		n, err := strconv.ParseFloat(arg(i), 64)
		if err != nil {
			t.Fatalf("bad number %q in %v", arg(i), f)
		}
		return n
	}
	secs := func(i int) time.Duration { return time.Duration(num(i) * float64(time.Second)) }
	out := func(vals ...any) string {
		s := make([]string, len(vals))
		for i, v := range vals {
			switch v := v.(type) {
			case Value:
				s[i] = formatValue(v)
			case error:
				s[i] = v.Error()
			case nil:
				s[i] = "nil"
			case time.Duration:
				s[i] = strconv.FormatFloat(v.Seconds(), 'g', -1, 64)
			default:
				s[i] = fmt.Sprint(v)
			}
		}
		return strings.Join(s, " ")
	}
	switch op := arg(0); op {
	case "get":
		return out(d.Get(key()))
	case "get_stale":
		return out(d.GetStale(key()))
	case "set", "safe_set", "add", "safe_add", "replace":
		store := map[string]func(string, Value, time.Duration, uint32) (bool, error){
			"set": d.Set, "safe_set": d.SafeSet, "add": d.Add, "safe_add": d.SafeAdd, "replace": d.Replace,
		}[op]
		return out(store(key(), parseValue(t, arg(2)), secs(3), uint32(num(4))))
	case "delete":
		return out(d.Delete(key()))
	case "incr":
		if len(f) > 3 {
			return out(d.IncrInit(key(), num(2), num(3), secs(4)))
		}
		return out(d.Incr(key(), num(2)))
	case "lpush":
		return out(d.LPush(key(), parseValue(t, arg(2))))
	case "rpush":
		return out(d.RPush(key(), parseValue(t, arg(2))))
	case "lpop":
		return out(d.LPop(key()))
	case "rpop":
		return out(d.RPop(key()))
	case "llen":
		return out(d.LLen(key()))
	case "ttl":
		return out(d.TTL(key()))
	case "expire":
		return out(d.Expire(key(), secs(2)))
	case "flush_all":
		d.FlushAll()
		return ""
	case "flush_expired":
		return out(d.FlushExpired(int(num(1))))
	case "keys":
		return out(d.Keys(int(num(1))))
	case "capacity":
		return out(d.Capacity())
	case "used":
		return out(d.Capacity() - d.FreeSpace())
	case "sleep":
		clk.Advance(secs(1))
		return ""
	default:
		t.Fatalf("unknown script op %q", op)
		return ""
	}
}

func parseValue(t *testing.T, s string) Value {
	switch {
	case s == "nil":
		return Value{}
	case s == "list":
		return Value{kind: KindList}
	case s == "true" || s == "false":
		return Bool(s == "true")
	case strings.HasPrefix(s, `"`):
		u, err := strconv.Unquote(s)
		if err != nil {
			t.Fatalf("bad string %s", s)
		}
		return String(u)
	}
	n, err := strconv.ParseFloat(s, 64)
	if err != nil {
		t.Fatalf("bad value %q", s)
	}
	return Number(n)
}

func formatValue(v Value) string {
	switch v.Kind() {
	case KindString:
		return strconv.Quote(v.Str())
	case KindNumber:
		return strconv.FormatFloat(v.Num(), 'g', -1, 64)
	case KindBool:
		return strconv.FormatBool(v.Bool())
	}
	return "nil"
}
