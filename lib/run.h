/*
 * run.h — executing a plan: reading each step's script, running it and the version-table
 * statements inside the right transactions, or rendering all of it as SQL text (offline mode).
 *
 * Transactions: by default the whole run is one transaction (all or nothing, version-table
 * updates included); with per_revision each revision commits on its own, so a failure leaves the
 * database at the last good revision. A revision marked `-- mig:transactional false` runs outside
 * any transaction: the work before it is committed first. A script containing the line
 * `-- mig:foreign_keys off` (SQLite table rebuilds) makes the run switch foreign keys off before
 * its transaction begins, check them with PRAGMA foreign_key_check before committing, and restore
 * them afterwards: SQLite ignores the pragma inside a transaction.
 *
 * A revision that runs outside a transaction cannot be rolled back: when it fails, the run records
 * it in the history table with kind 'failed', which `current` shows and which makes every later
 * upgrade or downgrade refuse until someone repairs the database and runs `mig stamp`.
 */
#ifndef MIG_RUN_H
#define MIG_RUN_H

#include <stdbool.h>

#include "db.h"
#include "rev.h"

/* A step's script as read from its files before anything runs. */
struct mig_script {
	char *sql;              /* the body to execute (after the header) */
	size_t first_line;      /* line of the file where the body starts (1-based) */
	const char *path;       /* the file, or NULL for a ghost's stored SQL */
	char up_sha256[65];     /* of the up / down files ("" for a ghost) */
	char down_sha256[65];
	char *down_sql;         /* the down body, kept in the history table (upgrade steps) */
	bool fk_off;            /* contains `-- mig:foreign_keys off` */
};

struct mig_run_opts {
	const char *schema;     /* version table's schema, NULL for the default */
	const char *table;      /* version table name */
	bool per_revision;
	struct mig_buf *offline; /* when set: append the SQL here and touch nothing */
	/* Called before and after each step (after: ms >= 0). */
	void (*progress)(void *arg, const struct mig_step *step, double ms);
	void *arg;
	/*
	 * Polled before each step, after each script and before each commit: when it returns true
	 * the run stops with MIG_ERROR and rolls back what is not committed (SIGINT, SIGTERM).
	 */
	bool (*should_stop)(void *arg);
};

/* Where a run failed. */
struct mig_run_error {
	const struct mig_step *step; /* NULL when the failure was not in a step (BEGIN, COMMIT, checks) */
	const char *path;
	size_t line;                 /* line in path of the failing statement */
	struct mig_db_error db;
	bool rolled_back;            /* the failed transaction was rolled back */
	bool marked_failed;          /* a non-transactional revision failed and was recorded as 'failed' */
	bool in_bookkeeping;         /* the failing statement was a version/history-table update */
	size_t committed;            /* steps committed before the failure */
};
void mig_run_error_release(struct mig_run_error *e);

/* Reads the scripts of every step (all before anything runs, so a missing file fails early). */
int mig_run_load_scripts(struct mig_script **out, const struct mig_plan *plan);
void mig_run_scripts_free(struct mig_script *s, size_t n);

/* Reads a revision's up and down files and hashes them (for stamp and the checksum checks). */
int mig_run_hash_files(const struct mig_rev *rev, char up[65], char down[65], char **down_body);

/*
 * Runs (or renders) the plan on db. db may be NULL only in offline mode; dialect says how to
 * render then. On failure returns the error code and fills err.
 */
int mig_run_plan(struct mig_db *db, enum mig_dialect dialect, const struct mig_plan *plan,
    struct mig_script *scripts, const struct mig_run_opts *o, struct mig_run_error *err);

#endif
