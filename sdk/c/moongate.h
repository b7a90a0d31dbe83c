/*
 * moongate.h - the C SDK for moongate Wasm guests.
 *
 * A moongate plugin written in C is a WebAssembly module built with
 * `clang --target=wasm32-wasi -mexec-model=reactor` from this header,
 * moongate.c and the guest's own files (README.md has the exact command).
 * It talks to the gateway through the host functions of import module
 * "moongate", described in abi/ABI.md (ABI version 1), and exports one
 * function per phase it handles, each returning an action.
 *
 * The header needs no libc: it uses only <stddef.h> and <stdint.h>, which
 * every freestanding C implementation has, and moongate.c allocates
 * nothing (its scratch space is a static buffer that grows with
 * memory.grow). Guests may still use wasi-libc.
 *
 * Three layers, from raw to convenient:
 *
 *  1. mg_abi_NAME: the host function NAME of abi/ABI.md, imported as it is.
 *     Strings go in as (pointer, length); results come back in a
 *     (buffer, capacity) the guest supplies: the call returns the result's
 *     full length n and writes it only when n <= capacity, so a guest whose
 *     buffer was too small calls again with one of at least n bytes.
 *     Errors are the negative MG_ERR_* values; mg_error_message() or
 *     mg_abi_last_error() gives the message.
 *  2. mg_NAME: the same call taking NUL-terminated strings for its string
 *     arguments (results still go to the guest's buffer, unterminated).
 *  3. Scratch helpers (mg_method, mg_header, mg_config, ...): they run the
 *     retry protocol into the SDK's scratch space and return the result
 *     NUL-terminated, or NULL on error. Each takes an `int32_t *len` (may be
 *     NULL) that receives the result's length, or the error code when NULL
 *     is returned. The guest may change the result in place (upper-case a
 *     body chunk, say); it stays valid only until the next scratch
 *     helper call: copy what must outlive it. Hooks the host runs while a
 *     call is in progress (header_filter during say or send_headers,
 *     body_filter during say, print, flush or eof) may use the same
 *     scratch space, so copy before such calls too.
 *
 * Lists (headers, query and form arguments, a dict's keys) come back in the
 * encoding of abi/ABI.md; walk them with mg_list_init and mg_list_next.
 * Shared dict values are mg_values (mg_shdict_get, mg_shdict_set, ...).
 *
 * A phase export:
 *
 *     MG_EXPORT("on_access") int32_t on_access(void) {
 *         if (mg_header("x-token", NULL) == NULL)
 *             return 401;
 *         return MG_CONTINUE;
 *     }
 */
#ifndef MOONGATE_H
#define MOONGATE_H

#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

/* MG_ABI_VERSION is the ABI version this SDK implements; moongate.c
 * exports it as moongate_abi_version. */
#define MG_ABI_VERSION 1

/* MG_EXPORT(name) exports the function it precedes under name, for the
 * phase exports: on_init, on_init_worker, on_rewrite, on_access,
 * on_content, on_header_filter, on_body_filter, on_log, each
 * `int32_t f(void)` returning an action.
 *
 * MG_IMPORT(name) declares the host function name of module "moongate".
 *
 * Both mean nothing outside Wasm, where the SDK compiles only for its
 * native unit test (test/run.sh), against fake host functions. */
#ifdef __wasm__
#define MG_EXPORT(name) __attribute__((export_name(name)))
#define MG_IMPORT(name) __attribute__((import_module("moongate"), import_name(name)))
#else
#define MG_EXPORT(name)
#define MG_IMPORT(name)
#endif

/* Actions a phase export returns. MG_CONTINUE goes on with the request; any
 * other value finishes it as ngx.exit(value) would: a status of 200 or more
 * is sent, 444 closes the connection. */
enum {
	MG_CONTINUE = 0,
	MG_CLOSE = 444
};

/* Error statuses: every host function returns >= 0 on success and one of
 * these on failure. */
enum mg_status {
	/* MG_ERR_PHASE: the API is not allowed in the current phase ("API
	 * disabled in the context of <phase>_by_lua*"). */
	MG_ERR_PHASE = -1,
	/* MG_ERR_NOT_FOUND: no such value (a missing header, variable or key). */
	MG_ERR_NOT_FOUND = -2,
	/* MG_ERR_BAD_ARGUMENT: a pointer or length outside the guest's memory,
	 * or an invalid value. */
	MG_ERR_BAD_ARGUMENT = -3,
	/* MG_ERR_FAILED: the operation failed; the message says why. */
	MG_ERR_FAILED = -4
};

/* Log levels for mg_log, as ngx.STDERR ... ngx.DEBUG. */
enum mg_level {
	MG_STDERR = 0,
	MG_EMERG = 1,
	MG_ALERT = 2,
	MG_CRIT = 3,
	MG_ERR = 4,
	MG_WARN = 5,
	MG_NOTICE = 6,
	MG_INFO = 7,
	MG_DEBUG = 8
};

/* Phase numbers, as mg_get_phase returns them. */
enum mg_phase {
	MG_PHASE_INIT = 1,
	MG_PHASE_INIT_WORKER = 2,
	MG_PHASE_SET = 3,
	MG_PHASE_REWRITE = 4,
	MG_PHASE_ACCESS = 5,
	MG_PHASE_CONTENT = 6,
	MG_PHASE_BALANCER = 7,
	MG_PHASE_HEADER_FILTER = 8,
	MG_PHASE_BODY_FILTER = 9,
	MG_PHASE_LOG = 10,
	MG_PHASE_TIMER = 11
};

/* ---- Layer 1: the host functions, as abi/ABI.md gives them. ---- */

/* Errors, phase, logging, config. */
MG_IMPORT("last_error") int32_t mg_abi_last_error(char *buf, int32_t cap);
MG_IMPORT("get_phase") int32_t mg_abi_get_phase(void);
MG_IMPORT("log") int32_t mg_abi_log(int32_t level, const char *msg, int32_t msg_len);
MG_IMPORT("plugin_config") int32_t mg_abi_plugin_config(char *buf, int32_t cap);

/* Request. */
MG_IMPORT("req_get_method") int32_t mg_abi_req_get_method(char *buf, int32_t cap);
MG_IMPORT("req_set_method") int32_t mg_abi_req_set_method(const char *method, int32_t method_len);
MG_IMPORT("req_get_uri") int32_t mg_abi_req_get_uri(char *buf, int32_t cap);
MG_IMPORT("req_set_uri") int32_t mg_abi_req_set_uri(const char *uri, int32_t uri_len, int32_t jump);
MG_IMPORT("req_get_uri_args") int32_t mg_abi_req_get_uri_args(int32_t max, char *buf, int32_t cap);
MG_IMPORT("req_set_uri_args") int32_t mg_abi_req_set_uri_args(const char *args, int32_t args_len);
MG_IMPORT("req_get_headers") int32_t mg_abi_req_get_headers(int32_t max, int32_t raw, char *buf, int32_t cap);
MG_IMPORT("req_get_header") int32_t mg_abi_req_get_header(const char *name, int32_t name_len, char *buf, int32_t cap);
MG_IMPORT("req_set_header") int32_t mg_abi_req_set_header(const char *name, int32_t name_len, const char *value, int32_t value_len);
MG_IMPORT("req_add_header") int32_t mg_abi_req_add_header(const char *name, int32_t name_len, const char *value, int32_t value_len);
MG_IMPORT("req_clear_header") int32_t mg_abi_req_clear_header(const char *name, int32_t name_len);
MG_IMPORT("req_http_version") int32_t mg_abi_req_http_version(void);
MG_IMPORT("req_raw_header") int32_t mg_abi_req_raw_header(int32_t no_request_line, char *buf, int32_t cap);
MG_IMPORT("req_start_time") double mg_abi_req_start_time(void);
MG_IMPORT("req_is_internal") int32_t mg_abi_req_is_internal(void);
MG_IMPORT("req_read_body") int32_t mg_abi_req_read_body(void);
MG_IMPORT("req_discard_body") int32_t mg_abi_req_discard_body(void);
MG_IMPORT("req_get_body_data") int32_t mg_abi_req_get_body_data(char *buf, int32_t cap);
MG_IMPORT("req_set_body_data") int32_t mg_abi_req_set_body_data(const char *data, int32_t data_len);
MG_IMPORT("req_get_post_args") int32_t mg_abi_req_get_post_args(int32_t max, char *buf, int32_t cap);
MG_IMPORT("req_get_body_file") int32_t mg_abi_req_get_body_file(char *buf, int32_t cap);
MG_IMPORT("req_set_body_file") int32_t mg_abi_req_set_body_file(const char *path, int32_t path_len, int32_t auto_clean);
MG_IMPORT("req_init_body") int32_t mg_abi_req_init_body(int32_t buffer_size);
MG_IMPORT("req_append_body") int32_t mg_abi_req_append_body(const char *data, int32_t data_len);
MG_IMPORT("req_finish_body") int32_t mg_abi_req_finish_body(void);

