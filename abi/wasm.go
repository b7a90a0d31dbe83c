package abi

// The Wasm ABI: what a guest module imports from the host and exports to
// it. ABI.md documents each function; a test keeps the two in step.

// Version is the ABI version this host implements. A guest exports
// `moongate_abi_version() -> i32`; the host refuses a module whose version
// is newer than Version.
const Version = 1

// Module is the import module name of every host function.
const Module = "moongate"

// VersionExport is the guest export the host calls at load to learn the
// ABI version the guest was built for.
const VersionExport = "moongate_abi_version"

// Status is what a host function returns: >= 0 for success (a length, a
// count or a value), < 0 for an error; the error's message is then
// available through last_error.
type Status int32

// The error statuses.
const (
	// ErrPhase: the API may not be called in the current phase ("API
	// disabled in the context of ...").
	ErrPhase Status = -1
	// ErrNotFound: no such value (a missing header, variable or key; Lua's nil).
	ErrNotFound Status = -2
	// ErrBadArgument: a pointer or length outside the guest's memory, or an
	// invalid value (a bad status code, a negative size...).
	ErrBadArgument Status = -3
	// ErrFailed: the operation failed; last_error says why (Lua's nil, err).
	ErrFailed Status = -4
)

// Action is what a phase export returns: ActionContinue to go on with the
// request (a Lua hook returning, or ngx.exit(ngx.OK)), any other value to
// finish it as ngx.exit(value) would: a status >= 200 sends that status,
// 444 closes the connection.
const ActionContinue = 0

// Phase exports: each () -> i32, returning an Action. All are optional.
var PhaseExports = map[Phase]string{
	PhaseInit:         "on_init",
	PhaseInitWorker:   "on_init_worker",
	PhaseRewrite:      "on_rewrite",
	PhaseAccess:       "on_access",
	PhaseContent:      "on_content",
	PhaseHeaderFilter: "on_header_filter",
	PhaseBodyFilter:   "on_body_filter",
	PhaseLog:          "on_log",
}

// ValType is a Wasm value type.
type ValType byte

// The value types the ABI uses.
const (
	I32 ValType = 0x7f
	I64 ValType = 0x7e
	F64 ValType = 0x7c
)

// String returns the type's WAT name.
func (t ValType) String() string {
	switch t {
	case I32:
		return "i32"
	case I64:
		return "i64"
	case F64:
		return "f64"
	}
	return "?"
}

// Func is one host function of module "moongate".
type Func struct {
	Name    string
	Params  []ValType
	Results []ValType
	// API names the ngx API this function carries out; its phases (from
	// Contexts) are checked before the call. "" means any phase.
	API string
}

// Parameter shapes shared by many functions.
var (
	buf      = []ValType{I32, I32}           // (buf_ptr, buf_cap): result written here
	str      = []ValType{I32, I32}           // (ptr, len): a string argument
	strBuf   = []ValType{I32, I32, I32, I32} // a string argument, then a result buffer
	strStr   = []ValType{I32, I32, I32, I32} // two string arguments
	status   = []ValType{I32}
	handle   = []ValType{I32} // a handle: a shared dict's from shdict_open, a socket's from tcp_connect or udp_setpeername, an iterator's from tcp_receiveuntil, a response's from capture_multi
	number   = []ValType{F64} // a number, or a TTL in seconds
	outNum   = []ValType{I32} // where the host writes an f64 result
	outCount = []ValType{I32} // where the host writes an i32 count
)

func params(groups ...[]ValType) []ValType {
	var out []ValType
	for _, g := range groups {
		out = append(out, g...)
	}
	return out
}

