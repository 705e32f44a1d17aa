/*
 * revfmt.c — how a revision is shown by history, heads, current, branches and show, in the
 * format Alembic users read every day: "e517276bb1c2 -> 780739b227a7 (head), posts table".
 */
#include <stdlib.h>
#include <string.h>

#include "cmd.h"

static void
print_marks(FILE *f, const struct mig_rev *r, const struct mig_revfmt *fmt)
{
	size_t i;

	for (i = 0; i < r->nlabels; i++) {
		fputs(" (", f);
		fputs(r->labels[i], f);
		fputc(')', f);
	}
	if (r->nchildren == 0)
		fputs(" (head)", f);
	if (fmt && fmt->current && fmt->current[r->order])
		fputs(" (current)", f);
	if (r->nchildren > 1)
		fputs(" (branchpoint)", f);
	if (r->ndown > 1)
		fputs(" (mergepoint)", f);
	if (r->ghost)
		fputs(" (files missing)", f);
}

static void
print_ids(FILE *f, const char *const *ids, size_t n, const char *none)
{
	size_t i;

	if (n == 0)
		fputs(none, f);
	for (i = 0; i < n; i++) {
		if (i > 0)
			fputs(", ", f);
		fputs(ids[i], f);
	}
}

void
mig_print_rev_line(FILE *f, const struct mig_graph *g, const struct mig_rev *r, const struct mig_revfmt *fmt)
{
	/* fputs, not fprintf: `history` prints a line per revision, and formats cost more than the rest. */
	(void)g;
	print_ids(f, r->down, r->ndown, "<base>");
	fputs(" -> ", f);
	fputs(r->id, f);
	print_marks(f, r, fmt);
	fputs(", ", f);
	fputs(r->message, f);
	fputc('\n', f);
}

static const struct mig_applied *
history_row(const struct mig_revfmt *fmt, const char *id)
{
	size_t i;

	if (fmt && fmt->hist_by_id)
		return mig_map_get(fmt->hist_by_id, id);
	for (i = 0; fmt && i < fmt->nhist; i++)
		if (strcmp(fmt->hist[i].id, id) == 0)
			return &fmt->hist[i];
	return NULL;
}

void
mig_print_rev_verbose(FILE *f, const struct mig_graph *g, const struct mig_rev *r, const struct mig_revfmt *fmt)
{
	const struct mig_applied *h = history_row(fmt, r->id);
	size_t i;

	(void)g;
	fprintf(f, "Rev: %s", r->id);
	print_marks(f, r, fmt);
	fputc('\n', f);
	fputs(r->ndown > 1 ? "Merges: " : "Parent: ", f);
	print_ids(f, r->down, r->ndown, "<base>");
	fputc('\n', f);
	if (r->nchildren > 1) {
		fputs("Branches into: ", f);
		for (i = 0; i < r->nchildren; i++)
			fprintf(f, "%s%s", i ? ", " : "", r->children[i]->id);
		fputc('\n', f);
	}
	if (r->ndepends) {
		fputs("Depends on: ", f);
		print_ids(f, r->depends, r->ndepends, "");
		fputc('\n', f);
	}
	if (r->nlabels) {
		fputs("Branch names: ", f);
		print_ids(f, r->labels, r->nlabels, "");
		fputc('\n', f);
	}
	if (!r->transactional)
		fputs("Transactional: no\n", f);
	fprintf(f, "Path: %s\n", r->up_path ? r->up_path : "(files missing; down SQL kept in the database)");
	if (r->created)
		fprintf(f, "Created: %s\n", r->created);
	if (h) {
		fprintf(f, "Applied: %s", h->applied_at ? h->applied_at : "?");
		if (h->duration_ms >= 0)
			fprintf(f, " in %.1f ms", h->duration_ms);
		if (h->kind && strcmp(h->kind, "stamp") == 0)
			fputs(" (stamped)", f);
		fputc('\n', f);
	}
	fprintf(f, "\n    %s\n\n", r->message);
}

/* The applied revisions the files do not know, while the history's ids are read. */
struct ghost_ids {
	const struct mig_graph *g;
	bool graph_ok;             /* false: the directory failed, only the database's error matters */
	struct mig_arena arena;
	const char **ids;
	size_t n, cap;
};

