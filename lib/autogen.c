/*
 * autogen.c — manifest vs. database, through a scratch database (see autogen.h).
 */
#include <string.h>

#include <sqlite3.h>

#include "autogen.h"
#include "introspect.h"
#include "man.h"
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

int
mig_autogen_compare(struct mig_autogen *out, struct mig_db *db, enum mig_dialect d,
    const struct mig_config *cfg)
{
	int rc;

	memset(out, 0, sizeof(*out));
	rc = mig_manifest_load(&out->manifest, cfg->manifest, cfg);
	if (rc)
		goto fail;
	if (d != MIG_SQLITE) {
		rc = mig_error_set(MIG_EUSAGE, "autogenerate on PostgreSQL is not available yet");
		goto fail;
	}
	rc = mig_sqlite_scratch(&out->wanted, out->manifest);
	if (rc)
		goto fail;
	if (db)
		rc = mig_db_introspect(&out->live, db, cfg->version_table);
	else
		out->live = mig_schema_new();
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
