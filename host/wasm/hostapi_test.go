package wasm

import (
	"bytes"
	"encoding/binary"
	"math"
	"os"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/moongate/moongate/abi"
	"github.com/moongate/moongate/host"
	"github.com/tetratelabs/wazero/api"
)

// The guest memory layout of the host call tests: strings from inOff,
// the result buffer at outOff.
const (
	inOff  = 0x100
	outOff = 0x8000
	filler = 0xAA // the result buffer's bytes before a call
)

// buf is a result buffer argument of the given capacity, at outOff.
type buf uint32

// raw is a (ptr, len) argument as it is, for out-of-range pointers.
type raw struct{ ptr, n uint32 }

// harness calls host functions on one instance for one request.
type harness struct {
	t   *testing.T
	in  *instance
	r   *host.Request
	mem api.Memory
	cap uint32 // capacity of the last call's result buffer
}

// call calls fn with args: strings are written to guest memory and passed
// as (ptr, len), a buf as (outOff, cap), a raw as is, an int32 or a
// float64 as itself.
func (h *harness) call(fn string, args ...any) uint64 {
	h.t.Helper()
	var stack []uint64
	off := uint32(inOff)
	h.cap = 0
	for _, a := range args {
		switch a := a.(type) {
		case string:
			if !h.mem.WriteString(off, a) {
				h.t.Fatalf("string argument %q does not fit", a)
			}
			stack = append(stack, uint64(off), uint64(len(a)))
			off += uint32(len(a))
		case buf:
			h.mem.Write(outOff, bytes.Repeat([]byte{filler}, int(a)+1))
			stack = append(stack, outOff, uint64(a))
			h.cap = uint32(a)
		case raw:
			stack = append(stack, uint64(a.ptr), uint64(a.n))
		case int32:
			stack = append(stack, api.EncodeI32(a))
		case float64:
			stack = append(stack, api.EncodeF64(a))
		default:
			h.t.Fatalf("bad argument %T", a)
		}
	}
	return hostCall(h.in, h.r, fn, stack...)
}

// status calls fn and returns its i32 result.
func (h *harness) status(fn string, args ...any) int32 {
	h.t.Helper()
	return api.DecodeI32(h.call(fn, args...))
}

// out returns the first n bytes of the result buffer.
func (h *harness) out(n int32) string {
	b, _ := h.mem.Read(outOff, uint32(n))
	return string(b)
}

// untouched reports whether the result buffer still holds the filler.
func (h *harness) untouched() bool {
	b, _ := h.mem.Read(outOff, h.cap+1)
	return bytes.Count(b, []byte{filler}) == len(b)
}

// decodeList decodes the list encoding into "k=v" items ("k" without a
// value), joined by "&".
func decodeList(t *testing.T, b []byte) string {
	t.Helper()
	if len(b) < 4 {
		t.Fatalf("list of %d bytes", len(b))
	}
	n := int(binary.LittleEndian.Uint32(b))
	data := b[4+8*n:]
	items := make([]string, n)
	for i := range n {
		kl := binary.LittleEndian.Uint32(b[4+8*i:])
		vl := binary.LittleEndian.Uint32(b[8+8*i:])
		items[i], data = string(data[:kl]), data[kl:]
		if vl != noValue {
			items[i] += "=" + string(data[:vl])
			data = data[vl:]
		}
	}
	if len(data) != 0 {
		t.Fatalf("list has %d bytes left over", len(data))
	}
	return strings.Join(items, "&")
}

// hostCase is one host function call and what it must give.
type hostCase struct {
	name    string
	phase   abi.Phase // default access
	setup   func(h *harness)
	fn      string
	args    []any
	want    int32  // the status (unchecked for a list)
	out     string // what a successful call wrote to the buffer
	list    string // the same for a list, decoded
	lastErr string // last_error after a failed call
	check   func(t *testing.T, h *harness)
}

// conformanceRequest is the request of the conformance protocol.
var conformanceRequest = testRequest{
	method:  "POST",
	uri:     "/conformance?a=1&b=2&b=3&flag",
	headers: []string{"X-Test", "yes", "X-Multi", "1", "X-Multi", "2", "Content-Type", "application/x-www-form-urlencoded"},
	body:    "k=v&k2=v2",
}

