/*
 * apikey: an access hook that lets a request through only when its
 * X-API-Key header equals the config's "key", and then sets the request
 * header X-User to the config's "user" (when there is one). Otherwise the
 * request gets a 401.
 *
 *   access: {wasm: apikey.wasm, config: {key: s3cret, user: alice}}
 */
#include "moongate.h"

#define MAX_VALUE 512

static char key[MAX_VALUE];
static char user[MAX_VALUE];

/* same compares the n bytes of a and b in time that does not depend on
 * where they differ. */
static int same(const char *a, const char *b, int32_t n)
{
	unsigned char diff = 0;
	int32_t i;
	for (i = 0; i < n; i++)
		diff |= (unsigned char)(a[i] ^ b[i]);
	return diff == 0;
}

MG_EXPORT("on_access") int32_t on_access(void)
{
	int32_t cfg_len, key_len, user_len, got_len;
	const char *cfg = mg_config(&cfg_len);
	const char *got;

	if (cfg == NULL) {
		mg_log(MG_ERR, "apikey: cannot read the plugin config");
		return 500;
	}
	key_len = mg_json_string(cfg, cfg_len, "key", key, sizeof key);
	if (key_len <= 0 || key_len > (int32_t)sizeof key) {
		mg_log(MG_ERR, "apikey: the config needs a non-empty \"key\" string (at most 512 bytes)");
		return 500;
	}
	user_len = mg_json_string(cfg, cfg_len, "user", user, sizeof user);

	got = mg_header("x-api-key", &got_len); /* the config is not needed past here */
	if (got == NULL || got_len != key_len || !same(got, key, key_len))
		return 401;
	if (user_len > 0 && user_len <= (int32_t)sizeof user && mg_abi_req_set_header("X-User", 6, user, user_len) < 0) {
		mg_log(MG_ERR, "apikey: cannot set X-User");
		return 500;
	}
	return MG_CONTINUE;
}
