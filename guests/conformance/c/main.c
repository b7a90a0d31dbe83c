/*
 * The C conformance guest: it calls every host function of the moongate ABI
 * through the C SDK and reports one line per check, "PASS <function>" or
 * "FAIL <function>: <detail>". The gateway's test serves it on
 *
 *   location: /conformance, with rewrite, access, content, header_filter,
 *   body_filter and log all this module, config {"greeting": "hi", "n": 3},
 *
 * and sends POST /conformance?a=1&b=2&b=3&flag with the headers X-Test: yes,
 * X-Multi: 1, X-Multi: 2 and the body k=v&k2=v2; the config declares the
 * shared dict "conformance" of 64 KiB. Where the lines go:
 *
 *   rewrite, access   kept in ctx "conformance", said by content;
 *   content           said before eof; its checks of eof itself go to ctx
 *                     "conformance_late", logged by the log phase;
 *   header_filter     kept in ctx "conformance_hf", appended to the body by
 *                     body_filter on the last chunk, with body_filter's own
 *                     (earlier chunks' failures wait in ctx "conformance_bf");
 *   log               written to the error log at NOTICE as
 *                     "conformance: PASS ...".
 *
 * The config also names the ports of the servers access checks the
 * sockets against (check_sockets) and a file for the body file checks
 * ("body_file"). The subrequest and exec checks use routes of their own
 * (see EXEC_URI); exec's lines go to the error log.
 *
 * The test passes when no FAIL line appears and every function of abi.Funcs
 * has a PASS line. The Go conformance guest follows the same protocol.
 */
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "moongate.h"

#define KEY_LINES "conformance"
#define KEY_LATE "conformance_late"
#define KEY_HF "conformance_hf"
#define KEY_BF "conformance_bf"

#define QUERY "a=1&b=2&b=3&flag"
#define BODY "k=v&k2=v2"

/* ---- Reports ---- */

/* report collects the lines of one phase. Each phase has its own: the host
 * may run header_filter and body_filter while content is in a call. */
typedef struct {
	char buf[16384];
	int len;
} report;

static void add(report *r, const char *fmt, ...)
{
	va_list ap;
	int n;
	if (r->len >= (int)sizeof r->buf)
		return;
	va_start(ap, fmt);
	n = vsnprintf(r->buf + r->len, sizeof r->buf - r->len, fmt, ap);
	va_end(ap);
	if (n > 0)
		r->len += n;
	if (r->len >= (int)sizeof r->buf) { /* full: end the cut line */
		r->len = sizeof r->buf - 1;
		r->buf[r->len - 1] = '\n';
	}
}

static void pass(report *r, const char *fn) { add(r, "PASS %s\n", fn); }

/* check records a PASS line for fn when ok, else a FAIL line with the
 * printf-style detail. It returns ok. */
static int check(report *r, const char *fn, int ok, const char *fmt, ...)
{
	va_list ap;
	char detail[512];
	if (ok) {
		pass(r, fn);
		return 1;
	}
	va_start(ap, fmt);
	vsnprintf(detail, sizeof detail, fmt, ap);
	va_end(ap);
	add(r, "FAIL %s: %s\n", fn, detail);
	return 0;
}

/* ---- Buffers and helpers ---- */

static char buf[65536];

/* last_error returns the last error's message, NUL-terminated, in a buffer
 * of its own. */
static const char *last_error(void)
{
	static char msg[1024];
	int32_t n = mg_abi_last_error(msg, sizeof msg - 1);
	if (n < 0 || n > (int32_t)sizeof msg - 1)
		n = 0;
	msg[n] = '\0';
	return msg;
}

static int same(const char *s, int32_t n, const char *want)
{
	return n >= 0 && (size_t)n == strlen(want) && memcmp(s, want, n) == 0;
}

/* expect_str checks that a host function wrote want: rc is its result,
 * out its buffer. */
static int expect_str(report *r, const char *fn, int32_t rc, const char *out, const char *want)
{
	if (rc > 0 && rc <= (int32_t)sizeof buf)
		return check(r, fn, same(out, rc, want), "got \"%.*s\", want \"%s\"", (int)rc, out, want);
	return check(r, fn, same(out, rc, want), "returned %d, want \"%s\"", (int)rc, want);
}

static int expect_status(report *r, const char *fn, int32_t rc, int32_t want)
{
	if (rc < 0 && want >= 0)
		return check(r, fn, 0, "returned %d (%s), want %d", (int)rc, last_error(), (int)want);
	return check(r, fn, rc == want, "returned %d, want %d", (int)rc, (int)want);
}

static int expect_ok(report *r, const char *fn, int32_t rc)
{
	return check(r, fn, rc >= 0, "returned %d (%s)", (int)rc, last_error());
}

/* expect_error checks that a call failed with status want and, when msg is
 * not NULL, that last_error says msg; the message check is last_error's. */
static void expect_error(report *r, const char *fn, int32_t rc, int32_t want, const char *msg)
{
	const char *got;
	if (!check(r, fn, rc == want, "returned %d, want %d", (int)rc, (int)want) || msg == NULL)
		return;
	got = last_error();
	check(r, "last_error", strcmp(got, msg) == 0, "after %s: got \"%s\", want \"%s\"", fn, got, msg);
}

/* expect_phase_error checks that a call was refused in this phase, whose
 * context name is ctx ("rewrite_by_lua*"). */
static void expect_phase_error(report *r, const char *fn, int32_t rc, const char *ctx)
{
	char msg[128];
	snprintf(msg, sizeof msg, "API disabled in the context of %s", ctx);
	expect_error(r, fn, rc, MG_ERR_PHASE, msg);
}

/* out_of_bounds returns the address just past the end of linear memory:
 * any string or buffer there is outside it. */
static char *out_of_bounds(void)
{
	return (char *)(__builtin_wasm_memory_size(0) * 65536);
}

/* ctx_read reads ctx key into out (cap bytes, NUL-terminated); a missing
 * key reads as "". It returns the length, or a negative status. */
static int32_t ctx_read(const char *key, char *out, int32_t cap)
{
	int32_t n = mg_ctx_get(key, out, cap - 1);
	if (n == MG_ERR_NOT_FOUND)
		n = 0;
	if (n < 0 || n > cap - 1)
		return n < 0 ? n : MG_ERR_FAILED;
	out[n] = '\0';
	return n;
}

/* ctx_append adds r's lines to ctx key, after what it holds. */
static void ctx_append(report *r, const char *key)
{
	static char old[65536];
	int32_t n = ctx_read(key, old, sizeof old);
	if (n < 0) {
		add(r, "FAIL ctx_get: reading %s returned %d\n", key, (int)n);
		n = 0;
	}
	if ((size_t)n + r->len > sizeof old) {
		add(r, "FAIL ctx_set: %s too long\n", key);
		return;
	}
	memcpy(old + n, r->buf, r->len);
	mg_abi_ctx_set(key, strlen(key), old, n + r->len);
}

/* ---- Lists ---- */

typedef int32_t (*list_getter)(int32_t a, int32_t b, char *out, int32_t cap);

static int32_t get_uri_args(int32_t max, int32_t unused, char *out, int32_t cap) { (void)unused; return mg_abi_req_get_uri_args(max, out, cap); }
static int32_t get_post_args(int32_t max, int32_t unused, char *out, int32_t cap) { (void)unused; return mg_abi_req_get_post_args(max, out, cap); }
static int32_t get_req_headers(int32_t max, int32_t raw, char *out, int32_t cap) { return mg_abi_req_get_headers(max, raw, out, cap); }
static int32_t get_resp_headers(int32_t max, int32_t raw, char *out, int32_t cap) { return mg_abi_resp_get_headers(max, raw, out, cap); }

/* list_text renders a list as "k=v&k2&..." (an entry without a value as its
 * key alone) into out, for comparing and for FAIL details. It returns -1
 * for a malformed list. */
static int list_text(const char *data, int32_t len, char *out, size_t cap)
{
	mg_list l;
	mg_pair p;
	size_t n = 0;
	int rc;
	out[0] = '\0';
	if (mg_list_init(&l, data, len) < 0)
		return -1;
	while ((rc = mg_list_next(&l, &p)) == 1) {
		int w;
		if (p.value_len == MG_NO_VALUE)
			w = snprintf(out + n, cap - n, "%s%.*s", n ? "&" : "", (int)p.key_len, p.key);
		else
			w = snprintf(out + n, cap - n, "%s%.*s=%.*s", n ? "&" : "", (int)p.key_len, p.key,
				     (int)p.value_len, p.value);
		if (w < 0 || (size_t)w >= cap - n)
			return -1;
		n += w;
	}
	return rc < 0 ? -1 : 0;
}

/* fetch_list calls get(a, b) into buf and renders the list into text; it
 * returns the list's length, or records a FAIL and returns -1. */
static int32_t fetch_list(report *r, const char *fn, list_getter get, int32_t a, int32_t b, char *text, size_t cap)
{
	int32_t n = get(a, b, buf, sizeof buf);
	if (n < 0 || n > (int32_t)sizeof buf) {
		check(r, fn, 0, "returned %d (%s)", (int)n, last_error());
		return -1;
	}
	if (list_text(buf, n, text, cap) < 0) {
		check(r, fn, 0, "malformed list of %d bytes", (int)n);
		return -1;
	}
	return n;
}

/* expect_list checks that get(a, b) returns the list want (as list_text
 * renders it). */
static void expect_list(report *r, const char *fn, list_getter get, int32_t a, int32_t b, const char *want)
{
	static char text[8192];
	if (fetch_list(r, fn, get, a, b, text, sizeof text) >= 0)
		check(r, fn, strcmp(text, want) == 0, "got \"%s\", want \"%s\"", text, want);
}

/* entry is one expected list entry. */
typedef struct {
	const char *name, *value;
} entry;

/* list_has reports whether the list of len bytes in buf has the entry e,
 * its name compared exactly. */
static int list_has(int32_t len, entry e)
{
	mg_list l;
	mg_pair p;
	if (mg_list_init(&l, buf, len) < 0)
		return 0;
	while (mg_list_next(&l, &p) == 1)
		if (mg_equal(p.key, p.key_len, e.name) && p.value_len != MG_NO_VALUE && mg_equal(p.value, p.value_len, e.value))
			return 1;
	return 0;
}

