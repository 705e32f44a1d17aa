/*
 * merge.c — `mig merge -m MSG REV REV...` (or `heads`): a revision that joins several heads, with
 * empty scripts (the branches' SQL is already in their own revisions).
 */
#include <stdlib.h>
#include <string.h>

#include "cmd.h"

static const struct mig_opt merge_opts[] = {
	{ 'm', "message", true, "what the merge is (required)" },
	{ OPT_BRANCH_LABEL, "branch-label", true, "label(s) for the merge revision" },
	{ OPT_REV_ID, "rev-id", true, "use this id instead of a random one" },
	{ 0, NULL, false, NULL },
};

/* Appends id unless it is already there (`heads` may name what another argument named). */
static size_t
add_parent(const char **down, size_t n, const char *id)
{
	size_t j;

	for (j = 0; j < n; j++)
		if (strcmp(down[j], id) == 0)
			return n;
	down[n] = id;
	return n + 1;
}

static int
merge_run(struct mig_ctx *ctx)
{
	const struct mig_graph *g = ctx->graph;
	struct mig_rev_new spec;
	const char **down, **labels = NULL;
	char *label_store = NULL;
	size_t i, j, n = 0;
	int rc = 0;

	memset(&spec, 0, sizeof(spec));
	spec.message = mig_args_get(&ctx->args, 'm');
	if (spec.message == NULL || *spec.message == '\0')
		return mig_usage_error(&cmd_merge, "a message is required (-m MESSAGE)");
	if (ctx->args.npos == 0)
		return mig_usage_error(&cmd_merge, "name the revisions to merge, or 'heads'");
	down = mig_xcalloc(g->nrevs + ctx->args.npos + 1, sizeof(char *));
	for (i = 0; rc == 0 && i < ctx->args.npos; i++) {
		const char *spec_i = ctx->args.pos[i];
		struct mig_rev *r = NULL;

		if (strcmp(spec_i, "heads") == 0) {
			for (j = 0; j < g->nheads; j++)
				n = add_parent(down, n, g->heads[j]->id);
			continue;
		}
		rc = mig_graph_resolve(&r, g, spec_i);
		if (rc == 0)
			n = add_parent(down, n, r->id);
	}
	if (rc == 0 && n < 2)
		rc = mig_error_set(MIG_EUSAGE, "a merge needs at least two revisions (there %s %zu)",
		    n == 1 ? "is" : "are", n);
	/* Merging a revision with its own ancestor would make a needless diamond. */
	for (i = 0; rc == 0 && i < n; i++)
		for (j = 0; rc == 0 && j < n; j++)
			if (i != j && mig_graph_is_branch_ancestor(g, mig_graph_find(g, down[i]), mig_graph_find(g, down[j])))
				rc = mig_error_set(MIG_EUSAGE, "revision '%s' is an ancestor of '%s'; nothing to merge",
				    down[i], down[j]);
	if (rc == 0) {
		spec.down = down;
		spec.ndown = n;
		spec.id = mig_args_get(&ctx->args, OPT_REV_ID);
		if (spec.id && mig_graph_find(g, spec.id))
			rc = mig_error_set(MIG_EEXISTS, "revision '%s' already exists", spec.id);
		spec.nlabels = mig_split_list(mig_args_get(&ctx->args, OPT_BRANCH_LABEL), &label_store, &labels);
		spec.labels = labels;
	}
	if (rc == 0)
		rc = mig_ctx_write_revision(ctx, &spec);
	free(down);
	free(labels);
	free(label_store);
	return rc ? mig_fail(rc) : 0;
}

const struct mig_cmd cmd_merge = {
	.name = "merge",
	.usage = "-m MESSAGE REV REV... | heads",
	.summary = "write a revision that merges several heads",
	.opts = merge_opts,
	.needs = MIG_NEED_DIR | MIG_NEED_GRAPH,
	.run = merge_run,
};
