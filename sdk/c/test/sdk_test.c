/*
 * The C SDK's native unit test: the list decoder, mg_json_string, mg_equal,
 * the shared dict value encoding, the scratch helpers (regex substitutions
 * included) and the socket
 * receive helpers, the last two against fake host functions. run.sh
 * builds it with a 64-byte scratch space.
 */
#include <stdio.h>
#include <string.h>

#include "moongate.h"

static int failures;

#define EXPECT(cond, ...)                                                  \
	do {                                                               \
		if (!(cond)) {                                             \
			failures++;                                        \
			printf("FAIL %s:%d: ", __FILE__, __LINE__);       \
			printf(__VA_ARGS__);                               \
			printf("\n");                                      \
		}                                                          \
	} while (0)

/* ---- Fake host functions ---- */

/* The result every fake returns: fake_status when negative, else
 * fake_value, written by the ABI's rule. fake_calls counts the calls. */
static const char *fake_value;
static int32_t fake_status;
static int fake_calls;

static int32_t fake(char *buf, int32_t cap)
{
	int32_t n;
	fake_calls++;
	if (fake_status < 0)
		return fake_status;
	n = (int32_t)strlen(fake_value);
	if (n <= cap)
		memcpy(buf, fake_value, n);
	return n;
}

int32_t mg_abi_last_error(char *buf, int32_t cap) { return fake(buf, cap); }
int32_t mg_abi_plugin_config(char *buf, int32_t cap) { return fake(buf, cap); }
int32_t mg_abi_req_get_method(char *buf, int32_t cap) { return fake(buf, cap); }
int32_t mg_abi_req_get_uri(char *buf, int32_t cap) { return fake(buf, cap); }
int32_t mg_abi_req_get_uri_args(int32_t max, char *buf, int32_t cap) { (void)max; return fake(buf, cap); }
int32_t mg_abi_req_get_headers(int32_t max, int32_t raw, char *buf, int32_t cap) { (void)max; (void)raw; return fake(buf, cap); }
int32_t mg_abi_req_get_header(const char *name, int32_t name_len, char *buf, int32_t cap) { (void)name; (void)name_len; return fake(buf, cap); }
int32_t mg_abi_req_raw_header(int32_t no_request_line, char *buf, int32_t cap) { (void)no_request_line; return fake(buf, cap); }
int32_t mg_abi_req_get_body_data(char *buf, int32_t cap) { return fake(buf, cap); }
int32_t mg_abi_req_get_post_args(int32_t max, char *buf, int32_t cap) { (void)max; return fake(buf, cap); }
int32_t mg_abi_resp_get_header(const char *name, int32_t name_len, char *buf, int32_t cap) { (void)name; (void)name_len; return fake(buf, cap); }
int32_t mg_abi_resp_get_headers(int32_t max, int32_t raw, char *buf, int32_t cap) { (void)max; (void)raw; return fake(buf, cap); }
int32_t mg_abi_var_get(const char *name, int32_t name_len, char *buf, int32_t cap) { (void)name; (void)name_len; return fake(buf, cap); }
int32_t mg_abi_ctx_get(const char *key, int32_t key_len, char *buf, int32_t cap) { (void)key; (void)key_len; return fake(buf, cap); }
int32_t mg_abi_arg_get_chunk(char *buf, int32_t cap) { return fake(buf, cap); }
int32_t mg_abi_timer_arg(char *buf, int32_t cap) { return fake(buf, cap); }
int32_t mg_abi_req_get_body_file(char *buf, int32_t cap) { return fake(buf, cap); }
int32_t mg_abi_capture_headers(int32_t h, char *buf, int32_t cap) { (void)h; return fake(buf, cap); }
int32_t mg_abi_capture_body(int32_t h, char *buf, int32_t cap) { (void)h; return fake(buf, cap); }
int32_t mg_abi_re_group_names(const char *pattern, int32_t pattern_len, const char *flags, int32_t flags_len, char *buf, int32_t cap)
{
	(void)pattern; (void)pattern_len; (void)flags; (void)flags_len;
	return fake(buf, cap);
}

/* The substitution fakes write fake_count, then act as fake. */
static int32_t fake_count = 2;

