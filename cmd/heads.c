/*
 * heads.c — `mig heads [-v]`: the revisions nothing builds on yet.
 */
#include "cmd.h"

static int
heads_run(struct mig_ctx *ctx)
{
	struct mig_state st;
	struct mig_revfmt fmt = { NULL, NULL, 0, NULL };
	size_t i;
	int rc;

	rc = mig_ctx_state(ctx, false, &st);
	if (rc)
		return mig_fail(rc);
	fmt.current = st.have_db ? st.current : NULL;
	fmt.hist = st.hist;
	fmt.nhist = st.nhist;
	fmt.hist_by_id = &st.hist_by_id;
	for (i = 0; i < ctx->graph->nheads; i++) {
		const struct mig_rev *r = ctx->graph->heads[i];
		size_t j;

		if (ctx->verbose) {
			mig_print_rev_verbose(ctx->out, ctx->graph, r, &fmt);
			continue;
		}
		fputs(r->id, ctx->out);
		for (j = 0; j < r->nlabels; j++)
			fprintf(ctx->out, " (%s)", r->labels[j]);
		fputs(" (head)", ctx->out);
		if (fmt.current && fmt.current[r->order])
			fputs(" (current)", ctx->out);
		fputc('\n', ctx->out);
	}
	mig_state_release(&st);
	return 0;
}

const struct mig_cmd cmd_heads = {
	.name = "heads",
	.usage = "[-v]",
	.summary = "show the head revisions",
	.needs = MIG_NEED_DIR,
	.run = heads_run,
};
