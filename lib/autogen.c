/*
 * autogen.c — manifest vs. database, through a scratch database (see autogen.h).
 */
#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <sqlite3.h>

#include "autogen.h"
#include "introspect.h"
#include "man.h"
#include "sql.h"
#include "sql_render.h"

int
mig_sqlite_scratch(struct mig_schema **out, const struct mig_schema *s)
{
	struct mig_buf ddl = MIG_BUF_INIT;
	sqlite3 *h = NULL;
	char *errmsg = NULL;
	int rc;

	*out = NULL;
	rc = mig_sql_create_schema(&ddl, MIG_SQLITE, s, true);
	if (rc)
		goto cleanup;
	if (sqlite3_open_v2(":memory:", &h, SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE, NULL) != SQLITE_OK) {
		rc = mig_error_set(MIG_EDB, "cannot open a scratch database: %s", sqlite3_errmsg(h));
		goto cleanup;
	}
	/* The manifest passed validation; if SQLite still refuses its DDL, say what it refused. */
	if (sqlite3_exec(h, ddl.ptr, NULL, NULL, &errmsg) != SQLITE_OK) {
		rc = mig_error_set(MIG_EPARSE, "the manifest does not render as valid SQLite DDL: %s\n%s",
		    errmsg ? errmsg : sqlite3_errmsg(h), ddl.ptr);
		goto cleanup;
	}
	rc = mig_sqlite_introspect(out, h, NULL);
cleanup:
	sqlite3_free(errmsg);
	sqlite3_close(h);
	mig_buf_release(&ddl);
	return rc;
}

/*
 * PostgreSQL: the manifest's DDL runs in a schema of its own, first on the search_path, inside a
 * transaction that is always rolled back: nothing of it is ever visible to anyone else, and
 * format_type()/pg_get_expr() print the scratch objects exactly as they print the live ones.
 */
int
mig_pg_scratch(struct mig_schema **out, struct mig_db *db, const struct mig_schema *s,
    const char *target_schema)
{
	struct mig_buf sql = MIG_BUF_INIT, name = MIG_BUF_INIT;
	struct mig_db_error err = { NULL, 0, NULL, "" };
	int rc;

	*out = NULL;
	mig_buf_printf(&name, "mig_scratch_%ld", (long)getpid());
	rc = mig_db_begin(db);
	if (rc)
		goto cleanup;
	mig_buf_puts(&sql, "CREATE SCHEMA ");
	mig_sql_ident(&sql, MIG_POSTGRES, name.ptr);
	mig_buf_puts(&sql, ";\nSELECT set_config('search_path', ");
	{
		struct mig_buf quoted = MIG_BUF_INIT;

		mig_sql_ident(&quoted, MIG_POSTGRES, name.ptr);
		mig_buf_puts(&quoted, ", ");
		mig_sql_literal(&sql, MIG_POSTGRES, quoted.ptr);
		mig_buf_release(&quoted);
	}
	mig_buf_puts(&sql, " || current_setting('search_path'), true);\n");
	rc = mig_db_exec(db, sql.ptr, &err);
	if (rc == 0) {
		mig_buf_clear(&sql);
		rc = mig_sql_create_schema(&sql, MIG_POSTGRES, s, true);
	}
	/*
	 * The manifest is at fault only for what PostgreSQL says about the DDL itself (classes 22, 23,
	 * 42: data, integrity, syntax and names); running out of locks or memory is the server's.
	 */
	if (rc == 0 && (rc = mig_db_exec(db, sql.ptr, &err)) != 0) {
		bool input = err.sqlstate[0] == '\0' || strncmp(err.sqlstate, "22", 2) == 0 ||
		    strncmp(err.sqlstate, "23", 2) == 0 || strncmp(err.sqlstate, "42", 2) == 0;

		rc = mig_error_set(input ? MIG_EPARSE : MIG_EDB, "%s%s%s%s",
		    input ? "the manifest does not render as valid PostgreSQL DDL: " :
		    "the server could not build the manifest's scratch schema: ",
		    err.message ? err.message : mig_error_msg(), err.statement ? "\n  statement: " : "",
		    err.statement ? err.statement : "");
	}
	if (rc == 0)
		rc = mig_pg_introspect(out, db, name.ptr, NULL);
	mig_db_rollback(db);
	/* The scratch schema was a stand-in for the target schema: say so in the model. */
	if (rc == 0) {
		size_t i;

		for (i = 0; i < (*out)->ntables; i++)
			(*out)->tables[i]->schema = target_schema;
		for (i = 0; i < (*out)->nenums; i++)
			(*out)->enums[i]->schema = target_schema;
	}
cleanup:
	mig_db_error_release(&err);
	mig_buf_release(&sql);
	mig_buf_release(&name);
	return rc;
}