static int32_t fake_sub(const char *subject, int32_t subject_len, const char *tmpl, int32_t *count, char *buf, int32_t cap)
{
	(void)subject; (void)subject_len; (void)tmpl;
	*count = fake_count;
	return fake(buf, cap);
}

int32_t mg_abi_re_sub(const char *pattern, int32_t pattern_len, const char *flags, int32_t flags_len, const char *subject, int32_t subject_len, const char *tmpl, int32_t tmpl_len, int32_t *count, char *buf, int32_t cap)
{
	(void)pattern; (void)pattern_len; (void)flags; (void)flags_len; (void)tmpl_len;
	return fake_sub(subject, subject_len, tmpl, count, buf, cap);
}

int32_t mg_abi_re_gsub(const char *pattern, int32_t pattern_len, const char *flags, int32_t flags_len, const char *subject, int32_t subject_len, const char *tmpl, int32_t tmpl_len, int32_t *count, char *buf, int32_t cap)
{
	(void)pattern; (void)pattern_len; (void)flags; (void)flags_len; (void)tmpl_len;
	return fake_sub(subject, subject_len, tmpl, count, buf, cap);
}

/* The shared dict fakes: the readers return the fake_data_len bytes of
 * fake_data (values hold NULs), the writers keep what they were given in
 * stored. */
static const char *fake_data;
static int32_t fake_data_len;
static char stored[256];
static int32_t stored_len;
static int32_t stored_handle;

static int32_t fake_bytes(char *buf, int32_t cap)
{
	fake_calls++;
	if (fake_status < 0)
		return fake_status;
	if (fake_data_len <= cap)
		memcpy(buf, fake_data, fake_data_len);
	return fake_data_len;
}

static int32_t fake_store(int32_t h, const char *value, int32_t value_len)
{
	fake_calls++;
	stored_handle = h;
	stored_len = value_len;
	if (value_len <= (int32_t)sizeof stored)
		memcpy(stored, value, value_len);
	return fake_status;
}

int32_t mg_abi_shdict_get(int32_t h, const char *key, int32_t key_len, char *buf, int32_t cap) { (void)h; (void)key; (void)key_len; return fake_bytes(buf, cap); }
int32_t mg_abi_shdict_get_stale(int32_t h, const char *key, int32_t key_len, char *buf, int32_t cap) { (void)h; (void)key; (void)key_len; return fake_bytes(buf, cap); }
int32_t mg_abi_shdict_lpop(int32_t h, const char *key, int32_t key_len, char *buf, int32_t cap) { (void)h; (void)key; (void)key_len; return fake_bytes(buf, cap); }
int32_t mg_abi_shdict_rpop(int32_t h, const char *key, int32_t key_len, char *buf, int32_t cap) { (void)h; (void)key; (void)key_len; return fake_bytes(buf, cap); }
int32_t mg_abi_shdict_get_keys(int32_t h, int32_t max, char *buf, int32_t cap) { (void)h; (void)max; return fake_bytes(buf, cap); }
int32_t mg_abi_shdict_set(int32_t h, const char *key, int32_t key_len, const char *value, int32_t value_len, double ttl) { (void)key; (void)key_len; (void)ttl; return fake_store(h, value, value_len); }
int32_t mg_abi_shdict_safe_set(int32_t h, const char *key, int32_t key_len, const char *value, int32_t value_len, double ttl) { (void)key; (void)key_len; (void)ttl; return fake_store(h, value, value_len); }
int32_t mg_abi_shdict_add(int32_t h, const char *key, int32_t key_len, const char *value, int32_t value_len, double ttl) { (void)key; (void)key_len; (void)ttl; return fake_store(h, value, value_len); }
int32_t mg_abi_shdict_safe_add(int32_t h, const char *key, int32_t key_len, const char *value, int32_t value_len, double ttl) { (void)key; (void)key_len; (void)ttl; return fake_store(h, value, value_len); }
int32_t mg_abi_shdict_replace(int32_t h, const char *key, int32_t key_len, const char *value, int32_t value_len, double ttl) { (void)key; (void)key_len; (void)ttl; return fake_store(h, value, value_len); }
int32_t mg_abi_shdict_lpush(int32_t h, const char *key, int32_t key_len, const char *value, int32_t value_len) { (void)key; (void)key_len; return fake_store(h, value, value_len); }
int32_t mg_abi_shdict_rpush(int32_t h, const char *key, int32_t key_len, const char *value, int32_t value_len) { (void)key; (void)key_len; return fake_store(h, value, value_len); }

