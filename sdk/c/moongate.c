/*
 * moongate.c - the C SDK's code: the moongate_abi_version export, the
 * scratch helpers (receiving from sockets too), the shared dict value
 * encoding and the list decoder.
 * See moongate.h.
 *
 * It needs no libc and allocates nothing: results go to a static scratch
 * buffer, which grows with memory.grow when a result does not fit.
 */
#include "moongate.h"

/* MG_SCRATCH_SIZE is the scratch buffer's initial size; a larger result
 * moves it to fresh pages at the end of linear memory. */
#ifndef MG_SCRATCH_SIZE
#define MG_SCRATCH_SIZE 4096
#endif

#define MG_PAGE 65536

/* MG_SCRATCH_MAX bounds the scratch space (32767 pages), so that its size
 * fits an int32_t. */
#define MG_SCRATCH_MAX 0x7FFF0000

MG_EXPORT("moongate_abi_version") int32_t moongate_abi_version(void) { return MG_ABI_VERSION; }

int32_t mg_strlen(const char *s)
{
	int32_t n = 0;
	if (s == NULL)
		return 0;
	while (s[n] != '\0')
		n++;
	return n;
}

int mg_equal(const char *a, int32_t n, const char *b)
{
	int32_t i;
	if (a == NULL || b == NULL)
		return 0;
	for (i = 0; i < n; i++)
		if (b[i] == '\0' || a[i] != b[i])
			return 0;
	return b[n] == '\0';
}

/* ---- Scratch space ---- */

static char scratch_static[MG_SCRATCH_SIZE];
static char *scratch = scratch_static;
static int32_t scratch_cap = MG_SCRATCH_SIZE;

/* grow adds pages of fresh linear memory and returns their address, or
 * NULL when memory cannot grow. Outside Wasm (the native unit test) the
 * scratch space never grows. */
static char *grow(int32_t pages)
{
#ifdef __wasm__
	int32_t old = (int32_t)__builtin_wasm_memory_grow(0, pages);
	if (old >= 0)
		return (char *)((uintptr_t)old * MG_PAGE);
#else
	(void)pages;
#endif
	return NULL;
}

/* scratch_reserve makes the scratch space hold at least n bytes; it
 * returns 0 when it cannot. The new space is taken from fresh pages, so
 * nothing else in linear memory moves. */
static int scratch_reserve(int32_t n)
{
	int32_t pages;
	char *p;
	if (n <= scratch_cap)
		return 1;
	pages = (int32_t)(((uint32_t)n + MG_PAGE - 1) / MG_PAGE);
	if ((p = grow(pages)) == NULL)
		return 0;
	scratch = p;
	scratch_cap = pages * MG_PAGE;
	return 1;
}

/* A getter is one host function that writes its result to a buffer, with
 * its other arguments bundled in a query. */
typedef struct {
	const char *s;
	int32_t s_len;
	int32_t a, b;
	const void *more; /* a getter's further arguments, when it has any */
} query;

typedef int32_t (*getter)(const query *q, char *buf, int32_t cap);

/* fetch runs get with the retry protocol into the scratch space and
 * returns the result NUL-terminated, or NULL with the error in *len. */
static char *fetch(getter get, const query *q, int32_t *len)
{
	int32_t n = get(q, scratch, scratch_cap - 1);
	if (n >= scratch_cap) {
		if (n >= MG_SCRATCH_MAX || !scratch_reserve(n + 1))
			n = MG_ERR_FAILED;
		else if ((n = get(q, scratch, scratch_cap - 1)) >= scratch_cap)
			n = MG_ERR_FAILED; /* the value grew between the calls */
	}
	if (len != NULL)
		*len = n;
	if (n < 0)
		return NULL;
	scratch[n] = '\0';
	return scratch;
}

