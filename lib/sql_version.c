/*
 * sql_version.c — the SQL that creates and maintains the version table and its history table.
 *
 * It is rendered here, not run by the drivers directly, so that `upgrade --sql` prints exactly the
 * statements a live run executes, and so that both dialects share one text. The only dialect
 * difference is how applied_at defaults to the current UTC time: the tables are otherwise written
 * in types both databases accept (SQLite gives DOUBLE PRECISION its REAL affinity).
 *
 * The history table orders its rows by applied_seq, filled by the INSERT itself with a scalar
 * subquery (one more than the largest), because SQLite's rowid has no PostgreSQL equivalent and an
 * identity column would need a different DDL per dialect. Migrators are serialised by the lock, so
 * two inserts never compute the same number. Fixed column names are plain SQL words; every name
 * that comes from configuration goes through mig_sql_ident().
 */
#include <stdlib.h>
#include <string.h>

#include "sql.h"

#ifndef MIG_VERSION
#define MIG_VERSION "0.0.0"
#endif

static void history_name(struct mig_buf *b, enum mig_dialect d, const char *schema, const char *table);
static void version_change(struct mig_buf *b, enum mig_dialect d, const char *schema, const char *table,
    const struct mig_step *step);
static void put_duration(struct mig_buf *b, double ms);

static void
history_name(struct mig_buf *b, enum mig_dialect d, const char *schema, const char *table)
{
	char *name = mig_xasprintf("%s_history", table);

	mig_sql_qualified(b, d, schema, name);
	free(name);
}

void
mig_sql_version_create(struct mig_buf *b, enum mig_dialect d, const char *schema, const char *table)
{
	char *pk = mig_xasprintf("%s_pkc", table);
	char *hpk = mig_xasprintf("%s_history_pkc", table);

	mig_buf_puts(b, "CREATE TABLE IF NOT EXISTS ");
	mig_sql_qualified(b, d, schema, table);
	mig_buf_puts(b, " (version_num VARCHAR(64) NOT NULL, CONSTRAINT ");
	mig_sql_ident(b, d, pk);
	mig_buf_puts(b, " PRIMARY KEY (version_num));\n");

	mig_buf_puts(b, "CREATE TABLE IF NOT EXISTS ");
	history_name(b, d, schema, table);
	mig_buf_puts(b, " (\n"
	    "    revision VARCHAR(64) NOT NULL,\n"
	    "    down_revisions TEXT NOT NULL,\n"
	    "    message TEXT NOT NULL,\n"
	    "    up_sha256 VARCHAR(64) NOT NULL,\n"
	    "    down_sha256 VARCHAR(64) NOT NULL,\n"
	    "    down_sql TEXT,\n");
	if (d == MIG_POSTGRES)
		/* clock_timestamp(), not now(): revisions sharing one transaction get their own times. */
		mig_buf_puts(b, "    applied_at TEXT NOT NULL DEFAULT to_char(clock_timestamp() AT TIME ZONE 'UTC', "
		    "'YYYY-MM-DD\"T\"HH24:MI:SS\"Z\"'),\n");
	else
		mig_buf_puts(b, "    applied_at TEXT NOT NULL DEFAULT (strftime('%Y-%m-%dT%H:%M:%SZ', 'now')),\n");
	mig_buf_puts(b,
	    "    duration_ms DOUBLE PRECISION,\n"
	    "    mig_version VARCHAR(32) NOT NULL,\n"
	    "    kind VARCHAR(16) NOT NULL,\n"
	    "    applied_seq INTEGER NOT NULL,\n"
	    "    CONSTRAINT ");
	mig_sql_ident(b, d, hpk);
	mig_buf_puts(b, " PRIMARY KEY (revision)\n);\n");
	/*
	 * Each history INSERT numbers itself with MAX(applied_seq) + 1: without an index that is a
	 * scan per revision, quadratic over a long upgrade. SQLite names the schema on the index,
	 * PostgreSQL on the table.
	 */
	{
		char *seq = mig_xasprintf("%s_history_seq", table);
		char *hist = mig_xasprintf("%s_history", table);

		mig_buf_puts(b, "CREATE INDEX IF NOT EXISTS ");
		if (d == MIG_SQLITE) {
			mig_sql_qualified(b, d, schema, seq);
			mig_buf_puts(b, " ON ");
			mig_sql_ident(b, d, hist);
		} else {
			mig_sql_ident(b, d, seq);
			mig_buf_puts(b, " ON ");
			mig_sql_qualified(b, d, schema, hist);
		}
		mig_buf_puts(b, " (applied_seq);\n");
		free(seq);
		free(hist);
	}
	free(pk);
	free(hpk);
}

/* One UPDATE when one head replaces another (Alembic's shape), else DELETEs then INSERTs. */
static void
version_change(struct mig_buf *b, enum mig_dialect d, const char *schema, const char *table,
    const struct mig_step *step)
{
	size_t i;

	if (step->nheads_del == 1 && step->nheads_ins == 1) {
		mig_buf_puts(b, "UPDATE ");
		mig_sql_qualified(b, d, schema, table);
		mig_buf_puts(b, " SET version_num = ");
		mig_sql_literal(b, d, step->heads_ins[0]);
		mig_buf_puts(b, " WHERE version_num = ");
		mig_sql_literal(b, d, step->heads_del[0]);
		mig_buf_puts(b, ";\n");
		return;
	}
	for (i = 0; i < step->nheads_del; i++) {
		mig_buf_puts(b, "DELETE FROM ");
		mig_sql_qualified(b, d, schema, table);
		mig_buf_puts(b, " WHERE version_num = ");
		mig_sql_literal(b, d, step->heads_del[i]);
		mig_buf_puts(b, ";\n");
	}
	for (i = 0; i < step->nheads_ins; i++) {
		mig_buf_puts(b, "INSERT INTO ");
		mig_sql_qualified(b, d, schema, table);
		mig_buf_puts(b, " (version_num) VALUES (");
		mig_sql_literal(b, d, step->heads_ins[i]);
		mig_buf_puts(b, ");\n");
	}
}

