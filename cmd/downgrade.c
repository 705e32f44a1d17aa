/*
 * downgrade.c — `mig downgrade [TARGET] [--sql]`: revert down to TARGET (default -1, one revision).
 */
#include "cmd.h"

static const struct mig_opt downgrade_opts[] = {
	{ OPT_SQL, "sql", false, "print the SQL instead of running it (offline; TARGET is START:END)" },
	{ OPT_PER_REVISION, "transaction-per-revision", false, "commit after each revision" },
	{ OPT_ONE_TRANSACTION, "one-transaction", false, "run everything in one transaction (the default)" },
	{ OPT_ALLOW_EDITED, "allow-edited", false, "proceed although applied scripts were edited" },
	{ 0, NULL, false, NULL },
};

static int
downgrade_run(struct mig_ctx *ctx)
{
	return mig_ctx_migrate(ctx, &cmd_downgrade, MIG_DOWN);
}

const struct mig_cmd cmd_downgrade = {
	.name = "downgrade",
	.usage = "[TARGET] [--sql] [--transaction-per-revision]",
	.summary = "revert revisions down to TARGET (default: -1; 'base' reverts everything)",
	.opts = downgrade_opts,
	.needs = MIG_NEED_DIR | MIG_NEED_URL,
	.run = downgrade_run,
};