/* lower_names reports whether no name in the list of len bytes in buf has
 * an upper-case letter. */
static int lower_names(int32_t len)
{
	mg_list l;
	mg_pair p;
	int32_t i;
	if (mg_list_init(&l, buf, len) < 0)
		return 0;
	while (mg_list_next(&l, &p) == 1)
		for (i = 0; i < p.key_len; i++)
			if (p.key[i] >= 'A' && p.key[i] <= 'Z')
				return 0;
	return 1;
}

/* expect_headers checks a header list (request or response, from get):
 * not raw, its names are lower-case and it has every entry of want (ended
 * by a NULL name); raw, it has raw_entry, spelt as sent. */
static void expect_headers(report *r, const char *fn, list_getter get, const entry *want, entry raw_entry)
{
	static char text[16384];
	int32_t n = fetch_list(r, fn, get, 0, 0, text, sizeof text);
	if (n < 0)
		return;
	check(r, fn, lower_names(n), "names not lower-cased: %s", text);
	for (; want->name != NULL; want++)
		check(r, fn, list_has(n, *want), "no %s=%s in %s", want->name, want->value, text);
	n = fetch_list(r, fn, get, 0, 1, text, sizeof text);
	if (n >= 0)
		check(r, fn, list_has(n, raw_entry), "raw: no %s=%s in %s", raw_entry.name, raw_entry.value, text);
}

/* ---- Checks shared by several phases ---- */

static void check_phase(report *r, int32_t want)
{
	expect_status(r, "get_phase", mg_get_phase(), want);
}

/* json_int looks up the member name of the flat JSON object json, a
 * non-negative integer; it returns 1 and sets *out when found. */
static int json_int(const char *json, const char *name, int32_t *out)
{
	char key[64];
	const char *p;
	int32_t v = 0;
	snprintf(key, sizeof key, "\"%s\"", name);
	if ((p = strstr(json, key)) == NULL)
		return 0;
	p += strlen(key);
	p += strspn(p, " \t\r\n:");
	if (*p < '0' || *p > '9')
		return 0;
	while (*p >= '0' && *p <= '9')
		v = v * 10 + (*p++ - '0');
	if (*p == '\0' || strchr(",} \t\r\n", *p) == NULL)
		return 0;
	*out = v;
	return 1;
}

/* read_config reads the hook's config into buf, NUL-terminated; it returns
 * its length, or a negative status. */
static int32_t read_config(void)
{
	int32_t n = mg_plugin_config(buf, sizeof buf - 1);
	if (n < 0 || n > (int32_t)sizeof buf - 1)
		return n < 0 ? n : MG_ERR_FAILED;
	buf[n] = '\0';
	return n;
}

static void check_config(report *r)
{
	int32_t n = read_config(), num;
	char greeting[16];
	if (!check(r, "plugin_config", n > 0, "returned %d", (int)n))
		return;
	check(r, "plugin_config", mg_json_string(buf, n, "greeting", greeting, sizeof greeting) == 2 &&
		  memcmp(greeting, "hi", 2) == 0, "no greeting \"hi\" in %s", buf);
	check(r, "plugin_config", json_int(buf, "n", &num) && num == 3, "no n 3 in %s", buf);
}

static void check_workers(report *r)
{
	int32_t id = mg_worker_id(), count = mg_worker_count();
	check(r, "worker_count", count >= 1, "returned %d", (int)count);
	check(r, "worker_id", id >= 0 && id < count, "returned %d of %d", (int)id, (int)count);
	check(r, "worker_pid", mg_worker_pid() > 0, "returned %d", (int)mg_worker_pid());
	expect_status(r, "worker_exiting", mg_worker_exiting(), 0);
}

static void check_method(report *r)
{
	expect_str(r, "req_get_method", mg_req_get_method(buf, sizeof buf), buf, "POST");
}

static void check_resp_header(report *r, const char *name, const char *want)
{
	expect_str(r, "resp_get_header", mg_resp_get_header(name, buf, sizeof buf), buf, want);
}

/* check_buffers checks the buffer protocol: a too-small buffer gets the
 * needed length and nothing written; a buffer or string outside memory is
 * MG_ERR_BAD_ARGUMENT. */
static void check_buffers(report *r)
{
	char small[4] = {'#', '#', '#', '#'};
	int32_t n = mg_abi_req_get_method(small, 2);
	check(r, "req_get_method", n == 4 && memcmp(small, "####", 4) == 0,
	      "with 2 bytes: returned %d, buffer \"%.4s\"", (int)n, small);
	expect_status(r, "req_get_method", mg_abi_req_get_method(NULL, 0), 4);
	n = mg_abi_req_get_header("x-test", 6, small, 1);
	check(r, "req_get_header", n == 3 && small[0] == '#', "with 1 byte: returned %d", (int)n);
	expect_error(r, "req_get_method", mg_abi_req_get_method(out_of_bounds(), 16), MG_ERR_BAD_ARGUMENT, NULL);
	expect_error(r, "req_get_header", mg_abi_req_get_header(out_of_bounds(), 16, buf, sizeof buf),
		     MG_ERR_BAD_ARGUMENT, NULL);
	expect_error(r, "log", mg_abi_log(MG_NOTICE, out_of_bounds(), 16), MG_ERR_BAD_ARGUMENT, NULL);
}

/* ---- Shared dicts ---- */

/* The dict the test route's config declares (shared_dicts:
 * {conformance: 64k}); only this guest uses it. */
#define DICT "conformance"
#define DICT_CAPACITY 65536
/* rewrite's marker, which log reads back, and log's greeting to the
 * gateway's Lua, which the test reads. */
#define KEY_MARKER "phase_marker"
#define KEY_FROM_WASM "from_wasm"

/* dict is the dict's handle, opened once per instance. */
static int32_t dict = -1;
/* blob holds the large values. */
static char blob[DICT_CAPACITY];

static int32_t open_dict(report *r)
{
	if (dict >= 0)
		return dict;
	expect_error(r, "shdict_open", mg_shdict_open("no_such_dict"), MG_ERR_NOT_FOUND, "no shared dict \"no_such_dict\"");
	dict = mg_shdict_open(DICT);
	expect_ok(r, "shdict_open", dict);
	return dict;
}

static mg_value with_flags(mg_value v, uint32_t flags)
{
	v.flags = flags;
	return v;
}

static int same_value(const mg_value *a, const mg_value *b)
{
	return a->kind == b->kind && a->flags == b->flags && a->num == b->num && a->len == b->len &&
	       (a->len == 0 || memcmp(a->str, b->str, a->len) == 0);
}

/* expect_read checks that v, read by fn with status rc, is want. */
static void expect_read(report *r, const char *fn, int32_t rc, const mg_value *v, mg_value want)
{
	if (rc < 0)
		check(r, fn, 0, "returned %d (%s)", (int)rc, last_error());
	else
		check(r, fn, same_value(v, &want), "got kind %d flags %u num %g \"%.*s\", want kind %d flags %u num %g \"%.*s\"",
		      (int)v->kind, (unsigned)v->flags, v->num, (int)(v->len < 64 ? v->len : 64), v->str ? v->str : "",
		      (int)want.kind, (unsigned)want.flags, want.num, (int)(want.len < 64 ? want.len : 64),
		      want.str ? want.str : "");
}

/* expect_value checks that key holds want. */
static void expect_value(report *r, const char *fn, int32_t h, const char *key, mg_value want)
{
	mg_value v;
	int32_t rc = mg_shdict_get(h, key, &v);
	expect_read(r, fn, rc, &v, want);
}

static void expect_missing(report *r, const char *fn, int32_t h, const char *key)
{
	mg_value v;
	expect_error(r, fn, mg_shdict_get(h, key, &v), MG_ERR_NOT_FOUND, "not found");
}

static void clear_dict(report *r, int32_t h)
{
	expect_ok(r, "shdict_flush_all", mg_shdict_flush_all(h));
	expect_ok(r, "shdict_flush_expired", mg_shdict_flush_expired(h, 0));
}

static void check_dict_values(report *r, int32_t h)
{
	mg_value hello = with_flags(mg_value_string("hello", 5), 7), v;
	const mg_value typed[] = {
		with_flags(mg_value_number(-1.5), 0xFFFFFFFFu), with_flags(mg_value_number(1e300), 1),
		mg_value_boolean(1), mg_value_boolean(0), mg_value_string("", 0), mg_value_string("a\0b", 3),
	};
	size_t i;

	expect_status(r, "shdict_set", mg_shdict_set(h, "s", &hello, 0), 0);
	expect_value(r, "shdict_get", h, "s", hello);
	for (i = 0; i < sizeof typed / sizeof typed[0]; i++) {
		expect_status(r, "shdict_set", mg_shdict_set(h, "typed", &typed[i], 0), 0);
		expect_value(r, "shdict_get", h, "typed", typed[i]);
	}
	expect_missing(r, "shdict_get", h, "absent");
	expect_error(r, "shdict_get", mg_shdict_get(h, "", &v), MG_ERR_BAD_ARGUMENT, "empty key");

	v = mg_value_number(1);
	expect_error(r, "shdict_add", mg_shdict_add(h, "s", &v, 0), MG_ERR_FAILED, "exists");
	expect_status(r, "shdict_add", mg_shdict_add(h, "a", &v, 0), 0);
	expect_value(r, "shdict_add", h, "a", v);
	v = mg_value_nil();
	expect_error(r, "shdict_add", mg_shdict_add(h, "nil", &v, 0), MG_ERR_BAD_ARGUMENT,
		     "attempt to add or replace nil values");
	v = with_flags(mg_value_boolean(1), 2);
	expect_error(r, "shdict_safe_add", mg_shdict_safe_add(h, "s", &v, 0), MG_ERR_FAILED, "exists");
	expect_status(r, "shdict_safe_add", mg_shdict_safe_add(h, "sa", &v, 0), 0);
	expect_value(r, "shdict_safe_add", h, "sa", v);
	v = mg_value_string("world", 5);
	expect_status(r, "shdict_replace", mg_shdict_replace(h, "s", &v, 0), 0);
	expect_value(r, "shdict_replace", h, "s", v);
	expect_error(r, "shdict_replace", mg_shdict_replace(h, "absent", &v, 0), MG_ERR_NOT_FOUND, "not found");
	v = with_flags(mg_value_number(3), 1);
	expect_status(r, "shdict_safe_set", mg_shdict_safe_set(h, "ss", &v, 0), 0);
	expect_value(r, "shdict_safe_set", h, "ss", v);

	v = mg_value_nil(); /* a nil value deletes */
	expect_status(r, "shdict_set", mg_shdict_set(h, "s", &v, 0), 0);
	expect_missing(r, "shdict_set", h, "s");
	expect_ok(r, "shdict_delete", mg_shdict_delete(h, "a"));
	expect_missing(r, "shdict_delete", h, "a");
	expect_ok(r, "shdict_delete", mg_shdict_delete(h, "absent"));
	expect_error(r, "shdict_delete", mg_shdict_delete(h, ""), MG_ERR_BAD_ARGUMENT, "empty key");
}