/* Response. */
MG_IMPORT("resp_get_status") int32_t mg_abi_resp_get_status(void);
MG_IMPORT("resp_set_status") int32_t mg_abi_resp_set_status(int32_t status);
MG_IMPORT("resp_get_header") int32_t mg_abi_resp_get_header(const char *name, int32_t name_len, char *buf, int32_t cap);
MG_IMPORT("resp_get_headers") int32_t mg_abi_resp_get_headers(int32_t max, int32_t raw, char *buf, int32_t cap);
MG_IMPORT("resp_set_header") int32_t mg_abi_resp_set_header(const char *name, int32_t name_len, const char *value, int32_t value_len);
MG_IMPORT("resp_add_header") int32_t mg_abi_resp_add_header(const char *name, int32_t name_len, const char *value, int32_t value_len);
MG_IMPORT("resp_clear_header") int32_t mg_abi_resp_clear_header(const char *name, int32_t name_len);
MG_IMPORT("say") int32_t mg_abi_say(const char *s, int32_t len);
MG_IMPORT("print") int32_t mg_abi_print(const char *s, int32_t len);
MG_IMPORT("flush") int32_t mg_abi_flush(void);
MG_IMPORT("eof") int32_t mg_abi_eof(void);
MG_IMPORT("send_headers") int32_t mg_abi_send_headers(void);
MG_IMPORT("headers_sent") int32_t mg_abi_headers_sent(void);
MG_IMPORT("redirect") int32_t mg_abi_redirect(const char *uri, int32_t uri_len, int32_t status);
MG_IMPORT("exec") int32_t mg_abi_exec(const char *uri, int32_t uri_len, const char *args, int32_t args_len);

/* Variables and per-request storage. */
MG_IMPORT("var_get") int32_t mg_abi_var_get(const char *name, int32_t name_len, char *buf, int32_t cap);
MG_IMPORT("var_set") int32_t mg_abi_var_set(const char *name, int32_t name_len, const char *value, int32_t value_len);
MG_IMPORT("ctx_get") int32_t mg_abi_ctx_get(const char *key, int32_t key_len, char *buf, int32_t cap);
MG_IMPORT("ctx_set") int32_t mg_abi_ctx_set(const char *key, int32_t key_len, const char *value, int32_t value_len);

/* body_filter's ngx.arg. */
MG_IMPORT("arg_get_chunk") int32_t mg_abi_arg_get_chunk(char *buf, int32_t cap);
MG_IMPORT("arg_set_chunk") int32_t mg_abi_arg_set_chunk(const char *chunk, int32_t chunk_len);
MG_IMPORT("arg_get_eof") int32_t mg_abi_arg_get_eof(void);
MG_IMPORT("arg_set_eof") int32_t mg_abi_arg_set_eof(int32_t eof);

/* Workers. */
MG_IMPORT("worker_id") int32_t mg_abi_worker_id(void);
MG_IMPORT("worker_count") int32_t mg_abi_worker_count(void);
MG_IMPORT("worker_pid") int32_t mg_abi_worker_pid(void);
MG_IMPORT("worker_exiting") int32_t mg_abi_worker_exiting(void);

/* Shared dicts: h is a handle from shdict_open; values go in and come out
 * in the value encoding (see mg_value); out receives an f64. */
MG_IMPORT("shdict_open") int32_t mg_abi_shdict_open(const char *name, int32_t name_len);
MG_IMPORT("shdict_get") int32_t mg_abi_shdict_get(int32_t h, const char *key, int32_t key_len, char *buf, int32_t cap);
MG_IMPORT("shdict_get_stale") int32_t mg_abi_shdict_get_stale(int32_t h, const char *key, int32_t key_len, char *buf, int32_t cap);
MG_IMPORT("shdict_set") int32_t mg_abi_shdict_set(int32_t h, const char *key, int32_t key_len, const char *value, int32_t value_len, double ttl);
MG_IMPORT("shdict_safe_set") int32_t mg_abi_shdict_safe_set(int32_t h, const char *key, int32_t key_len, const char *value, int32_t value_len, double ttl);
MG_IMPORT("shdict_add") int32_t mg_abi_shdict_add(int32_t h, const char *key, int32_t key_len, const char *value, int32_t value_len, double ttl);
MG_IMPORT("shdict_safe_add") int32_t mg_abi_shdict_safe_add(int32_t h, const char *key, int32_t key_len, const char *value, int32_t value_len, double ttl);
MG_IMPORT("shdict_replace") int32_t mg_abi_shdict_replace(int32_t h, const char *key, int32_t key_len, const char *value, int32_t value_len, double ttl);
MG_IMPORT("shdict_delete") int32_t mg_abi_shdict_delete(int32_t h, const char *key, int32_t key_len);
MG_IMPORT("shdict_incr") int32_t mg_abi_shdict_incr(int32_t h, const char *key, int32_t key_len, double delta, int32_t has_init, double init, double init_ttl, double *out);
MG_IMPORT("shdict_lpush") int32_t mg_abi_shdict_lpush(int32_t h, const char *key, int32_t key_len, const char *value, int32_t value_len);
MG_IMPORT("shdict_rpush") int32_t mg_abi_shdict_rpush(int32_t h, const char *key, int32_t key_len, const char *value, int32_t value_len);
MG_IMPORT("shdict_lpop") int32_t mg_abi_shdict_lpop(int32_t h, const char *key, int32_t key_len, char *buf, int32_t cap);
MG_IMPORT("shdict_rpop") int32_t mg_abi_shdict_rpop(int32_t h, const char *key, int32_t key_len, char *buf, int32_t cap);
MG_IMPORT("shdict_llen") int32_t mg_abi_shdict_llen(int32_t h, const char *key, int32_t key_len);
MG_IMPORT("shdict_ttl") int32_t mg_abi_shdict_ttl(int32_t h, const char *key, int32_t key_len, double *out);
MG_IMPORT("shdict_expire") int32_t mg_abi_shdict_expire(int32_t h, const char *key, int32_t key_len, double ttl);
MG_IMPORT("shdict_flush_all") int32_t mg_abi_shdict_flush_all(int32_t h);
MG_IMPORT("shdict_flush_expired") int32_t mg_abi_shdict_flush_expired(int32_t h, int32_t max);
MG_IMPORT("shdict_get_keys") int32_t mg_abi_shdict_get_keys(int32_t h, int32_t max, char *buf, int32_t cap);
MG_IMPORT("shdict_capacity") double mg_abi_shdict_capacity(int32_t h);
MG_IMPORT("shdict_free_space") double mg_abi_shdict_free_space(int32_t h);