/* The socket fakes: receiving returns fake_value (or fake_status), as
 * fake does; tcp_received returns fake_held, counting its calls in
 * held_calls. */
static const char *fake_held;
static int held_calls;

int32_t mg_abi_tcp_receive(int32_t h, int32_t pattern, char *buf, int32_t cap) { (void)h; (void)pattern; return fake(buf, cap); }
int32_t mg_abi_tcp_receiveany(int32_t h, int32_t max, char *buf, int32_t cap) { (void)h; (void)max; return fake(buf, cap); }
int32_t mg_abi_tcp_until_read(int32_t it, int32_t size, char *buf, int32_t cap) { (void)it; (void)size; return fake(buf, cap); }

int32_t mg_abi_tcp_received(int32_t h, char *buf, int32_t cap)
{
	int32_t n = (int32_t)strlen(fake_held);
	(void)h;
	held_calls++;
	if (n <= cap)
		memcpy(buf, fake_held, n);
	return n;
}

/* ---- Scratch helpers ---- */

static char *h_error_message(int32_t *len) { return mg_error_message(len); }
static char *h_config(int32_t *len) { return mg_config(len); }
static char *h_method(int32_t *len) { return mg_method(len); }
static char *h_uri(int32_t *len) { return mg_uri(len); }
static char *h_header(int32_t *len) { return mg_header("x-a", len); }
static char *h_headers(int32_t *len) { return mg_headers(0, 0, len); }
static char *h_uri_args(int32_t *len) { return mg_uri_args(0, len); }
static char *h_post_args(int32_t *len) { return mg_post_args(0, len); }
static char *h_raw_header(int32_t *len) { return mg_raw_header(1, len); }
static char *h_body(int32_t *len) { return mg_body(len); }
static char *h_resp_header(int32_t *len) { return mg_resp_header("x-a", len); }
static char *h_resp_headers(int32_t *len) { return mg_resp_headers(0, 1, len); }
static char *h_var(int32_t *len) { return mg_var("uri", len); }
static char *h_ctx(int32_t *len) { return mg_ctx("k", len); }
static char *h_chunk(int32_t *len) { return mg_chunk(len); }
static char *h_timer_arg(int32_t *len) { return mg_timer_arg(len); }
static char *h_body_file(int32_t *len) { return mg_body_file(len); }
static char *h_captured_headers(int32_t *len) { return mg_captured_headers(0, len); }
static char *h_captured_body(int32_t *len) { return mg_captured_body(1, len); }
static char *h_re_group_names(int32_t *len) { return mg_re_group_names("(a)", "", len); }
static char *h_re_sub(int32_t *len) { return mg_re_sub("a", "i", "abc", 3, "x", NULL, len); }
static char *h_re_gsub(int32_t *len)
{
	int32_t count = -1;
	char *out = mg_re_gsub("a", NULL, "aaa", 3, "x", &count, len);
	EXPECT(out == NULL || count == fake_count, "mg_re_gsub: count %d, want %d", (int)count, (int)fake_count);
	return out;
}

