/*
 * stamp.c — `mig stamp REV`: make the version table say REV without running any SQL (for a
 * database created by other means). The history table follows: revisions that become applied get a
 * row (kind 'stamp', with their checksums and down SQL so they stay downgradable), revisions that
 * stop being applied lose theirs.
 */
#include <stdlib.h>
#include <string.h>

#include "cmd.h"
#include "run.h"
#include "sql.h"

static const struct mig_opt stamp_opts[] = {
	{ OPT_SQL, "sql", false, "print the SQL instead of running it" },
	{ OPT_PURGE, "purge", false, "ignore what the version table holds now (e.g. an unknown revision)" },
	{ 0, NULL, false, NULL },
};

/* Renders the whole stamp as SQL: version table contents, then history rows in and out. */
static int
render_stamp(struct mig_buf *b, struct mig_ctx *ctx, enum mig_dialect d, const struct mig_plan *plan,
    const bool *before, const bool *after, const struct mig_applied *hist, size_t nhist)
{
	const struct mig_graph *g = ctx->graph;
	const char *schema = ctx->cfg->schema, *table = ctx->cfg->version_table;
	bool *recorded = mig_xcalloc(g->nrevs + 1, sizeof(bool));
	size_t i;
	int rc = 0;

	/* By graph order: the revision has a history row that counts as applied ('failed' does not). */
	for (i = 0; i < nhist; i++) {
		const struct mig_rev *r = mig_graph_find(g, hist[i].id);

		if (r && (hist[i].kind == NULL || strcmp(hist[i].kind, "failed") != 0))
			recorded[r->order] = true;
	}

	mig_sql_version_create(b, d, schema, table);
	mig_sql_version_set(b, d, schema, table, plan->heads_after, plan->nheads_after);
	/* A stamp is the repair that follows a failed non-transactional revision: clear the marks. */
	for (i = 0; i < nhist; i++)
		if (hist[i].kind && strcmp(hist[i].kind, "failed") == 0)
			mig_sql_history_delete(b, d, schema, table, hist[i].id);
	for (i = 0; rc == 0 && i < g->nrevs; i++) {
		const struct mig_rev *r = g->revs[i];
		struct mig_applied row;
		char *down_sql = NULL;

		if ((before[i] || recorded[i]) && !after[i]) {
			mig_sql_history_delete(b, d, schema, table, r->id);
			continue;
		}
		if (!after[i] || recorded[i] || r->ghost)
			continue;
		memset(&row, 0, sizeof(row));
		rc = mig_run_hash_files(r, row.up_sha256, row.down_sha256, &down_sql);
		if (rc)
			break;
		row.id = (char *)r->id;
		row.down = (char **)r->down;
		row.ndown = r->ndown;
		row.message = (char *)r->message;
		row.down_sql = down_sql;
		row.duration_ms = -1;
		row.kind = (char *)"stamp";
		mig_sql_history_insert(b, d, schema, table, &row);
		free(down_sql);
	}
	free(recorded);
	return rc;
}

static int
stamp_run(struct mig_ctx *ctx)
{
	bool offline = mig_args_has(&ctx->args, OPT_SQL), purge = mig_args_has(&ctx->args, OPT_PURGE);
	struct mig_db *db = NULL;
	struct mig_plan plan;
	struct mig_buf sql = MIG_BUF_INIT;
	struct mig_db_error dberr = { NULL, 0, NULL, "" };
	char **heads = NULL;
	size_t nheads = 0, nhist = 0, i;
	struct mig_applied *hist = NULL;
	bool *before = NULL, *after = NULL;
	int rc, status = 0;

	memset(&plan, 0, sizeof(plan));
	if (ctx->args.npos != 1)
		return mig_usage_error(&cmd_stamp, "expected one revision (or 'base', 'heads')");
	if (!offline) {
		rc = mig_ctx_open_db(ctx, &db, false);
		if (rc == 0 && db == NULL) {
			/* A new SQLite file is made only for a target that resolves. */
			rc = mig_ctx_load_graph(ctx, NULL, false, &heads, &nheads, &hist, &nhist);
			if (rc == 0)
				rc = mig_plan_stamp(&plan, ctx->graph, ctx->args.pos[0]);
			mig_plan_release(&plan);
			memset(&plan, 0, sizeof(plan));
			if (rc == 0)
				rc = mig_ctx_open_db(ctx, &db, true);
		}
		if (rc == 0)
			rc = mig_db_lock(db, ctx->cfg->lock_timeout_ms);
		if (rc)
			goto fail;
	}
	rc = mig_ctx_load_graph(ctx, db, false, &heads, &nheads, &hist, &nhist);
	if (rc == 0)
		rc = mig_plan_stamp(&plan, ctx->graph, ctx->args.pos[0]);
	if (rc == 0)
		rc = mig_graph_applied(&before, ctx->graph, purge ? NULL : (const char *const *)heads,
		    purge ? 0 : nheads);
	if (rc == 0)
		rc = mig_graph_applied(&after, ctx->graph, plan.heads_after, plan.nheads_after);
	if (rc == 0)
		rc = render_stamp(&sql, ctx, offline ? ctx->url->dialect : mig_db_dialect(db), &plan, before,
		    after, hist, nhist);
	if (rc)
		goto fail;
	if (offline) {
		fprintf(ctx->out, "BEGIN;\n\n%s\nCOMMIT;\n", sql.ptr);
		goto cleanup;
	}
	rc = mig_db_begin(db);
	if (rc == 0 && (rc = mig_db_exec(db, sql.ptr, &dberr)) != 0)
		mig_db_rollback(db);
	else if (rc == 0)
		rc = mig_db_commit(db);
	if (rc) {
		mig_err("stamp failed: %s", dberr.message ? dberr.message : mig_error_msg());
		status = MIG_EXIT_FAIL;
		goto cleanup;
	}
	{
		struct mig_buf from = MIG_BUF_INIT, to = MIG_BUF_INIT;

		for (i = 0; i < nheads; i++)
			mig_buf_printf(&from, "%s%s", i ? ", " : "", heads[i]);
		for (i = 0; i < plan.nheads_after; i++)
			mig_buf_printf(&to, "%s%s", i ? ", " : "", plan.heads_after[i]);
		mig_info(ctx, "Running stamp %s -> %s", from.ptr, to.ptr);
		mig_buf_release(&from);
		mig_buf_release(&to);
	}
	goto cleanup;
fail:
	status = mig_fail(rc);
cleanup:
	if (db)
		mig_db_unlock(db);
	mig_db_close(db);
	mig_db_error_release(&dberr);
	mig_plan_release(&plan);
	mig_db_heads_free(heads, nheads);
	mig_applied_free(hist, nhist);
	mig_buf_release(&sql);
	free(before);
	free(after);
	return status;
}

const struct mig_cmd cmd_stamp = {
	.name = "stamp",
	.usage = "REV [--sql] [--purge]",
	.summary = "set the version table to REV without running any SQL",
	.opts = stamp_opts,
	.needs = MIG_NEED_DIR | MIG_NEED_URL,
	.run = stamp_run,
};
