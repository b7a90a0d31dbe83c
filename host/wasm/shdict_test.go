package wasm

import (
	"math"
	"strings"
	"testing"
	"time"

	"github.com/moongate/moongate/abi"
	"github.com/moongate/moongate/host"
	"github.com/moongate/moongate/shdict"
	"github.com/tetratelabs/wazero/api"
)

// enc is a value in the encoding of ABI.md.
func enc(v shdict.Value, flags uint32) string { return string(appendValue(nil, v, flags)) }

func TestValueEncoding(t *testing.T) {
	tests := []struct {
		name    string
		v       shdict.Value
		flags   uint32
		encoded string
	}{
		{"nil", shdict.Value{}, 0, "\x00\x00\x00\x00\x00"},
		{"true", shdict.Bool(true), 1, "\x01\x01\x00\x00\x00\x01"},
		{"false", shdict.Bool(false), 0, "\x01\x00\x00\x00\x00\x00"},
		{"number", shdict.Number(42), 7, "\x02\x07\x00\x00\x00\x00\x00\x00\x00\x00\x00\x45\x40"},
		{"string", shdict.String("héllo"), 0xFFFFFFFF, "\x03\xff\xff\xff\xffhéllo"},
		{"empty string", shdict.String(""), 0x01020304, "\x03\x04\x03\x02\x01"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := enc(tt.v, tt.flags); got != tt.encoded {
				t.Errorf("encoded %q, want %q", got, tt.encoded)
			}
			v, flags, err := decodeValue([]byte(tt.encoded))
			if err != nil || v != tt.v || flags != tt.flags {
				t.Errorf("decoded %+v, %d, %v; want %+v, %d", v, flags, err, tt.v, tt.flags)
			}
		})
	}
}

func TestValueDecodingErrors(t *testing.T) {
	tests := []struct {
		name, encoded, err string
	}{
		{"empty", "", "malformed value: 0 bytes, shorter than the 5-byte header"},
		{"short header", "\x03\x00\x00", "malformed value: 3 bytes, shorter than the 5-byte header"},
		{"unknown kind", "\x04\x00\x00\x00\x00", "malformed value: kind 4 is not 0 (nil), 1 (boolean), 2 (number) or 3 (string)"},
		{"nil with a payload", "\x00\x00\x00\x00\x00x", "malformed value: kind 0 with a payload of 1 bytes"},
		{"boolean of two bytes", "\x01\x00\x00\x00\x00\x01\x00", "malformed value: kind 1 with a payload of 2 bytes"},
		{"boolean neither 0 nor 1", "\x01\x00\x00\x00\x00\x02", "malformed value: kind 1 with a payload of 1 bytes"},
		{"short number", "\x02\x00\x00\x00\x00\x00\x00\x00\x00", "malformed value: kind 2 with a payload of 4 bytes"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, _, err := decodeValue([]byte(tt.encoded))
			if err == nil || err.Error() != tt.err || statusOf(err) != abi.ErrBadArgument {
				t.Errorf("error %v (status %d), want %q", err, statusOf(err), tt.err)
			}
		})
	}
}