static void check_dict_incr(report *r, int32_t h)
{
	double n = 0, ttl = -1;
	mg_value s = mg_value_string("x", 1);
	int32_t rc;

	expect_error(r, "shdict_incr", mg_shdict_incr(h, "n", 1, &n), MG_ERR_NOT_FOUND, "not found");
	rc = mg_shdict_incr_init(h, "n", 1, 10, 0, &n);
	check(r, "shdict_incr", rc == 0 && n == 11, "init 10 + 1: returned %d, %g", (int)rc, n);
	rc = mg_shdict_incr(h, "n", 2.5, &n);
	check(r, "shdict_incr", rc == 0 && n == 13.5, "+ 2.5: returned %d, %g", (int)rc, n);
	rc = mg_shdict_incr_init(h, "n", -3.5, 100, 3600, &n); /* init is only for a missing key */
	check(r, "shdict_incr", rc == 0 && n == 10, "- 3.5: returned %d, %g", (int)rc, n);
	rc = mg_shdict_ttl(h, "n", &ttl);
	check(r, "shdict_incr", rc == 0 && ttl == 0, "ttl returned %d, %g", (int)rc, ttl);
	rc = mg_shdict_incr_init(h, "n2", 1, 0, 60, &n);
	check(r, "shdict_incr", rc == 0 && n == 1, "init 0 + 1: returned %d, %g", (int)rc, n);
	rc = mg_shdict_ttl(h, "n2", &ttl);
	check(r, "shdict_incr", rc == 0 && ttl > 59 && ttl <= 60, "init_ttl 60: ttl returned %d, %g", (int)rc, ttl);
	expect_status(r, "shdict_set", mg_shdict_set(h, "s", &s, 0), 0);
	expect_error(r, "shdict_incr", mg_shdict_incr(h, "s", 1, &n), MG_ERR_FAILED, "not a number");
	expect_error(r, "shdict_incr", mg_abi_shdict_incr(h, "n", 1, 1, 0, 0, 5, &n), MG_ERR_BAD_ARGUMENT,
		     "must provide \"init\" when providing \"init_ttl\"");
	expect_error(r, "shdict_incr", mg_abi_shdict_incr(h, "n", 1, 1, 0, 0, 0, (double *)out_of_bounds()),
		     MG_ERR_BAD_ARGUMENT, NULL);
	expect_value(r, "shdict_incr", h, "n", mg_value_number(10));
}

/* check_dict_lists checks the list functions, a value larger than the
 * SDK's scratch space among them (its pop retries with more space). */
static void check_dict_lists(report *r, int32_t h)
{
	mg_value v = mg_value_string("a", 1), got;
	int32_t rc;

	expect_status(r, "shdict_lpush", mg_shdict_lpush(h, "l", &v), 1);
	v = mg_value_number(2);
	expect_status(r, "shdict_rpush", mg_shdict_rpush(h, "l", &v), 2);
	v = mg_value_string("z", 1);
	expect_status(r, "shdict_lpush", mg_shdict_lpush(h, "l", &v), 3);
	expect_status(r, "shdict_llen", mg_shdict_llen(h, "l"), 3);
	rc = mg_shdict_lpop(h, "l", &got);
	expect_read(r, "shdict_lpop", rc, &got, mg_value_string("z", 1));
	rc = mg_shdict_rpop(h, "l", &got);
	expect_read(r, "shdict_rpop", rc, &got, mg_value_number(2));

	memset(blob, 'b', 20000);
	v = mg_value_string(blob, 20000);
	expect_status(r, "shdict_rpush", mg_shdict_rpush(h, "l", &v), 2);
	rc = mg_shdict_rpop(h, "l", &got);
	check(r, "shdict_rpop", rc == 0 && got.len == 20000 && memcmp(got.str, blob, 20000) == 0,
	      "a 20000-byte value: returned %d, %d bytes", (int)rc, (int)got.len);
	expect_status(r, "shdict_llen", mg_shdict_llen(h, "l"), 1);

	rc = mg_shdict_lpop(h, "l", &got);
	expect_read(r, "shdict_lpop", rc, &got, mg_value_string("a", 1));
	expect_error(r, "shdict_lpop", mg_shdict_lpop(h, "l", &got), MG_ERR_NOT_FOUND, "not found");
	expect_error(r, "shdict_rpop", mg_shdict_rpop(h, "l", &got), MG_ERR_NOT_FOUND, "not found");
	expect_status(r, "shdict_llen", mg_shdict_llen(h, "l"), 0);

	v = mg_value_boolean(1);
	expect_error(r, "shdict_lpush", mg_shdict_lpush(h, "l", &v), MG_ERR_BAD_ARGUMENT, "bad value type");
	v = mg_value_string("x", 1);
	expect_error(r, "shdict_rpush", mg_shdict_rpush(h, "s", &v), MG_ERR_FAILED, "value not a list");
	expect_error(r, "shdict_llen", mg_shdict_llen(h, "s"), MG_ERR_FAILED, "value not a list");
	expect_error(r, "shdict_lpop", mg_shdict_lpop(h, "s", &got), MG_ERR_FAILED, "value not a list");
	expect_status(r, "shdict_lpush", mg_shdict_lpush(h, "l", &v), 1);
	expect_error(r, "shdict_get", mg_shdict_get(h, "l", &got), MG_ERR_FAILED, "value is a list");
}

static void check_dict_ttl(report *r, int32_t h)
{
	mg_value v = with_flags(mg_value_string("v", 1), 3), got;
	double ttl = -1;
	int32_t rc, stale = -1;

	expect_status(r, "shdict_set", mg_shdict_set(h, "t", &v, 100), 0);
	rc = mg_shdict_ttl(h, "t", &ttl);
	check(r, "shdict_ttl", rc == 0 && ttl > 99 && ttl <= 100, "returned %d, %g", (int)rc, ttl);
	expect_ok(r, "shdict_expire", mg_shdict_expire(h, "t", 0));
	rc = mg_shdict_ttl(h, "t", &ttl);
	check(r, "shdict_expire", rc == 0 && ttl == 0, "expire 0: ttl returned %d, %g", (int)rc, ttl);
	expect_ok(r, "shdict_expire", mg_shdict_expire(h, "t", 2));
	rc = mg_shdict_ttl(h, "t", &ttl);
	check(r, "shdict_expire", rc == 0 && ttl > 1 && ttl <= 2, "expire 2: ttl returned %d, %g", (int)rc, ttl);
	expect_error(r, "shdict_expire", mg_shdict_expire(h, "absent", 1), MG_ERR_NOT_FOUND, "not found");
	expect_error(r, "shdict_expire", mg_shdict_expire(h, "t", -1), MG_ERR_BAD_ARGUMENT, "bad \"exptime\" argument");
	expect_error(r, "shdict_ttl", mg_shdict_ttl(h, "absent", &ttl), MG_ERR_NOT_FOUND, "not found");
	expect_error(r, "shdict_set", mg_shdict_set(h, "t2", &v, -1), MG_ERR_BAD_ARGUMENT, "bad \"exptime\" argument");

	rc = mg_shdict_get_stale(h, "t", &got, &stale);
	check(r, "shdict_get_stale", rc == 0 && stale == 0 && same_value(&got, &v), "live: returned %d, stale %d",
	      (int)rc, (int)stale);
	expect_ok(r, "shdict_flush_all", mg_shdict_flush_all(h));
	expect_missing(r, "shdict_flush_all", h, "t");
	rc = mg_shdict_get_stale(h, "t", &got, &stale);
	check(r, "shdict_get_stale", rc == 0 && stale == 1 && same_value(&got, &v), "flushed: returned %d, stale %d",
	      (int)rc, (int)stale);
	expect_status(r, "shdict_flush_expired", mg_shdict_flush_expired(h, 1), 1);
	rc = mg_shdict_flush_expired(h, 0);
	check(r, "shdict_flush_expired", rc >= 1, "returned %d", (int)rc);
	expect_error(r, "shdict_get_stale", mg_shdict_get_stale(h, "t", &got, &stale), MG_ERR_NOT_FOUND, "not found");
}

static void check_dict_keys(report *r, int32_t h)
{
	mg_value one = mg_value_number(1);
	mg_list l;
	mg_pair p;
	const char *keys;
	int32_t len, seen = 0;

	clear_dict(r, h);
	expect_status(r, "shdict_set", mg_shdict_set(h, "k1", &one, 0), 0);
	expect_status(r, "shdict_set", mg_shdict_set(h, "k2", &one, 0), 0);
	expect_status(r, "shdict_set", mg_shdict_set(h, "k3", &one, 0), 0);
	keys = mg_shdict_keys(h, 0, &len);
	if (check(r, "shdict_get_keys", keys != NULL && mg_list_init(&l, keys, len) == 3, "returned %d", (int)len)) {
		while (mg_list_next(&l, &p) == 1)
			if (p.value_len == MG_NO_VALUE && (mg_equal(p.key, p.key_len, "k1") || mg_equal(p.key, p.key_len, "k2") ||
							    mg_equal(p.key, p.key_len, "k3")))
				seen++;
		check(r, "shdict_get_keys", seen == 3, "%d of k1, k2, k3", (int)seen);
	}
	keys = mg_shdict_keys(h, 2, &len);
	check(r, "shdict_get_keys", keys != NULL && mg_list_init(&l, keys, len) == 2, "at most 2: returned %d", (int)len);
}

/* check_dict_full fills the dict: set evicts and says so, the safe writes
 * and the list pushes do not. */