/* Waiting: the call blocks the request until the operation completes
 * (other requests go on). h is a socket handle from tcp_connect, valid
 * until the export call that connected it returns; pattern is
 * MG_RECEIVE_LINE, MG_RECEIVE_ALL or a byte count. */
MG_IMPORT("sleep") int32_t mg_abi_sleep(double seconds);
MG_IMPORT("tcp_connect") int32_t mg_abi_tcp_connect(const char *host, int32_t host_len, int32_t port, const char *pool, int32_t pool_len);
MG_IMPORT("tcp_sslhandshake") int32_t mg_abi_tcp_sslhandshake(int32_t h, const char *server_name, int32_t server_name_len, int32_t verify);
MG_IMPORT("tcp_send") int32_t mg_abi_tcp_send(int32_t h, const char *data, int32_t data_len);
MG_IMPORT("tcp_receive") int32_t mg_abi_tcp_receive(int32_t h, int32_t pattern, char *buf, int32_t cap);
MG_IMPORT("tcp_receiveany") int32_t mg_abi_tcp_receiveany(int32_t h, int32_t max, char *buf, int32_t cap);
MG_IMPORT("tcp_received") int32_t mg_abi_tcp_received(int32_t h, char *buf, int32_t cap);
/* it is an iterator handle from tcp_receiveuntil, valid as long as h. */
MG_IMPORT("tcp_receiveuntil") int32_t mg_abi_tcp_receiveuntil(int32_t h, const char *pattern, int32_t pattern_len, int32_t inclusive);
MG_IMPORT("tcp_until_read") int32_t mg_abi_tcp_until_read(int32_t it, int32_t size, char *buf, int32_t cap);
MG_IMPORT("tcp_setoption") int32_t mg_abi_tcp_setoption(int32_t h, const char *name, int32_t name_len, int32_t value);
MG_IMPORT("tcp_settimeouts") int32_t mg_abi_tcp_settimeouts(int32_t h, int32_t connect_ms, int32_t send_ms, int32_t read_ms);
MG_IMPORT("tcp_setkeepalive") int32_t mg_abi_tcp_setkeepalive(int32_t h, int32_t timeout_ms, int32_t size);
MG_IMPORT("tcp_getreusedtimes") int32_t mg_abi_tcp_getreusedtimes(int32_t h);
MG_IMPORT("tcp_close") int32_t mg_abi_tcp_close(int32_t h);
/* Datagram sockets: h is a handle from udp_setpeername, numbered apart
 * from tcp_connect's; size is the most bytes of a datagram to keep. */
MG_IMPORT("udp_setpeername") int32_t mg_abi_udp_setpeername(const char *host, int32_t host_len, int32_t port);
MG_IMPORT("udp_send") int32_t mg_abi_udp_send(int32_t h, const char *data, int32_t data_len);
MG_IMPORT("udp_receive") int32_t mg_abi_udp_receive(int32_t h, int32_t size, char *buf, int32_t cap);
MG_IMPORT("udp_settimeout") int32_t mg_abi_udp_settimeout(int32_t h, int32_t ms);
MG_IMPORT("udp_close") int32_t mg_abi_udp_close(int32_t h);

/* Subrequests: capture_add queues one (flags: MG_CAPTURE_*) and returns
 * its index in the queue; capture_multi runs the queue and returns the
 * handle of the first response, the others following; a handle is valid
 * until the export call returns. */
MG_IMPORT("capture_add") int32_t mg_abi_capture_add(const char *method, int32_t method_len, const char *uri, int32_t uri_len, const char *args, int32_t args_len, const char *body, int32_t body_len, int32_t flags);
MG_IMPORT("capture_set_var") int32_t mg_abi_capture_set_var(int32_t i, const char *name, int32_t name_len, const char *value, int32_t value_len);
MG_IMPORT("capture_multi") int32_t mg_abi_capture_multi(void);
MG_IMPORT("capture_status") int32_t mg_abi_capture_status(int32_t h);
MG_IMPORT("capture_headers") int32_t mg_abi_capture_headers(int32_t h, char *buf, int32_t cap);
MG_IMPORT("capture_body") int32_t mg_abi_capture_body(int32_t h, char *buf, int32_t cap);
MG_IMPORT("capture_truncated") int32_t mg_abi_capture_truncated(int32_t h);

/* Regular expressions on the host's engine: re_match writes two int32_t
 * offsets (start, end; -1 for a group without a match) per group, group
 * 0 the whole match, and returns their size in bytes; re_sub and re_gsub
 * write the result to buf and the count of replacements to *count. */
MG_IMPORT("re_match") int32_t mg_abi_re_match(const char *pattern, int32_t pattern_len, const char *flags, int32_t flags_len, const char *subject, int32_t subject_len, int32_t start, char *buf, int32_t cap);
MG_IMPORT("re_group_names") int32_t mg_abi_re_group_names(const char *pattern, int32_t pattern_len, const char *flags, int32_t flags_len, char *buf, int32_t cap);
MG_IMPORT("re_sub") int32_t mg_abi_re_sub(const char *pattern, int32_t pattern_len, const char *flags, int32_t flags_len, const char *subject, int32_t subject_len, const char *tmpl, int32_t tmpl_len, int32_t *count, char *buf, int32_t cap);
MG_IMPORT("re_gsub") int32_t mg_abi_re_gsub(const char *pattern, int32_t pattern_len, const char *flags, int32_t flags_len, const char *subject, int32_t subject_len, const char *tmpl, int32_t tmpl_len, int32_t *count, char *buf, int32_t cap);

/* Timers: timer_at and timer_every return the timer's id; when it is due
 * the host calls the guest's on_timer export (see mg_timer_at). */
MG_IMPORT("timer_at") int32_t mg_abi_timer_at(double delay, const char *arg, int32_t arg_len);
MG_IMPORT("timer_every") int32_t mg_abi_timer_every(double delay, const char *arg, int32_t arg_len);
MG_IMPORT("timer_arg") int32_t mg_abi_timer_arg(char *buf, int32_t cap);
MG_IMPORT("timer_running_count") int32_t mg_abi_timer_running_count(void);
MG_IMPORT("timer_pending_count") int32_t mg_abi_timer_pending_count(void);

/* ---- Layer 2: NUL-terminated strings in. ---- */

/* mg_strlen returns the length of the NUL-terminated s (0 for NULL). */
int32_t mg_strlen(const char *s);

/* mg_last_error writes the last error's message to buf (ngx: the error
 * Lua would raise or return). */
static inline int32_t mg_last_error(char *buf, int32_t cap) { return mg_abi_last_error(buf, cap); }
/* mg_get_phase returns the current phase, an MG_PHASE_* (ngx.get_phase). */
static inline int32_t mg_get_phase(void) { return mg_abi_get_phase(); }
/* mg_log writes msg to the error log at level, an MG_* level (ngx.log). */
static inline int32_t mg_log(int32_t level, const char *msg) { return mg_abi_log(level, msg, mg_strlen(msg)); }
/* mg_plugin_config writes the hook's config, as JSON, to buf. */
static inline int32_t mg_plugin_config(char *buf, int32_t cap) { return mg_abi_plugin_config(buf, cap); }