func TestSharedDictFunctions(t *testing.T) {
	rt, _ := newTestRuntime(t, Options{})
	m := load(t, rt, writeModule(t, guestModule()), Limits{})
	in := borrow(t, m)

	// Each case gets new dicts on a fake clock: cats, small enough to fill
	// (one lock stripe: exact LRU), and dogs.
	const cats, dogs = int32(0), int32(1)
	var catsDict, dogsDict *shdict.Dict
	var now time.Time
	bind := func(r *host.Request) {
		now = time.Unix(1_700_000_000, 0)
		opts := shdict.Options{Now: func() time.Time { return now }}
		catsDict, dogsDict = shdict.New("cats", 1024, opts), shdict.New("dogs", 64<<10, opts)
		r.Dicts = []*shdict.Dict{catsDict, dogsDict}
	}
	must := func(err error) {
		if err != nil {
			t.Fatal(err)
		}
	}
	set := func(key string, v shdict.Value, ttl time.Duration, flags uint32) func(h *harness) {
		return func(h *harness) {
			_, err := dogsDict.Set(key, v, ttl, flags)
			must(err)
		}
	}
	push := func(key string, vs ...shdict.Value) func(h *harness) {
		return func(h *harness) {
			for _, v := range vs {
				_, err := dogsDict.RPush(key, v)
				must(err)
			}
		}
	}
	fillCats := func(h *harness) { // two entries of 461 bytes: 102 bytes left
		for _, k := range []string{"a", "b"} {
			_, err := catsDict.Set(k, shdict.String(strings.Repeat(k, 300)), 0, 0)
			must(err)
		}
	}
	expired := func(key string, v shdict.Value) func(h *harness) {
		return func(h *harness) {
			set(key, v, time.Second, 3)(h)
			now = now.Add(2 * time.Second)
		}
	}
	has := func(key string, want shdict.Value, wantFlags uint32) func(t *testing.T, h *harness) {
		return func(t *testing.T, h *harness) {
			t.Helper()
			v, flags, err := dogsDict.Get(key)
			if err != nil || v != want || flags != wantFlags {
				t.Errorf("dogs[%q] = %+v, flags %d, %v; want %+v, flags %d", key, v, flags, err, want, wantFlags)
			}
		}
	}
	ttlIs := func(key string, want time.Duration) func(t *testing.T, h *harness) {
		return func(t *testing.T, h *harness) {
			t.Helper()
			if ttl, err := dogsDict.TTL(key); err != nil || ttl != want {
				t.Errorf("ttl of %q = %v, %v; want %v", key, ttl, err, want)
			}
		}
	}
	outIs := func(want float64) func(t *testing.T, h *harness) {
		return func(t *testing.T, h *harness) {
			t.Helper()
			if got, _ := h.mem.ReadFloat64Le(outOff); got != want {
				t.Errorf("out = %v, want %v", got, want)
			}
		}
	}
	listIs := func(key string, want ...string) func(t *testing.T, h *harness) {
		return func(t *testing.T, h *harness) {
			t.Helper()
			var got []string
			for {
				v, err := dogsDict.LPop(key)
				if err != nil || v.Kind() == shdict.KindNil {
					break
				}
				got = append(got, v.Str()+sprintf("%g", v.Num()))
			}
			if strings.Join(got, ",") != strings.Join(want, ",") {
				t.Errorf("list %q = %q, want %q", key, got, want)
			}
		}
	}
	str, num := shdict.String, shdict.Number
	hello := enc(str("hello"), 7)
	out := int32(outOff)
	tooLong := raw{0, shdict.MaxKeyLen + 1} // a key of the whole memory page
	tests := []hostCase{
		// Handles.
		{name: "open", fn: "shdict_open", args: []any{"dogs"}, want: dogs},
		{name: "open in init", phase: abi.PhaseInit, fn: "shdict_open", args: []any{"cats"}, want: cats},
		{name: "open unknown", fn: "shdict_open", args: []any{"birds"}, want: -2, lastErr: `no shared dict "birds"`},
		{name: "open outside memory", fn: "shdict_open", args: []any{raw{70000, 4}}, want: -3},
		{name: "bad handle", fn: "shdict_get", args: []any{int32(2), "k", buf(64)}, want: -3, lastErr: "bad shared dict handle 2"},
		{name: "negative handle", fn: "shdict_flush_all", args: []any{int32(-1)}, want: -3, lastErr: "bad shared dict handle -1"},

		// get and get_stale.
		{name: "get string", setup: set("k", str("hello"), 0, 7), fn: "shdict_get", args: []any{dogs, "k", buf(64)},
			want: 10, out: hello},
		{name: "get number", setup: set("k", num(-1.5), 0, 0), fn: "shdict_get", args: []any{dogs, "k", buf(64)},
			want: 13, out: enc(num(-1.5), 0)},
		{name: "get boolean", setup: set("k", shdict.Bool(false), 0, 1), fn: "shdict_get", args: []any{dogs, "k", buf(64)},
			want: 6, out: enc(shdict.Bool(false), 1)},
		{name: "get too small", setup: set("k", str("hello"), 0, 7), fn: "shdict_get", args: []any{dogs, "k", buf(9)}, want: 10},
		{name: "get length only", setup: set("k", str("hello"), 0, 7), fn: "shdict_get", args: []any{dogs, "k", raw{0xFFFFFFF0, 0}}, want: 10},
		{name: "get missing", fn: "shdict_get", args: []any{dogs, "k", buf(64)}, want: -2, lastErr: "not found"},
		{name: "get expired", setup: expired("k", str("old")), fn: "shdict_get", args: []any{dogs, "k", buf(64)}, want: -2},
		{name: "get a list", setup: push("l", str("x")), fn: "shdict_get", args: []any{dogs, "l", buf(64)}, want: -4, lastErr: "value is a list"},
		{name: "get empty key", fn: "shdict_get", args: []any{dogs, "", buf(64)}, want: -3, lastErr: "empty key"},
		{name: "get key too long", fn: "shdict_get", args: []any{dogs, tooLong, buf(64)}, want: -3, lastErr: "key too long"},
		{name: "get key outside memory", fn: "shdict_get", args: []any{dogs, raw{65530, 10}, buf(64)}, want: -3},
		{name: "get buffer outside memory", setup: set("k", str("hello"), 0, 7), fn: "shdict_get",
			args: []any{dogs, "k", raw{65530, 64}}, want: -3},
		{name: "get in log", phase: abi.PhaseLog, setup: set("k", str("hello"), 0, 7), fn: "shdict_get",
			args: []any{dogs, "k", buf(64)}, want: 10, out: hello},
		{name: "get_stale live", setup: set("k", str("hello"), 0, 7), fn: "shdict_get_stale", args: []any{dogs, "k", buf(64)},
			want: 11, out: "\x00" + hello},
		{name: "get_stale expired", setup: expired("k", str("old")), fn: "shdict_get_stale", args: []any{dogs, "k", buf(64)},
			want: 9, out: "\x01" + enc(str("old"), 3)},
		{name: "get_stale missing", fn: "shdict_get_stale", args: []any{dogs, "k", buf(64)}, want: -2, lastErr: "not found"},

		// set and its kin.
		{name: "set", fn: "shdict_set", args: []any{dogs, "k", hello, 0.0}, want: 0, check: has("k", str("hello"), 7)},
		{name: "set keeps copies", fn: "shdict_set", args: []any{dogs, "key", enc(str("value"), 0), 0.0}, want: 0,
			check: func(t *testing.T, h *harness) {
				h.mem.WriteString(inOff, strings.Repeat("X", 64))
				has("key", str("value"), 0)(t, h)
			}},
		{name: "set ttl", fn: "shdict_set", args: []any{dogs, "k", hello, 1.5}, want: 0, check: ttlIs("k", 1500*time.Millisecond)},
		{name: "set ttl to the millisecond", fn: "shdict_set", args: []any{dogs, "k", hello, 0.0019}, want: 0,
			check: ttlIs("k", time.Millisecond)},
		{name: "set huge ttl", fn: "shdict_set", args: []any{dogs, "k", hello, math.Inf(1)}, want: 0,
			check: func(t *testing.T, h *harness) {
				if ttl, err := dogsDict.TTL("k"); err != nil || ttl < 100*365*24*time.Hour {
					t.Errorf("ttl = %v, %v", ttl, err)
				}
			}},
		{name: "set negative ttl", fn: "shdict_set", args: []any{dogs, "k", hello, -1.0}, want: -3, lastErr: `bad "exptime" argument`},
		{name: "set NaN ttl", fn: "shdict_set", args: []any{dogs, "k", hello, math.NaN()}, want: -3, lastErr: `bad "exptime" argument`},
		{name: "set nil deletes", setup: set("k", str("v"), 0, 0), fn: "shdict_set", args: []any{dogs, "k", enc(shdict.Value{}, 0), 0.0},
			want: 0, check: has("k", shdict.Value{}, 0)},
		{name: "set malformed", fn: "shdict_set", args: []any{dogs, "k", "\x09\x00\x00\x00\x00", 0.0}, want: -3,
			lastErr: "malformed value: kind 9 is not 0 (nil), 1 (boolean), 2 (number) or 3 (string)"},
		{name: "set value outside memory", fn: "shdict_set", args: []any{dogs, "k", raw{65535, 5}, 0.0}, want: -3},
		{name: "set empty key", fn: "shdict_set", args: []any{dogs, "", hello, 0.0}, want: -3, lastErr: "empty key"},
		{name: "set evicts", setup: fillCats, fn: "shdict_set", args: []any{cats, "c", enc(str(strings.Repeat("c", 300)), 0), 0.0},
			want: 1, check: func(t *testing.T, h *harness) {
				if v, _, _ := catsDict.Get("a"); v.Kind() != shdict.KindNil {
					t.Error("the least recently used entry was kept")
				}
			}},
		{name: "set too large", fn: "shdict_set", args: []any{cats, "c", enc(str(strings.Repeat("c", 1024)), 0), 0.0},
			want: -4, lastErr: "no memory"},
		{name: "safe_set", fn: "shdict_safe_set", args: []any{dogs, "k", hello, 0.0}, want: 0, check: has("k", str("hello"), 7)},
		{name: "safe_set full", setup: fillCats, fn: "shdict_safe_set", args: []any{cats, "c", enc(str(strings.Repeat("c", 300)), 0), 0.0},
			want: -4, lastErr: "no memory"},
		{name: "add", fn: "shdict_add", args: []any{dogs, "k", hello, 0.0}, want: 0, check: has("k", str("hello"), 7)},
		{name: "add existing", setup: set("k", num(1), 0, 0), fn: "shdict_add", args: []any{dogs, "k", hello, 0.0},
			want: -4, lastErr: "exists", check: has("k", num(1), 0)},
		{name: "add over expired", setup: expired("k", num(1)), fn: "shdict_add", args: []any{dogs, "k", hello, 0.0},
			want: 0, check: has("k", str("hello"), 7)},
		{name: "add nil", fn: "shdict_add", args: []any{dogs, "k", enc(shdict.Value{}, 0), 0.0}, want: -3,
			lastErr: "attempt to add or replace nil values"},
		{name: "add evicts", setup: fillCats, fn: "shdict_add", args: []any{cats, "c", enc(str(strings.Repeat("c", 300)), 0), 0.0}, want: 1},
		{name: "safe_add", fn: "shdict_safe_add", args: []any{dogs, "k", hello, 0.0}, want: 0, check: has("k", str("hello"), 7)},
		{name: "safe_add existing", setup: set("k", num(1), 0, 0), fn: "shdict_safe_add", args: []any{dogs, "k", hello, 0.0},
			want: -4, lastErr: "exists"},
		{name: "safe_add full", setup: fillCats, fn: "shdict_safe_add", args: []any{cats, "c", enc(str(strings.Repeat("c", 300)), 0), 0.0},
			want: -4, lastErr: "no memory"},
		{name: "replace", setup: set("k", num(1), 0, 0), fn: "shdict_replace", args: []any{dogs, "k", hello, 0.0},
			want: 0, check: has("k", str("hello"), 7)},
		{name: "replace missing", fn: "shdict_replace", args: []any{dogs, "k", hello, 0.0}, want: -2, lastErr: "not found"},
		{name: "replace expired", setup: expired("k", num(1)), fn: "shdict_replace", args: []any{dogs, "k", hello, 0.0},
			want: -2, lastErr: "not found"},
		{name: "delete", setup: set("k", num(1), 0, 0), fn: "shdict_delete", args: []any{dogs, "k"}, want: 0,
			check: has("k", shdict.Value{}, 0)},
		{name: "delete missing", fn: "shdict_delete", args: []any{dogs, "k"}, want: 0},
		{name: "delete key too long", fn: "shdict_delete", args: []any{dogs, tooLong}, want: -3, lastErr: "key too long"},

		// incr.
		{name: "incr", setup: set("n", num(10), 0, 5), fn: "shdict_incr", args: []any{dogs, "n", 2.5, int32(0), 0.0, 0.0, out},
			want: 0, check: func(t *testing.T, h *harness) { outIs(12.5)(t, h); has("n", num(12.5), 5)(t, h) }},
		{name: "incr missing", fn: "shdict_incr", args: []any{dogs, "n", 1.0, int32(0), 0.0, 0.0, out}, want: -2, lastErr: "not found"},
		{name: "incr init", fn: "shdict_incr", args: []any{dogs, "n", 1.0, int32(1), 10.0, 0.0, out}, want: 0,
			check: func(t *testing.T, h *harness) { outIs(11)(t, h); ttlIs("n", 0)(t, h) }},
		{name: "incr init ttl", fn: "shdict_incr", args: []any{dogs, "n", 1.0, int32(1), 0.0, 2.0, out}, want: 0,
			check: func(t *testing.T, h *harness) { outIs(1)(t, h); ttlIs("n", 2*time.Second)(t, h) }},
		{name: "incr init existing", setup: set("n", num(10), 0, 0), fn: "shdict_incr",
			args: []any{dogs, "n", -1.0, int32(1), 100.0, 5.0, out}, want: 0,
			check: func(t *testing.T, h *harness) { outIs(9)(t, h); ttlIs("n", 0)(t, h) }},
		{name: "incr init evicts", setup: fillCats, fn: "shdict_incr", args: []any{cats, "n", 1.0, int32(1), 0.0, 0.0, out}, want: 1},
		{name: "incr not a number", setup: set("n", str("x"), 0, 0), fn: "shdict_incr",
			args: []any{dogs, "n", 1.0, int32(1), 0.0, 0.0, out}, want: -4, lastErr: "not a number"},
		{name: "incr init_ttl without init", fn: "shdict_incr", args: []any{dogs, "n", 1.0, int32(0), 0.0, 1.0, out},
			want: -3, lastErr: `must provide "init" when providing "init_ttl"`},
		{name: "incr negative init_ttl", fn: "shdict_incr", args: []any{dogs, "n", 1.0, int32(1), 0.0, -1.0, out},
			want: -3, lastErr: `bad "init_ttl" argument`},
		{name: "incr out outside memory", setup: set("n", num(10), 0, 0), fn: "shdict_incr",
			args: []any{dogs, "n", 1.0, int32(0), 0.0, 0.0, int32(65532)}, want: -3,
			lastErr: "pointer 0xfffc with length 8 is outside the guest's memory", check: has("n", num(10), 0)},

		// Lists.
		{name: "lpush", fn: "shdict_lpush", args: []any{dogs, "l", enc(str("a"), 9)}, want: 1, check: listIs("l", "a0")},
		{name: "lpush head", setup: push("l", str("b")), fn: "shdict_lpush", args: []any{dogs, "l", enc(num(1), 0)},
			want: 2, check: listIs("l", "1", "b0")},
		{name: "rpush tail", setup: push("l", str("b")), fn: "shdict_rpush", args: []any{dogs, "l", enc(num(1), 0)},
			want: 2, check: listIs("l", "b0", "1")},
		{name: "lpush boolean", fn: "shdict_lpush", args: []any{dogs, "l", enc(shdict.Bool(true), 0)}, want: -3, lastErr: "bad value type"},
		{name: "rpush nil", fn: "shdict_rpush", args: []any{dogs, "l", enc(shdict.Value{}, 0)}, want: -3, lastErr: "bad value type"},
		{name: "lpush not a list", setup: set("k", num(1), 0, 0), fn: "shdict_lpush", args: []any{dogs, "k", enc(str("a"), 0)},
			want: -4, lastErr: "value not a list"},
		{name: "rpush full", setup: fillCats, fn: "shdict_rpush", args: []any{cats, "l", enc(str("x"), 0)}, want: -4, lastErr: "no memory"},
		{name: "lpop", setup: push("l", str("a"), num(2)), fn: "shdict_lpop", args: []any{dogs, "l", buf(64)},
			want: 6, out: enc(str("a"), 0), check: listIs("l", "2")},
		{name: "rpop", setup: push("l", str("a"), num(2)), fn: "shdict_rpop", args: []any{dogs, "l", buf(64)},
			want: 13, out: enc(num(2), 0), check: listIs("l", "a0")},
		{name: "lpop last", setup: push("l", str("a")), fn: "shdict_lpop", args: []any{dogs, "l", buf(64)},
			want: 6, out: enc(str("a"), 0), check: func(t *testing.T, h *harness) {
				if n, err := dogsDict.LLen("l"); n != 0 || err != nil {
					t.Errorf("llen = %d, %v", n, err)
				}
			}},
		{name: "lpop missing", fn: "shdict_lpop", args: []any{dogs, "l", buf(64)}, want: -2, lastErr: "not found"},
		{name: "rpop not a list", setup: set("k", num(1), 0, 0), fn: "shdict_rpop", args: []any{dogs, "k", buf(64)},
			want: -4, lastErr: "value not a list"},
		{name: "lpop too small keeps the value", setup: push("l", str("abc"), str("d")), fn: "shdict_lpop",
			args: []any{dogs, "l", buf(7)}, want: 8, check: listIs("l", "abc0", "d0")},
		{name: "rpop too small keeps the value", setup: push("l", str("a"), str("bcd")), fn: "shdict_rpop",
			args: []any{dogs, "l", buf(0)}, want: 8, check: listIs("l", "a0", "bcd0")},
		{name: "lpop buffer outside memory", setup: push("l", str("a")), fn: "shdict_lpop",
			args: []any{dogs, "l", raw{65530, 64}}, want: -3, check: listIs("l", "a0")},
		{name: "llen", setup: push("l", str("a"), num(2)), fn: "shdict_llen", args: []any{dogs, "l"}, want: 2},
		{name: "llen missing", fn: "shdict_llen", args: []any{dogs, "l"}, want: 0},
		{name: "llen not a list", setup: set("k", num(1), 0, 0), fn: "shdict_llen", args: []any{dogs, "k"},
			want: -4, lastErr: "value not a list"},

		// TTLs.
		{name: "ttl none", setup: set("k", num(1), 0, 0), fn: "shdict_ttl", args: []any{dogs, "k", out}, want: 0, check: outIs(0)},
		{name: "ttl", setup: set("k", num(1), 2500*time.Millisecond, 0), fn: "shdict_ttl", args: []any{dogs, "k", out},
			want: 0, check: outIs(2.5)},
		{name: "ttl expired", setup: expired("k", num(1)), fn: "shdict_ttl", args: []any{dogs, "k", out}, want: 0, check: outIs(-1)},
		{name: "ttl missing", fn: "shdict_ttl", args: []any{dogs, "k", out}, want: -2, lastErr: "not found"},
		{name: "ttl out outside memory", setup: set("k", num(1), 0, 0), fn: "shdict_ttl", args: []any{dogs, "k", int32(-8)}, want: -3},
		{name: "expire", setup: set("k", num(1), 0, 0), fn: "shdict_expire", args: []any{dogs, "k", 3.0}, want: 0,
			check: ttlIs("k", 3*time.Second)},
		{name: "expire clears", setup: set("k", num(1), time.Second, 0), fn: "shdict_expire", args: []any{dogs, "k", 0.0}, want: 0,
			check: ttlIs("k", 0)},
		{name: "expire revives", setup: expired("k", num(1)), fn: "shdict_expire", args: []any{dogs, "k", 1.0}, want: 0,
			check: has("k", num(1), 3)},
		{name: "expire missing", fn: "shdict_expire", args: []any{dogs, "k", 1.0}, want: -2, lastErr: "not found"},
		{name: "expire negative", setup: set("k", num(1), 0, 0), fn: "shdict_expire", args: []any{dogs, "k", -0.5},
			want: -3, lastErr: `bad "exptime" argument`},

		// The whole dict.
		{name: "flush_all", setup: set("k", num(1), 0, 0), fn: "shdict_flush_all", args: []any{dogs}, want: 0,
			check: func(t *testing.T, h *harness) {
				has("k", shdict.Value{}, 0)(t, h)
				if v, _, stale, _ := dogsDict.GetStale("k"); v != num(1) || !stale {
					t.Errorf("get_stale = %+v, stale %v", v, stale)
				}
			}},
		{name: "flush_expired", setup: func(h *harness) {
			set("live", num(1), 0, 0)(h)
			set("old1", num(1), time.Second, 0)(h)
			expired("old2", num(2))(h)
		}, fn: "shdict_flush_expired", args: []any{dogs, int32(0)}, want: 2},
		{name: "flush_expired max", setup: func(h *harness) {
			set("old1", num(1), time.Second, 0)(h)
			expired("old2", num(2))(h)
		}, fn: "shdict_flush_expired", args: []any{dogs, int32(1)}, want: 1},
		{name: "get_keys", setup: func(h *harness) {
			for _, k := range []string{"x", "y", "z"} {
				_, err := catsDict.Set(k, num(1), 0, 0)
				must(err)
			}
			catsDict.Get("x")
		}, fn: "shdict_get_keys", args: []any{cats, int32(0), buf(256)}, list: "y&z&x"},
		{name: "get_keys max", setup: func(h *harness) {
			for _, k := range []string{"x", "y"} {
				_, err := catsDict.Set(k, num(1), 0, 0)
				must(err)
			}
		}, fn: "shdict_get_keys", args: []any{cats, int32(1), buf(256)}, list: "x"},
		{name: "get_keys empty", fn: "shdict_get_keys", args: []any{cats, int32(0), buf(256)}, want: 4, out: "\x00\x00\x00\x00"},
	}
	runHostCases(t, in, tests, bind)
}

