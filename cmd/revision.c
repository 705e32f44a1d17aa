/*
 * revision.c — `mig revision -m MSG`: a new revision whose parent is the current head (or --head),
 * with empty up/down scripts to fill in by hand, or generated ones with --autogenerate.
 */
#include <stdlib.h>
#include <string.h>

#include "cmd.h"
#include "templates.h"

static const struct mig_opt revision_opts[] = {
	{ 'm', "message", true, "what the revision does (required)" },
	{ OPT_AUTOGENERATE, "autogenerate", false, "fill the scripts from the manifest/database difference" },
	{ OPT_HEAD, "head", true, "parent revision (default: the current head; 'base' starts a new root)" },
	{ OPT_BRANCH_LABEL, "branch-label", true, "label(s) for the new revision's branch" },
	{ OPT_DEPENDS_ON, "depends-on", true, "revision(s) this one depends on" },
	{ OPT_REV_ID, "rev-id", true, "use this id instead of a random one" },
	{ OPT_EMPTY, "empty", false, "write empty scripts even with --autogenerate" },
	{ OPT_ALLOW_EDITED, "allow-edited", false, "with --autogenerate: proceed although applied scripts were edited" },
	{ 0, NULL, false, NULL },
};

size_t
mig_split_list(const char *value, char **store, const char ***items)
{
	size_t n = 0;
	char *p;

	*store = mig_xstrdup(value ? value : "");
	*items = mig_xcalloc(strlen(*store) / 2 + 2, sizeof(char *));
	for (p = *store; *p;) {
		while (*p == ',' || *p == ' ')
			*p++ = '\0';
		if (*p == '\0')
			break;
		(*items)[n++] = p;
		while (*p && *p != ',' && *p != ' ')
			p++;
	}
	return n;
}

int
mig_ctx_write_revision(struct mig_ctx *ctx, const struct mig_rev_new *spec)
{
	struct mig_buf tmpl = MIG_BUF_INIT;
	char *tmpl_path = mig_path_join(ctx->cfg->dir, "script.sql.tmpl");
	char *versions = mig_path_join(ctx->cfg->dir, "versions"), *up = NULL, *down = NULL;
	int rc;

	rc = mig_file_read(&tmpl, tmpl_path, 1u << 20);
	if (rc == MIG_ENOTFOUND) {
		/* A project without its own template gets the built-in one. */
		const struct mig_template *t;

		mig_error_clear();
		for (t = mig_templates; t->name && strcmp(t->name, "script.sql.tmpl") != 0; t++)
			;
		mig_buf_put(&tmpl, t->data, t->len);
		rc = 0;
	}
	if (rc == 0 && !mig_path_is_dir(versions))
		rc = mig_error_set(MIG_ENOTFOUND, "directory '%s' not found (run 'mig init')", versions);
	if (rc == 0)
		rc = mig_rev_write(&up, &down, spec, tmpl.ptr, tmpl_path, versions);
	if (rc == 0) {
		mig_info(ctx, "Generating %s ... done", up);
		mig_info(ctx, "Generating %s ... done", down);
	}
	mig_buf_release(&tmpl);
	free(tmpl_path);
	free(versions);
	free(up);
	free(down);
	return rc;
}

/* The new revision's parent(s): --head, else the only head (none for the first revision). */
static int
pick_parents(struct mig_ctx *ctx, const char *head, const char ***down, size_t *ndown)
{
	const struct mig_graph *g = ctx->graph;
	struct mig_rev *r = NULL;
	int rc;

	*down = mig_xcalloc(g->nheads + 1, sizeof(char *));
	*ndown = 0;
	if (head && strcmp(head, "base") == 0)
		return 0;
	if (head == NULL && g->nheads == 0)
		return 0;
	rc = mig_graph_resolve(&r, g, head ? head : "head");
	if (rc == MIG_EAMBIGUOUS && head == NULL)
		mig_error_prefix("several heads; pass --head REV to choose the parent, or 'mig merge heads'");
	if (rc)
		return rc;
	(*down)[(*ndown)++] = r->id;
	return 0;
}

int
mig_revision_run(struct mig_ctx *ctx, const struct mig_cmd *cmd, bool autogenerate)
{
	struct mig_rev_new spec;
	const char *msg = mig_args_get(&ctx->args, 'm');
	const char **down = NULL, **labels = NULL, **deps = NULL;
	char *label_store = NULL, *dep_store = NULL, *up_body = NULL, *down_body = NULL;
	size_t i;
	int rc;

	if (msg == NULL || *msg == '\0')
		return mig_usage_error(cmd, "a message is required (-m MESSAGE)");
	if (ctx->args.npos)
		return mig_usage_error(cmd, "unexpected argument '%s'", ctx->args.pos[0]);
	/*
	 * Autogenerate first: it reloads ctx->graph with the database's ghosts, and every revision
	 * pointer below must come from the graph that stays.
	 */
	if (autogenerate && !mig_args_has(&ctx->args, OPT_EMPTY)) {
		rc = mig_autogenerate(ctx, &up_body, &down_body);
		if (rc)
			goto cleanup;
		if (up_body == NULL) {
			mig_info(ctx, "No changes in schema detected.");
			goto cleanup;
		}
	}
	memset(&spec, 0, sizeof(spec));
	spec.message = msg;
	spec.id = mig_args_get(&ctx->args, OPT_REV_ID);
	if (spec.id && mig_graph_find(ctx->graph, spec.id)) {
		rc = mig_error_set(MIG_EEXISTS, "revision '%s' already exists", spec.id);
		goto cleanup;
	}
	rc = pick_parents(ctx, mig_args_get(&ctx->args, OPT_HEAD), &down, &spec.ndown);
	if (rc)
		goto cleanup;
	spec.down = down;
	spec.nlabels = mig_split_list(mig_args_get(&ctx->args, OPT_BRANCH_LABEL), &label_store, &labels);
	spec.labels = labels;
	for (i = 0; i < spec.nlabels; i++) {
		struct mig_rev *r = NULL;

		if (mig_graph_resolve(&r, ctx->graph, labels[i]) == 0) {
			rc = mig_error_set(MIG_EEXISTS, "branch label '%s' is already used by revision '%s'",
			    labels[i], r->id);
			goto cleanup;
		}
		mig_error_clear();
	}
	spec.ndepends = mig_split_list(mig_args_get(&ctx->args, OPT_DEPENDS_ON), &dep_store, &deps);
	for (i = 0; i < spec.ndepends; i++) {
		struct mig_rev *r = NULL;

		rc = mig_graph_resolve(&r, ctx->graph, deps[i]);
		if (rc)
			goto cleanup;
		deps[i] = r->id;
	}
	spec.depends = deps;
	spec.up_body = up_body;
	spec.down_body = down_body;
	rc = mig_ctx_write_revision(ctx, &spec);
cleanup:
	free(down);
	free(labels);
	free(deps);
	free(label_store);
	free(dep_store);
	free(up_body);
	free(down_body);
	return rc ? mig_fail(rc) : 0;
}

static int
revision_run(struct mig_ctx *ctx)
{
	return mig_revision_run(ctx, &cmd_revision, mig_args_has(&ctx->args, OPT_AUTOGENERATE));
}

const struct mig_cmd cmd_revision = {
	.name = "revision",
	.usage = "-m MESSAGE [--autogenerate] [--head REV] [--branch-label L] [--depends-on REV] [--rev-id ID] [--empty]",
	.summary = "write a new revision (empty scripts unless --autogenerate)",
	.opts = revision_opts,
	.needs = MIG_NEED_DIR | MIG_NEED_GRAPH,
	.run = revision_run,
};
