/*
 * introspect.h — reading a live database's schema into the dialect-neutral model (schema.h).
 *
 * mig_sqlite_introspect() works on a raw sqlite3 handle, so it serves both the driver's connection
 * and the in-memory scratch database the manifest is rendered into: both sides of a diff come from
 * this same code. The result is a new struct mig_schema owned by the caller (mig_schema_free()).
 *
 * What is read (SQLite): tables in name order with their columns (declared type as stored,
 * NOT NULL, default expression text, AUTOINCREMENT), primary key in key order and its constraint
 * name, CREATE INDEX indexes (expression terms and partial predicates included), UNIQUE constraints
 * (named when declared with CONSTRAINT), foreign keys (constraint name, actions, DEFERRABLE),
 * CHECK constraints, and views and triggers verbatim as extras in creation order. Never read:
 * SQLite's own sqlite_* tables, and the version table and its history table.
 *
 * mig_pg_introspect() does the same for one PostgreSQL schema through the driver's connection;
 * a scratch schema on that same connection is read by the same code.
 */
#ifndef MIG_INTROSPECT_H
#define MIG_INTROSPECT_H

#include "db.h"
#include "schema.h"
#include "util.h"

/* Repeating sqlite3.h's typedef is valid C11 and keeps sqlite3.h out of this header. */
typedef struct sqlite3 sqlite3;

/*
 * Reads the main schema of db. skip_prefix is the version table's name (e.g. "mig_version"): the
 * tables named so or so followed by "_history" are left out (compared as SQLite compares names);
 * NULL leaves out nothing but sqlite_* tables. Returns 0, MIG_EDB with SQLite's message and the
 * query when a catalog query fails, or MIG_EPARSE when a stored CREATE statement cannot be read.
 */
int mig_sqlite_introspect(struct mig_schema **out, sqlite3 *db, const char *skip_prefix);

/*
 * Where mig_sqlite_introspect_ex() reads each table's columns, keys, foreign keys and indexes
 * from. Both ways give the same model; AUTO is what mig_sqlite_introspect() does.
 */
enum mig_sqlite_read {
	MIG_SQLITE_READ_AUTO,    /* the CREATE statements where the parser is certain of their
	                            meaning (sqlite_ddl_parse.h), else the pragmas */
	MIG_SQLITE_READ_PRAGMA,  /* SQLite's pragma functions for every table: the reference */
};

/*
 * mig_sqlite_introspect() with the way of reading chosen; *from_ddl (when not NULL) receives the
 * number of tables read from their CREATE statements alone. For tests and benchmarks.
 */
int mig_sqlite_introspect_ex(struct mig_schema **out, sqlite3 *db, const char *skip_prefix,
    enum mig_sqlite_read how, size_t *from_ddl);

/*
 * Reads one PostgreSQL schema of db (lib/db_pg_introspect.c): schema NULL reads current_schema(),
 * the one unqualified names are created in; a schema that does not exist reads as empty. The
 * tables named skip_table and skip_table + "_history" are left out (exact names); NULL leaves out
 * none. Tables and enums carry schema in their schema field (NULL when schema is NULL), so a
 * scratch schema and the live one compare alike when both are read with NULL or the same name.
 *
 * Types are format_type()'s spelling ("character varying(64)", "text[]", "genderenum"), defaults,
 * CHECK expressions and index predicates pg_get_expr()'s ("'UNDEFINED'::genderenum",
 * "(price > 0)"), expression index columns pg_get_indexdef()'s ("lower(email)"). Serial and
 * identity columns are autoincrement with no default. Every constraint and index has its catalog
 * name (pk_name included). A foreign key to another schema's table names it "schema.table".
 * Partitions and extension members are left out. A few fixed queries read the whole schema.
 * Returns 0, MIG_EUSAGE when db is not PostgreSQL, or MIG_EDB with the server's message and the
 * query when a catalog query fails.
 */
int mig_pg_introspect(struct mig_schema **out, struct mig_db *db, const char *schema, const char *skip_table);

/*
 * The driver-level entry point, for cmd/: introspects an open struct mig_db, leaving out its
 * version table (and history). The SQLite driver hands out its connection through
 * mig_db_sqlite_handle() (declared again here exactly as in db_driver.h); inline so that this
 * header does not tie libmig's link to the driver. On PostgreSQL it reads current_schema().
 */
struct sqlite3 *mig_db_sqlite_handle(const struct mig_db *db);
/* The libpq connection (a PGconn) behind db, from lib/db_pg.c; NULL when db is not PostgreSQL. */
struct pg_conn *mig_db_pg_handle(const struct mig_db *db);

static inline int
mig_db_introspect(struct mig_schema **out, struct mig_db *db, const char *version_table)
{
	sqlite3 *h;

	*out = NULL;
	if (mig_db_dialect(db) == MIG_POSTGRES)
		return mig_pg_introspect(out, db, NULL, version_table);
	if (mig_db_dialect(db) != MIG_SQLITE || (h = mig_db_sqlite_handle(db)) == NULL)
		return mig_error_set(MIG_EUSAGE, "introspection is not available for this database yet");
	return mig_sqlite_introspect(out, h, version_table);
}

#endif