static void check_dict_full(report *r, int32_t h)
{
	char key[16];
	mg_value v;
	int32_t rc = 0, i;
	double free;

	clear_dict(r, h);
	memset(blob, 'f', 4000);
	v = mg_value_string(blob, 4000);
	for (i = 0; i < 2 * DICT_CAPACITY / 4000 && rc == 0; i++) {
		snprintf(key, sizeof key, "fill%d", (int)i);
		rc = mg_shdict_set(h, key, &v, 0);
	}
	check(r, "shdict_set", rc == 1, "filling the dict: returned %d (%s)", (int)rc, last_error());
	expect_status(r, "shdict_add", mg_shdict_add(h, "fill_add", &v, 0), 1);
	free = mg_shdict_free_space(h);
	check(r, "shdict_free_space", free >= 0 && free < 4200, "full: %g bytes free", free);
	if (free < 0 || free >= 4200)
		return;
	memset(blob, 'g', sizeof blob);
	v = mg_value_string(blob, (int32_t)free + 1);
	expect_error(r, "shdict_safe_set", mg_shdict_safe_set(h, "safe", &v, 0), MG_ERR_FAILED, "no memory");
	expect_error(r, "shdict_safe_add", mg_shdict_safe_add(h, "safe", &v, 0), MG_ERR_FAILED, "no memory");
	expect_error(r, "shdict_rpush", mg_shdict_rpush(h, "safe", &v), MG_ERR_FAILED, "no memory");
	v = mg_value_string(blob, DICT_CAPACITY);
	expect_error(r, "shdict_set", mg_shdict_set(h, "huge", &v, 0), MG_ERR_FAILED, "no memory");
}

/* check_dict_raw checks the value encoding and the buffer rules through
 * the imports. */
static void check_dict_raw(report *r, int32_t h)
{
	static const char value[] = "\x02\x05\x00\x00\x00\x00\x00\x00\x00\x00\x00\x45\x40"; /* 42, flags 5 */
	char small[16];
	int32_t n;

	expect_error(r, "shdict_set", mg_abi_shdict_set(h, "raw", 3, "\x09\x00\x00\x00\x00", 5, 0), MG_ERR_BAD_ARGUMENT, NULL);
	expect_status(r, "shdict_set", mg_abi_shdict_set(h, "raw", 3, value, sizeof value - 1, 0), 0);
	expect_value(r, "shdict_set", h, "raw", with_flags(mg_value_number(42), 5));
	memset(small, '#', sizeof small);
	n = mg_abi_shdict_get(h, "raw", 3, small, 12);
	check(r, "shdict_get", n == 13 && small[0] == '#', "with 12 bytes: returned %d", (int)n);
	n = mg_abi_shdict_get(h, "raw", 3, small, sizeof small);
	check(r, "shdict_get", n == 13 && memcmp(small, value, 13) == 0, "returned %d", (int)n);
	expect_error(r, "shdict_get", mg_abi_shdict_get(99, "raw", 3, small, sizeof small), MG_ERR_BAD_ARGUMENT, NULL);
	check(r, "shdict_capacity", mg_shdict_capacity(99) == MG_ERR_BAD_ARGUMENT, "bad handle: %g", mg_shdict_capacity(99));
}

/* check_shdict checks every shdict_* function, from an empty dict, and
 * leaves rewrite's marker in it. */
static void check_shdict(report *r)
{
	int32_t h = open_dict(r);
	mg_value marker = mg_value_string("rewrite", 7);
	double size;
	if (h < 0)
		return;
	clear_dict(r, h);
	size = mg_shdict_capacity(h);
	check(r, "shdict_capacity", size == DICT_CAPACITY, "got %g", size);
	size = mg_shdict_free_space(h);
	check(r, "shdict_free_space", size == DICT_CAPACITY, "got %g", size);
	check_dict_values(r, h);
	check_dict_incr(r, h);
	check_dict_lists(r, h);
	check_dict_ttl(r, h);
	check_dict_keys(r, h);
	check_dict_full(r, h);
	check_dict_raw(r, h);
	clear_dict(r, h);
	expect_status(r, "shdict_set", mg_shdict_set(h, KEY_MARKER, &marker, 0), 0);
}

/* check_shdict_later checks, in a later phase, what rewrite left in the
 * dict, and leaves a value for the gateway's Lua to read. */
static void check_shdict_later(report *r)
{
	int32_t h = open_dict(r);
	mg_value greeting = with_flags(mg_value_string("conformance-c", 13), 42);
	if (h < 0)
		return;
	expect_value(r, "shdict_get", h, KEY_MARKER, mg_value_string("rewrite", 7));
	expect_status(r, "shdict_set", mg_shdict_set(h, KEY_FROM_WASM, &greeting, 0), 0);
}

/* ---- rewrite ---- */

static report rw;

static void check_request_reads(report *r)
{
	static const entry want[] = {{"x-test", "yes"}, {"x-multi", "1"}, {"x-multi", "2"}, {NULL, NULL}};
	double start;

	check_method(r);
	expect_str(r, "req_get_uri", mg_req_get_uri(buf, sizeof buf), buf, "/conformance");
	expect_list(r, "req_get_uri_args", get_uri_args, 0, 0, "a=1&b=2&b=3&flag");
	expect_list(r, "req_get_uri_args", get_uri_args, 2, 0, "a=1&b=2");
	expect_headers(r, "req_get_headers", get_req_headers, want, (entry){"X-Test", "yes"});
	expect_str(r, "req_get_header", mg_req_get_header("X-TEST", buf, sizeof buf), buf, "yes");
	expect_str(r, "req_get_header", mg_req_get_header("x-multi", buf, sizeof buf), buf, "1");
	expect_error(r, "req_get_header", mg_req_get_header("x-absent", buf, sizeof buf), MG_ERR_NOT_FOUND, NULL);
	expect_status(r, "req_http_version", mg_req_http_version(), 11);
	start = mg_req_start_time();
	check(r, "req_start_time", isfinite(start) && start > 1.6e9, "returned %f", start);
}

static void check_raw_header(report *r)
{
	int32_t n = mg_req_raw_header(0, buf, sizeof buf - 1);
	static const char line[] = "POST /conformance?" QUERY " HTTP/1.1\r\n";
	if (check(r, "req_raw_header", n > 0 && n < (int32_t)sizeof buf, "returned %d", (int)n)) {
		buf[n] = '\0';
		check(r, "req_raw_header", strncmp(buf, line, strlen(line)) == 0 && strstr(buf, "\r\nX-Test: yes\r\n"),
		      "got \"%s\"", buf);
	}
	n = mg_req_raw_header(1, buf, sizeof buf - 1);
	if (check(r, "req_raw_header", n > 0 && n < (int32_t)sizeof buf, "returned %d", (int)n)) {
		buf[n] = '\0';
		check(r, "req_raw_header", strncmp(buf, "POST ", 5) != 0 && strstr(buf, "X-Test: yes\r\n") &&
			  n >= 4 && memcmp(buf + n - 4, "\r\n\r\n", 4) == 0,
		      "without the request line: got \"%s\"", buf);
	}
}

static void check_request_writes(report *r)
{
	expect_ok(r, "req_set_method", mg_req_set_method("GET"));
	expect_str(r, "req_get_method", mg_req_get_method(buf, sizeof buf), buf, "GET");
	expect_ok(r, "req_set_method", mg_req_set_method("POST"));
	check_method(r);
	expect_error(r, "req_set_method", mg_req_set_method("NO SUCH"), MG_ERR_BAD_ARGUMENT, NULL);

	expect_ok(r, "req_set_uri_args", mg_req_set_uri_args("x=9"));
	expect_list(r, "req_get_uri_args", get_uri_args, 0, 0, "x=9");
	expect_ok(r, "req_set_uri_args", mg_req_set_uri_args(QUERY));
	expect_list(r, "req_get_uri_args", get_uri_args, 0, 0, QUERY);

	expect_ok(r, "req_set_header", mg_req_set_header("X-Conf", "one"));
	expect_str(r, "req_set_header", mg_req_get_header("x-conf", buf, sizeof buf), buf, "one");
	expect_ok(r, "req_add_header", mg_req_add_header("X-Conf", "two"));
	{
		static const entry want[] = {{"x-conf", "one"}, {"x-conf", "two"}, {"x-test", "yes"}, {NULL, NULL}};
		expect_headers(r, "req_add_header", get_req_headers, want, (entry){"X-Conf", "two"});
	}
	expect_ok(r, "req_clear_header", mg_req_clear_header("x-conf"));
	expect_error(r, "req_clear_header", mg_req_get_header("X-Conf", buf, sizeof buf), MG_ERR_NOT_FOUND, NULL);
}

static void check_body(report *r)
{
	expect_error(r, "req_get_body_data", mg_req_get_body_data(buf, sizeof buf), MG_ERR_NOT_FOUND, NULL);
	expect_error(r, "req_set_body_data", mg_req_set_body_data("x"), MG_ERR_FAILED, "request body not read yet");
	expect_error(r, "req_get_post_args", mg_abi_req_get_post_args(0, buf, sizeof buf), MG_ERR_FAILED, NULL);

	expect_ok(r, "req_read_body", mg_req_read_body());
	expect_str(r, "req_get_body_data", mg_req_get_body_data(buf, sizeof buf), buf, BODY);
	expect_list(r, "req_get_post_args", get_post_args, 0, 0, BODY);
	expect_list(r, "req_get_post_args", get_post_args, 1, 0, "k=v");
	expect_ok(r, "req_set_body_data", mg_req_set_body_data(BODY "&k3=v3"));
	expect_str(r, "req_set_body_data", mg_req_get_body_data(buf, sizeof buf), buf, BODY "&k3=v3");
	expect_ok(r, "req_set_body_data", mg_req_set_body_data(BODY));
	/* the body is read and saved: discarding it now changes nothing */
	expect_ok(r, "req_discard_body", mg_req_discard_body());
	expect_str(r, "req_discard_body", mg_req_get_body_data(buf, sizeof buf), buf, BODY);
}