static int32_t get_last_error(const query *q, char *buf, int32_t cap) { (void)q; return mg_abi_last_error(buf, cap); }
static int32_t get_config(const query *q, char *buf, int32_t cap) { (void)q; return mg_abi_plugin_config(buf, cap); }
static int32_t get_method(const query *q, char *buf, int32_t cap) { (void)q; return mg_abi_req_get_method(buf, cap); }
static int32_t get_uri(const query *q, char *buf, int32_t cap) { (void)q; return mg_abi_req_get_uri(buf, cap); }
static int32_t get_header(const query *q, char *buf, int32_t cap) { return mg_abi_req_get_header(q->s, q->s_len, buf, cap); }
static int32_t get_headers(const query *q, char *buf, int32_t cap) { return mg_abi_req_get_headers(q->a, q->b, buf, cap); }
static int32_t get_uri_args(const query *q, char *buf, int32_t cap) { return mg_abi_req_get_uri_args(q->a, buf, cap); }
static int32_t get_post_args(const query *q, char *buf, int32_t cap) { return mg_abi_req_get_post_args(q->a, buf, cap); }
static int32_t get_raw_header(const query *q, char *buf, int32_t cap) { return mg_abi_req_raw_header(q->a, buf, cap); }
static int32_t get_body(const query *q, char *buf, int32_t cap) { (void)q; return mg_abi_req_get_body_data(buf, cap); }
static int32_t get_resp_header(const query *q, char *buf, int32_t cap) { return mg_abi_resp_get_header(q->s, q->s_len, buf, cap); }
static int32_t get_resp_headers(const query *q, char *buf, int32_t cap) { return mg_abi_resp_get_headers(q->a, q->b, buf, cap); }
static int32_t get_var(const query *q, char *buf, int32_t cap) { return mg_abi_var_get(q->s, q->s_len, buf, cap); }
static int32_t get_ctx(const query *q, char *buf, int32_t cap) { return mg_abi_ctx_get(q->s, q->s_len, buf, cap); }
static int32_t get_chunk(const query *q, char *buf, int32_t cap) { (void)q; return mg_abi_arg_get_chunk(buf, cap); }
static int32_t get_timer_arg(const query *q, char *buf, int32_t cap) { (void)q; return mg_abi_timer_arg(buf, cap); }
static int32_t get_body_file(const query *q, char *buf, int32_t cap) { (void)q; return mg_abi_req_get_body_file(buf, cap); }
static int32_t get_captured_headers(const query *q, char *buf, int32_t cap) { return mg_abi_capture_headers(q->a, buf, cap); }
static int32_t get_captured_body(const query *q, char *buf, int32_t cap) { return mg_abi_capture_body(q->a, buf, cap); }

/* fetch_str and fetch_ints run get with a string or integer arguments. */
static char *fetch_str(getter get, const char *s, int32_t *len)
{
	query q = {s, mg_strlen(s), 0, 0, NULL};
	return fetch(get, &q, len);
}

static char *fetch_ints(getter get, int32_t a, int32_t b, int32_t *len)
{
	query q = {NULL, 0, a, b, NULL};
	return fetch(get, &q, len);
}

char *mg_error_message(int32_t *len) { return fetch_ints(get_last_error, 0, 0, len); }
char *mg_config(int32_t *len) { return fetch_ints(get_config, 0, 0, len); }
char *mg_method(int32_t *len) { return fetch_ints(get_method, 0, 0, len); }
char *mg_uri(int32_t *len) { return fetch_ints(get_uri, 0, 0, len); }
char *mg_header(const char *name, int32_t *len) { return fetch_str(get_header, name, len); }
char *mg_headers(int32_t max, int32_t raw, int32_t *len) { return fetch_ints(get_headers, max, raw, len); }
char *mg_uri_args(int32_t max, int32_t *len) { return fetch_ints(get_uri_args, max, 0, len); }
char *mg_post_args(int32_t max, int32_t *len) { return fetch_ints(get_post_args, max, 0, len); }
char *mg_raw_header(int32_t no_request_line, int32_t *len) { return fetch_ints(get_raw_header, no_request_line, 0, len); }
char *mg_body(int32_t *len) { return fetch_ints(get_body, 0, 0, len); }
char *mg_resp_header(const char *name, int32_t *len) { return fetch_str(get_resp_header, name, len); }
char *mg_resp_headers(int32_t max, int32_t raw, int32_t *len) { return fetch_ints(get_resp_headers, max, raw, len); }
char *mg_var(const char *name, int32_t *len) { return fetch_str(get_var, name, len); }
char *mg_ctx(const char *key, int32_t *len) { return fetch_str(get_ctx, key, len); }
char *mg_chunk(int32_t *len) { return fetch_ints(get_chunk, 0, 0, len); }
char *mg_body_file(int32_t *len) { return fetch_ints(get_body_file, 0, 0, len); }
char *mg_captured_headers(int32_t h, int32_t *len) { return fetch_ints(get_captured_headers, h, 0, len); }
char *mg_captured_body(int32_t h, int32_t *len) { return fetch_ints(get_captured_body, h, 0, len); }