func TestHostFunctions(t *testing.T) {
	rt, logs := newTestRuntime(t, Options{})
	m := load(t, rt, writeModule(t, guestModule(phaseFunc("on_access", i32Const(0)...))), Limits{Pool: 3})
	in := borrow(t, m)
	phaseErr := func(p abi.Phase) string { return (&host.PhaseError{Phase: p}).Error() }
	header := func(name string) func(t *testing.T, h *harness) {
		return func(t *testing.T, h *harness) {
			t.Helper()
			if got := h.r.Header(name); string(got) != "" {
				t.Errorf("request header %s = %q, want none", name, got)
			}
		}
	}
	respHeader := func(name, want string) func(t *testing.T, h *harness) {
		return func(t *testing.T, h *harness) {
			t.Helper()
			if got := strings.Join(bytesToStrings(h.r.RespHeader(name)), ","); got != want {
				t.Errorf("response header %s = %q, want %q", name, got, want)
			}
		}
	}
	body := func(want string) func(t *testing.T, h *harness) {
		return func(t *testing.T, h *harness) {
			t.Helper()
			if got := string(h.r.Ctx.Response.Body()); got != want {
				t.Errorf("response body = %q, want %q", got, want)
			}
		}
	}
	tests := []hostCase{
		// Errors, phase, logging, config.
		{name: "last_error without error", fn: "last_error", args: []any{buf(64)}, want: -2},
		{name: "last_error keeps its message", setup: func(h *harness) { h.status("req_get_method", raw{0, 1 << 30}) },
			fn: "last_error", args: []any{raw{1 << 20, 10}}, want: -3,
			lastErr: "pointer 0x0 with length 1073741824 is outside the guest's memory",
		},
		{name: "get_phase", fn: "get_phase", want: 5},
		{name: "get_phase in log", phase: abi.PhaseLog, fn: "get_phase", want: 10},
		{name: "log", fn: "log", args: []any{int32(6), "conformance: PASS log"}, want: 0, check: func(t *testing.T, h *harness) {
			if !strings.Contains(logs.String(), "[notice]") || !strings.Contains(logs.String(), ": conformance: PASS log, client: 127.0.0.1") {
				t.Errorf("log lacks the line:\n%s", logs)
			}
		}},
		{name: "log bad level", fn: "log", args: []any{int32(9), "x"}, want: -3, lastErr: "bad log level: 9"},
		{name: "log bad pointer", fn: "log", args: []any{int32(4), raw{math.MaxUint32, 2}}, want: -3},
		{name: "plugin_config absent", fn: "plugin_config", args: []any{buf(64)}, want: 4, out: "null"},
		{name: "plugin_config", setup: func(h *harness) { h.in.state.config = []byte(`{"greeting":"hi","n":3}`) },
			fn: "plugin_config", args: []any{buf(64)}, want: 23, out: `{"greeting":"hi","n":3}`},

		// The buffer protocol.
		{name: "buffer fits", fn: "req_get_method", args: []any{buf(4)}, want: 4, out: "POST"},
		{name: "buffer too small", fn: "req_get_method", args: []any{buf(3)}, want: 4},
		{name: "length only", fn: "req_get_method", args: []any{raw{0xFFFFFFF0, 0}}, want: 4},
		{name: "buffer outside memory", fn: "req_get_method", args: []any{raw{65530, 16}}, want: -3,
			lastErr: "pointer 0xfffa with length 16 is outside the guest's memory"},
		{name: "buffer past 4 GiB", fn: "req_get_method", args: []any{raw{0xFFFFFFFF, 2}}, want: -3},
		{name: "string outside memory", fn: "req_get_header", args: []any{raw{70000, 5}, buf(64)}, want: -3},

		// Request.
		{name: "req_set_method", fn: "req_set_method", args: []any{"PATCH"}, want: 0, check: func(t *testing.T, h *harness) {
			if m := string(h.r.Method()); m != "PATCH" {
				t.Errorf("method = %q", m)
			}
		}},
		{name: "req_set_method unknown", fn: "req_set_method", args: []any{"BREW"}, want: -3, lastErr: `unsupported HTTP method: "BREW"`},
		{name: "req_get_uri", fn: "req_get_uri", args: []any{buf(64)}, want: 12, out: "/conformance"},
		{name: "req_set_uri", fn: "req_set_uri", args: []any{"/other", int32(0)}, want: 0, check: func(t *testing.T, h *harness) {
			if h.r.URI() != "/other" || h.r.TakeJump() {
				t.Errorf("uri = %q", h.r.URI())
			}
		}},
		{name: "req_set_uri jump in access", fn: "req_set_uri", args: []any{"/other", int32(1)}, want: -1, lastErr: phaseErr(abi.PhaseAccess)},
		{name: "req_set_uri jump in rewrite", phase: abi.PhaseRewrite, fn: "req_set_uri", args: []any{"/other", int32(1)}, want: 0,
			check: func(t *testing.T, h *harness) {
				if !h.r.TakeJump() {
					t.Error("no jump recorded")
				}
			}},
		{name: "req_set_uri empty", fn: "req_set_uri", args: []any{"", int32(0)}, want: -3, lastErr: "attempt to use zero-length uri"},
		{name: "req_set_uri unsafe", fn: "req_set_uri", args: []any{"/a\nb", int32(0)}, want: -3, lastErr: `unsafe byte "0x0a" in uri "/a\nb"`},
		{name: "req_get_uri_args", fn: "req_get_uri_args", args: []any{int32(0), buf(256)}, list: "a=1&b=2&b=3&flag"},
		{name: "req_get_uri_args max", fn: "req_get_uri_args", args: []any{int32(2), buf(256)}, list: "a=1&b=2"},
		{name: "req_set_uri_args", fn: "req_set_uri_args", args: []any{"x=1 2&y"}, want: 0, check: func(t *testing.T, h *harness) {
			if got := h.r.Args(); got != "x=1%202&y" {
				t.Errorf("args = %q", got)
			}
		}},
		{name: "req_get_headers", fn: "req_get_headers", args: []any{int32(0), int32(0), buf(512)},
			list: "host=example.com&content-type=application/x-www-form-urlencoded&x-test=yes&x-multi=1&x-multi=2"},
		{name: "req_get_headers raw max", fn: "req_get_headers", args: []any{int32(3), int32(1), buf(512)},
			list: "Host=example.com&Content-Type=application/x-www-form-urlencoded&X-Test=yes"},
		{name: "req_get_header", fn: "req_get_header", args: []any{"X-MULTI", buf(64)}, want: 1, out: "1"},
		{name: "req_get_header missing", fn: "req_get_header", args: []any{"x-none", buf(64)}, want: -2, lastErr: `no request header "x-none"`},
		{name: "req_set_header", fn: "req_set_header", args: []any{"X-Multi", "9"}, want: 0, check: func(t *testing.T, h *harness) {
			if got := headerValues(h.r, "x-multi"); got != "9" {
				t.Errorf("x-multi = %q", got)
			}
		}},
		{name: "req_add_header", fn: "req_add_header", args: []any{"x-multi", "3"}, want: 0, check: func(t *testing.T, h *harness) {
			if got := headerValues(h.r, "x-multi"); got != "1,2,3" {
				t.Errorf("x-multi = %q", got)
			}
		}},
		{name: "req_clear_header", fn: "req_clear_header", args: []any{"x-test"}, want: 0, check: header("x-test")},
		{name: "req_http_version", fn: "req_http_version", want: 11},
		{name: "req_raw_header", fn: "req_raw_header", args: []any{int32(0), buf(512)}, want: 45,
			out: "POST /conformance?a=1&b=2&b=3&flag HTTP/1.1\r\n"},
		{name: "req_is_internal", fn: "req_is_internal", want: 0},
		{name: "req_get_body_data unread", fn: "req_get_body_data", args: []any{buf(64)}, want: -2},
		{name: "req_read_body", fn: "req_read_body", want: 0},
		{name: "req_get_body_data", setup: func(h *harness) { h.status("req_read_body") },
			fn: "req_get_body_data", args: []any{buf(64)}, want: 9, out: "k=v&k2=v2"},
		{name: "req_get_post_args unread", fn: "req_get_post_args", args: []any{int32(0), buf(64)}, want: -4,
			lastErr: host.ErrNoRequestBody.Error()},
		{name: "req_get_post_args", setup: func(h *harness) { h.status("req_read_body") },
			fn: "req_get_post_args", args: []any{int32(0), buf(64)}, list: "k=v&k2=v2"},
		{name: "req_set_body_data unread", fn: "req_set_body_data", args: []any{"new"}, want: -4, lastErr: "request body not read yet"},
		{name: "req_set_body_data", setup: func(h *harness) { h.status("req_read_body") },
			fn: "req_set_body_data", args: []any{"new"}, want: 0, check: func(t *testing.T, h *harness) {
				if got := string(h.r.BodyData(0)); got != "new" {
					t.Errorf("body = %q", got)
				}
			}},
		{name: "req_discard_body", fn: "req_discard_body", want: 0, check: func(t *testing.T, h *harness) {
			if len(h.r.Ctx.Request.Body()) != 0 {
				t.Error("body kept")
			}
		}},
		{name: "req_read_body in header_filter", phase: abi.PhaseHeaderFilter, fn: "req_read_body", want: -1,
			lastErr: "API disabled in the context of header_filter_by_lua*"},

		// Response.
		{name: "resp_get_status", fn: "resp_get_status", want: 0},
		{name: "resp_set_status", fn: "resp_set_status", args: []any{int32(201)}, want: 0, check: func(t *testing.T, h *harness) {
			if h.r.Status() != 201 {
				t.Errorf("status = %d", h.r.Status())
			}
		}},
		{name: "resp_set_header", fn: "resp_set_header", args: []any{"x_foo", "bar"}, want: 0, check: respHeader("X-Foo", "bar")},
		{name: "resp_add_header", setup: func(h *harness) { h.status("resp_set_header", "x-foo", "1") },
			fn: "resp_add_header", args: []any{"X-Foo", "2"}, want: 0, check: respHeader("x-foo", "1,2")},
		{name: "resp_get_header", setup: func(h *harness) { h.status("resp_set_header", "x-foo", "bar") },
			fn: "resp_get_header", args: []any{"x_foo", buf(64)}, want: 3, out: "bar"},
		{name: "resp_get_header missing", fn: "resp_get_header", args: []any{"x-foo", buf(64)}, want: -2},
		{name: "resp_get_headers", setup: func(h *harness) { h.status("resp_set_header", "X-Foo", "bar") },
			fn: "resp_get_headers", args: []any{int32(0), int32(0), buf(256)}, list: "connection=keep-alive&content-type=text/plain; charset=utf-8&x-foo=bar"},
		{name: "resp_clear_header", setup: func(h *harness) { h.status("resp_set_header", "x-foo", "bar") },
			fn: "resp_clear_header", args: []any{"x_foo"}, want: 0, check: respHeader("x-foo", "")},
		{name: "say", fn: "say", args: []any{"hi"}, want: 0, check: body("hi\n")},
		{name: "print", fn: "print", args: []any{"hi"}, want: 0, check: body("hi")},
		{name: "say in log", phase: abi.PhaseLog, fn: "say", args: []any{"hi"}, want: -1, lastErr: phaseErr(abi.PhaseLog)},
		{name: "send_headers", fn: "send_headers", want: 0, check: func(t *testing.T, h *harness) {
			if !h.r.HeadersSent() {
				t.Error("headers not sent")
			}
		}},
		{name: "headers_sent", setup: func(h *harness) { h.status("send_headers") }, fn: "headers_sent", want: 1},
		{name: "flush before headers", fn: "flush", want: -4, lastErr: "nothing to flush"},
		{name: "flush", setup: func(h *harness) { h.status("say", "x") }, fn: "flush", want: 0},
		{name: "eof", fn: "eof", want: 0},
		{name: "say after eof", setup: func(h *harness) { h.status("eof") }, fn: "say", args: []any{"late"}, want: -4, lastErr: "seen eof"},
		{name: "eof after eof", setup: func(h *harness) { h.status("eof") }, fn: "eof", want: -4, lastErr: "seen eof"},
		{name: "redirect", fn: "redirect", args: []any{"/login", int32(302)}, want: 0, check: respHeader("location", "/login")},
		{name: "redirect bad status", fn: "redirect", args: []any{"/login", int32(200)}, want: -3,
			lastErr: "redirect status 200 is not 301, 302, 303, 307 or 308"},
		{name: "redirect after headers", setup: func(h *harness) { h.status("send_headers") },
			fn: "redirect", args: []any{"/login", int32(301)}, want: -4, lastErr: "attempt to call ngx.redirect after sending out the headers"},

		// Variables, ctx, body filter.
		{name: "var_get", fn: "var_get", args: []any{"request_method", buf(64)}, want: 4, out: "POST"},
		{name: "var_get arg", fn: "var_get", args: []any{"arg_b", buf(64)}, want: 1, out: "2"},
		{name: "var_get unset", fn: "var_get", args: []any{"http_x_none", buf(64)}, want: -2},
		{name: "var_set", fn: "var_set", args: []any{"user_var", "v"}, want: 0, check: func(t *testing.T, h *harness) {
			if v, _ := h.r.Var("user_var"); v != "v" {
				t.Errorf("$user_var = %q", v)
			}
		}},
		{name: "var_set builtin", fn: "var_set", args: []any{"uri", "/x"}, want: -4, lastErr: `variable "uri" not changeable`},
		{name: "ctx_get unset", fn: "ctx_get", args: []any{"k", buf(64)}, want: -2},
		{name: "ctx_set", fn: "ctx_set", args: []any{"k", "v"}, want: 0, check: func(t *testing.T, h *harness) {
			if v, _ := h.r.CtxValue("k"); v != "v" {
				t.Errorf("ctx k = %q", v)
			}
		}},
		{name: "ctx_get", setup: func(h *harness) { h.r.SetCtxValue("k", "v") }, fn: "ctx_get", args: []any{"k", buf(64)}, want: 1, out: "v"},
		{name: "ctx in init", phase: abi.PhaseInit, fn: "ctx_get", args: []any{"k", buf(64)}, want: -1, lastErr: phaseErr(abi.PhaseInit)},
		{name: "arg_get_chunk", phase: abi.PhaseBodyFilter, setup: withChunk("abc", true),
			fn: "arg_get_chunk", args: []any{buf(64)}, want: 3, out: "abc"},
		{name: "arg_get_eof", phase: abi.PhaseBodyFilter, setup: withChunk("abc", true), fn: "arg_get_eof", want: 1},
		{name: "arg_set_chunk", phase: abi.PhaseBodyFilter, setup: withChunk("abc", false), fn: "arg_set_chunk", args: []any{"XYZ"}, want: 0,
			check: func(t *testing.T, h *harness) {
				if got := string(h.in.state.arg.chunk); got != "XYZ" {
					t.Errorf("chunk = %q", got)
				}
			}},
		{name: "arg_set_eof", phase: abi.PhaseBodyFilter, setup: withChunk("abc", false), fn: "arg_set_eof", args: []any{int32(1)}, want: 0,
			check: func(t *testing.T, h *harness) {
				if !h.in.state.arg.eof {
					t.Error("eof not set")
				}
			}},
		{name: "arg outside body_filter", fn: "arg_get_eof", want: -1, lastErr: phaseErr(abi.PhaseAccess)},

		// Workers.
		{name: "worker_id", fn: "worker_id", want: int32(in.id)},
		{name: "worker_count", fn: "worker_count", want: 3},
		{name: "worker_pid", fn: "worker_pid", want: int32(os.Getpid())},
		{name: "worker_exiting", fn: "worker_exiting", want: 0},
		{name: "worker_id in init", phase: abi.PhaseInit, fn: "worker_id", want: -1, lastErr: phaseErr(abi.PhaseInit)},
	}
	runHostCases(t, in, tests, nil)
}

