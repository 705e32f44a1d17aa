/*
 * runner.c — what `upgrade` and `downgrade` share: take the lock, read the version table and the
 * history, verify applied scripts were not edited, plan, load every script, then run the plan
 * (or print it with --sql) and report progress and failures.
 */
#include <stdlib.h>
#include <string.h>

#include "cmd.h"
#include "run.h"
#include "sql.h"

struct progress {
	struct mig_ctx *ctx;
};

static void
print_step(FILE *f, const struct mig_step *st)
{
	const struct mig_rev *r = st->rev;
	size_t i;

	if (st->dir == MIG_UP) {
		fputs("Running upgrade ", f);
		for (i = 0; i < r->ndown; i++)
			fprintf(f, "%s%s", i ? ", " : "", r->down[i]);
		fprintf(f, " -> %s, %s", r->id, r->message);
	} else {
		fprintf(f, "Running downgrade %s -> ", r->id);
		for (i = 0; i < r->ndown; i++)
			fprintf(f, "%s%s", i ? ", " : "", r->down[i]);
		fprintf(f, ", %s", r->message);
	}
}

/* One line per revision: before it runs, or with its time once done under -v. */
static void
on_progress(void *arg, const struct mig_step *st, double ms)
{
	struct progress *p = arg;
	struct mig_ctx *ctx = p->ctx;

	if (ctx->quiet || (ms < 0) == (ctx->verbose > 0))
		return;
	print_step(ctx->err, st);
	if (ms >= 0)
		fprintf(ctx->err, " (%.1f ms)", ms);
	fputc('\n', ctx->err);
	fflush(ctx->err);
}

static bool
stop_requested(void *arg)
{
	(void)arg;
	return mig_signal_caught() != 0;
}

static void
describe_heads(struct mig_buf *b, const char *const *heads, size_t n)
{
	size_t i;

	if (n == 0)
		mig_buf_puts(b, "base (no revision)");
	for (i = 0; i < n; i++)
		mig_buf_printf(b, "%s%s", i ? ", " : "", heads[i]);
}

/*
 * An applied script edited afterwards means the database no longer matches its own history:
 * refuse (exit 2) naming the revision and file, unless the user says it is deliberate.
 */
int
mig_ctx_verify_checksums(struct mig_ctx *ctx, const struct mig_applied *hist, size_t nhist)
{
	size_t i;

	for (i = 0; i < nhist; i++) {
		const struct mig_applied *h = &hist[i];
		const struct mig_rev *r = mig_graph_find(ctx->graph, h->id);
		char up[65], down[65];
		const char *which = NULL;
		int rc;

		if (r == NULL || r->ghost || h->up_sha256[0] == '\0' || (h->kind && strcmp(h->kind, "failed") == 0))
			continue;
		rc = mig_run_hash_files(r, up, down, NULL);
		if (rc)
			return rc;
		if (strcmp(up, h->up_sha256) != 0)
			which = r->up_path;
		else if (h->down_sha256[0] && strcmp(down, h->down_sha256) != 0)
			which = r->down_path;
		if (which == NULL)
			continue;
		if (mig_args_has(&ctx->args, OPT_ALLOW_EDITED)) {
			mig_warn(ctx, "%s: revision '%s' was edited after it was applied", which, h->id);
			continue;
		}
		return mig_error_set(MIG_ECHANGED, "%s: revision '%s' was edited after it was applied "
		    "(applied %s); restore the file, or pass --allow-edited if the change is deliberate",
		    which, h->id, h->applied_at ? h->applied_at : "earlier");
	}
	return 0;
}

/* A revision that failed outside a transaction blocks everything until a person looks at it. */
static int
refuse_failed(const struct mig_applied *hist, size_t nhist)
{
	size_t i;

	for (i = 0; i < nhist; i++) {
		const struct mig_applied *h = &hist[i];

		if (h->kind == NULL || strcmp(h->kind, "failed") != 0)
			continue;
		return mig_error_set(MIG_ERROR, "revision '%s' failed outside a transaction (at %s) and may be "
		    "half-applied; repair the database by hand, then run 'mig stamp %s' if it is now complete, "
		    "or 'mig stamp %s' to run it again", h->id, h->applied_at ? h->applied_at : "?", h->id,
		    h->ndown ? h->down[0] : "base");
	}
	return 0;
}