static void test_scratch(void)
{
	static const struct {
		const char *name;
		char *(*helper)(int32_t *len);
	} helpers[] = {
		{"mg_error_message", h_error_message}, {"mg_config", h_config},
		{"mg_method", h_method}, {"mg_uri", h_uri}, {"mg_header", h_header},
		{"mg_headers", h_headers}, {"mg_uri_args", h_uri_args},
		{"mg_post_args", h_post_args}, {"mg_raw_header", h_raw_header},
		{"mg_body", h_body}, {"mg_resp_header", h_resp_header},
		{"mg_resp_headers", h_resp_headers}, {"mg_var", h_var},
		{"mg_ctx", h_ctx}, {"mg_chunk", h_chunk}, {"mg_timer_arg", h_timer_arg},
		{"mg_body_file", h_body_file}, {"mg_captured_headers", h_captured_headers},
		{"mg_captured_body", h_captured_body}, {"mg_re_group_names", h_re_group_names},
		{"mg_re_sub", h_re_sub}, {"mg_re_gsub", h_re_gsub},
	};
	/* 63 bytes fill the 64-byte scratch space with its NUL; 64 do not,
	 * and natively it cannot grow. */
	static const char fits[] = "123456789012345678901234567890123456789012345678901234567890123";
	static const char too_long[] = "1234567890123456789012345678901234567890123456789012345678901234";
	static const struct {
		const char *name;
		const char *value;
		int32_t status;
		int32_t want_len; /* the length, or the error */
		int want_calls;
	} tests[] = {
		{"short", "POST", 0, 4, 1},
		{"empty", "", 0, 0, 1},
		{"fills the scratch space", fits, 0, 63, 1},
		{"larger than the scratch space", too_long, 0, MG_ERR_FAILED, 1},
		{"not found", NULL, MG_ERR_NOT_FOUND, MG_ERR_NOT_FOUND, 1},
		{"phase error", NULL, MG_ERR_PHASE, MG_ERR_PHASE, 1},
	};
	size_t h, t;
	for (h = 0; h < sizeof helpers / sizeof helpers[0]; h++) {
		for (t = 0; t < sizeof tests / sizeof tests[0]; t++) {
			int32_t len = 12345;
			char *got;
			fake_value = tests[t].value;
			fake_status = tests[t].status;
			fake_calls = 0;
			got = helpers[h].helper(&len);
			EXPECT(len == tests[t].want_len, "%s, %s: len %d, want %d", helpers[h].name, tests[t].name,
			       (int)len, (int)tests[t].want_len);
			EXPECT(fake_calls == tests[t].want_calls, "%s, %s: %d calls, want %d", helpers[h].name,
			       tests[t].name, fake_calls, tests[t].want_calls);
			if (tests[t].want_len < 0)
				EXPECT(got == NULL, "%s, %s: got a result", helpers[h].name, tests[t].name);
			else
				EXPECT(got != NULL && strcmp(got, tests[t].value) == 0, "%s, %s: got \"%s\"",
				       helpers[h].name, tests[t].name, got ? got : "(null)");
		}
	}
	fake_value = "x";
	fake_status = 0;
	EXPECT(mg_method(NULL) != NULL, "mg_method(NULL): no result");
}

/* ---- Lists ---- */

/* build writes the list of n pairs (a NULL value: no value) into out and
 * returns its length. */
static int32_t build(char *out, const char *const pairs[][2], uint32_t n)
{
	uint32_t i, off = 4 + 8 * n;
	memcpy(out, &n, 4); /* the test machine is little-endian, as Wasm */
	for (i = 0; i < n; i++) {
		uint32_t k = (uint32_t)strlen(pairs[i][0]);
		uint32_t v = pairs[i][1] ? (uint32_t)strlen(pairs[i][1]) : 0xFFFFFFFFu;
		memcpy(out + 4 + 8 * i, &k, 4);
		memcpy(out + 8 + 8 * i, &v, 4);
		memcpy(out + off, pairs[i][0], k);
		off += k;
		if (pairs[i][1]) {
			memcpy(out + off, pairs[i][1], v);
			off += v;
		}
	}
	return (int32_t)off;
}

static void test_list(void)
{
	static const char *const pairs[][2] = {{"a", "1"}, {"flag", NULL}, {"b", "2"}, {"b", ""}, {"", "x"}};
	const uint32_t n = sizeof pairs / sizeof pairs[0];
	char data[256];
	int32_t len = build(data, pairs, n);
	mg_list l;
	mg_pair p;
	uint32_t i;

	EXPECT(mg_list_init(&l, data, len) == (int32_t)n, "init: wrong count");
	for (i = 0; i < n; i++) {
		EXPECT(mg_list_next(&l, &p) == 1, "pair %u: not read", i);
		EXPECT(mg_equal(p.key, p.key_len, pairs[i][0]), "pair %u: key \"%.*s\"", i, (int)p.key_len, p.key);
		if (pairs[i][1] == NULL)
			EXPECT(p.value == NULL && p.value_len == MG_NO_VALUE, "pair %u: has a value", i);
		else
			EXPECT(p.value != NULL && mg_equal(p.value, p.value_len, pairs[i][1]), "pair %u: value \"%.*s\"",
			       i, (int)p.value_len, p.value ? p.value : "");
	}
	EXPECT(mg_list_next(&l, &p) == 0, "no end after %u pairs", n);
	EXPECT(mg_list_next(&l, &p) == 0, "no end twice");

	EXPECT(mg_list_get(data, len, "b", &p) == 1 && mg_equal(p.value, p.value_len, "2"), "get b");
	EXPECT(mg_list_get(data, len, "flag", &p) == 1 && p.value_len == MG_NO_VALUE, "get flag");
	EXPECT(mg_list_get(data, len, "B", &p) == 0, "get B: found");
	EXPECT(mg_list_init(&l, data, 4) == MG_ERR_BAD_ARGUMENT, "count past the end: accepted");
}