/* mg_req_get_method writes the request method to buf (ngx.req.get_method). */
static inline int32_t mg_req_get_method(char *buf, int32_t cap) { return mg_abi_req_get_method(buf, cap); }
/* mg_req_set_method sets the request method (ngx.req.set_method). */
static inline int32_t mg_req_set_method(const char *method) { return mg_abi_req_set_method(method, mg_strlen(method)); }
/* mg_req_get_uri writes $uri to buf. */
static inline int32_t mg_req_get_uri(char *buf, int32_t cap) { return mg_abi_req_get_uri(buf, cap); }
/* mg_req_set_uri sets $uri; jump (rewrite only) matches the routes again
 * once the hook returns 0 (ngx.req.set_uri). */
static inline int32_t mg_req_set_uri(const char *uri, int32_t jump) { return mg_abi_req_set_uri(uri, mg_strlen(uri), jump); }
/* mg_req_get_uri_args writes at most max (0: all) query arguments to buf,
 * as a list (ngx.req.get_uri_args). */
static inline int32_t mg_req_get_uri_args(int32_t max, char *buf, int32_t cap) { return mg_abi_req_get_uri_args(max, buf, cap); }
/* mg_req_set_uri_args replaces the query string (ngx.req.set_uri_args). */
static inline int32_t mg_req_set_uri_args(const char *args) { return mg_abi_req_set_uri_args(args, mg_strlen(args)); }
/* mg_req_get_headers writes at most max (0: all) request headers to buf,
 * as a list, names lower-cased unless raw (ngx.req.get_headers). */
static inline int32_t mg_req_get_headers(int32_t max, int32_t raw, char *buf, int32_t cap) { return mg_abi_req_get_headers(max, raw, buf, cap); }
/* mg_req_get_header writes the first value of request header name to buf. */
static inline int32_t mg_req_get_header(const char *name, char *buf, int32_t cap) { return mg_abi_req_get_header(name, mg_strlen(name), buf, cap); }
/* mg_req_set_header replaces request header name (ngx.req.set_header). */
static inline int32_t mg_req_set_header(const char *name, const char *value) { return mg_abi_req_set_header(name, mg_strlen(name), value, mg_strlen(value)); }
/* mg_req_add_header adds a value to request header name. */
static inline int32_t mg_req_add_header(const char *name, const char *value) { return mg_abi_req_add_header(name, mg_strlen(name), value, mg_strlen(value)); }
/* mg_req_clear_header removes request header name (ngx.req.clear_header). */
static inline int32_t mg_req_clear_header(const char *name) { return mg_abi_req_clear_header(name, mg_strlen(name)); }
/* mg_req_http_version returns 10 for HTTP/1.0, 11 for HTTP/1.1. */
static inline int32_t mg_req_http_version(void) { return mg_abi_req_http_version(); }
/* mg_req_raw_header writes the raw request header to buf, with the request
 * line unless no_request_line (ngx.req.raw_header). */
static inline int32_t mg_req_raw_header(int32_t no_request_line, char *buf, int32_t cap) { return mg_abi_req_raw_header(no_request_line, buf, cap); }
/* mg_req_start_time returns the request's start, in seconds since the epoch. */
static inline double mg_req_start_time(void) { return mg_abi_req_start_time(); }
/* mg_req_is_internal returns 1 for an internal request, else 0. */
static inline int32_t mg_req_is_internal(void) { return mg_abi_req_is_internal(); }
/* mg_req_read_body reads the request body (ngx.req.read_body). */
static inline int32_t mg_req_read_body(void) { return mg_abi_req_read_body(); }
/* mg_req_discard_body discards the request body (ngx.req.discard_body). */
static inline int32_t mg_req_discard_body(void) { return mg_abi_req_discard_body(); }
/* mg_req_get_body_data writes the request body to buf; MG_ERR_NOT_FOUND
 * when it was not read or is empty (ngx.req.get_body_data). */
static inline int32_t mg_req_get_body_data(char *buf, int32_t cap) { return mg_abi_req_get_body_data(buf, cap); }
/* mg_req_set_body_data replaces the request body with the NUL-terminated
 * data (mg_abi_req_set_body_data takes any bytes). */
static inline int32_t mg_req_set_body_data(const char *data) { return mg_abi_req_set_body_data(data, mg_strlen(data)); }
/* mg_req_get_post_args writes at most max (0: all) form arguments to buf,
 * as a list (ngx.req.get_post_args). */
static inline int32_t mg_req_get_post_args(int32_t max, char *buf, int32_t cap) { return mg_abi_req_get_post_args(max, buf, cap); }

/* mg_req_get_body_file writes the name of the file the request body was
 * buffered to to buf; MG_ERR_NOT_FOUND when the body is in memory or not
 * read (ngx.req.get_body_file). */
static inline int32_t mg_req_get_body_file(char *buf, int32_t cap) { return mg_abi_req_get_body_file(buf, cap); }
/* mg_req_set_body_file makes the file path the request body; with
 * auto_clean the file is removed when the request ends
 * (ngx.req.set_body_file). */
static inline int32_t mg_req_set_body_file(const char *path, int32_t auto_clean) { return mg_abi_req_set_body_file(path, mg_strlen(path), auto_clean); }
/* mg_req_init_body starts a new, empty request body, in memory up to
 * buffer_size bytes (negative: the config's client_body_buffer_size; 0:
 * none), in a temporary file past that (ngx.req.init_body). */
static inline int32_t mg_req_init_body(int32_t buffer_size) { return mg_abi_req_init_body(buffer_size); }
/* mg_req_append_body appends the NUL-terminated data to the body
 * mg_req_init_body started (mg_abi_req_append_body takes any bytes)
 * (ngx.req.append_body). */
static inline int32_t mg_req_append_body(const char *data) { return mg_abi_req_append_body(data, mg_strlen(data)); }
/* mg_req_finish_body makes the body mg_req_init_body started the request
 * body (ngx.req.finish_body). */
static inline int32_t mg_req_finish_body(void) { return mg_abi_req_finish_body(); }

/* mg_resp_get_status returns the response status, 0 until set (ngx.status). */
static inline int32_t mg_resp_get_status(void) { return mg_abi_resp_get_status(); }
/* mg_resp_set_status sets the response status (ngx.status = status). */
static inline int32_t mg_resp_set_status(int32_t status) { return mg_abi_resp_set_status(status); }
/* mg_resp_get_header writes the first value of response header name to buf
 * (ngx.header[name]). */
static inline int32_t mg_resp_get_header(const char *name, char *buf, int32_t cap) { return mg_abi_resp_get_header(name, mg_strlen(name), buf, cap); }
/* mg_resp_get_headers writes at most max (0: all) response headers to buf,
 * as a list (ngx.resp.get_headers). */