static int
report_failure(struct mig_ctx *ctx, const struct mig_plan *plan, const struct mig_run_error *e, bool per_rev)
{
	const struct mig_step *st = e->step;
	struct mig_buf state = MIG_BUF_INIT;

	if (mig_signal_caught()) {
		mig_err("interrupted by signal %d (%s)%s%s", mig_signal_caught(), strsignal(mig_signal_caught()),
		    st ? " during " : "", st ? st->rev->id : "");
	} else if (st) {
		struct mig_buf where = MIG_BUF_INIT;

		mig_buf_printf(&where, "%s %s failed", st->dir == MIG_UP ? "upgrade" : "downgrade", st->rev->id);
		if (e->path)
			mig_buf_printf(&where, " at %s:%zu", e->path, e->line);
		else if (!e->in_bookkeeping)
			mig_buf_puts(&where, " (stored down SQL)");
		else
			mig_buf_puts(&where, " (version table update)");
		mig_err("%s: %s", where.ptr, e->db.message ? e->db.message : mig_error_msg());
		mig_buf_release(&where);
	} else {
		mig_err("the run failed: %s", e->db.message ? e->db.message : mig_error_msg());
	}
	if (!mig_signal_caught() && e->db.statement && *e->db.statement)
		fprintf(ctx->err, "  statement: %s\n", e->db.statement);
	if (st && !st->rev->transactional) {
		/* Nothing rolled back here: say what changed rather than "unchanged". */
		fprintf(ctx->err, "  revision %s ran outside a transaction and may be half-applied%s; repair "
		    "the database, then 'mig stamp' the revision it is really at\n", st->rev->id,
		    e->marked_failed ? ": it is marked as failed" : "");
		if (e->committed > 0)
			fprintf(ctx->err, "  %zu revision(s) before it were committed\n", e->committed);
		mig_buf_release(&state);
		return MIG_EXIT_FAIL;
	}
	/* Where the database is now: where it started if all was rolled back, else the last commit. */
	if (e->committed == 0) {
		describe_heads(&state, plan->heads_before, plan->nheads_before);
		fprintf(ctx->err, "  rolled back: the database is unchanged, at %s\n", state.ptr);
	} else {
		const struct mig_step *last = &plan->steps[e->committed - 1];

		fprintf(ctx->err, "  %zu revision(s) committed before the failure%s; the database is at the "
		    "last good revision (after %s %s)\n", e->committed,
		    per_rev ? " (transaction per revision)" : "",
		    last->dir == MIG_UP ? "applying" : "reverting", last->rev->id);
	}
	mig_buf_release(&state);
	return MIG_EXIT_FAIL;
}

/* "START:END" for offline runs; returns the END part and sets *start (NULL when absent). */
static const char *
split_range(const char *target, char **start)
{
	const char *colon = target ? strchr(target, ':') : NULL;

	*start = NULL;
	if (colon == NULL)
		return target;
	*start = mig_xstrndup(target, (size_t)(colon - target));
	return colon + 1;
}