static void test_list_malformed(void)
{
	static const char *const one[][2] = {{"key", "value"}};
	char data[64];
	int32_t len = build(data, one, 1);
	mg_list l;
	mg_pair p;
	static const struct {
		const char *name;
		int32_t len;      /* of data to give */
		int32_t want_init; /* mg_list_init's result */
		int32_t want_next; /* mg_list_next's, when init succeeds */
	} tests[] = {
		{"whole", 0, 1, 1},
		{"empty", -1, MG_ERR_BAD_ARGUMENT, 0},
		{"count only", 4, MG_ERR_BAD_ARGUMENT, 0},
		{"lengths only", 12, 1, MG_ERR_BAD_ARGUMENT},
		{"key cut", 14, 1, MG_ERR_BAD_ARGUMENT},
		{"value cut", 19, 1, MG_ERR_BAD_ARGUMENT},
	};
	size_t t;
	for (t = 0; t < sizeof tests / sizeof tests[0]; t++) {
		int32_t give = tests[t].len == 0 ? len : tests[t].len < 0 ? 0 : tests[t].len;
		int32_t rc = mg_list_init(&l, data, give);
		EXPECT(rc == tests[t].want_init, "%s: init %d, want %d", tests[t].name, (int)rc, (int)tests[t].want_init);
		if (rc >= 0) {
			rc = mg_list_next(&l, &p);
			EXPECT(rc == tests[t].want_next, "%s: next %d, want %d", tests[t].name, (int)rc,
			       (int)tests[t].want_next);
		}
	}
	EXPECT(mg_list_init(&l, NULL, 8) == MG_ERR_BAD_ARGUMENT, "NULL accepted");
}

/* ---- Config ---- */

static void test_json_string(void)
{
	static const struct {
		const char *name, *json, *key;
		int32_t cap;
		int32_t want_len;
		const char *want; /* NULL: nothing written */
	} tests[] = {
		{"member", "{\"key\":\"s3cret\",\"user\":\"al\"}", "key", 32, 6, "s3cret"},
		{"second member", "{\"key\":\"s3cret\",\"user\":\"al\"}", "user", 32, 2, "al"},
		{"spaces", "{ \"key\" :\n \"v\" }", "key", 32, 1, "v"},
		{"escapes", "{\"k\":\"a\\\"b\\\\c\\/d\\n\"}", "k", 32, 8, "a\"b\\c/d\n"},
		{"unicode escape kept", "{\"k\":\"\\u0041\"}", "k", 32, 6, "\\u0041"},
		{"name as a value first", "{\"user\":\"key\",\"key\":\"v\"}", "key", 32, 1, "v"},
		{"name inside a string", "{\"a\":\"\\\"key\\\":\\\"no\\\"\",\"key\":\"yes\"}", "key", 32, 3, "yes"},
		{"non-string value skipped", "{\"n\":3,\"m\":{\"n\":\"x\"}}", "n", 32, 1, "x"},
		{"empty value", "{\"k\":\"\"}", "k", 32, 0, ""},
		{"too small", "{\"k\":\"abcdef\"}", "k", 3, 6, NULL},
		{"missing", "{\"k\":\"v\"}", "key", 32, MG_ERR_NOT_FOUND, NULL},
		{"prefix of a name", "{\"keys\":\"v\"}", "key", 32, MG_ERR_NOT_FOUND, NULL},
		{"null config", "null", "key", 32, MG_ERR_NOT_FOUND, NULL},
		{"unterminated", "{\"k\":\"v", "k", 32, MG_ERR_NOT_FOUND, NULL},
	};
	size_t t;
	for (t = 0; t < sizeof tests / sizeof tests[0]; t++) {
		char out[32];
		int32_t n;
		memset(out, '#', sizeof out);
		n = mg_json_string(tests[t].json, (int32_t)strlen(tests[t].json), tests[t].key, out, tests[t].cap);
		EXPECT(n == tests[t].want_len, "%s: returned %d, want %d", tests[t].name, (int)n, (int)tests[t].want_len);
		if (tests[t].want != NULL)
			EXPECT(n >= 0 && mg_equal(out, n, tests[t].want), "%s: wrote \"%.*s\"", tests[t].name,
			       n < 0 ? 0 : (int)n, out);
		else
			EXPECT(out[0] == '#', "%s: wrote into a small buffer", tests[t].name);
	}
}

