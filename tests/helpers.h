/*
 * helpers.h — shared test helpers: temporary directories, running the built ./mig, writing files and
 * asking a SQLite database what it really holds.
 */
#ifndef MIG_TEST_HELPERS_H
#define MIG_TEST_HELPERS_H

#include <stdbool.h>
#include <stddef.h>

#include <libpq-fe.h>

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

/* path of the repository root ($MIG_TOP, else the current directory). */
const char *th_top(void);

#endif