int
mig_ctx_migrate(struct mig_ctx *ctx, const struct mig_cmd *cmd, enum mig_direction dir)
{
	const char *target = ctx->args.npos ? ctx->args.pos[0] : NULL;
	bool offline = mig_args_has(&ctx->args, OPT_SQL);
	bool per_rev = ctx->cfg->transaction_per_revision;
	struct mig_db *db = NULL;
	char **heads = NULL, *start = NULL;
	size_t nheads = 0, nhist = 0;
	struct mig_applied *hist = NULL;
	struct mig_plan plan;
	struct mig_script *scripts = NULL;
	struct mig_run_opts o;
	struct mig_run_error e;
	struct mig_buf sql = MIG_BUF_INIT;
	struct progress prog = { ctx };
	const char *cur[1];
	int rc, status = 0;

	memset(&plan, 0, sizeof(plan));
	memset(&e, 0, sizeof(e));
	if (ctx->args.npos > 1)
		return mig_usage_error(cmd, "too many arguments");
	if (mig_args_has(&ctx->args, OPT_PER_REVISION))
		per_rev = true;
	if (mig_args_has(&ctx->args, OPT_ONE_TRANSACTION))
		per_rev = false;
	memset(&o, 0, sizeof(o));
	o.schema = ctx->cfg->schema;
	o.table = ctx->cfg->version_table;
	o.per_revision = per_rev;
	o.progress = on_progress;
	o.arg = &prog;

	if (offline) {
		/* Offline: no connection at all; the starting point is base or START of START:END. */
		target = split_range(target, &start);
		if (dir == MIG_DOWN && start == NULL) {
			status = mig_usage_error(cmd, "downgrade --sql needs a range START:END (e.g. head:base)");
			goto cleanup;
		}
		rc = mig_ctx_load_graph(ctx, NULL, false, &heads, &nheads, &hist, &nhist);
		if (rc == 0 && start && strcmp(start, "base") != 0) {
			struct mig_rev *r = NULL;

			rc = mig_graph_resolve(&r, ctx->graph, start);
			cur[0] = r ? r->id : NULL;
		}
		if (rc)
			goto fail;
		if (dir == MIG_UP)
			rc = mig_plan_upgrade(&plan, ctx->graph, cur, start && strcmp(start, "base") ? 1 : 0, target);
		else
			rc = mig_plan_downgrade(&plan, ctx->graph, cur, strcmp(start, "base") ? 1 : 0,
			    target && *target ? target : "base");
		if (rc == 0)
			rc = mig_run_load_scripts(&scripts, &plan);
		if (rc)
			goto fail;
		o.offline = &sql;
		o.progress = NULL;
		if (ctx->url->dialect == MIG_POSTGRES && ctx->cfg->schema)
			mig_sql_search_path(&sql, ctx->cfg->schema);
		rc = mig_run_plan(NULL, ctx->url->dialect, &plan, scripts, &o, &e);
		if (rc)
			goto fail;
		fputs(sql.ptr, ctx->out);
		goto cleanup;
	}

	rc = mig_ctx_open_db(ctx, &db, false);
	if (rc)
		goto fail;
	if (db == NULL) {
		/*
		 * A SQLite file that does not exist yet is an empty database. It is created only once
		 * the plan is known to have work to do, so a bad target leaves no file behind.
		 */
		rc = mig_ctx_load_graph(ctx, NULL, false, &heads, &nheads, &hist, &nhist);
		if (rc == 0)
			rc = dir == MIG_UP ? mig_plan_upgrade(&plan, ctx->graph, NULL, 0, target) :
			    mig_plan_downgrade(&plan, ctx->graph, NULL, 0, target);
		if (rc)
			goto fail;
		if (plan.nsteps == 0) {
			mig_info(ctx, "Nothing to %s: the database is at base (no revision)",
			    dir == MIG_UP ? "upgrade" : "downgrade");
			goto cleanup;
		}
		/* Unreadable or oversized scripts fail here, before the file exists. */
		rc = mig_run_load_scripts(&scripts, &plan);
		if (rc)
			goto fail;
		mig_run_scripts_free(scripts, plan.nsteps);
		scripts = NULL;
		mig_plan_release(&plan);
		memset(&plan, 0, sizeof(plan));
		rc = mig_ctx_open_db(ctx, &db, true);
		if (rc)
			goto fail;
	}
	/* The lock comes before reading the version table, so the plan is computed under it. */
	rc = mig_db_lock(db, ctx->cfg->lock_timeout_ms);
	if (rc == 0)
		rc = mig_ctx_load_graph(ctx, db, dir == MIG_DOWN, &heads, &nheads, &hist, &nhist);
	if (rc == 0)
		rc = refuse_failed(hist, nhist);
	if (rc == 0)
		rc = mig_ctx_verify_checksums(ctx, hist, nhist);
	if (rc == 0) {
		if (dir == MIG_UP)
			rc = mig_plan_upgrade(&plan, ctx->graph, (const char *const *)heads, nheads, target);
		else
			rc = mig_plan_downgrade(&plan, ctx->graph, (const char *const *)heads, nheads, target);
	}
	if (rc == 0)
		rc = mig_run_load_scripts(&scripts, &plan);
	if (rc)
		goto fail;
	if (plan.nsteps == 0) {
		struct mig_buf b = MIG_BUF_INIT;

		describe_heads(&b, (const char *const *)heads, nheads);
		mig_info(ctx, "Nothing to %s: the database is at %s", dir == MIG_UP ? "upgrade" : "downgrade", b.ptr);
		mig_buf_release(&b);
		goto cleanup;
	}
	o.should_stop = stop_requested;
	mig_signals_arm(db);
	rc = mig_run_plan(db, mig_db_dialect(db), &plan, scripts, &o, &e);
	mig_signals_disarm();
	if (rc)
		status = report_failure(ctx, &plan, &e, per_rev);
	goto cleanup;
fail:
	status = mig_fail(rc);
cleanup:
	if (db)
		mig_db_unlock(db);
	mig_db_close(db);
	mig_run_error_release(&e);
	mig_run_scripts_free(scripts, plan.nsteps);
	mig_plan_release(&plan);
	mig_db_heads_free(heads, nheads);
	mig_applied_free(hist, nhist);
	mig_buf_release(&sql);
	free(start);
	return status;
}