/* ---- Shared dict values ---- */

/* An encoded value: its bytes and length (the bytes hold NULs). */
typedef struct {
	const char *bytes;
	int32_t len;
} encoding;

#define ENC(s) {s, sizeof s - 1}

static int same_value(const mg_value *a, const mg_value *b)
{
	return a->kind == b->kind && a->flags == b->flags && a->num == b->num && a->len == b->len &&
	       (a->len == 0 || memcmp(a->str, b->str, a->len) == 0);
}

static void test_value_encoding(void)
{
	static const struct {
		const char *name;
		mg_value v;
		encoding want;
	} tests[] = {
		{"nil", {MG_NIL, 0, 0, NULL, 0}, ENC("\x00\x00\x00\x00\x00")},
		{"true", {MG_BOOLEAN, 1, 1, NULL, 0}, ENC("\x01\x01\x00\x00\x00\x01")},
		{"false", {MG_BOOLEAN, 0, 0, NULL, 0}, ENC("\x01\x00\x00\x00\x00\x00")},
		{"number", {MG_NUMBER, 7, 42, NULL, 0}, ENC("\x02\x07\x00\x00\x00\x00\x00\x00\x00\x00\x00\x45\x40")},
		{"string", {MG_STRING, 0xFFFFFFFFu, 0, "a\0b", 3}, ENC("\x03\xff\xff\xff\xff" "a\0b")},
		{"empty string", {MG_STRING, 0x01020304u, 0, "", 0}, ENC("\x03\x04\x03\x02\x01")},
	};
	size_t t;
	for (t = 0; t < sizeof tests / sizeof tests[0]; t++) {
		char out[32];
		mg_value back;
		int32_t n;
		memset(out, '#', sizeof out);
		n = mg_value_encode(&tests[t].v, out, tests[t].want.len - 1);
		EXPECT(n == tests[t].want.len && out[0] == '#', "%s: with a short buffer: %d, wrote %d", tests[t].name,
		       (int)n, out[0] != '#');
		n = mg_value_encode(&tests[t].v, out, sizeof out);
		EXPECT(n == tests[t].want.len && memcmp(out, tests[t].want.bytes, n) == 0, "%s: encoded %d bytes",
		       tests[t].name, (int)n);
		EXPECT(mg_value_decode(tests[t].want.bytes, tests[t].want.len, &back) == 0 && same_value(&back, &tests[t].v),
		       "%s: decoded kind %d flags %u num %g len %d", tests[t].name, (int)back.kind, (unsigned)back.flags,
		       back.num, (int)back.len);
	}
}

static void test_value_malformed(void)
{
	static const encoding tests[] = {
		ENC(""), ENC("\x03\x00\x00"), ENC("\x04\x00\x00\x00\x00"), ENC("\x00\x00\x00\x00\x00x"),
		ENC("\x01\x00\x00\x00\x00\x02"), ENC("\x02\x00\x00\x00\x00\x00\x00\x00\x00"),
	};
	size_t t;
	mg_value v = {MG_NIL, 0, 0, NULL, -1}, bad = {9, 0, 0, NULL, 0};
	for (t = 0; t < sizeof tests / sizeof tests[0]; t++)
		EXPECT(mg_value_decode(tests[t].bytes, tests[t].len, &v) == MG_ERR_BAD_ARGUMENT, "case %d decoded", (int)t);
	EXPECT(mg_value_encode(&bad, NULL, 0) == MG_ERR_BAD_ARGUMENT, "encoded kind 9");
}