/* ---- Regular expressions ---- */

/* regex is the pattern, flags and, for a substitution, the template of a
 * regex query, whose s is the subject. */
typedef struct {
	const char *pattern, *flags, *tmpl;
	int32_t *count;
	int32_t global;
} regex;

static int32_t get_group_names(const query *q, char *buf, int32_t cap)
{
	const regex *re = q->more;
	return mg_abi_re_group_names(re->pattern, mg_strlen(re->pattern), re->flags, mg_strlen(re->flags), buf, cap);
}

static int32_t get_sub(const query *q, char *buf, int32_t cap)
{
	const regex *re = q->more;
	int32_t (*sub)(const char *, int32_t, const char *, int32_t, const char *, int32_t, const char *, int32_t, int32_t *, char *, int32_t) =
		re->global ? mg_abi_re_gsub : mg_abi_re_sub;
	return sub(re->pattern, mg_strlen(re->pattern), re->flags, mg_strlen(re->flags), q->s, q->s_len,
		re->tmpl, mg_strlen(re->tmpl), re->count, buf, cap);
}

char *mg_re_group_names(const char *pattern, const char *flags, int32_t *len)
{
	regex re = {pattern, flags, NULL, NULL, 0};
	query q = {NULL, 0, 0, 0, &re};
	return fetch(get_group_names, &q, len);
}

/* substitute runs re_sub or re_gsub into the scratch space. */
static char *substitute(int32_t global, const char *pattern, const char *flags, const char *subject, int32_t subject_len, const char *tmpl, int32_t *count, int32_t *len)
{
	int32_t n = 0;
	regex re = {pattern, flags, tmpl, count != NULL ? count : &n, global};
	query q = {subject, subject_len, 0, 0, &re};
	return fetch(get_sub, &q, len);
}

char *mg_re_sub(const char *pattern, const char *flags, const char *subject, int32_t subject_len, const char *tmpl, int32_t *count, int32_t *len)
{
	return substitute(0, pattern, flags, subject, subject_len, tmpl, count, len);
}

char *mg_re_gsub(const char *pattern, const char *flags, const char *subject, int32_t subject_len, const char *tmpl, int32_t *count, int32_t *len)
{
	return substitute(1, pattern, flags, subject, subject_len, tmpl, count, len);
}

/* ---- Receiving ---- */

static int32_t get_received(const query *q, char *buf, int32_t cap) { return mg_abi_tcp_received(q->a, buf, cap); }

char *mg_tcp_received(int32_t h, int32_t *len) { return fetch_ints(get_received, h, 0, len); }
char *mg_timer_arg(int32_t *len) { return fetch_ints(get_timer_arg, 0, 0, len); }

/* receive_result finishes a receive into the scratch space that returned
 * n: a result too long for it is held by the host, and fetched from there. */
static char *receive_result(int32_t h, int32_t n, int32_t *len)
{
	if (n >= scratch_cap)
		return mg_tcp_received(h, len);
	if (len != NULL)
		*len = n;
	if (n < 0)
		return NULL;
	scratch[n] = '\0';
	return scratch;
}

char *mg_tcp_receive(int32_t h, int32_t pattern, int32_t *len)
{
	return receive_result(h, mg_abi_tcp_receive(h, pattern, scratch, scratch_cap - 1), len);
}

char *mg_tcp_receiveany(int32_t h, int32_t max, int32_t *len)
{
	return receive_result(h, mg_abi_tcp_receiveany(h, max, scratch, scratch_cap - 1), len);
}

