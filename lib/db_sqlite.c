/*
 * db_sqlite.c — the SQLite driver: opening a file, running scripts, transactions and the lock.
 *
 * Scripts are split by SQLite itself (sqlite3_prepare_v2's tail pointer), so triggers, strings and
 * comments containing ';' need no parser of ours. Transactions start with BEGIN IMMEDIATE, which
 * takes the write lock up front: two migrators then queue on the busy timeout instead of both
 * reading the version table and failing later with SQLITE_BUSY on upgrade to a write lock.
 *
 * The connection keeps SQLite's defaults otherwise. In particular foreign-key enforcement stays
 * off as SQLite ships it, so that revision scripts which rebuild tables (the usual ALTER TABLE
 * workaround) control it themselves with PRAGMA foreign_keys, which only works outside a
 * transaction.
 *
 * The migration lock is an flock() on "<database>.mig-lock": it is held by the open file
 * description, so it serialises two handles even within one process, and the kernel releases it
 * when the process dies. The lock file is left in place on unlock; removing it would let a waiter
 * lock an unlinked file while a newcomer locks a fresh one.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include <sqlite3.h>

#include "db_driver.h"
#include "sql.h"

/* How long one statement waits for another connection's lock before failing with SQLITE_BUSY. */
#define SQLITE_BUSY_MS 5000
/* How often a waiting migrator retries the migration lock. */
#define LOCK_POLL_MS 50

struct sqlite_drv {
	sqlite3 *h;
	char *path;
	bool memory;
	int lock_fd;     /* -1 unless this handle holds the migration lock */
};

static int sqlite_open(struct mig_db *db, const struct mig_url *url, bool create);
static void sqlite_close(struct mig_db *db);
static int sqlite_exec(struct mig_db *db, const char *sql, struct mig_db_error *err);
static int sqlite_query(struct mig_db *db, const char *sql, mig_db_row_fn fn, void *ctx);
static bool sqlite_in_transaction(const struct mig_db *db);
static int sqlite_table_exists(struct mig_db *db, const char *schema, const char *table, bool *out);
static int sqlite_lock(struct mig_db *db, int timeout_ms);
static void sqlite_unlock(struct mig_db *db);
static void sqlite_interrupt(struct mig_db *db);
static int check_path(const char *path, bool create);
static size_t statement_end(const char *p);
static const char *d_path(const struct mig_db *db);
static int count_row(void *ctx, const char *const *vals, size_t ncols);
static void sleep_ms(double ms);

const struct mig_db_ops mig_db_sqlite_ops = {
	.name = "sqlite",
	.dialect = MIG_SQLITE,
	.begin_sql = "BEGIN IMMEDIATE",
	.open = sqlite_open,
	.close = sqlite_close,
	.exec = sqlite_exec,
	.query = sqlite_query,
	.in_transaction = sqlite_in_transaction,
	.table_exists = sqlite_table_exists,
	.lock = sqlite_lock,
	.unlock = sqlite_unlock,
	.interrupt = sqlite_interrupt,
};

/* sqlite3_interrupt() only sets a flag the running statement checks: safe from a signal handler. */
static void
sqlite_interrupt(struct mig_db *db)
{
	struct sqlite_drv *d = db->drv;

	if (d && d->h)
		sqlite3_interrupt(d->h);
}

struct sqlite3 *
mig_db_sqlite_handle(const struct mig_db *db)
{
	if (db == NULL || db->ops != &mig_db_sqlite_ops)
		return NULL;
	return ((struct sqlite_drv *)db->drv)->h;
}

/* The checks SQLite's own "unable to open database file" would leave unexplained. */
static int
check_path(const char *path, bool create)
{
	const char *slash;
	struct stat st;
	char *dir;
	int rc = 0;

	if (stat(path, &st) == 0) {
		if (S_ISDIR(st.st_mode))
			return mig_error_set(MIG_EIO, "database '%s' is a directory", path);
		return 0;
	}
	if (errno != ENOENT)
		return mig_error_set(MIG_EIO, "cannot open database '%s': %s", path, strerror(errno));
	if (!create)
		return mig_error_set(MIG_ENOTFOUND, "database '%s' does not exist", path);
	slash = strrchr(path, '/');
	if (slash == NULL)
		return 0;
	dir = slash == path ? mig_xstrdup("/") : mig_xstrndup(path, (size_t)(slash - path));
	if (!mig_path_is_dir(dir))
		rc = mig_error_set(MIG_EIO, "cannot create database '%s': directory '%s' does not exist", path, dir);
	free(dir);
	return rc;
}

