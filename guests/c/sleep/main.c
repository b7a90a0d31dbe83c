/* sleep: a content handler that waits one second without using CPU, then
 * answers "ok": the C guest of bench/waiting. */
#include "moongate.h"

MG_EXPORT("on_content") int32_t on_content(void)
{
	if (mg_sleep(1.0) < 0)
		return 500;
	mg_say("ok");
	return MG_CONTINUE;
}