static void check_vars(report *r)
{
	expect_str(r, "var_get", mg_var_get("uri", buf, sizeof buf), buf, "/conformance");
	expect_str(r, "var_get", mg_var_get("arg_b", buf, sizeof buf), buf, "2");
	expect_str(r, "var_get", mg_var_get("http_x_test", buf, sizeof buf), buf, "yes");
	expect_error(r, "var_get", mg_var_get("no_such_variable", buf, sizeof buf), MG_ERR_NOT_FOUND, NULL);
	expect_ok(r, "var_set", mg_var_set("args", "x=1"));
	expect_str(r, "var_set", mg_var_get("args", buf, sizeof buf), buf, "x=1");
	expect_ok(r, "var_set", mg_var_set("args", QUERY));
	expect_str(r, "var_get", mg_var_get("args", buf, sizeof buf), buf, QUERY);
	expect_error(r, "var_set", mg_var_set("uri", "/x"), MG_ERR_FAILED, "variable \"uri\" not changeable");
}

static void check_ctx(report *r)
{
	expect_ok(r, "ctx_set", mg_ctx_set("conformance_probe", "v"));
	expect_str(r, "ctx_set", mg_ctx_get("conformance_probe", buf, sizeof buf), buf, "v");
	expect_error(r, "ctx_get", mg_ctx_get("CONFORMANCE_PROBE", buf, sizeof buf), MG_ERR_NOT_FOUND, NULL);
	expect_error(r, "ctx_get", mg_ctx_get("conformance_absent", buf, sizeof buf), MG_ERR_NOT_FOUND, NULL);
}

static void check_log(report *r)
{
	expect_ok(r, "log", mg_log(MG_NOTICE, "conformance: log call from rewrite"));
}

static void check_last_error(report *r)
{
	static const char msg[] = "API disabled in the context of rewrite_by_lua*";
	char small[4] = {'#', '#', '#', '#'};
	int32_t n;
	expect_phase_error(r, "arg_get_chunk", mg_arg_get_chunk(buf, sizeof buf), "rewrite_by_lua*");
	n = mg_abi_last_error(small, 4);
	check(r, "last_error", n == (int32_t)strlen(msg) && small[0] == '#', "with 4 bytes: returned %d", (int)n);
	expect_phase_error(r, "arg_set_eof", mg_arg_set_eof(1), "rewrite_by_lua*");
}

/* ---- Regular expressions, body files, subrequests and exec ---- */

/* The routes of the subrequest and exec checks, which the test config
 * declares beside /conformance: EXEC_URI runs this module's rewrite, which
 * redirects to EXEC_TARGET; SUB_URI is an internal route whose Lua content
 * echoes the subrequest; nothing serves NO_ROUTE. */
#define EXEC_URI "/conformance_exec"
#define EXEC_TARGET "/conformance_exec_target"
#define SUB_URI "/conformance_sub"
#define NO_ROUTE "/no_such_route"

static void log_lines(const char *text, int32_t len);

/* expect_scratch checks a scratch helper's result: got, of *len bytes,
 * should be want. */
static void expect_scratch(report *r, const char *fn, const char *got, int32_t len, const char *want)
{
	if (got == NULL)
		check(r, fn, 0, "returned %d (%s)", (int)len, last_error());
	else
		check(r, fn, same(got, len, want), "got \"%.*s\", want \"%s\"", (int)(len > 200 ? 200 : len), got, want);
}

static void check_regex(report *r)
{
	static char subject[5001], want[7501];
	int32_t caps[8], len, count = -1, n, i;
	char *out;
	char text[64];

	caps[0] = 99;
	n = mg_re_match("(\\d+)-(x)?", "", "id 42-", 6, 0, caps, 2);
	check(r, "re_match", n == 3 && caps[0] == 99, "with room for one group: returned %d", (int)n);
	n = mg_re_match("(\\d+)-(x)?", "", "id 42-", 6, 0, caps, 8);
	check(r, "re_match", n == 3 && caps[0] == 3 && caps[1] == 6 && caps[2] == 3 && caps[3] == 5 &&
		  caps[4] == MG_NO_CAPTURE && caps[5] == MG_NO_CAPTURE,
	      "returned %d: %d %d %d %d %d %d", (int)n, (int)caps[0], (int)caps[1], (int)caps[2], (int)caps[3],
	      (int)caps[4], (int)caps[5]);
	n = mg_re_match("\\d", NULL, "a1b2", 4, 2, caps, 8);
	check(r, "re_match", n == 1 && caps[0] == 3, "from 2: returned %d, at %d", (int)n, (int)caps[0]);
	n = mg_re_match("B", "i", "abc", 3, 0, caps, 8);
	check(r, "re_match", n == 1 && caps[0] == 1, "caseless: returned %d, at %d", (int)n, (int)caps[0]);
	expect_error(r, "re_match", mg_re_match("z", "", "abc", 3, 0, caps, 8), MG_ERR_NOT_FOUND, NULL);
	expect_error(r, "re_match", mg_re_match("a(", "", "abc", 3, 0, caps, 8), MG_ERR_BAD_ARGUMENT, NULL);
	expect_error(r, "re_match", mg_re_match("a", "z", "abc", 3, 0, caps, 8), MG_ERR_BAD_ARGUMENT,
		     "unknown flag \"z\" (flags \"z\")");

	out = mg_re_group_names("(?<y>\\d+)-(\\d+)", "", &len);
	if (check(r, "re_group_names", out != NULL, "returned %d (%s)", (int)len, last_error())) {
		list_text(out, len, text, sizeof text);
		check(r, "re_group_names", strcmp(text, "y&") == 0, "got \"%s\"", text);
	}

	out = mg_re_sub("o", "", "foo", 3, "0", &count, &len);
	expect_scratch(r, "re_sub", out, len, "f0o");
	check(r, "re_sub", count == 1, "count %d", (int)count);
	out = mg_re_gsub("(o)", "", "foo", 3, "[$1]", &count, &len);
	expect_scratch(r, "re_gsub", out, len, "f[o][o]");
	check(r, "re_gsub", count == 2, "count %d", (int)count);
	/* a result past the scratch space's first size: it grows */
	for (i = 0; i < 2500; i++) {
		memcpy(subject + 2 * i, "ab", 2);
		memcpy(want + 3 * i, "xyb", 3);
	}
	out = mg_re_gsub("a", "", subject, 5000, "xy", &count, &len);
	expect_scratch(r, "re_gsub", out, len, want);
	check(r, "re_gsub", count == 2500, "count %d", (int)count);
	out = mg_re_gsub("o", "", "foo", 3, "$x", NULL, &len);
	check(r, "re_gsub", out == NULL, "a bad template gave \"%s\"", out ? out : "");
	expect_error(r, "re_gsub", len, MG_ERR_BAD_ARGUMENT, "failed to compile the replacement template");
}

/* check_body_files checks the body file and built-body functions on the
 * read body, leaving it as it was. */
static void check_body_files(report *r)
{
	static char path[1024], none[1100], msg[1200];
	int32_t n, len;
	char *got;

	got = mg_body_file(&len);
	check(r, "req_get_body_file", got == NULL && len == MG_ERR_NOT_FOUND, "in memory: returned %d", (int)len);
	expect_error(r, "req_get_body_file", mg_req_get_body_file(buf, sizeof buf), MG_ERR_NOT_FOUND, NULL);

	expect_ok(r, "req_init_body", mg_req_init_body(-1));
	expect_ok(r, "req_append_body", mg_req_append_body("built="));
	expect_ok(r, "req_append_body", mg_abi_req_append_body("12", 1));
	expect_ok(r, "req_finish_body", mg_req_finish_body());
	expect_str(r, "req_finish_body", mg_req_get_body_data(buf, sizeof buf), buf, "built=1");
	expect_error(r, "req_append_body", mg_req_append_body("x"), MG_ERR_FAILED, "request_body not initialized");

	n = read_config();
	n = n < 0 ? n : mg_json_string(buf, n, "body_file", path, sizeof path - 1);
	if (!check(r, "req_set_body_file", n > 0 && n < (int32_t)sizeof path, "no body_file in the config (%d)", (int)n))
		return;
	path[n] = '\0';
	snprintf(none, sizeof none, "%s.none", path);
	snprintf(msg, sizeof msg, "stat() \"%s\" failed", none);
	expect_error(r, "req_set_body_file", mg_req_set_body_file(none, 0), MG_ERR_FAILED, msg);
	expect_ok(r, "req_set_body_file", mg_req_set_body_file(path, 1));
	got = mg_body_file(&len);
	expect_scratch(r, "req_get_body_file", got, len, path);
	expect_str(r, "req_get_body_file", mg_req_get_body_file(buf, sizeof buf), buf, path);
	expect_ok(r, "req_set_body_data", mg_req_set_body_data(BODY));
}

/* expect_capture checks captured response h: its status, its body and
 * whether it was truncated. */
static void expect_capture(report *r, int32_t h, int32_t status, const char *body, int truncated)
{
	int32_t len;
	char *got;
	expect_status(r, "capture_status", mg_capture_status(h), status);
	expect_status(r, "capture_truncated", mg_capture_truncated(h), truncated);
	if (body == NULL)
		return;
	got = mg_captured_body(h, &len);
	expect_scratch(r, "capture_body", got, len, body);
	expect_str(r, "capture_body", mg_capture_body(h, buf, sizeof buf), buf, body);
}

