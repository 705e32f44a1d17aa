/*
 * db_driver.h — private to lib/db*.c: what a database driver provides, and struct mig_db.
 *
 * db.c implements db.h once for every database: it picks the driver by the URL's dialect, runs
 * begin/commit/rollback through the driver's exec, and reads the version and history tables with
 * the driver's query and table_exists. A driver (db_sqlite.c, db_pg.c) therefore implements only
 * the operations below, and the version-table logic cannot drift between dialects.
 *
 * A new driver defines its `const struct mig_db_ops` and gets one case in db.c's driver_for().
 */
#ifndef MIG_DB_DRIVER_H
#define MIG_DB_DRIVER_H

#include <stdbool.h>
#include <stddef.h>

#include "cfg.h"
#include "db.h"

/*
 * Called by query() once per result row with the row's values as text (NULL for SQL NULL). A
 * non-zero return stops the query, which then returns that value.
 */
typedef int (*mig_db_row_fn)(void *ctx, const char *const *vals, size_t ncols);

struct mig_db_ops {
	const char *name;           /* "sqlite", "postgresql" */
	enum mig_dialect dialect;
	const char *begin_sql;      /* how this database starts a migration transaction */

	/*
	 * Connects to url and sets db->drv (db->display is already set). On failure the driver
	 * frees what it allocated and returns the error; close() is not called.
	 */
	int (*open)(struct mig_db *db, const struct mig_url *url, bool create);
	/* Releases the connection and everything in db->drv, including a held lock. */
	void (*close)(struct mig_db *db);
	/* As mig_db_exec(): every statement of a script; err (may be NULL) filled with mig_db_error_fill(). */
	int (*exec)(struct mig_db *db, const char *sql, struct mig_db_error *err);
	/* One statement that returns rows, each handed to fn. Errors are MIG_EDB with the database's message. */
	int (*query)(struct mig_db *db, const char *sql, mig_db_row_fn fn, void *ctx);
	bool (*in_transaction)(const struct mig_db *db);
	/* Whether schema.table (schema NULL: the connection's default) is an existing table. */
	int (*table_exists)(struct mig_db *db, const char *schema, const char *table, bool *out);
	/* As mig_db_lock() / mig_db_unlock(); lock on a handle that holds the lock is a no-op. */
	int (*lock)(struct mig_db *db, int timeout_ms);
	void (*unlock)(struct mig_db *db);
	/*
	 * Asks the statement running on db to stop. Called from a signal handler: it may only use
	 * async-signal-safe means (sqlite3_interrupt(), PQcancel() with a prepared PGcancel).
	 */
	void (*interrupt)(struct mig_db *db);
};

struct mig_db {
	const struct mig_db_ops *ops;
	void *drv;        /* the driver's own state */
	char *display;    /* how messages name the database: a path or a redacted URL */
};

extern const struct mig_db_ops mig_db_sqlite_ops;
extern const struct mig_db_ops mig_db_pg_ops;

/*
 * Fills err (if not NULL) for a failed statement that spans script[start, end): the statement
 * text without the whitespace and comments around it, its 1-based line in the script, and
 * message. Shared so that every driver reports failures the same way.
 */
void mig_db_error_fill(struct mig_db_error *err, const char *script, size_t start, size_t end,
    const char *message);
/* The first byte at or after s that is not whitespace or part of an SQL comment (--, slash-star). */
const char *mig_db_skip_space(const char *s);

/*
 * The SQLite connection behind db, for SQLite introspection (lib/db_sqlite_*.c); NULL when db is
 * not a SQLite database. The handle stays owned by db.
 */
struct sqlite3;
struct sqlite3 *mig_db_sqlite_handle(const struct mig_db *db);

#endif
