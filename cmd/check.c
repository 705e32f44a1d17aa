/*
 * check.c — `mig check`: exit 1 listing the changes when the manifest and the database (at head)
 * differ, 0 when they are in sync. Meant for CI: "did someone change a model without a migration?"
 */
#include "cmd.h"

static const struct mig_opt check_opts[] = {
	{ OPT_ALLOW_EDITED, "allow-edited", false, "proceed although applied scripts were edited" },
	{ 0, NULL, false, NULL },
};

static int
check_run(struct mig_ctx *ctx)
{
	size_t changes = 0;
	int rc;

	if (ctx->args.npos)
		return mig_usage_error(&cmd_check, "unexpected argument '%s'", ctx->args.pos[0]);
	rc = mig_autogen_check(ctx, &changes);
	if (rc)
		return mig_fail(rc);
	if (changes) {
		mig_err("the database differs from the manifest in %zu change(s); run 'mig migrate'", changes);
		return MIG_EXIT_FAIL;
	}
	mig_info(ctx, "No changes in schema detected.");
	return 0;
}

const struct mig_cmd cmd_check = {
	.name = "check",
	.usage = "",
	.summary = "exit 1 if the manifest and the database differ",
	.opts = check_opts,
	.needs = MIG_NEED_DIR | MIG_NEED_URL,
	.run = check_run,
};