static void check_captures(report *r)
{
	static const char body[] = "sub-body";
	int32_t h, len;
	char *headers;
	mg_pair p;

	expect_error(r, "capture_multi", mg_capture_multi(), MG_ERR_BAD_ARGUMENT, "no subrequest queued");
	expect_error(r, "capture_add", mg_capture_add("GET", "", "", NULL, 0, 0), MG_ERR_BAD_ARGUMENT, "empty subrequest uri");
	expect_error(r, "capture_add", mg_capture_add("GET", SUB_URI, "", NULL, 0, 64), MG_ERR_BAD_ARGUMENT, NULL);
	expect_error(r, "capture_set_var", mg_capture_set_var(5, "conformance_who", "c"), MG_ERR_BAD_ARGUMENT, NULL);

	expect_status(r, "capture_add", mg_capture_add("POST", SUB_URI, "q=1", body, sizeof body - 1, MG_CAPTURE_BODY), 0);
	expect_ok(r, "capture_set_var", mg_capture_set_var(0, "conformance_who", "c"));
	expect_status(r, "capture_add", mg_capture_add(NULL, SUB_URI, "q=2", NULL, 0, 0), 1);
	expect_status(r, "capture_add", mg_capture_add("GET", NO_ROUTE, NULL, NULL, 0, 0), 2);
	h = mg_capture_multi();
	if (!expect_ok(r, "capture_multi", h))
		return;
	expect_capture(r, h, 200, "POST q=1 sub-body c true\n", 0);
	expect_capture(r, h + 1, 200, "GET q=2 - - true\n", 0);
	expect_capture(r, h + 2, 404, NULL, 1);
	headers = mg_captured_headers(h, &len);
	check(r, "capture_headers", headers != NULL && mg_list_get(headers, len, "X-Sub", &p) == 1 && mg_equal(p.value, p.value_len, "yes"),
	      "no X-Sub: yes (%d)", (int)len);
	expect_ok(r, "capture_headers", mg_capture_headers(h, buf, sizeof buf));
	expect_error(r, "capture_status", mg_capture_status(h + 3), MG_ERR_BAD_ARGUMENT, NULL);

	h = mg_capture("GET", SUB_URI, "q=3");
	expect_status(r, "capture_multi", h, 3);
	expect_capture(r, h, 200, "GET q=3 - - true\n", 0);
}

/* exec_check is the rewrite of EXEC_URI: it checks exec, logs its lines,
 * and redirects to EXEC_TARGET. */
static int32_t exec_check(void)
{
	static report ex;
	ex.len = 0;
	expect_error(&ex, "exec", mg_exec("", NULL), MG_ERR_BAD_ARGUMENT, "The uri argument is empty");
	expect_ok(&ex, "exec", mg_exec(EXEC_TARGET, "x=1"));
	log_lines(ex.buf, ex.len);
	return MG_CONTINUE;
}

MG_EXPORT("on_rewrite") int32_t on_rewrite(void)
{
	int32_t n;
	char *uri = mg_uri(&n);
	if (uri != NULL && same(uri, n, EXEC_URI))
		return exec_check();
	rw.len = 0;
	check_phase(&rw, MG_PHASE_REWRITE);
	check_config(&rw);
	check_buffers(&rw);
	check_request_reads(&rw);
	check_raw_header(&rw);
	expect_status(&rw, "req_is_internal", mg_req_is_internal(), 0);
	check_request_writes(&rw);
	check_body(&rw);
	check_body_files(&rw);
	check_vars(&rw);
	check_regex(&rw);
	check_ctx(&rw);
	check_log(&rw);
	check_last_error(&rw);
	expect_status(&rw, "resp_get_status", mg_resp_get_status(), 0);
	expect_status(&rw, "headers_sent", mg_headers_sent(), 0);
	check_workers(&rw);
	check_shdict(&rw);
	ctx_append(&rw, KEY_LINES);
	return MG_CONTINUE;
}

/* ---- Sockets ---- */

/* The servers of the socket checks, whose ports the hook config gives:
 * tcp_port and tls_port serve the gateway tests' scripted protocol (a line
 * of tokens: "w:DATA" sends DATA, URL-unescaped; "c" closes), tls_port
 * over TLS with a certificate for localhost from the config's
 * lua.ssl_trusted_certificate; nothing listens on refused_port; udp_port
 * sends each datagram back. */

/* expect_received checks the result of a receive helper. */
static void expect_received(report *r, const char *fn, const char *got, int32_t len, const char *want)
{
	if (got == NULL)
		check(r, fn, 0, "returned %d (%s), want \"%s\"", (int)len, last_error(), want);
	else
		check(r, fn, same(got, len, want), "got \"%s\", want \"%s\"", got, want);
}

/* connect_to connects to port on the loopback, recording tcp_connect's
 * check; it returns the handle, negative when it failed. */
static int32_t connect_to(report *r, int32_t port)
{
	int32_t h = mg_tcp_connect("127.0.0.1", port, NULL);
	expect_ok(r, "tcp_connect", h);
	return h;
}

/* send_cmd sends the server a command line. */
static void send_cmd(report *r, int32_t h, const char *cmd)
{
	expect_status(r, "tcp_send", mg_tcp_send(h, cmd, (int32_t)strlen(cmd)), (int32_t)strlen(cmd));
}

/* check_udp checks every udp_* function against the UDP echo server at
 * port. */
static void check_udp(report *r, int32_t port)
{
	char dg[8];
	int32_t h;
	expect_error(r, "udp_setpeername", mg_udp_setpeername("127.0.0.1", 70000), MG_ERR_FAILED, "bad port number: 70000");
	h = mg_udp_setpeername("127.0.0.1", port);
	if (!expect_ok(r, "udp_setpeername", h))
		return;
	expect_ok(r, "udp_settimeout", mg_udp_settimeout(h, 2000));
	expect_error(r, "udp_settimeout", mg_udp_settimeout(h, -1), MG_ERR_BAD_ARGUMENT, "bad timeout value");
	expect_ok(r, "udp_send", mg_udp_send(h, "ping", 4));
	expect_str(r, "udp_receive", mg_udp_receive(h, 0, dg, sizeof dg), dg, "ping");
	/* a datagram longer than the buffer is held for the next call */
	expect_ok(r, "udp_send", mg_udp_send(h, "0123456789", 10));
	expect_status(r, "udp_receive", mg_udp_receive(h, 0, dg, 2), 10);
	expect_str(r, "udp_receive", mg_udp_receive(h, 0, buf, sizeof buf), buf, "0123456789");
	expect_ok(r, "udp_send", mg_udp_send(h, "abcdef", 6));
	expect_str(r, "udp_receive", mg_udp_receive(h, 3, dg, sizeof dg), dg, "abc");
	expect_ok(r, "udp_settimeout", mg_udp_settimeout(h, 10));
	expect_error(r, "udp_receive", mg_udp_receive(h, 0, dg, sizeof dg), MG_ERR_FAILED, "timeout");
	expect_ok(r, "udp_close", mg_udp_close(h));
	expect_error(r, "udp_close", mg_udp_close(h), MG_ERR_FAILED, "closed");
	expect_error(r, "udp_send", mg_udp_send(h, "x", 1), MG_ERR_FAILED, "closed");
}

/* check_receiveuntil checks tcp_receiveuntil, tcp_until_read and
 * tcp_setoption against the scripted server at port. */
static void check_receiveuntil(report *r, int32_t port)
{
	int32_t h, it, inclusive, len;
	char *got;
	if ((h = connect_to(r, port)) < 0)
		return;
	expect_ok(r, "tcp_setoption", mg_tcp_setoption(h, "tcp-nodelay", 1));
	expect_ok(r, "tcp_setoption", mg_tcp_setoption(h, "rcvbuf", 65536));
	expect_error(r, "tcp_setoption", mg_tcp_setoption(h, "nagle", 1), MG_ERR_FAILED, "unsupported option nagle");
	expect_error(r, "tcp_receiveuntil", mg_tcp_receiveuntil(h, "", 0), MG_ERR_FAILED, "pattern is empty");
	expect_error(r, "tcp_until_read", mg_abi_tcp_until_read(99, 0, buf, sizeof buf), MG_ERR_BAD_ARGUMENT, "bad iterator handle 99");

	send_cmd(r, h, "w:ab--cd--efg--0123456789--tail c\n");
	it = mg_tcp_receiveuntil(h, "--", 0);
	inclusive = mg_tcp_receiveuntil(h, "--", 1);
	if (!expect_ok(r, "tcp_receiveuntil", it) || !expect_ok(r, "tcp_receiveuntil", inclusive)) {
		mg_tcp_close(h);
		return;
	}
	got = mg_tcp_until_read(h, it, 0, &len);
	expect_received(r, "tcp_until_read", got, len, "ab");
	expect_str(r, "tcp_until_read", mg_abi_tcp_until_read(inclusive, 0, buf, sizeof buf), buf, "cd--");
	/* sized reads: the parts, then the end of this occurrence */
	expect_str(r, "tcp_until_read", mg_abi_tcp_until_read(it, 2, buf, sizeof buf), buf, "ef");
	expect_str(r, "tcp_until_read", mg_abi_tcp_until_read(it, 2, buf, sizeof buf), buf, "g");
	expect_error(r, "tcp_until_read", mg_abi_tcp_until_read(it, 2, buf, sizeof buf), MG_ERR_NOT_FOUND, "the pattern was reached");
	/* a part longer than the buffer is held for tcp_received */
	expect_status(r, "tcp_until_read", mg_abi_tcp_until_read(it, 0, buf, 4), 10);
	expect_str(r, "tcp_received", mg_abi_tcp_received(h, buf, sizeof buf), buf, "0123456789");
	/* the stream ends before the next occurrence: the partial data */
	got = mg_tcp_until_read(h, it, 0, &len);
	check(r, "tcp_until_read", got == NULL && len == MG_ERR_FAILED && strcmp(last_error(), "closed") == 0,
	      "returned %d (%s), want %d (closed)", (int)len, last_error(), MG_ERR_FAILED);
	got = mg_tcp_received(h, &len);
	expect_received(r, "tcp_received", got, len, "tail");
	mg_tcp_close(h);
	expect_error(r, "tcp_setoption", mg_tcp_setoption(h, "keepalive", 1), MG_ERR_FAILED, "closed");
}