char *mg_tcp_until_read(int32_t h, int32_t it, int32_t size, int32_t *len)
{
	return receive_result(h, mg_abi_tcp_until_read(it, size, scratch, scratch_cap - 1), len);
}

/* ---- Little-endian numbers ---- */

static uint32_t read_u32(const char *p)
{
	const unsigned char *u = (const unsigned char *)p;
	return (uint32_t)u[0] | (uint32_t)u[1] << 8 | (uint32_t)u[2] << 16 | (uint32_t)u[3] << 24;
}

static void write_u32(char *p, uint32_t v)
{
	int i;
	for (i = 0; i < 4; i++)
		p[i] = (char)(v >> (8 * i));
}

/* f64 reinterprets a double's bits. */
typedef union {
	double d;
	uint64_t u;
} f64;

/* ---- Shared dict values ---- */

/* move copies n bytes from src to dst, which may overlap. */
static void move(char *dst, const char *src, int32_t n)
{
	int32_t i;
	if (dst < src)
		for (i = 0; i < n; i++)
			dst[i] = src[i];
	else
		for (i = n - 1; i >= 0; i--)
			dst[i] = src[i];
}

int32_t mg_value_encode(const mg_value *v, char *out, int32_t cap)
{
	int32_t n = MG_VALUE_HEADER, i;
	f64 num;
	switch (v->kind) {
	case MG_NIL:
		break;
	case MG_BOOLEAN:
		n += 1;
		break;
	case MG_NUMBER:
		n += 8;
		break;
	case MG_STRING:
		if (v->len < 0 || v->len > 0x7FFFFFFF - MG_VALUE_HEADER)
			return MG_ERR_BAD_ARGUMENT;
		n += v->len;
		break;
	default:
		return MG_ERR_BAD_ARGUMENT;
	}
	if (n > cap)
		return n;
	/* the payload first: a string may lie where the header goes */
	switch (v->kind) {
	case MG_BOOLEAN:
		out[MG_VALUE_HEADER] = v->num != 0;
		break;
	case MG_NUMBER:
		num.d = v->num;
		for (i = 0; i < 8; i++)
			out[MG_VALUE_HEADER + i] = (char)(num.u >> (8 * i));
		break;
	case MG_STRING:
		move(out + MG_VALUE_HEADER, v->str, v->len);
		break;
	}
	out[0] = (char)v->kind;
	write_u32(out + 1, v->flags);
	return n;
}

int32_t mg_value_decode(const char *data, int32_t len, mg_value *v)
{
	int32_t n = len - MG_VALUE_HEADER, i;
	f64 num;
	if (data == NULL || n < 0)
		return MG_ERR_BAD_ARGUMENT;
	v->kind = (unsigned char)data[0];
	v->flags = read_u32(data + 1);
	v->num = 0;
	v->str = NULL;
	v->len = 0;
	data += MG_VALUE_HEADER;
	switch (v->kind) {
	case MG_NIL:
		return n == 0 ? 0 : MG_ERR_BAD_ARGUMENT;
	case MG_BOOLEAN:
		if (n != 1 || (data[0] != 0 && data[0] != 1))
			return MG_ERR_BAD_ARGUMENT;
		v->num = data[0];
		return 0;
	case MG_NUMBER:
		if (n != 8)
			return MG_ERR_BAD_ARGUMENT;
		num.u = 0;
		for (i = 7; i >= 0; i--)
			num.u = num.u << 8 | (unsigned char)data[i];
		v->num = num.d;
		return 0;
	case MG_STRING:
		v->str = data;
		v->len = n;
		return 0;
	}
	return MG_ERR_BAD_ARGUMENT;
}

/* ---- Shared dicts ---- */