static inline int32_t mg_resp_get_headers(int32_t max, int32_t raw, char *buf, int32_t cap) { return mg_abi_resp_get_headers(max, raw, buf, cap); }
/* mg_resp_set_header replaces response header name (ngx.header[name] = value). */
static inline int32_t mg_resp_set_header(const char *name, const char *value) { return mg_abi_resp_set_header(name, mg_strlen(name), value, mg_strlen(value)); }
/* mg_resp_add_header adds a value to response header name (ngx.resp.add_header). */
static inline int32_t mg_resp_add_header(const char *name, const char *value) { return mg_abi_resp_add_header(name, mg_strlen(name), value, mg_strlen(value)); }
/* mg_resp_clear_header removes response header name (ngx.header[name] = nil). */
static inline int32_t mg_resp_clear_header(const char *name) { return mg_abi_resp_clear_header(name, mg_strlen(name)); }
/* mg_say writes s and a newline to the response body (ngx.say). */
static inline int32_t mg_say(const char *s) { return mg_abi_say(s, mg_strlen(s)); }
/* mg_print writes s to the response body (ngx.print). */
static inline int32_t mg_print(const char *s) { return mg_abi_print(s, mg_strlen(s)); }
/* mg_flush sends the response written so far (ngx.flush). */
static inline int32_t mg_flush(void) { return mg_abi_flush(); }
/* mg_eof ends the response body (ngx.eof). */
static inline int32_t mg_eof(void) { return mg_abi_eof(); }
/* mg_send_headers sends the response headers (ngx.send_headers). */
static inline int32_t mg_send_headers(void) { return mg_abi_send_headers(); }
/* mg_headers_sent returns 1 once the response headers are sent, else 0. */
static inline int32_t mg_headers_sent(void) { return mg_abi_headers_sent(); }
/* mg_redirect sets Location to uri; the export then returns status, one of
 * 301, 302, 303, 307, 308 (ngx.redirect). */
static inline int32_t mg_redirect(const char *uri, int32_t status) { return mg_abi_redirect(uri, mg_strlen(uri), status); }
/* mg_exec redirects the request internally to uri with query string args
 * (NULL or "": none); the export then returns MG_CONTINUE at once, as
 * Lua's ngx.exec ends the hook, and the request is served by the route uri
 * matches (ngx.exec). */
static inline int32_t mg_exec(const char *uri, const char *args) { return mg_abi_exec(uri, mg_strlen(uri), args, mg_strlen(args)); }

/* mg_var_get writes ngx.var[name] to buf. */
static inline int32_t mg_var_get(const char *name, char *buf, int32_t cap) { return mg_abi_var_get(name, mg_strlen(name), buf, cap); }
/* mg_var_set sets ngx.var[name] = value. */
static inline int32_t mg_var_set(const char *name, const char *value) { return mg_abi_var_set(name, mg_strlen(name), value, mg_strlen(value)); }
/* mg_ctx_get writes the request's value for key (shared by the request's
 * Wasm hooks) to buf. */
static inline int32_t mg_ctx_get(const char *key, char *buf, int32_t cap) { return mg_abi_ctx_get(key, mg_strlen(key), buf, cap); }
/* mg_ctx_set sets the request's value for key. */
static inline int32_t mg_ctx_set(const char *key, const char *value) { return mg_abi_ctx_set(key, mg_strlen(key), value, mg_strlen(value)); }

/* mg_arg_get_chunk writes body_filter's current chunk to buf (ngx.arg[1]). */
static inline int32_t mg_arg_get_chunk(char *buf, int32_t cap) { return mg_abi_arg_get_chunk(buf, cap); }
/* mg_arg_set_chunk replaces the current chunk with the NUL-terminated chunk
 * (mg_abi_arg_set_chunk takes any bytes). */
static inline int32_t mg_arg_set_chunk(const char *chunk) { return mg_abi_arg_set_chunk(chunk, mg_strlen(chunk)); }
/* mg_arg_get_eof returns 1 when the current chunk is the last (ngx.arg[2]). */
static inline int32_t mg_arg_get_eof(void) { return mg_abi_arg_get_eof(); }
/* mg_arg_set_eof sets ngx.arg[2]; 1 ends the body after this chunk. */
static inline int32_t mg_arg_set_eof(int32_t eof) { return mg_abi_arg_set_eof(eof); }

/* mg_worker_id returns this instance's number within its pool (ngx.worker.id). */
static inline int32_t mg_worker_id(void) { return mg_abi_worker_id(); }
/* mg_worker_count returns the pool's size (ngx.worker.count). */
static inline int32_t mg_worker_count(void) { return mg_abi_worker_count(); }
/* mg_worker_pid returns the gateway's process id (ngx.worker.pid). */
static inline int32_t mg_worker_pid(void) { return mg_abi_worker_pid(); }
/* mg_worker_exiting returns 1 while the gateway shuts down. */
static inline int32_t mg_worker_exiting(void) { return mg_abi_worker_exiting(); }

/* mg_shdict_open returns the handle of the shared dict name
 * (ngx.shared[name]), valid for the instance's life; MG_ERR_NOT_FOUND when
 * the config declares none of that name. */
static inline int32_t mg_shdict_open(const char *name) { return mg_abi_shdict_open(name, mg_strlen(name)); }
/* mg_shdict_delete removes key (ngx.shared.DICT:delete). */
static inline int32_t mg_shdict_delete(int32_t h, const char *key) { return mg_abi_shdict_delete(h, key, mg_strlen(key)); }
/* mg_shdict_incr adds delta to key's number and stores the sum in *out;
 * MG_ERR_NOT_FOUND for a missing key (ngx.shared.DICT:incr). */
static inline int32_t mg_shdict_incr(int32_t h, const char *key, double delta, double *out) { return mg_abi_shdict_incr(h, key, mg_strlen(key), delta, 0, 0, 0, out); }
/* mg_shdict_incr_init is mg_shdict_incr that stores init + delta, expiring
 * after init_ttl seconds (0: never), when key is missing; it returns 1 when
 * that evicted live entries (forcible), else 0 (ngx.shared.DICT:incr with
 * init and init_ttl). */
static inline int32_t mg_shdict_incr_init(int32_t h, const char *key, double delta, double init, double init_ttl, double *out) { return mg_abi_shdict_incr(h, key, mg_strlen(key), delta, 1, init, init_ttl, out); }
/* mg_shdict_llen returns the length of key's list, 0 when key is missing
 * (ngx.shared.DICT:llen). */
static inline int32_t mg_shdict_llen(int32_t h, const char *key) { return mg_abi_shdict_llen(h, key, mg_strlen(key)); }
/* mg_shdict_ttl stores key's remaining time to live in seconds in *ttl (0:
 * none, negative: expired, not yet removed) (ngx.shared.DICT:ttl). */
static inline int32_t mg_shdict_ttl(int32_t h, const char *key, double *ttl) { return mg_abi_shdict_ttl(h, key, mg_strlen(key), ttl); }
/* mg_shdict_expire makes key expire ttl seconds from now, never when 0
 * (ngx.shared.DICT:expire). */
static inline int32_t mg_shdict_expire(int32_t h, const char *key, double ttl) { return mg_abi_shdict_expire(h, key, mg_strlen(key), ttl); }
/* mg_shdict_flush_all marks every entry expired (ngx.shared.DICT:flush_all). */
static inline int32_t mg_shdict_flush_all(int32_t h) { return mg_abi_shdict_flush_all(h); }
/* mg_shdict_flush_expired removes at most max expired entries (0: all) and
 * returns how many (ngx.shared.DICT:flush_expired). */
static inline int32_t mg_shdict_flush_expired(int32_t h, int32_t max) { return mg_abi_shdict_flush_expired(h, max); }
/* mg_shdict_capacity returns the dict's size in bytes, or a negative status
 * (ngx.shared.DICT:capacity). */
static inline double mg_shdict_capacity(int32_t h) { return mg_abi_shdict_capacity(h); }
/* mg_shdict_free_space returns the bytes still free, or a negative status
 * (ngx.shared.DICT:free_space). */
static inline double mg_shdict_free_space(int32_t h) { return mg_abi_shdict_free_space(h); }

/* The patterns of mg_tcp_receive other than a byte count (>= 0). */
enum {
	MG_RECEIVE_LINE = -1, /* "*l": a line, without its LF and any CR */
	MG_RECEIVE_ALL = -2   /* "*a": everything up to the end of the stream */
};
/* MG_NO_PORT is the port of mg_tcp_connect and mg_udp_setpeername for a
 * host "unix:/path". */