/*
 * One target schema per project (mig.yaml's schema:). A per-table schema: would be created in
 * the real schema by the scratch run and never read back, so it is refused rather than ignored.
 */
static int
refuse_other_schemas(const struct mig_schema *m, const struct mig_config *cfg)
{
	size_t i;

	for (i = 0; i < m->ntables; i++) {
		const struct mig_table *t = m->tables[i];

		if (t->schema && (cfg->schema == NULL || strcmp(t->schema, cfg->schema) != 0))
			return mig_error_set(MIG_EPARSE, "%s:%d: table '%s' names schema '%s'; a project migrates "
			    "one schema: set schema: in mig.yaml instead", cfg->manifest, t->line, t->name, t->schema);
	}
	for (i = 0; i < m->nenums; i++) {
		const struct mig_enum *e = m->enums[i];

		if (e->schema && (cfg->schema == NULL || strcmp(e->schema, cfg->schema) != 0))
			return mig_error_set(MIG_EPARSE, "%s:%d: enum '%s' names schema '%s'; a project migrates "
			    "one schema: set schema: in mig.yaml instead", cfg->manifest, e->line, e->name, e->schema);
	}
	return 0;
}

/*
 * The manifest's side, table by table: the prediction where it is sure and agrees with the live
 * database (the usual case: most tables of a project do not change between two revisions), the
 * scratch database for the rest. A table confirmed through the scratch database brings the tables
 * it references along, without their own keys, so that PostgreSQL can create its foreign keys.
 */
static int
build_wanted(struct mig_autogen *out, struct mig_db *db, enum mig_dialect d,
    const struct mig_config *cfg)
{
	struct mig_schema *pred = NULL, *sub = NULL, *conf = NULL;
	struct mig_diff first;
	struct mig_map need, stub;
	bool *unsure = NULL;
	size_t i, j;
	int rc;

	memset(&first, 0, sizeof(first));
	mig_map_init(&need);
	mig_map_init(&stub);
	rc = mig_autogen_predict(&pred, &unsure, out->manifest, d, cfg->schema);
	if (rc == 0)
		rc = mig_schema_diff(&first, out->live, pred, out->manifest);
	if (rc)
		goto cleanup;
	for (i = 0; i < pred->ntables; i++)
		if (unsure[i] || out->exact)
			mig_map_put(&need, pred->tables[i]->name, pred->tables[i]);
	for (i = 0; i < first.nops; i++)
		if (first.ops[i].table_new != NULL)
			mig_map_put(&need, first.ops[i].table_new->name, (void *)first.ops[i].table_new);
	if (need.len == 0) {
		out->wanted = pred;
		out->diff = first;
		pred = NULL;
		memset(&first, 0, sizeof(first));
		goto cleanup;
	}

	sub = mig_schema_new();
	for (i = 0; i < out->manifest->nenums; i++)
		mig_schema_copy_enum(sub, out->manifest->enums[i]);
	for (i = 0; i < out->manifest->ntables; i++) {
		const struct mig_table *t = out->manifest->tables[i];

		for (j = 0; mig_map_get(&need, t->name) != NULL && j < t->nfks; j++)
			if (mig_map_get(&need, t->fks[j]->ref_table) == NULL)
				mig_map_put(&stub, t->fks[j]->ref_table, (void *)t);
	}
	for (i = 0; i < out->manifest->ntables; i++) {
		const struct mig_table *t = out->manifest->tables[i];

		if (mig_map_get(&need, t->name) != NULL)
			mig_schema_copy_table(sub, t, true);
		else if (mig_map_get(&stub, t->name) != NULL)
			mig_schema_copy_table(sub, t, false);
	}
	rc = d == MIG_POSTGRES ? mig_pg_scratch(&conf, db, sub, cfg->schema) : mig_sqlite_scratch(&conf, sub);
	if (rc)
		goto cleanup;

	out->wanted = mig_schema_new();
	for (i = 0; i < pred->nenums; i++)
		mig_schema_copy_enum(out->wanted, pred->enums[i])->schema = pred->enums[i]->schema;
	for (i = 0; i < pred->ntables; i++) {
		const struct mig_table *t = pred->tables[i], *c;
		struct mig_table *copy;

		if (mig_map_get(&need, t->name) == NULL) {
			copy = mig_schema_copy_table(out->wanted, t, true);
		} else if ((c = mig_schema_find_table(conf, t->name)) != NULL) {
			copy = mig_schema_copy_table(out->wanted, c, true);
		} else {
			rc = mig_error_set(MIG_EDB, "table '%s' is missing from the scratch database", t->name);
			goto cleanup;
		}
		copy->schema = t->schema;
	}
	rc = mig_schema_diff(&out->diff, out->live, out->wanted, out->manifest);
cleanup:
	mig_diff_release(&first);
	mig_map_release(&need);
	mig_map_release(&stub);
	mig_schema_free(pred);
	mig_schema_free(sub);
	mig_schema_free(conf);
	free(unsure);
	return rc;
}