static int32_t get_shdict(const query *q, char *buf, int32_t cap) { return mg_abi_shdict_get(q->a, q->s, q->s_len, buf, cap); }
static int32_t get_shdict_stale(const query *q, char *buf, int32_t cap) { return mg_abi_shdict_get_stale(q->a, q->s, q->s_len, buf, cap); }
static int32_t get_lpop(const query *q, char *buf, int32_t cap) { return mg_abi_shdict_lpop(q->a, q->s, q->s_len, buf, cap); }
static int32_t get_rpop(const query *q, char *buf, int32_t cap) { return mg_abi_shdict_rpop(q->a, q->s, q->s_len, buf, cap); }
static int32_t get_keys(const query *q, char *buf, int32_t cap) { return mg_abi_shdict_get_keys(q->a, q->b, buf, cap); }

/* fetch_value runs get for key of dict h and decodes the value that
 * follows skip bytes of the result into v; *first receives the result's
 * first byte when first is not NULL. */
static int32_t fetch_value(getter get, int32_t h, const char *key, int32_t skip, mg_value *v, int32_t *first)
{
	query q = {key, mg_strlen(key), h, 0, NULL};
	int32_t n;
	char *r = fetch(get, &q, &n);
	if (r == NULL)
		return n;
	if (n < skip)
		return MG_ERR_BAD_ARGUMENT;
	if (first != NULL)
		*first = r[0];
	return mg_value_decode(r + skip, n - skip, v);
}

int32_t mg_shdict_get(int32_t h, const char *key, mg_value *v) { return fetch_value(get_shdict, h, key, 0, v, NULL); }
int32_t mg_shdict_get_stale(int32_t h, const char *key, mg_value *v, int32_t *stale) { return fetch_value(get_shdict_stale, h, key, 1, v, stale); }
int32_t mg_shdict_lpop(int32_t h, const char *key, mg_value *v) { return fetch_value(get_lpop, h, key, 0, v, NULL); }
int32_t mg_shdict_rpop(int32_t h, const char *key, mg_value *v) { return fetch_value(get_rpop, h, key, 0, v, NULL); }
char *mg_shdict_keys(int32_t h, int32_t max, int32_t *len) { return fetch_ints(get_keys, h, max, len); }

/* encode writes v, encoded, to the scratch space and returns its length,
 * or a negative status. */
static int32_t encode(const mg_value *v)
{
	int32_t n = mg_value_encode(v, scratch, scratch_cap);
	if (n <= scratch_cap)
		return n;
	if (!scratch_reserve(n)) /* the string stays where it was */
		return MG_ERR_FAILED;
	return mg_value_encode(v, scratch, scratch_cap);
}

typedef int32_t (*storer)(int32_t h, const char *key, int32_t key_len, const char *value, int32_t value_len, double ttl);
typedef int32_t (*pusher)(int32_t h, const char *key, int32_t key_len, const char *value, int32_t value_len);

static int32_t store(storer f, int32_t h, const char *key, const mg_value *v, double ttl)
{
	int32_t n = encode(v);
	return n < 0 ? n : f(h, key, mg_strlen(key), scratch, n, ttl);
}

static int32_t push(pusher f, int32_t h, const char *key, const mg_value *v)
{
	int32_t n = encode(v);
	return n < 0 ? n : f(h, key, mg_strlen(key), scratch, n);
}

int32_t mg_shdict_set(int32_t h, const char *key, const mg_value *v, double ttl) { return store(mg_abi_shdict_set, h, key, v, ttl); }
int32_t mg_shdict_safe_set(int32_t h, const char *key, const mg_value *v, double ttl) { return store(mg_abi_shdict_safe_set, h, key, v, ttl); }
int32_t mg_shdict_add(int32_t h, const char *key, const mg_value *v, double ttl) { return store(mg_abi_shdict_add, h, key, v, ttl); }
int32_t mg_shdict_safe_add(int32_t h, const char *key, const mg_value *v, double ttl) { return store(mg_abi_shdict_safe_add, h, key, v, ttl); }
int32_t mg_shdict_replace(int32_t h, const char *key, const mg_value *v, double ttl) { return store(mg_abi_shdict_replace, h, key, v, ttl); }
int32_t mg_shdict_lpush(int32_t h, const char *key, const mg_value *v) { return push(mg_abi_shdict_lpush, h, key, v); }
int32_t mg_shdict_rpush(int32_t h, const char *key, const mg_value *v) { return push(mg_abi_shdict_rpush, h, key, v); }

