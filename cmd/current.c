/*
 * current.c — `mig current [-v]`: the revision(s) the database is at, one per line.
 */
#include <string.h>

#include "cmd.h"

static int
current_run(struct mig_ctx *ctx)
{
	struct mig_state st;
	struct mig_revfmt fmt = { NULL, NULL, 0, NULL };
	size_t i;
	int rc;

	rc = mig_ctx_state(ctx, true, &st);
	if (rc)
		return mig_fail(rc);
	fmt.current = st.current;
	fmt.hist = st.hist;
	fmt.nhist = st.nhist;
	fmt.hist_by_id = &st.hist_by_id;
	for (i = 0; i < st.nheads; i++) {
		const struct mig_rev *r = mig_graph_find(ctx->graph, st.heads[i]);

		if (r == NULL)
			fprintf(ctx->out, "%s (unknown revision: no file and no history)\n", st.heads[i]);
		else if (ctx->verbose)
			mig_print_rev_verbose(ctx->out, ctx->graph, r, &fmt);
		else
			fprintf(ctx->out, "%s%s%s\n", r->id, r->nchildren == 0 ? " (head)" : "",
			    r->ghost ? " (files missing)" : "");
	}
	for (i = 0; i < st.nhist; i++)
		if (st.hist[i].kind && strcmp(st.hist[i].kind, "failed") == 0)
			fprintf(ctx->out, "%s (FAILED outside a transaction at %s: needs attention, see 'mig upgrade')\n",
			    st.hist[i].id, st.hist[i].applied_at ? st.hist[i].applied_at : "?");
	if (st.nheads == 0 && ctx->verbose)
		mig_info(ctx, "the database is at base (no revision applied)");
	mig_state_release(&st);
	return 0;
}

const struct mig_cmd cmd_current = {
	.name = "current",
	.usage = "[-v]",
	.summary = "show the revision(s) the database is at",
	.needs = MIG_NEED_DIR,
	.run = current_run,
};
