/*
 * addheader: a header_filter hook that sets a response header: X-Wasm: c,
 * or the config's "name" and "value".
 *
 *   header_filter: {wasm: addheader.wasm, config: {name: X-Served-By, value: moongate}}
 */
#include "moongate.h"

#define MAX_VALUE 512

static char name[MAX_VALUE];
static char value[MAX_VALUE];

/* config_string copies the config's string member key into out, or def
 * when the config has none that fits; it returns the length. */
static int32_t config_string(const char *cfg, int32_t cfg_len, const char *key, const char *def, char *out)
{
	int32_t n = cfg == NULL ? MG_ERR_NOT_FOUND : mg_json_string(cfg, cfg_len, key, out, MAX_VALUE);
	if (n < 0 || n > MAX_VALUE) {
		for (n = 0; def[n] != '\0'; n++)
			out[n] = def[n];
	}
	return n;
}

MG_EXPORT("on_header_filter") int32_t on_header_filter(void)
{
	int32_t cfg_len, name_len, value_len;
	const char *cfg = mg_config(&cfg_len);

	name_len = config_string(cfg, cfg_len, "name", "X-Wasm", name);
	value_len = config_string(cfg, cfg_len, "value", "c", value);
	mg_abi_resp_set_header(name, name_len, value, value_len);
	return MG_CONTINUE;
}