/* ---- Lists ---- */

int32_t mg_list_init(mg_list *l, const char *data, int32_t len)
{
	uint32_t count;
	if (data == NULL || len < 4)
		return MG_ERR_BAD_ARGUMENT;
	count = read_u32(data);
	if (count > ((uint32_t)len - 4) / 8)
		return MG_ERR_BAD_ARGUMENT;
	l->data = data;
	l->len = len;
	l->count = count;
	l->next = 0;
	l->off = 4 + 8 * count;
	return (int32_t)count;
}

int32_t mg_list_next(mg_list *l, mg_pair *p)
{
	const char *lens;
	uint32_t klen, vlen, left;
	if (l->next >= l->count)
		return 0;
	lens = l->data + 4 + 8 * l->next;
	klen = read_u32(lens);
	vlen = read_u32(lens + 4);
	left = (uint32_t)l->len - l->off;
	if (klen > left || (vlen != 0xFFFFFFFFu && vlen > left - klen))
		return MG_ERR_BAD_ARGUMENT;
	p->key = l->data + l->off;
	p->key_len = (int32_t)klen;
	l->off += klen;
	if (vlen == 0xFFFFFFFFu) {
		p->value = NULL;
		p->value_len = MG_NO_VALUE;
	} else {
		p->value = l->data + l->off;
		p->value_len = (int32_t)vlen;
		l->off += vlen;
	}
	l->next++;
	return 1;
}

int32_t mg_list_get(const char *data, int32_t len, const char *key, mg_pair *p)
{
	mg_list l;
	int32_t rc = mg_list_init(&l, data, len);
	if (rc < 0)
		return rc;
	while ((rc = mg_list_next(&l, p)) == 1)
		if (mg_equal(p->key, p->key_len, key))
			return 1;
	return rc;
}

/* ---- Config ---- */

/* string_end returns the offset just past the closing quote of the JSON
 * string that opens at s[i], or -1 when it is not terminated. */
static int32_t string_end(const char *s, int32_t i, int32_t len)
{
	for (i++; i < len; i++) {
		if (s[i] == '\\')
			i++;
		else if (s[i] == '"')
			return i + 1;
	}
	return -1;
}

static int32_t skip_space(const char *s, int32_t i, int32_t len)
{
	while (i < len && (s[i] == ' ' || s[i] == '\t' || s[i] == '\n' || s[i] == '\r'))
		i++;
	return i;
}

/* unescape decodes the body of a JSON string, s[i:end), and returns its
 * length; it writes it to out unless out is NULL. */
static int32_t unescape(const char *s, int32_t i, int32_t end, char *out)
{
	int32_t n = 0;
	for (; i < end; i++, n++) {
		char c = s[i];
		if (c == '\\' && i + 1 < end && s[i + 1] != 'u') { /* \uXXXX is kept */
			switch (s[++i]) {
			case 'b': c = '\b'; break;
			case 'f': c = '\f'; break;
			case 'n': c = '\n'; break;
			case 'r': c = '\r'; break;
			case 't': c = '\t'; break;
			default: c = s[i]; break;
			}
		}
		if (out != NULL)
			out[n] = c;
	}
	return n;
}

int32_t mg_json_string(const char *json, int32_t len, const char *name, char *out, int32_t cap)
{
	int32_t i = 0, end, j, vend, n;
	while (i < len) {
		if (json[i] != '"') {
			i++;
			continue;
		}
		if ((end = string_end(json, i, len)) < 0)
			break;
		j = skip_space(json, end, len);
		if (j < len && json[j] == ':' && mg_equal(json + i + 1, end - i - 2, name)) {
			j = skip_space(json, j + 1, len);
			if (j < len && json[j] == '"') {
				if ((vend = string_end(json, j, len)) < 0)
					break;
				n = unescape(json, j + 1, vend - 1, NULL);
				if (n <= cap)
					unescape(json, j + 1, vend - 1, out);
				return n;
			}
		}
		i = end;
	}
	return MG_ERR_NOT_FOUND;
}
