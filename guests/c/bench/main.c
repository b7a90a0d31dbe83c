/*
 * bench: the C guest of the benchmark route /wasm-c/headers
 * (bench/compare.sh), with the same three hooks as the Lua route /headers:
 *
 *   access         the request header x-api-key must be "secret", else 401;
 *                  the request then gets the header X-User: alice.
 *   header_filter  sets the response header X-Gateway: bench.
 *   content        says the request's x-user header ("nil" when absent, as
 *                  ngx.say(nil) would).
 *
 * It takes no config.
 */
#include "moongate.h"

static const char want_key[] = "secret";

MG_EXPORT("on_access") int32_t on_access(void)
{
	int32_t len, i;
	const char *got = mg_header("x-api-key", &len);

	if (got == NULL || len != (int32_t)sizeof want_key - 1)
		return 401;
	for (i = 0; i < len; i++)
		if (got[i] != want_key[i])
			return 401;
	if (mg_req_set_header("X-User", "alice") < 0) {
		mg_log(MG_ERR, "bench: cannot set X-User");
		return 500;
	}
	return MG_CONTINUE;
}

MG_EXPORT("on_header_filter") int32_t on_header_filter(void)
{
	if (mg_resp_set_header("X-Gateway", "bench") < 0)
		mg_log(MG_ERR, "bench: cannot set X-Gateway");
	return MG_CONTINUE;
}

MG_EXPORT("on_content") int32_t on_content(void)
{
	int32_t len;
	const char *user = mg_header("x-user", &len);

	if (user == NULL)
		user = len == MG_ERR_NOT_FOUND ? "nil" : NULL;
	if (user == NULL || mg_say(user) < 0)
		return 500;
	return MG_CONTINUE;
}
