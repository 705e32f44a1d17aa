/*
 * autogen.c — placeholder until the manifest, introspection and differ land: autogenerate
 * reports that it is not available rather than pretending to find no change.
 */
#include "cmd.h"

int
mig_autogenerate(struct mig_ctx *ctx, char **up, char **down)
{
	(void)ctx;
	*up = *down = NULL;
	return mig_error_set(MIG_EUSAGE, "--autogenerate is not available in this build yet");
}
