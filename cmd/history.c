/*
 * history.c — `mig history [-r START:END] [-v]`: the revisions, newest first, marking heads,
 * branch points, merges and (when the database is reachable) the current revision(s).
 */
#include <stdlib.h>
#include <string.h>

#include "cmd.h"

static const struct mig_opt history_opts[] = {
	{ 'r', "rev-range", true, "only revisions in START:END (e.g. base:head, e517:, :current, -3:)" },
	{ 0, NULL, false, NULL },
};

/* Marks r and everything reachable from it through parents (up == false) or children (up == true). */
static void
mark_reach(bool *mark, const struct mig_rev *r, bool up)
{
	const struct mig_rev **stack;
	size_t n = 0, cap = 16, i;

	if (mark[r->order])
		return;
	stack = mig_xcalloc(cap, sizeof(*stack));
	stack[n++] = r;
	mark[r->order] = true;
	while (n) {
		const struct mig_rev *x = stack[--n];
		/* Along the branch only: a range follows down_revision, not depends_on. */
		size_t next_n = up ? x->nchildren : x->ndown;

		for (i = 0; i < next_n; i++) {
			const struct mig_rev *y = up ? x->children[i] : x->parents[i];

			if (mark[y->order])
				continue;
			mark[y->order] = true;
			if (n == cap)
				stack = mig_xrealloc(stack, (cap *= 2) * sizeof(*stack));
			stack[n++] = y;
		}
	}
	free(stack);
}

/* Fills in with the revisions an endpoint names; "current" uses the version table. */
static int
mark_endpoint(struct mig_ctx *ctx, const struct mig_state *st, const char *spec, bool up, bool *mark)
{
	const struct mig_graph *g = ctx->graph;
	struct mig_rev *r = NULL;
	size_t i;
	int rc;

	if (strcmp(spec, "current") == 0) {
		for (i = 0; i < g->nrevs; i++)
			if (st->current[i])
				mark_reach(mark, g->revs[i], up);
		return 0;
	}
	if (strcmp(spec, "heads") == 0 || (strcmp(spec, "head") == 0 && !up)) {
		for (i = 0; i < g->nheads; i++)
			mark_reach(mark, g->heads[i], up);
		return 0;
	}
	if (strcmp(spec, "base") == 0) {
		for (i = 0; i < g->nrevs; i++)
			if (g->revs[i]->ndown == 0)
				mark_reach(mark, g->revs[i], up);
		return 0;
	}
	if (spec[0] == '-' || spec[0] == '+') {
		/* Relative to the current revision, as in Alembic's "-3:". */
		const char *cur;
		char *full;

		if (st->nheads != 1)
			return mig_error_set(MIG_EUSAGE, "'%s' is relative to the current revision, and the database "
			    "has %zu", spec, st->nheads);
		cur = st->heads[0];
		full = mig_xasprintf("%s%s", cur, spec);
		rc = mig_graph_resolve(&r, g, full);
		free(full);
	} else {
		rc = mig_graph_resolve(&r, g, spec);
	}
	if (rc)
		return rc;
	mark_reach(mark, r, up);
	return 0;
}

static int
history_run(struct mig_ctx *ctx)
{
	const char *range = mig_args_get(&ctx->args, 'r');
	struct mig_state st;
	struct mig_revfmt fmt;
	bool *from = NULL, *to = NULL;
	size_t i;
	int rc;

	if (ctx->args.npos)
		return mig_usage_error(&cmd_history, "unexpected argument '%s'", ctx->args.pos[0]);
	rc = mig_ctx_state(ctx, range && strstr(range, "current"), &st);
	if (rc)
		return mig_fail(rc);
	if (range) {
		const char *colon = strchr(range, ':');
		char *start;
		const char *end;

		if (colon == NULL) {
			mig_state_release(&st);
			return mig_usage_error(&cmd_history, "-r needs START:END, e.g. base:head or e517:");
		}
		start = mig_xstrndup(range, (size_t)(colon - range));
		end = colon + 1;
		from = mig_xcalloc(ctx->graph->nrevs + 1, sizeof(bool));
		to = mig_xcalloc(ctx->graph->nrevs + 1, sizeof(bool));
		rc = mark_endpoint(ctx, &st, *start ? start : "base", true, from);
		if (rc == 0)
			rc = mark_endpoint(ctx, &st, *end ? end : "heads", false, to);
		free(start);
		if (rc) {
			free(from);
			free(to);
			mig_state_release(&st);
			return mig_fail(rc);
		}
	}
	memset(&fmt, 0, sizeof(fmt));
	fmt.current = st.have_db ? st.current : NULL;
	fmt.hist = st.hist;
	fmt.nhist = st.nhist;
	fmt.hist_by_id = &st.hist_by_id;
	for (i = ctx->graph->nrevs; i-- > 0;) {
		const struct mig_rev *r = ctx->graph->revs[i];

		if (range && !(from[i] && to[i]))
			continue;
		if (ctx->verbose)
			mig_print_rev_verbose(ctx->out, ctx->graph, r, &fmt);
		else
			mig_print_rev_line(ctx->out, ctx->graph, r, &fmt);
	}
	free(from);
	free(to);
	mig_state_release(&st);
	return 0;
}

const struct mig_cmd cmd_history = {
	.name = "history",
	.usage = "[-r START:END] [-v]",
	.summary = "list revisions, newest first",
	.opts = history_opts,
	.needs = MIG_NEED_DIR,
	.run = history_run,
};