#define MG_NO_PORT (-1)

/* mg_sleep waits seconds (ngx.sleep); MG_ERR_BAD_ARGUMENT when negative. */
static inline int32_t mg_sleep(double seconds) { return mg_abi_sleep(seconds); }
/* mg_tcp_connect connects to host and port, or to host "unix:/path" with
 * MG_NO_PORT, taking an idle connection of pool (NULL or "": "host:port")
 * when there is one, and returns the socket's handle
 * (ngx.socket.tcp + tcpsock:connect); MG_ERR_FAILED: "connection
 * refused", "timeout"... */
static inline int32_t mg_tcp_connect(const char *host, int32_t port, const char *pool) { return mg_abi_tcp_connect(host, mg_strlen(host), port, pool, mg_strlen(pool)); }
/* mg_tcp_sslhandshake does a TLS handshake, with server_name (NULL or "":
 * none) as SNI; with verify the certificate must be trusted and name it
 * (tcpsock:sslhandshake). */
static inline int32_t mg_tcp_sslhandshake(int32_t h, const char *server_name, int32_t verify) { return mg_abi_tcp_sslhandshake(h, server_name, mg_strlen(server_name), verify); }
/* mg_tcp_send sends len bytes of data and returns len (tcpsock:send). */
static inline int32_t mg_tcp_send(int32_t h, const char *data, int32_t len) { return mg_abi_tcp_send(h, data, len); }
/* mg_tcp_settimeouts sets the connect, send and read timeouts in
 * milliseconds; 0 goes back to the config's (tcpsock:settimeouts). */
static inline int32_t mg_tcp_settimeouts(int32_t h, int32_t connect_ms, int32_t send_ms, int32_t read_ms) { return mg_abi_tcp_settimeouts(h, connect_ms, send_ms, read_ms); }
/* mg_tcp_setkeepalive puts the connection into the keep-alive pool and
 * closes the socket; timeout_ms 0: no idle limit, negative: the config's;
 * size <= 0: the config's pool_size (tcpsock:setkeepalive). */
static inline int32_t mg_tcp_setkeepalive(int32_t h, int32_t timeout_ms, int32_t size) { return mg_abi_tcp_setkeepalive(h, timeout_ms, size); }
/* mg_tcp_receiveuntil returns the handle of an iterator reading the
 * stream up to each occurrence of the NUL-terminated pattern, included in
 * the parts when inclusive is non-zero (tcpsock:receiveuntil);
 * MG_ERR_FAILED: "pattern is empty". mg_tcp_until_read reads its parts. */
static inline int32_t mg_tcp_receiveuntil(int32_t h, const char *pattern, int32_t inclusive) { return mg_abi_tcp_receiveuntil(h, pattern, mg_strlen(pattern), inclusive); }
/* mg_tcp_setoption sets option name (tcpsock:setoption): "keepalive",
 * "reuseaddr", "tcp-nodelay" (value 0 clears, any other sets), "sndbuf" or
 * "rcvbuf" (bytes); MG_ERR_FAILED: "unsupported option x", "closed"... */
static inline int32_t mg_tcp_setoption(int32_t h, const char *name, int32_t value) { return mg_abi_tcp_setoption(h, name, mg_strlen(name), value); }
/* mg_tcp_getreusedtimes returns how many times the connection was taken
 * from the pool (tcpsock:getreusedtimes). */
static inline int32_t mg_tcp_getreusedtimes(int32_t h) { return mg_abi_tcp_getreusedtimes(h); }
/* mg_tcp_close closes the connection (tcpsock:close). */
static inline int32_t mg_tcp_close(int32_t h) { return mg_abi_tcp_close(h); }
/* mg_udp_setpeername opens a datagram socket whose peer is host and port,
 * or host "unix:/path" with MG_NO_PORT, and returns its handle
 * (ngx.socket.udp + udpsock:setpeername). */
static inline int32_t mg_udp_setpeername(const char *host, int32_t port) { return mg_abi_udp_setpeername(host, mg_strlen(host), port); }
/* mg_udp_send sends len bytes of data as one datagram (udpsock:send). */
static inline int32_t mg_udp_send(int32_t h, const char *data, int32_t len) { return mg_abi_udp_send(h, data, len); }
/* mg_udp_receive receives one datagram, at most size bytes (<= 0: 8192),
 * into buf and returns its length (udpsock:receive); when that is over
 * cap nothing was written and the next call returns the same datagram,
 * so call again with a larger buf. MG_ERR_FAILED: "timeout", "closed",
 * "connection refused". */
static inline int32_t mg_udp_receive(int32_t h, int32_t size, char *buf, int32_t cap) { return mg_abi_udp_receive(h, size, buf, cap); }
/* mg_udp_settimeout sets the receive timeout in milliseconds; 0 goes back
 * to the config's (udpsock:settimeout). */
static inline int32_t mg_udp_settimeout(int32_t h, int32_t ms) { return mg_abi_udp_settimeout(h, ms); }
/* mg_udp_close closes the socket (udpsock:close). */
static inline int32_t mg_udp_close(int32_t h) { return mg_abi_udp_close(h); }

/* mg_timer_at arms a timer due delay seconds from now with arg (NULL: "")
 * and returns its id (ngx.timer.at). When it is due, the host calls the
 * guest's on_timer export on one of its instances, in the timer phase
 * (sleep, sockets and shared dicts work there; mg_timer_arg gives arg):
 *
 *     MG_EXPORT("on_timer") int32_t on_timer(int32_t id, int32_t premature) {
 *         ...
 *         return MG_CONTINUE;
 *     }
 *
 * premature is 1 when the plugin is being closed (a reload or shutdown)
 * before the timer was due. MG_ERR_FAILED: "too many pending timers",
 * "process exiting", "no on_timer export"; MG_ERR_BAD_ARGUMENT for a
 * negative delay. */
static inline int32_t mg_timer_at(double delay, const char *arg) { return mg_abi_timer_at(delay, arg, mg_strlen(arg)); }
/* mg_timer_every arms a timer run every delay seconds (> 0) until the
 * plugin is closed, when it runs once more with premature set; the id is
 * the same at every run (ngx.timer.every). */
static inline int32_t mg_timer_every(double delay, const char *arg) { return mg_abi_timer_every(delay, arg, mg_strlen(arg)); }
/* mg_timer_running_count returns how many of the plugin's on_timer calls
 * are running (ngx.timer.running_count). */
static inline int32_t mg_timer_running_count(void) { return mg_abi_timer_running_count(); }
/* mg_timer_pending_count returns how many of the plugin's timers wait to
 * run (ngx.timer.pending_count). */
static inline int32_t mg_timer_pending_count(void) { return mg_abi_timer_pending_count(); }

/* Flags of mg_capture_add, or-ed. */
enum {
	/* MG_CAPTURE_BODY: the subrequest's body is the body argument, empty
	 * included; without it a POST or PUT subrequest gets the parent's
	 * body (when read), the others none. */
	MG_CAPTURE_BODY = 1,
	/* MG_CAPTURE_COPY_ALL_VARS: copy_all_vars. */
	MG_CAPTURE_COPY_ALL_VARS = 2,
	/* MG_CAPTURE_SHARE_ALL_VARS: share_all_vars. */
	MG_CAPTURE_SHARE_ALL_VARS = 4,
	/* MG_CAPTURE_ALWAYS_FORWARD_BODY: always_forward_body, the parent's
	 * body whatever the method. */
	MG_CAPTURE_ALWAYS_FORWARD_BODY = 8
};