func TestSharedDictSizes(t *testing.T) {
	rt, _ := newTestRuntime(t, Options{})
	m := load(t, rt, writeModule(t, guestModule()), Limits{})
	in := borrow(t, m)
	d := shdict.New("dogs", 64<<10, shdict.Options{})
	if _, err := d.Set("k", shdict.String("v"), 0, 0); err != nil {
		t.Fatal(err)
	}
	used := float64(shdict.EntryOverhead + 2)
	tests := []struct {
		fn     string
		handle int32
		want   float64
	}{
		{"shdict_capacity", 0, 64 << 10},
		{"shdict_free_space", 0, 64<<10 - used},
		{"shdict_capacity", 1, float64(abi.ErrBadArgument)},
		{"shdict_free_space", -1, float64(abi.ErrBadArgument)},
	}
	for _, tt := range tests {
		t.Run(sprintf("%s(%d)", tt.fn, tt.handle), func(t *testing.T) {
			r := newRequest(t, testRequest{}, abi.PhaseContent)
			defer r.Release()
			r.Dicts = []*shdict.Dict{d}
			if got := api.DecodeF64(hostCall(in, r, tt.fn, api.EncodeI32(tt.handle))); got != tt.want {
				t.Errorf("%s = %v, want %v", tt.fn, got, tt.want)
			}
		})
	}
}
