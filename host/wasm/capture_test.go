package wasm

import (
	"errors"
	"reflect"
	"testing"

	"github.com/moongate/moongate/abi"
	"github.com/moongate/moongate/host"
)

func TestCaptureFunctions(t *testing.T) {
	rt, _ := newTestRuntime(t, Options{})
	m := load(t, rt, writeModule(t, guestModule()), Limits{})
	in := borrow(t, m)
	var ran []host.SubRequest // what the fake runner got, by the last case
	runner := func(_ *host.Request, subs []host.SubRequest) ([]host.SubResponse, error) {
		ran = subs
		if subs[0].URI == "/fail" {
			return nil, errors.New("failed to issue subrequest: -1")
		}
		resps := make([]host.SubResponse, len(subs))
		for i, s := range subs {
			resps[i] = host.SubResponse{
				Status:    200 + i,
				Header:    []host.Header{{Name: []byte("X-Uri"), Value: []byte(s.URI)}},
				Body:      []byte(s.Method + " " + s.URI + "?" + s.Args + " " + string(s.Body)),
				Truncated: s.URI == "/cut",
			}
		}
		return resps, nil
	}
	add := func(uri string, flags int32) func(h *harness) {
		return func(h *harness) { h.status("capture_add", "GET", uri, "a=1", "", flags) }
	}
	run := func(setup ...func(h *harness)) func(h *harness) {
		return func(h *harness) {
			for _, s := range setup {
				s(h)
			}
			h.status("capture_multi")
		}
	}
	ranWith := func(want ...host.SubRequest) func(t *testing.T, h *harness) {
		return func(t *testing.T, h *harness) {
			t.Helper()
			if !reflect.DeepEqual(ran, want) {
				t.Errorf("ran %+v\nwant %+v", ran, want)
			}
		}
	}
	tests := []hostCase{
		{name: "capture_add", fn: "capture_add", args: []any{"POST", "/a", "x=1", "body", abi.CaptureBody | abi.CaptureCopyAllVars}, want: 0},
		{name: "capture_add second", setup: add("/a", 0), fn: "capture_add", args: []any{"", "/b", "", "", int32(0)}, want: 1},
		{name: "capture_add empty uri", fn: "capture_add", args: []any{"GET", "", "", "", int32(0)}, want: -3, lastErr: "empty subrequest uri"},
		{name: "capture_add bad flags", fn: "capture_add", args: []any{"GET", "/a", "", "", int32(16)}, want: -3, lastErr: "bad capture flags 0x10"},
		{name: "capture_add in log", phase: abi.PhaseLog, fn: "capture_add", args: []any{"GET", "/a", "", "", int32(0)}, want: -1},
		{name: "capture_set_var", setup: add("/a", 0), fn: "capture_set_var", args: []any{int32(0), "who", "bob"}, want: 0},
		{name: "capture_set_var not queued", setup: add("/a", 0), fn: "capture_set_var", args: []any{int32(1), "who", "bob"}, want: -3,
			lastErr: "no queued subrequest 1"},
		{name: "capture_multi empty", fn: "capture_multi", want: -3, lastErr: "no subrequest queued"},
		{name: "capture_multi", setup: func(h *harness) {
			h.status("capture_add", "POST", "/a", "x=1", "body", abi.CaptureBody|abi.CaptureShareAllVars)
			h.status("capture_set_var", int32(0), "args", "y=2")
			add("/b", abi.CaptureCopyAllVars|abi.CaptureAlwaysForwardBody)(h)
		}, fn: "capture_multi", want: 0, check: ranWith(
			host.SubRequest{Method: "POST", URI: "/a", Args: "x=1", Body: []byte("body"), HasBody: true, ShareAllVars: true,
				Vars: map[string]string{"args": "y=2"}},
			host.SubRequest{Method: "GET", URI: "/b", Args: "a=1", CopyAllVars: true, AlwaysForwardBody: true},
		)},
		{name: "capture_multi second batch", setup: run(add("/a", 0), add("/b", 0)), fn: "capture_multi", want: -3},
		{name: "capture_multi handles go on", setup: func(h *harness) {
			run(add("/a", 0), add("/b", 0))(h)
			run(add("/c", 0))(h)
		},
			fn: "capture_status", args: []any{int32(2)}, want: 200},
		{name: "capture_multi fails", setup: add("/fail", 0), fn: "capture_multi", want: -4, lastErr: "failed to issue subrequest: -1"},
		{name: "capture_multi var not settable", setup: func(h *harness) {
			add("/a", 0)(h)
			h.status("capture_set_var", int32(0), "uri", "/x")
		}, fn: "capture_multi", want: -4, lastErr: "failed to adjust the subrequest: 500"},
		{name: "capture_status", setup: run(add("/a", 0), add("/b", 0)), fn: "capture_status", args: []any{int32(1)}, want: 201},
		{name: "capture_status bad handle", setup: run(add("/a", 0)), fn: "capture_status", args: []any{int32(1)}, want: -3,
			lastErr: "bad capture handle 1"},
		{name: "capture_headers", setup: run(add("/a", 0)), fn: "capture_headers", args: []any{int32(0), buf(64)}, list: "X-Uri=/a"},
		{name: "capture_body", setup: run(add("/a", 0)), fn: "capture_body", args: []any{int32(0), buf(64)}, want: 11, out: "GET /a?a=1 "},
		{name: "capture_truncated", setup: run(add("/a", 0)), fn: "capture_truncated", args: []any{int32(0)}, want: 0},
		{name: "capture_truncated cut", setup: run(add("/cut", 0)), fn: "capture_truncated", args: []any{int32(0)}, want: 1},
		{name: "capture_body none", fn: "capture_body", args: []any{int32(0), buf(64)}, want: -3},
	}
	runHostCases(t, in, tests, func(r *host.Request) { r.Subrequests = host.SubrequestFunc(runner) })
}

func TestExec(t *testing.T) {
	rt, _ := newTestRuntime(t, Options{})
	m := load(t, rt, writeModule(t, guestModule()), Limits{})
	in := borrow(t, m)
	tests := []hostCase{
		{name: "exec", phase: abi.PhaseRewrite, fn: "exec", args: []any{"/next?a=1", "b=2"}, want: 0, check: func(t *testing.T, h *harness) {
			if !h.r.TakeExec() || h.r.URI() != "/next" || h.r.Args() != "a=1&b=2" || !h.r.IsInternal() {
				t.Errorf("exec not recorded: uri %q, args %q", h.r.URI(), h.r.Args())
			}
		}},
		{name: "exec empty uri", fn: "exec", args: []any{"", ""}, want: -3, lastErr: host.ErrExecEmptyURI.Error()},
		{name: "exec after headers", setup: func(h *harness) { h.status("send_headers") }, fn: "exec", args: []any{"/x", ""}, want: -4,
			lastErr: host.ErrExecAfterHeader.Error()},
		{name: "exec in header_filter", phase: abi.PhaseHeaderFilter, fn: "exec", args: []any{"/x", ""}, want: -1},
	}
	runHostCases(t, in, tests, nil)
}
