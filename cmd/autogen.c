/*
 * autogen.c — what `migrate`, `revision --autogenerate` and `check` share: make sure the database
 * is at head (a diff against an older database would repeat revisions not yet applied), compare
 * it with the manifest, and print one "Detected ..." line per change as Alembic does.
 */
#include <stdlib.h>
#include <string.h>

#include "autogen.h"
#include "cmd.h"

/* The database must hold exactly the graph's heads before its difference means anything. */
static int
require_head(struct mig_ctx *ctx, struct mig_db *db)
{
	char **heads = NULL;
	struct mig_applied *hist = NULL;
	size_t nheads = 0, nhist = 0, i, j;
	int rc;

	rc = mig_ctx_load_graph(ctx, db, false, &heads, &nheads, &hist, &nhist);
	/* A diff against a history that no longer matches its files would describe the wrong base. */
	if (rc == 0)
		rc = mig_ctx_verify_checksums(ctx, hist, nhist);
	if (rc == 0) {
		bool same = nheads == ctx->graph->nheads;

		for (i = 0; same && i < nheads; i++) {
			for (j = 0; j < ctx->graph->nheads && strcmp(heads[i], ctx->graph->heads[j]->id); j++)
				;
			same = j < ctx->graph->nheads;
		}
		if (!same) {
			struct mig_buf at = MIG_BUF_INIT;

			for (i = 0; i < nheads; i++)
				mig_buf_printf(&at, "%s%s", i ? ", " : "", heads[i]);
			/* The request is fine; the database's state is what fails it (exit 1, like drift). */
			rc = mig_error_set(MIG_ERROR, "the database is not up to date (at %s); run 'mig upgrade' "
			    "first", nheads ? at.ptr : "base");
			mig_buf_release(&at);
		}
	}
	mig_db_heads_free(heads, nheads);
	mig_applied_free(hist, nhist);
	return rc;
}

/* Compares and prints; *changes is the number of operations. */
static int
compare(struct mig_ctx *ctx, struct mig_autogen *ag, struct mig_db **db, size_t *changes)
{
	struct mig_buf line = MIG_BUF_INIT;
	size_t i;
	int rc;

	rc = mig_ctx_need_url(ctx);
	/* The manifest loads on another thread while the database is opened and checked. */
	if (rc == 0)
		mig_autogen_prefetch(ag, ctx->cfg);
	if (rc == 0)
		rc = mig_ctx_open_db(ctx, db, false);
	if (rc == 0)
		rc = require_head(ctx, *db);
	if (rc == 0)
		rc = mig_autogen_compare(ag, *db, ctx->url->dialect, ctx->cfg);
	if (rc)
		return rc;
	for (i = 0; i < ag->diff.nops; i++) {
		mig_buf_clear(&line);
		mig_op_describe(&line, &ag->diff.ops[i]);
		mig_info(ctx, "Detected %s", line.ptr);
		if (ag->diff.ops[i].destructive)
			mig_warn(ctx, "%s drops data; review the script before upgrading", line.ptr);
	}
	for (i = 0; i < ag->diff.nnotes; i++)
		mig_warn(ctx, "Detected %s", ag->diff.notes[i]);
	*changes = ag->diff.nops;
	mig_buf_release(&line);
	return 0;
}

int
mig_autogenerate(struct mig_ctx *ctx, char **up, char **down)
{
	struct mig_autogen ag;
	struct mig_db *db = NULL;
	struct mig_buf u = MIG_BUF_INIT, d = MIG_BUF_INIT;
	size_t changes = 0;
	int rc;

	*up = *down = NULL;
	memset(&ag, 0, sizeof(ag));
	rc = compare(ctx, &ag, &db, &changes);
	if (rc == 0 && changes) {
		rc = mig_autogen_render(&ag, ctx->url->dialect, &u, &d);
		if (rc == 0) {
			*up = mig_buf_detach(&u);
			*down = mig_buf_detach(&d);
		}
	}
	mig_buf_release(&u);
	mig_buf_release(&d);
	mig_autogen_release(&ag);
	mig_db_close(db);
	return rc;
}

int
mig_autogen_check(struct mig_ctx *ctx, size_t *changes)
{
	struct mig_autogen ag;
	struct mig_db *db = NULL;
	int rc;

	memset(&ag, 0, sizeof(ag));
	rc = compare(ctx, &ag, &db, changes);
	mig_autogen_release(&ag);
	mig_db_close(db);
	return rc;
}