void
mig_sql_version_step(struct mig_buf *b, enum mig_dialect d, const char *schema, const char *table,
    const struct mig_step *step, const struct mig_applied *row)
{
	struct mig_applied fallback;

	version_change(b, d, schema, table, step);
	if (step->dir == MIG_DOWN) {
		mig_sql_history_delete(b, d, schema, table, step->rev->id);
		return;
	}
	if (row == NULL) {
		/* Without a row from the caller, record what the revision itself says. */
		memset(&fallback, 0, sizeof(fallback));
		fallback.id = (char *)step->rev->id;
		fallback.down = (char **)step->rev->down;
		fallback.ndown = step->rev->ndown;
		fallback.message = (char *)step->rev->message;
		fallback.duration_ms = -1;
		row = &fallback;
	}
	mig_sql_history_insert(b, d, schema, table, row);
}

void
mig_sql_version_set(struct mig_buf *b, enum mig_dialect d, const char *schema, const char *table,
    const char *const *heads, size_t nheads)
{
	size_t i;

	mig_buf_puts(b, "DELETE FROM ");
	mig_sql_qualified(b, d, schema, table);
	mig_buf_puts(b, ";\n");
	for (i = 0; i < nheads; i++) {
		mig_buf_puts(b, "INSERT INTO ");
		mig_sql_qualified(b, d, schema, table);
		mig_buf_puts(b, " (version_num) VALUES (");
		mig_sql_literal(b, d, heads[i]);
		mig_buf_puts(b, ");\n");
	}
}

/*
 * Milliseconds with three decimals, formatted by hand: printf's %f follows LC_NUMERIC, and a
 * decimal comma would break the statement.
 */
static void
put_duration(struct mig_buf *b, double ms)
{
	long long us;

	if (!(ms >= 0) || ms > 9e12) {
		mig_buf_puts(b, "NULL");
		return;
	}
	us = (long long)(ms * 1000.0 + 0.5);
	mig_buf_printf(b, "%lld.%03lld", us / 1000, us % 1000);
}

/*
 * applied_at is left to the column default (the database's clock at execution, which is also
 * right for SQL printed now and run later) unless the row carries one.
 */
void
mig_sql_history_insert(struct mig_buf *b, enum mig_dialect d, const char *schema, const char *table,
    const struct mig_applied *row)
{
	struct mig_buf downs = MIG_BUF_INIT;
	bool at = row->applied_at != NULL && row->applied_at[0] != '\0';
	size_t i;

	for (i = 0; i < row->ndown; i++) {
		if (i > 0)
			mig_buf_putc(&downs, ' ');
		mig_buf_puts(&downs, row->down[i]);
	}
	mig_buf_puts(b, "INSERT INTO ");
	history_name(b, d, schema, table);
	mig_buf_printf(b, " (revision, down_revisions, message, up_sha256, down_sha256, down_sql, %s"
	    "duration_ms, mig_version, kind, applied_seq) VALUES (", at ? "applied_at, " : "");
	mig_sql_literal(b, d, row->id);
	mig_buf_puts(b, ", ");
	mig_sql_literal(b, d, downs.ptr);
	mig_buf_puts(b, ", ");
	mig_sql_literal(b, d, row->message ? row->message : "");
	mig_buf_puts(b, ", ");
	mig_sql_literal(b, d, row->up_sha256);
	mig_buf_puts(b, ", ");
	mig_sql_literal(b, d, row->down_sha256);
	mig_buf_puts(b, ", ");
	mig_sql_literal(b, d, row->down_sql);
	mig_buf_puts(b, ", ");
	if (at) {
		mig_sql_literal(b, d, row->applied_at);
		mig_buf_puts(b, ", ");
	}
	put_duration(b, row->duration_ms);
	mig_buf_puts(b, ", ");
	mig_sql_literal(b, d, row->mig_version && row->mig_version[0] ? row->mig_version : MIG_VERSION);
	mig_buf_puts(b, ", ");
	mig_sql_literal(b, d, row->kind && row->kind[0] ? row->kind : "upgrade");
	mig_buf_puts(b, ", (SELECT COALESCE(MAX(applied_seq), 0) + 1 FROM ");
	history_name(b, d, schema, table);
	mig_buf_puts(b, "));\n");
	mig_buf_release(&downs);
}

void
mig_sql_history_delete(struct mig_buf *b, enum mig_dialect d, const char *schema, const char *table,
    const char *id)
{
	mig_buf_puts(b, "DELETE FROM ");
	history_name(b, d, schema, table);
	mig_buf_puts(b, " WHERE revision = ");
	mig_sql_literal(b, d, id);
	mig_buf_puts(b, ";\n");
}

void
mig_sql_search_path(struct mig_buf *b, const char *schema)
{
	mig_buf_puts(b, "SET search_path TO ");
	mig_sql_ident(b, MIG_POSTGRES, schema);
	mig_buf_puts(b, ", public;\n");
}
