/*
 * upgrade.c — `mig upgrade [TARGET] [--sql]`: apply revisions up to TARGET (default head).
 */
#include "cmd.h"

static const struct mig_opt upgrade_opts[] = {
	{ OPT_SQL, "sql", false, "print the SQL instead of running it (offline; TARGET may be START:END)" },
	{ OPT_PER_REVISION, "transaction-per-revision", false, "commit after each revision" },
	{ OPT_ONE_TRANSACTION, "one-transaction", false, "run everything in one transaction (the default)" },
	{ OPT_ALLOW_EDITED, "allow-edited", false, "proceed although applied scripts were edited" },
	{ 0, NULL, false, NULL },
};

static int
upgrade_run(struct mig_ctx *ctx)
{
	return mig_ctx_migrate(ctx, &cmd_upgrade, MIG_UP);
}

const struct mig_cmd cmd_upgrade = {
	.name = "upgrade",
	.usage = "[TARGET] [--sql] [--transaction-per-revision]",
	.summary = "apply revisions up to TARGET (default: head)",
	.opts = upgrade_opts,
	.needs = MIG_NEED_DIR | MIG_NEED_URL,
	.run = upgrade_run,
};