// runHostCases runs each case on in, with a new request in the case's
// phase that bind, when set, prepares first.
func runHostCases(t *testing.T, in *instance, tests []hostCase, bind func(r *host.Request)) {
	t.Helper()
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if tt.phase == abi.PhaseNone {
				tt.phase = abi.PhaseAccess
			}
			h := &harness{t: t, in: in, r: newRequest(t, conformanceRequest, tt.phase), mem: in.mod.Memory()}
			defer h.r.Release()
			if bind != nil {
				bind(h.r)
			}
			in.lastErr, in.state = "", callState{r: h.r}
			defer func() { in.state = callState{} }()
			if tt.setup != nil {
				tt.setup(h)
			}
			got := h.status(tt.fn, tt.args...)
			switch {
			case tt.list != "":
				if got < 0 {
					t.Fatalf("%s = %d (%s)", tt.fn, got, in.lastErr)
				}
				if l := decodeList(t, []byte(h.out(got))); l != tt.list {
					t.Errorf("list = %q\nwant   %q", l, tt.list)
				}
			case got != tt.want:
				t.Fatalf("%s = %d, want %d (last error %q)", tt.fn, got, tt.want, in.lastErr)
			case got >= 0 && h.cap > 0 && uint32(got) > h.cap:
				if !h.untouched() {
					t.Errorf("a too small buffer was written to")
				}
			case got >= 0 && h.cap > 0:
				if o := h.out(got); o != tt.out {
					t.Errorf("result = %q, want %q", o, tt.out)
				}
			case got < 0 && tt.lastErr != "":
				if in.lastErr != tt.lastErr {
					t.Errorf("last_error = %q, want %q", in.lastErr, tt.lastErr)
				}
				if n := h.status("last_error", buf(256)); n < 0 || h.out(n) != tt.lastErr {
					t.Errorf("last_error call = %d %q", n, h.out(max(n, 0)))
				}
			}
			if tt.check != nil {
				tt.check(t, h)
			}
		})
	}
}