static int
sqlite_open(struct mig_db *db, const struct mig_url *url, bool create)
{
	struct sqlite_drv *d;
	int flags = SQLITE_OPEN_READWRITE | SQLITE_OPEN_NOMUTEX;
	int rc;

	d = mig_xcalloc(1, sizeof(*d));
	d->path = mig_xstrdup(url->path);
	d->memory = strcmp(url->path, ":memory:") == 0;
	d->lock_fd = -1;
	if (!d->memory && (rc = check_path(d->path, create)) != 0)
		goto fail;
	if (create || d->memory)
		flags |= SQLITE_OPEN_CREATE;
	if (sqlite3_open_v2(d->path, &d->h, flags, NULL) != SQLITE_OK) {
		rc = mig_error_set(MIG_EDB, "cannot open database '%s': %s", d->path,
		    d->h ? sqlite3_errmsg(d->h) : "out of memory");
		goto fail;
	}
	sqlite3_extended_result_codes(d->h, 1);
	sqlite3_busy_timeout(d->h, SQLITE_BUSY_MS);
	/* sqlite3_open_v2() reads nothing; a first query tells a database from any other file. */
	if (sqlite3_exec(d->h, "SELECT count(*) FROM sqlite_schema", NULL, NULL, NULL) != SQLITE_OK) {
		if ((sqlite3_errcode(d->h) & 0xff) == SQLITE_NOTADB)
			rc = mig_error_set(MIG_EDB, "file '%s' is not a database", d->path);
		else
			rc = mig_error_set(MIG_EDB, "cannot open database '%s': %s", d->path, sqlite3_errmsg(d->h));
		goto fail;
	}
	db->drv = d;
	return 0;
fail:
	sqlite3_close(d->h);
	free(d->path);
	free(d);
	return rc;
}

static void
sqlite_close(struct mig_db *db)
{
	struct sqlite_drv *d = db->drv;

	if (d == NULL)
		return;
	sqlite_unlock(db);
	/* Every statement is finalised where it is prepared, so plain close cannot fail with BUSY. */
	sqlite3_close(d->h);
	free(d->path);
	free(d);
	db->drv = NULL;
}

/*
 * Where the statement starting at p ends, for a statement SQLite could not prepare (the tail
 * pointer is not meaningful then): the first ';' that makes the text a complete statement.
 * Quadratic, but it runs once, on the error path.
 */
static size_t
statement_end(const char *p)
{
	const char *q;

	for (q = strchr(p, ';'); q != NULL; q = strchr(q + 1, ';')) {
		char *s = mig_xstrndup(p, (size_t)(q + 1 - p));
		int complete = sqlite3_complete(s);

		free(s);
		if (complete)
			return (size_t)(q + 1 - p);
	}
	return strlen(p);
}

static int
sqlite_exec(struct mig_db *db, const char *sql, struct mig_db_error *err)
{
	struct sqlite_drv *d = db->drv;
	const char *p = sql, *tail;
	sqlite3_stmt *st;
	int rc;

	while (*(p = mig_db_skip_space(p)) != '\0') {
		st = NULL;
		tail = NULL;
		if (sqlite3_prepare_v2(d->h, p, -1, &st, &tail) != SQLITE_OK) {
			const char *msg = sqlite3_errmsg(d->h);

			mig_db_error_fill(err, sql, (size_t)(p - sql), (size_t)(p - sql) + statement_end(p), msg);
			return mig_error_set(MIG_EDB, "%s", msg);
		}
		if (st == NULL) {
			/* Only a comment or whitespace was left (or a lone ';'). */
			if (tail == NULL || tail <= p)
				break;
			p = tail;
			continue;
		}
		while ((rc = sqlite3_step(st)) == SQLITE_ROW)
			;
		if (rc != SQLITE_DONE) {
			const char *msg = sqlite3_errmsg(d->h);

			mig_db_error_fill(err, sql, (size_t)(p - sql), (size_t)(tail - sql), msg);
			rc = mig_error_set(MIG_EDB, "%s", msg);
			sqlite3_finalize(st);
			return rc;
		}
		sqlite3_finalize(st);
		p = tail;
	}
	return 0;
}

static int
sqlite_query(struct mig_db *db, const char *sql, mig_db_row_fn fn, void *ctx)
{
	struct sqlite_drv *d = db->drv;
	const char **vals = NULL;
	sqlite3_stmt *st = NULL;
	int i, n, rc;

	if (sqlite3_prepare_v2(d->h, sql, -1, &st, NULL) != SQLITE_OK || st == NULL)
		return mig_error_set(MIG_EDB, "%s", st == NULL && sqlite3_errcode(d->h) == SQLITE_OK ?
		    "empty query" : sqlite3_errmsg(d->h));
	n = sqlite3_column_count(st);
	vals = mig_xcalloc(n > 0 ? (size_t)n : 1, sizeof(*vals));
	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		for (i = 0; i < n; i++)
			vals[i] = sqlite3_column_type(st, i) == SQLITE_NULL ? NULL :
			    (const char *)sqlite3_column_text(st, i);
		if ((rc = fn(ctx, vals, (size_t)n)) != 0)
			goto done;
	}
	if (rc == SQLITE_DONE)
		rc = 0;
	else
		rc = mig_error_set(MIG_EDB, "%s", sqlite3_errmsg(d->h));