/* check_sockets checks sleep and every tcp_* and udp_* function. */
static void check_sockets(report *r)
{
	int32_t tcp, tls, refused, udp, h, len;
	char *got;
	if (!check(r, "tcp_connect", read_config() > 0 && json_int(buf, "tcp_port", &tcp) &&
					     json_int(buf, "tls_port", &tls) && json_int(buf, "refused_port", &refused) &&
					     json_int(buf, "udp_port", &udp),
		   "no server ports in the config %s", buf))
		return;
	expect_ok(r, "sleep", mg_sleep(0.001));
	expect_error(r, "sleep", mg_sleep(-1), MG_ERR_BAD_ARGUMENT, "invalid sleep duration \"-1\"");
	check_udp(r, udp);
	check_receiveuntil(r, tcp);
	expect_error(r, "tcp_connect", mg_tcp_connect("127.0.0.1", refused, NULL), MG_ERR_FAILED, "connection refused");
	expect_error(r, "tcp_connect", mg_tcp_connect("127.0.0.1", MG_NO_PORT, ""), MG_ERR_FAILED, "missing the port number");
	expect_error(r, "tcp_send", mg_tcp_send(99, "x", 1), MG_ERR_BAD_ARGUMENT, "bad socket handle 99");

	if ((h = connect_to(r, tcp)) < 0)
		return;
	expect_ok(r, "tcp_settimeouts", mg_tcp_settimeouts(h, 2000, 2000, 2000));
	expect_error(r, "tcp_settimeouts", mg_tcp_settimeouts(h, 0, -1, 0), MG_ERR_BAD_ARGUMENT, "bad timeout value");
	send_cmd(r, h, "w:hello%0D%0Aworld%0A\n");
	got = mg_tcp_receive(h, MG_RECEIVE_LINE, &len);
	expect_received(r, "tcp_receive", got, len, "hello");
	got = mg_tcp_receive(h, 3, &len);
	expect_received(r, "tcp_receive", got, len, "wor");
	got = mg_tcp_receiveany(h, 1, &len);
	expect_received(r, "tcp_receiveany", got, len, "l");
	expect_error(r, "tcp_receiveany", mg_abi_tcp_receiveany(h, 0, buf, sizeof buf), MG_ERR_BAD_ARGUMENT, "bad max argument");
	got = mg_tcp_receive(h, MG_RECEIVE_LINE, &len);
	expect_received(r, "tcp_receive", got, len, "d");
	expect_status(r, "tcp_getreusedtimes", mg_tcp_getreusedtimes(h), 0);
	expect_ok(r, "tcp_setkeepalive", mg_tcp_setkeepalive(h, -1, 0));
	expect_error(r, "tcp_setkeepalive", mg_tcp_setkeepalive(h, -1, 0), MG_ERR_FAILED, "closed");

	if ((h = connect_to(r, tcp)) < 0)
		return;
	expect_status(r, "tcp_getreusedtimes", mg_tcp_getreusedtimes(h), 1);
	send_cmd(r, h, "w:all%0A c\n");
	got = mg_tcp_receive(h, MG_RECEIVE_ALL, &len);
	expect_received(r, "tcp_receive", got, len, "all\n");
	expect_ok(r, "tcp_close", mg_tcp_close(h));
	expect_error(r, "tcp_close", mg_tcp_close(h), MG_ERR_FAILED, "closed");

	if ((h = connect_to(r, tcp)) < 0)
		return;
	send_cmd(r, h, "w:part%0A c\n");
	got = mg_tcp_receive(h, 100, &len);
	check(r, "tcp_receive", got == NULL && len == MG_ERR_FAILED && strcmp(last_error(), "closed") == 0,
	      "returned %d (%s), want %d (closed)", (int)len, last_error(), MG_ERR_FAILED);
	got = mg_tcp_received(h, &len);
	expect_received(r, "tcp_received", got, len, "part\n");
	expect_status(r, "tcp_received", mg_abi_tcp_received(h, buf, 2), 5);
	mg_tcp_close(h);

	if ((h = connect_to(r, tls)) < 0)
		return;
	expect_ok(r, "tcp_sslhandshake", mg_tcp_sslhandshake(h, "localhost", 1));
	send_cmd(r, h, "w:secret%0A\n");
	got = mg_tcp_receive(h, MG_RECEIVE_LINE, &len);
	expect_received(r, "tcp_receive", got, len, "secret");
	mg_tcp_close(h);
	if ((h = connect_to(r, tls)) < 0)
		return;
	expect_error(r, "tcp_sslhandshake", mg_tcp_sslhandshake(h, "example.com", 1), MG_ERR_FAILED, "certificate host mismatch");
}

/* ---- access ---- */

static report ac;

MG_EXPORT("on_access") int32_t on_access(void)
{
	ac.len = 0;
	check_phase(&ac, MG_PHASE_ACCESS);
	check_config(&ac);
	check_method(&ac);
	expect_str(&ac, "req_get_body_data", mg_req_get_body_data(buf, sizeof buf), buf, BODY);
	/* only rewrite may jump */
	expect_phase_error(&ac, "req_set_uri", mg_req_set_uri("/conformance", 1), "access_by_lua*");
	expect_ok(&ac, "req_set_uri", mg_req_set_uri("/conformance", 0));
	expect_str(&ac, "req_set_uri", mg_req_get_uri(buf, sizeof buf), buf, "/conformance");
	expect_status(&ac, "req_is_internal", mg_req_is_internal(), 1);
	expect_error(&ac, "redirect", mg_redirect("/elsewhere", 200), MG_ERR_BAD_ARGUMENT, NULL);
	expect_phase_error(&ac, "arg_set_chunk", mg_arg_set_chunk("x"), "access_by_lua*");
	expect_phase_error(&ac, "arg_get_eof", mg_arg_get_eof(), "access_by_lua*");
	check_workers(&ac);
	check_sockets(&ac);
	ctx_append(&ac, KEY_LINES);
	return MG_CONTINUE;
}

/* ---- content ---- */

static report ct, late;
static char lines[65536];

static void check_resp_writes(report *r)
{
	static const entry want[] = {
		{"x-conformance", "content"}, {"x-conf-multi", "1"}, {"x-conf-multi", "2"}, {NULL, NULL}};

	expect_status(r, "resp_get_status", mg_resp_get_status(), 0);
	expect_ok(r, "resp_set_status", mg_resp_set_status(200));
	expect_status(r, "resp_set_status", mg_resp_get_status(), 200);
	expect_ok(r, "resp_set_header", mg_resp_set_header("X-Conformance", "content"));
	check_resp_header(r, "x-conformance", "content");
	check_resp_header(r, "X_Conformance", "content");
	expect_error(r, "resp_get_header", mg_resp_get_header("x-absent", buf, sizeof buf), MG_ERR_NOT_FOUND, NULL);
	expect_ok(r, "resp_add_header", mg_resp_add_header("X-Conf-Multi", "1"));
	expect_ok(r, "resp_add_header", mg_resp_add_header("X-Conf-Multi", "2"));
	expect_ok(r, "resp_set_header", mg_resp_set_header("X-Conf-Temp", "t"));
	expect_ok(r, "resp_clear_header", mg_resp_clear_header("X-Conf-Temp"));
	expect_error(r, "resp_clear_header", mg_resp_get_header("X-Conf-Temp", buf, sizeof buf), MG_ERR_NOT_FOUND, NULL);
	expect_headers(r, "resp_get_headers", get_resp_headers, want, (entry){"X-Conformance", "content"});
}

/* content sends the lines of rewrite and access, then its own, and ends the
 * body; what it learns from then on waits in ctx for the log phase. */
/* ---- Timers ---- */

/* The args of the timers content arms: the one due at once, whose
 * on_timer runs the timer checks, and an every-timer due in an hour, which
 * only runs, prematurely, when the gateway closes the module. */
#define TIMER_AT "conformance-at"
#define TIMER_EVERY "conformance-every"

/* check_timers checks the timer_* functions in a request phase, arming
 * the timers on_timer checks. */
static void check_timers(report *r)
{
	int32_t at = mg_timer_at(0, TIMER_AT), every;
	check(r, "timer_at", at > 0, "returned %d (%s)", (int)at, last_error());
	expect_error(r, "timer_at", mg_timer_at(-1, NULL), MG_ERR_BAD_ARGUMENT, "delay must not be negative");
	every = mg_timer_every(3600, TIMER_EVERY);
	check(r, "timer_every", every > 0 && every != at, "returned %d after %d (%s)", (int)every, (int)at, last_error());
	expect_error(r, "timer_every", mg_timer_every(0, NULL), MG_ERR_BAD_ARGUMENT, "delay must be greater than 0");
	check(r, "timer_pending_count", mg_timer_pending_count() >= 1, "returned %d with an every-timer armed", (int)mg_timer_pending_count());
	expect_ok(r, "timer_running_count", mg_timer_running_count());
	expect_error(r, "timer_arg", mg_abi_timer_arg(buf, sizeof buf), MG_ERR_NOT_FOUND, "not in a timer callback");
}

MG_EXPORT("on_content") int32_t on_content(void)
{
	int32_t n, rc;

	ct.len = late.len = 0;
	check_phase(&ct, MG_PHASE_CONTENT);
	check_config(&ct);
	check_method(&ct);
	expect_status(&ct, "headers_sent", mg_headers_sent(), 0);
	check_resp_writes(&ct);
	expect_phase_error(&ct, "arg_get_chunk", mg_arg_get_chunk(buf, sizeof buf), "content_by_lua*");
	expect_error(&ct, "redirect", mg_redirect("/elsewhere", 299), MG_ERR_BAD_ARGUMENT, NULL);
	expect_error(&ct, "say", mg_abi_say(out_of_bounds(), 16), MG_ERR_BAD_ARGUMENT, NULL);
	check_workers(&ct);
	check_timers(&ct);
	check_captures(&ct);

	/* header_filter runs here */
	expect_ok(&ct, "send_headers", mg_send_headers());
	expect_status(&ct, "headers_sent", mg_headers_sent(), 1);
	expect_ok(&ct, "flush", mg_flush());

	n = ctx_read(KEY_LINES, lines, sizeof lines);
	if (n <= 0)
		add(&ct, "FAIL ctx_get: no lines from rewrite and access (%d)\n", (int)n);
	rc = mg_abi_print(lines, n < 0 ? 0 : n);
	check(&ct, "print", rc >= 0, "returned %d (%s)", (int)rc, last_error());
	rc = mg_abi_say(ct.buf, ct.len - 1); /* say adds the last newline */
	ct.len = 0;
	check(&ct, "say", rc >= 0, "returned %d (%s)", (int)rc, last_error());
	expect_ok(&ct, "flush", mg_flush());
	rc = mg_abi_print(ct.buf, ct.len);
	check(&late, "print", rc >= 0, "returned %d (%s)", (int)rc, last_error());

	/* body_filter's last chunk, with header_filter's lines, goes here */
	expect_ok(&late, "eof", mg_eof());
	expect_error(&late, "say", mg_say("after eof"), MG_ERR_FAILED, "seen eof");
	expect_error(&late, "print", mg_print("after eof"), MG_ERR_FAILED, "seen eof");
	ctx_append(&late, KEY_LATE);
	return MG_CONTINUE;
}

/* ---- header_filter ---- */