func withChunk(chunk string, eof bool) func(h *harness) {
	return func(h *harness) { h.in.state.arg = &filterArg{chunk: []byte(chunk), eof: eof} }
}

func headerValues(r *host.Request, name string) string {
	hs, _ := r.Headers(0)
	var vals []string
	for _, h := range hs {
		if strings.EqualFold(string(h.Name), name) {
			vals = append(vals, string(h.Value))
		}
	}
	return strings.Join(vals, ",")
}

func bytesToStrings(bs [][]byte) []string {
	out := make([]string, len(bs))
	for i, b := range bs {
		out[i] = string(b)
	}
	return out
}

func TestStartTime(t *testing.T) {
	rt, _ := newTestRuntime(t, Options{})
	m := load(t, rt, writeModule(t, guestModule()), Limits{})
	in := borrow(t, m)
	tests := []struct {
		name  string
		phase abi.Phase
		check func(float64) bool
	}{
		{name: "access", phase: abi.PhaseAccess, check: func(v float64) bool { return math.Abs(v-float64(time.Now().Unix())) < 60 }},
		{name: "init", phase: abi.PhaseInit, check: func(v float64) bool { return v == float64(abi.ErrPhase) }},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r := newRequest(t, testRequest{}, tt.phase)
			defer r.Release()
			if v := api.DecodeF64(hostCall(in, r, "req_start_time")); !tt.check(v) {
				t.Errorf("req_start_time = %v", v)
			}
		})
	}
}

func TestWorkerExiting(t *testing.T) {
	rt, _ := newTestRuntime(t, Options{})
	m := load(t, rt, writeModule(t, guestModule()), Limits{})
	in := borrow(t, m)
	r := newRequest(t, testRequest{}, abi.PhaseAccess)
	defer r.Release()
	for _, exiting := range []bool{false, true} {
		t.Run(strconv.FormatBool(exiting), func(t *testing.T) {
			rt.SetExiting(exiting)
			if got := api.DecodeI32(hostCall(in, r, "worker_exiting")); got != boolean(exiting) {
				t.Errorf("worker_exiting = %d", got)
			}
		})
	}
}
