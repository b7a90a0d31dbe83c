package wasm

import (
	"os"
	"path/filepath"
	"testing"

	"github.com/moongate/moongate/abi"
)

func TestBodyFunctions(t *testing.T) {
	rt, _ := newTestRuntime(t, Options{})
	m := load(t, rt, writeModule(t, guestModule()), Limits{})
	in := borrow(t, m)
	file := filepath.Join(t.TempDir(), "body")
	if err := os.WriteFile(file, []byte("from a file"), 0o600); err != nil {
		t.Fatal(err)
	}
	read := func(h *harness) { h.status("req_read_body") }
	bodyIs := func(want string) func(t *testing.T, h *harness) {
		return func(t *testing.T, h *harness) {
			t.Helper()
			if got := string(h.r.BodyData(0)); got != want {
				t.Errorf("body = %q, want %q", got, want)
			}
		}
	}
	tests := []hostCase{
		{name: "req_get_body_file in memory", setup: read, fn: "req_get_body_file", args: []any{buf(256)}, want: -2,
			lastErr: "no request body file"},
		{name: "req_get_body_file", setup: func(h *harness) {
			read(h)
			h.status("req_set_body_file", file, int32(0))
		}, fn: "req_get_body_file", args: []any{buf(256)}, want: int32(len(file)), out: file},
		{name: "req_set_body_file unread", fn: "req_set_body_file", args: []any{file, int32(0)}, want: -4,
			lastErr: "request body not read yet"},
		{name: "req_set_body_file missing", setup: read, fn: "req_set_body_file", args: []any{file + ".none", int32(1)}, want: -4,
			lastErr: `stat() "` + file + `.none" failed`},
		{name: "req_set_body_file", setup: read, fn: "req_set_body_file", args: []any{file, int32(0)}, want: 0,
			check: func(t *testing.T, h *harness) {
				if got := headerValues(h.r, "content-length"); got != "11" {
					t.Errorf("Content-Length = %q", got)
				}
			}},
		{name: "req_init_body unread", fn: "req_init_body", args: []any{int32(-1)}, want: -4, lastErr: "request body not read yet"},
		{name: "req_init_body", setup: read, fn: "req_init_body", args: []any{int32(-1)}, want: 0, check: bodyIs("")},
		{name: "req_append_body", setup: func(h *harness) {
			read(h)
			h.status("req_init_body", int32(64))
		}, fn: "req_append_body", args: []any{"a=1"}, want: 0},
		{name: "req_append_body uninitialized", setup: read, fn: "req_append_body", args: []any{"a"}, want: -4,
			lastErr: "request_body not initialized"},
		{name: "req_finish_body", setup: func(h *harness) {
			read(h)
			h.status("req_init_body", int32(64))
			h.status("req_append_body", "a=1&")
			h.status("req_append_body", "b=2")
		}, fn: "req_finish_body", want: 0, check: bodyIs("a=1&b=2")},
		{name: "req_finish_body uninitialized", setup: read, fn: "req_finish_body", want: -4, lastErr: "request_body not initialized"},
		{name: "req_init_body in log", phase: abi.PhaseLog, fn: "req_init_body", args: []any{int32(0)}, want: -1},
	}
	runHostCases(t, in, tests, nil)
}
