/*
 * branches.c — `mig branches [-v]`: the branch points and the revisions they branch into.
 */
#include <stdlib.h>

#include "cmd.h"

static int
branches_run(struct mig_ctx *ctx)
{
	struct mig_rev **points = NULL;
	size_t n = mig_graph_branch_points(ctx->graph, &points), i, j;

	for (i = 0; i < n; i++) {
		const struct mig_rev *r = points[i];

		if (ctx->verbose)
			mig_print_rev_verbose(ctx->out, ctx->graph, r, NULL);
		else
			fprintf(ctx->out, "%s (branchpoint)\n", r->id);
		for (j = 0; j < r->nchildren; j++) {
			const struct mig_rev *c = r->children[j];

			fprintf(ctx->out, "%*s -> %s%s, %s\n", 12, "", c->id, c->nchildren == 0 ? " (head)" : "",
			    c->message);
		}
	}
	free(points);
	return 0;
}

const struct mig_cmd cmd_branches = {
	.name = "branches",
	.usage = "[-v]",
	.summary = "show the branch points",
	.needs = MIG_NEED_DIR | MIG_NEED_GRAPH,
	.run = branches_run,
};
