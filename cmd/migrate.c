/*
 * migrate.c — `mig migrate -m MSG`: Flask-Migrate's name for `revision --autogenerate`. Compares
 * the manifest with the database (which must be at head) and writes the difference as a revision;
 * never touches the database.
 */
#include "cmd.h"

static const struct mig_opt migrate_opts[] = {
	{ 'm', "message", true, "what the revision does (required)" },
	{ OPT_HEAD, "head", true, "parent revision (default: the current head)" },
	{ OPT_BRANCH_LABEL, "branch-label", true, "label(s) for the new revision's branch" },
	{ OPT_DEPENDS_ON, "depends-on", true, "revision(s) this one depends on" },
	{ OPT_REV_ID, "rev-id", true, "use this id instead of a random one" },
	{ OPT_ALLOW_EDITED, "allow-edited", false, "proceed although applied scripts were edited" },
	{ 0, NULL, false, NULL },
};

static int
migrate_run(struct mig_ctx *ctx)
{
	return mig_revision_run(ctx, &cmd_migrate, true);
}

const struct mig_cmd cmd_migrate = {
	.name = "migrate",
	.usage = "-m MESSAGE [--head REV] [--branch-label L] [--depends-on REV] [--rev-id ID]",
	.summary = "write a revision from the difference between the manifest and the database",
	.opts = migrate_opts,
	/* No MIG_NEED_GRAPH: autogenerate loads the graph itself, with the database's ghosts. */
	.needs = MIG_NEED_DIR | MIG_NEED_URL,
	.run = migrate_run,
};