static void test_shdict_helpers(void)
{
	static const char hello[] = "\x03\x07\x00\x00\x00hello";
	static const char stale[] = "\x01" "\x02\x02\x00\x00\x00" "\x00\x00\x00\x00\x00\x00\xf8\x3f";
	static const char keys[] = "\x01\x00\x00\x00\x01\x00\x00\x00\xff\xff\xff\xffk";
	char long_value[80];
	mg_value v;
	int32_t is_stale = -1, len;
	mg_list l;
	mg_pair p;

	fake_status = 0;
	fake_data = hello, fake_data_len = sizeof hello - 1;
	EXPECT(mg_shdict_get(3, "k", &v) == 0 && v.kind == MG_STRING && v.flags == 7 && v.len == 5 &&
		       strcmp(v.str, "hello") == 0, "get: kind %d flags %u len %d", (int)v.kind, (unsigned)v.flags, (int)v.len);
	/* the value read lies in the scratch space: storing it moves it */
	EXPECT(mg_shdict_set(4, "k2", &v, 0) == 0 && stored_handle == 4 && stored_len == sizeof hello - 1 &&
		       memcmp(stored, hello, stored_len) == 0, "set of a value read: stored %d bytes", (int)stored_len);
	EXPECT(mg_shdict_lpop(3, "l", &v) == 0 && v.len == 5, "lpop: len %d", (int)v.len);
	EXPECT(mg_shdict_rpush(5, "l", &v) == 0 && stored_handle == 5 && memcmp(stored + 1, "\x07\x00\x00\x00hello", 9) == 0,
	       "rpush of a value popped");

	fake_data = stale, fake_data_len = sizeof stale - 1;
	EXPECT(mg_shdict_get_stale(3, "k", &v, &is_stale) == 0 && is_stale == 1 && v.kind == MG_NUMBER && v.flags == 2 &&
		       v.num == 1.5, "get_stale: stale %d kind %d num %g", (int)is_stale, (int)v.kind, v.num);

	v = mg_value_number(-2);
	v.flags = 9;
	fake_status = 1; /* forcible */
	EXPECT(mg_shdict_add(1, "n", &v, 0) == 1 && stored_len == 13 && stored[0] == MG_NUMBER && stored[1] == 9,
	       "add of a number: stored %d bytes", (int)stored_len);
	fake_status = 0;

	memset(long_value, 'x', sizeof long_value);
	v = mg_value_string(long_value, sizeof long_value); /* larger than the scratch space */
	EXPECT(mg_shdict_replace(1, "k", &v, 0) == MG_ERR_FAILED, "replace of a value larger than the scratch space");
	v.kind = 9;
	EXPECT(mg_shdict_safe_set(1, "k", &v, 0) == MG_ERR_BAD_ARGUMENT, "safe_set of kind 9");

	fake_data = keys, fake_data_len = sizeof keys - 1;
	EXPECT(mg_shdict_keys(1, 0, &len) != NULL && len == fake_data_len, "keys: len %d", (int)len);
	EXPECT(mg_list_init(&l, mg_shdict_keys(1, 0, &len), len) == 1 && mg_list_next(&l, &p) == 1 &&
		       mg_equal(p.key, p.key_len, "k") && p.value_len == MG_NO_VALUE,
	       "keys: not a list of one key");

	fake_status = MG_ERR_NOT_FOUND;
	EXPECT(mg_shdict_get(1, "absent", &v) == MG_ERR_NOT_FOUND, "get of a missing key");
	EXPECT(mg_shdict_rpop(1, "absent", &v) == MG_ERR_NOT_FOUND, "rpop of a missing key");
	fake_status = 0;
	fake_data = "\x09", fake_data_len = 1;
	EXPECT(mg_shdict_get(1, "k", &v) == MG_ERR_BAD_ARGUMENT, "get of a malformed value");
	fake_data = "", fake_data_len = 0;
	EXPECT(mg_shdict_get_stale(1, "k", &v, &is_stale) == MG_ERR_BAD_ARGUMENT, "get_stale of nothing");
}

