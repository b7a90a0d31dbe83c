package wasm

import (
	"encoding/binary"
	"testing"

	"github.com/moongate/moongate/abi"

	"github.com/moongate/moongate/host"
	"github.com/moongate/moongate/host/regex"
)

// offsets encodes re_match's result: each v as an i32, little-endian.
func offsets(vs ...int32) string {
	var b []byte
	for _, v := range vs {
		b = binary.LittleEndian.AppendUint32(b, uint32(v))
	}
	return string(b)
}

// countAt is where the regex tests have re_sub write its count.
const countAt = 0x7000

// count checks the count re_sub or re_gsub wrote.
func count(want uint32) func(t *testing.T, h *harness) {
	return func(t *testing.T, h *harness) {
		t.Helper()
		if got, _ := h.mem.ReadUint32Le(countAt); got != want {
			t.Errorf("count = %d, want %d", got, want)
		}
	}
}

func TestRegexFunctions(t *testing.T) {
	rt, _ := newTestRuntime(t, Options{})
	m := load(t, rt, writeModule(t, guestModule()), Limits{})
	in := borrow(t, m)
	cache := regex.NewCache(regex.Options{CacheSize: 8})
	tests := []hostCase{
		{name: "re_match", fn: "re_match", args: []any{`(\d+)-(x)?`, "", "id 42-", int32(0), buf(64)},
			want: 24, out: offsets(3, 6, 3, 5, -1, -1)},
		{name: "re_match from start", fn: "re_match", args: []any{`\d`, "", "1a2", int32(1), buf(64)},
			want: 8, out: offsets(2, 3)},
		{name: "re_match caseless", fn: "re_match", args: []any{"B", "i", "abc", int32(0), buf(64)},
			want: 8, out: offsets(1, 2)},
		{name: "re_match buffer too small", fn: "re_match", args: []any{"(a)", "", "a", int32(0), buf(8)}, want: 16},
		{name: "re_match no match", fn: "re_match", args: []any{"z", "", "abc", int32(0), buf(64)}, want: -2, lastErr: "no match"},
		{name: "re_match start past the end", fn: "re_match", args: []any{"", "", "abc", int32(4), buf(64)}, want: -2},
		{name: "re_match start at the end", fn: "re_match", args: []any{"", "", "abc", int32(3), buf(64)},
			want: 8, out: offsets(3, 3)},
		{name: "re_match negative start", fn: "re_match", args: []any{"a", "", "abc", int32(-1), buf(64)}, want: -3,
			lastErr: "bad start offset -1"},
		{name: "re_match bad pattern", fn: "re_match", args: []any{"a(", "", "abc", int32(0), buf(64)}, want: -3},
		{name: "re_match bad flag", fn: "re_match", args: []any{"a", "z", "abc", int32(0), buf(64)}, want: -3,
			lastErr: `unknown flag "z" (flags "z")`},
		{name: "re_match subject outside memory", fn: "re_match", args: []any{"a", "", raw{1 << 30, 4}, int32(0), buf(64)}, want: -3},
		{name: "re_match in init", phase: abi.PhaseInit, fn: "re_match", args: []any{"a", "", "a", int32(0), buf(64)},
			want: 8, out: offsets(0, 1)}, // as lua-resty-core's, in every context
		{name: "re_match in init_worker", phase: abi.PhaseInitWorker, fn: "re_match", args: []any{"a", "", "a", int32(0), buf(64)},
			want: 8, out: offsets(0, 1)},
		{name: "re_group_names", fn: "re_group_names", args: []any{`(?<y>\d+)-(\d+)`, "", buf(64)}, list: "y&"},
		{name: "re_group_names none", fn: "re_group_names", args: []any{"abc", "", buf(64)}, want: 4, out: "\x00\x00\x00\x00"},
		{name: "re_sub", fn: "re_sub", args: []any{"o", "", "foo", "0", int32(countAt), buf(8)}, want: 3, out: "f0o", check: count(1)},
		{name: "re_gsub", fn: "re_gsub", args: []any{"(o)", "", "foo", "[$1]", int32(countAt), buf(16)}, want: 7, out: "f[o][o]",
			check: count(2)},
		{name: "re_gsub no match", fn: "re_gsub", args: []any{"z", "", "foo", "x", int32(countAt), buf(16)}, want: 3, out: "foo",
			check: count(0)},
		{name: "re_gsub buffer too small", fn: "re_gsub", args: []any{"o", "", "foo", "00", int32(countAt), buf(4)}, want: 5,
			check: count(2)},
		{name: "re_sub bad template", fn: "re_sub", args: []any{"o", "", "foo", "$x", int32(countAt), buf(8)}, want: -3,
			lastErr: regex.ErrTemplate.Error()},
		{name: "re_sub count outside memory", fn: "re_sub", args: []any{"o", "", "foo", "0", int32(-2), buf(8)}, want: -3},
	}
	runHostCases(t, in, tests, func(r *host.Request) { r.Regex = cache })
	if cache.Len() == 0 {
		t.Error("the request's regex cache was not used")
	}
}