static int
note_ghost(void *ctx, const char *id)
{
	struct ghost_ids *gi = ctx;

	if (!gi->graph_ok || mig_graph_find(gi->g, id) != NULL)
		return 0;
	if (gi->n == gi->cap) {
		gi->cap = gi->cap ? 2 * gi->cap : 16;
		gi->ids = mig_xrealloc(gi->ids, gi->cap * sizeof(*gi->ids));
	}
	gi->ids[gi->n++] = mig_arena_strdup(&gi->arena, id);
	return 0;
}

/*
 * ctx->graph from the files plus the ghosts, with the version table in st->heads. Only history
 * rows that can be shown are read: with -v all of them (for their "Applied:" lines), else those of
 * ghosts (which only the database knows) and, with failed, of revisions that failed outside a
 * transaction. Reading every row of a history of 10,000 revisions costs more than loading the
 * graph: finding the ghosts needs only the ids, which SQLite reads from the primary key's index,
 * while finding the failed rows means reading the whole table. Database errors come before the
 * directory's, as when the whole history was read first.
 */
static int
load_state(struct mig_ctx *ctx, struct mig_db *db, bool failed, struct mig_state *st)
{
	const char *schema = ctx->cfg->schema, *table = ctx->cfg->version_table;
	struct ghost_ids gi;
	struct mig_graph *g;
	char *versions;
	size_t i;
	int rc = 0, rc_dir;

	if (db)
		rc = mig_db_read_heads(db, schema, table, &st->heads, &st->nheads);
	if (rc)
		return rc;
	g = mig_graph_new();
	versions = mig_path_join(ctx->cfg->dir, "versions");
	rc_dir = mig_graph_add_dir(g, versions);
	free(versions);
	memset(&gi, 0, sizeof(gi));
	gi.g = g;
	gi.graph_ok = rc_dir == 0;
	mig_arena_init(&gi.arena);
	if (db && ctx->verbose) {
		rc = mig_db_read_history_ex(db, schema, table, false, &st->hist, &st->nhist);
	} else if (db) {
		rc = mig_db_read_history_ids(db, schema, table, note_ghost, &gi);
		if (rc == 0 && rc_dir == 0)
			rc = mig_db_read_history_of(db, schema, table, gi.ids, gi.n, failed, false, &st->hist,
			    &st->nhist);
	}
	if (rc == 0)
		rc = rc_dir;
	/* Applied revisions whose files are gone are shown from what the database kept. */
	for (i = 0; rc == 0 && i < st->nhist; i++) {
		const struct mig_applied *h = &st->hist[i];

		rc = mig_graph_add_ghost(g, h->id, (const char *const *)h->down, h->ndown, h->message, NULL);
	}
	if (rc == 0)
		rc = mig_graph_finish(g);
	free(gi.ids);
	mig_arena_release(&gi.arena);
	if (rc) {
		mig_graph_free(g);
		return rc;
	}
	mig_graph_free(ctx->graph);
	ctx->graph = g;
	return 0;
}

int
mig_ctx_state(struct mig_ctx *ctx, bool need_db, struct mig_state *st)
{
	struct mig_db *db = NULL;
	size_t i;
	int rc;

	memset(st, 0, sizeof(*st));
	rc = mig_ctx_need_url(ctx);
	if (rc == 0)
		rc = mig_ctx_open_db(ctx, &db, false);
	if (rc && !need_db) {
		/* history and heads work from the files alone when no database is reachable. */
		mig_error_clear();
		rc = 0;
	}
	if (rc)
		return rc;
	st->have_db = db != NULL;
	/*
	 * A command that needs the database reports on its state (`current`, or a range from it):
	 * revisions that failed outside a transaction belong there, not in the files' history.
	 */
	rc = load_state(ctx, db, need_db, st);
	mig_db_close(db);
	if (rc) {
		mig_state_release(st);
		return rc;
	}
	st->current = mig_xcalloc(ctx->graph->nrevs + 1, sizeof(bool));
	mig_map_init(&st->hist_by_id);
	for (i = 0; i < st->nhist; i++)
		mig_map_put(&st->hist_by_id, st->hist[i].id, &st->hist[i]);
	for (i = 0; i < st->nheads; i++) {
		const struct mig_rev *r = mig_graph_find(ctx->graph, st->heads[i]);

		if (r)
			st->current[r->order] = true;
	}
	return 0;
}

void
mig_state_release(struct mig_state *st)
{
	mig_db_heads_free(st->heads, st->nheads);
	mig_applied_free(st->hist, st->nhist);
	free(st->current);
	mig_map_release(&st->hist_by_id);
	memset(st, 0, sizeof(*st));
}
