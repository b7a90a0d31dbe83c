/* upper: a body_filter hook that upper-cases the response body (ASCII
 * letters), chunk by chunk. */
#include "moongate.h"

MG_EXPORT("on_body_filter") int32_t on_body_filter(void)
{
	int32_t n, i;
	char *chunk = mg_chunk(&n); /* scratch space: ours to change */

	if (chunk == NULL) {
		mg_log(MG_ERR, "upper: cannot read the chunk");
		return 500;
	}
	for (i = 0; i < n; i++)
		if (chunk[i] >= 'a' && chunk[i] <= 'z')
			chunk[i] -= 'a' - 'A';
	if (mg_abi_arg_set_chunk(chunk, n) < 0) {
		mg_log(MG_ERR, "upper: cannot replace the chunk");
		return 500;
	}
	return MG_CONTINUE;
}