/* mg_capture_add queues a subrequest: method ("GET", ...; NULL or "" is
 * GET), uri, query string args, and body when flags has MG_CAPTURE_BODY.
 * It returns the subrequest's index in the queue (ngx.location.capture's
 * options). */
static inline int32_t mg_capture_add(const char *method, const char *uri, const char *args, const char *body, int32_t body_len, int32_t flags) { return mg_abi_capture_add(method, mg_strlen(method), uri, mg_strlen(uri), args, mg_strlen(args), body, body_len, flags); }
/* mg_capture_set_var sets variable name of queued subrequest i (the vars
 * option). */
static inline int32_t mg_capture_set_var(int32_t i, const char *name, const char *value) { return mg_abi_capture_set_var(i, name, mg_strlen(name), value, mg_strlen(value)); }
/* mg_capture_multi runs the queued subrequests at once and returns the
 * handle of the first response; subrequest i's is that handle + i
 * (ngx.location.capture_multi). */
static inline int32_t mg_capture_multi(void) { return mg_abi_capture_multi(); }
/* mg_capture runs one subrequest, without a body of its own, to uri with
 * query string args and returns its response's handle
 * (ngx.location.capture). */
static inline int32_t mg_capture(const char *method, const char *uri, const char *args)
{
	int32_t rc = mg_capture_add(method, uri, args, NULL, 0, 0);
	return rc < 0 ? rc : mg_capture_multi();
}
/* mg_capture_status returns the status of captured response h. */
static inline int32_t mg_capture_status(int32_t h) { return mg_abi_capture_status(h); }
/* mg_capture_headers writes the headers of response h to buf, as a list. */
static inline int32_t mg_capture_headers(int32_t h, char *buf, int32_t cap) { return mg_abi_capture_headers(h, buf, cap); }
/* mg_capture_body writes the body of response h to buf. */
static inline int32_t mg_capture_body(int32_t h, char *buf, int32_t cap) { return mg_abi_capture_body(h, buf, cap); }
/* mg_capture_truncated returns 1 when the body of response h was cut
 * short, else 0. */
static inline int32_t mg_capture_truncated(int32_t h) { return mg_abi_capture_truncated(h); }

/* MG_NO_CAPTURE is the offset of a group that took no part in a match. */
#define MG_NO_CAPTURE (-1)

/* mg_re_match finds the first match of the NUL-terminated pattern, with
 * OpenResty's option letters flags (NULL or "": none), in the subject_len
 * bytes at subject, at or after byte start (ngx.re.match). It returns the
 * number of groups plus one (group 0 is the whole match) and, when they fit
 * in ncaps int32_t, writes each group's start and end offsets to caps (-1
 * and -1 for a group without a match); MG_ERR_NOT_FOUND for no match,
 * MG_ERR_BAD_ARGUMENT for a pattern the host's engine refuses. */
static inline int32_t mg_re_match(const char *pattern, const char *flags, const char *subject, int32_t subject_len, int32_t start, int32_t *caps, int32_t ncaps)
{
	int32_t n = mg_abi_re_match(pattern, mg_strlen(pattern), flags, mg_strlen(flags), subject, subject_len, start, (char *)caps, ncaps * 4);
	return n < 0 ? n : n / 8;
}

/* ---- Layer 3: scratch helpers (see the top of this file). ---- */

/* mg_error_message returns the last error's message. */
char *mg_error_message(int32_t *len);
/* mg_config returns the hook's config as JSON ("null" when absent). */
char *mg_config(int32_t *len);
/* mg_method returns the request method. */
char *mg_method(int32_t *len);
/* mg_uri returns $uri. */
char *mg_uri(int32_t *len);
/* mg_header returns the first value of request header name. */
char *mg_header(const char *name, int32_t *len);
/* mg_headers returns the request headers as a list (see mg_list_init). */
char *mg_headers(int32_t max, int32_t raw, int32_t *len);
/* mg_uri_args returns the query arguments as a list. */
char *mg_uri_args(int32_t max, int32_t *len);
/* mg_post_args returns the form arguments as a list. */
char *mg_post_args(int32_t max, int32_t *len);
/* mg_raw_header returns the raw request header. */
char *mg_raw_header(int32_t no_request_line, int32_t *len);
/* mg_body returns the request body. */
char *mg_body(int32_t *len);
/* mg_resp_header returns the first value of response header name. */
char *mg_resp_header(const char *name, int32_t *len);
/* mg_resp_headers returns the response headers as a list. */
char *mg_resp_headers(int32_t max, int32_t raw, int32_t *len);
/* mg_var returns ngx.var[name]. */
char *mg_var(const char *name, int32_t *len);
/* mg_ctx returns the request's value for key. */
char *mg_ctx(const char *key, int32_t *len);
/* mg_chunk returns body_filter's current chunk. */
char *mg_chunk(int32_t *len);
/* mg_tcp_receive receives by pattern (tcpsock:receive). On an error
 * ("timeout", "closed") it returns NULL and mg_tcp_received gives the data
 * read before it, Lua's partial result. */
char *mg_tcp_receive(int32_t h, int32_t pattern, int32_t *len);
/* mg_tcp_receiveany receives what has arrived, at most max bytes
 * (tcpsock:receiveany); errors as mg_tcp_receive's. */
char *mg_tcp_receiveany(int32_t h, int32_t max, int32_t *len);
/* mg_tcp_received returns what the socket's last receive holds: the data
 * a failed receive read before its error. */
char *mg_tcp_received(int32_t h, int32_t *len);
/* mg_tcp_until_read reads the next part of iterator it of socket h
 * (iter(size) of tcpsock:receiveuntil): with size <= 0 the data up to the
 * pattern; with a size at most about size bytes at a time, then NULL with
 * MG_ERR_NOT_FOUND in *len once the pattern is reached (Lua's nil, nil),
 * after which it reads on to the next occurrence. Errors as
 * mg_tcp_receive's. */
char *mg_tcp_until_read(int32_t h, int32_t it, int32_t size, int32_t *len);
/* mg_body_file returns the name of the request body's file. */
char *mg_body_file(int32_t *len);
/* mg_captured_headers returns the headers of captured response h as a
 * list. */
char *mg_captured_headers(int32_t h, int32_t *len);
/* mg_captured_body returns the body of captured response h. */
char *mg_captured_body(int32_t h, int32_t *len);
/* mg_re_group_names returns the names of pattern's groups, from group 1,
 * as a list of keys without values ("" for an unnamed group). */
char *mg_re_group_names(const char *pattern, const char *flags, int32_t *len);
/* mg_re_sub returns the subject_len bytes at subject with the first match
 * of pattern replaced by tmpl ($0 the match, $1 or ${1} a group, $$ a
 * dollar), and the count of replacements in *count (ngx.re.sub). */
char *mg_re_sub(const char *pattern, const char *flags, const char *subject, int32_t subject_len, const char *tmpl, int32_t *count, int32_t *len);
/* mg_re_gsub is mg_re_sub replacing every match (ngx.re.gsub). */
char *mg_re_gsub(const char *pattern, const char *flags, const char *subject, int32_t subject_len, const char *tmpl, int32_t *count, int32_t *len);
/* mg_timer_arg returns the running timer's arg, in on_timer;
 * MG_ERR_NOT_FOUND elsewhere. */
char *mg_timer_arg(int32_t *len);

/* ---- Shared dict values ---- */

/* Kinds of shared dict values, the first byte of the value encoding. */
enum mg_kind {
	MG_NIL = 0,
	MG_BOOLEAN = 1,
	MG_NUMBER = 2,
	MG_STRING = 3
};

