/*
 * helpers.h — shared test helpers: temporary directories, running the built ./mig, writing files and
 * asking a SQLite database what it really holds.
 */
#ifndef MIG_TEST_HELPERS_H
#define MIG_TEST_HELPERS_H

#include <stdbool.h>
#include <stddef.h>

#include <libpq-fe.h>

#include "cfg.h"
#include "db.h"
#include "util.h"

/* A fresh directory under /tmp, malloc'd path; removed by th_rmtree(). */
char *th_tmpdir(void);
void th_rmtree(const char *path);

/* Writes text to dir/name (creating parent directories). */
void th_write(const char *dir, const char *name, const char *text);
/* Reads a whole file; malloc'd, NULL if missing. */
char *th_read(const char *path);

struct th_run {
	int status;   /* exit status, or 128+signal */
	char *out;    /* stdout */
	char *err;    /* stderr */
};
/*
 * Runs the mig binary ($MIG_BIN, else ./mig) in cwd with the given arguments (NULL-terminated
 * list), with env DATABASE_URL and MIG_DIR unset unless set in extra_env ("K=V" strings, NULL-ended).
 */
struct th_run th_mig(const char *cwd, const char *const *extra_env, ...);
/* Same with an argv array. */
struct th_run th_migv(const char *cwd, const char *const *extra_env, const char *const *argv);
void th_run_free(struct th_run *r);

/*
 * Runs a query on a SQLite file and returns the rows as text: columns separated by '|', rows by
 * '\n' (no trailing newline); malloc'd. "" for no rows. Aborts the test on error.
 */
char *th_sqlite(const char *db, const char *query);

/*
 * PostgreSQL for tests. th_pg_server_url() is $MIG_TEST_PG, or a failed test: `make test` always
 * starts a server. th_pg_db_url() is a URL for database name on that server. th_pg_q() returns rows
 * as th_sqlite() does ("a|b\nc|d", NULL as "NULL"); th_pg_exec() runs a statement; both fail the
 * test on an error. th_pg_quiet is a notice processor that drops notices.
 */
const char *th_pg_server_url(void);
char *th_pg_db_url(const char *name);
PGconn *th_pg_connect(const char *conninfo);
void th_pg_exec(const char *conninfo, const char *sql);
char *th_pg_q(const char *conninfo, const char *sql);
void th_pg_quiet(void *arg, const char *message);

/*
 * A history table for the drivers' tests of partial history reads (test_db_sqlite.c,
 * test_db_pg.c): TH_NHIST rows, more than one IN list takes, applied in an order other than their
 * ids', every seventh one failed. Ids are 12 characters ("h00000000007") except row 250's, which
 * is odd (a quote, say). th_history_fill() creates the version tables in schema (created on
 * PostgreSQL) and inserts the rows in one transaction.
 */
#define TH_NHIST 600
char *th_hist_id(const char *odd, size_t i);
void th_history_fill(struct mig_db *db, enum mig_dialect d, const char *odd, const char *schema,
    const char *table);

/* A mig_db_read_history_ids() callback: records each id once (twice fails the test). */
struct th_seen_ids {
	struct mig_map map;
	struct mig_arena arena;
	size_t n;
	size_t stop_after;  /* 0: never stop; else return 42 at that id */
};
int th_see_id(void *ctx, const char *id);

/* mig_db_read_history_of() against the whole history filtered here, in the same (applied) order. */
void th_assert_history_of(struct mig_db *db, const char *schema, const char *table,
    const char *const *ids, size_t nids, bool failed, bool with_down_sql);

/* Runs sql on db; fails the test with the statement, line and message on an error. */
void th_db_exec_ok(struct mig_db *db, const char *sql);

/*
 * The version tables' round trip every driver must pass: create, a few upgrade steps (a branch,
 * a merge, a stamp, texts that need quoting in either dialect) as a run renders them, executed on
 * db and read back; then a downgrade of the merge and a purge. schema is created on PostgreSQL.
 */
void th_version_round_trip(struct mig_db *db, enum mig_dialect d, const char *schema, const char *table);

/* path of the repository root ($MIG_TOP, else the current directory). */
const char *th_top(void);

#endif
