/* hello: a content hook that answers "hello from a C guest". */
#include "moongate.h"

MG_EXPORT("on_content") int32_t on_content(void)
{
	if (mg_say("hello from a C guest") < 0)
		return 500;
	return MG_CONTINUE;
}