// Funcs lists every host function. Conventions (ABI.md has the details):
// a string argument is (ptr, len); a result is written to a guest buffer
// (buf_ptr, buf_cap) and the call returns its full length, so a guest whose
// buffer was too small (returned length > buf_cap, nothing written) calls
// again with a larger one; lists (headers, arguments) use the list encoding
// of ABI.md.
var Funcs = []Func{
	// Errors and context.
	{Name: "last_error", Params: buf, Results: status},
	{Name: "get_phase", Results: status, API: "ngx.get_phase"},
	{Name: "log", Params: params(status, str), Results: status, API: "ngx.log"},
	{Name: "plugin_config", Params: buf, Results: status},

	// Request.
	{Name: "req_get_method", Params: buf, Results: status, API: "ngx.req.get_method"},
	{Name: "req_set_method", Params: str, Results: status, API: "ngx.req.set_method"},
	{Name: "req_get_uri", Params: buf, Results: status, API: "ngx.var"},
	{Name: "req_set_uri", Params: params(str, status), Results: status, API: "ngx.req.set_uri"},
	{Name: "req_get_uri_args", Params: params(status, buf), Results: status, API: "ngx.req.get_uri_args"},
	{Name: "req_set_uri_args", Params: str, Results: status, API: "ngx.req.set_uri_args"},
	{Name: "req_get_headers", Params: params(status, status, buf), Results: status, API: "ngx.req.get_headers"},
	{Name: "req_get_header", Params: strBuf, Results: status, API: "ngx.req.get_headers"},
	{Name: "req_set_header", Params: strStr, Results: status, API: "ngx.req.set_header"},
	{Name: "req_add_header", Params: strStr, Results: status, API: "ngx.req.set_header"},
	{Name: "req_clear_header", Params: str, Results: status, API: "ngx.req.clear_header"},
	{Name: "req_http_version", Results: status, API: "ngx.req.http_version"},
	{Name: "req_raw_header", Params: params(status, buf), Results: status, API: "ngx.req.raw_header"},
	{Name: "req_start_time", Results: []ValType{F64}, API: "ngx.req.start_time"},
	{Name: "req_is_internal", Results: status, API: "ngx.req.is_internal"},
	{Name: "req_read_body", Results: status, API: "ngx.req.read_body"},
	{Name: "req_discard_body", Results: status, API: "ngx.req.discard_body"},
	{Name: "req_get_body_data", Params: buf, Results: status, API: "ngx.req.get_body_data"},
	{Name: "req_set_body_data", Params: str, Results: status, API: "ngx.req.set_body_data"},
	{Name: "req_get_post_args", Params: params(status, buf), Results: status, API: "ngx.req.get_post_args"},
	{Name: "req_get_body_file", Params: buf, Results: status, API: "ngx.req.get_body_file"},
	{Name: "req_set_body_file", Params: params(str, status), Results: status, API: "ngx.req.set_body_file"},
	{Name: "req_init_body", Params: status, Results: status, API: "ngx.req.init_body"},
	{Name: "req_append_body", Params: str, Results: status, API: "ngx.req.append_body"},
	{Name: "req_finish_body", Results: status, API: "ngx.req.finish_body"},

	// Response.
	{Name: "resp_get_status", Results: status, API: "ngx.status"},
	{Name: "resp_set_status", Params: status, Results: status, API: "ngx.status"},
	{Name: "resp_get_header", Params: strBuf, Results: status, API: "ngx.header"},
	{Name: "resp_get_headers", Params: params(status, status, buf), Results: status, API: "ngx.resp.get_headers"},
	{Name: "resp_set_header", Params: strStr, Results: status, API: "ngx.header"},
	{Name: "resp_add_header", Params: strStr, Results: status, API: "ngx.resp.add_header"},
	{Name: "resp_clear_header", Params: str, Results: status, API: "ngx.header"},
	{Name: "say", Params: str, Results: status, API: "ngx.say"},
	{Name: "print", Params: str, Results: status, API: "ngx.print"},
	{Name: "flush", Results: status, API: "ngx.flush"},
	{Name: "eof", Results: status, API: "ngx.eof"},
	{Name: "send_headers", Results: status, API: "ngx.send_headers"},
	{Name: "headers_sent", Results: status, API: "ngx.headers_sent"},
	{Name: "redirect", Params: params(str, status), Results: status, API: "ngx.redirect"},
	{Name: "exec", Params: params(str, str), Results: status, API: "ngx.exec"},

	// Variables and per-request storage.
	{Name: "var_get", Params: strBuf, Results: status, API: "ngx.var"},
	{Name: "var_set", Params: strStr, Results: status, API: "ngx.var"},
	{Name: "ctx_get", Params: strBuf, Results: status, API: "ngx.ctx"},
	{Name: "ctx_set", Params: strStr, Results: status, API: "ngx.ctx"},

	// body_filter's ngx.arg.
	{Name: "arg_get_chunk", Params: buf, Results: status, API: "ngx.arg"},
	{Name: "arg_set_chunk", Params: str, Results: status, API: "ngx.arg"},
	{Name: "arg_get_eof", Results: status, API: "ngx.arg"},
	{Name: "arg_set_eof", Params: status, Results: status, API: "ngx.arg"},

	// Workers.
	{Name: "worker_id", Results: status, API: "ngx.worker.id"},
	{Name: "worker_count", Results: status, API: "ngx.worker.count"},
	{Name: "worker_pid", Results: status, API: "ngx.worker.pid"},
	{Name: "worker_exiting", Results: status, API: "ngx.worker.exiting"},

	// Shared dicts: a handle from shdict_open, then a key; values in the
	// value encoding (ValueKind).
	{Name: "shdict_open", Params: str, Results: status, API: "ngx.shared.DICT"},
	{Name: "shdict_get", Params: params(handle, str, buf), Results: status, API: "ngx.shared.DICT.get"},
	{Name: "shdict_get_stale", Params: params(handle, str, buf), Results: status, API: "ngx.shared.DICT.get_stale"},
	{Name: "shdict_set", Params: params(handle, str, str, number), Results: status, API: "ngx.shared.DICT.set"},
	{Name: "shdict_safe_set", Params: params(handle, str, str, number), Results: status, API: "ngx.shared.DICT.safe_set"},
	{Name: "shdict_add", Params: params(handle, str, str, number), Results: status, API: "ngx.shared.DICT.add"},
	{Name: "shdict_safe_add", Params: params(handle, str, str, number), Results: status, API: "ngx.shared.DICT.safe_add"},
	{Name: "shdict_replace", Params: params(handle, str, str, number), Results: status, API: "ngx.shared.DICT.replace"},
	{Name: "shdict_delete", Params: params(handle, str), Results: status, API: "ngx.shared.DICT.delete"},
	{Name: "shdict_incr", Params: params(handle, str, number, status, number, number, outNum), Results: status, API: "ngx.shared.DICT.incr"},
	{Name: "shdict_lpush", Params: params(handle, str, str), Results: status, API: "ngx.shared.DICT.lpush"},
	{Name: "shdict_rpush", Params: params(handle, str, str), Results: status, API: "ngx.shared.DICT.rpush"},
	{Name: "shdict_lpop", Params: params(handle, str, buf), Results: status, API: "ngx.shared.DICT.lpop"},
	{Name: "shdict_rpop", Params: params(handle, str, buf), Results: status, API: "ngx.shared.DICT.rpop"},
	{Name: "shdict_llen", Params: params(handle, str), Results: status, API: "ngx.shared.DICT.llen"},
	{Name: "shdict_ttl", Params: params(handle, str, outNum), Results: status, API: "ngx.shared.DICT.ttl"},
	{Name: "shdict_expire", Params: params(handle, str, number), Results: status, API: "ngx.shared.DICT.expire"},
	{Name: "shdict_flush_all", Params: handle, Results: status, API: "ngx.shared.DICT.flush_all"},
	{Name: "shdict_flush_expired", Params: params(handle, status), Results: status, API: "ngx.shared.DICT.flush_expired"},
	{Name: "shdict_get_keys", Params: params(handle, status, buf), Results: status, API: "ngx.shared.DICT.get_keys"},
	{Name: "shdict_capacity", Params: handle, Results: number, API: "ngx.shared.DICT.capacity"},
	{Name: "shdict_free_space", Params: handle, Results: number, API: "ngx.shared.DICT.free_space"},

	// Waiting: the request's goroutine blocks, with the call's time limit
	// paused. A socket is a handle from tcp_connect (or, for a datagram
	// socket, udp_setpeername), valid until the export call that
	// connected it returns; so is an iterator from tcp_receiveuntil,
	// which tcp_until_read reads.
	{Name: "sleep", Params: number, Results: status, API: "ngx.sleep"},
	{Name: "tcp_connect", Params: params(str, status, str), Results: status, API: "tcpsock.connect"},
	{Name: "tcp_sslhandshake", Params: params(handle, str, status), Results: status, API: "tcpsock.sslhandshake"},
	{Name: "tcp_send", Params: params(handle, str), Results: status, API: "tcpsock.send"},
	{Name: "tcp_receive", Params: params(handle, status, buf), Results: status, API: "tcpsock.receive"},
	{Name: "tcp_receiveany", Params: params(handle, status, buf), Results: status, API: "tcpsock.receiveany"},
	{Name: "tcp_received", Params: params(handle, buf), Results: status, API: "tcpsock.receive"},
	{Name: "tcp_receiveuntil", Params: params(handle, str, status), Results: status, API: "tcpsock.receiveuntil"},
	{Name: "tcp_until_read", Params: params(handle, status, buf), Results: status, API: "tcpsock.receiveuntil"},
	{Name: "tcp_setoption", Params: params(handle, str, status), Results: status, API: "tcpsock.setoption"},
	{Name: "tcp_settimeouts", Params: params(handle, status, status, status), Results: status, API: "tcpsock.settimeouts"},
	{Name: "tcp_setkeepalive", Params: params(handle, status, status), Results: status, API: "tcpsock.setkeepalive"},
	{Name: "tcp_getreusedtimes", Params: handle, Results: status, API: "tcpsock.getreusedtimes"},
	{Name: "tcp_close", Params: handle, Results: status, API: "tcpsock.close"},
	{Name: "udp_setpeername", Params: params(str, status), Results: status, API: "udpsock.setpeername"},
	{Name: "udp_send", Params: params(handle, str), Results: status, API: "udpsock.send"},
	{Name: "udp_receive", Params: params(handle, status, buf), Results: status, API: "udpsock.receive"},
	{Name: "udp_settimeout", Params: params(handle, status), Results: status, API: "udpsock.settimeout"},
	{Name: "udp_close", Params: handle, Results: status, API: "udpsock.close"},

	// Subrequests: capture_add queues one, capture_multi runs the queue
	// and returns the handle of its first response (the others follow);
	// the capture_* readers take a response's handle, valid until the
	// export call returns.
	{Name: "capture_add", Params: params(str, str, str, str, status), Results: status, API: "ngx.location.capture"},
	{Name: "capture_set_var", Params: params(status, str, str), Results: status, API: "ngx.location.capture"},
	{Name: "capture_multi", Results: status, API: "ngx.location.capture_multi"},
	{Name: "capture_status", Params: handle, Results: status, API: "ngx.location.capture"},
	{Name: "capture_headers", Params: params(handle, buf), Results: status, API: "ngx.location.capture"},
	{Name: "capture_body", Params: params(handle, buf), Results: status, API: "ngx.location.capture"},
	{Name: "capture_truncated", Params: handle, Results: status, API: "ngx.location.capture"},

	// Regular expressions on the host's engine (RE2, or a bounded
	// backtracking one for PCRE-only syntax): each call names its pattern
	// and flags; the host caches what it compiles.
	{Name: "re_match", Params: params(str, str, str, status, buf), Results: status, API: "ngx.re.match"},
	{Name: "re_group_names", Params: params(str, str, buf), Results: status, API: "ngx.re.match"},
	{Name: "re_sub", Params: params(str, str, str, str, outCount, buf), Results: status, API: "ngx.re.sub"},
	{Name: "re_gsub", Params: params(str, str, str, str, outCount, buf), Results: status, API: "ngx.re.gsub"},

	// Timers: the host calls the guest's on_timer export (TimerExport)
	// when one is due, in the timer phase, on a pooled instance.
	{Name: "timer_at", Params: params(number, str), Results: status, API: "ngx.timer.at"},
	{Name: "timer_every", Params: params(number, str), Results: status, API: "ngx.timer.every"},
	{Name: "timer_arg", Params: buf, Results: status},
	{Name: "timer_running_count", Results: status, API: "ngx.timer.running_count"},
	{Name: "timer_pending_count", Results: status, API: "ngx.timer.pending_count"},
}