/* The manifest loading on its own thread; its error message is carried back by hand (thread-local). */
struct mig_manifest_job {
	pthread_t tid;
	const struct mig_config *cfg;
	struct mig_schema *schema;
	int rc;
	char *msg;
};

static void *
load_manifest_job(void *arg)
{
	struct mig_manifest_job *job = arg;

	job->rc = mig_manifest_load(&job->schema, job->cfg->manifest, job->cfg);
	if (job->rc)
		job->msg = mig_xstrdup(mig_error_msg());
	return NULL;
}

void
mig_autogen_prefetch(struct mig_autogen *a, const struct mig_config *cfg)
{
	struct mig_manifest_job *job = mig_xcalloc(1, sizeof(*job));

	job->cfg = cfg;
	if (pthread_create(&job->tid, NULL, load_manifest_job, job) != 0) {
		free(job);
		return;
	}
	a->job = job;
}

/*
 * Waits for the prefetched manifest; returns its load's result as if loaded here (its message set
 * on this thread when report, else left alone: an earlier failure's message must survive).
 */
static int
join_manifest_job(struct mig_autogen *a, bool report)
{
	struct mig_manifest_job *job = a->job;
	int rc;

	pthread_join(job->tid, NULL);
	a->job = NULL;
	rc = job->rc;
	if (rc && report)
		mig_error_set(rc, "%s", job->msg);
	else if (rc == 0)
		a->manifest = job->schema;
	free(job->msg);
	free(job);
	return rc;
}

static int
read_live(struct mig_autogen *out, struct mig_db *db, enum mig_dialect d, const struct mig_config *cfg)
{
	if (d == MIG_POSTGRES)
		return mig_pg_introspect(&out->live, db, cfg->schema, cfg->version_table);
	if (db != NULL)
		return mig_db_introspect(&out->live, db, cfg->version_table);
	out->live = mig_schema_new();
	return 0;
}

int
mig_autogen_compare(struct mig_autogen *out, struct mig_db *db, enum mig_dialect d,
    const struct mig_config *cfg)
{
	struct mig_manifest_job *job = out->job;
	bool exact = out->exact;
	int rc;

	memset(out, 0, sizeof(*out));
	out->job = job;
	out->exact = exact;
	if (d == MIG_POSTGRES && db == NULL) {
		rc = mig_error_set(MIG_EUSAGE, "autogenerate on PostgreSQL needs a connection");
		goto fail;
	}
	/* The database is read while the manifest loads; a manifest error still comes first. */
	if (out->job == NULL)
		rc = mig_manifest_load(&out->manifest, cfg->manifest, cfg);
	else
		rc = read_live(out, db, d, cfg);
	if (out->job != NULL) {
		int lrc = join_manifest_job(out, true);

		if (lrc)
			rc = lrc;
	}
	if (rc)
		goto fail;
	rc = refuse_other_schemas(out->manifest, cfg);
	if (rc == 0 && out->live == NULL)
		rc = read_live(out, db, d, cfg);
	if (rc == 0)
		rc = build_wanted(out, db, d, cfg);
	if (rc)
		goto fail;
	return 0;
fail:
	mig_autogen_release(out);
	return rc;
}

int
mig_autogen_render(const struct mig_autogen *a, enum mig_dialect d, struct mig_buf *up,
    struct mig_buf *down)
{
	return mig_sql_render_diff(up, down, d, &a->diff, a->live, a->wanted);
}

void
mig_autogen_release(struct mig_autogen *a)
{
	/* Never asked for (an earlier step failed): its result is dropped, its error is nobody's. */
	if (a->job != NULL)
		join_manifest_job(a, false);
	mig_diff_release(&a->diff);
	mig_schema_free(a->manifest);
	mig_schema_free(a->live);
	mig_schema_free(a->wanted);
	memset(a, 0, sizeof(*a));
}
