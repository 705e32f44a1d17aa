/*
 * autogen.c — manifest vs. database, through a scratch database (see autogen.h).
 */
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

int
mig_autogen_compare(struct mig_autogen *out, struct mig_db *db, enum mig_dialect d,
    const struct mig_config *cfg)
{
	int rc;

	memset(out, 0, sizeof(*out));
	rc = mig_manifest_load(&out->manifest, cfg->manifest, cfg);
	if (rc)
		goto fail;
	rc = refuse_other_schemas(out->manifest, cfg);
	if (rc)
		goto fail;
	if (d == MIG_POSTGRES) {
		if (db == NULL) {
			rc = mig_error_set(MIG_EUSAGE, "autogenerate on PostgreSQL needs a connection");
			goto fail;
		}
		rc = mig_pg_scratch(&out->wanted, db, out->manifest, cfg->schema);
		if (rc == 0)
			rc = mig_pg_introspect(&out->live, db, cfg->schema, cfg->version_table);
	} else {
		rc = mig_sqlite_scratch(&out->wanted, out->manifest);
		if (rc == 0 && db)
			rc = mig_db_introspect(&out->live, db, cfg->version_table);
		else if (rc == 0)
			out->live = mig_schema_new();
	}
	if (rc)
		goto fail;
	rc = mig_schema_diff(&out->diff, out->live, out->wanted, out->manifest);
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
	mig_diff_release(&a->diff);
	mig_schema_free(a->manifest);
	mig_schema_free(a->live);
	mig_schema_free(a->wanted);
	memset(a, 0, sizeof(*a));
}