done:
	free(vals);
	sqlite3_finalize(st);
	return rc;
}

static bool
sqlite_in_transaction(const struct mig_db *db)
{
	const struct sqlite_drv *d = db->drv;

	return !sqlite3_get_autocommit(d->h);
}

static int
count_row(void *ctx, const char *const *vals, size_t ncols)
{
	*(bool *)ctx = ncols > 0 && vals[0] != NULL && strcmp(vals[0], "0") != 0;
	return 0;
}

static const char *
d_path(const struct mig_db *db)
{
	return ((const struct sqlite_drv *)db->drv)->path;
}

/* A schema on SQLite names an attached database ("main", "temp", ...), whose catalog is schema.sqlite_schema. */
static int
sqlite_table_exists(struct mig_db *db, const char *schema, const char *table, bool *out)
{
	struct mig_buf sql = MIG_BUF_INIT;
	int rc;

	*out = false;
	if (schema != NULL && schema[0] != '\0') {
		bool attached = false;

		mig_buf_puts(&sql, "SELECT count(*) FROM pragma_database_list WHERE name = ");
		mig_sql_literal(&sql, MIG_SQLITE, schema);
		rc = sqlite_query(db, sql.ptr, count_row, &attached);
		mig_buf_clear(&sql);
		if (rc == 0 && !attached)
			rc = mig_error_set(MIG_EDB, "no schema '%s' in '%s' (on SQLite a schema is an attached "
			    "database, such as 'main')", schema, d_path(db));
		if (rc != 0) {
			mig_buf_release(&sql);
			return rc;
		}
	}
	mig_buf_puts(&sql, "SELECT count(*) FROM ");
	mig_sql_qualified(&sql, MIG_SQLITE, schema, "sqlite_schema");
	mig_buf_puts(&sql, " WHERE type = 'table' AND name = ");
	mig_sql_literal(&sql, MIG_SQLITE, table);
	rc = sqlite_query(db, sql.ptr, count_row, out);
	mig_buf_release(&sql);
	return rc;
}

static void
sleep_ms(double ms)
{
	struct timespec ts;

	if (ms <= 0)
		return;
	ts.tv_sec = (time_t)(ms / 1000);
	ts.tv_nsec = (long)((ms - (double)ts.tv_sec * 1000) * 1e6);
	while (nanosleep(&ts, &ts) != 0 && errno == EINTR)
		;
}

static int
sqlite_lock(struct mig_db *db, int timeout_ms)
{
	struct sqlite_drv *d = db->drv;
	double deadline = mig_now_ms() + timeout_ms, now;
	char *path;
	int fd, rc = 0;

	if (d->memory || d->lock_fd >= 0)
		return 0;
	path = mig_xasprintf("%s.mig-lock", d->path);
	fd = open(path, O_RDWR | O_CREAT | O_CLOEXEC, 0644);
	if (fd < 0) {
		rc = mig_error_set(MIG_EIO, "cannot create lock file '%s': %s", path, strerror(errno));
		goto done;
	}
	for (;;) {
		if (flock(fd, LOCK_EX | LOCK_NB) == 0) {
			d->lock_fd = fd;
			goto done;
		}
		if (errno != EWOULDBLOCK && errno != EINTR) {
			rc = mig_error_set(MIG_EIO, "cannot lock '%s': %s", path, strerror(errno));
			break;
		}
		now = mig_now_ms();
		if (now >= deadline) {
			if (timeout_ms % 1000 == 0)
				rc = mig_error_set(MIG_ELOCKED, "another mig is migrating '%s' (lock file '%s'); "
				    "waited %d s", d->path, path, timeout_ms / 1000);
			else
				rc = mig_error_set(MIG_ELOCKED, "another mig is migrating '%s' (lock file '%s'); "
				    "waited %.1f s", d->path, path, timeout_ms / 1000.0);
			break;
		}
		sleep_ms(deadline - now < LOCK_POLL_MS ? deadline - now : LOCK_POLL_MS);
	}
	close(fd);
done:
	free(path);
	return rc;
}

static void
sqlite_unlock(struct mig_db *db)
{
	struct sqlite_drv *d = db->drv;

	if (d == NULL || d->lock_fd < 0)
		return;
	flock(d->lock_fd, LOCK_UN);
	close(d->lock_fd);
	d->lock_fd = -1;
}