/* MG_VALUE_HEADER is the length of an encoded value's kind and flags. */
#define MG_VALUE_HEADER 5

/* mg_value is a shared dict value and its user flags. A boolean is num 0 or
 * 1; a string is len bytes at str, not NUL-terminated (but those the
 * helpers below return are). */
typedef struct {
	int32_t kind;   /* an mg_kind */
	uint32_t flags; /* the entry's user flags (ignored by list pushes) */
	double num;     /* a number, or a boolean's 0 or 1 */
	const char *str;
	int32_t len;
} mg_value;

/* mg_value_nil, mg_value_boolean, mg_value_number and mg_value_string make
 * values, with flags 0. */
static inline mg_value mg_value_nil(void) { mg_value v = {MG_NIL, 0, 0, NULL, 0}; return v; }
static inline mg_value mg_value_boolean(int b) { mg_value v = {MG_BOOLEAN, 0, b != 0, NULL, 0}; return v; }
static inline mg_value mg_value_number(double n) { mg_value v = {MG_NUMBER, 0, n, NULL, 0}; return v; }
static inline mg_value mg_value_string(const char *s, int32_t len) { mg_value v = {MG_STRING, 0, 0, s, len}; return v; }

/* mg_value_encode writes v in the value encoding of abi/ABI.md (kind:u8,
 * flags:u32, then the payload, little-endian) to out when it fits in cap
 * bytes, and returns its length; MG_ERR_BAD_ARGUMENT for an unknown kind.
 * v's string may overlap out. */
int32_t mg_value_encode(const mg_value *v, char *out, int32_t cap);

/* mg_value_decode reads the encoded value of len bytes at data into v, its
 * string pointing into data; it returns 0, or MG_ERR_BAD_ARGUMENT for a
 * malformed value. */
int32_t mg_value_decode(const char *data, int32_t len, mg_value *v);

/* ---- Shared dicts: scratch helpers ---- */

/* These take a NUL-terminated key and encode and decode values in the
 * scratch space: a value read stays valid only until the next scratch
 * helper call (a value read may be passed straight to a write). Each
 * returns a status: >= 0 on success, an MG_ERR_* on failure, whose
 * message (OpenResty's: "exists", "no memory", "not a number", ...) is
 * mg_error_message's. A missing or expired key is MG_ERR_NOT_FOUND. */

/* mg_shdict_get reads key's value and flags into v (ngx.shared.DICT:get). */
int32_t mg_shdict_get(int32_t h, const char *key, mg_value *v);
/* mg_shdict_get_stale is mg_shdict_get that also reads an expired value
 * not yet removed, setting *stale to 1 for it, else 0
 * (ngx.shared.DICT:get_stale). */
int32_t mg_shdict_get_stale(int32_t h, const char *key, mg_value *v, int32_t *stale);
/* mg_shdict_set stores v with its flags under key, expiring after ttl
 * seconds (0: never); a nil v deletes key. It returns 1 when it evicted
 * live entries to make room (forcible), else 0 (ngx.shared.DICT:set). */
int32_t mg_shdict_set(int32_t h, const char *key, const mg_value *v, double ttl);
/* mg_shdict_safe_set is mg_shdict_set that never evicts a live entry: "no
 * memory" instead (ngx.shared.DICT:safe_set). */
int32_t mg_shdict_safe_set(int32_t h, const char *key, const mg_value *v, double ttl);
/* mg_shdict_add is mg_shdict_set when key has no live value, "exists"
 * otherwise (ngx.shared.DICT:add). */
int32_t mg_shdict_add(int32_t h, const char *key, const mg_value *v, double ttl);
/* mg_shdict_safe_add is mg_shdict_add that never evicts a live entry. */
int32_t mg_shdict_safe_add(int32_t h, const char *key, const mg_value *v, double ttl);
/* mg_shdict_replace is mg_shdict_set when key has a live value,
 * MG_ERR_NOT_FOUND otherwise (ngx.shared.DICT:replace). */
int32_t mg_shdict_replace(int32_t h, const char *key, const mg_value *v, double ttl);
/* mg_shdict_lpush inserts v, a string or a number, at the head of key's
 * list and returns the list's length (ngx.shared.DICT:lpush). */
int32_t mg_shdict_lpush(int32_t h, const char *key, const mg_value *v);
/* mg_shdict_rpush is mg_shdict_lpush at the tail (ngx.shared.DICT:rpush). */
int32_t mg_shdict_rpush(int32_t h, const char *key, const mg_value *v);
/* mg_shdict_lpop removes the head of key's list and reads it into v
 * (ngx.shared.DICT:lpop). */
int32_t mg_shdict_lpop(int32_t h, const char *key, mg_value *v);
/* mg_shdict_rpop is mg_shdict_lpop at the tail (ngx.shared.DICT:rpop). */
int32_t mg_shdict_rpop(int32_t h, const char *key, mg_value *v);
/* mg_shdict_keys returns at most max keys (0: all) of live entries as a
 * list of keys without values, or NULL with the error in *len
 * (ngx.shared.DICT:get_keys). */
char *mg_shdict_keys(int32_t h, int32_t max, int32_t *len);

/* ---- Lists ---- */

/* MG_NO_VALUE is the value_len of a list entry without a value (a query
 * argument without "=", which Lua shows as true). */
#define MG_NO_VALUE (-1)

/* mg_list walks a list in the encoding of abi/ABI.md. */
typedef struct {
	const char *data;    /* the encoded list */
	int32_t len;         /* its length */
	uint32_t count;      /* number of pairs */
	uint32_t next;       /* index of the next pair */
	uint32_t off;        /* offset of the next pair's key */
} mg_list;

/* mg_pair is one entry of a list. key and value are not NUL-terminated;
 * value is NULL and value_len MG_NO_VALUE for an entry without a value. */
typedef struct {
	const char *key;
	int32_t key_len;
	const char *value;
	int32_t value_len;
} mg_pair;

/* mg_list_init starts walking the list of len bytes at data. It returns
 * the number of pairs, or MG_ERR_BAD_ARGUMENT when the header does not
 * fit in len bytes. */
int32_t mg_list_init(mg_list *l, const char *data, int32_t len);

/* mg_list_next reads the next pair into p. It returns 1 when it read one,
 * 0 at the end of the list, and MG_ERR_BAD_ARGUMENT when the pair runs
 * past the end of the data. */
int32_t mg_list_next(mg_list *l, mg_pair *p);

/* mg_list_get finds the first entry named key (compared exactly) and
 * stores it in p; it returns 1 when found, 0 when not, or
 * MG_ERR_BAD_ARGUMENT for a malformed list. */
int32_t mg_list_get(const char *data, int32_t len, const char *key, mg_pair *p);

/* ---- Config ---- */

/* mg_json_string looks up the string member name of the JSON text json
 * (len bytes), as in a plugin config such as {"key":"s3cret"}: the first
 * member of that name (as written, escapes not decoded) whose value is a
 * string, at any depth. Like the host functions, it returns the value's
 * length n and writes it to out only when n <= cap, decoding the escapes
 * \" \\ \/ \b \f \n \r \t (a \uXXXX escape is kept as written). It
 * returns MG_ERR_NOT_FOUND when there is no such member. It is a lookup for
 * small configs, not a JSON parser: it does not validate. */
int32_t mg_json_string(const char *json, int32_t len, const char *name, char *out, int32_t cap);

/* mg_equal reports whether the n bytes at a equal the NUL-terminated b. */
int mg_equal(const char *a, int32_t n, const char *b);

#ifdef __cplusplus
}
#endif

#endif /* MOONGATE_H */