static report hf;

MG_EXPORT("on_header_filter") int32_t on_header_filter(void)
{
	static const entry want[] = {
		{"x-conformance", "content"}, {"x-conf-hf", "one"}, {"x-conf-hf", "two"}, {NULL, NULL}};
	static const char *const ctx = "header_filter_by_lua*";

	hf.len = 0;
	check_phase(&hf, MG_PHASE_HEADER_FILTER);
	check_config(&hf);
	check_method(&hf);
	expect_status(&hf, "req_http_version", mg_req_http_version(), 11);
	expect_status(&hf, "req_is_internal", mg_req_is_internal(), 1);
	expect_str(&hf, "var_get", mg_var_get("uri", buf, sizeof buf), buf, "/conformance");
	expect_status(&hf, "headers_sent", mg_headers_sent(), 0);
	expect_status(&hf, "resp_get_status", mg_resp_get_status(), 200);
	expect_ok(&hf, "resp_set_status", mg_resp_set_status(200));
	check_resp_header(&hf, "X-Conformance", "content");
	expect_ok(&hf, "resp_set_header", mg_resp_set_header("X-Conf-HF", "one"));
	check_resp_header(&hf, "x-conf-hf", "one");
	expect_ok(&hf, "resp_add_header", mg_resp_add_header("X-Conf-HF", "two"));
	expect_headers(&hf, "resp_get_headers", get_resp_headers, want, (entry){"X-Conformance", "content"});
	expect_ok(&hf, "resp_clear_header", mg_resp_clear_header("X-Conf-HF"));
	expect_error(&hf, "resp_clear_header", mg_resp_get_header("X-Conf-HF", buf, sizeof buf), MG_ERR_NOT_FOUND, NULL);

	expect_phase_error(&hf, "say", mg_say("x"), ctx);
	expect_phase_error(&hf, "print", mg_print("x"), ctx);
	expect_phase_error(&hf, "flush", mg_flush(), ctx);
	expect_phase_error(&hf, "eof", mg_eof(), ctx);
	expect_phase_error(&hf, "send_headers", mg_send_headers(), ctx);
	expect_phase_error(&hf, "redirect", mg_redirect("/elsewhere", 302), ctx);
	expect_phase_error(&hf, "req_read_body", mg_req_read_body(), ctx);
	expect_phase_error(&hf, "req_discard_body", mg_req_discard_body(), ctx);
	expect_phase_error(&hf, "req_get_body_data", mg_req_get_body_data(buf, sizeof buf), ctx);
	expect_phase_error(&hf, "req_set_body_data", mg_req_set_body_data("x"), ctx);
	expect_phase_error(&hf, "arg_get_eof", mg_arg_get_eof(), ctx);
	check_workers(&hf);
	ctx_append(&hf, KEY_HF);
	return MG_CONTINUE;
}

/* ---- body_filter ---- */

static report bf;
static char chunk[2 * 65536];

/* chunk_round_trip sets the current chunk to its own n bytes and checks it
 * reads back the same. */
static void chunk_round_trip(report *r, int32_t n)
{
	int32_t rc = mg_abi_arg_set_chunk(chunk, n);
	if (!check(r, "arg_set_chunk", rc >= 0, "returned %d (%s)", (int)rc, last_error()))
		return;
	rc = mg_arg_get_chunk(buf, sizeof buf);
	check(r, "arg_set_chunk", rc == n && memcmp(buf, chunk, n) == 0, "read back %d bytes, want %d", (int)rc, (int)n);
}

/* body_filter passes every chunk through; on the last it checks its
 * functions and appends the lines of header_filter and its own. */
MG_EXPORT("on_body_filter") int32_t on_body_filter(void)
{
	static const char *const ctx = "body_filter_by_lua*";
	int32_t eof, n, add_n;

	bf.len = 0;
	eof = mg_arg_get_eof();
	n = mg_arg_get_chunk(chunk, sizeof chunk);
	if (!check(&bf, "arg_get_chunk", n >= 0 && n <= (int32_t)sizeof chunk, "returned %d (%s)", (int)n, last_error()))
		n = 0;
	if (eof != 1) {
		check(&bf, "arg_get_eof", eof == 0, "returned %d", (int)eof);
		chunk_round_trip(&bf, n);
		if (strstr(bf.buf, "FAIL ") != NULL)
			ctx_append(&bf, KEY_BF);
		return MG_CONTINUE;
	}
	pass(&bf, "arg_get_eof");
	check_phase(&bf, MG_PHASE_BODY_FILTER);
	check_config(&bf);
	check_method(&bf);
	chunk_round_trip(&bf, n);
	expect_ok(&bf, "arg_set_eof", mg_arg_set_eof(1));
	expect_status(&bf, "arg_set_eof", mg_arg_get_eof(), 1);
	expect_status(&bf, "resp_get_status", mg_resp_get_status(), 200);
	expect_status(&bf, "headers_sent", mg_headers_sent(), 1);
	check_resp_header(&bf, "X-Conformance", "content");
	expect_phase_error(&bf, "say", mg_say("x"), ctx);
	expect_phase_error(&bf, "req_read_body", mg_req_read_body(), ctx);
	expect_phase_error(&bf, "send_headers", mg_send_headers(), ctx);
	expect_phase_error(&bf, "req_set_method", mg_req_set_method("GET"), ctx);
	expect_status(&bf, "req_http_version", mg_req_http_version(), 11);
	check_workers(&bf);

	if ((add_n = ctx_read(KEY_BF, chunk + n, sizeof chunk - n)) > 0)
		n += add_n;
	if ((add_n = ctx_read(KEY_HF, chunk + n, sizeof chunk - n)) <= 0)
		add(&bf, "FAIL ctx_get: no lines from header_filter (%d)\n", (int)add_n);
	else
		n += add_n;
	if ((size_t)n + bf.len <= sizeof chunk) {
		memcpy(chunk + n, bf.buf, bf.len);
		if (mg_abi_arg_set_chunk(chunk, n + bf.len) >= 0)
			return MG_CONTINUE;
	}
	/* the lines cannot go into the body: the log phase writes them */
	add(&bf, "FAIL arg_set_chunk: cannot append %d bytes of lines to the last chunk\n", (int)(n + bf.len));
	ctx_append(&bf, KEY_LATE);
	return MG_CONTINUE;
}

/* ---- log ---- */

static report lg;

/* log_lines writes each line of text to the error log at NOTICE as
 * "conformance: <line>". */
static void log_lines(const char *text, int32_t len)
{
	char line[1024];
	int32_t i = 0, j, n;
	while (i < len) {
		for (j = i; j < len && text[j] != '\n'; j++)
			;
		n = snprintf(line, sizeof line, "conformance: %.*s", (int)(j - i), text + i);
		if (n >= (int32_t)sizeof line)
			n = sizeof line - 1;
		mg_abi_log(MG_NOTICE, line, n);
		i = j + 1;
	}
}

MG_EXPORT("on_log") int32_t on_log(void)
{
	static const char *const ctx = "log_by_lua*";
	int32_t n;

	lg.len = 0;
	check_phase(&lg, MG_PHASE_LOG);
	check_config(&lg);
	check_method(&lg);
	expect_str(&lg, "req_get_body_data", mg_req_get_body_data(buf, sizeof buf), buf, BODY);
	expect_status(&lg, "resp_get_status", mg_resp_get_status(), 200);
	check_resp_header(&lg, "X-Conformance", "content");
	expect_str(&lg, "var_get", mg_var_get("status", buf, sizeof buf), buf, "200");
	expect_status(&lg, "headers_sent", mg_headers_sent(), 1);
	expect_phase_error(&lg, "req_set_header", mg_req_set_header("X-Late", "1"), ctx);
	expect_phase_error(&lg, "say", mg_say("x"), ctx);
	expect_phase_error(&lg, "req_set_uri_args", mg_req_set_uri_args("x=1"), ctx);
	expect_phase_error(&lg, "req_clear_header", mg_req_clear_header("X-Test"), ctx);
	expect_status(&lg, "req_http_version", mg_req_http_version(), 11);
	expect_phase_error(&lg, "req_set_method", mg_req_set_method("GET"), ctx);
	expect_phase_error(&lg, "arg_set_eof", mg_arg_set_eof(1), ctx);
	expect_phase_error(&lg, "sleep", mg_sleep(0), ctx);
	expect_phase_error(&lg, "tcp_connect", mg_tcp_connect("127.0.0.1", 1, NULL), ctx);
	expect_phase_error(&lg, "udp_setpeername", mg_udp_setpeername("127.0.0.1", 1), ctx);
	check_workers(&lg);
	check_shdict_later(&lg);

	n = ctx_read(KEY_LATE, lines, sizeof lines);
	if (n <= 0)
		add(&lg, "FAIL ctx_get: no lines from content after eof (%d)\n", (int)n);
	else
		log_lines(lines, n);
	log_lines(lg.buf, lg.len);
	mg_log(MG_NOTICE, "conformance: done");
	return MG_CONTINUE;
}

/* ---- on_timer ---- */

static report tm;

/* on_timer runs the timer checks in the timer content armed, logs their
 * lines and then "conformance: PASS on_timer". The every-timer only runs
 * when the module closes, and does nothing. */
MG_EXPORT("on_timer") int32_t on_timer(int32_t id, int32_t premature)
{
	int32_t n = mg_abi_timer_arg(buf, sizeof buf), h;
	mg_value v = mg_value_string("ran", 3);

	if (!same(buf, n, TIMER_AT))
		return MG_CONTINUE;
	tm.len = 0;
	check(&tm, "timer_arg", id > 0 && !premature, "on_timer(%d, %d)", (int)id, (int)premature);
	expect_str(&tm, "timer_arg", n, buf, TIMER_AT);
	check_phase(&tm, MG_PHASE_TIMER);
	check(&tm, "timer_running_count", mg_timer_running_count() >= 1, "returned %d in a timer", (int)mg_timer_running_count());
	expect_ok(&tm, "sleep", mg_sleep(0.001));
	h = open_dict(&tm);
	expect_ok(&tm, "shdict_set", mg_shdict_set(h, "on_timer", &v, 0));
	log_lines(tm.buf, tm.len);
	mg_log(MG_NOTICE, "conformance: PASS on_timer");
	return MG_CONTINUE;
}
