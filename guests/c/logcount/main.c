/*
 * logcount: a log hook that counts the requests it has seen and logs
 * "requests served: N" at NOTICE. The count is a global, so it is per
 * instance: each instance of the pool counts the requests it served, as
 * each nginx worker's Lua VM would.
 */
#include "moongate.h"

static uint64_t served;

MG_EXPORT("on_log") int32_t on_log(void)
{
	static const char prefix[] = "requests served: ";
	char line[sizeof prefix + 20];
	char digits[20];
	int32_t n = sizeof prefix - 1, d = 0, i;
	uint64_t v = ++served;

	for (i = 0; i < n; i++)
		line[i] = prefix[i];
	do {
		digits[d++] = (char)('0' + v % 10);
		v /= 10;
	} while (v > 0);
	while (d > 0)
		line[n++] = digits[--d];
	mg_abi_log(MG_NOTICE, line, n);
	return MG_CONTINUE;
}