static char *r_receive(int32_t *len) { return mg_tcp_receive(1, MG_RECEIVE_LINE, len); }
static char *r_receiveany(int32_t *len) { return mg_tcp_receiveany(1, 10, len); }
static char *r_until_read(int32_t *len) { return mg_tcp_until_read(1, 0, 4, len); }

static void test_receive(void)
{
	static const struct {
		const char *name;
		char *(*helper)(int32_t *len);
	} helpers[] = {{"mg_tcp_receive", r_receive}, {"mg_tcp_receiveany", r_receiveany}, {"mg_tcp_until_read", r_until_read}};
	/* A result too long for the scratch space is fetched from the host
	 * (natively the scratch space cannot grow: the held value is short). */
	static const char too_long[] = "1234567890123456789012345678901234567890123456789012345678901234";
	static const struct {
		const char *name;
		const char *value;
		int32_t status;
		const char *want; /* NULL: an error */
		int32_t want_len;
		int want_held_calls;
	} tests[] = {
		{"fits", "+PONG", 0, "+PONG", 5, 0},
		{"empty", "", 0, "", 0, 0},
		{"held by the host", too_long, 0, "held", 4, 1},
		{"timeout", NULL, MG_ERR_FAILED, NULL, MG_ERR_FAILED, 0},
		{"bad handle", NULL, MG_ERR_BAD_ARGUMENT, NULL, MG_ERR_BAD_ARGUMENT, 0},
		{"pattern reached", NULL, MG_ERR_NOT_FOUND, NULL, MG_ERR_NOT_FOUND, 0},
	};
	size_t h, t;
	int32_t len;
	char *got;
	for (h = 0; h < sizeof helpers / sizeof helpers[0]; h++) {
		for (t = 0; t < sizeof tests / sizeof tests[0]; t++) {
			len = 12345;
			fake_value = tests[t].value;
			fake_status = tests[t].status;
			fake_held = "held";
			held_calls = 0;
			got = helpers[h].helper(&len);
			EXPECT(len == tests[t].want_len, "%s, %s: len %d, want %d", helpers[h].name, tests[t].name,
			       (int)len, (int)tests[t].want_len);
			EXPECT(held_calls == tests[t].want_held_calls, "%s, %s: %d tcp_received calls, want %d",
			       helpers[h].name, tests[t].name, held_calls, tests[t].want_held_calls);
			if (tests[t].want == NULL)
				EXPECT(got == NULL, "%s, %s: got a result", helpers[h].name, tests[t].name);
			else
				EXPECT(got != NULL && strcmp(got, tests[t].want) == 0, "%s, %s: got \"%s\"",
				       helpers[h].name, tests[t].name, got ? got : "(null)");
		}
	}
	fake_held = "par";
	got = mg_tcp_received(1, &len);
	EXPECT(got != NULL && len == 3 && strcmp(got, "par") == 0, "mg_tcp_received: the partial data, got %d", (int)len);
	fake_status = 0;
}

static void test_equal(void)
{
	static const struct {
		const char *a;
		int32_t n;
		const char *b;
		int want;
	} tests[] = {
		{"abc", 3, "abc", 1}, {"abc", 2, "ab", 1}, {"abc", 3, "ab", 0},
		{"ab", 2, "abc", 0},  {"", 0, "", 1},      {"abc", 3, "abd", 0},
	};
	size_t t;
	for (t = 0; t < sizeof tests / sizeof tests[0]; t++)
		EXPECT(mg_equal(tests[t].a, tests[t].n, tests[t].b) == tests[t].want, "mg_equal(\"%.*s\", \"%s\")",
		       (int)tests[t].n, tests[t].a, tests[t].b);
	EXPECT(mg_strlen(NULL) == 0 && mg_strlen("abc") == 3, "mg_strlen");
}

int main(void)
{
	test_scratch();
	test_list();
	test_list_malformed();
	test_json_string();
	test_equal();
	test_value_encoding();
	test_value_malformed();
	test_shdict_helpers();
	test_receive();
	if (failures > 0) {
		printf("%d failures\n", failures);
		return 1;
	}
	printf("ok\n");
	return 0;
}