// TimerExport is the guest export `on_timer(id i32, premature i32) -> i32`
// that runs a timer armed by timer_at or timer_every: id is the timer's,
// premature is 1 when the module is closing (a reload or shutdown) before
// the timer was due. It is optional, but timer_at and timer_every fail
// for a module without it. Its result is an Action; anything but
// ActionContinue is logged as an error.
const TimerExport = "on_timer"

// The patterns of tcp_receive other than a byte count (n >= 0).
const (
	ReceiveLine int32 = -1 // "*l": a line, without its LF and any CR
	ReceiveAll  int32 = -2 // "*a": everything up to the end of the stream
)

// NoPort is the port of tcp_connect and udp_setpeername for a host naming
// a unix socket, "unix:/path".
const NoPort int32 = -1

// ValueKind is the type byte of the shared dict value encoding, which
// shdict_get, shdict_get_stale, shdict_lpop and shdict_rpop write and
// shdict_set and its kin, shdict_lpush and shdict_rpush read:
// kind:u8, flags:u32 (little-endian), then the payload: none for nil, one
// byte 0 or 1 for a boolean, an f64 (little-endian) for a number, a
// string's bytes to the end.
type ValueKind uint8

// The kinds of shared dict values.
const (
	KindNil ValueKind = iota
	KindBool
	KindNumber
	KindString
)

// ValueHeader is the length of the value encoding's kind and flags.
const ValueHeader = 5

// The flags of capture_add, or-ed together.
const (
	// CaptureBody: the subrequest's body is capture_add's body argument,
	// empty included (ngx.location.capture's "body" option); without it a
	// POST or PUT subrequest gets the parent's body, when it was read, and
	// the others none.
	CaptureBody int32 = 1 << iota
	// CaptureCopyAllVars: the subrequest starts with a copy of the
	// parent's variables ("copy_all_vars").
	CaptureCopyAllVars
	// CaptureShareAllVars: the subrequest shares the parent's variables
	// ("share_all_vars").
	CaptureShareAllVars
	// CaptureAlwaysForwardBody: without CaptureBody, the subrequest gets
	// the parent's body whatever its method ("always_forward_body").
	CaptureAlwaysForwardBody
)

// NoCapture is the offset re_match writes for a group that took no part
// in the match.
const NoCapture int32 = -1
