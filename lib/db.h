/*
 * db.h — the database drivers behind one interface: open, run scripts, transactions, locks, and
 * the version and history tables.
 *
 * A struct mig_db is owned by the caller of mig_db_open() and released by mig_db_close(). Drivers
 * (db_sqlite.c, db_pg.c) fill a table of operations; nothing outside lib/db_*.c sees sqlite3 or
 * libpq types. Errors carry the database's own message.
 *
 * The version table (default mig_version) holds the current head(s), one row each (column
 * version_num), like Alembic's. Beside it, <table>_history holds one row per applied revision:
 * its id, parents, message, SHA-256 of its up and down files, the down SQL itself, when it was
 * applied, how long it took, the mig version and how it got there ('upgrade' or 'stamp'). That
 * row is what lets `downgrade` work when the files are gone and detects scripts edited later.
 */
#ifndef MIG_DB_H
#define MIG_DB_H

#include <stdbool.h>
#include <stddef.h>

#include "cfg.h"
#include "util.h"

struct mig_db;

/* Where a script failed: the statement (as written), its 1-based line in the script, the message. */
struct mig_db_error {
	char *statement;
	size_t line;
	char *message;
	char sqlstate[6];  /* PostgreSQL's SQLSTATE when known, else "" */
};
void mig_db_error_release(struct mig_db_error *e);

/*
 * Opens the database. With create false a missing SQLite file is MIG_ENOTFOUND (read-only commands
 * treat it as an empty database); with create true it is created, and a missing parent directory is
 * a clear MIG_EIO. Connection failures are MIG_EDB with the driver's reason (never a password).
 */
int mig_db_open(struct mig_db **out, const struct mig_url *url, bool create);
void mig_db_close(struct mig_db *db);
enum mig_dialect mig_db_dialect(const struct mig_db *db);

/*
 * Runs a script of any number of statements, split by the database itself (sqlite3_prepare tail;
 * on PostgreSQL the simple-query protocol), so triggers, dollar quotes and ';' in strings work.
 * On failure returns MIG_EDB and fills err (if not NULL); statements before the failing one have
 * run, so callers wrap scripts in transactions.
 */
int mig_db_exec(struct mig_db *db, const char *sql, struct mig_db_error *err);
int mig_db_begin(struct mig_db *db);
int mig_db_commit(struct mig_db *db);
int mig_db_rollback(struct mig_db *db);
bool mig_db_in_transaction(const struct mig_db *db);

/*
 * Serialises migrators for the whole run. SQLite: an exclusive OS lock on "<file>.mig-lock" beside
 * the database (released by the kernel if the process dies). PostgreSQL: a session advisory lock.
 * Waits up to timeout_ms, then MIG_ELOCKED naming the holder where the database can tell.
 */
int mig_db_lock(struct mig_db *db, int timeout_ms);
void mig_db_unlock(struct mig_db *db);

/*
 * Stops the statement running on db, from a signal handler (async-signal-safe): the statement
 * fails, and the caller's usual error path rolls the transaction back.
 */
void mig_db_interrupt(struct mig_db *db);

/* A row of the history table. */
struct mig_applied {
	char *id;
	char **down;         /* parent ids */
	size_t ndown;
	char *message;
	char up_sha256[65];  /* "" when unknown */
	char down_sha256[65];
	char *down_sql;      /* the down script's body as it was when applied; NULL if unknown */
	char *applied_at;
	double duration_ms;  /* < 0 when unknown */
	char *mig_version;
	char *kind;          /* "upgrade" or "stamp" */
};
void mig_applied_free(struct mig_applied *rows, size_t n);

/* The version table's rows; a missing table is zero rows, not an error. schema may be NULL. */
int mig_db_read_heads(struct mig_db *db, const char *schema, const char *table, char ***out, size_t *n);
void mig_db_heads_free(char **heads, size_t n);
/* The history table's rows in the order they were applied; a missing table is zero rows. */
int mig_db_read_history(struct mig_db *db, const char *schema, const char *table,
    struct mig_applied **out, size_t *n);
/*
 * The same, leaving down_sql NULL unless with_down_sql: only a downgrade needs the stored
 * scripts, and reading thousands of them costs more than the rest of a `mig heads`.
 */
int mig_db_read_history_ex(struct mig_db *db, const char *schema, const char *table, bool with_down_sql,
    struct mig_applied **out, size_t *n);
/*
 * The history table's revision ids alone, each handed to fn (a non-zero return stops the read and
 * is returned), in no particular order; a missing table is none. Which applied revisions have no
 * files (ghosts) needs no more, and whole rows for every revision cost more than the rest of
 * `mig heads`. id is only valid during the call.
 */
int mig_db_read_history_ids(struct mig_db *db, const char *schema, const char *table,
    int (*fn)(void *ctx, const char *id), void *ctx);
/* As mig_db_read_history_ex(), for the rows of ids only, and with failed every 'failed' row too. */
int mig_db_read_history_of(struct mig_db *db, const char *schema, const char *table,
    const char *const *ids, size_t nids, bool failed, bool with_down_sql, struct mig_applied **out,
    size_t *n);

#endif
